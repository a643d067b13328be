//! Bulk triage pages: choose an action for a selection (`GET /bulk`), preview it
//! (`POST /bulk/preview` → `GET /bulk/{id}`), apply it once (`POST /bulk/{id}/apply`), and the
//! report (`GET /bulk/{id}` after applying).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use super::form::HtmlForm;
use super::{
    Choice, Chrome, document_kind_choices, local_time, reject_reason_choices, render, see_other,
};
use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::bulk::{self, BulkAction, PreviewError};
use crate::domain::agent::AgentId;
use crate::domain::bulk::{BulkKind, ItemOutcome, Selection, Skip};
use crate::domain::decision::{self, Decision, FieldErrors};
use crate::domain::precheck::Suggestion;
use crate::domain::queue::{QueueParams, QueueQuery};
use crate::domain::reference::CaseReference;
use crate::domain::said::Said;
use crate::domain::templates;
use crate::error::{AppError, AppResult};
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::{agents, bulk as store, queue};

/// The selection as the queue sends it: filters plus a scope, or picked cases (`REF.version`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SelectionParams {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    case: Vec<String>,
    #[serde(default)]
    page_case: Vec<String>,
    // The queue's filters, spelled out: repeated fields (`case`) do not survive `flatten`.
    state: Option<String>,
    assignee: Option<String>,
    channel: Option<String>,
    reason: Option<String>,
    suggestion: Option<String>,
    q: Option<String>,
    received_from: Option<String>,
    received_to: Option<String>,
    age: Option<String>,
    overdue: Option<String>,
    event: Option<String>,
    event_from: Option<String>,
    event_to: Option<String>,
    event_by: Option<String>,
    event_reason: Option<String>,
}

impl SelectionParams {
    fn queue_params(&self) -> QueueParams {
        QueueParams {
            state: self.state.clone(),
            assignee: self.assignee.clone(),
            channel: self.channel.clone(),
            reason: self.reason.clone(),
            suggestion: self.suggestion.clone(),
            // The order does not change which cases match.
            sort: None,
            q: self.q.clone(),
            received_from: self.received_from.clone(),
            received_to: self.received_to.clone(),
            age: self.age.clone(),
            overdue: self.overdue.clone(),
            event: self.event.clone(),
            event_from: self.event_from.clone(),
            event_to: self.event_to.clone(),
            event_by: self.event_by.clone(),
            event_reason: self.event_reason.clone(),
            after: None,
            before: None,
        }
    }

    /// The queue view the selection came from.
    fn back_to_queue(&self) -> String {
        format!(
            "/queue?{}",
            super::queue::filter_query(&self.queue_params())
        )
    }

    fn picked(&self) -> &[String] {
        if self.scope == "page" {
            &self.page_case
        } else {
            &self.case
        }
    }

    /// Parses the selection; picked cases keep the version the agent saw.
    fn parse(
        &self,
        agent: &CurrentAgent,
        country_code: &str,
    ) -> Result<(Selection, String), String> {
        let t = tr();
        let unreadable = || t.get("bulk-selection-unreadable");
        if self.scope == "filter" {
            let (query, _) = QueueQuery::parse(&self.queue_params(), agent.id, country_code);
            return Ok((Selection::Filter(query), describe_filter(self)));
        }
        let mut cases = Vec::new();
        for value in self.picked().iter().take(500) {
            let (reference, version) = value.rsplit_once('.').ok_or_else(unreadable)?;
            let reference = CaseReference::parse(reference).map_err(|_| unreadable())?;
            let version = version.parse().map_err(|_| unreadable())?;
            cases.push((reference, version));
        }
        if cases.is_empty() {
            return Err(t.get("bulk-select-some"));
        }
        // Kept with the operation as its description, in the words of the agent who made it.
        let text = t.with("bulk-selected-cases", &[("count", cases.len().into())]);
        Ok((Selection::Cases(cases), text))
    }
}

