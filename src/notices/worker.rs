//! Delivers the outbox: claims due notices (`FOR UPDATE SKIP LOCKED`, so several app instances
//! can run it), sends e-mail over SMTP and SMS through an [`SmsGateway`], and marks each notice
//! sent, retried later (exponential backoff), failed, or not sent for want of a gateway.
//!
//! A claimed notice is leased for a while before anybody takes it again: a worker that dies in
//! the middle of a delivery loses nothing; at worst the customer gets a notice twice.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::PgPool;

use crate::background::StopSignal;
use crate::config::{Settings, SmtpTls};
use crate::domain::notice::{NoticeChannel, Retry, after_failure, fill_link, upload_url};
use crate::store::notices::{self, ClaimedNotice};

/// How long a claimed notice is left alone by other workers.
const LEASE_MINUTES: i64 = 10;
/// Notices claimed per round: few enough that a round ends well within the lease even when
/// every one of them waits out the 30-second SMTP timeout (10 × 30 s = 5 min < 10 min).
const BATCH: i64 = 10;

/// An SMS as a gateway gets it: the text with the real link.
pub struct Sms<'a> {
    pub notice_id: i64,
    pub kind: &'a str,
    pub to: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsOutcome {
    Sent,
    /// Nothing is connected that could send it.
    NoGateway,
    /// Try again later.
    Transient(String),
    /// Refused for good (e.g. an invalid number).
    Permanent(String),
}

/// Something that sends text messages. An operator's gateway plugs in here.
pub trait SmsGateway: Send + Sync {
    fn send<'a>(&'a self, sms: Sms<'a>) -> Pin<Box<dyn Future<Output = SmsOutcome> + Send + 'a>>;
}

/// No SMS gateway yet: logs that a message would have gone out (the notice id and kind only: the
/// number and the text are personal data) and records the notice as not sent.
pub struct LoggingSms;

impl SmsGateway for LoggingSms {
    fn send<'a>(&'a self, sms: Sms<'a>) -> Pin<Box<dyn Future<Output = SmsOutcome> + Send + 'a>> {
        tracing::info!(
            notice = sms.notice_id,
            kind = sms.kind,
            "no SMS gateway: notice recorded, not sent"
        );
        Box::pin(async { SmsOutcome::NoGateway })
    }
}

/// The SMTP side of delivery.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `None` when no SMTP host is configured.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Option<Mailer>> {
        let Some(host) = settings.smtp_host.as_deref().filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let builder = match settings.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .context("setting up SMTP over TLS")?,
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .context("setting up SMTP with STARTTLS")?,
        };
        let mut builder = builder
            .port(settings.smtp_port)
            .timeout(Some(std::time::Duration::from_secs(30)));
        if let Some(user) = settings.smtp_username.as_deref().filter(|u| !u.is_empty()) {
            builder = builder.credentials(Credentials::new(
                user.to_owned(),
                settings
                    .smtp_password
                    .as_ref()
                    .map(|p| p.expose().to_owned())
                    .unwrap_or_default(),
            ));
        }
        let from = settings
            .smtp_from
            .parse()
            .context("smtp_from is not a mail address")?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    async fn send(&self, to: &str, subject: &str, text: String) -> Result<(), Failure> {
        let to: Mailbox = to.parse().map_err(|_| Failure {
            permanent: true,
            log_code: "address".into(),
            message: "the e-mail address is not valid".into(),
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| Failure {
                permanent: true,
                log_code: "message".into(),
                message: format!("the message could not be built: {e}"),
            })?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| Failure {
                permanent: e.is_permanent(),
                log_code: e
                    .status()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "connection".into()),
                message: e.to_string(),
            })
    }
}

/// A failed attempt: what agents read (`message`) and what the log may say (`log_code`).
struct Failure {
    permanent: bool,
    log_code: String,
    message: String,
}

/// Everything the worker delivers with.
pub struct Delivery {
    pub mailer: Option<Mailer>,
    pub sms: Arc<dyn SmsGateway>,
    pub public_url: String,
    pub max_attempts: i32,
}

impl Delivery {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Delivery> {
        Ok(Delivery {
            mailer: Mailer::from_settings(settings)?,
            sms: Arc::new(LoggingSms),
            public_url: settings.public_url.clone(),
            max_attempts: settings.notice_max_attempts,
        })
    }
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
    pub no_gateway: usize,
}

enum Attempt {
    Sent,
    NoGateway,
    Failed(Failure),
}

/// Delivers every notice due at `now` (in rounds of [`BATCH`]); returns what happened.
pub async fn deliver_due(
    pool: &PgPool,
    delivery: &Delivery,
    now: DateTime<Utc>,
) -> anyhow::Result<DeliveryReport> {
    deliver_due_until_stopped(pool, delivery, now, &StopSignal::never()).await
}

