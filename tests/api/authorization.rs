//! The authorization matrix: every route of the route table × {anonymous, agent, supervisor,
//! deactivated agent, API token, revoked API token}. Generated from `startup::route_rules()`, so a new route is checked the
//! moment it exists. Also: no GET changes anything.

use canceldesk::domain::agent::Role;
use canceldesk::startup::{Access, route_rules};

use crate::helpers::{Browser, NewCase, Response, TestApp, insert_case, spawn_app};

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
            let (_, token) = canceldesk::store::api_tokens::create(&app.pool, &name, channel, None)
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

    let mut rules = route_rules();
    // Routes that end the visitor's session: walked last.
    const SIGN_OUTS: [&str; 2] = ["/logout", "/account/sign-out-everywhere"];
    rules.sort_by_key(|r| SIGN_OUTS.contains(&r.path));
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
            let path = rule
                .path
                .replace("{reference}", "CX-TEST-CASE")
                .replace("{file}", "app.css")
                .replace("{agent}", "0")
                .replace("{token}", "0")
                .replace("/bulk/{id}", &format!("/bulk/{bulk_id}"))
                .replace("{id}", &document.to_string());
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
