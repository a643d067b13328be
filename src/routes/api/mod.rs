//! The intake API (`/api/v1`) for the hotline and service-point systems: JSON in, JSON out,
//! bearer tokens instead of sessions (so no CSRF token: no cookie ever authenticates here), and
//! errors as RFC 9457 problem details with JSON-pointer field paths.

pub mod cases;
pub mod openapi;
pub mod orders;
pub mod settlements;
pub mod withdrawal;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::json;

use crate::domain::application::FieldError;
use crate::domain::token_grant::Scope;
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use crate::routes::customer::PublicThrottle;
use crate::state::AppState;
use crate::store::api_tokens::{self, ApiClient};
use crate::store::audit::{self, AuditAction};
use crate::store::sign_in::Reservation;

/// One field's problem: where (a JSON pointer into the request) and what.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// e.g. `#/application/msisdn` or `#/documents/0`.
    pub pointer: String,
    pub detail: String,
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// The answer of every route behind a bearer token when the token is missing, unknown or
/// revoked: one description for the OpenAPI document (`responses(…, TokenRefused, …)`).
#[derive(utoipa::IntoResponses)]
#[response(
    status = 401,
    description = "Missing, unknown or revoked token",
    content_type = "application/problem+json"
)]
pub struct TokenRefused(#[to_schema] pub Problem);

/// How the API answers when it cannot do what was asked. (The HTML side's `AppError` renders
/// pages; this renders problems, and wraps `AppError` for everything unexpected.)
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("unauthorized")]
    Unauthorized(&'static str),
    #[error("invalid")]
    Invalid(Vec<ProblemField>),
    #[error("not found")]
    NotFound,
    #[error("too large")]
    TooLarge(String),
    #[error("conflict")]
    IdempotencyMismatch,
    #[error("bad request")]
    BadRequest(String),
    /// The case is decided (or closed): what was asked no longer applies to it.
    #[error("already decided")]
    AlreadyDecided(String),
    /// Something other than a case was not found: (type, detail).
    #[error("not found")]
    Missing(&'static str, String),
    /// A request body other than an application is not valid: (title, fields).
    #[error("invalid")]
    InvalidOf(&'static str, Vec<ProblemField>),
    /// The token may not do this (another scope, another system's order): (type, detail).
    #[error("forbidden")]
    Forbidden(&'static str, String),
    /// The resource's state does not allow it now: (type, title, detail).
    #[error("conflict")]
    Conflict(&'static str, &'static str, String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::App(e.into())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::App(AppError::Unexpected(e))
    }
}

pub fn field_problems(errors: Vec<FieldError>, prefix: &str, t: Tr) -> Vec<ProblemField> {
    errors
        .into_iter()
        .map(|e| ProblemField {
            pointer: format!("#/{prefix}{}", e.field),
            detail: t.said(&e.message),
        })
        .collect()
}

/// The language of a problem's field details: the request's `Accept-Language`, else English
/// (the API's own language; a system that asks nothing gets what it always got).
pub fn problem_language(req: &HttpRequest) -> Tr {
    let locale = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or(Locale::En);
    Tr::new(locale)
}

impl ApiError {
    fn problem(&self) -> Problem {
        let (kind, title, detail, errors) = match self {
            ApiError::Unauthorized(why) => {
                ("unauthorized", "Unauthorized", why.to_string(), vec![])
            }
            ApiError::Invalid(fields) | ApiError::InvalidOf(_, fields) => {
                let (title, outcome) = match self {
                    ApiError::InvalidOf(title, _) => (*title, "Nothing changed."),
                    _ => ("The application is not valid", "Nothing was created."),
                };
                (
                    "validation",
                    title,
                    format!("See `errors` for each field to correct. {outcome}"),
                    fields.clone(),
                )
            }
            ApiError::NotFound => ("not-found", "Not found", "No such case.".to_owned(), vec![]),
            ApiError::TooLarge(detail) => ("too-large", "Too large", detail.clone(), vec![]),
            ApiError::IdempotencyMismatch => (
                "idempotency-key-reused",
                "Idempotency key reused",
                "This Idempotency-Key was used for a different request. Use a new key for a new \
                 application."
                    .to_owned(),
                vec![],
            ),
            ApiError::BadRequest(detail) => ("bad-request", "Bad request", detail.clone(), vec![]),
            ApiError::AlreadyDecided(detail) => {
                ("already-decided", "Already decided", detail.clone(), vec![])
            }
            ApiError::Forbidden(kind, detail) => (*kind, "Forbidden", detail.clone(), vec![]),
            ApiError::Missing(kind, detail) => (*kind, "Not found", detail.clone(), vec![]),
            ApiError::Conflict(kind, title, detail) => (*kind, *title, detail.clone(), vec![]),
            ApiError::App(AppError::Throttled(detail)) => {
                ("throttled", "Too many attempts", detail.clone(), vec![])
            }
            ApiError::App(AppError::Busy(detail)) => ("busy", "Busy", detail.clone(), vec![]),
            ApiError::App(AppError::TimedOut(detail)) => {
                ("timeout", "Request timeout", detail.clone(), vec![])
            }
            ApiError::App(e) => {
                // The HTML error logs unexpected errors with an incident id; reuse it.
                let _ = e.error_response();
                (
                    "internal",
                    "Unexpected error",
                    "Nothing was created. Try again later.".to_owned(),
                    vec![],
                )
            }
        };
        Problem {
            kind: format!("/api/v1/problems/{kind}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Invalid(_) | ApiError::InvalidOf(..) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Missing(..) => StatusCode::NOT_FOUND,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::AlreadyDecided(_) | ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::Forbidden(..) => StatusCode::FORBIDDEN,
            ApiError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"canceldesk\""));
        }
        if matches!(self, ApiError::App(AppError::Busy(_))) {
            response.insert_header((header::RETRY_AFTER, crate::error::BUSY_RETRY_AFTER_SECONDS));
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// A caller with a valid token whose attempt is still reserved (see `store::sign_in`): it counts
/// toward the address's throttle unless the handler says it [`succeeded`](Caller::succeeded),
/// so a token holder looking up references that do not exist is throttled like a token guesser.
#[must_use = "the attempt counts as a failure unless `succeeded` is called"]
pub struct Caller {
    pub client: ApiClient,
    attempt: Reservation,
}

impl Caller {
    /// The request found what it asked for (or asked for no look-up): it does not count.
    pub async fn succeeded(self, state: &AppState) -> Result<ApiClient, ApiError> {
        self.attempt.succeeded(&state.pool).await?;
        Ok(self.client)
    }
}

/// The caller's token, checked: missing, unknown and revoked tokens are refused alike (401),
/// audited, and throttled per address so that tokens cannot be guessed. The attempt is reserved
/// before the token is looked up, so concurrent guesses cannot exceed the free attempts.
///
/// A valid token of another scope (an intake token asking for orders) is refused with 403
/// and does not count toward the throttle: it is no guess.
pub async fn authenticate(
    req: &HttpRequest,
    state: &AppState,
    scope: Scope,
) -> Result<Caller, ApiError> {
    let address = state.client_address(req);
    // Each guess is a different token, so the address is what is counted (as key and address).
    let throttle = PublicThrottle::new(
        state,
        "api",
        address.as_deref().unwrap_or_default(),
        address.clone(),
    );
    let attempt = throttle.reserve().await?;
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let client = match presented {
        Some(token) if !token.is_empty() => api_tokens::authenticate(&state.pool, token).await?,
        _ => None,
    };
    match client {
        Some(client) => {
            audit::record(
                &state.pool,
                None,
                address.as_deref(),
                AuditAction::ApiTokenUsed,
                Some(&client.name),
                json!({ "method": req.method().as_str(), "path": req.path() }),
            )
            .await?;
            if client.grant.scope() != scope {
                attempt.succeeded(&state.pool).await?;
                return Err(ApiError::Forbidden(
                    "wrong-scope",
                    format!(
                        "This token is for the {} API; this endpoint needs a token with the {} scope.",
                        client.grant.scope().as_str(),
                        scope.as_str()
                    ),
                ));
            }
            Ok(Caller { client, attempt })
        }
        None => {
            // The reservation stays: this attempt counts as a failure.
            drop(attempt);
            let reason = if presented.is_some() {
                "unknown or revoked token"
            } else {
                "no token"
            };
            tracing::warn!(reason, "API request refused");
            audit::record(
                &state.pool,
                None,
                address.as_deref(),
                AuditAction::ApiTokenRefused,
                Some(req.path()),
                json!({ "reason": reason }),
            )
            .await?;
            Err(ApiError::Unauthorized(
                "Send a valid API token: `Authorization: Bearer <token>`.",
            ))
        }
    }
}
