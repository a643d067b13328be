//! Running it in production: metrics, request ids, readiness, body deadlines, graceful stop
//! and JSON logs, through the real HTTP layer (and the real binary where the process matters).

use std::io::{Read, Write};
use std::time::Duration;

use canceldesk::domain::agent::Role;

use crate::helpers::{
    Browser, NewCase, TEST_METRICS_TOKEN, insert_case, spawn_app, spawn_app_with,
};

/// The value of one sample line (`name{labels} value`), 0 when absent.
fn sample(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

async fn scrape(address: &str, token: Option<&str>) -> crate::helpers::Response {
    let prometheus = Browser::new(address);
    *prometheus.bearer.borrow_mut() = token.map(str::to_owned);
    prometheus.get("/metrics").await
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_no_label_holds_personal_data() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, agent) = app.signed_in("Mia Metrics", Role::Agent).await;
    let case_views =
        r#"canceldesk_http_requests_total{method="GET",route="/cases/{reference}",status="200"}"#;

    let before = scrape(&app.address, Some(TEST_METRICS_TOKEN)).await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(
        before
            .headers
            .get("content-type")
            .is_some_and(|c| c.to_str().unwrap().starts_with("text/plain; version=0.0.4")),
        "{:?}",
        before.headers
    );
    for _ in 0..3 {
        assert_eq!(browser.get("/cases/CX-TEST-CASE").await.status, 200);
    }
    // Paths full of things that must never become labels.
    let link_token = "link-token-never-a-label-0123456789";
    assert_eq!(
        browser.get(&format!("/upload/{link_token}")).await.status,
        404
    );
    assert_eq!(browser.get("/cases/CX-NOT-A-LABEL").await.status, 404);
    assert_eq!(browser.get("/no/such/page/CX-UNMATCHED").await.status, 404);
    assert_eq!(browser.get("/queue?q=0838-5555-1234").await.status, 200);
    // An unlisted method gets the strictest treatment: to the sign-in page.
    let odd_method = awc::Client::builder()
        .disable_redirects()
        .finish()
        .request(
            awc::http::Method::from_bytes(b"CX-TEST-CASE").unwrap(),
            format!("{}/queue", app.address),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(odd_method.status().as_u16(), 303);
    browser
        .act("CX-TEST-CASE", "claim", &[])
        .await
        .assert_redirects_to("/cases/CX-TEST-CASE");
    let rejected = browser
        .act(
            "CX-TEST-CASE",
            "reject",
            &[("reason", "duplicate_request"), ("message", "A duplicate.")],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);

    let after = scrape(&app.address, Some(TEST_METRICS_TOKEN)).await;
    assert_eq!(after.status, 200);
    let metrics = after.body;
    assert!(
        sample(&metrics, case_views) >= sample(&before.body, case_views) + 3.0,
        "the case page views were not counted:\n{metrics}"
    );
    assert!(
        sample(
            &metrics,
            r#"canceldesk_http_requests_total{method="GET",route="/upload/{token}",status="404"}"#
        ) >= 1.0,
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            r#"canceldesk_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ) >= 1.0,
        "{metrics}"
    );
    assert!(
        sample(
            &metrics,
            r#"canceldesk_decisions_total{outcome="rejected"}"#
        ) >= 1.0,
        "{metrics}"
    );
    assert_eq!(
        sample(&metrics, r#"canceldesk_cases{state="rejected"}"#),
        1.0,
        "{metrics}"
    );
    assert!(
        sample(&metrics, r#"canceldesk_outbox_depth{queue="notices"}"#) >= 1.0,
        "the rejection's notice waits:\n{metrics}"
    );
    for series in [
        r#"canceldesk_http_request_duration_seconds_bucket{method="GET",route="/cases/{reference}",le="+Inf"}"#,
        r#"canceldesk_db_pool_max_connections"#,
        r#"canceldesk_outbox_oldest_age_seconds{queue="orders"}"#,
        r#"canceldesk_outbox_depth{queue="bulk"}"#,
    ] {
        assert!(
            metrics.lines().any(|l| l.starts_with(series)),
            "{series} missing:\n{metrics}"
        );
    }
    for line in metrics.lines().filter(|l| !l.starts_with('#')) {
        // The labels only: a value such as 0.0838… is no leak.
        let labels = line
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
            .map_or("", |(labels, _)| labels);
        for leak in [
            "CX-",
            "@",
            link_token,
            "0838",
            TEST_METRICS_TOKEN,
            "?",
            &agent.email,
        ] {
            assert!(!labels.contains(leak), "{leak:?} in a label: {line}");
        }
    }

    // Prometheus without the token, or with another, gets nothing.
    for token in [None, Some("not-the-metrics-token-0123456789abcdef")] {
        let refused = scrape(&app.address, token).await;
        assert_eq!(refused.status, 401, "{token:?}");
        assert!(!refused.body.contains("canceldesk_"));
    }
}

#[actix_web::test]
async fn metrics_can_have_a_listener_of_their_own_and_are_off_without_token_or_listener() {
    let separate = spawn_app_with(|s| {
        s.metrics_token = None;
        s.metrics_bind = Some("127.0.0.1:0".into());
    })
    .await;
    let listener = separate
        .metrics_address
        .clone()
        .expect("a metrics listener");
    let served = scrape(&listener, None).await;
    assert_eq!(served.status, 200);
    assert!(
        served.body.contains("canceldesk_http_requests_total"),
        "{}",
        served.body
    );
    // The listener serves nothing else, and the main one no metrics without a token.
    assert_eq!(Browser::new(&listener).get("/queue").await.status, 404);
    assert_eq!(
        scrape(&separate.address, Some(TEST_METRICS_TOKEN))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn every_response_carries_a_request_id_which_error_pages_show() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Rio Request", Role::Agent).await;
    let missing = browser.get("/cases/CX-NO-SUCH-CASE").await;
    assert_eq!(missing.status, 404);
    let id = missing
        .headers
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(missing.texts("#incident"), vec![id.clone()]);
    let again = browser.get("/cases/CX-NO-SUCH-CASE").await;
    assert_ne!(
        again.headers.get("x-request-id").unwrap().to_str().unwrap(),
        id
    );

    // Clients talking to us directly cannot choose the id; a trusted proxy can.
    let client = awc::Client::default();
    let direct = client
        .get(format!("{}/login", app.address))
        .insert_header(("x-request-id", "chosen-by-the-client"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        direct.headers().get("x-request-id").unwrap(),
        "chosen-by-the-client"
    );
    let proxied = spawn_app_with(|s| s.trusted_proxies = 1).await;
    let through_proxy = client
        .get(format!("{}/login", proxied.address))
        .insert_header(("x-request-id", "3f2a9c0e8b7d4e1fa0b1c2d3e4f5a6b7"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        through_proxy.headers().get("x-request-id").unwrap(),
        "3f2a9c0e8b7d4e1fa0b1c2d3e4f5a6b7"
    );
    let forged = client
        .get(format!("{}/login", proxied.address))
        .insert_header(("x-request-id", "two words <b>"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.headers().get("x-request-id").unwrap().len(), 32);
}

#[actix_web::test]
async fn readiness_and_liveness_answer() {
    let app = spawn_app_with(|s| s.instance_name = "desk-a".into()).await;
    let probe = Browser::new(&app.address);
    let ready = probe.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));
    assert_eq!(
        ready.headers.get("x-canceldesk-instance").unwrap(),
        "desk-a"
    );
    let alive = probe.get("/healthz").await;
    assert_eq!((alive.status, alive.body.as_str()), (200, "ok"));
    // A migration this binary knows that is not applied: not ready (an older schema).
    sqlx::query("UPDATE _sqlx_migrations SET success = false WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&app.pool)
        .await
        .unwrap();
    let behind = probe.get("/readyz").await;
    assert_eq!(
        (behind.status, behind.body.as_str()),
        (503, "migrations pending")
    );
    assert_eq!(probe.get("/healthz").await.status, 200);
}

/// A raw request whose body stops half-way: answered 408 when the body deadline passes.
fn send_half_a_body(address: &str, content_type: &str) -> (String, Duration) {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = std::time::Instant::now();
    write!(
        stream,
        "POST /status HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: 200\r\n\r\nreference=CX-"
    )
    .unwrap();
    let mut answer = [0u8; 512];
    let n = stream.read(&mut answer).unwrap_or(0);
    (
        String::from_utf8_lossy(&answer[..n]).into_owned(),
        started.elapsed(),
    )
}

#[actix_web::test]
async fn a_form_body_that_does_not_arrive_in_time_is_answered_408() {
    let app = spawn_app_with(|s| s.request_body_seconds = 1).await;
    let address = app.address.clone();
    let (answer, took) = actix_web::rt::task::spawn_blocking(move || {
        send_half_a_body(&address, "application/x-www-form-urlencoded")
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[actix_web::test]
async fn sigterm_drains_and_exits_zero_and_json_logs_carry_the_request_id() {
    let app = spawn_app().await;
    let client = awc::Client::builder().disable_redirects().finish();
    let server = app.start_binary_with(
        "info",
        &[
            ("CANCELDESK_LOG_FORMAT", "json"),
            ("CANCELDESK_TRUSTED_PROXIES", "1"),
            ("CANCELDESK_INSTANCE_NAME", "desk-b"),
            ("CANCELDESK_SHUTDOWN_GRACE_SECONDS", "5"),
        ],
    );
    let answered = client
        .get(format!("{}/cases/CX-NOBODY", server.url))
        .insert_header(("x-request-id", "0123456789abcdef0123456789abcdef"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        answered.status().as_u16(),
        303,
        "signed out: to the sign-in page"
    );
    assert_eq!(
        answered.headers().get("x-canceldesk-instance").unwrap(),
        "desk-b"
    );
    let (code, output) = server.terminate(Duration::from_secs(15));
    assert_eq!(code, Some(0), "{output}");
    let lines: Vec<serde_json::Value> = output
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let request_line = lines
        .iter()
        .find(|l| l["message"] == "request" && l["path"] == "/cases/CX-NOBODY")
        .unwrap_or_else(|| panic!("no access-log line:\n{output}"));
    assert_eq!(request_line["status"], 303);
    assert_eq!(
        request_line["spans"][0]["request_id"], "0123456789abcdef0123456789abcdef",
        "{request_line}"
    );
    assert_eq!(request_line["spans"][0]["instance"], "desk-b");
    assert!(lines.iter().any(|l| l["message"] == "stopped"), "{output}");
}
