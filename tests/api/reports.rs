//! `/reports`: every figure equals a direct count over the cases and their history, after live
//! decisions, after compaction and after a recount in another time zone; each figure's link
//! leads to a queue of exactly that many cases; agents see their own figures only.

use std::collections::BTreeMap;

use canceldesk::domain::agent::Role;
use canceldesk::domain::report::percent;
use sqlx::PgPool;

use crate::helpers::{Browser, NewCase, TestApp, insert_case, spawn_app};

/// A table of the report as its CSV gives it: header, then rows.
async fn csv_table(browser: &Browser, table: &str, period: &str) -> Vec<Vec<String>> {
    let response = browser.get(&format!("/reports/{table}.csv?{period}")).await;
    assert_eq!(response.status, 200, "{table}: {}", response.body);
    assert_eq!(
        response
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/csv; charset=utf-8")
    );
    let disposition = response.headers.get("content-disposition").unwrap();
    assert!(
        disposition
            .to_str()
            .unwrap()
            .contains(&format!("canceldesk-{table}-")),
        "{disposition:?}"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(response.body.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The rows of a table (header left out) keyed by their first cell.
fn keyed(table: &[Vec<String>]) -> BTreeMap<String, Vec<String>> {
    table[1..]
        .iter()
        .map(|row| (row[0].clone(), row[1..].to_vec()))
        .collect()
}

/// A day as the page writes it in English (CLDR's en-GB: `7 Sept 2026`).
fn day_label(day: chrono::NaiveDate) -> String {
    canceldesk::i18n::format::short_date(canceldesk::i18n::Locale::En, day)
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Handling time (receipt to decision, pauses out) per desk decision, from the history alone:
/// a pause runs from a documents request to the next event that leaves awaiting_documents.
const HANDLING: &str = "
    WITH pauses AS (
        SELECT case_id, sum(extract(epoch FROM at - started)) AS seconds FROM (
            SELECT case_id, at, from_state, to_state,
                   max(at) FILTER (WHERE kind = 'documents_requested')
                       OVER (PARTITION BY case_id ORDER BY id) AS started
            FROM case_events) e
        WHERE from_state = 'awaiting_documents' AND to_state <> 'awaiting_documents'
        GROUP BY case_id)
    SELECT e.actor_id, report_minutes(extract(epoch FROM e.at - c.submitted_at)
                                      - coalesce(p.seconds, 0)) AS minutes
    FROM case_events e JOIN cases c ON c.id = e.case_id LEFT JOIN pauses p ON p.case_id = c.id
    WHERE e.kind IN ('approved', 'rejected')";

/// Every table of the report, computed from `cases` and `case_events` directly (never from the
/// aggregates), as the CSV export writes them.
async fn expected(app: &TestApp, from: &str, to: &str) -> BTreeMap<&'static str, Vec<Vec<String>>> {
    let pool = &app.pool;
    let tz = &app.settings.time_zone;
    let day = format!("(e.at AT TIME ZONE '{tz}')::date");
    let in_period = format!("{day} BETWEEN '{from}' AND '{to}'");
    let mut tables = BTreeMap::new();

    let mut rows = vec![];
    for (state, label) in [
        ("submitted", "Submitted"),
        ("in_review", "In review"),
        ("awaiting_documents", "Awaiting documents"),
    ] {
        let n = count(
            pool,
            &format!("SELECT count(*) FROM cases WHERE state = '{state}'"),
        )
        .await;
        rows.push(vec![label.to_owned(), n.to_string()]);
    }
    tables.insert("backlog-states", rows);

    let open = "state IN ('submitted', 'in_review', 'awaiting_documents')";
    let mut rows = vec![];
    for (label, lower, upper) in [
        ("Under 1 day", 0, Some(1)),
        ("1–3 days", 1, Some(3)),
        ("3–7 days", 3, Some(7)),
        ("7–14 days", 7, Some(14)),
        ("Over 14 days", 14, None),
    ] {
        let upper = upper.map_or(String::new(), |u| {
            format!(" AND now() - submitted_at < interval '{u} days'")
        });
        let n = count(
            pool,
            &format!(
                "SELECT count(*) FROM cases WHERE {open}
                 AND now() - submitted_at >= interval '{lower} days'{upper}"
            ),
        )
        .await;
        rows.push(vec![label.to_owned(), n.to_string()]);
    }
    let overdue = count(
        pool,
        "SELECT count(*) FROM cases WHERE state IN ('submitted', 'in_review') AND sla_due_at < now()",
    )
    .await;
    rows.push(vec![
        "Past their service-level due time".into(),
        overdue.to_string(),
    ]);
    tables.insert("backlog-ages", rows);

    let from_day = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
    let to_day = chrono::NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap();
    let monday = |d: chrono::NaiveDate| {
        d - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&d).num_days_from_monday(),
        ))
    };
    // From 93 days on the flow is drawn per week (labelled by its Monday), else per day.
    let weekly = (to_day - from_day).num_days() + 1 >= 93;
    let bar_of = |d: chrono::NaiveDate| if weekly { monday(d) } else { d };
    let mut days: Vec<chrono::NaiveDate> = from_day
        .iter_days()
        .take_while(|d| *d <= to_day)
        .map(bar_of)
        .collect();
    days.dedup();
    let label = |bar: chrono::NaiveDate| {
        if weekly {
            format!("Week of {}", day_label(bar))
        } else {
            day_label(bar)
        }
    };

    let received: Vec<(chrono::NaiveDate, String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {day}, c.channel, count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.kind = 'submitted' AND {in_period} GROUP BY 1, 2"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
    let rows = days
        .iter()
        .map(|d| {
            let n = |channel: &str| {
                received
                    .iter()
                    .filter(|(day, c, _)| bar_of(*day) == *d && c == channel)
                    .map(|r| r.2)
                    .sum::<i64>()
            };
            let (web, hotline, point) = (n("web"), n("hotline"), n("service_point"));
            vec![
                label(*d),
                web.to_string(),
                hotline.to_string(),
                point.to_string(),
                (web + hotline + point).to_string(),
            ]
        })
        .collect();
    tables.insert("received", rows);

    let decided: Vec<(chrono::NaiveDate, String, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {day}, e.kind, count(*) FROM case_events e
         WHERE e.kind IN ('approved', 'rejected', 'expired', 'withdrawn', 'cancelled')
           AND {in_period} GROUP BY 1, 2"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
    let rows = days
        .iter()
        .map(|d| {
            let mut row = vec![label(*d)];
            for kind in ["approved", "rejected", "expired", "withdrawn", "cancelled"] {
                let n: i64 = decided
                    .iter()
                    .filter(|(day, k, _)| bar_of(*day) == *d && k == kind)
                    .map(|r| r.2)
                    .sum();
                row.push(n.to_string());
            }
            row
        })
        .collect();
    tables.insert("decided", rows);

    let weekly: Vec<(chrono::NaiveDate, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT date_trunc('week', {day})::date, count(*), count(*) FILTER (WHERE e.at <= c.sla_due_at)
         FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.kind IN ('approved', 'rejected') AND {in_period} GROUP BY 1 ORDER BY 1"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    let mut rows = vec![];
    let mut week = from_day
        - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&from_day).num_days_from_monday(),
        ));
    while week <= to_day {
        let (decided, within) = weekly
            .iter()
            .find(|w| w.0 == week)
            .map_or((0, 0), |w| (w.1, w.2));
        rows.push(vec![
            format!("Week of {}", day_label(week)),
            decided.to_string(),
            within.to_string(),
            percent(within, decided).map_or("–".into(), |p| format!("{p}%")),
        ]);
        week += chrono::Duration::days(7);
    }
    tables.insert("service-level", rows);

    let handling_in_period = format!(
        "SELECT h.actor_id, h.minutes FROM ({}) h",
        HANDLING.replace(
            "WHERE e.kind IN ('approved', 'rejected')",
            &format!("WHERE e.kind IN ('approved', 'rejected') AND {in_period}")
        )
    );
    let percentile = |p: f64, filter: String| {
        let sql = format!(
            "SELECT percentile_disc({p}) WITHIN GROUP (ORDER BY minutes) FROM ({handling_in_period}) x {filter}"
        );
        async move {
            let m: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(pool)
                .await
                .unwrap();
            // As the page words a duration in English.
            m.map_or("–".to_owned(), |m| {
                canceldesk::i18n::Tr::new(canceldesk::i18n::Locale::En)
                    .duration(chrono::Duration::minutes(i64::from(m)))
            })
        }
    };
    let measured = count(
        pool,
        &format!("SELECT count(*) FROM ({handling_in_period}) x"),
    )
    .await;
    tables.insert(
        "handling-time",
        vec![
            vec!["Decisions measured".into(), measured.to_string()],
            vec!["Median".into(), percentile(0.5, String::new()).await],
            vec![
                "90th percentile".into(),
                percentile(0.9, String::new()).await,
            ],
        ],
    );

    let agents: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.id, a.name FROM agents a WHERE EXISTS (
             SELECT 1 FROM case_events e WHERE e.actor_id = a.id AND e.actor_kind = 'agent'
               AND e.kind IN ('claimed', 'approved', 'rejected', 'expired', 'withdrawn', 'cancelled')
               AND {in_period})
           OR EXISTS (SELECT 1 FROM cases c WHERE c.assignee_id = a.id AND c.{open})
         ORDER BY a.name, a.id"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    let mut rows = vec![];
    for (id, name) in agents {
        let by = |kind: &str| {
            format!(
                "SELECT count(*) FROM case_events e WHERE e.kind = '{kind}' AND e.actor_kind = 'agent'
                 AND e.actor_id = {id} AND {in_period}"
            )
        };
        rows.push(vec![
            name,
            count(pool, &by("claimed")).await.to_string(),
            count(pool, &by("approved")).await.to_string(),
            count(pool, &by("rejected")).await.to_string(),
            percentile(0.5, format!("WHERE actor_id = {id}")).await,
            count(
                pool,
                &format!("SELECT count(*) FROM cases WHERE assignee_id = {id} AND {open}"),
            )
            .await
            .to_string(),
        ]);
    }
    tables.insert("agents", rows);

    let reasons: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.reason, c.channel, count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.kind = 'submitted' AND {in_period} GROUP BY 1, 2"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    let all: i64 = reasons.iter().map(|r| r.2).sum();
    let mut rows = vec![];
    for reason in canceldesk::domain::request::CancelReason::ALL {
        let n = |channel: Option<&str>| -> i64 {
            reasons
                .iter()
                .filter(|r| r.0 == reason.as_str() && channel.is_none_or(|c| r.1 == c))
                .map(|r| r.2)
                .sum()
        };
        rows.push(vec![
            reason.label().to_owned(),
            n(None).to_string(),
            percent(n(None), all).map_or("–".into(), |p| format!("{p}%")),
            n(Some("web")).to_string(),
            n(Some("hotline")).to_string(),
            n(Some("service_point")).to_string(),
        ]);
    }
    tables.insert("reasons", rows);

    let rejections: Vec<(Option<String>, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT e.reason_code, count(*) FROM case_events e WHERE e.kind = 'rejected' AND {in_period}
         GROUP BY 1"
    )))
    .fetch_all(pool)
    .await
    .unwrap();
    let all: i64 = rejections.iter().map(|r| r.1).sum();
    let rows = canceldesk::domain::request::RejectReason::ALL
        .iter()
        .map(|r| {
            let n: i64 = rejections
                .iter()
                .filter(|x| x.0.as_deref() == Some(r.as_str()))
                .map(|x| x.1)
                .sum();
            vec![
                r.label().to_owned(),
                n.to_string(),
                percent(n, all).map_or("–".into(), |p| format!("{p}%")),
            ]
        })
        .collect();
    tables.insert("rejections", rows);

    let kind = |k: &str| {
        format!("SELECT count(*) FROM case_events e WHERE e.kind = '{k}' AND {in_period}")
    };
    tables.insert(
        "documents",
        vec![
            vec![
                "Requests sent".into(),
                count(pool, &kind("documents_requested")).await.to_string(),
            ],
            vec![
                "Answered in time".into(),
                count(pool, &kind("documents_received")).await.to_string(),
            ],
            vec![
                "Expired unanswered".into(),
                count(pool, &kind("expired")).await.to_string(),
            ],
        ],
    );
    tables
}

