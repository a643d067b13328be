//! Bulk operations: the selection, each case's planned outcome, set-based changes and the report.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use crate::domain::bulk::Selection;
use crate::store::queue::push_filters;

#[derive(Debug, sqlx::FromRow)]
pub struct OperationRecord {
    pub id: i64,
    pub public_id: String,
    pub agent_id: i64,
    pub action: String,
    pub params: serde_json::Value,
    pub selection: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

pub async fn create(
    conn: &mut PgConnection,
    public_id: &str,
    agent_id: i64,
    action: &str,
    params: &serde_json::Value,
    selection: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO bulk_operations (public_id, agent_id, action, params, selection)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(public_id)
    .bind(agent_id)
    .bind(action)
    .bind(params)
    .bind(selection)
    .fetch_one(conn)
    .await
}

/// Records the selected cases with the version each had when selected; at most `limit + 1`,
/// so the caller can tell that a selection is too large. Returns how many.
pub async fn select(
    conn: &mut PgConnection,
    operation: i64,
    selection: &Selection,
    limit: i64,
) -> sqlx::Result<u64> {
    let done = match selection {
        Selection::Filter(query) => {
            let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO bulk_items (operation_id, case_id, seen_version, outcome) SELECT ",
            );
            sql.push_bind(operation)
                .push(", c.id, c.version, 'skip' FROM cases c WHERE true");
            push_filters(&mut sql, query);
            sql.push(" LIMIT ").push_bind(limit + 1);
            sql.build().execute(conn).await?
        }
        Selection::Cases(cases) => {
            let references: Vec<&str> = cases.iter().map(|(r, _)| r.as_str()).collect();
            let versions: Vec<i32> = cases.iter().map(|(_, v)| *v).collect();
            sqlx::query(
                "INSERT INTO bulk_items (operation_id, case_id, seen_version, outcome)
                 SELECT $1, c.id, min(u.version), 'skip'
                 FROM unnest($2::text[], $3::int[]) AS u(reference, version)
                 JOIN cases c ON c.reference = u.reference
                 GROUP BY c.id",
            )
            .bind(operation)
            .bind(&references)
            .bind(&versions)
            .execute(conn)
            .await?
        }
    };
    Ok(done.rows_affected())
}

/// A selected case with what the state machine needs.
#[derive(Debug, sqlx::FromRow)]
pub struct CandidateRow {
    pub case_id: i64,
    pub seen_version: i32,
    pub state: String,
    pub version: i32,
    pub assignee_id: Option<i64>,
    pub identity_accepted: bool,
    pub min_term_end: Option<NaiveDate>,
    pub etf_minor: i64,
    pub priority: i16,
    pub billing_known: bool,
}

/// The next `limit` selected cases after `after` (by case id); only those planned to change
/// and locked for update when `for_apply`.
pub async fn candidates(
    conn: &mut PgConnection,
    operation: i64,
    after: i64,
    limit: i64,
    for_apply: bool,
) -> sqlx::Result<Vec<CandidateRow>> {
    if for_apply {
        // The batch's lines before its case rows, as every change does (`cases::LOCK_LINES_SQL`).
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT case_id FROM bulk_items WHERE operation_id = $1 AND outcome = 'will_change'
             AND case_id > $2 ORDER BY case_id LIMIT $3",
        )
        .bind(operation)
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        crate::store::cases::lock_lines(conn, &ids).await?;
    }
    let sql = if for_apply {
        "SELECT b.case_id, b.seen_version, c.state, c.version, c.assignee_id, c.min_term_end,
                c.etf_minor, c.priority, c.billing_status = 'matched' AS billing_known,
                EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                        AND d.kind = 'identity_card' AND d.verdict = 'accepted') AS identity_accepted
         FROM bulk_items b JOIN cases c ON c.id = b.case_id
         WHERE b.operation_id = $1 AND b.outcome = 'will_change' AND b.case_id > $2
         ORDER BY b.case_id LIMIT $3
         FOR UPDATE OF c"
    } else {
        "SELECT b.case_id, b.seen_version, c.state, c.version, c.assignee_id, c.min_term_end,
                c.etf_minor, c.priority, c.billing_status = 'matched' AS billing_known,
                EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                        AND d.kind = 'identity_card' AND d.verdict = 'accepted') AS identity_accepted
         FROM bulk_items b JOIN cases c ON c.id = b.case_id
         WHERE b.operation_id = $1 AND b.case_id > $2
         ORDER BY b.case_id LIMIT $3"
    };
    sqlx::query_as(sql)
        .bind(operation)
        .bind(after)
        .bind(limit)
        .fetch_all(conn)
        .await
}

