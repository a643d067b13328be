//! `/account`: an agent's own sessions ("sign out everywhere"), password change and (in
//! `two_factor`) second factor.

pub mod two_factor;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::form::HtmlForm;
use super::{Chrome, local_time, render, see_other};
use crate::auth::CurrentAgent;
use crate::auth::password::{self, Confirmation};
use crate::auth::session::TypedSession;
use crate::domain::password_policy;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::store::audit::AuditAction;
use crate::store::{agents, second_factor, sessions};

pub struct SessionView {
    pub started: String,
    pub ends: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    sessions: Vec<SessionView>,
    errors: Vec<(&'static str, String)>,
    /// Whether the agent signs in with a second factor.
    two_factor_on: bool,
}

impl AccountPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    errors: Vec<(&'static str, String)>,
) -> AppResult<AccountPage> {
    let label = session.label();
    let rows = sessions::active_for(&state.pool, agent.id).await?;
    Ok(AccountPage {
        chrome: Chrome::new(Some(agent), session),
        sessions: rows
            .into_iter()
            .map(|r| SessionView {
                started: local_time(r.created_at, state.tz),
                ends: local_time(r.expires_at, state.tz),
                // The label is stored JSON-encoded in the session state.
                current: label
                    .as_ref()
                    .is_some_and(|l| r.label.as_deref() == Some(json!(l).to_string().as_str())),
            })
            .collect(),
        errors,
        two_factor_on: second_factor::is_enabled(&state.pool, agent.id).await?,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, Vec::new()).await?,
    )
}

pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    sessions::end_all_for(&state.pool, agent.id).await?;
    agent
        .audit(
            &state.pool,
            AuditAction::SignedOutEverywhere,
            None,
            json!({}),
        )
        .await?;
    session.sign_out();
    Ok(see_other("/login?signed_out=1"))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    // Throttled with sign-in (a stolen session must not make guessing the password cheaper).
    let confirmation = password::confirm_current(&state, &agent, &form.current).await?;
    let wait = match &confirmation {
        Confirmation::Wait(wait) => Some(wait.seconds()),
        _ => None,
    };
    if let Some(refusal) = confirmation.refusal() {
        errors.push(("current", refusal));
    }
    if let Err(weak) = password_policy::check(&form.new) {
        errors.push(("new", weak.to_string()));
    } else if form.new == form.current {
        errors.push((
            "new",
            "Choose a password different from the current one.".to_string(),
        ));
    }
    if form.new != form.confirm {
        errors.push(("confirm", "The two new passwords differ.".to_string()));
    }
    if !errors.is_empty() {
        // Nothing typed is sent back: passwords are never echoed into a page.
        let page = page(&state, &agent, &session, errors).await?;
        let Some(seconds) = wait else {
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        };
        let mut response = render(StatusCode::TOO_MANY_REQUESTS, &page)?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        return Ok(response);
    }
    let hash = password::hash(form.new).await?;
    agents::set_password_hash(&state.pool, agent.id, &hash).await?;
    // Anyone signed in with the old password elsewhere is signed out.
    if let Some(label) = session.label() {
        sessions::end_others(&state.pool, agent.id, &json!(label).to_string()).await?;
    }
    agent
        .audit(&state.pool, AuditAction::PasswordChanged, None, json!({}))
        .await?;
    session.password_changed();
    session.flash(
        "success",
        "Your password is changed. Your other sessions are signed out.",
    );
    Ok(see_other("/account"))
}
