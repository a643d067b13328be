//! `/apply`: the public application form, and the confirmation after it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::PublicThrottle;
use super::multipart::{self, Limits, ReceivedFile, ReceivedForm, RefusedBody};
use crate::auth::session::TypedSession;
use crate::domain::application::{self, ApplicationInput, FieldError, Market};
use crate::domain::document::DocumentKind;
use crate::domain::request::{CancelReason, Channel, ContactChannel, LineType, Settlement};
use crate::domain::said::{Fill, Said};
use crate::domain::upload;
use crate::error::{AppError, AppResult};
use crate::intake::{self, CheckedUpload};
use crate::routes::language::Frame;
use crate::routes::{Choice, render, see_other};
use crate::state::AppState;

/// The session key that carries the new reference to the confirmation page (Post/Redirect/Get).
const APPLIED_KEY: &str = "applied_reference";

#[derive(Template)]
#[template(path = "customer/apply.html")]
struct ApplyPage {
    frame: Frame,
    input: ApplicationInput,
    errors: Vec<FieldError>,
    files_dropped: bool,
    line_types: Vec<Choice>,
    contacts: Vec<Choice>,
    reasons: Vec<Choice>,
    settlements: Vec<Choice>,
    today: String,
    max_file_mib: usize,
    max_files: usize,
}

impl ApplyPage {
    fn correct_sentence(&self) -> String {
        self.frame
            .t
            .with("apply-correct", &[("count", self.errors.len().into())])
    }

    fn documents_hint(&self) -> String {
        self.frame.t.with(
            "apply-documents-hint",
            &[
                ("mib", self.max_file_mib.into()),
                ("files", self.max_files.into()),
            ],
        )
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

/// The options of a select, labelled by the messages `<prefix>-<value>`.
fn choices<T: Copy>(
    frame: &Frame,
    prefix: &str,
    all: &[T],
    value: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&item| {
            let v = value(item);
            Choice {
                value: v.into(),
                label: frame.t.get(&format!("{prefix}-{v}")),
                selected: v == selected,
            }
        })
        .collect()
}

fn page(
    state: &AppState,
    frame: Frame,
    input: ApplicationInput,
    errors: Vec<FieldError>,
    files_dropped: bool,
) -> ApplyPage {
    ApplyPage {
        line_types: choices(
            &frame,
            "line-type",
            LineType::ALL,
            LineType::as_str,
            &input.line_type,
        ),
        contacts: choices(
            &frame,
            "contact",
            ContactChannel::ALL,
            ContactChannel::as_str,
            &input.preferred_contact,
        ),
        reasons: choices(
            &frame,
            "reason",
            CancelReason::ALL,
            CancelReason::as_str,
            &input.reason,
        ),
        settlements: choices(
            &frame,
            "settlement",
            Settlement::ALL,
            Settlement::as_str,
            &input.settlement,
        ),
        frame,
        today: state.today().to_string(),
        max_file_mib: state.settings.upload_max_bytes.div_ceil(1024 * 1024),
        max_files: state.settings.upload_max_files,
        input,
        errors,
        files_dropped,
    }
}

pub async fn form(state: web::Data<AppState>, frame: Frame) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &page(
            &state,
            frame,
            ApplicationInput::default(),
            Vec::new(),
            false,
        ),
    )
}

pub fn limits(state: &AppState) -> Limits {
    Limits::of(state)
}

/// A refused body as the error the customer sees.
pub fn refused(refusal: RefusedBody) -> AppError {
    let t = crate::routes::language::tr();
    let text = t.with("body-refused", &[("why", refusal.words(t).into())]);
    if refusal.is_too_large() {
        AppError::TooLarge(text)
    } else if matches!(refusal, RefusedBody::TooSlow { .. }) {
        AppError::TimedOut(text)
    } else {
        AppError::BadRequest(text)
    }
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let limits = limits(&state);
    if multipart::declared_too_large(&req, limits) {
        return Err(refused(RefusedBody::FileTooLarge {
            limit_mib: limits.max_file_bytes.div_ceil(1024 * 1024),
        }));
    }
    // Only so many bodies are read at once: when every slot is taken the sender is told at once
    // to come back (503), before anything counts against the address. Sending an application is
    // also throttled per address (each one mails whatever address was typed).
    let _slot = multipart::upload_slot(&state)?;
    let address = state.client_address(&req);
    let throttle = PublicThrottle::new(
        &state,
        "apply",
        address.as_deref().unwrap_or_default(),
        address.clone(),
    );
    let attempt = throttle.reserve().await?;
    let received = receive(&req, &state, &session, body, limits).await;
    // Only an application actually sent counts; a refused form (or body) sent nothing.
    if !matches!(received, Ok((Sent::Yes, _))) {
        attempt.succeeded(&state.pool).await?;
    }
    received.map(|(_, response)| response)
}

/// Whether an application was created.
enum Sent {
    Yes,
    No,
}

