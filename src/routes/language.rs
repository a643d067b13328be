//! Which language a page speaks, and the switch that changes it.
//!
//! The choice, in order: the `lang` cookie (set by the switch on any page), the browser's
//! `Accept-Language`, then the `default_locale` setting. `POST /language` sets the cookie and
//! returns to the page it came from.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::{Ready, ready};
use serde::Deserialize;

use super::form::HtmlForm;
use crate::auth::session::TypedSession;
use crate::error::AppResult;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;

/// The cookie holding a visitor's chosen language (a preference, not personal data).
pub const COOKIE: &str = "lang";

/// The language of the request.
pub fn locale_of(req: &HttpRequest) -> Locale {
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

/// What the frame of a page needs to speak its language: the messages, the switch's CSRF token
/// and the page to come back to.
#[derive(Clone)]
pub struct Frame {
    pub t: Tr,
    pub csrf: String,
    /// This page's path and query: where the switch returns.
    pub back: String,
    /// The other languages, for the switch.
    pub choices: Vec<(&'static str, &'static str, bool)>,
}

impl Frame {
    pub fn of(req: &HttpRequest) -> Frame {
        let locale = locale_of(req);
        // A form's POST answers on its own path: the switch returns to the page's GET.
        let back = match req.uri().path_and_query() {
            Some(p) if req.method() == actix_web::http::Method::GET => p.as_str().to_owned(),
            _ => req.path().to_owned(),
        };
        Frame {
            t: Tr::new(locale),
            csrf: TypedSession::of(req).csrf_token(),
            back,
            choices: Locale::ALL
                .iter()
                .map(|l| (l.tag(), l.native_name(), *l == locale))
                .collect(),
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

pub async fn choose(HtmlForm(form): HtmlForm<LanguageForm>) -> AppResult<HttpResponse> {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, safe_back(&form.back)));
    // An unknown language changes nothing; the page says it in the language it had.
    if let Some(locale) = Locale::parse(&form.lang) {
        response.cookie(
            Cookie::build(COOKIE, locale.tag())
                .path("/")
                .max_age(Duration::days(365))
                .same_site(SameSite::Lax)
                .http_only(true)
                .finish(),
        );
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
