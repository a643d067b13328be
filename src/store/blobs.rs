//! Where document bytes live: a small interface, so that object storage can replace PostgreSQL
//! later without touching the rest of the desk. Contents are addressed by their SHA-256.

use std::future::Future;

use sqlx::PgConnection;

pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `sha256` (a no-op when the same content is already stored, except
    /// that bytes removed under the retention policy come back: the new document needs them).
    /// Runs in the caller's transaction where the store supports it, so a document row never
    /// points at missing bytes.
    fn put(
        &self,
        conn: &mut PgConnection,
        sha256: &[u8],
        bytes: &[u8],
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// The bytes, unless there are none or they were removed under the retention policy.
    fn get(
        &self,
        conn: &mut PgConnection,
        sha256: &[u8],
    ) -> impl Future<Output = anyhow::Result<Option<Vec<u8>>>> + Send;
}

/// Bytes in the `document_blobs` table.
#[derive(Debug, Clone, Copy, Default)]
pub struct PgBlobStore;

impl BlobStore for PgBlobStore {
    async fn put(
        &self,
        conn: &mut PgConnection,
        sha256: &[u8],
        bytes: &[u8],
    ) -> anyhow::Result<()> {
        // The conflicting row is locked even when nothing is updated, so the retention job
        // (which locks it before emptying it) and this upload cannot cross.
        sqlx::query(
            "INSERT INTO document_blobs (sha256, bytes) VALUES ($1, $2)
             ON CONFLICT (sha256) DO UPDATE SET bytes = EXCLUDED.bytes, removed_at = NULL
             WHERE document_blobs.removed_at IS NOT NULL",
        )
        .bind(sha256)
        .bind(bytes)
        .execute(conn)
        .await?;
        Ok(())
    }

    async fn get(&self, conn: &mut PgConnection, sha256: &[u8]) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT bytes FROM document_blobs WHERE sha256 = $1 AND removed_at IS NULL",
        )
        .bind(sha256)
        .fetch_optional(conn)
        .await?)
    }
}
