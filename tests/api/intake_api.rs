//! The intake API over HTTP: bearer tokens, validation as problem details, idempotent retries,
//! the state of a case, and the generated OpenAPI document.

use base64::Engine;
use serde_json::{Value, json};

use crate::customer::{JPEG, case_count, pdf};
use crate::helpers::{TestApp, in_days, spawn_app};
use canceldesk::domain::request::Channel;
use canceldesk::store::api_tokens;

struct ApiAnswer {
    status: u16,
    content_type: String,
    headers: awc::http::header::HeaderMap,
    json: Value,
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> ApiAnswer {
    let client = awc::Client::default();
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    if let Some(token) = token {
        request = request.insert_header(("authorization", format!("Bearer {token}")));
    }
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    let mut response = match body {
        Some(body) => request.send_json(body).await.unwrap(),
        None => request.send().await.unwrap(),
    };
    let bytes = response.body().limit(10 * 1024 * 1024).await.unwrap();
    ApiAnswer {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default(),
        headers: response.headers().clone(),
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn application() -> Value {
    json!({
        "application": {
            "customer_name": "Budi Santoso",
            "id_number": "3174011203850001",
            "msisdn": "+62 831 7777 0202",
            "account_number": "5500123456",
            "line_type": "prepaid",
            "contact_phone": "0831 7777 0202",
            "preferred_contact": "sms",
            "reason": "cost",
            "settlement": "transfer",
            "transfer_msisdn": "0838 1111 2222",
            "requested_effective_date": in_days(20),
            "consent": true
        },
        "documents": [
            { "kind": "identity_card", "file_name": "ktp.jpg", "content_base64": b64(JPEG) },
            { "kind": "proof_of_ownership", "file_name": "contract.pdf", "content_base64": b64(&pdf()) }
        ]
    })
}

async fn token(app: &TestApp, name: &str, channel: Channel) -> String {
    api_tokens::create(
        &app.pool,
        name,
        canceldesk::domain::token_grant::TokenGrant::Intake(channel),
        None,
    )
    .await
    .unwrap()
    .1
}

#[actix_web::test]
async fn a_hotline_application_creates_a_case_recorded_under_its_channel() {
    let app = spawn_app().await;
    let token = token(&app, "hotline", Channel::Hotline).await;
    let created = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[],
        Some(&application()),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let reference = created.json["reference"].as_str().unwrap().to_owned();
    assert_eq!(
        created.headers.get("location").unwrap().to_str().unwrap(),
        format!("/api/v1/cases/{reference}")
    );
    let (channel, msisdn, documents, notices): (String, String, i64, i64) = sqlx::query_as(
        "SELECT channel, msisdn,
                (SELECT count(*) FROM documents d WHERE d.case_id = c.id),
                (SELECT count(*) FROM notices n WHERE n.case_id = c.id AND n.kind = 'received')
         FROM cases c WHERE reference = $1",
    )
    .bind(&reference)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (channel.as_str(), msisdn.as_str(), documents, notices),
        ("hotline", "+6283177770202", 2, 1)
    );

    let state = call(
        &app,
        "GET",
        created.json["status_url"].as_str().unwrap(),
        Some(&token),
        &[],
        None,
    )
    .await;
    assert_eq!(state.status, 200);
    assert_eq!(state.json["state"], "submitted");
    assert_eq!(state.json["channel"], "hotline");
    assert!(
        !state.json.to_string().contains("Budi")
            && !state.json.to_string().contains("3174011203850001"),
        "no personal data in the state answer"
    );
    let missing = call(
        &app,
        "GET",
        "/api/v1/cases/CX-ZZZZ-ZZZZ",
        Some(&token),
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.content_type, "application/problem+json");

    // Token use is audited (with the token's name, never the token).
    let audited: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT action, target FROM audit_events WHERE action LIKE 'api_token%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        audited
            .iter()
            .all(|(a, t)| a == "api_token_used" && t.as_deref() == Some("hotline"))
    );
    assert_eq!(audited.len(), 3);
}

#[actix_web::test]
async fn invalid_applications_get_problem_details_with_field_pointers() {
    let app = spawn_app().await;
    let token = token(&app, "service point 12", Channel::ServicePoint).await;
    let mut body = application();
    body["application"]["id_number"] = json!("123");
    body["application"]["msisdn"] = json!("+1 415 555 0100");
    body["application"]["consent"] = json!(false);
    body["documents"][0]["content_base64"] = json!(b64(
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    ));
    body["documents"][1]["content_base64"] = json!("not base64!");
    let answer = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.content_type, "application/problem+json");
    assert_eq!(answer.json["status"], 422);
    assert!(
        answer.json["type"]
            .as_str()
            .unwrap()
            .ends_with("/validation")
    );
    let pointers: Vec<&str> = answer.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    for expected in [
        "#/application/id_number",
        "#/application/msisdn",
        "#/application/consent",
        "#/documents/0/content_base64",
        "#/documents/1/content_base64",
    ] {
        assert!(pointers.contains(&expected), "{expected} in {pointers:?}");
    }
    let not_json = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[("content-type", "application/json")],
        Some(&json!("x")),
    )
    .await;
    assert_eq!(not_json.status, 400);
    assert_eq!(case_count(&app.pool).await, 0);
}

