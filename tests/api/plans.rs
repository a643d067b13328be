//! Every query behind the queue and case pages uses an index at a realistic size: EXPLAIN
//! (ANALYZE, BUFFERS) of each, on 200,000 demo cases, may not scan cases, their history,
//! documents or sessions sequentially. Fails when someone adds a query without its index.

use canceldesk::domain::agent::AgentId;
use canceldesk::domain::queue::{QueueParams, QueueQuery};
use canceldesk::store::{cases, customer, queue, reports, retention, sessions};
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{shared_database, test_settings};

const CASES: i64 = 200_000;
const WATCHED: [&str; 4] = ["cases", "case_events", "documents", "sessions"];
const EXPLAIN: &str = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ";

/// Sequential scans of watched tables anywhere in a plan.
fn seq_scans(node: &Value, found: &mut Vec<String>) {
    if node["Node Type"] == "Seq Scan"
        && let Some(table) = node["Relation Name"].as_str()
        && WATCHED.contains(&table)
    {
        found.push(table.to_owned());
    }
    for key in ["Plans", "Plan"] {
        match &node[key] {
            Value::Array(children) => children.iter().for_each(|c| seq_scans(c, found)),
            child @ Value::Object(_) => seq_scans(child, found),
            _ => {}
        }
    }
}

fn assert_indexed(name: &str, plan: Value) {
    let mut found = Vec::new();
    seq_scans(&plan[0]["Plan"], &mut found);
    assert!(
        found.is_empty(),
        "{name}: sequential scan of {found:?}\n{plan:#}"
    );
}

/// Rows that scans anywhere in a plan read and then dropped by a filter.
fn rows_removed(node: &Value) -> u64 {
    let own = node["Rows Removed by Filter"].as_u64().unwrap_or(0);
    own + ["Plans", "Plan"]
        .iter()
        .map(|key| match &node[*key] {
            Value::Array(children) => children.iter().map(rows_removed).sum(),
            Value::Object(_) => rows_removed(&node[*key]),
            _ => 0,
        })
        .sum::<u64>()
}

async fn explain_queue(pool: &PgPool, name: &str, params: QueueParams, me: i64) -> Value {
    let (query, problems) = QueueQuery::parse(&params, AgentId(me), "62");
    assert!(problems.is_empty(), "{name}: {problems:?}");
    let plan: Value = queue::page_query(EXPLAIN, &query, 51)
        .build_query_scalar()
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed(name, plan.clone());
    plan
}

fn params(pairs: &[(&str, &str)]) -> QueueParams {
    let encoded = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    serde_html_form::from_str(&encoded).unwrap()
}

/// The demo generator's 200,000 cases, seeded once (set-based, by `seed::demo`) into a database
/// of their own and reused read-only until the migrations, the generator or the day change.
async fn demo_database() -> PgPool {
    let generator = [
        include_str!("../../src/seed/cases.sql"),
        include_str!("../../src/seed/documents.sql"),
        include_str!("../../src/seed/events.sql"),
        include_str!("../../src/seed/billing.sql"),
        include_str!("../../src/seed/orders.sql"),
        include_str!("../../src/seed/settlements.sql"),
        include_str!("../../src/seed/mod.rs"),
    ];
    shared_database("plans200k", &generator, async |pool: &PgPool| {
        canceldesk::seed::demo(pool, CASES, &test_settings())
            .await
            .expect("seeding the demo cases");
    })
    .await
}

