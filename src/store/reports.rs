//! The reports' figures. Flow, service level, agents, reasons and document requests are read from
//! the per-day aggregates the `case_events` trigger keeps (migration `…_reports.sql`); the
//! backlog from the per-hour and per-minute open-case aggregates the `cases` trigger keeps, with
//! the edge minutes counted live. Compaction folds the aggregates' delta rows.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::domain::agent::AgentId;
use crate::domain::report::{AgeBucket, Period};

/// Whose figures: the whole desk's, or one agent's own ("my work").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Desk,
    Agent(AgentId),
}

impl Scope {
    fn agent(self) -> Option<i64> {
        match self {
            Scope::Desk => None,
            Scope::Agent(id) => Some(id.0),
        }
    }
}

/// Cases received (per channel) or decided (per outcome) in one bar: a day, or a week.
#[derive(Debug, sqlx::FromRow)]
pub struct FlowRow {
    pub bar: NaiveDate,
    pub measure: String,
    pub outcome: String,
    pub channel: String,
    pub cases: i64,
}

/// An agent sees the decisions they made, not the desk's intake.
pub const FLOW_SQL: &str = "
    SELECT CASE WHEN $3 THEN day - (extract(isodow FROM day)::integer - 1) ELSE day END AS bar,
           measure, outcome, channel, sum(cases)::bigint AS cases
    FROM report_daily
    WHERE day BETWEEN $1 AND $2 AND measure IN ('received', 'decided')
      AND ($4::bigint IS NULL OR (measure = 'decided' AND agent_id = $4))
    GROUP BY 1, 2, 3, 4";

pub async fn flow(pool: &PgPool, period: &Period, scope: Scope) -> sqlx::Result<Vec<FlowRow>> {
    sqlx::query_as(FLOW_SQL)
        .bind(period.from)
        .bind(period.to)
        .bind(period.weekly())
        .bind(scope.agent())
        .fetch_all(pool)
        .await
}

/// Desk decisions (approved, rejected) per week of the period, and how many within the SLA.
#[derive(Debug, sqlx::FromRow)]
pub struct WeekRow {
    pub week: NaiveDate,
    pub decided: i64,
    pub within_sla: i64,
}

pub const SERVICE_LEVEL_SQL: &str = "
    SELECT day - (extract(isodow FROM day)::integer - 1) AS week,
           sum(cases)::bigint AS decided, sum(within_sla)::bigint AS within_sla
    FROM report_daily
    WHERE day BETWEEN $1 AND $2 AND measure = 'decided' AND outcome IN ('approved', 'rejected')
      AND ($3::bigint IS NULL OR agent_id = $3)
    GROUP BY 1 ORDER BY 1";

pub async fn service_level(
    pool: &PgPool,
    period: &Period,
    scope: Scope,
) -> sqlx::Result<Vec<WeekRow>> {
    sqlx::query_as(SERVICE_LEVEL_SQL)
        .bind(period.from)
        .bind(period.to)
        .bind(scope.agent())
        .fetch_all(pool)
        .await
}

/// The period's totals per measure and breakdown: reasons, rejections, agents, documents.
#[derive(Debug, sqlx::FromRow)]
pub struct TotalRow {
    pub measure: String,
    pub outcome: String,
    pub channel: String,
    pub reason: String,
    pub agent_id: i64,
    pub cases: i64,
    pub within_sla: i64,
}

pub const TOTALS_SQL: &str = "
    SELECT measure, outcome, channel, reason, agent_id, sum(cases)::bigint AS cases,
           sum(within_sla)::bigint AS within_sla
    FROM report_daily
    WHERE day BETWEEN $1 AND $2 AND ($3::bigint IS NULL OR agent_id = $3)
    GROUP BY 1, 2, 3, 4, 5";

pub async fn totals(pool: &PgPool, period: &Period, scope: Scope) -> sqlx::Result<Vec<TotalRow>> {
    sqlx::query_as(TOTALS_SQL)
        .bind(period.from)
        .bind(period.to)
        .bind(scope.agent())
        .fetch_all(pool)
        .await
}

/// Desk decisions of the period per deciding agent and handling-time bucket (minutes).
pub const HANDLING_SQL: &str = "
    SELECT agent_id, minutes, sum(cases)::bigint AS cases
    FROM report_handling
    WHERE day BETWEEN $1 AND $2 AND ($3::bigint IS NULL OR agent_id = $3)
    GROUP BY 1, 2";

