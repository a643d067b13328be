//! Signing in and out.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::form::HtmlForm;
use super::{Chrome, render, see_other};
use crate::auth::session::{PendingSignIn, SignInDuties, TypedSession};
use crate::auth::{CurrentAgent, attempts, password};
use crate::domain::agent::{AgentId, Email};
use crate::domain::second_factor::{self as second_factor_rules, CodeRefused, SecondFactorInput};
use crate::error::AppResult;
use crate::i18n::Locale;
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::agents::AgentRecord;
use crate::store::audit::{self, AuditAction};
use crate::store::sign_in::{self, Reservation};
use crate::store::{agents, desk_settings, second_factor};
use serde_json::json;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
}

/// Only paths of this site, so a crafted link cannot send an agent elsewhere after sign-in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines from URLs: "/\t/evil" would become "//evil".
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            n.to_owned()
        }
        _ => "/queue".to_owned(),
    }
}

pub async fn form(session: TypedSession, query: web::Query<LoginQuery>) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref());
    if session.agent_id().is_some() {
        return Ok(see_other(&next));
    }
    let page = LoginPage {
        chrome: Chrome::new(None, &session),
        email: String::new(),
        next,
        error: None,
        notice: query
            .signed_out
            .as_ref()
            .map(|_| tr().get("login-signed-out")),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn peer_address(state: &AppState, request: &HttpRequest) -> String {
    state.client_address(request).unwrap_or_default()
}

fn too_many(page: &impl Template, seconds: i64) -> AppResult<HttpResponse> {
    let mut response = render(StatusCode::TOO_MANY_REQUESTS, page)?;
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    Ok(response)
}

fn wait_message(seconds: i64) -> String {
    tr().with("login-wait", &[("seconds", seconds.into())])
}

pub async fn submit(
    state: web::Data<AppState>,
    session: TypedSession,
    request: HttpRequest,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(form.next.as_deref());
    // Throttled per account (what was typed, hashed) and per address: the attempt is reserved
    // before any password work, and counts as a failure unless it succeeds.
    let account = sign_in::account_key(&form.email);
    let address = peer_address(&state, &request);
    let attempt = match attempts::reserve(&state, None, &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let page = LoginPage {
                chrome: Chrome::new(None, &session),
                email: form.email,
                next,
                error: Some(wait_message(wait.seconds())),
                notice: None,
            };
            return too_many(&page, wait.seconds());
        }
    };

    let found = match Email::parse(&form.email) {
        Ok(email) => agents::find_for_login(&state.pool, &email).await?,
        Err(_) => None,
    };
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    // Verified even when nobody has this e-mail, so both failures take the same time.
    let matches = password::verify(hash, form.password).await?;
    match agent {
        Some(agent) if matches => {
            let max_age = chrono::Duration::hours(state.settings.temporary_password_hours);
            if agents::temporary_password_expired(&state.pool, agent.id, max_age).await? {
                // The right one-time password, too late: not a guess, so not a throttle failure.
                tracing::info!(agent = agent.id.0, "expired one-time password");
                audit::record(
                    &state.pool,
                    Some(agent.id),
                    Some(&address),
                    AuditAction::SignInFailed,
                    None,
                    json!({ "known_account": true, "reason": "temporary_password_expired" }),
                )
                .await?;
                let page = LoginPage {
                    chrome: Chrome::new(None, &session),
                    email: form.email,
                    next,
                    // A one-time password older than `temporary_password_hours`.
                    error: Some(tr().get("login-temporary-password-expired")),
                    notice: None,
                };
                return render(StatusCode::UNAUTHORIZED, &page);
            }
            if second_factor::is_enabled(&state.pool, agent.id).await? {
                // Not signed in yet: the session only remembers whom to ask for a code. This
                // attempt does not count, but the account's failures are forgiven only once the
                // second factor passes too.
                attempt.succeeded(&state.pool).await?;
                tracing::info!(agent = agent.id.0, "password accepted, second factor next");
                session.begin_second_factor(&PendingSignIn {
                    agent: agent.id.0,
                    account: hex::encode(&account),
                    next,
                    started: Utc::now().timestamp(),
                })?;
                return Ok(see_other("/login/second-factor"));
            }
            let locale =
                complete_sign_in(&state, &session, agent, attempt, &address, "password").await?;
            Ok(signed_in_to(&next, locale))
        }
        _ => {
            // The reservation stays: this attempt counts as a failure.
            tracing::info!("sign-in refused");
            let known = agent.is_some();
            audit::record(
                &state.pool,
                None,
                Some(&address),
                AuditAction::SignInFailed,
                None,
                json!({ "known_account": known }),
            )
            .await?;
            let page = LoginPage {
                chrome: Chrome::new(None, &session),
                email: form.email,
                next,
                error: Some(tr().get("login-wrong")),
                notice: None,
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

/// Every check passed: forgive the account's failures, audit, and sign in under a new session id
/// with what the agent must do first (a new password; a second factor when the desk requires one).
async fn complete_sign_in(
    state: &AppState,
    session: &TypedSession,
    agent: AgentRecord,
    attempt: Reservation,
    address: &str,
    method: &str,
) -> AppResult<Option<Locale>> {
    tracing::info!(agent = agent.id.0, method, "signed in");
    let agent_id = agent.id;
    attempt.signed_in(&state.pool).await?;
    audit::record(
        &state.pool,
        Some(agent.id),
        Some(address),
        AuditAction::SignIn,
        None,
        json!({ "method": method }),
    )
    .await?;
    let duties = SignInDuties {
        change_password: agents::must_change_password(&state.pool, agent.id).await?,
        enrol_second_factor: desk_settings::require_second_factor(&state.pool).await?
            && !second_factor::is_enabled(&state.pool, agent.id).await?,
    };
    session.sign_in(
        &CurrentAgent {
            id: agent.id,
            name: agent.name,
            email: agent.email,
            role: agent.role,
            address: None,
        },
        duties,
    )?;
    let default_view = crate::store::views::default_of(&state.pool, agent.id).await?;
    session.set_default_view(default_view.as_ref().map(|(_, query)| query.as_str()));
    Ok(agents::locale(&state.pool, agent_id).await?)
}

/// Where to go after signing in, in the agent's own language when they chose one.
fn signed_in_to(next: &str, locale: Option<Locale>) -> HttpResponse {
    let mut response = see_other(next);
    if let Some(locale) = locale {
        // Only fails for a malformed cookie, which ours is not.
        let _ = response.add_cookie(&crate::routes::language::cookie(locale));
    }
    response
}

// ---- The second step: `/login/second-factor` ------------------------------------------------

#[derive(Template)]
#[template(path = "login/second_factor.html")]
struct SecondFactorPage {
    chrome: Chrome,
    error: Option<String>,
}

/// The sign-in page again, when there is no (or no longer a) sign-in waiting for a code;
/// `error` is the id of the message saying why.
fn start_again(session: &TypedSession, status: StatusCode, error: &str) -> AppResult<HttpResponse> {
    session.drop_pending_second_factor();
    let page = LoginPage {
        chrome: Chrome::new(None, session),
        email: String::new(),
        next: "/queue".into(),
        error: Some(tr().get(error)),
        notice: None,
    };
    render(status, &page)
}

/// The waiting sign-in, unless there is none or it ran out of time (the message id saying so).
fn pending(session: &TypedSession) -> Result<PendingSignIn, &'static str> {
    let pending = session
        .pending_second_factor()
        .ok_or("second-factor-no-sign-in")?;
    let started = DateTime::from_timestamp(pending.started, 0).unwrap_or_default();
    if second_factor_rules::pending_expired(started, Utc::now()) {
        return Err("second-factor-too-slow");
    }
    Ok(pending)
}

pub async fn second_factor_form(session: TypedSession) -> AppResult<HttpResponse> {
    if session.agent_id().is_some() {
        return Ok(see_other("/queue"));
    }
    match pending(&session) {
        Ok(_) => {
            let page = SecondFactorPage {
                chrome: Chrome::new(None, &session),
                error: None,
            };
            render(StatusCode::OK, &page)
        }
        Err(message) => start_again(&session, StatusCode::OK, message),
    }
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    #[serde(default)]
    code: String,
}

pub async fn second_factor_submit(
    state: web::Data<AppState>,
    session: TypedSession,
    request: HttpRequest,
    HtmlForm(form): HtmlForm<SecondFactorForm>,
) -> AppResult<HttpResponse> {
    if session.agent_id().is_some() {
        return Ok(see_other("/queue"));
    }
    let pending = match pending(&session) {
        Ok(pending) => pending,
        Err(message) => return start_again(&session, StatusCode::UNAUTHORIZED, message),
    };
    let account = hex::decode(&pending.account).unwrap_or_default();
    let address = peer_address(&state, &request);
    let attempt = match attempts::reserve(&state, None, &account, &address).await? {
        Ok(attempt) => attempt,
        Err(wait) => {
            let page = SecondFactorPage {
                chrome: Chrome::new(None, &session),
                error: Some(wait_message(wait.seconds())),
            };
            return too_many(&page, wait.seconds());
        }
    };
    let agent_id = AgentId(pending.agent);
    let (Some(agent), Some(authenticator)) = (
        agents::find_active(&state.pool, agent_id).await?,
        second_factor::find(&state.pool, &state.keyring, agent_id)
            .await?
            .filter(|a| a.enabled()),
    ) else {
        // Deactivated, or the second factor was reset, since the password step.
        return start_again(
            &session,
            StatusCode::UNAUTHORIZED,
            "second-factor-sign-in-again",
        );
    };

    let mut recovery_codes_left = None;
    let outcome = match SecondFactorInput::parse(&form.code) {
        Some(SecondFactorInput::Totp(code)) => {
            match authenticator
                .secret
                .check(&code, Utc::now(), authenticator.last_used_step)
            {
                // Recorded atomically: of two requests with the same code, one passes.
                Ok(step) if second_factor::use_step(&state.pool, agent_id, step).await? => {
                    Ok("totp")
                }
                Ok(_) | Err(CodeRefused::Reused) => Err("reused"),
                Err(CodeRefused::Wrong) => Err("wrong"),
            }
        }
        Some(SecondFactorInput::Recovery(code)) => {
            match second_factor::use_recovery_code(&state.pool, agent_id, &code).await? {
                Some(left) => {
                    audit::record(
                        &state.pool,
                        Some(agent_id),
                        Some(&address),
                        AuditAction::RecoveryCodeUsed,
                        None,
                        json!({ "left": left }),
                    )
                    .await?;
                    recovery_codes_left = Some(left);
                    Ok("recovery_code")
                }
                None => Err("wrong_recovery_code"),
            }
        }
        None => Err("unreadable"),
    };
    match outcome {
        Ok(method) => {
            let locale =
                complete_sign_in(&state, &session, agent, attempt, &address, method).await?;
            if let Some(left) = recovery_codes_left.filter(|left| *left <= 3) {
                session.flash_with(
                    "error",
                    "second-factor-codes-left",
                    &[("left", left.into())],
                );
            }
            Ok(signed_in_to(&pending.next, locale))
        }
        Err(reason) => {
            // The reservation stays: this code counts as a failure.
            tracing::info!(agent = agent_id.0, reason, "second factor refused");
            audit::record(
                &state.pool,
                Some(agent_id),
                Some(&address),
                AuditAction::SecondFactorFailed,
                None,
                json!({ "reason": reason }),
            )
            .await?;
            let page = SecondFactorPage {
                chrome: Chrome::new(None, &session),
                error: Some(if reason == "reused" {
                    tr().get("second-factor-reused")
                } else {
                    tr().get("second-factor-wrong")
                }),
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

pub async fn logout(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    agent
        .audit(&state.pool, AuditAction::SignOut, None, json!({}))
        .await?;
    session.sign_out();
    Ok(see_other("/login?signed_out=1"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/cases/CX-7K3M-Q9TD")),
            "/cases/CX-7K3M-Q9TD"
        );
        assert_eq!(safe_next(Some("//evil.example")), "/queue");
        assert_eq!(safe_next(Some("https://evil.example")), "/queue");
        assert_eq!(safe_next(Some("/\\evil.example")), "/queue");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/queue");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/queue");
        assert_eq!(safe_next(None), "/queue");
    }
}
