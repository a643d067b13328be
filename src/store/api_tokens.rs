//! Bearer tokens of other systems (hotline, service points). Only their SHA-256 is stored: the
//! token is shown once, when it is made.

use base64::Engine;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgExecutor, PgPool};

use crate::domain::agent::AgentId;
use crate::domain::request::Channel;
use crate::domain::token_grant::{Scope, TokenGrant};

/// Tokens start with this, so that a leaked one is recognisable (secret scanners, logs review).
pub const PREFIX: &str = "cdk_";

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A fresh token: the prefix and 256 random bits.
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// An active token's holder.
#[derive(Debug, Clone)]
pub struct ApiClient {
    pub id: i64,
    pub name: String,
    pub grant: TokenGrant,
}

/// The grant from a row's `scope` and `channel`; a combination the schema forbids fails loudly.
fn grant(row: &sqlx::postgres::PgRow) -> sqlx::Result<TokenGrant> {
    use sqlx::Row;
    let scope: String = row.try_get("scope")?;
    let channel: Option<Channel> = row.try_get("channel")?;
    Scope::parse(&scope)
        .and_then(|scope| TokenGrant::from_columns(scope, channel))
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown token scope {scope:?}").into()))
}

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for ApiClient {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(ApiClient {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            grant: grant(row)?,
        })
    }
}

#[derive(Debug)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub grant: TokenGrant,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for TokenRow {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(TokenRow {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            grant: grant(row)?,
            created_at: row.try_get("created_at")?,
            revoked_at: row.try_get("revoked_at")?,
            last_used_at: row.try_get("last_used_at")?,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an active token named {0:?} exists already; revoke it first")]
    NameTaken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a token and returns it (the only time it is ever seen).
pub async fn create(
    pool: &PgPool,
    name: &str,
    grant: TokenGrant,
    by: Option<AgentId>,
) -> Result<(i64, String), CreateError> {
    let token = generate();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO api_tokens (name, channel, token_sha256, created_by, scope)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name) WHERE revoked_at IS NULL DO NOTHING
         RETURNING id",
    )
    .bind(name)
    .bind(grant.channel())
    .bind(hash(&token))
    .bind(by.map(|a| a.0))
    .bind(grant.scope().as_str())
    .fetch_optional(pool)
    .await?;
    match id {
        Some(id) => Ok((id, token)),
        None => Err(CreateError::NameTaken(name.to_owned())),
    }
}

/// Revokes the active token of that name; false when there is none.
pub async fn revoke(pool: &PgPool, name: &str, by: Option<AgentId>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2
         WHERE name = $1 AND revoked_at IS NULL",
    )
    .bind(name)
    .bind(by.map(|a| a.0))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes one token by id; its name, or `None` when there is no such active token.
pub async fn revoke_by_id(pool: &PgPool, id: i64, by: AgentId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2
         WHERE id = $1 AND revoked_at IS NULL
         RETURNING name",
    )
    .bind(id)
    .bind(by.0)
    .fetch_optional(pool)
    .await
}

/// The holder of an active token, noting its use.
pub async fn authenticate<'e>(
    db: impl PgExecutor<'e>,
    token: &str,
) -> sqlx::Result<Option<ApiClient>> {
    sqlx::query_as(
        "UPDATE api_tokens SET last_used_at = now()
         WHERE token_sha256 = $1 AND revoked_at IS NULL
         RETURNING id, name, channel, scope",
    )
    .bind(hash(token))
    .fetch_optional(db)
    .await
}

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<TokenRow>> {
    sqlx::query_as(
        "SELECT id, name, channel, scope, created_at, revoked_at, last_used_at
         FROM api_tokens ORDER BY revoked_at IS NOT NULL, name, id DESC",
    )
    .fetch_all(pool)
    .await
}

/// The case an earlier request with this idempotency key created, with that request's hash.
pub async fn idempotent_case<'e>(
    db: impl PgExecutor<'e>,
    token_id: i64,
    key: &str,
) -> sqlx::Result<Option<(Vec<u8>, String)>> {
    sqlx::query_as(
        "SELECT k.request_sha256, c.reference FROM api_idempotency_keys k
         JOIN cases c ON c.id = k.case_id
         WHERE k.token_id = $1 AND k.key = $2",
    )
    .bind(token_id)
    .bind(key)
    .fetch_optional(db)
    .await
}

/// Remembers the key in the transaction that creates the case; a concurrent twin waits for it
/// and then fails on the primary key.
pub async fn remember_key(
    conn: &mut sqlx::PgConnection,
    token_id: i64,
    key: &str,
    request_sha256: &[u8],
    case_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_idempotency_keys (token_id, key, request_sha256, case_id)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_id)
    .bind(key)
    .bind(request_sha256)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}
