//! Bulk triage: one decision for many cases, each case judged by the same state machine as the
//! case page, with a reason for every case that will be skipped.

use super::agent::Role;
use super::case::{Action, Actor, Refusal, State, Transition, transition};
use super::decision::Decision;
use super::effects::Snapshot;
use super::labels::labelled_enum;
use super::precheck::Suggestion;
use super::said::{Fill, Said};

labelled_enum! {
    pub enum BulkKind {
        Claim => ("claim", "Claim"),
        Assign => ("assign", "Assign to an agent"),
        Priority => ("priority", "Set priority"),
        RequestDocuments => ("request_documents", "Request documents"),
        Reject => ("reject", "Reject"),
        Approve => ("approve", "Approve"),
        Note => ("note", "Add a note"),
        ApplySuggestion => ("apply_suggestion", "Apply the desk's suggestion"),
    }
}

labelled_enum! {
    /// Where a selected case stands in an operation: planned (preview), then done (report).
    pub enum ItemOutcome {
        WillChange => ("will_change", "will change"),
        Skip => ("skip", "will be skipped"),
        Changed => ("changed", "changed"),
        Skipped => ("skipped", "skipped"),
        Failed => ("failed", "failed"),
    }
}

impl BulkKind {
    /// Who may start it at all (per case, the state machine decides the rest).
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            BulkKind::Assign | BulkKind::Priority => role == Role::Supervisor,
            _ => true,
        }
    }

    /// The kind of a decision, when it may be taken in bulk.
    pub fn of(decision: &Decision) -> Option<BulkKind> {
        Some(match decision {
            Decision::Claim => BulkKind::Claim,
            Decision::Assign(_) => BulkKind::Assign,
            Decision::Priority(_) => BulkKind::Priority,
            Decision::RequestDocuments(_) => BulkKind::RequestDocuments,
            Decision::Reject(_) => BulkKind::Reject,
            Decision::Approve(_) => BulkKind::Approve,
            Decision::Note(_) => BulkKind::Note,
            _ => return None,
        })
    }
}

/// Which cases: everything matching a queue filter (evaluated on the server), or cases picked
/// one by one, each with the version the agent saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Filter(super::queue::QueueQuery),
    Cases(Vec<(super::reference::CaseReference, i32)>),
}

/// Why a selected case is left as it is. Stored with the item as its [`Skip::code`]; the preview
/// and the report word it in the reader's language ([`Skip::said`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Changed,
    AwaitingDocuments,
    /// Already decided: approved, rejected, cancelled, expired or withdrawn.
    Final(State),
    NotClaimed,
    NotInState(State),
    IdentityNotAccepted,
    AssignedToAnother,
    AlreadyYours,
    FeeNotConfirmed,
    NotInBilling,
    SamePriority,
    Closed,
    NotAllowed,
    WithProvisioning,
    /// The desk suggests something else for this case (or nothing yet).
    SuggestionDiffers,
}

impl Skip {
    const PLAIN: [(Skip, &'static str); 13] = [
        (Skip::Changed, "changed"),
        (Skip::AwaitingDocuments, "awaiting_documents"),
        (Skip::NotClaimed, "not_claimed"),
        (Skip::IdentityNotAccepted, "identity_not_accepted"),
        (Skip::AssignedToAnother, "assigned_to_another"),
        (Skip::AlreadyYours, "already_yours"),
        (Skip::FeeNotConfirmed, "fee_not_confirmed"),
        (Skip::NotInBilling, "not_in_billing"),
        (Skip::SamePriority, "same_priority"),
        (Skip::Closed, "closed"),
        (Skip::NotAllowed, "not_allowed"),
        (Skip::WithProvisioning, "with_provisioning"),
        (Skip::SuggestionDiffers, "suggestion_differs"),
    ];

    /// As stored with a bulk item: `changed`, `final:rejected`, `state:in_review`...
    pub fn code(self) -> String {
        match self {
            Skip::Final(state) => format!("final:{}", state.as_str()),
            Skip::NotInState(state) => format!("state:{}", state.as_str()),
            plain => Skip::PLAIN
                .iter()
                .find(|(s, _)| *s == plain)
                .map(|(_, code)| (*code).to_owned())
                .unwrap_or_default(),
        }
    }

    /// A stored code; `None` for anything else (items written before codes held English text).
    pub fn from_code(code: &str) -> Option<Skip> {
        if let Some(state) = code.strip_prefix("final:") {
            return State::parse(state).map(Skip::Final);
        }
        if let Some(state) = code.strip_prefix("state:") {
            return State::parse(state).map(Skip::NotInState);
        }
        Skip::PLAIN
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(skip, _)| *skip)
    }

