//! New cases from applications (web form and intake API).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::domain::application::{Application, SettlementChoice};
use crate::domain::reference::CaseReference;
use crate::domain::request::Channel;
use crate::i18n::Locale;
use crate::store::billing::BillingLine;

/// How the applied-for line compares with billing.
pub enum BillingMatch {
    /// Billing knows the line under the account number typed: its contract facts are the case's.
    Matched(BillingLine),
    NotFound,
    /// Billing knows the line under another account: nothing of it is copied to the case.
    AccountMismatch,
}

impl BillingMatch {
    pub fn of(line: Option<BillingLine>, account_number: &str) -> BillingMatch {
        match line {
            Some(line) if line.account_number == account_number => BillingMatch::Matched(line),
            Some(_) => BillingMatch::AccountMismatch,
            None => BillingMatch::NotFound,
        }
    }

    fn facts(&self) -> Option<&BillingLine> {
        match self {
            BillingMatch::Matched(line) => Some(line),
            _ => None,
        }
    }

    pub fn status(&self) -> &'static str {
        match self {
            BillingMatch::Matched(_) => "matched",
            BillingMatch::NotFound => "not_found",
            BillingMatch::AccountMismatch => "account_mismatch",
        }
    }
}

/// Inserts the case under a fresh reference; returns its id and reference. Runs in the caller's
/// transaction, after [`lock_line`].
pub async fn insert(
    conn: &mut PgConnection,
    app: &Application,
    channel: Channel,
    submitted_at: DateTime<Utc>,
    sla_due_at: DateTime<Utc>,
    billing: &BillingMatch,
    locale: Locale,
) -> sqlx::Result<(i64, CaseReference)> {
    let facts = billing.facts();
    let (refund_bank, refund_account, transfer_msisdn) = match &app.settlement {
        SettlementChoice::Refund { bank, account } => {
            (Some(bank.as_str()), Some(account.as_str()), None)
        }
        SettlementChoice::Transfer { to } => (None, None, Some(to.e164())),
        SettlementChoice::Forfeit => (None, None, None),
    };
    // References are random: on the rare clash, draw again.
    loop {
        let reference = CaseReference::generate();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO cases (reference, state, channel, customer_name, customer_nik,
                                contact_email, contact_phone, preferred_contact, msisdn,
                                account_number, line_type, reason, reason_text, settlement,
                                refund_bank, refund_account, transfer_msisdn,
                                requested_effective_date, consent, submitted_at, sla_due_at,
                                billing_status, activation_date, min_term_end, etf_minor,
                                balance_minor, currency, bound_services, locale)
             VALUES ($1, 'submitted', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                     $15, $16, $17, $18, $19, $20, $21, $22, $23, COALESCE($24, 0),
                     COALESCE($25, 0), COALESCE($26, 'IDR'), COALESCE($27, '{}'), $28)
             ON CONFLICT (reference) DO NOTHING
             RETURNING id",
        )
        .bind(reference.as_str())
        .bind(channel.as_str())
        .bind(app.customer_name.as_str())
        .bind(app.nik.as_str())
        .bind(app.contact_email.as_deref())
        .bind(app.contact_phone.as_ref().map(|p| p.e164()))
        .bind(app.preferred_contact.as_str())
        .bind(app.msisdn.e164())
        .bind(&app.account_number)
        .bind(facts.map_or(app.line_type.as_str(), |f| f.line_type.as_str()))
        .bind(app.reason.as_str())
        .bind(app.reason_text.as_deref())
        .bind(app.settlement.kind().as_str())
        .bind(refund_bank)
        .bind(refund_account)
        .bind(transfer_msisdn)
        .bind(app.requested_effective_date)
        .bind(true)
        .bind(submitted_at)
        .bind(sla_due_at)
        .bind(billing.status())
        .bind(facts.map(|f| f.activation_date))
        .bind(facts.and_then(|f| f.min_term_end))
        .bind(facts.map(|f| f.etf_minor))
        .bind(facts.map(|f| f.balance_minor))
        .bind(facts.map(|f| f.currency.as_str()))
        .bind(facts.map(|f| f.bound_services.as_slice()))
        .bind(locale)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            return Ok((id, reference));
        }
    }
}

/// Serialises changes of one line's cases (the "duplicate line" flag is computed over them).
pub async fn lock_line(conn: &mut PgConnection, msisdn: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('line:' || $1))")
        .bind(msisdn)
        .execute(conn)
        .await?;
    Ok(())
}
