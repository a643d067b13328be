//! The middleware that lets only signed-in, active agents past, and puts them in request data.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, http::Method, web};
use chrono::{Duration, Utc};

use super::session::TypedSession;
use crate::startup::AppState;

/// Paths anyone may request. Everything else needs a signed-in agent. (`/api/` routes check
/// their bearer token themselves: see `routes::api`.)
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/login/second-factor"
            | "/healthz"
            | "/apply"
            | "/apply/received"
            | "/status"
            | "/status/withdraw"
            | "/status/withdraw/confirm"
    ) || ["/static/", "/upload/", "/api/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// What an agent who must first set up a second factor may still reach.
const ENROLMENT_PATHS: [&str; 5] = [
    "/account/two-factor",
    "/account/two-factor/start",
    "/account/two-factor/confirm",
    "/account/two-factor/qr.svg",
    "/logout",
];

pub async fn require_agent(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if is_public(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    let session = TypedSession::of(&req);
    let absolute = Duration::hours(state.settings.session_absolute_hours);
    let agent = session.agent().filter(|_| {
        session
            .signed_in_at()
            .is_some_and(|at| Utc::now() - at < absolute)
    });
    if agent.is_none() && session.agent_id().is_some() {
        // Past the absolute timeout: end the session for good.
        session.sign_out();
    }
    match agent {
        // A password set by a supervisor must be replaced before anything else.
        Some(_)
            if session.must_change_password()
                && !matches!(req.path(), "/account" | "/account/password" | "/logout") =>
        {
            session.flash("error", "Choose a new password before going on.");
            let response = HttpResponse::SeeOther()
                .insert_header(("Location", "/account"))
                .finish();
            Ok(req.into_response(response))
        }
        // The desk requires a second factor and this agent has none yet (once the password is
        // their own: the password page must stay reachable, or the two rules would send the
        // agent back and forth for ever).
        Some(_)
            if !session.must_change_password()
                && session.must_enrol_second_factor()
                && !ENROLMENT_PATHS.contains(&req.path()) =>
        {
            session.flash(
                "error",
                "The desk requires two-factor sign-in. Set it up before going on.",
            );
            let response = HttpResponse::SeeOther()
                .insert_header(("Location", "/account/two-factor"))
                .finish();
            Ok(req.into_response(response))
        }
        Some(mut agent) => {
            agent.address = crate::auth::client::address(
                req.peer_addr(),
                req.headers(),
                state.settings.trusted_proxies,
            );
            req.extensions_mut().insert(agent);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        None => {
            // Back to the sign-in page; a GET comes back to where it was going afterwards.
            let location = if req.method() == Method::GET {
                let target = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                format!("/login?next={}", encode_query_value(target))
            } else {
                "/login".to_owned()
            };
            let response = HttpResponse::SeeOther()
                .insert_header(("Location", location))
                .finish();
            Ok(req.into_response(response))
        }
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Route middleware for supervisor-only routes (see `startup::route_table`): others get 403, and
/// the attempt goes to the audit trail.
pub async fn require_supervisor(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let agent = req.extensions().get::<crate::auth::CurrentAgent>().cloned();
    match agent {
        Some(agent) if agent.is_supervisor() => Ok(next.call(req).await?.map_into_boxed_body()),
        agent => {
            if let Some(state) = req.app_data::<web::Data<AppState>>() {
                crate::store::audit::record(
                    &state.pool,
                    agent.as_ref().map(|a| a.id),
                    agent.as_ref().and_then(|a| a.address.as_deref()),
                    crate::store::audit::AuditAction::AccessDenied,
                    Some(req.path()),
                    serde_json::json!({ "reason": "supervisors only" }),
                )
                .await
                .map_err(crate::error::AppError::from)?;
            }
            let refused = crate::error::AppError::Forbidden("Only supervisors may do this.".into());
            Ok(req.error_response(refused).map_into_boxed_body())
        }
    }
}
