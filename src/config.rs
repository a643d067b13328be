//! Typed settings: defaults, then an optional TOML file, then `CANCELDESK_*` environment variables.

use std::path::PathBuf;

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address and port to listen on. Port 0 picks a free port (the tests do).
    pub bind: String,
    /// The PostgreSQL database. Unset: a local server is found or started (see `database`).
    /// The conventional `DATABASE_URL` is read too.
    pub database_url: Option<String>,
    /// Where a private PostgreSQL cluster lives when no server answers on 127.0.0.1:5432.
    pub data_dir: PathBuf,
    /// Port of that private cluster.
    pub private_pg_port: u16,
    /// `auto` (use 127.0.0.1:5432 when it answers, else a private cluster) or `private`.
    pub local_postgres: String,
    /// Name of the database on a local server.
    pub database_name: String,
    pub db_max_connections: u32,
    /// Mark cookies `Secure` (and `__Host-` prefixed); turn on when served over TLS.
    pub cookie_secure: bool,
    /// Cookie signing key (at least 64 bytes, base64). Unset: generated once and kept in the database.
    pub session_secret: Option<String>,
    /// A session ends after this many minutes without a request...
    pub session_idle_minutes: i64,
    /// ...and at the latest this many hours after sign-in.
    pub session_absolute_hours: i64,
    /// IANA time zone in which the desk reads times.
    pub time_zone: String,
    /// The market's country calling code, for reading phone numbers typed nationally.
    pub country_code: String,
    /// E.164 prefixes of the operator's own mobile ranges.
    pub operator_prefixes: Vec<String>,
    /// Hours within which the desk decides a case (service level).
    pub sla_hours: i64,
    /// Default deadline, in days, offered when requesting documents.
    pub documents_deadline_days: i64,
    /// Most cases one bulk action may select.
    pub bulk_max_cases: i64,
    /// Cases per transaction when a bulk action is applied.
    pub bulk_batch_size: i64,
    /// Reverse proxies of our own in front of the app (each appends to `X-Forwarded-For`); 0
    /// when clients connect directly. Client addresses (throttles, audit) are read accordingly.
    pub trusted_proxies: usize,
    /// Largest accepted upload, per file, in bytes (refused while streaming, with 413).
    pub upload_max_bytes: usize,
    /// Most files one form or API request may carry.
    pub upload_max_files: usize,
    /// Base URL of the public site, used in links sent to customers (`{public_url}/upload/{token}`).
    pub public_url: String,
    /// SMTP server for e-mail notices. Unset: e-mail notices are stored but marked "no gateway".
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// Sender of notices, e.g. `Canceldesk <no-reply@example.com>`.
    pub smtp_from: String,
    /// `starttls` (upgrade a plain connection, usually port 587), `tls` (TLS from the start,
    /// usually 465) or `none` (plain text: only for a relay on the same host or network).
    pub smtp_tls: String,
    /// Delivery attempts of one notice before it is marked failed.
    pub notice_max_attempts: i32,
    /// How often the notice worker looks for notices to deliver.
    pub notice_poll_seconds: u64,
    /// A reminder goes out this many hours before a document request's deadline.
    pub documents_reminder_hours: i64,
    /// How often the reminder and expiry jobs run.
    pub clock_interval_seconds: u64,
    /// Run the notice worker and the documents clock in this process (several may run at once).
    pub background_jobs: bool,
    /// Days after a case became final (see `domain::retention`) before the bytes of its
    /// documents are removed, unless a supervisor holds the case.
    pub document_retention_days: i64,
    /// Seconds a request carrying files (the web form, an upload link, the intake API) may take
    /// to send its whole body; a slower one is answered 408 and its upload slot freed, so slow
    /// senders cannot hold every slot.
    pub upload_body_seconds: u64,
    /// Seconds the content check of one file may take before the file is refused.
    pub upload_check_seconds: u64,
    /// Keys encrypting TOTP secrets at rest, as `id:base64-of-32-bytes`; the first encrypts, all
    /// decrypt. Empty: a key generated once into `<data_dir>/totp-key` (with a warning).
    pub totp_keys: SecretKeys,
    /// A one-time password set by a supervisor stops working this many hours after it was set.
    pub temporary_password_hours: i64,
}

/// Secret configuration values: never shown by `Debug` (settings are logged at times).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretKeys(Vec<String>);

impl SecretKeys {
    pub fn new(entries: Vec<String>) -> SecretKeys {
        SecretKeys(entries)
    }

