//! Cases: reading one for its page, locking cases for a change (one, or a bulk batch, in the
//! documented order: lines, then rows), and writing a change to any number of cases with their
//! history events, set-based, in the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgExecutor, PgPool, Row};

use crate::domain::agent::AgentId;
use crate::domain::case::{Actor, CaseFacts, State};
use crate::domain::document::DocumentKind;
use crate::domain::effects::{CaseChange, Columns, Snapshot};
use crate::domain::event::{ActorKind, EventDetails, EventKind};
use crate::domain::reference::CaseReference;
use crate::domain::request::{
    CancelReason, Channel, ContactChannel, LineType, RejectReason, Settlement,
};
use crate::store::columns::{billing_known_sql, identity_accepted_sql, order_status_sql};
use crate::store::documents::DocumentRecord;
use crate::store::history::EventRecord;
use crate::store::notices::NoticeRecord;
use sqlx::types::Json;

/// Everything the case page shows about the case itself.
#[derive(Debug, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: i64,
    pub reference: String,
    pub version: i32,
    /// What the state machine knows of the case.
    #[sqlx(flatten)]
    pub facts: CaseFacts,
    /// When its retention period started, and its legal hold if any.
    #[sqlx(flatten)]
    pub retention: crate::store::retention::CaseRetention,
    pub channel: Channel,
    pub customer_name: String,
    pub customer_nik: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact: ContactChannel,
    pub msisdn: String,
    pub account_number: String,
    pub line_type: LineType,
    pub activation_date: Option<NaiveDate>,
    pub balance_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub bound_services: Vec<String>,
    pub reason: CancelReason,
    pub reason_text: Option<String>,
    pub settlement: Settlement,
    pub refund_bank: Option<String>,
    pub refund_account: Option<String>,
    pub transfer_msisdn: Option<String>,
    pub requested_effective_date: NaiveDate,
    pub consent: bool,
    pub submitted_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub assignee_name: Option<String>,
    pub documents_received: bool,
    pub effective_date: Option<NaiveDate>,
    pub decision_reason: Option<RejectReason>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Vec<DocumentKind>,
    /// Another open case for the same line (kept by triggers, see the migration).
    pub duplicate_line: bool,
    /// `matched`, `not_found` or `account_mismatch`: the line compared with billing on arrival.
    pub billing_status: String,
    /// The latest cancellation order failed (the queue's flag).
    pub provisioning_failed: bool,
    /// The balance provisioning reported when the line ended.
    pub final_balance_minor: Option<i64>,
    /// The customer's language: their notices are written in it.
    pub locale: crate::i18n::Locale,
}

/// What the state machine knows of case `c`, from the columns both the case page's query and
/// [`locked_columns`] select (with `identity_accepted` and `billing_known` computed): one
/// builder for what the page offers and what a change checks.
impl<'r> sqlx::FromRow<'r, PgRow> for CaseFacts {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        Ok(CaseFacts {
            state: row.try_get("state")?,
            assignee: row.try_get::<Option<i64>, _>("assignee_id")?.map(AgentId),
            identity_accepted: row.try_get("identity_accepted")?,
            billing_known: row.try_get("billing_known")?,
            min_term_end: row.try_get("min_term_end")?,
            fee_minor: row.try_get("etf_minor")?,
            priority: row.try_get("priority")?,
            order: row.try_get("order_status")?,
        })
    }
}

/// The columns of the case `c` with what the page needs to know of documents and other cases,
/// and its legal hold.
macro_rules! find_columns {
    () => {
        concat!(
            "SELECT c.*, a.name AS assignee_name, ",
            identity_accepted_sql!(),
            " AS identity_accepted, ",
            billing_known_sql!(),
            " AS billing_known, ",
            order_status_sql!(),
            " AS order_status, h.reason AS hold_reason, ha.name AS hold_by, h.placed_at AS hold_at"
        )
    };
}

/// The case with this reference ($1), for the columns above.
macro_rules! find_from {
    () => {
        " FROM cases c LEFT JOIN agents a ON a.id = c.assignee_id
          LEFT JOIN legal_holds h ON h.case_id = c.id
          LEFT JOIN agents ha ON ha.id = h.placed_by
          WHERE c.reference = $1"
    };
}

/// A case ($1: reference) with what its forms check.
pub const FIND_SQL: &str = concat!(find_columns!(), find_from!());

