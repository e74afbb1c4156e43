use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings of a Brigade server, read from the command line or the environment (see
/// `cli::Settings`) with defaults that run the demo from the repository root.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `DATABASE_POOL_SIZE`: connections this server keeps open to the database.
    pub database_pool_size: u32,
    /// `LEPTOS_SITE_ADDR`. Port 0 picks a free port (tests).
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: where cargo-leptos puts the browser bundle.
    pub site_root: String,
    /// `BRIGADE_PUBLIC_URL`: links in mail; `https://` makes cookies Secure.
    pub public_url: String,
    /// `SMTP_URL`: send mail over SMTP; unset, mail is written to `outbox_dir` as `.eml` files.
    pub smtp_url: Option<String>,
    /// `BRIGADE_OUTBOX`.
    pub outbox_dir: PathBuf,
    /// `BRIGADE_SHUTDOWN_GRACE`: how long a shutdown waits for the requests in flight.
    pub shutdown_grace: std::time::Duration,
    /// `BRIGADE_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: super::client_address::TrustedProxies,
    /// `BRIGADE_METRICS_ADDR`: serve Prometheus metrics on this address (unset: none).
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// `BRIGADE_MAIL_FROM`.
    pub mail_from: String,
    /// `BRIGADE_API_RATE_LIMIT`, `BRIGADE_API_ANONYMOUS_RATE_LIMIT`: API requests a minute.
    pub rate_limits: crate::service::rate_limits::RateLimits,
    /// `BRIGADE_SECRET_KEY`: the key that seals secrets at rest (32 bytes, base64). Unset on
    /// SQLite: a key file beside the database (`<database>.key`), made on first start;
    /// required on PostgreSQL.
    pub secret_key: Option<String>,
    /// The request-id and metrics layers (always on, except in `make bench`'s comparison run,
    /// which measures what they cost: `brigade serve --without-operations-layers`).
    pub operations_layers: bool,
    /// `brigade serve --demo --clock-shift 4d`: the services see the time this much later
    /// (rehearsing dated access in a demo, or an end-to-end test passing a window without
    /// waiting). Never outside a demo.
    pub clock_shift: Option<std::time::Duration>,
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        crate::service::secure_cookies(&self.public_url)
    }
}
