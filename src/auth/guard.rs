//! The middleware that lets only signed-in, active agents past, and puts them in request data.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, http::Method, web};
use chrono::{Duration, Utc};

use super::access;
use super::session::TypedSession;
use crate::state::AppState;

pub async fn require_agent(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Who may pass is the route table's to say (see `auth::access`); a request it does not
    // list needs a signed-in agent.
    let rule = access::rule_of(&req);
    if rule.is_some_and(|r| r.open_without_session()) {
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
                && !rule.is_some_and(|r| r.during_password_change) =>
        {
            session.flash("error", "flash-change-password-first");
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
                && !rule.is_some_and(|r| r.during_enrolment) =>
        {
            session.flash("error", "flash-enrol-second-factor-first");
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

/// Route middleware for supervisor-only routes (see `startup::routes`): others get 403, and
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
            let refused = crate::error::AppError::Forbidden(
                crate::routes::language::tr().get("refused-supervisors-only"),
            );
            Ok(req.error_response(refused).map_into_boxed_body())
        }
    }
}
