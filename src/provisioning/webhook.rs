//! Push delivery of due cancellation orders to provisioning's webhook: a JSON POST signed with
//! HMAC-SHA256 over timestamp and body (`domain::order::sign`), the order id as the
//! `Idempotency-Key`. A non-2xx answer, a timeout or a refused connection is retried with
//! exponential backoff and jitter until `provisioning_retry_hours` after the order became due;
//! then the case is marked "provisioning failed" for a supervisor to re-issue.
//!
//! Orders are claimed with a lease (`store::orders::claim_due`, `SKIP LOCKED`): several app
//! instances never send one order at the same time, and a worker that dies mid-delivery leaves
//! the order to be taken again once the lease ends. A receiver must still treat the idempotency
//! key as such: a delivery whose answer was lost is sent again.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use crate::background::StopSignal;
use crate::config::{Secret, Settings};
use crate::domain::order::{OrderId, OrderPayload, retry_delay, sign};
use crate::store::orders;

/// Orders claimed per round: a round of timeouts ends well within the lease.
const BATCH: i64 = 10;

/// The header carrying `t=<unix seconds>,v1=<hex HMAC>`.
pub const SIGNATURE_HEADER: &str = "Canceldesk-Signature";

/// Where and how orders are pushed.
#[derive(Clone)]
pub struct Webhook {
    pub url: String,
    pub secret: Secret,
    pub timeout: StdDuration,
    /// How long after becoming due an order is retried before it is marked failed.
    pub retry_for: Duration,
}

impl Webhook {
    /// `None` when no webhook is configured: orders then wait to be pulled.
    pub fn from_settings(settings: &Settings) -> Option<Webhook> {
        match (
            &settings.provisioning_webhook_url,
            &settings.provisioning_webhook_secret,
        ) {
            (Some(url), Some(secret)) => Some(Webhook {
                url: url.clone(),
                secret: secret.clone(),
                timeout: StdDuration::from_secs(settings.provisioning_timeout_seconds),
                retry_for: Duration::hours(settings.provisioning_retry_hours),
            }),
            _ => None,
        }
    }
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Delivers every order due for an attempt at `now`; returns what happened to each.
pub async fn deliver_due(
    pool: &PgPool,
    webhook: &Webhook,
    now: DateTime<Utc>,
) -> anyhow::Result<Report> {
    deliver_due_until_stopped(pool, webhook, now, &StopSignal::never()).await
}

/// [`deliver_due`], which stops after the order in hand when the process is stopping and gives
/// the rest of its claim back.
pub async fn deliver_due_until_stopped(
    pool: &PgPool,
    webhook: &Webhook,
    now: DateTime<Utc>,
    stop: &StopSignal,
) -> anyhow::Result<Report> {
    // HTTP/1.1 only: the HTTP/2 code in the tree (h2 0.3) has an open advisory, and a webhook
    // needs nothing of HTTP/2 (see .cargo/audit.toml).
    let connector = awc::Connector::new()
        .max_http_version(awc::http::Version::HTTP_11)
        .timeout(webhook.timeout);
    let client = awc::Client::builder()
        .connector(connector)
        .timeout(webhook.timeout)
        .disable_redirects()
        .finish();
    // Long enough for every claimed order to time out once, and then some.
    let lease = Duration::from_std(webhook.timeout)? * (BATCH as i32) + Duration::minutes(1);
    let mut report = Report::default();
    loop {
        if stop.is_set() {
            return Ok(report);
        }
        let claimed = orders::claim_due(pool, now, now + lease, BATCH).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let ids: Vec<String> = claimed
            .iter()
            .map(|o| o.payload.order_id().to_owned())
            .collect();
        for (done, order) in claimed.into_iter().enumerate() {
            if stop.is_set() {
                orders::release(pool, &ids[done..], Utc::now()).await?;
                return Ok(report);
            }
            let payload = OrderPayload::from(order.payload);
            let id = OrderId::parse(&payload.order_id)
                .ok_or_else(|| anyhow::anyhow!("the database holds a malformed order id"))?;
            match post(&client, webhook, &payload).await {
                Ok(()) => {
                    orders::mark_sent(pool, id.as_str(), Utc::now()).await?;
                    tracing::info!(order = id.as_str(), "cancellation order delivered");
                    report.sent += 1;
                }
                Err(error) if now - order.due_at >= webhook.retry_for => {
                    let reason = format!(
                        "delivery to provisioning failed {} times over {} hours; last: {error}",
                        order.attempts,
                        webhook.retry_for.num_hours()
                    );
                    tracing::warn!(order = id.as_str(), %error, "cancellation order undeliverable");
                    if super::give_up(pool, order.case_id, &id, reason, now).await? {
                        report.failed += 1;
                    }
                }
                Err(error) => {
                    let next = now + retry_delay(order.attempts, rand::random::<f64>());
                    tracing::info!(order = id.as_str(), %error, attempts = order.attempts, "cancellation order will be retried");
                    orders::retry_later(pool, id.as_str(), next, &error).await?;
                    report.retrying += 1;
                }
            }
        }
    }
}

/// One signed POST; `Err` with a short description of what went wrong.
async fn post(
    client: &awc::Client,
    webhook: &Webhook,
    payload: &OrderPayload,
) -> Result<(), String> {
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let signature = sign(
        webhook.secret.expose().as_bytes(),
        Utc::now().timestamp(),
        &body,
    );
    let response = client
        .post(&webhook.url)
        .insert_header(("Content-Type", "application/json"))
        .insert_header((SIGNATURE_HEADER, signature))
        .insert_header(("Idempotency-Key", payload.order_id.as_str()))
        .send_body(body)
        .await
        .map_err(|e| format!("no answer: {e}"))?;
    match response.status() {
        s if s.is_success() => Ok(()),
        s => Err(format!("the receiver answered {s}")),
    }
}

/// Delivers due orders every `provisioning_poll_seconds` until the process stops.
pub async fn run(pool: PgPool, webhook: Webhook, every: StdDuration, mut stop: StopSignal) {
    let mut tick = actix_web::rt::time::interval(every);
    while stop.sleep(&mut tick).await {
        let round = deliver_due_until_stopped(&pool, &webhook, Utc::now(), &stop).await;
        crate::telemetry::metrics::job_round("provisioning_webhook", round.is_ok());
        match round {
            Ok(r) if r != Report::default() => tracing::info!(
                sent = r.sent,
                retrying = r.retrying,
                failed = r.failed,
                "cancellation orders delivered"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "delivering cancellation orders failed")
            }
        }
    }
}
