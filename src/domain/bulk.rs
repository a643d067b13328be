//! Bulk triage: one action for many cases, each case judged by the same state machine as the case
//! page, with a reason for every case that will be skipped.

use chrono::NaiveDate;

use super::agent::{AgentId, Role};
use super::case::{Action, Actor, CaseFacts, Refusal, State, Transition, transition};
use super::decision::{DocumentRequest, Rejection, fee_applies};
use super::labels::labelled_enum;

labelled_enum! {
    pub enum BulkKind {
        Claim => ("claim", "Claim"),
        Assign => ("assign", "Assign to an agent"),
        Priority => ("priority", "Set priority"),
        RequestDocuments => ("request_documents", "Request documents"),
        Reject => ("reject", "Reject"),
        Approve => ("approve", "Approve"),
        Note => ("note", "Add a note"),
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
}

/// A bulk action with its parameters, fully parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Claim,
    Assign(AgentId),
    /// 0 normal, 1 high.
    Priority(i16),
    RequestDocuments(DocumentRequest),
    Reject(Rejection),
    Approve {
        effective_date: NaiveDate,
        /// The agent confirmed that early-termination fees are charged where they apply.
        fees_confirmed: bool,
    },
    Note(String),
}

impl BulkAction {
    pub fn kind(&self) -> BulkKind {
        match self {
            BulkAction::Claim => BulkKind::Claim,
            BulkAction::Assign(_) => BulkKind::Assign,
            BulkAction::Priority(_) => BulkKind::Priority,
            BulkAction::RequestDocuments(_) => BulkKind::RequestDocuments,
            BulkAction::Reject(_) => BulkKind::Reject,
            BulkAction::Approve { .. } => BulkKind::Approve,
            BulkAction::Note(_) => BulkKind::Note,
        }
    }

    /// The lifecycle action behind it, when it changes state or assignment.
    fn lifecycle(&self) -> Option<Action> {
        match self {
            BulkAction::Claim => Some(Action::Claim),
            BulkAction::Assign(to) => Some(Action::Assign { to: *to }),
            BulkAction::RequestDocuments(_) => Some(Action::RequestDocuments),
            BulkAction::Reject(_) => Some(Action::Reject),
            BulkAction::Approve { .. } => Some(Action::Approve),
            BulkAction::Priority(_) | BulkAction::Note(_) => None,
        }
    }
}

/// Which cases: everything matching a queue filter (evaluated on the server), or cases picked
/// one by one, each with the version the agent saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Filter(super::queue::QueueQuery),
    Cases(Vec<(super::reference::CaseReference, i32)>),
}

/// One selected case as the evaluation sees it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub facts: CaseFacts,
    pub seen_version: i32,
    pub version: i32,
    pub min_term_end: Option<NaiveDate>,
    pub fee_minor: i64,
    pub priority: i16,
    /// Billing knows the line under the applicant's account (its fee and balance are real).
    pub billing_known: bool,
}

/// What will happen to one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// A state machine transition (state and assignee).
    Transition(Transition),
    /// No state change, but a change all the same (priority).
    Update,
    /// Only a history entry (a note).
    Note,
}

/// Why a selected case is left as it is, in the words the preview and the report use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Skip {
    #[error("changed since you selected it")]
    Changed,
    #[error("awaiting documents")]
    AwaitingDocuments,
    #[error("already {0}")]
    Final(&'static str),
    #[error("{0}")]
    NotInState(String),
    #[error("identity document not accepted")]
    IdentityNotAccepted,
    #[error("assigned to another agent")]
    AssignedToAnother,
    #[error("already assigned to you")]
    AlreadyYours,
    #[error("early-termination fee applies and was not confirmed")]
    FeeNotConfirmed,
    #[error("line not in billing under this account")]
    NotInBilling,
    #[error("already at this priority")]
    SamePriority,
    #[error("the case is closed")]
    Closed,
    #[error("not allowed for your role")]
    NotAllowed,
}

fn skip_for(refusal: Refusal) -> Skip {
    match refusal {
        Refusal::NotInThisState {
            state: State::AwaitingDocuments,
            ..
        } => Skip::AwaitingDocuments,
        Refusal::NotInThisState { state, .. } if !state.is_open() => Skip::Final(match state {
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
            _ => "withdrawn",
        }),
        Refusal::NotInThisState {
            state: State::Submitted,
            ..
        } => Skip::NotInState("not claimed yet".into()),
        Refusal::NotInThisState { state, .. } => Skip::NotInState(state.label().to_lowercase()),
        Refusal::AssignedToAnother => Skip::AssignedToAnother,
        Refusal::AlreadyYours => Skip::AlreadyYours,
        Refusal::IdentityNotAccepted => Skip::IdentityNotAccepted,
        Refusal::SupervisorOnly | Refusal::NotForAgents => Skip::NotAllowed,
        Refusal::NotUnderReview { .. } => Skip::Closed,
    }
}

