//! "Confirm with your password": sensitive changes to one's own account (second factor on or
//! off, new recovery codes, a new e-mail, a new password) need the current password, so that a
//! session left open or stolen is not enough to take the account over.
//!
//! The one place that checks it: throttled per account and per address like sign-in (a wrong
//! password here counts toward the same limits, so this form is no way around them), and audited.

use serde_json::json;

use crate::auth::{CurrentAgent, password};
use crate::error::{AppError, AppResult};
use crate::routes::login;
use crate::startup::AppState;
use crate::store::audit::AuditAction;
use crate::store::{agents, sign_in};

/// True when `typed` is the agent's current password. A wrong one is recorded as a failed
/// attempt (throttle and audit); once the throttle applies, answers `AppError::Throttled` (429)
/// before any password work, and the caller changes nothing.
#[must_use = "a refused password must stop the change"]
pub async fn confirm_password(
    state: &AppState,
    agent: &CurrentAgent,
    typed: &str,
) -> AppResult<bool> {
    let account = login::account_key(&agent.email);
    let address = agent.address.clone().unwrap_or_default();
    if let Some(seconds) = login::throttle_wait(state, &account, &address).await? {
        return Err(AppError::Throttled(format!(
            "Too many wrong passwords. Wait {seconds} seconds, then try again. Nothing was changed."
        )));
    }
    let stored = agents::password_hash(&state.pool, agent.id).await?;
    if password::verify(stored, typed.to_owned()).await? {
        return Ok(true);
    }
    tracing::info!(agent = agent.id.0, "current password refused");
    sign_in::record_failure(&state.pool, &account, &address).await?;
    agent
        .audit(
            &state.pool,
            AuditAction::ReauthenticationFailed,
            None,
            json!({}),
        )
        .await?;
    Ok(false)
}

/// What a form says when the password was wrong.
pub const WRONG_PASSWORD: &str = "This is not your current password. Nothing was changed.";
