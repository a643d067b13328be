//! Assisted review (issue 18): the job reads the identity card and runs the pre-checks; the case
//! page shows the fields side by side, the checklist and the suggestion; one key applies it; the
//! queue filters by it. The OCR engine is fixed text here (the real engine is exercised by the
//! unit test in `assist::engine` and by `examples/assist_bench.rs`).

use std::sync::Arc;
use std::time::Duration;

use canceldesk::assist::engine::{FixedText, ReadFailure, RecognisedPage};
use canceldesk::assist::{Assistant, MAX_ATTEMPTS, run_once};
use canceldesk::domain::agent::Role;
use canceldesk::domain::id_card::TextLine;
use canceldesk::store;

use crate::helpers::{NewCase, TestApp, insert_case, snapshot, spawn_app};

const REFERENCE: &str = "CX-TEST-CASE";

fn card(nik: &str, name: &str) -> RecognisedPage {
    let line = |text: &str, top: u32| TextLine {
        text: text.to_owned(),
        bbox: Some([40, top, 560, 30]),
    };
    RecognisedPage {
        lines: vec![
            line("PROVINSI DKI JAKARTA", 30),
            line(&format!("NIK : {nik}"), 150),
            line(&format!("Nama : {name}"), 205),
            line("Tempat/Tgl Lahir : JAKARTA, 12-03-1985", 260),
        ],
        size: Some([1000, 630]),
    }
}

fn assistant(app: &TestApp, engine: FixedText) -> Assistant {
    Assistant {
        engine: Arc::new(engine),
        time_limit: Duration::from_secs(5),
        operator_prefixes: app.settings.operator_prefixes.clone(),
        tz: app.settings.tz().unwrap(),
    }
}

