//! The audit trail (append-only): who did what, when, from where, on what.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};

use crate::domain::agent::AgentId;

/// What is audited. The stored names are what the audit page filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    SignInThrottled,
    SignOut,
    DocumentViewed,
    CaseAction,
    BulkApplied,
    AccessDenied,
    PasswordChanged,
    SignedOutEverywhere,
    AccountChanged,
    /// A wrong or reused code at the second sign-in step.
    SecondFactorFailed,
    /// A recovery code was used to sign in.
    RecoveryCodeUsed,
    SecondFactorEnabled,
    SecondFactorDisabled,
    RecoveryCodesRegenerated,
    /// A supervisor changed a desk-wide setting.
    SettingChanged,
    ApiTokenCreated,
    ApiTokenRevoked,
    ApiTokenUsed,
    ApiTokenRefused,
    /// The retention job removed a case's document bytes (actor: none, the system).
    DocumentsRemoved,
    /// A supervisor placed or lifted a legal hold on a case.
    LegalHoldPlaced,
    LegalHoldLifted,
    /// An agent changed their own sign-in e-mail (after confirming their password).
    EmailChanged,
    /// A wrong current password where an account change asked for it.
    ReauthenticationFailed,
    /// A supervisor downloaded the due refunds for finance.
    SettlementsExported,
    /// An agent downloaded the cases of a queue filter as CSV (the filter, not the data, kept).
    QueueExported,
    /// Finance's payments were read back (a file on the admin page, or one over the API).
    SettlementsPaid,
    /// A supervisor started a billing import on the admin page.
    BillingImported,
}

impl AuditAction {
    pub const ALL: [AuditAction; 30] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignInThrottled,
        AuditAction::SignOut,
        AuditAction::DocumentViewed,
        AuditAction::CaseAction,
        AuditAction::BulkApplied,
        AuditAction::AccessDenied,
        AuditAction::PasswordChanged,
        AuditAction::SignedOutEverywhere,
        AuditAction::AccountChanged,
        AuditAction::SecondFactorFailed,
        AuditAction::RecoveryCodeUsed,
        AuditAction::SecondFactorEnabled,
        AuditAction::SecondFactorDisabled,
        AuditAction::RecoveryCodesRegenerated,
        AuditAction::SettingChanged,
        AuditAction::ApiTokenCreated,
        AuditAction::ApiTokenRevoked,
        AuditAction::ApiTokenUsed,
        AuditAction::ApiTokenRefused,
        AuditAction::DocumentsRemoved,
        AuditAction::LegalHoldPlaced,
        AuditAction::LegalHoldLifted,
        AuditAction::EmailChanged,
        AuditAction::ReauthenticationFailed,
        AuditAction::SettlementsExported,
        AuditAction::QueueExported,
        AuditAction::SettlementsPaid,
        AuditAction::BillingImported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignInThrottled => "sign_in_throttled",
            AuditAction::SignOut => "sign_out",
            AuditAction::DocumentViewed => "document_viewed",
            AuditAction::CaseAction => "case_action",
            AuditAction::BulkApplied => "bulk_applied",
            AuditAction::AccessDenied => "access_denied",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::SignedOutEverywhere => "signed_out_everywhere",
            AuditAction::AccountChanged => "account_changed",
            AuditAction::SecondFactorFailed => "second_factor_failed",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::SecondFactorEnabled => "second_factor_enabled",
            AuditAction::SecondFactorDisabled => "second_factor_disabled",
            AuditAction::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            AuditAction::SettingChanged => "setting_changed",
            AuditAction::ApiTokenCreated => "api_token_created",
            AuditAction::ApiTokenRevoked => "api_token_revoked",
            AuditAction::ApiTokenUsed => "api_token_used",
            AuditAction::ApiTokenRefused => "api_token_refused",
            AuditAction::DocumentsRemoved => "documents_removed",
            AuditAction::LegalHoldPlaced => "legal_hold_placed",
            AuditAction::LegalHoldLifted => "legal_hold_lifted",
            AuditAction::EmailChanged => "email_changed",
            AuditAction::ReauthenticationFailed => "reauthentication_failed",
            AuditAction::SettlementsExported => "settlements_exported",
            AuditAction::QueueExported => "queue_exported",
            AuditAction::SettlementsPaid => "settlements_paid",
            AuditAction::BillingImported => "billing_imported",
        }
    }

    /// Its name's message in `locales/<tag>/admin.ftl`, e.g. `AuditAction-sign_in`.
    pub fn message_id(self) -> String {
        format!("AuditAction-{}", self.as_str())
    }

    pub fn parse(value: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

pub async fn record<'e>(
    db: impl PgExecutor<'e>,
    actor: Option<AgentId>,
    address: Option<&str>,
    action: AuditAction,
    target: Option<&str>,
    detail: serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO audit_events (actor_id, address, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(actor.map(|a| a.0))
        .bind(address)
        .bind(action.as_str())
        .bind(target)
        .bind(detail)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: serde_json::Value,
}

#[derive(Debug, Default)]
pub struct AuditQuery {
    pub action: Option<AuditAction>,
    pub actor: Option<AgentId>,
    pub target: Option<String>,
    /// Older than this (at, id): the next page.
    pub before: Option<(DateTime<Utc>, i64)>,
}

/// Newest first, `limit` rows.
pub async fn search(pool: &PgPool, query: &AuditQuery, limit: i64) -> sqlx::Result<Vec<AuditRow>> {
    let mut sql: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT e.id, e.at, a.name AS actor_name, e.address, e.action, e.target, e.detail
         FROM audit_events e LEFT JOIN agents a ON a.id = e.actor_id WHERE true",
    );
    if let Some(action) = query.action {
        sql.push(" AND e.action = ").push_bind(action.as_str());
    }
    if let Some(actor) = query.actor {
        sql.push(" AND e.actor_id = ").push_bind(actor.0);
    }
    if let Some(target) = &query.target {
        sql.push(" AND e.target = ").push_bind(target.clone());
    }
    if let Some((at, id)) = query.before {
        sql.push(" AND (e.at, e.id) < (")
            .push_bind(at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    sql.push(" ORDER BY e.at DESC, e.id DESC LIMIT ")
        .push_bind(limit);
    sql.build_query_as().fetch_all(pool).await
}
