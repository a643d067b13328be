//! Typed settings: defaults, then an optional TOML file, then `CANCELDESK_*` environment variables.

use std::path::PathBuf;

use base64::Engine;
use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;

/// Every field has a default (`#[serde(default)]`), so a file or the environment only names what
/// it changes; an unknown key in the file is an error naming it (`deny_unknown_fields`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    pub local_postgres: LocalPostgres,
    /// Name of the database on a local server.
    pub database_name: String,
    pub db_max_connections: u32,
    /// Mark cookies `Secure` (and `__Host-` prefixed); turn on when served over TLS.
    pub cookie_secure: bool,
    /// Cookie signing key (at least 64 bytes, base64). Unset: generated once and kept in the database.
    pub session_secret: Option<SessionKey>,
    /// A session ends after this many minutes without a request...
    pub session_idle_minutes: i64,
    /// ...and at the latest this many hours after sign-in.
    pub session_absolute_hours: i64,
    /// IANA time zone in which the desk reads times.
    pub time_zone: String,
    /// The market's country calling code, for reading phone numbers typed nationally.
    pub country_code: String,
    /// The language of a page when neither a choice (cookie, account) nor the browser's
    /// `Accept-Language` names one we have: `id`, `en` or `zh-CN`.
    pub default_locale: String,
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
    pub smtp_password: Option<Secret>,
    /// Sender of notices, e.g. `Canceldesk <no-reply@example.com>`.
    pub smtp_from: String,
    /// How the SMTP connection is protected (see `SmtpTls`).
    pub smtp_tls: SmtpTls,
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
    /// Provisioning's webhook: due cancellation orders are POSTed here, signed. Unset: orders
    /// wait for provisioning to pull them (`GET /api/v1/orders?status=due`).
    pub provisioning_webhook_url: Option<String>,
    /// The secret shared with the webhook's receiver (HMAC-SHA256 key, at least 32 characters).
    pub provisioning_webhook_secret: Option<Secret>,
    /// Seconds one delivery may take (connecting included) before it counts as failed.
    pub provisioning_timeout_seconds: u64,
    /// Hours a due order is retried (exponential backoff with jitter) before it is marked
    /// failed, for a supervisor to re-issue.
    pub provisioning_retry_hours: i64,
    /// How often the webhook worker looks for due orders.
    pub provisioning_poll_seconds: u64,
    /// Seconds the OCR engine may spend on one identity-card file before it is stopped.
    pub ocr_time_limit_seconds: u64,
    /// Threads serving requests. Unset: one per core of the machine.
    pub workers: Option<usize>,
    /// Seconds a client may take to send a request's line and headers (else 408).
    pub request_head_seconds: u64,
    /// Seconds a client may take to send a body without files (forms); bodies that may carry
    /// files (multipart, JSON) get `upload_body_seconds`.
    pub request_body_seconds: u64,
    /// Seconds an idle keep-alive connection stays open.
    pub keep_alive_seconds: u64,
    /// After SIGTERM (or Ctrl-C): seconds in-flight requests get to finish and background jobs
    /// to finish their item and release their leases, before the process exits anyway.
    pub shutdown_grace_seconds: u64,
    /// `text` (the default) or `json` (one object per line, for a log collector).
    pub log_format: LogFormat,
    /// This server's name among several: sent as `X-Canceldesk-Instance` and in every log line.
    /// Empty: no header.
    pub instance_name: String,
    /// `GET /metrics` on the main listener answers only `Authorization: Bearer <metrics_token>`.
    pub metrics_token: Option<Secret>,
    /// A separate listen address serving only `/metrics`, without a token (bind it to a private
    /// interface). With neither this nor `metrics_token`, `/metrics` answers 404.
    pub metrics_bind: Option<String>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// `name=value` fields after the message, for people.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Secret configuration values: never shown by `Debug` (settings are logged at times).
#[derive(Clone, Default, Deserialize)]
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

/// Where the database lives when no `database_url` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalPostgres {
    /// 127.0.0.1:5432 when it answers and lets us in, else a private cluster.
    Auto,
    /// Always the private cluster under `data_dir`.
    Private,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Upgrade a plain connection (usually port 587).
    Starttls,
    /// TLS from the start (usually port 465).
    Tls,
    /// Plain text: only for a relay on the same host or network.
    None,
}