/// Judges one selected case: what the action will do to it, or why it is skipped.
pub fn evaluate(action: &BulkAction, actor: Actor, case: Candidate) -> Result<Plan, Skip> {
    if case.version != case.seen_version {
        return Err(Skip::Changed);
    }
    let role = match actor {
        Actor::Agent { role, .. } => role,
        _ => return Err(Skip::NotAllowed),
    };
    if !action.kind().allowed_for(role) {
        return Err(Skip::NotAllowed);
    }
    if let Some(lifecycle) = action.lifecycle() {
        let t = transition(case.facts, actor, lifecycle).map_err(skip_for)?;
        if matches!(action, BulkAction::Approve { .. }) && !case.billing_known {
            return Err(Skip::NotInBilling);
        }
        if let BulkAction::Approve {
            effective_date,
            fees_confirmed,
        } = action
            && fee_applies(case.min_term_end, *effective_date, case.fee_minor)
            && !fees_confirmed
        {
            return Err(Skip::FeeNotConfirmed);
        }
        return Ok(Plan::Transition(t));
    }
    match action {
        BulkAction::Priority(_) if !case.facts.state.is_open() => Err(Skip::Closed),
        BulkAction::Priority(p) if *p == case.priority => Err(Skip::SamePriority),
        BulkAction::Priority(_) => Ok(Plan::Update),
        _ => Ok(Plan::Note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn candidate(state: State, assignee: Option<AgentId>) -> Candidate {
        Candidate {
            facts: CaseFacts {
                state,
                assignee,
                identity_accepted: true,
            },
            seen_version: 3,
            version: 3,
            min_term_end: None,
            fee_minor: 0,
            priority: 0,
            billing_known: true,
        }
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_same_rules_as_the_case_page_decide_each_case() {
        let plan = evaluate(
            &BulkAction::Claim,
            agent(),
            candidate(State::Submitted, None),
        )
        .unwrap();
        assert!(
            matches!(plan, Plan::Transition(t) if t.to == State::InReview && t.assignee == Some(ANN))
        );
        assert_eq!(
            evaluate(
                &BulkAction::Claim,
                agent(),
                candidate(State::InReview, Some(BOB))
            ),
            Err(Skip::AssignedToAnother)
        );
        let reject = BulkAction::Reject(Rejection {
            reason: super::super::request::RejectReason::DuplicateRequest,
            message: "dup".into(),
        });
        assert_eq!(
            evaluate(
                &reject,
                agent(),
                candidate(State::AwaitingDocuments, Some(ANN))
            ),
            Err(Skip::AwaitingDocuments)
        );
        assert_eq!(
            evaluate(&reject, agent(), candidate(State::Rejected, Some(ANN))),
            Err(Skip::Final("rejected"))
        );
    }

    #[test]
    fn a_case_changed_since_selection_is_skipped() {
        let mut c = candidate(State::Submitted, None);
        c.version = 4;
        assert_eq!(evaluate(&BulkAction::Claim, agent(), c), Err(Skip::Changed));
    }

    #[test]
    fn approval_needs_the_identity_document_and_confirmed_fees() {
        let approve = |fees_confirmed| BulkAction::Approve {
            effective_date: day("2026-12-01"),
            fees_confirmed,
        };
        let mut c = candidate(State::InReview, Some(ANN));
        c.facts.identity_accepted = false;
        assert_eq!(
            evaluate(&approve(true), agent(), c),
            Err(Skip::IdentityNotAccepted)
        );
        c.facts.identity_accepted = true;
        c.min_term_end = Some(day("2027-01-01"));
        c.fee_minor = 100;
        assert_eq!(
            evaluate(&approve(false), agent(), c),
            Err(Skip::FeeNotConfirmed)
        );
        assert!(evaluate(&approve(true), agent(), c).is_ok());
        c.billing_known = false;
        assert_eq!(
            evaluate(&approve(true), agent(), c),
            Err(Skip::NotInBilling)
        );
    }

    #[test]
    fn roles_limit_what_may_be_done_in_bulk() {
        let c = candidate(State::Submitted, None);
        assert_eq!(
            evaluate(&BulkAction::Assign(BOB), agent(), c),
            Err(Skip::NotAllowed)
        );
        assert_eq!(
            evaluate(&BulkAction::Priority(1), agent(), c),
            Err(Skip::NotAllowed)
        );
        assert_eq!(
            evaluate(&BulkAction::Priority(1), supervisor(), c),
            Ok(Plan::Update)
        );
        assert_eq!(
            evaluate(&BulkAction::Priority(0), supervisor(), c),
            Err(Skip::SamePriority)
        );
        assert_eq!(
            evaluate(
                &BulkAction::Note("x".into()),
                agent(),
                candidate(State::Rejected, None)
            ),
            Ok(Plan::Note)
        );
    }
}
