//! The customer's pages (no account): apply, follow the application, answer a document request.

pub mod apply;
pub mod multipart;
pub mod status;
pub mod upload;

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::domain::throttle;
use crate::error::{AppError, AppResult};
use crate::startup::AppState;
use crate::store::sign_in;

/// Failed public look-ups share the sign-in throttle's table under their own scope, so that a
/// customer mistyping a reference never slows an agent's sign-in and vice versa.
pub struct PublicThrottle<'a> {
    key: Vec<u8>,
    address: String,
    state: &'a AppState,
}

impl<'a> PublicThrottle<'a> {
    /// `scope` names the endpoint ("status", "api"); `key` what is tried (a reference, a token).
    pub fn new(state: &'a AppState, scope: &str, key: &str, address: Option<String>) -> Self {
        let key = Sha256::digest(format!("{scope}|{key}").as_bytes()).to_vec();
        let address = format!("{scope}|{}", address.unwrap_or_default());
        PublicThrottle {
            key,
            address,
            state,
        }
    }

    /// Refuses (429) while recent failures of the key or the address call for a wait.
    pub async fn check(&self) -> AppResult<()> {
        let window = throttle::PUBLIC_PER_KEY
            .window
            .num_seconds()
            .max(throttle::PUBLIC_PER_ADDRESS.window.num_seconds());
        let (by_key, by_address) =
            sign_in::recent_failures(&self.state.pool, &self.key, &self.address, window).await?;
        let now = Utc::now();
        let wait = [
            throttle::PUBLIC_PER_KEY.wait(by_key, now),
            throttle::PUBLIC_PER_ADDRESS.wait(by_address, now),
        ]
        .into_iter()
        .flatten()
        .max();
        match wait {
            Some(wait) => {
                tracing::warn!("public look-up throttled");
                Err(AppError::Throttled(format!(
                    "Too many attempts. Wait {} seconds, then try again.",
                    wait.num_seconds().max(1)
                )))
            }
            None => Ok(()),
        }
    }

    /// Counts one attempt against the key and the address (for look-ups: a failed one; for
    /// applications: every one sent).
    pub async fn failed(&self) -> AppResult<()> {
        sign_in::record_failure(&self.state.pool, &self.key, &self.address).await?;
        Ok(())
    }
}
