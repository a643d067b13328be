//! Closing the loop: an approval writes a cancellation order; the clock makes it due on its
//! effective date; it is pushed to a webhook (signed, retried) or pulled and acknowledged; the
//! result `done` cancels the case and tells the customer, `failed` marks it for a supervisor.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp, document_id, in_days, snapshot, spawn_app_with};
use crate::webhook_receiver::{Receiver, SECRET};
use canceldesk::config::Secret;
use canceldesk::domain::agent::Role;
use canceldesk::domain::request::Channel;
use canceldesk::domain::token_grant::TokenGrant;
use canceldesk::provisioning::{self, webhook};
use canceldesk::store::api_tokens;

pub const REF: &str = "CX-TEST-CASE";

/// No background jobs: the test moves the clock and runs the worker itself.
pub async fn app(webhook_url: Option<&str>) -> TestApp {
    let url = webhook_url.map(str::to_owned);
    spawn_app_with(move |s| {
        s.background_jobs = false;
        s.provisioning_webhook_secret = url.as_ref().map(|_| Secret::new(SECRET));
        s.provisioning_webhook_url = url;
    })
    .await
}

/// The case in review, identity accepted, approved for `effective` by its agent.
pub async fn approved(app: &TestApp, effective: &str) -> Browser {
    let (browser, _) = app.case_in_review().await;
    let doc = document_id(&app.pool, REF).await;
    browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    browser
        .act(
            REF,
            "approve",
            &[
                ("effective_date", effective),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    browser
}

/// Today at the desk (its time zone, not UTC's): the first day an approval may take effect.
pub fn desk_today(app: &TestApp) -> String {
    Utc::now()
        .with_timezone(&app.settings.tz().unwrap())
        .date_naive()
        .to_string()
}

async fn order(app: &TestApp) -> (String, String, i32) {
    sqlx::query_as(
        "SELECT o.id::text, o.status, o.attempts FROM provisioning_orders o
         JOIN cases c ON c.id = o.case_id WHERE c.reference = $1 ORDER BY o.created_at DESC LIMIT 1",
    )
    .bind(REF)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

pub async fn token(app: &TestApp, name: &str, grant: TokenGrant) -> String {
    api_tokens::create(&app.pool, name, grant, None)
        .await
        .unwrap()
        .1
}

/// One API call: status and JSON body.
pub async fn api(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = awc::Client::default();
    let url = format!("{}{path}", app.address);
    let request = match method {
        "GET" => client.get(url),
        _ => client.post(url),
    }
    .insert_header(("Authorization", format!("Bearer {token}")));
    let mut response = match body {
        Some(body) => request.send_json(&body).await.unwrap(),
        None => request.send().await.unwrap(),
    };
    let bytes = response.body().await.unwrap();
    (
        response.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn events(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.kind FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE c.reference = $1 ORDER BY e.id",
    )
    .bind(REF)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn hook(receiver_url: &str) -> webhook::Webhook {
    webhook::Webhook {
        url: receiver_url.to_owned(),
        secret: Secret::new(SECRET),
        timeout: std::time::Duration::from_secs(2),
        retry_for: Duration::hours(24),
    }
}

#[actix_web::test]
async fn an_approved_line_ends_on_its_date_through_a_signed_webhook_and_the_customer_is_told() {
    let receiver = Receiver::start(&[500, 500, 500]);
    let app = app(Some(&receiver.url)).await;
    let effective = in_days(4);
    let browser = approved(&app, &effective).await;

    // Written with the approval, waiting for its date; the page says so.
    let (id, status, _) = order(&app).await;
    assert_eq!(status, "waiting");
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".order-headline")
            .join(" ")
            .contains("Waiting for the effective date"),
        "{}",
        page.body
    );
    let webhook = hook(&receiver.url);
    // Before the date nothing is due, so nothing is sent.
    assert_eq!(
        provisioning::issue_due(&app.pool, Utc::now(), app.settings.tz().unwrap())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        webhook::deliver_due(&app.pool, &webhook, Utc::now())
            .await
            .unwrap(),
        webhook::Report::default()
    );
    assert!(receiver.deliveries().is_empty());

    // The clock reaches the date: due, then pushed. 500 three times, then 200: delivered once.
    let mut now = Utc::now() + Duration::days(4) + Duration::hours(1);
    assert_eq!(
        provisioning::issue_due(&app.pool, now, app.settings.tz().unwrap())
            .await
            .unwrap(),
        1
    );
    assert_eq!(order(&app).await.1, "due");
    for round in 0..4 {
        let report = webhook::deliver_due(&app.pool, &webhook, now)
            .await
            .unwrap();
        if round < 3 {
            assert_eq!(report.retrying, 1, "round {round}");
            let page = browser.get(&format!("/cases/{REF}")).await;
            assert!(
                page.texts(".order-headline")
                    .join(" ")
                    .contains("Waiting for provisioning")
            );
        } else {
            assert_eq!(report.sent, 1);
        }
        // Nothing is retried before its backoff has passed.
        assert_eq!(
            webhook::deliver_due(&app.pool, &webhook, now)
                .await
                .unwrap(),
            webhook::Report::default()
        );
        now += Duration::hours(2);
    }
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 4);
    for d in &deliveries {
        assert_eq!(d.signature, Ok(()));
        assert_eq!(d.idempotency_key, id);
        assert_eq!(d.body["order_id"], id.as_str());
        assert_eq!(d.body["case_reference"], REF);
        assert_eq!(d.body["msisdn"], "+6283812345678");
        assert_eq!(d.body["account_number"], "ACC-1");
        assert_eq!(d.body["effective_date"], effective.as_str());
    }
    let (_, status, attempts) = order(&app).await;
    assert_eq!((status.as_str(), attempts), ("sent", 4));
    // Sent: nothing more goes out.
    assert_eq!(
        webhook::deliver_due(&app.pool, &webhook, now + Duration::days(1))
            .await
            .unwrap(),
        webhook::Report::default()
    );

    // Provisioning reports the line ended: cancelled, history, notice.
    let orders_token = token(&app, "provisioning", TokenGrant::Orders).await;
    let cancelled_at = (Utc::now() - Duration::minutes(1)).to_rfc3339();
    let done =
        json!({ "outcome": "done", "cancelled_at": cancelled_at, "final_balance_minor": 1200000 });
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(done.clone()),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["status"], "done");
    assert_eq!(snapshot(&app.pool, REF).await.state, "cancelled");
    assert_eq!(
        events(&app).await.last().map(String::as_str),
        Some("cancelled")
    );
    let (subject, text): (String, String) = sqlx::query_as(
        "SELECT n.subject, n.body FROM notices n JOIN cases c ON c.id = n.case_id
         WHERE c.reference = $1 AND n.kind = 'cancelled'",
    )
    .bind(REF)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(subject.contains(REF), "{subject}");
    assert!(text.contains("Your line has been cancelled"), "{text}");
    // The final balance provisioning reported, refunded as the customer chose.
    assert!(text.contains("Rp 12,000 will be refunded"), "{text}");

    // The same result again changes nothing; a different one is refused.
    let before = snapshot(&app.pool, REF).await;
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(done),
    )
    .await;
    assert_eq!(code, 200);
    let other = json!({ "outcome": "failed", "reason": "port-out pending" });
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(other),
    )
    .await;
    assert_eq!(code, 409, "{body}");
    assert_eq!(body["type"], "/api/v1/problems/order-finished");
    assert_eq!(snapshot(&app.pool, REF).await, before);
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(page.texts(".order-headline").join(" ").contains("Done"));
}

