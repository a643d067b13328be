//! No personal data in the application's logs: the real binary, logging at debug level, walks a
//! journey full of canary values (identity number, phone number, name, password, session id),
//! and none of them may appear in what it printed; nor can a request forge a log line.

use canceldesk::domain::agent::Role;

use crate::helpers::{Browser, NewCase, PASSWORD, document_id, in_days, insert_case, spawn_app};

#[actix_web::test]
async fn a_full_journey_leaves_no_personal_data_in_the_logs() {
    let app = spawn_app().await;
    let canary_nik = "3174011203859876";
    let canary_phone = "+6283899998888";
    let canary_name = "Canarius Wijayakusuma";
    insert_case(
        &app.pool,
        NewCase {
            name: canary_name,
            msisdn: canary_phone,
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query("UPDATE cases SET customer_nik = $1")
        .bind(canary_nik)
        .execute(&app.pool)
        .await
        .unwrap();
    let agent = app.agent("Ana Agent", Role::Agent).await;

    let server = app.start_binary("debug");
    let url = server.url.clone();

    let browser = Browser::new(&url);
    let canary_password = "canary-password-never-logged";
    assert_eq!(
        browser.login(&agent.email, canary_password).await.status,
        401
    );
    browser
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let session_id = browser.cookies.borrow().get("canceldesk").cloned().unwrap();
    for search in ["0838-9999-8888", "Canarius", canary_phone, canary_nik] {
        let path = format!("/queue?state=all&q={}", search.replace('+', "%2B"));
        assert_eq!(browser.get(&path).await.status, 200);
    }
    assert_eq!(browser.get("/cases/CX-TEST-CASE").await.status, 200);
    let doc = document_id(&app.pool, "CX-TEST-CASE").await;
    assert_eq!(
        browser
            .get(&format!("/cases/CX-TEST-CASE/documents/{doc}"))
            .await
            .status,
        200
    );
    // Every step must really happen (not be refused early), or the absence checks below prove
    // nothing about what it would have logged.
    let claimed = browser.act("CX-TEST-CASE", "claim", &[]).await;
    claimed.assert_redirects_to("/cases/CX-TEST-CASE");
    let noted = browser
        .act(
            "CX-TEST-CASE",
            "notes",
            &[("note", "Customer Canarius called")],
        )
        .await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    // A forged log line in the path and in a form.
    let forged = browser
        .get("/queue%0A2026-01-01T00:00:00Z%20INFO%20FORGED")
        .await;
    assert_eq!(forged.status, 404);
    let rejected = browser
        .act(
            "CX-TEST-CASE",
            "reject",
            &[
                ("reason", "other"),
                ("message", "x\n2026-01-01T00:00:00Z INFO FORGED"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);

    // The customer's side and the API, with their own canaries.
    let customer = Browser::new(&url);
    let mut fields = crate::customer::application_fields();
    for (name, value) in fields.iter_mut() {
        match *name {
            "customer_name" => *value = "Canarius Customer",
            "id_number" => *value = "3174015201907777",
            "msisdn" => *value = "0838-7777-6666",
            "contact_email" => *value = "canary.mail@example.com",
            "refund_account" => *value = "5550001112",
            _ => {}
        }
    }
    crate::customer::apply(
        &customer,
        &fields,
        &[("identity_card", "Canarius ktp.jpg", crate::customer::JPEG)],
    )
    .await
    .assert_redirects_to("/apply/received");
    let applied = customer.get("/apply/received").await.texts("#reference")[0].clone();
    let status = customer.get("/status").await.csrf();
    let shown = customer
        .post(
            "/status",
            &[
                ("csrf_token", &status),
                ("reference", &applied),
                ("msisdn", "0838-7777-6666"),
            ],
        )
        .await;
    assert_eq!(shown.texts("#status-headline").len(), 1, "{}", shown.body);
    let (_, api_token) = canceldesk::store::api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(
            canceldesk::domain::request::Channel::Hotline,
        ),
        None,
    )
    .await
    .unwrap();
    let api = awc::Client::default();
    let read = api
        .get(format!("{url}/api/v1/cases/{applied}"))
        .insert_header(("authorization", format!("Bearer {api_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    browser
        .act(&applied, "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{applied}"));
    let deadline = in_days(10);
    let requested = browser
        .act(
            &applied,
            "request-documents",
            &[
                ("kinds", "bank_account_proof"),
                ("message", "Please send it."),
                ("deadline", &deadline),
            ],
        )
        .await;
    assert_eq!(requested.status, 303, "{}", requested.body);
    let link_token: String = sqlx::query_scalar(
        "SELECT link_token FROM notices WHERE kind = 'documents_requested' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        customer.get(&format!("/upload/{link_token}")).await.status,
        200
    );

    let output = server.stop();
    assert!(
        output.contains("/cases/CX-TEST-CASE"),
        "the server logged requests:\n{output}"
    );
    for canary in [
        canary_nik,
        canary_phone,
        "83899998888",
        "9999-8888",
        "Canarius",
        canary_password,
        &session_id,
        "3174015201907777",
        "83877776666",
        "7777-6666",
        "canary.mail",
        "5550001112",
        &api_token,
        &link_token,
    ] {
        assert!(
            !output.contains(canary),
            "{canary} found in the logs:\n{output}"
        );
    }
    assert!(
        !output
            .lines()
            .any(|l| l.starts_with("2026-01-01T00:00:00Z")),
        "a request forged a log line:\n{output}"
    );
}
