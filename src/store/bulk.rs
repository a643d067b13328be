//! Bulk operations: the selection, each case's planned outcome, set-based changes and the report.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use crate::domain::bulk::{BulkKind, ItemOutcome, Selection};
use crate::domain::case::State;
use crate::store::cases::{LockedCase, locked_columns};
use crate::store::queue::push_filters;

#[derive(Debug, sqlx::FromRow)]
pub struct OperationRecord {
    pub id: i64,
    pub public_id: String,
    pub agent_id: i64,
    pub action: BulkKind,
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
    action: BulkKind,
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

/// The next `limit` selected cases after `after` (by case id), as a change reads them; only those
/// planned to change, and locked (lines, then rows) when `for_apply`.
pub async fn candidates(
    conn: &mut PgConnection,
    operation: i64,
    after: i64,
    limit: i64,
    for_apply: bool,
) -> sqlx::Result<Vec<LockedCase>> {
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
        concat!(
            "SELECT b.seen_version, ",
            locked_columns!(),
            " FROM bulk_items b JOIN cases c ON c.id = b.case_id
             WHERE b.operation_id = $1 AND b.outcome = 'will_change' AND b.case_id > $2
             ORDER BY b.case_id LIMIT $3
             FOR UPDATE OF c"
        )
    } else {
        concat!(
            "SELECT b.seen_version, ",
            locked_columns!(),
            " FROM bulk_items b JOIN cases c ON c.id = b.case_id
             WHERE b.operation_id = $1 AND b.case_id > $2
             ORDER BY b.case_id LIMIT $3"
        )
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
    outcomes: &[ItemOutcome],
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
) -> sqlx::Result<Vec<(ItemOutcome, Option<String>, i64)>> {
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
    pub state: State,
    pub outcome: ItemOutcome,
    pub reason: Option<String>,
}

/// A page of items (by case id), optionally only those with given outcomes.
pub async fn items(
    pool: &PgPool,
    operation: i64,
    outcomes: &[ItemOutcome],
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