#[actix_web::test]
async fn polling_systems_list_acknowledge_and_report_and_mistakes_change_nothing() {
    // No webhook: orders wait to be pulled, and the case page says so.
    let app = app(None).await;
    let browser = approved(&app, &desk_today(&app)).await;
    let (id, status, _) = order(&app).await;
    assert_eq!(status, "due", "effective today: due at once");
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".order-headline")
            .join(" ")
            .contains("must pull"),
        "{}",
        page.body
    );

    let orders_token = token(&app, "provisioning", TokenGrant::Orders).await;
    let other_system = token(&app, "provisioning-b", TokenGrant::Orders).await;
    let intake = token(&app, "hotline", TokenGrant::Intake(Channel::Hotline)).await;

    let (code, body) = api(
        &app,
        "GET",
        "/api/v1/orders?status=due",
        &orders_token,
        None,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let listed: Vec<&str> = body["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [id.as_str()]);
    // An intake token may not see orders; no token is no access; a bad filter is a clear 400.
    let (code, body) = api(&app, "GET", "/api/v1/orders", &intake, None).await;
    assert_eq!(
        (code, body["type"].as_str()),
        (403, Some("/api/v1/problems/wrong-scope"))
    );
    let (code, _) = api(&app, "GET", "/api/v1/orders", "cdk_nope", None).await;
    assert_eq!(code, 401);
    let (code, body) = api(
        &app,
        "GET",
        "/api/v1/orders?status=lost",
        &orders_token,
        None,
    )
    .await;
    assert_eq!(code, 400, "{body}");
    // And an orders token may not send applications.
    let (code, _) = api(
        &app,
        "GET",
        &format!("/api/v1/cases/{REF}"),
        &orders_token,
        None,
    )
    .await;
    assert_eq!(code, 403);

    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/ack"),
        &orders_token,
        None,
    )
    .await;
    assert_eq!(
        (code, body["status"].as_str()),
        (200, Some("acknowledged")),
        "{body}"
    );
    // Acknowledged again by the same system: the same answer.
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/ack"),
        &orders_token,
        None,
    )
    .await;
    assert_eq!(code, 200);
    // Another system's acknowledgement and result are refused.
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/ack"),
        &other_system,
        None,
    )
    .await;
    assert_eq!(
        (code, body["type"].as_str()),
        (403, Some("/api/v1/problems/foreign-order"))
    );
    let before = snapshot(&app.pool, REF).await;
    let failed = json!({ "outcome": "failed", "reason": "port-out pending" });
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &other_system,
        Some(failed.clone()),
    )
    .await;
    assert_eq!(code, 403);
    // Unknown and malformed ids, invalid bodies.
    for path in [
        "/api/v1/orders/00000000-0000-4000-8000-000000000000/result",
        "/api/v1/orders/not-an-order/result",
    ] {
        let (code, body) = api(&app, "POST", path, &orders_token, Some(failed.clone())).await;
        assert_eq!(
            (code, body["type"].as_str()),
            (404, Some("/api/v1/problems/unknown-order")),
            "{path}"
        );
    }
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(json!({ "outcome": "done" })),
    )
    .await;
    assert_eq!(code, 422, "{body}");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["#/cancelled_at", "#/final_balance_minor"]);
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(json!({ "outcome": "failed", "reason": "x", "extra": 1 })),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(snapshot(&app.pool, REF).await, before);

    // Failed: the case stays approved, flagged, and the page and the queue show it.
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(failed),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(snapshot(&app.pool, REF).await.state, "approved");
    assert_eq!(
        events(&app).await.last().map(String::as_str),
        Some("provisioning_failed")
    );
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".order-headline")
            .join(" ")
            .contains("Provisioning failed: port-out pending")
    );
    assert_eq!(page.texts(".provisioning-failed"), ["Provisioning failed"]);
    // The agent cannot re-issue; the button is a supervisor's.
    assert!(
        page.attr("form[action$='/reissue-order']", "action")
            .is_empty()
    );
    let queue = browser.get("/queue?state=provisioning_failed").await;
    assert!(queue.body.contains(REF), "{}", queue.body);
    let queue = browser.get("/queue?state=submitted").await;
    assert!(!queue.body.contains(REF));
    let refused = browser.act(REF, "reissue-order", &[]).await;
    assert_ne!(refused.status, 303);
    assert_eq!(order(&app).await.1, "failed");

    // A supervisor re-issues: a new order, due at once (its date has come), the flag cleared.
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    supervisor
        .act(REF, "reissue-order", &[])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let (new_id, status, _) = order(&app).await;
    assert_ne!(new_id, id);
    assert_eq!(status, "due");
    assert_eq!(
        events(&app).await.last().map(String::as_str),
        Some("order_reissued")
    );
    let page = supervisor.get(&format!("/cases/{REF}")).await;
    assert!(page.texts(".provisioning-failed").is_empty());
    assert_eq!(page.texts(".earlier-orders li").len(), 1);
    // Re-issuing twice is refused: the new order has not failed.
    let again = supervisor.act(REF, "reissue-order", &[]).await;
    assert_eq!(again.status, 422, "{}", again.body);
    // The old order is finished: a late result for it changes nothing.
    let late = json!({ "outcome": "done", "cancelled_at": Utc::now().to_rfc3339(), "final_balance_minor": 0 });
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders_token,
        Some(late),
    )
    .await;
    assert_eq!(code, 409);
    assert_eq!(snapshot(&app.pool, REF).await.state, "approved");
}

