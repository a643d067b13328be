//! Building the app: the one route table, and the middleware stack. `main` and the tests
//! both start the server through [`Application::build`].

use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite, time::Duration};
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use sqlx::PgPool;

use crate::auth::access::{Access, RouteMap, RouteRule};
use crate::auth::anonymous_csrf::CsrfKey;
use crate::auth::{csrf, guard};
use crate::background::{Background, StopSignal};
use crate::config::Settings;
use crate::routes;
use crate::state::AppState;
use crate::store::blobs::PgBlobStore;
use crate::store::sessions::{self, PgSessionStore};

pub struct Application {
    port: u16,
    server: Server,
    /// The separate `/metrics` listener (`metrics_bind`), when configured.
    metrics: Option<(u16, Server)>,
    state: web::Data<AppState>,
    background: Background,
}

/// Customer uploads read at the same time: with the default limits each holds up to 50 MiB
/// while it is checked, so memory stays bounded under a flood.
const UPLOADS_AT_ONCE: usize = 8;

/// Every route of the app with who may use it: `routes` registers exactly these, supervisor
/// routes behind a role check, and the authorization test walks this table, so a route added
/// without a rule cannot exist. The sign-in guard (`guard::require_agent`) and the CSRF check
/// (`csrf::verify_csrf`) look each request up in these same rules (`auth::access::RouteMap`):
/// a signed-in agent for all but public and API routes, a CSRF token on every non-GET request
/// but the API's, and the few routes an agent with a set-up step pending may still use.
pub fn route_table() -> Vec<(RouteRule, actix_web::Route)> {
    use Access::{Agent, ApiToken, MetricsToken, Public, Supervisor};
    use routes::account::two_factor;
    use routes::case::{actions, documents, hold, page};
    use routes::customer;
    use web::{get, post};
    let rule = RouteRule::new;
    vec![
        (rule("GET", "/", Agent), get().to(routes::home)),
        (
            rule("GET", "/healthz", Public),
            get().to(routes::health::healthz),
        ),
        (
            rule("GET", "/readyz", Public),
            get().to(routes::health::readyz),
        ),
        (
            rule("GET", "/metrics", MetricsToken),
            get().to(routes::metrics::scrape),
        ),
        (
            rule("GET", "/static/{file}", Public),
            get().to(routes::assets::serve),
        ),
        (rule("GET", "/login", Public), get().to(routes::login::form)),
        (
            rule("POST", "/language", Public)
                .during_password_change()
                .during_enrolment(),
            post().to(routes::language::choose),
        ),
        (
            rule("GET", "/api/v1/openapi.json", Public),
            get().to(routes::api::openapi::document),
        ),
        (
            rule("POST", "/api/v1/cases", ApiToken),
            post().to(routes::api::cases::create),
        ),
        (
            rule("GET", "/api/v1/cases/{reference}", ApiToken),
            get().to(routes::api::cases::show),
        ),
        (
            rule("POST", "/api/v1/cases/{reference}/withdrawal", ApiToken),
            post().to(routes::api::withdrawal::withdraw),
        ),
        (
            rule("GET", "/api/v1/orders", ApiToken),
            get().to(routes::api::orders::list),
        ),
        (
            rule("POST", "/api/v1/orders/{id}/ack", ApiToken),
            post().to(routes::api::orders::acknowledge),
        ),
        (
            rule("POST", "/api/v1/orders/{id}/result", ApiToken),
            post().to(routes::api::orders::result),
        ),
        (
            rule("GET", "/apply", Public),
            get().to(customer::apply::form),
        ),
        (
            rule("POST", "/apply", Public),
            post().to(customer::apply::submit),
        ),
        (
            rule("GET", "/apply/received", Public),
            get().to(customer::apply::received),
        ),
        (
            rule("GET", "/status", Public),
            get().to(customer::status::form),
        ),
        (
            rule("POST", "/status", Public),
            post().to(customer::status::lookup),
        ),
        (
            rule("POST", "/status/withdraw", Public),
            post().to(customer::withdraw::confirm),
        ),
        (
            rule("POST", "/status/withdraw/confirm", Public),
            post().to(customer::withdraw::withdraw),
        ),
        (
            rule("GET", "/upload/{token}", Public),
            get().to(customer::upload::form),
        ),
        (
            rule("POST", "/upload/{token}", Public),
            post().to(customer::upload::submit),
        ),
        (
            rule("POST", "/login", Public),
            post().to(routes::login::submit),
        ),
        (
            rule("POST", "/logout", Agent)
                .during_password_change()
                .during_enrolment(),
            post().to(routes::login::logout),
        ),
        (
            rule("GET", "/account", Agent).during_password_change(),
            get().to(routes::account::show),
        ),
        (
            rule("POST", "/account/password", Agent).during_password_change(),
            post().to(routes::account::change_password),
        ),
        (
            rule("POST", "/account/email", Agent),
            post().to(routes::account::change_email),
        ),
        (
            rule("POST", "/account/sign-out-everywhere", Agent),
            post().to(routes::account::sign_out_everywhere),
        ),
        (
            rule("GET", "/login/second-factor", Public),
            get().to(routes::login::second_factor_form),
        ),
        (
            rule("POST", "/login/second-factor", Public),
            post().to(routes::login::second_factor_submit),
        ),
        (
            rule("GET", "/account/two-factor", Agent).during_enrolment(),
            get().to(two_factor::show),
        ),
        (
            rule("POST", "/account/two-factor/start", Agent).during_enrolment(),
            post().to(two_factor::start),
        ),
        (
            rule("GET", "/account/two-factor/qr.svg", Agent).during_enrolment(),
            get().to(two_factor::qr_code),
        ),
        (
            rule("POST", "/account/two-factor/confirm", Agent).during_enrolment(),
            post().to(two_factor::confirm),
        ),
        (
            rule("POST", "/account/two-factor/recovery-codes", Agent),
            post().to(two_factor::regenerate_recovery_codes),
        ),
        (
            rule("POST", "/account/two-factor/disable", Agent),
            post().to(two_factor::disable),
        ),
        (rule("GET", "/queue", Agent), get().to(routes::queue::show)),
        (
            rule("GET", "/queue/counts", Agent),
            get().to(routes::queue::counts),
        ),
        (
            rule("GET", "/reports", Agent),
            get().to(routes::reports::show),
        ),
        (
            rule("GET", "/reports/{table}", Agent),
            get().to(routes::reports::export),
        ),
        (
            rule("GET", "/queue.csv", Agent),
            get().to(routes::queue_export::export),
        ),
        (rule("GET", "/views", Agent), get().to(routes::views::list)),
        (
            rule("POST", "/views", Agent),
            post().to(routes::views::save),
        ),
        (
            rule("POST", "/views/default", Agent),
            post().to(routes::views::choose_default),
        ),
        (
            rule("POST", "/views/{id}/delete", Agent),
            post().to(routes::views::delete),
        ),
        (
            rule("POST", "/views/{id}/share", Agent),
            post().to(routes::views::share),
        ),
        (
            rule("GET", "/admin/audit", Supervisor),
            get().to(routes::admin::audit_page),
        ),
        (
            rule("GET", "/admin/tokens", Supervisor),
            get().to(routes::admin::tokens::list),
        ),
        (
            rule("POST", "/admin/tokens", Supervisor),
            post().to(routes::admin::tokens::create),
        ),
        (
            rule("POST", "/admin/tokens/{token}/revoke", Supervisor),
            post().to(routes::admin::tokens::revoke),
        ),
        (
            rule("GET", "/admin/billing", Supervisor),
            get().to(routes::admin::billing::show),
        ),
        (
            rule("POST", "/admin/billing", Supervisor),
            post().to(routes::admin::billing::upload),
        ),
        (
            rule("GET", "/admin/settlements", Supervisor),
            get().to(routes::admin::settlements::show),
        ),
        (
            rule("POST", "/admin/settlements/export", Supervisor),
            post().to(routes::admin::settlements::export),
        ),
        (
            rule("POST", "/admin/settlements/paid", Supervisor),
            post().to(routes::admin::settlements::paid),
        ),
        (
            rule("POST", "/api/v1/settlements/{id}/paid", ApiToken),
            post().to(routes::api::settlements::paid),
        ),
        (
            rule("GET", "/admin/agents", Supervisor),
            get().to(routes::admin::agents_list),
        ),
        (
            rule("POST", "/admin/agents", Supervisor),
            post().to(routes::admin::agents_create),
        ),
        (
            rule("POST", "/admin/security", Supervisor),
            post().to(routes::admin::security_change),
        ),
        (
            rule("POST", "/admin/agents/{agent}", Supervisor),
            post().to(routes::admin::agents_change),
        ),
        (rule("GET", "/bulk", Agent), get().to(routes::bulk::choose)),
        (
            rule("POST", "/bulk/preview", Agent),
            post().to(routes::bulk::preview),
        ),
        (
            rule("GET", "/bulk/{id}", Agent),
            get().to(routes::bulk::show),
        ),
        (
            rule("POST", "/bulk/{id}/apply", Agent),
            post().to(routes::bulk::apply),
        ),
        (
            rule("GET", "/cases/{reference}", Agent),
            get().to(page::show),
        ),
        (
            rule("POST", "/cases/{reference}/claim", Agent),
            post().to(actions::claim),
        ),
        (
            rule("POST", "/cases/{reference}/apply-suggestion", Agent),
            post().to(actions::apply_suggestion),
        ),
        (
            rule("POST", "/cases/{reference}/assign", Supervisor),
            post().to(actions::assign),
        ),
        (
            rule("POST", "/cases/{reference}/reopen", Supervisor),
            post().to(actions::reopen),
        ),
        (
            rule("POST", "/cases/{reference}/reissue-order", Supervisor),
            post().to(actions::reissue_order),
        ),
        (
            rule("POST", "/cases/{reference}/notes", Agent),
            post().to(actions::note),
        ),
        (
            rule("POST", "/cases/{reference}/approve", Agent),
            post().to(actions::approve),
        ),
        (
            rule("POST", "/cases/{reference}/reject", Agent),
            post().to(actions::reject),
        ),
        (
            rule("POST", "/cases/{reference}/request-documents", Agent),
            post().to(actions::request_documents),
        ),
        (
            rule("POST", "/cases/{reference}/documents/{id}/verdict", Agent),
            post().to(actions::verdict),
        ),
        (
            rule("GET", "/cases/{reference}/documents/{id}", Agent),
            get().to(documents::show),
        ),
        (
            rule("POST", "/cases/{reference}/legal-hold", Supervisor),
            post().to(hold::change),
        ),
    ]
}

