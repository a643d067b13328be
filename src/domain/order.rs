//! Cancellation orders to provisioning: their id and states, what provisioning reports back, the
//! webhook's payload and signature, and how long to wait before delivering again. Pure rules;
//! storage is `store::orders`, delivery `provisioning::webhook`.

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::labels::labelled_enum;

labelled_enum! {
    /// Where an order stands. The database stores [`OrderStatus::as_str`].
    pub enum OrderStatus {
        Waiting => ("waiting", "waiting for its effective date"),
        Due => ("due", "due: waiting for provisioning"),
        Sent => ("sent", "sent to provisioning"),
        Acknowledged => ("acknowledged", "acknowledged by provisioning"),
        Done => ("done", "done: the line has ended"),
        Failed => ("failed", "provisioning failed"),
        Withdrawn => ("withdrawn", "withdrawn (the case was reopened)"),
    }
}

impl OrderStatus {
    /// Provisioning has (or may have, once pulled) the order in hand, so its result can come.
    pub fn awaits_result(self) -> bool {
        matches!(
            self,
            OrderStatus::Due | OrderStatus::Sent | OrderStatus::Acknowledged
        )
    }

    /// Gone to provisioning: taking the decision back now would race with the line's end.
    pub fn in_flight(self) -> bool {
        matches!(self, OrderStatus::Sent | OrderStatus::Acknowledged)
    }
}

/// An order's public id: a UUID in its canonical, lower-case text form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderId(String);

impl OrderId {
    /// Accepts the 8-4-4-4-12 hexadecimal form (any case); anything else is no order.
    pub fn parse(text: &str) -> Option<OrderId> {
        let text = text.trim();
        let groups: Vec<&str> = text.split('-').collect();
        let shape = [8, 4, 4, 4, 12];
        let ok = groups.len() == shape.len()
            && groups
                .iter()
                .zip(shape)
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
        ok.then(|| OrderId(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What provisioning reports about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderResult {
    /// The line ended at `cancelled_at`; what was left on it (minor units; negative: owed).
    Done {
        cancelled_at: DateTime<Utc>,
        final_balance_minor: i64,
    },
    /// Provisioning could not end the line.
    Failed { reason: String },
}

/// The longest failure reason kept.
pub const REASON_LIMIT: usize = 500;

/// The result as the API receives it (`outcome` says which fields belong).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// `done` or `failed`.
    pub outcome: String,
    /// With `done`: when the line ended (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// With `done`: the balance left on the line, in minor units (IDR has none: rupiah).
    pub final_balance_minor: Option<i64>,
    /// With `failed`: why, in words the desk can act on.
    pub reason: Option<String>,
}

impl ResultBody {
    /// The result, or the problems per field (a JSON pointer and a message).
    pub fn parse(&self, now: DateTime<Utc>) -> Result<OrderResult, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let result = match self.outcome.as_str() {
            "done" => {
                if self.reason.is_some() {
                    errors.push(("/reason", "Only a failed result has a reason.".into()));
                }
                match self.cancelled_at {
                    None => errors.push(("/cancelled_at", "Say when the line ended.".into())),
                    Some(at) if at > now + Duration::minutes(5) => errors.push((
                        "/cancelled_at",
                        "The line cannot have ended in the future.".into(),
                    )),
                    Some(_) => {}
                }
                if self.final_balance_minor.is_none() {
                    errors.push((
                        "/final_balance_minor",
                        "Say what balance was left on the line (0 when none).".into(),
                    ));
                }
                match (self.cancelled_at, self.final_balance_minor) {
                    // Kept to the microsecond, as the database keeps it: a repeated result then
                    // compares equal to the stored one.
                    (Some(cancelled_at), Some(final_balance_minor)) => Some(OrderResult::Done {
                        cancelled_at: cancelled_at.trunc_subsecs(6),
                        final_balance_minor,
                    }),
                    _ => None,
                }
            }
            "failed" => {
                if self.cancelled_at.is_some() || self.final_balance_minor.is_some() {
                    errors.push((
                        "/outcome",
                        "A failed result has only a reason: the line did not end.".into(),
                    ));
                }
                let reason = self.reason.as_deref().map(str::trim).unwrap_or_default();
                if reason.is_empty() {
                    errors.push(("/reason", "Say why the line could not be ended.".into()));
                } else if reason.chars().count() > REASON_LIMIT {
                    errors.push((
                        "/reason",
                        format!("Keep the reason under {REASON_LIMIT} characters."),
                    ));
                }
                Some(OrderResult::Failed {
                    reason: reason.to_owned(),
                })
            }
            _ => {
                errors.push(("/outcome", "Send `done` or `failed`.".into()));
                None
            }
        };
        match result {
            Some(result) if errors.is_empty() => Ok(result),
            _ => Err(errors),
        }
    }
}

/// What the webhook receives (and the pull API lists): everything needed to end the line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderPayload {
    /// The order's id; also the `Idempotency-Key` header of every delivery.
    pub order_id: String,
    pub case_reference: String,
    /// The line to end, in E.164 form.
    pub msisdn: String,
    pub account_number: String,
    /// The day the line ends.
    pub effective_date: NaiveDate,
    /// Move the remaining balance to this number as part of the order (the customer's choice).
    pub transfer_balance_to: Option<String>,
    pub status: String,
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: DateTime<Utc>,
}

/// The webhook's signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`, the MAC taken with
/// the receiver's shared secret over `<unix seconds>.<body>`. Binding the time into the MAC lets
/// a receiver refuse replays of an old delivery (see [`verify`]).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature header is missing or malformed")]
    Malformed,
    #[error("the signature is too old or from the future")]
    Stale,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// How a receiver checks a delivery (what the README shows; the tests' receiver uses it):
/// the MAC recomputed over the received bytes, compared in constant time, and the timestamp
/// within `tolerance` of the receiver's clock.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signature = hex::decode(s).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Malformed);
    };
    if (now.timestamp() - timestamp).abs() > tolerance.num_seconds() {
        return Err(SignatureError::Stale);
    }
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature)
        .map_err(|_| SignatureError::Mismatch)
}

