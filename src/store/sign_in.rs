//! Throttled attempts (sign-in, second factor, password confirmation, public look-ups, API
//! tokens), for the policies in `domain::throttle`.
//!
//! An attempt is **reserved before it is verified**: in one short transaction that holds
//! per-key advisory locks, the recent attempts of the key and of the address are counted and,
//! when the policies allow another, a row is inserted for this one. Concurrent guesses therefore
//! see each other's rows and at most the free attempts get verified, however many arrive at once.
//! The lock is released at commit, before the (possibly slow, argon2) verification runs. The row
//! counts as a failure until [`Reservation::succeeded`] removes it; a reservation that is simply
//! dropped (wrong password, unknown reference, an error, a dropped connection) stays a failure.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use crate::domain::throttle::{Failures, Policy};

/// The throttle's key for an agent's account: the SHA-256 of the e-mail as typed, normalised
/// (what someone typed at the sign-in form is never stored).
pub fn account_key(email: &str) -> Vec<u8> {
    Sha256::digest(email.trim().to_lowercase().as_bytes()).to_vec()
}

/// Refused: the key or the address must wait this long before another attempt is verified.
#[derive(Debug, Clone, Copy)]
pub struct Wait(pub chrono::Duration);

impl Wait {
    /// Whole seconds to wait, at least 1 (for `Retry-After` and messages).
    pub fn seconds(&self) -> i64 {
        self.0.num_seconds().max(1)
    }
}

/// One attempt, counted as a failure until it [`succeeded`](Reservation::succeeded).
#[must_use = "a reservation counts as a failure unless `succeeded` is called"]
#[derive(Debug)]
pub struct Reservation {
    id: i64,
    account: Vec<u8>,
}

impl Reservation {
    /// The attempt succeeded (or, for rate limits such as applications, did nothing that
    /// counts): it no longer counts.
    pub async fn succeeded(self, pool: &PgPool) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
            .bind(self.id)
            .execute(pool)
            .await?;
        Ok(())
    }

    /// A complete sign-in: this attempt and every earlier failure of the account are forgiven
    /// (not the address's: one agent signing in does not clear an office's guesses).
    pub async fn signed_in(self, pool: &PgPool) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE id = $1 OR account = $2")
            .bind(self.id)
            .bind(&self.account)
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// Reserves an attempt for `account` (what is tried: an account, a reference, …) from `address`
/// under the two policies, or says how long to wait (the longer wait of the two wins).
pub async fn reserve(
    pool: &PgPool,
    account: &[u8],
    address: &str,
    per_account: &Policy,
    per_address: &Policy,
) -> sqlx::Result<Result<Reservation, Wait>> {
    let mut tx = pool.begin().await?;
    // Always the account's lock first, then the address's (two lock spaces, so a key never
    // collides with an address): a fixed order cannot deadlock. Held until commit or rollback.
    sqlx::query("SELECT pg_advisory_xact_lock(1, hashtext(encode($1, 'hex')))")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    sqlx::query("SELECT pg_advisory_xact_lock(2, hashtext($1))")
        .bind(address)
        .execute(&mut *tx)
        .await?;
    let window = per_account
        .window
        .num_seconds()
        .max(per_address.window.num_seconds());
    let (by_account, by_address) = recent_failures(&mut tx, account, address, window).await?;
    let now = Utc::now();
    let wait = [
        per_account.wait(by_account, now),
        per_address.wait(by_address, now),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(wait) = wait {
        tx.rollback().await?;
        return Ok(Err(Wait(wait)));
    }
    let id: i64 = sqlx::query_scalar(
        // The time the lock was held, not the transaction's start: the next waits count from it.
        "INSERT INTO sign_in_failures (account, address, at) VALUES ($1, $2, clock_timestamp())
         RETURNING id",
    )
    .bind(account)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(Reservation {
        id,
        account: account.to_vec(),
    }))
}

/// Recent attempts of the account and of the address (within `window_seconds`): failures and
/// reservations still being verified alike.
async fn recent_failures(
    conn: &mut PgConnection,
    account: &[u8],
    address: &str,
    window_seconds: i64,
) -> sqlx::Result<(Failures, Failures)> {
    let (account_count, account_last, address_count, address_last): (
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE account = $1), max(at) FILTER (WHERE account = $1),
                    count(*) FILTER (WHERE address = $2), max(at) FILTER (WHERE address = $2)
             FROM sign_in_failures
             WHERE (account = $1 OR address = $2) AND at > now() - make_interval(secs => $3)",
    )
    .bind(account)
    .bind(address)
    .bind(window_seconds as f64)
    .fetch_one(conn)
    .await?;
    Ok((
        Failures {
            count: account_count,
            last: account_last,
        },
        Failures {
            count: address_count,
            last: address_last,
        },
    ))
}

/// Drops failures too old to count; run periodically.
pub async fn purge_old(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}