/// A secret text setting (a password): `Debug` never shows it, so printing the settings is safe.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value itself, for the one place that hands it on (never to a log).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// The cookie signing key, decoded from base64 when the settings are read: a value that is not
/// base64 or shorter than `SessionKey::MIN_BYTES` never gets past loading.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct SessionKey(Vec<u8>);

impl SessionKey {
    /// actix-web's `Key` (signing plus encryption) needs 64 bytes.
    pub const MIN_BYTES: usize = 64;

    pub fn parse(base64: &str) -> anyhow::Result<SessionKey> {
        // The message never repeats the value: it is the key.
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(base64.trim())
            .map_err(|_| anyhow::anyhow!("session_secret is not base64"))?;
        anyhow::ensure!(
            bytes.len() >= Self::MIN_BYTES,
            "session_secret must be at least {} bytes (it has {})",
            Self::MIN_BYTES,
            bytes.len()
        );
        Ok(SessionKey(bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<String> for SessionKey {
    type Error = String;

    fn try_from(value: String) -> Result<SessionKey, String> {
        SessionKey::parse(&value).map_err(|e| e.to_string())
    }
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(redacted)")
    }
}

/// The settings' keys, for reading them from `CANCELDESK_*` variables: only these are taken from
/// the environment, so variables that are not settings (`CANCELDESK_LOG`, `CANCELDESK_CONFIG`,
/// `CANCELDESK_PASSWORD`) are left alone. A unit test keeps the list equal to the fields.
pub const KEYS: &[&str] = &[
    "bind",
    "database_url",
    "data_dir",
    "private_pg_port",
    "local_postgres",
    "database_name",
    "db_max_connections",
    "cookie_secure",
    "session_secret",
    "session_idle_minutes",
    "session_absolute_hours",
    "time_zone",
    "country_code",
    "default_locale",
    "operator_prefixes",
    "sla_hours",
    "documents_deadline_days",
    "bulk_max_cases",
    "bulk_batch_size",
    "trusted_proxies",
    "upload_max_bytes",
    "upload_max_files",
    "public_url",
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "smtp_password",
    "smtp_from",
    "smtp_tls",
    "notice_max_attempts",
    "notice_poll_seconds",
    "documents_reminder_hours",
    "clock_interval_seconds",
    "background_jobs",
    "document_retention_days",
    "upload_body_seconds",
    "upload_check_seconds",
    "totp_keys",
    "temporary_password_hours",
    "provisioning_webhook_url",
    "provisioning_webhook_secret",
    "provisioning_timeout_seconds",
    "provisioning_retry_hours",
    "provisioning_poll_seconds",
    "ocr_time_limit_seconds",
    "workers",
    "request_head_seconds",
    "request_body_seconds",
    "keep_alive_seconds",
    "shutdown_grace_seconds",
    "log_format",
    "instance_name",
    "metrics_token",
    "metrics_bind",
];

/// `CANCELDESK_*` variables read elsewhere, which are not settings.
const NOT_SETTINGS: &[&str] = &["config", "password", "log"];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: None,
            data_dir: PathBuf::from(".canceldesk"),
            private_pg_port: 54329,
            local_postgres: LocalPostgres::Auto,
            database_name: "canceldesk".into(),
            db_max_connections: 10,
            cookie_secure: false,
            session_secret: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            time_zone: "Asia/Jakarta".into(),
            country_code: "62".into(),
            default_locale: "id".into(),
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
            smtp_tls: SmtpTls::Starttls,
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
            provisioning_webhook_url: None,
            provisioning_webhook_secret: None,
            provisioning_timeout_seconds: 10,
            provisioning_retry_hours: 24,
            provisioning_poll_seconds: 10,
            ocr_time_limit_seconds: 20,
            workers: None,
            request_head_seconds: 5,
            request_body_seconds: 30,
            keep_alive_seconds: 5,
            shutdown_grace_seconds: 30,
            log_format: LogFormat::Text,
            instance_name: String::new(),
            metrics_token: None,
            metrics_bind: None,
        }
    }
}

