//! Thin handlers grouped by page: extract, call the domain and the store, render or redirect.

pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub mod bulk;
pub mod case;
pub mod customer;
pub mod form;
pub mod health;
pub mod language;
pub mod login;
pub mod metrics;
pub mod queue;
pub mod queue_export;
pub mod reports;
pub mod views;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, Responder};
use askama::Template;
use chrono::{DateTime, Utc};

use crate::auth::CurrentAgent;
use crate::auth::session::{Flash, TypedSession};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use language::Switch;

/// What every page's frame needs: who is signed in, the CSRF token for its forms, the flash,
/// the request's language and its switch.
pub struct Chrome {
    pub agent: Option<CurrentAgent>,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub t: Tr,
    pub switch: Switch,
}

impl Chrome {
    pub fn new(agent: Option<&CurrentAgent>, session: &TypedSession) -> Chrome {
        Chrome {
            agent: agent.cloned(),
            csrf: session.csrf_token(),
            flash: session.take_flash(),
            t: language::tr(),
            switch: Switch::current(),
        }
    }
}

/// An option of a select or a check box in a list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The reject reasons as options, `selected` chosen.
pub fn reject_reason_choices(selected: &str) -> Vec<Choice> {
    use crate::domain::request::RejectReason;
    RejectReason::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: language::tr().get(r.message_id()),
            selected: selected == r.as_str(),
        })
        .collect()
}

/// The document kinds as check boxes, ticked where `ticked` says.
pub fn document_kind_choices(ticked: &[String]) -> Vec<Choice> {
    use crate::domain::document::DocumentKind;
    DocumentKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: language::tr().get(k.message_id()),
            selected: ticked.iter().any(|t| t == k.as_str()),
        })
        .collect()
}

/// Renders a page with a status.
pub fn render(status: StatusCode, page: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .body(page.render()?))
}

/// Post/Redirect/Get: 303 See Other.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub async fn home() -> impl Responder {
    see_other("/queue")
}

pub async fn not_found() -> AppResult<HttpResponse> {
    Err(AppError::NotFound)
}

/// "25 Nov 2026, 14:05" in the desk's time zone.
/// A moment in the desk's time zone, as the request's language writes it.
pub fn local_time(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    language::tr().short_date_time(at.with_timezone(&tz).naive_local())
}

/// A day, as the request's language writes it.
pub fn local_date(day: chrono::NaiveDate) -> String {
    language::tr().short_date(day)
}

/// The desk's settings a change of a case depends on.
pub fn desk(state: &crate::state::AppState) -> crate::workflow::Desk {
    crate::workflow::Desk {
        tz: state.tz,
        sla_hours: state.settings.sla_hours,
    }
}
