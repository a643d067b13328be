//! The lifecycle of a cancellation case as one pure state machine.
//!
//! Every change of a case's state, from a single decision on the case page to bulk triage or a
//! background job, asks [`transition`] first. It knows nothing of HTTP or SQL: it takes the facts
//! it needs ([`CaseFacts`]: state, assignee, and what approval depends on) and returns either the
//! new state (and assignee) or the reason the action is refused. Every eligibility rule lives
//! here, so the case page, bulk triage and the jobs cannot disagree.
//!
//! `Withdraw` is the customer taking back an undecided application (the status page and the
//! intake API, `crate::withdrawal`). `Complete` and `ProvisioningFailed` are provisioning's
//! result for an approved case's cancellation order, `ReissueOrder` a supervisor's answer to a
//! failure (`crate::provisioning`).

use super::said::{Fill, Said};
use std::fmt;

use chrono::NaiveDate;

use super::agent::{AgentId, Role};
use super::order::OrderStatus;

/// Where a case stands. The database stores [`State::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Submitted,
    InReview,
    AwaitingDocuments,
    Approved,
    Rejected,
    Cancelled,
    Expired,
    Withdrawn,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Submitted,
        State::InReview,
        State::AwaitingDocuments,
        State::Approved,
        State::Rejected,
        State::Cancelled,
        State::Expired,
        State::Withdrawn,
    ];

    /// The states an agent has to act on: the queue's default view.
    pub const NEEDS_ACTION: [State; 2] = [State::Submitted, State::InReview];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Submitted => "submitted",
            State::InReview => "in_review",
            State::AwaitingDocuments => "awaiting_documents",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Cancelled => "cancelled",
            State::Expired => "expired",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(value: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// How the desk names the state on screen.
    pub fn label(self) -> &'static str {
        match self {
            State::Submitted => "Submitted",
            State::InReview => "In review",
            State::AwaitingDocuments => "Awaiting documents",
            State::Approved => "Approved",
            State::Rejected => "Rejected",
            State::Cancelled => "Cancelled",
            State::Expired => "Expired",
            State::Withdrawn => "Withdrawn",
        }
    }

    /// Its message in `locales/<tag>/labels.ftl`, e.g. `State-in_review`.
    pub fn message_id(self) -> &'static str {
        match self {
            State::Submitted => "State-submitted",
            State::InReview => "State-in_review",
            State::AwaitingDocuments => "State-awaiting_documents",
            State::Approved => "State-approved",
            State::Rejected => "State-rejected",
            State::Cancelled => "State-cancelled",
            State::Expired => "State-expired",
            State::Withdrawn => "State-withdrawn",
        }
    }

    /// Still waiting for a decision (by the desk or by the customer).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Submitted | State::InReview | State::AwaitingDocuments
        )
    }

    /// The service-level clock does not run while the customer owes us documents.
    pub fn sla_paused(self) -> bool {
        self == State::AwaitingDocuments
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Agent {
        id: AgentId,
        role: Role,
    },
    Customer,
    /// Scheduled jobs: deadlines and effective dates.
    System,
}

impl Actor {
    fn agent(self) -> Option<(AgentId, Role)> {
        match self {
            Actor::Agent { id, role } => Some((id, role)),
            _ => None,
        }
    }
}

/// Everything that can happen to a case's state or assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The acting agent takes the case.
    Claim,
    /// A supervisor gives the case to an agent.
    Assign {
        to: AgentId,
    },
    /// Approve with this effective date; `fee_confirmed`: the agent confirmed that the
    /// early-termination fee is charged where it applies.
    Approve {
        effective_date: NaiveDate,
        fee_confirmed: bool,
    },
    Reject,
    RequestDocuments,
    /// A supervisor marks the case high (1) or normal (0) priority.
    SetPriority(i16),
    /// An agent gives a verdict on one of the case's documents (part of the review).
    Review,
    /// An internal note: any agent, any state.
    Note,
    /// The customer uploaded what was asked for.
    DocumentsReceived,
    /// The customer did not answer a document request by its deadline.
    Expire,
    /// The customer withdrew before a decision.
    Withdraw,
    /// Provisioning reports the line ended (the cancellation order is done).
    Complete,
    /// Provisioning reports it could not end the line (or the order could not be delivered).
    ProvisioningFailed,
    /// A supervisor issues a new order after a failed one.
    ReissueOrder,
    /// A supervisor takes back a final decision (with a recorded reason).
    Reopen,
}