/// The rules alone (for the guard's documentation and the tests).
pub fn route_rules() -> Vec<RouteRule> {
    route_table().into_iter().map(|(rule, _)| rule).collect()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    for (rule, route) in route_table() {
        let route = match rule.access {
            Access::Supervisor => route.wrap(from_fn(guard::require_supervisor)),
            Access::Public | Access::Agent | Access::ApiToken | Access::MetricsToken => route,
        };
        cfg.route(rule.path, route);
    }
}

impl Application {
    pub async fn build(settings: Settings, pool: PgPool) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let key = match &settings.session_secret {
            // Decoded and length-checked when the settings were read.
            Some(secret) => secret.bytes().to_vec(),
            None => sessions::signing_key(&pool).await?,
        };
        anyhow::ensure!(
            key.len() >= 64,
            "the stored session key is shorter than 64 bytes"
        );
        let csrf_key = CsrfKey::derive(&key);
        let key = Key::from(&key);
        let keyring = crate::auth::keyring::Keyring::from_settings(&settings)?;
        crate::store::second_factor::seal_plaintext_at_start(&pool, &keyring).await?;
        let state = web::Data::new(AppState {
            tz: settings.tz()?,
            pool: pool.clone(),
            settings: settings.clone(),
            blobs: PgBlobStore,
            upload_slots: tokio::sync::Semaphore::new(UPLOADS_AT_ONCE),
            counts: std::sync::Mutex::new(None),
            agent_names: Default::default(),
            keyring,
            csrf_key,
            routes: RouteMap::new(route_rules()),
            draining: std::sync::atomic::AtomicBool::new(false),
            sessions: std::sync::Arc::default(),
        });
        let mut background = Background::default();
        state
            .sessions
            .spawn_listener(pool.clone(), background.signal())?;
        background.spawn(purge_sessions(pool.clone(), background.signal()));
        crate::telemetry::metrics::spawn_pool_sampler(pool.clone());
        if settings.background_jobs {
            let delivery = crate::notices::worker::Delivery::from_settings(&settings)?;
            background.spawn(crate::notices::worker::run(
                pool.clone(),
                delivery,
                std::time::Duration::from_secs(settings.notice_poll_seconds),
                background.signal(),
            ));
            background.spawn(crate::clock::run(
                pool.clone(),
                settings.clone(),
                background.signal(),
            ));
            background.spawn(crate::assist::run(
                pool.clone(),
                crate::assist::Assistant::from_settings(&settings)?,
                background.signal(),
            ));
            match crate::provisioning::webhook::Webhook::from_settings(&settings) {
                Some(webhook) => background.spawn(crate::provisioning::webhook::run(
                    pool.clone(),
                    webhook,
                    std::time::Duration::from_secs(settings.provisioning_poll_seconds),
                    background.signal(),
                )),
                None => tracing::info!(
                    "no provisioning webhook configured: due cancellation orders wait to be pulled"
                ),
            }
        }
        let metrics = match &settings.metrics_bind {
            Some(address) => Some(metrics_listener(address, pool.clone())?),
            None => None,
        };
        let app_state = state.clone();
        let grace = std::time::Duration::from_secs(settings.shutdown_grace_seconds);
        let workers = settings.workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
        });

        let server = HttpServer::new(move || {
            let cookie_name = if state.settings.cookie_secure {
                "__Host-canceldesk"
            } else {
                "canceldesk"
            };
            let idle = Duration::minutes(state.settings.session_idle_minutes);
            let store = PgSessionStore::new(state.pool.clone(), idle, state.sessions.clone());
            let session = SessionMiddleware::builder(store, key.clone())
                .cookie_name(cookie_name.into())
                .cookie_secure(state.settings.cookie_secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .session_lifecycle(
                    BrowserSession::default()
                        .state_ttl(idle)
                        // The store's load extends the idle timeout (cheaply); see PgSessionStore.
                        .state_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
                )
                .build();
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::FormConfig::default()
                        .limit(64 * 1024)
                        .error_handler(form_error),
                )
                .configure(routes)
                .default_service(web::to(routes::not_found))
                // Listed innermost first. A request meets, in order: the logger, its language, the
                // security headers, the session, the sign-in guard, the CSRF check, then the handler.
                .wrap(from_fn(csrf::verify_csrf))
                .wrap(from_fn(guard::require_agent))
                .wrap(session)
                .wrap(from_fn(crate::body_deadline::limit))
                .wrap(security_headers())
                // Only behind TLS: tells browsers never to use plain HTTP for this site again.
                .wrap(actix_web::middleware::Condition::new(
                    state.settings.cookie_secure,
                    DefaultHeaders::new().add((
                        "Strict-Transport-Security",
                        "max-age=31536000; includeSubDomains",
                    )),
                ))
                // The request's language, for every page and error page below (see
                // `routes::language`).
                .wrap(from_fn(routes::language::speak))
                // Outermost: the request's id, span, access-log line (the path only: query
                // strings can hold searched phone numbers or names) and metrics.
                .wrap(from_fn(crate::telemetry::request::track))
        })
        .workers(workers)
        .client_request_timeout(std::time::Duration::from_secs(
            settings.request_head_seconds,
        ))
        .keep_alive(std::time::Duration::from_secs(settings.keep_alive_seconds))
        .shutdown_timeout(settings.shutdown_grace_seconds)
        // SIGTERM and Ctrl-C are handled by `run_until_signalled`, which drains first.
        .disable_signals()
        .listen(listener)?
        .run();
        tracing::debug!(workers, grace = grace.as_secs(), "server built");
        Ok(Application {
            port,
            server,
            metrics,
            state: app_state,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// This instance's session cache (for tests of what it holds).
    pub fn session_cache(&self) -> std::sync::Arc<crate::store::session_cache::SessionCache> {
        self.state.sessions.clone()
    }

    /// The port of the separate metrics listener, when `metrics_bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// Serves until the server is stopped from elsewhere (the tests). Background jobs end with
    /// the runtime.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some((_, metrics)) = self.metrics {
            actix_web::rt::spawn(metrics);
        }
        self.server.await
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully: `/readyz` turns 503, the
    /// listener closes, in-flight requests get `shutdown_grace_seconds` to finish, background
    /// jobs finish their item and release their leases; then it returns (exit status 0).
    pub async fn run_until_signalled(self) -> anyhow::Result<()> {
        let Application {
            server,
            metrics,
            state,
            background,
            ..
        } = self;
        let handle = server.handle();
        let mut serving = actix_web::rt::spawn(server);
        let metrics_handle = metrics.map(|(_, server)| {
            let handle = server.handle();
            actix_web::rt::spawn(server);
            handle
        });
        tokio::select! {
            signal = stop_signal() => {
                let signal = signal?;
                tracing::info!(signal, "stopping: draining in-flight requests");
            }
            ended = &mut serving => {
                ended??;
                anyhow::bail!("the server stopped by itself");
            }
        }
        state
            .draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let grace = std::time::Duration::from_secs(state.settings.shutdown_grace_seconds);
        let (_, late) = tokio::join!(handle.stop(true), background.stop(grace));
        if let Some(handle) = metrics_handle {
            handle.stop(true).await;
        }
        serving.await??;
        if late > 0 {
            tracing::warn!(
                jobs = late,
                "background jobs did not stop within the grace period"
            );
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Waits for SIGTERM (a service manager) or SIGINT (Ctrl-C); names the one that came.
async fn stop_signal() -> anyhow::Result<&'static str> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = terminate.recv() => "SIGTERM",
        _ = interrupt.recv() => "SIGINT",
    })
}

