//! The CSRF token of visitors who have no stored session: a signed double-submit cookie.
//!
//! Storing a synchroniser token would make every anonymous GET of a form page (/login, /apply,
//! /status, an upload link) write a session row, so a flood of GETs would fill the session table.
//! Instead the browser keeps a random nonce in an HttpOnly cookie, and the form carries
//! HMAC-SHA256(key, nonce) with a key derived from the session secret. A POST passes when its
//! token is the HMAC of the nonce in its cookie: a cross-site page can read neither, and a nonce
//! forced into the cookie is useless without its HMAC. Nothing is stored on the server.
//!
//! Once a session holds something worth storing (a sign-in, or one waiting for its second
//! factor), the session's own token takes over (see `TypedSession::csrf_token`).

use std::cell::Cell;
use std::rc::Rc;

use actix_web::HttpMessage;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The key of the tokens: derived from the session secret, never the secret itself, so a token
/// says nothing about the key that signs the session cookie.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    pub fn derive(session_secret: &[u8]) -> CsrfKey {
        CsrfKey(hmac(session_secret, b"canceldesk anonymous CSRF token v1"))
    }

    fn token_for(&self, nonce: &str) -> String {
        URL_SAFE_NO_PAD.encode(hmac(&self.0, nonce.as_bytes()))
    }

    /// Whether `token` is the HMAC of `nonce` (compared in constant time).
    fn accepts(&self, nonce: &str, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(nonce.as_bytes());
        mac.verify_slice(&tag).is_ok()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The cookie's name: with `__Host-` behind TLS, so that no subdomain can set it.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-canceldesk-csrf"
    } else {
        "canceldesk-csrf"
    }
}

/// This request's anonymous token, put into request data by `csrf::verify_csrf`.
#[derive(Clone)]
pub struct AnonymousCsrf {
    /// The nonce from the cookie, if the browser sent a plausible one.
    sent: Option<String>,
    /// The nonce of this response's pages: the one sent, or a new one.
    nonce: String,
    key: CsrfKey,
    secure: bool,
    /// Whether a page asked for the token (only then is a new cookie set).
    used: Rc<Cell<bool>>,
}

impl AnonymousCsrf {
    pub fn for_request(req: &ServiceRequest, key: &CsrfKey, secure: bool) -> AnonymousCsrf {
        let sent = req
            .cookie(cookie_name(secure))
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() == 43 && URL_SAFE_NO_PAD.decode(v).is_ok());
        let nonce = sent.clone().unwrap_or_else(|| {
            let mut bytes = [0u8; 32];
            rand::fill(&mut bytes);
            URL_SAFE_NO_PAD.encode(bytes)
        });
        AnonymousCsrf {
            sent,
            nonce,
            key: key.clone(),
            secure,
            used: Rc::new(Cell::new(false)),
        }
    }

    /// The token for a form on this response's page.
    pub fn token(&self) -> String {
        self.used.set(true);
        self.key.token_for(&self.nonce)
    }

    /// Whether a posted token matches the nonce the browser sent in its cookie.
    pub fn accepts(&self, provided: &str) -> bool {
        self.sent
            .as_deref()
            .is_some_and(|nonce| self.key.accepts(nonce, provided))
    }

    /// The request's token, if the middleware put one there.
    pub fn of(req: &impl HttpMessage) -> Option<AnonymousCsrf> {
        req.extensions().get::<AnonymousCsrf>().cloned()
    }

    /// Sets the cookie when a page used a token whose nonce the browser does not have yet.
    pub fn finish<B>(&self, mut res: ServiceResponse<B>) -> ServiceResponse<B> {
        if self.used.get() && self.sent.is_none() {
            let cookie = Cookie::build(cookie_name(self.secure), self.nonce.clone())
                .path("/")
                .http_only(true)
                .secure(self.secure)
                .same_site(SameSite::Lax)
                .finish();
            // A header that cannot be added leaves the form without its cookie: its POST is
            // refused, which is safe.
            let _ = res.response_mut().add_cookie(&cookie);
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_fits_its_nonce_and_key_only() {
        let key = CsrfKey::derive(&[7u8; 64]);
        let token = key.token_for("nonce-a");
        assert!(key.accepts("nonce-a", &token));
        assert!(!key.accepts("nonce-b", &token));
        assert!(!key.accepts("nonce-a", "nonce-a"));
        assert!(!key.accepts("nonce-a", ""));
        assert!(!CsrfKey::derive(&[8u8; 64]).accepts("nonce-a", &token));
        assert_ne!(
            key.token_for("nonce-a"),
            URL_SAFE_NO_PAD.encode(hmac(&[7u8; 64], b"nonce-a")),
            "the session secret itself is not the key"
        );
    }
}
