//! Agents' TOTP secrets and recovery codes (see the migration for how each is kept and why).

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use crate::domain::agent::AgentId;
use crate::domain::second_factor::{RecoveryCode, TotpSecret};

/// An agent's authenticator: enrolled (`enabled_at` set) or still being set up.
#[derive(Debug)]
pub struct Authenticator {
    pub secret: TotpSecret,
    pub enabled_at: Option<DateTime<Utc>>,
    pub last_used_step: Option<i64>,
}

impl Authenticator {
    pub fn enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

#[tracing::instrument(skip(db))]
pub async fn find<'e>(
    db: impl PgExecutor<'e>,
    agent: AgentId,
) -> sqlx::Result<Option<Authenticator>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        secret: Vec<u8>,
        enabled_at: Option<DateTime<Utc>>,
        last_used_step: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT secret, enabled_at, last_used_step FROM agent_totp WHERE agent_id = $1",
    )
    .bind(agent.0)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Authenticator {
        secret: TotpSecret::from_bytes(r.secret),
        enabled_at: r.enabled_at,
        last_used_step: r.last_used_step,
    }))
}

/// Whether the agent signs in with a second factor.
pub async fn is_enabled<'e>(db: impl PgExecutor<'e>, agent: AgentId) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM agent_totp WHERE agent_id = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(agent.0)
    .fetch_one(db)
    .await
}

/// Starts (or starts over) an enrolment with a new secret. False when the agent is enrolled
/// already: an enabled secret is never replaced this way.
#[tracing::instrument(skip_all, fields(agent = agent.0))]
pub async fn start_enrolment(
    pool: &PgPool,
    agent: AgentId,
    secret: &TotpSecret,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO agent_totp (agent_id, secret) VALUES ($1, $2)
         ON CONFLICT (agent_id) DO UPDATE SET secret = excluded.secret, created_at = now(), last_used_step = NULL
         WHERE agent_totp.enabled_at IS NULL",
    )
    .bind(agent.0)
    .bind(secret.as_bytes())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the enrolment on (the agent confirmed a code of `step`) with fresh recovery codes, in one
/// transaction. False when there was no enrolment in progress with this secret.
#[tracing::instrument(skip_all, fields(agent = agent.0))]
pub async fn enable(
    pool: &PgPool,
    agent: AgentId,
    secret: &TotpSecret,
    step: i64,
    codes: &[RecoveryCode],
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE agent_totp SET enabled_at = now(), last_used_step = $3
         WHERE agent_id = $1 AND secret = $2 AND enabled_at IS NULL",
    )
    .bind(agent.0)
    .bind(secret.as_bytes())
    .bind(step)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    replace_recovery_codes(&mut tx, agent, codes).await?;
    tx.commit().await?;
    Ok(true)
}

/// Records that the code of `step` was used; false when that step (or a later one) was used
/// already, so that two requests racing with the same code cannot both pass.
#[tracing::instrument(skip(pool))]
pub async fn use_step(pool: &PgPool, agent: AgentId, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE agent_totp SET last_used_step = $2
         WHERE agent_id = $1 AND enabled_at IS NOT NULL AND (last_used_step IS NULL OR last_used_step < $2)",
    )
    .bind(agent.0)
    .bind(step)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces all the agent's recovery codes with these.
pub async fn replace_recovery_codes(
    conn: &mut sqlx::PgConnection,
    agent: AgentId,
    codes: &[RecoveryCode],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE agent_id = $1")
        .bind(agent.0)
        .execute(&mut *conn)
        .await?;
    let hashes: Vec<Vec<u8>> = codes.iter().map(RecoveryCode::hash).collect();
    sqlx::query("INSERT INTO recovery_codes (agent_id, code_hash) SELECT $1, unnest($2::bytea[])")
        .bind(agent.0)
        .bind(hashes)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// New recovery codes for an enrolled agent; false when the agent is not enrolled.
#[tracing::instrument(skip_all, fields(agent = agent.0))]
pub async fn regenerate_recovery_codes(
    pool: &PgPool,
    agent: AgentId,
    codes: &[RecoveryCode],
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    // Locks the authenticator row, so a concurrent disable cannot leave codes behind.
    let enrolled: Option<i64> = sqlx::query_scalar(
        "SELECT agent_id FROM agent_totp WHERE agent_id = $1 AND enabled_at IS NOT NULL FOR UPDATE",
    )
    .bind(agent.0)
    .fetch_optional(&mut *tx)
    .await?;
    if enrolled.is_none() {
        return Ok(false);
    }
    replace_recovery_codes(&mut tx, agent, codes).await?;
    tx.commit().await?;
    Ok(true)
}

/// Uses up a recovery code: `Some(codes left)` when it was valid and unused, else `None`. One
/// statement, so a code cannot be used twice by two requests at once.
#[tracing::instrument(skip_all, fields(agent = agent.0))]
pub async fn use_recovery_code(
    pool: &PgPool,
    agent: AgentId,
    code: &RecoveryCode,
) -> sqlx::Result<Option<i64>> {
    let used: Option<i64> = sqlx::query_scalar(
        "UPDATE recovery_codes SET used_at = now()
         WHERE agent_id = $1 AND code_hash = $2 AND used_at IS NULL
           AND EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = $1 AND t.enabled_at IS NOT NULL)
         RETURNING id",
    )
    .bind(agent.0)
    .bind(code.hash())
    .fetch_optional(pool)
    .await?;
    match used {
        Some(_) => Ok(Some(recovery_codes_left(pool, agent).await?)),
        None => Ok(None),
    }
}

pub async fn recovery_codes_left<'e>(db: impl PgExecutor<'e>, agent: AgentId) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM recovery_codes WHERE agent_id = $1 AND used_at IS NULL",
    )
    .bind(agent.0)
    .fetch_one(db)
    .await
}

/// Removes the agent's second factor (their own choice, or a supervisor's reset). False when
/// there was none.
#[tracing::instrument(skip(pool))]
pub async fn remove(pool: &PgPool, agent: AgentId) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    // The authenticator row first, as `regenerate_recovery_codes` takes it: the two then wait
    // for each other instead of deadlocking.
    sqlx::query("SELECT 1 FROM agent_totp WHERE agent_id = $1 FOR UPDATE")
        .bind(agent.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE agent_id = $1")
        .bind(agent.0)
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query("DELETE FROM agent_totp WHERE agent_id = $1")
        .bind(agent.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}
