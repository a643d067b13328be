//! Bulk triage: preview (record and judge every selected case) and apply (in batches, each its
//! own transaction, set-based SQL per batch). The same state machine as the case page decides.

use base64::Engine;
use chrono::NaiveDate;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::auth::CurrentAgent;
use crate::domain::agent::AgentId;
use crate::domain::bulk::{BulkAction, BulkKind, Candidate, Plan, Selection, evaluate};
use crate::domain::case::{CaseFacts, State};
use crate::domain::decision::{DocumentRequest, Rejection, fee_applies};
use crate::domain::document::DocumentKind;
use crate::domain::request::RejectReason;
use crate::error::{AppError, AppResult};
use crate::notices::{self, NoticeKind};
use crate::store::audit::AuditAction;
use crate::store::bulk::{self, CandidateRow, CommonUpdate};
use crate::store::{agents, upload_links};

/// How many selected cases are judged per round trip during the preview.
const PREVIEW_CHUNK: i64 = 5_000;

/// Stored with the operation, so that applying uses exactly what was previewed.
pub fn encode(action: &BulkAction) -> Value {
    match action {
        BulkAction::Claim => json!({}),
        BulkAction::Assign(to) => json!({ "assignee_id": to.0 }),
        BulkAction::Priority(p) => json!({ "priority": p }),
        BulkAction::RequestDocuments(r) => json!({
            "kinds": r.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            "message": r.message,
            "deadline": r.deadline,
        }),
        BulkAction::Reject(r) => json!({ "reason": r.reason.as_str(), "message": r.message }),
        BulkAction::Approve {
            effective_date,
            fees_confirmed,
        } => {
            json!({ "effective_date": effective_date, "fees_confirmed": fees_confirmed })
        }
        BulkAction::Note(text) => json!({ "note": text }),
    }
}

pub fn decode(kind: &str, params: &Value) -> Option<BulkAction> {
    let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    let date = |key: &str| text(key).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    Some(match BulkKind::parse(kind)? {
        BulkKind::Claim => BulkAction::Claim,
        BulkKind::Assign => BulkAction::Assign(AgentId(params.get("assignee_id")?.as_i64()?)),
        BulkKind::Priority => BulkAction::Priority(params.get("priority")?.as_i64()? as i16),
        BulkKind::RequestDocuments => BulkAction::RequestDocuments(DocumentRequest {
            kinds: params
                .get("kinds")?
                .as_array()?
                .iter()
                .filter_map(|k| k.as_str().and_then(DocumentKind::parse))
                .collect(),
            message: text("message")?,
            deadline: date("deadline")?,
        }),
        BulkKind::Reject => BulkAction::Reject(Rejection {
            reason: RejectReason::parse(&text("reason")?)?,
            message: text("message")?,
        }),
        BulkKind::Approve => BulkAction::Approve {
            effective_date: date("effective_date")?,
            fees_confirmed: params.get("fees_confirmed")?.as_bool()?,
        },
        BulkKind::Note => BulkAction::Note(text("note")?),
    })
}

fn candidate(row: &CandidateRow) -> Candidate {
    Candidate {
        facts: CaseFacts {
            state: State::parse(&row.state).unwrap_or(State::Submitted),
            assignee: row.assignee_id.map(AgentId),
            identity_accepted: row.identity_accepted,
        },
        seen_version: row.seen_version,
        version: row.version,
        min_term_end: row.min_term_end,
        fee_minor: row.etf_minor,
        priority: row.priority,
        billing_known: row.billing_known,
    }
}

#[derive(Debug)]
pub enum PreviewError {
    Empty,
    TooMany(i64),
}

/// Records the selection and judges every case; returns the operation's public id.
pub async fn preview(
    pool: &PgPool,
    agent: &CurrentAgent,
    selection: &Selection,
    selection_text: &str,
    action: &BulkAction,
    max_cases: i64,
) -> AppResult<Result<String, PreviewError>> {
    if !action.kind().allowed_for(agent.role) {
        return Err(AppError::Forbidden(
            "Your role may not do this in bulk.".into(),
        ));
    }
    let mut token = [0u8; 18];
    rand::fill(&mut token);
    let public_id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
    let mut tx = pool.begin().await?;
    let operation = bulk::create(
        &mut tx,
        &public_id,
        agent.id.0,
        action.kind().as_str(),
        &encode(action),
        selection_text,
    )
    .await?;
    let selected = bulk::select(&mut tx, operation, selection, max_cases).await? as i64;
    if selected == 0 {
        return Ok(Err(PreviewError::Empty));
    }
    if selected > max_cases {
        return Ok(Err(PreviewError::TooMany(max_cases)));
    }
    let mut after = 0;
    loop {
        let rows = bulk::candidates(&mut tx, operation, after, PREVIEW_CHUNK, false).await?;
        let Some(last) = rows.last() else { break };
        after = last.case_id;
        let ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
        let (outcomes, reasons): (Vec<&str>, Vec<Option<String>>) = rows
            .iter()
            .map(
                |row| match evaluate(action, agent.actor(), candidate(row)) {
                    Ok(_) => ("will_change", None),
                    Err(skip) => ("skip", Some(skip.to_string())),
                },
            )
            .unzip();
        bulk::set_outcomes(&mut tx, operation, &ids, &outcomes, &reasons).await?;
    }
    tx.commit().await?;
    Ok(Ok(public_id))
}