/// Everything the case page reads, in one statement: the case, and its documents, history and
/// notices as JSON arrays (PostgreSQL aggregates them). Four round trips were a third of the
/// page's cost; each list is a few rows.
pub const FIND_FOR_PAGE_SQL: &str = concat!(
    find_columns!(),
    ", (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (",
    crate::store::documents::select_documents!(),
    " WHERE d.case_id = c.id) x) AS documents,
       (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (",
    crate::store::history::select_events!(),
    " WHERE e.case_id = c.id) x) AS events,
       (SELECT coalesce(json_agg(x ORDER BY x.id), '[]') FROM (",
    crate::store::notices::select_notices!(),
    " WHERE n.case_id = c.id) x) AS notices,
       c.prechecks, c.assessed_at, ",
    crate::store::assist::readings_json!(),
    " AS readings",
    find_from!()
);

/// What [`FIND_FOR_PAGE_SQL`] reads.
#[derive(sqlx::FromRow)]
pub struct CasePageRecord {
    #[sqlx(flatten)]
    pub case: CaseRecord,
    pub documents: Json<Vec<DocumentRecord>>,
    pub events: Json<Vec<EventRecord>>,
    pub notices: Json<Vec<NoticeRecord>>,
    /// Assisted review: the stored checks and when they were made, the cards' readings.
    pub prechecks: Option<Json<crate::domain::precheck::Assessment>>,
    pub assessed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub readings: Json<Vec<crate::store::assist::ReadingRecord>>,
}

#[tracing::instrument(skip(db))]
pub async fn find_for_page<'e>(
    db: impl PgExecutor<'e>,
    reference: &CaseReference,
) -> sqlx::Result<Option<CasePageRecord>> {
    sqlx::query_as(FIND_FOR_PAGE_SQL)
        .bind(reference.as_str())
        .fetch_optional(db)
        .await
}

#[tracing::instrument(skip(db))]
pub async fn find<'e>(
    db: impl PgExecutor<'e>,
    reference: &CaseReference,
) -> sqlx::Result<Option<CaseRecord>> {
    sqlx::query_as(FIND_SQL)
        .bind(reference.as_str())
        .fetch_optional(db)
        .await
}

/// Locks the lines (phone numbers) of the given cases, in a fixed order. Every change of a case
/// takes its line's lock before the case row: a state change refreshes the duplicate-line flag of
/// the line's other cases (a trigger), and without this order two agents deciding two cases of one
/// line at once would deadlock on each other's rows.
pub const LOCK_LINES_SQL: &str = "SELECT pg_advisory_xact_lock(h) FROM (
        SELECT DISTINCT hashtext('line:' || msisdn) AS h FROM cases WHERE id = ANY($1) ORDER BY 1
    ) AS lines";

pub async fn lock_lines(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(LOCK_LINES_SQL)
        .bind(case_ids)
        .execute(conn)
        .await?;
    Ok(())
}

/// The columns a change reads of case `c` (see [`LockedCase`]).
macro_rules! locked_columns {
    () => {
        concat!(
            "c.id, c.reference, c.state, c.version, c.assignee_id, c.sla_due_at, c.sla_paused_at,
             c.min_term_end, c.etf_minor, c.priority, c.documents_deadline, ",
            crate::store::columns::identity_accepted_sql!(),
            " AS identity_accepted, ",
            crate::store::columns::billing_known_sql!(),
            " AS billing_known, ",
            crate::store::columns::order_status_sql!(),
            " AS order_status"
        )
    };
}
pub(crate) use locked_columns;

/// What a change needs to know, read under a row lock so nobody changes it meanwhile.
#[derive(Debug, sqlx::FromRow)]
pub struct LockedCase {
    pub id: i64,
    pub reference: String,
    pub version: i32,
    #[sqlx(flatten)]
    pub facts: CaseFacts,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub documents_deadline: Option<DateTime<Utc>>,
    /// In a bulk operation: the version the agent saw when selecting the case.
    #[sqlx(default)]
    pub seen_version: Option<i32>,
}

impl LockedCase {
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            id: self.id,
            version: self.version,
            facts: self.facts,
            sla_due_at: self.sla_due_at,
            sla_paused_at: self.sla_paused_at,
            documents_deadline: self.documents_deadline,
        }
    }
}

pub async fn lock(
    conn: &mut PgConnection,
    reference: &CaseReference,
) -> sqlx::Result<Option<LockedCase>> {
    // The line first, then the case: see `LOCK_LINES_SQL`.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtext('line:' || msisdn)) FROM cases WHERE reference = $1",
    )
    .bind(reference.as_str())
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(concat!(
        "SELECT ",
        locked_columns!(),
        " FROM cases c WHERE c.reference = $1 FOR UPDATE"
    ))
    .bind(reference.as_str())
    .fetch_optional(conn)
    .await
}