/// Compares every table's CSV with the direct counts (the backlog's ages may move across a
/// bucket boundary while the page is read: they must equal the count before or after).
async fn assert_report_is_exact(app: &TestApp, browser: &Browser, from: &str, to: &str) {
    let period = format!("period=range&from={from}&to={to}");
    let before = expected(app, from, to).await;
    let mut actual = BTreeMap::new();
    for table in before.keys() {
        let csv = csv_table(browser, table, &period).await;
        actual.insert(*table, csv[1..].to_vec());
    }
    let after = expected(app, from, to).await;
    for (table, rows) in &actual {
        assert!(
            rows == &before[table] || rows == &after[table],
            "{table}: the report says\n{rows:?}\nthe history says\n{:?}",
            before[table]
        );
    }
}

/// Cases a queue link lists, following its pages.
async fn queue_count(browser: &Browser, link: &str) -> usize {
    let mut total = 0;
    let mut next = Some(link.replace("&amp;", "&"));
    while let Some(link) = next {
        let page = browser.get(&link).await;
        assert_eq!(page.status, 200, "{link}");
        assert!(
            page.texts("[role=alert]").is_empty(),
            "{link}: {:?}",
            page.texts("[role=alert]")
        );
        total += page.texts("tr.case-row").len();
        next = page.attr("a[rel=next]", "href").into_iter().next();
    }
    total
}

