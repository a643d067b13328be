//! The supervisor's reports: which period, how cases are bucketed by age, and the percentiles of
//! handling time read from a histogram. Pure rules; the figures come from `store::reports`.

use super::said::{Fill, Said};
use chrono::{Datelike, Duration, NaiveDate};

/// The longest period a report covers (the aggregates hold every day; this keeps a typo such as
/// year 0206 from asking for eighteen centuries).
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// From this many days on, the flow charts show weeks instead of days.
pub const WEEKLY_FROM_DAYS: i64 = 93;

/// A report's period: whole days of the desk's calendar, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Which choice made it: 7, 30 or 90 (the last N days up to today), or 0 for a date range.
    pub last_days: i64,
}

/// The period as asked in the query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PeriodParams {
    /// "7", "30", "90" or "range".
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    /// The last `days` days up to and including `today`.
    pub fn last(days: i64, today: NaiveDate) -> Period {
        Period {
            from: today - Duration::days(days - 1),
            to: today,
            last_days: days,
        }
    }

    /// The period asked for, or the last 30 days and what was wrong with the request.
    pub fn parse(params: &PeriodParams, today: NaiveDate) -> (Period, Option<Said>) {
        let default = Period::last(30, today);
        let day = |value: &Option<String>| -> Option<Result<NaiveDate, Said>> {
            let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
            Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                let shown: String = value.chars().take(40).collect();
                Said::with("period-not-a-date", "value", Fill::Text(shown))
            }))
        };
        match params.period.as_deref().map(str::trim) {
            None | Some("") | Some("30") => (default, None),
            Some("7") => (Period::last(7, today), None),
            Some("90") => (Period::last(90, today), None),
            Some("range") => {
                let (from, to) = match (day(&params.from), day(&params.to)) {
                    (Some(Err(e)), _) | (_, Some(Err(e))) => return (default, Some(e)),
                    (None, _) | (_, None) => {
                        return (default, Some(Said::new("period-range-incomplete")));
                    }
                    (Some(Ok(from)), Some(Ok(to))) => (from, to),
                };
                if from > to {
                    return (default, Some(Said::new("period-reversed")));
                }
                if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
                    return (
                        default,
                        Some(Said::with(
                            "period-too-long",
                            "days",
                            Fill::Number(MAX_PERIOD_DAYS),
                        )),
                    );
                }
                (
                    Period {
                        from,
                        to,
                        last_days: 0,
                    },
                    None,
                )
            }
            Some(other) => {
                let shown: String = other.chars().take(40).collect();
                (
                    default,
                    Some(Said::with("period-unknown", "value", Fill::Text(shown))),
                )
            }
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Whether the flow is shown per week (long periods) rather than per day.
    pub fn weekly(&self) -> bool {
        self.days() >= WEEKLY_FROM_DAYS
    }

    /// The first day of the bar a day belongs to: itself, or the Monday of its week.
    pub fn bar_of(&self, day: NaiveDate) -> NaiveDate {
        if self.weekly() { week_of(day) } else { day }
    }

    /// Every bar of the period, in order (a day or a week's Monday), so that quiet days show
    /// as zero instead of vanishing from a chart.
    pub fn bars(&self) -> Vec<NaiveDate> {
        let step = if self.weekly() { 7 } else { 1 };
        let mut bar = self.bar_of(self.from);
        let mut bars = Vec::new();
        while bar <= self.to {
            bars.push(bar);
            bar += Duration::days(step);
        }
        bars
    }

    /// The Mondays of the weeks the period touches.
    pub fn weeks(&self) -> Vec<NaiveDate> {
        let mut week = week_of(self.from);
        let mut weeks = Vec::new();
        while week <= self.to {
            weeks.push(week);
            week += Duration::days(7);
        }
        weeks
    }

    /// The whole ISO weeks inside the period, (first Monday, last Sunday), if any: read from
    /// the weekly aggregates, the days around them from the daily ones.
    pub fn full_weeks(&self) -> Option<(NaiveDate, NaiveDate)> {
        let monday = week_of(self.from);
        let first = if monday == self.from {
            monday
        } else {
            monday + Duration::days(7)
        };
        let last = week_of(self.to + Duration::days(1)) - Duration::days(1);
        (first < last).then_some((first, last))
    }

    /// For file names and query strings: `2026-11-04_2026-12-03`.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.from, self.to)
    }
}

