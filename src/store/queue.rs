//! The queue: one keyset page of cases for a filter, and the counts per state.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::domain::case::State;
use crate::domain::precheck::Suggestion;
use crate::domain::queue::{
    AssigneeFilter, DayRange, Page, QueueOrder, QueueQuery, ReportFilters, Search, StateFilter,
};
use crate::domain::request::CancelReason;

#[derive(Debug)]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub version: i32,
    pub customer_name: String,
    pub msisdn: String,
    pub reason: CancelReason,
    pub state: State,
    pub submitted_at: DateTime<Utc>,
    pub sla_due_at: DateTime<Utc>,
    pub sla_paused_at: Option<DateTime<Utc>>,
    pub assignee_id: Option<i64>,
    pub priority: i16,
    pub documents_received: bool,
    pub min_term_end: Option<NaiveDate>,
    pub requested_effective_date: NaiveDate,
    pub etf_minor: i64,
    pub duplicate_line: bool,
    pub suggestion: Option<Suggestion>,
}

/// Read by position, in the order of [`PAGE_COLUMNS`], without sqlx's check of each column's
/// type against the field's: a page decodes 50 rows of 17 columns, which took a fifth of the
/// server's time per queue page, a quarter of that looking each column up by name and another
/// tenth comparing types. The columns are this file's own (`PAGE_COLUMNS`), and a mismatch
/// still fails loudly: binary decoding checks each value's length, and every queue test reads
/// pages through here.
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for QueueRow {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(QueueRow {
            id: row.try_get_unchecked(0)?,
            reference: row.try_get_unchecked(1)?,
            version: row.try_get_unchecked(2)?,
            customer_name: row.try_get_unchecked(3)?,
            msisdn: row.try_get_unchecked(4)?,
            reason: row.try_get_unchecked(5)?,
            state: row.try_get_unchecked(6)?,
            submitted_at: row.try_get_unchecked(7)?,
            sla_due_at: row.try_get_unchecked(8)?,
            sla_paused_at: row.try_get_unchecked(9)?,
            assignee_id: row.try_get_unchecked(10)?,
            priority: row.try_get_unchecked(11)?,
            documents_received: row.try_get_unchecked(12)?,
            min_term_end: row.try_get_unchecked(13)?,
            requested_effective_date: row.try_get_unchecked(14)?,
            etf_minor: row.try_get_unchecked(15)?,
            duplicate_line: row.try_get_unchecked(16)?,
            suggestion: row
                .try_get_unchecked::<Option<&str>, _>(17)?
                .and_then(Suggestion::parse),
        })
    }
}

/// Up to `limit` rows in queue order (due time, then id), from the page's position.
// The query may hold a searched phone number or name: never recorded in spans.
#[tracing::instrument(skip_all)]
pub async fn page(pool: &PgPool, query: &QueueQuery, limit: i64) -> sqlx::Result<Vec<QueueRow>> {
    let mut rows: Vec<QueueRow> = Vec::new();
    // A common name matches tens of thousands of cases: rather than gather them all by trigram
    // and sort, look for the page among the next NAME_WINDOW cases in queue order first. If it
    // is full there, it is exactly the page (no earlier match can exist outside the window);
    // otherwise the name is rare and the trigram index finds its few cases fast.
    if matches!(query.search, Some(Search::Name(_))) && query.order == QueueOrder::Due {
        rows = name_window_query("", query, limit, NAME_WINDOW)
            .build_query_as()
            .fetch_all(pool)
            .await?;
    }
    if (rows.len() as i64) < limit {
        rows = page_query("", query, limit)
            .build_query_as()
            .fetch_all(pool)
            .await?;
    }
    if matches!(query.page, Page::Before(_)) {
        rows.reverse();
    }
    Ok(rows)
}

/// Cases in queue order a name search looks through before asking the trigram index.
pub const NAME_WINDOW: i64 = 20_000;

/// The page's columns, in the order [`QueueRow`] reads them. The assignee's name is not joined
/// in: see `store::agent_names`.
const PAGE_COLUMNS: &str = "c.id, c.reference, c.version, c.customer_name, c.msisdn, c.reason,
    c.state, c.submitted_at, c.sla_due_at, c.sla_paused_at, c.assignee_id, c.priority,
    c.documents_received, c.min_term_end, c.requested_effective_date, c.etf_minor,
    c.duplicate_line, c.suggestion";

/// The page's SQL with its binds, after `prefix` (the plan test prefixes EXPLAIN). A page
/// before a cursor is fetched backwards (descending) and reversed by the caller.
pub fn page_query(prefix: &str, query: &QueueQuery, limit: i64) -> QueryBuilder<Postgres> {
    let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "{prefix}SELECT {PAGE_COLUMNS}
         FROM cases c WHERE true"
    ));
    push_filters(&mut sql, query);
    let descending = push_position(&mut sql, query);
    push_order(&mut sql, query.order, descending);
    push_limit(&mut sql, query, limit);
    sql
}