    pub fn entries(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKeys({} redacted)", self.0.len())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from(".canceldesk"),
            private_pg_port: 54329,
            local_postgres: "auto".into(),
            database_name: "canceldesk".into(),
            db_max_connections: 10,
            cookie_secure: false,
            session_secret: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            time_zone: "Asia/Jakarta".into(),
            country_code: "62".into(),
            operator_prefixes: ["+62831", "+62832", "+62833", "+62838"]
                .map(String::from)
                .to_vec(),
            sla_hours: 48,
            documents_deadline_days: 14,
            bulk_max_cases: 100_000,
            bulk_batch_size: 1_000,
            trusted_proxies: 0,
            upload_max_bytes: 10 * 1024 * 1024,
            upload_max_files: 5,
            public_url: "http://127.0.0.1:8080".into(),
            smtp_host: None,
            smtp_port: 587,
            smtp_username: None,
            smtp_password: None,
            smtp_from: "Canceldesk <no-reply@canceldesk.invalid>".into(),
            smtp_tls: "starttls".into(),
            notice_max_attempts: 6,
            notice_poll_seconds: 10,
            documents_reminder_hours: 48,
            clock_interval_seconds: 300,
            background_jobs: true,
            document_retention_days: 90,
            // A 10 MiB scan over a slow mobile link (about 1 Mbit/s) takes some 85 s.
            upload_body_seconds: 120,
            upload_check_seconds: 5,
            totp_keys: SecretKeys::default(),
            temporary_password_hours: 72,
        }
    }
}

impl Settings {
    /// Reads `CANCELDESK_CONFIG` (or `canceldesk.toml` when present), then the environment.
    pub fn load() -> anyhow::Result<Settings> {
        let file = std::env::var("CANCELDESK_CONFIG").unwrap_or_else(|_| "canceldesk.toml".into());
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if std::path::Path::new(&file).exists() {
            figment = figment.merge(Toml::file(&file));
        }
        let mut settings: Settings = figment
            .merge(Env::prefixed("CANCELDESK_").ignore(&["config", "password"]))
            .extract()?;
        if settings.database_url.is_none() {
            settings.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
        }
        settings.public_url = settings.public_url.trim_end_matches('/').to_owned();
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        self.tz()?;
        anyhow::ensure!(self.sla_hours > 0, "sla_hours must be positive");
        anyhow::ensure!(self.bulk_max_cases > 0, "bulk_max_cases must be positive");
        anyhow::ensure!(self.bulk_batch_size > 0, "bulk_batch_size must be positive");
        anyhow::ensure!(
            self.upload_max_bytes > 0,
            "upload_max_bytes must be positive"
        );
        anyhow::ensure!(
            (1..=20).contains(&self.upload_max_files),
            "upload_max_files must be between 1 and 20"
        );
        anyhow::ensure!(
            self.session_idle_minutes > 0,
            "session_idle_minutes must be positive"
        );
        anyhow::ensure!(
            self.session_absolute_hours > 0,
            "session_absolute_hours must be positive"
        );
        anyhow::ensure!(
            self.country_code.bytes().all(|b| b.is_ascii_digit()) && !self.country_code.is_empty(),
            "country_code is digits only, e.g. 62"
        );
        anyhow::ensure!(
            self.public_url.starts_with("http://") || self.public_url.starts_with("https://"),
            "public_url starts with http:// or https://"
        );
        anyhow::ensure!(
            matches!(self.smtp_tls.as_str(), "starttls" | "tls" | "none"),
            "smtp_tls is starttls, tls or none"
        );
        anyhow::ensure!(
            self.notice_max_attempts > 0,
            "notice_max_attempts must be positive"
        );
        anyhow::ensure!(
            self.notice_poll_seconds > 0 && self.clock_interval_seconds > 0,
            "notice_poll_seconds and clock_interval_seconds must be positive"
        );
        anyhow::ensure!(
            self.documents_reminder_hours >= 0,
            "documents_reminder_hours cannot be negative"
        );
        anyhow::ensure!(
            self.document_retention_days > 0,
            "document_retention_days must be positive"
        );
        anyhow::ensure!(
            self.upload_body_seconds > 0 && self.upload_check_seconds > 0,
            "upload_body_seconds and upload_check_seconds must be positive"
        );
        anyhow::ensure!(
            self.temporary_password_hours > 0,
            "temporary_password_hours must be positive"
        );
        if !self.totp_keys.is_empty() {
            crate::auth::keyring::Keyring::parse(self.totp_keys.entries())?;
        }
        Ok(())
    }

    /// The retention period of documents (validated positive at load).
    pub fn retention_period(&self) -> crate::domain::retention::RetentionPeriod {
        crate::domain::retention::RetentionPeriod::days(self.document_retention_days)
            .unwrap_or_else(|| crate::domain::retention::RetentionPeriod::days(90).expect("90 > 0"))
    }

    pub fn tz(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.time_zone
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone {:?}", self.time_zone))
    }
}