pub async fn handling(
    pool: &PgPool,
    period: &Period,
    scope: Scope,
) -> sqlx::Result<Vec<(i64, i32, i64)>> {
    sqlx::query_as(HANDLING_SQL)
        .bind(period.from)
        .bind(period.to)
        .bind(scope.agent())
        .fetch_all(pool)
        .await
}

/// Open cases now, per state and assignee (0: nobody).
pub const OPEN_SQL: &str = "
    SELECT state, assignee_id, sum(cases)::bigint AS cases FROM report_open
    WHERE kind = 'received_hour' AND ($1::bigint IS NULL OR assignee_id = $1)
    GROUP BY 1, 2 HAVING sum(cases) <> 0";

/// Open cases received after `now() - $2 days`: whole hours after the edge and whole minutes
/// of its hour from the aggregates, its last minute live (index `cases_open_age_idx`).
pub const NEWER_THAN_SQL: &str = "
    WITH edge AS (
        SELECT e.at, report_bin(e.at, interval '1 hour') + interval '1 hour' AS hour_end,
               report_bin(e.at, interval '1 minute') + interval '1 minute' AS minute_end
        FROM (SELECT now() - make_interval(days => $2) AS at) e)
    SELECT ((SELECT coalesce(sum(r.cases), 0) FROM report_open r, edge
             WHERE ((r.kind = 'received_hour' AND r.at >= edge.hour_end)
                    OR (r.kind = 'received_minute' AND r.at >= edge.minute_end
                        AND r.at < edge.hour_end))
               AND ($1::bigint IS NULL OR r.assignee_id = $1))
          + (SELECT count(*) FROM cases c, edge
             WHERE c.state IN ('submitted', 'in_review', 'awaiting_documents')
               AND c.submitted_at > edge.at AND c.submitted_at < edge.minute_end
               AND ($1::bigint IS NULL OR c.assignee_id = $1)))::bigint";

/// Cases whose clock runs past their due time: whole hours before this one and whole minutes
/// of this hour from the aggregates, this minute live (index `cases_needs_action_name_idx`).
pub const OVERDUE_SQL: &str = "
    WITH edge AS (SELECT now() AS at, report_bin(now(), interval '1 hour') AS hour_start,
                         report_bin(now(), interval '1 minute') AS minute_start)
    SELECT ((SELECT coalesce(sum(r.cases), 0) FROM report_open r, edge
             WHERE ((r.kind = 'due_hour' AND r.at < edge.hour_start)
                    OR (r.kind = 'due_minute' AND r.at >= edge.hour_start
                        AND r.at < edge.minute_start))
               AND ($1::bigint IS NULL OR r.assignee_id = $1))
          + (SELECT count(*) FROM cases c, edge
             WHERE c.state IN ('submitted', 'in_review')
               AND c.sla_due_at >= edge.minute_start AND c.sla_due_at < edge.at
               AND ($1::bigint IS NULL OR c.assignee_id = $1)))::bigint";

/// The backlog now.
#[derive(Debug, Default)]
pub struct Backlog {
    /// (state, assignee id or 0, open cases).
    pub open: Vec<(String, i64, i64)>,
    /// Open cases per [`AgeBucket::ALL`].
    pub ages: [i64; 5],
    /// Past their service-level due time (clock running).
    pub overdue: i64,
}

pub async fn backlog(pool: &PgPool, scope: Scope) -> sqlx::Result<Backlog> {
    let open: Vec<(String, i64, i64)> = sqlx::query_as(OPEN_SQL)
        .bind(scope.agent())
        .fetch_all(pool)
        .await?;
    let total: i64 = open.iter().map(|(_, _, n)| n).sum();
    // Buckets from "received after now − N days" at each bucket's upper edge.
    let mut ages = [0i64; 5];
    let mut newer_than_previous = 0;
    for (i, bucket) in AgeBucket::ALL.iter().enumerate() {
        let newer = match bucket.days() {
            (_, Some(days)) => {
                sqlx::query_scalar::<_, i64>(NEWER_THAN_SQL)
                    .bind(scope.agent())
                    .bind(days as i32)
                    .fetch_one(pool)
                    .await?
            }
            (_, None) => total,
        };
        ages[i] = newer - newer_than_previous;
        newer_than_previous = newer;
    }
    let overdue = sqlx::query_scalar(OVERDUE_SQL)
        .bind(scope.agent())
        .fetch_one(pool)
        .await?;
    Ok(Backlog {
        open,
        ages,
        overdue,
    })
}

