//! The authorization matrix: every route of the route table × {anonymous, agent, supervisor,
//! deactivated agent, API token, revoked API token}, and every signed-in route × {agent who must
//! change the password, agent who must set up a second factor}. Generated from
//! `startup::route_rules()`, so a new route is checked the moment it exists. Also: no GET changes
//! anything, the table's rules are the ones the middleware finds, and a request no rule answers
//! gets the strictest treatment.

use actix_web::http::Method;
use canceldesk::auth::access::{Access, RouteMap, RouteRule};
use canceldesk::domain::agent::Role;
use canceldesk::startup::route_rules;

use crate::helpers::{Browser, NewCase, PASSWORD, Response, TestApp, insert_case, spawn_app};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Agent,
    Supervisor,
    Deactivated,
    ApiToken,
    RevokedToken,
}

async fn browser_for(app: &TestApp, who: Who) -> Browser {
    match who {
        Who::Anonymous => app.client(),
        Who::Agent => app.signed_in("Ana Agent", Role::Agent).await.0,
        Who::Supervisor => app.signed_in("Sue Supervisor", Role::Supervisor).await.0,
        Who::Deactivated => {
            let (browser, agent) = app.signed_in("Dee Deactivated", Role::Agent).await;
            sqlx::query("UPDATE agents SET active = false WHERE id = $1")
                .bind(agent.id)
                .execute(&app.pool)
                .await
                .unwrap();
            browser
        }
        Who::ApiToken | Who::RevokedToken => {
            let name = format!("{who:?}");
            let channel = canceldesk::domain::request::Channel::Hotline;
            let (_, token) = canceldesk::store::api_tokens::create(
                &app.pool,
                &name,
                canceldesk::domain::token_grant::TokenGrant::Intake(channel),
                None,
            )
            .await
            .unwrap();
            if who == Who::RevokedToken {
                canceldesk::store::api_tokens::revoke(&app.pool, &name, None)
                    .await
                    .unwrap();
            }
            let browser = app.client();
            *browser.bearer.borrow_mut() = Some(token);
            browser
        }
    }
}

/// Everything but the audit trail, to show that GETs change nothing.
async fn fingerprint(app: &TestApp) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COALESCE(sum(version), 0)::bigint FROM cases),
                (SELECT count(*) FROM case_events),
                (SELECT count(*) FROM bulk_operations),
                (SELECT count(*) FROM documents WHERE verdict <> 'pending')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Routes that end the visitor's session: walked last.
const SIGN_OUTS: [&str; 2] = ["/logout", "/account/sign-out-everywhere"];

/// The table's rules, those that end the session last (and `/logout`, which visitors with a
/// step pending may still reach, at the very end).
fn rules_sign_outs_last() -> Vec<RouteRule> {
    let mut rules = route_rules();
    rules.sort_by_key(|r| (SIGN_OUTS.contains(&r.path), r.path == "/logout"));
    rules
}

/// A path the route's pattern matches, with the test's case, document and bulk operation.
fn concrete(pattern: &str, document: i64, bulk_id: &str) -> String {
    pattern
        .replace("{reference}", "CX-TEST-CASE")
        .replace("{file}", "app.css")
        .replace("{agent}", "0")
        .replace("{token}", "0")
        .replace("/bulk/{id}", &format!("/bulk/{bulk_id}"))
        .replace("{id}", &document.to_string())
}

fn signed_out(response: &Response) -> bool {
    response.status == 303
        && response
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login"))
}