#[actix_web::test]
async fn a_receiver_that_stays_down_is_retried_then_the_case_is_marked_failed() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/orders", closed.local_addr().unwrap());
    drop(closed);
    let app = app(Some(&url)).await;
    let browser = approved(&app, &desk_today(&app)).await;
    let webhook = hook(&url);
    let now = Utc::now();
    let report = webhook::deliver_due(&app.pool, &webhook, now)
        .await
        .unwrap();
    assert_eq!(report.retrying, 1);
    assert_eq!(snapshot(&app.pool, REF).await.state, "approved");
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".order-headline")
            .join(" ")
            .contains("Waiting for provisioning: delivery failed 1 time"),
        "{}",
        page.body
    );
    // A day later, still down: the order fails, for a supervisor to re-issue.
    let report = webhook::deliver_due(&app.pool, &webhook, now + Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(report.failed, 1);
    assert_eq!(order(&app).await.1, "failed");
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(
        page.texts(".order-headline")
            .join(" ")
            .contains("delivery to provisioning failed 2 times"),
        "{}",
        page.body
    );
    assert_eq!(page.texts(".provisioning-failed"), ["Provisioning failed"]);
}

#[actix_web::test]
async fn reopening_withdraws_an_order_not_yet_sent_but_not_one_provisioning_has() {
    let app = app(None).await;
    approved(&app, &in_days(5)).await;
    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    supervisor
        .act(REF, "reopen", &[("reason", "wrong account")])
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    assert_eq!(order(&app).await.1, "withdrawn");
    assert_eq!(snapshot(&app.pool, REF).await.state, "in_review");

    // Approved again: a new order; once acknowledged, the decision is not taken back.
    supervisor
        .act(
            REF,
            "approve",
            &[
                ("effective_date", &desk_today(&app)),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let (id, status, _) = order(&app).await;
    assert_eq!(status, "due");
    let orders_token = token(&app, "provisioning", TokenGrant::Orders).await;
    let (code, _) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/ack"),
        &orders_token,
        None,
    )
    .await;
    assert_eq!(code, 200);
    let before = snapshot(&app.pool, REF).await;
    // The page no longer offers it; a forged post (right version and token) is refused.
    let page = supervisor.get(&format!("/cases/{REF}")).await;
    assert!(page.attr("form[action$='/reopen']", "action").is_empty());
    let version = before.version.to_string();
    let refused = supervisor
        .post(
            &format!("/cases/{REF}/reopen"),
            &[
                ("csrf_token", &page.csrf()),
                ("version", &version),
                ("reason", "changed my mind"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("with provisioning"),
        "{}",
        refused.body
    );
    assert_eq!(snapshot(&app.pool, REF).await, before);
}

#[actix_web::test]
async fn the_openapi_document_describes_the_orders_api() {
    let app = app(None).await;
    let mut response = awc::Client::default()
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap();
    let doc: Value = response.json().await.unwrap();
    for path in [
        "/api/v1/orders",
        "/api/v1/orders/{id}/ack",
        "/api/v1/orders/{id}/result",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    // The shared "token refused" answer is on every token route.
    for (path, method) in [
        ("/api/v1/orders", "get"),
        ("/api/v1/orders/{id}/result", "post"),
        ("/api/v1/settlements/{id}/paid", "post"),
        ("/api/v1/cases/{reference}", "get"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["401"].is_object(),
            "{method} {path} lacks 401"
        );
    }
    assert!(doc["components"]["schemas"]["OrderPayload"].is_object());
    assert!(doc["components"]["schemas"]["ResultBody"].is_object());
}

#[actix_web::test]
async fn the_demo_shows_every_stage_of_the_loop() {
    let app = app(None).await;
    app.demo_cases(300).await;
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status FROM provisioning_orders ORDER BY status")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        statuses,
        ["acknowledged", "done", "due", "failed", "sent", "waiting"]
    );
    // Consistent with the cases: failed orders flag their case, done ones are cancelled cases.
    let inconsistent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM provisioning_orders o JOIN cases c ON c.id = o.case_id
         WHERE (o.status = 'failed') <> c.provisioning_failed
            OR (o.status = 'done') <> (c.state = 'cancelled')
            OR (o.status <> 'waiting' AND o.effective_date > current_date)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(inconsistent, 0);
    let refunds: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT status FROM settlement_items ORDER BY status")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for status in ["due", "exported", "paid", "pending"] {
        assert!(
            refunds.iter().any(|r| r == status),
            "{status} missing: {refunds:?}"
        );
    }
}

/// The whole journey over HTTP: a customer applies on the web form, an agent approves, the
/// clock reaches the effective date, the order is pushed, provisioning reports the line ended,
/// and the customer is told and sees it on the status page.
#[actix_web::test]
async fn from_application_to_ended_line() {
    use crate::customer::{JPEG, application_fields, apply, pdf};
    let receiver = Receiver::start(&[]);
    let app = app(Some(&receiver.url)).await;
    // Billing knows the line the application names (else it could not be approved).
    sqlx::query(
        "INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date, balance_minor)
         VALUES ('+6283855550101', '8800123456', 'postpaid', '2023-05-01', 2500000)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let customer = app.client();
    let pdf = pdf();
    let applied = apply(
        &customer,
        &application_fields(),
        &[
            ("identity_card", "ktp.jpg", JPEG),
            ("proof_of_ownership", "proof.pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(applied.status, 303, "{}", applied.body);
    let reference: String = sqlx::query_scalar("SELECT reference FROM cases")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let (agent, _) = app.signed_in("Ana Agent", Role::Agent).await;
    agent
        .act(&reference, "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));
    let doc: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id
         WHERE c.reference = $1 AND d.kind = 'identity_card'",
    )
    .bind(&reference)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    agent
        .act(
            &reference,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));
    agent
        .act(
            &reference,
            "approve",
            &[
                ("effective_date", &in_days(10)),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));

    // Ten days on: due, pushed once, signed.
    let later = Utc::now() + Duration::days(11);
    assert_eq!(
        provisioning::issue_due(&app.pool, later, app.settings.tz().unwrap())
            .await
            .unwrap(),
        1
    );
    let report = webhook::deliver_due(&app.pool, &hook(&receiver.url), later)
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].signature, Ok(()));
    assert_eq!(deliveries[0].body["case_reference"], reference.as_str());
    let id = deliveries[0].idempotency_key.clone();

    let orders = token(&app, "provisioning", TokenGrant::Orders).await;
    let done = json!({ "outcome": "done", "cancelled_at": Utc::now().to_rfc3339(), "final_balance_minor": 2500000 });
    let (code, body) = api(
        &app,
        "POST",
        &format!("/api/v1/orders/{id}/result"),
        &orders,
        Some(done),
    )
    .await;
    assert_eq!(code, 200, "{body}");

    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT n.kind FROM notices n JOIN cases c ON c.id = n.case_id WHERE c.reference = $1 ORDER BY n.id",
    )
    .bind(&reference)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["received", "approved", "cancelled"]);
    let status = customer.get("/status").await;
    let looked_up = customer
        .post(
            "/status",
            &[
                ("csrf_token", &status.csrf()),
                ("reference", &reference),
                ("msisdn", "0838-5555-0101"),
            ],
        )
        .await;
    assert!(
        looked_up
            .texts("#status-headline")
            .join(" ")
            .contains("Your line was cancelled"),
        "{}",
        looked_up.body
    );
}

/// Two instances' workers at once: each order is claimed by one of them (a lease under
/// `SKIP LOCKED`), so provisioning gets every order exactly once.
#[actix_web::test]
async fn two_workers_at_once_send_each_order_once() {
    let receiver = Receiver::start(&[]);
    let app = app(Some(&receiver.url)).await;
    approved(&app, &desk_today(&app)).await;
    // Nine more approved cases of other lines, their orders due.
    sqlx::query(
        "INSERT INTO cases (reference, state, channel, customer_name, customer_nik, contact_email,
            preferred_contact, msisdn, account_number, line_type, reason, settlement,
            requested_effective_date, consent, submitted_at, sla_due_at, effective_date)
         SELECT 'CX-MANY-' || lpad(i::text, 4, '0'), 'approved', 'web', 'Siti Rahayu',
                '3174011203850001', 'siti@example.com', 'email', '+62838000000' || i, 'ACC-' || i,
                'postpaid', 'switching_operator', 'forfeit', current_date, true, now(), now(),
                current_date
         FROM generate_series(1, 9) AS i",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO provisioning_orders (case_id, msisdn, account_number, effective_date, status,
                                          due_at, next_attempt_at)
         SELECT id, msisdn, account_number, effective_date, 'due', now(), now()
         FROM cases WHERE reference LIKE 'CX-MANY-%'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let hook = hook(&receiver.url);
    let now = Utc::now();
    let (a, b) = futures_util::future::join(
        webhook::deliver_due(&app.pool, &hook, now),
        webhook::deliver_due(&app.pool, &hook, now),
    )
    .await;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 10, "{a:?} {b:?}");
    let keys: std::collections::BTreeSet<String> = receiver
        .deliveries()
        .into_iter()
        .map(|d| d.idempotency_key)
        .collect();
    assert_eq!(receiver.deliveries().len(), 10);
    assert_eq!(keys.len(), 10);
}
