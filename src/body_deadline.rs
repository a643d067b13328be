//! How long a client may take to send a request's body. The head has actix's own limit
//! (`request_head_seconds`); bodies get this middleware: `request_body_seconds` for forms and
//! other bodies without files, `upload_body_seconds` (plus a little, so the upload handlers'
//! own limit answers first, with its clearer message) for bodies that may carry files
//! (multipart and JSON). A body that is too slow ends with a timed-out payload error, which the
//! form extractor turns into 408 (see `startup`), freeing the worker for others.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use futures_util::StreamExt;

use crate::error::AppError;
use crate::state::AppState;

/// Headroom for the upload handlers' own deadline.
const UPLOAD_HEADROOM: Duration = Duration::from_secs(5);

pub async fn limit(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let may_carry_files =
        content_type.starts_with("multipart/") || content_type.starts_with("application/json");
    let allowed = if may_carry_files {
        Duration::from_secs(state.settings.upload_body_seconds) + UPLOAD_HEADROOM
    } else {
        Duration::from_secs(state.settings.request_body_seconds)
    };
    let deadline = tokio::time::Instant::now() + allowed;
    let payload = req.take_payload();
    let limited = futures_util::stream::unfold(Some(payload), move |payload| async move {
        let mut payload = payload?;
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(payload))),
            Ok(None) => None,
            Err(_) => Some((Err(too_slow()), None)),
        }
    })
    // Readers (multipart) may poll again after the end.
    .fuse();
    req.set_payload(Payload::from(
        Box::pin(limited) as actix_http::BoxedPayloadStream
    ));
    next.call(req).await
}

fn too_slow() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the body did not arrive in time",
    ))
}

/// Whether a payload error is this middleware's deadline.
pub fn is_too_slow(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}

/// Whether an extractor's error came from this middleware's deadline.
pub fn caused(error: &Error) -> bool {
    error.as_error::<PayloadError>().is_some_and(is_too_slow)
}

/// The answer to a form that came too slowly (408).
pub fn form_timed_out() -> AppError {
    AppError::TimedOut(crate::routes::language::tr().get("refused-form-timed-out"))
}
