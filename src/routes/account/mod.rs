//! `/account`: an agent's own sessions ("sign out everywhere"), sign-in e-mail, password change
//! and (in `two_factor`) second factor. Every change here needs the current password
//! (`auth::reauth::confirm_password`).

pub mod two_factor;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::form::HtmlForm;
use super::{Chrome, local_time, render, see_other};
use crate::auth::reauth::{Confirmation, confirm_password};
use crate::auth::session::TypedSession;
use crate::auth::{CurrentAgent, password};
use crate::domain::agent::Email;
use crate::domain::password_policy;
use crate::error::AppResult;
use crate::notices::account::{self as account_notice, AccountChange};
use crate::routes::language::tr;
use crate::state::AppState;
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
    /// The sign-in e-mail, and what was typed as the new one (kept when the form is refused).
    email: String,
    new_email: String,
    /// Which language the desk speaks to the agent, and why.
    language_line: String,
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
    new_email: String,
) -> AppResult<AccountPage> {
    let label = session.label();
    let rows = sessions::active_for(&state.pool, agent.id).await?;
    let t = tr();
    let language = t.locale.native_name();
    let language_line = match agents::locale(&state.pool, agent.id).await? {
        Some(chosen) => t.with(
            "account-language-chosen",
            &[("language", chosen.native_name().into())],
        ),
        None => t.with("account-language-browser", &[("language", language.into())]),
    };
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
        email: agent.email.clone(),
        new_email,
        language_line,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, Vec::new(), String::new()).await?,
    )
}

pub async fn sign_out_everywhere(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    sessions::end_all_for(&state.pool, agent.id).await?;
    state.sessions.drop_agent(agent.id.0);
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

/// A form refused (for its password confirmation or its other fields): 422, or 429 with
/// `Retry-After` while the password check is throttled.
pub(super) fn render_refused(
    confirmation: &Confirmation,
    page: &impl Template,
) -> AppResult<HttpResponse> {
    let Some(seconds) = confirmation.retry_after() else {
        return render(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let mut response = render(StatusCode::TOO_MANY_REQUESTS, page)?;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    Ok(response)
}

pub async fn change_password(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<PasswordForm>,
) -> AppResult<HttpResponse> {
    let mut errors = Vec::new();
    let confirmation = confirm_password(&state, &agent, &form.current).await?;
    if let Some(refusal) = confirmation.refusal() {
        errors.push(("current", refusal));
    }
    if let Err(weak) = password_policy::check(&form.new) {
        errors.push(("new", tr().said(&weak.said())));
    } else if form.new == form.current {
        errors.push(("new", tr().get("password-same")));
    }
    if form.new != form.confirm {
        errors.push(("confirm", tr().get("password-differ")));
    }
    if !errors.is_empty() {
        // Nothing typed is sent back: passwords are never echoed into a page.
        let page = page(&state, &agent, &session, errors, String::new()).await?;
        return render_refused(&confirmation, &page);
    }
    let hash = password::hash(form.new).await?;
    agents::set_password_hash(&state.pool, agent.id, &hash).await?;
    // Anyone signed in with the old password elsewhere is signed out.
    if let Some(label) = session.label() {
        sessions::end_others(&state.pool, agent.id, &json!(label).to_string()).await?;
        state.sessions.drop_agent(agent.id.0);
    }
    agent
        .audit(&state.pool, AuditAction::PasswordChanged, None, json!({}))
        .await?;
    session.password_changed();
    session.flash("success", "flash-password-changed");
    Ok(see_other("/account"))
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /account/email`: a new sign-in e-mail, own and unique, confirmed with the password. The
/// old address is told (in the transaction of the change), the change is audited, and the other
/// sessions end (they were signed in under the old address).
pub async fn change_email(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<EmailForm>,
) -> AppResult<HttpResponse> {
    let typed = form.email.trim().to_owned();
    // `message`: the id of the message saying what is wrong.
    let refused = |field: &'static str, message: &str| {
        let errors = vec![(field, tr().get(message))];
        let (state, agent, session, typed) = (&state, &agent, &session, typed.clone());
        async move {
            let page = page(state, agent, session, errors, typed).await?;
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    };
    let email = match Email::parse(&typed) {
        Err(_) => return refused("email", "error-email").await,
        Ok(email) if email.as_str() == agent.email.to_lowercase() => {
            return refused("email", "account-email-same").await;
        }
        Ok(email) => email,
    };
    // After the address: a typo in it costs no attempt of the throttle.
    let confirmation = confirm_password(&state, &agent, &form.password).await?;
    if let Some(refusal) = confirmation.refusal() {
        let errors = vec![("email-password", refusal)];
        let page = page(&state, &agent, &session, errors, typed).await?;
        return render_refused(&confirmation, &page);
    }
    // Changed, audited and told to the old address together, or not at all.
    let mut tx = state.pool.begin().await?;
    let old = match agents::change_email(&mut tx, agent.id, &email).await {
        Ok(old) => old,
        Err(agents::ChangeEmailError::EmailTaken) => {
            return refused("email", "account-email-taken").await;
        }
        Err(agents::ChangeEmailError::Database(e)) => return Err(e.into()),
    };
    let change = AccountChange::EmailChanged {
        new_email: email.as_str().to_owned(),
    };
    account_notice::enqueue(&mut tx, agent.id, &agent.name, &old, &change).await?;
    agent
        .audit(
            &mut *tx,
            AuditAction::EmailChanged,
            None,
            json!({ "from": old, "to": email.as_str() }),
        )
        .await?;
    tx.commit().await?;
    if let Some(label) = session.label() {
        sessions::end_others(&state.pool, agent.id, &json!(label).to_string()).await?;
        state.sessions.drop_agent(agent.id.0);
    }
    session.email_changed(email.as_str());
    session.flash("success", "flash-email-changed");
    Ok(see_other("/account"))
}
