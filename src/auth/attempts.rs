//! Sign-in attempts, throttled per account and per address (`domain::throttle::PER_ACCOUNT`,
//! `PER_ADDRESS`): the password and second-factor steps of sign-in, the proofs asked on the
//! two-factor page and the confirmation of the current password all count in the same place, so
//! guessing at one of them is no cheaper than at another.

use serde_json::json;

use crate::domain::agent::AgentId;
use crate::domain::throttle;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::audit::{self, AuditAction};
use crate::store::sign_in::{self, Reservation, Wait};

/// Reserves one attempt for `account` (see `sign_in::account_key`) from `address` before it is
/// verified; a refused one is audited (as `agent` when someone is signed in).
pub async fn reserve(
    state: &AppState,
    agent: Option<AgentId>,
    account: &[u8],
    address: &str,
) -> AppResult<Result<Reservation, Wait>> {
    let reserved = sign_in::reserve(
        &state.pool,
        account,
        address,
        &throttle::PER_ACCOUNT,
        &throttle::PER_ADDRESS,
    )
    .await?;
    if reserved.is_err() {
        tracing::warn!("sign-in throttled");
        crate::telemetry::metrics::throttle_refused("sign_in");
        audit::record(
            &state.pool,
            agent,
            Some(address),
            AuditAction::SignInThrottled,
            None,
            json!({}),
        )
        .await?;
    }
    Ok(reserved)
}
