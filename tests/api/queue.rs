//! The queue: default view, filters, search and keyset paging.

use canceldesk::domain::agent::Role;

use crate::helpers::{NewCase, insert_case, spawn_app};

#[actix_web::test]
async fn the_queue_lists_cases_needing_action_by_due_time_with_filters_and_search() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let cases = [
        (
            "CX-AAAA-AAA2",
            "Budi Santoso",
            "+6283811110001",
            "submitted",
            None,
            "web",
            "cost",
            30,
        ),
        (
            "CX-AAAA-AAA3",
            "Dewi Lestari",
            "+6283211110002",
            "in_review",
            Some(me.id),
            "hotline",
            "cost",
            5,
        ),
        (
            "CX-AAAA-AAA4",
            "Rina Wijaya",
            "+6283311110003",
            "awaiting_documents",
            Some(me.id),
            "web",
            "other",
            1,
        ),
        (
            "CX-AAAA-AAA5",
            "Eko Nugroho",
            "+6283111110004",
            "approved",
            None,
            "service_point",
            "cost",
            2,
        ),
        (
            "CX-AAAA-AAA6",
            "Siti Budiman",
            "+6283811110005",
            "submitted",
            None,
            "hotline",
            "moving_abroad",
            -4,
        ),
    ];
    for (reference, name, msisdn, state, assignee, channel, reason, due) in cases {
        insert_case(
            &app.pool,
            NewCase {
                reference,
                name,
                msisdn,
                state,
                assignee,
                channel,
                reason,
                due_in_hours: due,
            },
        )
        .await;
    }
    let refs = |path: &str| {
        let path = path.to_owned();
        let browser = &browser;
        async move {
            let page = browser.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            page.texts("td a.ref")
        }
    };
    // Needs action, oldest due first (the overdue one on top).
    assert_eq!(
        refs("/queue").await,
        vec!["CX-AAAA-AAA6", "CX-AAAA-AAA3", "CX-AAAA-AAA2"]
    );
    assert_eq!(
        refs("/queue?state=awaiting_documents").await,
        vec!["CX-AAAA-AAA4"]
    );
    assert_eq!(
        refs("/queue?state=all&assignee=me").await,
        vec!["CX-AAAA-AAA4", "CX-AAAA-AAA3"]
    );
    assert_eq!(
        refs("/queue?assignee=unassigned").await,
        vec!["CX-AAAA-AAA6", "CX-AAAA-AAA2"]
    );
    assert_eq!(
        refs("/queue?channel=hotline").await,
        vec!["CX-AAAA-AAA6", "CX-AAAA-AAA3"]
    );
    assert_eq!(
        refs("/queue?state=all&reason=cost").await,
        vec!["CX-AAAA-AAA5", "CX-AAAA-AAA3", "CX-AAAA-AAA2"]
    );
    // Search by reference (as typed on the phone), phone number (as typed) and part of a name.
    assert_eq!(
        refs("/queue?state=all&q=cxaaaa+aaa5").await,
        vec!["CX-AAAA-AAA5"]
    );
    assert_eq!(
        refs("/queue?state=all&q=0832-1111-0002").await,
        vec!["CX-AAAA-AAA3"]
    );
    assert_eq!(
        refs("/queue?state=all&q=budi").await,
        vec!["CX-AAAA-AAA6", "CX-AAAA-AAA2"]
    );
    assert_eq!(
        refs("/queue?state=all&q=100%25").await,
        Vec::<String>::new()
    );

    let page = browser.get("/queue").await;
    // Rows show a masked phone number, the state and the overdue colour.
    assert!(
        page.texts("td.phone")
            .contains(&"+62 838-••••-0005".to_string())
    );
    assert_eq!(
        page.attr("tr.case-row.overdue a.ref", "href"),
        vec!["/cases/CX-AAAA-AAA6"]
    );
    // Counts per state come from the maintained counters.
    let counts = page.texts(".counts li").join(" | ");
    assert!(
        counts.contains("Submitted 2")
            && counts.contains("In review 1")
            && counts.contains("Approved 1"),
        "{counts}"
    );

    // Unknown filter values are reported, not obeyed.
    let odd = browser.get("/queue?state=deleted").await;
    assert_eq!(odd.status, 200);
    assert!(
        odd.texts("[role=alert]")
            .join(" ")
            .contains("Unknown state")
    );
}

