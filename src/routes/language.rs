//! Which language a page speaks, and the switch that changes it.
//!
//! The choice, in order: the `lang` cookie (set by the switch on any page, and for an agent from
//! their account at sign-in), the browser's `Accept-Language`, then the `default_locale` setting.
//! `POST /language` sets the cookie (and an agent's account) and returns to the page it came
//! from.
//!
//! The [`speak`] middleware decides once per request and keeps the answer for the request's task,
//! like its id: every page, flash and error page reads it with [`tr`] instead of each handler
//! passing the request around.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::{Ready, ready};
use serde::Deserialize;

use super::form::HtmlForm;
use crate::auth::session::TypedSession;
use crate::error::AppResult;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;
use crate::store::agents;

/// The cookie holding a visitor's chosen language (a preference, not personal data).
pub const COOKIE: &str = "lang";

/// The language of the request.
fn locale_of(req: &HttpRequest) -> Locale {
    if let Some(locale) = req.cookie(COOKIE).and_then(|c| Locale::parse(c.value())) {
        return locale;
    }
    if let Some(locale) = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
    {
        return locale;
    }
    req.app_data::<web::Data<AppState>>()
        .and_then(|state| state.settings.locale().ok())
        .unwrap_or(Locale::En)
}

tokio::task_local! {
    static SPEAKING: Speaking;
}

/// The language of the request being handled, and the page a language switch on it returns to.
#[derive(Clone)]
struct Speaking {
    locale: Locale,
    back: String,
}

/// The messages of the request's language. Outside a request (jobs, the command line) English:
/// nothing there is read by a customer (notices take the case's language explicitly).
pub fn tr() -> Tr {
    Tr::new(SPEAKING.try_with(|s| s.locale).unwrap_or(Locale::En))
}

/// The path and query a language switch on this page returns to.
fn back_of(req: &HttpRequest) -> String {
    // A form's POST answers on its own path: the switch returns to the page's GET.
    match req.uri().path_and_query() {
        Some(p) if req.method() == actix_web::http::Method::GET => p.as_str().to_owned(),
        _ => req.path().to_owned(),
    }
}

/// The middleware choosing the request's language (see the module's comment).
pub async fn speak(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let speaking = Speaking {
        locale: locale_of(req.request()),
        back: back_of(req.request()),
    };
    SPEAKING.scope(speaking, next.call(req)).await
}

/// The language switch of a page's frame: the languages, which one is on, where to return.
#[derive(Clone)]
pub struct Switch {
    pub back: String,
    pub choices: Vec<(&'static str, &'static str, bool)>,
}

impl Switch {
    pub fn current() -> Switch {
        let (locale, back) = SPEAKING
            .try_with(|s| (s.locale, s.back.clone()))
            .unwrap_or((Locale::En, "/".to_owned()));
        Switch {
            back,
            choices: Locale::ALL
                .iter()
                .map(|l| (l.tag(), l.native_name(), *l == locale))
                .collect(),
        }
    }
}

/// What the frame of a customer's page needs to speak its language: the messages, the switch and
/// its CSRF token.
#[derive(Clone)]
pub struct Frame {
    pub t: Tr,
    pub csrf: String,
    pub switch: Switch,
}

impl Frame {
    pub fn of(req: &HttpRequest) -> Frame {
        Frame {
            t: tr(),
            csrf: TypedSession::of(req).csrf_token(),
            switch: Switch::current(),
        }
    }
}

impl FromRequest for Frame {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Frame::of(req)))
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// Only a path of this site: never an address elsewhere (`//evil`, `https:`), never a header.
fn safe_back(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(|c| c.is_control());
    if ok { back } else { "/" }
}

/// The cookie that remembers `locale` in this browser.
pub fn cookie(locale: Locale) -> Cookie<'static> {
    Cookie::build(COOKIE, locale.tag())
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .finish()
}

pub async fn choose(
    state: web::Data<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<LanguageForm>,
) -> AppResult<HttpResponse> {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, safe_back(&form.back)));
    // An unknown language changes nothing; the page says it in the language it had.
    if let Some(locale) = Locale::parse(&form.lang) {
        response.cookie(cookie(locale));
        // An agent's choice is kept with their account: their next sign-in, on any browser,
        // speaks it.
        if let Some(agent) = session.agent_id() {
            agents::set_locale(&state.pool, agent, Some(locale)).await?;
        }
    }
    Ok(response.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_returns_only_within_the_site() {
        assert_eq!(safe_back("/status?x=1"), "/status?x=1");
        assert_eq!(safe_back("//evil.example/"), "/");
        assert_eq!(safe_back("https://evil.example/"), "/");
        assert_eq!(safe_back("/\\evil.example"), "/");
        assert_eq!(safe_back("/a\r\nSet-Cookie: x"), "/");
        assert_eq!(safe_back(""), "/");
    }
}
