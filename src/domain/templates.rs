//! Reusable messages to customers, so that agents do not retype the same request 500 times a day.
//! Their words are messages (`template-<key>-label`, `template-<key>-text` in
//! `locales/<tag>/bulk.ftl`), in the language of the agent who uses them.

use super::document::DocumentKind;

pub struct MessageTemplate {
    pub key: &'static str,
    /// The message ids of its name and of its text.
    pub label: &'static str,
    pub text: &'static str,
    /// The documents this message asks for (pre-ticked when the template is chosen).
    pub kinds: &'static [DocumentKind],
}

pub const DOCUMENT_REQUESTS: &[MessageTemplate] = &[
    MessageTemplate {
        key: "unreadable_id",
        label: "template-unreadable_id-label",
        text: "template-unreadable_id-text",
        kinds: &[DocumentKind::IdentityCard],
    },
    MessageTemplate {
        key: "ownership",
        label: "template-ownership-label",
        text: "template-ownership-text",
        kinds: &[DocumentKind::ProofOfOwnership],
    },
    MessageTemplate {
        key: "representative",
        label: "template-representative-label",
        text: "template-representative-text",
        kinds: &[
            DocumentKind::AuthorisationLetter,
            DocumentKind::IdentityCard,
        ],
    },
    MessageTemplate {
        key: "refund_bank",
        label: "template-refund_bank-label",
        text: "template-refund_bank-text",
        kinds: &[DocumentKind::BankAccountProof],
    },
];

pub fn document_request(key: &str) -> Option<&'static MessageTemplate> {
    DOCUMENT_REQUESTS.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_found_by_key_and_ask_for_something() {
        for t in DOCUMENT_REQUESTS {
            assert_eq!(document_request(t.key).map(|f| f.key), Some(t.key));
            assert!(!t.kinds.is_empty() && t.text.ends_with("-text"));
        }
        assert!(document_request("nope").is_none());
    }
}
