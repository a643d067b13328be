//! What an agent asks the queue for: filters, search and the keyset cursor, parsed once from the
//! query string so that a view is a bookmark.

use chrono::{DateTime, NaiveDate, Utc};

use super::agent::AgentId;
use super::case::State;
use super::event::EventKind;
use super::msisdn::Msisdn;
use super::precheck::Suggestion;
use super::reference::CaseReference;
use super::report::AgeBucket;
use super::request::{CancelReason, Channel, RejectReason};
use super::said::{Fill, Said};

pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Submitted or in review: the default view.
    NeedsAction,
    /// Not ended yet: submitted, in review or awaiting documents (the reports' backlog).
    Open,
    One(State),
    /// Approved cases whose cancellation order failed: a supervisor re-issues.
    ProvisioningFailed,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Me(AgentId),
    /// One agent, by id (the reports' links to an agent's open cases).
    One(AgentId),
    Unassigned,
}

#[derive(Clone, PartialEq, Eq)]
pub enum Search {
    Reference(CaseReference),
    Phone(Msisdn),
    /// Part of a customer's name.
    Name(String),
}

/// What was searched stays out of logs: only its kind is shown.
impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Search::Reference(_) => "Search::Reference(..)",
            Search::Phone(_) => "Search::Phone(..)",
            Search::Name(_) => "Search::Name(..)",
        })
    }
}

impl Search {
    /// A reference if it reads as one, else a phone number, else part of a name.
    pub fn parse(input: &str, country_code: &str) -> Option<Search> {
        let input = input.trim();
        if input.is_empty() {
            return None;
        }
        if let Ok(reference) = CaseReference::parse(input) {
            return Some(Search::Reference(reference));
        }
        if let Ok(phone) = Msisdn::parse(input, country_code) {
            return Some(Search::Phone(phone));
        }
        Some(Search::Name(input.chars().take(100).collect()))
    }
}

/// A position in the queue's order (due time, then id), exclusive.
/// The queue's order: by due time (the desk's default), or by the desk's suggestion first
/// (approvals first, "needs a person" last, cases not yet assessed after them), then due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    #[default]
    Due,
    Suggestion,
}

/// A row's place in the queue's order: the keyset a page starts after (or ends before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The suggestion's rank ([`suggestion_rank`]), when the queue is ordered by suggestion.
    pub rank: Option<i32>,
    pub due: DateTime<Utc>,
    pub id: i64,
}

/// A suggestion's place in the "suggestion first" order: the order of `Suggestion::ALL`, from 1;
/// no suggestion yet comes last.
pub fn suggestion_rank(suggestion: Option<Suggestion>) -> i32 {
    suggestion
        .and_then(|s| Suggestion::ALL.iter().position(|a| *a == s))
        .map_or(Suggestion::ALL.len() as i32 + 1, |p| p as i32 + 1)
}

impl Cursor {
    pub fn parse(value: &str) -> Option<Cursor> {
        let (rank, rest) = match value.split_once('~') {
            Some((rank, rest)) => (Some(rank.parse().ok()?), rest),
            None => (None, value),
        };
        let (micros, id) = rest.split_once('_')?;
        Some(Cursor {
            rank,
            due: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }

    pub fn encode(&self) -> String {
        let at = format!("{}_{}", self.due.timestamp_micros(), self.id);
        match self.rank {
            Some(rank) => format!("{rank}~{at}"),
            None => at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    First,
    After(Cursor),
    Before(Cursor),
}

/// Whole days of the desk's calendar, both ends included; an end left open is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DayRange {
    fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }
}

/// Cases to which something happened: one of `kinds`, within `days`, by an agent, for a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    pub kinds: &'static [EventKind],
    pub days: DayRange,
    pub by: Option<AgentId>,
    pub reason: Option<RejectReason>,
}

/// The events the `event` filter knows, by name: the report's measures.
const EVENT_FILTERS: &[(&str, &[EventKind])] = &[
    (
        "decided",
        &[
            EventKind::Approved,
            EventKind::Rejected,
            EventKind::Expired,
            EventKind::Withdrawn,
            EventKind::Cancelled,
        ],
    ),
    ("approved", &[EventKind::Approved]),
    ("rejected", &[EventKind::Rejected]),
    ("expired", &[EventKind::Expired]),
    ("withdrawn", &[EventKind::Withdrawn]),
    ("cancelled", &[EventKind::Cancelled]),
    ("claimed", &[EventKind::Claimed]),
    ("documents_requested", &[EventKind::DocumentsRequested]),
    ("documents_received", &[EventKind::DocumentsReceived]),
];

/// What the reports link to, beyond the queue's own filters: when cases arrived, how long open
/// ones have waited, whether they are past due, and what happened to them in a period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportFilters {
    pub received: DayRange,
    pub age: Option<AgeBucket>,
    pub overdue: bool,
    pub event: Option<EventFilter>,
}

