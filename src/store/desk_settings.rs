//! Desk-wide settings that supervisors change at run time (one row, see the migration).

use sqlx::PgPool;

use crate::domain::agent::AgentId;

/// Whether every agent must sign in with a second factor.
pub async fn require_second_factor(pool: &PgPool) -> sqlx::Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT require_second_factor FROM desk_settings")
            .fetch_optional(pool)
            .await?
            .unwrap_or(false),
    )
}

#[tracing::instrument(skip(pool))]
pub async fn set_require_second_factor(pool: &PgPool, on: bool, by: AgentId) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE desk_settings SET require_second_factor = $1, updated_at = now(), updated_by = $2",
    )
    .bind(on)
    .bind(by.0)
    .execute(pool)
    .await?;
    Ok(())
}