#[actix_web::test]
async fn keyset_paging_walks_every_case_exactly_once_in_both_directions() {
    let app = spawn_app().await;
    app.demo_cases(130).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let expected: Vec<String> =
        sqlx::query_scalar("SELECT reference FROM cases ORDER BY sla_due_at, id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(expected.len(), 130);
    // The demo generator covers every state, and each case's history ends at its version.
    let states: i64 = sqlx::query_scalar("SELECT count(DISTINCT state) FROM cases")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(states, 8);
    let inconsistent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM cases c
         WHERE c.version <> (SELECT max(e.case_version) FROM case_events e WHERE e.case_id = c.id)
            OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id AND d.kind = 'identity_card')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(inconsistent, 0);

    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut path = "/queue?state=all".to_string();
    loop {
        let page = browser.get(&path).await;
        let rows = page.texts("td a.ref");
        assert!(rows.len() <= 50);
        seen.extend(rows.clone());
        pages.push((path.clone(), rows));
        match page.attr("a[rel=next]", "href").first() {
            Some(next) => path = next.clone(),
            None => break,
        }
    }
    assert_eq!(pages.len(), 3);
    assert_eq!(seen, expected);
    assert!(
        pages[1].0.contains("state=all"),
        "filters are kept: {}",
        pages[1].0
    );

    // Back from the last page to the first.
    let last = browser.get(&pages[2].0).await;
    let previous = last.attr("a[rel=prev]", "href")[0].clone();
    assert_eq!(browser.get(&previous).await.texts("td a.ref"), pages[1].1);
    let first = browser.get(&pages[1].0).await.attr("a[rel=prev]", "href")[0].clone();
    let first_page = browser.get(&first).await;
    assert_eq!(first_page.texts("td a.ref"), pages[0].1);
    assert!(first_page.attr("a[rel=prev]", "href").is_empty());
}

#[actix_web::test]
async fn another_open_case_for_the_same_line_is_flagged_and_the_flag_follows_decisions() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let line = "+6283800000001";
    for reference in ["CX-AAAA-AAB2", "CX-AAAA-AAB3"] {
        insert_case(
            &app.pool,
            NewCase {
                reference,
                msisdn: line,
                state: "in_review",
                assignee: Some(me.id),
                ..NewCase::default()
            },
        )
        .await;
    }
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-AAAA-AAB4",
            msisdn: "+6283800000002",
            ..NewCase::default()
        },
    )
    .await;
    let flagged =
        |page: &crate::helpers::Response| page.attr("tr.case-row:has(.flag.dup) a.ref", "href");
    let queue = browser.get("/queue?state=all").await;
    assert_eq!(
        flagged(&queue),
        vec!["/cases/CX-AAAA-AAB2", "/cases/CX-AAAA-AAB3"]
    );

    // Rejecting one leaves the other without an open duplicate; the rejected one still has one.
    browser
        .act(
            "CX-AAAA-AAB2",
            "reject",
            &[
                ("reason", "duplicate_request"),
                ("message", "You applied twice."),
            ],
        )
        .await
        .assert_redirects_to("/cases/CX-AAAA-AAB2");
    let queue = browser.get("/queue?state=all").await;
    assert_eq!(flagged(&queue), vec!["/cases/CX-AAAA-AAB2"]);
}

/// The references a page statement returns, in its order.
async fn references(
    mut sql: sqlx::QueryBuilder<sqlx::Postgres>,
    pool: &sqlx::PgPool,
) -> Vec<String> {
    sql.build_query_as::<canceldesk::store::queue::QueueRow>()
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.reference)
        .collect()
}

