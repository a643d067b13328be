//! Reading a case's history (the timeline, internal notes, and what changed since a version).

use chrono::{DateTime, Utc};
use sqlx::PgPool;

#[derive(Debug, sqlx::FromRow)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_name: Option<String>,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub case_version: i32,
    pub reason_code: Option<String>,
    pub message: Option<String>,
    pub details: serde_json::Value,
}

/// The case page's timeline ($1: case id).
pub const FOR_CASE_SQL: &str =
    "SELECT e.at, e.actor_kind, a.name AS actor_name, e.kind, e.from_state,
        e.to_state, e.case_version, e.reason_code, e.message, e.details
     FROM case_events e LEFT JOIN agents a ON a.id = e.actor_id
     WHERE e.case_id = $1 ORDER BY e.id";

const SELECT_EVENTS: &str = "SELECT e.at, e.actor_kind, a.name AS actor_name, e.kind, e.from_state,
        e.to_state, e.case_version, e.reason_code, e.message, e.details
     FROM case_events e LEFT JOIN agents a ON a.id = e.actor_id";

/// The whole history of a case, oldest first.
#[tracing::instrument(skip(pool))]
pub async fn for_case(pool: &PgPool, case_id: i64) -> sqlx::Result<Vec<EventRecord>> {
    sqlx::query_as(FOR_CASE_SQL)
        .bind(case_id)
        .fetch_all(pool)
        .await
}

/// The changes that made a form's version stale.
pub async fn since_version(
    pool: &PgPool,
    case_id: i64,
    version: i32,
) -> sqlx::Result<Vec<EventRecord>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT_EVENTS} WHERE e.case_id = $1 AND e.case_version > $2 AND e.kind <> 'note' ORDER BY e.id"
    )))
    .bind(case_id)
    .bind(version)
    .fetch_all(pool)
    .await
}
