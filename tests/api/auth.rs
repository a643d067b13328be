//! Signing in and out, sessions, the sign-in guard and CSRF.

use canceldesk::domain::agent::Role;

use std::time::Duration;

use crate::helpers::{Browser, NewCase, PASSWORD, document_id, insert_case, snapshot, spawn_app};

#[actix_web::test]
async fn an_agent_signs_in_lands_on_the_queue_and_signs_out() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    browser
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let queue = browser.get("/queue").await;
    assert_eq!(queue.status, 200);
    assert_eq!(queue.texts("h1"), vec!["Queue"]);
    assert!(queue.texts(".who").join(" ").contains("Ana Agent"));

    let token = queue.csrf();
    browser
        .post("/logout", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/login?signed_out=1");
    assert_eq!(
        browser.get("/queue").await.location.as_deref(),
        Some("/login?next=/queue")
    );
}

#[actix_web::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let wrong_password = app.client().login(&agent.email, "not the password").await;
    let unknown_email = app.client().login("nobody@desk.test", PASSWORD).await;
    let not_an_email = app.client().login("nobody", PASSWORD).await;
    for response in [&wrong_password, &unknown_email, &not_an_email] {
        assert_eq!(response.status, 401);
        assert_eq!(
            response.texts("[role=alert]"),
            vec!["Wrong e-mail or password."]
        );
    }
    // The typed e-mail is kept; the password is not echoed.
    assert_eq!(
        wrong_password.attr("input[name=email]", "value"),
        vec![agent.email.clone()]
    );
    assert!(!wrong_password.body.contains("not the password"));
}

#[actix_web::test]
async fn the_session_id_changes_at_sign_in() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    let sign_in = |token: String| {
        let browser = &browser;
        let email = agent.email.clone();
        async move {
            browser
                .post(
                    "/login",
                    &[
                        ("csrf_token", &token),
                        ("email", &email),
                        ("password", PASSWORD),
                    ],
                )
                .await
        }
    };
    let page = browser.get("/login").await;
    // Nothing is stored for an anonymous visitor: the form's token rides on its own cookie.
    assert!(!browser.cookies.borrow().contains_key("canceldesk"));
    let csrf_cookie = page
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        csrf_cookie.starts_with("canceldesk-csrf=")
            && csrf_cookie.contains("httponly")
            && csrf_cookie.contains("samesite=lax"),
        "{csrf_cookie}"
    );
    let signed_in = sign_in(page.csrf()).await;
    signed_in.assert_redirects_to("/queue");
    let before = browser
        .cookies
        .borrow()
        .get("canceldesk")
        .cloned()
        .expect("a session cookie after sign-in");
    let cookie = signed_in
        .headers
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .find(|c| c.starts_with("canceldesk="))
        .unwrap();
    assert!(
        cookie.contains("httponly") && cookie.contains("samesite=lax"),
        "{cookie}"
    );
    // Signing in again from a session that exists gets a new id.
    let token = browser.get("/account").await.csrf();
    sign_in(token).await.assert_redirects_to("/queue");
    let after = browser
        .cookies
        .borrow()
        .get("canceldesk")
        .cloned()
        .expect("a session cookie after the second sign-in");
    assert_ne!(before, after);
}

#[actix_web::test]
async fn a_signed_out_session_cannot_be_replayed() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let stolen = browser.cookies.borrow().clone();
    let queue = browser.get("/queue").await;
    browser
        .post("/logout", &[("csrf_token", &queue.csrf())])
        .await;

    let thief = app.client();
    *thief.cookies.borrow_mut() = stolen;
    let response = thief.get("/queue").await;
    assert_eq!(response.status, 303);
    assert_eq!(response.location.as_deref(), Some("/login?next=/queue"));
    let sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sessions WHERE agent_id IS NOT NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(sessions, 0);
}

