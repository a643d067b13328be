//! Throttles under attack: many guesses fired at once must not get more of them verified than
//! the policy's free attempts (plus one per doubling wait that elapsed meanwhile), and failures
//! that are not about passwords (unknown references, unknown upload links) count too.
//!
//! What proves how many guesses were verified is the answer each got: "wrong password" (or "no
//! such pair") was verified, "too many attempts" (429) was not.

use std::time::{Duration, Instant};

use canceldesk::domain::agent::Role;
use canceldesk::domain::request::Channel;
use canceldesk::store::api_tokens;
use futures_util::future::join_all;

use crate::helpers::{Browser, NewCase, PASSWORD, Response, TestApp, insert_case, spawn_app};

/// Guesses fired at once.
const BURST: usize = 150;

/// Most attempts the policy lets through within `elapsed`: `free` at once, then one more after
/// each doubling wait (1 s, 2 s, 4 s …) that fits: the k-th extra needs 2^k − 1 s in all.
fn allowed_within(free: usize, elapsed: Duration) -> usize {
    let mut extra = 0;
    while ((1u64 << (extra + 1)) - 1) as f64 <= elapsed.as_secs_f64() {
        extra += 1;
    }
    free + extra
}

#[test]
fn the_bound_follows_the_doubling_waits() {
    assert_eq!(allowed_within(5, Duration::from_millis(999)), 5);
    assert_eq!(allowed_within(5, Duration::from_millis(1000)), 6);
    assert_eq!(allowed_within(5, Duration::from_millis(2999)), 6);
    assert_eq!(allowed_within(5, Duration::from_secs(3)), 7);
}

