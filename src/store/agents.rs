//! Agent accounts.

use sqlx::{PgExecutor, PgPool};

use crate::domain::agent::{AgentId, Email, Role};
use crate::i18n::Locale;

#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: i64,
    name: String,
    email: String,
    role: Role,
}

impl From<AgentRow> for AgentRecord {
    fn from(row: AgentRow) -> Self {
        AgentRecord {
            id: AgentId(row.id),
            name: row.name,
            email: row.email,
            role: row.role,
        }
    }
}

#[tracing::instrument(skip(db))]
pub async fn find_active<'e>(
    db: impl PgExecutor<'e>,
    id: AgentId,
) -> sqlx::Result<Option<AgentRecord>> {
    let row: Option<AgentRow> =
        sqlx::query_as("SELECT id, name, email, role FROM agents WHERE id = $1 AND active")
            .bind(id.0)
            .fetch_optional(db)
            .await?;
    Ok(row.map(Into::into))
}

/// The active agent with this e-mail and their password hash.
#[tracing::instrument(skip_all)]
pub async fn find_for_login(
    pool: &PgPool,
    email: &Email,
) -> sqlx::Result<Option<(AgentRecord, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        agent: AgentRow,
        password_hash: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, email, role, password_hash FROM agents WHERE lower(email) = $1 AND active",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.agent.into(), r.password_hash)))
}

/// The language the agent chose for the desk (`None`: the browser's, else the default).
pub async fn locale(pool: &PgPool, id: AgentId) -> sqlx::Result<Option<Locale>> {
    sqlx::query_scalar("SELECT locale FROM agents WHERE id = $1")
        .bind(id.0)
        .fetch_optional(pool)
        .await
        .map(Option::flatten)
}

pub async fn set_locale(pool: &PgPool, id: AgentId, locale: Option<Locale>) -> sqlx::Result<()> {
    sqlx::query("UPDATE agents SET locale = $2 WHERE id = $1")
        .bind(id.0)
        .bind(locale)
        .execute(pool)
        .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAgentError {
    #[error("an agent with this e-mail already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[tracing::instrument(skip_all)]
pub async fn create<'e>(
    db: impl PgExecutor<'e>,
    email: &Email,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<AgentId, CreateAgentError> {
    let id = sqlx::query_scalar(
        "INSERT INTO agents (email, name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(email.as_str())
    .bind(name)
    .bind(role.as_str())
    .bind(password_hash)
    .fetch_one(db)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => CreateAgentError::EmailTaken,
        _ => CreateAgentError::Database(e),
    })?;
    Ok(AgentId(id))
}

/// Active agents, for the assign list.
pub async fn list_active<'e>(db: impl PgExecutor<'e>) -> sqlx::Result<Vec<AgentRecord>> {
    let rows: Vec<AgentRow> =
        sqlx::query_as("SELECT id, name, email, role FROM agents WHERE active ORDER BY name")
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn count<'e>(db: impl PgExecutor<'e>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM agents")
        .fetch_one(db)
        .await
}

/// The stored hash of an active agent's password.
pub async fn password_hash(pool: &PgPool, id: AgentId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT password_hash FROM agents WHERE id = $1 AND active")
        .bind(id.0)
        .fetch_optional(pool)
        .await
}

/// The agent's own new password (which also lifts `must_change_password`).
pub async fn set_password_hash(pool: &PgPool, id: AgentId, hash: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE agents SET password_hash = $2, must_change_password = false, password_set_at = now()
         WHERE id = $1",
    )
        .bind(id.0)
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// An account as the supervisors' page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub must_change_password: bool,
    /// Signs in with a second factor (TOTP).
    pub second_factor: bool,
    pub sessions: i64,
}

pub async fn list_all(pool: &PgPool) -> sqlx::Result<Vec<AccountRow>> {
    sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.role, a.active, a.must_change_password,
                (SELECT count(*) FROM sessions s WHERE s.agent_id = a.id AND s.expires_at > now()) AS sessions,
                EXISTS (SELECT 1 FROM agent_totp t WHERE t.agent_id = a.id AND t.enabled_at IS NOT NULL) AS second_factor
         FROM agents a ORDER BY a.active DESC, a.name",
    )
    .fetch_all(pool)
    .await
}

/// Whether the agent must choose a new password before anything else.
pub async fn must_change_password(pool: &PgPool, id: AgentId) -> sqlx::Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT must_change_password FROM agents WHERE id = $1")
            .bind(id.0)
            .fetch_optional(pool)
            .await?
            .unwrap_or(false),
    )
}

pub async fn set_role(pool: &PgPool, id: AgentId, role: Role) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE agents SET role = $2 WHERE id = $1")
        .bind(id.0)
        .bind(role.as_str())
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_active(pool: &PgPool, id: AgentId, active: bool) -> sqlx::Result<bool> {
    let done = sqlx::query("UPDATE agents SET active = $2 WHERE id = $1")
        .bind(id.0)
        .bind(active)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A new password set by a supervisor: the agent must replace it at the next sign-in, and it
/// stops working `temporary_password_hours` after now (see [`temporary_password_expired`]).
pub async fn reset_password(pool: &PgPool, id: AgentId, hash: &str) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE agents SET password_hash = $2, must_change_password = true, password_set_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the agent's password is a one-time password set more than `max_age` ago: it can no
/// longer sign in (a supervisor sets a new one).
pub async fn temporary_password_expired(
    pool: &PgPool,
    id: AgentId,
    max_age: chrono::Duration,
) -> sqlx::Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT must_change_password AND password_set_at < now() - make_interval(secs => $2)
         FROM agents WHERE id = $1",
    )
    .bind(id.0)
    .bind(max_age.num_seconds() as f64)
    .fetch_optional(pool)
    .await?
    .unwrap_or(false))
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeEmailError {
    #[error("another account has this e-mail")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The agent's own new sign-in e-mail, in the caller's transaction; returns the old one. Unique
/// whatever its case (`agents_email_key`).
#[tracing::instrument(skip_all, fields(agent = id.0))]
pub async fn change_email(
    conn: &mut sqlx::PgConnection,
    id: AgentId,
    email: &Email,
) -> Result<String, ChangeEmailError> {
    let old: String = sqlx::query_scalar("SELECT email FROM agents WHERE id = $1 FOR UPDATE")
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("UPDATE agents SET email = $2 WHERE id = $1")
        .bind(id.0)
        .bind(email.as_str())
        .execute(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => ChangeEmailError::EmailTaken,
            _ => ChangeEmailError::Database(e),
        })?;
    Ok(old)
}