/// Applies a previewed operation, once. Each batch is one transaction: a case changed since the
/// preview is skipped, not overwritten, and a failing batch leaves none of its cases changed.
pub async fn apply(
    pool: &PgPool,
    agent: &CurrentAgent,
    operation: &bulk::OperationRecord,
    batch_size: i64,
    tz: chrono_tz::Tz,
) -> AppResult<()> {
    if !bulk::start_applying(pool, operation.id).await? {
        return Ok(()); // Applied, or being applied right now: a repeated confirmation does nothing.
    }
    let action = decode(&operation.action, &operation.params).ok_or_else(|| {
        anyhow::anyhow!("bulk operation {} has unreadable parameters", operation.id)
    })?;
    let assignee_name = match action {
        BulkAction::Assign(to) => agents::find_active(pool, to).await?.map(|a| a.name),
        _ => None,
    };
    let mut after = 0;
    loop {
        // An error outside a batch (connection lost, deadlock on the lock) stops here with the
        // operation still "applying"; confirming again resumes it (see `start_applying`).
        let mut tx = pool.begin().await?;
        let rows = bulk::candidates(&mut tx, operation.id, after, batch_size, true).await?;
        let Some(last) = rows.last() else { break };
        after = last.case_id;
        let ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
        let context = BatchContext {
            assignee_name: assignee_name.as_deref(),
            tz,
        };
        let applied = match apply_batch(&mut tx, operation, agent, &action, &context, &rows).await {
            Ok(()) => tx.commit().await.map_err(anyhow::Error::from),
            Err(e) => Err(e),
        };
        if let Err(e) = applied {
            // Rolled back: nothing of this batch is changed.
            tracing::error!(operation = operation.id, error = %format!("{e:#}"), "bulk batch failed");
            bulk::mark_failed(
                pool,
                operation.id,
                &ids,
                "not applied: an error occurred; nothing was changed",
            )
            .await?;
        }
        bulk::heartbeat(pool, operation.id).await?;
    }
    bulk::finish(pool, operation.id).await?;
    agent
        .audit(
            pool,
            AuditAction::BulkApplied,
            Some(&format!("bulk/{}", operation.public_id)),
            json!({ "action": operation.action }),
        )
        .await?;
    Ok(())
}

/// One case of a batch that the action changes.
struct Change {
    case_id: i64,
    from: Option<State>,
    to: Option<State>,
    /// The state it will have (unchanged by priority and notes).
    state: String,
    assignee: Option<i64>,
    version: i32,
    details: Value,
}

async fn apply_batch(
    tx: &mut sqlx::PgConnection,
    operation: &bulk::OperationRecord,
    agent: &CurrentAgent,
    action: &BulkAction,
    context: &BatchContext<'_>,
    rows: &[CandidateRow],
) -> anyhow::Result<()> {
    let mut changes: Vec<Change> = Vec::new();
    let mut outcome_ids = Vec::with_capacity(rows.len());
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut reasons = Vec::with_capacity(rows.len());
    for row in rows {
        outcome_ids.push(row.case_id);
        let plan = match evaluate(action, agent.actor(), candidate(row)) {
            Err(skip) => {
                outcomes.push("skipped");
                reasons.push(Some(skip.to_string()));
                continue;
            }
            Ok(plan) => plan,
        };
        outcomes.push("changed");
        reasons.push(None);
        let mut details = json!({ "bulk": operation.public_id });
        match action {
            BulkAction::Assign(to) => {
                details["assignee_id"] = json!(to.0);
                details["assignee_name"] = json!(context.assignee_name);
            }
            BulkAction::Priority(p) => details["priority"] = json!(p),
            BulkAction::RequestDocuments(r) => {
                details["kinds"] = json!(r.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>());
                details["deadline"] = json!(r.deadline);
            }
            BulkAction::Approve { effective_date, .. } => {
                let fee = fee_applies(row.min_term_end, *effective_date, row.etf_minor);
                details["effective_date"] = json!(effective_date);
                details["fee_confirmed"] = json!(fee);
                details["fee_minor"] = json!(if fee { row.etf_minor } else { 0 });
            }
            _ => {}
        }
        let (from, to, assignee) = match plan {
            Plan::Transition(t) => (Some(t.from), Some(t.to), t.assignee.map(|a| a.0)),
            Plan::Update | Plan::Note => (None, None, row.assignee_id),
        };
        changes.push(Change {
            case_id: row.case_id,
            from,
            to,
            state: to
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| row.state.clone()),
            assignee,
            version: row.version,
            details,
        });
    }
    if !changes.is_empty() {
        let ids: Vec<i64> = changes.iter().map(|c| c.case_id).collect();
        let versions = if let BulkAction::Note(_) = action {
            // Notes do not bump versions (as on the case page).
            changes.iter().map(|c| c.version).collect()
        } else {
            let states: Vec<&str> = changes.iter().map(|c| c.state.as_str()).collect();
            let assignees: Vec<Option<i64>> = changes.iter().map(|c| c.assignee).collect();
            bulk::update_cases(
                tx,
                &ids,
                &states,
                &assignees,
                &common_update(action, context.tz),
            )
            .await?
        };
        let from: Vec<Option<&str>> = changes.iter().map(|c| c.from.map(State::as_str)).collect();
        let to: Vec<Option<&str>> = changes.iter().map(|c| c.to.map(State::as_str)).collect();
        let details: Vec<Value> = changes.into_iter().map(|c| c.details).collect();
        let (kind, reason_code, message) = event_text(action);
        bulk::append_events(
            tx,
            agent.id.0,
            kind,
            reason_code,
            message,
            &ids,
            &from,
            &to,
            &versions,
            &details,
        )
        .await?;
        write_notices(tx, action, &ids, context.tz).await?;
    }
    bulk::set_outcomes(tx, operation.id, &outcome_ids, &outcomes, &reasons).await?;
    Ok(())
}