/// What the state machine needs to know about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub state: State,
    pub assignee: Option<AgentId>,
    /// An identity document has been checked and accepted by an agent.
    pub identity_accepted: bool,
    /// Billing knows the line under the applicant's account, so its fee and balance are real.
    pub billing_known: bool,
    /// The contract's minimum-term end and early-termination fee (minor units).
    pub min_term_end: Option<NaiveDate>,
    pub fee_minor: i64,
    pub priority: i16,
    /// The state of the case's latest cancellation order (approved cases have one).
    pub order: Option<OrderStatus>,
}

impl CaseFacts {
    /// A case in `state` with every approval fact in order and no fee: the tests' starting point.
    #[cfg(test)]
    pub fn sample(state: State, assignee: Option<AgentId>) -> CaseFacts {
        CaseFacts {
            state,
            assignee,
            identity_accepted: true,
            billing_known: true,
            min_term_end: None,
            fee_minor: 0,
            priority: 0,
            order: None,
        }
    }

    pub fn fee_applies(&self, effective: NaiveDate) -> bool {
        fee_applies(self.min_term_end, effective, self.fee_minor)
    }
}

/// The early-termination fee applies when the contract's minimum term ends after the line does.
pub fn fee_applies(min_term_end: Option<NaiveDate>, effective: NaiveDate, fee_minor: i64) -> bool {
    fee_minor > 0 && min_term_end.is_some_and(|end| end > effective)
}

/// The outcome of an allowed action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: State,
    pub to: State,
    pub assignee: Option<AgentId>,
}

/// Why an action is refused. The text is shown to agents as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("a case that is {} cannot be {}", state_phrase(.state), action_phrase(.action))]
    NotInThisState { state: State, action: Action },
    #[error("the case is assigned to another agent")]
    AssignedToAnother,
    #[error("the case is already assigned to you")]
    AlreadyYours,
    #[error("only a supervisor may do this")]
    SupervisorOnly,
    #[error("the identity document has not been accepted yet")]
    IdentityNotAccepted,
    #[error("this step is not taken by an agent")]
    NotForAgents,
    #[error("documents are checked while the case is in review, and this case is {}", state_phrase(.state))]
    NotUnderReview { state: State },
    #[error(
        "billing does not know this line under this account, so its fee and balance are not known: it cannot be approved. Reject it, or ask for proof of ownership"
    )]
    NotInBilling,
    #[error("the early-termination fee applies: confirm that it will be charged")]
    FeeNotConfirmed,
    #[error("the case is already at this priority")]
    SamePriority,
    #[error("the case is closed")]
    Closed,
    #[error("the cancellation order is with provisioning, which has not reported a result")]
    OrderWithProvisioning,
    #[error("provisioning has not been sent this case's order yet")]
    OrderNotDue,
    #[error("no cancellation order of this case has failed")]
    NoFailedOrder,
}

impl Refusal {
    /// What the desk tells the agent, as a message (`locales/<tag>/case.ftl`). The `Display`
    /// text stays English for logs and the API.
    pub fn said(self) -> Said {
        match self {
            Refusal::NotInThisState { state, action } => {
                Said::with("refusal-not-in-this-state", "state", Fill::StateName(state))
                    .fill("action", Fill::Message(action_message(action)))
            }
            Refusal::AssignedToAnother => Said::new("refusal-assigned-to-another"),
            Refusal::AlreadyYours => Said::new("refusal-already-yours"),
            Refusal::SupervisorOnly => Said::new("refusal-supervisor-only"),
            Refusal::IdentityNotAccepted => Said::new("refusal-identity-not-accepted"),
            Refusal::NotForAgents => Said::new("refusal-not-for-agents"),
            Refusal::NotUnderReview { state } => {
                Said::with("refusal-not-under-review", "state", Fill::StateName(state))
            }
            Refusal::NotInBilling => Said::new("refusal-not-in-billing"),
            Refusal::FeeNotConfirmed => Said::new("refusal-fee-not-confirmed"),
            Refusal::SamePriority => Said::new("refusal-same-priority"),
            Refusal::Closed => Said::new("refusal-closed"),
            Refusal::OrderWithProvisioning => Said::new("refusal-order-with-provisioning"),
            Refusal::OrderNotDue => Said::new("refusal-order-not-due"),
            Refusal::NoFailedOrder => Said::new("refusal-no-failed-order"),
        }
    }
}

