//! `POST /cases/{reference}/…`: claim, assign, note, approve, reject, request documents, and
//! document verdicts. Each parses its form, asks the workflow, then redirects with a flash
//! (success), re-renders the case page with what was typed (bad input, refused: 422), or shows
//! the conflict page (someone acted first: 409).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{EventView, Forms, case_page, event_view};
use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::agent::AgentId;
use crate::domain::case::{Action, transition};
use crate::domain::decision::{self, Decision, FieldErrors};
use crate::domain::reference::CaseReference;
use crate::domain::said::Said;
use crate::error::{AppError, AppResult};
use crate::routes::form::HtmlForm;
use crate::routes::language::tr;
use crate::routes::{Chrome, desk, render, see_other};
use crate::state::AppState;
use crate::store::{cases, history};
use crate::workflow::{self, Outcome};

#[derive(Template)]
#[template(path = "case/conflict.html")]
struct ConflictPage {
    chrome: Chrome,
    reference: String,
    intro: String,
    events: Vec<EventView>,
    typed: Vec<(String, String)>,
}

/// The form's version; a missing or mangled one can only be stale.
fn version(raw: &Option<String>) -> Option<i32> {
    Some(
        raw.as_deref()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(-1),
    )
}

struct Context<'a> {
    state: &'a AppState,
    agent: &'a CurrentAgent,
    session: &'a TypedSession,
    reference: CaseReference,
}

impl Context<'_> {
    fn case_url(&self) -> String {
        format!("/cases/{}", self.reference)
    }

    /// Re-renders the case page with the typed values and the problem.
    async fn again(&self, status: StatusCode, forms: Forms) -> AppResult<HttpResponse> {
        let page = case_page(self.state, self.agent, self.session, &self.reference, forms).await?;
        render(status, &page)
    }

    async fn invalid(
        &self,
        form: &'static str,
        fields: FieldErrors,
        mut forms: Forms,
    ) -> AppResult<HttpResponse> {
        forms.active = Some(form);
        forms.fields = fields;
        forms.error = Some(tr().get("case-check-fields"));
        self.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
    }

    /// Applies `decision` (seen at `version`) and answers with its outcome.
    async fn decide(
        &self,
        version: Option<i32>,
        decision: Decision,
        form: &'static str,
        forms: Forms,
        typed: Vec<(&'static str, String)>,
        done: &str,
    ) -> AppResult<HttpResponse> {
        let outcome = workflow::decide(
            &self.state.pool,
            &self.reference,
            version,
            self.agent,
            decision,
            desk(self.state),
        )
        .await?;
        self.finish(outcome, form, forms, typed, done).await
    }

    async fn finish(
        &self,
        outcome: Outcome,
        form: &'static str,
        mut forms: Forms,
        typed: Vec<(&'static str, String)>,
        done: &str,
    ) -> AppResult<HttpResponse> {
        match outcome {
            Outcome::Done => {
                self.session.flash("success", done);
                Ok(see_other(&self.case_url()))
            }
            Outcome::Refused { reason, field } => {
                forms.active = Some(form);
                let t = tr();
                forms.error = Some(format!("{} {}", t.said(&reason), t.get("nothing-changed")));
                if let Some(field) = field {
                    forms.fields.0.insert(field, reason);
                }
                self.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
            }
            Outcome::Stale {
                case_id,
                seen_version,
            } => {
                let events =
                    history::since_version(&self.state.pool, case_id, seen_version).await?;
                let t = tr();
                let page = ConflictPage {
                    chrome: Chrome::new(Some(self.agent), self.session),
                    intro: t.with(
                        "conflict-intro",
                        &[("reference", self.reference.as_str().into())],
                    ),
                    reference: self.reference.to_string(),
                    events: events
                        .into_iter()
                        .map(|e| event_view(e, self.state.tz))
                        .collect(),
                    typed: typed
                        .into_iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(label, v)| (t.get(label), v))
                        .collect(),
                };
                render(StatusCode::CONFLICT, &page)
            }
        }
    }
}

fn context<'a>(
    state: &'a AppState,
    agent: &'a CurrentAgent,
    session: &'a TypedSession,
    path: &str,
) -> AppResult<Context<'a>> {
    Ok(Context {
        state,
        agent,
        session,
        reference: super::reference(path)?,
    })
}

