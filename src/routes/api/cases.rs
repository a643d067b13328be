//! `POST /api/v1/cases` (an application with its documents) and `GET /api/v1/cases/{reference}`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{ApiError, ProblemField, authenticate, field_problems};
use crate::domain::application::{self, ApplicationInput, Market};
use crate::domain::case::State;
use crate::domain::document::DocumentKind;
use crate::domain::reference::CaseReference;
use crate::domain::token_grant::Scope;
use crate::domain::upload;
use crate::error::AppError;
use crate::i18n::{Locale, Tr};
use crate::intake::{self, CheckedUpload, Idempotency};
use crate::routes::customer::multipart::upload_slot;
use crate::state::AppState;
use crate::store::{api_tokens, customer};

/// A document, its bytes in standard base64.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DocumentUpload {
    /// `identity_card`, `proof_of_ownership`, `authorisation_letter`, `bank_account_proof` or `other`.
    pub kind: String,
    /// Display text only.
    #[serde(default)]
    pub file_name: String,
    /// JPEG, PNG or PDF bytes, base64-encoded.
    pub content_base64: String,
}

/// An application as the hotline or a service point sends it. An `identity_card` document is
/// required.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateCase {
    pub application: ApplicationInput,
    /// The customer's language for the notices they will get: `id`, `en` or `zh-CN`. When absent,
    /// the request's `Accept-Language`, else the desk's `default_locale`.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentUpload>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseCreated {
    pub reference: String,
    pub state: String,
    /// Where to read the case's state.
    pub status_url: String,
}

/// What other systems may know of a case: its state and dates, nothing personal.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseStatus {
    pub reference: String,
    /// `submitted`, `in_review`, `awaiting_documents`, `approved`, `rejected`, `cancelled`,
    /// `expired` or `withdrawn`.
    pub state: String,
    pub state_label: String,
    pub channel: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub documents_received: bool,
    pub requested_documents: Vec<String>,
    pub documents_deadline: Option<DateTime<Utc>>,
    pub requested_effective_date: NaiveDate,
    pub effective_date: Option<NaiveDate>,
}

const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Reads the body with a cap, answering 413 as soon as it is passed, and 408 when it has not
/// all arrived within `time` (a slow sender must not hold an upload slot for ever).
async fn read_body(
    payload: web::Payload,
    limit: usize,
    time: std::time::Duration,
) -> Result<Vec<u8>, ApiError> {
    match actix_web::rt::time::timeout(time, read_capped(payload, limit)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::App(AppError::TimedOut(format!(
            "The request body took longer than {} seconds to arrive. Nothing was created.",
            time.as_secs()
        )))),
    }
}