/// The action inside "a case that is … cannot be <action>".
fn action_message(action: Action) -> &'static str {
    match action {
        Action::RequestDocuments => "action-request-documents",
        Action::DocumentsReceived => "action-documents-received",
        Action::Complete => "action-complete",
        Action::ProvisioningFailed => "action-provisioning-failed",
        Action::ReissueOrder => "action-reissue-order",
        Action::Assign { .. } => "action-assign",
        Action::Claim => "action-claim",
        Action::Approve { .. } => "action-approve",
        Action::Reject => "action-reject",
        Action::SetPriority(_) => "action-set-priority",
        Action::Review => "action-review",
        Action::Note => "action-note",
        Action::Expire => "action-expire",
        Action::Withdraw => "action-withdraw",
        Action::Reopen => "action-reopen",
    }
}

fn state_phrase(state: &State) -> String {
    state.label().to_lowercase()
}

fn action_phrase(action: &Action) -> String {
    match action {
        Action::RequestDocuments => "sent a document request".into(),
        Action::DocumentsReceived => "given new documents".into(),
        Action::Complete => "completed".into(),
        Action::ProvisioningFailed => "marked as failed by provisioning".into(),
        Action::ReissueOrder => "given a new cancellation order".into(),
        Action::Assign { .. } => "assigned".into(),
        Action::Claim => "claimed".into(),
        Action::Approve { .. } => "approved".into(),
        Action::Reject => "rejected".into(),
        Action::SetPriority(_) => "given a priority".into(),
        Action::Review => "reviewed".into(),
        Action::Note => "annotated".into(),
        Action::Expire => "expired".into(),
        Action::Withdraw => "withdrawn".into(),
        Action::Reopen => "reopened".into(),
    }
}

/// Whether the customer may still withdraw a case in `state`: only before a decision. The
/// status page offers the withdrawal only then; [`transition`] keeps to the same rule.
pub fn withdrawable(state: State) -> bool {
    matches!(
        state,
        State::Submitted | State::InReview | State::AwaitingDocuments
    )
}