pub const OLDEST_OPEN_SQL: &str = "
    SELECT reference, submitted_at FROM cases
    WHERE state IN ('submitted', 'in_review', 'awaiting_documents')
      AND ($1::bigint IS NULL OR assignee_id = $1)
    ORDER BY submitted_at, id LIMIT 1";

/// The open case waiting longest: its reference and receipt.
pub async fn oldest_open(
    pool: &PgPool,
    scope: Scope,
) -> sqlx::Result<Option<(String, DateTime<Utc>)>> {
    sqlx::query_as(OLDEST_OPEN_SQL)
        .bind(scope.agent())
        .fetch_optional(pool)
        .await
}

/// Names of agents by id (the agents table of the report).
pub async fn agent_names(pool: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT id, name FROM agents WHERE id = ANY($1) ORDER BY name, id")
        .bind(ids)
        .fetch_all(pool)
        .await
}

/// Folds each aggregate key's delta rows into one row holding their sum; returns how many rows
/// went. Exact under concurrency: the DELETE takes only rows its snapshot sees, and inserts
/// their sum in the same statement; a delta committed meanwhile stays for the next round, and a
/// second instance compacting at once skips the rows the first already took.
pub async fn compact(pool: &PgPool) -> sqlx::Result<u64> {
    let daily: i64 = sqlx::query_scalar(
        "WITH doubled AS (
             SELECT day, measure, outcome, channel, reason, agent_id FROM report_daily
             GROUP BY 1, 2, 3, 4, 5, 6 HAVING count(*) > 1
         ), gone AS (
             DELETE FROM report_daily r USING doubled d
             WHERE (r.day, r.measure, r.outcome, r.channel, r.reason, r.agent_id)
                 = (d.day, d.measure, d.outcome, d.channel, d.reason, d.agent_id)
             RETURNING r.*
         ), folded AS (
             INSERT INTO report_daily (day, measure, outcome, channel, reason, agent_id, cases,
                                       within_sla)
             SELECT day, measure, outcome, channel, reason, agent_id, sum(cases), sum(within_sla)
             FROM gone GROUP BY 1, 2, 3, 4, 5, 6
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)",
    )
    .fetch_one(pool)
    .await?;
    let handling: i64 = sqlx::query_scalar(
        "WITH doubled AS (
             SELECT day, agent_id, minutes FROM report_handling
             GROUP BY 1, 2, 3 HAVING count(*) > 1
         ), gone AS (
             DELETE FROM report_handling r USING doubled d
             WHERE (r.day, r.agent_id, r.minutes) = (d.day, d.agent_id, d.minutes)
             RETURNING r.*
         ), folded AS (
             INSERT INTO report_handling (day, agent_id, minutes, cases)
             SELECT day, agent_id, minutes, sum(cases) FROM gone GROUP BY 1, 2, 3
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)",
    )
    .fetch_one(pool)
    .await?;
    let open: i64 = sqlx::query_scalar(
        "WITH doubled AS (
             SELECT kind, at, state, assignee_id FROM report_open
             GROUP BY 1, 2, 3, 4 HAVING count(*) > 1 OR sum(cases) = 0
         ), gone AS (
             DELETE FROM report_open r USING doubled d
             WHERE (r.kind, r.at, r.state, r.assignee_id)
                 = (d.kind, d.at, d.state, d.assignee_id)
             RETURNING r.*
         ), folded AS (
             INSERT INTO report_open (kind, at, state, assignee_id, cases)
             SELECT kind, at, state, assignee_id, sum(cases) FROM gone GROUP BY 1, 2, 3, 4
             HAVING sum(cases) <> 0
             RETURNING 1
         )
         SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)",
    )
    .fetch_one(pool)
    .await?;
    Ok((daily + handling + open).max(0) as u64)
}

/// Keeps the aggregates in the desk's time zone: rebuilds them (one statement over the history,
/// new events held back meanwhile) when the zone they were counted in differs. Returns whether
/// it rebuilt.
pub async fn align_time_zone(pool: &PgPool, zone: &str) -> sqlx::Result<bool> {
    let current: Option<String> = sqlx::query_scalar("SELECT report_time_zone FROM desk_settings")
        .fetch_optional(pool)
        .await?;
    if current.as_deref() == Some(zone) || current.is_none() {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT report_rebuild($1)")
        .bind(zone)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