/// A name search looks for its page among the next cases in queue order first: when the page is
/// full there it must be exactly the page the trigram search gives, on every page.
#[actix_web::test]
async fn a_common_name_pages_the_same_through_the_window_as_through_the_trigram_index() {
    use canceldesk::domain::agent::AgentId;
    use canceldesk::domain::queue::{Page, QueueParams, QueueQuery};
    use canceldesk::store::queue;

    let app = spawn_app().await;
    for n in 0..150 {
        let reference = format!("CX-WIN{n:04}-AA");
        let msisdn = format!("+62838100{n:05}");
        let name = if n % 3 == 0 {
            "Wulan Hidayat"
        } else {
            "Budi Santoso"
        };
        insert_case(
            &app.pool,
            NewCase {
                reference: &reference,
                name,
                msisdn: &msisdn,
                // Due times interleave with the ids, so queue order is not insertion order.
                due_in_hours: (n * 7) % 150,
                ..NewCase::default()
            },
        )
        .await;
    }
    let params: QueueParams = serde_html_form::from_str("state=all&q=wulan").unwrap();
    let (mut query, problems) = QueueQuery::parse(&params, AgentId(1), "62");
    assert!(problems.is_empty());
    let limit = 20;
    let (mut seen, mut full_windows) = (0, 0);
    loop {
        let through_window =
            references(queue::name_window_query("", &query, limit, 60), &app.pool).await;
        let rows = queue::page(&app.pool, &query, limit).await.unwrap();
        let by_trigram = references(queue::page_query("", &query, limit), &app.pool).await;
        assert_eq!(
            rows.iter().map(|r| r.reference.clone()).collect::<Vec<_>>(),
            by_trigram
        );
        if through_window.len() as i64 == limit {
            assert_eq!(through_window, by_trigram, "a full window page is the page");
            full_windows += 1;
        }
        seen += rows.len();
        let Some(last) = rows.last() else { break };
        query.page = Page::After(canceldesk::domain::queue::Cursor {
            rank: None,
            due: last.sla_due_at,
            id: last.id,
        });
    }
    assert_eq!(seen, 50, "every Wulan once");
    assert!(full_windows >= 1, "the window served a page");
}

/// The queue's filter as CSV: every matching case (in batches beyond the first thousand), masked
/// as on screen, with a header; a filter that cannot be read gives no file.
#[actix_web::test]
async fn the_queue_filter_downloads_as_csv_with_every_matching_case_masked() {
    let app = spawn_app().await;
    app.demo_cases(2300).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let queue = browser.get("/queue?state=all&channel=hotline").await;
    let link = queue.attr("a[href^='/queue.csv']", "href")[0].replace("&amp;", "&");
    assert_eq!(link, "/queue.csv?state=all&channel=hotline");

    for (path, sql) in [
        ("/queue.csv?state=all", "SELECT count(*) FROM cases"),
        (
            link.as_str(),
            "SELECT count(*) FROM cases WHERE channel = 'hotline'",
        ),
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status, 200);
        assert!(
            response
                .headers
                .get("content-disposition")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment; filename=\"canceldesk-queue-")
        );
        let mut reader = csv::Reader::from_reader(response.body.as_bytes());
        assert_eq!(reader.headers().unwrap().get(0), Some("Reference"));
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let expected: i64 = sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap();
        assert_eq!(records.len() as i64, expected, "{path}");
        let references: std::collections::HashSet<&str> =
            records.iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(
            references.len(),
            records.len(),
            "no case twice across batches"
        );
    }
    let all = browser.get("/queue.csv?state=all").await.body;
    let (msisdn, nik): (String, String) =
        sqlx::query_as("SELECT msisdn, customer_nik FROM cases ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!all.contains(&msisdn[3..]), "phone numbers are masked");
    assert!(!all.contains(&nik), "no identity numbers");
    assert!(!all.contains("@example.com"), "no contact details");

    let refused = browser.get("/queue.csv?state=deleted").await;
    assert_eq!(refused.status, 400);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'queue_exported'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 3);
}
