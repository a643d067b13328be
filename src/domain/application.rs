//! A customer's application to cancel a line, parsed from what was typed (web form) or sent (API).
//!
//! Both ways in fill the same [`ApplicationInput`] and get the same [`Application`] or the same
//! list of field errors, so the form and the API can never disagree about what is valid.

use chrono::{Days, NaiveDate};
use serde::Deserialize;

use super::customer_name::CustomerName;
use super::msisdn::Msisdn;
use super::nik::Nik;
use super::request::{CancelReason, ContactChannel, LineType, Settlement};
use super::said::Said;

/// What was typed, field by field; every field may be missing or nonsense.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApplicationInput {
    /// Full name as on the identity card: letters, combining marks, spaces and `.'-` only
    /// (see `domain::customer_name`).
    pub customer_name: String,
    /// The 16-digit NIK.
    pub id_number: String,
    /// The number of the line to cancel, as people type it (08…, 62…, +62…).
    pub msisdn: String,
    pub account_number: String,
    /// `prepaid` or `postpaid`.
    pub line_type: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// `email` or `sms`; empty picks e-mail when given.
    pub preferred_contact: String,
    /// `switching_operator`, `no_longer_needed`, `moving_abroad`, `cost`, `service_quality` or `other`.
    pub reason: String,
    /// Required when the reason is `other`.
    pub reason_text: String,
    /// `refund`, `transfer` or `forfeit`.
    pub settlement: String,
    pub refund_bank: String,
    pub refund_account: String,
    /// For `transfer`: another number of ours.
    pub transfer_msisdn: String,
    /// `YYYY-MM-DD`, today or later (at most a year ahead).
    pub requested_effective_date: String,
    pub consent: bool,
}

/// How the remaining balance is settled, with exactly the details each way needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementChoice {
    Refund { bank: String, account: String },
    Transfer { to: Msisdn },
    Forfeit,
}

impl SettlementChoice {
    pub fn kind(&self) -> Settlement {
        match self {
            SettlementChoice::Refund { .. } => Settlement::Refund,
            SettlementChoice::Transfer { .. } => Settlement::Transfer,
            SettlementChoice::Forfeit => Settlement::Forfeit,
        }
    }
}

/// A valid application.
#[derive(Debug, Clone)]
pub struct Application {
    pub customer_name: CustomerName,
    pub nik: Nik,
    pub msisdn: Msisdn,
    pub account_number: String,
    pub line_type: LineType,
    pub contact_email: Option<String>,
    pub contact_phone: Option<Msisdn>,
    pub preferred_contact: ContactChannel,
    pub reason: CancelReason,
    pub reason_text: Option<String>,
    pub settlement: SettlementChoice,
    pub requested_effective_date: NaiveDate,
}

/// One thing wrong with one field, said so the customer can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    /// Worded in the reader's language by the page (or the API).
    pub message: Said,
}

/// The market rules an application is checked against.
pub struct Market<'a> {
    pub country_code: &'a str,
    pub operator_prefixes: &'a [String],
    pub today: NaiveDate,
}

const MAX_TEXT: usize = 1000;

/// A phone number that does not read as one (`InvalidMsisdn`).
const MSISDN_INVALID: &str = "msisdn-invalid";

