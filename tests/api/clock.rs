//! The documents clock with a controlled `now`: one reminder before the deadline, expiry after
//! it, each exactly once however often (or however concurrently) the jobs run.

use canceldesk::clock::{expire_due, remind_due};
use canceldesk::domain::agent::Role;
use chrono::{DateTime, Duration, Utc};

use crate::helpers::{TestApp, in_days, snapshot, spawn_app_with};

const REF: &str = "CX-TEST-CASE";
const WINDOW: i64 = 48;

async fn awaiting_documents(app: &TestApp) -> DateTime<Utc> {
    let (browser, _) = app.case_in_review().await;
    let deadline = in_days(10);
    browser
        .act(
            REF,
            "request-documents",
            &[
                ("kinds", "identity_card"),
                ("message", "The photo is too dark."),
                ("deadline", &deadline),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    sqlx::query_scalar("SELECT documents_deadline FROM cases")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn one_reminder_goes_out_within_the_window_before_the_deadline() {
    let app = spawn_app_with(|s| s.background_jobs = false).await;
    let deadline = awaiting_documents(&app).await;
    let window = Duration::hours(WINDOW);

    // Nothing before its time.
    assert_eq!(remind_due(&app.pool, Utc::now(), window).await.unwrap(), 0);
    let early = deadline - window - Duration::minutes(1);
    assert_eq!(remind_due(&app.pool, early, window).await.unwrap(), 0);

    // Within the window: one, even from two runs at once, and never again.
    let due = deadline - window + Duration::minutes(1);
    let (a, b) = tokio::join!(
        remind_due(&app.pool, due, window),
        remind_due(&app.pool, due, window)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(remind_due(&app.pool, due, window).await.unwrap(), 0);
    let later = deadline - Duration::hours(1);
    assert_eq!(remind_due(&app.pool, later, window).await.unwrap(), 0);

    let (case_id, body, token): (i64, String, Option<String>) =
        sqlx::query_as("SELECT case_id, body, link_token FROM notices WHERE kind = 'reminder'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(body.contains("- Identity card"), "{body}");
    assert!(body.contains("{upload_link}"), "{body}");
    // The reminder carries a fresh link for the same request, stored as a hash only.
    let token = token.expect("a link token");
    let fresh: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM upload_links l JOIN cases c ON c.id = l.case_id
                        WHERE l.case_id = $1 AND l.token_sha256 = sha256(convert_to($2, 'UTF8'))
                          AND l.expires_at = c.documents_deadline)",
    )
    .bind(case_id)
    .bind(&token)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(fresh);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM upload_links WHERE reminded_at IS NOT NULL"
        )
        .await,
        2,
        "both links of the request are marked reminded"
    );
    // The case itself is unchanged by a reminder.
    assert_eq!(snapshot(&app.pool, REF).await.state, "awaiting_documents");
}

#[actix_web::test]
async fn past_the_deadline_the_case_expires_once_with_its_event_and_notice() {
    let app = spawn_app_with(|s| s.background_jobs = false).await;
    let deadline = awaiting_documents(&app).await;
    let before = snapshot(&app.pool, REF).await;

    assert_eq!(
        expire_due(&app.pool, deadline - Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(snapshot(&app.pool, REF).await, before);

    let after_deadline = deadline + Duration::seconds(1);
    let (a, b) = tokio::join!(
        expire_due(&app.pool, after_deadline),
        expire_due(&app.pool, after_deadline)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(expire_due(&app.pool, after_deadline).await.unwrap(), 0);
    assert_eq!(
        expire_due(&app.pool, deadline + Duration::days(3))
            .await
            .unwrap(),
        0
    );

    let after = snapshot(&app.pool, REF).await;
    assert_eq!(after.state, "expired");
    assert_eq!(after.version, before.version + 1);
    assert_eq!(after.events, before.events + 1);
    let (actor, from, to): (String, String, String) = sqlx::query_as(
        "SELECT actor_kind, from_state, to_state FROM case_events WHERE kind = 'expired'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (actor.as_str(), from.as_str(), to.as_str()),
        ("system", "awaiting_documents", "expired")
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM notices WHERE kind = 'expired'").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM notices WHERE link_token IS NOT NULL"
        )
        .await,
        0,
        "the dead link's token is erased"
    );
    // No reminder for an expired request.
    assert_eq!(
        remind_due(
            &app.pool,
            deadline - Duration::hours(1),
            Duration::hours(WINDOW)
        )
        .await
        .unwrap(),
        0
    );

    let (browser, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = browser.get(&format!("/cases/{REF}")).await;
    let shown = page.texts(".timeline .event").join(" | ");
    assert!(
        shown.contains("Expired: no answer by the deadline"),
        "{shown}"
    );
    assert!(
        shown.contains("Notice: Closed: no documents by the deadline"),
        "{shown}"
    );
}
