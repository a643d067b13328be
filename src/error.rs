//! The one error type of the app, and how each error looks to the person who met it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

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
        let (title, message) = match self {
            AppError::NotFound => ("Not found", "There is nothing here. Check the address or go back to the queue.".to_string()),
            AppError::Forbidden(m) => ("Not allowed", m.clone()),
            AppError::BadRequest(m) => ("Cannot do that", m.clone()),
            AppError::TooLarge(m) => ("Too large", m.clone()),
            AppError::Throttled(m) => ("Too many attempts", m.clone()),
            AppError::Busy(m) => ("Busy right now", m.clone()),
            AppError::TimedOut(m) => ("Too slow", m.clone()),
            AppError::Csrf => (
                "This form has expired",
                "The page you sent it from was too old or came from somewhere else. Nothing was changed. Go back, reload the page and try again.".to_string(),
            ),
            AppError::Unauthenticated => ("Sign in first", "Your session has ended. Sign in again to go on.".to_string()),
            AppError::Unexpected(_) => (
                "Something went wrong",
                "Nothing was changed. Try again in a moment; if it keeps happening, give this incident number to the support team.".to_string(),
            ),
        };
        let page = ErrorPage {
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
