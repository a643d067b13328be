//! Throttling failed sign-ins: a few attempts are free, then each further failure doubles the wait,
//! up to a cap. Failures older than the window no longer count, so nobody is locked out for good —
//! not even a real agent whose e-mail an attacker keeps trying.

use chrono::{DateTime, Duration, Utc};

pub struct Policy {
    /// Failures allowed without any wait.
    pub free: i64,
    /// How long a failure counts.
    pub window: Duration,
    /// The longest wait.
    pub max_wait: Duration,
}

/// Per account (e-mail): five free tries.
pub const PER_ACCOUNT: Policy = Policy {
    free: 5,
    window: Duration::minutes(15),
    max_wait: Duration::minutes(15),
};
/// Per address: more, since several agents may share an office's address.
pub const PER_ADDRESS: Policy = Policy {
    free: 20,
    window: Duration::minutes(15),
    max_wait: Duration::minutes(15),
};

/// Public look-ups (status page, upload links, API tokens and references) per key (a reference,
/// or the address where each guess is a different token): few free tries, since
/// a real customer types their pair right within a couple of attempts.
pub const PUBLIC_PER_KEY: Policy = Policy {
    free: 5,
    window: Duration::minutes(15),
    max_wait: Duration::minutes(15),
};
/// Public look-ups per address.
pub const PUBLIC_PER_ADDRESS: Policy = Policy {
    free: 10,
    window: Duration::minutes(15),
    max_wait: Duration::minutes(15),
};

/// Recent failures: how many within the window, and the latest.
#[derive(Debug, Clone, Copy)]
pub struct Failures {
    pub count: i64,
    pub last: Option<DateTime<Utc>>,
}

impl Policy {
    /// How long to wait before the next attempt may be checked; `None` when it may go ahead.
    pub fn wait(&self, failures: Failures, now: DateTime<Utc>) -> Option<Duration> {
        let over = failures.count - self.free;
        let last = failures.last?;
        if over < 0 {
            return None;
        }
        let doubling = Duration::seconds(1i64 << over.min(20));
        let until = last + doubling.min(self.max_wait);
        (until > now).then(|| until - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn free_attempts_then_doubling_waits() {
        let p = PER_ACCOUNT;
        assert_eq!(
            p.wait(
                Failures {
                    count: 4,
                    last: Some(at(0))
                },
                at(0)
            ),
            None
        );
        assert_eq!(
            p.wait(
                Failures {
                    count: 5,
                    last: Some(at(0))
                },
                at(0)
            ),
            Some(Duration::seconds(1))
        );
        assert_eq!(
            p.wait(
                Failures {
                    count: 8,
                    last: Some(at(0))
                },
                at(3)
            ),
            Some(Duration::seconds(5))
        );
        assert_eq!(
            p.wait(
                Failures {
                    count: 8,
                    last: Some(at(0))
                },
                at(8)
            ),
            None
        );
    }

    #[test]
    fn the_wait_is_capped() {
        let p = PER_ACCOUNT;
        let wait = p
            .wait(
                Failures {
                    count: 500,
                    last: Some(at(0)),
                },
                at(0),
            )
            .unwrap();
        assert_eq!(wait, Duration::minutes(15));
        assert_eq!(
            p.wait(
                Failures {
                    count: 500,
                    last: Some(at(0))
                },
                at(15 * 60)
            ),
            None
        );
    }
}
