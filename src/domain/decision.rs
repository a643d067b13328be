//! The decisions about a case as typed values, parsed from what the forms sent. A decision that
//! parses is complete; the state machine then says whether the case allows it, and
//! `domain::effects` what it changes.

use super::said::{Fill, Said};
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::agent::AgentId;
use super::case::Action;
use super::document::{DocumentKind, Verdict};
use super::request::RejectReason;

/// Anything that changes a case, by an agent (one case or in bulk), the customer or the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Claim,
    Assign(AgentId),
    /// 0 normal, 1 high.
    Priority(i16),
    Approve(Approval),
    Reject(Rejection),
    RequestDocuments(DocumentRequest),
    /// A supervisor takes back a final decision, with this reason.
    Reopen(String),
    Note(String),
    Verdict {
        document_id: i64,
        verdict: DocumentVerdict,
    },
    /// The customer answered a document request with files of these kinds.
    DocumentsReceived(Vec<DocumentKind>),
    /// Nobody answered a document request by its deadline.
    Expire,
    /// The customer (on the status page, or through the hotline) takes back an undecided
    /// application.
    Withdraw,
    /// Provisioning reports the line ended.
    Complete {
        cancelled_at: DateTime<Utc>,
        final_balance_minor: i64,
    },
    /// Provisioning reports (or delivery gave up): the line could not be ended, with this reason.
    ProvisioningFailed(String),
    /// A supervisor issues a new cancellation order after a failed one.
    ReissueOrder,
}

impl Decision {
    /// What the state machine is asked.
    pub fn action(&self) -> Action {
        match self {
            Decision::Claim => Action::Claim,
            Decision::Assign(to) => Action::Assign { to: *to },
            Decision::Priority(p) => Action::SetPriority(*p),
            Decision::Approve(a) => Action::Approve {
                effective_date: a.effective_date,
                fee_confirmed: a.fee_confirmed,
            },
            Decision::Reject(_) => Action::Reject,
            Decision::RequestDocuments(_) => Action::RequestDocuments,
            Decision::Reopen(_) => Action::Reopen,
            Decision::Note(_) => Action::Note,
            Decision::Verdict { .. } => Action::Review,
            Decision::DocumentsReceived(_) => Action::DocumentsReceived,
            Decision::Expire => Action::Expire,
            Decision::Withdraw => Action::Withdraw,
            Decision::Complete { .. } => Action::Complete,
            Decision::ProvisioningFailed(_) => Action::ProvisioningFailed,
            Decision::ReissueOrder => Action::ReissueOrder,
        }
    }
}

/// Messages per form field, shown next to the field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<&'static str, Said>);

impl FieldErrors {
    /// The first problem of `field` stays (the one to fix first).
    pub fn add(&mut self, field: &'static str, message: Said) {
        self.0.entry(field).or_insert(message);
    }

    fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

pub const MESSAGE_LIMIT: usize = 2000;
pub const NOTE_LIMIT: usize = 4000;
/// How far ahead a document deadline may be set.
pub const MAX_DEADLINE_DAYS: i64 = 60;

fn text(
    value: &str,
    field: &'static str,
    what: &'static str,
    limit: usize,
    errors: &mut FieldErrors,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(
            field,
            Said::with("field-write", "what", Fill::Message(what)),
        );
    } else if value.chars().count() > limit {
        errors.add(field, too_long(limit));
    }
    value.to_owned()
}

/// "Keep it under N characters."
pub fn too_long(limit: usize) -> Said {
    Said::with("field-too-long", "limit", Fill::Number(limit as i64))
}

