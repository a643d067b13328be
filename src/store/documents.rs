//! Document metadata and verdicts. Bytes go through [`super::blobs::BlobStore`].

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use super::blobs::BlobStore;
use crate::domain::agent::AgentId;
use crate::domain::document::{DocumentKind, MediaType, Verdict};
use crate::domain::event::ActorKind;

#[derive(Debug, sqlx::FromRow, serde::Deserialize)]
pub struct DocumentRecord {
    pub id: i64,
    pub kind: DocumentKind,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i32,
    #[serde(deserialize_with = "super::columns::bytea_from_json")]
    pub sha256: Vec<u8>,
    pub uploaded_by_kind: ActorKind,
    pub uploader_name: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub verdict: Verdict,
    pub verdict_reason: Option<String>,
    pub verdict_by_name: Option<String>,
    pub verdict_at: Option<DateTime<Utc>>,
    /// Cases of other customers (another identity number) carrying the very same file, up to 10.
    pub other_cases: i64,
    /// When the bytes were removed under the retention policy (the record stays).
    pub removed_at: Option<DateTime<Utc>>,
}

/// A case's documents as its page shows them; the callers add the filter on `d`.
macro_rules! select_documents {
    () => {
        "SELECT d.id, d.kind, d.file_name, d.media_type, d.size_bytes, d.sha256, d.uploaded_by_kind,
                u.name AS uploader_name, d.uploaded_at, d.verdict, d.verdict_reason,
                v.name AS verdict_by_name, d.verdict_at,
                -- Bounded: a signal needs some, not an exact count over thousands of rows.
                (SELECT count(*) FROM (SELECT 1 FROM documents od
                   JOIN cases oc ON oc.id = od.case_id
                  WHERE od.sha256 = d.sha256 AND oc.customer_nik <> dc.customer_nik
                  LIMIT 10) AS shared) AS other_cases,
                d.removed_at
         FROM documents d
         JOIN cases dc ON dc.id = d.case_id
         LEFT JOIN agents u ON u.id = d.uploaded_by
         LEFT JOIN agents v ON v.id = d.verdict_by"
    };
}
pub(crate) use select_documents;

/// A document of the case with this reference: nothing for a document of another case.
#[derive(Debug, sqlx::FromRow)]
pub struct StoredDocument {
    pub file_name: String,
    pub media_type: String,
    pub sha256: Vec<u8>,
}

pub async fn find_in_case(
    conn: &mut PgConnection,
    reference: &str,
    document_id: i64,
) -> sqlx::Result<Option<StoredDocument>> {
    sqlx::query_as(
        "SELECT d.file_name, d.media_type, d.sha256 FROM documents d
         JOIN cases c ON c.id = d.case_id
         WHERE c.reference = $1 AND d.id = $2",
    )
    .bind(reference)
    .bind(document_id)
    .fetch_optional(conn)
    .await
}

/// A file to attach, already checked: its media type comes from its bytes.
pub struct NewDocument<'a> {
    pub kind: DocumentKind,
    pub file_name: &'a str,
    pub media_type: MediaType,
    pub bytes: &'a [u8],
    pub uploaded_by: Option<AgentId>,
}

pub async fn attach(
    conn: &mut PgConnection,
    blobs: &impl BlobStore,
    case_id: i64,
    doc: &NewDocument<'_>,
) -> anyhow::Result<i64> {
    let sha = Sha256::digest(doc.bytes).to_vec();
    blobs.put(conn, &sha, doc.bytes).await?;
    let id = sqlx::query_scalar(
        "INSERT INTO documents (case_id, kind, file_name, media_type, size_bytes, sha256,
                                uploaded_by_kind, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(case_id)
    .bind(doc.kind.as_str())
    .bind(doc.file_name)
    .bind(doc.media_type.as_str())
    .bind(doc.bytes.len() as i32)
    .bind(&sha)
    .bind(if doc.uploaded_by.is_some() {
        "agent"
    } else {
        "customer"
    })
    .bind(doc.uploaded_by.map(|a| a.0))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The kind of a document of the case, locked for a verdict change.
pub async fn lock_in_case(
    conn: &mut PgConnection,
    case_id: i64,
    document_id: i64,
) -> sqlx::Result<Option<DocumentKind>> {
    sqlx::query_scalar("SELECT kind FROM documents WHERE case_id = $1 AND id = $2 FOR UPDATE")
        .bind(case_id)
        .bind(document_id)
        .fetch_optional(conn)
        .await
}

pub async fn set_verdict(
    conn: &mut PgConnection,
    document_id: i64,
    verdict: Verdict,
    reason: Option<&str>,
    agent: AgentId,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE documents SET verdict = $2, verdict_reason = $3, verdict_by = $4, verdict_at = now()
         WHERE id = $1",
    )
    .bind(document_id)
    .bind(verdict.as_str())
    .bind(reason)
    .bind(agent.0)
    .execute(conn)
    .await?;
    Ok(())
}
