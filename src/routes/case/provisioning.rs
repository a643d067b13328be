//! The case page's provisioning card: the cancellation order's state with its times, what the
//! desk is waiting for, a supervisor's re-issue after a failure, and the refund's state.

use chrono::{DateTime, Utc};

use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use crate::routes::{local_date, local_time};
use crate::store::orders::OrderView;

/// What the card shows.
pub struct ProvisioningView {
    /// One line: where the line's cancellation stands.
    pub headline: String,
    /// `waiting`, `due`, … for the badge's colour.
    pub status_class: &'static str,
    /// The latest order's times and facts, as (label, value).
    pub rows: Vec<(&'static str, String)>,
    /// Earlier orders (failed or withdrawn), one line each.
    pub earlier: Vec<String>,
}

/// The card for a case's orders (newest first); `None` when there is none. `pushed`: a webhook
/// is configured (else provisioning must pull).
pub fn view(
    orders: &[OrderView],
    pushed: bool,
    currency: crate::domain::money::Currency,
    tz: chrono_tz::Tz,
) -> Option<ProvisioningView> {
    let (latest, earlier) = orders.split_first()?;
    let at = |t: Option<DateTime<Utc>>| t.map(|t| local_time(t, tz));
    let headline = match latest.status {
        OrderStatus::Waiting => format!(
            "Waiting for the effective date ({}): the order goes to provisioning then.",
            local_date(latest.effective_date)
        ),
        OrderStatus::Due if pushed && latest.attempts > 0 => format!(
            "Waiting for provisioning: delivery failed {} time(s), retrying{}.",
            latest.attempts,
            at(latest.next_attempt_at)
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        ),
        OrderStatus::Due if pushed => "Waiting for provisioning: the order is being sent.".into(),
        OrderStatus::Due => {
            "Waiting for provisioning: no webhook is configured, so provisioning must \
             pull this order (GET /api/v1/orders?status=due)."
                .into()
        }
        OrderStatus::Sent => "Sent to provisioning: waiting for its result.".into(),
        OrderStatus::Acknowledged => {
            "Provisioning acknowledged the order: waiting for its result.".into()
        }
        OrderStatus::Done => "Done: provisioning ended the line.".into(),
        OrderStatus::Failed => format!(
            "Provisioning failed: {}",
            latest
                .failure_reason
                .as_deref()
                .unwrap_or("no reason given")
        ),
        OrderStatus::Withdrawn => "The order was withdrawn when the case was reopened.".into(),
    };
    let mut rows = vec![
        ("Order", latest.id.clone()),
        ("Effective date", local_date(latest.effective_date)),
        ("Written", local_time(latest.created_at, tz)),
    ];
    let mut add = |label, value: Option<String>| {
        if let Some(v) = value {
            rows.push((label, v));
        }
    };
    add("Due", at(latest.due_at));
    add(
        "Delivery attempts",
        (latest.attempts > 0).then(|| latest.attempts.to_string()),
    );
    add("Last delivery error", latest.last_error.clone());
    add("Sent", at(latest.sent_at));
    add("Acknowledged", at(latest.acknowledged_at));
    add("Balance moves to", latest.transfer_msisdn.clone());
    add("Line ended", at(latest.cancelled_at));
    add(
        "Final balance",
        latest
            .final_balance_minor
            .map(|m| Money::new(m, currency).to_string()),
    );
    add("Result recorded", at(latest.finished_at));
    let earlier = earlier
        .iter()
        .map(|o| {
            format!(
                "{} ({}) {}{}",
                o.id,
                local_time(o.created_at, tz),
                o.status.label(),
                o.failure_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    Some(ProvisioningView {
        headline,
        status_class: latest.status.as_str(),
        rows,
        earlier,
    })
}

/// The refund's state in one sentence.
pub fn refund_line(item: &crate::store::settlements::ItemView, tz: chrono_tz::Tz) -> String {
    use crate::domain::settlement::SettlementStatus as S;
    let amount = Money::new(item.amount_minor, item.currency);
    let at = |t: Option<DateTime<Utc>>| t.map(|t| local_time(t, tz)).unwrap_or_default();
    let to = format!(
        "{} ending {}",
        item.bank,
        crate::domain::notice::last_four(&item.account_number)
    );
    match item.status {
        S::Pending => format!(
            "Refund to {to}: waiting for the line to end (billing's balance now: {amount})."
        ),
        S::Due => format!(
            "Refund of {amount} to {to}: due since {}, not yet exported to finance.",
            at(item.due_at)
        ),
        S::Exported => format!(
            "Refund of {amount} to {to}: exported to finance {}, not yet paid.",
            at(item.exported_at)
        ),
        S::Paid => format!(
            "Refund of {amount} to {to}: paid on {} (reference {}).",
            item.paid_on.map(local_date).unwrap_or_default(),
            item.payment_reference.as_deref().unwrap_or_default()
        ),
        S::NotOwed => "Refund: nothing to refund, the line ended with no balance left.".into(),
        S::Withdrawn => "Refund withdrawn: the case was reopened.".into(),
    }
}
