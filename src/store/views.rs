//! Saved queue views.

use sqlx::PgPool;

use crate::domain::agent::AgentId;
use crate::domain::saved_view::ViewName;

#[derive(Debug, sqlx::FromRow)]
pub struct SavedView {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub name: String,
    pub query: String,
    pub shared: bool,
}

/// The views an agent may open: their own, then those shared by others, by name.
pub async fn visible_to(pool: &PgPool, agent: AgentId) -> sqlx::Result<Vec<SavedView>> {
    sqlx::query_as(
        "SELECT v.id, v.owner_id, a.name AS owner_name, v.name, v.query, v.shared
         FROM saved_views v JOIN agents a ON a.id = v.owner_id
         WHERE v.owner_id = $1 OR v.shared
         ORDER BY v.owner_id <> $1, v.name, v.id",
    )
    .bind(agent.0)
    .fetch_all(pool)
    .await
}

/// One view, if the agent may open it.
pub async fn find_visible(
    pool: &PgPool,
    agent: AgentId,
    id: i64,
) -> sqlx::Result<Option<SavedView>> {
    sqlx::query_as(
        "SELECT v.id, v.owner_id, a.name AS owner_name, v.name, v.query, v.shared
         FROM saved_views v JOIN agents a ON a.id = v.owner_id
         WHERE v.id = $2 AND (v.owner_id = $1 OR v.shared)",
    )
    .bind(agent.0)
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub enum CreateError {
    NameTaken,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        CreateError::Database(e)
    }
}

pub async fn create(
    pool: &PgPool,
    owner: AgentId,
    name: &ViewName,
    query: &str,
) -> Result<i64, CreateError> {
    sqlx::query_scalar(
        "INSERT INTO saved_views (owner_id, name, query) VALUES ($1, $2, $3)
         ON CONFLICT (owner_id, name) DO NOTHING RETURNING id",
    )
    .bind(owner.0)
    .bind(name.as_str())
    .bind(query)
    .fetch_optional(pool)
    .await?
    .ok_or(CreateError::NameTaken)
}

/// Deletes a view its owner (or, for a shared one, a supervisor) deletes; whether it existed.
pub async fn delete(
    pool: &PgPool,
    agent: AgentId,
    supervisor: bool,
    id: i64,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("DELETE FROM saved_views WHERE id = $1 AND (owner_id = $2 OR (shared AND $3))")
            .bind(id)
            .bind(agent.0)
            .bind(supervisor)
            .execute(pool)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Shares (or stops sharing) one of the owner's views.
pub async fn set_shared(
    pool: &PgPool,
    owner: AgentId,
    id: i64,
    shared: bool,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("UPDATE saved_views SET shared = $3 WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner.0)
            .bind(shared)
            .execute(pool)
            .await?
            .rows_affected()
            == 1,
    )
}

/// The view the agent's queue opens with (None: the default queue).
pub async fn set_default(pool: &PgPool, agent: AgentId, view: Option<i64>) -> sqlx::Result<()> {
    sqlx::query("UPDATE agents SET default_view_id = $2 WHERE id = $1")
        .bind(agent.0)
        .bind(view)
        .execute(pool)
        .await?;
    Ok(())
}

/// The chosen view's id and query, if it still exists and is still visible to the agent.
pub async fn default_of(pool: &PgPool, agent: AgentId) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT v.id, v.query FROM agents a JOIN saved_views v ON v.id = a.default_view_id
         WHERE a.id = $1 AND (v.owner_id = a.id OR v.shared)",
    )
    .bind(agent.0)
    .fetch_optional(pool)
    .await
}
