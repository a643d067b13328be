//! Notices to customers: written with the decision, shown on the timeline, delivered over SMTP
//! (retries, link token erased) or recorded as not sent when no gateway is configured.

use canceldesk::config::Settings;
use canceldesk::domain::agent::Role;
use canceldesk::notices::worker::{Delivery, DeliveryReport, deliver_due};
use chrono::{Duration, Utc};

use crate::helpers::{
    Browser, NewCase, TestApp, document_id, in_days, insert_case, long_date, spawn_app,
    spawn_app_with,
};
use crate::smtp_sink::SmtpSink;

const REF: &str = "CX-TEST-CASE";

/// The app without its background worker and clock, so each test drives them itself.
async fn app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|s| {
        s.background_jobs = false;
        adjust(s);
    })
    .await
}

async fn app() -> TestApp {
    app_with(|_| {}).await
}

fn smtp(sink: &SmtpSink) -> impl FnOnce(&mut Settings) {
    let port = sink.port;
    move |s: &mut Settings| {
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = port;
        s.smtp_tls = canceldesk::config::SmtpTls::None;
        s.smtp_from = "Canceldesk <desk@canceldesk.test>".into();
        s.public_url = "https://desk.example".into();
    }
}

async fn request_documents(browser: &Browser, deadline: &str) {
    browser
        .act(
            REF,
            "request-documents",
            &[
                ("kinds", "identity_card"),
                ("kinds", "bank_account_proof"),
                ("message", "The photo of your card is too dark."),
                ("deadline", deadline),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
}

#[derive(Debug, sqlx::FromRow)]
struct Notice {
    case_id: i64,
    kind: String,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    link_token: Option<String>,
    status: String,
    attempts: i32,
    last_error: Option<String>,
}

async fn notices(app: &TestApp) -> Vec<Notice> {
    sqlx::query_as(
        "SELECT case_id, kind, channel, recipient, subject, body, link_token, status, attempts,
                last_error
         FROM notices ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Whether a link for `case_id` is stored under the SHA-256 of `token` (computed by PostgreSQL).
async fn link_stored_for(app: &TestApp, case_id: i64, token: &str) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM upload_links
                        WHERE case_id = $1 AND token_sha256 = sha256(convert_to($2, 'UTF8')))",
    )
    .bind(case_id)
    .bind(token)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn timeline(browser: &Browser) -> String {
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert_eq!(page.status, 200);
    page.texts(".timeline .event.notice").join(" | ")
}

#[actix_web::test]
async fn a_document_request_writes_one_notice_with_a_link_whose_hash_alone_is_stored() {
    let app = app().await;
    let (browser, _) = app.case_in_review().await;
    let deadline = in_days(10);
    request_documents(&browser, &deadline).await;

    let all = notices(&app).await;
    assert_eq!(all.len(), 1);
    let n = &all[0];
    assert_eq!(
        (n.kind.as_str(), n.channel.as_str(), n.recipient.as_str()),
        ("documents_requested", "email", "siti@example.com")
    );
    assert_eq!(n.status, "pending");
    assert_eq!(
        n.subject,
        format!("Documents needed for your cancellation request {REF}")
    );
    assert!(n.body.starts_with("Dear Siti Rahayu,"), "{}", n.body);
    assert!(
        n.body.contains("- Identity card\n- Bank account proof"),
        "{}",
        n.body
    );
    assert!(n.body.contains("The photo of your card is too dark."));
    assert!(
        n.body
            .contains(&format!("by {} through", long_date(&deadline))),
        "{}",
        n.body
    );
    assert_eq!(n.body.matches("{upload_link}").count(), 1, "{}", n.body);

    // The raw token waits beside the text; the link table has only its hash.
    let token = n.link_token.clone().expect("a link token until delivery");
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    assert!(!n.body.contains(&token));
    assert!(link_stored_for(&app, n.case_id, &token).await);
    let (stored, kinds, expires_match): (Vec<u8>, Vec<String>, bool) = sqlx::query_as(
        "SELECT l.token_sha256, l.kinds, l.expires_at = c.documents_deadline
         FROM upload_links l JOIN cases c ON c.id = l.case_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_ne!(stored, token.as_bytes());
    assert_eq!(kinds, vec!["identity_card", "bank_account_proof"]);
    assert!(expires_match, "the link works until the request's deadline");

    // The timeline shows the notice, never the link.
    let shown = timeline(&browser).await;
    assert!(shown.contains("Notice: Documents requested"), "{shown}");
    assert!(shown.contains("By e-mail"), "{shown}");
    assert!(shown.contains("waiting to be sent"), "{shown}");
    assert!(shown.contains("(secure upload link)"), "{shown}");
    let page = browser.get(&format!("/cases/{REF}")).await;
    assert!(!page.body.contains(&token));
    assert!(!page.body.contains("{upload_link}"));
}

#[actix_web::test]
async fn approval_and_rejection_notices_say_what_was_decided() {
    let app = app().await;
    let (browser, _) = app.case_in_review().await;
    let doc = document_id(&app.pool, REF).await;
    browser
        .act(
            REF,
            &format!("documents/{doc}/verdict"),
            &[("verdict", "accepted")],
        )
        .await;
    let effective = in_days(7);
    browser
        .act(
            REF,
            "approve",
            &[
                ("effective_date", &effective),
                ("confirm_fee", "on"),
                ("confirm_settlement", "on"),
            ],
        )
        .await
        .assert_redirects_to(&format!("/cases/{REF}"));
    let all = notices(&app).await;
    assert_eq!(all.len(), 1);
    let n = &all[0];
    assert_eq!(n.kind, "approved");
    assert!(n.link_token.is_none());
    assert!(
        n.body
            .contains(&format!("cancelled on {}.", long_date(&effective))),
        "{}",
        n.body
    );
    assert!(
        n.body.contains(
            "Your remaining balance of Rp 15,000 will be refunded to your account at BCA ending 6789."
        ),
        "{}",
        n.body
    );
    assert!(
        n.body.contains("early-termination fee of Rp 250,000"),
        "{}",
        n.body
    );
    assert!(
        timeline(&browser)
            .await
            .contains("Notice: Cancellation approved")
    );

    // A second case, rejected: the reason in plain words and the agent's message.
    let (other, me) = app.signed_in("Bo Agent", Role::Agent).await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-TEST-CAS2",
            msisdn: "+6283812340000",
            state: "in_review",
            assignee: Some(me.id),
            ..NewCase::default()
        },
    )
    .await;
    other
        .act(
            "CX-TEST-CAS2",
            "reject",
            &[
                ("reason", "duplicate_request"),
                ("message", "You applied twice; we go on with CX-TEST-CASE."),
            ],
        )
        .await
        .assert_redirects_to("/cases/CX-TEST-CAS2");
    let all = notices(&app).await;
    assert_eq!(all.len(), 2);
    let n = &all[1];
    assert_eq!(n.kind, "rejected");
    assert!(
        n.body
            .contains("Why: we already have another request to cancel this line."),
        "{}",
        n.body
    );
    assert!(
        n.body
            .contains("You applied twice; we go on with CX-TEST-CASE.")
    );
    assert!(!n.body.contains("duplicate_request"));
}

#[actix_web::test]
async fn a_bulk_document_request_writes_one_link_and_one_notice_per_case() {
    let app = app().await;
    let (browser, me) = app.signed_in("Ana Agent", Role::Agent).await;
    let refs = ["CX-BULK-NTC2", "CX-BULK-NTC3", "CX-BULK-NTC4"];
    for (i, r) in refs.iter().enumerate() {
        insert_case(
            &app.pool,
            NewCase {
                reference: r,
                msisdn: &format!("+628381234000{i}"),
                state: "in_review",
                assignee: Some(me.id),
                ..NewCase::default()
            },
        )
        .await;
    }
    let queue = browser.get("/queue?state=in_review").await;
    let deadline = in_days(9);
    let previewed = browser
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &queue.csrf()),
                ("scope", "filter"),
                ("state", "in_review"),
                ("action", "request_documents"),
                ("kinds", "proof_of_ownership"),
                ("message", "Please send an invoice showing the number."),
                ("deadline", &deadline),
            ],
        )
        .await;
    let url = previewed.location.expect("a preview");
    let page = browser.get(&url).await;
    browser
        .post(&format!("{url}/apply"), &[("csrf_token", &page.csrf())])
        .await;

    let all = notices(&app).await;
    assert_eq!(all.len(), 3);
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM upload_links")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(links, 3);
    let mut tokens = Vec::new();
    for n in &all {
        assert_eq!(n.kind, "documents_requested");
        assert!(n.body.contains("- Proof of ownership"), "{}", n.body);
        assert!(
            n.body
                .contains("Please send an invoice showing the number.")
        );
        assert!(n.body.contains(&long_date(&deadline)));
        let token = n.link_token.clone().unwrap();
        assert!(link_stored_for(&app, n.case_id, &token).await);
        tokens.push(token);
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "a different link for every case");
    let case_ids: Vec<i64> = all.iter().map(|n| n.case_id).collect();
    let mut distinct = case_ids.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
}