/// For background jobs: locks the case with `id` unless someone else holds its line or its row
/// right now (`None`: skip it this round; the job comes back). Same order as [`lock`]: line first.
pub async fn try_lock_by_id(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<LockedCase>> {
    let line_free: Option<bool> = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtext('line:' || msisdn)) FROM cases WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if line_free != Some(true) {
        return Ok(None);
    }
    sqlx::query_as(concat!(
        "SELECT ",
        locked_columns!(),
        " FROM cases c WHERE c.id = $1 FOR UPDATE SKIP LOCKED"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Writes a change to every case in `changes` in one statement: each case's state, assignee and
/// (when given) due time, the columns all share, version + 1. Returns each case's new version,
/// in the order of `changes`.
pub async fn update_many(
    conn: &mut PgConnection,
    changes: &[CaseChange],
    columns: &Columns,
) -> sqlx::Result<Vec<i32>> {
    let ids: Vec<i64> = changes.iter().map(|c| c.id).collect();
    let states: Vec<State> = changes.iter().map(|c| c.to).collect();
    let assignees: Vec<Option<i64>> = changes.iter().map(|c| c.assignee.map(|a| a.0)).collect();
    let due: Vec<Option<DateTime<Utc>>> = changes.iter().map(|c| c.sla_due_at).collect();
    let rows: Vec<(i64, i32)> = sqlx::query_as(
        "UPDATE cases c SET
            state = u.to_state, assignee_id = u.assignee, version = c.version + 1, updated_at = now(),
            sla_due_at = COALESCE(u.due, c.sla_due_at),
            priority = COALESCE($5, c.priority),
            sla_paused_at = CASE $6::boolean WHEN true THEN now() WHEN false THEN NULL
                                 ELSE c.sla_paused_at END,
            -- A pause that ends here adds its length (the reports leave pauses out).
            sla_paused_seconds = c.sla_paused_seconds + CASE
                WHEN $6::boolean = false AND c.sla_paused_at IS NOT NULL
                THEN greatest(extract(epoch FROM now() - c.sla_paused_at), 0)::integer ELSE 0 END,
            documents_received = COALESCE($7, c.documents_received),
            effective_date = COALESCE($8, c.effective_date),
            decision_reason = COALESCE($9, c.decision_reason),
            documents_deadline = COALESCE($10, c.documents_deadline),
            requested_kinds = COALESCE($11, c.requested_kinds),
            provisioning_failed = COALESCE($12, c.provisioning_failed),
            final_balance_minor = COALESCE($13, c.final_balance_minor)
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::timestamptz[])
              AS u(id, to_state, assignee, due)
         WHERE c.id = u.id
         RETURNING c.id, c.version",
    )
    .bind(&ids)
    .bind(&states)
    .bind(&assignees)
    .bind(&due)
    .bind(columns.priority)
    .bind(columns.pause_sla)
    .bind(columns.documents_received)
    .bind(columns.effective_date)
    .bind(columns.decision_reason)
    .bind(columns.documents_deadline)
    .bind(columns.requested_kinds.as_deref())
    .bind(columns.provisioning_failed)
    .bind(columns.final_balance_minor)
    .fetch_all(&mut *conn)
    .await?;
    let by_id: std::collections::HashMap<i64, i32> = rows.into_iter().collect();
    Ok(ids
        .iter()
        .map(|id| by_id.get(id).copied().unwrap_or(0))
        .collect())
}

/// What the history events of one change share. Events are never updated or deleted.
#[derive(Debug)]
pub struct NewEvents<'a> {
    pub actor: Actor,
    pub kind: EventKind,
    pub reason_code: Option<RejectReason>,
    pub message: Option<&'a str>,
}

/// One event per case, in one statement: what is common is bound once, the rest per case.
pub async fn append_events(
    conn: &mut PgConnection,
    event: &NewEvents<'_>,
    case_ids: &[i64],
    states: &[(Option<State>, Option<State>)],
    versions: &[i32],
    details: &[EventDetails],
) -> sqlx::Result<()> {
    let (actor_kind, actor_id) = match event.actor {
        Actor::Agent { id, .. } => (ActorKind::Agent, Some(id.0)),
        Actor::Customer => (ActorKind::Customer, None),
        Actor::System => (ActorKind::System, None),
    };
    let from: Vec<Option<State>> = states.iter().map(|s| s.0).collect();
    let to: Vec<Option<State>> = states.iter().map(|s| s.1).collect();
    let details = details
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| sqlx::Error::Encode(e.into()))?;
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_kind, actor_id, kind, from_state, to_state,
                                  case_version, reason_code, message, details)
         SELECT u.case_id, $1, $2, $3, u.from_state, u.to_state, u.version, $4, $5, u.details
         FROM unnest($6::bigint[], $7::text[], $8::text[], $9::int[], $10::jsonb[])
              AS u(case_id, from_state, to_state, version, details)",
    )
    .bind(actor_kind)
    .bind(actor_id)
    .bind(event.kind)
    .bind(event.reason_code)
    .bind(event.message)
    .bind(case_ids)
    .bind(&from)
    .bind(&to)
    .bind(versions)
    .bind(&details)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cases waiting for documents past their deadline, by deadline, after the keyset `after`
/// ($1 now, $2/$3 the keyset, $4 the limit). Uses `cases_documents_deadline_idx`.
pub const OVERDUE_FOR_DOCUMENTS_SQL: &str = "SELECT id, documents_deadline FROM cases
     WHERE state = 'awaiting_documents' AND documents_deadline <= $1
       AND ($2::timestamptz IS NULL OR (documents_deadline, id) > ($2, $3))
     ORDER BY documents_deadline, id LIMIT $4";

pub async fn overdue_for_documents(
    pool: &PgPool,
    now: DateTime<Utc>,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<(i64, DateTime<Utc>)>> {
    sqlx::query_as(OVERDUE_FOR_DOCUMENTS_SQL)
        .bind(now)
        .bind(after.map(|a| a.0))
        .bind(after.map_or(0, |a| a.1))
        .bind(limit)
        .fetch_all(pool)
        .await
}
