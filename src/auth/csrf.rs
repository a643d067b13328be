//! CSRF protection for every state-changing request: the synchroniser token kept in the session
//! once a session is stored (signed in, or between the two sign-in steps), else the signed
//! double-submit cookie of `anonymous_csrf`, so that anonymous pages never store a session.
//!
//! Forms carry the token in a `csrf_token` field; multipart forms in the query string; scripts in
//! an `X-CSRF-Token` header. Checked here, in one place, before any handler runs.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{http::header, web};

use super::CurrentAgent;
use super::access;
use super::anonymous_csrf::AnonymousCsrf;
use super::session::TypedSession;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, AuditAction};
use actix_web::HttpMessage;

pub const FIELD: &str = "csrf_token";

pub async fn verify_csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let anonymous = req.app_data::<web::Data<AppState>>().map(|state| {
        AnonymousCsrf::for_request(&req, &state.csrf_key, state.settings.cookie_secure)
    });
    if let Some(anonymous) = &anonymous {
        req.extensions_mut().insert(anonymous.clone());
    }
    let finish = |res: ServiceResponse<BoxBody>| match &anonymous {
        Some(anonymous) => anonymous.finish(res),
        None => res,
    };
    // Which routes are exempt is the route table's to say (see `auth::access`): the API's,
    // where there is nothing to forge. A request it does not list needs a token.
    let exempt = access::rule_of(&req).is_some_and(|r| !r.needs_csrf_token());
    if req.method().is_safe() || exempt {
        return Ok(finish(next.call(req).await?.map_into_boxed_body()));
    }
    let expected = TypedSession::of(&req).existing_csrf_token();
    let mut provided = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| field_in(req.query_string().as_bytes()));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if provided.is_none() && is_form {
        let body = match req.extract::<web::Bytes>().await {
            Ok(body) => body,
            Err(e) => {
                let refusal = if crate::body_deadline::caused(&e) {
                    crate::body_deadline::form_timed_out()
                } else {
                    AppError::BadRequest(
                        crate::routes::language::tr().get("refused-form-too-large"),
                    )
                };
                return Ok(req.error_response(refusal).map_into_boxed_body());
            }
        };
        provided = field_in(&body);
        // Put the body back for the handler.
        let (_, mut payload) = actix_http::h1::Payload::create(true);
        payload.unread_data(body);
        req.set_payload(Payload::from(payload));
    }
    // A stored session's own token, when it has one, is the only one it accepts.
    let valid = match (expected, provided) {
        (Some(expected), Some(provided)) => {
            constant_time_eq(expected.as_bytes(), provided.as_bytes())
        }
        (None, Some(provided)) => anonymous.as_ref().is_some_and(|a| a.accepts(&provided)),
        _ => false,
    };
    if !valid {
        // Upload links carry their secret in the path: logged and audited without it.
        let path = crate::telemetry::logged_path(req.path());
        tracing::warn!(path = %path, "request refused: missing or wrong CSRF token");
        if let Some(state) = req.app_data::<web::Data<AppState>>() {
            let agent = req.extensions().get::<CurrentAgent>().map(|a| a.id);
            let address = super::client::address(
                req.peer_addr(),
                req.headers(),
                state.settings.trusted_proxies,
            );
            audit::record(
                &state.pool,
                agent,
                address.as_deref(),
                AuditAction::AccessDenied,
                Some(&path),
                serde_json::json!({ "reason": "csrf" }),
            )
            .await
            .map_err(AppError::from)?;
        }
        // Answered here (not returned as an error) so that the outer middleware still adds the
        // security headers to it.
        return Ok(req.error_response(AppError::Csrf).map_into_boxed_body());
    }
    Ok(finish(next.call(req).await?.map_into_boxed_body()))
}

fn field_in(encoded: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(encoded).ok()?;
    pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_among_form_fields() {
        assert_eq!(
            field_in(b"a=1&csrf_token=abc%2Bd&b=2").as_deref(),
            Some("abc+d")
        );
        assert_eq!(field_in(b"a=1"), None);
    }

    #[test]
    fn compares_whole_tokens() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