#[actix_web::test]
async fn mail_is_delivered_over_smtp_with_the_real_link_and_the_token_is_erased() {
    let sink = SmtpSink::start(&[]).await;
    let app = app_with(smtp(&sink)).await;
    let (browser, _) = app.case_in_review().await;
    request_documents(&browser, &in_days(10)).await;
    let token = notices(&app).await[0].link_token.clone().unwrap();

    let delivery = Delivery::from_settings(&app.settings).unwrap();
    let report = deliver_due(&app.pool, &delivery, Utc::now()).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");

    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["<siti@example.com>"]);
    assert!(mail.from.contains("desk@canceldesk.test"));
    assert!(
        mail.data.contains(&format!(
            "Subject: Documents needed for your cancellation request {REF}"
        )),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("Dear Siti Rahayu,"), "{}", mail.data);
    assert!(
        mail.data
            .contains(&format!("\r\nhttps://desk.example/upload/{token}\r\n")),
        "the real link on a line of its own: {}",
        mail.data
    );
    assert!(!mail.data.contains("{upload_link}"));

    let n = &notices(&app).await[0];
    assert_eq!(n.status, "sent");
    assert_eq!(n.link_token, None, "erased once delivered");
    assert_eq!(n.attempts, 1);
    // Nothing is sent twice.
    let again = deliver_due(&app.pool, &delivery, Utc::now() + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(again, DeliveryReport::default());
    assert_eq!(sink.mails().len(), 1);
    assert!(timeline(&browser).await.contains("By e-mail · sent"));
}

