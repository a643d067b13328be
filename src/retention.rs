//! Identity documents kept only as long as needed: once a case has been final for the retention
//! period, the bytes of its documents are removed (fingerprint, kind, size and verdict stay, so
//! history and fraud signals still work), unless a supervisor has placed a legal hold on it.
//!
//! The job takes `now` (tests move it), reads candidates in keyset batches and handles each case
//! in its own short transaction under `SKIP LOCKED` locks, checking again under the lock: a busy
//! case is left for the next round, and several app instances never remove twice.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::auth::CurrentAgent;
use crate::domain::case::Actor;
use crate::domain::document::DocumentKind;
use crate::domain::event::{EventDetails, EventKind};
use crate::domain::reference::CaseReference;
use crate::domain::retention::{HoldChange, RetentionPeriod};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, AuditAction};
use crate::store::cases::{self, NewEvents};
use crate::store::retention as store;

/// Candidate cases read per round of the job.
const BATCH: i64 = 200;

/// Removes the document bytes of every case final for longer than `period` at `now`. Returns how
/// many cases had documents removed.
pub async fn remove_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    period: RetentionPeriod,
) -> anyhow::Result<usize> {
    let cutoff = period.cutoff(now);
    let mut removed = 0;
    let mut after = None;
    loop {
        // Without locks (uses `cases_retention_due_idx`); each is locked and checked below.
        let candidates = store::due(pool, cutoff, after, BATCH).await?;
        for &(case_id, from) in &candidates {
            after = Some((from, case_id));
            if remove_one(pool, case_id, now, period).await? {
                removed += 1;
            }
        }
        if (candidates.len() as i64) < BATCH {
            return Ok(removed);
        }
    }
}

async fn remove_one(
    pool: &PgPool,
    case_id: i64,
    now: DateTime<Utc>,
    period: RetentionPeriod,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    // Line, then case, as every change of a case does (see `cases::LOCK_LINES_SQL`).
    let Some(case) = cases::try_lock_by_id(&mut tx, case_id).await? else {
        return Ok(false); // Busy: next round.
    };
    // Reopened, held or done by another instance since the candidates were read?
    let Some(reference) = store::still_due(&mut tx, case.id, period.cutoff(now)).await? else {
        return Ok(false);
    };
    let shas = store::kept_fingerprints(&mut tx, case.id).await?;
    if !store::try_lock_blobs(&mut tx, &shas).await? {
        return Ok(false); // The same file is being uploaded right now: next round.
    }
    let documents = store::mark_documents_removed(&mut tx, case.id, now).await?;
    let emptied = store::drop_unneeded_bytes(&mut tx, &shas, now).await?;
    store::mark_case_done(&mut tx, case.id, now).await?;
    if !documents.is_empty() {
        let kinds: Vec<DocumentKind> = documents.iter().map(|d| d.kind).collect();
        let ids: Vec<i64> = documents.iter().map(|d| d.id).collect();
        // Not a change of state: the version stays, so nobody's open form turns stale.
        let event = NewEvents {
            actor: Actor::System,
            kind: EventKind::DocumentsRemoved,
            reason_code: None,
            message: None,
        };
        let details = EventDetails {
            removed_documents: ids.clone(),
            kinds,
            retention_days: Some(period.in_days()),
            ..EventDetails::default()
        };
        cases::append_events(
            &mut tx,
            &event,
            &[case.id],
            &[(None, None)],
            &[case.version],
            &[details],
        )
        .await?;
        audit::record(
            &mut *tx,
            None,
            None,
            AuditAction::DocumentsRemoved,
            Some(&reference),
            json!({
                "documents": ids,
                "bytes_removed": emptied,
                "retention_days": period.in_days(),
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(!documents.is_empty())
}

/// What became of a supervisor's hold change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldOutcome {
    Done,
    /// Placing a hold on a held case, or lifting one that is not there. Nothing changed.
    Unchanged,
}

/// Places or lifts the legal hold of the case, with its history event and audit record, in one
/// transaction under the case's lock (so the job sees the hold, or has finished, never half).
pub async fn change_hold(
    pool: &PgPool,
    reference: &CaseReference,
    agent: &CurrentAgent,
    change: &HoldChange,
) -> AppResult<HoldOutcome> {
    if !agent.is_supervisor() {
        return Err(AppError::Forbidden(
            crate::routes::language::tr().get("refused-legal-hold-supervisor"),
        ));
    }
    let mut tx = pool.begin().await?;
    let case = cases::lock(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let changed = match change {
        HoldChange::Place { reason } => {
            store::place_hold(&mut tx, case.id, reason, agent.id).await?
        }
        HoldChange::Lift { .. } => store::lift_hold(&mut tx, case.id).await?,
    };
    if !changed {
        return Ok(HoldOutcome::Unchanged);
    }
    // Like a note: no change of state, so the version stays.
    let event = NewEvents {
        actor: agent.actor(),
        kind: change.event_kind(),
        reason_code: None,
        message: Some(change.reason()),
    };
    cases::append_events(
        &mut tx,
        &event,
        &[case.id],
        &[(None, None)],
        &[case.version],
        &[EventDetails::default()],
    )
    .await?;
    let action = match change {
        HoldChange::Place { .. } => AuditAction::LegalHoldPlaced,
        HoldChange::Lift { .. } => AuditAction::LegalHoldLifted,
    };
    // The reason stays in the case history; the audit trail holds no free text.
    agent
        .audit(&mut *tx, action, Some(reference.as_str()), json!({}))
        .await?;
    tx.commit().await?;
    Ok(HoldOutcome::Done)
}