#[actix_web::test]
async fn a_deactivated_agent_is_signed_out_at_the_next_request() {
    let app = spawn_app().await;
    let (browser, agent) = app.signed_in("Ana Agent", Role::Agent).await;
    assert_eq!(browser.get("/queue").await.status, 200);
    sqlx::query("UPDATE agents SET active = false WHERE id = $1")
        .bind(agent.id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.get("/queue").await.status, 303);
}

#[actix_web::test]
async fn every_protected_route_sends_anonymous_users_to_sign_in() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let before = snapshot(&app.pool, "CX-TEST-CASE").await;
    let browser = app.client();
    for path in [
        "/",
        "/queue",
        "/queue?state=all",
        "/cases/CX-TEST-CASE",
        "/cases/CX-TEST-CASE/documents/1",
        "/no/such/page",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status, 303, "{path}");
        let location = response.location.unwrap_or_default();
        assert!(location.starts_with("/login"), "{path} -> {location}");
        assert!(!response.body.contains("Siti"), "{path} leaks data");
    }
    // A browser holding a session (and its token) but not signed in.
    let token = browser.get("/login").await.csrf();
    for action in [
        "claim",
        "assign",
        "notes",
        "approve",
        "reject",
        "request-documents",
        "documents/1/verdict",
    ] {
        let response = browser
            .post(
                &format!("/cases/CX-TEST-CASE/{action}"),
                &[("csrf_token", &token), ("version", "1")],
            )
            .await;
        assert_eq!(response.status, 303, "{action}");
        assert_eq!(response.location.as_deref(), Some("/login"), "{action}");
    }
    assert_eq!(snapshot(&app.pool, "CX-TEST-CASE").await, before);
    // Public pages stay public.
    assert_eq!(browser.get("/login").await.status, 200);
    assert_eq!(browser.get("/healthz").await.status, 200);
    assert_eq!(browser.get("/static/app.css").await.status, 200);
}

#[actix_web::test]
async fn a_post_without_or_with_a_wrong_csrf_token_changes_nothing() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let before = snapshot(&app.pool, "CX-TEST-CASE").await;
    let missing = browser
        .post("/cases/CX-TEST-CASE/claim", &[("version", "1")])
        .await;
    let wrong = browser
        .post(
            "/cases/CX-TEST-CASE/claim",
            &[("csrf_token", "forged"), ("version", "1")],
        )
        .await;
    for response in [missing, wrong] {
        assert_eq!(response.status, 403);
        assert_eq!(response.texts("h1"), vec!["This form has expired"]);
    }
    assert_eq!(snapshot(&app.pool, "CX-TEST-CASE").await, before);
    // Another agent's token does not work either.
    let (other, _) = app.signed_in("Bob Agent", Role::Agent).await;
    let others_token = other.get("/queue").await.csrf();
    let response = browser
        .post(
            "/cases/CX-TEST-CASE/claim",
            &[("csrf_token", &others_token), ("version", "1")],
        )
        .await;
    assert_eq!(response.status, 403);
    assert_eq!(snapshot(&app.pool, "CX-TEST-CASE").await, before);
}

#[actix_web::test]
async fn pages_carry_security_headers() {
    let app = spawn_app().await;
    let (browser, _) = app.signed_in("Ana Agent", Role::Agent).await;
    for path in ["/login", "/queue"] {
        let response = browser.get(path).await;
        let header = |name: &str| {
            response
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff");
        assert_eq!(header("cache-control"), "no-store");
    }
}

#[actix_web::test]
async fn failed_sign_ins_are_throttled_and_released() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    for _ in 0..5 {
        assert_eq!(
            browser.login(&agent.email, "wrong password").await.status,
            401
        );
    }
    // Even the right password is not checked now.
    let throttled = browser.login(&agent.email, PASSWORD).await;
    assert_eq!(throttled.status, 429);
    assert!(
        throttled
            .texts("[role=alert]")
            .join(" ")
            .contains("Too many failed sign-ins")
    );
    assert!(throttled.headers.get("retry-after").is_some());
    // Other accounts from elsewhere are not affected... (same address, but under its own limit)
    let other = app.agent("Bob Agent", Role::Agent).await;
    assert_eq!(app.client().login(&other.email, PASSWORD).await.status, 303);

    // Time passes (the failures age out of the window): the real agent gets in again.
    sqlx::query("UPDATE sign_in_failures SET at = at - interval '20 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(browser.login(&agent.email, PASSWORD).await.status, 303);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        left, 0,
        "a successful sign-in forgives the account's failures"
    );
}