#[derive(Deserialize)]
pub struct VersionForm {
    version: Option<String>,
}

pub async fn claim(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<VersionForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    cx.decide(
        version(&form.version),
        Decision::Claim,
        "claim",
        Forms::default(),
        vec![],
        "done-claimed",
    )
    .await
}

#[derive(Deserialize)]
pub struct AssignForm {
    version: Option<String>,
    #[serde(default)]
    agent_id: String,
}

pub async fn assign(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<AssignForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    if !agent.is_supervisor() {
        return Err(AppError::Forbidden(
            crate::routes::language::tr().get("refused-assign-supervisor"),
        ));
    }
    let forms = Forms {
        assign_to: form.agent_id.clone(),
        ..Forms::default()
    };
    let Ok(to) = form.agent_id.trim().parse::<i64>() else {
        let mut fields = FieldErrors::default();
        fields.add("agent_id", Said::new("field-agent"));
        return cx.invalid("assign", fields, forms).await;
    };
    let decision = Decision::Assign(AgentId(to));
    let done = "done-assigned";
    cx.decide(
        version(&form.version),
        decision,
        "assign",
        forms,
        vec![],
        done,
    )
    .await
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn note(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<NoteForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let forms = Forms {
        note: form.note.clone(),
        ..Forms::default()
    };
    match decision::parse_note(&form.note) {
        Err(fields) => cx.invalid("note", fields, forms).await,
        // Notes do not depend on the version the agent saw.
        Ok(body) => {
            let note = Decision::Note(body);
            cx.decide(None, note, "note", forms, vec![], "done-note")
                .await
        }
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    version: Option<String>,
    #[serde(default)]
    effective_date: String,
    confirm_fee: Option<String>,
    confirm_settlement: Option<String>,
}

pub async fn approve(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<ApproveForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let forms = Forms {
        effective_date: form.effective_date.clone(),
        confirm_fee: form.confirm_fee.is_some(),
        confirm_settlement: form.confirm_settlement.is_some(),
        ..Forms::default()
    };
    let parsed = decision::parse_approval(
        &form.effective_date,
        forms.confirm_fee,
        Some(forms.confirm_settlement),
        state.today(),
    );
    let approval = match parsed {
        Ok(a) => a,
        Err(mut fields) => {
            // Every problem at once: what the state machine will say about the fee and the line
            // (asked, not repeated here) beside what is wrong with the form.
            if let Some(day) = decision::parse_day(&form.effective_date) {
                let case = cases::find(&state.pool, &cx.reference)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let action = Action::Approve {
                    effective_date: day,
                    fee_confirmed: forms.confirm_fee,
                };
                if let Err(refusal) = transition(case.facts, agent.actor(), action)
                    && let Some(field) = workflow::field_of(refusal)
                {
                    fields.0.insert(field, refusal.said());
                }
            }
            return cx.invalid("approve", fields, forms).await;
        }
    };
    let typed = vec![("typed-effective-date", form.effective_date.clone())];
    cx.decide(
        version(&form.version),
        Decision::Approve(approval),
        "approve",
        forms,
        typed,
        "done-approved",
    )
    .await
}

#[derive(Deserialize)]
pub struct RejectForm {
    version: Option<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
}

pub async fn reject(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<RejectForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let forms = Forms {
        reject_reason: form.reason.clone(),
        reject_message: form.message.clone(),
        ..Forms::default()
    };
    let rejection = match decision::parse_rejection(&form.reason, &form.message) {
        Ok(r) => r,
        Err(fields) => return cx.invalid("reject", fields, forms).await,
    };
    let typed = vec![("typed-message", form.message.clone())];
    cx.decide(
        version(&form.version),
        Decision::Reject(rejection),
        "reject",
        forms,
        typed,
        "done-rejected",
    )
    .await
}

#[derive(Deserialize)]
pub struct RequestForm {
    version: Option<String>,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    deadline: String,
}

pub async fn request_documents(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<RequestForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let forms = Forms {
        request_kinds: form.kinds.clone(),
        request_message: form.message.clone(),
        request_deadline: form.deadline.clone(),
        ..Forms::default()
    };
    let request = match decision::parse_document_request(
        &form.kinds,
        &form.message,
        &form.deadline,
        state.today(),
    ) {
        Ok(r) => r,
        Err(fields) => return cx.invalid("request", fields, forms).await,
    };
    let typed = vec![("typed-message", form.message.clone())];
    cx.decide(
        version(&form.version),
        Decision::RequestDocuments(request),
        "request",
        forms,
        typed,
        "done-documents-requested",
    )
    .await
}

#[derive(Deserialize)]
pub struct VerdictForm {
    version: Option<String>,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
}

pub async fn verdict(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<(String, i64)>,
    HtmlForm(form): HtmlForm<VerdictForm>,
) -> AppResult<HttpResponse> {
    let (raw_reference, document_id) = path.into_inner();
    let cx = context(&state, &agent, &session, &raw_reference)?;
    let forms = Forms {
        verdict_document: Some(document_id),
        verdict_reason: form.reason.clone(),
        ..Forms::default()
    };
    let verdict = match decision::parse_verdict(&form.verdict, &form.reason) {
        Ok(v) => v,
        Err(fields) => return cx.invalid("verdict", fields, forms).await,
    };
    let done = match verdict.verdict {
        crate::domain::document::Verdict::Accepted => "done-document-accepted",
        _ => "done-document-rejected",
    };
    let typed = vec![("typed-reason", form.reason.clone())];
    let decision = Decision::Verdict {
        document_id,
        verdict,
    };
    cx.decide(
        version(&form.version),
        decision,
        "verdict",
        forms,
        typed,
        done,
    )
    .await
}

#[derive(Deserialize)]
pub struct ReopenForm {
    version: Option<String>,
    #[serde(default)]
    reason: String,
}

/// `POST /cases/{reference}/reopen` (supervisors): takes back a final decision, with a reason.
pub async fn reopen(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<ReopenForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let forms = Forms {
        reopen_reason: form.reason.clone(),
        ..Forms::default()
    };
    let reason = match decision::parse_note(&form.reason) {
        Ok(reason) => reason,
        Err(_) => {
            let mut fields = FieldErrors::default();
            fields
                .0
                .insert("reopen_reason", Said::new("field-reopen-reason"));
            return cx.invalid("reopen", fields, forms).await;
        }
    };
    let typed = vec![("typed-reason", form.reason.clone())];
    cx.decide(
        version(&form.version),
        Decision::Reopen(reason),
        "reopen",
        forms,
        typed,
        "done-reopened",
    )
    .await
}

/// `POST /cases/{reference}/reissue-order` (supervisors): a new cancellation order after a
/// failed one.
pub async fn reissue_order(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<VersionForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    cx.decide(
        version(&form.version),
        Decision::ReissueOrder,
        "reissue",
        Forms::default(),
        Vec::new(),
        "done-reissued",
    )
    .await
}

#[derive(Deserialize)]
pub struct SuggestionForm {
    version: Option<String>,
    #[serde(default)]
    suggestion: String,
    /// When the checks the page showed were made (microseconds since 1970).
    #[serde(default)]
    assessed_at: String,
}

/// `POST /cases/{reference}/apply-suggestion`: the desk's suggested next step, as the agent saw
/// it (checked again under the lock; a changed suggestion is shown, not applied).
pub async fn apply_suggestion(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<SuggestionForm>,
) -> AppResult<HttpResponse> {
    let cx = context(&state, &agent, &session, &path)?;
    let Some(seen) = crate::domain::precheck::Suggestion::parse(form.suggestion.trim()) else {
        let mut fields = FieldErrors::default();
        fields.add("suggestion", Said::new("field-suggestion"));
        return cx.invalid("suggestion", fields, Forms::default()).await;
    };
    // A missing or mangled time can only be an older checklist: the current one is shown.
    let assessed_at = form
        .assessed_at
        .trim()
        .parse()
        .ok()
        .and_then(chrono::DateTime::from_timestamp_micros)
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    let seen = crate::assist::apply::Seen {
        suggestion: seen,
        assessed_at: Some(assessed_at),
        // The checklist on the page names the fee; the key says so (`suggest-note-fee`).
        fee_confirmed: true,
    };
    let outcome = crate::assist::apply::apply_suggestion(
        &state,
        &cx.reference,
        version(&form.version),
        seen,
        &agent,
    )
    .await?;
    cx.finish(
        outcome,
        "suggestion",
        Forms::default(),
        vec![],
        "done-suggestion",
    )
    .await
}
