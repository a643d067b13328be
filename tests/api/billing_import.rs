//! Billing's export streamed into the billing facts: upsert by number, row errors by line
//! number, open cases re-checked; and the same from the supervisors' upload page.

use crate::helpers::{NewCase, TestApp, insert_case, snapshot, spawn_app_with};
use canceldesk::billing_import::import;
use canceldesk::domain::agent::Role;

const HEADER: &str = "msisdn,account_number,line_type,activation_date,min_term_end,etf_minor,balance_minor,currency,bound_services";

async fn app() -> TestApp {
    spawn_app_with(|s| s.background_jobs = false).await
}

/// An open case billing did not know, and a rejected one.
async fn unmatched_cases(app: &TestApp) {
    for (reference, msisdn, state) in [
        ("CX-OPEN-0001", "+6283811110001", "in_review"),
        ("CX-DONE-0001", "+6283811110002", "rejected"),
    ] {
        insert_case(
            &app.pool,
            NewCase {
                reference,
                msisdn,
                state,
                ..NewCase::default()
            },
        )
        .await;
    }
    sqlx::query("UPDATE cases SET billing_status = 'not_found', etf_minor = 0, balance_minor = 0")
        .execute(&app.pool)
        .await
        .unwrap();
}

async fn line(app: &TestApp, msisdn: &str) -> Option<(String, i64, Vec<String>)> {
    sqlx::query_as(
        "SELECT account_number, balance_minor, bound_services FROM billing_lines WHERE msisdn = $1",
    )
    .bind(msisdn)
    .fetch_optional(&app.pool)
    .await
    .unwrap()
}

#[actix_web::test]
async fn rows_are_upserted_bad_rows_reported_by_line_and_open_cases_matched() {
    let app = app().await;
    unmatched_cases(&app).await;
    sqlx::query(
        "INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date, balance_minor)
         VALUES ('+6283899990000', 'OLD', 'prepaid', '2020-01-01', 5)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let before_open = snapshot(&app.pool, "CX-OPEN-0001").await;
    let file = format!(
        "{HEADER}\n\
         +6283811110001,ACC-1,postpaid,2024-01-10,2027-01-10,25000000,1500000,IDR,Family plan;Data\n\
         +6283811110002,ACC-1,postpaid,2024-01-10,,0,100,IDR,\n\
         +6283899990000,NEW,prepaid,2020-01-01,,0,-700,,\n\
         +6283877770000,A-7,postpaid,2024-01-10,,-5,0,IDR,\n\
         +6283877770001,A-8\n\
         +6283866660000,FIRST,prepaid,2021-01-01,,0,1,IDR,\n\
         +6283866660000,SECOND,prepaid,2021-01-01,,0,2,IDR,\n"
    );
    let report = import(&app.pool, file.as_bytes(), None).await.unwrap();
    assert_eq!(report.rows_read, 7);
    assert_eq!(
        (report.inserted, report.updated, report.failed),
        (3, 1, 2),
        "{report:?}"
    );
    assert_eq!(report.errors[0].0, 5);
    assert!(
        report.errors[0].1.starts_with("etf_minor"),
        "{:?}",
        report.errors
    );
    assert_eq!(report.errors[1].0, 6);
    assert!(
        report.errors[1].1.contains("2 fields"),
        "{:?}",
        report.errors
    );
    // Bad rows left nothing; the update replaced the account; the later duplicate won.
    assert_eq!(line(&app, "+6283877770000").await, None);
    assert_eq!(
        line(&app, "+6283899990000").await,
        Some(("NEW".into(), -700, vec![]))
    );
    assert_eq!(line(&app, "+6283866660000").await.unwrap().0, "SECOND");
    assert_eq!(
        line(&app, "+6283811110001").await.unwrap().2,
        ["Family plan", "Data"]
    );

    // The open case is matched: facts copied, a new version, a history event.
    assert_eq!(report.cases_matched, 1);
    let (status, balance, etf): (String, i64, i64) = sqlx::query_as(
        "SELECT billing_status, balance_minor, etf_minor FROM cases WHERE reference = 'CX-OPEN-0001'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), balance, etf),
        ("matched", 1_500_000, 25_000_000)
    );
    let after_open = snapshot(&app.pool, "CX-OPEN-0001").await;
    assert_eq!(after_open.version, before_open.version + 1);
    assert_eq!(after_open.events, before_open.events + 1);
    // A decided case is left as it was decided.
    let decided: String =
        sqlx::query_scalar("SELECT billing_status FROM cases WHERE reference = 'CX-DONE-0001'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(decided, "not_found");
    // Importing the same file again matches nothing more.
    let again = import(&app.pool, file.as_bytes(), None).await.unwrap();
    assert_eq!((again.inserted, again.cases_matched), (0, 0));
}

#[actix_web::test]
async fn a_wrong_header_imports_nothing() {
    let app = app().await;
    let file = "msisdn,account\n+6283811110001,A\n";
    let error = import(&app.pool, file.as_bytes(), None).await.unwrap_err();
    assert!(error.to_string().contains("missing columns"), "{error}");
    let lines: i64 = sqlx::query_scalar("SELECT count(*) FROM billing_lines")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(lines, 0);
}

#[actix_web::test]
async fn supervisors_import_on_the_admin_page_and_see_the_progress() {
    let app = app().await;
    unmatched_cases(&app).await;
    let (agent, _) = app.signed_in("Ana Agent", Role::Agent).await;
    assert_ne!(agent.get("/admin/billing").await.status, 200);
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = supervisor.get("/admin/billing").await;
    assert_eq!(page.status, 200);
    let file = format!(
        "{HEADER}\n+6283811110001,ACC-1,postpaid,2024-01-10,,0,1500000,IDR,\n+62x,A,prepaid,2024-01-10,,0,0,IDR,\n"
    );
    // Without the CSRF token nothing starts.
    let forged = supervisor
        .post_multipart(
            "/admin/billing",
            &[],
            &[("file", "billing.csv", file.as_bytes())],
        )
        .await;
    assert_ne!(forged.status, 303);
    let csrf = page.csrf();
    supervisor
        .post_multipart(
            &format!("/admin/billing?csrf_token={csrf}"),
            &[],
            &[("file", "billing.csv", file.as_bytes())],
        )
        .await
        .assert_redirects_to("/admin/billing");
    let mut progress = String::new();
    for _ in 0..100 {
        let page = supervisor.get("/admin/billing").await;
        if page.body.contains("billing-import done") {
            progress = page.texts(".import-progress").join(" ");
            assert_eq!(page.texts(".row-errors li").len(), 1);
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        progress.contains(
            "2 rows read: 1 new lines, 0 updated, 1 skipped with errors; 1 open cases now matched"
        ),
        "{progress}"
    );
}
