//! Password hashing: argon2id with OWASP's parameters, always off the async threads; and the
//! throttled confirmation of a signed-in agent's current password.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::json;

use crate::auth::{CurrentAgent, attempts};
use crate::error::AppResult;
use crate::startup::AppState;
use crate::store::agents;
use crate::store::audit::AuditAction;
use crate::store::sign_in::{self, Wait};

/// OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified when the e-mail is unknown, so that an unknown address costs as much time as a
/// wrong password and response times do not tell who has an account.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password").expect("hashing the dummy password"));

fn hash_now(password: &str) -> anyhow::Result<String> {
    let hash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("hashing a password")?;
    Ok(hash.to_string())
}

/// Hashes on the blocking pool: ~20 MiB and tens of milliseconds of CPU per call.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// True when `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(stored: Option<String>, password: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

/// What [`confirm_current`] found.
#[derive(Debug)]
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
            Confirmation::Wrong => Some("This is not your current password.".into()),
            Confirmation::Wait(wait) => Some(format!(
                "Too many wrong passwords or codes. Wait {} seconds, then try again.",
                wait.seconds()
            )),
        }
    }
}

/// Checks that `password` is the signed-in agent's current password, for every form that asks
/// "confirm with your password" (the password change today). Throttled like sign-in, in the same
/// counts (per account and per address): the attempt is reserved before argon2 runs, so
/// concurrent guesses get no more than the free attempts verified. A wrong password counts as a
/// failed sign-in and is audited; a right one does not count (but, not being a sign-in, does not
/// forgive earlier failures either).
pub async fn confirm_current(
    state: &AppState,
    agent: &CurrentAgent,
    password: &str,
) -> AppResult<Confirmation> {
    let account = sign_in::account_key(&agent.email);
    let address = agent.address.clone().unwrap_or_default();
    let attempt = match attempts::reserve(state, Some(agent.id), &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Confirmation::Wait(wait)),
    };
    let stored = agents::password_hash(&state.pool, agent.id).await?;
    if verify(stored, password.to_owned()).await? {
        attempt.succeeded(&state.pool).await?;
        return Ok(Confirmation::Confirmed);
    }
    // The reservation stays: this wrong password counts.
    agent
        .audit(
            &state.pool,
            AuditAction::SignInFailed,
            None,
            json!({ "known_account": true, "step": "current_password" }),
        )
        .await?;
    Ok(Confirmation::Wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify(Some(stored.clone()), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(!verify(Some(stored), "wrong".into()).await.unwrap());
        assert!(!verify(None, "not a real password".into()).await.unwrap());
    }
}
