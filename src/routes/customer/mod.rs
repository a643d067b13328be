//! The customer's pages (no account): apply, follow the application, answer a document request.

pub mod apply;
pub mod multipart;
pub mod status;
pub mod upload;
pub mod withdraw;

use sha2::{Digest, Sha256};

use crate::domain::throttle;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::sign_in::{self, Reservation};

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

    /// Reserves one attempt for the key and the address before it is checked (see
    /// `store::sign_in`); refuses (429) while their recent attempts call for a wait. The
    /// reservation counts as a failure unless the caller says it `succeeded`.
    pub async fn reserve(&self) -> AppResult<Reservation> {
        let reserved = sign_in::reserve(
            &self.state.pool,
            &self.key,
            &self.address,
            &throttle::PUBLIC_PER_KEY,
            &throttle::PUBLIC_PER_ADDRESS,
        )
        .await?;
        reserved.map_err(|wait| {
            tracing::warn!("public look-up throttled");
            crate::telemetry::metrics::throttle_refused("public");
            AppError::Throttled(crate::routes::language::tr().with(
                "refused-too-many-attempts",
                &[("seconds", wait.seconds().into())],
            ))
        })
    }
}