pub fn parse(input: &ApplicationInput, market: &Market) -> Result<Application, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: &'static str, message: Said| errors.push(FieldError { field, message });

    let customer_name = CustomerName::parse(&input.customer_name)
        .map_err(|e| fail("customer_name", Said::new(e.message_id())))
        .ok();
    let nik = Nik::parse(&input.id_number)
        .map_err(|e| fail("id_number", Said::new(e.message_id())))
        .ok();
    let msisdn = match Msisdn::parse(&input.msisdn, market.country_code) {
        Ok(m) if m.has_prefix(market.operator_prefixes) => Some(m),
        Ok(_) => {
            fail("msisdn", Said::new("error-msisdn-not-ours"));
            None
        }
        Err(_) => {
            fail("msisdn", Said::new(MSISDN_INVALID));
            None
        }
    };
    let account_number: String = input
        .account_number
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    if !(6..=20).contains(&account_number.len())
        || !account_number.bytes().all(|b| b.is_ascii_digit())
    {
        fail("account_number", Said::new("error-account-number"));
    }
    let line_type = LineType::parse(input.line_type.trim());
    if line_type.is_none() {
        fail("line_type", Said::new("error-line-type"));
    }

    let email = clean_line(&input.contact_email);
    let contact_email = if email.is_empty() {
        None
    } else if is_email(&email) {
        Some(email)
    } else {
        fail("contact_email", Said::new("error-email"));
        None
    };
    let phone = input.contact_phone.trim();
    let contact_phone = if phone.is_empty() {
        None
    } else {
        match Msisdn::parse(phone, market.country_code) {
            Ok(m) => Some(m),
            Err(_) => {
                fail("contact_phone", Said::new(MSISDN_INVALID));
                None
            }
        }
    };
    let contact_given = !input.contact_email.trim().is_empty() || !phone.is_empty();
    if !contact_given {
        fail("contact_email", Said::new("error-contact-missing"));
    }
    let preferred_contact = match input.preferred_contact.trim() {
        "" if !input.contact_email.trim().is_empty() => Some(ContactChannel::Email),
        "" => Some(ContactChannel::Sms),
        other => ContactChannel::parse(other),
    };
    match preferred_contact {
        None => fail("preferred_contact", Said::new("error-preferred-contact")),
        Some(ContactChannel::Email) if input.contact_email.trim().is_empty() && contact_given => {
            fail(
                "preferred_contact",
                Said::new("error-preferred-email-missing"),
            )
        }
        Some(ContactChannel::Sms) if phone.is_empty() && contact_given => fail(
            "preferred_contact",
            Said::new("error-preferred-sms-missing"),
        ),
        _ => {}
    }

    let reason = CancelReason::parse(input.reason.trim());
    let reason_text = clean_text(&input.reason_text);
    match reason {
        None => fail("reason", Said::new("error-reason")),
        Some(CancelReason::Other) if reason_text.is_empty() => {
            fail("reason_text", Said::new("error-reason-text-missing"))
        }
        _ => {}
    }
    if reason_text.chars().count() > MAX_TEXT {
        fail("reason_text", Said::new("error-reason-text-too-long"));
    }

    let settlement = match Settlement::parse(input.settlement.trim()) {
        None => {
            fail("settlement", Said::new("error-settlement"));
            None
        }
        Some(Settlement::Forfeit) => Some(SettlementChoice::Forfeit),
        Some(Settlement::Refund) => {
            let bank = clean_line(&input.refund_bank);
            let account: String = input
                .refund_account
                .chars()
                .filter(|c| !matches!(c, ' ' | '-'))
                .collect();
            let bank_ok = (2..=60).contains(&bank.chars().count());
            let account_ok =
                (5..=20).contains(&account.len()) && account.bytes().all(|b| b.is_ascii_digit());
            if !bank_ok {
                fail("refund_bank", Said::new("error-refund-bank"));
            }
            if !account_ok {
                fail("refund_account", Said::new("error-refund-account"));
            }
            (bank_ok && account_ok).then_some(SettlementChoice::Refund { bank, account })
        }
        Some(Settlement::Transfer) => {
            match Msisdn::parse(&input.transfer_msisdn, market.country_code) {
                Ok(to) if !to.has_prefix(market.operator_prefixes) => {
                    fail("transfer_msisdn", Said::new("error-transfer-not-ours"));
                    None
                }
                Ok(to) if Some(&to) == msisdn.as_ref() => {
                    fail("transfer_msisdn", Said::new("error-transfer-same-line"));
                    None
                }
                Ok(to) => Some(SettlementChoice::Transfer { to }),
                Err(_) => {
                    fail("transfer_msisdn", Said::new(MSISDN_INVALID));
                    None
                }
            }
        }
    };

    let latest = market.today.checked_add_days(Days::new(365));
    let requested_effective_date =
        match NaiveDate::parse_from_str(input.requested_effective_date.trim(), "%Y-%m-%d") {
            Ok(day) if day < market.today => {
                fail("requested_effective_date", Said::new("error-date-past"));
                None
            }
            Ok(day) if latest.is_some_and(|l| day > l) => {
                fail("requested_effective_date", Said::new("error-date-too-far"));
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                fail("requested_effective_date", Said::new("error-date-invalid"));
                None
            }
        };
    if !input.consent {
        fail("consent", Said::new("error-consent"));
    }

    match (
        customer_name,
        nik,
        msisdn,
        line_type,
        preferred_contact,
        reason,
        settlement,
        requested_effective_date,
    ) {
        (
            Some(customer_name),
            Some(nik),
            Some(msisdn),
            Some(line_type),
            Some(preferred_contact),
            Some(reason),
            Some(settlement),
            Some(requested_effective_date),
        ) if errors.is_empty() => Ok(Application {
            customer_name,
            nik,
            msisdn,
            account_number,
            line_type,
            contact_email,
            contact_phone,
            preferred_contact,
            reason,
            reason_text: (!reason_text.is_empty()).then_some(reason_text),
            settlement,
            requested_effective_date,
        }),
        _ => Err(errors),
    }
}

