//! Notices to customers. [`enqueue`] renders a notice and writes it to the outbox in the
//! caller's transaction (the one that makes the change it reports); [`worker`] delivers the
//! outbox; [`render`] holds the texts.

pub mod account;
pub mod render;
pub mod worker;

use sqlx::PgConnection;
use sqlx::types::Json;

use crate::domain::customer_name::CustomerName;
use crate::domain::event::EventKind;
pub use crate::domain::notice::NoticeKind;
use crate::domain::notice::choose_channel;
use crate::store::notices::{self, FactsRow, NewNotice};
use render::NoticeFacts;

/// Renders a notice of `kind` about the case and puts it into the outbox, in the caller's
/// transaction. `link_token`: the raw upload token for kinds that carry a link (documents
/// requested, reminder); it is stored beside the text only until delivery.
///
/// The channel is the customer's preferred one, else whichever contact exists; a case with
/// neither gets no notice (logged by case id).
pub async fn enqueue(
    conn: &mut PgConnection,
    case_id: i64,
    kind: NoticeKind,
    link_token: Option<&str>,
) -> sqlx::Result<()> {
    let tokens = link_token.map(|t| vec![t.to_owned()]);
    enqueue_many(conn, &[case_id], kind, tokens.as_deref()).await
}

/// [`enqueue`] for many cases at once (bulk triage): one read and one insert. `link_tokens`, when
/// given, holds one token per case, in the order of `case_ids`.
pub async fn enqueue_many(
    conn: &mut PgConnection,
    case_ids: &[i64],
    kind: NoticeKind,
    link_tokens: Option<&[String]>,
) -> sqlx::Result<()> {
    if case_ids.is_empty() {
        return Ok(());
    }
    let tokens: std::collections::HashMap<i64, &str> = match link_tokens {
        Some(tokens) => case_ids
            .iter()
            .copied()
            .zip(tokens.iter().map(String::as_str))
            .collect(),
        None => Default::default(),
    };
    let rows = notices::facts(&mut *conn, case_ids, event_kind(kind)).await?;
    let mut outbox = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((channel, recipient)) = choose_channel(
            row.preferred_contact,
            row.contact_email.as_deref(),
            row.contact_phone.as_deref(),
        ) else {
            tracing::warn!(
                case_id = row.id,
                kind = kind.as_str(),
                "no contact to send a notice to"
            );
            continue;
        };
        let case_id = row.id;
        // In the language the customer applied in.
        let t = crate::i18n::Tr::new(row.locale);
        let rendered = render::render(kind, &facts(row), t);
        outbox.push(NewNotice {
            case_id,
            kind: kind.as_str(),
            channel: channel.as_str(),
            recipient,
            subject: rendered.subject,
            body: rendered.body,
            link_token: tokens.get(&case_id).map(|t| (*t).to_owned()),
        });
    }
    notices::insert_many(conn, &outbox).await
}

/// The history event whose message and details a notice reports.
fn event_kind(kind: NoticeKind) -> Option<EventKind> {
    match kind {
        NoticeKind::Received | NoticeKind::Withdrawn => None,
        NoticeKind::Approved => Some(EventKind::Approved),
        NoticeKind::Cancelled => Some(EventKind::Cancelled),
        NoticeKind::Rejected => Some(EventKind::Rejected),
        NoticeKind::DocumentsRequested | NoticeKind::Reminder | NoticeKind::Expired => {
            Some(EventKind::DocumentsRequested)
        }
    }
}

fn facts(row: FactsRow) -> NoticeFacts {
    let details = row.event_details.map(|Json(d)| d).unwrap_or_default();
    NoticeFacts {
        reference: row.reference,
        // Rows written before the name rule may hold anything; such a name is not printed.
        customer_name: CustomerName::parse(&row.customer_name).ok(),
        effective_date: row.effective_date,
        settlement: row.settlement,
        refund_bank: row.refund_bank,
        refund_account: row.refund_account,
        transfer_msisdn: row.transfer_msisdn,
        // Once the line has ended, provisioning's final figure replaces billing's.
        balance_minor: details.final_balance_minor.or(row.balance_minor),
        currency: row.currency,
        fee_minor: details.fee_minor.unwrap_or(0),
        reject_reason: row.event_reason.or(row.decision_reason),
        message: row.event_message,
        requested_kinds: row.requested_kinds,
        // The day the agent chose (stored with the request); else the deadline's UTC date.
        deadline: details
            .deadline
            .or_else(|| row.documents_deadline.map(|d| d.date_naive())),
    }
}
