//! The customer's pages: apply, check the status, answer a document request.

use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    Browser, NewCase, Response, TestApp, in_days, insert_case, spawn_app, spawn_app_with,
};

pub const JPEG: &[u8] = include_bytes!("../fixtures/ktp.jpg");

pub fn pdf() -> Vec<u8> {
    canceldesk::seed::pdf::proof_of_ownership(7)
}

/// A complete, valid application as the form sends it.
pub fn application_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("customer_name", "Dewi Lestari"),
        ("id_number", "3174015201900001"),
        ("msisdn", "0838-5555-0101"),
        ("account_number", "8800123456"),
        ("line_type", "postpaid"),
        ("contact_email", "dewi@example.com"),
        ("contact_phone", ""),
        ("preferred_contact", "email"),
        ("reason", "moving_abroad"),
        ("reason_text", "Moving to Singapore for work."),
        ("settlement", "refund"),
        ("refund_bank", "Bank Contoh"),
        ("refund_account", "0012345678"),
        ("transfer_msisdn", ""),
        (
            "requested_effective_date",
            Box::leak(in_days(30).into_boxed_str()),
        ),
        ("consent", "yes"),
    ]
}

/// Opens the form, then posts it with `fields` and `files`.
pub async fn apply(
    browser: &Browser,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Response {
    let page = browser.get("/apply").await;
    assert_eq!(page.status, 200);
    let action = page.attr("form[enctype='multipart/form-data']", "action")[0].clone();
    assert!(action.starts_with("/apply?csrf_token="), "{action}");
    browser.post_multipart(&action, fields, files).await
}

pub async fn case_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn applying_with_a_jpeg_and_a_pdf_creates_a_case_with_both_documents() {
    let app = spawn_app().await;
    let browser = app.client();
    let pdf = pdf();
    let response = apply(
        &browser,
        &application_fields(),
        &[
            ("identity_card", "../scans/ktp <dewi>.jpg", JPEG),
            ("proof_of_ownership", "contract.pdf", &pdf),
        ],
    )
    .await;
    response.assert_redirects_to("/apply/received");
    let confirmation = browser.get("/apply/received").await;
    assert_eq!(confirmation.status, 200);
    let reference = confirmation.texts("#reference")[0].clone();
    assert!(reference.starts_with("CX-"), "{reference}");

    let (state, channel, msisdn, settlement, bank): (String, String, String, String, String) =
        sqlx::query_as(
            "SELECT state, channel, msisdn, settlement, refund_bank FROM cases WHERE reference = $1",
        )
        .bind(&reference)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        (
            state.as_str(),
            channel.as_str(),
            msisdn.as_str(),
            settlement.as_str(),
            bank.as_str()
        ),
        (
            "submitted",
            "web",
            "+6283855550101",
            "refund",
            "Bank Contoh"
        )
    );
    let documents: Vec<(String, String, String, Vec<u8>, i32)> = sqlx::query_as(
        "SELECT d.kind, d.media_type, d.file_name, d.sha256, d.size_bytes FROM documents d
         JOIN cases c ON c.id = d.case_id WHERE c.reference = $1 ORDER BY d.id",
    )
    .bind(&reference)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0].0, "identity_card");
    assert_eq!(documents[0].1, "image/jpeg");
    assert_eq!(
        documents[0].2, "ktp _dewi_.jpg",
        "path dropped, markup defused"
    );
    assert_eq!(documents[0].3, Sha256::digest(JPEG).to_vec());
    assert_eq!(documents[0].4 as usize, JPEG.len());
    assert_eq!(documents[1].1, "application/pdf");
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.kind, e.actor_kind FROM case_events e JOIN cases c ON c.id = e.case_id
         WHERE c.reference = $1",
    )
    .bind(&reference)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, vec![("submitted".into(), "customer".into())]);
}