impl ReportFilters {
    pub fn is_set(&self) -> bool {
        self.received.is_set() || self.age.is_some() || self.overdue || self.event.is_some()
    }
}

/// The `age` filter's value for a bucket: `1-3`, `14-`.
pub fn age_value(bucket: AgeBucket) -> String {
    match bucket.days() {
        (from, Some(to)) => format!("{from}-{to}"),
        (from, None) => format!("{from}-"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub state: StateFilter,
    pub assignee: AssigneeFilter,
    pub channel: Option<Channel>,
    pub reason: Option<CancelReason>,
    /// The desk's suggested next step (assisted review).
    pub suggestion: Option<Suggestion>,
    pub order: QueueOrder,
    pub search: Option<Search>,
    pub report: ReportFilters,
    pub page: Page,
}

/// The query string as typed; unknown values fall back to the default view with a notice.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct QueueParams {
    pub state: Option<String>,
    pub assignee: Option<String>,
    pub channel: Option<String>,
    pub reason: Option<String>,
    pub suggestion: Option<String>,
    /// `suggestion`: the desk's suggestion first; anything else: by due time.
    pub sort: Option<String>,
    pub q: Option<String>,
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    pub age: Option<String>,
    pub overdue: Option<String>,
    pub event: Option<String>,
    pub event_from: Option<String>,
    pub event_to: Option<String>,
    pub event_by: Option<String>,
    pub event_reason: Option<String>,
    pub after: Option<String>,
    pub before: Option<String>,
}

impl QueueParams {
    /// The filters that are set, by name (the page position left out): what a view's links and
    /// a bulk selection carry along.
    pub fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("state", &self.state),
            ("assignee", &self.assignee),
            ("channel", &self.channel),
            ("reason", &self.reason),
            ("suggestion", &self.suggestion),
            ("sort", &self.sort),
            ("q", &self.q),
            ("received_from", &self.received_from),
            ("received_to", &self.received_to),
            ("age", &self.age),
            ("overdue", &self.overdue),
            ("event", &self.event),
            ("event_from", &self.event_from),
            ("event_to", &self.event_to),
            ("event_by", &self.event_by),
            ("event_reason", &self.event_reason),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect()
    }
}

