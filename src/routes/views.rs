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
    let query = normalise_query(&form.query, encode_query_value).map_err(AppError::BadRequest)?;
    let back = format!("/queue?{query}");
    let name = match ViewName::parse(&form.name) {
        Ok(name) => name,
        Err(problem) => {
            session.flash("error", format!("{problem} Nothing was saved."));
            return Ok(see_other(&back));
        }
    };
    match store::create(&state.pool, agent.id, &name, &query).await {
        Ok(_) => session.flash(
            "success",
            format!(
                "Saved the view “{}”: find it under Views in the top bar.",
                name.as_str()
            ),
        ),
        Err(CreateError::NameTaken) => session.flash(
            "error",
            format!(
                "You already have a view named “{}”. Choose another name; nothing was saved.",
                name.as_str()
            ),
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
        return Err(AppError::Forbidden(
            "Only its owner (or, once shared, a supervisor) may delete a view.".into(),
        ));
    }
    if session.default_view().as_deref() == Some(view.query.as_str()) {
        session.set_default_view(None);
    }
    session.flash("success", format!("Deleted the view “{}”.", view.name));
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
            "Only a supervisor may share a view with everyone.".into(),
        ));
    }
    let shared = match form.shared.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::BadRequest("Share or stop sharing?".into())),
    };
    if !store::set_shared(&state.pool, agent.id, id, shared).await? {
        return Err(AppError::Forbidden(
            "Only the view's owner may share it.".into(),
        ));
    }
    session.flash(
        "success",
        if shared {
            format!("“{}” is now shared with everyone.", view.name)
        } else {
            format!("“{}” is no longer shared.", view.name)
        },
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
        session.flash(
            "success",
            "The queue opens with the cases that need action.",
        );
        return Ok(see_other("/views"));
    }
    let id: i64 = form
        .view
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Choose one of the views listed.".into()))?;
    let view = store::find_visible(&state.pool, agent.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_default(&state.pool, agent.id, Some(id)).await?;
    session.set_default_view(Some(&view.query));
    session.flash(
        "success",
        format!("The queue now opens with “{}”.", view.name),
    );
    Ok(see_other("/views"))
}
