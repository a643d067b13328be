//! The texts of notices: plain-text askama templates in `templates/notices/`, one per kind, all
//! extending `base.txt`. Pure: facts in, subject and body out. A body that carries an upload link
//! has the placeholder `{upload_link}` where the link goes (filled in at delivery).

use askama::Template;
use chrono::NaiveDate;

use crate::domain::customer_name::CustomerName;
use crate::domain::document::DocumentKind;
use crate::domain::money::Money;
use crate::domain::notice::{NoticeKind, last_four, neutralise};
use crate::domain::request::{RejectReason, Settlement};

/// What a notice may say about its case (read in the transaction that writes the notice).
#[derive(Debug, Clone)]
pub struct NoticeFacts {
    pub reference: String,
    /// `None` for a stored name that does not pass today's rule (an older row): the notice then
    /// greets without it rather than print what the rule keeps out.
    pub customer_name: Option<CustomerName>,
    pub effective_date: Option<NaiveDate>,
    pub settlement: Settlement,
    pub refund_bank: Option<String>,
    pub refund_account: Option<String>,
    pub transfer_msisdn: Option<String>,
    /// `None`: not known (the line was not found in billing).
    pub balance_minor: Option<i64>,
    pub currency: crate::domain::money::Currency,
    /// The early-termination fee charged with the approval (0: none).
    pub fee_minor: i64,
    pub reject_reason: Option<RejectReason>,
    /// The agent's message to the customer (rejection or document request).
    pub message: Option<String>,
    pub requested_kinds: Vec<DocumentKind>,
    /// The day chosen by the agent; the link works until the end of it.
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
}

/// The facts as words, ready for the templates (no logic in them beyond ifs and loops).
struct Words {
    name: String,
    reference: String,
    effective_date: String,
    deadline: String,
    kinds: Vec<&'static str>,
    message: Option<String>,
    reason: &'static str,
    settlement: String,
    fee: Option<String>,
}

macro_rules! notice_templates {
    ($($name:ident => $path:literal),+ $(,)?) => {$(
        #[derive(Template)]
        #[template(path = $path, escape = "none")]
        struct $name<'a> {
            w: &'a Words,
        }
    )+};
}

notice_templates! {
    ReceivedText => "notices/received.txt",
    DocumentsRequestedText => "notices/documents_requested.txt",
    ApprovedText => "notices/approved.txt",
    RejectedText => "notices/rejected.txt",
    ReminderText => "notices/reminder.txt",
    ExpiredText => "notices/expired.txt",
    WithdrawnText => "notices/withdrawn.txt",
    CancelledText => "notices/cancelled.txt",
}

fn long_date(day: Option<NaiveDate>) -> String {
    day.map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|| "the date we gave you".into())
}

/// Why, in words a customer understands.
fn reason_words(reason: Option<RejectReason>) -> &'static str {
    match reason {
        Some(RejectReason::IdentityNotVerified) => "we could not verify your identity.",
        Some(RejectReason::NotAccountHolder) => {
            "the request was not made by the holder of the account."
        }
        Some(RejectReason::OutstandingDebt) => "there is an unpaid amount on the account.",
        Some(RejectReason::DuplicateRequest) => {
            "we already have another request to cancel this line."
        }
        Some(RejectReason::SuspectedFraud) => "we could not confirm that the request is genuine.",
        Some(RejectReason::Other) | None => "please see the explanation below.",
    }
}

fn settlement_words(f: &NoticeFacts) -> String {
    let money = |minor| Money::new(minor, f.currency).to_string();
    let balance = match f.balance_minor {
        Some(minor) if minor <= 0 => return "There is no remaining balance to settle.".into(),
        Some(minor) => format!("Your remaining balance of {}", money(minor)),
        // Not known when the notice is written: the customer hears what happens to it anyway.
        None => "Any remaining balance".to_owned(),
    };
    match f.settlement {
        Settlement::Refund => format!(
            "{balance} will be refunded to your account at {} ending {}.",
            f.refund_bank.as_deref().map(neutralise).unwrap_or_default(),
            last_four(f.refund_account.as_deref().unwrap_or_default()),
        ),
        Settlement::Transfer => format!(
            "{balance} will be transferred to the number ending {}.",
            last_four(f.transfer_msisdn.as_deref().unwrap_or_default()),
        ),
        Settlement::Forfeit => {
            format!(
                "As you chose, {} will not be paid out.",
                balance
                    .replacen("Your", "your", 1)
                    .replacen("Any", "any", 1)
            )
        }
    }
}

