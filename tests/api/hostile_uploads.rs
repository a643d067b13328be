//! Uploads meant to wear the server down: decompression bombs of broken streams, PDFs that hide
//! content behind encodings, slow bodies that try to hold every upload slot, bodies of endless
//! empty parts. Each test asserts the defended outcome and how long it took.

use std::cell::Cell;
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::customer::{JPEG, application_fields, apply, case_count};
use crate::helpers::{Browser, TestApp, in_days, spawn_app, spawn_app_with};
use canceldesk::domain::request::Channel;
use canceldesk::store::api_tokens;

fn zlib(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 9)
}

/// A PDF of `count` copies of one Flate stream (`data`), with exact lengths.
fn pdf_of_streams(data: &[u8], count: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    for n in 1..=count {
        pdf.extend_from_slice(
            format!(
                "{n} 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
    }
    pdf.extend_from_slice(b"trailer << /Root 1 0 R >>\n%%EOF\n");
    pdf
}

/// The reviewer's file, smaller: 170 Flate streams that each inflate to 8 MiB and then break
/// off (1.3 GiB of work, and as much scanning, for a checker that only counts streams that end
/// well).
fn truncated_streams_pdf() -> Vec<u8> {
    let bomb = zlib(&vec![0u8; 8 << 20]);
    pdf_of_streams(&bomb[..bomb.len() - 8], 170)
}

/// Valid streams decoding to 6 MiB each, 72 MiB in all: past the decoding budget.
fn expanding_pdf() -> Vec<u8> {
    pdf_of_streams(&zlib(&vec![b' '; 6 << 20]), 12)
}

#[actix_web::test]
async fn a_pdf_of_truncated_streams_is_refused_fast() {
    let app = spawn_app().await;
    let browser = app.client();
    let pdf = truncated_streams_pdf();
    assert!(pdf.len() > 1 << 20, "a file of megabytes");
    let started = Instant::now();
    let page = apply(
        &browser,
        &application_fields(),
        &[
            ("identity_card", "ktp.jpg", JPEG),
            ("proof_of_ownership", "bomb.pdf", &pdf),
        ],
    )
    .await;
    let took = started.elapsed();
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body.contains("the file is damaged or incomplete"),
        "{}",
        page.body
    );
    assert!(took < Duration::from_secs(3), "refused in {took:?}");
    assert_eq!(case_count(&app.pool).await, 0);
}

#[actix_web::test]
async fn healthz_answers_while_two_hostile_pdfs_are_inspected() {
    // A second per file: whichever comes first, the time or the decoding budget, ends it.
    let app = spawn_app_with(|s| s.upload_check_seconds = 1).await;
    let (first, second) = (app.client(), app.client());
    let pdf = expanding_pdf();
    let done = Cell::new(0);
    let upload = |browser: Browser| {
        let pdf = &pdf;
        let done = &done;
        async move {
            let started = Instant::now();
            let page = apply(
                &browser,
                &application_fields(),
                &[("identity_card", "ktp.pdf", pdf)],
            )
            .await;
            done.set(done.get() + 1);
            (page, started.elapsed())
        }
    };
    let probe = async {
        let health = app.client();
        let mut answered_meanwhile = 0;
        while done.get() < 2 {
            let started = Instant::now();
            let answer = health.get("/healthz").await;
            let took = started.elapsed();
            assert_eq!(answer.status, 200);
            assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
            if done.get() < 2 {
                answered_meanwhile += 1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        answered_meanwhile
    };
    let ((a, a_took), (b, b_took), answered_meanwhile) =
        futures_util::future::join3(upload(first), upload(second), probe).await;
    for page in [&a, &b] {
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(
            page.body.contains("too much data") || page.body.contains("too long to check"),
            "{}",
            page.body
        );
    }
    assert!(
        answered_meanwhile > 0,
        "/healthz was asked while the files were checked ({a_took:?}, {b_took:?})"
    );
    assert_eq!(case_count(&app.pool).await, 0);
}

/// A PDF whose object stream hides a script behind ASCIIHex: a reader decodes it, a scanner
/// that only knew Flate would not.
fn ascii_hex_object_stream() -> Vec<u8> {
    let hex: String = b"<< /S /JavaScript /JS (app.alert(1)) >>"
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut pdf = format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /N 1 /First 0 /Length {} /Filter /ASCIIHexDecode >>\nstream\n",
        hex.len()
    )
    .into_bytes();
    pdf.extend_from_slice(hex.as_bytes());
    pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    pdf
}

#[actix_web::test]
async fn a_pdf_hiding_behind_an_encoding_is_refused_on_the_form_and_the_api() {
    let app = spawn_app().await;
    let browser = app.client();
    let pdf = ascii_hex_object_stream();
    let page = apply(
        &browser,
        &application_fields(),
        &[
            ("identity_card", "ktp.jpg", JPEG),
            ("proof_of_ownership", "x.pdf", &pdf),
        ],
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(
        page.body
            .contains("uses an encoding that cannot be checked"),
        "{}",
        page.body
    );

    let token = api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap()
    .1;
    let b64 = |b: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(b)
    };
    let body = json!({
        "application": {
            "customer_name": "Budi Santoso", "id_number": "3174011203850001",
            "msisdn": "+62 831 7777 0202", "account_number": "5500123456",
            "line_type": "prepaid", "contact_phone": "0831 7777 0202",
            "preferred_contact": "sms", "reason": "cost", "settlement": "forfeit",
            "requested_effective_date":
                in_days(20),
            "consent": true
        },
        "documents": [
            { "kind": "identity_card", "content_base64": b64(JPEG) },
            { "kind": "proof_of_ownership", "content_base64": b64(&pdf) }
        ]
    });
    let mut response = awc::Client::default()
        .post(format!("{}/api/v1/cases", app.address))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_json(&body)
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        problem["errors"][0]["pointer"], "#/documents/1/content_base64",
        "{problem}"
    );
    assert_eq!(case_count(&app.pool).await, 0);
}

/// The form's action (with its CSRF token) and the browser's cookie, for hand-written requests.
async fn form_target(browser: &Browser) -> (String, String) {
    let page = browser.get("/apply").await;
    let action = page.attr("form[enctype='multipart/form-data']", "action")[0].clone();
    let cookie = browser
        .cookies
        .borrow()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    (action, cookie)
}

/// Headers promising a large multipart body, then its first 100 bytes, and nothing more; sent
/// through our (trusted) proxy on behalf of `client`.
async fn slow_body(app: &TestApp, action: &str, cookie: &str, client: &str) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let boundary = "slowSLOWslow";
    let head = format!(
        "POST {action} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\nX-Forwarded-For: {client}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 1000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"identity_card\"; filename=\"a.jpg\"\r\n\r\n"
    );
    let mut first = part.into_bytes();
    first.resize(100, b'x');
    stream.write_all(&first).await.unwrap();
    stream
}

