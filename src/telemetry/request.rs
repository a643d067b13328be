//! The outermost middleware: gives every request an id, runs it inside a span carrying that id
//! (so every log line of the request names it), writes the access-log line, counts the request
//! in the metrics by route pattern, and stamps the id (and the instance's name) on the response.
//!
//! The id is taken from `X-Request-Id` only when a trusted proxy set it (`trusted_proxies > 0`:
//! a client talking to us directly could otherwise choose what our logs say); else it is made
//! here. Error pages show it as the incident number a user can quote (see `error.rs`).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tracing::Instrument;

use super::logged_path;
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const INSTANCE: HeaderName = HeaderName::from_static("x-canceldesk-instance");

/// A request's id: from a trusted proxy, or 128 random bits in hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// A proxy's id when it is a plain token (nginx's `$request_id` is 32 hex digits; UUIDs and
    /// similar pass); anything else is replaced, so a header cannot smuggle text into the logs.
    pub fn from_proxy(value: &str) -> Option<RequestId> {
        let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_.:".contains(&b);
        (!value.is_empty() && value.len() <= 128 && value.bytes().all(plain))
            .then(|| RequestId(value.to_owned()))
    }

    pub fn generate() -> RequestId {
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        RequestId(hex::encode(bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of the request being handled on this task, for error pages.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(RequestId::clone).ok()
}

pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let trusted = state
        .as_ref()
        .is_some_and(|s| s.settings.trusted_proxies > 0);
    let id = req
        .headers()
        .get(REQUEST_ID)
        .filter(|_| trusted)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::from_proxy)
        .unwrap_or_else(RequestId::generate);
    let instance = state
        .as_ref()
        .map(|s| s.settings.instance_name.clone())
        .unwrap_or_default();
    let span = if instance.is_empty() {
        tracing::info_span!("request", request_id = %id)
    } else {
        tracing::info_span!("request", request_id = %id, instance = %instance)
    };
    let method = req.method().clone();
    let path = logged_path(req.path());
    let started = Instant::now();
    // The inner middlewares answer their refusals as pages themselves (inside this scope, so
    // the pages show the id); an `Err` would only come from actix's own plumbing.
    let mut response = CURRENT
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    super::metrics::http_request(method.as_str(), &route, status.as_u16(), elapsed);
    if path != "/healthz" && path != "/readyz" && path != "/metrics" {
        span.in_scope(|| {
            tracing::info!(
                method = %method,
                path = %path,
                status = status.as_u16(),
                ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            )
        });
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        headers.insert(REQUEST_ID, value);
    }
    if let Ok(value) = HeaderValue::from_str(&instance)
        && !instance.is_empty()
    {
        headers.insert(INSTANCE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxys_id_is_kept_only_when_it_is_a_plain_token() {
        assert_eq!(
            RequestId::from_proxy("3f2a9c0e8b7d4e1fa0b1c2d3e4f5a6b7").map(|i| i.0),
            Some("3f2a9c0e8b7d4e1fa0b1c2d3e4f5a6b7".to_owned())
        );
        assert!(RequestId::from_proxy("a1b2-c3d4_e5.f6:7").is_some());
        for bad in ["", "two words", "x\ny", "<script>", &"a".repeat(129)] {
            assert_eq!(RequestId::from_proxy(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_are_distinct_hex() {
        let (a, b) = (RequestId::generate(), RequestId::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
