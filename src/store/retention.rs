//! Retention of document bytes and legal holds: the SQL behind `crate::retention`.
//!
//! A case's retention clock (`cases.retention_from`) is kept by a trigger (see the migration
//! `20261203000040_document_retention.sql`); this module only reads it.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::agent::AgentId;
use crate::domain::document::DocumentKind;

/// Cases whose retention period started before $1 and whose documents are still here, without
/// a hold, after the keyset ($2, $3), oldest first ($4: how many). Uses
/// `cases_retention_due_idx`; a held case stays in that index and is passed over here.
pub const DUE_SQL: &str = "SELECT c.id, c.retention_from FROM cases c
     WHERE c.retention_from < $1 AND c.documents_removed_at IS NULL
       AND ($2::timestamptz IS NULL OR (c.retention_from, c.id) > ($2, $3))
       AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = c.id)
     ORDER BY c.retention_from, c.id LIMIT $4";

pub async fn due(
    pool: &PgPool,
    cutoff: DateTime<Utc>,
    after: Option<(DateTime<Utc>, i64)>,
    limit: i64,
) -> sqlx::Result<Vec<(i64, DateTime<Utc>)>> {
    sqlx::query_as(DUE_SQL)
        .bind(cutoff)
        .bind(after.map(|a| a.0))
        .bind(after.map_or(0, |a| a.1))
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// Asked again under the case's lock: still due and not held? Returns its reference.
pub async fn still_due(
    conn: &mut PgConnection,
    case_id: i64,
    cutoff: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT c.reference FROM cases c
         WHERE c.id = $1 AND c.retention_from < $2 AND c.documents_removed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.case_id = c.id)",
    )
    .bind(case_id)
    .bind(cutoff)
    .fetch_optional(conn)
    .await
}

/// Fingerprints of the case's documents whose bytes are still kept.
pub async fn kept_fingerprints(
    conn: &mut PgConnection,
    case_id: i64,
) -> sqlx::Result<Vec<Vec<u8>>> {
    sqlx::query_scalar(
        "SELECT DISTINCT sha256 FROM documents WHERE case_id = $1 AND removed_at IS NULL
         ORDER BY sha256",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// Locks the bytes of these fingerprints unless someone holds one of them (an upload of the same
/// file right now): `false` means leave the case for the next round. Never waits, so two app
/// instances, or the job and an upload, cannot deadlock.
pub async fn try_lock_blobs(conn: &mut PgConnection, shas: &[Vec<u8>]) -> sqlx::Result<bool> {
    if shas.is_empty() {
        return Ok(true);
    }
    let locked: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT sha256 FROM document_blobs WHERE sha256 = ANY($1)
         ORDER BY sha256 FOR UPDATE SKIP LOCKED",
    )
    .bind(shas)
    .fetch_all(conn)
    .await?;
    Ok(locked.len() == shas.len())
}

#[derive(Debug, sqlx::FromRow)]
pub struct RemovedDocument {
    pub id: i64,
    pub kind: DocumentKind,
}

/// Marks the case's kept documents as removed at `at`. Fingerprint, kind, size, verdict stay.
pub async fn mark_documents_removed(
    conn: &mut PgConnection,
    case_id: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<Vec<RemovedDocument>> {
    // What recognition read from them is personal data too: it goes with the bytes.
    sqlx::query(
        "DELETE FROM document_readings r USING documents d
         WHERE r.document_id = d.id AND d.case_id = $1",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(
        "UPDATE documents SET removed_at = $2 WHERE case_id = $1 AND removed_at IS NULL
         RETURNING id, kind",
    )
    .bind(case_id)
    .bind(at)
    .fetch_all(conn)
    .await
}

/// Empties the bytes of these fingerprints (locked by [`try_lock_blobs`]) that no kept document
/// of any case still needs; returns how many were emptied. Bytes another case still needs stay.
pub async fn drop_unneeded_bytes(
    conn: &mut PgConnection,
    shas: &[Vec<u8>],
    at: DateTime<Utc>,
) -> sqlx::Result<u64> {
    if shas.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "UPDATE document_blobs b SET bytes = '\\x'::bytea, removed_at = $2
         WHERE b.sha256 = ANY($1) AND b.removed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM documents d
                           WHERE d.sha256 = b.sha256 AND d.removed_at IS NULL)",
    )
    .bind(shas)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The job is done with this case until it next becomes final (the trigger clears the mark).
pub async fn mark_case_done(
    conn: &mut PgConnection,
    case_id: i64,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE cases SET documents_removed_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(at)
        .execute(conn)
        .await?;
    Ok(())
}

/// When this document's bytes were removed, if they were.
pub async fn document_removed_at(
    conn: &mut PgConnection,
    document_id: i64,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
        "SELECT removed_at FROM documents WHERE id = $1",
    )
    .bind(document_id)
    .fetch_optional(conn)
    .await?
    .flatten())
}

/// The case page's view of retention: when the period started and the hold if any (read with
/// the case, `cases::FIND_SQL`).
#[derive(Debug, Default, sqlx::FromRow)]
pub struct CaseRetention {
    pub retention_from: Option<DateTime<Utc>>,
    pub hold_reason: Option<String>,
    pub hold_by: Option<String>,
    pub hold_at: Option<DateTime<Utc>>,
}

/// Places a hold; `false` when the case already has one (nothing changed).
pub async fn place_hold(
    conn: &mut PgConnection,
    case_id: i64,
    reason: &str,
    by: AgentId,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO legal_holds (case_id, reason, placed_by) VALUES ($1, $2, $3)
         ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(reason)
    .bind(by.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Lifts the hold; `false` when there was none (nothing changed).
pub async fn lift_hold(conn: &mut PgConnection, case_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM legal_holds WHERE case_id = $1")
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