/// A name search's page among the next `window` cases of the filter without the name, in queue
/// order (the queue's own indexes serve it; see [`page`]).
pub fn name_window_query(
    prefix: &str,
    query: &QueueQuery,
    limit: i64,
    window: i64,
) -> QueryBuilder<Postgres> {
    let Some(Search::Name(name)) = &query.search else {
        return page_query(prefix, query, limit);
    };
    let unnamed = QueueQuery {
        search: None,
        ..query.clone()
    };
    // The window reads only what the queue-order indexes hold (id, due time, name: an
    // index-only scan); the page's ids are chosen there, and only their rows are fetched.
    let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(format!(
        "{prefix}SELECT {PAGE_COLUMNS}
         FROM (SELECT c.id FROM (SELECT c.id, c.sla_due_at, c.customer_name FROM cases c
                                 WHERE true"
    ));
    push_filters(&mut sql, &unnamed);
    let descending = push_position(&mut sql, query);
    push_order(&mut sql, QueueOrder::Due, descending);
    push_limit(&mut sql, query, window);
    sql.push(") c WHERE c.customer_name ILIKE ")
        .push_bind(format!("%{}%", escape_like(name)));
    push_order(&mut sql, QueueOrder::Due, descending);
    push_limit(&mut sql, query, limit);
    sql.push(
        ") page JOIN cases c ON c.id = page.id
         ORDER BY c.sla_due_at",
    );
    sql.push(if descending {
        " DESC, c.id DESC"
    } else {
        ", c.id"
    });
    sql
}

/// The rank of a case's suggestion in SQL, as `queue::suggestion_rank` gives it: the position in
/// `Suggestion::ALL`, unassessed cases last.
fn suggestion_rank_sql() -> String {
    let all: Vec<String> = Suggestion::ALL
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "COALESCE(array_position(ARRAY[{}]::text[], c.suggestion), {})",
        all.join(", "),
        Suggestion::ALL.len() + 1
    )
}

/// The keyset position; whether the page is read backwards.
fn push_position(sql: &mut QueryBuilder<Postgres>, query: &QueueQuery) -> bool {
    let (comparison, descending, cursor) = match query.page {
        Page::First => return false,
        Page::After(c) => (" > ", false, c),
        Page::Before(c) => (" < ", true, c),
    };
    // Each bound value behind its own sub-select: an estimate PostgreSQL cannot refine with the
    // values, so the plan for one cursor is the plan for all and the statement runs on its
    // generic plan. With the values in view, a plan made for each cursor looked cheaper than the
    // generic one and PostgreSQL planned every deeper page afresh: the same index scan each
    // time, ~0.8 ms of planning per page instead of 0.01 ms (docs/performance.md).
    match (query.order, cursor.rank) {
        (QueueOrder::Suggestion, Some(rank)) => {
            sql.push(format!(
                " AND ({}, c.sla_due_at, c.id)",
                suggestion_rank_sql()
            ))
            .push(comparison)
            .push("((SELECT ")
            .push_bind(rank)
            .push("::int), ");
        }
        _ => {
            sql.push(" AND (c.sla_due_at, c.id)")
                .push(comparison)
                .push("(");
        }
    }
    sql.push("(SELECT ")
        .push_bind(cursor.due)
        .push("::timestamptz), (SELECT ")
        .push_bind(cursor.id)
        .push("::bigint))");
    descending
}

/// The limit as a literal, not a bind: the page size is the code's, never the user's, and a
/// statement whose limit is bound gets a generic plan estimated for an unknown number of rows,
/// so PostgreSQL plans it afresh at every execution (planning was ~40% of its time per queue
/// page). With the limit spelled out, the first page has no parameter at all and is planned once
/// per connection. Except for a search by name: how many cases a name matches decides between
/// the trigram index and the queue order, which only a plan made for the very name can know; a
/// bound limit keeps those statements on a plan of their own each time.
fn push_limit(sql: &mut QueryBuilder<Postgres>, query: &QueueQuery, limit: i64) {
    if matches!(query.search, Some(Search::Name(_))) {
        sql.push_bind(limit);
    } else {
        sql.push(limit.to_string());
    }
}

/// ` ORDER BY … LIMIT ` (the limit follows).
fn push_order(sql: &mut QueryBuilder<Postgres>, order: QueueOrder, descending: bool) {
    if order == QueueOrder::Suggestion {
        let direction = if descending { " DESC" } else { "" };
        sql.push(format!(
            " ORDER BY {}{direction}, c.sla_due_at{direction}, c.id{direction} LIMIT ",
            suggestion_rank_sql()
        ));
        return;
    }
    sql.push(if descending {
        " ORDER BY c.sla_due_at DESC, c.id DESC LIMIT "
    } else {
        " ORDER BY c.sla_due_at, c.id LIMIT "
    });
}

/// The filter part of a queue query (` AND …` clauses over `cases c`), shared by the queue page
/// and bulk selection so that "all matching this filter" means exactly what the queue shows.
pub fn push_filters(sql: &mut QueryBuilder<Postgres>, query: &QueueQuery) {
    match query.state {
        // Spelled out (not bound) so the planner can use the partial "needs action" index.
        StateFilter::NeedsAction => {
            sql.push(" AND c.state IN ('submitted', 'in_review')");
        }
        // Spelled as the partial index `cases_open_age_idx` is.
        StateFilter::Open => {
            sql.push(" AND c.state IN ('submitted', 'in_review', 'awaiting_documents')");
        }
        StateFilter::One(state) => {
            sql.push(" AND c.state = ").push_bind(state.as_str());
        }
        // The partial index `cases_provisioning_failed_idx` keeps this cheap.
        StateFilter::ProvisioningFailed => {
            sql.push(" AND c.provisioning_failed");
        }
        StateFilter::All => {}
    }
    match query.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me(id) | AssigneeFilter::One(id) => {
            sql.push(" AND c.assignee_id = ").push_bind(id.0);
        }
        AssigneeFilter::Unassigned => {
            sql.push(" AND c.assignee_id IS NULL");
        }
    }
    if let Some(channel) = query.channel {
        sql.push(" AND c.channel = ").push_bind(channel.as_str());
    }
    if let Some(reason) = query.reason {
        sql.push(" AND c.reason = ").push_bind(reason.as_str());
    }
    // Suggestions are for cases that need action: a decided or waiting case keeps its last
    // one (until it is checked again) but is not "suggested" anything.
    if let Some(suggestion) = query.suggestion {
        sql.push(" AND c.suggestion = ")
            .push_bind(suggestion.as_str())
            .push(" AND c.state IN ('submitted', 'in_review')");
    }
    push_report_filters(sql, &query.report);
    match &query.search {
        None => {}
        Some(Search::Reference(r)) => {
            sql.push(" AND c.reference = ")
                .push_bind(r.as_str().to_owned());
        }
        Some(Search::Phone(m)) => {
            sql.push(" AND c.msisdn = ").push_bind(m.e164().to_owned());
        }
        Some(Search::Name(name)) => {
            sql.push(" AND c.customer_name ILIKE ")
                .push_bind(format!("%{}%", escape_like(name)));
        }
    }
}

