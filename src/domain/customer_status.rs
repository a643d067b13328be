//! A case's state said to the customer in plain words: where it stands and what happens next.
//! Only what the customer needs; nothing the desk notes internally.

use chrono::NaiveDate;

use super::case::State;
use super::document::DocumentKind;
use super::request::RejectReason;

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

#[derive(Debug, PartialEq, Eq)]
pub struct Explanation {
    pub headline: String,
    pub next: String,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub fn explain(facts: &CustomerFacts) -> Explanation {
    let (headline, next) = match facts.state {
        State::Submitted if facts.documents_received => (
            "We received the documents you sent".to_owned(),
            "An agent will check them; we will tell you our decision.".to_owned(),
        ),
        State::Submitted => (
            "Received, waiting for an agent".to_owned(),
            "Nothing to do for now: we will tell you our decision.".to_owned(),
        ),
        State::InReview => (
            "An agent is reviewing your application".to_owned(),
            "Nothing to do for now: we will tell you our decision.".to_owned(),
        ),
        State::AwaitingDocuments => {
            let kinds = facts
                .requested_kinds
                .iter()
                .map(|k| k.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(", ");
            let by = facts
                .documents_deadline
                .map(|d| format!(" by {}", day(d)))
                .unwrap_or_default();
            (
                "We need more documents from you".to_owned(),
                format!(
                    "Upload {kinds}{by} through the secure link we sent you. Without them the \
                     application closes."
                ),
            )
        }
        State::Approved => (
            match facts.effective_date {
                Some(d) => format!("Approved: your line ends on {}", day(d)),
                None => "Approved".to_owned(),
            },
            "Nothing to do: the line ends on that date and your balance is settled as you chose."
                .to_owned(),
        ),
        State::Cancelled => (
            match facts.effective_date {
                Some(d) => format!("Your line was cancelled on {}", day(d)),
                None => "Your line was cancelled".to_owned(),
            },
            "Nothing to do.".to_owned(),
        ),
        State::Rejected => (
            match facts.reject_reason {
                Some(reason) => format!("Not approved: {}", reason.label().to_lowercase()),
                None => "Not approved".to_owned(),
            },
            "Our message to you explains why. You may apply again.".to_owned(),
        ),
        State::Expired => (
            "Closed: the documents we asked for did not arrive in time".to_owned(),
            "If you still want to cancel the line, please apply again.".to_owned(),
        ),
        State::Withdrawn => (
            "Withdrawn at your request".to_owned(),
            "Nothing to do.".to_owned(),
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
    fn every_state_has_plain_words() {
        for state in State::ALL {
            let e = explain(&facts(state));
            assert!(!e.headline.is_empty() && !e.next.is_empty(), "{state:?}");
            assert!(!e.headline.contains('_'), "{state:?}: {}", e.headline);
        }
    }

    #[test]
    fn waiting_for_documents_names_them_and_the_deadline() {
        let e = explain(&facts(State::AwaitingDocuments));
        assert_eq!(e.headline, "We need more documents from you");
        assert!(
            e.next
                .contains("identity card, bank account proof by 9 December 2026")
        );
    }

    #[test]
    fn decisions_say_the_date_or_the_reason() {
        assert_eq!(
            explain(&facts(State::Approved)).headline,
            "Approved: your line ends on 31 December 2026"
        );
        assert_eq!(
            explain(&facts(State::Rejected)).headline,
            "Not approved: outstanding debt"
        );
    }
}