/// Each changed case's customer hears of the decision, in the batch's transaction: one notice
/// (and for a document request one upload link) per case, written set-based.
async fn write_notices(
    tx: &mut sqlx::PgConnection,
    action: &BulkAction,
    ids: &[i64],
    tz: chrono_tz::Tz,
) -> sqlx::Result<()> {
    match action {
        BulkAction::RequestDocuments(r) => {
            let deadline_at = crate::workflow::end_of_day(r.deadline, tz);
            let tokens = upload_links::issue_many(&mut *tx, ids, &r.kinds, deadline_at).await?;
            notices::enqueue_many(tx, ids, NoticeKind::DocumentsRequested, Some(&tokens)).await
        }
        BulkAction::Reject(_) => notices::enqueue_many(tx, ids, NoticeKind::Rejected, None).await,
        BulkAction::Approve { .. } => {
            notices::enqueue_many(tx, ids, NoticeKind::Approved, None).await
        }
        BulkAction::Claim
        | BulkAction::Assign(_)
        | BulkAction::Priority(_)
        | BulkAction::Note(_) => Ok(()),
    }
}

/// What every batch of an operation shares.
struct BatchContext<'a> {
    assignee_name: Option<&'a str>,
    tz: chrono_tz::Tz,
}

fn common_update(action: &BulkAction, tz: chrono_tz::Tz) -> CommonUpdate {
    match action {
        BulkAction::Priority(p) => CommonUpdate {
            priority: Some(*p),
            ..CommonUpdate::default()
        },
        BulkAction::RequestDocuments(r) => CommonUpdate {
            pause_sla: true,
            clear_documents_received: true,
            documents_deadline: Some(crate::workflow::end_of_day(r.deadline, tz)),
            requested_kinds: Some(r.kinds.iter().map(|k| k.as_str().to_owned()).collect()),
            ..CommonUpdate::default()
        },
        BulkAction::Reject(r) => CommonUpdate {
            clear_documents_received: true,
            decision_reason: Some(r.reason.as_str().to_owned()),
            ..CommonUpdate::default()
        },
        BulkAction::Approve { effective_date, .. } => CommonUpdate {
            clear_documents_received: true,
            effective_date: Some(*effective_date),
            ..CommonUpdate::default()
        },
        BulkAction::Claim | BulkAction::Assign(_) | BulkAction::Note(_) => CommonUpdate::default(),
    }
}

fn event_text(action: &BulkAction) -> (&'static str, Option<&str>, Option<&str>) {
    match action {
        BulkAction::Claim => ("claimed", None, None),
        BulkAction::Assign(_) => ("assigned", None, None),
        BulkAction::Priority(_) => ("priority_set", None, None),
        BulkAction::RequestDocuments(r) => ("documents_requested", None, Some(r.message.as_str())),
        BulkAction::Reject(r) => (
            "rejected",
            Some(r.reason.as_str()),
            Some(r.message.as_str()),
        ),
        BulkAction::Approve { .. } => ("approved", None, None),
        BulkAction::Note(text) => ("note", None, Some(text.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_parameters_read_back_as_the_same_action() {
        let actions = [
            BulkAction::Claim,
            BulkAction::Assign(AgentId(4)),
            BulkAction::Priority(1),
            BulkAction::RequestDocuments(DocumentRequest {
                kinds: vec![DocumentKind::IdentityCard],
                message: "m".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            }),
            BulkAction::Reject(Rejection {
                reason: RejectReason::DuplicateRequest,
                message: "dup".into(),
            }),
            BulkAction::Approve {
                effective_date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                fees_confirmed: true,
            },
            BulkAction::Note("n".into()),
        ];
        for action in actions {
            assert_eq!(
                decode(action.kind().as_str(), &encode(&action)),
                Some(action)
            );
        }
    }
}