/// The Monday of `day`'s week (ISO weeks, as PostgreSQL's `date_trunc('week', …)`).
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// How long open cases have waited since receipt, in the buckets the backlog shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AgeBucket {
    UnderOneDay,
    OneToThreeDays,
    ThreeToSevenDays,
    SevenToFourteenDays,
    OverFourteenDays,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 5] = [
        AgeBucket::UnderOneDay,
        AgeBucket::OneToThreeDays,
        AgeBucket::ThreeToSevenDays,
        AgeBucket::SevenToFourteenDays,
        AgeBucket::OverFourteenDays,
    ];

    /// Its bounds in days [from, to), `None` for the open end; a lower bound belongs to its
    /// bucket (1 day exactly is "1–3 days"). The backlog query and the queue's age filter both
    /// read them from here.
    pub fn days(self) -> (i64, Option<i64>) {
        match self {
            AgeBucket::UnderOneDay => (0, Some(1)),
            AgeBucket::OneToThreeDays => (1, Some(3)),
            AgeBucket::ThreeToSevenDays => (3, Some(7)),
            AgeBucket::SevenToFourteenDays => (7, Some(14)),
            AgeBucket::OverFourteenDays => (14, None),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UnderOneDay => "Under 1 day",
            AgeBucket::OneToThreeDays => "1–3 days",
            AgeBucket::ThreeToSevenDays => "3–7 days",
            AgeBucket::SevenToFourteenDays => "7–14 days",
            AgeBucket::OverFourteenDays => "Over 14 days",
        }
    }

    /// Its message in `locales/<tag>/labels.ftl`.
    pub fn message_id(self) -> &'static str {
        match self {
            AgeBucket::UnderOneDay => "AgeBucket-under-1",
            AgeBucket::OneToThreeDays => "AgeBucket-1-3",
            AgeBucket::ThreeToSevenDays => "AgeBucket-3-7",
            AgeBucket::SevenToFourteenDays => "AgeBucket-7-14",
            AgeBucket::OverFourteenDays => "AgeBucket-over-14",
        }
    }
}

/// Handling times as a histogram: (bucket's lower bound in minutes, how many decisions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    buckets: std::collections::BTreeMap<i32, i64>,
}

impl Histogram {
    pub fn add(&mut self, minutes: i32, count: i64) {
        *self.buckets.entry(minutes).or_default() += count;
    }

    pub fn total(&self) -> i64 {
        self.buckets.values().sum()
    }

    /// The nearest-rank percentile (`p` in (0, 1]): the smallest bucket holding at least
    /// ⌈p·N⌉ decisions — what PostgreSQL's `percentile_disc(p)` gives over the same buckets.
    pub fn percentile(&self, p: f64) -> Option<i32> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((p * total as f64).ceil() as i64).clamp(1, total);
        let mut seen = 0;
        for (&minutes, &count) in &self.buckets {
            seen += count;
            if seen >= rank {
                return Some(minutes);
            }
        }
        None
    }
}

