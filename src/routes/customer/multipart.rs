//! Reading a `multipart/form-data` body with limits enforced while it streams in: a file over the
//! size limit is refused (413) as soon as its bytes pass the limit, before the rest of the body
//! is read, and so are too many files or oversized text fields.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use actix_web::http::header;
use futures_util::StreamExt;

/// The limits of one request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: usize,
    pub max_files: usize,
}

/// Text fields are short; a form has few of them.
const MAX_FIELD_BYTES: usize = 8 * 1024;
const MAX_FIELDS: usize = 64;

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
    #[error("at most {max} files can be sent at once")]
    TooManyFiles { max: usize },
    #[error("the form could not be read")]
    Malformed,
}

impl RefusedBody {
    pub fn is_too_large(&self) -> bool {
        matches!(self, RefusedBody::FileTooLarge { .. })
    }
}

/// A body that declares itself larger than everything the limits allow is refused unread.
pub fn declared_too_large(req: &HttpRequest, limits: Limits) -> bool {
    let allowed = limits.max_files * limits.max_file_bytes + MAX_FIELDS * MAX_FIELD_BYTES;
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > allowed)
}

pub async fn read(mut body: Multipart, limits: Limits) -> Result<ReceivedForm, RefusedBody> {
    let mut form = ReceivedForm::default();
    while let Some(field) = body.next().await {
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
