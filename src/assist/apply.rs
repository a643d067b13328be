//! Applying a suggestion: only by an agent, only the suggestion they saw. The checks are run
//! again under the case's lock; when they now suggest something else, nothing changes and the
//! agent sees the new suggestion. Each step goes through `workflow::apply`, like every change;
//! the steps of one suggestion (claim, accept the card, approve) commit together or not at all.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::assess_case;
use crate::auth::CurrentAgent;
use crate::domain::bulk::{Skip, skip_for};
use crate::domain::case::{Refusal, State, transition};
use crate::domain::decision::{Approval, Decision, DocumentRequest, DocumentVerdict, Rejection};
use crate::domain::document::{DocumentKind, Verdict};
use crate::domain::precheck::{Assessment, Suggestion};
use crate::domain::reference::CaseReference;
use crate::domain::request::RejectReason;
use crate::domain::said::Said;
use crate::domain::templates;
use crate::error::{AppError, AppResult};
use crate::i18n::{Locale, Tr};
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::assist as store;
use crate::store::audit::AuditAction;
use crate::store::{cases, documents};
use crate::workflow::{self, Desk, Outcome};

/// What the checks need from the desk's settings.
#[derive(Clone)]
pub struct Checking {
    pub operator_prefixes: Vec<String>,
    pub today: NaiveDate,
    pub documents_deadline_days: i64,
    pub desk: Desk,
}

impl Checking {
    pub fn of(state: &AppState) -> Checking {
        Checking {
            operator_prefixes: state.settings.operator_prefixes.clone(),
            today: state.today(),
            documents_deadline_days: state.settings.documents_deadline_days,
            desk: crate::routes::desk(state),
        }
    }
}

/// What the agent saw: the suggestion and, on the case page, when the checks it came from were
/// made (so that a newer assessment, or checks that would now say anything else, is shown
/// before anything is applied), and whether they confirmed a fee.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub suggestion: Suggestion,
    pub assessed_at: Option<DateTime<Utc>>,
    pub fee_confirmed: bool,
}

/// The case page's one key: applies what the agent saw to the case they saw at `version`.
pub async fn apply_suggestion(
    state: &AppState,
    reference: &CaseReference,
    version: Option<i32>,
    seen: Seen,
    agent: &CurrentAgent,
) -> AppResult<Outcome> {
    let mut tx = state.pool.begin().await?;
    let case = match workflow::lock_as_seen(&mut tx, reference, version).await? {
        Ok(case) => case,
        Err(stale) => return Ok(stale),
    };
    let checking = Checking::of(state);
    match apply_locked(&mut tx, case.id, reference, seen, agent, &checking, None).await? {
        Ok(()) => {
            tx.commit().await?;
            Ok(Outcome::Done)
        }
        Err(Refused::Changed(assessment)) => {
            // Nothing applied, but the agent should see what the checks say now.
            store::save_assessment(&mut tx, case.id, &assessment, chrono::Utc::now()).await?;
            tx.commit().await?;
            Ok(Outcome::Refused {
                reason: Said::new("suggest-changed"),
                field: None,
            })
        }
        Err(refused) => Ok(Outcome::Refused {
            reason: refused.said(),
            field: match refused {
                Refused::Step(refusal) => workflow::field_of(refusal),
                _ => None,
            },
        }),
    }
}

/// Why a suggestion was not applied.
pub enum Refused {
    /// The checks now suggest something else (the new assessment).
    Changed(Assessment),
    /// An approval without a card the checks read.
    NoCard,
    /// "Needs a person" is a suggestion to look, not an action.
    NeedsPerson,
    /// A step the state machine refused.
    Step(Refusal),
}

impl Refused {
    pub fn said(&self) -> Said {
        match self {
            Refused::Changed(_) => Said::new("suggest-changed"),
            Refused::NoCard => Said::new("suggest-no-card"),
            Refused::NeedsPerson => Said::new("suggest-needs-person-apply"),
            Refused::Step(refusal) => refusal.said(),
        }
    }

    /// In a bulk report's words.
    pub fn skip(&self) -> Skip {
        match self {
            Refused::Changed(_) => Skip::SuggestionDiffers,
            Refused::NoCard => Skip::IdentityNotAccepted,
            Refused::NeedsPerson => Skip::NotAllowed,
            Refused::Step(refusal) => skip_for(*refusal),
        }
    }
}