#[actix_web::test]
async fn missing_unknown_and_revoked_tokens_are_refused() {
    let app = spawn_app().await;
    let revoked = token(&app, "old hotline", Channel::Hotline).await;
    assert!(
        api_tokens::revoke(&app.pool, "old hotline", None)
            .await
            .unwrap()
    );
    for token in [None, Some("cdk_made-up"), Some(revoked.as_str())] {
        let answer = call(
            &app,
            "POST",
            "/api/v1/cases",
            token,
            &[],
            Some(&application()),
        )
        .await;
        assert_eq!(answer.status, 401, "{token:?}");
        assert_eq!(answer.content_type, "application/problem+json");
        assert!(answer.headers.get("www-authenticate").is_some());
    }
    // A signed-in agent's session is no API credential either.
    let (browser, _) = app
        .signed_in("Ana Agent", canceldesk::domain::agent::Role::Agent)
        .await;
    assert_eq!(browser.get("/api/v1/cases/CX-ZZZZ-ZZZZ").await.status, 401);
    assert_eq!(case_count(&app.pool).await, 0);
    // Guessing tokens from one address is throttled.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            call(
                &app,
                "GET",
                "/api/v1/cases/CX-ZZZZ-ZZZZ",
                Some("cdk_guess"),
                &[],
                None,
            )
            .await
            .status,
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}

#[actix_web::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_one_case() {
    let app = spawn_app().await;
    let token = token(&app, "hotline", Channel::Hotline).await;
    let key = [("Idempotency-Key", "call-2026-11-25-0001")];
    let body = application();
    let first = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &key,
        Some(&body),
    )
    .await;
    let again = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &key,
        Some(&body),
    )
    .await;
    assert_eq!((first.status, again.status), (201, 201));
    assert_eq!(first.json["reference"], again.json["reference"]);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    // The same key with another body is a mistake, not a replay.
    let mut other = application();
    other["application"]["customer_name"] = json!("Someone Else");
    let misuse = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &key,
        Some(&other),
    )
    .await;
    assert_eq!(misuse.status, 422);
    assert!(
        misuse.json["type"]
            .as_str()
            .unwrap()
            .ends_with("idempotency-key-reused")
    );
    // Without a key, a second POST is a second application.
    let third = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[],
        Some(&body),
    )
    .await;
    assert_eq!(third.status, 201);
    assert_ne!(third.json["reference"], first.json["reference"]);
    assert_eq!(case_count(&app.pool).await, 2);
}

#[actix_web::test]
async fn concurrent_retries_with_one_key_still_create_one_case() {
    let app = spawn_app().await;
    let token = token(&app, "hotline", Channel::Hotline).await;
    let key = [("Idempotency-Key", "same-call")];
    let body = application();
    let (a, b) = futures_util::future::join(
        call(
            &app,
            "POST",
            "/api/v1/cases",
            Some(&token),
            &key,
            Some(&body),
        ),
        call(
            &app,
            "POST",
            "/api/v1/cases",
            Some(&token),
            &key,
            Some(&body),
        ),
    )
    .await;
    assert_eq!((a.status, b.status), (201, 201));
    assert_eq!(a.json["reference"], b.json["reference"]);
    assert_eq!(case_count(&app.pool).await, 1);
}