#[actix_web::test]
async fn every_page_query_uses_an_index_at_200k_cases() {
    let pool = &demo_database().await;
    let me: i64 =
        sqlx::query_scalar("SELECT id FROM agents WHERE role = 'agent' ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let (case_id, reference, msisdn, due): (i64, String, String, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as(
            "SELECT id, reference, msisdn, sla_due_at FROM cases ORDER BY id OFFSET 150000 LIMIT 1",
        )
        .fetch_one(pool)
        .await
        .unwrap();
    let deep = format!("{}_{case_id}", due.timestamp_micros());
    let deep_by_suggestion = format!("6~{deep}");
    let me_text = me.to_string();
    let today = chrono::Utc::now().date_naive();
    let week_ago = (today - chrono::Duration::days(6)).to_string();
    let today = today.to_string();

    let views: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("queue: needs action", vec![]),
        ("queue: all states", vec![("state", "all")]),
        ("queue: deep page", vec![("state", "all"), ("after", &deep)]),
        (
            "queue: previous page",
            vec![("state", "all"), ("before", &deep)],
        ),
        ("queue: one state", vec![("state", "awaiting_documents")]),
        ("queue: mine", vec![("assignee", "me")]),
        ("queue: unassigned", vec![("assignee", "unassigned")]),
        (
            "queue: state + mine + channel",
            vec![
                ("state", "in_review"),
                ("assignee", "me"),
                ("channel", "hotline"),
            ],
        ),
        (
            "queue: all states, mine",
            vec![("state", "all"), ("assignee", "me")],
        ),
        ("queue: reason", vec![("reason", "cost")]),
        ("queue: one suggestion", vec![("suggestion", "approve")]),
        ("queue: suggestion first", vec![("sort", "suggestion")]),
        (
            "queue: suggestion first, deep page",
            vec![("sort", "suggestion"), ("after", &deep_by_suggestion)],
        ),
        (
            "queue: search by phone",
            vec![("state", "all"), ("q", &msisdn)],
        ),
        (
            "queue: search by reference",
            vec![("state", "all"), ("q", &reference)],
        ),
        (
            "queue: search by name",
            vec![("state", "all"), ("q", "Simanjuntak")],
        ),
        // The filters the reports link with.
        (
            "reports link: received in a week, one channel",
            vec![
                ("state", "all"),
                ("channel", "web"),
                ("received_from", &week_ago),
                ("received_to", &today),
            ],
        ),
        (
            "reports link: open, waiting 1-3 days",
            vec![("state", "open"), ("age", "1-3")],
        ),
        (
            "reports link: open, past due",
            vec![("state", "open"), ("overdue", "1")],
        ),
        (
            "reports link: an agent's open cases",
            vec![("state", "open"), ("assignee", &me_text)],
        ),
        (
            "reports link: approved on a day",
            vec![
                ("state", "all"),
                ("event", "approved"),
                ("event_from", &today),
                ("event_to", &today),
            ],
        ),
        (
            "reports link: rejected in a week by an agent for a reason",
            vec![
                ("state", "all"),
                ("event", "rejected"),
                ("event_from", &week_ago),
                ("event_to", &today),
                ("event_by", &me_text),
                ("event_reason", "outstanding_debt"),
            ],
        ),
    ];
    for (name, pairs) in views {
        let plan = explain_queue(pool, name, params(&pairs), me).await;
        // An agent's cases of one state and channel come straight from their index (migration
        // 20261207000100): without it, three rows of other channels were read for each shown.
        if name == "queue: state + mine + channel" {
            assert_eq!(rows_removed(&plan[0]["Plan"]), 0, "{name}\n{plan:#}");
        }
    }
    // A name search first looks through the next cases in queue order (`queue::page`).
    for (name, pairs) in [
        ("queue: common name, window", vec![("q", "Siti")]),
        (
            "queue: common name, all states, window",
            vec![("state", "all"), ("q", "Wulan Hidayat")],
        ),
        (
            "queue: name on a deep page, window",
            vec![("state", "all"), ("q", "Siti"), ("after", &deep)],
        ),
    ] {
        let (query, problems) = QueueQuery::parse(&params(&pairs), AgentId(me), "62");
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let plan: Value = queue::name_window_query(EXPLAIN, &query, 51, queue::NAME_WINDOW)
            .build_query_scalar()
            .fetch_one(pool)
            .await
            .unwrap();
        assert_indexed(name, plan);
    }

    let explain = |sql: &str| sqlx::AssertSqlSafe(format!("{EXPLAIN}{sql}"));
    let plan: Value = sqlx::query_scalar(explain(cases::FIND_SQL))
        .bind(&reference)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("case page: case", plan);
    let plan: Value = sqlx::query_scalar(explain(cases::FIND_FOR_PAGE_SQL))
        .bind(&reference)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("case page: case, documents, history and notices", plan);
    let plan: Value = sqlx::query_scalar(explain(queue::COUNTS_SQL))
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("state counts", plan);
    let plan: Value = sqlx::query_scalar(explain(sessions::LOAD_SQL))
        .bind(vec![0u8; 32])
        .bind(1800.0_f64)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("session", plan);
    let plan: Value = sqlx::query_scalar(explain(customer::STATUS_SQL))
        .bind(&reference)
        .bind(&msisdn)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("customer status look-up", plan);
    let plan: Value = sqlx::query_scalar(explain(customer::LINK_SQL))
        .bind(vec![0u8; 32])
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("upload link", plan);
    let plan: Value = sqlx::query_scalar(explain(cases::OVERDUE_FOR_DOCUMENTS_SQL))
        .bind(chrono::Utc::now() + chrono::Duration::days(400))
        .bind(None::<chrono::DateTime<chrono::Utc>>)
        .bind(0_i64)
        .bind(100_i64)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("documents clock: overdue cases", plan);
    let plan: Value = sqlx::query_scalar(explain(retention::DUE_SQL))
        .bind(chrono::Utc::now() + chrono::Duration::days(400))
        .bind(None::<chrono::DateTime<chrono::Utc>>)
        .bind(0_i64)
        .bind(100_i64)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("retention job: due cases", plan);

    // The reports: the live backlog and oldest case by the open-cases index; the trigger's
    // facts of one new event by primary keys.
    let now = chrono::Utc::now();
    for scope in [reports::Scope::Desk, reports::Scope::Agent(AgentId(me))] {
        let edge = now - chrono::Duration::days(3);
        let (hour, minute) = reports::bins(edge);
        let mut query = sqlx::query_scalar(explain(&reports::newer_than_sql(scope)))
            .bind(edge)
            .bind(hour + chrono::Duration::hours(1))
            .bind(minute + chrono::Duration::minutes(1));
        if scope != reports::Scope::Desk {
            query = query.bind(me);
        }
        let plan: Value = query.fetch_one(pool).await.unwrap();
        assert_indexed("reports: backlog age edge", plan);
        let (hour, minute) = reports::bins(now);
        let mut query = sqlx::query_scalar(explain(&reports::overdue_sql(scope)))
            .bind(now)
            .bind(hour)
            .bind(minute);
        if scope != reports::Scope::Desk {
            query = query.bind(me);
        }
        let plan: Value = query.fetch_one(pool).await.unwrap();
        assert_indexed("reports: backlog past due", plan);
    }
    let plan: Value = sqlx::query_scalar(explain(reports::OLDEST_OPEN_SQL))
        .bind(None::<i64>)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("reports: oldest open case", plan);
    let event: i64 = sqlx::query_scalar("SELECT max(id) FROM case_events")
        .fetch_one(pool)
        .await
        .unwrap();
    let plan: Value = sqlx::query_scalar(explain(&format!(
        "SELECT * FROM report_event_facts WHERE event_id BETWEEN {event} AND {event}"
    )))
    .fetch_one(pool)
    .await
    .unwrap();
    assert_indexed("reports: one new event's facts (the trigger)", plan);
    let from = chrono::Utc::now().date_naive() - chrono::Duration::days(729);
    let to = chrono::Utc::now().date_naive();
    let weeks = canceldesk::domain::report::Period {
        from,
        to,
        last_days: 0,
    }
    .full_weeks()
    .unwrap();
    let plan: Value = sqlx::query_scalar(explain(reports::FLOW_SQL))
        .bind(from)
        .bind(to)
        .bind(weeks.0)
        .bind(weeks.1)
        .bind(None::<i64>)
        .bind(true)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("reports: flow over two years", plan);
    let plan: Value = sqlx::query_scalar(explain(reports::TOTALS_SQL))
        .bind(from)
        .bind(to)
        .bind(weeks.0)
        .bind(weeks.1)
        .bind(None::<i64>)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_indexed("reports: totals over two years", plan);
}

