//! `GET /healthz` (alive: the process answers and so does the database) and `GET /readyz`
//! (ready for traffic: the database answers within 2 s, every migration this binary knows is
//! applied, and the process is not draining after SIGTERM). A load balancer routes by `/readyz`;
//! a supervisor restarts by `/healthz`.

use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::state::AppState;

/// Long enough for a busy database, short enough for a load balancer's probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let answered = tokio::time::timeout(
        PROBE_TIMEOUT,
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool),
    )
    .await;
    match answered {
        Ok(Ok(_)) => plain(HttpResponse::Ok(), "ok"),
        _ => plain(HttpResponse::ServiceUnavailable(), "database unavailable"),
    }
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(Ordering::Relaxed) {
        return plain(HttpResponse::ServiceUnavailable(), "draining");
    }
    let known = crate::database::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    // A newer binary may have applied more (rolling upgrade): this one is still ready.
    let applied = tokio::time::timeout(
        PROBE_TIMEOUT,
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM _sqlx_migrations WHERE success AND version <= $1",
        )
        .bind(known)
        .fetch_one(&state.pool),
    )
    .await;
    let expected = crate::database::MIGRATOR.iter().count() as i64;
    match applied {
        Ok(Ok(n)) if n >= expected => plain(HttpResponse::Ok(), "ready"),
        Ok(Ok(_)) => plain(HttpResponse::ServiceUnavailable(), "migrations pending"),
        _ => plain(HttpResponse::ServiceUnavailable(), "database unavailable"),
    }
}

fn plain(mut builder: actix_web::HttpResponseBuilder, text: &'static str) -> HttpResponse {
    builder.content_type("text/plain").body(text)
}
