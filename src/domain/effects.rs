//! What a decision does to the cases it changes, written once for one case and for a thousand:
//! the columns it sets, the history event it writes and the notice the customer gets. The single
//! case (`workflow::decide`) and bulk triage (`bulk::apply`) both apply these effects, a single
//! case being a set of one.

use chrono::{DateTime, Utc};

use super::case::{CaseFacts, State, Transition};
use super::decision::Decision;
use super::document::{DocumentKind, Verdict};
use super::event::{EventDetails, EventKind};
use super::notice::NoticeKind;
use super::order::OrderResult;
use super::request::RejectReason;
use super::sla;

/// Columns every changed case gets alike; `None` keeps a column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub priority: Option<i16>,
    /// Pause the service-level clock now (`Some(true)`) or clear the pause (`Some(false)`).
    pub pause_sla: Option<bool>,
    pub documents_received: Option<bool>,
    pub effective_date: Option<chrono::NaiveDate>,
    pub decision_reason: Option<RejectReason>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Option<Vec<DocumentKind>>,
    /// The queue's "provisioning failed" flag.
    pub provisioning_failed: Option<bool>,
    /// The balance provisioning reported when the line ended.
    pub final_balance_minor: Option<i64>,
}

/// What happens to the refund the customer chose (nothing for other settlements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    Keep,
    /// Approved: the refund is opened with the balance billing knows, pending the line's end.
    Open,
    /// The line ended with this balance: the refund is due (nothing when it is not positive).
    Settle(i64),
    /// The approval is taken back: a pending refund is withdrawn.
    Withdraw,
}

/// What happens to the case's cancellation order (written in the decision's transaction: no
/// approval without its order, no order without its approval).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    Keep,
    /// A new order per case for its effective date: due at once when that is today (in the
    /// desk's time zone) or earlier, else waiting for the clock.
    Issue,
    /// Provisioning's result: the live order is done or failed.
    Finish(OrderResult),
    /// The decision is taken back: a live order that has not gone to provisioning is withdrawn.
    Withdraw,
}

/// What happens to the case's upload links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Links {
    Keep,
    /// A new link per case for these kinds, valid until the instant given.
    Issue(Vec<DocumentKind>, DateTime<Utc>),
    /// The customer answered: every link is used, unsent document requests are superseded.
    Answered,
    /// The request expired: its tokens in undelivered notices die.
    Dead,
    /// The customer withdrew: the links die with the case (the upload page answers 410 for a
    /// case no longer awaiting documents), and unsent document requests and reminders are
    /// superseded rather than ask for documents nobody needs any more.
    Withdrawn,
}

/// The effects of one decision, the same for every case it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effects {
    pub columns: Columns,
    /// False for notes: a colleague's remark should not turn everyone's open forms stale.
    pub bumps_version: bool,
    pub event: EventKind,
    /// The event records the states (false for changes beside the lifecycle: notes, verdicts,
    /// priority).
    pub records_states: bool,
    pub reason_code: Option<RejectReason>,
    pub message: Option<String>,
    pub details: EventDetails,
    pub links: Links,
    pub order: Order,
    pub refund: Refund,
    pub notice: Option<NoticeKind>,
}

/// What a decision's effects depend on besides the decision.
#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<Utc>,
    /// The desk's time zone: a deadline day ends at its midnight.
    pub tz: chrono_tz::Tz,
    pub sla_hours: i64,
    /// Looked up under the transaction: the assignee's name, the reviewed document's kind.
    pub assignee_name: Option<String>,
    pub document_kind: Option<DocumentKind>,
    /// The bulk operation this is part of (its public id).
    pub bulk: Option<String>,
}

/// A case as a change reads it (under its lock).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    pub id: i64,
    pub version: i32,
    pub facts: CaseFacts,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub documents_deadline: Option<DateTime<Utc>>,
}

