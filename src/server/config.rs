use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings from the environment, with defaults that run the demo from the repository root.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`, default `sqlite://data/brigade.db`.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`, default `127.0.0.1:3000`. Port 0 picks a free port (tests).
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`, default `target/site` (where cargo-leptos puts the browser bundle).
    pub site_root: String,
    /// `BRIGADE_PUBLIC_URL`, default `http://<site_addr>`: links in mail; `https://` makes cookies Secure.
    pub public_url: String,
    /// `SMTP_URL`: send mail over SMTP; unset, mail is written to `outbox_dir` as `.eml` files.
    pub smtp_url: Option<String>,
    /// `BRIGADE_OUTBOX`, default `data/outbox`.
    pub outbox_dir: PathBuf,
    /// `BRIGADE_MAIL_FROM`, default `Brigade <no-reply@brigade.invalid>`.
    pub mail_from: String,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let site_addr: SocketAddr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| format!("LEPTOS_SITE_ADDR: {e}"))?;
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/brigade.db".into()),
            site_addr,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_url: var("BRIGADE_PUBLIC_URL").unwrap_or_else(|| format!("http://{site_addr}")),
            smtp_url: var("SMTP_URL"),
            outbox_dir: var("BRIGADE_OUTBOX")
                .unwrap_or_else(|| "data/outbox".into())
                .into(),
            mail_from: var("BRIGADE_MAIL_FROM")
                .unwrap_or_else(|| "Brigade <no-reply@brigade.invalid>".into()),
        })
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
