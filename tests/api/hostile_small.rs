//! Smaller hardening: anonymous visitors store no sessions, log lines cannot be forged through a
//! logged value, and the customer's name is held to letters, marks, spaces and `.'-`.

use canceldesk::domain::agent::Role;
use canceldesk::domain::request::Channel;
use canceldesk::store::api_tokens;
use serde_json::json;
use sqlx::PgPool;

use crate::customer::{JPEG, application_fields, apply, upload_link};
use crate::helpers::{Browser, NewCase, TestApp, in_days, insert_case, spawn_app};

async fn session_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Every public page, a 404, a static file, the health check, and pages that send an anonymous
/// visitor elsewhere.
async fn public_paths(app: &TestApp) -> Vec<String> {
    let case_id = insert_case(
        &app.pool,
        NewCase {
            state: "awaiting_documents",
            ..NewCase::default()
        },
    )
    .await;
    let token = upload_link(app, case_id, &["bank_account_proof"], 48).await;
    [
        "/login",
        "/login?next=/queue",
        "/login?signed_out=1",
        "/login/second-factor",
        "/apply",
        "/apply/received",
        "/status",
        &format!("/upload/{token}"),
        "/upload/not-a-real-token-at-all-123",
        "/healthz",
        "/static/app.css",
        "/static/missing.css",
        "/api/v1/openapi.json",
        "/no/such/page",
        "/queue",
        "/",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect()
}

#[actix_web::test]
async fn anonymous_gets_store_no_session() {
    let app = spawn_app().await;
    let paths = public_paths(&app).await;
    assert_eq!(session_rows(&app.pool).await, 0);
    // A returning browser (keeping its cookies), fresh browsers, and one with a made-up session
    // cookie: none of them makes the desk store anything.
    let returning = app.client();
    for path in &paths {
        for browser in [&returning, &app.client()] {
            let page = browser.get(path).await;
            assert!(page.status < 500, "{path}: {}", page.status);
        }
    }
    let forged = app.client();
    forged
        .cookies
        .borrow_mut()
        .insert("canceldesk".into(), "made-up-session-id".into());
    for path in &paths {
        forged.get(path).await;
    }
    // A flood of form pages from ever new visitors.
    for _ in 0..40 {
        assert_eq!(app.client().get("/apply").await.status, 200);
    }
    assert_eq!(session_rows(&app.pool).await, 0);
    // The form pages set only the token's cookie; the others set nothing at all.
    let fresh = app.client();
    let form = fresh.get("/status").await;
    let cookies: Vec<&str> = form
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].starts_with("canceldesk-csrf="), "{cookies:?}");
    for path in ["/healthz", "/static/app.css", "/no/such/page"] {
        let page = app.client().get(path).await;
        assert!(page.headers.get("set-cookie").is_none(), "{path}");
    }
}

/// Posts the status form with `token` (or none); the browser sends whatever cookies it holds.
async fn lookup(browser: &Browser, token: Option<&str>) -> u16 {
    let mut fields = vec![("reference", "CX-TEST-CASE"), ("msisdn", "0838-1234-5678")];
    if let Some(token) = token {
        fields.push(("csrf_token", token));
    }
    browser.post("/status", &fields).await.status
}

#[actix_web::test]
async fn anonymous_forms_work_and_forged_tokens_are_refused() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let visitor = app.client();
    let token = visitor.get("/status").await.csrf();
    let page = {
        let fields = [
            ("csrf_token", token.as_str()),
            ("reference", "CX-TEST-CASE"),
            ("msisdn", "0838-1234-5678"),
        ];
        visitor.post("/status", &fields).await
    };
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("#status-headline").len(), 1, "{}", page.body);

    // Missing, from another visitor, or a chosen cookie with itself as the token (a naive
    // double submit): all refused.
    assert_eq!(lookup(&visitor, None).await, 403);
    let other = app.client();
    let others_token = other.get("/status").await.csrf();
    assert_ne!(others_token, token);
    assert_eq!(lookup(&visitor, Some(&others_token)).await, 403);
    let cookieless = app.client();
    assert_eq!(lookup(&cookieless, Some(&token)).await, 403);
    let chooser = app.client();
    chooser
        .cookies
        .borrow_mut()
        .insert("canceldesk-csrf".into(), "A".repeat(43));
    assert_eq!(lookup(&chooser, Some(&"A".repeat(43))).await, 403);
    // The other visitor's cookie and token together are, of course, fine.
    assert_eq!(lookup(&other, Some(&others_token)).await, 200);
    assert_eq!(session_rows(&app.pool).await, 0);

    // Applying still works end to end; the confirmation page is the one thing kept in a
    // session, and only once the application exists.
    let customer = app.client();
    apply(
        &customer,
        &application_fields(),
        &[("identity_card", "ktp.jpg", JPEG)],
    )
    .await
    .assert_redirects_to("/apply/received");
    assert_eq!(
        customer
            .get("/apply/received")
            .await
            .texts("#reference")
            .len(),
        1
    );
    assert_eq!(session_rows(&app.pool).await, 1);
    // Another visitor does not see that confirmation.
    app.client()
        .get("/apply/received")
        .await
        .assert_redirects_to("/apply");

    // Signing in works, and the signed-in session accepts only its own token from then on.
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    let anonymous_token = browser.get("/login").await.csrf();
    browser
        .login(&agent.email, crate::helpers::PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let own = browser.get("/queue").await.csrf();
    assert_ne!(own, anonymous_token);
    let refused = browser
        .post("/logout", &[("csrf_token", &anonymous_token)])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(browser.get("/queue").await.status, 200, "still signed in");
}

