//! Upload links answering a document request. The token goes to the customer (through the
//! notice); only its SHA-256 is stored here. The customer pages look links up by that hash.

use base64::Engine;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use crate::domain::document::DocumentKind;

/// A fresh random token: 32 bytes (256 bits) as URL-safe base64 without padding (43 characters).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored and looked up: the SHA-256 of the token's text.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Issues a link for one case to upload `kinds` until `expires_at`; returns the raw token, which
/// exists nowhere else once the caller has put it into the notice.
#[tracing::instrument(skip(conn, kinds))]
pub async fn issue(
    conn: &mut PgConnection,
    case_id: i64,
    kinds: &[DocumentKind],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<String> {
    let mut tokens = issue_many(conn, &[case_id], kinds, expires_at).await?;
    Ok(tokens.pop().expect("one token per case"))
}

/// One link per case (bulk document requests), tokens in the order of `case_ids`.
pub async fn issue_many(
    conn: &mut PgConnection,
    case_ids: &[i64],
    kinds: &[DocumentKind],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<Vec<String>> {
    let tokens: Vec<String> = case_ids.iter().map(|_| new_token()).collect();
    let hashes: Vec<Vec<u8>> = tokens.iter().map(|t| token_hash(t).to_vec()).collect();
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    sqlx::query(
        "INSERT INTO upload_links (case_id, token_sha256, kinds, expires_at)
         SELECT u.case_id, u.hash, $3, $4 FROM unnest($1::bigint[], $2::bytea[]) AS u(case_id, hash)",
    )
    .bind(case_ids)
    .bind(&hashes)
    .bind(&kinds)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(tokens)
}

/// A link whose reminder is due, locked for this transaction.
#[derive(Debug, sqlx::FromRow)]
pub struct DueReminder {
    pub id: i64,
    pub case_id: i64,
    pub kinds: Vec<DocumentKind>,
    pub expires_at: DateTime<Utc>,
}

/// The next link of a case still awaiting its documents whose deadline is within `window` of
/// `now`, not yet reminded, and issued before that window began (a request made with a short
/// deadline gets no reminder right after it). Locked, skipping links another job holds.
/// Uses `upload_links_open_idx`.
pub async fn next_due_reminder(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
    window: chrono::Duration,
) -> sqlx::Result<Option<DueReminder>> {
    sqlx::query_as(
        "SELECT l.id, l.case_id, l.kinds, l.expires_at
         FROM upload_links l JOIN cases c ON c.id = l.case_id
         WHERE l.used_at IS NULL AND l.reminded_at IS NULL
           AND l.expires_at > $1 AND l.expires_at <= $1 + $2
           AND l.created_at < l.expires_at - $2
           AND c.state = 'awaiting_documents' AND c.documents_deadline = l.expires_at
         ORDER BY l.expires_at, l.id
         LIMIT 1
         FOR UPDATE OF l, c SKIP LOCKED",
    )
    .bind(now)
    .bind(window)
    .fetch_optional(conn)
    .await
}

/// Marks every open link of the request (same case and deadline) as reminded.
pub async fn mark_reminded(
    conn: &mut PgConnection,
    case_id: i64,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE upload_links SET reminded_at = $3
         WHERE case_id = $1 AND expires_at = $2 AND reminded_at IS NULL",
    )
    .bind(case_id)
    .bind(expires_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(token_hash(&a), token_hash(&a.clone()));
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
