//! The customer withdraws an undecided application: on the status page (look-up, confirmation,
//! withdrawal) and through the hotline over the intake API.

use serde_json::Value;
use sqlx::PgPool;

use crate::customer::upload_link;
use crate::helpers::{Browser, NewCase, Response, TestApp, insert_case, snapshot, spawn_app_with};
use canceldesk::domain::request::Channel;
use canceldesk::store::api_tokens;

const REFERENCE: &str = "CX-AB23-CD45";
const PHONE: &str = "0838 1234 5678";

/// No delivery worker: notices stay pending, where the test can read them.
async fn app() -> TestApp {
    spawn_app_with(|s| s.background_jobs = false).await
}

/// A case awaiting documents, with a live upload link and its request still unsent.
async fn waiting_case(app: &TestApp) -> (i64, String) {
    let id = insert_case(
        &app.pool,
        NewCase {
            reference: REFERENCE,
            state: "awaiting_documents",
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query(
        "UPDATE cases SET sla_paused_at = now(), documents_deadline = now() + interval '3 days',
                requested_kinds = '{bank_account_proof}' WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let token = upload_link(app, id, &["bank_account_proof"], 72).await;
    sqlx::query(
        "INSERT INTO notices (case_id, kind, channel, recipient, subject, body, link_token)
         VALUES ($1, 'documents_requested', 'email', 'siti@example.com', 'Documents', '{upload_link}', $2)",
    )
    .bind(id)
    .bind(&token)
    .execute(&app.pool)
    .await
    .unwrap();
    (id, token)
}

async fn lookup(browser: &Browser, reference: &str, phone: &str) -> Response {
    let token = browser.get("/status").await.csrf();
    browser
        .post(
            "/status",
            &[
                ("csrf_token", &token),
                ("reference", reference),
                ("msisdn", phone),
            ],
        )
        .await
}

/// Submits the page's form at `action` with its own hidden fields.
async fn submit(browser: &Browser, page: &Response, action: &str) -> Response {
    let form = format!("form[action='{action}']");
    let value = |name: &str| {
        page.attr(&format!("{form} input[name={name}]"), "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{name} in {form}: {}", page.body))
    };
    let (csrf, reference, msisdn) = (value("csrf_token"), value("reference"), value("msisdn"));
    browser
        .post(
            action,
            &[
                ("csrf_token", &csrf),
                ("reference", &reference),
                ("msisdn", &msisdn),
            ],
        )
        .await
}

async fn notices(pool: &PgPool, case_id: i64) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT kind, status, link_token FROM notices WHERE case_id = $1 ORDER BY id")
        .bind(case_id)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn withdrawn_events(pool: &PgPool, case_id: i64) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT actor_kind, kind, from_state, to_state FROM case_events
         WHERE case_id = $1 AND kind = 'withdrawn'",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[actix_web::test]
async fn a_customer_withdraws_an_undecided_application_after_looking_it_up() {
    let app = app().await;
    let (case_id, token) = waiting_case(&app).await;
    let browser = app.client();
    assert_eq!(browser.get(&format!("/upload/{token}")).await.status, 200);

    let found = lookup(&browser, REFERENCE, PHONE).await;
    assert_eq!(found.status, 200);
    let confirm = submit(&browser, &found, "/status/withdraw").await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert_eq!(confirm.texts("#withdraw-reference"), vec![REFERENCE]);
    // The confirmation changes nothing yet.
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );

    let done = submit(&browser, &confirm, "/status/withdraw/confirm").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        done.texts("#status-headline"),
        vec!["Withdrawn at your request"]
    );
    assert!(done.texts("#withdrawn-notice")[0].contains("Your application is withdrawn"));
    assert!(
        done.attr("#withdraw-form", "action").is_empty(),
        "no second offer"
    );

    let after = snapshot(&app.pool, REFERENCE).await;
    assert_eq!(after.state, "withdrawn");
    assert_eq!(
        withdrawn_events(&app.pool, case_id).await,
        vec![(
            "customer".into(),
            "withdrawn".into(),
            "awaiting_documents".into(),
            "withdrawn".into()
        )]
    );
    // The link is dead, the unsent request superseded with its token, the confirmation queued.
    assert_eq!(browser.get(&format!("/upload/{token}")).await.status, 410);
    assert_eq!(
        notices(&app.pool, case_id).await,
        vec![
            ("documents_requested".into(), "superseded".into(), None),
            ("withdrawn".into(), "pending".into(), None),
        ]
    );
    let body: String =
        sqlx::query_scalar("SELECT body FROM notices WHERE case_id = $1 AND kind = 'withdrawn'")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(body.contains("we have withdrawn your request"), "{body}");
    assert!(body.contains(REFERENCE), "{body}");

    // A second click (the form resent) answers the same and writes nothing more.
    let again = submit(&browser, &confirm, "/status/withdraw/confirm").await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.texts("#status-headline"),
        vec!["Withdrawn at your request"]
    );
    assert_eq!(snapshot(&app.pool, REFERENCE).await, after);
    assert_eq!(notices(&app.pool, case_id).await.len(), 2);
}

