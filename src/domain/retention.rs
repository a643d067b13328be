//! Keeping identity documents only as long as the case needs them: which states end the need,
//! when the bytes are due for removal, and a supervisor's legal hold that stops the removal.

use chrono::{DateTime, Duration, Utc};

use super::case::State;
use super::decision::FieldErrors;
use super::event::EventKind;
use super::said::Said;

/// States after which the desk no longer needs a case's documents, once the retention period has
/// passed. An approval counts (from the end of its effective date; see the migration), because
/// the decision is taken and nothing else needs the identity proof but a possible dispute, which
/// the period covers. Mirrored by the `cases_retention_clock` trigger, which keeps
/// `cases.retention_from`.
pub const FINAL_STATES: [State; 5] = [
    State::Approved,
    State::Rejected,
    State::Cancelled,
    State::Expired,
    State::Withdrawn,
];

pub fn is_final(state: State) -> bool {
    FINAL_STATES.contains(&state)
}

/// The retention period, in whole days (a positive number: see `Settings::validate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPeriod(Duration);

impl RetentionPeriod {
    pub fn days(days: i64) -> Option<RetentionPeriod> {
        (days > 0).then(|| RetentionPeriod(Duration::days(days)))
    }

    /// When documents whose period started at `from` are due for removal.
    pub fn removal_due(self, from: DateTime<Utc>) -> DateTime<Utc> {
        from + self.0
    }

    /// Cases whose period started before this instant are due at `now`.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.0
    }

    pub fn in_days(self) -> i64 {
        self.0.num_days()
    }
}

/// Longest reason for placing or lifting a hold.
pub const HOLD_REASON_LIMIT: usize = 1000;

/// A supervisor's change to a case's legal hold, with the reason that goes into the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldChange {
    Place { reason: String },
    Lift { reason: String },
}

impl HoldChange {
    /// From the form: `change` is `place` or `lift`; a reason is required for both.
    pub fn parse(change: &str, reason: &str) -> Result<HoldChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            errors.add("hold_reason", Said::new("field-hold-reason"));
        } else if reason.chars().count() > HOLD_REASON_LIMIT {
            errors.add("hold_reason", super::decision::too_long(HOLD_REASON_LIMIT));
        }
        let change = match change {
            "place" => Some(HoldChange::Place {
                reason: reason.clone(),
            }),
            "lift" => Some(HoldChange::Lift {
                reason: reason.clone(),
            }),
            _ => {
                errors.add("hold_change", Said::new("field-hold-change"));
                None
            }
        };
        match change {
            Some(c) if errors.0.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            HoldChange::Place { reason } | HoldChange::Lift { reason } => reason,
        }
    }

    /// The history event kind (and the audit detail) for this change.
    pub fn event_kind(&self) -> EventKind {
        match self {
            HoldChange::Place { .. } => EventKind::LegalHoldPlaced,
            HoldChange::Lift { .. } => EventKind::LegalHoldLifted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_states_are_the_decided_and_the_closed() {
        for state in State::ALL {
            assert_eq!(is_final(state), !state.is_open(), "{state:?}");
        }
    }

    #[test]
    fn the_period_counts_whole_days_from_its_start() {
        let period = RetentionPeriod::days(90).unwrap();
        let from = "2026-01-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            period.removal_due(from),
            "2026-04-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(period.cutoff(period.removal_due(from)), from);
        assert_eq!(period.in_days(), 90);
        assert_eq!(RetentionPeriod::days(0), None);
        assert_eq!(RetentionPeriod::days(-5), None);
    }

    #[test]
    fn a_hold_change_needs_a_known_change_and_a_reason() {
        assert_eq!(
            HoldChange::parse("place", "  court order 12/2026 "),
            Ok(HoldChange::Place {
                reason: "court order 12/2026".into()
            })
        );
        assert_eq!(
            HoldChange::parse("lift", "case closed")
                .unwrap()
                .event_kind(),
            EventKind::LegalHoldLifted
        );
        let errors = HoldChange::parse("place", "   ").unwrap_err();
        assert!(errors.0.contains_key("hold_reason"));
        let errors = HoldChange::parse("delete", "why not").unwrap_err();
        assert!(errors.0.contains_key("hold_change"));
        let long = "x".repeat(HOLD_REASON_LIMIT + 1);
        assert!(HoldChange::parse("place", &long).is_err());
    }
}