/// Writes each case's outcome (one statement for the whole set).
pub async fn set_outcomes(
    conn: &mut PgConnection,
    operation: i64,
    case_ids: &[i64],
    outcomes: &[&str],
    reasons: &[Option<String>],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE bulk_items b SET outcome = u.outcome, reason = u.reason
         FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(case_id, outcome, reason)
         WHERE b.operation_id = $1 AND b.case_id = u.case_id",
    )
    .bind(operation)
    .bind(case_ids)
    .bind(outcomes)
    .bind(reasons)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks every item of a failed batch (the batch's own transaction was rolled back).
pub async fn mark_failed(
    pool: &PgPool,
    operation: i64,
    case_ids: &[i64],
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE bulk_items SET outcome = 'failed', reason = $3
         WHERE operation_id = $1 AND case_id = ANY($2) AND outcome = 'will_change'",
    )
    .bind(operation)
    .bind(case_ids)
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// Values every case of the batch gets; `None` keeps a column.
#[derive(Debug, Default)]
pub struct CommonUpdate {
    pub priority: Option<i16>,
    pub pause_sla: bool,
    pub clear_documents_received: bool,
    pub effective_date: Option<NaiveDate>,
    pub decision_reason: Option<String>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_kinds: Option<Vec<String>>,
}

/// One UPDATE for the batch: per-case state and assignee, common values, version + 1.
/// Returns each case's new version, in the order of `case_ids`.
pub async fn update_cases(
    conn: &mut PgConnection,
    case_ids: &[i64],
    states: &[&str],
    assignees: &[Option<i64>],
    common: &CommonUpdate,
) -> sqlx::Result<Vec<i32>> {
    let rows: Vec<(i64, i32)> = sqlx::query_as(
        "UPDATE cases c SET
            state = u.to_state, assignee_id = u.assignee, version = c.version + 1, updated_at = now(),
            priority = COALESCE($4, c.priority),
            sla_paused_at = CASE WHEN $5 THEN now() ELSE c.sla_paused_at END,
            documents_received = CASE WHEN $6 THEN false ELSE c.documents_received END,
            effective_date = COALESCE($7, c.effective_date),
            decision_reason = COALESCE($8, c.decision_reason),
            documents_deadline = COALESCE($9, c.documents_deadline),
            requested_kinds = COALESCE($10, c.requested_kinds)
         FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, to_state, assignee)
         WHERE c.id = u.id
         RETURNING c.id, c.version",
    )
    .bind(case_ids)
    .bind(states)
    .bind(assignees)
    .bind(common.priority)
    .bind(common.pause_sla)
    .bind(common.clear_documents_received)
    .bind(common.effective_date)
    .bind(common.decision_reason.as_deref())
    .bind(common.documents_deadline)
    .bind(common.requested_kinds.as_deref())
    .fetch_all(&mut *conn)
    .await?;
    let by_id: std::collections::HashMap<i64, i32> = rows.into_iter().collect();
    Ok(case_ids
        .iter()
        .map(|id| by_id.get(id).copied().unwrap_or(0))
        .collect())
}

/// The events of a batch, one statement: what is common is bound once, the rest per case.
#[allow(clippy::too_many_arguments)]
pub async fn append_events(
    conn: &mut PgConnection,
    agent_id: i64,
    kind: &str,
    reason_code: Option<&str>,
    message: Option<&str>,
    case_ids: &[i64],
    from_states: &[Option<&str>],
    to_states: &[Option<&str>],
    versions: &[i32],
    details: &[serde_json::Value],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_kind, actor_id, kind, from_state, to_state,
                                  case_version, reason_code, message, details)
         SELECT u.case_id, 'agent', $1, $2, u.from_state, u.to_state, u.version, $3, $4, u.details
         FROM unnest($5::bigint[], $6::text[], $7::text[], $8::int[], $9::jsonb[])
              AS u(case_id, from_state, to_state, version, details)",
    )
    .bind(agent_id)
    .bind(kind)
    .bind(reason_code)
    .bind(message)
    .bind(case_ids)
    .bind(from_states)
    .bind(to_states)
    .bind(versions)
    .bind(details)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(pool: &PgPool, public_id: &str) -> sqlx::Result<Option<OperationRecord>> {
    sqlx::query_as("SELECT * FROM bulk_operations WHERE public_id = $1")
        .bind(public_id)
        .fetch_optional(pool)
        .await
}

/// Takes the operation for applying: a previewed one, or one being applied whose runner has given
/// no sign of life for two minutes (resumed where it stopped). False when someone else has it
/// (a double submit) or it is applied already.
pub async fn start_applying(pool: &PgPool, operation: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE bulk_operations SET status = 'applying', heartbeat_at = now()
         WHERE id = $1 AND (status = 'previewed'
               OR (status = 'applying' AND heartbeat_at < now() - interval '2 minutes'))",
    )
    .bind(operation)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn heartbeat(pool: &PgPool, operation: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE bulk_operations SET heartbeat_at = now() WHERE id = $1")
        .bind(operation)
        .execute(pool)
        .await?;
    Ok(())
}

/// Marks the operation applied; what the preview skipped is now reported as skipped.
pub async fn finish(pool: &PgPool, operation: i64) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE bulk_items SET outcome = 'skipped' WHERE operation_id = $1 AND outcome = 'skip'",
    )
    .bind(operation)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE bulk_operations SET status = 'applied', applied_at = now() WHERE id = $1")
        .bind(operation)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// How many cases per outcome and reason.
pub async fn summary(
    pool: &PgPool,
    operation: i64,
) -> sqlx::Result<Vec<(String, Option<String>, i64)>> {
    sqlx::query_as(
        "SELECT outcome, reason, count(*) FROM bulk_items WHERE operation_id = $1
         GROUP BY outcome, reason ORDER BY outcome, count(*) DESC",
    )
    .bind(operation)
    .fetch_all(pool)
    .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct ItemRow {
    pub case_id: i64,
    pub reference: String,
    pub customer_name: String,
    pub state: String,
    pub outcome: String,
    pub reason: Option<String>,
}

/// A page of items (by case id), optionally only those with given outcomes.
pub async fn items(
    pool: &PgPool,
    operation: i64,
    outcomes: &[&str],
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as(
        "SELECT b.case_id, c.reference, c.customer_name, c.state, b.outcome, b.reason
         FROM bulk_items b JOIN cases c ON c.id = b.case_id
         WHERE b.operation_id = $1 AND b.outcome = ANY($2) AND b.case_id > $3
         ORDER BY b.case_id LIMIT $4",
    )
    .bind(operation)
    .bind(outcomes)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}
