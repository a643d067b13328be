//! Bulk triage: preview (record and judge every selected case) and apply (in batches, each its
//! own transaction, through `workflow::apply` like every change: one UPDATE and one INSERT per
//! batch). The same state machine as the case page decides.

use base64::Engine;
use chrono::NaiveDate;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::auth::CurrentAgent;
use crate::domain::agent::AgentId;
use std::collections::HashMap;

use crate::assist::apply::{self as assist_apply, Checking, Seen};
use crate::domain::bulk::{
    BulkKind, ItemOutcome, Selection, Skip, SuggestedCase, evaluate, evaluate_suggestion,
};
use crate::domain::decision::{Approval, Decision, DocumentRequest, Rejection};
use crate::domain::precheck::Suggestion;
use crate::domain::reference::CaseReference;
use crate::domain::request::RejectReason;
use crate::error::{AppError, AppResult};
use crate::store::agents;
use crate::store::audit::AuditAction;
use crate::store::{assist, bulk};
use crate::workflow;

/// Cases per transaction when each case's suggestion is applied.
const SUGGESTION_BATCH: i64 = 32;

/// How many selected cases are judged per round trip during the preview.
const PREVIEW_CHUNK: i64 = 5_000;

/// Stored with the operation, so that applying uses exactly what was previewed.
pub fn encode(decision: &Decision) -> Value {
    match decision {
        Decision::Assign(to) => json!({ "assignee_id": to.0 }),
        Decision::Priority(p) => json!({ "priority": p }),
        Decision::RequestDocuments(r) => json!({
            "kinds": r.kinds,
            "message": r.message,
            "deadline": r.deadline,
        }),
        Decision::Reject(r) => json!({ "reason": r.reason, "message": r.message }),
        Decision::Approve(a) => {
            json!({ "effective_date": a.effective_date, "fees_confirmed": a.fee_confirmed })
        }
        Decision::Note(text) => json!({ "note": text }),
        _ => json!({}),
    }
}

pub fn decode(kind: BulkKind, params: &Value) -> Option<Decision> {
    let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    let date = |key: &str| text(key).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    Some(match kind {
        BulkKind::Claim => Decision::Claim,
        BulkKind::Assign => Decision::Assign(AgentId(params.get("assignee_id")?.as_i64()?)),
        BulkKind::Priority => Decision::Priority(params.get("priority")?.as_i64()? as i16),
        BulkKind::RequestDocuments => Decision::RequestDocuments(DocumentRequest {
            kinds: serde_json::from_value(params.get("kinds")?.clone()).ok()?,
            message: text("message")?,
            deadline: date("deadline")?,
        }),
        BulkKind::Reject => Decision::Reject(Rejection {
            reason: RejectReason::parse(&text("reason")?)?,
            message: text("message")?,
        }),
        BulkKind::Approve => Decision::Approve(Approval {
            effective_date: date("effective_date")?,
            fee_confirmed: params.get("fees_confirmed")?.as_bool()?,
        }),
        BulkKind::Note => Decision::Note(text("note")?),
        // Not one decision: each case's own suggestion (see `BulkAction::Suggested`).
        BulkKind::ApplySuggestion => return None,
    })
}

/// What an operation does: one decision for every selected case, or each case's own suggestion
/// where it is the one chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Decide(Decision),
    /// Each case's own suggestion where it is this one; a fee is charged only when confirmed.
    Suggested {
        suggestion: Suggestion,
        fees_confirmed: bool,
    },
}

impl BulkAction {
    pub fn kind(&self) -> Option<BulkKind> {
        match self {
            BulkAction::Decide(d) => BulkKind::of(d),
            BulkAction::Suggested { .. } => Some(BulkKind::ApplySuggestion),
        }
    }

    fn params(&self) -> Value {
        match self {
            BulkAction::Decide(d) => encode(d),
            BulkAction::Suggested {
                suggestion,
                fees_confirmed,
            } => json!({ "suggestion": suggestion.as_str(), "fees_confirmed": fees_confirmed }),
        }
    }

