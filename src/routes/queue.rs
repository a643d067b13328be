//! `GET /queue`: the cases that need action, filtered, searched and paged by keyset.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::Utc;

use super::{Chrome, local_date, render};
use crate::auth::CurrentAgent;
use crate::auth::guard::encode_query_value;
use crate::auth::session::TypedSession;
use crate::domain::case::State;
use crate::domain::case::fee_applies;
use crate::domain::msisdn::Msisdn;
use crate::domain::queue::{
    AssigneeFilter, Cursor, DayRange, PAGE_SIZE, Page, QueueParams, QueueQuery, ReportFilters,
    StateFilter,
};
use crate::domain::request::{CancelReason, Channel};
use crate::domain::sla::short_duration;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store::queue::{self, QueueRow};

pub struct RowView {
    pub reference: String,
    /// `REF.version`: what a bulk selection carries, so later changes are noticed.
    pub pick: String,
    pub customer_name: String,
    pub phone: String,
    pub reason: &'static str,
    pub state: &'static str,
    pub state_class: &'static str,
    pub age: String,
    pub due: String,
    /// `overdue`, `soon` or `ok`: the row's ageing colour.
    pub urgency: &'static str,
    pub assignee: String,
    pub documents_received: bool,
    pub fee_applies: bool,
    pub duplicate_line: bool,
    pub high_priority: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "queue.html", whitespace = "minimize")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<RowView>,
    counts: Vec<(Choice, i64)>,
    states: Vec<Choice>,
    assignees: Vec<Choice>,
    channels: Vec<Choice>,
    reasons: Vec<Choice>,
    search: String,
    problems: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
    filtered: bool,
    /// The filters in force, carried into the bulk form.
    filter_fields: Vec<(&'static str, String)>,
    /// The reports' filters in force, in words, and as hidden fields of the filter form.
    report_filters: Vec<String>,
    report_fields: Vec<(&'static str, String)>,
    /// The agent an `assignee=<id>` link names: (id, name).
    assignee_one: Option<(String, String)>,
    /// The filters as a query string: what "Save this view" saves.
    current_query: String,
}

/// The names of the reports' query parameters (kept by the filter form, which has no field
/// for them).
const REPORT_PARAMS: &[&str] = &[
    "received_from",
    "received_to",
    "age",
    "overdue",
    "event",
    "event_from",
    "event_to",
    "event_by",
    "event_reason",
];

fn day_range_words(range: DayRange) -> String {
    match (range.from, range.to) {
        (Some(from), Some(to)) if from == to => format!("on {}", local_date(from)),
        (Some(from), Some(to)) => format!("{} – {}", local_date(from), local_date(to)),
        (Some(from), None) => format!("from {}", local_date(from)),
        (None, Some(to)) => format!("until {}", local_date(to)),
        (None, None) => String::new(),
    }
}

/// The reports' filters in words ("Received 1 Nov 2026 – 30 Nov 2026", "Rejected … by Agus").
async fn report_filter_words(state: &AppState, report: &ReportFilters) -> AppResult<Vec<String>> {
    let mut words = Vec::new();
    if report.received.from.is_some() || report.received.to.is_some() {
        words.push(format!("Received {}", day_range_words(report.received)));
    }
    if let Some(age) = report.age {
        words.push(format!("Waiting {}", age.label().to_lowercase()));
    }
    if report.overdue {
        words.push("Past due".into());
    }
    if let Some(event) = &report.event {
        let what = match event.kinds {
            [one] => one.label().to_owned(),
            _ => "Decided".to_owned(),
        };
        let mut text = what;
        let days = day_range_words(event.days);
        if !days.is_empty() {
            text = format!("{text} {days}");
        }
        if let Some(by) = event.by {
            text = format!("{text} by {}", agent_name(state, by.0).await?);
        }
        if let Some(reason) = event.reason {
            text = format!("{text}, reason: {}", reason.label());
        }
        words.push(text);
    }
    Ok(words)
}

async fn agent_name(state: &AppState, id: i64) -> AppResult<String> {
    Ok(crate::store::reports::agent_names(&state.pool, &[id])
        .await?
        .into_iter()
        .next()
        .map_or_else(|| format!("agent no. {id}"), |(_, name)| name))
}

fn row_view(row: QueueRow, now: chrono::DateTime<Utc>) -> RowView {
    let state = row.state;
    let left = row.sla_due_at - now;
    let (due, urgency) = if row.sla_paused_at.is_some() && state.sla_paused() {
        ("paused".to_string(), "ok")
    } else if !state.is_open() {
        ("—".to_string(), "ok")
    } else if left < chrono::Duration::zero() {
        (format!("overdue {}", short_duration(-left)), "overdue")
    } else if left < chrono::Duration::hours(8) {
        (format!("in {}", short_duration(left)), "soon")
    } else {
        (format!("in {}", short_duration(left)), "ok")
    };
    RowView {
        phone: Msisdn::from_e164(row.msisdn).masked(),
        reason: row.reason.label(),
        state: state.label(),
        state_class: state.as_str(),
        age: short_duration(now - row.submitted_at),
        due,
        urgency,
        assignee: row.assignee_name.unwrap_or_else(|| "—".into()),
        documents_received: row.documents_received,
        fee_applies: fee_applies(
            row.min_term_end,
            row.requested_effective_date,
            row.etf_minor,
        ),
        duplicate_line: row.duplicate_line,
        high_priority: row.priority > 0,
        pick: format!("{}.{}", row.reference, row.version),
        reference: row.reference,
        customer_name: row.customer_name,
    }
}

/// The filters as a query string (without the page), for links that keep the view.
pub fn filter_query(params: &QueueParams) -> String {
    params
        .filters()
        .into_iter()
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn page_link(filters: &str, key: &str, cursor: Cursor) -> String {
    let sep = if filters.is_empty() { "" } else { "&" };
    format!("/queue?{filters}{sep}{key}={}", cursor.encode())
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    params: web::Query<QueueParams>,
) -> AppResult<HttpResponse> {
    let params = params.into_inner();
    // A bare /queue opens the agent's chosen view (an explicit filter never does).
    if params.filters().is_empty()
        && params.after.is_none()
        && params.before.is_none()
        && let Some(view) = session.default_view()
    {
        return Ok(super::see_other(&format!("/queue?{view}")));
    }
    let (query, problems) = QueueQuery::parse(&params, agent.id, &state.settings.country_code);
    let mut rows = queue::page(&state.pool, &query, PAGE_SIZE + 1).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    if more {
        match query.page {
            // Fetched backwards: the extra row is the oldest, at the front.
            Page::Before(_) => {
                rows.remove(0);
            }
            _ => rows.truncate(PAGE_SIZE as usize),
        }
    }
    let cursor = |row: &QueueRow| Cursor {
        due: row.sla_due_at,
        id: row.id,
    };
    let filters = filter_query(&params);
    let (has_previous, has_next) = match query.page {
        Page::First => (false, more),
        Page::After(_) => (true, more),
        Page::Before(_) => (more, true),
    };
    let previous = rows
        .first()
        .filter(|_| has_previous)
        .map(|r| page_link(&filters, "before", cursor(r)));
    let next = rows
        .last()
        .filter(|_| has_next)
        .map(|r| page_link(&filters, "after", cursor(r)));

    let counts = state_counts(&state).await?;
    let now = Utc::now();
    let selected_state = match query.state {
        StateFilter::NeedsAction => "needs_action",
        StateFilter::All => "all",
        StateFilter::Open => "open",
        StateFilter::ProvisioningFailed => "provisioning_failed",
        StateFilter::One(s) => s.as_str(),
    };
    let mut states = vec![
        Choice {
            value: "needs_action",
            label: "Needs action".into(),
            selected: selected_state == "needs_action",
        },
        Choice {
            value: "open",
            label: "Open (not decided yet)".into(),
            selected: selected_state == "open",
        },
        Choice {
            value: "all",
            label: "All states".into(),
            selected: selected_state == "all",
        },
    ];
    states.extend(State::ALL.iter().map(|s| Choice {
        value: s.as_str(),
        // An approved case is one whose line has not ended yet (then it is cancelled).
        label: match s {
            State::Approved => "Approved, line not yet ended".into(),
            s => s.label().into(),
        },
        selected: selected_state == s.as_str(),
    }));
    states.push(Choice {
        value: "provisioning_failed",
        label: "Provisioning failed".into(),
        selected: selected_state == "provisioning_failed",
    });
    let assignee_value = match query.assignee {
        AssigneeFilter::Anyone => "anyone",
        AssigneeFilter::Me(_) => "me",
        AssigneeFilter::Unassigned => "unassigned",
        AssigneeFilter::One(_) => "one",
    };
    let assignees = [
        ("anyone", "Anyone"),
        ("me", "Me"),
        ("unassigned", "Unassigned"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: v,
        label: (*l).into(),
        selected: assignee_value == *v,
    })
    .collect();
    let mut channels = vec![Choice {
        value: "",
        label: "Any channel".into(),
        selected: query.channel.is_none(),
    }];
    channels.extend(Channel::ALL.iter().map(|c| Choice {
        value: c.as_str(),
        label: c.label().into(),
        selected: query.channel == Some(*c),
    }));
    let mut reasons = vec![Choice {
        value: "",
        label: "Any reason".into(),
        selected: query.reason.is_none(),
    }];
    reasons.extend(CancelReason::ALL.iter().map(|r| Choice {
        value: r.as_str(),
        label: r.label().into(),
        selected: query.reason == Some(*r),
    }));
    let report_filters = report_filter_words(&state, &query.report).await?;
    let assignee_one = match query.assignee {
        AssigneeFilter::One(id) => Some((id.0.to_string(), agent_name(&state, id.0).await?)),
        _ => None,
    };
    let report_fields = params
        .filters()
        .into_iter()
        .filter(|(k, _)| REPORT_PARAMS.contains(k))
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    let filtered = query.state != StateFilter::NeedsAction
        || query.report.is_set()
        || query.assignee != AssigneeFilter::Anyone
        || query.channel.is_some()
        || query.reason.is_some()
        || query.search.is_some();
    let filter_fields = params
        .filters()
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    let page = QueuePage {
        filter_fields,
        chrome: Chrome::new(Some(&agent), &session),
        rows: rows.into_iter().map(|r| row_view(r, now)).collect(),
        counts: counts
            .into_iter()
            .map(|(s, n)| {
                (
                    Choice {
                        value: s.as_str(),
                        label: s.label().into(),
                        selected: selected_state == s.as_str(),
                    },
                    n,
                )
            })
            .collect(),
        states,
        assignees,
        channels,
        reasons,
        search: params.q.clone().unwrap_or_default(),
        problems,
        previous,
        next,
        filtered,
        report_filters,
        report_fields,
        assignee_one,
        current_query: filters.clone(),
    };
    render(StatusCode::OK, &page)
}

/// `GET /queue/counts`: cases per state as JSON, from the maintained counters (for scripts and
/// dashboards that refresh the badges without the whole page).
pub async fn counts(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let counts: serde_json::Map<String, serde_json::Value> = state_counts(&state)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), n.into()))
        .collect();
    Ok(HttpResponse::Ok().json(counts))
}

/// How long one reading of the counters serves every queue page: the badges are for a glance,
/// and at desk load this saves one query per page view.
const COUNTS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

async fn state_counts(state: &AppState) -> AppResult<Vec<(State, i64)>> {
    if let Some((at, counts)) = state.counts.lock().expect("counts lock").as_ref()
        && at.elapsed() < COUNTS_FRESH_FOR
    {
        return Ok(counts.clone());
    }
    let counts = queue::counts(&state.pool).await?;
    *state.counts.lock().expect("counts lock") = Some((std::time::Instant::now(), counts.clone()));
    Ok(counts)
}
