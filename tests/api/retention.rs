//! Document retention with a moved clock: the job is called with a `now` in the future, as the
//! clock loop would call it then.

use canceldesk::domain::agent::Role;
use canceldesk::domain::retention::RetentionPeriod;
use canceldesk::retention::remove_due;
use chrono::{Duration, Utc};

use crate::helpers::{Browser, NewCase, TestApp, document_id, insert_case, spawn_app_with};

const REF: &str = "CX-TEST-CASE";
const OTHER: &str = "CX-TEST-CAS2";

fn period() -> RetentionPeriod {
    RetentionPeriod::days(90).unwrap()
}

async fn app() -> TestApp {
    spawn_app_with(|s| s.background_jobs = false).await
}

async fn case(app: &TestApp, reference: &str, state: &str, msisdn: &str) -> i64 {
    insert_case(
        &app.pool,
        NewCase {
            reference,
            state,
            msisdn,
            ..NewCase::default()
        },
    )
    .await
}

/// Runs the job `days` from now.
async fn run_in(app: &TestApp, days: i64) -> usize {
    remove_due(&app.pool, Utc::now() + Duration::days(days), period())
        .await
        .unwrap()
}

async fn scalar<T>(app: &TestApp, sql: &str, reference: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(reference)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Are the case's document bytes still in the database?
async fn bytes_kept(app: &TestApp, reference: &str) -> bool {
    scalar::<i32>(
        app,
        "SELECT octet_length(b.bytes) FROM document_blobs b
         JOIN documents d ON d.sha256 = b.sha256 JOIN cases c ON c.id = d.case_id
         WHERE c.reference = $1",
        reference,
    )
    .await
        > 0
}

async fn removed(app: &TestApp, reference: &str) -> bool {
    scalar::<bool>(
        app,
        "SELECT bool_and(d.removed_at IS NOT NULL) FROM documents d
         JOIN cases c ON c.id = d.case_id WHERE c.reference = $1",
        reference,
    )
    .await
}

async fn hold(browser: &Browser, reference: &str, change: &str, reason: &str) -> u16 {
    let page = browser.get(&format!("/cases/{reference}")).await;
    let token = page.csrf();
    browser
        .post(
            &format!("/cases/{reference}/legal-hold"),
            &[
                ("csrf_token", &token),
                ("change", change),
                ("reason", reason),
            ],
        )
        .await
        .status
}

#[actix_web::test]
async fn documents_of_a_case_final_for_longer_than_the_period_are_removed_keeping_their_facts() {
    let app = app().await;
    let (browser, _) = app.signed_in("Sam Supervisor", Role::Supervisor).await;
    case(&app, REF, "rejected", "+6283812345678").await;
    sqlx::query("UPDATE documents SET verdict = 'accepted'")
        .execute(&app.pool)
        .await
        .unwrap();
    let before: (Vec<u8>, String, i32, String) =
        sqlx::query_as("SELECT sha256, kind, size_bytes, verdict FROM documents")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let doc = document_id(&app.pool, REF).await;
    assert_eq!(
        browser
            .get(&format!("/cases/{REF}/documents/{doc}"))
            .await
            .status,
        200
    );

    // Two instances at once: the documents are removed once.
    let later = Utc::now() + Duration::days(91);
    let (a, b) = tokio::join!(
        remove_due(&app.pool, later, period()),
        remove_due(&app.pool, later, period())
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert!(removed(&app, REF).await);
    assert!(!bytes_kept(&app, REF).await, "the bytes are gone");
    // Fingerprint, kind, size and verdict stay.
    let after: (Vec<u8>, String, i32, String) =
        sqlx::query_as("SELECT sha256, kind, size_bytes, verdict FROM documents")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(after, before);

    // Idempotent: nothing more to do, no second event.
    assert_eq!(run_in(&app, 400).await, 0);
    let events: i64 = scalar(
        &app,
        "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE c.reference = $1 AND e.kind = 'documents_removed' AND e.actor_kind = 'system'",
        REF,
    )
    .await;
    assert_eq!(events, 1);
    let audited: i64 = scalar(
        &app,
        "SELECT count(*) FROM audit_events WHERE action = 'documents_removed' AND target = $1",
        REF,
    )
    .await;
    assert_eq!(audited, 1);

    let page = browser.get(&format!("/cases/{REF}")).await;
    let day = later
        .with_timezone(&app.settings.tz().unwrap())
        .format("%-d %b %Y");
    assert_eq!(
        page.texts(".document .document-removed"),
        vec![format!("File removed on {day} under the retention policy.")]
    );
    assert!(page.texts(".document h3")[0].contains("Accepted"));
    assert!(
        page.texts(".timeline .event")
            .iter()
            .any(|e| e.contains("Documents removed under the retention policy"))
    );
    assert!(
        page.attr(".document a", "href").is_empty(),
        "no links to removed files"
    );

    // Opening or downloading answers a clear page.
    for suffix in ["", "?download=1"] {
        let response = browser
            .get(&format!("/cases/{REF}/documents/{doc}{suffix}"))
            .await;
        assert_eq!(response.status, 410);
        assert!(
            response.texts(".document-removed")[0]
                .contains(&format!("removed on {day} under the retention policy"))
        );
    }
}

#[actix_web::test]
async fn a_case_just_inside_the_period_and_an_open_case_are_untouched() {
    let app = app().await;
    case(&app, REF, "expired", "+6283812345678").await;
    case(&app, OTHER, "in_review", "+6283812349999").await;
    assert_eq!(run_in(&app, 89).await, 0);
    assert!(!removed(&app, REF).await && bytes_kept(&app, REF).await);

    // Long after, only the final case goes; the open one keeps everything (and, sharing the
    // same file, so do the bytes).
    assert_eq!(run_in(&app, 400).await, 1);
    assert!(removed(&app, REF).await);
    assert!(!removed(&app, OTHER).await && bytes_kept(&app, OTHER).await);
}

#[actix_web::test]
async fn an_approval_counts_from_its_effective_date_and_a_reopened_case_is_kept() {
    let app = app().await;
    case(&app, REF, "approved", "+6283812345678").await;
    sqlx::query("UPDATE cases SET effective_date = current_date + 30 WHERE reference = $1")
        .bind(REF)
        .execute(&app.pool)
        .await
        .unwrap();
    case(&app, OTHER, "rejected", "+6283812349999").await;
    // A supervisor reopens the rejection: the case is open again.
    sqlx::query("UPDATE cases SET state = 'in_review' WHERE reference = $1")
        .bind(OTHER)
        .execute(&app.pool)
        .await
        .unwrap();

    assert_eq!(
        run_in(&app, 100).await,
        0,
        "the line still existed 90 days ago"
    );
    assert_eq!(run_in(&app, 122).await, 1);
    assert!(removed(&app, REF).await);
    assert!(!removed(&app, OTHER).await);
}

#[actix_web::test]
async fn bytes_shared_with_a_case_that_still_needs_them_survive() {
    let app = app().await;
    let (browser, _) = app.signed_in("Sam Supervisor", Role::Supervisor).await;
    // The same file (same SHA-256) on a final case and on an open one.
    case(&app, REF, "rejected", "+6283812345678").await;
    case(&app, OTHER, "in_review", "+6283812349999").await;

    assert_eq!(run_in(&app, 91).await, 1);
    assert!(removed(&app, REF).await);
    assert!(bytes_kept(&app, OTHER).await);
    let other_doc = document_id(&app.pool, OTHER).await;
    let response = browser
        .get(&format!("/cases/{OTHER}/documents/{other_doc}"))
        .await;
    assert_eq!(response.status, 200);
    assert!(response.body.starts_with("\u{FFFD}PNG"));
    let doc = document_id(&app.pool, REF).await;
    assert_eq!(
        browser
            .get(&format!("/cases/{REF}/documents/{doc}"))
            .await
            .status,
        410
    );

    // Once the other case is final too and its time has come, the bytes go.
    sqlx::query("UPDATE cases SET state = 'withdrawn' WHERE reference = $1")
        .bind(OTHER)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(run_in(&app, 91).await, 1);
    assert!(!bytes_kept(&app, OTHER).await);

    // The same file uploaded again to a new case brings its bytes back for that case.
    case(&app, "CX-TEST-CAS3", "submitted", "+6283812340000").await;
    assert!(bytes_kept(&app, "CX-TEST-CAS3").await);
}

#[actix_web::test]
async fn a_held_case_is_kept_until_the_hold_is_lifted() {
    let app = app().await;
    let (browser, _) = app.signed_in("Sam Supervisor", Role::Supervisor).await;
    case(&app, REF, "cancelled", "+6283812345678").await;

    // A hold needs a reason; without one nothing changes.
    assert_eq!(hold(&browser, REF, "place", "  ").await, 422);
    let holds: i64 = scalar(&app, "SELECT count(*) FROM legal_holds WHERE $1 <> ''", REF).await;
    assert_eq!(holds, 0);

    assert_eq!(
        hold(&browser, REF, "place", "Court order 12/2026").await,
        303
    );
    let page = browser.get(&format!("/cases/{REF}")).await;
    let shown = page.texts(".legal-hold");
    assert!(
        shown[0].contains("Legal hold by Sam Supervisor")
            && shown[0].contains("Court order 12/2026"),
        "{shown:?}"
    );
    assert_eq!(run_in(&app, 400).await, 0);
    assert!(!removed(&app, REF).await && bytes_kept(&app, REF).await);

    assert_eq!(
        hold(&browser, REF, "lift", "The court case is closed").await,
        303
    );
    assert!(
        browser
            .get(&format!("/cases/{REF}"))
            .await
            .texts(".legal-hold")
            .is_empty()
    );
    assert_eq!(run_in(&app, 400).await, 1);
    assert!(removed(&app, REF).await && !bytes_kept(&app, REF).await);

    // Both changes are in the history (with their reasons) and in the audit trail.
    let events: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT kind, message FROM case_events WHERE kind LIKE 'legal_hold%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        events,
        vec![
            (
                "legal_hold_placed".into(),
                Some("Court order 12/2026".into())
            ),
            (
                "legal_hold_lifted".into(),
                Some("The court case is closed".into())
            ),
        ]
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action LIKE 'legal_hold%' AND target = $1 ORDER BY id",
    )
    .bind(REF)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, vec!["legal_hold_placed", "legal_hold_lifted"]);
}

#[actix_web::test]
async fn agents_cannot_place_a_hold() {
    let app = app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    case(&app, REF, "rejected", "+6283812345678").await;
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.attr("form[action$='/legal-hold']", "action")
            .is_empty()
    );
    assert_eq!(hold(&browser, REF, "place", "I think so").await, 403);
    let holds: i64 = scalar(&app, "SELECT count(*) FROM legal_holds WHERE $1 <> ''", REF).await;
    assert_eq!(holds, 0);
}