/// One case's share of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    pub id: i64,
    pub from: State,
    pub to: State,
    pub assignee: Option<super::agent::AgentId>,
    /// A new due time (reopened: a fresh service level; documents back: the time left).
    pub sla_due_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub details: EventDetails,
}

/// The effects of `decision` (the same for every case it changes).
pub fn effects(decision: &Decision, cx: &Context) -> Effects {
    let mut fx = Effects {
        columns: Columns::default(),
        bumps_version: true,
        event: EventKind::Claimed,
        records_states: true,
        reason_code: None,
        message: None,
        details: EventDetails {
            bulk: cx.bulk.clone(),
            ..EventDetails::default()
        },
        links: Links::Keep,
        order: Order::Keep,
        refund: Refund::Keep,
        notice: None,
    };
    // A decision answers whatever the customer sent; the flag has served its purpose.
    let decided = |c: &mut Columns| c.documents_received = Some(false);
    match decision {
        Decision::Claim => {}
        Decision::Assign(to) => {
            fx.event = EventKind::Assigned;
            fx.details.assignee_id = Some(*to);
            fx.details.assignee_name = cx.assignee_name.clone();
        }
        Decision::Priority(p) => {
            fx.event = EventKind::PrioritySet;
            fx.records_states = false;
            fx.columns.priority = Some(*p);
            fx.details.priority = Some(*p);
        }
        Decision::Approve(a) => {
            fx.event = EventKind::Approved;
            decided(&mut fx.columns);
            fx.columns.effective_date = Some(a.effective_date);
            fx.details.effective_date = Some(a.effective_date);
            fx.order = Order::Issue;
            fx.refund = Refund::Open;
            fx.notice = Some(NoticeKind::Approved);
        }
        Decision::Reject(r) => {
            fx.event = EventKind::Rejected;
            decided(&mut fx.columns);
            fx.columns.decision_reason = Some(r.reason);
            fx.reason_code = Some(r.reason);
            fx.message = Some(r.message.clone());
            fx.notice = Some(NoticeKind::Rejected);
        }
        Decision::RequestDocuments(request) => {
            let deadline_at = sla::end_of_day(request.deadline, cx.tz);
            fx.event = EventKind::DocumentsRequested;
            decided(&mut fx.columns);
            // The service-level clock stops until the customer answers.
            fx.columns.pause_sla = Some(true);
            fx.columns.documents_deadline = Some(deadline_at);
            fx.columns.requested_kinds = Some(request.kinds.clone());
            fx.message = Some(request.message.clone());
            fx.details.kinds = request.kinds.clone();
            fx.details.deadline = Some(request.deadline);
            fx.links = Links::Issue(request.kinds.clone(), deadline_at);
            fx.notice = Some(NoticeKind::DocumentsRequested);
        }
        Decision::Reopen(reason) => {
            // Back in review with a fresh service-level clock (see `case_change`).
            fx.event = EventKind::Reopened;
            fx.columns.pause_sla = Some(false);
            fx.columns.provisioning_failed = Some(false);
            fx.order = Order::Withdraw;
            fx.refund = Refund::Withdraw;
            fx.message = Some(reason.clone());
        }
        Decision::Note(body) => {
            fx.event = EventKind::Note;
            fx.bumps_version = false;
            fx.records_states = false;
            fx.message = Some(body.clone());
        }
        Decision::Verdict {
            document_id,
            verdict,
        } => {
            fx.event = match verdict.verdict {
                Verdict::Accepted => EventKind::DocumentAccepted,
                _ => EventKind::DocumentRejected,
            };
            fx.records_states = false;
            fx.message = verdict.reason.clone();
            fx.details.document_id = Some(*document_id);
            fx.details.document_kind = cx.document_kind;
        }
        Decision::DocumentsReceived(kinds) => {
            // The case goes back to the queue with the time it had left (see `case_change`).
            fx.event = EventKind::DocumentsReceived;
            fx.columns.pause_sla = Some(false);
            fx.columns.documents_received = Some(true);
            fx.details.kinds = kinds.clone();
            fx.details.documents = Some(kinds.len());
            fx.links = Links::Answered;
        }
        Decision::Expire => {
            fx.event = EventKind::Expired;
            fx.links = Links::Dead;
            fx.notice = Some(NoticeKind::Expired);
        }
        Decision::Withdraw => {
            fx.event = EventKind::Withdrawn;
            // Nothing the customer sent is waiting for an agent any more.
            decided(&mut fx.columns);
            fx.links = Links::Withdrawn;
            fx.notice = Some(NoticeKind::Withdrawn);
        }
        Decision::Complete {
            cancelled_at,
            final_balance_minor,
        } => {
            fx.event = EventKind::Cancelled;
            fx.columns.provisioning_failed = Some(false);
            fx.columns.final_balance_minor = Some(*final_balance_minor);
            fx.details.cancelled_at = Some(*cancelled_at);
            fx.details.final_balance_minor = Some(*final_balance_minor);
            fx.order = Order::Finish(OrderResult::Done {
                cancelled_at: *cancelled_at,
                final_balance_minor: *final_balance_minor,
            });
            fx.refund = Refund::Settle(*final_balance_minor);
            fx.notice = Some(NoticeKind::Cancelled);
        }
        Decision::ProvisioningFailed(reason) => {
            // Internal: the customer's line is still to be ended; the desk acts (re-issues).
            fx.event = EventKind::ProvisioningFailed;
            fx.records_states = false;
            fx.columns.provisioning_failed = Some(true);
            fx.message = Some(reason.clone());
            fx.order = Order::Finish(OrderResult::Failed {
                reason: reason.clone(),
            });
        }
        Decision::ReissueOrder => {
            fx.event = EventKind::OrderReissued;
            fx.records_states = false;
            fx.columns.provisioning_failed = Some(false);
            fx.order = Order::Issue;
        }
    }
    fx
}

