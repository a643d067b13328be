//! Server-side sessions in PostgreSQL, behind actix-session's `SessionStore`.
//!
//! Logging out deletes the row, so a copied cookie is worthless at once. Only the SHA-256 of each
//! session key is stored.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use base64::Engine;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::domain::agent::AgentId;
use crate::store::session_cache::{CachedSession, SessionCache};

/// A session row as the load reads it: state, due for extension, expiry, agent.
type SessionLoad = (
    sqlx::types::Json<HashMap<String, String>>,
    bool,
    DateTime<Utc>,
    Option<i64>,
);

/// The session key under which the signed-in agent is kept; copied into its own column.
pub const AGENT_KEY: &str = "agent_id";
/// When the agent signed in (for the absolute timeout).
pub const SIGNED_IN_AT_KEY: &str = "signed_in_at";
/// Who the agent is (name, e-mail, role), kept from sign-in so requests need no agent query.
pub const AGENT_PROFILE_KEY: &str = "agent";
/// A random label of the sign-in, shown on the account page to tell this session from others
/// (the session key itself never leaves the cookie).
pub const SESSION_LABEL_KEY: &str = "label";

#[derive(Clone)]
pub struct PgSessionStore {
    pool: PgPool,
    /// The idle timeout: loading a session extends it, writing at most once a minute.
    idle: Duration,
    /// Sessions read recently, dropped at once when announced changed (see `session_cache`).
    cache: Arc<SessionCache>,
}

impl PgSessionStore {
    pub fn new(pool: PgPool, idle: Duration, cache: Arc<SessionCache>) -> Self {
        PgSessionStore { pool, idle, cache }
    }

    /// Pushes the idle timeout back; `None` when the session ended meanwhile.
    async fn extend(&self, hash: &[u8]) -> Result<Option<DateTime<Utc>>, LoadError> {
        sqlx::query_scalar(
            "UPDATE sessions SET expires_at = now() + make_interval(secs => $2)
             WHERE key_hash = $1 AND expires_at > now() RETURNING expires_at",
        )
        .bind(hash)
        .bind(seconds(&self.idle))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| LoadError::Other(e.into()))
    }

    /// Whether a session expiring at `expires_at` is due to have its idle timeout pushed back
    /// (at most once a minute, as the load statement decides for rows it reads).
    fn due_for_extension(&self, expires_at: DateTime<Utc>) -> bool {
        let idle = chrono::Duration::seconds(self.idle.whole_seconds());
        expires_at < Utc::now() + idle - chrono::Duration::seconds(60)
    }
}

/// Every request's session that is not in the cache ($1: key hash, $2: idle timeout in seconds).
pub const LOAD_SQL: &str = "SELECT s.state, s.expires_at < now() + make_interval(secs => $2) - interval '60 seconds',
                    s.expires_at, s.agent_id
             FROM sessions s
             WHERE s.key_hash = $1 AND s.expires_at > now()
               AND (s.agent_id IS NULL OR EXISTS (SELECT 1 FROM agents a WHERE a.id = s.agent_id AND a.active))";

fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

fn new_key() -> SessionKey {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    SessionKey::try_from(key).expect("a 43-character key is valid")
}

fn agent_of(state: &HashMap<String, String>) -> Option<i64> {
    state
        .get(AGENT_KEY)
        .and_then(|v| serde_json::from_str(v).ok())
}

fn seconds(ttl: &Duration) -> f64 {
    ttl.whole_seconds() as f64
}

