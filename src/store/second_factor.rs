//! Agents' TOTP secrets and recovery codes (see the migrations for how each is kept and why).
//! Secrets are sealed with the [`Keyring`] on the way in and opened on the way out: nothing but
//! this file sees them as stored.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::auth::keyring::{Keyring, Sealed};
use crate::domain::agent::AgentId;
use crate::domain::second_factor::{RecoveryCode, TotpSecret};

/// An agent's authenticator: enrolled (`enabled_at` set) or still being set up.
#[derive(Debug)]
pub struct Authenticator {
    pub secret: TotpSecret,
    pub enabled_at: Option<DateTime<Utc>>,
    pub last_used_step: Option<i64>,
    /// The secret as stored, to confirm exactly the enrolment that was shown.
    stored: Vec<u8>,
}

/// Binds a sealed secret to its agent: copied onto another agent's row, it does not open.
fn context(agent: AgentId) -> Vec<u8> {
    format!("agent_totp:{}", agent.0).into_bytes()
}

fn open(
    keyring: &Keyring,
    agent: AgentId,
    key_id: Option<String>,
    stored: &[u8],
) -> sqlx::Result<TotpSecret> {
    match key_id {
        Some(key_id) => {
            let sealed = Sealed {
                key_id,
                bytes: stored.to_vec(),
            };
            keyring
                .open(&sealed, &context(agent))
                .map(TotpSecret::from_bytes)
                .map_err(|e| sqlx::Error::Decode(e.into()))
        }
        // Written before secrets were encrypted and not yet sealed (`seal_plaintext_at_start`
        // runs at every start): still usable, so that an upgrade locks nobody out.
        None => Ok(TotpSecret::from_bytes(stored.to_vec())),
    }
}

impl Authenticator {
    pub fn enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

#[tracing::instrument(skip(db, keyring))]
pub async fn find<'e>(
    db: impl PgExecutor<'e>,
    keyring: &Keyring,
    agent: AgentId,
) -> sqlx::Result<Option<Authenticator>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        secret: Vec<u8>,
        key_id: Option<String>,
        enabled_at: Option<DateTime<Utc>>,
        last_used_step: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT secret, key_id, enabled_at, last_used_step FROM agent_totp WHERE agent_id = $1",
    )
    .bind(agent.0)
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Authenticator {
        secret: open(keyring, agent, r.key_id, &r.secret)?,
        enabled_at: r.enabled_at,
        last_used_step: r.last_used_step,
        stored: r.secret,
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
    keyring: &Keyring,
    agent: AgentId,
    secret: &TotpSecret,
) -> sqlx::Result<bool> {
    let sealed = keyring.seal(secret.as_bytes(), &context(agent));
    let done = sqlx::query(
        "INSERT INTO agent_totp (agent_id, secret, key_id) VALUES ($1, $2, $3)
         ON CONFLICT (agent_id) DO UPDATE SET secret = excluded.secret, key_id = excluded.key_id,
             created_at = now(), last_used_step = NULL
         WHERE agent_totp.enabled_at IS NULL",
    )
    .bind(agent.0)
    .bind(&sealed.bytes)
    .bind(&sealed.key_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the enrolment on (the agent confirmed a code of `step`) with fresh recovery codes, in the
/// caller's transaction (which also tells the agent by e-mail). False when the enrolment in
/// progress is no longer the one confirmed (started over meanwhile).
#[tracing::instrument(skip_all, fields(agent = agent.0))]
pub async fn enable(
    conn: &mut PgConnection,
    agent: AgentId,
    enrolment: &Authenticator,
    step: i64,
    codes: &[RecoveryCode],
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE agent_totp SET enabled_at = now(), last_used_step = $3
         WHERE agent_id = $1 AND secret = $2 AND enabled_at IS NULL",
    )
    .bind(agent.0)
    .bind(&enrolment.stored)
    .bind(step)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    replace_recovery_codes(conn, agent, codes).await?;
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
    let removed = remove_in(&mut tx, agent).await?;
    tx.commit().await?;
    Ok(removed)
}

/// [`remove`] in the caller's transaction.
pub async fn remove_in(conn: &mut PgConnection, agent: AgentId) -> sqlx::Result<bool> {
    // The authenticator row first, as `regenerate_recovery_codes` takes it: the two then wait
    // for each other instead of deadlocking.
    sqlx::query("SELECT 1 FROM agent_totp WHERE agent_id = $1 FOR UPDATE")
        .bind(agent.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE agent_id = $1")
        .bind(agent.0)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query("DELETE FROM agent_totp WHERE agent_id = $1")
        .bind(agent.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Which stored secrets [`reseal`] rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reseal {
    /// Only those still in plain text (from before encryption): done at every start.
    Plaintext,
    /// Every secret not sealed with the current key (after a key rotation).
    NotCurrent,
}

/// Seals secrets under the keyring's current key, one row at a time under a row lock (a
/// concurrent sign-in reads the old or the new form, both readable). Returns how many were
/// rewritten. Stops, keeping what was done, at a secret that no listed key opens.
#[tracing::instrument(skip(pool, keyring))]
pub async fn reseal(pool: &PgPool, keyring: &Keyring, which: Reseal) -> anyhow::Result<u64> {
    let current = keyring.current_id();
    let agents: Vec<i64> = sqlx::query_scalar(
        "SELECT agent_id FROM agent_totp
         WHERE key_id IS NULL OR ($1 AND key_id <> $2) ORDER BY agent_id",
    )
    .bind(which == Reseal::NotCurrent)
    .bind(current)
    .fetch_all(pool)
    .await?;
    let mut done = 0;
    for id in agents {
        let agent = AgentId(id);
        let mut tx = pool.begin().await?;
        let row: Option<(Vec<u8>, Option<String>)> =
            sqlx::query_as("SELECT secret, key_id FROM agent_totp WHERE agent_id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((stored, key_id)) = row else {
            continue;
        };
        if key_id.as_deref() == Some(current) {
            continue;
        }
        let secret = open(keyring, agent, key_id, &stored)?;
        let sealed = keyring.seal(secret.as_bytes(), &context(agent));
        sqlx::query("UPDATE agent_totp SET secret = $2, key_id = $3 WHERE agent_id = $1")
            .bind(id)
            .bind(&sealed.bytes)
            .bind(&sealed.key_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done += 1;
    }
    Ok(done)
}

/// At start (and after `migrate`): secrets stored before encryption are sealed now.
pub async fn seal_plaintext_at_start(pool: &PgPool, keyring: &Keyring) -> anyhow::Result<()> {
    let sealed = reseal(pool, keyring, Reseal::Plaintext).await?;
    if sealed > 0 {
        tracing::info!(sealed, "encrypted TOTP secrets stored in plain text");
    }
    Ok(())
}
