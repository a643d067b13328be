//! A case's state said to the customer in plain words: where it stands and what happens next.
//! Only what the customer needs; nothing the desk notes internally.

use chrono::NaiveDate;

use super::case::State;
use super::document::DocumentKind;
use super::request::RejectReason;
pub use super::said::{Fill, Said};

/// The facts the explanation may use.
pub struct CustomerFacts<'a> {
    pub state: State,
    pub documents_received: bool,
    pub requested_kinds: &'a [DocumentKind],
    /// The deadline's day in the desk's time zone.
    pub documents_deadline: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    pub reject_reason: Option<RejectReason>,
}

fn said(id: &'static str) -> Said {
    Said::new(id)
}

#[derive(Debug, PartialEq, Eq)]
pub struct Explanation {
    pub headline: Said,
    pub next: Said,
}

pub fn explain(facts: &CustomerFacts) -> Explanation {
    let with = |id, name, fill| Said {
        id,
        args: vec![(name, fill)],
    };
    let (headline, next) = match facts.state {
        State::Submitted if facts.documents_received => (
            said("status-documents-received"),
            said("status-documents-received-next"),
        ),
        State::Submitted => (said("status-submitted"), said("status-wait")),
        State::InReview => (said("status-in-review"), said("status-wait")),
        State::AwaitingDocuments => {
            let kinds = Fill::Kinds(facts.requested_kinds.to_vec());
            let next = match facts.documents_deadline {
                Some(d) => Said {
                    id: "status-awaiting-next-by",
                    args: vec![("kinds", kinds), ("deadline", Fill::Date(d))],
                },
                None => with("status-awaiting-next", "kinds", kinds),
            };
            (said("status-awaiting"), next)
        }
        State::Approved => (
            match facts.effective_date {
                Some(d) => with("status-approved-on", "date", Fill::Date(d)),
                None => said("status-approved"),
            },
            said("status-approved-next"),
        ),
        State::Cancelled => (
            match facts.effective_date {
                Some(d) => with("status-cancelled-on", "date", Fill::Date(d)),
                None => said("status-cancelled"),
            },
            said("status-nothing-to-do"),
        ),
        State::Rejected => (
            match facts.reject_reason {
                Some(reason) => with("status-rejected-for", "reason", Fill::Reason(reason)),
                None => said("status-rejected"),
            },
            said("status-rejected-next"),
        ),
        State::Expired => (said("status-expired"), said("status-expired-next")),
        State::Withdrawn => (
            said("status-withdrawn-headline"),
            said("status-nothing-to-do"),
        ),
    };
    Explanation { headline, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(state: State) -> CustomerFacts<'static> {
        CustomerFacts {
            state,
            documents_received: false,
            requested_kinds: &[DocumentKind::IdentityCard, DocumentKind::BankAccountProof],
            documents_deadline: NaiveDate::from_ymd_opt(2026, 12, 9),
            effective_date: NaiveDate::from_ymd_opt(2026, 12, 31),
            reject_reason: Some(RejectReason::OutstandingDebt),
        }
    }

    #[test]
    fn every_state_has_its_words() {
        let ids: std::collections::BTreeSet<&str> = State::ALL
            .iter()
            .map(|s| explain(&facts(*s)).headline.id)
            .collect();
        assert_eq!(ids.len(), State::ALL.len(), "one headline per state");
    }

    #[test]
    fn waiting_for_documents_names_them_and_the_deadline() {
        let e = explain(&facts(State::AwaitingDocuments));
        assert_eq!(e.headline.id, "status-awaiting");
        assert_eq!(
            e.next.args,
            vec![
                (
                    "kinds",
                    Fill::Kinds(vec![
                        DocumentKind::IdentityCard,
                        DocumentKind::BankAccountProof
                    ])
                ),
                (
                    "deadline",
                    Fill::Date(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap())
                ),
            ]
        );
        let mut no_deadline = facts(State::AwaitingDocuments);
        no_deadline.documents_deadline = None;
        assert_eq!(explain(&no_deadline).next.id, "status-awaiting-next");
    }

    #[test]
    fn decisions_say_the_date_or_the_reason() {
        let approved = explain(&facts(State::Approved)).headline;
        assert_eq!(approved.id, "status-approved-on");
        assert_eq!(
            approved.args,
            vec![(
                "date",
                Fill::Date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
            )]
        );
        assert_eq!(
            explain(&facts(State::Rejected)).headline.args,
            vec![("reason", Fill::Reason(RejectReason::OutstandingDebt))]
        );
    }
}