impl SessionStore for PgSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let hash = key_hash(key.as_ref());
        // Most requests: a copy from the last few seconds, no statement at all (only the idle
        // timeout is pushed back, at most once a minute).
        if let Some(cached) = self.cache.get(&hash, Utc::now()) {
            if self.due_for_extension(cached.expires_at) {
                match self.extend(&hash).await? {
                    Some(expires_at) => self.cache.extend(&hash, expires_at),
                    None => {
                        self.cache.drop_session(&hash);
                        return Ok(None);
                    }
                }
            }
            return Ok(Some(cached.state));
        }
        // Otherwise one query: the state, only while unexpired and while its agent (if any) is
        // active, so that deactivation ends every session at once; and whether the idle timeout
        // needs pushing back (done at most once a minute, not on every request).
        let epoch = self.cache.epoch();
        let row: Option<SessionLoad> = sqlx::query_as(LOAD_SQL)
            .bind(&hash)
            .bind(seconds(&self.idle))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        let Some((state, extend, mut expires_at, agent)) = row else {
            return Ok(None);
        };
        if extend {
            match self.extend(&hash).await? {
                Some(pushed) => expires_at = pushed,
                None => return Ok(None),
            }
        }
        self.cache.insert(
            hash,
            CachedSession::new(state.0.clone(), agent, expires_at),
            epoch,
        );
        Ok(Some(state.0))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let key = new_key();
        sqlx::query(
            "INSERT INTO sessions (key_hash, agent_id, state, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(secs => $4))",
        )
        .bind(key_hash(key.as_ref()))
        .bind(agent_of(&state))
        .bind(sqlx::types::Json(&state))
        .bind(seconds(ttl))
        .execute(&self.pool)
        .await
        .map_err(|e| SaveError::Other(e.into()))?;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let updated = sqlx::query(
            "UPDATE sessions SET state = $2, agent_id = $3, expires_at = now() + make_interval(secs => $4)
             WHERE key_hash = $1 AND expires_at > now()",
        )
        .bind(key_hash(key.as_ref()))
        .bind(sqlx::types::Json(&state))
        .bind(agent_of(&state))
        .bind(seconds(ttl))
        .execute(&self.pool)
        .await
        .map_err(|e| UpdateError::Other(e.into()))?;
        // This instance's copy goes now; the others' when the change is announced.
        self.cache.drop_session(&key_hash(key.as_ref()));
        if updated.rows_affected() == 1 {
            Ok(key)
        } else {
            // Ended meanwhile (signed out elsewhere, expired): start a fresh session, but never
            // carry the sign-in over into it.
            let mut state = state;
            state.remove(AGENT_KEY);
            state.remove(SIGNED_IN_AT_KEY);
            state.remove(AGENT_PROFILE_KEY);
            self.save(state, ttl)
                .await
                .map_err(|e| UpdateError::Other(e.into()))
        }
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        // Not called with the app's policy (the load extends the timeout); kept correct anyway.
        sqlx::query("UPDATE sessions SET expires_at = now() + make_interval(secs => $2) WHERE key_hash = $1 AND expires_at > now()")
            .bind(key_hash(key.as_ref()))
            .bind(seconds(ttl))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let hash = key_hash(key.as_ref());
        sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
            .bind(&hash)
            .execute(&self.pool)
            .await?;
        self.cache.drop_session(&hash);
        Ok(())
    }
}

/// Removes expired sessions; run periodically.
pub async fn purge_expired(pool: &PgPool) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// Ends every session of an agent (deactivation, "sign out everywhere").
pub async fn end_all_for(pool: &PgPool, agent: AgentId) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE agent_id = $1")
        .bind(agent.0)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

/// The cookie signing key: configured, or generated once and kept in the database.
pub async fn signing_key(pool: &PgPool) -> sqlx::Result<Vec<u8>> {
    let mut fresh = vec![0u8; 64];
    rand::fill(&mut fresh[..]);
    sqlx::query(
        "INSERT INTO app_secrets (name, value) VALUES ('cookie_key', $1) ON CONFLICT DO NOTHING",
    )
    .bind(&fresh)
    .execute(pool)
    .await?;
    sqlx::query_scalar("SELECT value FROM app_secrets WHERE name = 'cookie_key'")
        .fetch_one(pool)
        .await
}

/// An agent's active sessions.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub label: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

pub async fn active_for(pool: &PgPool, agent: AgentId) -> sqlx::Result<Vec<SessionRow>> {
    sqlx::query_as(
        "SELECT state->>$2 AS label, created_at, expires_at FROM sessions
         WHERE agent_id = $1 AND expires_at > now() ORDER BY created_at DESC",
    )
    .bind(agent.0)
    .bind(SESSION_LABEL_KEY)
    .fetch_all(pool)
    .await
}

/// Ends the agent's sessions but the one with this label (after a password change).
pub async fn end_others(pool: &PgPool, agent: AgentId, keep_label: &str) -> sqlx::Result<u64> {
    let done =
        sqlx::query("DELETE FROM sessions WHERE agent_id = $1 AND state->>$2 IS DISTINCT FROM $3")
            .bind(agent.0)
            .bind(SESSION_LABEL_KEY)
            .bind(keep_label)
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}
