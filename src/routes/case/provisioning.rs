//! The case page's provisioning card: the cancellation order's state with its times, what the
//! desk is waiting for, a supervisor's re-issue after a failure, and the refund's state.

use chrono::{DateTime, Utc};

use crate::domain::money::Money;
use crate::domain::order::OrderStatus;
use crate::routes::language::tr;
use crate::routes::{local_date, local_time};
use crate::store::orders::OrderView;
use fluent_bundle::FluentValue;

/// What the card shows.
pub struct ProvisioningView {
    /// One line: where the line's cancellation stands.
    pub headline: String,
    /// `waiting`, `due`, … for the badge's colour.
    pub status_class: &'static str,
    /// The latest order's times and facts, as (label, value).
    pub rows: Vec<(String, String)>,
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
    let t = tr();
    let at = |t: Option<DateTime<Utc>>| t.map(|t| local_time(t, tz));
    let headline = match latest.status {
        OrderStatus::Waiting => t.with(
            "order-waiting",
            &[("day", local_date(latest.effective_date).into())],
        ),
        OrderStatus::Due if pushed && latest.attempts > 0 => match at(latest.next_attempt_at) {
            Some(next) => t.with(
                "order-retrying-at",
                &[("attempts", latest.attempts.into()), ("at", next.into())],
            ),
            None => t.with("order-retrying", &[("attempts", latest.attempts.into())]),
        },
        OrderStatus::Due if pushed => t.get("order-being-sent"),
        OrderStatus::Due => t.get("order-pull"),
        OrderStatus::Sent => t.get("order-sent"),
        OrderStatus::Acknowledged => t.get("order-acknowledged"),
        OrderStatus::Done => t.get("order-done"),
        OrderStatus::Failed => match latest.failure_reason.as_deref() {
            Some(reason) => t.with("order-failed", &[("reason", reason.into())]),
            None => t.get("order-failed-no-reason"),
        },
        OrderStatus::Withdrawn => t.get("order-withdrawn"),
    };
    let mut rows = vec![
        (t.get("order-row-order"), latest.id.clone()),
        (t.get("effective-date"), local_date(latest.effective_date)),
        (
            t.get("order-row-written"),
            local_time(latest.created_at, tz),
        ),
    ];
    let mut add = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            rows.push((t.get(label), v));
        }
    };
    add("order-row-due", at(latest.due_at));
    add(
        "order-row-attempts",
        (latest.attempts > 0).then(|| latest.attempts.to_string()),
    );
    add("order-row-last-error", latest.last_error.clone());
    add("order-row-sent", at(latest.sent_at));
    add("order-row-acknowledged", at(latest.acknowledged_at));
    add("order-row-transfer", latest.transfer_msisdn.clone());
    add("order-row-line-ended", at(latest.cancelled_at));
    add(
        "order-row-final-balance",
        latest
            .final_balance_minor
            .map(|m| t.money(Money::new(m, currency))),
    );
    add("order-row-recorded", at(latest.finished_at));
    let earlier = earlier
        .iter()
        .map(|o| {
            format!(
                "{} ({}) {}{}",
                o.id,
                local_time(o.created_at, tz),
                t.get(o.status.message_id()),
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
    let t = tr();
    let amount = t.money(Money::new(item.amount_minor, item.currency));
    let at = |t: Option<DateTime<Utc>>| t.map(|t| local_time(t, tz)).unwrap_or_default();
    let to = t.with(
        "refund-to",
        &[
            ("bank", item.bank.as_str().into()),
            (
                "last4",
                crate::domain::notice::last_four(&item.account_number).into(),
            ),
        ],
    );
    let args = |when: String| -> Vec<(&str, FluentValue<'_>)> {
        vec![
            ("amount", amount.clone().into()),
            ("to", to.clone().into()),
            ("at", when.into()),
        ]
    };
    match item.status {
        S::Pending => t.with("refund-pending", &args(String::new())),
        S::Due => t.with("refund-due", &args(at(item.due_at))),
        S::Exported => t.with("refund-exported", &args(at(item.exported_at))),
        S::Paid => {
            let mut a = args(item.paid_on.map(local_date).unwrap_or_default());
            a.push((
                "reference",
                item.payment_reference.clone().unwrap_or_default().into(),
            ));
            t.with("refund-paid", &a)
        }
        S::NotOwed => t.get("refund-not-owed"),
        S::Withdrawn => t.get("refund-withdrawn"),
    }
}
