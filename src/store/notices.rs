//! The outbox of notices to customers: written in the transaction of the change they report,
//! claimed and marked by the delivery worker, listed on the case page's timeline.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use crate::domain::document::DocumentKind;
use crate::domain::event::{EventDetails, EventKind};
use crate::domain::notice::{NoticeChannel, NoticeKind};
use crate::domain::request::{ContactChannel, RejectReason, Settlement};

/// What a notice needs to know about its case, and the latest event of the kind it reports.
#[derive(Debug, sqlx::FromRow)]
pub struct FactsRow {
    pub id: i64,
    pub reference: String,
    pub customer_name: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact: ContactChannel,
    pub effective_date: Option<NaiveDate>,
    pub settlement: Settlement,
    pub refund_bank: Option<String>,
    pub refund_account: Option<String>,
    pub transfer_msisdn: Option<String>,
    /// `None` when billing did not know the line: the balance is not known.
    pub balance_minor: Option<i64>,
    pub currency: crate::domain::money::Currency,
    pub decision_reason: Option<RejectReason>,
    pub requested_kinds: Vec<DocumentKind>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub event_reason: Option<RejectReason>,
    pub event_message: Option<String>,
    pub event_details: Option<Json<EventDetails>>,
    pub locale: crate::i18n::Locale,
}

/// Reads the cases (and for each its latest event of `event_kind`, if any) in the caller's
/// transaction, so a notice sees the change it reports. The event lookup walks
/// `case_events_case_idx` backwards from the newest event of each case.
pub async fn facts(
    conn: &mut PgConnection,
    case_ids: &[i64],
    event_kind: Option<EventKind>,
) -> sqlx::Result<Vec<FactsRow>> {
    sqlx::query_as(
        "SELECT c.id, c.reference, c.customer_name, c.contact_email, c.contact_phone,
                c.preferred_contact, c.effective_date, c.settlement, c.refund_bank,
                c.refund_account, c.transfer_msisdn,
                CASE WHEN c.billing_status = 'matched' THEN c.balance_minor END AS balance_minor,
                c.currency,
                c.decision_reason, c.requested_kinds, c.documents_deadline,
                ev.reason_code AS event_reason, ev.message AS event_message,
                ev.details AS event_details, c.locale
         FROM cases c
         LEFT JOIN LATERAL (
             SELECT e.reason_code, e.message, e.details FROM case_events e
             WHERE e.case_id = c.id AND e.kind = $2
             ORDER BY e.id DESC LIMIT 1
         ) ev ON true
         WHERE c.id = ANY($1)
         ORDER BY c.id",
    )
    .bind(case_ids)
    .bind(event_kind)
    .fetch_all(conn)
    .await
}

/// A rendered notice, ready for the outbox.
#[derive(Debug)]
pub struct NewNotice {
    pub case_id: i64,
    pub kind: &'static str,
    pub channel: &'static str,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link_token: Option<String>,
}

pub async fn insert_many(conn: &mut PgConnection, notices: &[NewNotice]) -> sqlx::Result<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&NewNotice) -> &str| notices.iter().map(f).collect::<Vec<&str>>();
    let case_ids: Vec<i64> = notices.iter().map(|n| n.case_id).collect();
    let tokens: Vec<Option<&str>> = notices.iter().map(|n| n.link_token.as_deref()).collect();
    sqlx::query(
        "INSERT INTO notices (case_id, kind, channel, recipient, subject, body, link_token)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[])",
    )
    .bind(&case_ids)
    .bind(col(|n| n.kind))
    .bind(col(|n| n.channel))
    .bind(col(|n| &n.recipient))
    .bind(col(|n| &n.subject))
    .bind(col(|n| &n.body))
    .bind(&tokens)
    .execute(conn)
    .await?;
    Ok(())
}

/// A notice as the case page's timeline shows it (never its link token).
#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct NoticeRecord {
    pub id: i64,
    pub kind: NoticeKind,
    pub channel: NoticeChannel,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The notices of case `n`; the callers add the filter.
macro_rules! select_notices {
    () => {
        "SELECT n.id, n.kind, n.channel, n.subject, n.body, n.status, n.attempts, n.last_error,
                n.created_at, n.sent_at
         FROM notices n"
    };
}
pub(crate) use select_notices;

/// A notice claimed for one delivery attempt.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedNotice {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub link_token: Option<String>,
    /// Including this one.
    pub attempts: i32,
}

/// Claims up to `limit` due notices for one attempt each: counts the attempt and leases them
/// until `lease_until`, so another worker (or this one after a crash) takes them again only
/// then. `SKIP LOCKED`: workers of several app instances never claim the same notice.
/// Uses `notices_due_idx`.
pub async fn claim_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<ClaimedNotice>> {
    sqlx::query_as(
        "UPDATE notices n SET attempts = n.attempts + 1, next_attempt_at = $2
         FROM (SELECT id FROM notices
               WHERE status = 'pending' AND next_attempt_at <= $1
               ORDER BY next_attempt_at, id
               LIMIT $3
               FOR UPDATE SKIP LOCKED) due
         WHERE n.id = due.id
         RETURNING n.id, n.kind, n.channel, n.recipient, n.subject, n.body, n.link_token,
                   n.attempts",
    )
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Gives claimed notices that were not attempted back (shutting down): due again now, the
/// attempt counted by the claim taken back, so another instance sends them at once.
pub async fn release(pool: &PgPool, ids: &[i64], now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notices SET attempts = greatest(attempts - 1, 0), next_attempt_at = $2
         WHERE id = ANY($1) AND status = 'pending'",
    )
    .bind(ids)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Delivered: the link token is erased (the customer has it now).
pub async fn mark_sent(pool: &PgPool, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notices SET status = 'sent', sent_at = $2, link_token = NULL, last_error = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Failed for now: try again at `next_attempt_at`.
pub async fn mark_retry(
    pool: &PgPool,
    id: i64,
    next_attempt_at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE notices SET next_attempt_at = $2, last_error = $3 WHERE id = $1")
        .bind(id)
        .bind(next_attempt_at)
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}

/// Given up: the link token is erased (nobody will deliver it).
pub async fn mark_failed(pool: &PgPool, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notices SET status = 'failed', last_error = $2, link_token = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// No gateway for its channel: stored, not sent. The link token stays, so that an operator could
/// still pass the link on (it is erased when the request expires).
pub async fn mark_no_gateway(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE notices SET status = 'no_gateway', last_error = NULL WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The customer answered the document request: its notices still waiting to be sent (a reminder,
/// the request itself) would now ask for what has arrived, so they are withdrawn, and every
/// upload-link token of the case is erased (its links are used).
pub async fn supersede_document_requests(
    conn: &mut PgConnection,
    case_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notices SET status = 'superseded', link_token = NULL
         WHERE case_id = $1 AND status = 'pending'
           AND kind IN ('documents_requested', 'reminder')",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    erase_link_tokens(conn, case_id).await
}

/// A case's links can no longer be used (its request expired): their tokens go.
pub async fn erase_link_tokens(conn: &mut PgConnection, case_id: i64) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE notices SET link_token = NULL WHERE case_id = $1 AND link_token IS NOT NULL",
    )
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}