#[test]
fn a_sequential_scan_is_noticed() {
    let plan = serde_json::json!([{ "Plan": { "Node Type": "Limit", "Plans": [
        { "Node Type": "Seq Scan", "Relation Name": "cases" },
        { "Node Type": "Index Scan", "Relation Name": "agents" }
    ]}}]);
    let mut found = Vec::new();
    seq_scans(&plan[0]["Plan"], &mut found);
    assert_eq!(found, vec!["cases"]);
}

/// The fast seed (triggers off, indexes rebuilt after) must give the same truth the triggers keep
/// case by case: each case's duplicate-line flag and the counts per state.
#[actix_web::test]
async fn the_fast_seed_keeps_the_flags_and_counts_the_triggers_would() {
    let pool = &demo_database().await;
    let wrong_flags: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c
         WHERE c.duplicate_line IS DISTINCT FROM EXISTS (
             SELECT 1 FROM cases o WHERE o.msisdn = c.msisdn AND o.id <> c.id
               AND o.state IN ('submitted', 'in_review', 'awaiting_documents'))",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong_flags, 0);
    let flagged: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE duplicate_line")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(flagged > 0, "the demo has duplicate lines to flag");
    let wrong_counts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_state_counts s
         WHERE s.count <> (SELECT count(*) FROM cases c WHERE c.state = s.state)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(wrong_counts, 0);
}

