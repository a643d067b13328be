//! `GET /cases/{reference}/documents/{id}`: a document's bytes, served so that they can never
//! run as a page: detected media type only (never HTML or SVG), `nosniff`, a sandboxing CSP and a
//! file name chosen by the app. A document whose bytes were removed under the retention policy
//! answers a page saying so (410 Gone).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::document::MediaType;
use crate::error::{AppError, AppResult};
use crate::routes::{Chrome, local_date, render};
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::blobs::BlobStore;
use crate::store::{documents, retention};

#[derive(Template)]
#[template(path = "case/document_removed.html")]
struct RemovedPage {
    chrome: Chrome,
    reference: String,
    document_id: i64,
    text: String,
    back: String,
}

#[derive(Deserialize)]
pub struct DocumentQuery {
    download: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<(String, i64)>,
    query: web::Query<DocumentQuery>,
) -> AppResult<HttpResponse> {
    let (raw_reference, document_id) = path.into_inner();
    let reference = super::reference(&raw_reference)?;
    let mut conn = state.pool.acquire().await?;
    let document = documents::find_in_case(&mut conn, reference.as_str(), document_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Only the three types we accept are ever stored; anything else is refused, not served.
    let media = MediaType::parse(&document.media_type).ok_or(AppError::NotFound)?;
    if let Some(at) = retention::document_removed_at(&mut conn, document_id).await? {
        let chrome = Chrome::new(Some(&agent), &session);
        let day = local_date(at.with_timezone(&state.tz).date_naive());
        let page = RemovedPage {
            text: chrome.t.with("removed-text", &[("day", day.into())]),
            back: chrome
                .t
                .with("removed-back", &[("reference", reference.as_str().into())]),
            chrome,
            reference: reference.to_string(),
            document_id,
        };
        return render(StatusCode::GONE, &page);
    }
    let bytes = state
        .blobs
        .get(&mut conn, &document.sha256)
        .await?
        .ok_or(AppError::NotFound)?;
    tracing::info!(
        agent = agent.id.0,
        document = document_id,
        "document viewed"
    );
    agent
        .audit(
            &mut *conn,
            AuditAction::DocumentViewed,
            Some(&format!("{reference}/documents/{document_id}")),
            serde_json::json!({ "download": query.download.is_some() }),
        )
        .await?;
    let disposition = if query.download.is_some() {
        "attachment"
    } else {
        "inline"
    };
    let file_name = format!("{}-document-{document_id}.{}", reference, media.extension());
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media.as_str()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{file_name}\""),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            "Content-Security-Policy",
            "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'self'",
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}