    /// The reason in the reader's language (`skip-*` in `locales/<tag>/bulk.ftl`).
    pub fn said(self) -> Said {
        match self {
            Skip::Final(state) => Said::with("skip-final", "state", Fill::StateName(state)),
            Skip::NotInState(state) => Said::with("skip-state", "state", Fill::StateName(state)),
            plain => Said::new(match plain {
                Skip::Changed => "skip-changed",
                Skip::AwaitingDocuments => "skip-awaiting-documents",
                Skip::NotClaimed => "skip-not-claimed",
                Skip::IdentityNotAccepted => "skip-identity-not-accepted",
                Skip::AssignedToAnother => "skip-assigned-to-another",
                Skip::AlreadyYours => "skip-already-yours",
                Skip::FeeNotConfirmed => "skip-fee-not-confirmed",
                Skip::NotInBilling => "skip-not-in-billing",
                Skip::SamePriority => "skip-same-priority",
                Skip::Closed => "skip-closed",
                Skip::NotAllowed => "skip-not-allowed",
                Skip::SuggestionDiffers => "skip-suggestion-differs",
                _ => "skip-with-provisioning",
            }),
        }
    }
}

/// The state machine's refusal in the report's words.
pub fn skip_for(refusal: Refusal) -> Skip {
    match refusal {
        Refusal::NotInThisState {
            state: State::AwaitingDocuments,
            ..
        } => Skip::AwaitingDocuments,
        Refusal::NotInThisState { state, .. } if !state.is_open() => Skip::Final(state),
        Refusal::NotInThisState {
            state: State::Submitted,
            ..
        } => Skip::NotClaimed,
        Refusal::NotInThisState { state, .. } => Skip::NotInState(state),
        Refusal::AssignedToAnother => Skip::AssignedToAnother,
        Refusal::AlreadyYours => Skip::AlreadyYours,
        Refusal::IdentityNotAccepted => Skip::IdentityNotAccepted,
        Refusal::NotInBilling => Skip::NotInBilling,
        Refusal::FeeNotConfirmed => Skip::FeeNotConfirmed,
        Refusal::SamePriority => Skip::SamePriority,
        Refusal::Closed | Refusal::NotUnderReview { .. } => Skip::Closed,
        Refusal::SupervisorOnly | Refusal::NotForAgents => Skip::NotAllowed,
        Refusal::OrderWithProvisioning => Skip::WithProvisioning,
        Refusal::OrderNotDue | Refusal::NoFailedOrder => Skip::NotAllowed,
    }
}

/// What judging "apply the suggestion" needs to know of a case besides its facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestedCase {
    /// The desk's stored suggestion.
    pub stored: Option<Suggestion>,
    /// The day an approval would take effect (the requested day, today at the earliest).
    pub effective_date: chrono::NaiveDate,
    /// The newest identity card was read and no agent rejected it (an approval accepts it).
    pub card_ready: bool,
}

/// Judges one selected case for "apply the suggestion `suggestion`": skipped unless the desk
/// suggests exactly that for it, then as the steps of applying it would be judged: a claim
/// first when the case is not the agent's, and for an approval the card the checks read counted
/// as accepted (applying accepts it), the fee as the agent confirmed it.
pub fn evaluate_suggestion(
    suggestion: Suggestion,
    fees_confirmed: bool,
    actor: Actor,
    case: &Snapshot,
    seen_version: i32,
    suggested: SuggestedCase,
) -> Result<Transition, Skip> {
    if case.version != seen_version {
        return Err(Skip::Changed);
    }
    if suggested.stored != Some(suggestion) {
        return Err(Skip::SuggestionDiffers);
    }
    let Actor::Agent { id, .. } = actor else {
        return Err(Skip::NotAllowed);
    };
    let mut facts = case.facts;
    if facts.state == State::Submitted || facts.assignee != Some(id) {
        let claimed = transition(facts, actor, Action::Claim).map_err(skip_for)?;
        facts.state = claimed.to;
        facts.assignee = claimed.assignee;
    }
    let action = match suggestion {
        Suggestion::Approve => {
            if !facts.identity_accepted && !suggested.card_ready {
                return Err(Skip::IdentityNotAccepted);
            }
            facts.identity_accepted = true;
            Action::Approve {
                effective_date: suggested.effective_date,
                fee_confirmed: fees_confirmed,
            }
        }
        Suggestion::RequestOwnership | Suggestion::RequestAuthorisation => Action::RequestDocuments,
        Suggestion::RejectDuplicate => Action::Reject,
        Suggestion::NeedsPerson => return Err(Skip::NotAllowed),
    };
    transition(facts, actor, action).map_err(skip_for)
}