#[actix_web::test]
async fn every_figure_equals_a_direct_count_over_the_history() {
    let app = spawn_app().await;
    app.demo_cases(600).await;
    let (supervisor, _) = app.signed_in("Sari Supervisor", Role::Supervisor).await;
    // Decisions made live, through the app (the trigger's everyday path).
    insert_case(&app.pool, NewCase::default()).await;
    supervisor
        .act(NewCase::default().reference, "claim", &[])
        .await;
    let rejected = supervisor
        .act(
            NewCase::default().reference,
            "reject",
            &[
                ("reason", "outstanding_debt"),
                ("message", "Please settle the bill first."),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    // A second claim by the same agent on the same day: a second delta row of one key.
    let second = NewCase {
        reference: "CX-TEST-CAS2",
        ..NewCase::default()
    };
    insert_case(&app.pool, second).await;
    let claimed = supervisor.act(second.reference, "claim", &[]).await;
    assert_eq!(claimed.status, 303, "{}", claimed.body);

    let today = app.settings.tz().unwrap();
    let today = chrono::Utc::now().with_timezone(&today).date_naive();
    let from = (today - chrono::Duration::days(29)).to_string();
    let to = today.to_string();
    assert_report_is_exact(&app, &supervisor, &from, &to).await;
    // A period in the middle, one of a single day, and a long one drawn per week (whole weeks
    // read from the weekly aggregates, the days around them from the daily ones).
    let mid = (today - chrono::Duration::days(10)).to_string();
    assert_report_is_exact(&app, &supervisor, &mid, &mid).await;
    let long_ago = (today - chrono::Duration::days(122)).to_string();
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    assert_report_is_exact(&app, &supervisor, &long_ago, &yesterday).await;

    // Compaction folds the delta rows and changes no figure.
    let rows = count(&app.pool, "SELECT count(*) FROM report_daily").await;
    canceldesk::store::reports::compact(&app.pool)
        .await
        .unwrap();
    let folded = count(&app.pool, "SELECT count(*) FROM report_daily").await;
    assert!(
        folded < rows,
        "the live decision's rows were folded ({rows} → {folded})"
    );
    let keys = count(
        &app.pool,
        "SELECT count(*) FROM (SELECT DISTINCT day, measure, outcome, channel, reason, agent_id
                               FROM report_daily) k",
    )
    .await;
    assert_eq!(folded, keys, "one row per key after compaction");
    assert_report_is_exact(&app, &supervisor, &from, &to).await;
    assert_report_is_exact(&app, &supervisor, &long_ago, &yesterday).await;

    // Recounted in another zone and back: the same figures.
    assert!(
        canceldesk::store::reports::align_time_zone(&app.pool, "UTC")
            .await
            .unwrap()
    );
    assert!(
        canceldesk::store::reports::align_time_zone(&app.pool, &app.settings.time_zone)
            .await
            .unwrap()
    );
    assert_report_is_exact(&app, &supervisor, &from, &to).await;

    // The page shows the CSV's figures, with a chart and its table.
    let page = supervisor
        .get(&format!("/reports?period=range&from={from}&to={to}"))
        .await;
    assert_eq!(page.status, 200);
    let csv = csv_table(
        &supervisor,
        "agents",
        &format!("period=range&from={from}&to={to}"),
    )
    .await;
    assert_eq!(
        page.texts("#table-agents tbody tr"),
        csv[1..].iter().map(|r| r.join(" ")).collect::<Vec<_>>()
    );
    for chart in [
        "chart-backlog",
        "chart-received",
        "chart-decided",
        "chart-service-level",
    ] {
        assert_eq!(
            page.attr(&format!("svg[aria-labelledby={chart}-title]"), "role"),
            vec!["img"]
        );
    }
}

#[actix_web::test]
async fn each_figure_links_to_a_queue_of_exactly_its_cases() {
    let app = spawn_app().await;
    app.demo_cases(300).await;
    let (supervisor, _) = app.signed_in("Sari Supervisor", Role::Supervisor).await;
    let page = supervisor.get("/reports?period=7").await;
    assert_eq!(page.status, 200);
    let html = page.html();
    let cell = scraper::Selector::parse("table.report-table td a").unwrap();
    let mut checked = 0;
    for (i, link) in html.select(&cell).enumerate() {
        // Every third figure keeps the test short; still dozens across every table.
        if i % 3 != 0 {
            continue;
        }
        let figure: usize = link.text().collect::<String>().trim().parse().unwrap();
        let href = link.value().attr("href").unwrap();
        assert_eq!(queue_count(&supervisor, href).await, figure, "{href}");
        checked += 1;
    }
    assert!(checked > 20, "only {checked} figures had links");
}

#[actix_web::test]
async fn an_agent_sees_their_own_work_and_bad_periods_are_explained() {
    let app = spawn_app().await;
    app.demo_cases(300).await;
    let (agent, me) = app.signed_in("Ana Agent", Role::Agent).await;
    insert_case(
        &app.pool,
        NewCase {
            state: "in_review",
            assignee: Some(me.id),
            ..NewCase::default()
        },
    )
    .await;
    let page = agent.get("/reports").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("h1"), vec!["My work"]);
    assert!(
        page.texts("#received").is_empty(),
        "no desk intake for an agent"
    );
    assert!(page.texts("#reasons").is_empty());
    assert_eq!(
        page.texts("#table-agents tbody tr"),
        vec!["Ana Agent 0 0 0 – 1"],
        "only their own row"
    );
    let states = keyed(&csv_table(&agent, "backlog-states", "period=30").await);
    assert_eq!(states["In review"], vec!["1"], "only their own open case");
    assert_eq!(
        agent.get("/reports/reasons.csv?period=30").await.status,
        404
    );
    assert_eq!(
        agent.get("/reports/nothing.csv?period=30").await.status,
        404
    );

    for (query, says) in [
        (
            "period=range&from=2026-02-30&to=2026-03-01",
            "is not a date",
        ),
        ("period=range&from=2026-03-01&to=2026-02-01", "comes after"),
        ("period=forever", "Unknown period"),
    ] {
        let page = agent.get(&format!("/reports?{query}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.texts("[role=alert]").join(" ").contains(says),
            "{query}"
        );
        let csv = agent.get(&format!("/reports/agents.csv?{query}")).await;
        assert_eq!(
            csv.status, 400,
            "a file is never of another period than asked"
        );
    }
}

/// `report_minutes` became one expression (so PostgreSQL inlines it); its buckets must stay those
/// of its first definition, edges included: 5 minutes within the first hour, half hours within a
/// day, 4 hours within a week, days within 60 days, then "60 days or more".
#[actix_web::test]
async fn handling_time_buckets_keep_their_edges() {
    let app = spawn_app().await;
    let differ = count(
        &app.pool,
        "WITH s(seconds) AS (
             SELECT generate_series(-300, 5400000, 17)::double precision
             UNION ALL SELECT unnest(ARRAY[-0.5, 0, 59.9, 60, 299.9, 300, 3599.9, 3600, 86399.9,
                                           86400, 604799.9, 604800, 5183999.9, 5184000, 1e9])
         ), old AS (
             SELECT seconds, CASE
                 WHEN m < 60 THEN m / 5 * 5
                 WHEN m < 1440 THEN m / 30 * 30
                 WHEN m < 10080 THEN m / 240 * 240
                 WHEN m < 86400 THEN m / 1440 * 1440
                 ELSE 86400 END AS bucket
             FROM (SELECT seconds, greatest(floor(seconds / 60), 0)::integer AS m FROM s) minutes
         )
         SELECT count(*) FROM old WHERE report_minutes(seconds) IS DISTINCT FROM bucket",
    )
    .await;
    assert_eq!(differ, 0, "buckets moved");
}