fn describe_filter(p: &SelectionParams) -> String {
    let t = tr();
    let params = p.queue_params();
    let search = t.get("bulk-filter-search");
    let parts: Vec<String> = params
        .filters()
        .into_iter()
        .map(|(k, v)| {
            let filter = if k == "q" { search.as_str() } else { k };
            t.with(
                "bulk-filter-part",
                &[("filter", filter.into()), ("value", v.into())],
            )
        })
        .collect();
    if parts.is_empty() {
        t.get("bulk-all-needing-action")
    } else {
        t.with("bulk-all-matching", &[("filters", parts.join(", ").into())])
    }
}

#[derive(Template)]
#[template(path = "bulk/choose.html")]
struct ChoosePage {
    chrome: Chrome,
    selection: SelectionParams,
    selection_text: String,
    matching: String,
    back: String,
    is_supervisor: bool,
    agents: Vec<Choice>,
    reject_reasons: Vec<Choice>,
    document_kinds: Vec<Choice>,
    templates: Vec<Choice>,
    suggestions: Vec<Choice>,
    form: BulkForm,
    errors: FieldErrors,
    error: Option<String>,
    today: String,
}

impl ChoosePage {
    fn field(&self, name: &str) -> Option<String> {
        self.errors.0.get(name).map(|said| self.chrome.t.said(said))
    }

    fn picked(&self) -> &[String] {
        self.selection.picked()
    }
}

/// Everything the action forms may send (each form sends its own part).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct BulkForm {
    // The selection (see `SelectionParams`); not flattened: repeated fields do not survive it.
    #[serde(default)]
    scope: String,
    #[serde(default)]
    case: Vec<String>,
    #[serde(default)]
    page_case: Vec<String>,
    state: Option<String>,
    assignee: Option<String>,
    channel: Option<String>,
    reason: Option<String>,
    suggestion: Option<String>,
    q: Option<String>,
    received_from: Option<String>,
    received_to: Option<String>,
    age: Option<String>,
    overdue: Option<String>,
    event: Option<String>,
    event_from: Option<String>,
    event_to: Option<String>,
    event_by: Option<String>,
    event_reason: Option<String>,
    #[serde(skip)]
    selection: SelectionParams,
    #[serde(default)]
    action: String,
    #[serde(default)]
    agent_id: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    kinds: Vec<String>,
    /// A reusable message (see `domain::templates`), used when the message is left empty.
    #[serde(default)]
    template: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    reject_reason: String,
    #[serde(default)]
    effective_date: String,
    confirm_fees: Option<String>,
    #[serde(default)]
    note: String,
    /// "Apply the suggestion": which one (each selected case must have it).
    #[serde(default)]
    apply_suggestion: String,
}