/// Applies `seen` to a case already locked in the caller's transaction (the case page, or one
/// case of a bulk batch inside its own savepoint: `bulk`, the operation's public id, which the
/// events link to and which is audited once instead of per case). On `Err`, the caller rolls
/// back.
pub async fn apply_locked(
    conn: &mut PgConnection,
    case_id: i64,
    reference: &CaseReference,
    seen: Seen,
    agent: &CurrentAgent,
    checking: &Checking,
    bulk: Option<&str>,
) -> AppResult<Result<(), Refused>> {
    let facts = store::case_facts(conn, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let assessment = assess_case(conn, case_id, &checking.operator_prefixes, checking.today)
        .await?
        .ok_or(AppError::NotFound)?;
    if assessment.suggestion != seen.suggestion {
        return Ok(Err(Refused::Changed(assessment)));
    }
    if let Some(at) = seen.assessed_at {
        // Exactly the checklist the page showed, and the checks still say the same.
        let (stored, _) = store::for_page(conn, case_id).await?;
        let same = stored.is_some_and(|(shown, stored_at)| {
            stored_at.timestamp_micros() == at.timestamp_micros() && shown == assessment
        });
        if !same {
            return Ok(Err(Refused::Changed(assessment)));
        }
    }
    let seen_suggestion = seen.suggestion;
    let t = tr();
    // What the customer reads is in their language, whoever applies it (bulk runs detached from
    // the agent's request).
    let to_customer = Tr::new(Locale::parse(&facts.locale).unwrap_or(Locale::En));
    let mut steps = Vec::new();
    let case = cases::lock(conn, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    if case.facts.state == State::Submitted || case.facts.assignee != Some(agent.id) {
        steps.push(Decision::Claim);
    }
    match seen_suggestion {
        Suggestion::Approve => {
            if !case.facts.identity_accepted {
                // The card the checks went by: the newest, read (an approval is suggested only
                // when it matched and no agent rejected it).
                let Some(document_id) = facts.newest_card else {
                    return Ok(Err(Refused::NoCard));
                };
                steps.push(Decision::Verdict {
                    document_id,
                    verdict: DocumentVerdict {
                        verdict: Verdict::Accepted,
                        reason: Some(t.get("suggest-accepted-reason")),
                    },
                });
            }
            steps.push(Decision::Approve(Approval {
                effective_date: facts.requested_effective_date.max(checking.today),
                // The checklist names the fee; the page's key confirms it, bulk asks.
                fee_confirmed: seen.fee_confirmed,
            }));
        }
        Suggestion::RequestOwnership | Suggestion::RequestAuthorisation => {
            let key = if seen_suggestion == Suggestion::RequestOwnership {
                "ownership"
            } else {
                "representative"
            };
            let template = templates::document_request(key).ok_or(AppError::NotFound)?;
            steps.push(Decision::RequestDocuments(DocumentRequest {
                kinds: template.kinds.to_vec(),
                message: to_customer.get(template.text),
                deadline: checking.today + Duration::days(checking.documents_deadline_days),
            }));
        }
        Suggestion::RejectDuplicate => {
            let of = assessment.duplicate_of.clone().unwrap_or_default();
            steps.push(Decision::Reject(Rejection {
                reason: RejectReason::DuplicateRequest,
                message: to_customer.with("suggest-duplicate-message", &[("reference", of.into())]),
            }));
        }
        Suggestion::NeedsPerson => {
            return Ok(Err(Refused::NeedsPerson));
        }
    }
    let actor = agent.actor();
    for decision in steps {
        let case = cases::lock(conn, reference)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut cx = workflow::context(checking.desk);
        cx.bulk = bulk.map(str::to_owned);
        if let Decision::Verdict { document_id, .. } = &decision {
            documents::lock_in_case(conn, case.id, *document_id)
                .await?
                .ok_or(AppError::NotFound)?;
            cx.document_kind = Some(DocumentKind::IdentityCard);
        }
        let audit = bulk.is_none().then_some(agent);
        let judged = workflow::apply(conn, actor, audit, &decision, &cx, &[case], |_, s| {
            transition(s.facts, actor, decision.action())
        })
        .await?;
        if let Some(Err(refusal)) = judged.into_iter().next() {
            return Ok(Err(Refused::Step(refusal)));
        }
    }
    if bulk.is_none() {
        agent
            .audit(
                &mut *conn,
                AuditAction::CaseAction,
                Some(reference.as_str()),
                json!({ "action": "apply_suggestion", "suggestion": seen_suggestion.as_str() }),
            )
            .await?;
    }
    Ok(Ok(()))
}