impl QueueQuery {
    /// Parses the parameters; returns what could not be understood so the page can say so.
    pub fn parse(params: &QueueParams, me: AgentId, country_code: &str) -> (QueueQuery, Vec<Said>) {
        let mut problems = Vec::new();
        let mut field = |value: &Option<String>, name: &'static str| -> Option<String> {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| {
                    if v.len() > 200 {
                        problems.push(Said::with(
                            "queue-filter-too-long",
                            "filter",
                            Fill::Message(name),
                        ));
                    }
                    v.to_owned()
                })
        };
        let state_value = field(&params.state, "queue-filter-state");
        let assignee_value = field(&params.assignee, "queue-filter-assignee");
        let channel_value = field(&params.channel, "queue-filter-channel");
        let reason_value = field(&params.reason, "queue-filter-reason");
        let suggestion_value = field(&params.suggestion, "queue-filter-suggestion");

        let state = match state_value.as_deref() {
            None | Some("needs_action") => StateFilter::NeedsAction,
            Some("all") => StateFilter::All,
            Some("open") => StateFilter::Open,
            Some("provisioning_failed") => StateFilter::ProvisioningFailed,
            Some(v) => match State::parse(v) {
                Some(s) => StateFilter::One(s),
                None => {
                    problems.push(Said::with(
                        "queue-unknown-state",
                        "value",
                        Fill::Text(v.to_owned()),
                    ));
                    StateFilter::NeedsAction
                }
            },
        };
        let assignee = match assignee_value.as_deref() {
            None | Some("anyone") => AssigneeFilter::Anyone,
            Some("me") => AssigneeFilter::Me(me),
            Some("unassigned") => AssigneeFilter::Unassigned,
            Some(v) if v.parse::<i64>().is_ok_and(|id| id > 0) => {
                AssigneeFilter::One(AgentId(v.parse().unwrap_or_default()))
            }
            Some(v) => {
                problems.push(Said::with(
                    "queue-unknown-assignee",
                    "value",
                    Fill::Text(v.to_owned()),
                ));
                AssigneeFilter::Anyone
            }
        };
        let channel = channel_value.as_deref().and_then(|v| {
            let parsed = Channel::parse(v);
            if parsed.is_none() {
                problems.push(Said::with(
                    "queue-unknown-channel",
                    "value",
                    Fill::Text(v.to_owned()),
                ));
            }
            parsed
        });
        let reason = reason_value.as_deref().and_then(|v| {
            let parsed = CancelReason::parse(v);
            if parsed.is_none() {
                problems.push(Said::with(
                    "queue-unknown-reason",
                    "value",
                    Fill::Text(v.to_owned()),
                ));
            }
            parsed
        });
        let suggestion = suggestion_value.as_deref().and_then(|v| {
            let parsed = Suggestion::parse(v);
            if parsed.is_none() {
                problems.push(Said::with(
                    "queue-unknown-suggestion",
                    "value",
                    Fill::Text(v.to_owned()),
                ));
            }
            parsed
        });
        let report = parse_report_filters(params, &mut problems);
        let search = params
            .q
            .as_deref()
            .and_then(|q| Search::parse(q, country_code));
        let order = match params.sort.as_deref().map(str::trim) {
            Some("suggestion") => QueueOrder::Suggestion,
            _ => QueueOrder::Due,
        };
        // A cursor of the other order (an old link) starts from the first page.
        let cursor = |v: &Option<String>| {
            v.as_deref()
                .and_then(Cursor::parse)
                .filter(|c| c.rank.is_some() == (order == QueueOrder::Suggestion))
        };
        let page = match (cursor(&params.after), cursor(&params.before)) {
            (Some(c), _) => Page::After(c),
            (None, Some(c)) => Page::Before(c),
            (None, None) => Page::First,
        };
        (
            QueueQuery {
                state,
                assignee,
                channel,
                reason,
                suggestion,
                order,
                search,
                report,
                page,
            },
            problems,
        )
    }
}