/// A day as forms send it (`YYYY-MM-DD`).
pub fn parse_day(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

fn date(value: &str, field: &'static str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let parsed = parse_day(value);
    if parsed.is_none() {
        errors.add(field, Said::new("field-date"));
    }
    parsed
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub effective_date: NaiveDate,
    /// The agent confirmed that the early-termination fee is charged where it applies (whether
    /// it applies is the case's fact: the state machine checks).
    pub fee_confirmed: bool,
}

/// An approval from the case page (which also asks to confirm the balance settlement) or from
/// bulk triage (`confirm_settlement: None`).
pub fn parse_approval(
    effective_date: &str,
    confirm_fee: bool,
    confirm_settlement: Option<bool>,
    today: NaiveDate,
) -> Result<Approval, FieldErrors> {
    let mut errors = FieldErrors::default();
    let effective = date(effective_date, "effective_date", &mut errors);
    if let Some(day) = effective {
        if day < today {
            errors.add("effective_date", Said::new("field-effective-past"));
        } else if day > today + Duration::days(365) {
            errors.add("effective_date", Said::new("field-effective-too-far"));
        }
    }
    if confirm_settlement == Some(false) {
        errors.add("confirm_settlement", Said::new("field-confirm-settlement"));
    }
    errors.into_result(|| Approval {
        effective_date: effective.expect("no errors means a date"),
        fee_confirmed: confirm_fee,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: RejectReason,
    pub message: String,
}

pub fn parse_rejection(reason: &str, message: &str) -> Result<Rejection, FieldErrors> {
    let mut errors = FieldErrors::default();
    let reason = RejectReason::parse(reason.trim());
    if reason.is_none() {
        errors.add("reason", Said::new("field-reason"));
    }
    let message = text(
        message,
        "message",
        "field-what-message",
        MESSAGE_LIMIT,
        &mut errors,
    );
    errors.into_result(|| Rejection {
        reason: reason.expect("checked"),
        message,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRequest {
    pub kinds: Vec<DocumentKind>,
    pub message: String,
    pub deadline: NaiveDate,
}

pub fn parse_document_request(
    kinds: &[String],
    message: &str,
    deadline: &str,
    today: NaiveDate,
) -> Result<DocumentRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut parsed: Vec<DocumentKind> = Vec::new();
    for kind in kinds {
        match DocumentKind::parse(kind) {
            Some(k) if !parsed.contains(&k) => parsed.push(k),
            Some(_) => {}
            None => errors.add("kinds", Said::new("field-kinds-unknown")),
        }
    }
    if parsed.is_empty() {
        errors.add("kinds", Said::new("field-kinds-missing"));
    }
    let message = text(
        message,
        "message",
        "field-what-request",
        MESSAGE_LIMIT,
        &mut errors,
    );
    let deadline = date(deadline, "deadline", &mut errors);
    if let Some(day) = deadline {
        if day <= today {
            errors.add("deadline", Said::new("field-deadline-past"));
        } else if day > today + Duration::days(MAX_DEADLINE_DAYS) {
            errors.add(
                "deadline",
                Said::with(
                    "field-deadline-too-far",
                    "days",
                    Fill::Number(MAX_DEADLINE_DAYS),
                ),
            );
        }
    }
    errors.into_result(|| DocumentRequest {
        kinds: parsed,
        message,
        deadline: deadline.expect("checked"),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentVerdict {
    pub verdict: Verdict,
    pub reason: Option<String>,
}

pub fn parse_verdict(verdict: &str, reason: &str) -> Result<DocumentVerdict, FieldErrors> {
    let mut errors = FieldErrors::default();
    let verdict = match Verdict::parse(verdict.trim()) {
        Some(v @ (Verdict::Accepted | Verdict::Rejected)) => Some(v),
        _ => {
            errors.add("verdict", Said::new("field-verdict"));
            None
        }
    };
    let reason = reason.trim();
    if verdict == Some(Verdict::Rejected) && reason.is_empty() {
        errors.add("verdict_reason", Said::new("field-verdict-reason"));
    }
    if reason.chars().count() > MESSAGE_LIMIT {
        errors.add("verdict_reason", too_long(MESSAGE_LIMIT));
    }
    errors.into_result(|| DocumentVerdict {
        verdict: verdict.expect("checked"),
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

pub fn parse_note(body: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let body = text(body, "note", "field-what-note", NOTE_LIMIT, &mut errors);
    errors.into_result(|| body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    const TODAY: &str = "2026-11-25";

    #[test]
    fn approval_needs_a_date_within_a_year_and_confirmations() {
        let ok = parse_approval("2026-12-01", false, Some(true), day(TODAY)).unwrap();
        assert_eq!(ok.effective_date, day("2026-12-01"));
        let err = parse_approval("2026-11-01", false, Some(false), day(TODAY)).unwrap_err();
        assert!(err.0.contains_key("effective_date"));
        assert!(err.0.contains_key("confirm_settlement"));
        assert!(parse_approval("tomorrow", false, None, day(TODAY)).is_err());
        assert!(parse_approval("2027-11-26", false, None, day(TODAY)).is_err());
        assert!(
            parse_approval("2026-12-01", true, None, day(TODAY))
                .unwrap()
                .fee_confirmed
        );
    }

    #[test]
    fn rejection_needs_reason_and_message() {
        assert!(parse_rejection("duplicate_request", "You already applied.").is_ok());
        let err = parse_rejection("", "   ").unwrap_err();
        assert_eq!(err.0.len(), 2);
        assert!(parse_rejection("because", "x").is_err());
        assert!(parse_rejection("other", &"x".repeat(MESSAGE_LIMIT + 1)).is_err());
    }

    #[test]
    fn document_requests_need_kinds_message_and_a_sensible_deadline() {
        let kinds = vec!["identity_card".to_string(), "identity_card".to_string()];
        let ok =
            parse_document_request(&kinds, "Photo unreadable", "2026-12-09", day(TODAY)).unwrap();
        assert_eq!(ok.kinds, vec![DocumentKind::IdentityCard]);
        assert!(parse_document_request(&[], "m", "2026-12-09", day(TODAY)).is_err());
        assert!(parse_document_request(&kinds, "m", TODAY, day(TODAY)).is_err());
        assert!(parse_document_request(&kinds, "m", "2027-06-01", day(TODAY)).is_err());
        assert!(
            parse_document_request(&["passport".into()], "m", "2026-12-09", day(TODAY)).is_err()
        );
    }

    #[test]
    fn rejecting_a_document_needs_a_reason() {
        assert!(parse_verdict("accepted", "").is_ok());
        assert!(parse_verdict("rejected", "").is_err());
        assert!(parse_verdict("pending", "").is_err());
        assert_eq!(
            parse_verdict("rejected", " blurry ")
                .unwrap()
                .reason
                .as_deref(),
            Some("blurry")
        );
    }

    #[test]
    fn notes_are_not_empty() {
        assert!(parse_note("  ").is_err());
        assert_eq!(
            parse_note(" called the customer ").unwrap(),
            "called the customer"
        );
    }
}
