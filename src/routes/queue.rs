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
use crate::domain::precheck::Suggestion;
use crate::domain::queue::{
    AssigneeFilter, Cursor, DayRange, PAGE_SIZE, Page, QueueOrder, QueueParams, QueueQuery,
    ReportFilters, StateFilter, suggestion_rank,
};
use crate::domain::request::{CancelReason, Channel};
use crate::error::AppResult;
use crate::i18n::{Durations, Pattern, Tr};
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::agent_names::Names;
use crate::store::queue::{self, QueueRow};
use fluent_bundle::FluentValue;
use std::rc::Rc;

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
    /// The desk's suggestion, in words, and its value (the badge's class).
    pub suggestion: Option<(&'static str, &'static str)>,
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
    suggestions: Vec<Choice>,
    sort_by_suggestion: bool,
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
    bulk_page_label: String,
    flags: FlagWords,
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

fn day_range_words(t: Tr, range: DayRange) -> String {
    let day = |d| FluentValue::from(local_date(d));
    match (range.from, range.to) {
        (Some(from), Some(to)) if from == to => t.with("days-on", &[("day", day(from))]),
        (Some(from), Some(to)) => t.with("days-between", &[("from", day(from)), ("to", day(to))]),
        (Some(from), None) => t.with("days-from", &[("from", day(from))]),
        (None, Some(to)) => t.with("days-until", &[("to", day(to))]),
        (None, None) => String::new(),
    }
}

/// The reports' filters in words ("Received 1 Nov 2026 – 30 Nov 2026", "Rejected … by Agus").
async fn report_filter_words(state: &AppState, report: &ReportFilters) -> AppResult<Vec<String>> {
    let t = tr();
    let mut words = Vec::new();
    if report.received.from.is_some() || report.received.to.is_some() {
        let days = day_range_words(t, report.received);
        words.push(t.with("queue-chip-received", &[("days", days.into())]));
    }
    if let Some(age) = report.age {
        words.push(t.with(
            "queue-chip-waiting",
            &[("age", t.get(age.message_id()).into())],
        ));
    }
    if report.overdue {
        words.push(t.get("queue-chip-past-due"));
    }
    if let Some(event) = &report.event {
        let mut text = match event.kinds {
            [one] => t.get(one.message_id()),
            _ => t.get("queue-chip-decided"),
        };
        let days = day_range_words(t, event.days);
        if !days.is_empty() {
            text = format!("{text} {days}");
        }
        if let Some(by) = event.by {
            let name = agent_name(state, by.0).await?;
            text = t.with(
                "queue-chip-by",
                &[("what", text.into()), ("agent", name.into())],
            );
        }
        if let Some(reason) = event.reason {
            let reason = t.get(reason.message_id());
            text = t.with(
                "queue-chip-reason",
                &[("what", text.into()), ("reason", reason.into())],
            );
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
        .map_or_else(
            || tr().with("agent-number", &[("id", id.into())]),
            |(_, name)| name,
        ))
}

/// The flags' words, worded once per page.
pub struct FlagWords {
    select: &'static str,
    priority: &'static str,
    priority_title: &'static str,
    documents: &'static str,
    documents_title: &'static str,
    fee: &'static str,
    fee_title: &'static str,
    duplicate: &'static str,
    duplicate_title: &'static str,
}

impl FlagWords {
    fn new(t: Tr) -> FlagWords {
        FlagWords {
            select: t.text("queue-select-case"),
            priority: t.text("flag-priority"),
            priority_title: t.text("flag-priority-title"),
            documents: t.text("flag-documents"),
            documents_title: t.text("flag-documents-title"),
            fee: t.text("flag-fee"),
            fee_title: t.text("flag-fee-title"),
            duplicate: t.text("flag-duplicate"),
            duplicate_title: t.text("flag-duplicate-title"),
        }
    }
}

/// The words of the rows, worded once per page (50 rows would otherwise format the same
/// messages 50 times).
pub struct RowWords {
    t: Tr,
    durations: Durations,
    paused: String,
    overdue: Rc<Pattern>,
    due_in: Rc<Pattern>,
}

impl RowWords {
    fn new(t: Tr) -> RowWords {
        RowWords {
            t,
            durations: Durations::new(t),
            paused: t.get("due-paused"),
            overdue: t.pattern("due-overdue", &["time"]),
            due_in: t.pattern("due-in", &["time"]),
        }
    }
}

/// The assignee's name, or "agent no. N" for an id the names no longer hold.
pub fn assignee_name(t: Tr, names: &Names, id: Option<i64>) -> Option<String> {
    id.map(|id| {
        names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| t.with("agent-number", &[("id", id.into())]))
    })
}

