//! Bulk triage: selection, preview with skip reasons, apply once in batches, the report.

use canceldesk::domain::agent::Role;

use crate::helpers::{
    Browser, NewCase, Response, TestApp, in_days, insert_case, snapshot, spawn_app, spawn_app_with,
};

/// Distinct valid references (CX-BATC-xxxx, letters of the reference alphabet).
fn next_reference() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    const A: &[u8] = b"ABCDEFGHJKMNPQRSTWXYZ23456789";
    let i = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (a, b, c) = (
        A[i / 841 % 29] as char,
        A[i / 29 % 29] as char,
        A[i % 29] as char,
    );
    format!("CX-BATC-A{a}{b}{c}")
}

async fn cases(app: &TestApp, n: usize, state: &str, assignee: Option<i64>) -> Vec<String> {
    let mut refs = Vec::new();
    for i in 0..n {
        let r = next_reference();
        let msisdn = format!(
            "+62838{}",
            &r[r.len() - 4..]
                .bytes()
                .map(|b| format!("{:02}", b % 100))
                .collect::<String>()
        );
        insert_case(
            &app.pool,
            NewCase {
                reference: &r,
                msisdn: &msisdn,
                state,
                assignee,
                due_in_hours: i as i64,
                ..NewCase::default()
            },
        )
        .await;
        refs.push(r);
    }
    refs
}

/// Opens the bulk page for a queue view and previews an action from it.
async fn preview(
    browser: &Browser,
    queue_query: &str,
    scope: &str,
    action: &[(&str, &str)],
) -> Response {
    let queue = browser.get(&format!("/queue?{queue_query}")).await;
    assert_eq!(queue.status, 200);
    let token = queue.csrf();
    let mut fields: Vec<(&str, String)> = vec![("csrf_token", token), ("scope", scope.to_string())];
    for (k, v) in url_pairs(queue_query) {
        fields.push((k, v));
    }
    for (k, v) in action {
        fields.push((k, v.to_string()));
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post("/bulk/preview", &borrowed).await
}

fn url_pairs(query: &str) -> Vec<(&'static str, String)> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let key: &'static str = match k {
                "state" => "state",
                "assignee" => "assignee",
                "channel" => "channel",
                "reason" => "reason",
                _ => "q",
            };
            (key, v.to_string())
        })
        .collect()
}

async fn state_of(app: &TestApp, reference: &str) -> String {
    snapshot(&app.pool, reference).await.state
}