/// [`deliver_due`], which stops after the notice in hand when the process is stopping and gives
/// the rest of its claim back.
pub async fn deliver_due_until_stopped(
    pool: &PgPool,
    delivery: &Delivery,
    now: DateTime<Utc>,
    stop: &StopSignal,
) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    loop {
        if stop.is_set() {
            return Ok(report);
        }
        let claimed =
            notices::claim_due(pool, now, now + Duration::minutes(LEASE_MINUTES), BATCH).await?;
        if claimed.is_empty() {
            return Ok(report);
        }
        let ids: Vec<i64> = claimed.iter().map(|n| n.id).collect();
        for (done, notice) in claimed.into_iter().enumerate() {
            if stop.is_set() {
                notices::release(pool, &ids[done..], Utc::now()).await?;
                return Ok(report);
            }
            let id = notice.id;
            match attempt(delivery, &notice).await {
                Attempt::Sent => {
                    notices::mark_sent(pool, id, now).await?;
                    report.sent += 1;
                }
                Attempt::NoGateway => {
                    notices::mark_no_gateway(pool, id).await?;
                    report.no_gateway += 1;
                }
                Attempt::Failed(failure) => {
                    let error = plain_error(&failure.message);
                    let retry =
                        after_failure(notice.attempts, delivery.max_attempts, failure.permanent);
                    tracing::warn!(
                        notice = id,
                        kind = %notice.kind,
                        attempt = notice.attempts,
                        code = %failure.log_code,
                        gives_up = retry == Retry::GiveUp,
                        "notice delivery failed"
                    );
                    match retry {
                        Retry::At(wait) => {
                            notices::mark_retry(pool, id, now + wait, &error).await?;
                            report.retrying += 1;
                        }
                        Retry::GiveUp => {
                            notices::mark_failed(pool, id, &error).await?;
                            report.failed += 1;
                        }
                    }
                }
            }
        }
    }
}

async fn attempt(delivery: &Delivery, notice: &ClaimedNotice) -> Attempt {
    let link = notice
        .link_token
        .as_deref()
        .map(|t| upload_url(&delivery.public_url, t));
    let text = fill_link(&notice.body, link.as_deref());
    match NoticeChannel::parse(&notice.channel) {
        Some(NoticeChannel::Email) => match &delivery.mailer {
            None => Attempt::NoGateway,
            Some(mailer) => match mailer.send(&notice.recipient, &notice.subject, text).await {
                Ok(()) => Attempt::Sent,
                Err(f) => Attempt::Failed(f),
            },
        },
        Some(NoticeChannel::Sms) => {
            let sms = Sms {
                notice_id: notice.id,
                kind: &notice.kind,
                to: &notice.recipient,
                text: &text,
            };
            match delivery.sms.send(sms).await {
                SmsOutcome::Sent => Attempt::Sent,
                SmsOutcome::NoGateway => Attempt::NoGateway,
                SmsOutcome::Transient(message) => Attempt::Failed(Failure {
                    permanent: false,
                    log_code: "sms".into(),
                    message,
                }),
                SmsOutcome::Permanent(message) => Attempt::Failed(Failure {
                    permanent: true,
                    log_code: "sms".into(),
                    message,
                }),
            }
        }
        None => Attempt::Failed(Failure {
            permanent: true,
            log_code: "channel".into(),
            message: format!("unknown channel {:?}", notice.channel),
        }),
    }
}

/// A server's answer as one short line for the timeline.
fn plain_error(message: &str) -> String {
    let line: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Delivers due notices every `notice_poll_seconds` until the process stops.
pub async fn run(
    pool: PgPool,
    delivery: Delivery,
    every: std::time::Duration,
    mut stop: StopSignal,
) {
    let mut tick = actix_web::rt::time::interval(every);
    while stop.sleep(&mut tick).await {
        let round = deliver_due_until_stopped(&pool, &delivery, Utc::now(), &stop).await;
        crate::telemetry::metrics::job_round("notices", round.is_ok());
        match round {
            Ok(r) if r != DeliveryReport::default() => {
                tracing::info!(
                    sent = r.sent,
                    retrying = r.retrying,
                    failed = r.failed,
                    no_gateway = r.no_gateway,
                    "notices delivered"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "delivering notices failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_answers_become_one_short_line() {
        assert_eq!(
            plain_error("permanent error (550):\r\n mailbox\tunavailable"),
            "permanent error (550): mailbox unavailable"
        );
        assert_eq!(plain_error(&"x".repeat(500)).chars().count(), 301);
    }
}