#[actix_web::test]
async fn a_decided_application_cannot_be_withdrawn_and_nothing_changes() {
    let app = app().await;
    let case_id = insert_case(
        &app.pool,
        NewCase {
            reference: REFERENCE,
            state: "approved",
            ..NewCase::default()
        },
    )
    .await;
    let browser = app.client();
    let found = lookup(&browser, REFERENCE, PHONE).await;
    assert_eq!(found.status, 200);
    assert!(
        found.attr("#withdraw-form", "action").is_empty(),
        "not offered"
    );
    let before = snapshot(&app.pool, REFERENCE).await;

    // A form kept from before the decision is refused at both steps.
    let csrf = found.csrf();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("reference", REFERENCE),
        ("msisdn", PHONE),
    ];
    for action in ["/status/withdraw", "/status/withdraw/confirm"] {
        let page = browser.post(action, &fields).await;
        assert_eq!(page.status, 409, "{action}");
        assert!(
            page.texts("[role=alert]")[0].contains("can no longer be withdrawn"),
            "{}",
            page.body
        );
    }
    assert_eq!(snapshot(&app.pool, REFERENCE).await, before);
    assert!(notices(&app.pool, case_id).await.is_empty());
}

#[actix_web::test]
async fn withdrawing_needs_the_forms_csrf_token() {
    let app = app().await;
    let (case_id, _) = waiting_case(&app).await;
    let browser = app.client();
    let found = lookup(&browser, REFERENCE, PHONE).await;
    let csrf = found.csrf();
    // Another browser's token, a made-up one, none: refused before anything is looked at.
    let stranger = app.client().get("/status").await.csrf();
    for token in [Some(stranger.as_str()), Some("made-up"), None] {
        let mut fields = vec![("reference", REFERENCE), ("msisdn", PHONE)];
        if let Some(token) = token {
            fields.push(("csrf_token", token));
        }
        let page = browser.post("/status/withdraw/confirm", &fields).await;
        assert_eq!(page.status, 403, "{token:?}");
    }
    // A browser without the cookie the token belongs to.
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("reference", REFERENCE),
        ("msisdn", PHONE),
    ];
    let cookieless = app.client().post("/status/withdraw/confirm", &fields).await;
    assert_eq!(cookieless.status, 403);
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );
    assert!(withdrawn_events(&app.pool, case_id).await.is_empty());
}

