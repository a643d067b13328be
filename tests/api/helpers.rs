//! Test harness: a migrated template database made once per run, a fresh copy of it per test,
//! the real app on a free port, and a cookie-keeping client that does not follow redirects.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use canceldesk::config::{SecretKeys, Settings};
use canceldesk::database;
use canceldesk::domain::agent::{Email, Role};
use canceldesk::startup::Application;
use canceldesk::store;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

pub const PASSWORD: &str = "a long test password";

/// The tests' own TOTP encryption key (never one generated into a data directory).
pub const TEST_TOTP_KEY: &str = "test:dGhlIHRlc3RzIG93biBUT1RQIGtleSwgMzIgYnl0ZXM=";

/// The server (without database) and the name of the migrated template, made once per process.
fn template() -> &'static (PgConnectOptions, String) {
    static TEMPLATE: OnceLock<(PgConnectOptions, String)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        // Own thread and runtime: each test has its own, and connections must not outlive them.
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(make_template())
        })
        .join()
        .expect("preparing the template database")
    })
}

/// The settings every test app starts from: the defaults plus the tests' own values, never the
/// developer's `canceldesk.toml` or `CANCELDESK_*` variables (an `smtp_host` there would send
/// real mail from `cargo test`). Tests change what they need through [`spawn_app_with`].
// Field assignments, not a struct literal: they keep compiling as `Settings` changes shape.
#[allow(clippy::field_reassign_with_default)]
pub fn test_settings() -> Settings {
    let mut settings = Settings::default();
    settings.bind = "127.0.0.1:0".into();
    settings.totp_keys = SecretKeys::new(vec![TEST_TOTP_KEY.into()]);
    settings.metrics_token = Some(canceldesk::config::Secret::new(TEST_METRICS_TOKEN));
    // As before workers became a setting: the same on any machine.
    settings.workers = Some(2);
    // Pages in English unless a test asks for another language (the shipped default is `id`).
    settings.default_locale = "en".into();
    settings
}

/// Prometheus' token in the tests' settings.
pub const TEST_METRICS_TOKEN: &str = "test-metrics-token-0123456789abcdef";

/// The settings that find the tests' PostgreSQL server, given the environment as a look-up:
/// `TEST_DATABASE_URL` when set, else the local server by `cargo run`'s rule (127.0.0.1:5432,
/// else the private cluster). `DATABASE_URL` is deliberately not read: it names the developer's
/// own database, and the tests create and drop databases on the server they are given.
pub fn database_settings(env: impl Fn(&str) -> Option<String>) -> Settings {
    let mut settings = test_settings();
    settings.database_url = env("TEST_DATABASE_URL").filter(|url| !url.is_empty());
    settings
}

async fn make_template() -> (PgConnectOptions, String) {
    let settings = database_settings(|name| std::env::var(name).ok());
    let (server, _) = database::server_options(&settings)
        .await
        .expect("a PostgreSQL server");
    let server = server.database("postgres");
    // The template's name follows the migrations, so a changed migration gets a new template.
    let name = format!("canceldesk_tpl_{:016x}", migrations_fingerprint());
    let mut conn = PgConnection::connect_with(&server)
        .await
        .expect("connecting to PostgreSQL");
    sqlx::query("SELECT pg_advisory_lock(4242)")
        .execute(&mut conn)
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    if !exists {
        let building = format!("{name}_building");
        exec(&mut conn, &format!("DROP DATABASE IF EXISTS {building}")).await;
        exec(&mut conn, &format!("CREATE DATABASE {building}")).await;
        let pool = database::pool(server.clone().database(&building), 2)
            .await
            .unwrap();
        database::MIGRATOR.run(&pool).await.expect("migrations");
        pool.close().await;
        exec(
            &mut conn,
            &format!("ALTER DATABASE {building} RENAME TO {name}"),
        )
        .await;
    }
    // Databases of earlier runs (named with their creation time) older than an hour.
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cd\\_test\\_%'
           AND split_part(datname, '_', 3)::bigint < extract(epoch FROM now())::bigint - 3600",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for db in stale {
        exec(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        )
        .await;
    }
    sqlx::query("SELECT pg_advisory_unlock(4242)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    (server, name)
}