#[actix_web::test]
async fn each_invalid_field_is_named_and_what_was_typed_is_kept() {
    let app = spawn_app().await;
    let browser = app.client();
    let bad: &[(&str, &str)] = &[
        ("customer_name", ""),
        ("id_number", "3174019901900001"),
        ("msisdn", "0811-1234-5678"),
        ("account_number", "12"),
        ("line_type", "both"),
        ("contact_email", "dewi@"),
        ("reason", "boredom"),
        ("settlement", "transfer"),
        ("requested_effective_date", "2001-01-01"),
        ("consent", ""),
    ];
    for (field, value) in bad {
        let fields: Vec<(&str, &str)> = application_fields()
            .into_iter()
            .filter(|(k, _)| !(k == field || (*field == "consent" && *k == "consent")))
            .chain((*field != "consent").then_some((*field, *value)))
            .collect();
        let page = apply(&browser, &fields, &[("identity_card", "ktp.jpg", JPEG)]).await;
        assert_eq!(page.status, 422, "{field}");
        let errors = page.texts(".field-error");
        assert!(!errors.is_empty(), "{field}: no message");
        let error_ids = page.attr(".field-error", "id");
        let expected = if *field == "settlement" {
            "transfer_msisdn"
        } else {
            field
        };
        assert!(
            error_ids.contains(&format!("{expected}-error")),
            "{field}: messages on {error_ids:?}"
        );
        // What was typed is still there; files must be chosen again, and the page says so.
        assert_eq!(
            page.field("account_number"),
            if *field == "account_number" {
                "12"
            } else {
                "8800123456"
            }
        );
        assert!(page.body.contains("choose your files again"), "{field}");
    }
    // Without the identity document.
    let page = apply(&browser, &application_fields(), &[]).await;
    assert_eq!(page.status, 422);
    assert!(
        page.attr(".field-error", "id")
            .contains(&"identity_card-error".to_string())
    );
    assert_eq!(case_count(&app.pool).await, 0, "nothing was created");
}

#[actix_web::test]
async fn refused_kinds_of_file_are_named_and_nothing_is_saved() {
    let app = spawn_app().await;
    let browser = app.client();
    let svg: &[u8] =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>";
    let html_as_jpg: &[u8] = b"<!doctype html><html><body><script>alert(1)</script></body></html>";
    let zip: &[u8] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00payload";
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    let jpeg_with_script = [JPEG, b"<script>alert(1)</script>"].concat();
    let jpeg_with_zip = [JPEG, b"PK\x03\x04hidden archive"].concat();
    let cases: [(&str, &[u8], &str); 7] = [
        ("avatar.svg", svg, "only JPEG, PNG or PDF"),
        ("photo.jpg", html_as_jpg, "only JPEG, PNG or PDF"),
        ("ktp.zip", zip, "only JPEG, PNG or PDF"),
        ("ktp.exe", exe, "only JPEG, PNG or PDF"),
        ("empty.jpg", b"", "empty"),
        ("poly.jpg", &jpeg_with_script, "web page or script"),
        ("poly2.jpg", &jpeg_with_zip, "something else attached"),
    ];
    for (name, bytes, message) in cases {
        let page = apply(
            &browser,
            &application_fields(),
            &[("identity_card", name, bytes)],
        )
        .await;
        assert_eq!(page.status, 422, "{name}");
        let errors = page.texts("#identity_card-error").join(" ");
        assert!(errors.contains(message), "{name}: {errors}");
    }
    assert_eq!(case_count(&app.pool).await, 0);
}

#[actix_web::test]
async fn too_many_files_are_refused() {
    let app = spawn_app_with(|s| s.upload_max_files = 2).await;
    let browser = app.client();
    let files: Vec<(&str, &str, &[u8])> = vec![
        ("identity_card", "a.jpg", JPEG),
        ("proof_of_ownership", "b.jpg", JPEG),
        ("bank_account_proof", "c.jpg", JPEG),
    ];
    let page = apply(&browser, &application_fields(), &files).await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("at most 2 files"), "{}", page.body);
    assert_eq!(case_count(&app.pool).await, 0);
}

/// The server answers 413 while the client is still sending: the rest of the body is never read.
#[actix_web::test]
async fn an_oversized_file_is_refused_before_the_whole_body_is_read() {
    let app = spawn_app_with(|s| s.upload_max_bytes = 256 * 1024).await;
    let browser = app.client();
    let page = browser.get("/apply").await;
    let action = page.attr("form[enctype='multipart/form-data']", "action")[0].clone();
    let cookie = browser
        .cookies
        .borrow()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let boundary = "xyzBOUNDARYxyz";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"identity_card\"; filename=\"big.jpg\"\r\n\r\n"
    );
    // Declares 5 MiB (allowed as a whole: 5 files × 256 KiB is less, so shrink the declaration
    // to pass the up-front check) but streams only part of it.
    let declared = 1024 * 1024;
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "POST {action} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {declared}\r\n\r\n{head}"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut sent = head.len();
    // Send 300 KiB of the file (over the limit), far less than declared, then stop and listen.
    let chunk = vec![0xFFu8; 16 * 1024];
    while sent < 300 * 1024 {
        stream.write_all(&chunk).await.unwrap();
        sent += chunk.len();
    }
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the server answers without waiting for the rest of the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(sent < declared, "the body was never completed");
    assert_eq!(case_count(&app.pool).await, 0);
}

