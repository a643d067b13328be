//! Saved queue views: `GET /views` lists the agent's own and the shared ones; `POST /views`
//! saves the queue's current filters under a name; a view can be deleted, shared (supervisors)
//! and chosen as the view the queue opens with.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::form::HtmlForm;
use super::{Chrome, render, see_other};
use crate::auth::CurrentAgent;
use crate::auth::guard::encode_query_value;
use crate::auth::session::TypedSession;
use crate::domain::saved_view::{ViewName, normalise_query};
use crate::error::{AppError, AppResult};
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::views::{self as store, CreateError};

pub struct ViewRow {
    pub id: i64,
    pub name: String,
    pub link: String,
    pub owner_name: String,
    pub mine: bool,
    pub shared: bool,
    pub is_default: bool,
}

#[derive(Template)]
#[template(path = "views.html")]
struct ViewsPage {
    chrome: Chrome,
    supervisor: bool,
    views: Vec<ViewRow>,
    has_default: bool,
}

pub async fn list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    let default = store::default_of(&state.pool, agent.id)
        .await?
        .map(|(id, _)| id);
    let views = store::visible_to(&state.pool, agent.id)
        .await?
        .into_iter()
        .map(|v| ViewRow {
            id: v.id,
            link: format!("/queue?{}", v.query),
            mine: v.owner_id == agent.id.0,
            is_default: default == Some(v.id),
            name: v.name,
            owner_name: v.owner_name,
            shared: v.shared,
        })
        .collect();
    let page = ViewsPage {
        chrome: Chrome::new(Some(&agent), &session),
        supervisor: agent.is_supervisor(),
        views,
        has_default: default.is_some(),
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    name: String,
    /// The queue's query string the view was saved from.
    #[serde(default)]
    query: String,
}

/// Saves the filters; back to the same queue either way, saying what happened.
pub async fn save(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<SaveForm>,
) -> AppResult<HttpResponse> {
    let query = normalise_query(&form.query, encode_query_value)
        .map_err(|problem| AppError::BadRequest(tr().said(&problem)))?;
    let back = format!("/queue?{query}");
    let name = match ViewName::parse(&form.name) {
        Ok(name) => name,
        Err(problem) => {
            let t = tr();
            session.flash_text(
                "error",
                format!("{} {}", t.said(&problem), t.get("nothing-was-saved")),
            );
            return Ok(see_other(&back));
        }
    };
    match store::create(&state.pool, agent.id, &name, &query).await {
        Ok(_) => session.flash_with(
            "success",
            "flash-view-saved",
            &[("name", name.as_str().into())],
        ),
        Err(CreateError::NameTaken) => session.flash_with(
            "error",
            "flash-view-name-taken",
            &[("name", name.as_str().into())],
        ),
        Err(CreateError::Database(e)) => return Err(e.into()),
    }
    Ok(see_other(&back))
}

pub async fn delete(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = store::find_visible(&state.pool, agent.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::delete(&state.pool, agent.id, agent.is_supervisor(), id).await? {
        return Err(AppError::Forbidden(tr().get("refused-view-delete")));
    }
    if session.default_view().as_deref() == Some(view.query.as_str()) {
        session.set_default_view(None);
    }
    session.flash_with(
        "success",
        "flash-view-deleted",
        &[("name", view.name.as_str().into())],
    );
    Ok(see_other("/views"))
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    shared: String,
}

pub async fn share(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    id: web::Path<i64>,
    HtmlForm(form): HtmlForm<ShareForm>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let view = store::find_visible(&state.pool, agent.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !agent.is_supervisor() {
        return Err(AppError::Forbidden(
            tr().get("refused-view-share-supervisor"),
        ));
    }
    let shared = match form.shared.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest(tr().get("refused-view-share-what"))),
    };
    if !store::set_shared(&state.pool, agent.id, id, shared).await? {
        return Err(AppError::Forbidden(tr().get("refused-view-share-owner")));
    }
    session.flash_with(
        "success",
        if shared {
            "flash-view-shared"
        } else {
            "flash-view-unshared"
        },
        &[("name", view.name.as_str().into())],
    );
    Ok(see_other("/views"))
}

#[derive(Deserialize)]
pub struct DefaultForm {
    /// A view's id, or empty for the usual queue.
    #[serde(default)]
    view: String,
}

pub async fn choose_default(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<DefaultForm>,
) -> AppResult<HttpResponse> {
    if form.view.trim().is_empty() {
        store::set_default(&state.pool, agent.id, None).await?;
        session.set_default_view(None);
        session.flash("success", "flash-view-default-cleared");
        return Ok(see_other("/views"));
    }
    let id: i64 = form
        .view
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest(tr().get("refused-view-choose")))?;
    let view = store::find_visible(&state.pool, agent.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_default(&state.pool, agent.id, Some(id)).await?;
    session.set_default_view(Some(&view.query));
    session.flash_with(
        "success",
        "flash-view-default",
        &[("name", view.name.as_str().into())],
    );
    Ok(see_other("/views"))
}
