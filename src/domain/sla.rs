//! The service-level clock: when a case is due, and how long it has waited.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// When the desk promised to decide a case that arrived (or came back) at `from`.
pub fn due_at(from: DateTime<Utc>, sla_hours: i64) -> DateTime<Utc> {
    from + Duration::hours(sla_hours)
}

/// The clock stops while the customer owes documents: on resumption the case keeps the time
/// it had left when it was paused.
pub fn resumed_due_at(
    due: DateTime<Utc>,
    paused_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
) -> DateTime<Utc> {
    resumed_at + (due - paused_at)
}

/// The end of `day` in the desk's time zone, as a UTC instant (a deadline day lasts until then).
pub fn end_of_day(day: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"));
    local
        .and_local_timezone(tz)
        .latest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| local.and_utc())
}

/// Whole days, hours of the day and minutes of the hour of a span (none below zero): what
/// "3d 4h", "5h 12m", "7m" are made of (worded per language by `i18n::Tr::duration`).
pub fn duration_parts(d: Duration) -> (i64, i64, i64) {
    let minutes = d.num_minutes().max(0);
    (minutes / 1440, minutes / 60 % 24, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + h * 3600, 0).unwrap()
    }

    #[test]
    fn a_paused_case_keeps_its_remaining_time() {
        let due = due_at(at(0), 48);
        // Paused after 10 h with 38 h left, documents came back 100 h later.
        assert_eq!(resumed_due_at(due, at(10), at(110)), at(148));
    }

    #[test]
    fn a_span_is_whole_days_hours_and_minutes() {
        assert_eq!(duration_parts(Duration::minutes(312)), (0, 5, 12));
        assert_eq!(duration_parts(Duration::hours(76)), (3, 4, 0));
        assert_eq!(duration_parts(Duration::hours(-3)), (0, 0, 0));
    }
}
