//! What the customer-facing pages read: the status lookup and upload links.

use crate::domain::case::State;
use crate::domain::document::DocumentKind;
use crate::domain::request::{Channel, RejectReason};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

/// The little a customer may see of their case.
#[derive(Debug, sqlx::FromRow)]
pub struct StatusRow {
    pub reference: String,
    pub state: State,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub requested_effective_date: NaiveDate,
    pub effective_date: Option<NaiveDate>,
    pub decision_reason: Option<RejectReason>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Vec<DocumentKind>,
    pub documents_received: bool,
}

/// ($1 reference, $2 line) Uses the reference's unique index.
pub const STATUS_SQL: &str = "SELECT reference, state, submitted_at, updated_at,
                requested_effective_date, effective_date, decision_reason, documents_deadline,
                requested_kinds, documents_received
         FROM cases WHERE reference = $1 AND msisdn = $2";

/// The case with this reference *and* this line, or nothing: a wrong pair reveals nothing.
pub async fn status(
    pool: &PgPool,
    reference: &str,
    msisdn: &str,
) -> sqlx::Result<Option<StatusRow>> {
    sqlx::query_as(STATUS_SQL)
        .bind(reference)
        .bind(msisdn)
        .fetch_optional(pool)
        .await
}

/// The same for other systems (the intake API), by reference alone: they hold a token.
#[derive(Debug, sqlx::FromRow)]
pub struct ApiStatusRow {
    pub reference: String,
    pub state: State,
    pub channel: Channel,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub requested_effective_date: NaiveDate,
    pub effective_date: Option<NaiveDate>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Vec<DocumentKind>,
    pub documents_received: bool,
}

pub async fn by_reference(pool: &PgPool, reference: &str) -> sqlx::Result<Option<ApiStatusRow>> {
    sqlx::query_as(
        "SELECT reference, state, channel, submitted_at, updated_at, requested_effective_date,
                effective_date, documents_deadline, requested_kinds, documents_received
         FROM cases WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(pool)
    .await
}

/// An upload link with what its page needs of the case.
#[derive(Debug, sqlx::FromRow)]
pub struct UploadLinkRow {
    pub id: i64,
    pub case_id: i64,
    pub reference: String,
    pub kinds: Vec<DocumentKind>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub case_state: State,
}

/// ($1 the token's SHA-256) Uses the token hash's unique index.
pub const LINK_SQL: &str = "SELECT l.id, l.case_id, c.reference, l.kinds, l.expires_at, l.used_at,
                               c.state AS case_state
                        FROM upload_links l JOIN cases c ON c.id = l.case_id
                        WHERE l.token_sha256 = $1";

pub async fn upload_link<'e>(
    db: impl sqlx::PgExecutor<'e>,
    token_sha256: &[u8],
) -> sqlx::Result<Option<UploadLinkRow>> {
    sqlx::query_as(LINK_SQL)
        .bind(token_sha256)
        .fetch_optional(db)
        .await
}

/// The same, locked until the transaction ends (the case is locked separately, line first).
pub async fn lock_upload_link(
    conn: &mut PgConnection,
    token_sha256: &[u8],
) -> sqlx::Result<Option<UploadLinkRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("{LINK_SQL} FOR UPDATE OF l")))
        .bind(token_sha256)
        .fetch_optional(conn)
        .await
}

/// Marks the case's open links used: a reminder carries a second link for the same request,
/// and one answer closes the request.
pub async fn mark_links_used(
    conn: &mut PgConnection,
    case_id: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE upload_links SET used_at = $2 WHERE case_id = $1 AND used_at IS NULL")
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}
