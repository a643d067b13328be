//! The one typed view of a session: fixed keys, so handlers never touch raw session entries.

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};

use crate::auth::CurrentAgent;
use crate::auth::anonymous_csrf::AnonymousCsrf;
use crate::domain::agent::AgentId;
use crate::domain::agent::Role;
use crate::store::sessions::{AGENT_KEY, AGENT_PROFILE_KEY, SESSION_LABEL_KEY, SIGNED_IN_AT_KEY};

const CSRF_KEY: &str = "csrf";
const FLASH_KEY: &str = "flash";
/// The query of the saved view this agent's queue opens with (set at sign-in and when chosen).
const DEFAULT_VIEW_KEY: &str = "default_view";
/// A sign-in whose password was right, waiting for its second factor. Kept apart from the
/// signed-in keys: until the second step passes, the session is not signed in.
const PENDING_SIGN_IN_KEY: &str = "pending_sign_in";

/// What the second sign-in step needs to finish a sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub agent: i64,
    /// The throttle's account key (hex SHA-256 of the e-mail typed), so that failed codes count
    /// against the same account as failed passwords.
    pub account: String,
    /// Where to go afterwards (already checked to be a path of this site).
    pub next: String,
    /// Unix seconds of the password step (see `domain::second_factor::PENDING_SIGN_IN`).
    pub started: i64,
}

/// A one-shot message shown after a redirect (Post/Redirect/Get).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    /// `success` or `error`: also the CSS class.
    pub kind: String,
    pub text: String,
}

pub struct TypedSession {
    session: Session,
    /// The request's token for visitors without a stored session (see `anonymous_csrf`).
    anonymous_csrf: Option<AnonymousCsrf>,
}

#[derive(Serialize, Deserialize)]
struct Profile {
    name: String,
    email: String,
    role: String,
    /// The agent must choose a new password before anything else.
    #[serde(default)]
    must_change_password: bool,
    /// The desk requires a second factor and the agent has none yet: enrol before anything else.
    #[serde(default)]
    must_enrol_second_factor: bool,
}

/// Restrictions a sign-in starts with, lifted as the agent deals with them.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInDuties {
    pub change_password: bool,
    pub enrol_second_factor: bool,
}

impl TypedSession {
    /// Signs an agent in, under a new session id (no fixation) and a new CSRF token.
    pub fn sign_in(&self, agent: &CurrentAgent, duties: SignInDuties) -> anyhow::Result<()> {
        self.session.renew();
        self.session.clear();
        self.session.insert(AGENT_KEY, agent.id.0)?;
        self.session
            .insert(SIGNED_IN_AT_KEY, Utc::now().timestamp())?;
        let mut label = [0u8; 9];
        rand::fill(&mut label);
        self.session.insert(
            SESSION_LABEL_KEY,
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(label),
        )?;
        self.session.insert(
            AGENT_PROFILE_KEY,
            Profile {
                name: agent.name.clone(),
                email: agent.email.clone(),
                role: agent.role.as_str().to_owned(),
                must_change_password: duties.change_password,
                must_enrol_second_factor: duties.enrol_second_factor,
            },
        )?;
        Ok(())
    }

    /// Whether the agent was told to choose a new password (set at sign-in).
    pub fn must_change_password(&self) -> bool {
        self.session
            .get::<Profile>(AGENT_PROFILE_KEY)
            .ok()
            .flatten()
            .is_some_and(|p| p.must_change_password)
    }

    /// The agent chose a new password: lift the restriction in this session.
    pub fn password_changed(&self) {
        if let Ok(Some(mut profile)) = self.session.get::<Profile>(AGENT_PROFILE_KEY) {
            profile.must_change_password = false;
            let _ = self.session.insert(AGENT_PROFILE_KEY, profile);
        }
    }

    /// The agent changed their sign-in e-mail: this session shows (and throttles by) the new one.
    pub fn email_changed(&self, email: &str) {
        if let Ok(Some(mut profile)) = self.session.get::<Profile>(AGENT_PROFILE_KEY) {
            profile.email = email.to_owned();
            let _ = self.session.insert(AGENT_PROFILE_KEY, profile);
        }
    }

    /// Whether the agent must set up a second factor before anything else (set at sign-in).
    pub fn must_enrol_second_factor(&self) -> bool {
        self.session
            .get::<Profile>(AGENT_PROFILE_KEY)
            .ok()
            .flatten()
            .is_some_and(|p| p.must_enrol_second_factor)
    }

    /// The agent enrolled a second factor: lift the restriction in this session.
    pub fn second_factor_enrolled(&self) {
        if let Ok(Some(mut profile)) = self.session.get::<Profile>(AGENT_PROFILE_KEY) {
            profile.must_enrol_second_factor = false;
            let _ = self.session.insert(AGENT_PROFILE_KEY, profile);
        }
    }

    /// The password was right; the sign-in waits for the second factor. Under a new session id,
    /// with nothing of an earlier sign-in left in it.
    pub fn begin_second_factor(&self, pending: &PendingSignIn) -> anyhow::Result<()> {
        self.session.renew();
        self.session.clear();
        self.session.insert(PENDING_SIGN_IN_KEY, pending)?;
        Ok(())
    }

