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

/// The aggregates of a period ($1 to $2): whole ISO weeks ($3, a Monday, to $4, a Sunday) from
/// the weekly tables, the days before and after them from the daily ones (two index ranges, so
/// a long period reads only its edge days). Without whole weeks, $3 is the day after the period
/// and $4 its last day: every day is daily. Each row's `day` is its day, or its week's Monday.
macro_rules! period_rows {
    () => {
        "(SELECT day, measure, outcome, channel, reason, agent_id, cases, within_sla
          FROM report_daily WHERE (day BETWEEN $1 AND $3 - 1 OR day BETWEEN $4 + 1 AND $2)
          UNION ALL
          SELECT week, measure, outcome, channel, reason, agent_id, cases, within_sla
          FROM report_weekly WHERE week BETWEEN $3 AND $4 - 6) r"
    };
}

/// An agent sees the decisions they made, not the desk's intake ($5: the agent, or null).
pub const FLOW_SQL: &str = concat!(
    "SELECT CASE WHEN $6 THEN day - (extract(isodow FROM day)::integer - 1) ELSE day END AS bar,
            measure, outcome, channel, sum(cases)::bigint AS cases
     FROM ",
    period_rows!(),
    " WHERE measure IN ('received', 'decided')
        AND ($5::bigint IS NULL OR (measure = 'decided' AND agent_id = $5))
      GROUP BY 1, 2, 3, 4"
);

/// The whole weeks a query may read from the weekly tables: none when its result is per day.
fn week_bounds(period: &Period, per_day: bool) -> (NaiveDate, NaiveDate) {
    match period.full_weeks() {
        Some(weeks) if !per_day => weeks,
        // An empty range: every day from the daily tables.
        _ => (
            period.to + chrono::Duration::days(1),
            period.from - chrono::Duration::days(1),
        ),
    }
}

/// A period statement with its binds: $1–$2 the period, $3–$4 its whole weeks (none when the
/// result is `per_day`), $5 the agent or null.
fn period_query<O>(
    sql: &'static str,
    period: &Period,
    scope: Scope,
    per_day: bool,
) -> sqlx::query::QueryAs<'static, sqlx::Postgres, O, sqlx::postgres::PgArguments>
where
    O: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    let (first, last) = week_bounds(period, per_day);
    sqlx::query_as(sql)
        .bind(period.from)
        .bind(period.to)
        .bind(first)
        .bind(last)
        .bind(scope.agent())
}