/// The status line the server eventually sends on a raw connection.
async fn status_of(stream: &mut TcpStream) -> String {
    let mut answer = vec![0u8; 1024];
    let n = stream.read(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn slow_bodies_cannot_hold_the_door_shut() {
    // Behind a proxy of ours, so each slow body can come from its own address, as a spread-out
    // attacker's would: the per-address throttle alone would stop one address after 5.
    let app = spawn_app_with(|s| {
        s.upload_body_seconds = 3;
        s.trusted_proxies = 1;
    })
    .await;
    let attacker = app.client();
    let (action, cookie) = form_target(&attacker).await;
    // More slow bodies than there are slots.
    let mut slow = Vec::new();
    for i in 0..9 {
        slow.push(slow_body(&app, &action, &cookie, &format!("10.9.0.{i}")).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let opened = Instant::now();

    // Another customer is answered at once: told to come back, not left hanging.
    let customer = app.client();
    let started = Instant::now();
    let page = apply(
        &customer,
        &application_fields(),
        &[("identity_card", "ktp.jpg", JPEG)],
    )
    .await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "answered in {took:?}");
    assert_eq!(page.status, 503, "{}", page.body);
    assert_eq!(
        page.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("10")
    );
    assert!(page.body.contains("try again"), "{}", page.body);
    // So is another system.
    let token = api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap()
    .1;
    let started = Instant::now();
    let response = awc::Client::default()
        .post(format!("{}/api/v1/cases", app.address))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send_json(&json!({}))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));

    // The slow senders are cut off at their deadline, which frees the slots.
    let mut statuses = Vec::new();
    for stream in &mut slow {
        let status = tokio::time::timeout(Duration::from_secs(10), status_of(stream))
            .await
            .expect("every slow body is answered");
        statuses.push(status);
    }
    assert!(opened.elapsed() < Duration::from_secs(8));
    let timed_out = statuses.iter().filter(|s| s.contains(" 408 ")).count();
    let busy = statuses.iter().filter(|s| s.contains(" 503 ")).count();
    assert_eq!((timed_out, busy), (8, 1), "{statuses:?}");
    let page = apply(
        &customer,
        &application_fields(),
        &[("identity_card", "ktp.jpg", JPEG)],
    )
    .await;
    page.assert_redirects_to("/apply/received");
    assert_eq!(case_count(&app.pool).await, 1);
}

#[actix_web::test]
async fn every_part_counts_even_empty_ones() {
    let app = spawn_app().await;
    let browser = app.client();
    let (action, _) = form_target(&browser).await;
    let boundary = "----canceldesk-test-boundary-7MA4YWxkTrZu0gW";
    let empty_part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"other\"; filename=\"\"\r\n\r\n\r\n"
    );
    let body = [empty_part.repeat(5000), format!("--{boundary}--\r\n")].concat();
    let started = Instant::now();
    let response = awc::Client::default()
        .post(format!("{}{action}", app.address))
        .insert_header(("cookie", {
            let cookies = browser.cookies.borrow();
            cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        }))
        .insert_header((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ))
        .send_body(body)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(case_count(&app.pool).await, 0);
}
