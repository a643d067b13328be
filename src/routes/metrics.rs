//! `GET /metrics` on the main listener, for Prometheus holding `metrics_token`; 404 while no
//! token is configured (then only the separate `metrics_bind` listener, if any, serves them).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::telemetry::metrics;

pub async fn scrape(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(expected) = &state.settings.metrics_token else {
        return Err(AppError::NotFound);
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    // Digests compared, so the time taken says nothing about how much of the token matched.
    if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.expose().as_bytes()) {
        return Ok(HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .content_type("text/plain")
            .body("a metrics token is required"));
    }
    text(&state.pool).await
}

/// The metrics listener's only route: no token, as it is bound to a private address.
pub async fn scrape_unguarded(pool: web::Data<sqlx::PgPool>) -> AppResult<HttpResponse> {
    text(&pool).await
}

async fn text(pool: &sqlx::PgPool) -> AppResult<HttpResponse> {
    let body = metrics::render(pool).await?;
    Ok(HttpResponse::Ok()
        .content_type(metrics::CONTENT_TYPE)
        .body(body))
}