/// One case's share of `decision`, once the state machine allowed it (`t`).
pub fn case_change(
    decision: &Decision,
    case: &Snapshot,
    t: Transition,
    fx: &Effects,
    cx: &Context,
) -> CaseChange {
    let mut details = fx.details.clone();
    let sla_due_at = match decision {
        Decision::Approve(a) => {
            let fee = case.facts.fee_applies(a.effective_date);
            details.fee_confirmed = Some(fee);
            details.fee_minor = Some(if fee { case.facts.fee_minor } else { 0 });
            None
        }
        Decision::Expire => {
            details.deadline = case
                .documents_deadline
                .map(|d| d.with_timezone(&cx.tz).date_naive());
            None
        }
        Decision::Reopen(_) => Some(sla::due_at(cx.now, cx.sla_hours)),
        Decision::DocumentsReceived(_) => Some(match case.sla_paused_at {
            Some(paused) => sla::resumed_due_at(case.sla_due_at, paused, cx.now),
            None => case.sla_due_at,
        }),
        _ => None,
    };
    CaseChange {
        id: case.id,
        from: t.from,
        to: t.to,
        assignee: t.assignee,
        sla_due_at,
        version: case.version,
        details,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::agent::{AgentId, Role};
    use crate::domain::case::{Action, Actor, transition};
    use crate::domain::decision::Approval;
    use chrono::NaiveDate;

    fn cx() -> Context {
        Context {
            now: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            tz: chrono_tz::Asia::Jakarta,
            sla_hours: 48,
            assignee_name: None,
            document_kind: None,
            bulk: None,
        }
    }

    fn case(fee_minor: i64) -> Snapshot {
        Snapshot {
            id: 7,
            version: 3,
            facts: CaseFacts {
                min_term_end: NaiveDate::from_ymd_opt(2027, 6, 1),
                fee_minor,
                ..CaseFacts::sample(State::InReview, Some(AgentId(1)))
            },
            sla_due_at: cx().now,
            sla_paused_at: None,
            documents_deadline: None,
        }
    }

    #[test]
    fn an_approval_records_each_cases_own_fee_and_tells_the_customer() {
        let decision = Decision::Approve(Approval {
            effective_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            fee_confirmed: true,
        });
        let fx = effects(&decision, &cx());
        assert_eq!(fx.event, EventKind::Approved);
        assert_eq!(fx.notice, Some(NoticeKind::Approved));
        assert_eq!(fx.columns.documents_received, Some(false));
        let actor = Actor::Agent {
            id: AgentId(1),
            role: Role::Agent,
        };
        for fee in [0, 500] {
            let c = case(fee);
            let t = transition(c.facts, actor, decision.action()).unwrap();
            let change = case_change(&decision, &c, t, &fx, &cx());
            assert_eq!(change.details.fee_minor, Some(fee));
            assert_eq!(change.to, State::Approved);
        }
    }

    #[test]
    fn a_withdrawal_closes_an_undecided_case_kills_its_links_and_tells_the_customer() {
        let fx = effects(&Decision::Withdraw, &cx());
        assert_eq!(fx.event, EventKind::Withdrawn);
        assert_eq!(fx.links, Links::Withdrawn);
        assert_eq!(fx.notice, Some(NoticeKind::Withdrawn));
        assert!(fx.bumps_version && fx.records_states);
        let c = case(0);
        let t = transition(c.facts, Actor::Customer, Decision::Withdraw.action()).unwrap();
        assert_eq!(t.to, State::Withdrawn);
        let change = case_change(&Decision::Withdraw, &c, t, &fx, &cx());
        assert_eq!(
            (change.from, change.to),
            (State::InReview, State::Withdrawn)
        );
        // Only the customer withdraws, and only before a decision.
        assert!(transition(c.facts, Actor::System, Action::Withdraw).is_err());
        let mut decided = c.facts;
        decided.state = State::Approved;
        assert!(transition(decided, Actor::Customer, Action::Withdraw).is_err());
    }

    #[test]
    fn provisionings_result_finishes_the_order_and_only_done_tells_the_customer() {
        let at = cx().now;
        let done = Decision::Complete {
            cancelled_at: at,
            final_balance_minor: 1500,
        };
        let fx = effects(&done, &cx());
        assert_eq!(
            (fx.event, fx.notice),
            (EventKind::Cancelled, Some(NoticeKind::Cancelled))
        );
        assert_eq!(fx.columns.final_balance_minor, Some(1500));
        assert_eq!(fx.columns.provisioning_failed, Some(false));
        assert!(matches!(fx.order, Order::Finish(OrderResult::Done { .. })));
        assert_eq!(fx.refund, Refund::Settle(1500));
        let failed = effects(&Decision::ProvisioningFailed("port-out".into()), &cx());
        assert_eq!(
            (failed.event, failed.notice),
            (EventKind::ProvisioningFailed, None)
        );
        assert_eq!(failed.columns.provisioning_failed, Some(true));
        assert!(!failed.records_states);
        let reissued = effects(&Decision::ReissueOrder, &cx());
        assert_eq!(reissued.order, Order::Issue);
        // A new order is not a new refund.
        assert_eq!(reissued.refund, Refund::Keep);
        assert_eq!(reissued.columns.provisioning_failed, Some(false));
        // An approval writes its order; a reopening withdraws it.
        let approval = Decision::Approve(Approval {
            effective_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            fee_confirmed: false,
        });
        assert_eq!(effects(&approval, &cx()).order, Order::Issue);
        assert_eq!(effects(&approval, &cx()).refund, Refund::Open);
        assert_eq!(
            effects(&Decision::Reopen("typo".into()), &cx()).order,
            Order::Withdraw
        );
    }

    #[test]
    fn notes_keep_the_version_and_the_states_out_of_the_event() {
        let fx = effects(&Decision::Note("called".into()), &cx());
        assert!(!fx.bumps_version && !fx.records_states);
        assert_eq!(Decision::Note("x".into()).action(), Action::Note);
    }
}