#[actix_web::test]
async fn a_refused_delivery_is_retried_after_a_backoff_then_sent() {
    let sink = SmtpSink::start(&["451 4.3.0 Try again later"]).await;
    let app = app_with(smtp(&sink)).await;
    let (browser, _) = app.case_in_review().await;
    request_documents(&browser, &in_days(10)).await;
    let delivery = Delivery::from_settings(&app.settings).unwrap();
    let now = Utc::now();

    let first = deliver_due(&app.pool, &delivery, now).await.unwrap();
    assert_eq!(first.retrying, 1, "{first:?}");
    let n = &notices(&app).await[0];
    assert_eq!((n.status.as_str(), n.attempts), ("pending", 1));
    assert!(n.last_error.as_deref().unwrap_or("").contains("451"));
    assert!(n.link_token.is_some(), "kept for the next attempt");
    let shown = timeline(&browser).await;
    assert!(shown.contains("attempt 1 failed, will retry"), "{shown}");

    // Not before the backoff has passed.
    let early = deliver_due(&app.pool, &delivery, now + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(early, DeliveryReport::default());
    let later = deliver_due(&app.pool, &delivery, now + Duration::seconds(61))
        .await
        .unwrap();
    assert_eq!(later.sent, 1, "{later:?}");
    let n = &notices(&app).await[0];
    assert_eq!((n.status.as_str(), n.attempts), ("sent", 2));
    assert_eq!(n.link_token, None);
    assert_eq!(sink.mails().len(), 1);
}

#[actix_web::test]
async fn a_permanent_refusal_fails_at_once_and_erases_the_token() {
    let sink = SmtpSink::start(&["550 5.1.1 Mailbox unavailable"]).await;
    let app = app_with(smtp(&sink)).await;
    let (browser, _) = app.case_in_review().await;
    request_documents(&browser, &in_days(10)).await;
    let delivery = Delivery::from_settings(&app.settings).unwrap();
    let report = deliver_due(&app.pool, &delivery, Utc::now()).await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    let n = &notices(&app).await[0];
    assert_eq!(n.status, "failed");
    assert_eq!(n.link_token, None);
    let shown = timeline(&browser).await;
    assert!(shown.contains("failed after 1 attempt:"), "{shown}");
    assert!(shown.contains("Mailbox unavailable"), "{shown}");
}

#[actix_web::test]
async fn without_gateways_notices_are_kept_as_not_sent() {
    let app = app().await;
    let (browser, _) = app.case_in_review().await;
    request_documents(&browser, &in_days(10)).await;
    // A second customer who prefers SMS.
    let (other, me) = app.signed_in("Bo Agent", Role::Agent).await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-TEST-CAS2",
            msisdn: "+6283812340000",
            state: "in_review",
            assignee: Some(me.id),
            ..NewCase::default()
        },
    )
    .await;
    sqlx::query(
        "UPDATE cases SET preferred_contact = 'sms', contact_phone = '+6283812340000'
         WHERE reference = 'CX-TEST-CAS2'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    other
        .act(
            "CX-TEST-CAS2",
            "reject",
            &[("reason", "other"), ("message", "Please call us.")],
        )
        .await;

    let delivery = Delivery::from_settings(&app.settings).unwrap();
    assert!(delivery.mailer.is_none());
    let report = deliver_due(&app.pool, &delivery, Utc::now()).await.unwrap();
    assert_eq!(report.no_gateway, 2, "{report:?}");
    let all = notices(&app).await;
    assert_eq!(all[0].status, "no_gateway");
    assert!(
        all[0].link_token.is_some(),
        "kept, so an operator could pass the link on"
    );
    assert_eq!(
        (all[1].channel.as_str(), all[1].recipient.as_str()),
        ("sms", "+6283812340000")
    );
    assert_eq!(all[1].status, "no_gateway");
    assert!(timeline(&browser).await.contains("not sent (no gateway)"));
}