fn words(f: &NoticeFacts) -> Words {
    Words {
        // A parsed name holds only letters, marks, spaces and `.'-`: no placeholder to neutralise.
        name: f
            .customer_name
            .as_ref()
            .map_or_else(|| "customer".to_owned(), |n| n.as_str().to_owned()),
        reference: f.reference.clone(),
        effective_date: long_date(f.effective_date),
        deadline: long_date(f.deadline),
        kinds: f.requested_kinds.iter().map(|k| k.label()).collect(),
        message: f
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(neutralise),
        reason: reason_words(f.reject_reason),
        settlement: settlement_words(f),
        fee: (f.fee_minor > 0).then(|| Money::new(f.fee_minor, f.currency).to_string()),
    }
}

fn subject(kind: NoticeKind, w: &Words) -> String {
    let r = &w.reference;
    match kind {
        NoticeKind::Received => format!("We received your cancellation request {r}"),
        NoticeKind::DocumentsRequested => {
            format!("Documents needed for your cancellation request {r}")
        }
        NoticeKind::Approved => format!("Your cancellation request {r} is approved"),
        NoticeKind::Rejected => format!("Your cancellation request {r} is not approved"),
        NoticeKind::Reminder => format!("Reminder: documents needed by {} ({r})", w.deadline),
        NoticeKind::Expired => format!("Your cancellation request {r} is closed"),
        NoticeKind::Withdrawn => format!("Your cancellation request {r} is withdrawn"),
        NoticeKind::Cancelled => format!("Your line is cancelled ({r})"),
    }
}

