//! "Confirm with your password": sensitive changes to one's own account (second factor on or
//! off, new recovery codes, a new e-mail, a new password) need the current password, so that a
//! session left open or stolen is not enough to take the account over.
//!
//! The one place that checks it: throttled per account and per address in the same counts as
//! sign-in (`auth::attempts`; a wrong password here is no cheaper than at the sign-in form), the
//! attempt reserved before argon2 runs so concurrent guesses get no more than the free attempts
//! verified, and a wrong password audited.

use crate::routes::language::tr;
use serde_json::json;

use crate::auth::{CurrentAgent, attempts, password};
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::agents;
use crate::store::audit::AuditAction;
use crate::store::sign_in::{self, Wait};

/// What [`confirm_password`] found.
#[derive(Debug)]
#[must_use = "a refused password must stop the change"]
pub enum Confirmation {
    /// It is the agent's current password.
    Confirmed,
    /// It is not (counted, audited).
    Wrong,
    /// Too many recent wrong passwords or codes for this account or address: not checked.
    Wait(Wait),
}

impl Confirmation {
    /// The sentence to show under the password field when it is not [`Confirmation::Confirmed`].
    pub fn refusal(&self) -> Option<String> {
        match self {
            Confirmation::Confirmed => None,
            Confirmation::Wrong => Some(tr().get(WRONG_PASSWORD)),
            Confirmation::Wait(wait) => {
                Some(tr().with("reauth-wait", &[("seconds", wait.seconds().into())]))
            }
        }
    }

    /// Seconds for `Retry-After` when the check was throttled.
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            Confirmation::Wait(wait) => Some(wait.seconds()),
            _ => None,
        }
    }
}

/// What a form says when the password was wrong (a message id).
pub const WRONG_PASSWORD: &str = "reauth-wrong-password";

/// Checks that `typed` is the signed-in agent's current password. A right one does not count
/// (but, not being a sign-in, does not forgive earlier failures either).
pub async fn confirm_password(
    state: &AppState,
    agent: &CurrentAgent,
    typed: &str,
) -> AppResult<Confirmation> {
    let account = sign_in::account_key(&agent.email);
    let address = agent.address.clone().unwrap_or_default();
    let attempt = match attempts::reserve(state, Some(agent.id), &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Confirmation::Wait(wait)),
    };
    let stored = agents::password_hash(&state.pool, agent.id).await?;
    if password::verify(stored, typed.to_owned()).await? {
        attempt.succeeded(&state.pool).await?;
        return Ok(Confirmation::Confirmed);
    }
    // The reservation stays: this wrong password counts.
    tracing::info!(agent = agent.id.0, "current password refused");
    agent
        .audit(
            &state.pool,
            AuditAction::ReauthenticationFailed,
            None,
            json!({}),
        )
        .await?;
    Ok(Confirmation::Wrong)
}
