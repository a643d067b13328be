//! Notices to agents about their own account, in the shared `notices` outbox (the delivery worker
//! sends them like customers' e-mail notices; they belong to an agent, not a case).

use sqlx::PgConnection;

use crate::domain::agent::AgentId;

/// Writes one e-mail notice to `recipient` in the caller's transaction.
#[tracing::instrument(skip(conn, recipient, subject, body))]
pub async fn insert(
    conn: &mut PgConnection,
    agent: AgentId,
    recipient: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO notices (agent_id, kind, channel, recipient, subject, body)
         VALUES ($1, 'account_security', 'email', $2, $3, $4)",
    )
    .bind(agent.0)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}
