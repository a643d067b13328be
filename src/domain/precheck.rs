//! Assisted review (issue 18): the routine checks the desk makes on every case when it arrives,
//! each with its evidence, and the next step they suggest. Pure: the caller gathers the facts
//! (`store::assist`), this decides; nothing is ever applied from here.
//!
//! Stored on the case as JSON (codes, counts and amounts; no personal data), worded on the page
//! in the reader's language.

use serde::{Deserialize, Serialize};

use super::document::DocumentKind;
use super::id_card::FieldCheck;
use super::labels::labelled_enum;
use super::nik::Nik;

/// A balance at or above this (minor units) is large: the settlement is worth a person's look.
pub const LARGE_BALANCE_MINOR: i64 = 100_000_000;

labelled_enum! {
    /// The checks, in the order the checklist shows them.
    pub enum CheckKind {
        NikStructure => ("nik_structure", "NIK structure and birth date"),
        RegionCode => ("region_code", "Region code"),
        OperatorRange => ("operator_range", "Line in our ranges"),
        Billing => ("billing", "Billing knows the line under this account"),
        OpenCaseForLine => ("open_case_for_line", "Another open case for the line"),
        SharedDocument => ("shared_document", "Same document on other customers' cases"),
        IdentityCard => ("identity_card", "Identity card read and matching"),
        MinimumTerm => ("minimum_term", "Minimum term and fee"),
        LargeBalance => ("large_balance", "Balance"),
        Representative => ("representative", "Representative and authorisation letter"),
    }
}

labelled_enum! {
    /// `Note`: worth knowing, does not stop an approval (a fee to confirm, a near match).
    /// `Unknown`: could not be checked (the card is being read, or could not be read).
    pub enum Outcome {
        Pass => ("pass", "Passed"),
        Note => ("note", "Note"),
        Fail => ("fail", "Failed"),
        Unknown => ("unknown", "Not checked"),
    }
}

labelled_enum! {
    /// The next step the checks suggest. Never applied by itself.
    pub enum Suggestion {
        Approve => ("approve", "Approve when the card is accepted"),
        RequestOwnership => ("request_ownership", "Request proof of ownership"),
        RequestAuthorisation => ("request_authorisation", "Request an authorisation letter"),
        RejectDuplicate => ("reject_duplicate", "Reject as a duplicate"),
        NeedsPerson => ("needs_person", "Needs a person"),
    }
}

impl Suggestion {
    /// The documents a "request" suggestion asks for.
    pub fn requested_kinds(self) -> Option<Vec<DocumentKind>> {
        match self {
            Suggestion::RequestOwnership => Some(vec![DocumentKind::ProofOfOwnership]),
            Suggestion::RequestAuthorisation => Some(vec![
                DocumentKind::AuthorisationLetter,
                DocumentKind::IdentityCard,
            ]),
            _ => None,
        }
    }
}

/// How the identity card's reading went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardEvidence {
    /// No identity card image or PDF on the case.
    NoCard,
    /// Not read yet.
    Waiting,
    /// The engine could not read it (timeout, no engine, unreadable file).
    Failed,
    /// An agent rejected the newest card: their judgement stands.
    Rejected,
    Read {
        nik: FieldCheck,
        name: FieldCheck,
        birth_date: FieldCheck,
    },
}

/// How billing knows the case's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingMatch {
    Matched,
    NotFound,
    AccountMismatch,
}

/// What the checks look at.
#[derive(Debug, Clone)]
pub struct Facts {
    pub nik: Option<Nik>,
    pub msisdn_in_ranges: bool,
    pub billing: BillingMatch,
    /// The reference of an older open case for the same line, if any.
    pub older_open_case: Option<String>,
    /// Whether a newer open case exists for the line (this one is the original).
    pub newer_open_case: bool,
    /// Cases of other customers (another NIK) carrying one of this case's files.
    pub shared_document_cases: i64,
    pub card: CardEvidence,
    pub has_authorisation_letter: bool,
    pub fee_applies: bool,
    pub fee_minor: i64,
    pub balance_minor: i64,
}

/// One line of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub kind: CheckKind,
    pub outcome: Outcome,
    /// The evidence sentence's message id (`locales/*/assist.ftl`).
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_minor: Option<i64>,
}

/// The checklist and what it suggests, with the reasons (message ids) in the order they count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub checks: Vec<Check>,
    pub suggestion: Suggestion,
    pub reasons: Vec<String>,
    /// For "reject as duplicate": the case this one repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// The first two digits of a NIK: Indonesia's province codes.
