//! `/admin/tokens`: API tokens of other systems, made and revoked by supervisors (the same as
//! `canceldesk token add|revoke`). A new token is shown once, on the answer to its creation.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::token_grant::TokenGrant;
use crate::error::AppResult;
use crate::routes::form::HtmlForm;
use crate::routes::{Chrome, local_time, render, see_other};
use crate::state::AppState;
use crate::store::api_tokens::{self, CreateError};
use crate::store::audit::AuditAction;

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub grant: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenView>,
    /// A token just made: (its name, the token), shown this once.
    issued: Option<(String, String)>,
    error: Option<String>,
    form_name: String,
}

async fn page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    issued: Option<(String, String)>,
    error: Option<String>,
    form_name: String,
) -> AppResult<TokensPage> {
    let tokens = api_tokens::list(&state.pool)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            grant: crate::routes::language::tr().get(t.grant.message_id()),
            name: t.name,
            created: local_time(t.created_at, state.tz),
            last_used: t
                .last_used_at
                .map(|at| local_time(at, state.tz))
                .unwrap_or_else(|| crate::routes::language::tr().get("admin-never")),
            revoked: t.revoked_at.map(|at| local_time(at, state.tz)),
        })
        .collect();
    Ok(TokensPage {
        chrome: Chrome::new(Some(agent), session),
        tokens,
        issued,
        error,
        form_name,
    })
}

pub async fn list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    let page = page(&state, &agent, &session, None, None, String::new()).await?;
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
    /// `hotline`, `service_point` or `orders` (see `TokenGrant`).
    #[serde(default)]
    grant: String,
}

pub async fn create(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<NewTokenForm>,
) -> AppResult<HttpResponse> {
    let name = form.name.trim();
    let problem = match TokenGrant::parse(&form.grant) {
        _ if !(1..=60).contains(&name.chars().count()) => {
            Some(crate::routes::language::tr().get("admin-token-name"))
        }
        Some(grant) => match api_tokens::create(&state.pool, name, grant, Some(agent.id)).await {
            Ok((_, token)) => {
                agent
                    .audit(
                        &state.pool,
                        AuditAction::ApiTokenCreated,
                        Some(name),
                        json!({ "grant": grant.as_str() }),
                    )
                    .await?;
                let page = page(
                    &state,
                    &agent,
                    &session,
                    Some((name.to_owned(), token)),
                    None,
                    String::new(),
                )
                .await?;
                return render(StatusCode::OK, &page);
            }
            Err(CreateError::NameTaken(_)) => {
                Some(crate::routes::language::tr().get("admin-token-name-taken"))
            }
            Err(CreateError::Database(e)) => return Err(e.into()),
        },
        None => Some(crate::routes::language::tr().get("admin-token-grant")),
    };
    let page = page(&state, &agent, &session, None, problem, form.name.clone()).await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn revoke(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    match api_tokens::revoke_by_id(&state.pool, *id, agent.id).await? {
        Some(name) => {
            agent
                .audit(
                    &state.pool,
                    AuditAction::ApiTokenRevoked,
                    Some(&name),
                    json!({}),
                )
                .await?;
            session.flash_with(
                "success",
                "flash-token-revoked",
                &[("name", name.as_str().into())],
            );
        }
        None => session.flash("error", "flash-token-unknown"),
    }
    Ok(see_other("/admin/tokens"))
}
