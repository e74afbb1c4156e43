//! The one test-helpers layer: `spawn_app` and the requests a scenario needs.

use brigade::server::{Config, build, password};
use brigade::store;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use sqlx::SqlitePool;
use std::sync::OnceLock;
use tempfile::TempDir;

pub const DEMO_PASSWORD: &str = store::demo::DEMO_PASSWORD;
pub const ADMIN: &str = "admin@harbor.example";
pub const MANAGER: &str = "manager@harbor.example";
pub const NORTHSIDE_OWNER: &str = "owner@northside.example";
pub const INACTIVE: &str = "quinn.former@harbor.example";

pub struct TestApp {
    pub address: String,
    pub pool: SqlitePool,
    pub database_url: String,
    /// A browser-like client: keeps cookies, does not follow redirects.
    pub client: Client,
    pub dir: std::sync::Arc<TempDir>,
}

fn demo_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(DEMO_PASSWORD).as_stored().to_string())
}

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Starts the app on a fresh database with the demo data.
pub async fn spawn_app() -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let database_url = format!("sqlite://{}/brigade.db", dir.path().display());
    let app = spawn_on(&database_url, &dir).await;
    assert!(
        store::demo::load_if_empty(&app.pool, demo_hash())
            .await
            .unwrap()
    );
    app
}

/// Starts another instance on an existing database (a restart, as far as data goes).
pub async fn spawn_on(database_url: &str, dir: &std::sync::Arc<TempDir>) -> TestApp {
    let config = Config {
        database_url: database_url.to_string(),
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_root: "target/site".into(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        outbox_dir: dir.path().join("outbox"),
        mail_from: "Brigade <no-reply@brigade.invalid>".into(),
    };
    let app = build(config).await.expect("the app builds");
    let address = format!("http://{}", app.address);
    let pool = app.state.pool.clone();
    tokio::spawn(app.serve());
    TestApp {
        address,
        pool,
        database_url: database_url.to_string(),
        client: browser(),
        dir: dir.clone(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn sign_in(&self, identifier: &str, password: &str) -> Response {
        self.client
            .post(self.url("/rpc/login"))
            .header("Accept", "application/json")
            .form(&[
                ("identifier", identifier),
                ("password", password),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Signs in with the demo password and checks that it worked.
    pub async fn sign_in_as(&self, email: &str) {
        let response = self.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "{email} signs in");
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// Calls a console server function the way the hydrated page does.
    pub async fn rpc(&self, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url(&format!("/rpc/{name}")))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The emails the people list shows (all pages) for a search, through the server function.
    pub async fn people_emails(&self, search: &str) -> Vec<String> {
        let mut emails = Vec::new();
        for page in 1.. {
            let page_text = page.to_string();
            let (status, body) = self
                .rpc("list_people", &[("search", search), ("page", &page_text)])
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            emails.extend(
                body["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["email"].as_str().unwrap().to_string()),
            );
            if page
                >= body["total"]
                    .as_u64()
                    .unwrap()
                    .div_ceil(body["page_size"].as_u64().unwrap())
            {
                break;
            }
        }
        emails.sort();
        emails
    }

    pub async fn user_id(&self, email: &str) -> uuid::Uuid {
        sqlx::query_scalar("SELECT id FROM user_accounts WHERE email = ?1")
            .bind(email)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    pub fn session_cookie(response: &Response) -> Option<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("brigade_session="))
            .map(str::to_string)
    }
}
