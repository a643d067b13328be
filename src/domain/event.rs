//! The case history's vocabulary: what kind of event, who acted, and the event's details as a
//! typed value (stored as JSON in `case_events.details`; read back through the same struct).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::agent::AgentId;
use super::document::DocumentKind;
use super::labels::labelled_enum;
use super::request::Channel;
use super::said::{Fill, Said};

labelled_enum! {
    /// What happened; the label is the timeline's title.
    pub enum EventKind {
        Submitted => ("submitted", "Application received"),
        Claimed => ("claimed", "Claimed"),
        Assigned => ("assigned", "Assigned"),
        PrioritySet => ("priority_set", "Priority set"),
        Approved => ("approved", "Approved"),
        Rejected => ("rejected", "Rejected"),
        DocumentsRequested => ("documents_requested", "Documents requested"),
        DocumentsReceived => ("documents_received", "Documents received"),
        DocumentAccepted => ("document_accepted", "Document accepted"),
        DocumentRejected => ("document_rejected", "Document rejected"),
        Note => ("note", "Internal note"),
        Expired => ("expired", "Expired: no answer by the deadline"),
        Withdrawn => ("withdrawn", "Withdrawn by the customer"),
        Cancelled => ("cancelled", "Line cancelled: provisioning ended it"),
        ProvisioningFailed => ("provisioning_failed", "Provisioning failed"),
        OrderReissued => ("order_reissued", "Cancellation order re-issued"),
        BillingMatched => ("billing_matched", "Billing now knows this line: its contract facts are filled in"),
        Reopened => ("reopened", "Reopened"),
        DocumentsRemoved => ("documents_removed", "Documents removed under the retention policy"),
        LegalHoldPlaced => ("legal_hold_placed", "Legal hold placed"),
        LegalHoldLifted => ("legal_hold_lifted", "Legal hold lifted"),
    }
}

labelled_enum! {
    /// Who an event (or an uploaded document) came from.
    pub enum ActorKind {
        Agent => ("agent", "Agent"),
        Customer => ("customer", "Customer"),
        System => ("system", "System"),
    }
}

/// What an event records beyond its kind, states, reason and message. Every field is optional:
/// each kind fills its own (absent fields are not written).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventDetails {
    /// The bulk operation (public id) the event was part of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// How many documents came with an application or an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<AgentId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_confirmed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fee_minor: Option<i64>,
    /// Documents asked for (a request) or sent (an answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<DocumentKind>,
    /// The day the agent chose as a document request's deadline (or, on expiry, the deadline's
    /// day; older rows stored the instant, whose date is taken).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "date_or_instant"
    )]
    pub deadline: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_kind: Option<DocumentKind>,
    /// The documents whose bytes the retention job removed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed_documents: Vec<i64>,
    /// When provisioning ended the line, and the balance it reported then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_balance_minor: Option<i64>,
    /// The retention period in force when documents were removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
}

impl EventKind {
    /// The timeline's title of an event of this kind: its label, told more precisely where the
    /// details say more (to whom, which document, which priority).
    pub fn title(self, details: &EventDetails) -> Said {
        match self {
            EventKind::Assigned => match &details.assignee_name {
                Some(name) => Said::with("event-assigned-to", "agent", Fill::Text(name.clone())),
                None => Said::new("event-assigned-to-someone"),
            },
            EventKind::DocumentAccepted | EventKind::DocumentRejected => {
                let accepted = self == EventKind::DocumentAccepted;
                match (details.document_kind, accepted) {
                    (Some(kind), true) => {
                        Said::with("event-document-accepted", "kind", Fill::Kind(kind))
                    }
                    (Some(kind), false) => {
                        Said::with("event-document-rejected", "kind", Fill::Kind(kind))
                    }
                    (None, _) => Said::new(self.message_id()),
                }
            }
            EventKind::PrioritySet => match details.priority {
                Some(p) if p > 0 => Said::new("event-priority-high"),
                _ => Said::new("event-priority-normal"),
            },
            _ => Said::new(self.message_id()),
        }
    }
}

fn date_or_instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let day = text.get(..10).unwrap_or(&text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("not a date: {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_the_labels_told_more_precisely_where_the_details_say_more() {
        let t = crate::i18n::Tr::new(crate::i18n::Locale::En);
        let title = |kind: EventKind, details: &EventDetails| t.said(&kind.title(details));
        let none = EventDetails::default();
        assert_eq!(title(EventKind::Claimed, &none), "Claimed");
        assert_eq!(
            title(EventKind::LegalHoldPlaced, &none),
            "Legal hold placed"
        );
        assert_eq!(title(EventKind::Assigned, &none), "Assigned to an agent");
        let ana = EventDetails {
            assignee_name: Some("Ana".into()),
            ..EventDetails::default()
        };
        assert_eq!(title(EventKind::Assigned, &ana), "Assigned to Ana");
        assert_eq!(
            title(EventKind::DocumentRejected, &none),
            "Document rejected"
        );
        let card = EventDetails {
            document_kind: Some(DocumentKind::IdentityCard),
            ..EventDetails::default()
        };
        assert_eq!(
            title(EventKind::DocumentAccepted, &card),
            "Identity card accepted"
        );
        let high = EventDetails {
            priority: Some(1),
            ..EventDetails::default()
        };
        assert_eq!(title(EventKind::PrioritySet, &high), "Priority set to high");
    }

    #[test]
    fn details_read_back_as_written_and_unknown_kinds_fail() {
        let details = EventDetails {
            kinds: vec![DocumentKind::IdentityCard],
            deadline: NaiveDate::from_ymd_opt(2026, 12, 1),
            ..EventDetails::default()
        };
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kinds": ["identity_card"], "deadline": "2026-12-01" })
        );
        assert_eq!(
            serde_json::from_value::<EventDetails>(json).unwrap(),
            details
        );
        let old = serde_json::json!({ "deadline": "2026-12-01T16:59:59Z" });
        assert_eq!(
            serde_json::from_value::<EventDetails>(old)
                .unwrap()
                .deadline,
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert!(
            serde_json::from_value::<EventDetails>(serde_json::json!({ "kinds": ["passport"] }))
                .is_err()
        );
    }
}
