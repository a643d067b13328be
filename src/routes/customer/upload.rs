//! `/upload/{token}`: the secure link of a document request. It works for its own case only,
//! only until the deadline, only once, and only for the kinds the agent asked for. Looking up
//! links that do not exist is throttled per address.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::PublicThrottle;
use super::apply::{check_files, limits, refused};
use super::multipart::{self, RefusedBody};
use crate::domain::application::FieldError;
use crate::domain::case::State;
use crate::domain::document::DocumentKind;
use crate::domain::said::Said;
use crate::error::AppResult;
use crate::intake::{self, Answer};
use crate::routes::language::Frame;
use crate::routes::{local_time, render, see_other};
use crate::state::AppState;
use crate::store::customer::{self, UploadLinkRow};
use crate::store::upload_links;

#[derive(Template)]
#[template(path = "customer/upload.html")]
struct UploadPage {
    frame: Frame,
    token: String,
    reference: String,
    kinds: Vec<DocumentKind>,
    deadline: String,
    errors: Vec<FieldError>,
    max_file_mib: usize,
}

impl UploadPage {
    fn intro(&self) -> String {
        self.frame.t.with(
            "upload-application",
            &[
                ("reference", self.reference.clone().into()),
                ("deadline", self.deadline.clone().into()),
            ],
        )
    }

    fn hint(&self) -> String {
        self.frame
            .t
            .with("upload-hint", &[("mib", self.max_file_mib.into())])
    }

    fn kind_label(&self, kind: &DocumentKind) -> String {
        self.frame
            .t
            .get(&format!("document-kind-{}", kind.as_str()))
    }

    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.frame.t.said(&e.message))
    }

    fn message(&self, error: &FieldError) -> String {
        self.frame.t.said(&error.message)
    }
}

#[derive(Template)]
#[template(path = "customer/link.html")]
struct LinkPage {
    frame: Frame,
    title: String,
    message: String,
}

/// Tokens are URL-safe base64 of at least 16 random bytes; anything else is not one of ours
/// and is not looked up.
fn token_hash(token: &str) -> Option<Vec<u8>> {
    let plausible = (20..=100).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| upload_links::token_hash(token).to_vec())
}

/// A link page: its title and message are message ids.
fn link_page(
    frame: &Frame,
    status: StatusCode,
    title: &str,
    message: String,
) -> AppResult<HttpResponse> {
    render(
        status,
        &LinkPage {
            frame: frame.clone(),
            title: frame.t.get(title),
            message,
        },
    )
}

fn unknown(frame: &Frame) -> AppResult<HttpResponse> {
    link_page(
        frame,
        StatusCode::NOT_FOUND,
        "link-unknown-title",
        frame.t.get("link-unknown"),
    )
}

/// The page for a link that cannot take uploads (any more), or `None` when it can.
fn unusable(
    frame: &Frame,
    state: &AppState,
    link: &UploadLinkRow,
) -> Option<AppResult<HttpResponse>> {
    if let Some(used) = link.used_at {
        return Some(link_page(
            frame,
            StatusCode::GONE,
            "link-used-title",
            frame
                .t
                .with("link-used", &[("when", local_time(used, state.tz).into())]),
        ));
    }
    let waiting = link.case_state == State::AwaitingDocuments;
    if link.expires_at < Utc::now() || !waiting {
        return Some(link_page(
            frame,
            StatusCode::GONE,
            "link-expired-title",
            frame.t.get("link-expired"),
        ));
    }
    None
}

fn page(
    frame: &Frame,
    state: &AppState,
    token: &str,
    link: &UploadLinkRow,
    errors: Vec<FieldError>,
) -> UploadPage {
    UploadPage {
        frame: frame.clone(),
        token: token.to_owned(),
        reference: link.reference.clone(),
        kinds: link.kinds.clone(),
        deadline: local_time(link.expires_at, state.tz),
        errors,
        max_file_mib: state.settings.upload_max_bytes.div_ceil(1024 * 1024),
    }
}

/// The link behind `token`, or `None` for one that does not exist. Each look-up is reserved
/// against the address's throttle first (each guess is a different token, so the address is
/// what is counted, as key and address); only a link that exists does not count.
async fn find_link(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
) -> AppResult<Option<(Vec<u8>, UploadLinkRow)>> {
    let address = state.client_address(req);
    let throttle = PublicThrottle::new(
        state,
        "upload",
        address.as_deref().unwrap_or_default(),
        address.clone(),
    );
    let attempt = throttle.reserve().await?;
    let Some(hash) = token_hash(token) else {
        return Ok(None);
    };
    let Some(link) = customer::upload_link(&state.pool, &hash).await? else {
        return Ok(None);
    };
    attempt.succeeded(&state.pool).await?;
    Ok(Some((hash, link)))
}

pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    frame: Frame,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let Some((_, link)) = find_link(&req, &state, &token).await? else {
        return unknown(&frame);
    };
    if let Some(page) = unusable(&frame, &state, &link) {
        return page;
    }
    render(
        StatusCode::OK,
        &page(&frame, &state, &token, &link, Vec::new()),
    )
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    frame: Frame,
    token: web::Path<String>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let Some((hash, link)) = find_link(&req, &state, &token).await? else {
        return unknown(&frame);
    };
    if let Some(page) = unusable(&frame, &state, &link) {
        return page;
    }
    let limits = limits(&state);
    if multipart::declared_too_large(&req, limits) {
        return Err(refused(RefusedBody::FileTooLarge {
            limit_mib: limits.max_file_bytes.div_ceil(1024 * 1024),
        }));
    }
    let _slot = multipart::upload_slot(&state)?;
    let form = multipart::read(&req, body, limits).await.map_err(refused)?;
    let requested = &link.kinds;
    // Only what was asked for: a file of another kind is refused, not quietly filed.
    let foreign = form
        .files
        .iter()
        .any(|file| !requested.iter().any(|k| k.as_str() == file.field));
    let (uploads, mut errors) = check_files(&state, form.files, requested).await?;
    if foreign {
        errors.push(FieldError {
            field: "documents",
            message: Said::new("upload-only-requested"),
        });
    }
    if !errors.is_empty() {
        return render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&frame, &state, &token, &link, errors),
        );
    }
    match intake::answer_document_request(
        &state.pool,
        &state.blobs,
        &hash,
        &uploads,
        crate::routes::desk(&state),
    )
    .await?
    {
        Answer::Received => {
            tracing::info!(
                case = link.case_id,
                "documents received through an upload link"
            );
            Ok(see_other(&format!("/upload/{}", token.as_str())))
        }
        Answer::Unknown => unknown(&frame),
        // Someone (a second tab) got there first, or the deadline passed meanwhile.
        Answer::AlreadyUsed | Answer::Expired => {
            let link = customer::upload_link(&state.pool, &hash).await?;
            match link.as_ref().and_then(|l| unusable(&frame, &state, l)) {
                Some(page) => page,
                None => unknown(&frame),
            }
        }
    }
}
