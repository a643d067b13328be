//! A new case from an application: the case, its documents, its first history event and the
//! "received" notice are written in one transaction, so an application is either wholly there
//! or not at all. The web form and the intake API both come through here.

use anyhow::Context;
use chrono::Utc;
use sqlx::PgPool;

use crate::domain::application::Application;
use crate::domain::case::{Actor, State, transition};
use crate::domain::decision::Decision;
use crate::domain::document::{DocumentKind, MediaType};
use crate::domain::event::{EventDetails, EventKind};
use crate::domain::reference::CaseReference;
use crate::domain::request::Channel;
use crate::domain::sla;
use crate::domain::upload::{self, UploadRefusal};
use crate::i18n::Locale;
use crate::notices::{self, NoticeKind};
use crate::store::applications::BillingMatch;
use crate::store::blobs::BlobStore;
use crate::store::cases::{self, NewEvents};
use crate::store::{api_tokens, applications, billing, customer, documents};
use crate::workflow::{self, Desk};

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

/// Where an application came from: the channel, and the language the customer reads (their
/// notices are written in it).
pub struct Origin {
    pub channel: Channel,
    pub locale: Locale,
}

pub struct Submitted {
    pub case_id: i64,
    pub reference: CaseReference,
}

pub async fn submit(
    pool: &PgPool,
    blobs: &impl BlobStore,
    app: &Application,
    origin: Origin,
    uploads: &[CheckedUpload],
    sla_hours: i64,
    idempotency: Option<Idempotency<'_>>,
) -> anyhow::Result<Submitted> {
    let Origin { channel, locale } = origin;
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
        locale,
    )
    .await?;
    attach_all(&mut tx, blobs, case_id, uploads).await?;
    // Read the identity card and run the pre-checks once this commits (assisted review).
    crate::store::assist::enqueue(&mut tx, case_id).await?;
    crate::store::assist::recheck_sharing(&mut tx, case_id).await?;
    let event = NewEvents {
        actor: Actor::Customer,
        kind: EventKind::Submitted,
        reason_code: None,
        message: None,
    };
    let details = EventDetails {
        channel: Some(channel),
        documents: Some(uploads.len()),
        ..EventDetails::default()
    };
    let states = [(None, Some(State::Submitted))];
    cases::append_events(&mut tx, &event, &[case_id], &states, &[1], &[details]).await?;
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
    desk: Desk,
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
    let decision = Decision::DocumentsReceived(uploads.iter().map(|u| u.kind).collect());
    let mut cx = workflow::context(desk);
    cx.now = now;
    let allowed = |_: &cases::LockedCase, case: &crate::domain::effects::Snapshot| {
        transition(case.facts, Actor::Customer, decision.action())
    };
    // The case has moved on (decided, expired): the link is as good as expired.
    if transition(case.snapshot().facts, Actor::Customer, decision.action()).is_err() {
        return Ok(Answer::Expired);
    }
    attach_all(&mut tx, blobs, case.id, uploads).await?;
    crate::store::assist::enqueue(&mut tx, case.id).await?;
    crate::store::assist::recheck_sharing(&mut tx, case.id).await?;
    workflow::apply(
        &mut tx,
        Actor::Customer,
        None,
        &decision,
        &cx,
        &[case],
        allowed,
    )
    .await?;
    tx.commit().await?;
    Ok(Answer::Received)
}
