//! The report as sections of tables, built once from the store's figures and used twice: the
//! page renders the tables (and draws charts from them), the CSV export writes one of them. So a
//! figure on the page and in its file can never differ.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Utc};

use super::chart::{self, Series};
use crate::auth::guard::encode_query_value;
use crate::domain::case::State;
use crate::domain::queue::age_value;
use crate::domain::report::{AgeBucket, Histogram, Period, percent};
use crate::domain::request::{CancelReason, Channel, RejectReason};
use crate::error::AppResult;
use crate::i18n::{Durations, Tr};
use crate::routes::language::tr;
use crate::routes::local_date;
use crate::state::AppState;
use crate::store::reports::{self as store, Scope};

/// A table cell: its text, and the queue of exactly the cases it counts, where one exists.
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
    pub numeric: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            link: None,
            numeric: false,
        }
    }

    fn figure(value: i64, link: Option<String>) -> Cell {
        Cell {
            text: value.to_string(),
            link: link.filter(|_| value > 0),
            numeric: true,
        }
    }

    fn number(text: String) -> Cell {
        Cell {
            text,
            link: None,
            numeric: true,
        }
    }
}

pub struct Table {
    /// Stable name: the CSV file's, and the anchor's.
    pub id: &'static str,
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

pub struct Section {
    pub id: &'static str,
    pub title: String,
    /// Figures in a sentence above the tables ("median 3h 30m · 90th percentile 1d 4h").
    pub summary: Vec<String>,
    pub chart: Option<String>,
    /// The chart's series, in colour order (none for a single series).
    pub legend: Vec<String>,
    pub tables: Vec<Table>,
}

/// `/queue?…` with the pairs given (values encoded).
fn queue_link(pairs: &[(&str, String)]) -> Option<String> {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect();
    Some(format!("/queue?{}", query.join("&")))
}

/// The period's days within a bar (a day, or the part of a week inside the period).
fn bar_days(period: &Period, bar: NaiveDate) -> (NaiveDate, NaiveDate) {
    if period.weekly() {
        (
            bar.max(period.from),
            (bar + Duration::days(6)).min(period.to),
        )
    } else {
        (bar, bar)
    }
}

fn week_label(t: Tr, week: NaiveDate) -> String {
    t.with("reports-week-of", &[("day", local_date(week).into())])
}

fn bar_label(t: Tr, period: &Period, bar: NaiveDate) -> String {
    if period.weekly() {
        week_label(t, bar)
    } else {
        local_date(bar)
    }
}

/// A chart's axis label: day and month.
fn short_bar_label(t: Tr, bar: NaiveDate) -> String {
    t.day_month(bar)
}

/// A share as the tables show it; "–" when there was nothing to share.
fn share(part: i64, whole: i64) -> String {
    percent(part, whole).map_or("–".into(), |p| format!("{p}%"))
}

/// Everything the report shows for `scope` over `period`.
pub async fn build(state: &AppState, period: &Period, scope: Scope) -> AppResult<Vec<Section>> {
    let t = tr();
    let pool = &state.pool;
    let backlog = store::backlog(pool, scope).await?;
    let oldest = store::oldest_open(pool, scope).await?;
    let flow = store::flow(pool, period, scope).await?;
    let weeks = store::service_level(pool, period, scope).await?;
    let totals = store::totals(pool, period, scope).await?;
    let handling = store::handling(pool, period, scope).await?;
    let desk = scope == Scope::Desk;
    // Links of an agent's own report keep to their cases.
    let mine: Vec<(&str, String)> = match scope {
        Scope::Desk => vec![],
        Scope::Agent(_) => vec![("assignee", "me".into())],
    };
    let mine_by: Vec<(&str, String)> = match scope {
        Scope::Desk => vec![],
        Scope::Agent(id) => vec![("event_by", id.0.to_string())],
    };
    let in_period = |event: &str| -> Vec<(&'static str, String)> {
        vec![
            ("state", "all".into()),
            ("event", event.to_owned()),
            ("event_from", period.from.to_string()),
            ("event_to", period.to.to_string()),
        ]
    };

    let mut sections = Vec::new();

    // Backlog now.
    let mut per_state: BTreeMap<State, i64> = BTreeMap::new();
    let per_age = backlog.ages;
    let overdue = backlog.overdue;
    let mut open_by_agent: HashMap<i64, i64> = HashMap::new();
    for (state, assignee, cases) in &backlog.open {
        if let Some(s) = State::parse(state) {
            *per_state.entry(s).or_default() += cases;
        }
        *open_by_agent.entry(*assignee).or_default() += cases;
    }
    let open_total: i64 = per_state.values().sum();
    let mut summary = vec![t.with("reports-open", &[("count", open_total.into())])];
    if let Some((reference, submitted_at)) = &oldest {
        summary.push(t.with(
            "reports-oldest",
            &[
                ("reference", reference.as_str().into()),
                ("waiting", t.duration(Utc::now() - *submitted_at).into()),
            ],
        ));
    }
    let open_states = [State::Submitted, State::InReview, State::AwaitingDocuments];
    let state_rows = open_states
        .iter()
        .map(|s| {
            let n = per_state.get(s).copied().unwrap_or(0);
            let mut pairs = vec![("state", s.as_str().to_owned())];
            pairs.extend(mine.iter().cloned());
            vec![
                Cell::text(t.get(s.message_id())),
                Cell::figure(n, queue_link(&pairs)),
            ]
        })
        .collect();
    let mut age_rows: Vec<Vec<Cell>> = AgeBucket::ALL
        .iter()
        .zip(per_age)
        .map(|(bucket, n)| {
            let mut pairs = vec![("state", "open".into()), ("age", age_value(*bucket))];
            pairs.extend(mine.iter().cloned());
            vec![
                Cell::text(t.get(bucket.message_id())),
                Cell::figure(n, queue_link(&pairs)),
            ]
        })
        .collect();
    let mut overdue_pairs = vec![("state", "open".into()), ("overdue", "1".into())];
    overdue_pairs.extend(mine.iter().cloned());
    age_rows.push(vec![
        Cell::text(t.get("reports-past-due")),
        Cell::figure(overdue, queue_link(&overdue_pairs)),
    ]);
    sections.push(Section {
        id: "backlog",
        title: t.get("reports-backlog"),
        summary,
        legend: vec![],
        chart: Some(chart::stacked_bars(
            "chart-backlog",
            &t.get("reports-backlog-ages"),
            &AgeBucket::ALL
                .iter()
                .map(|b| t.get(b.message_id()))
                .collect::<Vec<_>>(),
            &[Series {
                name: t.get("reports-open-cases"),
                values: per_age.to_vec(),
            }],
        )),
        tables: vec![
            Table {
                id: "backlog-states",
                caption: t.get("reports-backlog-states"),
                header: vec![t.get("queue-col-state"), t.get("bulk-col-cases")],
                rows: state_rows,
            },
            Table {
                id: "backlog-ages",
                caption: t.get("reports-backlog-ages"),
                header: vec![t.get("reports-waiting"), t.get("bulk-col-cases")],
                rows: age_rows,
            },
        ],
    });

    // Flow: received per channel (desk only) and decided per outcome, per bar.
    let bars = period.bars();
    let bar_index: HashMap<NaiveDate, usize> =
        bars.iter().enumerate().map(|(i, b)| (*b, i)).collect();
    let outcomes = [
        State::Approved,
        State::Rejected,
        State::Expired,
        State::Withdrawn,
        State::Cancelled,
    ];
    let mut received = vec![vec![0i64; bars.len()]; Channel::ALL.len()];
    let mut decided = vec![vec![0i64; bars.len()]; outcomes.len()];
    for row in &flow {
        let Some(&i) = bar_index.get(&row.bar) else {
            continue;
        };
        if row.measure == "received" {
            if let Some(k) = Channel::ALL.iter().position(|c| c.as_str() == row.channel) {
                received[k][i] += row.cases;
            }
        } else if let Some(k) = outcomes.iter().position(|o| o.as_str() == row.outcome) {
            decided[k][i] += row.cases;
        }
    }
    let short_labels: Vec<String> = bars.iter().map(|b| short_bar_label(t, *b)).collect();
    let weekly = period.weekly();
    let per = |daily: &str, weekly_id: &str| t.get(if weekly { weekly_id } else { daily });
    if desk {
        let rows = bars
            .iter()
            .enumerate()
            .map(|(i, bar)| {
                let (from, to) = bar_days(period, *bar);
                let mut cells = vec![Cell::text(bar_label(t, period, *bar))];
                let mut total = 0;
                for (k, channel) in Channel::ALL.iter().enumerate() {
                    total += received[k][i];
                    cells.push(Cell::figure(
                        received[k][i],
                        queue_link(&[
                            ("state", "all".into()),
                            ("channel", channel.as_str().into()),
                            ("received_from", from.to_string()),
                            ("received_to", to.to_string()),
                        ]),
                    ));
                }
                cells.push(Cell::figure(
                    total,
                    queue_link(&[
                        ("state", "all".into()),
                        ("received_from", from.to_string()),
                        ("received_to", to.to_string()),
                    ]),
                ));
                cells
            })
            .collect();
        let mut header = vec![per("reports-day", "reports-week")];
        header.extend(Channel::ALL.iter().map(|c| t.get(c.message_id())));
        header.push(t.get("reports-all-channels"));
        let total: i64 = received.iter().flatten().sum();
        sections.push(Section {
            id: "received",
            title: t.get("reports-received"),
            legend: Channel::ALL.iter().map(|c| t.get(c.message_id())).collect(),
            summary: vec![t.with("reports-received-total", &[("count", total.into())])],
            chart: Some(chart::stacked_bars(
                "chart-received",
                &per("reports-received-per-day", "reports-received-per-week"),
                &short_labels,
                &Channel::ALL
                    .iter()
                    .zip(&received)
                    .map(|(c, values)| Series {
                        name: t.get(c.message_id()),
                        values: values.clone(),
                    })
                    .collect::<Vec<_>>(),
            )),
            tables: vec![Table {
                id: "received",
                caption: per("reports-received-per-day", "reports-received-per-week"),
                header,
                rows,
            }],
        });
    }
    let decided_rows = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let (from, to) = bar_days(period, *bar);
            let mut cells = vec![Cell::text(bar_label(t, period, *bar))];
            for (k, outcome) in outcomes.iter().enumerate() {
                let mut pairs = vec![
                    ("state", "all".into()),
                    ("event", outcome.as_str().to_owned()),
                    ("event_from", from.to_string()),
                    ("event_to", to.to_string()),
                ];
                pairs.extend(mine_by.iter().cloned());
                cells.push(Cell::figure(decided[k][i], queue_link(&pairs)));
            }
            cells
        })
        .collect();
    let mut header = vec![per("reports-day", "reports-week")];
    header.extend(outcomes.iter().map(|o| t.get(o.message_id())));
    let decided_total: i64 = decided.iter().flatten().sum();
    sections.push(Section {
        id: "decided",
        title: t.get("reports-decided"),
        legend: outcomes.iter().map(|o| t.get(o.message_id())).collect(),
        summary: vec![t.with("reports-decided-total", &[("count", decided_total.into())])],
        chart: Some(chart::stacked_bars(
            "chart-decided",
            &per("reports-decided-per-day", "reports-decided-per-week"),
            &short_labels,
            &outcomes
                .iter()
                .zip(&decided)
                .map(|(o, values)| Series {
                    name: t.get(o.message_id()),
                    values: values.clone(),
                })
                .collect::<Vec<_>>(),
        )),
        tables: vec![Table {
            id: "decided",
            caption: per("reports-decided-per-day", "reports-decided-per-week"),
            header,
            rows: decided_rows,
        }],
    });

    // Service level: weekly share within the SLA, and handling-time percentiles.
    let mut overall = Histogram::default();
    let mut per_agent_time: HashMap<i64, Histogram> = HashMap::new();
    for (agent, minutes, cases) in &handling {
        overall.add(*minutes, *cases);
        per_agent_time
            .entry(*agent)
            .or_default()
            .add(*minutes, *cases);
    }
    let by_week: HashMap<NaiveDate, (i64, i64)> = weeks
        .iter()
        .map(|w| (w.week, (w.decided, w.within_sla)))
        .collect();
    let week_list = period.weeks();
    let week_rows = week_list
        .iter()
        .map(|week| {
            let (decided, within) = by_week.get(week).copied().unwrap_or((0, 0));
            vec![
                Cell::text(week_label(t, *week)),
                Cell::figure(decided, None),
                Cell::figure(within, None),
                Cell::number(share(within, decided)),
            ]
        })
        .collect();
    let (all_decided, all_within) = by_week
        .values()
        .fold((0, 0), |(d, w), (d2, w2)| (d + d2, w + w2));
    let median = overall.percentile(0.5);
    let p90 = overall.percentile(0.9);
    let durations = Durations::new(t);
    let duration = |m: Option<i32>| {
        m.map_or("–".to_owned(), |m| {
            durations.say(Duration::minutes(i64::from(m)))
        })
    };
    sections.push(Section {
        id: "service-level",
        title: t.get("reports-service-level"),
        legend: vec![],
        summary: vec![
            t.with(
                "reports-within-sla",
                &[
                    ("share", share(all_within, all_decided).into()),
                    ("count", all_decided.into()),
                ],
            ),
            t.with(
                "reports-handling-summary",
                &[
                    ("median", duration(median).into()),
                    ("p90", duration(p90).into()),
                ],
            ),
        ],
        chart: Some(chart::percent_line(
            "chart-service-level",
            &t.get("reports-within-sla-chart"),
            &week_list
                .iter()
                .map(|w| short_bar_label(t, *w))
                .collect::<Vec<_>>(),
            &week_list
                .iter()
                .map(|w| {
                    let (d, within) = by_week.get(w).copied().unwrap_or((0, 0));
                    percent(within, d)
                })
                .collect::<Vec<_>>(),
        )),
        tables: vec![
            Table {
                id: "service-level",
                caption: t.get("reports-within-sla-table"),
                header: vec![
                    t.get("reports-week"),
                    t.get("reports-decided-column"),
                    t.get("reports-within-sla-column"),
                    t.get("reports-share"),
                ],
                rows: week_rows,
            },
            Table {
                id: "handling-time",
                caption: t.get("reports-handling-table"),
                header: vec![t.get("reports-measure"), t.get("reports-time")],
                rows: vec![
                    vec![
                        Cell::text(t.get("reports-decisions-measured")),
                        Cell::figure(overall.total(), None),
                    ],
                    vec![
                        Cell::text(t.get("reports-median")),
                        Cell::number(duration(median)),
                    ],
                    vec![
                        Cell::text(t.get("reports-p90")),
                        Cell::number(duration(p90)),
                    ],
                ],
            },
        ],
    });

    // Agents.
    let mut claimed: HashMap<i64, i64> = HashMap::new();
    let mut agent_outcomes: HashMap<(i64, String), i64> = HashMap::new();
    let mut reasons: HashMap<(String, String), i64> = HashMap::new();
    let mut rejections: HashMap<String, i64> = HashMap::new();
    let mut documents: HashMap<String, i64> = HashMap::new();
    for row in &totals {
        match row.measure.as_str() {
            "claimed" => *claimed.entry(row.agent_id).or_default() += row.cases,
            "decided" => {
                *agent_outcomes
                    .entry((row.agent_id, row.outcome.clone()))
                    .or_default() += row.cases
            }
            "received" => {
                *reasons
                    .entry((row.reason.clone(), row.channel.clone()))
                    .or_default() += row.cases
            }
            "rejected_for" => *rejections.entry(row.reason.clone()).or_default() += row.cases,
            other => *documents.entry(other.to_owned()).or_default() += row.cases,
        }
    }
    let mut agent_ids: Vec<i64> = claimed
        .keys()
        .chain(agent_outcomes.keys().map(|(a, _)| a))
        .chain(open_by_agent.keys())
        .copied()
        .filter(|id| *id > 0)
        .collect();
    agent_ids.sort_unstable();
    agent_ids.dedup();
    let names = store::agent_names(pool, &agent_ids).await?;
    let agent_rows = names
        .iter()
        .map(|(id, name)| {
            let by = ("event_by", id.to_string());
            let outcome = |o: State| agent_outcomes.get(&(*id, o.as_str().into())).copied();
            let time = per_agent_time.get(id).and_then(|h| h.percentile(0.5));
            let mut cells = vec![
                Cell::text(name.clone()),
                Cell::figure(claimed.get(id).copied().unwrap_or(0), {
                    let mut pairs = in_period("claimed");
                    pairs.push(by.clone());
                    queue_link(&pairs)
                }),
            ];
            for o in [State::Approved, State::Rejected] {
                let mut pairs = in_period(o.as_str());
                pairs.push(by.clone());
                cells.push(Cell::figure(outcome(o).unwrap_or(0), queue_link(&pairs)));
            }
            cells.push(Cell::number(duration(time)));
            cells.push(Cell::figure(
                open_by_agent.get(id).copied().unwrap_or(0),
                queue_link(&[("state", "open".into()), ("assignee", id.to_string())]),
            ));
            cells
        })
        .collect();
    sections.push(Section {
        id: "agents",
        title: t.get(if desk {
            "desk-nav-agents"
        } else {
            "desk-nav-my-work"
        }),
        legend: vec![],
        summary: vec![],
        chart: None,
        tables: vec![Table {
            id: "agents",
            caption: t.get("reports-agents-table"),
            header: vec![
                t.get("bulk-agent"),
                t.get("EventKind-claimed"),
                t.get("State-approved"),
                t.get("State-rejected"),
                t.get("reports-median-time"),
                t.get("reports-open-now"),
            ],
            rows: agent_rows,
        }],
    });

    if desk {
        // Why customers cancel, and why the desk rejects.
        let received_total: i64 = reasons.values().sum();
        let reason_rows = CancelReason::ALL
            .iter()
            .map(|r| {
                let range = [
                    ("state", "all".to_owned()),
                    ("reason", r.as_str().to_owned()),
                    ("received_from", period.from.to_string()),
                    ("received_to", period.to.to_string()),
                ];
                let total: i64 = Channel::ALL
                    .iter()
                    .map(|c| {
                        reasons
                            .get(&(r.as_str().into(), c.as_str().into()))
                            .copied()
                            .unwrap_or(0)
                    })
                    .sum();
                let mut cells = vec![
                    Cell::text(t.get(r.message_id())),
                    Cell::figure(total, queue_link(&range)),
                    Cell::number(share(total, received_total)),
                ];
                for c in Channel::ALL {
                    let n = reasons
                        .get(&(r.as_str().into(), c.as_str().into()))
                        .copied()
                        .unwrap_or(0);
                    let mut pairs = range.to_vec();
                    pairs.push(("channel", c.as_str().into()));
                    cells.push(Cell::figure(n, queue_link(&pairs)));
                }
                cells
            })
            .collect();
        let mut header = vec![
            t.get("label-reason"),
            t.get("bulk-col-cases"),
            t.get("reports-share"),
        ];
        header.extend(Channel::ALL.iter().map(|c| t.get(c.message_id())));
        let rejected_total: i64 = rejections.values().sum();
        let rejection_rows = RejectReason::ALL
            .iter()
            .map(|r| {
                let n = rejections.get(r.as_str()).copied().unwrap_or(0);
                let mut pairs = in_period("rejected");
                pairs.push(("event_reason", r.as_str().into()));
                vec![
                    Cell::text(t.get(r.message_id())),
                    Cell::figure(n, queue_link(&pairs)),
                    Cell::number(share(n, rejected_total)),
                ]
            })
            .collect();
        sections.push(Section {
            id: "reasons",
            title: t.get("reports-reasons"),
            legend: vec![],
            summary: vec![],
            chart: None,
            tables: vec![
                Table {
                    id: "reasons",
                    caption: t.get("reports-reasons-table"),
                    header,
                    rows: reason_rows,
                },
                Table {
                    id: "rejections",
                    caption: t.get("reports-rejections-table"),
                    header: vec![
                        t.get("label-reason"),
                        t.get("reports-rejections"),
                        t.get("reports-share"),
                    ],
                    rows: rejection_rows,
                },
            ],
        });

        let count = |measure: &str| documents.get(measure).copied().unwrap_or(0);
        let expired = decided[outcomes
            .iter()
            .position(|o| *o == State::Expired)
            .expect("expired is an outcome")]
        .iter()
        .sum::<i64>();
        sections.push(Section {
            id: "documents",
            title: t.get("reports-documents"),
            legend: vec![],
            summary: vec![],
            chart: None,
            tables: vec![Table {
                id: "documents",
                caption: t.get("reports-documents-table"),
                header: vec![t.get("reports-documents"), t.get("bulk-col-cases")],
                rows: vec![
                    vec![
                        Cell::text(t.get("reports-requests-sent")),
                        Cell::figure(
                            count("documents_requested"),
                            queue_link(&in_period("documents_requested")),
                        ),
                    ],
                    vec![
                        Cell::text(t.get("reports-answered")),
                        Cell::figure(
                            count("documents_answered"),
                            queue_link(&in_period("documents_received")),
                        ),
                    ],
                    vec![
                        Cell::text(t.get("reports-expired")),
                        Cell::figure(expired, queue_link(&in_period("expired"))),
                    ],
                ],
            }],
        });
    }
    Ok(sections)
}
