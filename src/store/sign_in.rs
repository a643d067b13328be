//! Failed sign-ins, for the throttle in `domain::throttle`.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::throttle::{Failures, Policy};

/// Recent failures of the account and of the address (within `window_seconds`).
pub async fn recent_failures(
    pool: &PgPool,
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
    .fetch_one(pool)
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

/// How long `account` and `address` must wait before their next attempt is checked, under the
/// two policies (the longer wait wins); `None` when they may go ahead.
pub async fn wait(
    pool: &PgPool,
    account: &[u8],
    address: &str,
    per_account: &Policy,
    per_address: &Policy,
) -> sqlx::Result<Option<chrono::Duration>> {
    let window = per_account
        .window
        .num_seconds()
        .max(per_address.window.num_seconds());
    let (by_account, by_address) = recent_failures(pool, account, address, window).await?;
    let now = Utc::now();
    Ok([
        per_account.wait(by_account, now),
        per_address.wait(by_address, now),
    ]
    .into_iter()
    .flatten()
    .max())
}

pub async fn record_failure(pool: &PgPool, account: &[u8], address: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO sign_in_failures (account, address) VALUES ($1, $2)")
        .bind(account)
        .bind(address)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful sign-in forgives the account's failures (not the address's).
pub async fn clear_account(pool: &PgPool, account: &[u8]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE account = $1")
        .bind(account)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drops failures too old to count; run periodically.
pub async fn purge_old(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}
