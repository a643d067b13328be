//! Changing cases: every change, by an agent on the case page, by bulk triage, by the customer
//! answering a document request or by the documents clock, has one shape, [`apply`]:
//!
//! lock (the cases' lines, then their rows: `store::cases::LOCK_LINES_SQL`; then any
//! cancellation order) → facts → `transition()` → effects (`domain::effects`) → one UPDATE → one
//! INSERT of events → audit → cancellation orders → refunds → upload links → notice, in the
//! caller's transaction.
//!
//! Callers lock through `store::cases` (one case, one case for a job) or `store::bulk` (a
//! batch), check what only they know under the lock (a form's version, an upload link, a
//! deadline), then call [`apply`]. A single case is a set of one.

use crate::domain::said::Said;
use chrono::Utc;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use crate::auth::CurrentAgent;
use crate::domain::case::{Actor, Refusal, State, Transition, transition};
use crate::domain::decision::Decision;
use crate::domain::effects::{
    CaseChange, Context, Effects, Links, Order, Refund, Snapshot, case_change, effects,
};
use crate::domain::reference::CaseReference;
use crate::error::{AppError, AppResult};
use crate::notices;
use crate::store::audit::AuditAction;
use crate::store::cases::{self, LockedCase, NewEvents};
use crate::store::notices as outbox;
use crate::store::{agents, customer, documents, orders, settlements, upload_links};

/// What became of an agent's decision on one case.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// The state machine (or a rule around it) said no. Nothing changed. `field`: the form field
    /// the reason belongs to, when there is one.
    Refused {
        reason: Said,
        field: Option<&'static str>,
    },
    /// The form was made for an older version: someone else acted first. Nothing changed.
    Stale {
        case_id: i64,
        seen_version: i32,
    },
}

impl Outcome {
    fn refused(refusal: Refusal) -> Outcome {
        Outcome::Refused {
            reason: refusal.said(),
            field: field_of(refusal),
        }
    }
}

/// The case page's form field a refusal is about, when it is about one.
pub fn field_of(refusal: Refusal) -> Option<&'static str> {
    match refusal {
        Refusal::FeeNotConfirmed => Some("confirm_fee"),
        Refusal::NotInBilling => Some("confirm_settlement"),
        _ => None,
    }
}

/// The desk's settings a change depends on.
#[derive(Debug, Clone, Copy)]
pub struct Desk {
    pub tz: chrono_tz::Tz,
    pub sla_hours: i64,
}

/// The context of a change made now.
pub fn context(desk: Desk) -> Context {
    Context {
        now: Utc::now(),
        tz: desk.tz,
        sla_hours: desk.sla_hours,
        assignee_name: None,
        document_kind: None,
        bulk: None,
    }
}

/// Applies an agent's decision to the case with `reference`, shown to them at `version`
/// (`None`: whatever the version, for notes).
#[tracing::instrument(skip(pool, agent, decision, desk), fields(agent = agent.id.0))]
pub async fn decide(
    pool: &PgPool,
    reference: &CaseReference,
    version: Option<i32>,
    agent: &CurrentAgent,
    decision: Decision,
    desk: Desk,
) -> AppResult<Outcome> {
    let mut tx = pool.begin().await?;
    let case = match lock_as_seen(&mut tx, reference, version).await? {
        Ok(case) => case,
        Err(stale) => return Ok(stale),
    };
    let mut cx = context(desk);
    match &decision {
        // On the transaction's own connection: a second one could starve the pool under load.
        Decision::Assign(to) => match agents::find_active(&mut *tx, *to).await? {
            Some(assignee) => cx.assignee_name = Some(assignee.name),
            None => {
                return Ok(Outcome::Refused {
                    reason: Said::new("refusal-choose-active-agent"),
                    field: None,
                });
            }
        },
        Decision::Verdict { document_id, .. } => {
            let kind = documents::lock_in_case(&mut tx, case.id, *document_id)
                .await?
                .ok_or(AppError::NotFound)?;
            cx.document_kind = Some(kind);
        }
        _ => {}
    }
    let actor = agent.actor();
    let judged = apply(
        &mut tx,
        actor,
        Some(agent),
        &decision,
        &cx,
        &[case],
        |_, s| transition(s.facts, actor, decision.action()),
    )
    .await?;
    if let Some(Err(refusal)) = judged.into_iter().next() {
        return Ok(Outcome::refused(refusal));
    }
    tx.commit().await?;
    Ok(Outcome::Done)
}

