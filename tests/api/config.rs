//! The real binary refuses a bad configuration at start, naming the setting, and leaves
//! `CANCELDESK_*` variables that are not settings alone. No database is needed: the settings are
//! read before anything connects.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A directory of its own (no stray `canceldesk.toml`), holding `canceldesk.toml` with `toml`;
/// removed when dropped.
struct Workdir(PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

fn workdir(toml: &str) -> Workdir {
    let dir =
        std::env::temp_dir().join(format!("canceldesk-config-{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("canceldesk.toml"), toml).unwrap();
    Workdir(dir)
}

/// `canceldesk database-url` (prints the configured URL without connecting) in `dir`, with only
/// the given `CANCELDESK_*` variables.
fn run(dir: &Workdir, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_canceldesk"));
    command
        .arg("database-url")
        .current_dir(&dir.0)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:9/not_used");
    for (name, _) in std::env::vars() {
        if name.starts_with("CANCELDESK_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("the canceldesk binary")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_good_configuration_starts_and_other_canceldesk_variables_are_not_settings() {
    let dir = workdir("smtp_tls = \"tls\"\nlocal_postgres = \"private\"\n");
    let output = run(
        &dir,
        &[
            ("CANCELDESK_LOG", "warn"),
            ("CANCELDESK_PASSWORD", "not a setting"),
            ("CANCELDESK_NOTICE_POLL_SECONDS", "5"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "postgres://nobody@127.0.0.1:9/not_used"
    );
}

#[test]
fn a_bad_setting_in_the_file_stops_the_start_naming_it() {
    for (toml, name) in [
        ("local_postgres = \"shared\"", "local_postgres"),
        ("smtp_tls = \"ssl\"", "smtp_tls"),
        ("clock_interval_seconds = 0", "clock_interval_seconds"),
        ("smtp_passwrd = \"x\"", "smtp_passwrd"),
    ] {
        let dir = workdir(toml);
        let output = run(&dir, &[]);
        assert!(!output.status.success(), "{toml} was accepted");
        assert!(
            stderr(&output).contains(name),
            "{toml}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_bad_setting_in_the_environment_stops_the_start_naming_it() {
    let dir = workdir("");
    let output = run(&dir, &[("CANCELDESK_SESSION_IDLE_MINUTES", "-1")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("session_idle_minutes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_missing_config_file_named_explicitly_is_refused() {
    let dir = workdir("");
    let output = run(&dir, &[("CANCELDESK_CONFIG", "no-such-file.toml")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("CANCELDESK_CONFIG"),
        "{}",
        stderr(&output)
    );
}
