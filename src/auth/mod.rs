//! Who is asking: sessions, passwords, CSRF, and the middleware that lets only agents in.

pub mod access;
pub mod anonymous_csrf;
pub mod attempts;
pub mod client;
pub mod csrf;
pub mod guard;
pub mod keyring;
pub mod password;
pub mod reauth;
pub mod session;

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::domain::agent::{AgentId, Role};
use crate::domain::case::Actor;
use crate::error::AppError;
use crate::store::audit::{self, AuditAction};

/// The signed-in agent, put into request data by [`guard::require_agent`].
#[derive(Debug, Clone)]
pub struct CurrentAgent {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// Where the request came from (for the audit trail).
    pub address: Option<String>,
}

impl CurrentAgent {
    pub fn actor(&self) -> Actor {
        Actor::Agent {
            id: self.id,
            role: self.role,
        }
    }

    pub fn is_supervisor(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Records something this agent did in the audit trail (with the request's address).
    pub async fn audit<'e>(
        &self,
        db: impl sqlx::PgExecutor<'e>,
        action: AuditAction,
        target: Option<&str>,
        detail: serde_json::Value,
    ) -> sqlx::Result<()> {
        audit::record(
            db,
            Some(self.id),
            self.address.as_deref(),
            action,
            target,
            detail,
        )
        .await
    }
}

impl FromRequest for CurrentAgent {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // Present on every route behind the guard; absent means a route was left unguarded.
        ready(
            req.extensions()
                .get::<CurrentAgent>()
                .cloned()
                .ok_or(AppError::Unauthenticated),
        )
    }
}