/// The subject and text of a notice of `kind` about a case with `facts`.
pub fn render(kind: NoticeKind, facts: &NoticeFacts) -> askama::Result<Rendered> {
    let w = words(facts);
    let body = match kind {
        NoticeKind::Received => ReceivedText { w: &w }.render()?,
        NoticeKind::DocumentsRequested => DocumentsRequestedText { w: &w }.render()?,
        NoticeKind::Approved => ApprovedText { w: &w }.render()?,
        NoticeKind::Rejected => RejectedText { w: &w }.render()?,
        NoticeKind::Reminder => ReminderText { w: &w }.render()?,
        NoticeKind::Expired => ExpiredText { w: &w }.render()?,
        NoticeKind::Withdrawn => WithdrawnText { w: &w }.render()?,
        NoticeKind::Cancelled => CancelledText { w: &w }.render()?,
    };
    Ok(Rendered {
        subject: subject(kind, &w),
        body: format!("{}\n", body.trim_end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notice::{LINK_PLACEHOLDER, fill_link};

    fn facts() -> NoticeFacts {
        NoticeFacts {
            reference: "CX-7K3M-Q9TD".into(),
            customer_name: CustomerName::parse("Siti Rahayu").ok(),
            effective_date: NaiveDate::from_ymd_opt(2026, 12, 9),
            settlement: Settlement::Refund,
            refund_bank: Some("BCA".into()),
            refund_account: Some("0123456789".into()),
            transfer_msisdn: None,
            balance_minor: Some(1_500_000),
            currency: crate::domain::money::Currency::Idr,
            fee_minor: 0,
            reject_reason: Some(RejectReason::DuplicateRequest),
            message: Some("You sent the same request twice.".into()),
            requested_kinds: vec![DocumentKind::IdentityCard, DocumentKind::BankAccountProof],
            deadline: NaiveDate::from_ymd_opt(2026, 12, 10),
        }
    }

    #[test]
    fn a_document_request_lists_the_kinds_the_message_the_deadline_and_the_link() {
        let r = render(NoticeKind::DocumentsRequested, &facts()).unwrap();
        assert_eq!(
            r.subject,
            "Documents needed for your cancellation request CX-7K3M-Q9TD"
        );
        let b = &r.body;
        assert!(b.starts_with("Dear Siti Rahayu,\n\n"), "{b}");
        assert!(
            b.contains("\n- Identity card\n- Bank account proof\n"),
            "{b}"
        );
        assert!(b.contains("You sent the same request twice."), "{b}");
        assert!(b.contains("by 10 December 2026"), "{b}");
        assert_eq!(b.matches(LINK_PLACEHOLDER).count(), 1, "{b}");
        assert!(b.contains("Your reference: CX-7K3M-Q9TD"), "{b}");
        assert!(!b.contains("\n\n\n"), "no stray blank lines: {b}");
        assert!(!b.contains("&#"), "plain text is not HTML-escaped: {b}");
    }

    #[test]
    fn an_approval_says_when_and_what_happens_to_the_balance_and_the_fee() {
        let mut f = facts();
        let b = render(NoticeKind::Approved, &f).unwrap().body;
        assert!(b.contains("cancelled on 9 December 2026"), "{b}");
        assert!(
            b.contains("Rp 15,000 will be refunded to your account at BCA ending 6789."),
            "{b}"
        );
        assert!(!b.contains("early-termination"), "{b}");
        assert!(
            !b.contains("0123456789"),
            "the account number is not repeated in full"
        );
        f.fee_minor = 25_000_000;
        f.settlement = Settlement::Transfer;
        f.transfer_msisdn = Some("+6283199990000".into());
        let b = render(NoticeKind::Approved, &f).unwrap().body;
        assert!(b.contains("early-termination fee of Rp 250,000"), "{b}");
        assert!(b.contains("transferred to the number ending 0000"), "{b}");
        f.balance_minor = None;
        let b = render(NoticeKind::Approved, &f).unwrap().body;
        assert!(
            b.contains("Any remaining balance will be transferred to the number ending 0000."),
            "{b}"
        );
        f.balance_minor = Some(0);
        let b = render(NoticeKind::Approved, &f).unwrap().body;
        assert!(b.contains("no remaining balance"), "{b}");
    }

    #[test]
    fn a_rejection_gives_the_reason_in_plain_words_and_the_message() {
        let b = render(NoticeKind::Rejected, &facts()).unwrap().body;
        assert!(
            b.contains("Why: we already have another request to cancel this line."),
            "{b}"
        );
        assert!(b.contains("You sent the same request twice."), "{b}");
        assert!(!b.contains("duplicate_request"), "{b}");
    }

    #[test]
    fn typed_text_is_kept_as_typed_but_cannot_add_a_link() {
        let mut f = facts();
        f.message = Some("Use {upload_link} \"now\"".into());
        let r = render(NoticeKind::DocumentsRequested, &f).unwrap();
        assert!(r.body.contains("Use (upload link) \"now\""));
        let sent = fill_link(&r.body, Some("https://x/upload/t"));
        assert_eq!(sent.matches("https://x/upload/t").count(), 1);
    }

    #[test]
    fn a_name_that_does_not_parse_is_left_out_of_the_greeting() {
        let mut f = facts();
        f.customer_name = None;
        for kind in NoticeKind::ALL {
            let b = render(*kind, &f).unwrap().body;
            assert!(b.starts_with("Dear customer,\n\n"), "{kind:?}: {b}");
        }
    }

    #[test]
    fn every_kind_renders_with_the_reference() {
        for kind in NoticeKind::ALL {
            let r = render(*kind, &facts()).unwrap();
            assert!(r.subject.contains("CX-7K3M-Q9TD") || kind == &NoticeKind::Reminder);
            assert!(r.body.contains("CX-7K3M-Q9TD"));
            assert_eq!(
                r.body.contains(LINK_PLACEHOLDER),
                kind.has_link(),
                "{kind:?}"
            );
            assert!(r.body.ends_with("Customer care\n"), "{kind:?}: {}", r.body);
        }
        let r = render(NoticeKind::Expired, &facts()).unwrap();
        assert!(r.body.contains("by 10 December 2026"), "{}", r.body);
        let r = render(NoticeKind::Reminder, &facts()).unwrap();
        assert!(r.subject.contains("10 December 2026"));
    }
}
