//! Signing in and out.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::form::HtmlForm;
use super::{Chrome, render, see_other};
use crate::auth::session::TypedSession;
use crate::auth::{CurrentAgent, password};
use crate::domain::agent::Email;
use crate::domain::throttle;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::store::audit::{self, AuditAction};
use crate::store::{agents, sign_in};
use serde_json::json;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<&'static str>,
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
        notice: query.signed_out.as_ref().map(|_| "You are signed out."),
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

pub async fn submit(
    state: web::Data<AppState>,
    session: TypedSession,
    request: HttpRequest,
    HtmlForm(form): HtmlForm<LoginForm>,
) -> AppResult<HttpResponse> {
    let next = safe_next(form.next.as_deref());
    // Throttled per account (what was typed, hashed) and per address, before any password work.
    let account = Sha256::digest(form.email.trim().to_lowercase().as_bytes()).to_vec();
    let address = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let window = throttle::PER_ACCOUNT
        .window
        .num_seconds()
        .max(throttle::PER_ADDRESS.window.num_seconds());
    let (by_account, by_address) =
        sign_in::recent_failures(&state.pool, &account, &address, window).await?;
    let now = Utc::now();
    let wait = [
        throttle::PER_ACCOUNT.wait(by_account, now),
        throttle::PER_ADDRESS.wait(by_address, now),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(wait) = wait {
        tracing::warn!("sign-in throttled");
        audit::record(
            &state.pool,
            None,
            Some(&address),
            AuditAction::SignInThrottled,
            None,
            json!({}),
        )
        .await?;
        let seconds = wait.num_seconds().max(1);
        let page = LoginPage {
            chrome: Chrome::new(None, &session),
            email: form.email,
            next,
            error: Some(format!(
                "Too many failed sign-ins. Wait {seconds} seconds, then try again."
            )),
            notice: None,
        };
        let mut response = render(StatusCode::TOO_MANY_REQUESTS, &page)?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        return Ok(response);
    }

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
            tracing::info!(agent = agent.id.0, "signed in");
            sign_in::clear_account(&state.pool, &account).await?;
            audit::record(
                &state.pool,
                Some(agent.id),
                Some(&address),
                AuditAction::SignIn,
                None,
                json!({}),
            )
            .await?;
            let must_change = agents::must_change_password(&state.pool, agent.id).await?;
            session.sign_in(
                &CurrentAgent {
                    id: agent.id,
                    name: agent.name,
                    email: agent.email,
                    role: agent.role,
                    address: None,
                },
                must_change,
            )?;
            Ok(see_other(&next))
        }
        _ => {
            tracing::info!("sign-in refused");
            sign_in::record_failure(&state.pool, &account, &address).await?;
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
                error: Some("Wrong e-mail or password.".into()),
                notice: None,
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