const PROVINCES: [u8; 38] = [
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
    71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
];

/// Province known, regency and district not zero.
pub fn region_plausible(nik: &Nik) -> bool {
    let digits = nik.as_str().as_bytes();
    let pair = |at: usize| (digits[at] - b'0') * 10 + (digits[at + 1] - b'0');
    PROVINCES.contains(&pair(0)) && pair(2) != 0 && pair(4) != 0
}

fn check(kind: CheckKind, outcome: Outcome, evidence: &str) -> Check {
    Check {
        kind,
        outcome,
        evidence: evidence.to_owned(),
        reference: None,
        count: None,
        amount_minor: None,
    }
}

fn card_check(card: CardEvidence) -> Check {
    use FieldCheck::*;
    let (outcome, evidence) = match card {
        CardEvidence::NoCard => (Outcome::Fail, "precheck-card-none"),
        CardEvidence::Waiting => (Outcome::Unknown, "precheck-card-waiting"),
        CardEvidence::Failed => (Outcome::Unknown, "precheck-card-failed"),
        CardEvidence::Rejected => (Outcome::Fail, "precheck-card-rejected"),
        CardEvidence::Read {
            nik,
            name,
            birth_date,
        } => {
            let fields = [nik, name, birth_date];
            if nik == Mismatch || name == Mismatch {
                (Outcome::Fail, "precheck-card-mismatch")
            } else if birth_date == Mismatch {
                (Outcome::Fail, "precheck-card-birth-mismatch")
            } else if nik == NotReadable || name == NotReadable {
                (Outcome::Unknown, "precheck-card-partly-read")
            } else if fields.contains(&NearMatch) || birth_date == NotReadable {
                (Outcome::Note, "precheck-card-near")
            } else {
                (Outcome::Pass, "precheck-card-match")
            }
        }
    };
    check(CheckKind::IdentityCard, outcome, evidence)
}

