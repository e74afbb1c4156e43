//! The command-line face: `brigade serve [--demo]`, `migrate`, `token create|list|revoke`,
//! `org create`, `outlet import`, `synth`, `measure`.
//! Settings come from flags or, as usual for servers, from the environment.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::server::{Config, build, startup};
use crate::service::{Context, api_tokens, demo, setup};
use strum::VariantArray;

#[derive(Parser)]
#[command(
    name = "brigade",
    version,
    about = "User & access management for multi-location restaurant groups"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Settings {
    /// The database: sqlite://path (created if missing) or postgres://user:password@host/db.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        default_value = "sqlite://data/brigade.db"
    )]
    database_url: String,
    /// Connections this server keeps open to the database.
    #[arg(long, global = true, env = "DATABASE_POOL_SIZE", value_name = "DATABASE_POOL_SIZE", default_value_t = brigade_pool_size(), value_parser = clap::value_parser!(u32).range(1..=1000))]
    database_pool_size: u32,
    /// The address to listen on.
    #[arg(
        long,
        global = true,
        env = "LEPTOS_SITE_ADDR",
        value_name = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000"
    )]
    site_addr: SocketAddr,
    /// The browser bundle built by cargo-leptos.
    #[arg(
        long,
        global = true,
        env = "LEPTOS_SITE_ROOT",
        value_name = "LEPTOS_SITE_ROOT",
        default_value = "target/site"
    )]
    site_root: String,
    /// Base of links in mail (default http://<site-addr>); https:// makes the session cookie Secure.
    #[arg(long, global = true, env = "BRIGADE_PUBLIC_URL", value_name = "BRIGADE_PUBLIC_URL", value_parser = parse_public_url)]
    public_url: Option<String>,
    /// Send mail over SMTP (e.g. smtp://user:pass@host:587); unset, mail goes to the outbox folder.
    #[arg(long, global = true, env = "SMTP_URL", value_name = "SMTP_URL")]
    smtp_url: Option<String>,
    /// Folder of .eml files when no SMTP server is configured.
    #[arg(
        long,
        global = true,
        env = "BRIGADE_OUTBOX",
        value_name = "BRIGADE_OUTBOX",
        default_value = "data/outbox"
    )]
    outbox: PathBuf,
    /// How long a shutdown (SIGTERM, Ctrl-C) waits for the requests in flight, e.g. 10s or 500ms.
    #[arg(long, global = true, env = "BRIGADE_SHUTDOWN_GRACE", value_name = "BRIGADE_SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    shutdown_grace: std::time::Duration,
    /// Proxies whose X-Forwarded-For is believed: addresses or CIDR networks, comma-separated
    /// (e.g. 10.0.0.0/8,127.0.0.1); empty: the client is the TCP peer.
    #[arg(long, global = true, env = "BRIGADE_TRUSTED_PROXIES", value_name = "BRIGADE_TRUSTED_PROXIES", default_value = "", value_parser = crate::server::client_address::parse)]
    trusted_proxies: crate::server::client_address::TrustedProxies,
    /// Serve Prometheus metrics (GET /metrics) on this address, e.g. 127.0.0.1:9464; unset:
    /// no metrics listener.
    #[arg(
        long,
        global = true,
        env = "BRIGADE_METRICS_ADDR",
        value_name = "BRIGADE_METRICS_ADDR"
    )]
    metrics_addr: Option<SocketAddr>,
    /// API requests a minute each API client may make (past it: 429 with Retry-After).
    #[arg(long, global = true, env = "BRIGADE_API_RATE_LIMIT", value_name = "BRIGADE_API_RATE_LIMIT", default_value_t = 1200, value_parser = clap::value_parser!(u32).range(1..))]
    api_rate_limit: u32,
    /// API requests a minute from one client address without a valid token.
    #[arg(long, global = true, env = "BRIGADE_API_ANONYMOUS_RATE_LIMIT", value_name = "BRIGADE_API_ANONYMOUS_RATE_LIMIT", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    api_anonymous_rate_limit: u32,
    /// SCIM requests a minute each SCIM connection may make (identity providers send bursts).
    #[arg(long, global = true, env = "BRIGADE_SCIM_RATE_LIMIT", value_name = "BRIGADE_SCIM_RATE_LIMIT", default_value_t = 12_000, value_parser = clap::value_parser!(u32).range(1..))]
    scim_rate_limit: u32,
    /// Log lines as text, or one JSON object per line.
    #[arg(long, global = true, env = "BRIGADE_LOG_FORMAT", value_name = "BRIGADE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// The key that seals secrets at rest (two-step sign-in): 32 random bytes in base64
    /// (`openssl rand -base64 32`). Unset on SQLite: the file `<database>.key` beside the
    /// database, made on first start. Required on PostgreSQL: every server must share it.
    #[arg(
        long,
        global = true,
        env = "BRIGADE_SECRET_KEY",
        value_name = "BRIGADE_SECRET_KEY",
        hide_env_values = true
    )]
    secret_key: Option<String>,
    /// Sender of Brigade's mail.
    #[arg(
        long,
        global = true,
        env = "BRIGADE_MAIL_FROM",
        value_name = "BRIGADE_MAIL_FROM",
        default_value = "Brigade <no-reply@brigade.invalid>"
    )]
    mail_from: String,
}