impl Settings {
    /// Reads `CANCELDESK_CONFIG` (or `canceldesk.toml` when present), then the environment, and
    /// validates the result: an error names the setting at fault.
    pub fn load() -> anyhow::Result<Settings> {
        let file = match std::env::var("CANCELDESK_CONFIG") {
            // Named explicitly: a missing file is a mistake, not "no file".
            Ok(file) => {
                anyhow::ensure!(
                    std::path::Path::new(&file).is_file(),
                    "CANCELDESK_CONFIG names {file:?}, which is not a file"
                );
                Some(file)
            }
            Err(_) => {
                Some("canceldesk.toml".to_owned()).filter(|f| std::path::Path::new(f).is_file())
            }
        };
        let mut figment = Figment::new();
        if let Some(file) = &file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let figment = figment.merge(Env::prefixed("CANCELDESK_").only(KEYS));
        let mut settings = Settings::from_figment(&figment)?;
        if settings.database_url.is_none() {
            settings.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
        }
        settings.public_url = settings.public_url.trim_end_matches('/').to_owned();
        settings.validate()?;
        Ok(settings)
    }

    /// Extracts the settings, with figment's error (which names the key and where it came from)
    /// turned into one readable line per mistake.
    fn from_figment(figment: &Figment) -> anyhow::Result<Settings> {
        figment.extract().map_err(|e| {
            let lines: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            anyhow::anyhow!("invalid configuration: {}", lines.join("; "))
        })
    }

    /// Checks what the types cannot say (ranges, formats). `load` runs it; code that builds
    /// `Settings` by hand (tests) may run it too. Each error names the setting.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.tz().map_err(|e| anyhow::anyhow!("time_zone: {e}"))?;
        // Durations: at least one unit, at most a bound that keeps date arithmetic far from
        // overflowing and catches a value typed in the wrong unit.
        within(
            "session_idle_minutes",
            self.session_idle_minutes,
            1,
            7 * 24 * 60,
        )?;
        within(
            "session_absolute_hours",
            self.session_absolute_hours,
            1,
            30 * 24,
        )?;
        within("sla_hours", self.sla_hours, 1, 365 * 24)?;
        within(
            "documents_deadline_days",
            self.documents_deadline_days,
            1,
            365,
        )?;
        within(
            "documents_reminder_hours",
            self.documents_reminder_hours,
            0,
            365 * 24,
        )?;
        within(
            "document_retention_days",
            self.document_retention_days,
            1,
            100 * 365,
        )?;
        within(
            "temporary_password_hours",
            self.temporary_password_hours,
            1,
            365 * 24,
        )?;
        within(
            "notice_poll_seconds",
            self.notice_poll_seconds,
            1,
            24 * 3600,
        )?;
        within(
            "clock_interval_seconds",
            self.clock_interval_seconds,
            1,
            24 * 3600,
        )?;
        within("upload_body_seconds", self.upload_body_seconds, 1, 3600)?;
        within(
            "provisioning_timeout_seconds",
            self.provisioning_timeout_seconds,
            1,
            300,
        )?;
        within(
            "provisioning_retry_hours",
            self.provisioning_retry_hours,
            1,
            30 * 24,
        )?;
        within(
            "provisioning_poll_seconds",
            self.provisioning_poll_seconds,
            1,
            3600,
        )?;
        within(
            "ocr_time_limit_seconds",
            self.ocr_time_limit_seconds,
            1,
            600,
        )?;
        within("upload_check_seconds", self.upload_check_seconds, 1, 600)?;
        within("request_head_seconds", self.request_head_seconds, 1, 300)?;
        within("request_body_seconds", self.request_body_seconds, 1, 3600)?;
        within("keep_alive_seconds", self.keep_alive_seconds, 0, 3600)?;
        within(
            "shutdown_grace_seconds",
            self.shutdown_grace_seconds,
            0,
            3600,
        )?;
        if let Some(workers) = self.workers {
            within("workers", workers, 1, 256)?;
        }
        anyhow::ensure!(
            self.instance_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                && self.instance_name.len() <= 64,
            "instance_name is at most 64 letters, digits, '-', '_' or '.'"
        );
        if let Some(token) = &self.metrics_token {
            anyhow::ensure!(
                token.expose().len() >= 32,
                "metrics_token must be at least 32 characters"
            );
        }
        // Counts.
        within("db_max_connections", self.db_max_connections, 1, 1000)?;
        within(
            "bulk_max_cases",
            self.bulk_max_cases,
            1,
            i64::from(i32::MAX),
        )?;
        within(
            "bulk_batch_size",
            self.bulk_batch_size,
            1,
            i64::from(i32::MAX),
        )?;
        within("upload_max_bytes", self.upload_max_bytes, 1, usize::MAX)?;
        within("upload_max_files", self.upload_max_files, 1, 20)?;
        within("notice_max_attempts", self.notice_max_attempts, 1, 100)?;
        within("private_pg_port", self.private_pg_port, 1, u16::MAX)?;
        within("smtp_port", self.smtp_port, 1, u16::MAX)?;
        // Texts with a format.
        self.locale()?;
        anyhow::ensure!(
            self.country_code.bytes().all(|b| b.is_ascii_digit()) && !self.country_code.is_empty(),
            "country_code is digits only, e.g. 62"
        );
        anyhow::ensure!(
            self.public_url.starts_with("http://") || self.public_url.starts_with("https://"),
            "public_url starts with http:// or https://"
        );
        anyhow::ensure!(
            self.smtp_from.parse::<lettre::message::Mailbox>().is_ok(),
            "smtp_from is not a mail address, e.g. Canceldesk <no-reply@example.com>"
        );
        anyhow::ensure!(!self.bind.trim().is_empty(), "bind is empty");
        anyhow::ensure!(
            !self.database_name.trim().is_empty(),
            "database_name is empty"
        );
        match (
            &self.provisioning_webhook_url,
            &self.provisioning_webhook_secret,
        ) {
            (None, None) => {}
            (Some(url), Some(secret)) => {
                anyhow::ensure!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "provisioning_webhook_url starts with https:// (or http:// inside a trusted network)"
                );
                anyhow::ensure!(
                    secret.expose().len() >= 32,
                    "provisioning_webhook_secret must be at least 32 characters"
                );
            }
            (Some(_), None) => anyhow::bail!(
                "provisioning_webhook_url is set without provisioning_webhook_secret: deliveries must be signed"
            ),
            (None, Some(_)) => {
                anyhow::bail!("provisioning_webhook_secret is set without provisioning_webhook_url")
            }
        }
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

    /// The default language (see `default_locale`).
    pub fn locale(&self) -> anyhow::Result<crate::i18n::Locale> {
        crate::i18n::Locale::parse(&self.default_locale).ok_or_else(|| {
            anyhow::anyhow!(
                "default_locale is one of id, en, zh-CN (not {:?})",
                self.default_locale
            )
        })
    }

    pub fn tz(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.time_zone
            .parse()
            .map_err(|_| anyhow::anyhow!("unknown time zone {:?}", self.time_zone))
    }
}

