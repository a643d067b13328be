//! Reusable messages to customers, so that agents do not retype the same request 500 times a day.
//! Kept in one place (English first), ready for translations.

use super::document::DocumentKind;

pub struct MessageTemplate {
    pub key: &'static str,
    pub label: &'static str,
    pub text: &'static str,
    /// The documents this message asks for (pre-ticked when the template is chosen).
    pub kinds: &'static [DocumentKind],
}

pub const DOCUMENT_REQUESTS: &[MessageTemplate] = &[
    MessageTemplate {
        key: "unreadable_id",
        label: "Identity card unreadable",
        text: "The photo of your identity card cannot be read. Please upload a sharp photo of the \
               whole front side of the card, without glare.",
        kinds: &[DocumentKind::IdentityCard],
    },
    MessageTemplate {
        key: "ownership",
        label: "Proof of ownership needed",
        text: "Please upload proof that the line is yours, such as a recent invoice or the card \
               holder of the SIM card showing the number.",
        kinds: &[DocumentKind::ProofOfOwnership],
    },
    MessageTemplate {
        key: "representative",
        label: "Representative: authorisation needed",
        text: "You applied on behalf of the account holder. Please upload a letter of authorisation \
               signed by the holder and a photo of the holder's identity card.",
        kinds: &[
            DocumentKind::AuthorisationLetter,
            DocumentKind::IdentityCard,
        ],
    },
    MessageTemplate {
        key: "refund_bank",
        label: "Bank account proof for the refund",
        text: "To refund your remaining balance we need proof of the bank account: a photo of the \
               first page of your bank book or a recent bank statement in your name.",
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
            assert!(!t.kinds.is_empty() && t.text.len() > 40);
        }
        assert!(document_request("nope").is_none());
    }
}
