//! The documents clock: a reminder some hours before a document request's deadline, and expiry
//! of the case once the deadline has passed. Each tick also makes cancellation orders due on
//! their effective date (`provisioning::issue_due`) and runs document retention. Both take `now` (tests move it), keep their state in
//! the database (a restart loses nothing) and lock what they change with `SKIP LOCKED`, checking
//! again under the lock, so several app instances never do the same job twice.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::background::StopSignal;
use crate::config::Settings;
use crate::domain::case::Actor;
use crate::domain::decision::Decision;
use crate::notices::{self, NoticeKind};
use crate::store::cases;
use crate::store::upload_links;
use crate::workflow::{self, Desk};

/// Cases looked at per round of the expiry job.
const EXPIRY_BATCH: i64 = 200;

/// Writes the reminder of every request whose deadline is less than `window` away. Each in its
/// own transaction: a fresh upload link for the same request (the first one's token was erased
/// when its notice was delivered), the reminder notice carrying it, and `reminded_at`, so that
/// no request is reminded twice. Returns how many reminders were written.
pub async fn remind_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    window: Duration,
) -> anyhow::Result<usize> {
    let mut written = 0;
    loop {
        let mut tx = pool.begin().await?;
        let Some(due) = upload_links::next_due_reminder(&mut tx, now, window).await? else {
            break;
        };
        let token = upload_links::issue(&mut tx, due.case_id, &due.kinds, due.expires_at).await?;
        upload_links::mark_reminded(&mut tx, due.case_id, due.expires_at, now).await?;
        notices::enqueue(&mut tx, due.case_id, NoticeKind::Reminder, Some(&token)).await?;
        tx.commit().await?;
        written += 1;
    }
    Ok(written)
}

/// Moves every case whose document deadline has passed to `expired` through the state machine
/// (actor: System): new state and version, history event and the `expired` notice in one
/// transaction per case. Returns how many cases expired.
pub async fn expire_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut expired = 0;
    let mut after: Option<(DateTime<Utc>, i64)> = None;
    loop {
        // Candidates without locks (uses `cases_documents_deadline_idx`); each is locked and
        // checked again below.
        let candidates = cases::overdue_for_documents(pool, now, after, EXPIRY_BATCH).await?;
        for &(case_id, deadline) in &candidates {
            after = Some((deadline, case_id));
            if expire_one(pool, case_id, now).await? {
                expired += 1;
            }
        }
        if (candidates.len() as i64) < EXPIRY_BATCH {
            return Ok(expired);
        }
    }
}

async fn expire_one(pool: &PgPool, case_id: i64, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(case) = cases::try_lock_by_id(&mut tx, case_id).await? else {
        return Ok(false); // Busy: next round.
    };
    // Someone may have acted since the candidates were read: ask again under the lock.
    if case.documents_deadline.is_none_or(|d| d > now) {
        return Ok(false);
    }
    // The time zone only names the deadline's day in the history; the clock keeps no SLA.
    let desk = Desk {
        tz: chrono_tz::UTC,
        sla_hours: 0,
    };
    let judged =
        workflow::apply_one(&mut tx, Actor::System, &Decision::Expire, desk, now, case).await?;
    if judged.is_err() {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// One job's round: counted in the metrics, logged when it did something or failed.
fn round<N: TryInto<u64>>(job: &'static str, outcome: anyhow::Result<N>, done: &'static str) {
    crate::telemetry::metrics::job_round(job, outcome.is_ok());
    match outcome.map(|n| n.try_into().unwrap_or(u64::MAX)) {
        Ok(0) => {}
        Ok(n) => tracing::info!(job, count = n, "{done}"),
        Err(e) => tracing::warn!(job, error = %format!("{e:#}"), "job failed"),
    }
}

/// Runs the reminder, expiry, due-order, document retention and report compaction jobs every
/// `clock_interval_seconds` until the process stops (each job is one short transaction, so a
/// round in hand is simply finished).
pub async fn run(pool: PgPool, settings: Settings, mut stop: StopSignal) {
    let every = std::time::Duration::from_secs(settings.clock_interval_seconds);
    let window = Duration::hours(settings.documents_reminder_hours);
    let retention = settings.retention_period();
    let tz = settings.tz().unwrap_or(chrono_tz::UTC);
    let mut tick = actix_web::rt::time::interval(every);
    while stop.sleep(&mut tick).await {
        let now = Utc::now();
        let reminded = remind_due(&pool, now, window).await;
        round("reminders", reminded, "document reminders written");
        let expired = expire_due(&pool, now).await;
        round("expiry", expired, "document requests expired");
        let issued = crate::provisioning::issue_due(&pool, now, tz).await;
        round(
            "orders_due",
            issued.map_err(Into::into),
            "cancellation orders due",
        );
        let removed = crate::retention::remove_due(&pool, now, retention).await;
        round(
            "retention",
            removed,
            "documents removed under the retention policy",
        );
        let folded = crate::store::reports::compact(&pool).await;
        round(
            "report_compaction",
            folded.map_err(Into::into),
            "report delta rows folded",
        );
    }
}