/// Runs every check and draws the suggestion from them.
pub fn assess(facts: &Facts) -> Assessment {
    let mut checks = Vec::with_capacity(CheckKind::ALL.len());
    checks.push(match &facts.nik {
        Some(_) => check(CheckKind::NikStructure, Outcome::Pass, "precheck-nik-ok"),
        None => check(
            CheckKind::NikStructure,
            Outcome::Fail,
            "precheck-nik-invalid",
        ),
    });
    checks.push(match &facts.nik {
        Some(nik) if region_plausible(nik) => {
            check(CheckKind::RegionCode, Outcome::Pass, "precheck-region-ok")
        }
        Some(_) => check(
            CheckKind::RegionCode,
            Outcome::Fail,
            "precheck-region-unknown",
        ),
        None => check(
            CheckKind::RegionCode,
            Outcome::Unknown,
            "precheck-region-no-nik",
        ),
    });
    checks.push(if facts.msisdn_in_ranges {
        check(CheckKind::OperatorRange, Outcome::Pass, "precheck-range-ok")
    } else {
        check(
            CheckKind::OperatorRange,
            Outcome::Fail,
            "precheck-range-outside",
        )
    });
    checks.push(match facts.billing {
        BillingMatch::Matched => check(CheckKind::Billing, Outcome::Pass, "precheck-billing-ok"),
        BillingMatch::NotFound => check(
            CheckKind::Billing,
            Outcome::Fail,
            "precheck-billing-not-found",
        ),
        BillingMatch::AccountMismatch => check(
            CheckKind::Billing,
            Outcome::Fail,
            "precheck-billing-other-account",
        ),
    });
    checks.push(match (&facts.older_open_case, facts.newer_open_case) {
        (Some(reference), _) => Check {
            reference: Some(reference.clone()),
            ..check(
                CheckKind::OpenCaseForLine,
                Outcome::Fail,
                "precheck-duplicate-older",
            )
        },
        (None, true) => check(
            CheckKind::OpenCaseForLine,
            Outcome::Note,
            "precheck-duplicate-newer",
        ),
        (None, false) => check(
            CheckKind::OpenCaseForLine,
            Outcome::Pass,
            "precheck-duplicate-none",
        ),
    });
    checks.push(match facts.shared_document_cases {
        0 => check(
            CheckKind::SharedDocument,
            Outcome::Pass,
            "precheck-shared-none",
        ),
        n => Check {
            count: Some(n),
            ..check(
                CheckKind::SharedDocument,
                Outcome::Fail,
                "precheck-shared-found",
            )
        },
    });
    let card = card_check(facts.card);
    let card_outcome = card.outcome;
    checks.push(card);
    checks.push(if facts.fee_applies && facts.fee_minor > 0 {
        Check {
            amount_minor: Some(facts.fee_minor),
            ..check(
                CheckKind::MinimumTerm,
                Outcome::Note,
                "precheck-fee-applies",
            )
        }
    } else {
        check(CheckKind::MinimumTerm, Outcome::Pass, "precheck-fee-none")
    });
    let large = facts.balance_minor >= LARGE_BALANCE_MINOR;
    checks.push(Check {
        amount_minor: Some(facts.balance_minor),
        ..if large {
            check(
                CheckKind::LargeBalance,
                Outcome::Fail,
                "precheck-balance-large",
            )
        } else {
            check(
                CheckKind::LargeBalance,
                Outcome::Pass,
                "precheck-balance-ok",
            )
        }
    });
    // Someone else's card on the case: the applicant acts for the holder, or is not who they say.
    let someone_elses_card = matches!(
        facts.card,
        CardEvidence::Read { nik, name, .. }
            if nik == FieldCheck::Mismatch || name == FieldCheck::Mismatch
    );
    let representative_without_letter = someone_elses_card && !facts.has_authorisation_letter;
    checks.push(match (someone_elses_card, facts.has_authorisation_letter) {
        (true, false) => check(
            CheckKind::Representative,
            Outcome::Fail,
            "precheck-representative-no-letter",
        ),
        (true, true) => check(
            CheckKind::Representative,
            Outcome::Note,
            "precheck-representative-letter",
        ),
        (false, _) => check(
            CheckKind::Representative,
            Outcome::Pass,
            "precheck-representative-none",
        ),
    });

    let failed = |kind: CheckKind| {
        checks
            .iter()
            .any(|c| c.kind == kind && c.outcome == Outcome::Fail)
    };
    let mut reasons: Vec<String> = Vec::new();
    let mut because = |id: &str| reasons.push(id.to_owned());
    // The first rule that holds decides; the order is the order of what matters most.
    let suggestion = if facts.older_open_case.is_some() {
        because("suggest-because-duplicate");
        Suggestion::RejectDuplicate
    } else if failed(CheckKind::NikStructure)
        || failed(CheckKind::RegionCode)
        || failed(CheckKind::OperatorRange)
    {
        because("suggest-because-numbers");
        Suggestion::NeedsPerson
    } else if failed(CheckKind::SharedDocument) {
        because("suggest-because-shared");
        Suggestion::NeedsPerson
    } else if representative_without_letter {
        because("suggest-because-representative");
        Suggestion::RequestAuthorisation
    } else if someone_elses_card {
        because("suggest-because-representative-letter");
        Suggestion::NeedsPerson
    } else if facts.billing != BillingMatch::Matched {
        because(match facts.billing {
            BillingMatch::NotFound => "suggest-because-billing-unknown",
            _ => "suggest-because-billing-account",
        });
        Suggestion::RequestOwnership
    } else if card_outcome == Outcome::Fail || card_outcome == Outcome::Unknown {
        because(match facts.card {
            CardEvidence::NoCard => "suggest-because-no-card",
            CardEvidence::Waiting | CardEvidence::Failed => "suggest-because-card-unread",
            CardEvidence::Rejected => "suggest-because-card-rejected",
            _ => "suggest-because-card-check",
        });
        Suggestion::NeedsPerson
    } else if large {
        because("suggest-because-large-balance");
        Suggestion::NeedsPerson
    } else {
        because(if card_outcome == Outcome::Note {
            "suggest-because-card-near"
        } else {
            "suggest-because-all-clear"
        });
        Suggestion::Approve
    };
    if suggestion == Suggestion::Approve && facts.fee_applies && facts.fee_minor > 0 {
        reasons.push("suggest-note-fee".to_owned());
    }
    Assessment {
        checks,
        suggestion,
        reasons,
        duplicate_of: facts.older_open_case.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldCheck::*;

    fn clean() -> Facts {
        Facts {
            nik: Some(Nik::parse("3174015203850001").unwrap()),
            msisdn_in_ranges: true,
            billing: BillingMatch::Matched,
            older_open_case: None,
            newer_open_case: false,
            shared_document_cases: 0,
            card: CardEvidence::Read {
                nik: Match,
                name: Match,
                birth_date: Match,
            },
            has_authorisation_letter: false,
            fee_applies: false,
            fee_minor: 0,
            balance_minor: 5_000_000,
        }
    }

    fn outcome(a: &Assessment, kind: CheckKind) -> Outcome {
        a.checks.iter().find(|c| c.kind == kind).unwrap().outcome
    }

    #[test]
    fn a_clean_case_is_suggested_for_approval_with_every_check_shown() {
        let a = assess(&clean());
        assert_eq!(a.suggestion, Suggestion::Approve);
        assert_eq!(a.checks.len(), CheckKind::ALL.len());
        assert!(a.checks.iter().all(|c| c.outcome == Outcome::Pass));
        assert_eq!(a.reasons, ["suggest-because-all-clear"]);
        // A fee does not stop it, but is said.
        let a = assess(&Facts {
            fee_applies: true,
            fee_minor: 15_000_000,
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::Approve);
        assert_eq!(outcome(&a, CheckKind::MinimumTerm), Outcome::Note);
        assert!(a.reasons.contains(&"suggest-note-fee".to_owned()));
    }

    #[test]
    fn a_newer_case_for_an_open_line_is_a_duplicate_of_the_older() {
        let a = assess(&Facts {
            older_open_case: Some("CX-1".into()),
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::RejectDuplicate);
        assert_eq!(a.duplicate_of.as_deref(), Some("CX-1"));
        // The original itself is not.
        let a = assess(&Facts {
            newer_open_case: true,
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::Approve);
        assert_eq!(outcome(&a, CheckKind::OpenCaseForLine), Outcome::Note);
    }

    #[test]
    fn billing_that_does_not_know_the_account_asks_for_proof_of_ownership() {
        for billing in [BillingMatch::NotFound, BillingMatch::AccountMismatch] {
            let a = assess(&Facts { billing, ..clean() });
            assert_eq!(a.suggestion, Suggestion::RequestOwnership);
            assert_eq!(
                a.suggestion.requested_kinds(),
                Some(vec![DocumentKind::ProofOfOwnership])
            );
        }
    }

    #[test]
    fn someone_elses_card_asks_for_an_authorisation_letter_or_a_person() {
        let theirs = CardEvidence::Read {
            nik: Mismatch,
            name: Match,
            birth_date: Match,
        };
        let a = assess(&Facts {
            card: theirs,
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::RequestAuthorisation);
        assert_eq!(outcome(&a, CheckKind::Representative), Outcome::Fail);
        assert_eq!(outcome(&a, CheckKind::IdentityCard), Outcome::Fail);
        let a = assess(&Facts {
            card: theirs,
            has_authorisation_letter: true,
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::NeedsPerson);
    }

    #[test]
    fn what_could_not_be_read_or_looks_wrong_needs_a_person() {
        for card in [
            CardEvidence::NoCard,
            CardEvidence::Waiting,
            CardEvidence::Failed,
            CardEvidence::Rejected,
            CardEvidence::Read {
                nik: NotReadable,
                name: Match,
                birth_date: Match,
            },
            CardEvidence::Read {
                nik: Match,
                name: Match,
                birth_date: Mismatch,
            },
        ] {
            let a = assess(&Facts { card, ..clean() });
            assert_eq!(a.suggestion, Suggestion::NeedsPerson, "{card:?}");
        }
        // A near match is a misread or a typo: approvable, said.
        let a = assess(&Facts {
            card: CardEvidence::Read {
                nik: Match,
                name: NearMatch,
                birth_date: Match,
            },
            ..clean()
        });
        assert_eq!(a.suggestion, Suggestion::Approve);
        assert_eq!(a.reasons, ["suggest-because-card-near"]);
        for facts in [
            Facts {
                shared_document_cases: 2,
                ..clean()
            },
            Facts {
                balance_minor: LARGE_BALANCE_MINOR,
                ..clean()
            },
            Facts {
                msisdn_in_ranges: false,
                ..clean()
            },
            Facts {
                nik: Some(Nik::parse("9974015203850001").unwrap()),
                ..clean()
            },
        ] {
            assert_eq!(assess(&facts).suggestion, Suggestion::NeedsPerson);
        }
    }

    #[test]
    fn region_codes_are_known_provinces_with_real_regencies() {
        assert!(region_plausible(&Nik::parse("3174015203850001").unwrap()));
        assert!(!region_plausible(&Nik::parse("3100015203850001").unwrap()));
        assert!(!region_plausible(&Nik::parse("2074015203850001").unwrap()));
    }

    #[test]
    fn assessments_survive_storage() {
        let a = assess(&Facts {
            older_open_case: Some("CX-7".into()),
            fee_applies: true,
            fee_minor: 1,
            ..clean()
        });
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["suggestion"], "reject_duplicate");
        let back: Assessment = serde_json::from_value(json).unwrap();
        assert_eq!(back, a);
    }
}