/// One line of text: surrounding space trimmed, runs of whitespace and control characters made
/// single spaces (a bank name with a newline could forge a line wherever it is printed).
fn clean_line(input: &str) -> String {
    input
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Free text: line breaks kept, other control characters dropped.
fn clean_text(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Deliberately simple: one `@`, something before it, a dotted domain after it. Whether the
/// mailbox exists only a mail can tell.
fn is_email(value: &str) -> bool {
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && value.len() <= 254
                && !value.contains(char::is_whitespace)
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn market() -> (Vec<String>, NaiveDate) {
        (
            vec!["+62838".into(), "+62831".into()],
            NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        )
    }

    fn valid() -> ApplicationInput {
        ApplicationInput {
            customer_name: "  Siti   Rahayu ".into(),
            id_number: "3174015201900001".into(),
            msisdn: "0838-1234-5678".into(),
            account_number: "1234 5678 90".into(),
            line_type: "postpaid".into(),
            contact_email: "siti@example.com".into(),
            contact_phone: String::new(),
            preferred_contact: String::new(),
            reason: "moving_abroad".into(),
            reason_text: String::new(),
            settlement: "refund".into(),
            refund_bank: "Bank Contoh".into(),
            refund_account: "0012345678".into(),
            transfer_msisdn: String::new(),
            requested_effective_date: "2026-12-31".into(),
            consent: true,
        }
    }

    fn check(input: &ApplicationInput) -> Result<Application, Vec<FieldError>> {
        let (prefixes, today) = market();
        parse(
            input,
            &Market {
                country_code: "62",
                operator_prefixes: &prefixes,
                today,
            },
        )
    }

    fn fields(input: &ApplicationInput) -> Vec<&'static str> {
        check(input)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_application_is_normalised() {
        let app = check(&valid()).unwrap();
        assert_eq!(app.customer_name.as_str(), "Siti Rahayu");
        assert_eq!(app.msisdn.e164(), "+6283812345678");
        assert_eq!(app.account_number, "1234567890");
        assert_eq!(app.preferred_contact, ContactChannel::Email);
        assert_eq!(
            app.settlement,
            SettlementChoice::Refund {
                bank: "Bank Contoh".into(),
                account: "0012345678".into()
            }
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        type Change = Box<dyn Fn(&mut ApplicationInput)>;
        let cases: Vec<(&str, Change)> = vec![
            ("customer_name", Box::new(|i| i.customer_name = " ".into())),
            (
                "id_number",
                Box::new(|i| i.id_number = "3174019901900001".into()),
            ),
            ("msisdn", Box::new(|i| i.msisdn = "0811-1234-5678".into())),
            ("msisdn", Box::new(|i| i.msisdn = "12".into())),
            (
                "account_number",
                Box::new(|i| i.account_number = "12a".into()),
            ),
            ("line_type", Box::new(|i| i.line_type = "both".into())),
            (
                "contact_email",
                Box::new(|i| i.contact_email = "siti@".into()),
            ),
            ("contact_email", Box::new(|i| i.contact_email.clear())),
            ("reason", Box::new(|i| i.reason = "boredom".into())),
            ("reason_text", Box::new(|i| i.reason = "other".into())),
            ("settlement", Box::new(|i| i.settlement = String::new())),
            (
                "refund_account",
                Box::new(|i| i.refund_account = "x".into()),
            ),
            (
                "transfer_msisdn",
                Box::new(|i| {
                    i.settlement = "transfer".into();
                    i.transfer_msisdn = "083812345678".into();
                }),
            ),
            (
                "requested_effective_date",
                Box::new(|i| i.requested_effective_date = "2026-11-24".into()),
            ),
            (
                "requested_effective_date",
                Box::new(|i| i.requested_effective_date = "31/12/2026".into()),
            ),
            ("consent", Box::new(|i| i.consent = false)),
            (
                "preferred_contact",
                Box::new(|i| i.preferred_contact = "sms".into()),
            ),
        ];
        for (field, change) in cases {
            let mut input = valid();
            change(&mut input);
            assert_eq!(fields(&input), vec![field], "{field}");
        }
    }

    #[test]
    fn transfer_needs_another_of_our_numbers() {
        let mut input = valid();
        input.settlement = "transfer".into();
        input.transfer_msisdn = "+62 831 9876 5432".into();
        let app = check(&input).unwrap();
        assert!(
            matches!(app.settlement, SettlementChoice::Transfer { to } if to.e164() == "+6283198765432")
        );
    }

    #[test]
    fn names_cannot_carry_line_breaks_markup_or_digits() {
        for name in [
            "Siti\nINFO forged line\r",
            "<b>Siti</b>",
            "Siti 2",
            "evil.com",
        ] {
            let mut input = valid();
            input.customer_name = name.into();
            let errors = check(&input).unwrap_err();
            assert_eq!(errors.len(), 1, "{name:?}: {errors:?}");
            assert_eq!(errors[0].field, "customer_name");
            assert!(errors[0].message.id.starts_with("name-"), "{errors:?}");
        }
    }
}