fn row_view(w: &RowWords, names: &Names, row: QueueRow, now: chrono::DateTime<Utc>) -> RowView {
    let state = row.state;
    let left = row.sla_due_at - now;
    let (due, urgency) = if row.sla_paused_at.is_some() && state.sla_paused() {
        (w.paused.clone(), "ok")
    } else if !state.is_open() {
        ("—".to_string(), "ok")
    } else if left < chrono::Duration::zero() {
        (w.overdue.fill(&[&w.durations.say(-left)]), "overdue")
    } else if left < chrono::Duration::hours(8) {
        (w.due_in.fill(&[&w.durations.say(left)]), "soon")
    } else {
        (w.due_in.fill(&[&w.durations.say(left)]), "ok")
    };
    RowView {
        phone: Msisdn::from_e164(row.msisdn).masked(),
        reason: w.t.text(row.reason.message_id()),
        state: w.t.text(state.message_id()),
        state_class: state.as_str(),
        age: w.durations.say(now - row.submitted_at),
        due,
        urgency,
        assignee: assignee_name(w.t, names, row.assignee_id).unwrap_or_else(|| "—".into()),
        documents_received: row.documents_received,
        fee_applies: fee_applies(
            row.min_term_end,
            row.requested_effective_date,
            row.etf_minor,
        ),
        duplicate_line: row.duplicate_line,
        high_priority: row.priority > 0,
        suggestion: row
            .suggestion
            .filter(|_| matches!(state, State::Submitted | State::InReview))
            .map(|s| (w.t.text(s.message_id()), s.as_str())),
        pick: format!("{}.{}", row.reference, row.version),
        reference: row.reference,
        customer_name: row.customer_name,
    }
}

/// A filter's options over a closed set: "any" first, then each value, the chosen one selected.
fn any_or_one<T: Copy + PartialEq>(
    t: Tr,
    any: &str,
    all: &[T],
    chosen: Option<T>,
    value: fn(T) -> &'static str,
    message_id: fn(T) -> &'static str,
) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: "",
        label: t.get(any),
        selected: chosen.is_none(),
    }];
    choices.extend(all.iter().map(|v| Choice {
        value: value(*v),
        label: t.get(message_id(*v)),
        selected: chosen == Some(*v),
    }));
    choices
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
        rank: (query.order == QueueOrder::Suggestion).then(|| suggestion_rank(row.suggestion)),
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
    let names = state
        .agent_names
        .get(&state.pool, rows.iter().filter_map(|r| r.assignee_id))
        .await?;
    let now = Utc::now();
    let t = tr();
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
            label: t.get("queue-state-needs-action"),
            selected: selected_state == "needs_action",
        },
        Choice {
            value: "open",
            label: t.get("queue-state-open"),
            selected: selected_state == "open",
        },
        Choice {
            value: "all",
            label: t.get("queue-state-all"),
            selected: selected_state == "all",
        },
    ];
    states.extend(State::ALL.iter().map(|s| Choice {
        value: s.as_str(),
        // An approved case is one whose line has not ended yet (then it is cancelled).
        label: match s {
            State::Approved => t.get("queue-state-approved"),
            s => t.get(s.message_id()),
        },
        selected: selected_state == s.as_str(),
    }));
    states.push(Choice {
        value: "provisioning_failed",
        label: t.get("queue-state-provisioning-failed"),
        selected: selected_state == "provisioning_failed",
    });
    let assignee_value = match query.assignee {
        AssigneeFilter::Anyone => "anyone",
        AssigneeFilter::Me(_) => "me",
        AssigneeFilter::Unassigned => "unassigned",
        AssigneeFilter::One(_) => "one",
    };
    let assignees = [
        ("anyone", "queue-assignee-anyone"),
        ("me", "queue-assignee-me"),
        ("unassigned", "queue-assignee-unassigned"),
    ]
    .iter()
    .map(|(v, l)| Choice {
        value: v,
        label: t.get(l),
        selected: assignee_value == *v,
    })
    .collect();
    let channels = any_or_one(
        t,
        "queue-channel-any",
        Channel::ALL,
        query.channel,
        Channel::as_str,
        Channel::message_id,
    );
    let reasons = any_or_one(
        t,
        "queue-reason-any",
        CancelReason::ALL,
        query.reason,
        CancelReason::as_str,
        CancelReason::message_id,
    );
    let suggestions = any_or_one(
        t,
        "queue-any-suggestion",
        Suggestion::ALL,
        query.suggestion,
        Suggestion::as_str,
        Suggestion::message_id,
    );
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
        || query.suggestion.is_some()
        || query.search.is_some();
    let filter_fields = params
        .filters()
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
    let mut page = QueuePage {
        filter_fields,
        chrome: Chrome::new(Some(&agent), &session),
        rows: {
            let words = RowWords::new(t);
            rows.into_iter()
                .map(|r| row_view(&words, &names, r, now))
                .collect()
        },
        counts: counts
            .into_iter()
            .map(|(s, n)| {
                (
                    Choice {
                        value: s.as_str(),
                        label: t.get(s.message_id()),
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
        suggestions,
        sort_by_suggestion: query.order == QueueOrder::Suggestion,
        search: params.q.clone().unwrap_or_default(),
        problems: problems.iter().map(|p| t.said(p)).collect(),
        previous,
        next,
        filtered,
        report_filters,
        report_fields,
        assignee_one,
        current_query: filters.clone(),
        bulk_page_label: String::new(),
        flags: FlagWords::new(t),
    };
    page.bulk_page_label = t.with("queue-bulk-page", &[("count", page.rows.len().into())]);
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