/// A share as a whole percent, `None` when there was nothing to share ("–" on the page).
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 100 + whole / 2) / whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn params(period: &str, from: &str, to: &str) -> PeriodParams {
        PeriodParams {
            period: Some(period.into()),
            from: Some(from.into()),
            to: Some(to.into()),
        }
    }

    #[test]
    fn the_default_period_is_the_last_thirty_days_including_today() {
        let (p, problem) = Period::parse(&PeriodParams::default(), d("2026-12-03"));
        assert_eq!(
            (p.from, p.to, p.days()),
            (d("2026-11-04"), d("2026-12-03"), 30)
        );
        assert!(problem.is_none());
        let (p, _) = Period::parse(&params("7", "", ""), d("2026-12-03"));
        assert_eq!(p.from, d("2026-11-27"));
    }

    #[test]
    fn a_date_range_is_read_and_bad_ones_are_explained() {
        let today = d("2026-12-03");
        let (p, problem) = Period::parse(&params("range", "2025-01-01", "2025-03-31"), today);
        assert_eq!(
            (p.from, p.to, p.last_days),
            (d("2025-01-01"), d("2025-03-31"), 0)
        );
        assert!(problem.is_none());
        for (from, to) in [
            ("2025-03-01", "2025-01-01"),
            ("2025-13-01", "2025-12-31"),
            ("", "2025-01-01"),
            ("0206-01-01", "2026-01-01"),
        ] {
            let (p, problem) = Period::parse(&params("range", from, to), today);
            assert_eq!(p, Period::last(30, today), "{from}..{to}");
            assert!(problem.is_some(), "{from}..{to}");
        }
        let (_, problem) = Period::parse(&params("forever", "", ""), today);
        assert_eq!(
            problem.unwrap().args,
            vec![("value", Fill::Text("forever".into()))]
        );
    }

    #[test]
    fn long_periods_are_drawn_by_week_from_monday() {
        let (p, _) = Period::parse(&params("90", "", ""), d("2026-12-03"));
        assert!(!p.weekly());
        assert_eq!(p.bars().len(), 90);
        let (p, _) = Period::parse(
            &params("range", "2025-12-03", "2026-12-03"),
            d("2026-12-03"),
        );
        assert!(p.weekly());
        let bars = p.bars();
        assert_eq!(
            bars[0],
            d("2025-12-01"),
            "the Monday of the first day's week"
        );
        assert!(bars.iter().all(|b| b.weekday() == chrono::Weekday::Mon));
        assert_eq!(*bars.last().unwrap(), d("2026-11-30"));
        assert_eq!(p.weeks(), bars);
    }

    #[test]
    fn whole_weeks_are_found_inside_a_period() {
        let period = |from: &str, to: &str| Period {
            from: d(from),
            to: d(to),
            last_days: 0,
        };
        // 2026-11-30 is a Monday.
        assert_eq!(
            period("2026-11-30", "2026-12-13").full_weeks(),
            Some((d("2026-11-30"), d("2026-12-13")))
        );
        assert_eq!(
            period("2026-11-29", "2026-12-19").full_weeks(),
            Some((d("2026-11-30"), d("2026-12-13"))),
            "the partial weeks at both ends are left to the days"
        );
        assert_eq!(period("2026-12-01", "2026-12-06").full_weeks(), None);
        assert_eq!(period("2026-12-01", "2026-12-01").full_weeks(), None);
    }

    #[test]
    fn percentiles_are_nearest_rank_over_the_buckets() {
        let mut h = Histogram::default();
        assert_eq!(h.percentile(0.5), None);
        // 10 decisions: 4 at 30 min, 5 at 3 h, 1 at 2 days.
        h.add(30, 4);
        h.add(180, 5);
        h.add(2880, 1);
        assert_eq!(h.total(), 10);
        assert_eq!(h.percentile(0.4), Some(30), "rank 4 is the last at 30 min");
        assert_eq!(h.percentile(0.5), Some(180));
        assert_eq!(h.percentile(0.9), Some(180), "rank 9");
        assert_eq!(h.percentile(0.91), Some(2880), "rank 10");
        h.add(30, 2);
        assert_eq!(h.percentile(0.5), Some(30), "rank 6 of 12");
    }

    #[test]
    fn shares_round_to_whole_percents() {
        assert_eq!(percent(1, 3), Some(33));
        assert_eq!(percent(2, 3), Some(67));
        assert_eq!(percent(0, 0), None);
    }
}