#[actix_web::test]
async fn a_token_name_cannot_forge_a_log_line() {
    let app = spawn_app().await;
    let (_, token) = api_tokens::create(
        &app.pool,
        "x\nFORGED line",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap();
    let server = app.start_binary("info");
    let url = server.url.clone();
    let body = json!({
        "application": {
            "customer_name": "Budi Santoso",
            "id_number": "3174011203850001",
            "msisdn": "+62 831 7777 0202",
            "account_number": "5500123456",
            "line_type": "prepaid",
            "contact_phone": "0831 7777 0202",
            "preferred_contact": "sms",
            "reason": "cost",
            "settlement": "forfeit",
            "requested_effective_date":
                in_days(20),
            "consent": true
        },
        "documents": [{
            "kind": "identity_card",
            "file_name": "ktp.jpg",
            "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, JPEG)
        }]
    });
    let created = awc::Client::default()
        .post(format!("{url}/api/v1/cases"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_json(&body)
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);

    let output = server.stop();
    let logged: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("application received over the API"))
        .collect();
    assert_eq!(logged.len(), 1, "{output}");
    assert!(logged[0].contains(r"client=x\nFORGED line"), "{output}");
    assert!(
        !output.lines().any(|l| l.starts_with("FORGED")),
        "a token's name forged a log line:\n{output}"
    );
}

const HOSTILE_NAMES: [(&str, &str); 5] = [
    ("<b>Siti</b>", "only letters"),
    ("Siti Rahayu 2", "digits"),
    ("https://evil.example/login", "only letters"),
    ("Visit evil.com", "web address"),
    ("Siti\nINFO forged", "one line"),
];

#[actix_web::test]
async fn the_form_refuses_a_name_that_is_not_a_name() {
    let app = spawn_app().await;
    let browser = app.client();
    for (name, says) in HOSTILE_NAMES {
        let fields: Vec<(&str, &str)> = application_fields()
            .into_iter()
            .map(|(k, v)| {
                if k == "customer_name" {
                    (k, name)
                } else {
                    (k, v)
                }
            })
            .collect();
        let page = apply(&browser, &fields, &[("identity_card", "ktp.jpg", JPEG)]).await;
        assert_eq!(page.status, 422, "{name:?}");
        let message = page.texts("#customer_name-error");
        assert_eq!(message.len(), 1, "{name:?}: {}", page.body);
        assert!(message[0].contains(says), "{name:?}: {message:?}");
        assert!(
            page.texts(".field-error").len() == 1,
            "only the name is wrong"
        );
    }
    assert_eq!(crate::customer::case_count(&app.pool).await, 0);
}

#[actix_web::test]
async fn the_api_refuses_a_name_that_is_not_a_name() {
    let app = spawn_app().await;
    let (_, token) = api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap();
    for (name, says) in HOSTILE_NAMES {
        let body = json!({
            "application": {
                "customer_name": name,
                "id_number": "3174011203850001",
                "msisdn": "+62 831 7777 0202",
                "account_number": "5500123456",
                "line_type": "prepaid",
                "contact_phone": "0831 7777 0202",
                "preferred_contact": "sms",
                "reason": "cost",
                "settlement": "forfeit",
                "requested_effective_date":
                    in_days(20),
                "consent": true
            },
            "documents": [{
                "kind": "identity_card",
                "file_name": "ktp.jpg",
                "content_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, JPEG)
            }]
        });
        let mut answer = awc::Client::default()
            .post(format!("{}/api/v1/cases", app.address))
            .insert_header(("authorization", format!("Bearer {token}")))
            .send_json(&body)
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 422, "{name:?}");
        let problem: serde_json::Value = answer.json().await.unwrap();
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{name:?}: {problem}");
        assert_eq!(errors[0]["pointer"], "#/application/customer_name");
        assert!(
            errors[0]["detail"].as_str().unwrap().contains(says),
            "{name:?}: {problem}"
        );
    }
    assert_eq!(crate::customer::case_count(&app.pool).await, 0);
}

async fn notice_body(pool: &PgPool, kind: &str) -> String {
    sqlx::query_scalar("SELECT body FROM notices WHERE kind = $1 ORDER BY id DESC LIMIT 1")
        .bind(kind)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn notices_greet_a_legal_name_and_leave_an_old_illegal_one_out() {
    let app = spawn_app().await;
    let customer = app.client();
    let fields: Vec<(&str, &str)> = application_fields()
        .into_iter()
        .map(|(k, v)| {
            if k == "customer_name" {
                (k, "  Ni Luh Putu  O\u{2019}Brien-José ")
            } else {
                (k, v)
            }
        })
        .collect();
    apply(&customer, &fields, &[("identity_card", "ktp.jpg", JPEG)])
        .await
        .assert_redirects_to("/apply/received");
    let body = notice_body(&app.pool, "received").await;
    assert!(
        body.starts_with("Dear Ni Luh Putu O'Brien-José,\n"),
        "{body}"
    );

    // A row written before the rule, with a name it would refuse: greeted without it.
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-QWDN-AME2",
            name: "<b>Evil</b> 2 http://x.example",
            ..NewCase::default()
        },
    )
    .await;
    let (agent, _) = app.signed_in("Ana Agent", Role::Agent).await;
    agent.act("CX-QWDN-AME2", "claim", &[]).await;
    agent
        .act(
            "CX-QWDN-AME2",
            "reject",
            &[
                ("reason", "duplicate_request"),
                ("message", "We have this request twice."),
            ],
        )
        .await
        .assert_redirects_to("/cases/CX-QWDN-AME2");
    let body = notice_body(&app.pool, "rejected").await;
    assert!(body.starts_with("Dear customer,\n"), "{body}");
    assert!(!body.contains("Evil") && !body.contains("http"), "{body}");
}