#[actix_web::test]
async fn the_openapi_document_is_generated_from_the_code() {
    let app = spawn_app().await;
    let doc = call(&app, "GET", "/api/v1/openapi.json", None, &[], None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc.json["paths"]["/api/v1/cases"]["post"].is_object());
    assert!(doc.json["paths"]["/api/v1/cases/{reference}"]["get"].is_object());
    let schemas = &doc.json["components"]["schemas"];
    // The application's fields come from the very struct the handlers parse.
    for field in [
        "customer_name",
        "id_number",
        "msisdn",
        "settlement",
        "consent",
    ] {
        assert!(
            schemas["ApplicationInput"]["properties"][field].is_object(),
            "{field}"
        );
    }
    assert_eq!(
        doc.json["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[actix_web::test]
async fn a_supervisor_makes_and_revokes_tokens_in_the_app() {
    let app = spawn_app().await;
    let (sue, _) = app
        .signed_in(
            "Sue Supervisor",
            canceldesk::domain::agent::Role::Supervisor,
        )
        .await;
    let page = sue.get("/admin/tokens").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let refused = sue
        .post(
            "/admin/tokens",
            &[("csrf_token", &csrf), ("name", " "), ("grant", "hotline")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let made = sue
        .post(
            "/admin/tokens",
            &[
                ("csrf_token", &csrf),
                ("name", "service point 7"),
                ("grant", "service_point"),
            ],
        )
        .await;
    assert_eq!(made.status, 200);
    let token = made.texts("#new-token")[0].clone();
    assert!(token.starts_with("cdk_"), "{token}");
    let twin = sue
        .post(
            "/admin/tokens",
            &[
                ("csrf_token", &csrf),
                ("name", "service point 7"),
                ("grant", "hotline"),
            ],
        )
        .await;
    assert_eq!(twin.status, 422, "one active token per name");

    let created = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[],
        Some(&application()),
    )
    .await;
    assert_eq!(created.status, 201);
    let channel: String = sqlx::query_scalar("SELECT channel FROM cases")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(channel, "service_point");
    // The list shows its use, never the token.
    let list = sue.get("/admin/tokens").await;
    assert!(!list.body.contains(&token));
    assert!(
        list.texts("tr.token")
            .iter()
            .any(|row| row.contains("service point 7") && !row.contains("never"))
    );

    let action = list.attr("tr.token form", "action")[0].clone();
    sue.post(&action, &[("csrf_token", &csrf)])
        .await
        .assert_redirects_to("/admin/tokens");
    let after = call(
        &app,
        "GET",
        "/api/v1/cases/CX-ZZZZ-ZZZZ",
        Some(&token),
        &[],
        None,
    )
    .await;
    assert_eq!(after.status, 401);
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_events WHERE action IN ('api_token_created', 'api_token_revoked') ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, vec!["api_token_created", "api_token_revoked"]);
}

#[actix_web::test]
async fn the_customers_language_is_stored_and_problems_follow_accept_language() {
    let app = spawn_app().await;
    let token = token(&app, "hotline", Channel::Hotline).await;
    // Field details in the caller's language; pointers and types stay codes.
    let mut bad = application();
    bad["application"]["id_number"] = json!("123");
    bad["language"] = json!("tlh");
    let refused = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[("accept-language", "id-ID,id;q=0.9,en;q=0.5")],
        Some(&bad),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.json);
    assert_eq!(refused.json["type"], "/api/v1/problems/validation");
    let details: std::collections::HashMap<String, String> = refused.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        details["#/application/id_number"],
        "NIK terdiri atas 16 digit."
    );
    assert!(
        details["#/language"].starts_with("Bahasa tidak dikenal"),
        "{details:?}"
    );
    assert_eq!(case_count(&app.pool).await, 0, "nothing was created");
    // Without Accept-Language the API answers in English, as it always did.
    let english = call(&app, "POST", "/api/v1/cases", Some(&token), &[], Some(&bad)).await;
    assert!(
        english.json["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["detail"] == "The identity number has 16 digits."),
        "{}",
        english.json
    );

    // The notices of a case follow its stored language: the body's `language`, else the
    // request's Accept-Language.
    let mut chinese = application();
    chinese["language"] = json!("zh-CN");
    let created = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[("accept-language", "id")],
        Some(&chinese),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let mut indonesian = application();
    indonesian["application"]["msisdn"] = json!("+62 831 7777 0303");
    let created_id = call(
        &app,
        "POST",
        "/api/v1/cases",
        Some(&token),
        &[("accept-language", "id")],
        Some(&indonesian),
    )
    .await;
    assert_eq!(created_id.status, 201, "{}", created_id.json);
    for (answer, locale, subject_start) in [
        (&created, "zh-CN", "我们已收到您的销号申请"),
        (&created_id, "id", "Pengajuan berhenti berlangganan"),
    ] {
        let (stored, subject, body): (String, String, String) = sqlx::query_as(
            "SELECT c.locale, n.subject, n.body FROM cases c JOIN notices n ON n.case_id = c.id
             WHERE c.reference = $1 AND n.kind = 'received'",
        )
        .bind(answer.json["reference"].as_str().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(stored, locale);
        assert!(subject.starts_with(subject_start), "{subject}");
        assert!(body.contains("Budi Santoso"), "{body}");
    }
}
