//! Sensitive changes to one's own account need the current password (a session alone is not
//! enough), the owner hears of them by e-mail, TOTP secrets are encrypted at rest, one-time
//! passwords expire, and new passwords are checked against a real breach list.

use canceldesk::auth::keyring::Keyring;
use canceldesk::domain::agent::{AgentId, Role};
use canceldesk::store::second_factor::{self, Reseal};
use totp_rs::{Builder, Secret, Totp};

use crate::helpers::{Browser, PASSWORD, TEST_TOTP_KEY, TestApp, spawn_app};

fn code(totp: &Totp, steps: i64) -> String {
    totp.generate((chrono::Utc::now().timestamp() + steps * 30) as u64)
        .to_string()
}

/// Starts an enrolment and returns the secret shown (base32) and its authenticator.
async fn start_enrolment(browser: &Browser) -> (String, Totp) {
    let token = browser.get("/account/two-factor").await.csrf();
    browser
        .post("/account/two-factor/start", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/account/two-factor");
    let page = browser.get("/account/two-factor").await;
    let base32 = page.texts(".totp-secret").pop().unwrap().replace(' ', "");
    let secret = Secret::try_from_base32(base32.clone()).unwrap();
    (base32, Builder::new().with_secret(secret).build().unwrap())
}

async fn confirm(browser: &Browser, code: &str, password: &str) -> crate::helpers::Response {
    let token = browser.get("/account/two-factor").await.csrf();
    browser
        .post(
            "/account/two-factor/confirm",
            &[
                ("csrf_token", &token),
                ("code", code),
                ("password", password),
            ],
        )
        .await
}

async fn enabled(app: &TestApp) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agent_totp WHERE enabled_at IS NOT NULL)")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The agents' notices: (recipient, subject, body).
async fn agent_notices(app: &TestApp, agent: i64) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body FROM notices
         WHERE agent_id = $1 AND case_id IS NULL AND kind = 'account_security' AND channel = 'email'
         ORDER BY id",
    )
    .bind(agent)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_session_alone_cannot_add_a_second_factor_and_the_owner_is_told() {
    let app = spawn_app().await;
    let (thief, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    // The owner's other session.
    let owner = app.client();
    owner.login(&agent.email, PASSWORD).await;
    assert_eq!(owner.get("/queue").await.status, 200);

    let (_, totp) = start_enrolment(&thief).await;
    for password in ["", "a guessed password"] {
        let refused = confirm(&thief, &code(&totp, 0), password).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused
                .texts(".field-error")
                .concat()
                .contains("not your current password")
        );
        assert!(refused.texts(".recovery-codes code").is_empty());
    }
    assert!(!enabled(&app).await, "nothing was turned on");
    assert_eq!(owner.get("/queue").await.status, 200, "nobody signed out");
    assert!(agent_notices(&app, agent.id).await.is_empty());
    assert_eq!(audit_count(&app, "reauthentication_failed").await, 2);

    // With the password: on, the other session ends, and the owner's address hears of it.
    let done = confirm(&thief, &code(&totp, 0), PASSWORD).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(enabled(&app).await);
    assert_eq!(owner.get("/queue").await.status, 303);
    let notices = agent_notices(&app, agent.id).await;
    assert_eq!(notices.len(), 1);
    let (to, subject, body) = &notices[0];
    assert_eq!(to, &agent.email);
    assert!(subject.contains("turned on"), "{subject}");
    assert!(body.contains("tell a supervisor"), "{body}");
    // The outbox's worker sends it like any e-mail notice (no SMTP here: kept, not sent).
    let delivery = canceldesk::notices::worker::Delivery::from_settings(&app.settings).unwrap();
    let report = canceldesk::notices::worker::deliver_due(&app.pool, &delivery, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.no_gateway, 1);

    // Turning it off needs the password too, and is told as well.
    let token = thief.get("/account/two-factor").await.csrf();
    let refused = thief
        .post(
            "/account/two-factor/disable",
            &[("csrf_token", &token), ("password", "a guessed password")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(enabled(&app).await);
    thief
        .post(
            "/account/two-factor/disable",
            &[("csrf_token", &token), ("password", PASSWORD)],
        )
        .await
        .assert_redirects_to("/account/two-factor");
    assert!(!enabled(&app).await);
    let notices = agent_notices(&app, agent.id).await;
    assert_eq!(notices.len(), 2);
    assert!(notices[1].1.contains("turned off"));
}

async fn agent_email(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT email FROM agents WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn change_email(browser: &Browser, email: &str, password: &str) -> crate::helpers::Response {
    let token = browser.get("/account").await.csrf();
    browser
        .post(
            "/account/email",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
            ],
        )
        .await
}

#[actix_web::test]
async fn changing_the_email_needs_the_password_and_tells_the_old_address() {
    let app = spawn_app().await;
    let (ana, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let other = app.agent("Bob Agent", Role::Agent).await;
    let elsewhere = app.client();
    elsewhere.login(&agent.email, PASSWORD).await;
    let page = ana.get("/account").await;
    assert_eq!(
        page.texts(".current-email"),
        std::slice::from_ref(&agent.email)
    );

    for (email, password, problem) in [
        ("not an address", PASSWORD, "name@example.com"),
        (agent.email.as_str(), PASSWORD, "already"),
        (other.email.as_str(), PASSWORD, "Another account"),
        // Taken whatever its case.
        (&other.email.to_uppercase(), PASSWORD, "Another account"),
        (
            "ana.new@desk.test",
            "not my password",
            "not your current password",
        ),
    ] {
        let refused = change_email(&ana, email, password).await;
        assert_eq!(refused.status, 422, "{problem}: {}", refused.body);
        let errors = refused.texts(".field-error").concat();
        assert!(errors.contains(problem), "{problem}: {errors}");
        // What was typed is kept; the password never is.
        assert_eq!(refused.attr("#email", "value"), [email.trim().to_owned()]);
        assert!(!refused.body.contains("not my password"));
    }
    assert_eq!(agent_email(&app, agent.id).await, agent.email);
    assert!(agent_notices(&app, agent.id).await.is_empty());
    assert_eq!(audit_count(&app, "email_changed").await, 0);

    change_email(&ana, " Ana.New@Desk.test ", PASSWORD)
        .await
        .assert_redirects_to("/account");
    assert_eq!(agent_email(&app, agent.id).await, "ana.new@desk.test");
    assert_eq!(
        ana.get("/account").await.texts(".current-email"),
        ["ana.new@desk.test"]
    );
    // The old address is told, with the new one named.
    let notices = agent_notices(&app, agent.id).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0, agent.email);
    assert!(notices[0].2.contains("ana.new@desk.test"));
    let detail: serde_json::Value = sqlx::query_scalar(
        "SELECT detail FROM audit_events WHERE action = 'email_changed' AND actor_id = $1",
    )
    .bind(agent.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(detail["to"], "ana.new@desk.test");
    // Other sessions end; the new address signs in, the old one no longer does.
    assert_eq!(elsewhere.get("/queue").await.status, 303);
    assert_eq!(ana.get("/queue").await.status, 200);
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 401);
    app.client()
        .login("ana.new@desk.test", PASSWORD)
        .await
        .assert_redirects_to("/queue");
}

#[actix_web::test]
async fn the_current_password_check_is_throttled_per_account() {
    let app = spawn_app().await;
    let (ana, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let mut statuses = Vec::new();
    for guess in 0..5 {
        let guess = format!("guessed password {guess}");
        statuses.push(change_email(&ana, "ana.new@desk.test", &guess).await.status);
    }
    assert_eq!(statuses, [422; 5]);
    // Three more recent failures, so that the wait (8 s) outlasts the rest of the test.
    sqlx::query(
        "INSERT INTO sign_in_failures (account, address)
         SELECT account, address FROM sign_in_failures LIMIT 3",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let throttled = change_email(&ana, "ana.new@desk.test", "guessed password 6").await;
    assert_eq!(throttled.status, 429);
    // Even the right password waits now, and nothing changes.
    let waiting = change_email(&ana, "ana.new@desk.test", PASSWORD).await;
    assert_eq!(waiting.status, 429);
    assert!(waiting.body.contains("Nothing was changed"));
    assert_eq!(agent_email(&app, agent.id).await, agent.email);
    // The same account's sign-in waits too: the form is no way around the sign-in throttle.
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 429);
}

#[actix_web::test]
async fn totp_secrets_are_encrypted_at_rest_and_keys_rotate() {
    let app = spawn_app().await;
    let (ana, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    let (base32, totp) = start_enrolment(&ana).await;
    assert_eq!(confirm(&ana, &code(&totp, 0), PASSWORD).await.status, 200);
    let plain = Secret::try_from_base32(base32).unwrap().as_ref().to_vec();

    let (stored, key_id): (Vec<u8>, Option<String>) =
        sqlx::query_as("SELECT secret, key_id FROM agent_totp WHERE agent_id = $1")
            .bind(agent.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(key_id.as_deref(), Some("test"));
    assert_eq!(stored.len(), 24 + 20 + 16, "nonce, ciphertext, tag");
    assert!(!stored.windows(plain.len()).any(|w| w == plain));

    // A secret stored in plain text (before this release) is sealed at start, and still works.
    sqlx::query("UPDATE agent_totp SET secret = $2, key_id = NULL WHERE agent_id = $1")
        .bind(agent.id)
        .bind(&plain)
        .execute(&app.pool)
        .await
        .unwrap();
    let test_key = Keyring::parse(&[TEST_TOTP_KEY.to_owned()]).unwrap();
    second_factor::seal_plaintext_at_start(&app.pool, &test_key)
        .await
        .unwrap();
    let (stored, key_id): (Vec<u8>, Option<String>) =
        sqlx::query_as("SELECT secret, key_id FROM agent_totp WHERE agent_id = $1")
            .bind(agent.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(key_id.as_deref(), Some("test"));
    assert!(!stored.windows(plain.len()).any(|w| w == plain));
    let browser = app.client();
    browser
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/login/second-factor");
    let token = browser.get("/login/second-factor").await.csrf();
    browser
        .post(
            "/login/second-factor",
            &[("csrf_token", &token), ("code", &code(&totp, 1))],
        )
        .await
        .assert_redirects_to("/queue");

    // Rotation: a new key first, the old one still listed; re-encrypting moves every secret.
    let new = canceldesk::auth::keyring::generate_entry("next").unwrap();
    let rotated = Keyring::parse(&[new.clone(), TEST_TOTP_KEY.to_owned()]).unwrap();
    let moved = second_factor::reseal(&app.pool, &rotated, Reseal::NotCurrent)
        .await
        .unwrap();
    assert_eq!(moved, 1);
    let only_new = Keyring::parse(&[new]).unwrap();
    let found = second_factor::find(&app.pool, &only_new, AgentId(agent.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.secret.as_bytes(), plain.as_slice());
    // The old key alone no longer opens it.
    assert!(
        second_factor::find(&app.pool, &test_key, AgentId(agent.id))
            .await
            .is_err()
    );
    // Keys are never shown by the settings' Debug.
    let secret_part = TEST_TOTP_KEY.split_once(':').unwrap().1;
    assert!(!format!("{:?}", app.settings).contains(secret_part));
}

async fn one_time_password(app: &TestApp) -> String {
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
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
    made.texts("code.one-time")[0].clone()
}

#[actix_web::test]
async fn an_expired_one_time_password_cannot_sign_in() {
    let app = spawn_app().await;
    let one_time = one_time_password(&app).await;
    // 71 hours old: still good (the default is 72).
    sqlx::query("UPDATE agents SET password_set_at = now() - interval '71 hours' WHERE email = 'nina@canceldesk.test'")
        .execute(&app.pool)
        .await
        .unwrap();
    let fresh = app.client();
    fresh
        .login("nina@canceldesk.test", &one_time)
        .await
        .assert_redirects_to("/queue");
    assert_eq!(
        fresh.get("/queue").await.location.as_deref(),
        Some("/account")
    );

    sqlx::query("UPDATE agents SET password_set_at = now() - interval '73 hours' WHERE email = 'nina@canceldesk.test'")
        .execute(&app.pool)
        .await
        .unwrap();
    let late = app.client();
    let refused = late.login("nina@canceldesk.test", &one_time).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(
        refused
            .texts(".flash.error")
            .concat()
            .contains("Ask a supervisor"),
        "{}",
        refused.body
    );
    assert_eq!(late.get("/queue").await.status, 303, "not signed in");
    // A password the agent chose does not expire.
    let page = fresh.get("/account").await;
    fresh
        .post(
            "/account/password",
            &[
                ("csrf_token", &page.csrf()),
                ("current", &one_time),
                ("new", "nina's own long passphrase"),
                ("confirm", "nina's own long passphrase"),
            ],
        )
        .await
        .assert_redirects_to("/account");
    sqlx::query("UPDATE agents SET password_set_at = now() - interval '1000 hours' WHERE email = 'nina@canceldesk.test'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.client()
        .login("nina@canceldesk.test", "nina's own long passphrase")
        .await
        .assert_redirects_to("/queue");
}

#[actix_web::test]
async fn a_common_password_is_refused_and_a_strong_one_accepted() {
    let app = spawn_app().await;
    let (ana, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let change = |new: &'static str| {
        let ana = &ana;
        async move {
            let token = ana.get("/account").await.csrf();
            ana.post(
                "/account/password",
                &[
                    ("csrf_token", &token),
                    ("current", PASSWORD),
                    ("new", new),
                    ("confirm", new),
                ],
            )
            .await
        }
    };
    // Both from the 100,000-entry breach list, not the short hand-kept one.
    for common in ["zxcasdqwe123", "LeaveMeAlone"] {
        let refused = change(common).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused
                .texts(".field-error")
                .concat()
                .contains("attackers try first")
        );
    }
    change("violet kettle under the rain 7")
        .await
        .assert_redirects_to("/account");
}
