//! Who may use which route, decided in one place: the route table (`startup::route_table`) pairs
//! every route with a [`RouteRule`], and the sign-in guard and the CSRF check look each request
//! up in a [`RouteMap`] built from that same table, so no list of paths can drift from it.
//!
//! A request that no rule answers (an unknown path, or a known path with another method) gets
//! the strictest treatment the middleware can give: a signed-in agent, a CSRF token on anything
//! but GET, and nothing before a pending set-up step. No handler answers it anyway (404 or 405).

use actix_web::HttpMessage;
use actix_web::dev::{ResourceDef, ServiceRequest};
use actix_web::http::Method;
use actix_web::web;

use crate::state::AppState;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in, active agent (supervisors included).
    Agent,
    /// A signed-in supervisor (checked by `guard::require_supervisor` on the route itself).
    Supervisor,
    /// Another system with an active API token (`Authorization: Bearer …`); sessions count
    /// for nothing here. Checked by `routes::api::authenticate` in each handler.
    ApiToken,
    /// Prometheus, with `metrics_token` (`Authorization: Bearer …`); checked by
    /// `routes::metrics::scrape`, which answers 404 while no token is configured.
    MetricsToken,
}

/// A route's method, path and rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    /// Reachable by an agent who must first replace a password a supervisor set.
    pub during_password_change: bool,
    /// Reachable by an agent who must first set up the second factor the desk requires.
    pub during_enrolment: bool,
}

impl RouteRule {
    /// A rule with no exception for agents who have a set-up step pending.
    pub const fn new(method: &'static str, path: &'static str, access: Access) -> RouteRule {
        RouteRule {
            method,
            path,
            access,
            during_password_change: false,
            during_enrolment: false,
        }
    }

    /// Also reachable while a password set by a supervisor waits to be replaced.
    pub const fn during_password_change(mut self) -> RouteRule {
        self.during_password_change = true;
        self
    }

    /// Also reachable while the second factor the desk requires waits to be set up.
    pub const fn during_enrolment(mut self) -> RouteRule {
        self.during_enrolment = true;
        self
    }

    /// Whether the sign-in guard lets anyone through: public routes, and the API, whose
    /// handlers check the bearer token themselves.
    pub fn open_without_session(&self) -> bool {
        matches!(
            self.access,
            Access::Public | Access::ApiToken | Access::MetricsToken
        )
    }

    /// Whether a state-changing request needs a CSRF token: all but the API's, which
    /// authenticate with bearer tokens only, never with the session cookie, so a cross-site
    /// request has no credentials to ride on.
    pub fn needs_csrf_token(&self) -> bool {
        !matches!(self.access, Access::ApiToken | Access::MetricsToken)
    }
}

/// The table's rules with their paths parsed the way actix parses them, built once at start.
pub struct RouteMap {
    rules: Vec<(Method, ResourceDef, RouteRule)>,
}

impl RouteMap {
    /// Panics on a method that is not one, which only a mistake in the route table can cause.
    pub fn new(rules: impl IntoIterator<Item = RouteRule>) -> RouteMap {
        let rules = rules
            .into_iter()
            .map(|rule| {
                let method = Method::from_bytes(rule.method.as_bytes())
                    .unwrap_or_else(|_| panic!("{} is not an HTTP method", rule.method));
                (method, ResourceDef::new(rule.path), rule)
            })
            .collect();
        RouteMap { rules }
    }

    /// The rule of the route that answers `method` on `path`: the first in table order, as
    /// actix tries the routes in the order they were registered (see `startup::routes`).
    pub fn lookup(&self, method: &Method, path: &str) -> Option<RouteRule> {
        self.rules
            .iter()
            .find(|(m, def, _)| m == method && def.is_match(path))
            .map(|(_, _, rule)| *rule)
    }
}

/// The rule of the route this request is for, or `None` (treat as the strictest): looked up
/// once and kept in the request's data for the next middleware. Matched on the path as the
/// router sees it (percent-decoded where safe), so the rule is the one of the handler that runs.
pub fn rule_of(req: &ServiceRequest) -> Option<RouteRule> {
    if let Some(Looked(rule)) = req.extensions().get::<Looked>() {
        return *rule;
    }
    let rule = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.routes.lookup(req.method(), req.match_info().as_str()));
    req.extensions_mut().insert(Looked(rule));
    rule
}

/// A request's looked-up rule (even when there was none).
#[derive(Clone, Copy)]
struct Looked(Option<RouteRule>);

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> RouteMap {
        RouteMap::new([
            RouteRule::new("GET", "/apply", Access::Public),
            RouteRule::new("POST", "/bulk/preview", Access::Agent),
            RouteRule::new("GET", "/bulk/{id}", Access::Agent),
            RouteRule::new("GET", "/static/{file}", Access::Public),
            RouteRule::new("POST", "/api/v1/cases", Access::ApiToken),
        ])
    }

    #[test]
    fn finds_the_rule_by_method_and_pattern() {
        let map = map();
        let rule = map.lookup(&Method::GET, "/apply").unwrap();
        assert_eq!(rule.path, "/apply");
        assert!(rule.open_without_session() && rule.needs_csrf_token());
        let rule = map.lookup(&Method::GET, "/static/app.css").unwrap();
        assert_eq!(rule.path, "/static/{file}");
        // The same path under another method is another route, as in actix.
        let rule = map.lookup(&Method::GET, "/bulk/preview").unwrap();
        assert_eq!(rule.path, "/bulk/{id}");
        let rule = map.lookup(&Method::POST, "/api/v1/cases").unwrap();
        assert!(rule.open_without_session() && !rule.needs_csrf_token());
    }

    #[test]
    fn what_the_table_does_not_list_has_no_rule() {
        let map = map();
        for (method, path) in [
            (Method::GET, "/queue"),
            (Method::POST, "/apply"),
            (Method::HEAD, "/apply"),
            (Method::GET, "/apply/"),
            (Method::GET, "/applyx"),
            (Method::GET, "/static/a/b.css"),
            (Method::GET, "/api/v1/cases"),
            (Method::POST, "/api/v1/cases/x"),
        ] {
            assert_eq!(map.lookup(&method, path), None, "{method} {path}");
        }
    }

    #[test]
    fn set_up_exceptions_are_off_unless_given() {
        let rule = RouteRule::new("POST", "/logout", Access::Agent);
        assert!(!rule.during_password_change && !rule.during_enrolment);
        let rule = rule.during_enrolment();
        assert!(!rule.during_password_change && rule.during_enrolment);
        assert!(rule.during_password_change().during_password_change);
    }
}
