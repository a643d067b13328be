//! The one error type of the app, and how each error looks to the person who met it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::i18n::Tr;

pub type AppResult<T> = Result<T, AppError>;

/// When a busy server asks to be tried again (seconds).
pub const BUSY_RETRY_AFTER_SECONDS: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Also the answer for things the asker may not know exist.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    /// The body (or one file in it) is over a limit; said before the rest was read.
    #[error("{0}")]
    TooLarge(String),
    /// Too many attempts from one address or account; try again later.
    #[error("{0}")]
    Throttled(String),
    /// Every upload slot is taken: answered at once (503, `Retry-After`) instead of waiting.
    #[error("{0}")]
    Busy(String),
    /// The body did not arrive within its deadline (408).
    #[error("{0}")]
    TimedOut(String),
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("not signed in")]
    Unauthenticated,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Unexpected(anyhow::Error::new(e).context("database"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Unexpected(anyhow::Error::new(e).context("rendering a template"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    title: &'a str,
    message: &'a str,
    incident: &'a str,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        // The request's id (see `telemetry::request`): in every log line of the request, in
        // the `X-Request-Id` header, and on the page for the user to quote.
        let incident = crate::telemetry::request::current()
            .map(|id| id.to_string())
            .unwrap_or_else(|| crate::telemetry::request::RequestId::generate().to_string());
        if let AppError::Unexpected(e) = self {
            // `{:#}` prints the context chain; our contexts never hold personal data.
            tracing::error!(incident = %incident, error = %format!("{e:#}"), "unexpected error");
        }
        // In the request's language (see `routes::language`); a variant's own text was worded
        // in it where it was made.
        let t = crate::routes::language::tr();
        let (title, message) = match self {
            AppError::NotFound => ("error-not-found", t.get("error-not-found-text")),
            AppError::Forbidden(m) => ("error-forbidden", m.clone()),
            AppError::BadRequest(m) => ("error-bad-request", m.clone()),
            AppError::TooLarge(m) => ("error-too-large", m.clone()),
            AppError::Throttled(m) => ("error-throttled", m.clone()),
            AppError::Busy(m) => ("error-busy", m.clone()),
            AppError::TimedOut(m) => ("error-timed-out", m.clone()),
            AppError::Csrf => ("error-csrf", t.get("error-csrf-text")),
            AppError::Unauthenticated => {
                ("error-unauthenticated", t.get("error-unauthenticated-text"))
            }
            AppError::Unexpected(_) => ("error-unexpected", t.get("error-unexpected-text")),
        };
        let title = t.get(title);
        let title = title.as_str();
        let page = ErrorPage {
            t,
            title,
            message: &message,
            incident: &incident,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("{title}. {message}"));
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Busy(_)) {
            response.insert_header((header::RETRY_AFTER, BUSY_RETRY_AFTER_SECONDS));
        }
        response
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body)
    }
}