/// Decides whether `actor` may apply `action` to a case with `facts`, and what follows.
pub fn transition(facts: CaseFacts, actor: Actor, action: Action) -> Result<Transition, Refusal> {
    use State::*;
    let from = facts.state;
    let refuse = Err(Refusal::NotInThisState {
        state: from,
        action,
    });
    let to = |to: State, assignee: Option<AgentId>| Ok(Transition { from, to, assignee });

    match action {
        Action::Claim => {
            let (me, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            let next = match from {
                Submitted => InReview,
                InReview | AwaitingDocuments => from,
                _ => return refuse,
            };
            match facts.assignee {
                Some(owner) if owner == me && from != Submitted => Err(Refusal::AlreadyYours),
                Some(owner) if owner != me && role != Role::Supervisor => {
                    Err(Refusal::AssignedToAnother)
                }
                _ => to(next, Some(me)),
            }
        }
        Action::Assign { to: agent } => {
            let (_, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if role != Role::Supervisor {
                return Err(Refusal::SupervisorOnly);
            }
            match from {
                Submitted => to(InReview, Some(agent)),
                InReview | AwaitingDocuments => to(from, Some(agent)),
                _ => refuse,
            }
        }
        Action::Approve { .. } | Action::Reject | Action::RequestDocuments => {
            let (me, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if from != InReview {
                return refuse;
            }
            if facts.assignee.is_some_and(|owner| owner != me) && role != Role::Supervisor {
                return Err(Refusal::AssignedToAnother);
            }
            let next = match action {
                Action::Approve { .. } if !facts.identity_accepted => {
                    return Err(Refusal::IdentityNotAccepted);
                }
                Action::Approve { .. } if !facts.billing_known => {
                    return Err(Refusal::NotInBilling);
                }
                Action::Approve {
                    effective_date,
                    fee_confirmed: false,
                } if facts.fee_applies(effective_date) => {
                    return Err(Refusal::FeeNotConfirmed);
                }
                Action::Approve { .. } => Approved,
                Action::Reject => Rejected,
                _ => AwaitingDocuments,
            };
            to(next, facts.assignee.or(Some(me)))
        }
        Action::SetPriority(priority) => {
            let (_, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if role != Role::Supervisor {
                Err(Refusal::SupervisorOnly)
            } else if !from.is_open() {
                Err(Refusal::Closed)
            } else if priority == facts.priority {
                Err(Refusal::SamePriority)
            } else {
                to(from, facts.assignee)
            }
        }
        // Checking documents is part of the review: in review, by the case's agent or a
        // supervisor.
        Action::Review => {
            let (me, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if from != InReview {
                return Err(Refusal::NotUnderReview { state: from });
            }
            if facts.assignee.is_some_and(|owner| owner != me) && role != Role::Supervisor {
                return Err(Refusal::AssignedToAnother);
            }
            to(from, facts.assignee)
        }
        Action::Note => {
            actor.agent().ok_or(Refusal::NotForAgents)?;
            to(from, facts.assignee)
        }
        Action::DocumentsReceived => match (actor, from) {
            (Actor::Customer, AwaitingDocuments) => to(Submitted, facts.assignee),
            (Actor::Customer, _) => refuse,
            _ => Err(Refusal::NotForAgents),
        },
        Action::Withdraw => match (actor, from) {
            (Actor::Customer, from) if withdrawable(from) => to(Withdrawn, facts.assignee),
            (Actor::Customer, _) => refuse,
            _ => Err(Refusal::NotForAgents),
        },
        Action::Expire => match (actor, from) {
            (Actor::System, AwaitingDocuments) => to(Expired, facts.assignee),
            (Actor::System, _) => refuse,
            _ => Err(Refusal::NotForAgents),
        },
        // Provisioning answers for an order it has in hand (pushed, acknowledged, or due and
        // so visible to polling systems): the line ended, or it could not be ended.
        Action::Complete | Action::ProvisioningFailed => match (actor, from, facts.order) {
            (Actor::System, Approved, Some(order)) if order.awaits_result() => {
                let next = if action == Action::Complete {
                    Cancelled
                } else {
                    Approved
                };
                to(next, facts.assignee)
            }
            (Actor::System, Approved, _) => Err(Refusal::OrderNotDue),
            (Actor::System, _, _) => refuse,
            _ => Err(Refusal::NotForAgents),
        },
        Action::ReissueOrder => {
            let (_, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if role != Role::Supervisor {
                return Err(Refusal::SupervisorOnly);
            }
            match (from, facts.order) {
                (Approved, Some(OrderStatus::Failed)) => to(Approved, facts.assignee),
                (Approved, _) => Err(Refusal::NoFailedOrder),
                _ => refuse,
            }
        }
        Action::Reopen => {
            let (me, role) = actor.agent().ok_or(Refusal::NotForAgents)?;
            if role != Role::Supervisor {
                return Err(Refusal::SupervisorOnly);
            }
            match from {
                // Provisioning may be ending the line right now: wait for its result.
                Approved if facts.order.is_some_and(OrderStatus::in_flight) => {
                    Err(Refusal::OrderWithProvisioning)
                }
                Approved | Rejected | Cancelled | Expired => {
                    to(InReview, facts.assignee.or(Some(me)))
                }
                _ => refuse,
            }
        }
    }
}

// Read from JSON by its stored name: the case page reads its history as JSON aggregated by
// PostgreSQL (`store::cases::find_for_page`).
super::labels::deserialize_by_parse!(State);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ANN: AgentId = AgentId(1);
    const BOB: AgentId = AgentId(2);
    const SUE: AgentId = AgentId(3);

    fn agent(id: AgentId) -> Actor {
        Actor::Agent {
            id,
            role: Role::Agent,
        }
    }
    fn supervisor() -> Actor {
        Actor::Agent {
            id: SUE,
            role: Role::Supervisor,
        }
    }
    fn facts(state: State, assignee: Option<AgentId>) -> CaseFacts {
        CaseFacts::sample(state, assignee)
    }

    const APPROVE: Action = Action::Approve {
        effective_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        fee_confirmed: false,
    };

    #[test]
    fn claiming_a_submitted_case_puts_it_in_review_with_the_claimant() {
        let t = transition(facts(State::Submitted, None), agent(ANN), Action::Claim).unwrap();
        assert_eq!((t.to, t.assignee), (State::InReview, Some(ANN)));
    }

    #[test]
    fn an_agent_cannot_claim_a_case_assigned_to_someone_else() {
        let r = transition(facts(State::InReview, Some(BOB)), agent(ANN), Action::Claim);
        assert_eq!(r, Err(Refusal::AssignedToAnother));
        let r = transition(facts(State::InReview, Some(ANN)), agent(ANN), Action::Claim);
        assert_eq!(r, Err(Refusal::AlreadyYours));
    }

    #[test]
    fn returned_documents_put_the_case_back_to_its_assignee_who_may_claim_it_again() {
        let t = transition(
            facts(State::AwaitingDocuments, Some(ANN)),
            Actor::Customer,
            Action::DocumentsReceived,
        )
        .unwrap();
        assert_eq!((t.to, t.assignee), (State::Submitted, Some(ANN)));
        let t = transition(facts(t.to, t.assignee), agent(ANN), Action::Claim).unwrap();
        assert_eq!(t.to, State::InReview);
    }

    #[test]
    fn approval_needs_an_accepted_identity_document() {
        let mut f = facts(State::InReview, Some(ANN));
        f.identity_accepted = false;
        assert_eq!(
            transition(f, agent(ANN), APPROVE),
            Err(Refusal::IdentityNotAccepted)
        );
        f.identity_accepted = true;
        assert_eq!(
            transition(f, agent(ANN), APPROVE).unwrap().to,
            State::Approved
        );
    }

    #[test]
    fn approval_needs_a_line_billing_knows_and_a_confirmed_fee() {
        let mut f = facts(State::InReview, Some(ANN));
        f.billing_known = false;
        assert_eq!(
            transition(f, agent(ANN), APPROVE),
            Err(Refusal::NotInBilling)
        );
        f.billing_known = true;
        f.min_term_end = NaiveDate::from_ymd_opt(2027, 1, 1);
        f.fee_minor = 100;
        assert_eq!(
            transition(f, agent(ANN), APPROVE),
            Err(Refusal::FeeNotConfirmed)
        );
        let confirmed = Action::Approve {
            effective_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            fee_confirmed: true,
        };
        assert!(transition(f, agent(ANN), confirmed).is_ok());
    }

    #[test]
    fn priority_is_a_supervisors_change_of_an_open_case() {
        let f = facts(State::InReview, None);
        assert_eq!(
            transition(f, agent(ANN), Action::SetPriority(1)),
            Err(Refusal::SupervisorOnly)
        );
        assert_eq!(
            transition(f, supervisor(), Action::SetPriority(0)),
            Err(Refusal::SamePriority)
        );
        assert!(transition(f, supervisor(), Action::SetPriority(1)).is_ok());
        assert_eq!(
            transition(
                facts(State::Rejected, None),
                supervisor(),
                Action::SetPriority(1)
            ),
            Err(Refusal::Closed)
        );
    }

    #[test]
    fn decisions_are_taken_in_review_only() {
        for state in [State::Submitted, State::AwaitingDocuments, State::Rejected] {
            for action in [APPROVE, Action::Reject, Action::RequestDocuments] {
                assert_eq!(
                    transition(facts(state, Some(ANN)), agent(ANN), action),
                    Err(Refusal::NotInThisState { state, action })
                );
            }
        }
    }

    #[test]
    fn only_a_supervisor_assigns_and_reopens() {
        let assign = Action::Assign { to: BOB };
        assert_eq!(
            transition(facts(State::Submitted, None), agent(ANN), assign),
            Err(Refusal::SupervisorOnly)
        );
        let t = transition(facts(State::Submitted, None), supervisor(), assign).unwrap();
        assert_eq!((t.to, t.assignee), (State::InReview, Some(BOB)));
        assert_eq!(
            transition(
                facts(State::Rejected, Some(ANN)),
                agent(ANN),
                Action::Reopen
            ),
            Err(Refusal::SupervisorOnly)
        );
        let t = transition(
            facts(State::Rejected, Some(ANN)),
            supervisor(),
            Action::Reopen,
        );
        assert_eq!(t.unwrap().to, State::InReview);
    }

    #[test]
    fn documents_are_checked_in_review_by_the_case_agent() {
        assert_eq!(
            transition(
                facts(State::InReview, Some(ANN)),
                agent(ANN),
                Action::Review
            )
            .map(|_| ()),
            Ok(())
        );
        assert_eq!(
            transition(
                facts(State::InReview, Some(ANN)),
                agent(BOB),
                Action::Review
            )
            .map(|_| ()),
            Err(Refusal::AssignedToAnother)
        );
        assert_eq!(
            transition(
                facts(State::InReview, Some(ANN)),
                supervisor(),
                Action::Review
            )
            .map(|_| ()),
            Ok(())
        );
        assert_eq!(
            transition(facts(State::Submitted, None), agent(ANN), Action::Review).map(|_| ()),
            Err(Refusal::NotUnderReview {
                state: State::Submitted
            })
        );
    }

    fn approved(order: Option<OrderStatus>) -> CaseFacts {
        CaseFacts {
            order,
            ..facts(State::Approved, Some(ANN))
        }
    }

    #[test]
    fn provisioning_ends_the_line_only_for_an_order_it_has_in_hand() {
        for status in [
            OrderStatus::Due,
            OrderStatus::Sent,
            OrderStatus::Acknowledged,
        ] {
            let t = transition(approved(Some(status)), Actor::System, Action::Complete).unwrap();
            assert_eq!(t.to, State::Cancelled);
            let t = transition(
                approved(Some(status)),
                Actor::System,
                Action::ProvisioningFailed,
            )
            .unwrap();
            assert_eq!(t.to, State::Approved);
        }
        for status in [None, Some(OrderStatus::Waiting), Some(OrderStatus::Failed)] {
            assert_eq!(
                transition(approved(status), Actor::System, Action::Complete),
                Err(Refusal::OrderNotDue)
            );
        }
        assert_eq!(
            transition(
                approved(Some(OrderStatus::Sent)),
                supervisor(),
                Action::Complete
            ),
            Err(Refusal::NotForAgents)
        );
    }

    #[test]
    fn only_a_supervisor_reissues_and_only_after_a_failure() {
        let failed = approved(Some(OrderStatus::Failed));
        assert_eq!(
            transition(failed, supervisor(), Action::ReissueOrder)
                .unwrap()
                .to,
            State::Approved
        );
        assert_eq!(
            transition(failed, agent(ANN), Action::ReissueOrder),
            Err(Refusal::SupervisorOnly)
        );
        assert_eq!(
            transition(
                approved(Some(OrderStatus::Sent)),
                supervisor(),
                Action::ReissueOrder
            ),
            Err(Refusal::NoFailedOrder)
        );
    }

    #[test]
    fn an_approval_is_not_reopened_while_provisioning_has_its_order() {
        assert_eq!(
            transition(
                approved(Some(OrderStatus::Acknowledged)),
                supervisor(),
                Action::Reopen
            ),
            Err(Refusal::OrderWithProvisioning)
        );
        for status in [OrderStatus::Waiting, OrderStatus::Due, OrderStatus::Failed] {
            let t = transition(approved(Some(status)), supervisor(), Action::Reopen).unwrap();
            assert_eq!(t.to, State::InReview);
        }
    }

    #[test]
    fn refusals_read_as_plain_sentences() {
        let r = transition(facts(State::Approved, None), agent(ANN), Action::Reject).unwrap_err();
        assert_eq!(r.to_string(), "a case that is approved cannot be rejected");
    }

    #[test]
    fn the_state_names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
        assert_eq!(State::parse("deleted"), None);
    }

    // The diagram in PRODUCT.md, written out independently of `transition`.
    fn diagram_allows(from: State, to: State) -> bool {
        use State::*;
        matches!(
            (from, to),
            (Submitted, InReview)
                | (InReview, InReview)
                | (AwaitingDocuments, AwaitingDocuments)
                | (InReview, Approved)
                | (InReview, Rejected)
                | (InReview, AwaitingDocuments)
                | (AwaitingDocuments, Submitted)
                | (AwaitingDocuments, Expired)
                | (Approved, Cancelled)
                // Provisioning failed, or a supervisor re-issued the order.
                | (Approved, Approved)
                | (Submitted | InReview | AwaitingDocuments, Withdrawn)
                // A supervisor's recorded reopening of a decision.
                | (Approved | Rejected | Cancelled | Expired, InReview)
        )
    }

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![
            Just(agent(ANN)),
            Just(agent(BOB)),
            Just(supervisor()),
            Just(Actor::Customer),
            Just(Actor::System),
        ]
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::Claim),
            Just(Action::Assign { to: ANN }),
            Just(Action::Assign { to: BOB }),
            Just(APPROVE),
            Just(Action::Reject),
            Just(Action::RequestDocuments),
            Just(Action::DocumentsReceived),
            Just(Action::Expire),
            Just(Action::Withdraw),
            Just(Action::Complete),
            Just(Action::ProvisioningFailed),
            Just(Action::ReissueOrder),
            Just(Action::Reopen),
        ]
    }

    fn any_order() -> impl Strategy<Value = Option<OrderStatus>> {
        prop_oneof![
            Just(None),
            proptest::sample::select(OrderStatus::ALL).prop_map(Some)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// No sequence of actions, by anyone, reaches a state along an edge the diagram lacks.
        #[test]
        fn no_sequence_leaves_the_diagram(
            steps in proptest::collection::vec((any_actor(), any_action(), any::<bool>(), any_order()), 1..40)
        ) {
            let mut case = facts(State::Submitted, None);
            for (actor, action, identity_accepted, order) in steps {
                case.identity_accepted = identity_accepted;
                case.order = order;
                if let Ok(t) = transition(case, actor, action) {
                    prop_assert_eq!(t.from, case.state);
                    prop_assert!(diagram_allows(t.from, t.to), "{:?} -> {:?} by {:?}", t.from, t.to, action);
                    if t.to == State::Approved && t.from != State::Approved {
                        prop_assert!(identity_accepted);
                    }
                    // Final decisions are left only by a supervisor's reopening.
                    if matches!(t.from, State::Rejected | State::Cancelled | State::Expired | State::Withdrawn) {
                        prop_assert_eq!(action, Action::Reopen);
                        prop_assert_eq!(actor, supervisor());
                    }
                    prop_assert!(t.to != State::Withdrawn || actor == Actor::Customer);
                    // The line ends only on provisioning's word about an order it has.
                    if t.to == State::Cancelled && t.from == State::Approved {
                        prop_assert!(actor == Actor::System && order.is_some_and(OrderStatus::awaits_result));
                    }
                    // A decision is not taken back while provisioning may be ending the line.
                    if action == Action::Reopen && t.from == State::Approved {
                        prop_assert!(!order.is_some_and(OrderStatus::in_flight));
                    }
                    case.state = t.to;
                    case.assignee = t.assignee;
                }
            }
        }
    }
}