    /// The operation's action as stored.
    pub fn stored(operation: &bulk::OperationRecord) -> Option<BulkAction> {
        match operation.action {
            BulkKind::ApplySuggestion => Some(BulkAction::Suggested {
                suggestion: Suggestion::parse(operation.params.get("suggestion")?.as_str()?)?,
                fees_confirmed: operation.params.get("fees_confirmed")?.as_bool()?,
            }),
            kind => decode(kind, &operation.params).map(BulkAction::Decide),
        }
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
    today: NaiveDate,
) -> AppResult<Result<String, PreviewError>> {
    let kind = action
        .kind()
        .ok_or_else(|| anyhow::anyhow!("not a bulk action"))?;
    if !kind.allowed_for(agent.role) {
        return Err(AppError::Forbidden(
            crate::routes::language::tr().get("refused-bulk-role"),
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
        kind,
        &action.params(),
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
        after = last.id;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let suggested: HashMap<i64, SuggestedCase> = match action {
            BulkAction::Suggested { .. } => assist::suggested_cases(&mut tx, &ids, today)
                .await?
                .into_iter()
                .collect(),
            BulkAction::Decide(_) => HashMap::new(),
        };
        let (outcomes, reasons): (Vec<ItemOutcome>, Vec<Option<String>>) = rows
            .iter()
            .map(|row| {
                let seen = row.seen_version.unwrap_or(-1);
                let judged = match action {
                    BulkAction::Decide(d) => evaluate(d, agent.actor(), &row.snapshot(), seen),
                    BulkAction::Suggested {
                        suggestion,
                        fees_confirmed,
                    } => match suggested.get(&row.id) {
                        Some(case) => evaluate_suggestion(
                            *suggestion,
                            *fees_confirmed,
                            agent.actor(),
                            &row.snapshot(),
                            seen,
                            *case,
                        ),
                        None => Err(Skip::Changed),
                    },
                };
                match judged {
                    Ok(_) => (ItemOutcome::WillChange, None),
                    Err(skip) => (ItemOutcome::Skip, Some(skip.code())),
                }
            })
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
    checking: &Checking,
) -> AppResult<()> {
    if !bulk::start_applying(pool, operation.id).await? {
        return Ok(()); // Applied, or being applied right now: a repeated confirmation does nothing.
    }
    let action = BulkAction::stored(operation).ok_or_else(|| {
        anyhow::anyhow!("bulk operation {} has unreadable parameters", operation.id)
    })?;
    let decision = match action {
        BulkAction::Decide(decision) => decision,
        BulkAction::Suggested {
            suggestion,
            fees_confirmed,
        } => {
            let seen = Seen {
                suggestion,
                assessed_at: None,
                fee_confirmed: fees_confirmed,
            };
            // Each case takes a savepoint and several steps: small batches keep PostgreSQL's
            // subtransactions (64 cached per transaction) and the batch's locks in bounds.
            let batch = batch_size.min(SUGGESTION_BATCH);
            apply_suggestions(pool, agent, operation, seen, batch, checking).await?;
            return finish(pool, agent, operation).await;
        }
    };
    let desk = checking.desk;
    let mut cx = workflow::context(desk);
    cx.bulk = Some(operation.public_id.clone());
    if let Decision::Assign(to) = decision {
        cx.assignee_name = agents::find_active(pool, to).await?.map(|a| a.name);
    }
    let mut after = 0;
    loop {
        // An error outside a batch (connection lost, deadlock on the lock) stops here with the
        // operation still "applying"; confirming again resumes it (see `start_applying`).
        let mut tx = pool.begin().await?;
        let rows = bulk::candidates(&mut tx, operation.id, after, batch_size, true).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let actor = agent.actor();
        let batch = async {
            let judged =
                workflow::apply(&mut tx, actor, None, &decision, &cx, &rows, |row, case| {
                    evaluate(&decision, actor, case, row.seen_version.unwrap_or(-1))
                })
                .await?;
            let (outcomes, reasons): (Vec<ItemOutcome>, Vec<Option<String>>) = judged
                .into_iter()
                .map(|j| match j {
                    Ok(()) => (ItemOutcome::Changed, None),
                    Err(skip) => (ItemOutcome::Skipped, Some(skip.code())),
                })
                .unzip();
            bulk::set_outcomes(&mut tx, operation.id, &ids, &outcomes, &reasons).await?;
            anyhow::Ok(())
        };
        let outcome = batch.await;
        end_batch(pool, operation, tx, &ids, outcome).await?;
    }
    finish(pool, agent, operation).await
}

/// Commits a batch that went through, or records its cases as failed (the transaction dropped:
/// rolled back, nothing of the batch changed); then the operation's heartbeat.
async fn end_batch(
    pool: &PgPool,
    operation: &bulk::OperationRecord,
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    ids: &[i64],
    outcome: anyhow::Result<()>,
) -> AppResult<()> {
    let applied = match outcome {
        Ok(()) => tx.commit().await.map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = applied {
        tracing::error!(operation = operation.id, error = %format!("{e:#}"), "bulk batch failed");
        bulk::mark_failed(
            pool,
            operation.id,
            ids,
            "not applied: an error occurred; nothing was changed",
        )
        .await?;
    }
    bulk::heartbeat(pool, operation.id).await?;
    Ok(())
}

async fn finish(
    pool: &PgPool,
    agent: &CurrentAgent,
    operation: &bulk::OperationRecord,
) -> AppResult<()> {
    bulk::finish(pool, operation.id).await?;
    agent
        .audit(
            pool,
            AuditAction::BulkApplied,
            Some(&format!("bulk/{}", operation.public_id)),
            json!({ "action": operation.action.as_str() }),
        )
        .await?;
    Ok(())
}

/// Applies each case's suggestion, in batches like every operation; each case in its own
/// savepoint, since applying one takes several steps (claim, accept the card, decide) that
/// stand or fall together. A case whose suggestion changed since the preview is skipped.
async fn apply_suggestions(
    pool: &PgPool,
    agent: &CurrentAgent,
    operation: &bulk::OperationRecord,
    seen: Seen,
    batch_size: i64,
    checking: &Checking,
) -> AppResult<()> {
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows = bulk::candidates(&mut tx, operation.id, after, batch_size, true).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let batch = async {
            let mut outcomes = Vec::with_capacity(rows.len());
            let mut reasons = Vec::with_capacity(rows.len());
            for row in &rows {
                let skip = if Some(row.version) != row.seen_version {
                    Some(Skip::Changed)
                } else {
                    let reference = CaseReference::parse(&row.reference)
                        .map_err(|_| anyhow::anyhow!("case {} has no reference", row.id))?;
                    sqlx::query("SAVEPOINT suggestion")
                        .execute(&mut *tx)
                        .await?;
                    let applied = assist_apply::apply_locked(
                        &mut tx,
                        row.id,
                        &reference,
                        seen,
                        agent,
                        checking,
                        Some(&operation.public_id),
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                    match applied {
                        Ok(()) => {
                            sqlx::query("RELEASE SAVEPOINT suggestion")
                                .execute(&mut *tx)
                                .await?;
                            None
                        }
                        Err(refused) => {
                            sqlx::query("ROLLBACK TO SAVEPOINT suggestion")
                                .execute(&mut *tx)
                                .await?;
                            Some(refused.skip())
                        }
                    }
                };
                outcomes.push(match skip {
                    None => ItemOutcome::Changed,
                    Some(_) => ItemOutcome::Skipped,
                });
                reasons.push(skip.map(Skip::code));
            }
            bulk::set_outcomes(&mut tx, operation.id, &ids, &outcomes, &reasons).await?;
            anyhow::Ok(())
        };
        let outcome = batch.await;
        end_batch(pool, operation, tx, &ids, outcome).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::DocumentKind;

    #[test]
    fn stored_parameters_read_back_as_the_same_action() {
        let actions = [
            Decision::Claim,
            Decision::Assign(AgentId(4)),
            Decision::Priority(1),
            Decision::RequestDocuments(DocumentRequest {
                kinds: vec![DocumentKind::IdentityCard],
                message: "m".into(),
                deadline: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            }),
            Decision::Reject(Rejection {
                reason: RejectReason::DuplicateRequest,
                message: "dup".into(),
            }),
            Decision::Approve(Approval {
                effective_date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                fee_confirmed: true,
            }),
            Decision::Note("n".into()),
        ];
        for action in actions {
            assert_eq!(
                decode(BulkKind::of(&action).unwrap(), &encode(&action)),
                Some(action)
            );
        }
    }
}
