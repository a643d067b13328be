//! The command line: `serve` (default), `migrate`, `agent add`, `token add|revoke|list`, `demo`,
//! `totp-keys generate|reencrypt`, `billing import FILE`.

use clap::{Parser, Subcommand, ValueEnum};

use crate::auth::keyring::Keyring;
use crate::config::Settings;
use crate::database::{self, Origin};
use crate::domain::agent::{Email, Role};
use crate::domain::request::Channel;
use crate::domain::token_grant::TokenGrant;
use crate::startup::Application;
use crate::{auth::password, seed, store, telemetry};

#[derive(Parser)]
#[command(
    name = "canceldesk",
    version,
    about = "The desk that reviews SIM and data-card cancellations"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve {
        /// Seed demo data into an empty database even when DATABASE_URL is set.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage agent accounts.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Manage API tokens of other systems (hotline, service points).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Seed realistic demo cases (and the demo accounts, when missing).
    Demo {
        #[arg(long, default_value_t = 200)]
        cases: i64,
        /// Do nothing when the database already holds at least this many cases.
        #[arg(long)]
        reuse: bool,
        /// Decided cases arrived within this many days (reports over long periods: 730).
        #[arg(long, default_value_t = seed::DEFAULT_HISTORY_DAYS,
              value_parser = clap::value_parser!(i64).range(seed::DEFAULT_HISTORY_DAYS..=1100))]
        history_days: i64,
    },
    /// Print the URL of the database in use (found or started by the usual rule), for scripts.
    DatabaseUrl,
    /// The operator's billing facts (see README, "Billing import").
    Billing {
        #[command(subcommand)]
        command: BillingCommand,
    },
    /// Keys that encrypt TOTP secrets at rest (see README, "Rotating the TOTP key").
    TotpKeys {
        #[command(subcommand)]
        command: TotpKeysCommand,
    },
}

#[derive(Subcommand)]
enum BillingCommand {
    /// Stream billing's CSV export into the billing facts (upsert by number), report the rows
    /// skipped with errors, and match open cases billing now knows.
    Import {
        /// The CSV file (columns in the README).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum TotpKeysCommand {
    /// Print a new key entry (`id:base64`) to put first in `totp_keys`.
    Generate {
        /// The key's id, e.g. the year: letters, digits, '-' or '_'.
        #[arg(long)]
        id: String,
    },
    /// Re-encrypt every stored TOTP secret under the current (first) key of `totp_keys`.
    Reencrypt,
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Create an agent. The password comes from CANCELDESK_PASSWORD or a prompt.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Agent)]
        role: RoleArg,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (shown this once; only its hash is stored).
    Add {
        #[arg(long)]
        name: String,
        /// What the token may do: intake for the hotline or a service point (the channel its
        /// cases are recorded under), or provisioning's orders.
        #[arg(long = "for", value_enum, default_value_t = GrantArg::Hotline)]
        grant: GrantArg,
    },
    /// Revoke the active token of that name; requests with it are refused from now on.
    Revoke {
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves).
    List,
}

/// `--role`: clap lists and checks the values; the domain type stays free of the CLI crate.
#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Agent,
    Supervisor,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Role {
        match role {
            RoleArg::Agent => Role::Agent,
            RoleArg::Supervisor => Role::Supervisor,
        }
    }
}

/// `--for`: intake for the channels other systems record cases under (the web form is not
/// one), or provisioning's orders.
#[derive(Clone, Copy, ValueEnum)]
enum GrantArg {
    Hotline,
    #[value(name = "service_point")]
    ServicePoint,
    Orders,
    Finance,
}