/// Fires `BURST` copies of one request at once, with the browser's cookies (and a form body
/// when `fields` is given, else a GET with `bearer`); returns the answers and how long they took.
/// Its own client waits longer than the helpers' (5 s): on a busy machine the last of 150
/// answers may take a while, and a client timeout is not what is tested here.
async fn burst(
    browser: &Browser,
    url: &str,
    fields: Option<&[(&str, &str)]>,
    bearer: Option<&str>,
) -> (Vec<Response>, Duration) {
    let client = awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(120))
        .finish();
    let cookies = browser
        .cookies
        .borrow()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let authorization = bearer.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let body = fields.map(|f| serde_html_form::to_string(f).unwrap());
    let one = || async {
        let request = match &body {
            Some(_) => client.post(url),
            None => client.get(url),
        }
        .insert_header(("cookie", cookies.clone()))
        .insert_header(("authorization", authorization.clone()));
        let mut response = match &body {
            Some(body) => request
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .send_body(body.clone())
                .await
                .unwrap(),
            None => request.send().await.unwrap(),
        };
        let bytes = response.body().limit(1024 * 1024).await.unwrap();
        Response {
            status: response.status().as_u16(),
            location: None,
            headers: response.headers().clone(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    };
    let started = Instant::now();
    let answers = join_all((0..BURST).map(|_| one())).await;
    (answers, started.elapsed())
}

fn count(answers: &[Response], status: u16) -> usize {
    answers.iter().filter(|a| a.status == status).count()
}

async fn failures(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn concurrent_wrong_passwords_get_at_most_the_free_attempts_verified() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    let token = browser.get("/login").await.csrf();
    let (answers, elapsed) = burst(
        &browser,
        &format!("{}/login", app.address),
        Some(&[
            ("csrf_token", &token),
            ("email", &agent.email),
            ("password", "a wrong guess of a password"),
            ("next", "/queue"),
        ]),
        None,
    )
    .await;
    let verified = count(&answers, 401);
    let throttled = count(&answers, 429);
    assert!(verified >= 5, "the free attempts are verified: {verified}");
    assert!(
        verified <= allowed_within(5, elapsed),
        "{verified} wrong passwords verified in {elapsed:?}"
    );
    assert_eq!(verified + throttled, BURST, "only 401 and 429 answers");
    assert!(
        answers
            .iter()
            .filter(|a| a.status == 401)
            .all(|a| a.texts("[role=alert]").join(" ") == "Wrong e-mail or password.")
    );
    // Every verified guess is counted; the refused ones were never reserved.
    assert_eq!(failures(&app).await, verified as i64);
    // Now even the right password waits (a few more recent failures first, so that the wait
    // outlasts a slow machine's next request).
    sqlx::query(
        "INSERT INTO sign_in_failures (account, address)
         SELECT account, address FROM sign_in_failures LIMIT 5",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(browser.login(&agent.email, PASSWORD).await.status, 429);
}

#[actix_web::test]
async fn concurrent_wrong_current_passwords_at_the_password_form_are_throttled_with_sign_in() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let token = browser.get("/account").await.csrf();
    let new = "an entirely new passphrase";
    let (answers, elapsed) = burst(
        &browser,
        &format!("{}/account/password", app.address),
        Some(&[
            ("csrf_token", &token),
            ("current", "a wrong guess of a password"),
            ("new", new),
            ("confirm", new),
        ]),
        None,
    )
    .await;
    let verified = answers
        .iter()
        .filter(|a| a.status == 422 && a.body.contains("This is not your current password."))
        .count();
    let throttled = count(&answers, 429);
    assert!(verified >= 5, "the free attempts are verified: {verified}");
    assert!(
        verified <= allowed_within(5, elapsed),
        "{verified} wrong current passwords verified in {elapsed:?}"
    );
    assert_eq!(verified + throttled, BURST, "only 422 and 429 answers");
    let refused = answers.iter().find(|a| a.status == 429).unwrap();
    assert!(refused.headers.get("retry-after").is_some());
    assert!(refused.body.contains("Too many wrong passwords or codes"));

    // While throttled, the right current password is not checked and nothing changes. (A few
    // more recent failures first, so that the wait outlasts a slow machine's next request.)
    sqlx::query(
        "INSERT INTO sign_in_failures (account, address)
         SELECT account, address FROM sign_in_failures LIMIT 5",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let right = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(right.status, 429);
    // The same count as sign-in: the account's password step waits too.
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 429);

    // Once the failures age out, the old password still works: nothing was changed.
    sqlx::query("UPDATE sign_in_failures SET at = at - interval '20 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 303);
}

#[actix_web::test]
async fn a_right_current_password_does_not_count() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let token = browser.get("/account").await.csrf();
    // Right current password, but the new one is refused: nothing changes, nothing counts.
    let weak = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(!weak.body.contains("This is not your current password."));
    assert_eq!(failures(&app).await, 0);
    let wrong = browser
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current", "not my password at all"),
                ("new", "an entirely new passphrase"),
                ("confirm", "an entirely new passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(failures(&app).await, 1, "a wrong one counts");
}

#[actix_web::test]
async fn concurrent_wrong_status_lookups_get_at_most_the_free_attempts_checked() {
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
    let token = browser.get("/status").await.csrf();
    let (answers, elapsed) = burst(
        &browser,
        &format!("{}/status", app.address),
        Some(&[
            ("csrf_token", &token),
            ("reference", "CX-AB23-CD45"),
            ("msisdn", "0838 0000 0000"),
        ]),
        None,
    )
    .await;
    let checked = count(&answers, 200);
    let throttled = count(&answers, 429);
    assert!(checked >= 5, "the free attempts are checked: {checked}");
    assert!(
        checked <= allowed_within(5, elapsed),
        "{checked} wrong pairs checked in {elapsed:?}"
    );
    assert_eq!(checked + throttled, BURST, "only 200 and 429 answers");
    assert!(
        answers
            .iter()
            .filter(|a| a.status == 200)
            .all(|a| a.texts("#status-headline").is_empty())
    );
}

#[actix_web::test]
async fn a_found_status_does_not_count() {
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
    let token = browser.get("/status").await.csrf();
    for _ in 0..12 {
        let found = browser
            .post(
                "/status",
                &[
                    ("csrf_token", &token),
                    ("reference", "CX-AB23-CD45"),
                    ("msisdn", "0838 1234 5678"),
                ],
            )
            .await;
        assert_eq!(found.status, 200);
        assert_eq!(found.texts("#status-headline").len(), 1);
    }
    assert_eq!(failures(&app).await, 0);
}

/// A browser sending an active API token.
async fn api_client(app: &TestApp) -> Browser {
    let (_, token) = api_tokens::create(
        &app.pool,
        "hotline",
        canceldesk::domain::token_grant::TokenGrant::Intake(Channel::Hotline),
        None,
    )
    .await
    .unwrap();
    let client = app.client();
    client.bearer.replace(Some(token));
    client
}

#[actix_web::test]
async fn unknown_references_at_the_api_count_towards_its_throttle() {
    let app = spawn_app().await;
    insert_case(
        &app.pool,
        NewCase {
            reference: "CX-AB23-CD45",
            ..NewCase::default()
        },
    )
    .await;
    let hotline = api_client(&app).await;
    // Found cases do not count, however many.
    for _ in 0..12 {
        assert_eq!(hotline.get("/api/v1/cases/CX-AB23-CD45").await.status, 200);
    }
    assert_eq!(failures(&app).await, 0);
    // References that do not exist count like wrong tokens.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(hotline.get("/api/v1/cases/CX-ZZZZ-ZZZZ").await.status);
    }
    assert_eq!(&statuses[..5], &[404; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    // While throttled, not even an existing case is looked up.
    let refused = hotline.get("/api/v1/cases/CX-AB23-CD45").await;
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains("/api/v1/problems/throttled"));
}

#[actix_web::test]
async fn concurrent_token_guesses_at_the_api_get_at_most_the_free_attempts_checked() {
    let app = spawn_app().await;
    let (answers, elapsed) = burst(
        &app.client(),
        &format!("{}/api/v1/cases/CX-ZZZZ-ZZZZ", app.address),
        None,
        Some("cdk_guess"),
    )
    .await;
    let checked = count(&answers, 401);
    assert_eq!(checked + count(&answers, 429), BURST);
    assert!(
        checked <= allowed_within(5, elapsed),
        "{checked} tokens checked in {elapsed:?}"
    );
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'api_token_refused'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(refused, checked as i64, "only checked tokens are refused");
}

#[actix_web::test]
async fn unknown_upload_links_are_throttled() {
    let app = spawn_app().await;
    let browser = app.client();
    let mut statuses = Vec::new();
    for i in 0..7 {
        let guess = format!("{i}{}", "A".repeat(42));
        statuses.push(browser.get(&format!("/upload/{guess}")).await.status);
    }
    assert_eq!(&statuses[..5], &[404; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "{statuses:?}");
}
