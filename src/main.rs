//! The `brigade` binary: `serve [--demo]`, `migrate`, `token create`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

use brigade::server::{Config, build, password};
use brigade::store;

#[derive(Parser)]
#[command(
    name = "brigade",
    version,
    about = "User & access management for multi-location restaurant groups"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the console and the API.
    Serve {
        /// Load the demo data set when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Create or migrate the database, then exit.
    Migrate,
    /// API tokens of external systems (HR, POS, identity providers).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for an API client; prints it once, on the last line.
    Create {
        /// The organization's slug, e.g. harbor.
        #[arg(long)]
        org: String,
        /// The role the client holds, by name, e.g. "Integration".
        #[arg(long)]
        role: String,
        /// A label for the client, e.g. payroll-sync.
        #[arg(long)]
        name: String,
        /// The outlet number, when the role is an outlet role (type O).
        #[arg(long)]
        outlet: Option<String>,
    },
    /// List an organization's tokens (never their secrets).
    List {
        /// The organization's slug, e.g. harbor.
        #[arg(long)]
        org: String,
    },
    /// Revoke a token for good.
    Revoke {
        /// The token's id, from `brigade token list`.
        id: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    let config = Config::from_env()?;
    match command {
        Command::Migrate => {
            open_database(&config).await?;
            println!("Database {} is up to date.", config.database_url);
            Ok(())
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    org,
                    role,
                    name,
                    outlet,
                },
        } => {
            let pool = open_database(&config).await?;
            let request = brigade::service::api_tokens::NewToken {
                organization_slug: &org,
                role_name: &role,
                outlet_number: outlet.as_deref(),
                name: &name,
            };
            let token = brigade::service::api_tokens::create(&pool, request).await?;
            println!(
                "Created API token {name:?} for {org} with role {role:?}. It is shown only once:"
            );
            println!("{token}");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::List { org },
        } => {
            let pool = open_database(&config).await?;
            let tokens = brigade::service::api_tokens::list(&pool, &org).await?;
            println!(
                "{:<36}  {:<20}  {:<16}  {:<8}  {:<24}  status",
                "id", "name", "role", "outlet", "last used"
            );
            for t in tokens {
                let status = t
                    .revoked_at
                    .map_or("active".to_string(), |at| format!("revoked {at}"));
                println!(
                    "{:<36}  {:<20}  {:<16}  {:<8}  {:<24}  {status}",
                    t.id,
                    t.name,
                    t.role,
                    t.outlet.unwrap_or_default(),
                    t.last_used_at.unwrap_or_else(|| "never".into())
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Revoke { id },
        } => {
            let pool = open_database(&config).await?;
            brigade::service::api_tokens::revoke(&pool, &id).await?;
            println!("Revoked token {id}.");
            Ok(())
        }
        Command::Serve { demo } => {
            let app = build(config).await.map_err(|e| e.to_string())?;
            if demo {
                let hash =
                    tokio::task::spawn_blocking(|| password::hash(store::demo::DEMO_PASSWORD))
                        .await
                        .map_err(|e| e.to_string())?;
                let loaded = store::demo::load_if_empty(&app.state.pool, hash.as_stored())
                    .await
                    .map_err(|e| e.to_string())?;
                println!(
                    "{}",
                    if loaded {
                        "Loaded the demo data."
                    } else {
                        "Database already has data; demo not loaded."
                    }
                );
                println!("Demo logins (password: {}):", store::demo::DEMO_PASSWORD);
                for (email, what) in store::demo::DEMO_LOGINS {
                    println!("  {email:<26} {what}");
                }
            }
            println!("Brigade is serving on http://{}", app.address);
            app.serve().await.map_err(|e| e.to_string())
        }
    }
}

/// Opens (creating if needed) and migrates the database, for the commands that work on it
/// without serving.
async fn open_database(config: &Config) -> Result<sqlx::SqlitePool, String> {
    let pool = store::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    store::migrate(&pool).await.map_err(|e| e.to_string())?;
    Ok(pool)
}
