//! A new case from an application: the case, its documents, its first history event and the
//! "received" notice are written in one transaction, so an application is either wholly there
//! or not at all. The web form and the intake API both come through here.

use anyhow::Context;
use chrono::Utc;
use serde_json::json;
use sqlx::PgPool;

use crate::domain::application::Application;
use crate::domain::case::{Action, Actor, CaseFacts, State, transition};
use crate::domain::document::{DocumentKind, MediaType};
use crate::domain::reference::CaseReference;
use crate::domain::request::Channel;
use crate::domain::sla;
use crate::domain::upload::{self, UploadRefusal};
use crate::notices::{self, NoticeKind};
use crate::store::applications::BillingMatch;
use crate::store::blobs::BlobStore;
use crate::store::cases::{self, NewEvent};
use crate::store::notices as outbox;
use crate::store::{api_tokens, applications, billing, customer, documents};
use crate::workflow;

/// What each file is, by `domain::upload::inspect`, judged on a blocking thread: the checks are
/// CPU work (a PDF's streams are decoded), and on the async workers two hostile files would
/// stall every other request. Each file has `time` to be judged; the check itself watches that
/// deadline, because a timeout around a blocking thread would answer but not stop it. The
/// bytes come back with their verdicts, in order.
pub async fn inspect_files(
    files: Vec<Vec<u8>>,
    time: std::time::Duration,
) -> anyhow::Result<Vec<(Vec<u8>, Result<MediaType, UploadRefusal>)>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    actix_web::rt::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|bytes| {
                let verdict = upload::inspect(&bytes, upload::Budget::for_time(time));
                (bytes, verdict)
            })
            .collect()
    })
    .await
    .context("inspecting uploaded files")
}

/// A file that passed the content checks (`domain::upload::inspect`).
#[derive(Debug, Clone)]
pub struct CheckedUpload {
    pub kind: DocumentKind,
    /// Sanitised display text.
    pub file_name: String,
    pub media_type: MediaType,
    pub bytes: Vec<u8>,
}

/// An intake API request's idempotency key, remembered with the case it creates.
pub struct Idempotency<'a> {
    pub token_id: i64,
    pub key: &'a str,
    pub request_sha256: &'a [u8],
}

pub struct Submitted {
    pub case_id: i64,
    pub reference: CaseReference,
}

pub async fn submit(
    pool: &PgPool,
    blobs: &impl BlobStore,
    app: &Application,
    channel: Channel,
    uploads: &[CheckedUpload],
    sla_hours: i64,
    idempotency: Option<Idempotency<'_>>,
) -> anyhow::Result<Submitted> {
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    applications::lock_line(&mut tx, app.msisdn.e164()).await?;
    let line = billing::find(&mut tx, app.msisdn.e164()).await?;
    let billing = BillingMatch::of(line, &app.account_number);
    let (case_id, reference) = applications::insert(
        &mut tx,
        app,
        channel,
        now,
        sla::due_at(now, sla_hours),
        &billing,
    )
    .await?;
    attach_all(&mut tx, blobs, case_id, uploads).await?;
    let event = NewEvent {
        actor: Actor::Customer,
        kind: "submitted",
        from_state: None,
        to_state: Some(State::Submitted),
        reason_code: None,
        message: None,
        details: json!({ "channel": channel.as_str(), "documents": uploads.len() }),
    };
    cases::append_event(&mut tx, case_id, 1, &event).await?;
    notices::enqueue(&mut tx, case_id, NoticeKind::Received, None).await?;
    if let Some(key) = idempotency {
        api_tokens::remember_key(&mut tx, key.token_id, key.key, key.request_sha256, case_id)
            .await?;
    }
    tx.commit().await?;
    Ok(Submitted { case_id, reference })
}

/// The customer's checked files, attached to the case in the caller's transaction.
async fn attach_all(
    conn: &mut sqlx::PgConnection,
    blobs: &impl BlobStore,
    case_id: i64,
    uploads: &[CheckedUpload],
) -> anyhow::Result<()> {
    for upload in uploads {
        documents::attach(
            conn,
            blobs,
            case_id,
            &documents::NewDocument {
                kind: upload.kind,
                file_name: &upload.file_name,
                media_type: upload.media_type,
                bytes: &upload.bytes,
                uploaded_by: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// What became of an answer through an upload link.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    Received,
    /// No such link.
    Unknown,
    AlreadyUsed,
    /// Past its deadline, or the case has moved on (decided, expired).
    Expired,
}

/// The customer's documents for a document request: checks the link under lock, attaches the
/// files, marks the link used and moves the case back to the queue flagged "documents
/// received", in one transaction.
pub async fn answer_document_request(
    pool: &PgPool,
    blobs: &impl BlobStore,
    token_sha256: &[u8],
    uploads: &[CheckedUpload],
) -> anyhow::Result<Answer> {
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    let Some(link) = customer::upload_link(&mut *tx, token_sha256).await? else {
        return Ok(Answer::Unknown);
    };
    let reference = CaseReference::parse(&link.reference)
        .map_err(|_| anyhow::anyhow!("stored reference does not parse"))?;
    // The line and the case first, then the link: the order every case change takes.
    let Some(case) = cases::lock(&mut tx, &reference).await? else {
        return Ok(Answer::Unknown);
    };
    let Some(link) = customer::lock_upload_link(&mut tx, token_sha256).await? else {
        return Ok(Answer::Unknown);
    };
    if link.used_at.is_some() {
        return Ok(Answer::AlreadyUsed);
    }
    if link.expires_at < now {
        return Ok(Answer::Expired);
    }
    let facts = CaseFacts {
        state: case.state(),
        assignee: case.assignee(),
        identity_accepted: case.identity_accepted,
    };
    let Ok(t) = transition(facts, Actor::Customer, Action::DocumentsReceived) else {
        return Ok(Answer::Expired);
    };
    attach_all(&mut tx, blobs, case.id, uploads).await?;
    customer::mark_links_used(&mut tx, case.id, now).await?;
    outbox::supersede_document_requests(&mut tx, case.id).await?;
    let version = cases::update(&mut tx, case.id, &workflow::resume_update(&case, t, now)).await?;
    let kinds: Vec<&str> = uploads.iter().map(|u| u.kind.as_str()).collect();
    let event = NewEvent {
        actor: Actor::Customer,
        kind: Action::DocumentsReceived.event_kind(),
        from_state: Some(t.from),
        to_state: Some(t.to),
        reason_code: None,
        message: None,
        details: json!({ "kinds": kinds, "documents": uploads.len() }),
    };
    cases::append_event(&mut tx, case.id, version, &event).await?;
    tx.commit().await?;
    Ok(Answer::Received)
}