#[actix_web::test]
async fn every_route_answers_each_kind_of_visitor_as_its_rule_says() {
    let app = spawn_app().await;
    insert_case(&app.pool, NewCase::default()).await;
    let document: i64 = sqlx::query_scalar("SELECT id FROM documents")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // A bulk operation to address (previewed by a supervisor, never applied here).
    let (sue, _) = app.signed_in("Sam Supervisor", Role::Supervisor).await;
    let token = sue.get("/queue").await.csrf();
    let preview = sue
        .post(
            "/bulk/preview",
            &[
                ("csrf_token", &token),
                ("scope", "filter"),
                ("state", "all"),
                ("action", "note"),
                ("note", "n"),
            ],
        )
        .await;
    let bulk_id = preview
        .location
        .expect("a preview")
        .trim_start_matches("/bulk/")
        .to_owned();

    let rules = rules_sign_outs_last();
    assert!(rules.len() >= 20, "the table lists every route");
    // Token holders first: the refused API calls of the others count toward the per-address
    // throttle of the API (all visitors here share one address).
    for who in [
        Who::ApiToken,
        Who::RevokedToken,
        Who::Anonymous,
        Who::Agent,
        Who::Supervisor,
        Who::Deactivated,
    ] {
        let browser = browser_for(&app, who).await;
        // API routes answer tokens of their own scope: an intake token for /api/v1/cases, an
        // orders token for /api/v1/orders, a finance token for /api/v1/settlements (revoked
        // ones for the revoked visitor).
        let intake_token = browser.bearer.borrow().clone();
        let mut scoped = Vec::new();
        if matches!(who, Who::ApiToken | Who::RevokedToken) {
            use canceldesk::domain::token_grant::TokenGrant;
            for (prefix, grant) in [
                ("/api/v1/orders", TokenGrant::Orders),
                ("/api/v1/settlements", TokenGrant::Finance),
            ] {
                let name = format!("{who:?} {}", grant.as_str());
                let (_, t) = canceldesk::store::api_tokens::create(&app.pool, &name, grant, None)
                    .await
                    .unwrap();
                if who == Who::RevokedToken {
                    canceldesk::store::api_tokens::revoke(&app.pool, &name, None)
                        .await
                        .unwrap();
                }
                scoped.push((prefix, t));
            }
        }
        // A CSRF token of this browser's session, so that only the access rule decides.
        let mut token = browser
            .get("/queue")
            .await
            .attr("input[name=csrf_token]", "value")
            .pop();
        if token.is_none() {
            token = browser
                .get("/login")
                .await
                .attr("input[name=csrf_token]", "value")
                .pop();
        }
        let token = token.expect("a CSRF token on the queue or the sign-in page");
        for rule in &rules {
            let path = concrete(rule.path, document, &bulk_id);
            if !scoped.is_empty() {
                *browser.bearer.borrow_mut() = scoped
                    .iter()
                    .find(|(prefix, _)| path.starts_with(prefix))
                    .map(|(_, t)| Some(t.clone()))
                    .unwrap_or_else(|| intake_token.clone());
            }
            let before = fingerprint(&app).await;
            let response = match rule.method {
                "GET" => browser.get(&path).await,
                _ => browser.post(&path, &[("csrf_token", &token)]).await,
            };
            if rule.method == "GET" {
                assert_eq!(
                    fingerprint(&app).await,
                    before,
                    "GET {path} changed something"
                );
            }
            // Security headers on every answer, whoever asks.
            let header = |name: &str| {
                response
                    .headers
                    .get(name)
                    .map(|v| v.to_str().unwrap_or("").to_owned())
            };
            assert_eq!(
                header("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{} {path}",
                rule.method
            );
            assert!(
                header("content-security-policy")
                    .is_some_and(|c| c.contains("frame-ancestors") || c.starts_with("sandbox")),
                "{} {path}",
                rule.method
            );
            let context = format!(
                "{who:?} {} {path} -> {} {:?}",
                rule.method, response.status, response.location
            );
            let signed_in = matches!(who, Who::Agent | Who::Supervisor);
            match (rule.access, who) {
                (Access::ApiToken, Who::ApiToken) => {
                    assert!(
                        ![401, 403, 429].contains(&response.status) && !signed_out(&response),
                        "{context}"
                    );
                }
                // Sessions count for nothing on the API, and neither do revoked tokens.
                // (After a few refusals from this one address, the throttle answers 429.)
                (Access::ApiToken, _) => {
                    assert!([401, 429].contains(&response.status), "{context}");
                    assert!(!response.body.contains("Siti"), "{context} leaks case data");
                }
                // Nobody here holds the metrics token.
                (Access::MetricsToken, _) => {
                    assert_eq!(response.status, 401, "{context}");
                    assert!(
                        !response.body.contains("canceldesk_"),
                        "{context} leaks metrics"
                    );
                }
                (Access::Public, _) => {
                    assert!(
                        !signed_out(&response) && response.status != 403,
                        "{context}"
                    );
                }
                (_, Who::Anonymous | Who::Deactivated | Who::ApiToken | Who::RevokedToken) => {
                    assert!(signed_out(&response), "{context}");
                    assert!(!response.body.contains("Siti"), "{context} leaks case data");
                }
                (Access::Supervisor, Who::Agent) => assert_eq!(response.status, 403, "{context}"),
                // Only the agent who previewed a bulk action may apply it: none of these did.
                (Access::Agent, _) if rule.path == "/bulk/{id}/apply" => {
                    assert_eq!(response.status, 403, "{context}");
                }
                (Access::Agent | Access::Supervisor, _) if SIGN_OUTS.contains(&rule.path) => {
                    assert!(signed_out(&response), "{context}");
                }
                (Access::Agent | Access::Supervisor, _) => {
                    assert!(
                        signed_in && !signed_out(&response) && response.status != 403,
                        "{context}"
                    );
                }
            }
        }
    }
}

/// What an agent with a set-up step pending meets first (see `auth::guard::require_agent`).
#[derive(Debug, Clone, Copy)]
enum Pending {
    /// A password a supervisor set, to be replaced.
    NewPassword,
    /// The second factor the desk requires, to be set up.
    SecondFactor,
}

async fn pending_browser(app: &TestApp, pending: Pending) -> Browser {
    let agent = app.agent(&format!("Pat {pending:?}"), Role::Agent).await;
    let set_desk = |on: bool| {
        sqlx::query("UPDATE desk_settings SET require_second_factor = $1")
            .bind(on)
            .execute(&app.pool)
    };
    match pending {
        Pending::NewPassword => {
            sqlx::query("UPDATE agents SET must_change_password = true WHERE id = $1")
                .bind(agent.id)
                .execute(&app.pool)
                .await
                .unwrap();
        }
        Pending::SecondFactor => {
            set_desk(true).await.unwrap();
        }
    }
    let browser = app.client();
    assert_eq!(browser.login(&agent.email, PASSWORD).await.status, 303);
    // The duty was taken at sign-in; the desk goes back to normal for everyone else.
    set_desk(false).await.unwrap();
    browser
}

#[actix_web::test]
async fn agents_with_a_step_pending_reach_only_the_routes_their_rule_opens() {
    let app = spawn_app().await;
    for pending in [Pending::NewPassword, Pending::SecondFactor] {
        let browser = pending_browser(&app, pending).await;
        let (home, opened): (&str, fn(&RouteRule) -> bool) = match pending {
            Pending::NewPassword => ("/account", |r| r.during_password_change),
            Pending::SecondFactor => ("/account/two-factor", |r| r.during_enrolment),
        };
        let token = browser.get(home).await.csrf();
        let mut reached = Vec::new();
        for rule in rules_sign_outs_last() {
            if matches!(
                rule.access,
                Access::Public | Access::ApiToken | Access::MetricsToken
            ) {
                continue; // no session needed, so no step either: see the matrix above
            }
            let path = concrete(rule.path, 1, "1");
            let response = match rule.method {
                "GET" => browser.get(&path).await,
                _ => browser.post(&path, &[("csrf_token", &token)]).await,
            };
            let context = format!(
                "{pending:?} {} {path} -> {} {:?}",
                rule.method, response.status, response.location
            );
            let sent_home = response.status == 303 && response.location.as_deref() == Some(home);
            if !opened(&rule) {
                assert!(sent_home, "{context}");
                continue;
            }
            reached.push(format!("{} {}", rule.method, rule.path));
            if rule.path == "/logout" {
                assert!(signed_out(&response), "{context}");
            } else if rule.method == "GET" {
                assert_eq!(response.status, 200, "{context}");
            } else {
                assert!(
                    ![401, 403, 404].contains(&response.status) && !signed_out(&response),
                    "{context}"
                );
            }
        }
        // Widening these lets an agent past a duty the desk set: a change here is deliberate.
        let expected: &[&str] = match pending {
            Pending::NewPassword => &["GET /account", "POST /account/password", "POST /logout"],
            Pending::SecondFactor => &[
                "GET /account/two-factor",
                "POST /account/two-factor/start",
                "GET /account/two-factor/qr.svg",
                "POST /account/two-factor/confirm",
                "POST /logout",
            ],
        };
        assert_eq!(reached, expected, "{pending:?}");
    }
}

#[test]
fn every_route_in_the_table_is_found_under_its_own_rule() {
    // No pattern shadows another: the middleware finds the rule of the handler actix picks.
    let map = RouteMap::new(route_rules());
    for rule in route_rules() {
        let path = concrete(rule.path, 1, "1");
        let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
        assert_eq!(map.lookup(&method, &path), Some(rule), "{method} {path}");
    }
}

#[actix_web::test]
async fn requests_no_rule_answers_get_the_strictest_treatment() {
    let app = spawn_app().await;
    // Near public and API routes, but none of them: a signed-in agent is needed.
    let anonymous = app.client();
    for path in [
        "/no/such/page",
        "/api/v1/nothing",
        "/api/v1/cases",
        "/static/a/app.css",
        "/upload/a/b",
        "/apply/",
        "/logout",
    ] {
        let response = anonymous.get(path).await;
        assert!(signed_out(&response), "GET {path} -> {}", response.status);
    }
    let token = anonymous.get("/login").await.csrf();
    for path in ["/api/v1/cases/CX-TEST-CASE", "/healthz", "/no/such/page"] {
        let response = anonymous.post(path, &[("csrf_token", &token)]).await;
        assert!(signed_out(&response), "POST {path} -> {}", response.status);
    }

    // Signed in, an unlisted POST needs a CSRF token like any other, even under /api/.
    let (agent, _) = app.signed_in("Ana Agent", Role::Agent).await;
    let token = agent.get("/queue").await.csrf();
    for path in ["/no/such/page", "/api/v1/nothing", "/queue"] {
        assert_eq!(agent.post(path, &[]).await.status, 403, "POST {path}");
        let answered = agent.post(path, &[("csrf_token", &token)]).await;
        assert_eq!(answered.status, 404, "POST {path} with a token");
    }
    assert_eq!(agent.get("/no/such/page").await.status, 404);

    // And it is not among the few routes open before a pending step is done.
    let pending = pending_browser(&app, Pending::NewPassword).await;
    pending
        .get("/no/such/page")
        .await
        .assert_redirects_to("/account");
}