/// `metrics_bind`: a listener of its own serving only `/metrics`, without a token.
fn metrics_listener(address: &str, pool: PgPool) -> anyhow::Result<(u16, Server)> {
    let listener =
        TcpListener::bind(address).with_context(|| format!("binding metrics_bind {address}"))?;
    let port = listener.local_addr()?.port();
    let pool = web::Data::new(pool);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .route("/metrics", web::get().to(routes::metrics::scrape_unguarded))
            .default_service(web::to(actix_web::HttpResponse::NotFound))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((port, server))
}

/// Form bodies: a body that did not arrive within `request_body_seconds` is answered 408
/// with the app's page; other form errors keep actix's answer.
fn form_error(
    error: actix_web::error::UrlencodedError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    match &error {
        actix_web::error::UrlencodedError::Payload(payload)
            if crate::body_deadline::is_too_slow(payload) =>
        {
            crate::body_deadline::form_timed_out().into()
        }
        _ => error.into(),
    }
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
             frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        // Pages show personal data: nothing may stay in a browser or proxy cache.
        .add(("Cache-Control", "no-store"))
}

/// Removes expired sessions and old sign-in failures every ten minutes until the process stops.
async fn purge_sessions(pool: PgPool, mut stop: StopSignal) {
    let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(600));
    while stop.sleep(&mut tick).await {
        let purged = sessions::purge_expired(&pool).await;
        if let Err(e) = &purged {
            tracing::warn!(error = %e, "purging expired sessions failed");
        }
        let failures = crate::store::sign_in::purge_old(&pool).await;
        if let Err(e) = &failures {
            tracing::warn!(error = %e, "purging old sign-in failures failed");
        }
        crate::telemetry::metrics::job_round("session_purge", purged.is_ok() && failures.is_ok());
    }
}