#[actix_web::test]
async fn no_withdrawal_without_the_pair_of_a_successful_look_up() {
    let app = app().await;
    let (case_id, _) = waiting_case(&app).await;
    let browser = app.client();
    let csrf = browser.get("/status").await.csrf();
    // The reference alone, or with another line's number, withdraws nothing.
    for phone in ["", "0838 1234 0000"] {
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("reference", REFERENCE),
            ("msisdn", phone),
        ];
        for action in ["/status/withdraw", "/status/withdraw/confirm"] {
            let page = browser.post(action, &fields).await;
            assert_eq!(page.status, 200, "{action} {phone}");
            assert!(page.texts("[role=alert]")[0].contains("could not find"));
            assert!(page.texts("#withdraw-reference").is_empty());
        }
    }
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );
    assert!(withdrawn_events(&app.pool, case_id).await.is_empty());
    // Those four failures count with the look-up's (five free per reference): the look-up is
    // throttled within two more wrong tries, where alone it would have had four.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(lookup(&browser, REFERENCE, "0838 1234 0000").await.status);
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses[1..].contains(&429), "{statuses:?}");
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );
}

async fn api(app: &TestApp, reference: &str, token: Option<&str>) -> (u16, String, Value) {
    let mut request = awc::Client::default().post(format!(
        "{}/api/v1/cases/{reference}/withdrawal",
        app.address
    ));
    if let Some(token) = token {
        request = request.insert_header(("authorization", format!("Bearer {token}")));
    }
    let mut response = request.send().await.unwrap();
    let body = response.body().await.unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        response.status().as_u16(),
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn the_hotline_withdraws_over_the_api_once_with_problems_for_the_rest() {
    let app = app().await;
    let (case_id, token) = waiting_case(&app).await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-RJCT-RJCT",
            msisdn: "+6283899990000",
            state: "rejected",
            ..NewCase::default()
        },
    )
    .await;
    let bearer = api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap()
    .1;

    let (status, _, unauthorised) = api(&app, REFERENCE, None).await;
    assert_eq!(status, 401, "{unauthorised}");
    assert_eq!(
        snapshot(&app.pool, REFERENCE).await.state,
        "awaiting_documents"
    );

    let (status, _, first) = api(&app, REFERENCE, Some(&bearer)).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["reference"], REFERENCE);
    assert_eq!(first["state"], "withdrawn");
    let after = snapshot(&app.pool, REFERENCE).await;
    assert_eq!(withdrawn_events(&app.pool, case_id).await.len(), 1);
    let browser = app.client();
    assert_eq!(browser.get(&format!("/upload/{token}")).await.status, 410);
    let kinds: Vec<String> = notices(&app.pool, case_id)
        .await
        .into_iter()
        .map(|(kind, _, _)| kind)
        .collect();
    assert_eq!(kinds, ["documents_requested", "withdrawn"]);

    // Idempotent: the same answer, no second event or notice.
    let (status, _, second) = api(&app, REFERENCE, Some(&bearer)).await;
    assert_eq!(status, 200);
    assert_eq!(second, first);
    assert_eq!(snapshot(&app.pool, REFERENCE).await, after);
    assert_eq!(notices(&app.pool, case_id).await.len(), 2);

    let (status, content_type, decided) = api(&app, "CX-RJCT-RJCT", Some(&bearer)).await;
    assert_eq!(status, 409, "{decided}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(decided["type"], "/api/v1/problems/already-decided");
    assert_eq!(
        decided["detail"],
        "A case that is rejected cannot be withdrawn. Nothing changed."
    );
    assert_eq!(snapshot(&app.pool, "CX-RJCT-RJCT").await.state, "rejected");

    for unknown in ["CX-ZZZZ-ZZZZ", "nonsense"] {
        let (status, content_type, problem) = api(&app, unknown, Some(&bearer)).await;
        assert_eq!(status, 404, "{unknown}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["type"], "/api/v1/problems/not-found");
    }

    // In the OpenAPI document.
    let doc: Value = awc::Client::default()
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = &doc["paths"]["/api/v1/cases/{reference}/withdrawal"]["post"];
    for code in ["200", "401", "404", "409", "429"] {
        assert!(path["responses"][code].is_object(), "{code}: {path}");
    }
}