async fn read_capped(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::BadRequest("The body could not be read.".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::TooLarge(format!(
                "The request is larger than the limit of {} MiB.",
                limit.div_ceil(1024 * 1024)
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "cases",
    request_body = CreateCase,
    params(("Idempotency-Key" = Option<String>, Header,
            description = "A retried request with the same key (and body) answers with the case the first one created")),
    responses(
        (status = 201, description = "Case created (or, for a repeated Idempotency-Key, the case created before)", body = CaseCreated),
        super::TokenRefused,
        (status = 413, description = "Body or a document over the size limit", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an Idempotency-Key reused for another request", body = super::Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive within `upload_body_seconds`", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed authentications from this address", body = super::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every upload slot is busy; retry after `Retry-After` seconds", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate(&req, &state, Scope::Intake)
        .await?
        .succeeded(&state)
        .await?;
    let settings = &state.settings;
    // Base64 costs a third more; plus room for the application's fields.
    let limit = settings.upload_max_files * settings.upload_max_bytes / 3 * 4 + 256 * 1024;
    // Bodies are held in memory until checked: only so many at once (shared with the web form);
    // when all slots are taken the caller is told at once to retry (503, `Retry-After`).
    let _slot = upload_slot(&state)?;
    let body = read_body(
        payload,
        limit,
        std::time::Duration::from_secs(settings.upload_body_seconds),
    )
    .await?;
    let key = match req.headers().get(IDEMPOTENCY_HEADER) {
        None => None,
        Some(value) => match value.to_str().map(str::trim) {
            Ok(key) if (1..=200).contains(&key.len()) => Some(key.to_owned()),
            _ => {
                return Err(ApiError::BadRequest(
                    "Idempotency-Key must be 1 to 200 visible characters.".into(),
                ));
            }
        },
    };
    let request_sha256 = Sha256::digest(&body).to_vec();
    if let Some(key) = &key
        && let Some(answer) = replay(&state, client.id, key, &request_sha256).await?
    {
        return Ok(answer);
    }
    let request: CreateCase = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("The body is not a valid application: {e}.")))?;
    let market = Market {
        country_code: &settings.country_code,
        operator_prefixes: &settings.operator_prefixes,
        today: state.today(),
    };
    let parsed = application::parse(&request.application, &market);
    // Field details in the caller's language (the pointers and `type`s stay codes).
    let t = super::problem_language(&req);
    let (uploads, mut problems) = check_documents(&state, &request.documents, t).await?;
    let locale = match request.language.as_deref().map(Locale::parse) {
        Some(Some(locale)) => locale,
        Some(None) => {
            problems.push(ProblemField {
                pointer: "#/language".into(),
                detail: t.get("api-language-unknown"),
            });
            Locale::En
        }
        None => crate::routes::language::tr().locale,
    };
    let app = match parsed {
        Ok(app) if problems.is_empty() => app,
        parsed => {
            let mut all = field_problems(parsed.err().unwrap_or_default(), "application/", t);
            all.append(&mut problems);
            return Err(ApiError::Invalid(all));
        }
    };
    let idempotency = key.as_deref().map(|key| Idempotency {
        token_id: client.id,
        key,
        request_sha256: &request_sha256,
    });
    let submitted = intake::submit(
        &state.pool,
        &state.blobs,
        &app,
        intake::Origin {
            channel: client
                .grant
                .channel()
                .ok_or_else(|| anyhow::anyhow!("an intake token without a channel"))?,
            locale,
        },
        &uploads,
        settings.sla_hours,
        idempotency,
    )
    .await;
    match submitted {
        Ok(submitted) => {
            tracing::info!(case = submitted.case_id, client = %client.name, "application received over the API");
            Ok(created(submitted.reference.as_str(), false))
        }
        // A twin request with the same key committed first: answer as it did.
        Err(e) if is_unique_violation(&e) && key.is_some() => {
            let key = key.unwrap_or_default();
            match replay(&state, client.id, &key, &request_sha256).await? {
                Some(answer) => Ok(answer),
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .is_some_and(|e| e.is_unique_violation())
}

async fn replay(
    state: &AppState,
    token_id: i64,
    key: &str,
    request_sha256: &[u8],
) -> Result<Option<HttpResponse>, ApiError> {
    match api_tokens::idempotent_case(&state.pool, token_id, key).await? {
        Some((hash, reference)) if hash == request_sha256 => Ok(Some(created(&reference, true))),
        Some(_) => Err(ApiError::IdempotencyMismatch),
        None => Ok(None),
    }
}

fn created(reference: &str, replayed: bool) -> HttpResponse {
    let status_url = format!("/api/v1/cases/{reference}");
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, status_url.clone()));
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.json(CaseCreated {
        reference: reference.to_owned(),
        state: State::Submitted.as_str().to_owned(),
        status_url,
    })
}

/// The same checks as the web form's files (off the async workers, see
/// `intake::inspect_files`), with JSON pointers.
async fn check_documents(
    state: &AppState,
    documents: &[DocumentUpload],
    t: Tr,
) -> Result<(Vec<CheckedUpload>, Vec<ProblemField>), ApiError> {
    let max_bytes = state.settings.upload_max_bytes;
    let max_files = state.settings.upload_max_files;
    let mut decoded = Vec::new();
    let mut uploads = Vec::new();
    let mut problems = Vec::new();
    if documents.len() > max_files {
        problems.push(ProblemField {
            pointer: "#/documents".into(),
            detail: t.with("api-documents-too-many", &[("count", max_files.into())]),
        });
        return Ok((uploads, problems));
    }
    for (i, document) in documents.iter().enumerate() {
        let pointer = format!("#/documents/{i}");
        let Some(kind) = DocumentKind::parse(&document.kind) else {
            problems.push(ProblemField {
                pointer: format!("{pointer}/kind"),
                detail: t.get("api-document-kind-unknown"),
            });
            continue;
        };
        let Ok(bytes) =
            base64::engine::general_purpose::STANDARD.decode(document.content_base64.trim())
        else {
            problems.push(ProblemField {
                pointer: format!("{pointer}/content_base64"),
                detail: t.get("api-document-base64"),
            });
            continue;
        };
        if bytes.len() > max_bytes {
            return Err(ApiError::TooLarge(format!(
                "Document {i} is larger than the limit of {} MiB.",
                max_bytes.div_ceil(1024 * 1024)
            )));
        }
        decoded.push((pointer, kind, document.file_name.as_str(), bytes));
    }
    let (described, bytes): (Vec<_>, Vec<_>) = decoded
        .into_iter()
        .map(|(pointer, kind, name, bytes)| ((pointer, kind, name), bytes))
        .unzip();
    let time = std::time::Duration::from_secs(state.settings.upload_check_seconds);
    let verdicts = intake::inspect_files(bytes, time).await?;
    for ((pointer, kind, file_name), (bytes, verdict)) in described.into_iter().zip(verdicts) {
        match verdict {
            Ok(media_type) => uploads.push(CheckedUpload {
                kind,
                file_name: upload::display_name(file_name, media_type),
                media_type,
                bytes,
            }),
            Err(refusal) => problems.push(ProblemField {
                pointer: format!("{pointer}/content_base64"),
                detail: t.said(
                    &crate::domain::said::Said::new("upload-file-refused")
                        .fill("kind", crate::domain::said::Fill::Kind(kind))
                        .fill("refusal", crate::domain::said::Fill::Refusal(refusal)),
                ),
            }),
        }
    }
    if !documents
        .iter()
        .any(|d| d.kind == DocumentKind::IdentityCard.as_str())
    {
        problems.push(ProblemField {
            pointer: "#/documents".into(),
            detail: t.get("api-identity-card-required"),
        });
    }
    Ok((uploads, problems))
}

#[utoipa::path(
    get,
    path = "/api/v1/cases/{reference}",
    tag = "cases",
    params(("reference" = String, Path, description = "The case reference, e.g. CX-7K3M-Q9TD")),
    responses(
        (status = 200, description = "The case's state", body = CaseStatus),
        super::TokenRefused,
        (status = 404, description = "No such case (counts toward the throttle, like a wrong token)", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed authentications or unknown references from this address", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(&req, &state, Scope::Intake).await?;
    // A reference that does not exist counts toward the throttle like a wrong token (the caller
    // is dropped with its attempt still reserved): a token holder cannot enumerate references.
    let reference = CaseReference::parse(&reference).map_err(|_| ApiError::NotFound)?;
    let row = customer::by_reference(&state.pool, reference.as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.succeeded(&state).await?;
    Ok(HttpResponse::Ok().json(CaseStatus::of(row)))
}

impl CaseStatus {
    pub fn of(row: customer::ApiStatusRow) -> CaseStatus {
        let case_state = row.state;
        CaseStatus {
            reference: row.reference,
            state: case_state.as_str().to_owned(),
            state_label: case_state.label().to_owned(),
            channel: row.channel.as_str().to_owned(),
            submitted_at: row.submitted_at,
            updated_at: row.updated_at,
            documents_received: row.documents_received,
            requested_documents: row
                .requested_kinds
                .iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
            documents_deadline: row.documents_deadline,
            requested_effective_date: row.requested_effective_date,
            effective_date: row.effective_date,
        }
    }
}
