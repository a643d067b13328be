//! Changing a case: lock it, check the form's version, ask the state machine, then write the new
//! state, the bumped version and the history event in one transaction. Handlers (and later bulk
//! triage) call these functions; nothing else changes a case.

use chrono::{DateTime, NaiveTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::auth::CurrentAgent;
use crate::domain::agent::AgentId;
use crate::domain::case::{Action, CaseFacts, Refusal, Transition, review_allowed, transition};
use crate::domain::decision::{Approval, DocumentRequest, DocumentVerdict, Rejection};
use crate::domain::document::{DocumentKind, Verdict};
use crate::domain::reference::CaseReference;
use crate::domain::sla;
use crate::error::{AppError, AppResult};
use crate::notices::{self, NoticeKind};
use crate::store::audit::AuditAction;
use crate::store::cases::{self, CaseUpdate, LockedCase, NewEvent};
use crate::store::{agents, documents, upload_links};

/// What an agent decided, fully parsed.
#[derive(Debug, Clone)]
pub enum Decision {
    Claim,
    Assign(AgentId),
    Approve(Approval),
    Reject(Rejection),
    RequestDocuments {
        request: DocumentRequest,
        /// End of the deadline day in the desk's time zone.
        deadline_at: DateTime<Utc>,
    },
    /// A supervisor takes back a final decision; the reason is recorded, and the case is due
    /// again within the desk's service level.
    Reopen {
        reason: String,
        sla_hours: i64,
    },
}

impl Decision {
    pub fn action(&self) -> Action {
        match self {
            Decision::Claim => Action::Claim,
            Decision::Assign(to) => Action::Assign { to: *to },
            Decision::Approve(_) => Action::Approve,
            Decision::Reject(_) => Action::Reject,
            Decision::RequestDocuments { .. } => Action::RequestDocuments,
            Decision::Reopen { .. } => Action::Reopen,
        }
    }
}

#[derive(Debug)]
pub enum Outcome {
    Done,
    /// The state machine (or a rule around it) said no. Nothing changed.
    Refused(String),
    /// The form was made for an older version: someone else acted first. Nothing changed.
    Stale {
        case_id: i64,
        seen_version: i32,
    },
}

fn facts(case: &LockedCase) -> CaseFacts {
    CaseFacts {
        state: case.state(),
        assignee: case.assignee(),
        identity_accepted: case.identity_accepted,
    }
}

/// Applies an agent's decision to the case with `reference`, shown to them at `version`.
#[tracing::instrument(skip(pool, agent, decision), fields(agent = agent.id.0, action = decision.action().event_kind()))]
pub async fn decide(
    pool: &PgPool,
    reference: &CaseReference,
    version: i32,
    agent: &CurrentAgent,
    decision: Decision,
) -> AppResult<Outcome> {
    let mut tx = pool.begin().await?;
    let case = cases::lock(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if case.version != version {
        return Ok(Outcome::Stale {
            case_id: case.id,
            seen_version: version,
        });
    }
    let assignee_name = match decision {
        // On the transaction's own connection: a second one could starve the pool under load.
        Decision::Assign(to) => match agents::find_active(&mut *tx, to).await? {
            Some(assignee) => Some(assignee.name),
            None => {
                return Ok(Outcome::Refused(
                    "Choose an active agent to assign the case to.".into(),
                ));
            }
        },
        _ => None,
    };
    let action = decision.action();
    let t = match transition(facts(&case), agent.actor(), action) {
        Ok(t) => t,
        Err(refusal) => return Ok(Outcome::Refused(sentence(refusal))),
    };
    let now = Utc::now();
    let (update, reason_code, message, mut details) = describe(&decision, &case, t, now);
    if let Some(name) = assignee_name {
        details["assignee_name"] = json!(name);
    }
    let new_version = cases::update(&mut tx, case.id, &update).await?;
    let event = NewEvent {
        actor: agent.actor(),
        kind: action.event_kind(),
        from_state: Some(t.from),
        to_state: Some(t.to),
        reason_code: reason_code.as_deref(),
        message: message.as_deref(),
        details,
    };
    cases::append_event(&mut tx, case.id, new_version, &event).await?;
    write_notice(&mut tx, case.id, &decision).await?;
    audit_case_action(&mut tx, agent, reference, action.event_kind()).await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// The customer hears of a decision: the notice goes into the outbox in the decision's own
/// transaction (a document request also gets its upload link, valid until the deadline).
async fn write_notice(
    conn: &mut sqlx::PgConnection,
    case_id: i64,
    decision: &Decision,
) -> sqlx::Result<()> {
    match decision {
        Decision::Approve(_) => notices::enqueue(conn, case_id, NoticeKind::Approved, None).await,
        Decision::Reject(_) => notices::enqueue(conn, case_id, NoticeKind::Rejected, None).await,
        Decision::RequestDocuments {
            request,
            deadline_at,
        } => {
            let token =
                upload_links::issue(&mut *conn, case_id, &request.kinds, *deadline_at).await?;
            notices::enqueue(conn, case_id, NoticeKind::DocumentsRequested, Some(&token)).await
        }
        Decision::Claim | Decision::Assign(_) | Decision::Reopen { .. } => Ok(()),
    }
}

/// Every case action also goes to the audit trail, in the same transaction.
async fn audit_case_action(
    conn: &mut sqlx::PgConnection,
    agent: &CurrentAgent,
    reference: &CaseReference,
    kind: &str,
) -> sqlx::Result<()> {
    agent
        .audit(
            conn,
            AuditAction::CaseAction,
            Some(reference.as_str()),
            json!({ "action": kind }),
        )
        .await
}

type Described = (
    CaseUpdate,
    Option<String>,
    Option<String>,
    serde_json::Value,
);

/// The columns a decision changes and what its history event says.
fn describe(
    decision: &Decision,
    case: &LockedCase,
    t: Transition,
    now: DateTime<Utc>,
) -> Described {
    let mut update = CaseUpdate {
        state: Some(t.to),
        assignee: t.assignee,
        ..CaseUpdate::default()
    };
    // A decision answers whatever the customer sent; the flag has served its purpose.
    let decided = |u: &mut CaseUpdate| u.documents_received = Some(false);
    match decision {
        Decision::Claim => (update, None, None, json!({})),
        Decision::Assign(to) => (update, None, None, json!({ "assignee_id": to.0 })),
        Decision::Approve(a) => {
            decided(&mut update);
            update.effective_date = Some(a.effective_date);
            let fee = if a.fee_confirmed { case.etf_minor } else { 0 };
            let details = json!({
                "effective_date": a.effective_date,
                "fee_confirmed": a.fee_confirmed,
                "fee_minor": fee,
            });
            (update, None, None, details)
        }
        Decision::Reject(r) => {
            decided(&mut update);
            update.decision_reason = Some(r.reason.as_str().into());
            (
                update,
                Some(r.reason.as_str().into()),
                Some(r.message.clone()),
                json!({}),
            )
        }
        Decision::RequestDocuments {
            request,
            deadline_at,
        } => {
            decided(&mut update);
            // The service-level clock stops until the customer answers.
            update.sla_paused_at = Some(Some(now));
            update.documents_deadline = Some(*deadline_at);
            let kinds: Vec<String> = request
                .kinds
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect();
            update.requested_kinds = Some(kinds.clone());
            let details = json!({ "kinds": kinds, "deadline": request.deadline });
            (update, None, Some(request.message.clone()), details)
        }
        Decision::Reopen { reason, sla_hours } => {
            // Back in review with a fresh service-level clock.
            update.sla_due_at = Some(sla::due_at(now, *sla_hours));
            update.sla_paused_at = Some(None);
            (update, None, Some(reason.clone()), json!({}))
        }
    }
}

/// The customer sent what was asked: the case goes back to the queue with its remaining time.
/// (The upload itself arrives with the customer pages; the rule lives here already.)
pub fn resume_update(case: &LockedCase, t: Transition, now: DateTime<Utc>) -> CaseUpdate {
    let due = match case.sla_paused_at {
        Some(paused) => sla::resumed_due_at(case.sla_due_at, paused, now),
        None => case.sla_due_at,
    };
    CaseUpdate {
        state: Some(t.to),
        assignee: t.assignee,
        sla_due_at: Some(due),
        sla_paused_at: Some(None),
        documents_received: Some(true),
        ..CaseUpdate::default()
    }
}

/// The end of `day` in the desk's time zone, as a UTC instant.
pub fn end_of_day(day: chrono::NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"));
    local
        .and_local_timezone(tz)
        .latest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// Records an agent's verdict on one document of the case.
pub async fn set_verdict(
    pool: &PgPool,
    reference: &CaseReference,
    version: i32,
    agent: &CurrentAgent,
    document_id: i64,
    verdict: &DocumentVerdict,
) -> AppResult<Outcome> {
    let mut tx = pool.begin().await?;
    let case = cases::lock(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if case.version != version {
        return Ok(Outcome::Stale {
            case_id: case.id,
            seen_version: version,
        });
    }
    let (kind, _current) = documents::lock_in_case(&mut tx, case.id, document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Err(refusal) = review_allowed(facts(&case), agent.actor()) {
        return Ok(Outcome::Refused(sentence(refusal)));
    }
    documents::set_verdict(
        &mut tx,
        document_id,
        verdict.verdict,
        verdict.reason.as_deref(),
        agent.id,
    )
    .await?;
    let new_version = cases::update(&mut tx, case.id, &CaseUpdate::default()).await?;
    let kind_label = DocumentKind::parse(&kind)
        .map(|k| k.label())
        .unwrap_or("Document");
    let event = NewEvent {
        actor: agent.actor(),
        kind: match verdict.verdict {
            Verdict::Accepted => "document_accepted",
            _ => "document_rejected",
        },
        from_state: None,
        to_state: None,
        reason_code: None,
        message: verdict.reason.as_deref(),
        details: json!({ "document_id": document_id, "document_kind": kind, "label": kind_label }),
    };
    cases::append_event(&mut tx, case.id, new_version, &event).await?;
    audit_case_action(&mut tx, agent, reference, event.kind).await?;
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Adds an internal note to the history. Notes do not bump the version: a colleague's remark
/// should not turn everyone's open forms stale.
pub async fn add_note(
    pool: &PgPool,
    reference: &CaseReference,
    agent: &CurrentAgent,
    body: &str,
) -> AppResult<()> {
    let mut tx = pool.begin().await?;
    let case = cases::lock(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = NewEvent {
        actor: agent.actor(),
        kind: "note",
        from_state: None,
        to_state: None,
        reason_code: None,
        message: Some(body),
        details: json!({}),
    };
    cases::append_event(&mut tx, case.id, case.version, &event).await?;
    audit_case_action(&mut tx, agent, reference, "note").await?;
    tx.commit().await?;
    Ok(())
}

/// A refusal as a sentence for the page: "This case is …".
pub fn sentence(refusal: Refusal) -> String {
    crate::domain::sentence(&refusal.to_string())
}