impl From<GrantArg> for TokenGrant {
    fn from(grant: GrantArg) -> TokenGrant {
        match grant {
            GrantArg::Hotline => TokenGrant::Intake(Channel::Hotline),
            GrantArg::ServicePoint => TokenGrant::Intake(Channel::ServicePoint),
            GrantArg::Orders => TokenGrant::Orders,
            GrantArg::Finance => TokenGrant::Finance,
        }
    }
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    telemetry::init(settings.log_format);
    crate::config::warn_about_unknown_variables();
    // actix-web's system (a tokio runtime underneath) drives every command.
    let runtime = actix_web::rt::System::new();
    match cli.command.unwrap_or(Command::Serve { seed_demo: false }) {
        Command::Serve { seed_demo } => runtime.block_on(serve(settings, seed_demo)),
        Command::Migrate => runtime.block_on(async {
            let (pool, _) = database::connect(&settings).await?;
            // Secrets stored before encryption: sealed now rather than at the next start.
            let keyring = Keyring::from_settings(&settings)?;
            store::second_factor::seal_plaintext_at_start(&pool, &keyring).await?;
            println!("migrations applied");
            Ok(())
        }),
        Command::TotpKeys {
            command: TotpKeysCommand::Generate { id },
        } => {
            // Printed for the operator to put into the configuration: the one place a key is shown.
            println!("{}", crate::auth::keyring::generate_entry(&id)?);
            Ok(())
        }
        Command::TotpKeys {
            command: TotpKeysCommand::Reencrypt,
        } => runtime.block_on(async {
            let (pool, _) = database::connect(&settings).await?;
            let keyring = Keyring::from_settings(&settings)?;
            let done = store::second_factor::reseal(
                &pool,
                &keyring,
                store::second_factor::Reseal::NotCurrent,
            )
            .await?;
            println!(
                "re-encrypted {done} TOTP secrets under the key {:?}",
                keyring.current_id()
            );
            Ok(())
        }),
        Command::Agent {
            command: AgentCommand::Add { email, name, role },
        } => runtime.block_on(add_agent(&settings, &email, &name, role.into())),
        Command::Token { command } => runtime.block_on(token(&settings, command)),
        Command::Billing {
            command: BillingCommand::Import { file },
        } => runtime.block_on(async {
            let (pool, _) = database::connect(&settings).await?;
            println!(
                "{}",
                crate::billing_import::import_file(&pool, &file).await?
            );
            Ok(())
        }),
        Command::Demo {
            cases,
            reuse,
            history_days,
        } => runtime.block_on(async {
            let (pool, _) = database::connect(&settings).await?;
            if reuse {
                let have: i64 = sqlx::query_scalar(
                    "SELECT COALESCE(sum(count), 0)::bigint FROM case_state_counts",
                )
                .fetch_one(&pool)
                .await?;
                if have >= cases {
                    println!("reusing the {have} cases already seeded");
                    return Ok(());
                }
            }
            let report = seed::demo_with_history(&pool, cases, history_days, &settings).await?;
            println!("{report}");
            Ok(())
        }),
        Command::DatabaseUrl => runtime.block_on(async {
            let (options, origin) = database::server_options(&settings).await?;
            match origin {
                Origin::Configured => {
                    println!("{}", settings.database_url.clone().unwrap_or_default())
                }
                Origin::Local => println!(
                    "postgres://{}@{}:{}/{}",
                    options.get_username(),
                    options.get_host(),
                    options.get_port(),
                    settings.database_name
                ),
            }
            Ok(())
        }),
    }
}

async fn serve(settings: Settings, seed_demo: bool) -> anyhow::Result<()> {
    let (pool, origin) = database::connect(&settings).await?;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM cases)")
        .fetch_one(&pool)
        .await?;
    if empty && (origin == Origin::Local || seed_demo) {
        println!("empty database: seeding demo data…");
        let report = seed::demo(&pool, 200, &settings).await?;
        println!("{report}");
    }
    let app = Application::build(settings.clone(), pool).await?;
    let host = settings
        .bind
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or("127.0.0.1");
    let host = if host == "0.0.0.0" { "127.0.0.1" } else { host };
    println!("Canceldesk is running at http://{host}:{}/", app.port());
    if origin == Origin::Local {
        println!(
            "demo logins: {} (supervisor) and {} (agent), password {}",
            seed::DEMO_SUPERVISOR,
            seed::DEMO_AGENT,
            seed::DEMO_PASSWORD
        );
    }
    app.run_until_signalled().await
}

async fn add_agent(settings: &Settings, email: &str, name: &str, role: Role) -> anyhow::Result<()> {
    let email = Email::parse(email)?;
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "the name may not be empty");
    let password = match std::env::var("CANCELDESK_PASSWORD") {
        Ok(p) => p,
        Err(_) => prompt_password()?,
    };
    crate::domain::password_policy::check(&password)?;
    let (pool, _) = database::connect(settings).await?;
    let hash = password::hash(password).await?;
    let id = store::agents::create(&pool, &email, name, role, &hash).await?;
    println!("created {} {} (id {})", role.as_str(), email, id.0);
    Ok(())
}

fn prompt_password() -> anyhow::Result<String> {
    use std::io::{BufRead, Write};
    eprint!("Password (input is shown; set CANCELDESK_PASSWORD to avoid the prompt): ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn token(settings: &Settings, command: TokenCommand) -> anyhow::Result<()> {
    use crate::store::api_tokens;
    use crate::store::audit::{self, AuditAction};
    let (pool, _) = database::connect(settings).await?;
    match command {
        TokenCommand::Add { name, grant } => {
            let name = name.trim();
            anyhow::ensure!(
                (1..=60).contains(&name.len()),
                "the name has 1 to 60 characters"
            );
            let grant = TokenGrant::from(grant);
            let (_, token) = api_tokens::create(&pool, name, grant, None).await?;
            audit::record(
                &pool,
                None,
                None,
                AuditAction::ApiTokenCreated,
                Some(name),
                serde_json::json!({ "grant": grant.as_str(), "by": "command line" }),
            )
            .await?;
            println!("API token for {name} ({}):\n{token}", grant.label());
            println!("It is shown this once: give it to the system's operators now.");
        }
        TokenCommand::Revoke { name } => {
            anyhow::ensure!(
                api_tokens::revoke(&pool, &name, None).await?,
                "no active token named {name:?}"
            );
            audit::record(
                &pool,
                None,
                None,
                AuditAction::ApiTokenRevoked,
                Some(&name),
                serde_json::json!({ "by": "command line" }),
            )
            .await?;
            println!("revoked the token {name:?}");
        }
        TokenCommand::List => {
            for t in api_tokens::list(&pool).await? {
                let status = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".to_owned(),
                };
                let used = t
                    .last_used_at
                    .map(|at| at.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{:<24} {:<14} created {}  last used {used}  {status}",
                    t.name,
                    t.grant.as_str(),
                    t.created_at.format("%Y-%m-%d")
                );
            }
        }
    }
    Ok(())
}
