//! The texts of notices, worded per language from the `notice-*` messages in
//! `locales/<tag>/notices.ftl`. Pure: facts and a language in, subject and body out. A body that
//! carries an upload link has the placeholder `{upload_link}` where the link goes (filled in at
//! delivery).

use chrono::NaiveDate;
use fluent_bundle::FluentValue;

use crate::domain::customer_name::CustomerName;
use crate::domain::document::DocumentKind;
use crate::domain::money::Money;
use crate::domain::notice::{LINK_PLACEHOLDER, NoticeKind, last_four, neutralise};
use crate::domain::request::{RejectReason, Settlement};
use crate::i18n::Tr;

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

/// A notice's text as paragraphs, each worded in the customer's language by `t`.
struct Letter {
    t: Tr,
    paragraphs: Vec<String>,
}

impl Letter {
    fn new(t: Tr) -> Letter {
        Letter {
            t,
            paragraphs: Vec::new(),
        }
    }

    fn say(&mut self, id: &str) -> &mut Letter {
        let text = self.t.get(id);
        self.paragraphs.push(text);
        self
    }

    fn say_with(&mut self, id: &str, args: &[(&str, FluentValue<'_>)]) -> &mut Letter {
        let text = self.t.with(id, args);
        self.paragraphs.push(text);
        self
    }

    /// Text that is not a message: a list, the agent's own words, the link's placeholder.
    fn put(&mut self, text: String) -> &mut Letter {
        self.paragraphs.push(text);
        self
    }
}

fn long_date(t: Tr, day: Option<NaiveDate>) -> String {
    day.map_or_else(|| t.get("notice-date-unknown"), |d| t.date(d))
}

/// What happens to the remaining balance, in one sentence.
fn settlement(t: Tr, f: &NoticeFacts) -> String {
    let amount = match f.balance_minor {
        Some(minor) if minor <= 0 => return t.get("notice-settlement-none"),
        Some(minor) => Some(t.money(Money::new(minor, f.currency))),
        // Not known when the notice is written: the customer hears what happens to it anyway.
        None => None,
    };
    let (id, mut args): (&str, Vec<(&str, FluentValue<'_>)>) = match f.settlement {
        Settlement::Refund => (
            "notice-settlement-refund",
            vec![
                (
                    "bank",
                    f.refund_bank
                        .as_deref()
                        .map(neutralise)
                        .unwrap_or_default()
                        .into(),
                ),
                (
                    "last4",
                    last_four(f.refund_account.as_deref().unwrap_or_default()).into(),
                ),
            ],
        ),
        Settlement::Transfer => (
            "notice-settlement-transfer",
            vec![(
                "last4",
                last_four(f.transfer_msisdn.as_deref().unwrap_or_default()).into(),
            )],
        ),
        Settlement::Forfeit => ("notice-settlement-forfeit", vec![]),
    };
    match amount {
        Some(amount) => {
            args.push(("amount", amount.into()));
            t.with(id, &args)
        }
        None => t.with(&format!("{id}-unknown"), &args),
    }
}

/// The agent's message as typed, trimmed, unable to add a link.
fn agents_message(f: &NoticeFacts) -> Option<String> {
    f.message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(neutralise)
}

fn document_list(t: Tr, f: &NoticeFacts) -> String {
    f.requested_kinds
        .iter()
        .map(|k| format!("- {}", t.get(&format!("document-kind-{}", k.as_str()))))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The subject and text of a notice of `kind` about a case with `facts`, in the language of `t`
/// (the customer's, stored on the case).
pub fn render(kind: NoticeKind, facts: &NoticeFacts, t: Tr) -> Rendered {
    let f = facts;
    let reference: FluentValue<'_> = f.reference.as_str().into();
    let deadline = long_date(t, f.deadline);
    let effective = long_date(t, f.effective_date);
    let mut letter = Letter::new(t);
    match f.customer_name.as_ref() {
        // A parsed name holds only letters, marks, spaces and `.'-`: nothing to neutralise.
        Some(name) => letter.say_with("notice-greeting", &[("name", name.as_str().into())]),
        None => letter.say("notice-greeting-anonymous"),
    };
    match kind {
        NoticeKind::Received => {
            letter.say("notice-received-body");
        }
        NoticeKind::DocumentsRequested | NoticeKind::Reminder => {
            letter
                .say(&format!("notice-{}-intro", kind.as_str()))
                .put(document_list(t, f));
            if kind == NoticeKind::DocumentsRequested
                && let Some(message) = agents_message(f)
            {
                letter.put(message);
            }
            let upload = t.with(
                &format!("notice-{}-upload", kind.as_str()),
                &[("deadline", deadline.as_str().into())],
            );
            letter
                .put(format!("{upload}\n{LINK_PLACEHOLDER}"))
                .say("notice-documents-closing");
        }
        NoticeKind::Approved => {
            letter
                .say_with(
                    "notice-approved-body",
                    &[("date", effective.as_str().into())],
                )
                .put(settlement(t, f));
            if f.fee_minor > 0 {
                let fee = t.money(Money::new(f.fee_minor, f.currency));
                letter.say_with("notice-approved-fee", &[("fee", fee.into())]);
            }
        }
        NoticeKind::Rejected => {
            let reason = f.reject_reason.unwrap_or(RejectReason::Other);
            letter
                .say("notice-rejected-body")
                .say(&format!("notice-rejected-why-{}", reason.as_str()));
            if let Some(message) = agents_message(f) {
                letter.put(message);
            }
            let stays = format!(
                "{} {}",
                t.get("notice-rejected-stays-active"),
                t.get("notice-apply-again")
            );
            letter.put(stays);
        }
        NoticeKind::Expired => {
            letter
                .say_with(
                    "notice-expired-body",
                    &[("deadline", deadline.as_str().into())],
                )
                .say("notice-apply-again");
        }
        NoticeKind::Withdrawn => {
            let closing = format!(
                "{} {}",
                t.get("notice-withdrawn-not-you"),
                t.get("notice-apply-again")
            );
            letter.say("notice-withdrawn-body").put(closing);
        }
        NoticeKind::Cancelled => {
            letter
                .say_with(
                    "notice-cancelled-body",
                    &[("date", effective.as_str().into())],
                )
                .put(settlement(t, f))
                .say("notice-cancelled-keep");
        }
    }
    let footer = format!(
        "{}\n{}",
        t.with("notice-reference", &[("reference", reference.clone())]),
        t.get("notice-quote-reference")
    );
    letter.put(footer).say("notice-signature");
    let subject = t.with(
        &format!("notice-{}-subject", kind.as_str()),
        &[
            ("reference", reference),
            ("deadline", deadline.as_str().into()),
        ],
    );
    Rendered {
        subject,
        body: format!("{}\n", letter.paragraphs.join("\n\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::notice::fill_link;
    use crate::i18n::Locale;

    fn en() -> Tr {
        Tr::new(Locale::En)
    }

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
        let r = render(NoticeKind::DocumentsRequested, &facts(), en());
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
        let b = render(NoticeKind::Approved, &f, en()).body;
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
        let b = render(NoticeKind::Approved, &f, en()).body;
        assert!(b.contains("early-termination fee of Rp 250,000"), "{b}");
        assert!(b.contains("transferred to the number ending 0000"), "{b}");
        f.balance_minor = None;
        let b = render(NoticeKind::Approved, &f, en()).body;
        assert!(
            b.contains("Any remaining balance will be transferred to the number ending 0000."),
            "{b}"
        );
        f.balance_minor = Some(0);
        let b = render(NoticeKind::Approved, &f, en()).body;
        assert!(b.contains("no remaining balance"), "{b}");
    }

    #[test]
    fn a_rejection_gives_the_reason_in_plain_words_and_the_message() {
        let b = render(NoticeKind::Rejected, &facts(), en()).body;
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
        let r = render(NoticeKind::DocumentsRequested, &f, en());
        assert!(r.body.contains("Use (upload link) \"now\""));
        let sent = fill_link(&r.body, Some("https://x/upload/t"));
        assert_eq!(sent.matches("https://x/upload/t").count(), 1);
    }

    #[test]
    fn a_name_that_does_not_parse_is_left_out_of_the_greeting() {
        let mut f = facts();
        f.customer_name = None;
        for kind in NoticeKind::ALL {
            let b = render(*kind, &f, en()).body;
            assert!(b.starts_with("Dear customer,\n\n"), "{kind:?}: {b}");
        }
    }

    #[test]
    fn every_kind_renders_with_the_reference() {
        for kind in NoticeKind::ALL {
            let r = render(*kind, &facts(), en());
            assert!(r.subject.contains("CX-7K3M-Q9TD") || kind == &NoticeKind::Reminder);
            assert!(r.body.contains("CX-7K3M-Q9TD"));
            assert_eq!(
                r.body.contains(LINK_PLACEHOLDER),
                kind.has_link(),
                "{kind:?}"
            );
            assert!(r.body.ends_with("Customer care\n"), "{kind:?}: {}", r.body);
        }
        let r = render(NoticeKind::Expired, &facts(), en());
        assert!(r.body.contains("by 10 December 2026"), "{}", r.body);
        let r = render(NoticeKind::Reminder, &facts(), en());
        assert!(r.subject.contains("10 December 2026"));
    }

    #[test]
    fn every_notice_is_written_in_each_language_with_its_dates_and_money() {
        for locale in Locale::ALL {
            let t = Tr::new(locale);
            for kind in NoticeKind::ALL {
                let r = render(*kind, &facts(), t);
                let text = format!("{}\n{}", r.subject, r.body);
                // A message missing in this language would show as its id (or in English).
                assert!(!text.contains("notice-"), "{locale:?} {kind:?}: {text}");
                assert!(text.contains("CX-7K3M-Q9TD"), "{locale:?} {kind:?}");
                if locale != Locale::En {
                    assert!(
                        !text.contains("Dear") && !text.contains("Your reference"),
                        "{text}"
                    );
                }
            }
        }
        let mut f = facts();
        f.fee_minor = 25_000_000;
        let id = render(NoticeKind::Approved, &f, Tr::new(Locale::Id));
        assert!(
            id.body.starts_with("Yth. Bapak/Ibu Siti Rahayu,"),
            "{}",
            id.body
        );
        assert!(id.body.contains("pada 9 Desember 2026"), "{}", id.body);
        assert!(
            id.body.contains("sebesar Rp 15.000 akan dikembalikan"),
            "{}",
            id.body
        );
        assert!(
            id.body
                .contains("biaya penghentian dini sebesar Rp 250.000"),
            "{}",
            id.body
        );
        let zh = render(NoticeKind::DocumentsRequested, &f, Tr::new(Locale::ZhCn));
        assert!(zh.body.contains("2026年12月10日"), "{}", zh.body);
        assert!(zh.body.contains("\n- 身份证\n"), "{}", zh.body);
        assert_eq!(
            zh.body
                .matches(crate::domain::notice::LINK_PLACEHOLDER)
                .count(),
            1
        );
    }
}
