//! Two-factor sign-in (TOTP, RFC 6238): enrolment, the second sign-in step, recovery codes, the
//! desk-wide requirement and a supervisor's reset. Codes are computed from the secret scraped off
//! the enrolment page with `totp-rs`, as an authenticator app would.

use canceldesk::domain::agent::Role;
use totp_rs::{Builder, Secret, Totp};

use crate::helpers::{Browser, NewCase, PASSWORD, TestApp, insert_case, spawn_app};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The code an authenticator app shows `steps` steps (of 30 s) from now.
fn code(totp: &Totp, steps: i64) -> String {
    totp.generate((now() + steps * 30) as u64).to_string()
}

/// A six-digit code that is none of those accepted now.
fn wrong_code(totp: &Totp) -> String {
    let accepted: Vec<String> = (-2..=2).map(|s| code(totp, s)).collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|c| !accepted.contains(c))
        .unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn session_cookie(browser: &Browser) -> String {
    browser
        .cookies
        .borrow()
        .get("canceldesk")
        .cloned()
        .expect("a session cookie")
}

/// Enrols the signed-in agent of `browser` through the pages; returns the app's view of the
/// secret and the recovery codes shown once.
async fn enrol(browser: &Browser) -> (Totp, Vec<String>) {
    let page = browser.get("/account/two-factor").await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser
        .post("/account/two-factor/start", &[("csrf_token", &page.csrf())])
        .await
        .assert_redirects_to("/account/two-factor");
    let page = browser.get("/account/two-factor").await;
    assert_eq!(page.status, 200);
    let secret = page
        .texts(".totp-secret")
        .pop()
        .expect("the secret as text");
    let secret = Secret::try_from_base32(secret.replace(' ', "")).expect("base32");
    assert_eq!(secret.as_ref().len(), 20, "a 160-bit secret");
    let totp = Builder::new().with_secret(secret).build().unwrap();
    let token = page.csrf();

    let wrong = browser
        .post(
            "/account/two-factor/confirm",
            &[
                ("csrf_token", &token),
                ("code", &wrong_code(&totp)),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.texts(".recovery-codes code").is_empty());

    let done = browser
        .post(
            "/account/two-factor/confirm",
            &[
                ("csrf_token", &token),
                ("code", &code(&totp, 0)),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let codes = done.texts(".recovery-codes code");
    assert_eq!(codes.len(), 10, "{}", done.body);
    (totp, codes)
}

/// Password step only; returns the answer.
async fn password_step(browser: &Browser, email: &str) -> crate::helpers::Response {
    browser.login(email, PASSWORD).await
}

async fn second_step(browser: &Browser, code: &str) -> crate::helpers::Response {
    let page = browser.get("/login/second-factor").await;
    assert_eq!(page.status, 200, "{}", page.body);
    browser
        .post(
            "/login/second-factor",
            &[("csrf_token", &page.csrf()), ("code", code)],
        )
        .await
}

async fn sign_out(browser: &Browser) {
    let token = browser.get("/account").await.csrf();
    browser
        .post("/logout", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/login?signed_out=1");
}

#[actix_web::test]
async fn an_agent_enrols_then_needs_a_code_to_sign_in() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    assert!(
        browser
            .get("/account")
            .await
            .texts(".two-factor-status")
            .concat()
            .starts_with("Off")
    );

    // The QR code is an image of this site, SVG without inline styles, never cached; the page
    // has no inline style either (the CSP forbids both).
    let page = browser.get("/account/two-factor").await;
    browser
        .post("/account/two-factor/start", &[("csrf_token", &page.csrf())])
        .await;
    let page = browser.get("/account/two-factor").await;
    assert_eq!(page.attr("img.qr", "src"), ["/account/two-factor/qr.svg"]);
    assert!(!page.body.contains("style="));
    let qr = browser.get("/account/two-factor/qr.svg").await;
    assert_eq!(qr.status, 200);
    assert_eq!(qr.headers.get("content-type").unwrap(), "image/svg+xml");
    assert_eq!(qr.headers.get("cache-control").unwrap(), "no-store");
    assert!(qr.body.contains("<svg") && !qr.body.contains("style"));

    let (totp, codes) = enrol(&browser).await;
    // Stored hashed: no recovery code appears as typed.
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM recovery_codes WHERE agent_id = $1")
            .bind(agent.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|h| h.len() == 32));
    assert_eq!(audit_count(&app, "second_factor_enabled").await, 1);
    // Once enrolled, the secret is never shown again.
    assert_eq!(browser.get("/account/two-factor/qr.svg").await.status, 404);
    assert!(
        browser
            .get("/account/two-factor")
            .await
            .texts(".totp-secret")
            .is_empty()
    );
    assert_eq!(codes.iter().filter(|c| c.len() == 19).count(), 10);

    sign_out(&browser).await;
    // The password alone leads to the second step, and is not a sign-in.
    password_step(&browser, &agent.email)
        .await
        .assert_redirects_to("/login/second-factor");
    let queue = browser.get("/queue").await;
    assert_eq!(queue.status, 303);
    assert!(queue.location.unwrap().starts_with("/login"));
    let before = session_cookie(&browser);

    let page = browser.get("/login/second-factor").await;
    let token = page.csrf();
    let wrong = browser
        .post(
            "/login/second-factor",
            &[("csrf_token", &token), ("code", &wrong_code(&totp))],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.texts(".flash.error").len(), 1);
    assert_eq!(browser.get("/queue").await.status, 303);
    assert_eq!(audit_count(&app, "second_factor_failed").await, 1);
    let failures: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(failures, 1, "a wrong code counts toward the throttle");

    // The next code (one step ahead: the current one confirmed the enrolment).
    let next = code(&totp, 1);
    browser
        .post(
            "/login/second-factor",
            &[("csrf_token", &token), ("code", &next)],
        )
        .await
        .assert_redirects_to("/queue");
    assert_ne!(session_cookie(&browser), before, "a new session id");
    assert_eq!(browser.get("/queue").await.status, 200);
    let detail: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'sign_in' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(detail["method"], "totp");

    // The same code again, from another browser within its window: refused.
    let other = app.client();
    password_step(&other, &agent.email)
        .await
        .assert_redirects_to("/login/second-factor");
    let replay = second_step(&other, &next).await;
    assert_eq!(replay.status, 401);
    assert!(replay.body.contains("used already"), "{}", replay.body);
    assert_eq!(other.get("/queue").await.status, 303);
}

#[actix_web::test]
async fn a_recovery_code_works_once() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let (_, codes) = enrol(&browser).await;
    sign_out(&browser).await;

    password_step(&browser, &agent.email).await;
    // Typed in capitals with spaces: still the code.
    let typed = codes[0].to_uppercase().replace('-', " ");
    second_step(&browser, &typed)
        .await
        .assert_redirects_to("/queue");
    assert_eq!(audit_count(&app, "recovery_code_used").await, 1);
    let page = browser.get("/account/two-factor").await;
    assert_eq!(page.texts(".codes-left"), ["9"]);
    sign_out(&browser).await;

    password_step(&browser, &agent.email).await;
    let again = second_step(&browser, &codes[0]).await;
    assert_eq!(again.status, 401);
    assert_eq!(browser.get("/queue").await.status, 303);
    // Another one still works.
    second_step(&browser, &codes[1])
        .await
        .assert_redirects_to("/queue");
}

#[actix_web::test]
async fn new_recovery_codes_replace_the_old_and_turning_off_needs_the_password() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let (totp, old) = enrol(&browser).await;
    let token = browser.get("/account/two-factor").await.csrf();

    let refused = browser
        .post(
            "/account/two-factor/recovery-codes",
            &[("csrf_token", &token), ("password", "not my password")],
        )
        .await;
    assert_eq!(refused.status, 422);
    let fresh = browser
        .post(
            "/account/two-factor/recovery-codes",
            &[("csrf_token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    let new = fresh.texts(".recovery-codes code");
    assert_eq!(new.len(), 10);
    assert!(new.iter().all(|c| !old.contains(c)));
    assert_eq!(audit_count(&app, "recovery_codes_regenerated").await, 1);

    // A current code is no longer enough to turn it off: only the password is.
    let code_only = browser
        .post(
            "/account/two-factor/disable",
            &[("csrf_token", &token), ("password", &code(&totp, 1))],
        )
        .await;
    assert_eq!(code_only.status, 422);
    browser
        .post(
            "/account/two-factor/disable",
            &[("csrf_token", &token), ("password", PASSWORD)],
        )
        .await
        .assert_redirects_to("/account/two-factor");
    assert_eq!(audit_count(&app, "second_factor_disabled").await, 1);
    sign_out(&browser).await;
    // The password alone signs in again.
    password_step(&browser, &agent.email)
        .await
        .assert_redirects_to("/queue");
}

#[actix_web::test]
async fn failed_codes_are_throttled_like_failed_passwords() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let (totp, _) = enrol(&browser).await;
    sign_out(&browser).await;
    password_step(&browser, &agent.email).await;
    let token = browser.get("/login/second-factor").await.csrf();
    let wrong = wrong_code(&totp);
    for _ in 0..5 {
        let answer = browser
            .post(
                "/login/second-factor",
                &[("csrf_token", &token), ("code", &wrong)],
            )
            .await;
        assert_eq!(answer.status, 401);
    }
    let throttled = browser
        .post(
            "/login/second-factor",
            &[("csrf_token", &token), ("code", &code(&totp, 1))],
        )
        .await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert!(throttled.headers.get("retry-after").is_some());
    assert_eq!(browser.get("/queue").await.status, 303);
    // The same account's password step waits too.
    assert_eq!(password_step(&app.client(), &agent.email).await.status, 429);
}

#[actix_web::test]
async fn the_desk_can_require_a_second_factor_of_everyone() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = sue.get("/admin/agents").await;
    assert_eq!(
        page.attr("input[name=require_second_factor][checked]", "value"),
        Vec::<String>::new()
    );
    sue.post(
        "/admin/security",
        &[
            ("csrf_token", &page.csrf()),
            ("require_second_factor", "on"),
        ],
    )
    .await
    .assert_redirects_to("/admin/agents");
    assert_eq!(audit_count(&app, "setting_changed").await, 1);
    assert_eq!(
        sue.get("/admin/agents")
            .await
            .attr("input[name=require_second_factor][checked]", "value"),
        ["on"]
    );

    // An agent without a second factor signs in and can reach only the enrolment.
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    for path in ["/queue", "/cases/CX-TEST-CASE", "/account", "/bulk"] {
        ana.get(path)
            .await
            .assert_redirects_to("/account/two-factor");
    }
    let token = ana.get("/account/two-factor").await.csrf();
    ana.post(
        "/cases/CX-TEST-CASE/claim",
        &[("csrf_token", &token), ("version", "1")],
    )
    .await
    .assert_redirects_to("/account/two-factor");
    enrol(&ana).await;
    assert_eq!(ana.get("/queue").await.status, 200);

    // A new account with a one-time password: the password first, then the second factor
    // (never one rule sending the agent to the other's page and back).
    let page = sue.get("/admin/agents").await;
    let made = sue
        .post(
            "/admin/agents",
            &[
                ("csrf_token", &page.csrf()),
                ("name", "Nina New"),
                ("email", "nina@canceldesk.test"),
                ("role", "agent"),
            ],
        )
        .await;
    let one_time = made.texts("code.one-time")[0].clone();
    let nina = app.client();
    nina.login("nina@canceldesk.test", &one_time).await;
    nina.get("/queue").await.assert_redirects_to("/account");
    let account = nina.get("/account").await;
    assert_eq!(account.status, 200, "the password page is reachable");
    nina.post(
        "/account/password",
        &[
            ("csrf_token", &account.csrf()),
            ("current", &one_time),
            ("new", "a brand new passphrase for nina"),
            ("confirm", "a brand new passphrase for nina"),
        ],
    )
    .await;
    nina.get("/queue")
        .await
        .assert_redirects_to("/account/two-factor");
    assert_eq!(nina.get("/account/two-factor").await.status, 200);

    // Required: it cannot be turned off.
    let token = ana.get("/account/two-factor").await.csrf();
    let refused = ana
        .post(
            "/account/two-factor/disable",
            &[("csrf_token", &token), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 422);
    let enabled: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agent_totp WHERE enabled_at IS NOT NULL)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(enabled);

    // Off again: the setting is recorded both ways.
    let token = sue.get("/admin/agents").await.csrf();
    sue.post("/admin/security", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/admin/agents");
    assert_eq!(audit_count(&app, "setting_changed").await, 2);
    let (bob, _) = app.signed_in("Bob Agent", Role::Agent).await;
    assert_eq!(bob.get("/queue").await.status, 200);
}

#[actix_web::test]
async fn a_supervisor_resets_a_lost_second_factor() {
    let app = spawn_app().await;
    let (ana, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    enrol(&ana).await;
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = sue.get("/admin/agents").await;
    assert!(page.texts("td.second-factor").contains(&"on".to_string()));
    sue.post(
        &format!("/admin/agents/{}", agent.id),
        &[
            ("csrf_token", &page.csrf()),
            ("change", "reset_second_factor"),
        ],
    )
    .await
    .assert_redirects_to("/admin/agents");
    let detail: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'account_changed' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(detail["change"], "reset_second_factor");
    // The agent's sessions ended; the password alone signs in now.
    assert_eq!(ana.get("/queue").await.status, 303);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM agent_totp")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0);
    password_step(&ana, &agent.email)
        .await
        .assert_redirects_to("/queue");
    // Nothing left to reset.
    let token = sue.get("/admin/agents").await.csrf();
    let again = sue
        .post(
            &format!("/admin/agents/{}", agent.id),
            &[("csrf_token", &token), ("change", "reset_second_factor")],
        )
        .await;
    assert_eq!(again.status, 422);
}

#[actix_web::test]
async fn guessing_passwords_on_the_account_page_is_throttled_too() {
    let app = spawn_app().await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    enrol(&ana).await;
    let token = ana.get("/account/two-factor").await.csrf();
    let mut statuses = Vec::new();
    for guess in 0..7 {
        let guess = format!("not the password {guess}");
        statuses.push(
            ana.post(
                "/account/two-factor/disable",
                &[("csrf_token", &token), ("password", &guess)],
            )
            .await
            .status,
        );
    }
    assert_eq!(&statuses[..5], &[422; 5], "{statuses:?}");
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    let still_on: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agent_totp WHERE enabled_at IS NOT NULL)")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(still_on);
}