/// How long to wait after the `attempt`-th failed delivery: exponential from 30 s, at most an
/// hour, with "full jitter" (`jitter` in 0..1 picks a point of the window) so that receivers
/// coming back are not hit by every instance's retries at once.
pub fn retry_delay(attempt: i32, jitter: f64) -> Duration {
    let base = 30i64.saturating_mul(1i64 << attempt.clamp(1, 20).saturating_sub(1));
    let window = base.min(3600);
    // At least a second: a zero delay would retry in the same round.
    Duration::seconds(((window as f64) * jitter.clamp(0.0, 1.0)).max(1.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_test";

    fn now() -> DateTime<Utc> {
        "2026-12-03T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let body = br#"{"order_id":"x"}"#;
        let t = now().timestamp();
        let header = sign(SECRET, t, body);
        assert!(header.starts_with(&format!("t={t},v1=")));
        let tolerance = Duration::minutes(5);
        assert_eq!(verify(SECRET, &header, body, now(), tolerance), Ok(()));
        assert_eq!(
            verify(SECRET, &header, br#"{"order_id":"y"}"#, now(), tolerance),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"another secret", &header, body, now(), tolerance),
            Err(SignatureError::Mismatch)
        );
        // The time is part of the MAC: moving it breaks the signature, not only the age check.
        let moved = header.replace(&format!("t={t}"), &format!("t={}", t + 1));
        assert_eq!(
            verify(SECRET, &moved, body, now(), tolerance),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                SECRET,
                &header,
                body,
                now() + Duration::minutes(6),
                tolerance
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(SECRET, "v1=abc", body, now(), tolerance),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_and_a_ceiling() {
        assert_eq!(retry_delay(1, 1.0), Duration::seconds(30));
        assert_eq!(retry_delay(2, 1.0), Duration::seconds(60));
        assert_eq!(retry_delay(3, 1.0), Duration::seconds(120));
        assert_eq!(retry_delay(30, 1.0), Duration::hours(1));
        assert_eq!(retry_delay(3, 0.5), Duration::seconds(60));
        assert_eq!(retry_delay(3, 0.0), Duration::seconds(1));
    }

    #[test]
    fn order_ids_are_canonical_uuids() {
        let id = OrderId::parse("0B5A1C6E-2F4D-4E8A-9C1B-3D5E7F9A1B2C").unwrap();
        assert_eq!(id.as_str(), "0b5a1c6e-2f4d-4e8a-9c1b-3d5e7f9a1b2c");
        for bad in [
            "",
            "nope",
            "0b5a1c6e2f4d4e8a9c1b3d5e7f9a1b2c",
            "0b5a1c6e-2f4d-4e8a-9c1b-3d5e7f9a1b2g",
            "' OR 1=1 --",
        ] {
            assert!(OrderId::parse(bad).is_none(), "{bad}");
        }
    }

    fn body(outcome: &str) -> ResultBody {
        ResultBody {
            outcome: outcome.into(),
            cancelled_at: None,
            final_balance_minor: None,
            reason: None,
        }
    }

    #[test]
    fn a_result_has_the_fields_of_its_outcome_and_no_others() {
        let done = ResultBody {
            cancelled_at: Some(now()),
            final_balance_minor: Some(-5000),
            ..body("done")
        };
        assert_eq!(
            done.parse(now()),
            Ok(OrderResult::Done {
                cancelled_at: now(),
                final_balance_minor: -5000
            })
        );
        let fields = |b: &ResultBody| -> Vec<&str> {
            b.parse(now())
                .unwrap_err()
                .into_iter()
                .map(|(f, _)| f)
                .collect()
        };
        assert_eq!(
            fields(&body("done")),
            ["/cancelled_at", "/final_balance_minor"]
        );
        assert_eq!(fields(&body("failed")), ["/reason"]);
        assert_eq!(fields(&body("maybe")), ["/outcome"]);
        let future = ResultBody {
            cancelled_at: Some(now() + Duration::days(1)),
            final_balance_minor: Some(0),
            ..body("done")
        };
        assert_eq!(fields(&future), ["/cancelled_at"]);
        let mixed = ResultBody {
            reason: Some("line busy".into()),
            final_balance_minor: Some(0),
            ..body("failed")
        };
        assert_eq!(fields(&mixed), ["/outcome"]);
        let failed = ResultBody {
            reason: Some("  port-out pending  ".into()),
            ..body("failed")
        };
        assert_eq!(
            failed.parse(now()),
            Ok(OrderResult::Failed {
                reason: "port-out pending".into()
            })
        );
    }
}
