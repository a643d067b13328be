//! Billing imports started on `/admin/billing` (`billing_imports`): one at a time, with their
//! progress and outcome.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;

use crate::billing_import::ImportReport;
use crate::domain::agent::AgentId;

/// Starts an import, unless one is running: `None` then. A running import that has not moved
/// for ten minutes (its process stopped) is marked failed first.
pub async fn start(pool: &PgPool, by: AgentId, file_name: &str) -> sqlx::Result<Option<i64>> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE billing_imports SET status = 'failed', finished_at = now(),
                failure = 'interrupted: no progress for ten minutes'
         WHERE status = 'running' AND updated_at < now() - interval '10 minutes'",
    )
    .execute(&mut *tx)
    .await?;
    let id = sqlx::query_scalar(
        "INSERT INTO billing_imports (started_by, file_name) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(by.0)
    .bind(file_name)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn progress(pool: &PgPool, id: i64, report: &ImportReport) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE billing_imports SET updated_at = now(), rows_read = $2, inserted = $3,
                updated = $4, failed = $5, cases_matched = $6, errors = $7
         WHERE id = $1",
    )
    .bind(id)
    .bind(report.rows_read as i64)
    .bind(report.inserted as i64)
    .bind(report.updated as i64)
    .bind(report.failed as i64)
    .bind(report.cases_matched as i64)
    .bind(Json(&report.errors))
    .execute(pool)
    .await?;
    Ok(())
}

/// The import ended: `failure` says why it stopped, if it did.
pub async fn finish(pool: &PgPool, id: i64, failure: Option<&str>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE billing_imports SET finished_at = now(), updated_at = now(), failure = $2,
                status = CASE WHEN $2::text IS NULL THEN 'done' ELSE 'failed' END
         WHERE id = $1",
    )
    .bind(id)
    .bind(failure)
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub started_by: Option<String>,
    pub file_name: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: String,
    pub rows_read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub failed: i64,
    pub cases_matched: i64,
    pub errors: Json<Vec<(u64, String)>>,
    pub failure: Option<String>,
}

/// The latest imports, newest first.
pub async fn recent(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<ImportRow>> {
    sqlx::query_as(
        "SELECT i.id, a.name AS started_by, i.file_name, i.started_at, i.finished_at, i.status,
                i.rows_read, i.inserted, i.updated, i.failed, i.cases_matched, i.errors, i.failure
         FROM billing_imports i LEFT JOIN agents a ON a.id = i.started_by
         ORDER BY i.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}
