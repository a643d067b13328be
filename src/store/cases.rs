//! Cases: reading one for its page, locking one for a change, and writing a change with its
//! history event in the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::agent::AgentId;
use crate::domain::case::{Actor, State};
use crate::domain::reference::CaseReference;

/// Everything the case page shows about the case itself.
#[derive(Debug, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: i64,
    pub reference: String,
    pub state: String,
    pub version: i32,
    pub channel: String,
    pub customer_name: String,
    pub customer_nik: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub preferred_contact: String,
    pub msisdn: String,
    pub account_number: String,
    pub line_type: String,
    pub activation_date: Option<NaiveDate>,
    pub min_term_end: Option<NaiveDate>,
    pub etf_minor: i64,
    pub balance_minor: i64,
    pub currency: String,
    pub bound_services: Vec<String>,
    pub reason: String,
    pub reason_text: Option<String>,
    pub settlement: String,
    pub refund_bank: Option<String>,
    pub refund_account: Option<String>,
    pub transfer_msisdn: Option<String>,
    pub requested_effective_date: NaiveDate,
    pub consent: bool,
    pub submitted_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub priority: i16,
    pub documents_received: bool,
    pub effective_date: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Vec<String>,
    pub identity_accepted: bool,
    /// Another open case for the same line (kept by triggers, see the migration).
    pub duplicate_line: bool,
    /// `matched`, `not_found` or `account_mismatch`: the line compared with billing on arrival.
    pub billing_status: String,
}

/// The case page's case, with what it needs to know of documents and other cases ($1: reference).
pub const FIND_SQL: &str = "SELECT c.*, a.name AS assignee_name,
                EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                        AND d.kind = 'identity_card' AND d.verdict = 'accepted') AS identity_accepted
         FROM cases c LEFT JOIN agents a ON a.id = c.assignee_id
         WHERE c.reference = $1";

#[tracing::instrument(skip(pool))]
pub async fn find(pool: &PgPool, reference: &CaseReference) -> sqlx::Result<Option<CaseRecord>> {
    sqlx::query_as(FIND_SQL)
        .bind(reference.as_str())
        .fetch_optional(pool)
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

/// What a change needs to know, read under a row lock so nobody changes it meanwhile.
#[derive(Debug, sqlx::FromRow)]
pub struct LockedCase {
    pub id: i64,
    pub state: String,
    pub version: i32,
    pub assignee_id: Option<i64>,
    pub identity_accepted: bool,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub min_term_end: Option<NaiveDate>,
    pub etf_minor: i64,
    pub documents_deadline: Option<DateTime<Utc>>,
}

impl LockedCase {
    pub fn state(&self) -> State {
        // The column's CHECK constraint only admits known states.
        State::parse(&self.state).unwrap_or(State::Submitted)
    }

    pub fn assignee(&self) -> Option<AgentId> {
        self.assignee_id.map(AgentId)
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
    sqlx::query_as(
        "SELECT c.id, c.state, c.version, c.assignee_id, c.sla_due_at, c.sla_paused_at,
                c.min_term_end, c.etf_minor, c.documents_deadline,
                EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                        AND d.kind = 'identity_card' AND d.verdict = 'accepted') AS identity_accepted
         FROM cases c WHERE c.reference = $1 FOR UPDATE",
    )
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
    sqlx::query_as(
        "SELECT c.id, c.state, c.version, c.assignee_id, c.sla_due_at, c.sla_paused_at,
                c.min_term_end, c.etf_minor, c.documents_deadline,
                EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                        AND d.kind = 'identity_card' AND d.verdict = 'accepted') AS identity_accepted
         FROM cases c WHERE c.id = $1 FOR UPDATE SKIP LOCKED",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The new values of a case after an allowed change. `None` keeps a column as it is.
#[derive(Debug, Default)]
pub struct CaseUpdate {
    pub state: Option<State>,
    pub assignee: Option<AgentId>,
    pub sla_due_at: Option<DateTime<Utc>>,
    /// `Some(None)` clears the pause.
    pub sla_paused_at: Option<Option<DateTime<Utc>>>,
    pub documents_received: Option<bool>,
    pub effective_date: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Option<Vec<String>>,
}

/// A history event. Written for every change; never updated or deleted.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub actor: Actor,
    pub kind: &'a str,
    pub from_state: Option<State>,
    pub to_state: Option<State>,
    pub reason_code: Option<&'a str>,
    pub message: Option<&'a str>,
    pub details: serde_json::Value,
}

/// Writes the update, bumps the version and appends the event; returns the new version.
pub async fn update(
    conn: &mut PgConnection,
    case_id: i64,
    change: &CaseUpdate,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "UPDATE cases SET
            state = COALESCE($2, state),
            assignee_id = COALESCE($3, assignee_id),
            sla_due_at = COALESCE($4, sla_due_at),
            sla_paused_at = CASE WHEN $5 THEN $6 ELSE sla_paused_at END,
            documents_received = COALESCE($7, documents_received),
            effective_date = COALESCE($8, effective_date),
            decision_reason = COALESCE($9, decision_reason),
            documents_deadline = COALESCE($10, documents_deadline),
            requested_kinds = COALESCE($11, requested_kinds),
            version = version + 1,
            updated_at = now()
         WHERE id = $1
         RETURNING version",
    )
    .bind(case_id)
    .bind(change.state.map(State::as_str))
    .bind(change.assignee.map(|a| a.0))
    .bind(change.sla_due_at)
    .bind(change.sla_paused_at.is_some())
    .bind(change.sla_paused_at.flatten())
    .bind(change.documents_received)
    .bind(change.effective_date)
    .bind(change.decision_reason.as_deref())
    .bind(change.documents_deadline)
    .bind(change.requested_kinds.as_deref())
    .fetch_one(conn)
    .await
}

pub async fn append_event(
    conn: &mut PgConnection,
    case_id: i64,
    case_version: i32,
    event: &NewEvent<'_>,
) -> sqlx::Result<()> {
    let (actor_kind, actor_id) = match event.actor {
        Actor::Agent { id, .. } => ("agent", Some(id.0)),
        Actor::Customer => ("customer", None),
        Actor::System => ("system", None),
    };
    sqlx::query(
        "INSERT INTO case_events
            (case_id, actor_kind, actor_id, kind, from_state, to_state, case_version,
             reason_code, message, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(case_id)
    .bind(actor_kind)
    .bind(actor_id)
    .bind(event.kind)
    .bind(event.from_state.map(State::as_str))
    .bind(event.to_state.map(State::as_str))
    .bind(case_version)
    .bind(event.reason_code)
    .bind(event.message)
    .bind(&event.details)
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
