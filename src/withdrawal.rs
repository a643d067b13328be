//! The customer takes back an undecided application: from the status page (after proving the
//! reference and the line's phone number) or through the hotline over the intake API. Either
//! way the change is the state machine's `Withdraw` in `workflow::apply`'s one transaction:
//! the case becomes `withdrawn`, a history event is written, its upload links die and a notice
//! confirms it, all or nothing.

use sqlx::PgPool;

use crate::domain::case::{Actor, Refusal, State};
use crate::domain::decision::Decision;
use crate::domain::reference::CaseReference;
use crate::store::cases;
use crate::workflow::{self, Desk};

/// What became of a withdrawal.
#[derive(Debug, PartialEq, Eq)]
pub enum Withdrawal {
    Withdrawn,
    /// Withdrawn before (a retry, a second click): nothing more was written.
    AlreadyWithdrawn,
    /// The case is decided (or closed otherwise): nothing changed.
    Refused(Refusal),
    /// No such case.
    Unknown,
}

/// Withdraws the case with `reference` for its customer, under the case's lock.
#[tracing::instrument(skip(pool, desk))]
pub async fn withdraw(
    pool: &PgPool,
    reference: &CaseReference,
    desk: Desk,
) -> anyhow::Result<Withdrawal> {
    let mut tx = pool.begin().await?;
    let Some(case) = cases::lock(&mut tx, reference).await? else {
        return Ok(Withdrawal::Unknown);
    };
    // Idempotent: asked again (a retried API call), the answer is the same and no second event
    // is written. Read under the lock, so two concurrent withdrawals write one event.
    if case.snapshot().facts.state == State::Withdrawn {
        return Ok(Withdrawal::AlreadyWithdrawn);
    }
    let decision = Decision::Withdraw;
    let now = chrono::Utc::now();
    if let Err(refusal) =
        workflow::apply_one(&mut tx, Actor::Customer, &decision, desk, now, case).await?
    {
        return Ok(Withdrawal::Refused(refusal));
    }
    tx.commit().await?;
    Ok(Withdrawal::Withdrawn)
}