/// Reads, checks and (when all is well) files the application.
async fn receive(
    req: &HttpRequest,
    state: &AppState,
    session: &TypedSession,
    body: web::Payload,
    limits: Limits,
) -> AppResult<(Sent, HttpResponse)> {
    let form = multipart::read(req, body, limits).await.map_err(refused)?;
    let input = input_of(&form);
    let market = Market {
        country_code: &state.settings.country_code,
        operator_prefixes: &state.settings.operator_prefixes,
        today: state.today(),
    };
    let parsed = application::parse(&input, &market);
    let files_dropped = !form.files.is_empty();
    let (uploads, mut errors) =
        check_files(state, form.files, &[DocumentKind::IdentityCard]).await?;
    match parsed {
        Ok(app) if errors.is_empty() => {
            let submitted = intake::submit(
                &state.pool,
                &state.blobs,
                &app,
                intake::Origin {
                    channel: Channel::Web,
                    // The language the customer read the form in.
                    locale: crate::routes::language::tr().locale,
                },
                &uploads,
                state.settings.sla_hours,
                None,
            )
            .await?;
            tracing::info!(case = submitted.case_id, "application received on the web");
            session_insert(session, submitted.reference.as_str());
            Ok((Sent::Yes, see_other("/apply/received")))
        }
        parsed => {
            let mut all = parsed.err().unwrap_or_default();
            all.append(&mut errors);
            let response = render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(state, Frame::of(req), input, all, files_dropped),
            )?;
            Ok((Sent::No, response))
        }
    }
}

fn session_insert(session: &TypedSession, reference: &str) {
    session.set(APPLIED_KEY, reference);
}

#[derive(Template)]
#[template(path = "customer/received.html")]
struct ReceivedPage {
    frame: Frame,
    reference: String,
    sla_hours: i64,
}

impl ReceivedPage {
    fn sla_sentence(&self) -> String {
        self.frame
            .t
            .with("received-sla", &[("hours", self.sla_hours.into())])
    }
}

pub async fn received(
    state: web::Data<AppState>,
    session: TypedSession,
    frame: Frame,
) -> AppResult<HttpResponse> {
    let Some(reference) = session.get::<String>(APPLIED_KEY) else {
        return Ok(see_other("/apply"));
    };
    render(
        StatusCode::OK,
        &ReceivedPage {
            frame,
            reference,
            sla_hours: state.settings.sla_hours,
        },
    )
}

fn input_of(form: &ReceivedForm) -> ApplicationInput {
    ApplicationInput {
        customer_name: form.text("customer_name"),
        id_number: form.text("id_number"),
        msisdn: form.text("msisdn"),
        account_number: form.text("account_number"),
        line_type: form.text("line_type"),
        contact_email: form.text("contact_email"),
        contact_phone: form.text("contact_phone"),
        preferred_contact: form.text("preferred_contact"),
        reason: form.text("reason"),
        reason_text: form.text("reason_text"),
        settlement: form.text("settlement"),
        refund_bank: form.text("refund_bank"),
        refund_account: form.text("refund_account"),
        transfer_msisdn: form.text("transfer_msisdn"),
        requested_effective_date: form.text("requested_effective_date"),
        consent: form.has("consent"),
    }
}

/// Checks every file by its bytes (off the async workers, each within
/// `upload_check_seconds`); `required` kinds must each have one. Files come in fields named
/// after their document kind.
pub async fn check_files(
    state: &AppState,
    files: Vec<ReceivedFile>,
    required: &[DocumentKind],
) -> AppResult<(Vec<CheckedUpload>, Vec<FieldError>)> {
    let mut uploads = Vec::new();
    let mut errors = Vec::new();
    for kind in required {
        if !files.iter().any(|f| f.field == kind.as_str()) {
            errors.push(FieldError {
                field: kind.as_str(),
                message: Said::with("upload-add-document", "kinds", Fill::Kinds(vec![*kind])),
            });
        }
    }
    let mut known = Vec::new();
    for file in files {
        match DocumentKind::parse(&file.field) {
            Some(kind) => known.push((kind, file.file_name, file.bytes)),
            None => errors.push(FieldError {
                field: "documents",
                message: Said::new("upload-unknown-field"),
            }),
        }
    }
    // The bytes move to the checking thread and back into the upload; nothing is copied.
    let (names, bytes): (Vec<_>, Vec<_>) = known
        .into_iter()
        .map(|(kind, name, bytes)| ((kind, name), bytes))
        .unzip();
    let time = std::time::Duration::from_secs(state.settings.upload_check_seconds);
    let verdicts = intake::inspect_files(bytes, time).await?;
    for ((kind, file_name), (bytes, verdict)) in names.into_iter().zip(verdicts) {
        match verdict {
            Ok(media_type) => uploads.push(CheckedUpload {
                kind,
                file_name: upload::display_name(&file_name, media_type),
                media_type,
                bytes,
            }),
            Err(refusal) => errors.push(FieldError {
                field: kind.as_str(),
                message: Said {
                    id: "upload-file-refused",
                    args: vec![
                        ("kind", Fill::Kind(kind)),
                        ("refusal", Fill::Refusal(refusal)),
                    ],
                },
            }),
        }
    }
    Ok((uploads, errors))
}