async fn choose_page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    form: BulkForm,
    errors: FieldErrors,
    error: Option<String>,
) -> AppResult<ChoosePage> {
    let (selection, selection_text) =
        match form.selection.parse(agent, &state.settings.country_code) {
            Ok(s) => s,
            Err(message) => return Err(AppError::BadRequest(message)),
        };
    let matching = match &selection {
        Selection::Filter(query) => {
            let cap = state.settings.bulk_max_cases;
            let n = queue::count_matching(&state.pool, query, cap + 1).await?;
            if n > cap {
                tr().with("bulk-more-than", &[("count", cap.into())])
            } else {
                n.to_string()
            }
        }
        Selection::Cases(cases) => cases.len().to_string(),
    };
    // A number selects its plural form; "more than N" is said as it is.
    let count: fluent_bundle::FluentValue<'_> = match matching.parse::<i64>() {
        Ok(n) => n.into(),
        Err(_) => matching.into(),
    };
    let matching = tr().with("bulk-matching-now", &[("count", count)]);
    let agents = if agent.is_supervisor() {
        agents::list_active(&state.pool).await?
    } else {
        Vec::new()
    };
    let today = state.today();
    let mut form = form;
    if form.deadline.is_empty() {
        form.deadline =
            (today + Duration::days(state.settings.documents_deadline_days)).to_string();
    }
    if form.effective_date.is_empty() {
        form.effective_date = (today + Duration::days(1)).to_string();
    }
    Ok(ChoosePage {
        chrome: Chrome::new(Some(agent), session),
        back: form.selection.back_to_queue(),
        selection: form.selection.clone(),
        selection_text,
        matching,
        is_supervisor: agent.is_supervisor(),
        agents: agents
            .into_iter()
            .map(|a| Choice {
                value: a.id.0.to_string(),
                label: a.name,
                selected: form.agent_id == a.id.0.to_string(),
            })
            .collect(),
        reject_reasons: reject_reason_choices(&form.reject_reason),
        document_kinds: document_kind_choices(&form.kinds),
        templates: templates::DOCUMENT_REQUESTS
            .iter()
            .map(|t| Choice {
                value: t.key.into(),
                label: tr().get(t.label),
                selected: form.template == t.key,
            })
            .collect(),
        suggestions: {
            // The queue's suggestion filter chooses it, unless the form already did.
            let chosen = if form.apply_suggestion.is_empty() {
                form.selection.suggestion.clone().unwrap_or_default()
            } else {
                form.apply_suggestion.clone()
            };
            Suggestion::ALL
                .iter()
                .filter(|s| **s != Suggestion::NeedsPerson)
                .map(|s| Choice {
                    value: s.as_str().into(),
                    label: tr().get(s.message_id()),
                    selected: chosen == s.as_str(),
                })
                .collect()
        },
        form,
        errors,
        error,
        today: today.to_string(),
    })
}

pub async fn choose(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    query: web::Query<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    // Repeated `case` keys: read with the HTML-form rules, like the forms.
    let encoded = serde_html_form::to_string(query.into_inner())
        .map_err(|e| AppError::Unexpected(e.into()))?;
    let selection: SelectionParams = serde_html_form::from_str(&encoded)
        .map_err(|_| AppError::BadRequest(tr().get("bulk-selection-unreadable")))?;
    if let Err(message) = selection.parse(&agent, &state.settings.country_code) {
        session.flash_text("error", message);
        return Ok(see_other(&selection.back_to_queue()));
    }
    let form = BulkForm {
        selection,
        ..BulkForm::default()
    };
    let page = choose_page(&state, &agent, &session, form, FieldErrors::default(), None).await?;
    render(StatusCode::OK, &page)
}

/// The kinds and message typed, completed from the chosen template where left empty.
fn with_template(form: &BulkForm) -> (Vec<String>, String) {
    match templates::document_request(&form.template) {
        Some(t) => (
            if form.kinds.is_empty() {
                t.kinds.iter().map(|k| k.as_str().to_owned()).collect()
            } else {
                form.kinds.clone()
            },
            if form.message.trim().is_empty() {
                tr().get(t.text)
            } else {
                form.message.clone()
            },
        ),
        None => (form.kinds.clone(), form.message.clone()),
    }
}

fn parse_action(form: &BulkForm, today: NaiveDate) -> Result<BulkAction, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = BulkKind::parse(&form.action);
    let action = match kind {
        None => {
            errors.add("action", Said::new("bulk-choose-action"));
            return Err(errors);
        }
        Some(BulkKind::Claim) => Decision::Claim,
        Some(BulkKind::Assign) => match form.agent_id.trim().parse() {
            Ok(id) => Decision::Assign(AgentId(id)),
            Err(_) => {
                errors.add("agent_id", Said::new("bulk-choose-agent"));
                return Err(errors);
            }
        },
        Some(BulkKind::Priority) => match form.priority.as_str() {
            "high" => Decision::Priority(1),
            "normal" => Decision::Priority(0),
            _ => {
                errors.add("priority", Said::new("bulk-choose-priority"));
                return Err(errors);
            }
        },
        Some(BulkKind::RequestDocuments) => {
            let (kinds, message) = with_template(form);
            Decision::RequestDocuments(decision::parse_document_request(
                &kinds,
                &message,
                &form.deadline,
                today,
            )?)
        }
        Some(BulkKind::Reject) => Decision::Reject(decision::parse_rejection(
            &form.reject_reason,
            &form.message,
        )?),
        // The same rules as the case page's approval; each case's fee is the state machine's.
        Some(BulkKind::Approve) => Decision::Approve(decision::parse_approval(
            &form.effective_date,
            form.confirm_fees.is_some(),
            None,
            today,
        )?),
        Some(BulkKind::Note) => Decision::Note(decision::parse_note(&form.note)?),
        Some(BulkKind::ApplySuggestion) => {
            return match Suggestion::parse(&form.apply_suggestion) {
                Some(s) if s != Suggestion::NeedsPerson => Ok(BulkAction::Suggested {
                    suggestion: s,
                    fees_confirmed: form.confirm_fees.is_some(),
                }),
                _ => {
                    errors.add("apply_suggestion", Said::new("bulk-choose-suggestion"));
                    Err(errors)
                }
            };
        }
    };
    Ok(BulkAction::Decide(action))
}