#[actix_web::test]
async fn a_body_declaring_more_than_the_limits_allow_is_refused_unread() {
    let app = spawn_app_with(|s| s.upload_max_bytes = 1024).await;
    let browser = app.client();
    let big = vec![0xFFu8; 64 * 1024];
    let page = apply(
        &browser,
        &application_fields(),
        &[("identity_card", "big.jpg", &big)],
    )
    .await;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("larger than the limit"), "{}", page.body);
}

#[actix_web::test]
async fn applying_needs_the_forms_csrf_token() {
    let app = spawn_app().await;
    let browser = app.client();
    browser.get("/apply").await;
    let page = browser
        .post_multipart(
            "/apply",
            &application_fields(),
            &[("identity_card", "k.jpg", JPEG)],
        )
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(case_count(&app.pool).await, 0);
}

async fn lookup(browser: &Browser, reference: &str, phone: &str) -> Response {
    let page = browser.get("/status").await;
    let token = page.csrf();
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

#[actix_web::test]
async fn the_status_lookup_needs_the_right_pair_and_says_nothing_else() {
    let app = spawn_app().await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-AB23-CD45",
            state: "awaiting_documents",
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query(
        "UPDATE cases SET requested_kinds = '{bank_account_proof}',
                documents_deadline = '2099-03-01T12:00:00Z' WHERE reference = 'CX-AB23-CD45'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let browser = app.client();
    // Typed as people type them.
    let found = lookup(&browser, " cx-ab23 cd45", "0838 1234 5678").await;
    assert_eq!(found.status, 200);
    assert_eq!(
        found.texts("#status-headline"),
        vec!["We need more documents from you"]
    );
    let next = found.texts("#status-next")[0].clone();
    assert!(
        next.contains("bank account proof by 1 March 2099"),
        "{next}"
    );
    for private in [
        "Siti",
        "3174011203850001",
        "siti@example.com",
        "0123456789",
        "BCA",
    ] {
        assert!(!found.body.contains(private), "{private} shown");
    }

    let wrong_phone = lookup(&browser, "CX-AB23-CD45", "0838 1234 0000").await;
    let wrong_reference = lookup(&browser, "CX-ZZZZ-ZZZZ", "0838 1234 5678").await;
    let nonsense = lookup(&browser, "hello", "x").await;
    for page in [&wrong_phone, &wrong_reference, &nonsense] {
        assert_eq!(page.status, 200);
        assert!(page.texts("#status-headline").is_empty());
        assert_eq!(
            page.texts("[role=alert]"),
            wrong_phone.texts("[role=alert]"),
            "one generic answer"
        );
    }
}

#[actix_web::test]
async fn repeated_wrong_status_lookups_are_throttled() {
    let app = spawn_app().await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-AB23-CD45",
            ..NewCase::default()
        },
    )
    .await;
    let browser = app.client();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            lookup(&browser, "CX-AB23-CD45", "0838 0000 0000")
                .await
                .status,
        );
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    // While throttled, even the right pair is not looked up.
    let right = lookup(&browser, "CX-AB23-CD45", "0838 1234 5678").await;
    assert_eq!(right.status, 429);
    assert!(right.texts("#status-headline").is_empty());
}

/// An upload link for the case, as the document request writes it; returns the raw token.
pub async fn upload_link(
    app: &TestApp,
    case_id: i64,
    kinds: &[&str],
    expires_in_hours: i64,
) -> String {
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(
        "INSERT INTO upload_links (case_id, token_sha256, kinds, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(hours => $4))",
    )
    .bind(case_id)
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .bind(kinds)
    .bind(expires_in_hours as i32)
    .execute(&app.pool)
    .await
    .unwrap();
    token
}