pub async fn flow(pool: &PgPool, period: &Period, scope: Scope) -> sqlx::Result<Vec<FlowRow>> {
    period_query(FLOW_SQL, period, scope, !period.weekly())
        .bind(period.weekly())
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

pub const SERVICE_LEVEL_SQL: &str = concat!(
    "SELECT day - (extract(isodow FROM day)::integer - 1) AS week,
            sum(cases)::bigint AS decided, sum(within_sla)::bigint AS within_sla
     FROM ",
    period_rows!(),
    " WHERE measure = 'decided' AND outcome IN ('approved', 'rejected')
        AND ($5::bigint IS NULL OR agent_id = $5)
      GROUP BY 1 ORDER BY 1"
);

pub async fn service_level(
    pool: &PgPool,
    period: &Period,
    scope: Scope,
) -> sqlx::Result<Vec<WeekRow>> {
    period_query(SERVICE_LEVEL_SQL, period, scope, false)
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

pub const TOTALS_SQL: &str = concat!(
    "SELECT measure, outcome, channel, reason, agent_id, sum(cases)::bigint AS cases,
            sum(within_sla)::bigint AS within_sla
     FROM ",
    period_rows!(),
    " WHERE ($5::bigint IS NULL OR agent_id = $5)
      GROUP BY 1, 2, 3, 4, 5"
);

pub async fn totals(pool: &PgPool, period: &Period, scope: Scope) -> sqlx::Result<Vec<TotalRow>> {
    period_query(TOTALS_SQL, period, scope, false)
        .fetch_all(pool)
        .await
}

/// Desk decisions of the period per deciding agent and handling-time bucket (minutes), whole
/// weeks from the weekly table as above.
pub const HANDLING_SQL: &str = "
    SELECT agent_id, minutes, sum(cases)::bigint AS cases FROM (
        SELECT agent_id, minutes, cases FROM report_handling
        WHERE (day BETWEEN $1 AND $3 - 1 OR day BETWEEN $4 + 1 AND $2)
        UNION ALL
        SELECT agent_id, minutes, cases FROM report_handling_weekly
        WHERE week BETWEEN $3 AND $4 - 6) r
    WHERE ($5::bigint IS NULL OR agent_id = $5)
    GROUP BY 1, 2";

pub async fn handling(
    pool: &PgPool,
    period: &Period,
    scope: Scope,
) -> sqlx::Result<Vec<(i64, i32, i64)>> {
    period_query(HANDLING_SQL, period, scope, false)
        .fetch_all(pool)
        .await
}

/// Open cases now, per state and assignee (0: nobody).
pub const OPEN_SQL: &str = "
    SELECT state, assignee_id, sum(cases)::bigint AS cases FROM report_open
    WHERE kind = 'received_hour' AND ($1::bigint IS NULL OR assignee_id = $1)
    GROUP BY 1, 2 HAVING sum(cases) <> 0";

/// Open cases received after the edge $1 (whose hour ends at $2 and minute at $3): whole hours
/// and whole minutes from the aggregates, the edge's last minute live (index
/// `cases_open_age_idx`). `{agent}` is the agent condition, or nothing. Instants are bound, not
/// computed in SQL, so that a cached generic plan still sees a narrow range.
const NEWER_THAN_SQL: &str = "
    SELECT ((SELECT coalesce(sum(cases), 0) FROM report_open
             WHERE ((kind = 'received_hour' AND at >= $2)
                    OR (kind = 'received_minute' AND at >= $3 AND at < $2)){agent})
          + (SELECT count(*) FROM cases
             WHERE state IN ('submitted', 'in_review', 'awaiting_documents')
               AND submitted_at > $1 AND submitted_at < $3{agent}))::bigint";

/// Cases whose clock runs past their due time at $1 (whose hour began at $2 and minute at
/// $3): whole hours and minutes from the aggregates, this minute live (index
/// `cases_needs_action_name_idx`).
const OVERDUE_SQL: &str = "
    SELECT ((SELECT coalesce(sum(cases), 0) FROM report_open
             WHERE ((kind = 'due_hour' AND at < $2)
                    OR (kind = 'due_minute' AND at >= $2 AND at < $3)){agent})
          + (SELECT count(*) FROM cases
             WHERE state IN ('submitted', 'in_review')
               AND sla_due_at >= $3 AND sla_due_at < $1{agent}))::bigint";

/// A backlog statement for a scope: the agent's condition is `$4`, or there is none.
pub fn backlog_sql(sql: &str, scope: Scope) -> String {
    sql.replace(
        "{agent}",
        match scope {
            Scope::Desk => "",
            Scope::Agent(_) => " AND assignee_id = $4",
        },
    )
}

pub fn newer_than_sql(scope: Scope) -> String {
    backlog_sql(NEWER_THAN_SQL, scope)
}

pub fn overdue_sql(scope: Scope) -> String {
    backlog_sql(OVERDUE_SQL, scope)
}

/// The start of the hour and of the minute `at` falls in (UTC bins, as `report_bin`).
pub fn bins(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let seconds = at.timestamp();
    let floor = |width: i64| {
        DateTime::from_timestamp(seconds - seconds.rem_euclid(width), 0).expect("a valid instant")
    };
    (floor(3600), floor(60))
}

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
    let now = Utc::now();
    let one_minute = chrono::Duration::minutes(1);
    let one_hour = chrono::Duration::hours(1);
    // Buckets from "received after now − N days" at each bucket's upper edge.
    let newer_than = newer_than_sql(scope);
    let mut ages = [0i64; 5];
    let mut newer_than_previous = 0;
    for (i, bucket) in AgeBucket::ALL.iter().enumerate() {
        let newer = match bucket.days() {
            (_, Some(days)) => {
                let edge = now - chrono::Duration::days(days);
                let (hour, minute) = bins(edge);
                let mut query =
                    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(newer_than.clone()))
                        .bind(edge)
                        .bind(hour + one_hour)
                        .bind(minute + one_minute);
                if let Some(agent) = scope.agent() {
                    query = query.bind(agent);
                }
                query.fetch_one(pool).await?
            }
            (_, None) => total,
        };
        ages[i] = newer - newer_than_previous;
        newer_than_previous = newer;
    }
    let (hour, minute) = bins(now);
    let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(overdue_sql(scope)))
        .bind(now)
        .bind(hour)
        .bind(minute);
    if let Some(agent) = scope.agent() {
        query = query.bind(agent);
    }
    let overdue = query.fetch_one(pool).await?;
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