#[actix_web::test]
async fn one_address_trying_many_accounts_is_throttled() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    for i in 0..20 {
        let response = app
            .client()
            .login(&format!("guess{i}@desk.test"), "wrong password")
            .await;
        assert_eq!(response.status, 401);
    }
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 429);
}

#[actix_web::test]
async fn the_audit_trail_records_who_did_what_and_only_supervisors_read_it() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let browser = app.client();
    assert_eq!(
        browser.login(&agent.email, "wrong password").await.status,
        401
    );
    browser
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let doc = document_id(&app.pool, "CX-TEST-CASE").await;
    assert_eq!(
        browser
            .get(&format!("/cases/CX-TEST-CASE/documents/{doc}"))
            .await
            .status,
        200
    );
    browser
        .act("CX-TEST-CASE", "claim", &[])
        .await
        .assert_redirects_to("/cases/CX-TEST-CASE");
    let forged = browser
        .post(
            "/cases/CX-TEST-CASE/notes",
            &[("csrf_token", "forged"), ("note", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    // Agents may not read the trail; trying is recorded too.
    assert_eq!(browser.get("/admin/audit").await.status, 403);
    let token = browser.get("/queue").await.csrf();
    browser.post("/logout", &[("csrf_token", &token)]).await;

    let actions: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT action, target FROM audit_events ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let expected = [
        ("sign_in_failed", None),
        ("sign_in", None),
        (
            "document_viewed",
            Some(format!("CX-TEST-CASE/documents/{doc}")),
        ),
        ("case_action", Some("CX-TEST-CASE".to_string())),
        (
            "access_denied",
            Some("/cases/CX-TEST-CASE/notes".to_string()),
        ),
        ("access_denied", Some("/admin/audit".to_string())),
        ("sign_out", None),
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(a, t)| (a.to_string(), t.clone()))
        .collect();
    assert_eq!(actions, expected);
    let refused = sqlx::raw_sql("DELETE FROM audit_events")
        .execute(&app.pool)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"));

    let (supervisor, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = supervisor.get("/admin/audit?target=CX-TEST-CASE").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("tr.audit-row td.action"), vec!["case action"]);
    let all = supervisor.get("/admin/audit?action=document_viewed").await;
    assert_eq!(
        all.texts("tr.audit-row td.target"),
        vec![format!("CX-TEST-CASE/documents/{doc}")]
    );
}

#[actix_web::test]
async fn an_agent_changes_the_password_and_other_sessions_end() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let desk = app.client();
    desk.login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let phone = app.client();
    phone
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let page = desk.get("/account").await;
    assert_eq!(page.texts("tr.session").len(), 2);
    assert_eq!(
        page.texts("tr.session td:last-child")
            .iter()
            .filter(|t| *t == "this browser")
            .count(),
        1
    );
    let token = page.csrf();
    let hash_before: String = sqlx::query_scalar("SELECT password_hash FROM agents")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    for (current, new, confirm, problem) in [
        (
            "not my password",
            "a brand new passphrase",
            "a brand new passphrase",
            "not your current password",
        ),
        (PASSWORD, "short", "short", "at least 12"),
        (
            PASSWORD,
            "Password1234",
            "Password1234",
            "attackers try first",
        ),
        (
            PASSWORD,
            "a brand new passphrase",
            "a different one",
            "differ",
        ),
    ] {
        let response = desk
            .post(
                "/account/password",
                &[
                    ("csrf_token", &token),
                    ("current", current),
                    ("new", new),
                    ("confirm", confirm),
                ],
            )
            .await;
        assert_eq!(response.status, 422, "{problem}");
        assert!(
            response.texts(".field-error").join(" ").contains(problem),
            "{problem}: {:?}",
            response.texts(".field-error")
        );
        assert!(
            !response.body.contains(new) || new == "short",
            "typed passwords are not echoed"
        );
    }
    let unchanged: String = sqlx::query_scalar("SELECT password_hash FROM agents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(unchanged, hash_before);

    let done = desk
        .post(
            "/account/password",
            &[
                ("csrf_token", &token),
                ("current", PASSWORD),
                ("new", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    done.assert_redirects_to("/account");
    assert_eq!(desk.get("/queue").await.status, 200, "this session goes on");
    assert_eq!(
        phone.get("/queue").await.status,
        303,
        "the other session ended"
    );
    assert_eq!(app.client().login(&agent.email, PASSWORD).await.status, 401);
    assert_eq!(
        app.client()
            .login(&agent.email, "a brand new passphrase")
            .await
            .status,
        303
    );
}

#[actix_web::test]
async fn sign_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let agent = app.agent("Ana Agent", Role::Agent).await;
    let desk = app.client();
    desk.login(&agent.email, PASSWORD).await;
    let phone = app.client();
    phone.login(&agent.email, PASSWORD).await;
    let token = desk.get("/account").await.csrf();
    desk.post("/account/sign-out-everywhere", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/login?signed_out=1");
    assert_eq!(desk.get("/queue").await.status, 303);
    assert_eq!(phone.get("/queue").await.status, 303);
}

#[actix_web::test]
async fn supervisors_manage_accounts_and_changes_end_sessions() {
    let app = spawn_app().await;
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let page = sue.get("/admin/agents").await;
    assert_eq!(page.status, 200);
    let token = page.csrf();

    // Create: a one-time password, to be replaced at the first sign-in.
    let bad = sue
        .post(
            "/admin/agents",
            &[
                ("csrf_token", &token),
                ("email", "not-an-email"),
                ("name", "Nia"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    let created = sue
        .post(
            "/admin/agents",
            &[
                ("csrf_token", &token),
                ("email", "nia@desk.test"),
                ("name", "Nia New"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    let one_time = created
        .texts("code.one-time")
        .pop()
        .expect("the one-time password");
    let nia = app.client();
    nia.login("nia@desk.test", &one_time)
        .await
        .assert_redirects_to("/queue");
    assert_eq!(
        nia.get("/queue").await.location.as_deref(),
        Some("/account"),
        "must choose a password first"
    );
    let account = nia.get("/account").await;
    nia.post(
        "/account/password",
        &[
            ("csrf_token", &account.csrf()),
            ("current", &one_time),
            ("new", "nia's own long passphrase"),
            ("confirm", "nia's own long passphrase"),
        ],
    )
    .await
    .assert_redirects_to("/account");
    assert_eq!(nia.get("/queue").await.status, 200);

    // Promote: her sessions end (the role is read at sign-in).
    let id: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = 'nia@desk.test'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sue.post(
        &format!("/admin/agents/{id}"),
        &[("csrf_token", &token), ("change", "make_supervisor")],
    )
    .await
    .assert_redirects_to("/admin/agents");
    assert_eq!(nia.get("/queue").await.status, 303);
    nia.login("nia@desk.test", "nia's own long passphrase")
        .await
        .assert_redirects_to("/queue");
    assert_eq!(
        nia.get("/admin/agents").await.status,
        200,
        "now a supervisor"
    );

    // Deactivate: signed out at once, cannot sign in; reactivate: can again.
    sue.post(
        &format!("/admin/agents/{id}"),
        &[("csrf_token", &token), ("change", "deactivate")],
    )
    .await;
    assert_eq!(nia.get("/queue").await.status, 303);
    assert_eq!(
        nia.login("nia@desk.test", "nia's own long passphrase")
            .await
            .status,
        401
    );
    sue.post(
        &format!("/admin/agents/{id}"),
        &[("csrf_token", &token), ("change", "reactivate")],
    )
    .await;
    assert_eq!(
        nia.login("nia@desk.test", "nia's own long passphrase")
            .await
            .status,
        303
    );

    // Reset: a new one-time password; the old one no longer works.
    let reset = sue
        .post(
            &format!("/admin/agents/{id}"),
            &[("csrf_token", &token), ("change", "reset_password")],
        )
        .await;
    let again = reset
        .texts("code.one-time")
        .pop()
        .expect("a new one-time password");
    assert_eq!(
        app.client()
            .login("nia@desk.test", "nia's own long passphrase")
            .await
            .status,
        401
    );
    assert_eq!(
        app.client().login("nia@desk.test", &again).await.status,
        303
    );

    // A supervisor cannot lock themselves out here.
    let me: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE name = 'Sue Supervisor'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let own = sue
        .post(
            &format!("/admin/agents/{me}"),
            &[("csrf_token", &token), ("change", "deactivate")],
        )
        .await;
    assert_eq!(own.status, 422);
    let changes: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'account_changed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(changes, 5);
}

#[actix_web::test]
async fn sessions_end_after_the_idle_and_the_absolute_timeout() {
    let app = spawn_app().await;
    let (idle, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let (long, _) = app.signed_in("Bob Agent", Role::Agent).await;
    assert_eq!(idle.get("/queue").await.status, 200);
    // The clock moves on: 31 minutes without a request.
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE agent_id = (SELECT id FROM agents WHERE name = 'Ana Agent')")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(idle.get("/queue").await.status, 303, "idle timeout");
    // Active all along, but signed in 13 hours ago.
    let thirteen_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(13))
        .timestamp()
        .to_string();
    sqlx::query("UPDATE sessions SET state = jsonb_set(state, '{signed_in_at}', to_jsonb($1::text)) WHERE agent_id = (SELECT id FROM agents WHERE name = 'Bob Agent')")
        .bind(&thirteen_hours_ago)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(long.get("/queue").await.status, 303, "absolute timeout");
}

#[actix_web::test]
async fn script_in_any_text_field_comes_back_escaped() {
    let app = spawn_app().await;
    const XSS: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    insert_case(
        &app.pool,
        NewCase {
            name: XSS,
            ..NewCase::default()
        },
    )
    .await;
    let (sue, _) = app.signed_in("Sue Supervisor", Role::Supervisor).await;
    let token = sue.get("/queue").await.csrf();
    // An agent named with a payload, a note, a rejection message and a bulk note.
    // Each must really be stored, or the checks below would pass on pages without the payload.
    let added = sue
        .post(
            "/admin/agents",
            &[
                ("csrf_token", &token),
                ("email", "x@desk.test"),
                ("name", XSS),
                ("role", "agent"),
            ],
        )
        .await;
    // Answered with the new agent's one-time password, on the agents page.
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(added.texts(".flash.success code.one-time").len(), 1);
    for (action, fields) in [
        ("claim", vec![]),
        ("notes", vec![("note", XSS)]),
        ("reject", vec![("reason", "other"), ("message", XSS)]),
    ] {
        sue.act("CX-TEST-CASE", action, &fields)
            .await
            .assert_redirects_to("/cases/CX-TEST-CASE");
    }
    let preview = sue
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &token),
                ("scope", "filter"),
                ("state", "all"),
                ("q", XSS),
                ("action", "note"),
                ("note", XSS),
            ],
        )
        .await;
    for path in [
        "/queue?state=all",
        "/cases/CX-TEST-CASE",
        "/admin/agents",
        "/admin/audit",
        &format!("/queue?q={}", "%3Cscript%3E"),
    ] {
        let page = sue.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("<script>alert"), "{path}");
        assert!(!page.body.contains("<img src=x"), "{path}");
    }
    // Shown, as text.
    for path in ["/queue?state=all", "/cases/CX-TEST-CASE", "/admin/agents"] {
        let text = sue.get(path).await.texts("main").join(" ");
        assert!(
            text.contains("<script>alert('x')</script>"),
            "{path}: {text}"
        );
    }
    // The bulk pages too (the filter text is shown back).
    let choose = sue
        .get("/bulk?scope=filter&state=all&q=%3Cscript%3Ealert(1)%3C/script%3E")
        .await;
    assert_eq!(choose.status, 200);
    assert!(!choose.body.contains("<script>alert"));
    let url = preview.location.expect("a preview");
    let previewed = sue.get(&url).await;
    assert_eq!(previewed.status, 200);
    assert!(!previewed.body.contains("<script>alert"));
    assert!(
        previewed
            .texts("main")
            .join(" ")
            .contains("<script>alert('x')")
    );
}

/// A browser on another instance carrying the same cookies (no sticky sessions).
fn same_cookies_on(address: &str, browser: &Browser) -> Browser {
    let other = Browser::new(address);
    *other.cookies.borrow_mut() = browser.cookies.borrow().clone();
    other
}

/// Polls `path` on `browser` until it is sent to the sign-in page; how long that took.
async fn signed_out_within(browser: &Browser, path: &str, limit: Duration) -> Duration {
    let started = std::time::Instant::now();
    loop {
        let response = browser.get(path).await;
        if response.status == 303
            && response
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login"))
        {
            return started.elapsed();
        }
        assert_eq!(response.status, 200, "{path}");
        assert!(
            started.elapsed() < limit,
            "the other instance still served the ended session after {limit:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
}

#[actix_web::test]
async fn ending_a_session_on_one_instance_ends_it_on_another_that_cached_it() {
    let app = spawn_app().await;
    let (b_address, b_cache) = app.second_instance().await;
    let (on_a, agent) = app.signed_in("Sam Twice", Role::Agent).await;
    let on_b = same_cookies_on(&b_address, &on_a);
    // Instance b holds the session once it stops changing (the first page writes the CSRF
    // token into it), and serves the next pages from memory.
    // (b caches only once its change listener is connected: on a loaded machine that can take
    // a moment after start.)
    for _ in 0..100 {
        assert_eq!(on_b.get("/queue").await.status, 200);
        if b_cache.len() == 1 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(b_cache.len(), 1, "b cached the session");
    assert_eq!(on_b.get("/queue").await.status, 200);

    // Signed out on a: b lets the copied cookie in no more, at once.
    let token = on_a.get("/queue").await.csrf();
    on_a.post("/logout", &[("csrf_token", &token)])
        .await
        .assert_redirects_to("/login?signed_out=1");
    let took = signed_out_within(&on_b, "/queue", Duration::from_millis(500)).await;
    assert!(b_cache.is_empty(), "b dropped its copy");
    println!("sign-out reached the other instance in {took:?}");

    // Deactivated by a supervisor on a: the agent's session on b ends too.
    let again = app.client();
    again
        .login(&agent.email, PASSWORD)
        .await
        .assert_redirects_to("/queue");
    let again_on_b = same_cookies_on(&b_address, &again);
    // As above: b caches the new session once it stops changing (a loaded machine may take a
    // few pages).
    for _ in 0..100 {
        assert_eq!(again_on_b.get("/queue").await.status, 200);
        if b_cache.len() == 1 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(b_cache.len(), 1, "b cached the new session");
    let (supervisor, _) = app.signed_in("Sue Visor", Role::Supervisor).await;
    let admin = supervisor.get("/admin/agents").await;
    supervisor
        .post(
            &format!("/admin/agents/{}", agent.id),
            &[("csrf_token", &admin.csrf()), ("change", "deactivate")],
        )
        .await;
    signed_out_within(&again_on_b, "/queue", Duration::from_millis(500)).await;
}