    /// The sign-in waiting for its second factor, if any (expiry is the caller's to judge).
    pub fn pending_second_factor(&self) -> Option<PendingSignIn> {
        self.session.get(PENDING_SIGN_IN_KEY).ok().flatten()
    }

    pub fn drop_pending_second_factor(&self) {
        if self.session.contains_key(PENDING_SIGN_IN_KEY) {
            self.session.remove(PENDING_SIGN_IN_KEY);
        }
    }

    /// The signed-in agent as recorded at sign-in. The store only loads sessions of active
    /// agents, so a deactivated agent has no session to read.
    pub fn agent(&self) -> Option<CurrentAgent> {
        let id = self.agent_id()?;
        let profile: Profile = self.session.get(AGENT_PROFILE_KEY).ok().flatten()?;
        Some(CurrentAgent {
            id,
            name: profile.name,
            email: profile.email,
            role: Role::parse(&profile.role)?,
            address: None,
        })
    }

    /// This sign-in's label (see `SESSION_LABEL_KEY`).
    pub fn label(&self) -> Option<String> {
        self.session.get::<String>(SESSION_LABEL_KEY).ok().flatten()
    }

    /// Ends the session here and in the store.
    pub fn sign_out(&self) {
        self.session.purge();
    }

    pub fn agent_id(&self) -> Option<AgentId> {
        self.session
            .get::<i64>(AGENT_KEY)
            .ok()
            .flatten()
            .map(AgentId)
    }

    pub fn signed_in_at(&self) -> Option<DateTime<Utc>> {
        let seconds = self.session.get::<i64>(SIGNED_IN_AT_KEY).ok().flatten()?;
        DateTime::from_timestamp(seconds, 0)
    }

    /// The CSRF token for this page's forms. A session that is stored anyway (signed in, or
    /// waiting for the second factor) keeps its own token, created on first use; anyone else gets
    /// the anonymous token, so that showing a form never stores a session.
    pub fn csrf_token(&self) -> String {
        if let Ok(Some(token)) = self.session.get::<String>(CSRF_KEY) {
            return token;
        }
        let stored = self.agent_id().is_some() || self.session.contains_key(PENDING_SIGN_IN_KEY);
        if let (false, Some(anonymous)) = (stored, &self.anonymous_csrf) {
            return anonymous.token();
        }
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        // Inserting a String cannot fail to serialise.
        let _ = self.session.insert(CSRF_KEY, &token);
        token
    }

    /// A value kept in the session for a later page of the same visitor.
    pub fn set(&self, key: &str, value: &str) {
        // Inserting a &str cannot fail to serialise.
        let _ = self.session.insert(key, value);
    }

    pub fn get<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.session.get::<T>(key).ok().flatten()
    }

    /// The token without creating one (a POST must never mint the token it is checked against).
    pub fn existing_csrf_token(&self) -> Option<String> {
        self.session.get::<String>(CSRF_KEY).ok().flatten()
    }

    /// A message for the next page: `kind` is `success` or `error`; `message_id` is worded now,
    /// in the request's language (the next page is in the same one).
    pub fn flash(&self, kind: &str, message_id: &str) {
        self.flash_text(kind, crate::routes::language::tr().get(message_id));
    }

    /// [`Self::flash`] of a message with arguments.
    pub fn flash_with(
        &self,
        kind: &str,
        message_id: &str,
        args: &[(&str, fluent_bundle::FluentValue<'_>)],
    ) {
        self.flash_text(kind, crate::routes::language::tr().with(message_id, args));
    }

    /// A message for the next page, already worded.
    pub fn flash_text(&self, kind: &str, text: String) {
        let flash = Flash {
            kind: kind.into(),
            text,
        };
        let _ = self.session.insert(FLASH_KEY, flash);
    }

    /// The filters the queue opens with, when the agent chose a saved view for it.
    pub fn default_view(&self) -> Option<String> {
        self.session.get(DEFAULT_VIEW_KEY).ok().flatten()
    }

    pub fn set_default_view(&self, query: Option<&str>) {
        match query {
            Some(query) => {
                let _ = self.session.insert(DEFAULT_VIEW_KEY, query);
            }
            None => {
                if self.session.contains_key(DEFAULT_VIEW_KEY) {
                    self.session.remove(DEFAULT_VIEW_KEY);
                }
            }
        }
    }

    pub fn take_flash(&self) -> Option<Flash> {
        // Checked first: removing marks the session changed (a write), even for an absent key.
        if !self.session.contains_key(FLASH_KEY) {
            return None;
        }
        self.session
            .remove_as::<Flash>(FLASH_KEY)
            .and_then(Result::ok)
    }
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(TypedSession::of(req)))
    }
}

impl TypedSession {
    pub fn of(req: &(impl SessionExt + HttpMessage)) -> TypedSession {
        TypedSession {
            session: req.get_session(),
            anonymous_csrf: AnonymousCsrf::of(req),
        }
    }
}