pub async fn preview(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(mut form): HtmlForm<BulkForm>,
) -> AppResult<HttpResponse> {
    form.selection = SelectionParams {
        scope: std::mem::take(&mut form.scope),
        case: std::mem::take(&mut form.case),
        page_case: std::mem::take(&mut form.page_case),
        state: form.state.take(),
        assignee: form.assignee.take(),
        channel: form.channel.take(),
        reason: form.reason.take(),
        suggestion: form.suggestion.take(),
        q: form.q.take(),
        received_from: form.received_from.take(),
        received_to: form.received_to.take(),
        age: form.age.take(),
        overdue: form.overdue.take(),
        event: form.event.take(),
        event_from: form.event_from.take(),
        event_to: form.event_to.take(),
        event_by: form.event_by.take(),
        event_reason: form.event_reason.take(),
    };
    let (selection, selection_text) = form
        .selection
        .parse(&agent, &state.settings.country_code)
        .map_err(AppError::BadRequest)?;
    let action = match parse_action(&form, state.today()) {
        Ok(a) => a,
        Err(errors) => {
            let page = choose_page(
                &state,
                &agent,
                &session,
                form,
                errors,
                Some(tr().get("case-check-fields")),
            )
            .await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if !action
        .kind()
        .is_some_and(|kind| kind.allowed_for(agent.role))
    {
        return Err(AppError::Forbidden(tr().get("refused-supervisor-only")));
    }
    if let BulkAction::Decide(Decision::Assign(to)) = action
        && agents::find_active(&state.pool, to).await?.is_none()
    {
        let mut errors = FieldErrors::default();
        errors.add("agent_id", Said::new("bulk-choose-active-agent"));
        let page = choose_page(
            &state,
            &agent,
            &session,
            form,
            errors,
            Some(tr().get("case-check-fields")),
        )
        .await?;
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match bulk::preview(
        &state.pool,
        &agent,
        &selection,
        &selection_text,
        &action,
        state.settings.bulk_max_cases,
        state.today(),
    )
    .await?
    {
        Ok(public_id) => Ok(see_other(&format!("/bulk/{public_id}"))),
        Err(problem) => {
            let message = match problem {
                PreviewError::Empty => tr().get("bulk-none-match"),
                PreviewError::TooMany(max) => tr().with("bulk-too-many", &[("max", max.into())]),
            };
            let page = choose_page(
                &state,
                &agent,
                &session,
                form,
                FieldErrors::default(),
                Some(message),
            )
            .await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub struct ItemView {
    pub reference: String,
    pub customer_name: String,
    pub state: String,
    pub outcome: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "bulk/operation.html")]
struct OperationPage {
    chrome: Chrome,
    public_id: String,
    heading: String,
    prepared: String,
    apply_label: String,
    selection: String,
    applied: Option<String>,
    previewed: bool,
    /// Being applied, or interrupted: confirming again resumes it.
    applying: bool,
    mine: bool,
    will_change: i64,
    summary: Vec<(String, String, i64)>,
    items: Vec<ItemView>,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    after: Option<i64>,
}

const ITEMS_PER_PAGE: i64 = 200;

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let operation = store::find(&state.pool, &path)
        .await?
        .ok_or(AppError::NotFound)?;
    let previewed = operation.status == "previewed";
    // A preview lists what will be skipped; a report lists every case.
    let outcomes: &[ItemOutcome] = if previewed {
        &[ItemOutcome::Skip]
    } else {
        &[
            ItemOutcome::Changed,
            ItemOutcome::Skipped,
            ItemOutcome::Failed,
        ]
    };
    let after = query.after.unwrap_or(0);
    let mut rows = store::items(
        &state.pool,
        operation.id,
        outcomes,
        after,
        ITEMS_PER_PAGE + 1,
    )
    .await?;
    let next = if rows.len() as i64 > ITEMS_PER_PAGE {
        rows.truncate(ITEMS_PER_PAGE as usize);
        rows.last()
            .map(|r| format!("/bulk/{}?after={}", operation.public_id, r.case_id))
    } else {
        None
    };
    let summary = store::summary(&state.pool, operation.id).await?;
    let will_change: i64 = summary
        .iter()
        .filter(|(o, _, _)| *o == ItemOutcome::WillChange)
        .map(|(_, _, n)| n)
        .sum();
    let t = tr();
    // Reasons are stored as codes; older items hold English text, shown as it is.
    let reason = |code: Option<String>| {
        code.map(|code| {
            Skip::from_code(&code)
                .map(|skip| t.said(&skip.said()))
                .unwrap_or(code)
        })
        .unwrap_or_default()
    };
    let page = OperationPage {
        chrome: Chrome::new(Some(&agent), &session),
        heading: t.with(
            if previewed {
                "bulk-preview-heading"
            } else {
                "bulk-report-heading"
            },
            &[("action", t.get(operation.action.message_id()).into())],
        ),
        prepared: t.with(
            "bulk-prepared",
            &[("at", local_time(operation.created_at, state.tz).into())],
        ),
        apply_label: t.with("bulk-apply-to", &[("count", will_change.into())]),
        selection: operation.selection.clone(),
        applied: operation.applied_at.map(|at| {
            t.with(
                "bulk-applied-at",
                &[("at", local_time(at, state.tz).into())],
            )
        }),
        previewed,
        applying: operation.status == "applying",
        mine: operation.agent_id == agent.id.0,
        will_change,
        summary: summary
            .into_iter()
            .map(|(o, r, n)| (t.get(o.message_id()), reason(r), n))
            .collect(),
        items: rows
            .into_iter()
            .map(|r| ItemView {
                state: t.get(r.state.message_id()),
                outcome: t.get(r.outcome.message_id()),
                reason: reason(r.reason),
                reference: r.reference,
                customer_name: r.customer_name,
            })
            .collect(),
        next,
        public_id: operation.public_id,
    };
    render(StatusCode::OK, &page)
}

pub async fn apply(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let operation = store::find(&state.pool, &path)
        .await?
        .ok_or(AppError::NotFound)?;
    if operation.agent_id != agent.id.0 {
        return Err(AppError::Forbidden(tr().get("refused-bulk-other-agent")));
    }
    if operation.status != "applied" {
        // Detached from the request: a closed browser or a proxy timeout must not stop a bulk
        // action half-way; the request waits for it when it can.
        let (pool, batch, checking) = (
            state.pool.clone(),
            state.settings.bulk_batch_size,
            crate::assist::apply::Checking::of(&state),
        );
        let runner = agent.clone();
        let id = operation.public_id.clone();
        actix_web::rt::spawn(async move {
            bulk::apply(&pool, &runner, &operation, batch, &checking).await
        })
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("bulk apply task: {e}")))??;
        session.flash("success", "bulk-applied");
        return Ok(see_other(&format!("/bulk/{id}")));
    }
    Ok(see_other(&format!("/bulk/{}", operation.public_id)))
}