/// Presses the case page's suggestion key as a browser would: the form's hidden fields (version,
/// the checks' time) with `suggestion` as the value sent.
async fn apply(
    browser: &crate::helpers::Browser,
    reference: &str,
    suggestion: &str,
) -> crate::helpers::Response {
    let page = browser.get(&format!("/cases/{reference}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let assessed_at = page
        .attr("input[name=assessed_at]", "value")
        .first()
        .cloned()
        .unwrap_or_default();
    browser
        .post(
            &format!("/cases/{reference}/apply-suggestion"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", &page.field("version")),
                ("suggestion", suggestion),
                ("assessed_at", &assessed_at),
            ],
        )
        .await
}

/// A case in review for a signed-in agent, read and checked by the job with `engine`.
async fn read_case(app: &TestApp, engine: FixedText) -> crate::helpers::Browser {
    let (browser, _) = app.case_in_review().await;
    let case_id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE reference = $1")
        .bind(REFERENCE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    store::assist::enqueue(&mut conn, case_id).await.unwrap();
    drop(conn);
    assert_eq!(
        run_once(&app.pool, &assistant(app, engine)).await.unwrap(),
        1
    );
    browser
}

#[actix_web::test]
async fn a_matching_card_is_shown_side_by_side_and_approved_with_one_key() {
    let app = spawn_app().await;
    let browser = read_case(&app, FixedText(Ok(card("3174011203850001", "SITI RAHAYU")))).await;
    assert_eq!(store::assist::waiting(&app.pool).await.unwrap(), 0);

    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert_eq!(page.status, 200);
    // NIK, name, birth date: all match; the NIK masked on both sides, each with its crop.
    assert_eq!(
        page.texts("#assist .card-fields tbody td .badge"),
        ["match", "match", "match"]
    );
    let cells = page.texts("#assist .card-fields tbody td");
    assert!(cells.iter().all(|c| !c.contains("3174011203")), "{cells:?}");
    assert_eq!(page.attr("#assist svg.crop", "viewBox").len(), 3);
    assert_eq!(
        page.attr("#assist svg.crop", "viewBox")[0],
        "32 142 576 46",
        "the NIK line's box with a margin"
    );
    // Every pre-check, with evidence; the fee is a note, not a failure.
    let checks = page.texts("#assist .checklist li");
    assert_eq!(checks.len(), 10, "{checks:?}");
    assert!(checks.iter().any(|c| c.contains("early-termination fee")));
    assert!(page.texts("#assist .check-fail").is_empty(), "{checks:?}");
    assert!(page.texts(".suggestion-headline")[0].contains("Approve when the card is accepted"));
    assert_eq!(page.attr("[data-shortcut=s]", "type"), ["submit"]);

    // One key: the card accepted and the case approved, together.
    let done = apply(&browser, REFERENCE, "approve").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let after = snapshot(&app.pool, REFERENCE).await;
    assert_eq!(after.state, "approved");
    assert_eq!(after.verdicts, ["accepted"]);
    // Decided: nothing is suggested any more.
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert!(page.texts(".suggestion-headline").is_empty());
}

#[actix_web::test]
async fn a_suggestion_the_checks_no_longer_make_changes_nothing() {
    let app = spawn_app().await;
    let browser = read_case(&app, FixedText(Ok(card("3174011203850001", "SITI RAHAYU")))).await;
    let before = snapshot(&app.pool, REFERENCE).await;
    for suggestion in ["reject_duplicate", "needs_person", "nonsense", ""] {
        let refused = apply(&browser, REFERENCE, suggestion).await;
        assert_eq!(refused.status, 422, "{suggestion}: {}", refused.body);
        assert!(
            !refused.texts("#assist .flash.error").is_empty(),
            "{suggestion}"
        );
        assert_eq!(snapshot(&app.pool, REFERENCE).await, before, "{suggestion}");
    }
    // Another agent's case cannot be decided through a suggestion either.
    let (other, _) = app.signed_in("Bo Other", Role::Agent).await;
    let page = other.get(&format!("/cases/{REFERENCE}")).await;
    assert!(
        page.attr("[data-shortcut=s]", "type").is_empty(),
        "no key for them"
    );
    let version = before.version.to_string();
    let assessed_at: i64 = sqlx::query_scalar(
        "SELECT (extract(epoch FROM assessed_at) * 1000000)::bigint FROM cases WHERE reference = $1",
    )
    .bind(REFERENCE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let refused = other
        .post(
            &format!("/cases/{REFERENCE}/apply-suggestion"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", &version),
                ("suggestion", "approve"),
                ("assessed_at", &assessed_at.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("assigned to another agent"),
        "{}",
        refused.body
    );
    assert_eq!(snapshot(&app.pool, REFERENCE).await, before);
    // A checklist older than the stored one is not applied: the page shows the current one.
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    let stale = browser
        .post(
            &format!("/cases/{REFERENCE}/apply-suggestion"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", &version),
                ("suggestion", "approve"),
                ("assessed_at", &(assessed_at - 1).to_string()),
            ],
        )
        .await;
    assert_eq!(stale.status, 422);
    assert!(stale.body.contains("look again"), "{}", stale.body);
    assert_eq!(snapshot(&app.pool, REFERENCE).await, before);
}

#[actix_web::test]
async fn someone_elses_card_suggests_asking_for_an_authorisation_letter() {
    let app = spawn_app().await;
    let browser = read_case(
        &app,
        FixedText(Ok(card("3174011203859999", "BUDI SANTOSO"))),
    )
    .await;
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert_eq!(
        page.texts("#assist .card-fields tbody td .badge"),
        ["mismatch", "mismatch", "match"]
    );
    assert!(page.texts(".suggestion-headline")[0].contains("authorisation letter"));
    // The customer reads Indonesian: the request's message is written in it, whoever applies.
    sqlx::query("UPDATE cases SET locale = 'id' WHERE reference = $1")
        .bind(REFERENCE)
        .execute(&app.pool)
        .await
        .unwrap();
    let done = apply(&browser, REFERENCE, "request_authorisation").await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );
    let kinds: Vec<String> =
        sqlx::query_scalar("SELECT unnest(requested_kinds) FROM cases WHERE reference = $1")
            .bind(REFERENCE)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(kinds, ["authorisation_letter", "identity_card"]);
    let message: String = sqlx::query_scalar(
        "SELECT e.message FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE c.reference = $1 AND e.kind = 'documents_requested'",
    )
    .bind(REFERENCE)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        message.starts_with("Anda mengajukan atas nama"),
        "{message}"
    );
}

#[actix_web::test]
async fn a_card_that_cannot_be_read_is_retried_then_said_and_the_case_stays_workable() {
    let app = spawn_app().await;
    let browser = read_case(&app, FixedText(Err(ReadFailure::Timeout))).await;
    let engine = assistant(&app, FixedText(Err(ReadFailure::Timeout)));
    // Retried later, not at once; until the last attempt the card counts as being read.
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert!(
        page.texts("#assist .checklist li")
            .iter()
            .any(|c| c.contains("still being read"))
    );
    assert_eq!(run_once(&app.pool, &engine).await.unwrap(), 0);
    for _ in 1..MAX_ATTEMPTS {
        sqlx::query("UPDATE assist_jobs SET due_at = now()")
            .execute(&app.pool)
            .await
            .unwrap();
        assert_eq!(run_once(&app.pool, &engine).await.unwrap(), 1);
    }
    assert_eq!(store::assist::waiting(&app.pool).await.unwrap(), 0);
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert!(page.texts(".reading-problem")[0].contains("took too long"));
    assert!(page.texts(".suggestion-headline")[0].contains("Needs a person"));
    // No button for "needs a person", and the decision forms are all there.
    assert!(page.attr("[data-shortcut=s]", "type").is_empty());
    assert_eq!(page.attr("form[action$='/approve']", "method"), ["post"]);
}

#[actix_web::test]
async fn the_queue_filters_by_suggestion_and_retention_removes_the_reading() {
    let app = spawn_app().await;
    let browser = read_case(&app, FixedText(Ok(card("3174011203850001", "SITI RAHAYU")))).await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-NOT-READ",
            msisdn: "+6283899990000",
            ..NewCase::default()
        },
    )
    .await;
    let refs = |page: &crate::helpers::Response| page.texts("tr.case-row a.ref");
    let approve = browser.get("/queue?suggestion=approve").await;
    assert_eq!(refs(&approve), [REFERENCE]);
    assert!(refs(&browser.get("/queue?suggestion=needs_person").await).is_empty());
    let all = browser.get("/queue").await;
    assert_eq!(refs(&all).len(), 2);
    let bogus = browser.get("/queue?suggestion=bogus").await;
    assert_eq!(refs(&bogus).len(), 2);
    assert!(bogus.body.contains("There is no suggestion"));

    // Retention takes what was read with the bytes.
    let case_id: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE reference = $1")
        .bind(REFERENCE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let readings = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM document_readings")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(readings().await, 1);
    let mut tx = app.pool.begin().await.unwrap();
    store::retention::mark_documents_removed(&mut tx, case_id, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(readings().await, 0);
}

#[actix_web::test]
async fn bulk_triage_applies_each_cases_suggestion_through_the_preview() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    // Three new cases (each on its own line and with its own card), read by the job: two with
    // their own card, one with someone else's.
    for (i, (reference, printed_name)) in [
        ("CX-TEST-AAAA", "SITI RAHAYU"),
        ("CX-TEST-BBBB", "SITI RAHAYU"),
        ("CX-TEST-CCCC", "BUDI SANTOSO"),
    ]
    .into_iter()
    .enumerate()
    {
        let msisdn = format!("+628381234500{i}");
        let id = insert_case(
            &app.pool,
            NewCase {
                reference,
                msisdn: &msisdn,
                ..NewCase::default()
            },
        )
        .await;
        // A file of its own (the helper's picture is shared, which the checks flag).
        sqlx::query("INSERT INTO document_blobs (sha256, bytes) VALUES (sha256($1), $1)")
            .bind(format!("\u{89}PNG card {reference}").into_bytes())
            .execute(&app.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE documents SET sha256 = sha256($2) WHERE case_id = $1")
            .bind(id)
            .bind(format!("\u{89}PNG card {reference}").into_bytes())
            .execute(&app.pool)
            .await
            .unwrap();
        let mut conn = app.pool.acquire().await.unwrap();
        store::assist::enqueue(&mut conn, id).await.unwrap();
        drop(conn);
        let engine = FixedText(Ok(card("3174011203850001", printed_name)));
        assert_eq!(
            run_once(&app.pool, &assistant(&app, engine)).await.unwrap(),
            1
        );
    }
    // Every case on the page picked; only those whose suggestion is "approve" will change.
    let queue = browser.get("/queue").await;
    let picks = queue.attr("input[name=case]", "value");
    assert_eq!(picks.len(), 3);
    let mut fields = vec![
        ("csrf_token", queue.csrf()),
        ("scope", "selected".to_owned()),
        ("action", "apply_suggestion".to_owned()),
        ("apply_suggestion", "approve".to_owned()),
        ("confirm_fees", "on".to_owned()),
    ];
    fields.extend(picks.iter().map(|p| ("case", p.clone())));
    // Without confirming the fee, cases whose minimum term runs on are skipped.
    let unconfirmed: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "confirm_fees")
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let previewed = browser.post("/bulk/preview", &unconfirmed).await;
    let page = browser.get(&previewed.location.expect("a preview")).await;
    assert!(page.body.contains("early-termination fee"), "{}", page.body);
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let previewed = browser.post("/bulk/preview", &borrowed).await;
    assert_eq!(previewed.status, 303, "{}", previewed.body);
    let url = previewed.location.expect("a preview");
    let page = browser.get(&url).await;
    assert!(
        page.body
            .contains("the desk suggests something else for it"),
        "{}",
        page.body
    );
    // Nothing changed by the preview itself.
    assert_eq!(snapshot(&app.pool, "CX-TEST-AAAA").await.state, "submitted");
    let applied = browser
        .post(&format!("{url}/apply"), &[("csrf_token", &page.csrf())])
        .await;
    assert_eq!(applied.status, 303);
    for (reference, state, verdicts) in [
        ("CX-TEST-AAAA", "approved", vec!["accepted"]),
        ("CX-TEST-BBBB", "approved", vec!["accepted"]),
        ("CX-TEST-CCCC", "submitted", vec!["pending"]),
    ] {
        let s = snapshot(&app.pool, reference).await;
        let verdicts: Vec<String> = verdicts.into_iter().map(String::from).collect();
        assert_eq!(
            (s.state.as_str(), s.verdicts),
            (state, verdicts),
            "{reference}"
        );
    }
    // The events link to the operation; "needs a person" cannot be chosen.
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM case_events WHERE kind = 'approved' AND details->>'bulk' IS NOT NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(linked, 2);
    let mut refused = fields.clone();
    refused[3].1 = "needs_person".to_owned();
    let borrowed: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post("/bulk/preview", &borrowed).await;
    assert_eq!(refused.status, 422);
}

#[actix_web::test]
async fn the_queue_sorts_by_suggestion_and_pages_through_every_case_once() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    // Seven cases due one hour apart, with suggestions out of due order; two not assessed.
    let plan = [
        ("CX-TEST-AAAA", Some("needs_person")),
        ("CX-TEST-BBBB", None),
        ("CX-TEST-CCCC", Some("approve")),
        ("CX-TEST-DDDD", Some("reject_duplicate")),
        ("CX-TEST-EEEE", Some("approve")),
        ("CX-TEST-FFFF", None),
        ("CX-TEST-GGGG", Some("request_ownership")),
    ];
    for (i, (reference, suggestion)) in plan.iter().enumerate() {
        let msisdn = format!("+62838777000{i}");
        let id = insert_case(
            &app.pool,
            NewCase {
                reference,
                msisdn: &msisdn,
                due_in_hours: 10 + i as i64,
                ..NewCase::default()
            },
        )
        .await;
        sqlx::query("UPDATE cases SET suggestion = $2 WHERE id = $1")
            .bind(id)
            .bind(suggestion)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let expected = [
        "CX-TEST-CCCC",
        "CX-TEST-EEEE",
        "CX-TEST-GGGG",
        "CX-TEST-DDDD",
        "CX-TEST-AAAA",
        "CX-TEST-BBBB",
        "CX-TEST-FFFF",
    ];
    let page = browser.get("/queue?sort=suggestion").await;
    assert_eq!(page.texts("tr.case-row a.ref"), expected);
    assert_eq!(
        page.texts("tr.case-row .flag.suggestion")[0],
        "Approve when the card is accepted"
    );
    // By due time otherwise.
    let due: Vec<&str> = plan.iter().map(|(r, _)| *r).collect();
    assert_eq!(browser.get("/queue").await.texts("tr.case-row a.ref"), due);

    // Two at a time, forwards and back: every case once, in order.
    use canceldesk::domain::queue::{Cursor, Page, QueueParams, QueueQuery, suggestion_rank};
    let params = QueueParams {
        sort: Some("suggestion".into()),
        ..QueueParams::default()
    };
    let (mut query, _) = QueueQuery::parse(&params, canceldesk::domain::agent::AgentId(1), "62");
    let cursor = |row: &store::queue::QueueRow| Cursor {
        rank: Some(suggestion_rank(row.suggestion)),
        due: row.sla_due_at,
        id: row.id,
    };
    let mut seen = Vec::new();
    loop {
        let rows = store::queue::page(&app.pool, &query, 2).await.unwrap();
        seen.extend(rows.iter().map(|r| r.reference.clone()));
        match rows.last() {
            Some(last) if rows.len() == 2 => query.page = Page::After(cursor(last)),
            _ => break,
        }
    }
    assert_eq!(seen, expected);
    query.page = Page::Before(Cursor {
        rank: Some(suggestion_rank(None)),
        due: chrono::Utc::now() + chrono::Duration::hours(15),
        id: i64::MAX,
    });
    let back = store::queue::page(&app.pool, &query, 3).await.unwrap();
    let back: Vec<&str> = back.iter().map(|r| r.reference.as_str()).collect();
    assert_eq!(back, ["CX-TEST-AAAA", "CX-TEST-BBBB", "CX-TEST-FFFF"]);
}

#[actix_web::test]
async fn a_later_case_for_the_same_line_is_a_duplicate_until_the_first_is_decided() {
    let app = spawn_app().await;
    let (browser, _) = app.case_in_review().await; // CX-TEST-CASE, the original
    let later = insert_case(
        &app.pool,
        NewCase {
            reference: "CX-TEST-AAAA",
            ..NewCase::default()
        },
    )
    .await;
    let mut conn = app.pool.acquire().await.unwrap();
    for id in sqlx::query_scalar::<_, i64>("SELECT id FROM cases ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    {
        store::assist::enqueue(&mut conn, id).await.unwrap();
    }
    drop(conn);
    let engine = assistant(&app, FixedText(Ok(card("3174011203850001", "SITI RAHAYU"))));
    assert_eq!(run_once(&app.pool, &engine).await.unwrap(), 2);
    let suggestion = |id: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>("SELECT suggestion FROM cases WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(suggestion(later).await.as_deref(), Some("reject_duplicate"));
    let page = browser.get("/cases/CX-TEST-AAAA").await;
    assert!(page.texts(".suggestion-headline")[0].contains("CX-TEST-CASE"));

    // The original is rejected: the later one is checked again and is no duplicate any more.
    let done = browser
        .act(
            REFERENCE,
            "reject",
            &[("reason", "other"), ("message", "Closed at your request.")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(store::assist::waiting(&app.pool).await.unwrap(), 1);
    assert_eq!(run_once(&app.pool, &engine).await.unwrap(), 1);
    assert_eq!(suggestion(later).await.as_deref(), Some("approve"));
}

#[actix_web::test]
async fn an_agents_rejection_of_the_card_stands_against_the_reading() {
    let app = spawn_app().await;
    let browser = read_case(&app, FixedText(Ok(card("3174011203850001", "SITI RAHAYU")))).await;
    let document = crate::helpers::document_id(&app.pool, REFERENCE).await;
    let rejected = browser
        .act(
            REFERENCE,
            &format!("documents/{document}/verdict"),
            &[("verdict", "rejected"), ("reason", "The photo was edited.")],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    // The verdict asks for the checks again; they now leave it to a person.
    assert_eq!(store::assist::waiting(&app.pool).await.unwrap(), 1);
    let engine = assistant(&app, FixedText(Err(ReadFailure::EngineError)));
    assert_eq!(run_once(&app.pool, &engine).await.unwrap(), 1);
    let page = browser.get(&format!("/cases/{REFERENCE}")).await;
    assert!(page.texts(".suggestion-headline")[0].contains("Needs a person"));
    assert!(
        page.texts("#assist .check-fail")
            .iter()
            .any(|c| c.contains("rejected the newest identity card"))
    );
}

#[actix_web::test]
async fn a_request_made_while_the_job_runs_is_kept_for_the_next_round() {
    let app = spawn_app().await;
    let id = insert_case(&app.pool, NewCase::default()).await;
    let mut conn = app.pool.acquire().await.unwrap();
    store::assist::enqueue(&mut conn, id).await.unwrap();
    let now = chrono::Utc::now();
    let claimed = store::assist::claim(&app.pool, now, 4, 300).await.unwrap();
    assert_eq!(claimed.len(), 1);
    // Claimed: another instance does not take it.
    assert!(
        store::assist::claim(&app.pool, now, 4, 300)
            .await
            .unwrap()
            .is_empty()
    );
    // New documents arrive while it is being read.
    store::assist::enqueue(&mut conn, id).await.unwrap();
    store::assist::finish(&app.pool, &claimed[0]).await.unwrap();
    let again = store::assist::claim(&app.pool, chrono::Utc::now(), 4, 300)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "the newer request is due at once");
    assert!(again[0].generation > claimed[0].generation);
    store::assist::finish(&app.pool, &again[0]).await.unwrap();
    assert_eq!(store::assist::waiting(&app.pool).await.unwrap(), 0);
}