/// Locks the case with `reference` for an agent's change; `Err(Outcome::Stale)` when the form
/// was made for another version than the case has now (`None`: any version will do).
pub async fn lock_as_seen(
    conn: &mut PgConnection,
    reference: &CaseReference,
    version: Option<i32>,
) -> AppResult<Result<LockedCase, Outcome>> {
    let case = cases::lock(conn, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(match version.filter(|v| *v != case.version) {
        Some(seen_version) => Err(Outcome::Stale {
            case_id: case.id,
            seen_version,
        }),
        None => Ok(case),
    })
}

/// The one shape of a change to locked `cases`: each is judged (`judge`: the state machine, with
/// whatever the caller checks first), and those allowed get the decision's effects, set-based.
/// Returns each case's judgement, in order. Audited per case when an agent (`audit`) acts on
/// the case page; bulk triage audits the operation instead.
pub async fn apply<E>(
    conn: &mut PgConnection,
    actor: Actor,
    audit: Option<&CurrentAgent>,
    decision: &Decision,
    cx: &Context,
    cases: &[LockedCase],
    judge: impl Fn(&LockedCase, &Snapshot) -> Result<Transition, E>,
) -> anyhow::Result<Vec<Result<(), E>>> {
    let fx = effects(decision, cx);
    let mut changes: Vec<CaseChange> = Vec::with_capacity(cases.len());
    let mut judged = Vec::with_capacity(cases.len());
    let mut references = Vec::new();
    for case in cases {
        let snapshot = case.snapshot();
        match judge(case, &snapshot) {
            Ok(t) => {
                changes.push(case_change(decision, &snapshot, t, &fx, cx));
                references.push(case.reference.as_str());
                judged.push(Ok(()));
            }
            Err(e) => judged.push(Err(e)),
        }
    }
    if changes.is_empty() {
        return Ok(judged);
    }
    write(conn, actor, decision, &fx, &changes).await?;
    count_decisions(&changes);
    if let Some(agent) = audit {
        for reference in references {
            agent
                .audit(
                    &mut *conn,
                    AuditAction::CaseAction,
                    Some(reference),
                    json!({ "action": fx.event.as_str() }),
                )
                .await?;
        }
    }
    let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
    // A case that opens or closes changes its line's "another open case" check for the others.
    let toggled: Vec<i64> = changes
        .iter()
        .filter(|c| c.from.is_open() != c.to.is_open())
        .map(|c| c.id)
        .collect();
    if !toggled.is_empty() {
        crate::store::assist::recheck_lines_of(conn, &toggled).await?;
    }
    // An agent's verdict on a card changes the identity check.
    if matches!(decision, Decision::Verdict { .. }) {
        crate::store::assist::recheck(conn, &ids).await?;
    }
    order(conn, &fx, &ids, cx).await?;
    refund(conn, &fx, &ids, cx).await?;
    let tokens = links(conn, &fx, &ids, cx).await?;
    if let Some(kind) = fx.notice {
        notices::enqueue_many(conn, &ids, kind, tokens.as_deref()).await?;
    }
    Ok(judged)
}

/// [`apply`] for one case locked by a customer's or a job's change (nothing to audit), at
/// `now`: the state machine judges it for `actor` alone. `Err(refusal)`: nothing was written.
pub async fn apply_one(
    conn: &mut PgConnection,
    actor: Actor,
    decision: &Decision,
    desk: Desk,
    now: chrono::DateTime<Utc>,
    case: LockedCase,
) -> anyhow::Result<Result<(), Refusal>> {
    let mut cx = context(desk);
    cx.now = now;
    let judged = apply(conn, actor, None, decision, &cx, &[case], |_, s| {
        transition(s.facts, actor, decision.action())
    })
    .await?;
    Ok(judged.into_iter().next().unwrap_or(Ok(())))
}

/// Counted when written, in the decision's transaction: a transaction that is rolled back
/// afterwards (rare: a later statement of the same request failed) has still been counted.
fn count_decisions(changes: &[CaseChange]) {
    for change in changes {
        // Outcomes, not steps: claiming or reopening (to in review) is no decision.
        if change.from != change.to && !matches!(change.to, State::Submitted | State::InReview) {
            crate::telemetry::metrics::decided(change.to.as_str(), 1);
        }
    }
}

/// The case rows, the history events and what a decision writes beside them.
async fn write(
    conn: &mut PgConnection,
    actor: Actor,
    decision: &Decision,
    fx: &Effects,
    changes: &[CaseChange],
) -> sqlx::Result<()> {
    if let (
        Decision::Verdict {
            document_id,
            verdict,
        },
        Actor::Agent { id, .. },
    ) = (decision, actor)
    {
        documents::set_verdict(
            conn,
            *document_id,
            verdict.verdict,
            verdict.reason.as_deref(),
            id,
        )
        .await?;
    }
    let versions = if fx.bumps_version {
        cases::update_many(conn, changes, &fx.columns).await?
    } else {
        changes.iter().map(|c| c.version).collect()
    };
    let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
    let states: Vec<_> = changes
        .iter()
        .map(|c| match fx.records_states {
            true => (Some(c.from), Some(c.to)),
            false => (None, None),
        })
        .collect();
    let details: Vec<_> = changes.iter().map(|c| c.details.clone()).collect();
    let event = NewEvents {
        actor,
        kind: fx.event,
        reason_code: fx.reason_code,
        message: fx.message.as_deref(),
    };
    cases::append_events(conn, &event, &ids, &states, &versions, &details).await
}

/// What a change does to the cases' cancellation orders (after the case rows: an order takes
/// the effective date the decision just set).
async fn order(
    conn: &mut PgConnection,
    fx: &Effects,
    ids: &[i64],
    cx: &Context,
) -> sqlx::Result<()> {
    match &fx.order {
        Order::Keep => Ok(()),
        Order::Issue => {
            let today = cx.now.with_timezone(&cx.tz).date_naive();
            orders::issue_many(conn, ids, today, cx.now).await
        }
        Order::Finish(result) => orders::finish_many(conn, ids, result, cx.now).await,
        Order::Withdraw => orders::withdraw_many(conn, ids).await,
    }
}

/// What a change does to the refunds customers chose (after the case rows: a refund takes the
/// balance as the case has it).
async fn refund(
    conn: &mut PgConnection,
    fx: &Effects,
    ids: &[i64],
    cx: &Context,
) -> sqlx::Result<()> {
    match fx.refund {
        Refund::Keep => Ok(()),
        Refund::Open => settlements::open_many(conn, ids).await,
        Refund::Settle(balance) => settlements::settle_many(conn, ids, balance, cx.now).await,
        Refund::Withdraw => settlements::withdraw_many(conn, ids).await,
    }
}

/// What a change does to the cases' upload links; the new links' tokens, one per case.
async fn links(
    conn: &mut PgConnection,
    fx: &Effects,
    ids: &[i64],
    cx: &Context,
) -> sqlx::Result<Option<Vec<String>>> {
    match &fx.links {
        Links::Keep => {}
        Links::Issue(kinds, until) => {
            return Ok(Some(
                upload_links::issue_many(conn, ids, kinds, *until).await?,
            ));
        }
        Links::Answered => {
            for &id in ids {
                customer::mark_links_used(conn, id, cx.now).await?;
                outbox::supersede_document_requests(conn, id).await?;
            }
        }
        Links::Withdrawn => {
            for &id in ids {
                outbox::supersede_document_requests(conn, id).await?;
            }
        }
        // The request's links are dead now; so are their tokens in undelivered notices.
        Links::Dead => {
            for &id in ids {
                outbox::erase_link_tokens(conn, id).await?;
            }
        }
    }
    Ok(None)
}

/// A refusal as a sentence for the page: "This case is …".
/// A refusal as an English sentence (logs, the API).
pub fn sentence(refusal: Refusal) -> String {
    crate::domain::sentence(&refusal.to_string())
}