/// The reports' filters; what cannot be read is reported and left out.
fn parse_report_filters(params: &QueueParams, problems: &mut Vec<Said>) -> ReportFilters {
    let value = |v: &Option<String>| -> Option<String> {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.chars().take(40).collect())
    };
    let mut day = |v: &Option<String>, name: &'static str| -> Option<NaiveDate> {
        let v = value(v)?;
        let parsed = NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok();
        if parsed.is_none() {
            problems.push(
                Said::with("queue-not-a-date", "value", Fill::Text(v.clone()))
                    .fill("filter", Fill::Message(name)),
            );
        }
        parsed
    };
    let received = DayRange {
        from: day(&params.received_from, "queue-filter-received-from"),
        to: day(&params.received_to, "queue-filter-received-to"),
    };
    let event_days = DayRange {
        from: day(&params.event_from, "queue-filter-event-from"),
        to: day(&params.event_to, "queue-filter-event-to"),
    };
    let age = value(&params.age).and_then(|v| {
        let bucket = AgeBucket::ALL.into_iter().find(|b| age_value(*b) == v);
        if bucket.is_none() {
            problems.push(Said::with(
                "queue-unknown-age",
                "value",
                Fill::Text(v.clone()),
            ));
        }
        bucket
    });
    let overdue = value(&params.overdue).is_some_and(|v| v == "1" || v == "true");
    let by = value(&params.event_by).and_then(|v| {
        let id = v.parse::<i64>().ok().filter(|id| *id > 0).map(AgentId);
        if id.is_none() {
            problems.push(Said::with(
                "queue-unknown-agent",
                "value",
                Fill::Text(v.clone()),
            ));
        }
        id
    });
    let reason = value(&params.event_reason).and_then(|v| {
        let reason = RejectReason::parse(&v);
        if reason.is_none() {
            problems.push(Said::with(
                "queue-unknown-reject-reason",
                "value",
                Fill::Text(v.clone()),
            ));
        }
        reason
    });
    let event = match value(&params.event) {
        None => {
            if event_days.is_set() || by.is_some() || reason.is_some() {
                problems.push(Said::new("queue-event-details-alone"));
            }
            None
        }
        Some(v) => match EVENT_FILTERS.iter().find(|(name, _)| *name == v) {
            Some((_, kinds)) => Some(EventFilter {
                kinds,
                days: event_days,
                by,
                reason,
            }),
            None => {
                problems.push(Said::with(
                    "queue-unknown-event",
                    "value",
                    Fill::Text(v.clone()),
                ));
                None
            }
        },
    };
    ReportFilters {
        received,
        age,
        overdue,
        event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(params: QueueParams) -> (QueueQuery, Vec<Said>) {
        QueueQuery::parse(&params, AgentId(7), "62")
    }

    #[test]
    fn the_default_view_is_everything_that_needs_action() {
        let (q, problems) = parse(QueueParams::default());
        assert_eq!(q.state, StateFilter::NeedsAction);
        assert_eq!(q.assignee, AssigneeFilter::Anyone);
        assert_eq!(q.page, Page::First);
        assert!(problems.is_empty());
    }

    #[test]
    fn filters_are_read_from_the_query_string() {
        let (q, problems) = parse(QueueParams {
            state: Some("awaiting_documents".into()),
            assignee: Some("me".into()),
            channel: Some("hotline".into()),
            reason: Some("cost".into()),
            q: Some("0838-1234-5678".into()),
            after: Some(
                Cursor {
                    rank: None,
                    due: DateTime::from_timestamp(1_800_000_000, 5000).unwrap(),
                    id: 42,
                }
                .encode(),
            ),
            ..Default::default()
        });
        assert!(problems.is_empty());
        assert_eq!(q.state, StateFilter::One(State::AwaitingDocuments));
        assert_eq!(q.assignee, AssigneeFilter::Me(AgentId(7)));
        assert_eq!(q.channel, Some(Channel::Hotline));
        assert_eq!(q.reason, Some(CancelReason::Cost));
        assert!(matches!(q.search, Some(Search::Phone(ref m)) if m.e164() == "+6283812345678"));
        assert!(matches!(q.page, Page::After(Cursor { id: 42, .. })));
    }

    #[test]
    fn unknown_values_are_reported_not_obeyed() {
        let (q, problems) = parse(QueueParams {
            state: Some("deleted".into()),
            channel: Some("fax".into()),
            ..Default::default()
        });
        assert_eq!(q.state, StateFilter::NeedsAction);
        assert_eq!(q.channel, None);
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn the_reports_filters_are_read_and_bad_ones_reported() {
        let (q, problems) = parse(QueueParams {
            state: Some("open".into()),
            assignee: Some("12".into()),
            received_from: Some("2026-11-01".into()),
            age: Some("1-3".into()),
            overdue: Some("1".into()),
            event: Some("rejected".into()),
            event_from: Some("2026-11-01".into()),
            event_to: Some("2026-11-30".into()),
            event_by: Some("3".into()),
            event_reason: Some("outstanding_debt".into()),
            ..Default::default()
        });
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(q.state, StateFilter::Open);
        assert_eq!(q.assignee, AssigneeFilter::One(AgentId(12)));
        assert_eq!(
            q.report.received,
            DayRange {
                from: NaiveDate::from_ymd_opt(2026, 11, 1),
                to: None
            }
        );
        assert_eq!(q.report.age, Some(AgeBucket::OneToThreeDays));
        assert!(q.report.overdue);
        let event = q.report.event.unwrap();
        assert_eq!(event.kinds, &[EventKind::Rejected]);
        assert_eq!(event.by, Some(AgentId(3)));
        assert_eq!(event.reason, Some(RejectReason::OutstandingDebt));

        let (q, problems) = parse(QueueParams {
            received_to: Some("30/11/2026".into()),
            age: Some("2-5".into()),
            event: Some("deleted".into()),
            event_by: Some("x".into()),
            ..Default::default()
        });
        assert_eq!(q.report, ReportFilters::default());
        assert_eq!(problems.len(), 4, "{problems:?}");
        let (q, problems) = parse(QueueParams {
            event_from: Some("2026-11-01".into()),
            ..Default::default()
        });
        assert_eq!(q.report.event, None);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn search_understands_references_phones_and_names() {
        assert!(matches!(
            Search::parse("cx-7k3m-q9td", "62"),
            Some(Search::Reference(_))
        ));
        assert!(matches!(
            Search::parse("+62 838 1234 5678", "62"),
            Some(Search::Phone(_))
        ));
        assert_eq!(
            Search::parse("  siti  ", "62"),
            Some(Search::Name("siti".into()))
        );
        assert_eq!(Search::parse("   ", "62"), None);
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            rank: None,
            due: DateTime::from_timestamp(1_800_000_000, 123_000).unwrap(),
            id: 9,
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        let ranked = Cursor { rank: Some(3), ..c };
        assert_eq!(ranked.encode(), "3~1800000000000123_9");
        assert_eq!(Cursor::parse(&ranked.encode()), Some(ranked));
        assert_eq!(Cursor::parse("x_1"), None);
        assert_eq!(Cursor::parse("12"), None);
        assert_eq!(Cursor::parse("x~1_2"), None);
    }

    #[test]
    fn suggestion_first_puts_approvals_first_and_unassessed_cases_last() {
        let ranks: Vec<i32> = Suggestion::ALL
            .iter()
            .map(|s| suggestion_rank(Some(*s)))
            .collect();
        assert_eq!(ranks, [1, 2, 3, 4, 5]);
        assert_eq!(suggestion_rank(None), 6);
        let params = QueueParams {
            sort: Some("suggestion".into()),
            after: Some("2~1800000000000123_9".into()),
            ..QueueParams::default()
        };
        let (q, problems) = QueueQuery::parse(&params, AgentId(1), "62");
        assert!(problems.is_empty());
        assert_eq!(q.order, QueueOrder::Suggestion);
        assert!(matches!(q.page, Page::After(Cursor { rank: Some(2), .. })));
        // A cursor of the other order starts again from the first page.
        let params = QueueParams {
            after: Some("2~1800000000000123_9".into()),
            ..QueueParams::default()
        };
        assert_eq!(
            QueueQuery::parse(&params, AgentId(1), "62").0.page,
            Page::First
        );
    }
}
