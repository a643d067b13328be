//! Signing in and out.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::HtmlForm;
use super::{Chrome, render, see_other};
use crate::auth::session::TypedSession;
use crate::auth::{CurrentAgent, password};
use crate::domain::agent::Email;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::store::agents;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    email: String,
    next: String,
    error: Option<&'static str>,
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
    HtmlForm(form): HtmlForm<LoginForm>,
) -> AppResult<HttpResponse> {
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
            session.sign_in(&CurrentAgent {
                id: agent.id,
                name: agent.name,
                email: agent.email,
                role: agent.role,
            })?;

            Ok(see_other(&safe_next(form.next.as_deref())))
        }
        _ => {
            tracing::info!("sign-in refused");
            let page = LoginPage {
                chrome: Chrome::new(None, &session),
                email: form.email,
                next: safe_next(form.next.as_deref()),
                error: Some("Wrong e-mail or password."),
                notice: None,
            };
            render(StatusCode::UNAUTHORIZED, &page)
        }
    }
}

pub async fn logout(session: TypedSession) -> HttpResponse {
    session.sign_out();
    see_other("/login?signed_out=1")
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