async fn upload(browser: &Browser, token: &str, files: &[(&str, &str, &[u8])]) -> Response {
    let page = browser.get(&format!("/upload/{token}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let action = page.attr("form[enctype='multipart/form-data']", "action")[0].clone();
    browser.post_multipart(&action, &[], files).await
}

async fn waiting_case(app: &TestApp, reference: &str) -> i64 {
    let id = insert_case(
        &app.pool,
        NewCase {
            reference,
            state: "awaiting_documents",
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query(
        "UPDATE cases SET sla_paused_at = now() - interval '1 hour',
                documents_deadline = now() + interval '3 days' WHERE id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

#[actix_web::test]
async fn an_upload_link_takes_the_requested_documents_once() {
    // No delivery worker: the reminder below stays pending until the answer withdraws it.
    let app = spawn_app_with(|s| s.background_jobs = false).await;
    let case_id = waiting_case(&app, "CX-AB23-CD45").await;
    let token = upload_link(
        &app,
        case_id,
        &["bank_account_proof", "proof_of_ownership"],
        48,
    )
    .await;
    sqlx::query(
        "INSERT INTO notices (case_id, kind, channel, recipient, subject, body, link_token)
         VALUES ($1, 'reminder', 'email', 'siti@example.com', 'Reminder', '{upload_link}', $2)",
    )
    .bind(case_id)
    .bind(&token)
    .execute(&app.pool)
    .await
    .unwrap();
    let browser = app.client();
    let pdf = pdf();

    // Only the kinds asked for, and all of them.
    let page = upload(
        &browser,
        &token,
        &[("bank_account_proof", "bank.pdf", &pdf)],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(!page.texts("#proof_of_ownership-error").is_empty());
    let page = upload(
        &browser,
        &token,
        &[
            ("bank_account_proof", "bank.pdf", &pdf),
            ("proof_of_ownership", "p.jpg", JPEG),
            ("identity_card", "other.jpg", JPEG),
        ],
    )
    .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Only the documents we asked for"));

    let done = upload(
        &browser,
        &token,
        &[
            ("bank_account_proof", "bank.pdf", &pdf),
            ("proof_of_ownership", "p.jpg", JPEG),
        ],
    )
    .await;
    done.assert_redirects_to(&format!("/upload/{token}"));
    let (state, received, paused, version): (
        String,
        bool,
        Option<chrono::DateTime<chrono::Utc>>,
        i32,
    ) = sqlx::query_as(
        "SELECT state, documents_received, sla_paused_at, version FROM cases WHERE id = $1",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (state.as_str(), received, paused, version),
        ("submitted", true, None, 2)
    );
    // The hour the clock stood still is kept: the reports leave it out of handling times.
    let paused_seconds: i32 =
        sqlx::query_scalar("SELECT sla_paused_seconds FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        (3595..3700).contains(&paused_seconds),
        "{paused_seconds} s paused"
    );
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM documents WHERE case_id = $1 AND uploaded_by_kind = 'customer' ORDER BY id",
    )
    .bind(case_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        vec!["identity_card", "bank_account_proof", "proof_of_ownership"]
    );
    let event: (String, String) = sqlx::query_as(
        "SELECT kind, actor_kind FROM case_events WHERE case_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(event, ("documents_received".into(), "customer".into()));

    // The waiting reminder would ask for what has arrived: withdrawn, its token erased.
    let reminder: (String, Option<String>) =
        sqlx::query_as("SELECT status, link_token FROM notices WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(reminder, ("superseded".into(), None));

    // The link now says it was used, and takes nothing more.
    let used = browser.get(&format!("/upload/{token}")).await;
    assert_eq!(used.status, 410);
    assert!(used.texts("h1")[0].contains("already used"));
}

#[actix_web::test]
async fn expired_unknown_and_foreign_links_take_nothing() {
    let app = spawn_app().await;
    let case_id = waiting_case(&app, "CX-AB23-CD45").await;
    let expired = upload_link(&app, case_id, &["bank_account_proof"], -1).await;
    let browser = app.client();
    let page = browser.get(&format!("/upload/{expired}")).await;
    assert_eq!(page.status, 410);
    assert!(page.texts("h1")[0].contains("expired"));
    // Posting anyway (a form kept open past the deadline) changes nothing.
    let token = browser.get("/status").await.csrf();
    let late = browser
        .post_multipart(
            &format!("/upload/{expired}?csrf_token={token}"),
            &[],
            &[("bank_account_proof", "b.pdf", &pdf())],
        )
        .await;
    assert_eq!(late.status, 410);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM documents WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        1,
        "only the document the case started with"
    );

    for unknown in [
        "not-a-token",
        "0123456789abcdef0123456789abcdef0123456789abcdef",
    ] {
        let page = browser.get(&format!("/upload/{unknown}")).await;
        assert_eq!(page.status, 404, "{unknown}");
    }

    // A link of another case never touches this one: it belongs to its own case only.
    let other_id = waiting_case(&app, "CX-EF67-GH89").await;
    let foreign = upload_link(&app, other_id, &["bank_account_proof"], 48).await;
    let done = upload(
        &browser,
        &foreign,
        &[("bank_account_proof", "b.pdf", &pdf())],
    )
    .await;
    assert_eq!(done.status, 303);
    let states: Vec<(i64, String)> = sqlx::query_as("SELECT id, state FROM cases ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        states,
        vec![
            (case_id, "awaiting_documents".into()),
            (other_id, "submitted".into())
        ]
    );
    // A link whose case has been decided meanwhile no longer works.
    let third = waiting_case(&app, "CX-JK23-MN45").await;
    let token = upload_link(&app, third, &["bank_account_proof"], 48).await;
    sqlx::query("UPDATE cases SET state = 'rejected' WHERE id = $1")
        .bind(third)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.get(&format!("/upload/{token}")).await.status, 410);
}

/// The whole way through: a customer applies with a real JPEG and PDF, an agent asks for more,
/// the customer answers through the link, the agent approves, and every notice says so.
#[actix_web::test]
async fn a_customer_journey_from_application_to_approval() {
    let app = spawn_app().await;
    billing_line(&app, "+6283855550101", "8800123456").await;
    let customer = app.client();
    let pdf = pdf();
    apply(
        &customer,
        &application_fields(),
        &[
            ("identity_card", "ktp.jpg", JPEG),
            ("proof_of_ownership", "contract.pdf", &pdf),
        ],
    )
    .await
    .assert_redirects_to("/apply/received");
    let reference = customer.get("/apply/received").await.texts("#reference")[0].clone();

    let (agent, _) = app
        .signed_in("Ana Agent", canceldesk::domain::agent::Role::Agent)
        .await;
    agent
        .act(&reference, "claim", &[])
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));
    let deadline = in_days(10);
    agent
        .act(
            &reference,
            "request-documents",
            &[
                ("kinds", "bank_account_proof"),
                (
                    "message",
                    "Please send proof of the bank account for the refund.",
                ),
                ("deadline", &deadline),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));
    let status = lookup(&customer, &reference, "0838 5555 0101").await;
    assert_eq!(
        status.texts("#status-headline"),
        vec!["We need more documents from you"]
    );

    // The link comes with the notice (kept while no mail gateway is configured).
    let token: String = sqlx::query_scalar(
        "SELECT n.link_token FROM notices n JOIN cases c ON c.id = n.case_id
         WHERE c.reference = $1 AND n.kind = 'documents_requested'",
    )
    .bind(&reference)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    upload(
        &customer,
        &token,
        &[("bank_account_proof", "bank statement.pdf", &pdf)],
    )
    .await
    .assert_redirects_to(&format!("/upload/{token}"));
    assert_eq!(customer.get(&format!("/upload/{token}")).await.status, 410);

    // Back in the queue, flagged; the agent checks the identity card and approves.
    let page = agent.get(&format!("/cases/{reference}")).await;
    assert!(
        page.body.contains("documents_received")
            || page.body.to_lowercase().contains("documents received")
    );
    let identity: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id
         WHERE c.reference = $1 AND d.kind = 'identity_card'",
    )
    .bind(&reference)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    agent.act(&reference, "claim", &[]).await;
    agent
        .act(
            &reference,
            &format!("documents/{identity}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));
    let effective = in_days(14);
    agent
        .act(
            &reference,
            "approve",
            &[
                ("effective_date", &effective),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{reference}"));

    let notices: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT n.kind, n.recipient, n.body FROM notices n JOIN cases c ON c.id = n.case_id
         WHERE c.reference = $1 ORDER BY n.id",
    )
    .bind(&reference)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let kinds: Vec<&str> = notices.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds, vec!["received", "documents_requested", "approved"]);
    assert!(notices.iter().all(|(_, to, _)| to == "dewi@example.com"));
    assert!(notices[0].2.contains(&reference), "{}", notices[0].2);
    assert!(notices[1].2.contains("{upload_link}"), "{}", notices[1].2);
    assert!(
        notices[1]
            .2
            .contains("Please send proof of the bank account"),
        "{}",
        notices[1].2
    );
    let effective_words = chrono::NaiveDate::parse_from_str(&effective, "%Y-%m-%d")
        .unwrap()
        .format("%-d %B %Y")
        .to_string();
    assert!(
        notices[2].2.contains(&effective_words),
        "{} in {}",
        effective_words,
        notices[2].2
    );
    assert!(
        notices[2].2.to_lowercase().contains("refund"),
        "{}",
        notices[2].2
    );

    let status = lookup(&customer, &reference, "0838 5555 0101").await;
    assert_eq!(
        status.texts("#status-headline"),
        vec![format!("Approved: your line ends on {effective_words}")]
    );
}

#[actix_web::test]
async fn applications_from_one_address_are_throttled() {
    let app = spawn_app().await;
    let browser = app.client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let answer = apply(
            &browser,
            &application_fields(),
            &[("identity_card", "ktp.jpg", JPEG)],
        )
        .await;
        statuses.push(answer.status);
    }
    assert_eq!(&statuses[..5], &[303; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    assert!(case_count(&app.pool).await < 7);
}

/// A line in billing: postpaid, minimum term ending in 90 days, fee Rp 250,000, balance Rp 15,000.
async fn billing_line(app: &TestApp, msisdn: &str, account: &str) {
    sqlx::query(
        "INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date,
                                    min_term_end, etf_minor, balance_minor)
         VALUES ($1, $2, 'postpaid', '2024-05-01', current_date + 90, 25000000, 1500000)",
    )
    .bind(msisdn)
    .bind(account)
    .execute(&app.pool)
    .await
    .unwrap();
}

#[actix_web::test]
async fn an_application_takes_its_lines_facts_from_billing_or_says_it_cannot() {
    let app = spawn_app().await;
    billing_line(&app, "+6283855550101", "8800123456").await;
    billing_line(&app, "+6283855550202", "1111111111").await;
    let customer = app.client();
    let mut references = Vec::new();
    for phone in ["0838-5555-0101", "0838-5555-0202", "0838-5555-0303"] {
        let fields: Vec<(&str, &str)> = application_fields()
            .into_iter()
            .map(|(k, v)| if k == "msisdn" { (k, phone) } else { (k, v) })
            .collect();
        apply(&customer, &fields, &[("identity_card", "ktp.jpg", JPEG)])
            .await
            .assert_redirects_to("/apply/received");
        references.push(customer.get("/apply/received").await.texts("#reference")[0].clone());
    }
    let facts: Vec<(String, i64, i64, Option<chrono::NaiveDate>)> = sqlx::query_as(
        "SELECT billing_status, etf_minor, balance_minor, activation_date FROM cases
         WHERE reference = ANY($1) ORDER BY msisdn",
    )
    .bind(&references)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let statuses: Vec<&str> = facts.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(statuses, vec!["matched", "account_mismatch", "not_found"]);
    assert_eq!((facts[0].1, facts[0].2), (25_000_000, 1_500_000));
    assert!(facts[0].3.is_some());
    // Nothing of another account's line is copied.
    assert_eq!((facts[1].1, facts[1].2, facts[1].3), (0, 0, None));

    let (agent, _) = app
        .signed_in("Ana Agent", canceldesk::domain::agent::Role::Agent)
        .await;
    let matched = agent.get(&format!("/cases/{}", references[0])).await;
    assert!(
        matched
            .texts(".signals li")
            .join(" ")
            .contains("early-termination fee")
    );
    let mismatch = agent.get(&format!("/cases/{}", references[1])).await;
    assert!(
        mismatch
            .texts(".signals li")
            .join(" ")
            .contains("account number does not match")
    );
    let unknown = agent.get(&format!("/cases/{}", references[2])).await;
    let signals = unknown.texts(".signals li").join(" ");
    assert!(
        signals.contains("Billing does not know this line"),
        "{signals}"
    );
    assert!(unknown.body.contains("Not known (not in billing)"));

    // Its fee and balance are unknown, so nobody can confirm them: no approval.
    let reference = &references[2];
    agent.act(reference, "claim", &[]).await;
    let identity: i64 = sqlx::query_scalar(
        "SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = $1",
    )
    .bind(reference)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    agent
        .act(
            reference,
            &format!("documents/{identity}/verdict"),
            &[("verdict", "accepted"), ("reason", "")],
        )
        .await;
    let effective = in_days(14);
    let refused = agent
        .act(
            reference,
            "approve",
            &[("effective_date", &effective), ("confirm_settlement", "on")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("cannot be approved"));
    let state: String = sqlx::query_scalar("SELECT state FROM cases WHERE reference = $1")
        .bind(reference)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, "in_review");
}
