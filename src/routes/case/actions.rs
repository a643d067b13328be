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
use crate::domain::decision::{self, ContractTerms, FieldErrors};
use crate::domain::reference::CaseReference;
use crate::error::{AppError, AppResult};
use crate::routes::form::HtmlForm;
use crate::routes::{Chrome, render, see_other};
use crate::startup::AppState;
use crate::store::{cases, history};
use crate::workflow::{self, Decision, Outcome};

#[derive(Template)]
#[template(path = "case/conflict.html")]
struct ConflictPage {
    chrome: Chrome,
    reference: String,
    events: Vec<EventView>,
    typed: Vec<(&'static str, String)>,
}

/// The form's version; a missing or mangled one can only be stale.
fn version(raw: &Option<String>) -> i32 {
    raw.as_deref()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
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
        forms.error = Some("Check the highlighted fields. Nothing was changed.".into());
        self.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
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
            Outcome::Refused(reason) => {
                forms.active = Some(form);
                forms.error = Some(format!("{reason} Nothing was changed."));
                self.again(StatusCode::UNPROCESSABLE_ENTITY, forms).await
            }
            Outcome::Stale {
                case_id,
                seen_version,
            } => {
                let events =
                    history::since_version(&self.state.pool, case_id, seen_version).await?;
                let page = ConflictPage {
                    chrome: Chrome::new(Some(self.agent), self.session),
                    reference: self.reference.to_string(),
                    events: events
                        .into_iter()
                        .map(|e| event_view(e, self.state.tz))
                        .collect(),
                    typed: typed
                        .into_iter()
                        .filter(|(_, v)| !v.trim().is_empty())
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
    let v = version(&form.version);
    let outcome = workflow::decide(&state.pool, &cx.reference, v, &agent, Decision::Claim).await?;
    cx.finish(
        outcome,
        "claim",
        Forms::default(),
        vec![],
        "You claimed the case.",
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
            "Only a supervisor may assign cases.".into(),
        ));
    }
    let forms = Forms {
        assign_to: form.agent_id.clone(),
        ..Forms::default()
    };
    let Ok(to) = form.agent_id.trim().parse::<i64>() else {
        let mut fields = FieldErrors::default();
        fields.0.insert("agent_id", "Choose an agent.".into());
        return cx.invalid("assign", fields, forms).await;
    };
    let v = version(&form.version);
    let outcome = workflow::decide(
        &state.pool,
        &cx.reference,
        v,
        &agent,
        Decision::Assign(AgentId(to)),
    )
    .await?;
    cx.finish(outcome, "assign", forms, vec![], "The case was assigned.")
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
        Ok(body) => {
            workflow::add_note(&state.pool, &cx.reference, &agent, &body).await?;
            session.flash("success", "Note added.");
            Ok(see_other(&cx.case_url()))
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
    // Contract terms are fixed at application time, so reading them before the lock is safe.
    let case = cases::find(&state.pool, &cx.reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let terms = ContractTerms {
        min_term_end: case.min_term_end,
        fee_minor: case.etf_minor,
        known: case.billing_status == "matched",
    };
    let approval = match decision::parse_approval(
        &form.effective_date,
        forms.confirm_fee,
        forms.confirm_settlement,
        terms,
        state.today(),
    ) {
        Ok(a) => a,
        Err(fields) => return cx.invalid("approve", fields, forms).await,
    };
    let v = version(&form.version);
    let outcome = workflow::decide(
        &state.pool,
        &cx.reference,
        v,
        &agent,
        Decision::Approve(approval),
    )
    .await?;
    let typed = vec![("Effective date", form.effective_date.clone())];
    cx.finish(
        outcome,
        "approve",
        forms,
        typed,
        "The cancellation is approved. The customer will be told.",
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
    let v = version(&form.version);
    let outcome = workflow::decide(
        &state.pool,
        &cx.reference,
        v,
        &agent,
        Decision::Reject(rejection),
    )
    .await?;
    let typed = vec![("Message to the customer", form.message.clone())];
    cx.finish(
        outcome,
        "reject",
        forms,
        typed,
        "The application is rejected. The customer will be told.",
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
    let deadline_at = workflow::end_of_day(request.deadline, state.tz);
    let v = version(&form.version);
    let outcome = workflow::decide(
        &state.pool,
        &cx.reference,
        v,
        &agent,
        Decision::RequestDocuments {
            request,
            deadline_at,
        },
    )
    .await?;
    let typed = vec![("Message to the customer", form.message.clone())];
    cx.finish(
        outcome,
        "request",
        forms,
        typed,
        "Documents requested. The customer will get an upload link.",
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
    let v = version(&form.version);
    let outcome =
        workflow::set_verdict(&state.pool, &cx.reference, v, &agent, document_id, &verdict).await?;
    let done = match verdict.verdict {
        crate::domain::document::Verdict::Accepted => "Document accepted.",
        _ => "Document rejected.",
    };
    let typed = vec![("Reason", form.reason.clone())];
    cx.finish(outcome, "verdict", forms, typed, done).await
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
                .insert("reopen_reason", "Say why the decision is reopened.".into());
            return cx.invalid("reopen", fields, forms).await;
        }
    };
    let outcome = workflow::decide(
        &state.pool,
        &cx.reference,
        version(&form.version),
        &agent,
        Decision::Reopen {
            reason,
            sla_hours: state.settings.sla_hours,
        },
    )
    .await?;
    let typed = vec![("Reason", form.reason.clone())];
    cx.finish(
        outcome,
        "reopen",
        forms,
        typed,
        "The case is reopened and back in review.",
    )
    .await
}