#[actix_web::test]
async fn all_cases_matching_a_filter_beyond_one_page_are_claimed_once() {
    let app = spawn_app_with(|s| s.bulk_batch_size = 7).await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let submitted = cases(&app, 60, "submitted", None).await;
    let reviewing = cases(&app, 3, "in_review", Some(me.id)).await;

    // The queue shows 50; the bulk page counts every match on the server.
    assert_eq!(
        browser
            .get("/queue?state=submitted")
            .await
            .texts("td a.ref")
            .len(),
        50
    );
    let choose = browser.get("/bulk?scope=filter&state=submitted").await;
    assert_eq!(choose.status, 200);
    assert!(
        choose.texts(".lead").join(" ").contains("60 cases"),
        "{:?}",
        choose.texts(".lead")
    );

    let previewed = preview(
        &browser,
        "state=submitted",
        "filter",
        &[("action", "claim")],
    )
    .await;
    assert_eq!(previewed.status, 303, "{}", previewed.body);
    let report_url = previewed.location.clone().unwrap();
    let page = browser.get(&report_url).await;
    assert!(
        page.texts("table.summary")
            .join(" ")
            .contains("will change 60")
    );
    // Nothing changed yet.
    assert_eq!(state_of(&app, &submitted[0]).await, "submitted");

    let token = page.csrf();
    let apply = format!("{report_url}/apply");
    browser
        .post(&apply, &[("csrf_token", &token)])
        .await
        .assert_redirects_to(&report_url);
    // A double click, the back button, a retry: nothing happens twice.
    browser
        .post(&apply, &[("csrf_token", &token)])
        .await
        .assert_redirects_to(&report_url);

    for r in &submitted {
        let snap = snapshot(&app.pool, r).await;
        assert_eq!(
            (
                snap.state.as_str(),
                snap.assignee,
                snap.version,
                snap.events
            ),
            ("in_review", Some(me.id), 2, 1),
            "{r}"
        );
    }
    for r in &reviewing {
        assert_eq!(
            snapshot(&app.pool, r).await.version,
            1,
            "not selected, not touched"
        );
    }
    let claims: i64 = sqlx::query_scalar("SELECT count(*) FROM case_events WHERE kind = 'claimed'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(claims, 60);

    // The report lists every case and is linked from each case's history.
    let report = browser.get(&report_url).await;
    assert!(
        report
            .texts("table.summary")
            .join(" ")
            .contains("changed 60")
    );
    assert_eq!(report.texts("tr.item").len(), 60);
    let case_page = browser.get(&format!("/cases/{}", submitted[0])).await;
    assert_eq!(
        case_page.attr(".timeline a[href^='/bulk/']", "href"),
        vec![report_url.clone()]
    );
}

#[actix_web::test]
async fn the_preview_names_every_skip_and_apply_changes_exactly_the_previewed_set() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let bob = app.agent("Bob Agent", Role::Agent).await;
    let mine = cases(&app, 2, "in_review", Some(me.id)).await;
    let awaiting = cases(&app, 1, "awaiting_documents", Some(me.id)).await;
    let bobs = cases(&app, 1, "in_review", Some(bob.id)).await;
    // Identity documents: accepted on the first of mine only.
    sqlx::query("UPDATE documents SET verdict = 'accepted' WHERE case_id = (SELECT id FROM cases WHERE reference = $1)")
        .bind(&mine[0])
        .execute(&app.pool)
        .await
        .unwrap();
    let effective = in_days(3);
    let previewed = preview(
        &browser,
        "state=all",
        "filter",
        &[
            ("action", "approve"),
            ("effective_date", &effective),
            ("confirm_fees", "on"),
        ],
    )
    .await;
    let report_url = previewed.location.clone().expect("a preview");

    // Someone changes a case between preview and apply.
    sqlx::query("UPDATE cases SET version = version + 1 WHERE reference = $1")
        .bind(&mine[1])
        .execute(&app.pool)
        .await
        .unwrap();
    let page = browser.get(&report_url).await;
    let skips: Vec<String> = page.texts("tr.item td.reason");
    assert!(
        skips.contains(&"awaiting documents".to_string()),
        "{skips:?}"
    );
    assert!(
        skips.contains(&"assigned to another agent".to_string()),
        "{skips:?}"
    );
    assert!(
        skips.contains(&"identity document not accepted".to_string()),
        "{skips:?}"
    );
    assert!(
        page.texts("table.summary")
            .join(" ")
            .contains("will change 1")
    );

    browser
        .post(
            &format!("{report_url}/apply"),
            &[("csrf_token", &page.csrf())],
        )
        .await;
    assert_eq!(state_of(&app, &mine[0]).await, "approved");
    assert_eq!(state_of(&app, &mine[1]).await, "in_review");
    assert_eq!(state_of(&app, &awaiting[0]).await, "awaiting_documents");
    assert_eq!(state_of(&app, &bobs[0]).await, "in_review");
    let report = browser.get(&report_url).await;
    let rows = report.texts("tr.item").join(" | ");
    assert!(
        rows.contains(&format!("{} Siti Rahayu Approved changed", mine[0])),
        "{rows}"
    );
    assert!(rows.contains("identity document not accepted"), "{rows}");
}

#[actix_web::test]
async fn a_case_changed_after_the_preview_is_skipped_and_reported() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = cases(&app, 3, "submitted", None).await;
    let previewed = preview(
        &browser,
        "state=submitted",
        "filter",
        &[("action", "claim")],
    )
    .await;
    let report_url = previewed.location.unwrap();
    // Another agent claims one meanwhile.
    let (other, _) = app.signed_in("Bob Agent", Role::Agent).await;
    other
        .act(&refs[1], "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{}", refs[1]));
    let page = browser.get(&report_url).await;
    browser
        .post(
            &format!("{report_url}/apply"),
            &[("csrf_token", &page.csrf())],
        )
        .await;

    assert_eq!(snapshot(&app.pool, &refs[0]).await.assignee, Some(me.id));
    assert_ne!(
        snapshot(&app.pool, &refs[1]).await.assignee,
        Some(me.id),
        "not overwritten"
    );
    assert_eq!(snapshot(&app.pool, &refs[2]).await.assignee, Some(me.id));
    let report = browser.get(&report_url).await;
    let rows = report.texts("tr.item").join(" | ");
    assert!(
        rows.contains(&format!(
            "{} Siti Rahayu In review skipped changed since you selected it",
            refs[1]
        )),
        "{rows}"
    );
}