/// FNV-1a of bytes, continuing from `hash`: names databases after what they were built from.
pub fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

fn migrations_fingerprint() -> u64 {
    database::MIGRATOR
        .iter()
        .fold(0xcbf29ce484222325, |h, m| fnv1a(h, &m.checksum))
}

/// A database made once from the migrated template by `seed`, then shared read-only by every
/// test and run that asks for the same `label` and `inputs` (what the seed depends on, e.g. its
/// SQL) on the same day: demo data is dated relative to today. Older ones are dropped.
pub async fn shared_database(
    label: &str,
    inputs: &[&str],
    seed: impl AsyncFnOnce(&PgPool),
) -> PgPool {
    let (server, template) = template();
    let today = chrono::Utc::now().date_naive().to_string();
    let key = inputs
        .iter()
        .chain([&today.as_str()])
        .fold(migrations_fingerprint(), |h, input| {
            fnv1a(h, input.as_bytes())
        });
    let prefix = format!("canceldesk_{label}_");
    let name = format!("{prefix}{key:016x}");
    let mut conn = PgConnection::connect_with(server).await.unwrap();
    // One seeder at a time; the others wait and then find the database made.
    sqlx::query("SELECT pg_advisory_lock(4243)")
        .execute(&mut conn)
        .await
        .unwrap();
    let existing: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(&prefix)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    for old in existing.iter().filter(|db| **db != name) {
        exec(
            &mut conn,
            &format!("DROP DATABASE IF EXISTS {old} WITH (FORCE)"),
        )
        .await;
    }
    if !existing.contains(&name) {
        let building = format!("cd_building_{label}");
        exec(&mut conn, &format!("DROP DATABASE IF EXISTS {building}")).await;
        exec(
            &mut conn,
            &format!("CREATE DATABASE {building} TEMPLATE {template}"),
        )
        .await;
        let pool = database::pool(server.clone().database(&building), 5)
            .await
            .unwrap();
        seed(&pool).await;
        pool.close().await;
        exec(
            &mut conn,
            &format!("ALTER DATABASE {building} RENAME TO {name}"),
        )
        .await;
    }
    sqlx::query("SELECT pg_advisory_unlock(4243)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    let read_only = server
        .clone()
        .database(&name)
        .options([("default_transaction_read_only", "on")]);
    database::pool(read_only, 5).await.unwrap()
}

async fn exec(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// An argon2id hash of [`PASSWORD`], computed once: hashing costs tens of milliseconds.
async fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    if let Some(h) = HASH.get() {
        return h.clone();
    }
    let h = canceldesk::auth::password::hash(PASSWORD.into())
        .await
        .unwrap();
    HASH.get_or_init(|| h).clone()
}

pub struct TestApp {
    pub address: String,
    pub pool: PgPool,
    pub settings: Settings,
    /// `http://127.0.0.1:port` of the separate metrics listener, when `metrics_bind` is set.
    pub metrics_address: Option<String>,
    /// A URL of this test's database, for a second process of the app.
    pub database_url: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// The app with some settings changed (e.g. a small bulk batch size).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (server, template) = template();
    let name = format!(
        "cd_test_{}_{:08x}",
        chrono::Utc::now().timestamp(),
        rand::random::<u32>()
    );
    let mut conn = PgConnection::connect_with(server).await.unwrap();
    exec(
        &mut conn,
        &format!("CREATE DATABASE {name} TEMPLATE {template}"),
    )
    .await;
    conn.close().await.ok();
    let pool = database::pool(server.clone().database(&name), 5)
        .await
        .unwrap();
    let mut settings = test_settings();
    adjust(&mut settings);
    let app = Application::build(settings.clone(), pool.clone())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_address = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    actix_web::rt::spawn(app.run_until_stopped());
    let database_url = format!(
        "postgres://{}@{}:{}/{name}",
        server.get_username(),
        server.get_host(),
        server.get_port()
    );
    TestApp {
        address,
        pool,
        settings,
        metrics_address,
        database_url,
    }
}

/// Today plus `days`, as forms and the API want a date (`2026-03-01`).
pub fn in_days(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// A form date (`2026-03-01`) as notices and pages write it (`1 March 2026`).
pub fn long_date(day: &str) -> String {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .format("%-d %B %Y")
        .to_string()
}

pub struct TestAgent {
    pub id: i64,
    pub email: String,
}

impl TestApp {
    pub async fn agent(&self, name: &str, role: Role) -> TestAgent {
        let email = format!("{}@desk.test", name.to_lowercase().replace(' ', "."));
        let id = store::agents::create(
            &self.pool,
            &Email::parse(&email).unwrap(),
            name,
            role,
            &password_hash().await,
        )
        .await
        .unwrap();
        TestAgent { id: id.0, email }
    }

    pub fn client(&self) -> Browser {
        Browser {
            base: self.address.clone(),
            client: awc::Client::builder().disable_redirects().finish(),
            cookies: RefCell::new(BTreeMap::new()),
            bearer: RefCell::new(None),
        }
    }

    /// A browser signed in as a new agent with this name and role.
    pub async fn signed_in(&self, name: &str, role: Role) -> (Browser, TestAgent) {
        let agent = self.agent(name, role).await;
        let browser = self.client();
        let response = browser.login(&agent.email, PASSWORD).await;
        assert_eq!(response.status, 303, "signing in {name}: {}", response.body);
        (browser, agent)
    }

    /// [`NewCase::default`] in review, assigned to a new signed-in agent.
    pub async fn case_in_review(&self) -> (Browser, TestAgent) {
        let (browser, me) = self.signed_in("Ana Agent", Role::Agent).await;
        insert_case(
            &self.pool,
            NewCase {
                state: "in_review",
                assignee: Some(me.id),
                ..NewCase::default()
            },
        )
        .await;
        (browser, me)
    }

    /// Seeds demo cases through the app's own generator.
    pub async fn demo_cases(&self, n: i64) {
        canceldesk::seed::demo(&self.pool, n, &self.settings)
            .await
            .unwrap();
    }
}

pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// Texts of the elements matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html()
            .select(&sel)
            .map(|e| {
                // Text nodes joined by spaces: adjacent cells must not run together.
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html()
            .select(&sel)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    pub fn csrf(&self) -> String {
        self.attr("input[name=csrf_token]", "value")
            .into_iter()
            .next()
            .expect("a form with a CSRF token")
    }

    /// The page's first form field value by name (hidden version fields and the like).
    pub fn field(&self, name: &str) -> String {
        self.attr(&format!("input[name={name}]"), "value")
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    pub fn assert_redirects_to(&self, location: &str) {
        assert_eq!(self.status, 303, "expected a redirect, got: {}", self.body);
        assert_eq!(self.location.as_deref(), Some(location));
    }
}

/// A client that keeps cookies like a browser and does not follow redirects.
pub struct Browser {
    base: String,
    client: awc::Client,
    pub cookies: RefCell<BTreeMap<String, String>>,
    /// Sent as `Authorization: Bearer …` when set (another system, not a person).
    pub bearer: RefCell<Option<String>>,
}

impl Browser {
    /// A browser for a server at `base` (e.g. a second process of the app).
    pub fn new(base: &str) -> Browser {
        Browser {
            base: base.to_owned(),
            client: awc::Client::builder().disable_redirects().finish(),
            cookies: RefCell::new(BTreeMap::new()),
            bearer: RefCell::new(None),
        }
    }

    fn authorization(&self) -> String {
        match self.bearer.borrow().as_deref() {
            Some(token) => format!("Bearer {token}"),
            None => String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(
        &self,
        mut response: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
    ) -> Response {
        for value in response.headers().get_all("set-cookie") {
            let raw = value.to_str().unwrap();
            let pair = raw.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let expired = raw.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
            if expired {
                self.cookies.borrow_mut().remove(name);
            } else {
                self.cookies.borrow_mut().insert(name.into(), value.into());
            }
        }
        let body = response.body().limit(20 * 1024 * 1024).await.unwrap();
        Response {
            status: response.status().as_u16(),
            location: response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned()),
            headers: response.headers().clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .insert_header(("cookie", self.cookie_header()))
            .insert_header(("authorization", self.authorization()));
        let response = request.send().await.unwrap();
        self.finish(response).await
    }

    /// A GET with one more header (e.g. `Accept-Language`).
    pub async fn get_with_header(&self, path: &str, header: (&str, &str)) -> Response {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .insert_header(("cookie", self.cookie_header()))
            .insert_header(header);
        let response = request.send().await.unwrap();
        self.finish(response).await
    }

    /// Posts a form as a browser would (fields in order, repeated names allowed).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body = serde_html_form::to_string(fields).unwrap();
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .insert_header(("cookie", self.cookie_header()))
            .insert_header(("authorization", self.authorization()))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .send_body(body)
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Posts a `multipart/form-data` form: text fields, then files as (field, file name, bytes).
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Response {
        let (content_type, body) = multipart_body(fields, files);
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .insert_header(("cookie", self.cookie_header()))
            .insert_header(("authorization", self.authorization()))
            .insert_header(("content-type", content_type))
            .send_body(body)
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let page = self.get("/login").await;
        let token = page.csrf();
        self.post(
            "/login",
            &[
                ("csrf_token", &token),
                ("email", email),
                ("password", password),
                ("next", "/queue"),
            ],
        )
        .await
    }

    /// Posts a case-page form with the page's CSRF token and the version it shows.
    pub async fn act(&self, reference: &str, action: &str, fields: &[(&str, &str)]) -> Response {
        let page = self.get(&format!("/cases/{reference}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let token = page.csrf();
        let version = page.field("version");
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token), ("version", &version)];
        all.extend_from_slice(fields);
        self.post(&format!("/cases/{reference}/{action}"), &all)
            .await
    }
}

/// A case's state as the database has it, to show that a refused action changed nothing.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub state: String,
    pub version: i32,
    pub assignee: Option<i64>,
    pub events: i64,
    pub verdicts: Vec<String>,
}

pub async fn snapshot(pool: &PgPool, reference: &str) -> Snapshot {
    let (state, version, assignee, events): (String, i32, Option<i64>, i64) = sqlx::query_as(
        "SELECT state, version, assignee_id, (SELECT count(*) FROM case_events e WHERE e.case_id = c.id)
         FROM cases c WHERE reference = $1",
    )
    .bind(reference)
    .fetch_one(pool)
    .await
    .unwrap();
    let verdicts = sqlx::query_scalar(
        "SELECT d.verdict FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = $1 ORDER BY d.id",
    )
    .bind(reference)
    .fetch_all(pool)
    .await
    .unwrap();
    Snapshot {
        state,
        version,
        assignee,
        events,
        verdicts,
    }
}

/// Inserts one case directly, with an identity-card image, for tests that need exact data.
#[derive(Clone, Copy)]
pub struct NewCase<'a> {
    pub reference: &'a str,
    pub name: &'a str,
    pub msisdn: &'a str,
    pub state: &'a str,
    pub assignee: Option<i64>,
    pub channel: &'a str,
    pub reason: &'a str,
    pub due_in_hours: i64,
}

impl Default for NewCase<'_> {
    fn default() -> Self {
        NewCase {
            reference: "CX-TEST-CASE",
            name: "Siti Rahayu",
            msisdn: "+6283812345678",
            state: "submitted",
            assignee: None,
            channel: "web",
            reason: "switching_operator",
            due_in_hours: 24,
        }
    }
}

pub async fn insert_case(pool: &PgPool, case: NewCase<'_>) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (reference, state, channel, customer_name, customer_nik, contact_email,
            preferred_contact, msisdn, account_number, line_type, activation_date, min_term_end,
            etf_minor, balance_minor, reason, settlement, refund_bank, refund_account,
            requested_effective_date, consent, submitted_at, sla_due_at, assignee_id)
         VALUES ($1, $2, $3, $4, '3174011203850001', 'siti@example.com', 'email', $5, 'ACC-1',
            'postpaid', '2024-01-10', current_date + 90, 25000000, 1500000, $6, 'refund', 'BCA',
            '0123456789', current_date + 7, true, now() - interval '2 hours',
            now() + make_interval(hours => $7), $8)
         RETURNING id",
    )
    .bind(case.reference)
    .bind(case.state)
    .bind(case.channel)
    .bind(case.name)
    .bind(case.msisdn)
    .bind(case.reason)
    .bind(case.due_in_hours as i32)
    .bind(case.assignee)
    .fetch_one(pool)
    .await
    .unwrap();
    let png = b"\x89PNG\r\n\x1a\nnot really an image but sniffed as one".to_vec();
    let mut conn = pool.acquire().await.unwrap();
    let doc = store::documents::NewDocument {
        kind: canceldesk::domain::document::DocumentKind::IdentityCard,
        file_name: "ktp.png",
        media_type: canceldesk::domain::document::MediaType::Png,
        bytes: &png,
        uploaded_by: None,
    };
    store::documents::attach(&mut conn, &canceldesk::store::blobs::PgBlobStore, id, &doc)
        .await
        .unwrap();
    id
}

pub async fn document_id(pool: &PgPool, reference: &str) -> i64 {
    sqlx::query_scalar("SELECT d.id FROM documents d JOIN cases c ON c.id = d.case_id WHERE c.reference = $1 ORDER BY d.id LIMIT 1")
        .bind(reference)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A multipart body as browsers send it; returns the content type (with boundary) and the bytes.
pub fn multipart_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----canceldesk-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The real `canceldesk` binary serving a test's database, started with a clean environment
/// (`env_clear`): the developer's `CANCELDESK_*`, `DATABASE_URL` or `RUST_LOG` never reach it.
pub struct AppProcess {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// What it printed up to the "running at" line.
    started: String,
    pub url: String,
}

impl TestApp {
    /// Another instance of the app on this test's database (its own workers, jobs and session
    /// cache): its address and its session cache, once the cache listens for announcements.
    pub async fn second_instance(
        &self,
    ) -> (
        String,
        std::sync::Arc<canceldesk::store::session_cache::SessionCache>,
    ) {
        let app = Application::build(self.settings.clone(), self.pool.clone())
            .await
            .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        let cache = app.session_cache();
        actix_web::rt::spawn(app.run_until_stopped());
        for _ in 0..200 {
            if cache.is_listening() {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(cache.is_listening(), "the second instance listens");
        (address, cache)
    }

    /// Starts `canceldesk serve` on this test's database with logging at `log` (e.g. `debug`).
    pub fn start_binary(&self, log: &str) -> AppProcess {
        self.start_binary_with(log, &[])
    }

    /// [`start_binary`](Self::start_binary) with more `CANCELDESK_*` settings.
    pub fn start_binary_with(&self, log: &str, settings: &[(&str, &str)]) -> AppProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_canceldesk"))
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", &self.database_url)
            .env("CANCELDESK_BIND", "127.0.0.1:0")
            .env("CANCELDESK_LOG", log)
            // Its own key, or it would generate one into the working directory's data dir.
            .env("CANCELDESK_TOTP_KEYS", format!("[\"{TEST_TOTP_KEY}\"]"))
            .envs(settings.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the canceldesk binary");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut started = String::new();
        let url = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let mut stderr = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr)
                    .ok();
                panic!("the server did not start: {started}{stderr}");
            }
            started.push_str(&line);
            if let Some(rest) = line.split("running at ").nth(1) {
                break rest.trim().trim_end_matches('/').to_owned();
            }
        };
        AppProcess {
            child,
            stdout,
            started,
            url,
        }
    }
}

impl AppProcess {
    /// Stops the server and returns everything it printed (stdout, then stderr).
    pub fn stop(mut self) -> String {
        self.child.kill().unwrap();
        let mut output = std::mem::take(&mut self.started);
        self.stdout.read_to_string(&mut output).unwrap();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut output)
            .unwrap();
        self.child.wait().unwrap();
        output
    }
}

impl AppProcess {
    /// Sends SIGTERM, waits for the process to end (at most `within`), and returns its exit
    /// code (`None`: killed by a signal or still running at the deadline) and what it printed.
    pub fn terminate(mut self, within: std::time::Duration) -> (Option<i32>, String) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + within;
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code();
            }
            if std::time::Instant::now() > deadline {
                self.child.kill().ok();
                self.child.wait().ok();
                break None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut output = std::mem::take(&mut self.started);
        self.stdout.read_to_string(&mut output).unwrap();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut output).unwrap();
        }
        (code, output)
    }
}

impl Drop for AppProcess {
    /// A failing test must not leave the server running.
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