/// The aggregate tables and their keys (every column but `cases` and `within_sla`).
const AGGREGATES: &[(&str, &str)] = &[
    (
        "report_daily",
        "day, measure, outcome, channel, reason, agent_id",
    ),
    (
        "report_weekly",
        "week, measure, outcome, channel, reason, agent_id",
    ),
    ("report_handling", "day, agent_id, minutes"),
    ("report_handling_weekly", "week, agent_id, minutes"),
    ("report_open", "kind, at, state, assignee_id"),
];

/// `t.day, t.measure` from `day, measure`.
fn qualified(alias: &str, keys: &str) -> String {
    keys.split(", ")
        .map(|k| format!("{alias}.{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Folds each aggregate key's delta rows into one row holding their sum (dropping keys that sum
/// to nothing); returns how many rows went. Exact under concurrency: the DELETE takes only rows
/// its snapshot sees, and inserts their sum in the same statement; a delta committed meanwhile
/// stays for the next round, and a second instance compacting at once skips the rows the first
/// already took.
pub async fn compact(pool: &PgPool) -> sqlx::Result<u64> {
    let mut gone = 0;
    for (table, keys) in AGGREGATES {
        let sums = if *table == "report_daily" || *table == "report_weekly" {
            "sum(cases), sum(within_sla)"
        } else {
            "sum(cases)"
        };
        let columns = if sums.contains("within_sla") {
            format!("{keys}, cases, within_sla")
        } else {
            format!("{keys}, cases")
        };
        let folded: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "WITH doubled AS (
                 SELECT {keys} FROM {table} GROUP BY {keys}
                 HAVING count(*) > 1 OR sum(cases) = 0
             ), gone AS (
                 DELETE FROM {table} t USING doubled d
                 WHERE ({t_keys}) = ({d_keys})
                 RETURNING t.*
             ), folded AS (
                 INSERT INTO {table} ({columns})
                 SELECT {keys}, {sums} FROM gone GROUP BY {keys} HAVING sum(cases) <> 0
                 RETURNING 1
             )
             SELECT (SELECT count(*) FROM gone) - (SELECT count(*) FROM folded)",
            t_keys = qualified("t", keys),
            d_keys = qualified("d", keys),
        )))
        .fetch_one(pool)
        .await?;
        gone += folded.max(0) as u64;
    }
    Ok(gone)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_the_utc_hour_and_minute() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T04:25:37.5+07:00")
            .unwrap()
            .with_timezone(&Utc);
        let (hour, minute) = bins(at);
        assert_eq!(hour.to_rfc3339(), "2026-12-03T21:00:00+00:00");
        assert_eq!(minute.to_rfc3339(), "2026-12-03T21:25:00+00:00");
    }
}