#[actix_web::test]
async fn a_failing_batch_changes_none_of_its_cases() {
    let app = spawn_app_with(|s| s.bulk_batch_size = 2).await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = cases(&app, 6, "submitted", None).await;
    // Injected failure: the update of one case (the second of the second batch) raises.
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cases ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let poison = ids[3];
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE FUNCTION fail_on_purpose() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'injected failure'; END; $$;
         CREATE TRIGGER injected BEFORE UPDATE ON cases FOR EACH ROW
         WHEN (OLD.id = {poison}) EXECUTE FUNCTION fail_on_purpose();"
    )))
    .execute(&app.pool)
    .await
    .unwrap();
    let previewed = preview(
        &browser,
        "state=submitted",
        "filter",
        &[("action", "claim")],
    )
    .await;
    let report_url = previewed.location.unwrap();
    let page = browser.get(&report_url).await;
    browser
        .post(
            &format!("{report_url}/apply"),
            &[("csrf_token", &page.csrf())],
        )
        .await
        .assert_redirects_to(&report_url);

    let by_id = |id: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, Option<i64>, i32)>(
                "SELECT state, assignee_id, version FROM cases WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    for (i, id) in ids.iter().enumerate() {
        let (state, assignee, version) = by_id(*id).await;
        if i == 2 || i == 3 {
            assert_eq!(
                (state.as_str(), assignee, version),
                ("submitted", None, 1),
                "batch 2 untouched: case {i}"
            );
        } else {
            assert_eq!(
                (state.as_str(), assignee),
                ("in_review", Some(me.id)),
                "case {i}"
            );
        }
    }
    let report = browser.get(&report_url).await;
    assert!(report.texts("table.summary").join(" ").contains("failed"));
    assert_eq!(
        report
            .texts("tr.item td.outcome")
            .iter()
            .filter(|o| *o == "failed")
            .count(),
        2
    );
    let _ = refs;
}

#[actix_web::test]
async fn an_agent_cannot_bulk_act_beyond_the_role() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = cases(&app, 2, "submitted", None).await;
    let before = snapshot(&app.pool, &refs[0]).await;
    for action in [
        vec![("action", "assign"), ("agent_id", "1")],
        vec![("action", "priority"), ("priority", "high")],
    ] {
        let response = preview(&browser, "state=submitted", "filter", &action).await;
        assert_eq!(response.status, 403, "{action:?}");
    }
    let operations: i64 = sqlx::query_scalar("SELECT count(*) FROM bulk_operations")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(operations, 0);
    assert_eq!(snapshot(&app.pool, &refs[0]).await, before);
    // The bulk page offers agents only what they may do.
    let choose = browser.get("/bulk?scope=filter&state=submitted").await;
    let actions = choose.attr("input[name=action]", "value");
    assert!(
        !actions.contains(&"assign".to_string()) && !actions.contains(&"priority".to_string()),
        "{actions:?}"
    );
    // Someone else's preview cannot be applied.
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let theirs = preview(
        &sue,
        "state=submitted",
        "filter",
        &[("action", "priority"), ("priority", "high")],
    )
    .await;
    let url = theirs.location.unwrap();
    let token = browser.get("/queue").await.csrf();
    assert_eq!(
        browser
            .post(&format!("{url}/apply"), &[("csrf_token", &token)])
            .await
            .status,
        403
    );
    assert_eq!(snapshot(&app.pool, &refs[0]).await, before);
    let _ = me;
}

#[actix_web::test]
async fn picked_cases_and_bad_input_and_per_case_history() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = cases(&app, 3, "in_review", Some(me.id)).await;
    let queue = browser.get("/queue?state=in_review").await;
    let picks = queue.attr("input[name=case]", "value");
    assert_eq!(picks.len(), 3);
    let token = queue.csrf();

    // Rejection without a message: the form comes back with the problem, nothing recorded.
    let bad = browser
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &token),
                ("scope", "selected"),
                ("case", &picks[0]),
                ("action", "reject"),
                ("reject_reason", "duplicate_request"),
                ("message", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.texts(".field-error").join(" ").contains("message"));
    let operations: i64 = sqlx::query_scalar("SELECT count(*) FROM bulk_operations")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(operations, 0);

    let ok = browser
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &token),
                ("scope", "selected"),
                ("case", &picks[0]),
                ("case", &picks[2]),
                ("action", "reject"),
                ("reject_reason", "duplicate_request"),
                ("message", "You applied twice."),
            ],
        )
        .await;
    let url = ok.location.expect("a preview");
    let page = browser.get(&url).await;
    browser
        .post(&format!("{url}/apply"), &[("csrf_token", &page.csrf())])
        .await;
    let rejected: Vec<String> = sqlx::query_scalar(
        "SELECT c.reference FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE e.kind = 'rejected' AND e.reason_code = 'duplicate_request' AND e.message = 'You applied twice.' ORDER BY c.reference",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected: Vec<String> = [&picks[0], &picks[2]]
        .iter()
        .map(|p| p.rsplit_once('.').unwrap().0.to_string())
        .collect();
    expected.sort();
    assert_eq!(rejected, expected);
    assert_eq!(refs.len(), 3);
}

