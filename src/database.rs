//! Finding PostgreSQL: the configured database, a server on 127.0.0.1:5432, or a private cluster
//! started from the installed binaries. Used by `canceldesk` and by the tests alike.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use crate::config::{LocalPostgres, Settings};

/// Embedded migrations (`migrations/`), applied by `migrate` and at every start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Where the database comes from decides whether demo data may be seeded on an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `DATABASE_URL` (or `database_url`) was given: never seed unless asked.
    Configured,
    /// A local server we found or started for development.
    Local,
}

/// Options for the server without a database chosen, and where they came from.
pub async fn server_options(settings: &Settings) -> anyhow::Result<(PgConnectOptions, Origin)> {
    if let Some(url) = &settings.database_url {
        let options: PgConnectOptions = url
            .parse()
            .context("DATABASE_URL is not a valid PostgreSQL URL")?;
        return Ok((options, Origin::Configured));
    }
    Ok((local_server(settings).await?, Origin::Local))
}

/// Connects to the configured database, or to `database_name` on a local server (created when
/// missing), and applies the migrations.
pub async fn connect(settings: &Settings) -> anyhow::Result<(PgPool, Origin)> {
    let (options, origin) = server_options(settings).await?;
    let options = match origin {
        Origin::Configured => options,
        Origin::Local => {
            create_database_if_missing(&options, &settings.database_name).await?;
            options.database(&settings.database_name)
        }
    };
    let pool = pool(options, settings.db_max_connections).await?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying database migrations")?;
    // The reports count calendar days of the desk's zone: a changed `time_zone` recounts them.
    if crate::store::reports::align_time_zone(&pool, &settings.time_zone)
        .await
        .context("recounting the reports in the desk's time zone")?
    {
        tracing::info!(time_zone = %settings.time_zone, "reports recounted in a new time zone");
    }
    Ok((pool, origin))
}

pub async fn pool(options: PgConnectOptions, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(
            options
                // Short OLTP queries: JIT compilation costs more than it ever saves here.
                .options([("jit", "off")])
                .log_statements(tracing::log::LevelFilter::Trace)
                // Slow statements at info: visible with CANCELDESK_LOG=sqlx=info, quiet by default.
                .log_slow_statements(tracing::log::LevelFilter::Info, Duration::from_millis(500)),
        )
        .await
        .context("connecting to PostgreSQL")
}

pub async fn create_database_if_missing(
    server: &PgConnectOptions,
    name: &str,
) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect_with(&server.clone().database("postgres"))
        .await
        .context("connecting to the local PostgreSQL server")?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let sql = format!("CREATE DATABASE \"{}\"", name.replace('"', ""));
        match sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            Ok(_) => {}
            // Another process created it at the same moment: fine.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e).context("creating the database"),
        }
    }
    conn.close().await.ok();
    Ok(())
}

/// A local server: 127.0.0.1:5432 when it answers and lets us in, else a private cluster.
async fn local_server(settings: &Settings) -> anyhow::Result<PgConnectOptions> {
    if settings.local_postgres == LocalPostgres::Auto {
        let user = std::env::var("PGUSER").unwrap_or_else(|_| "postgres".into());
        let shared = PgConnectOptions::new()
            .host("127.0.0.1")
            .port(5432)
            .username(&user)
            .database("postgres");
        if can_connect(&shared).await {
            return Ok(shared);
        }
    }
    private_cluster(settings).await
}

async fn can_connect(options: &PgConnectOptions) -> bool {
    let attempt = tokio::time::timeout(Duration::from_secs(3), PgConnection::connect_with(options));
    match attempt.await {
        Ok(Ok(conn)) => {
            conn.close().await.ok();
            true
        }
        _ => false,
    }
}

/// Starts (initialising on first use) a cluster under `data_dir/postgres`, listening on
/// 127.0.0.1:`private_pg_port` with trust authentication for local connections only.
async fn private_cluster(settings: &Settings) -> anyhow::Result<PgConnectOptions> {
    let options = PgConnectOptions::new()
        .host("127.0.0.1")
        .port(settings.private_pg_port)
        .username("postgres")
        .database("postgres");
    if can_connect(&options).await {
        return Ok(options);
    }
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("creating {}", settings.data_dir.display()))?;
    let base = settings.data_dir.canonicalize()?;
    let cluster = base.join("postgres");
    // Two processes (parallel tests) must not initialise the same cluster.
    let lock = std::fs::File::create(base.join("postgres.lock"))?;
    lock.lock()?;
    if can_connect(&options).await {
        return Ok(options);
    }
    let bin = postgres_bindir()?;
    let as_root = is_root();
    if !cluster.join("PG_VERSION").exists() {
        std::fs::create_dir_all(&cluster)?;
        if as_root {
            run(
                Command::new("chown")
                    .arg("-R")
                    .arg("postgres:postgres")
                    .arg(&cluster),
                false,
            )?;
        }
        eprintln!(
            "initialising a private PostgreSQL cluster in {}",
            cluster.display()
        );
        run(
            Command::new(bin.join("initdb"))
                .arg("-D")
                .arg(&cluster)
                .args([
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]),
            as_root,
        )?;
    }
    let port = settings.private_pg_port.to_string();
    run(
        Command::new(bin.join("pg_ctl"))
            .arg("-D")
            .arg(&cluster)
            .arg("-l")
            .arg(cluster.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {}",
                cluster.display()
            ))
            .args(["-w", "-t", "60", "start"]),
        as_root,
    )?;
    eprintln!(
        "started a private PostgreSQL on 127.0.0.1:{port} (data in {})",
        cluster.display()
    );
    Ok(options)
}

/// Runs a PostgreSQL tool; as root, as the `postgres` user (PostgreSQL refuses to run as root).
fn run(command: &mut Command, as_postgres: bool) -> anyhow::Result<()> {
    let mut wrapped;
    let command = if as_postgres {
        wrapped = Command::new("runuser");
        wrapped
            .args(["-u", "postgres", "--"])
            .arg(command.get_program())
            .args(command.get_args());
        &mut wrapped
    } else {
        command
    };
    let output = command
        .output()
        .with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{:?} failed: {}{}",
            command.get_program(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// The newest installed PostgreSQL's `bin` folder (Debian layout first, then `pg_config`).
fn postgres_bindir() -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let output = Command::new("pg_config").arg("--bindir").output();
    if let Ok(output) = output {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if Path::new(&dir).join("initdb").exists() {
            return Ok(dir);
        }
    }
    bail!(
        "no PostgreSQL answers on 127.0.0.1:5432 and no PostgreSQL binaries were found to start one; \
         install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL"
    )
}