/// `name` must lie in `min..=max`.
fn within<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: T,
    min: T,
    max: T,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        min <= value && value <= max,
        "{name} is {value}, but must be between {min} and {max}"
    );
    Ok(())
}

/// A `CANCELDESK_*` variable that is neither a setting nor read elsewhere is most likely a typo
/// (`CANCELDESK_SMTP_TSL`): warned about by name (never its value), not refused, since scripts
/// and other tools may share the prefix. Called once the logger is set up (its format is a
/// setting).
pub fn warn_about_unknown_variables() {
    for (name, _) in std::env::vars_os() {
        let Some(key) = name
            .to_str()
            .and_then(|n| n.strip_prefix("CANCELDESK_"))
            .map(str::to_ascii_lowercase)
        else {
            continue;
        };
        if !KEYS.contains(&key.as_str()) && !NOT_SETTINGS.contains(&key.as_str()) {
            tracing::warn!(
                variable = %name.to_string_lossy(),
                "ignoring an environment variable that is not a setting"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `load` does with a file, minus the process environment (shared by parallel tests).
    fn parse(toml: &str) -> anyhow::Result<Settings> {
        let settings = Settings::from_figment(&Figment::new().merge(Toml::string(toml)))?;
        settings.validate()?;
        Ok(settings)
    }

    fn error(toml: &str) -> String {
        format!("{:#}", parse(toml).expect_err(toml))
    }

    #[test]
    fn the_defaults_are_valid() {
        Settings::default().validate().unwrap();
        parse("").unwrap();
    }

    #[test]
    fn typed_values_are_read() {
        let s = parse(
            "local_postgres = \"private\"\nsmtp_tls = \"tls\"\nnotice_poll_seconds = 3\n\
             smtp_password = \"hunter2\"",
        )
        .unwrap();
        assert_eq!(s.local_postgres, LocalPostgres::Private);
        assert_eq!(s.smtp_tls, SmtpTls::Tls);
        assert_eq!(s.notice_poll_seconds, 3);
        assert_eq!(s.smtp_password.unwrap().expose(), "hunter2");
    }

    #[test]
    fn an_unknown_local_postgres_value_names_the_setting_and_the_choices() {
        let e = error("local_postgres = \"privat\"");
        assert!(e.contains("local_postgres"), "{e}");
        assert!(e.contains("auto") && e.contains("private"), "{e}");
    }

    #[test]
    fn an_smtp_tls_typo_names_the_setting() {
        let e = error("smtp_tls = \"startls\"");
        assert!(e.contains("smtp_tls"), "{e}");
        assert!(e.contains("starttls"), "{e}");
    }

    #[test]
    fn impossible_durations_name_the_setting() {
        for (toml, name) in [
            ("notice_poll_seconds = 0", "notice_poll_seconds"),
            ("clock_interval_seconds = 0", "clock_interval_seconds"),
            ("upload_body_seconds = 0", "upload_body_seconds"),
            ("upload_check_seconds = 0", "upload_check_seconds"),
            ("session_idle_minutes = -5", "session_idle_minutes"),
            ("session_absolute_hours = 0", "session_absolute_hours"),
            ("sla_hours = 9223372036854775807", "sla_hours"),
            ("documents_deadline_days = 0", "documents_deadline_days"),
            ("documents_reminder_hours = -1", "documents_reminder_hours"),
            ("document_retention_days = 0", "document_retention_days"),
            (
                "temporary_password_hours = 100000",
                "temporary_password_hours",
            ),
        ] {
            let e = error(toml);
            assert!(e.contains(name), "{toml}: {e}");
        }
    }

    #[test]
    fn a_negative_number_for_an_unsigned_setting_names_it() {
        let e = error("notice_poll_seconds = -1");
        assert!(e.contains("notice_poll_seconds"), "{e}");
    }

    #[test]
    fn other_mistakes_name_the_setting() {
        for (toml, name) in [
            ("time_zone = \"Asia/Jakart\"", "time_zone"),
            ("upload_max_files = 0", "upload_max_files"),
            ("db_max_connections = 0", "db_max_connections"),
            ("public_url = \"example.com\"", "public_url"),
            ("smtp_from = \"not an address\"", "smtp_from"),
            ("country_code = \"+62\"", "country_code"),
            ("default_locale = \"jv\"", "default_locale"),
            ("cookie_secure = \"yes please\"", "cookie_secure"),
        ] {
            let e = error(toml);
            assert!(e.contains(name), "{toml}: {e}");
        }
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused_by_name() {
        let e = error("smpt_host = \"mail.example.com\"");
        assert!(e.contains("smpt_host"), "{e}");
    }

    #[test]
    fn a_bad_session_secret_is_refused_without_repeating_it() {
        let short = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let e = error(&format!("session_secret = \"{short}\""));
        assert!(
            e.contains("session_secret") && e.contains("64 bytes"),
            "{e}"
        );
        assert!(!e.contains(&short), "{e}");
        let e = error("session_secret = \"not base64!\"");
        assert!(e.contains("session_secret") && e.contains("base64"), "{e}");
        assert!(!e.contains("not base64!"), "{e}");
    }

    #[test]
    fn debug_never_prints_secrets() {
        let key = base64::engine::general_purpose::STANDARD.encode([42u8; 64]);
        let s = parse(&format!(
            "session_secret = \"{key}\"\nsmtp_password = \"hunter2-canary\"\n\
             totp_keys = [\"k1:{}\"]",
            base64::engine::general_purpose::STANDARD.encode([9u8; 32])
        ))
        .unwrap();
        assert_eq!(s.session_secret.as_ref().unwrap().bytes(), [42u8; 64]);
        let printed = format!("{s:?}");
        assert!(!printed.contains(&key), "{printed}");
        assert!(!printed.contains("hunter2-canary"), "{printed}");
        assert!(!printed.contains("k1:"), "{printed}");
        assert!(printed.contains("redacted"), "{printed}");
    }

    /// `KEYS` (the settings read from the environment) lists exactly the fields: serde's
    /// unknown-field error enumerates the fields it expected.
    #[test]
    fn keys_lists_every_field() {
        let e = error("no_such_setting = 1");
        let list = e.split("one of ").nth(1).expect(&e);
        let list = list.split(" for key").next().expect(&e);
        let expected: Vec<&str> = list
            .split('`')
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            .collect();
        assert_eq!(expected, KEYS, "{e}");
    }
}