#[actix_web::test]
async fn the_queue_works_as_plain_forms_and_scripts_only_enhance() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    cases(&app, 2, "submitted", None).await;
    let queue = browser.get("/queue").await;
    // A real GET form with real submit buttons for each scope; no inline script or handlers.
    assert_eq!(queue.attr("form#bulk-form", "action"), vec!["/bulk"]);
    assert_eq!(
        queue.attr("form#bulk-form button[name=scope]", "value"),
        vec!["selected", "page", "filter"]
    );
    assert_eq!(
        queue
            .attr("form#bulk-form input[name=page_case]", "value")
            .len(),
        2
    );
    assert!(
        queue
            .attr("script", "src")
            .contains(&"/static/app.js".to_string())
    );
    assert!(
        queue.texts("script").iter().all(|s| s.is_empty()),
        "no inline script"
    );
    assert!(!queue.body.contains(" onclick=") && !queue.body.contains(" onkeydown="));
    // What the script works on is on the page (its key handling is the browser suite's; a
    // search of the script's text for "j" would pass with any file containing the letter): every
    // case row with its link and check box, the search box, and the shortcut list it toggles.
    let rows = queue.attr("tr.case-row a.ref", "href");
    assert_eq!(rows.len(), 2, "{}", queue.body);
    assert_eq!(queue.attr("tr.case-row input[name=case]", "value").len(), 2);
    assert_eq!(queue.attr("#search", "name"), vec!["q"]);
    assert_eq!(
        queue.attr("#shortcuts", "hidden").len(),
        1,
        "hidden until asked"
    );
    assert_eq!(
        queue.texts("#shortcuts kbd"),
        vec!["j", "k", "x", "Enter", "c", "s", "/", "?"]
    );
    // The case page's claim button is the one `c` presses.
    let case = browser.get(&rows[0]).await;
    assert_eq!(
        case.texts("form button[data-shortcut=c]"),
        vec!["Claim this case"]
    );
    // The script is served as JavaScript, from our own origin, which the policy allows, and
    // inline scripts are not.
    let script = browser.get("/static/app.js").await;
    assert_eq!(script.status, 200);
    let content_type = script
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(content_type.contains("javascript"), "{content_type}");
    let policy = queue
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // Without scripts, "act on this page" carries the page's cases.
    let picks = queue.attr("input[name=page_case]", "value");
    let page = browser
        .get(&format!(
            "/bulk?scope=page&page_case={}&page_case={}",
            picks[0], picks[1]
        ))
        .await;
    assert!(page.texts(".lead").join(" ").contains("2 selected cases"));
}

#[actix_web::test]
async fn a_saved_message_fills_a_bulk_document_request() {
    let app = spawn_app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = cases(&app, 2, "in_review", Some(me.id)).await;
    let deadline = in_days(10);
    let previewed = preview(
        &browser,
        "state=in_review",
        "filter",
        &[
            ("action", "request_documents"),
            ("template", "refund_bank"),
            ("message", ""),
            ("deadline", &deadline),
        ],
    )
    .await;
    let url = previewed.location.expect("a preview");
    let page = browser.get(&url).await;
    browser
        .post(&format!("{url}/apply"), &[("csrf_token", &page.csrf())])
        .await;
    for r in &refs {
        assert_eq!(state_of(&app, r).await, "awaiting_documents");
    }
    let (kinds, message): (Vec<String>, String) = sqlx::query_as(
        "SELECT c.requested_kinds, e.message FROM cases c JOIN case_events e ON e.case_id = c.id
         WHERE e.kind = 'documents_requested' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds, vec!["bank_account_proof"]);
    assert!(message.starts_with("To refund your remaining balance"));
}