/// The address people use: `http://` or `https://` and a host (empty: unset).
fn parse_public_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let host = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match host {
        _ if text.is_empty() => Ok(String::new()),
        Some(host)
            if !host.is_empty()
                && !host.starts_with('/')
                && !text.contains(char::is_whitespace) =>
        {
            Ok(text.trim_end_matches('/').to_string())
        }
        _ => Err("write it like https://brigade.example.com".into()),
    }
}

/// A duration such as `10s`, `500ms` or `1m`.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|error| format!("{error} (write it like 10s, 500ms or 1m)"))
}

/// A number of seconds, 0 or more, such as `5` or `0.5`.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|seconds| std::time::Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| "give a number of seconds, 0 or more (such as 5 or 0.5)".to_string())
}

fn brigade_pool_size() -> u32 {
    crate::store::DEFAULT_POOL_SIZE
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

impl From<Settings> for Config {
    fn from(s: Settings) -> Self {
        let blank_is_none = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Config {
            public_url: blank_is_none(s.public_url)
                .unwrap_or_else(|| format!("http://{}", s.site_addr)),
            database_url: s.database_url,
            database_pool_size: s.database_pool_size,
            shutdown_grace: s.shutdown_grace,
            trusted_proxies: s.trusted_proxies,
            metrics_addr: s.metrics_addr,
            site_addr: s.site_addr,
            site_root: s.site_root,
            smtp_url: blank_is_none(s.smtp_url),
            outbox_dir: s.outbox,
            mail_from: s.mail_from,
            secret_key: blank_is_none(s.secret_key),
            operations_layers: true,
            clock_shift: None,
            rate_limits: crate::service::rate_limits::RateLimits {
                per_client: s.api_rate_limit,
                per_address: s.api_anonymous_rate_limit,
                per_scim_connection: s.scim_rate_limit,
            },
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the console and the API.
    Serve {
        /// Load the demo data set when the database is empty.
        #[arg(long)]
        demo: bool,
        /// Serve without the request-id and metrics layers: only for `make bench`, which
        /// measures what they cost. Never in production.
        #[arg(long, hide = true)]
        without_operations_layers: bool,
        /// Rehearse the demo later than now, e.g. 4d: the services see the time shifted by
        /// this much (a borrow's end, an invitation's expiry). Only with --demo.
        #[arg(long, requires = "demo", value_parser = humantime::parse_duration)]
        clock_shift: Option<std::time::Duration>,
    },
    /// Create or migrate the database, then exit.
    Migrate,
    /// Write a consistent copy of the SQLite database to FILE while the server keeps serving
    /// and writing (on PostgreSQL use pg_dump).
    Backup {
        /// Where the copy goes (a new file).
        file: PathBuf,
    },
    /// Verify the database: integrity, foreign keys, migrations current. Exits non-zero,
    /// saying what is wrong, when anything is.
    Check,
    /// Copy every table into another, empty database of either kind (moving a customer from
    /// SQLite to PostgreSQL, or back). Sessions are not copied: people sign in again.
    Copy {
        /// The database to read (default: DATABASE_URL).
        #[arg(long)]
        from: Option<String>,
        /// The database to fill: created and migrated if needed, and empty.
        #[arg(long)]
        to: String,
    },
    /// API tokens of external systems (HR, POS, identity providers).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// SCIM connections of identity providers (Okta, Entra ID): their tokens open /scim/v2.
    ScimToken {
        #[command(subcommand)]
        command: ScimTokenCommand,
    },
    /// Single sign-on (OpenID Connect) of an organization, and the email domains it claims.
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// Organizations: `org create` makes one with its owner, invited by mail.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Outlets: `outlet import` reads a CSV file as the console's import does.
    Outlet {
        #[command(subcommand)]
        command: OutletCommand,
    },
    /// Fill the database with a generated restaurant group of this size (for measuring):
    /// a head office with three brands, a franchisee, roles, people and their grants.
    Synth {
        /// The head office's slug (its franchisee gets <slug>-franchise).
        #[arg(long, default_value = "synth")]
        slug: String,
        #[arg(long, default_value_t = 2_000)]
        outlets: usize,
        #[arg(long, default_value_t = 200_000)]
        people: usize,
        /// User connectors (grants), in total.
        #[arg(long, default_value_t = 1_000_000)]
        connectors: usize,
        /// Districts (outlet groups) of the head office's outlets; a tenth of the outlets'
        /// count when not given.
        #[arg(long)]
        groups: Option<usize>,
        /// The same seed gives the same names and grants.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The head office owner's password (owner@<slug>.example); without it, an invitation.
        #[arg(long, env = "BRIGADE_SYNTH_OWNER_PASSWORD")]
        owner_password: Option<String>,
    },
    /// Run the API's list requests in-process on an organization (the floor `make bench`
    /// compares the HTTP API with): one JSON line per request with its path and timings.
    Measure {
        /// The organization's slug, e.g. synth.
        #[arg(long)]
        org: String,
        /// Timed runs of each request, at least (after 20 untimed ones).
        #[arg(long, default_value_t = 300)]
        iterations: usize,
        /// Seconds each request is run for, at least.
        #[arg(long, default_value = "2", value_parser = parse_seconds)]
        seconds: std::time::Duration,
    },
}

#[derive(Subcommand)]
enum OutletCommand {
    /// Import outlets from a CSV file with the columns number,name,brand,time_zone: prints what
    /// each row does, then applies it as one job (audited as the command line). The same file
    /// twice changes nothing.
    Import {
        /// The organization's slug, e.g. harbor.
        #[arg(long)]
        org: String,
        /// The CSV file.
        #[arg(long)]
        file: PathBuf,
        /// Only print what would change.
        #[arg(long)]
        preview: bool,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organization; its owner (Owner role, every permission) is invited by mail
    /// (or, without SMTP, to the outbox).
    Create {
        #[arg(long)]
        name: String,
        /// Short fixed name: lower-case letters, digits and hyphens.
        #[arg(long)]
        slug: String,
        /// corporate, franchisee or independent.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        owner_email: String,
        #[arg(long, default_value = "")]
        owner_first_name: String,
        #[arg(long, default_value = "")]
        owner_last_name: String,
        /// IANA time zone name, e.g. Europe/Brussels.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
}

#[derive(Subcommand)]
enum SsoCommand {
    /// Set up (or replace) an organization's OpenID Connect sign-on and claim email domains
    /// for it; a domain belongs to one organization at most.
    Add {
        /// The organization's slug, e.g. harbor.
        #[arg(long)]
        org: String,
        /// The issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0 (its discovery
        /// document must answer).
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        /// Sealed with BRIGADE_SECRET_KEY; never shown again.
        #[arg(long, env = "BRIGADE_SSO_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
        /// What the sign-in page says: "Continue with <name>" (default: the organization's
        /// name and "single sign-on").
        #[arg(long)]
        name: Option<String>,
        /// An email domain whose people sign in with it (repeat for several).
        #[arg(long = "domain", required = true)]
        domains: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ScimTokenCommand {
    /// Create a SCIM connection; prints its token once, on the last line.
    Create {
        /// The organization's slug, e.g. harbor.
        #[arg(long)]
        org: String,
        /// A label for the connection, e.g. okta.
        #[arg(long)]
        name: String,
        /// The role the connection acts with, by name (default: the organization's one role
        /// of partner role api that manages people and their access).
        #[arg(long)]
        role: Option<String>,
        /// The outlet number of the connection's role, when it is an outlet role (type O).
        #[arg(long)]
        outlet: Option<String>,
        /// The role the people it creates start with, by name (with --people-outlet; without
        /// them the connection reads and changes people but creates none).
        #[arg(long)]
        people_role: Option<String>,
        /// The outlet number new people start at (their default outlet).
        #[arg(long)]
        people_outlet: Option<String>,
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

/// Runs the command line; what `main` does.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into());
    // Logs go to stderr; stdout is the commands' own output (tokens, demo logins, links).
    match cli.settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(filter)
            .init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_writer(std::io::stderr)
            .with_current_span(true)
            .with_span_list(true)
            .with_env_filter(filter)
            .init(),
    }
    match run(cli.settings.into(), cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config, command: Command) -> Result<(), String> {
    match command {
        Command::Migrate => {
            open(&config).await?;
            println!(
                "Database {} is up to date.",
                crate::store::without_password(&config.database_url)
            );
            Ok(())
        }
        Command::Backup { file } => {
            if file.exists() {
                return Err(format!(
                    "{} already exists: name a new file",
                    file.display()
                ));
            }
            let db = crate::store::Db::connect(&config.database_url, 1)
                .await
                .map_err(|e| e.to_string())?;
            match db.backup(&file).await {
                None => Err(
                    "brigade backup copies SQLite databases; back PostgreSQL up with pg_dump (e.g. pg_dump --format=custom --file=brigade.dump \"$DATABASE_URL\")"
                        .into(),
                ),
                Some(Err(error)) => Err(format!("the backup failed: {error}")),
                Some(Ok(())) => {
                    println!("Backed up to {}.", file.display());
                    Ok(())
                }
            }
        }
        Command::Check => {
            let db = crate::store::Db::connect(&config.database_url, 1)
                .await
                .map_err(|e| e.to_string())?;
            let problems = db.check().await.map_err(|e| e.to_string())?;
            if problems.is_empty() {
                println!(
                    "{} is sound: integrity, foreign keys and migrations checked.",
                    crate::store::without_password(&config.database_url)
                );
                Ok(())
            } else {
                Err(format!(
                    "{} has problems:\n{}",
                    crate::store::without_password(&config.database_url),
                    problems.join("\n")
                ))
            }
        }
        Command::Copy { from, to } => {
            let from = from.unwrap_or_else(|| config.database_url.clone());
            let source = crate::store::Db::open(&from)
                .await
                .map_err(|e| e.to_string())?;
            let target = crate::store::Db::open(&to)
                .await
                .map_err(|e| e.to_string())?;
            crate::store::copy::copy(&source, &target, |table, rows| {
                println!("{table}: {rows} rows");
            })
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "Copied {} into {}.",
                crate::store::without_password(&from),
                crate::store::without_password(&to)
            );
            Ok(())
        }
        Command::Token { command } => token(&open(&config).await?, command).await,
        Command::ScimToken { command } => scim_token(&open(&config).await?, command).await,
        Command::Sso { command } => sso(&open(&config).await?, command).await,
        Command::Org { command } => org(&open(&config).await?, command).await,
        Command::Outlet { command } => outlet(&open(&config).await?, command).await,
        Command::Synth {
            slug,
            outlets,
            people,
            connectors,
            groups,
            seed,
            owner_password,
        } => {
            let plan = crate::service::synth::SynthPlan {
                slug,
                outlets,
                people,
                connectors,
                groups: groups.unwrap_or(outlets / 10),
                seed,
                owner_password,
            };
            synth(&open(&config).await?, plan).await
        }
        Command::Measure {
            org,
            iterations,
            seconds,
        } => {
            let context = open(&config).await?;
            let runs = crate::service::measure::Runs {
                runs: iterations,
                time: seconds,
            };
            let measurements = crate::service::measure::in_process(&context, &org, runs)
                .await
                .map_err(failed)?;
            for measurement in measurements {
                println!(
                    "{}",
                    serde_json::to_string(&measurement).map_err(|e| e.to_string())?
                );
            }
            Ok(())
        }
        Command::Serve {
            demo,
            without_operations_layers,
            clock_shift,
        } => {
            let config = Config {
                operations_layers: !without_operations_layers,
                clock_shift,
                ..config
            };
            serve(config, demo).await
        }
    }
}

/// Opens (creating if needed) and migrates the database, for the commands that work on it
/// without serving.
async fn open(config: &Config) -> Result<Context, String> {
    startup::context(config).await.map_err(|e| e.to_string())
}

async fn sso(context: &Context, command: SsoCommand) -> Result<(), String> {
    use crate::domain::sso::{EmailDomain, parse_issuer};
    let failed = |e: crate::domain::AppError| e.to_string();
    let SsoCommand::Add {
        org,
        issuer,
        client_id,
        client_secret,
        name,
        domains,
    } = command;
    let domains = domains
        .iter()
        .map(|domain| EmailDomain::parse(domain))
        .collect::<Result<Vec<_>, _>>()
        .map_err(failed)?;
    let operator = crate::service::auth::operator(context, &org)
        .await
        .map_err(failed)?;
    let new = crate::service::sso::NewConnection {
        issuer: parse_issuer(&issuer).map_err(failed)?,
        client_id: client_id.trim().to_string(),
        client_secret: client_secret.trim().to_string(),
        display_name: name.unwrap_or_else(|| "single sign-on".into()),
    };
    crate::service::sso::save_connection(context, &operator, &new)
        .await
        .map_err(failed)?;
    let mut work = context.begin().await.map_err(failed)?;
    crate::service::sso::claim_domains(&mut work, &operator, &domains)
        .await
        .map_err(failed)?;
    work.commit().await.map_err(failed)?;
    let claimed: Vec<&str> = domains.iter().map(EmailDomain::as_str).collect();
    println!(
        "Single sign-on is set up for {org} with {}; people of {} can use it. Allow this redirect URI at the provider: {}{}",
        new.issuer,
        claimed.join(", "),
        context.public_url(),
        crate::service::sso::CALLBACK_PATH
    );
    Ok(())
}

async fn scim_token(context: &Context, command: ScimTokenCommand) -> Result<(), String> {
    let failed = |e: crate::domain::AppError| e.to_string();
    let ScimTokenCommand::Create {
        org,
        name,
        role,
        outlet,
        people_role,
        people_outlet,
    } = command;
    let request = crate::service::scim::NewConnection {
        organization_slug: &org,
        name: &name,
        role_name: role.as_deref(),
        outlet_number: outlet.as_deref(),
        people_role: people_role.as_deref(),
        people_outlet: people_outlet.as_deref(),
    };
    let mut work = context.begin().await.map_err(failed)?;
    let token = crate::service::scim::create_connection(&mut work, request)
        .await
        .map_err(failed)?;
    work.commit().await.map_err(failed)?;
    println!(
        "Created SCIM connection {name:?} for {org}; its base URL is <public URL>/scim/v2. The token is shown only once:"
    );
    println!("{token}");
    Ok(())
}

async fn token(context: &Context, command: TokenCommand) -> Result<(), String> {
    let failed = |e: crate::domain::AppError| e.to_string();
    match command {
        TokenCommand::Create {
            org,
            role,
            name,
            outlet,
        } => {
            let request = api_tokens::NewToken {
                organization_slug: &org,
                role_name: &role,
                outlet_number: outlet.as_deref(),
                name: &name,
            };
            let mut work = context.begin().await.map_err(failed)?;
            let token = api_tokens::create(&mut work, request)
                .await
                .map_err(failed)?;
            work.commit().await.map_err(failed)?;
            println!(
                "Created API token {name:?} for {org} with role {role:?}. It is shown only once:"
            );
            println!("{token}");
        }
        TokenCommand::List { org } => {
            let tokens = api_tokens::list(context, &org).await.map_err(failed)?;
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
                    t.id.to_string(),
                    t.name,
                    t.role,
                    t.outlet.unwrap_or_default(),
                    t.last_used_at.unwrap_or_else(|| "never".into())
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let mut work = context.begin().await.map_err(failed)?;
            api_tokens::revoke(&mut work, &id).await.map_err(failed)?;
            work.commit().await.map_err(failed)?;
            println!("Revoked token {id}.");
        }
    }
    Ok(())
}

/// An error as the command line says it: field problems named by their flag.
fn failed(error: crate::domain::AppError) -> String {
    match error {
        crate::domain::AppError::Invalid { fields, .. } if !fields.is_empty() => fields
            .iter()
            .map(|(field, problem)| format!("--{}: {problem}", field.replace('_', "-")))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn synth(context: &Context, plan: crate::service::synth::SynthPlan) -> Result<(), String> {
    use indicatif::{ProgressBar, ProgressStyle};
    let bar = ProgressBar::new(plan.rows());
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} eta {eta}")
            .map_err(|e| e.to_string())?,
    );
    let started = std::time::Instant::now();
    let report = crate::service::synth::generate(context, &plan, |rows| bar.set_position(rows))
        .await
        .map_err(failed)?;
    bar.finish_and_clear();
    // Closing folds SQLite's write-ahead log into the database: part of the load.
    let closing = std::time::Instant::now();
    context.db().close().await.map_err(|e| e.to_string())?;
    let closing = closing.elapsed();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Generated {} ({} outlets, {} outlet groups, {} people, {} connectors): {} rows in {seconds:.1} s, {:.0} rows/s.",
        report.organization,
        plan.outlets,
        plan.groups,
        plan.people,
        plan.connectors,
        report.rows,
        report.rows as f64 / seconds.max(0.001),
    );
    let phases: Vec<String> = report
        .phases
        .iter()
        .chain([&("closing", closing)])
        .map(|(phase, took)| format!("{phase} {:.1} s", took.as_secs_f64()))
        .collect();
    println!("Phases: {}.", phases.join(", "));
    println!("Its owner: {}", report.owner_email);
    if let Some(email) = &report.district_manager {
        println!("A district manager (the owner's password): {email}");
    }
    Ok(())
}

async fn outlet(context: &Context, command: OutletCommand) -> Result<(), String> {
    use crate::domain::me::ImportAction;
    use crate::service::{auth, outlet_import};
    let OutletCommand::Import { org, file, preview } = command;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("--file: cannot read {}: {e}", file.display()))?;
    let operator = auth::operator(context, &org).await.map_err(failed)?;
    let plan = outlet_import::preview(context, &operator, &text)
        .await
        .map_err(failed)?;
    for row in &plan.rows {
        if let ImportAction::Error(reason) = &row.action {
            println!("line {} ({}): {reason}", row.line, row.number);
        }
    }
    let (create, update, unchanged, errors) = plan.counts();
    println!(
        "{create} to create, {update} to update, {unchanged} unchanged, {errors} with errors."
    );
    if preview {
        return Ok(());
    }
    let job = outlet_import::apply_and_wait(context, &operator, &text)
        .await
        .map_err(failed)?;
    let summary = job.summary.unwrap_or_default();
    if job.status == "finished" {
        println!("Applied: {summary}");
        Ok(())
    } else {
        Err(summary)
    }
}

async fn org(context: &Context, command: OrgCommand) -> Result<(), String> {
    use crate::domain::model::{OrganizationKind, Via};
    use crate::domain::organization::OrganizationForm;
    let OrgCommand::Create {
        name,
        slug,
        kind,
        owner_email,
        owner_first_name,
        owner_last_name,
        time_zone,
    } = command;
    let new = OrganizationForm {
        name,
        slug,
        kind,
        time_zone,
        email: owner_email,
        first_name: owner_first_name,
        last_name: owner_last_name,
        password: None,
    }
    .parse(OrganizationKind::VARIANTS)
    .map_err(failed)?;
    let cli = crate::store::audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    let mut work = context.begin().await.map_err(failed)?;
    setup::create_organization(&mut work, cli, &new)
        .await
        .map_err(failed)?;
    work.commit().await.map_err(failed)?;
    println!(
        "Created {} ({}); {} holds its Owner role and is invited by mail.",
        new.name.as_str(),
        new.slug.as_str(),
        new.owner.email.as_str()
    );
    Ok(())
}

async fn serve(config: Config, load_demo: bool) -> Result<(), String> {
    let clock_shift = config.clock_shift;
    let app = build(config).await.map_err(|e| e.to_string())?;
    if load_demo {
        let loaded = demo::load_if_empty(&app.context)
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
        println!("Demo logins (password: {}):", demo::DEMO_PASSWORD);
        for (email, what) in demo::DEMO_LOGINS {
            println!("  {email:<26} {what}");
        }
    }
    if !load_demo
        && let Some(token) = setup::open_setup(&app.context)
            .await
            .map_err(|e| e.to_string())?
    {
        println!("No organization yet. Set up Brigade, once, at:");
        println!("  http://{}/setup/{token}", app.address);
    }
    if let Some(shift) = clock_shift {
        println!(
            "The clock is shifted {} ahead: this demo lives in the future.",
            humantime::format_duration(shift)
        );
    }
    println!("Brigade is serving on http://{}", app.address);
    app.serve().await.map_err(|e| e.to_string())
}
