//! The tests are hermetic: neither the harness nor the binary it starts reads the developer's
//! configuration (`canceldesk.toml`, `CANCELDESK_*`, `DATABASE_URL`). A developer with
//! `smtp_host` set must not send real mail from `cargo test`.

use std::collections::HashMap;
use std::process::Command;

use canceldesk::config::Settings;

use crate::helpers::{database_settings, spawn_app};

const DEVELOPER_SMTP: &str = "smtp.developer.invalid";
const DEVELOPER_DATABASE: &str = "postgres://developer@production.invalid/canceldesk";

#[test]
fn the_test_database_is_found_without_database_url() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("DATABASE_URL", DEVELOPER_DATABASE),
        ("CANCELDESK_SMTP_HOST", DEVELOPER_SMTP),
    ]);
    let settings = database_settings(|k| env.get(k).map(|v| v.to_string()));
    assert_eq!(settings.database_url, None, "DATABASE_URL leaked in");
    assert_eq!(settings.smtp_host, None);

    let env = HashMap::from([
        ("DATABASE_URL", DEVELOPER_DATABASE),
        (
            "TEST_DATABASE_URL",
            "postgres://tests@127.0.0.1:5433/postgres",
        ),
    ]);
    let settings = database_settings(|k| env.get(k).map(|v| v.to_string()));
    assert_eq!(
        settings.database_url.as_deref(),
        Some("postgres://tests@127.0.0.1:5433/postgres")
    );
    let empty = database_settings(|k| (k == "TEST_DATABASE_URL").then(String::new));
    assert_eq!(
        empty.database_url, None,
        "an empty TEST_DATABASE_URL is unset"
    );
}

/// Runs [`harness_in_a_developers_environment`] in a child process of this test binary whose
/// environment holds a developer's configuration: a config file, `CANCELDESK_*` and
/// `DATABASE_URL`. Only a child can have its own environment: tests run in parallel threads.
#[test]
fn the_harness_ignores_the_developers_configuration() {
    let dir = std::env::temp_dir().join(format!("canceldesk-hermetic-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("canceldesk.toml");
    std::fs::write(
        &config,
        "smtp_port = 2525\nsmtp_from = \"Developer <dev@example.com>\"\nbackground_jobs = false\n",
    )
    .unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "hermetic::harness_in_a_developers_environment",
            "--exact",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env_clear()
        .env("CANCELDESK_CONFIG", &config)
        .env("CANCELDESK_SMTP_HOST", DEVELOPER_SMTP)
        .env("CANCELDESK_BULK_BATCH_SIZE", "7")
        .env("DATABASE_URL", DEVELOPER_DATABASE);
    // What finds the tests' own server, as in this process.
    for name in ["TEST_DATABASE_URL", "PGUSER", "PATH"] {
        if let Ok(value) = std::env::var(name) {
            child.env(name, value);
        }
    }
    let output = child.output().expect("the test binary");
    std::fs::remove_dir_all(&dir).ok();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{printed}");
    assert!(
        printed.contains("1 passed"),
        "the child ran nothing:\n{printed}"
    );
}

#[actix_web::test]
#[ignore = "run by the_harness_ignores_the_developers_configuration in a planted environment"]
async fn harness_in_a_developers_environment() {
    // The planted configuration is real: the app's own loader reads all of it.
    let developer = Settings::load().expect("the planted configuration");
    assert_eq!(developer.smtp_host.as_deref(), Some(DEVELOPER_SMTP));
    assert_eq!(developer.smtp_port, 2525);
    assert_eq!(developer.bulk_batch_size, 7);
    assert_eq!(developer.database_url.as_deref(), Some(DEVELOPER_DATABASE));

    // The harness reads none of it, and still finds its own database.
    let app = spawn_app().await;
    let defaults = Settings::default();
    assert_eq!(app.settings.smtp_host, None);
    assert_eq!(app.settings.smtp_port, defaults.smtp_port);
    assert_eq!(app.settings.smtp_from, defaults.smtp_from);
    assert_eq!(app.settings.bulk_batch_size, defaults.bulk_batch_size);
    assert!(app.settings.background_jobs);
    assert!(!app.database_url.contains("production.invalid"));
    assert_eq!(app.client().get("/login").await.status, 200);
}