/// The start of a day of the reports' calendar (the zone their aggregates count in), as an
/// instant: `$day::date` at midnight there.
const DAY_START: &str =
    "::date::timestamp AT TIME ZONE (SELECT report_time_zone FROM desk_settings))";

/// ` AND …` bounds of `column` within whole days of the reports' calendar.
fn push_day_range(sql: &mut QueryBuilder<Postgres>, column: &str, days: DayRange) {
    if let Some(from) = days.from {
        sql.push(format!(" AND {column} >= ("))
            .push_bind(from)
            .push(DAY_START);
    }
    if let Some(to) = days.to {
        sql.push(format!(" AND {column} < ("))
            .push_bind(to + chrono::Duration::days(1))
            .push(DAY_START);
    }
}

/// The filters the reports link with: exactly the cases a figure counted.
fn push_report_filters(sql: &mut QueryBuilder<Postgres>, report: &ReportFilters) {
    push_day_range(sql, "c.submitted_at", report.received);
    if let Some(bucket) = report.age {
        // Age is now − receipt; a lower bound belongs to its bucket (as in the backlog).
        let (from, to) = bucket.days();
        sql.push(format!(
            " AND c.submitted_at <= now() - interval '{from} days'"
        ));
        if let Some(to) = to {
            sql.push(format!(
                " AND c.submitted_at > now() - interval '{to} days'"
            ));
        }
    }
    if report.overdue {
        sql.push(" AND c.state IN ('submitted', 'in_review') AND c.sla_due_at < now()");
    }
    if let Some(event) = &report.event {
        let kinds: Vec<&str> = event.kinds.iter().map(|k| k.as_str()).collect();
        sql.push(" AND c.id IN (SELECT e.case_id FROM case_events e WHERE e.kind = ANY(")
            .push_bind(kinds)
            .push(")");
        push_day_range(sql, "e.at", event.days);
        if let Some(by) = event.by {
            sql.push(" AND e.actor_kind = 'agent' AND e.actor_id = ")
                .push_bind(by.0);
        }
        if let Some(reason) = event.reason {
            sql.push(" AND e.reason_code = ").push_bind(reason.as_str());
        }
        sql.push(")");
    }
}

fn escape_like(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Cases per state, from the counters the triggers maintain (never a COUNT over all cases).
pub const COUNTS_SQL: &str = "SELECT state, count FROM case_state_counts";

pub async fn counts(pool: &PgPool) -> sqlx::Result<Vec<(State, i64)>> {
    let mut counts: Vec<(State, i64)> = sqlx::query_as(COUNTS_SQL).fetch_all(pool).await?;
    counts.sort_by_key(|(s, _)| *s);
    Ok(counts)
}

/// How many cases match a filter, counting no further than `cap` (bulk selection shows "more
/// than" beyond it instead of counting millions).
pub async fn count_matching(pool: &PgPool, query: &QueueQuery, cap: i64) -> sqlx::Result<i64> {
    let mut sql: QueryBuilder<Postgres> =
        QueryBuilder::new("SELECT count(*) FROM (SELECT 1 FROM cases c WHERE true");
    push_filters(&mut sql, query);
    sql.push(" LIMIT ").push_bind(cap).push(") AS matching");
    sql.build_query_scalar().fetch_one(pool).await
}
