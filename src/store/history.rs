//! Reading a case's history (the timeline, internal notes, and what changed since a version).
//! Every column is read as the domain's type: an unknown kind, state or detail fails the read.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::types::Json;

use crate::domain::case::State;
use crate::domain::event::{ActorKind, EventDetails, EventKind};
use crate::domain::request::RejectReason;

#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_name: Option<String>,
    pub kind: EventKind,
    pub from_state: Option<State>,
    pub to_state: Option<State>,
    pub case_version: i32,
    pub reason_code: Option<RejectReason>,
    pub message: Option<String>,
    pub details: Json<EventDetails>,
}

/// The events of case `e`'s history with their agents' names; the callers add the filter. (The
/// id orders the case page's aggregate; `EventRecord` does not keep it.)
macro_rules! select_events {
    () => {
        "SELECT e.id, e.at, e.actor_kind, a.name AS actor_name, e.kind, e.from_state,
            e.to_state, e.case_version, e.reason_code, e.message, e.details
         FROM case_events e LEFT JOIN agents a ON a.id = e.actor_id"
    };
}
pub(crate) use select_events;

/// The changes after version $2 of case $1, notes aside.
const SINCE_VERSION_SQL: &str = concat!(
    select_events!(),
    " WHERE e.case_id = $1 AND e.case_version > $2 AND e.kind <> 'note' ORDER BY e.id"
);

/// The changes that made a form's version stale.
pub async fn since_version(
    pool: &PgPool,
    case_id: i64,
    version: i32,
) -> sqlx::Result<Vec<EventRecord>> {
    sqlx::query_as(SINCE_VERSION_SQL)
        .bind(case_id)
        .bind(version)
        .fetch_all(pool)
        .await
}
