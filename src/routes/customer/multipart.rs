//! Reading a `multipart/form-data` body with limits enforced while it streams in: a file over the
//! size limit is refused (413) as soon as its bytes pass the limit, before the rest of the body
//! is read, and so are a body over the total cap, too many files or parts, oversized text
//! fields, and a body that takes longer than its deadline (408). Who may read a body at all is
//! decided first by [`upload_slot`].

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use tokio::sync::SemaphorePermit;

use crate::error::AppError;
use crate::i18n::Tr;
use crate::state::AppState;

/// The limits of one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: usize,
    pub max_files: usize,
    /// The whole body must have arrived within this.
    pub body_time: Duration,
}

impl Limits {
    pub fn of(state: &AppState) -> Limits {
        Limits {
            max_file_bytes: state.settings.upload_max_bytes,
            max_files: state.settings.upload_max_files,
            body_time: Duration::from_secs(state.settings.upload_body_seconds),
        }
    }

    /// Every part counts, empty ones too (an empty file input still sends one): otherwise a
    /// body of endless empty parts would be read for ever.
    fn max_parts(self) -> usize {
        MAX_FIELDS + self.max_files
    }

    /// The most a whole body may hold: full files, full fields, and room for each part's
    /// headers and boundary.
    pub fn body_cap(self) -> usize {
        self.max_files * self.max_file_bytes
            + MAX_FIELDS * MAX_FIELD_BYTES
            + self.max_parts() * PART_OVERHEAD
    }
}

/// Text fields are short; a form has few of them.
const MAX_FIELD_BYTES: usize = 8 * 1024;
const MAX_FIELDS: usize = 64;
/// A part's boundary and headers (a long file name included).
const PART_OVERHEAD: usize = 2 * 1024;

/// One of the upload slots (`AppState::upload_slots`), or 503 at once when all are taken:
/// waiting would let a few slow senders hold everyone else's request open.
pub fn upload_slot(state: &AppState) -> Result<SemaphorePermit<'_>, AppError> {
    state
        .upload_slots
        .try_acquire()
        .map_err(|_| AppError::Busy(crate::routes::language::tr().get("refused-busy-uploads")))
}

/// A file as received: nothing about it has been checked yet.
pub struct ReceivedFile {
    /// The form field it came in.
    pub field: String,
    /// What the customer's computer called it (untrusted; display text once sanitised).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct ReceivedForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<ReceivedFile>,
}

impl ReceivedForm {
    pub fn text(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == name)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RefusedBody {
    #[error("a file is larger than the limit of {limit_mib} MiB")]
    FileTooLarge { limit_mib: usize },
    #[error("the request is larger than the limit of {limit_mib} MiB")]
    BodyTooLarge { limit_mib: usize },
    #[error("at most {max} files can be sent at once")]
    TooManyFiles { max: usize },
    #[error("the form has too many parts")]
    TooManyParts,
    #[error("it took longer than {seconds} seconds to arrive")]
    TooSlow { seconds: u64 },
    #[error("the form could not be read")]
    Malformed,
}

impl RefusedBody {
    /// What the customer is told, in their language (the `Display` text is for logs).
    pub fn words(&self, t: Tr) -> String {
        match *self {
            RefusedBody::FileTooLarge { limit_mib } => {
                t.with("body-file-too-large", &[("limit", limit_mib.into())])
            }
            RefusedBody::BodyTooLarge { limit_mib } => {
                t.with("body-too-large", &[("limit", limit_mib.into())])
            }
            RefusedBody::TooManyFiles { max } => {
                t.with("body-too-many-files", &[("max", max.into())])
            }
            RefusedBody::TooManyParts => t.get("body-too-many-parts"),
            RefusedBody::TooSlow { seconds } => {
                t.with("body-too-slow", &[("seconds", seconds.into())])
            }
            RefusedBody::Malformed => t.get("body-malformed"),
        }
    }

    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            RefusedBody::FileTooLarge { .. } | RefusedBody::BodyTooLarge { .. }
        )
    }
}

/// A body that declares itself larger than everything the limits allow is refused unread.
pub fn declared_too_large(req: &HttpRequest, limits: Limits) -> bool {
    let allowed = limits.body_cap();
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > allowed)
}

/// Reads the whole form within the limits and the deadline.
pub async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    limits: Limits,
) -> Result<ReceivedForm, RefusedBody> {
    // The total is counted on the raw bytes, before the multipart parser sees them.
    let over_cap = Rc::new(Cell::new(false));
    let mut left = limits.body_cap();
    let flag = over_cap.clone();
    let capped = payload.map(move |chunk| {
        let chunk = chunk?;
        left = left.checked_sub(chunk.len()).ok_or_else(|| {
            flag.set(true);
            PayloadError::Overflow
        })?;
        Ok(chunk)
    });
    let body = Multipart::new(req.headers(), capped);
    match actix_web::rt::time::timeout(limits.body_time, read_parts(body, limits)).await {
        Err(_) => Err(RefusedBody::TooSlow {
            seconds: limits.body_time.as_secs(),
        }),
        Ok(Err(_)) if over_cap.get() => Err(RefusedBody::BodyTooLarge {
            limit_mib: limits.body_cap().div_ceil(1024 * 1024),
        }),
        Ok(read) => read,
    }
}

async fn read_parts(mut body: Multipart, limits: Limits) -> Result<ReceivedForm, RefusedBody> {
    let mut form = ReceivedForm::default();
    let mut parts = 0;
    while let Some(field) = body.next().await {
        parts += 1;
        if parts > limits.max_parts() {
            return Err(RefusedBody::TooManyParts);
        }
        let mut field = field.map_err(|_| RefusedBody::Malformed)?;
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_owned);
        match file_name {
            Some(file_name) => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| RefusedBody::Malformed)?;
                    if bytes.len() + chunk.len() > limits.max_file_bytes {
                        return Err(RefusedBody::FileTooLarge {
                            limit_mib: limits.max_file_bytes.div_ceil(1024 * 1024),
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                // A file input left empty still sends a part with an empty name and no bytes.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if form.files.len() == limits.max_files {
                    return Err(RefusedBody::TooManyFiles {
                        max: limits.max_files,
                    });
                }
                form.files.push(ReceivedFile {
                    field: name,
                    file_name,
                    bytes,
                });
            }
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(|_| RefusedBody::Malformed)?;
                    if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
                        return Err(RefusedBody::Malformed);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if form.fields.len() == MAX_FIELDS {
                    return Err(RefusedBody::Malformed);
                }
                let value = String::from_utf8(bytes).map_err(|_| RefusedBody::Malformed)?;
                form.fields.push((name, value));
            }
        }
    }
    Ok(form)
}