/// A day and measure whose aggregate (left) differs from the history's count (right).
type MismatchedDay = (
    Option<chrono::NaiveDate>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// The fast seed recounts the reports' aggregates in one pass: they must hold what the history
/// says, per day, measure and outcome.
#[actix_web::test]
async fn the_fast_seed_keeps_the_report_figures_the_history_gives() {
    let pool = &demo_database().await;
    let wrong: Vec<MismatchedDay> = sqlx::query_as(
        "WITH kept AS (
                 SELECT day, measure || ':' || outcome AS what, sum(cases)::bigint AS n
                 FROM report_daily WHERE measure <> 'rejected_for' GROUP BY 1, 2
             ), history AS (
                 SELECT (e.at AT TIME ZONE s.report_time_zone)::date AS day,
                        CASE WHEN e.kind = 'submitted' THEN 'received:'
                             WHEN e.kind = 'claimed' THEN 'claimed:'
                             WHEN e.kind = 'documents_requested' THEN 'documents_requested:'
                             WHEN e.kind = 'documents_received' THEN 'documents_answered:'
                             ELSE 'decided:' || e.kind END AS what,
                        count(*) AS n
                 FROM case_events e CROSS JOIN desk_settings s
                 WHERE e.kind IN ('submitted', 'claimed', 'documents_requested',
                                  'documents_received', 'approved', 'rejected', 'expired',
                                  'withdrawn', 'cancelled')
                 GROUP BY 1, 2
             )
             SELECT day, what, kept.n, history.n FROM kept FULL JOIN history USING (day, what)
             WHERE kept.n IS DISTINCT FROM history.n LIMIT 5",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        wrong.is_empty(),
        "aggregates differ from the history: {wrong:?}"
    );
    let decided: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(cases), 0)::bigint FROM report_daily WHERE measure = 'decided'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        decided > 50_000,
        "the demo's decisions are counted ({decided})"
    );
    let weeks_differ: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (
             SELECT day - (extract(isodow FROM day)::integer - 1) AS week, measure, outcome,
                    agent_id, sum(cases) AS n, sum(within_sla) AS w
             FROM report_daily GROUP BY 1, 2, 3, 4) d
         FULL JOIN (
             SELECT week, measure, outcome, agent_id, sum(cases) AS n, sum(within_sla) AS w
             FROM report_weekly GROUP BY 1, 2, 3, 4) k USING (week, measure, outcome, agent_id)
         WHERE d.n IS DISTINCT FROM k.n OR d.w IS DISTINCT FROM k.w",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(weeks_differ, 0, "the weekly aggregates sum the daily ones");
}