/// Judges one selected case, seen at `seen_version`: what the decision will do to it, or why it
/// is skipped. Apart from the version, only the state machine decides.
pub fn evaluate(
    decision: &Decision,
    actor: Actor,
    case: &Snapshot,
    seen_version: i32,
) -> Result<Transition, Skip> {
    if case.version != seen_version {
        return Err(Skip::Changed);
    }
    let allowed = match (BulkKind::of(decision), actor) {
        (Some(kind), Actor::Agent { role, .. }) => kind.allowed_for(role),
        _ => false,
    };
    if !allowed {
        return Err(Skip::NotAllowed);
    }
    transition(case.facts, actor, decision.action()).map_err(skip_for)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agent::AgentId;
    use crate::domain::case::CaseFacts;
    use crate::domain::decision::{Approval, Rejection};
    use chrono::{DateTime, NaiveDate};

    const ANN: AgentId = AgentId(1);
    const BOB: AgentId = AgentId(2);

    fn agent() -> Actor {
        Actor::Agent {
            id: ANN,
            role: Role::Agent,
        }
    }
    fn supervisor() -> Actor {
        Actor::Agent {
            id: AgentId(9),
            role: Role::Supervisor,
        }
    }
    fn candidate(state: State, assignee: Option<AgentId>) -> Snapshot {
        Snapshot {
            id: 1,
            version: 3,
            facts: CaseFacts::sample(state, assignee),
            sla_due_at: DateTime::from_timestamp(0, 0).unwrap(),
            sla_paused_at: None,
            documents_deadline: None,
        }
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_same_rules_as_the_case_page_decide_each_case() {
        let t = evaluate(
            &Decision::Claim,
            agent(),
            &candidate(State::Submitted, None),
            3,
        )
        .unwrap();
        assert!(t.to == State::InReview && t.assignee == Some(ANN));
        assert_eq!(
            evaluate(
                &Decision::Claim,
                agent(),
                &candidate(State::InReview, Some(BOB)),
                3
            ),
            Err(Skip::AssignedToAnother)
        );
        let reject = Decision::Reject(Rejection {
            reason: super::super::request::RejectReason::DuplicateRequest,
            message: "dup".into(),
        });
        assert_eq!(
            evaluate(
                &reject,
                agent(),
                &candidate(State::AwaitingDocuments, Some(ANN)),
                3
            ),
            Err(Skip::AwaitingDocuments)
        );
        assert_eq!(
            evaluate(&reject, agent(), &candidate(State::Rejected, Some(ANN)), 3),
            Err(Skip::Final(State::Rejected))
        );
    }

    #[test]
    fn a_case_changed_since_selection_is_skipped() {
        let c = candidate(State::Submitted, None);
        assert_eq!(
            evaluate(&Decision::Claim, agent(), &c, 2),
            Err(Skip::Changed)
        );
    }

    #[test]
    fn approval_needs_the_identity_document_and_confirmed_fees() {
        let approve = |fee_confirmed| {
            Decision::Approve(Approval {
                effective_date: day("2026-12-01"),
                fee_confirmed,
            })
        };
        let mut c = candidate(State::InReview, Some(ANN));
        c.facts.identity_accepted = false;
        assert_eq!(
            evaluate(&approve(true), agent(), &c, 3),
            Err(Skip::IdentityNotAccepted)
        );
        c.facts.identity_accepted = true;
        c.facts.min_term_end = Some(day("2027-01-01"));
        c.facts.fee_minor = 100;
        assert_eq!(
            evaluate(&approve(false), agent(), &c, 3),
            Err(Skip::FeeNotConfirmed)
        );
        assert!(evaluate(&approve(true), agent(), &c, 3).is_ok());
        c.facts.billing_known = false;
        assert_eq!(
            evaluate(&approve(true), agent(), &c, 3),
            Err(Skip::NotInBilling)
        );
    }

    #[test]
    fn roles_limit_what_may_be_done_in_bulk() {
        let c = candidate(State::Submitted, None);
        assert_eq!(
            evaluate(&Decision::Assign(BOB), agent(), &c, 3),
            Err(Skip::NotAllowed)
        );
        assert_eq!(
            evaluate(&Decision::Priority(1), agent(), &c, 3),
            Err(Skip::NotAllowed)
        );
        assert!(evaluate(&Decision::Priority(1), supervisor(), &c, 3).is_ok());
        assert_eq!(
            evaluate(&Decision::Priority(0), supervisor(), &c, 3),
            Err(Skip::SamePriority)
        );
        assert!(
            evaluate(
                &Decision::Note("x".into()),
                agent(),
                &candidate(State::Rejected, None),
                3
            )
            .is_ok()
        );
        assert_eq!(
            evaluate(&Decision::Reopen("x".into()), supervisor(), &c, 3),
            Err(Skip::NotAllowed)
        );
    }

    #[test]
    fn every_skip_keeps_its_meaning_through_its_stored_code() {
        let mut all: Vec<Skip> = Skip::PLAIN.iter().map(|(s, _)| *s).collect();
        all.extend(State::ALL.iter().map(|s| Skip::Final(*s)));
        all.extend(State::ALL.iter().map(|s| Skip::NotInState(*s)));
        for skip in all {
            assert_eq!(Skip::from_code(&skip.code()), Some(skip), "{}", skip.code());
        }
        assert_eq!(Skip::from_code("identity document not accepted"), None);
    }
}
