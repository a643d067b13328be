//! The loop with provisioning after an approval: orders become due on their effective date
//! ([`issue_due`], run by the clock), are pushed to a webhook (`webhook`) or pulled and
//! acknowledged over the API ([`acknowledge`]), and provisioning's result ([`record_result`])
//! ends the case (`cancelled`) or marks it failed for a supervisor to re-issue.
//!
//! Every change to a case goes through `workflow::apply` (the state machine's `Complete`,
//! `ProvisioningFailed`); the order row is locked after its case (line → case → order), the
//! workflow's one lock order.

pub mod webhook;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::case::{Actor, Refusal};
use crate::domain::decision::Decision;
use crate::domain::order::{OrderId, OrderPayload, OrderResult, OrderStatus};
use crate::domain::reference::CaseReference;
use crate::store::{cases, orders};
use crate::workflow::{self, Desk};

/// Makes every waiting order whose effective date has come (in the desk's time zone) due.
pub async fn issue_due(pool: &PgPool, now: DateTime<Utc>, tz: chrono_tz::Tz) -> sqlx::Result<u64> {
    orders::make_due(pool, now.with_timezone(&tz).date_naive(), now).await
}

/// What became of a result provisioning sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The case is cancelled, or marked "provisioning failed".
    Recorded,
    /// The same result was recorded before: nothing more was written.
    Repeated,
    Unknown,
    /// Another system acknowledged the order: only it reports the result.
    Foreign,
    /// A different result was recorded before.
    AlreadyFinished(OrderStatus),
    /// The order is not (yet, or any more) provisioning's to finish.
    NotOpen(OrderStatus),
    /// The case refused (cannot happen for a live order; kept rather than panic).
    Refused(Refusal),
}

/// Records provisioning's result for order `id`, reported with the API token `token_id`.
#[tracing::instrument(skip(pool, result, desk))]
pub async fn record_result(
    pool: &PgPool,
    id: &OrderId,
    token_id: i64,
    result: &OrderResult,
    now: DateTime<Utc>,
    desk: Desk,
) -> anyhow::Result<Recorded> {
    let Some(found) = orders::find(pool, id).await? else {
        return Ok(Recorded::Unknown);
    };
    let reference = CaseReference::parse(&found.case_reference)
        .map_err(|_| anyhow::anyhow!("order {} has a malformed case reference", id.as_str()))?;
    let mut tx = pool.begin().await?;
    let Some(case) = cases::lock(&mut tx, &reference).await? else {
        return Ok(Recorded::Unknown);
    };
    let order = orders::lock(&mut tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} vanished under its case's lock", id.as_str()))?;
    if order.acknowledged_by.is_some_and(|by| by != token_id) {
        return Ok(Recorded::Foreign);
    }
    match order.status {
        OrderStatus::Done | OrderStatus::Failed => {
            return Ok(if same_result(&order, result) {
                Recorded::Repeated
            } else {
                Recorded::AlreadyFinished(order.status)
            });
        }
        status if !status.awaits_result() || !order.latest => {
            return Ok(Recorded::NotOpen(status));
        }
        _ => {}
    }
    let decision = match result {
        OrderResult::Done {
            cancelled_at,
            final_balance_minor,
        } => Decision::Complete {
            cancelled_at: *cancelled_at,
            final_balance_minor: *final_balance_minor,
        },
        OrderResult::Failed { reason } => Decision::ProvisioningFailed(reason.clone()),
    };
    if let Err(refusal) =
        workflow::apply_one(&mut tx, Actor::System, &decision, desk, now, case).await?
    {
        return Ok(Recorded::Refused(refusal));
    }
    tx.commit().await?;
    Ok(Recorded::Recorded)
}

fn same_result(order: &orders::OrderRow, result: &OrderResult) -> bool {
    match result {
        OrderResult::Done {
            cancelled_at,
            final_balance_minor,
        } => {
            order.status == OrderStatus::Done
                && order.cancelled_at == Some(*cancelled_at)
                && order.final_balance_minor == Some(*final_balance_minor)
        }
        OrderResult::Failed { reason } => {
            order.status == OrderStatus::Failed && order.failure_reason.as_deref() == Some(reason)
        }
    }
}

/// What became of an acknowledgement.
#[derive(Debug, PartialEq, Eq)]
pub enum Acknowledged {
    /// Acknowledged now, or before by the same system (a retry changes nothing).
    Acknowledged(OrderPayload),
    Unknown,
    Foreign,
    /// Waiting for its date, finished or withdrawn: not for provisioning to take now.
    NotOpen(OrderStatus),
}

/// A polling system takes order `id` with its API token `token_id`.
pub async fn acknowledge(
    pool: &PgPool,
    id: &OrderId,
    token_id: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<Acknowledged> {
    let mut tx = pool.begin().await?;
    // Only the order row: acknowledging changes nothing of the case.
    let Some(order) = orders::lock(&mut tx, id).await? else {
        return Ok(Acknowledged::Unknown);
    };
    match order.status {
        OrderStatus::Acknowledged if order.acknowledged_by == Some(token_id) => {}
        OrderStatus::Acknowledged => return Ok(Acknowledged::Foreign),
        OrderStatus::Due | OrderStatus::Sent => {
            orders::acknowledge(&mut tx, id, token_id, now).await?;
        }
        status => return Ok(Acknowledged::NotOpen(status)),
    }
    let payload = orders::payload(&mut *tx, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {} vanished", id.as_str()))?;
    tx.commit().await?;
    Ok(Acknowledged::Acknowledged(payload))
}

/// Delivery gave up on an order (`case_id`'s live one): the case is marked "provisioning
/// failed" with `reason`, through the state machine. False when the order or its case changed
/// meanwhile (acknowledged, withdrawn) or the case is busy: the worker looks again next round.
pub async fn give_up(
    pool: &PgPool,
    case_id: i64,
    order_id: &OrderId,
    reason: String,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(case) = cases::try_lock_by_id(&mut tx, case_id).await? else {
        return Ok(false);
    };
    match orders::lock(&mut tx, order_id).await? {
        Some(order) if order.status == OrderStatus::Due && order.latest => {}
        _ => return Ok(false),
    }
    // Only the day of the history entry depends on the zone; the loop keeps no SLA.
    let desk = Desk {
        tz: chrono_tz::UTC,
        sla_hours: 0,
    };
    let decision = Decision::ProvisioningFailed(reason);
    if workflow::apply_one(&mut tx, Actor::System, &decision, desk, now, case)
        .await?
        .is_err()
    {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