#[actix_web::test]
async fn the_server_delivers_in_the_background() {
    let sink = SmtpSink::start(&[]).await;
    let smtp = smtp(&sink);
    let app = spawn_app_with(|s| {
        smtp(s);
        s.background_jobs = true;
        s.notice_poll_seconds = 1;
    })
    .await;
    let (browser, _) = app.case_in_review().await;
    request_documents(&browser, &in_days(10)).await;
    for _ in 0..100 {
        if !sink.mails().is_empty() {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sink.mails().len(), 1);
}

/// An SMS gateway that asks the process to stop while it sends its first message.
struct StopsOnFirstSms {
    background: std::sync::Arc<canceldesk::background::Background>,
    sent: std::sync::Mutex<Vec<i64>>,
}

impl canceldesk::notices::worker::SmsGateway for StopsOnFirstSms {
    fn send<'a>(
        &'a self,
        sms: canceldesk::notices::worker::Sms<'a>,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = canceldesk::notices::worker::SmsOutcome> + Send + 'a>,
    > {
        self.background.signal_stop();
        self.sent.lock().unwrap().push(sms.notice_id);
        Box::pin(async { canceldesk::notices::worker::SmsOutcome::Sent })
    }
}

#[actix_web::test]
async fn a_stopping_worker_finishes_the_notice_in_hand_and_gives_the_rest_back() {
    let app = spawn_app().await;
    let case_id = insert_case(&app.pool, NewCase::default()).await;
    sqlx::query(
        "INSERT INTO notices (case_id, kind, channel, recipient, subject, body)
         SELECT $1, 'received', 'sms', '+6283812340000', 'Received', 'Text ' || n
         FROM generate_series(1, 4) n",
    )
    .bind(case_id)
    .execute(&app.pool)
    .await
    .unwrap();
    let background = std::sync::Arc::new(canceldesk::background::Background::default());
    let gateway = std::sync::Arc::new(StopsOnFirstSms {
        background: background.clone(),
        sent: std::sync::Mutex::new(Vec::new()),
    });
    let mut delivery = Delivery::from_settings(&app.settings).unwrap();
    delivery.sms = gateway.clone();

    let stop = background.signal();
    let report = canceldesk::notices::worker::deliver_due_until_stopped(
        &app.pool,
        &delivery,
        Utc::now(),
        &stop,
    )
    .await
    .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    assert_eq!(gateway.sent.lock().unwrap().len(), 1);
    // The other three are due again at once, their claimed attempt taken back: another
    // instance sends them now, not after the lease.
    let rest: Vec<(String, i32, bool)> = sqlx::query_as(
        "SELECT status, attempts, next_attempt_at <= now() FROM notices ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rest[0].0, "sent");
    assert_eq!(rest[1..].to_vec(), vec![("pending".to_owned(), 0, true); 3]);
    let other_instance = deliver_due(
        &app.pool,
        &Delivery::from_settings(&app.settings).unwrap(),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(other_instance.no_gateway, 3, "{other_instance:?}");
}
