//! What every handler and middleware shares, built once by `startup::Application::build`. Kept
//! apart from the start-up code so that routes and auth depend on the state, not on how the
//! server is put together.

use sqlx::PgPool;

use crate::auth::access::RouteMap;
use crate::auth::anonymous_csrf::CsrfKey;
use crate::config::Settings;
use crate::store::blobs::PgBlobStore;

/// Counts per state as read at an instant.
pub type CountsSnapshot = (std::time::Instant, Vec<(crate::domain::case::State, i64)>);

/// Shared by all handlers.
pub struct AppState {
    pub pool: PgPool,
    pub settings: Settings,
    pub tz: chrono_tz::Tz,
    pub blobs: PgBlobStore,
    /// Uploads being read at once (each may hold its files in memory until checked); more wait.
    pub upload_slots: tokio::sync::Semaphore,
    /// Counts per state, shared by all requests for a moment (see `routes::queue::state_counts`).
    pub counts: std::sync::Mutex<Option<CountsSnapshot>>,
    /// The agents' names, shared by all requests for a moment (see `store::agent_names`).
    pub agent_names: crate::store::agent_names::AgentNames,
    /// Keys of the TOTP secrets at rest (see `auth::keyring`).
    pub keyring: crate::auth::keyring::Keyring,
    /// Signs the CSRF tokens of visitors without a stored session (see `auth::anonymous_csrf`).
    pub csrf_key: CsrfKey,
    /// The route table's rules, which the sign-in guard and the CSRF check look requests up in
    /// (see `auth::access`).
    pub routes: RouteMap,
    /// Set at SIGTERM: `/readyz` answers 503 while in-flight requests finish.
    pub draining: std::sync::atomic::AtomicBool,
    /// Sessions read in the last seconds (see `store::session_cache`); code that ends or
    /// changes sessions drops them here too, before it answers.
    pub sessions: std::sync::Arc<crate::store::session_cache::SessionCache>,
}

impl AppState {
    /// The client's address (see `auth::client`).
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<String> {
        crate::auth::client::address(
            req.peer_addr(),
            req.headers(),
            self.settings.trusted_proxies,
        )
    }

    /// Today's date at the desk.
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }
}
