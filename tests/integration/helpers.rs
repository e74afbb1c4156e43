//! The one test-helpers layer: `spawn_app` and the requests a scenario needs.

use brigade::server::{Config, build};
use brigade::service::{Context, passwords};
use brigade::store;
use brigade::store::Sql;
use brigade::store::sql::{Decoded, Scalar};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::sync::OnceLock;
use tempfile::TempDir;

pub const DEMO_PASSWORD: &str = store::demo::DEMO_PASSWORD;
pub const ADMIN: &str = "admin@harbor.example";
pub const MANAGER: &str = "manager@harbor.example";
pub const NORTHSIDE_OWNER: &str = "owner@northside.example";
pub const INACTIVE: &str = "quinn.former@harbor.example";
/// The servers' secret key in the suite (`BRIGADE_SECRET_KEY`): 32 bytes, base64.
pub const TEST_SECRET_KEY: &str = "dGVzdC1zZWNyZXQta2V5LW9mLXRoZS1zdWl0ZS0zMiE=";

pub struct TestApp {
    pub address: String,
    /// For the test's own SQL (setting up a scenario, checking what was stored): `query`.
    pub db: store::Db,
    pub context: Context,
    pub database_url: String,
    /// A browser-like client: keeps cookies, does not follow redirects. The timeout turns a hung
    /// response into a failing test rather than a stuck CI run.
    pub client: Client,
    pub dir: std::sync::Arc<TempDir>,
    pub health: brigade::server::health::Health,
    /// The metrics listener, when the configuration asked for one.
    pub metrics_address: Option<std::net::SocketAddr>,
}

fn demo_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| passwords::hash_demo(DEMO_PASSWORD))
}

/// A server function's answer: its status and its body (JSON, or the text as a string).
async fn answer_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A browser of its own that gave `email`'s demo password (signed in, or at the second step).
pub async fn password_sign_in_from(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (Client, Response) {
    let client = browser();
    let response = client
        .post(app.url("/rpc/login"))
        .header("Accept", "application/json")
        .form(&[("identifier", email), ("password", password)])
        .send()
        .await
        .unwrap();
    (client, response)
}

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The PostgreSQL server the suite runs on (`.ci/with-postgres` sets it), or none: SQLite.
pub fn postgres_server() -> Option<String> {
    std::env::var("BRIGADE_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A new, empty database of the suite's backend: a file in `dir`, or a database of its own
/// on the PostgreSQL server.
pub async fn fresh_database(dir: &TempDir) -> String {
    match postgres_server() {
        None => format!("sqlite://{}/brigade.db", dir.path().display()),
        Some(server) => {
            use sqlx::Connection;
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                .await
                .expect("the PostgreSQL server answers");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap();
            admin.close().await.unwrap();
            format!("{server}/{name}")
        }
    }
}

/// Starts the app on a fresh database with the demo data.
pub async fn spawn_app() -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let database_url = fresh_database(&dir).await;
    let app = spawn_on(&database_url, &dir).await;
    assert!(
        store::demo::load_if_empty(app.context.db(), demo_hash())
            .await
            .unwrap()
    );
    app
}

/// Starts the app on a fresh, empty database (no organization: day one).
pub async fn spawn_empty() -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let database_url = fresh_database(&dir).await;
    spawn_on(&database_url, &dir).await
}

/// Runs `brigade serve --demo` as its own process on `database_url` (a free port, the outbox
/// in `dir`, `env` on top) and waits until it is ready: for what only a process shows
/// (signals, its logs on `stderr`). Returns the child and its address.
pub async fn serve_binary(
    dir: &TempDir,
    database_url: &str,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let server = tokio::process::Command::new(env!("CARGO_BIN_EXE_brigade"))
        .args(["serve", "--demo"])
        .env("DATABASE_URL", database_url)
        .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
        .env("LEPTOS_SITE_ADDR", &address)
        .env("BRIGADE_OUTBOX", dir.path().join("outbox"))
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if let Ok(response) = reqwest::get(format!("http://{address}/health/ready")).await
            && response.status() == StatusCode::OK
        {
            return (server, address);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

/// Starts another instance on an existing database (a restart, as far as data goes).
pub async fn spawn_on(database_url: &str, dir: &std::sync::Arc<TempDir>) -> TestApp {
    spawn_configured(database_url, dir, |_| {}).await
}

/// Starts the app on a fresh database with the demo data, behind these trusted proxies
/// (`BRIGADE_TRUSTED_PROXIES`).
pub async fn spawn_app_trusting(proxies: &str) -> TestApp {
    let proxies = brigade::server::client_address::parse(proxies).unwrap();
    spawn_app_with(|config| config.trusted_proxies = proxies).await
}

/// Starts the app on a fresh database with the demo data, its configuration changed by
/// `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let database_url = fresh_database(&dir).await;
    let app = spawn_configured(&database_url, &dir, adjust).await;
    assert!(
        store::demo::load_if_empty(app.context.db(), demo_hash())
            .await
            .unwrap()
    );
    app
}

/// Starts an instance with the test configuration, changed by `adjust`.
pub async fn spawn_configured(
    database_url: &str,
    dir: &std::sync::Arc<TempDir>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    // `TEST_LOG=1 cargo test …` shows the servers' logs (errors and their causes).
    static LOG: OnceLock<()> = OnceLock::new();
    LOG.get_or_init(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("warn,brigade=info")
                .with_test_writer()
                .try_init();
        }
    });
    let mut config = Config {
        database_url: database_url.to_string(),
        database_pool_size: store::DEFAULT_POOL_SIZE,
        shutdown_grace: std::time::Duration::from_secs(10),
        trusted_proxies: Default::default(),
        metrics_addr: None,
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_root: "target/site".into(),
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        outbox_dir: dir.path().join("outbox"),
        mail_from: "Brigade <no-reply@brigade.invalid>".into(),
        // On PostgreSQL a key is required; on SQLite the key file beside the database is
        // made (tests of the key file unset this).
        secret_key: Some(TEST_SECRET_KEY.into()),
        operations_layers: true,
        clock_shift: None,
        // The suite's own tests make many requests a minute; the rate-limit tests lower these.
        rate_limits: brigade::service::rate_limits::RateLimits {
            per_client: 1_000_000,
            per_address: 1_000_000,
            per_scim_connection: 1_000_000,
        },
    };
    adjust(&mut config);
    let app = build(config).await.expect("the app builds");
    let address = format!("http://{}", app.address);
    let context = app.context.clone();
    let db = context.db().clone();
    let health = app.health();
    let metrics_address = app.metrics_address;
    tokio::spawn(app.serve());
    TestApp {
        address,
        db,
        context,
        database_url: database_url.to_string(),
        client: browser(),
        dir: dir.clone(),
        health,
        metrics_address,
    }
}

/// How the database runs a query, from its plan (SQLite's `EXPLAIN QUERY PLAN` details or
/// PostgreSQL's `EXPLAIN` lines), asked in terms both backends answer.
#[derive(Debug)]
pub struct Plan {
    pub backend: store::Backend,
    pub lines: Vec<String>,
}

impl Plan {
    /// Whether a step reads through the index `name`.
    pub fn uses(&self, index: &str) -> bool {
        self.lines.iter().any(|line| line.contains(index))
    }

    /// Whether a step sorts the rows it reads (their order does not come from an index).
    /// Sorting a page already cut by its `LIMIT` is not that (a page of at most 51 sorted
    /// again after a join).
    pub fn sorts(&self) -> bool {
        match self.backend {
            store::Backend::Sqlite => self.lines.iter().any(|line| line.contains("TEMP B-TREE")),
            store::Backend::Postgres => {
                // (depth, whether the line is a step rather than a detail of one, its text)
                let steps: Vec<(usize, bool, &str)> = self
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(at, line)| {
                        let node = at == 0 || line.trim_start().starts_with("->");
                        let step = line.trim_start().trim_start_matches("->").trim_start();
                        (line.len() - step.len(), node, step)
                    })
                    .collect();
                steps.iter().enumerate().any(|(at, (depth, node, step))| {
                    let sort = *node
                        && (step.starts_with("Sort ") || step.starts_with("Incremental Sort"));
                    // The steps under this one follow it, deeper, until one as shallow.
                    let mut below = steps[at + 1..].iter().take_while(|(d, ..)| d > depth);
                    sort && !below.any(|(_, node, step)| *node && step.starts_with("Limit "))
                })
            }
        }
    }

    /// Whether `table` (aliased `alias`) is read whole rather than searched through an index.
    pub fn scans(&self, table: &str, alias: &str) -> bool {
        self.lines.iter().any(|line| match self.backend {
            store::Backend::Sqlite => line.starts_with(&format!("SCAN {alias}")),
            store::Backend::Postgres => line.contains(&format!("Seq Scan on {table} {alias}")),
        })
    }
}

/// A statement of a test, on the app's database: text with `$1…$N`, then `bind` in order.
pub struct Query<'a> {
    db: &'a store::Db,
    sql: Sql,
}

impl Query<'_> {
    pub fn bind(mut self, value: impl Into<store::Value>) -> Self {
        self.sql = self.sql.bind(value);
        self
    }

    pub async fn fetch_one<T: Decoded>(self) -> sqlx::Result<T> {
        self.sql.fetch_one(&mut self.db.read().await?).await
    }

    pub async fn fetch_all<T: Decoded>(self) -> sqlx::Result<Vec<T>> {
        self.sql.fetch_all(&mut self.db.read().await?).await
    }

    pub async fn scalar<T: Scalar>(self) -> sqlx::Result<T> {
        self.sql.scalar(&mut self.db.read().await?).await
    }

    pub async fn scalars<T: Scalar>(self) -> sqlx::Result<Vec<T>> {
        self.sql.scalars(&mut self.db.read().await?).await
    }

    pub async fn scalar_optional<T: Scalar>(self) -> sqlx::Result<Option<T>> {
        self.sql.scalar_optional(&mut self.db.read().await?).await
    }

    /// Runs a statement: the rows it changed.
    pub async fn execute(self) -> sqlx::Result<u64> {
        self.sql.execute(&mut self.db.read().await?).await
    }
}

impl TestApp {
    /// The test's own SQL on the app's database (either backend).
    pub fn query(&self, sql: &str) -> Query<'_> {
        Query {
            db: &self.db,
            sql: Sql::new(sql),
        }
    }

    pub fn backend(&self) -> store::Backend {
        self.db.backend()
    }

    /// A connection to read query plans of the demo's data on. Its tables hold a few dozen
    /// rows, which PostgreSQL reads whole whatever indexes exist; with sequential scans priced
    /// out there, the plan shows what the indexes allow, as at scale. (SQLite plans by
    /// its rules, not by size.)
    pub async fn plan_conn(&self) -> store::Conn {
        self.planner_conn(&["enable_seqscan"]).await
    }

    /// A connection whose PostgreSQL planner may not use the plan `kinds` (`enable_seqscan`,
    /// `enable_indexscan` …): what remains shows whether an index serves a predicate at all.
    pub async fn planner_conn(&self, kinds: &[&str]) -> store::Conn {
        let mut conn = self.db.read().await.unwrap();
        if self.backend() == store::Backend::Postgres {
            for kind in kinds {
                Sql::new(format!("SET {kind} = off"))
                    .execute(&mut conn)
                    .await
                    .unwrap();
            }
        }
        conn
    }

    pub fn plan(&self, lines: Vec<String>) -> Plan {
        Plan {
            backend: self.backend(),
            lines,
        }
    }

    /// The backend's "position of a substring" function (a plain scan, to compare searches
    /// with): `instr` on SQLite, `strpos` on PostgreSQL (the same arguments and answer).
    pub fn instr(&self) -> &'static str {
        match self.backend() {
            store::Backend::Sqlite => "instr",
            store::Backend::Postgres => "strpos",
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn sign_in(&self, identifier: &str, password: &str) -> Response {
        self.sign_in_then(identifier, password, "").await
    }

    /// Signs in asking to go to `next` afterwards.
    pub async fn sign_in_then(&self, identifier: &str, password: &str, next: &str) -> Response {
        self.client
            .post(self.url("/rpc/login"))
            .header("Accept", "application/json")
            .form(&[
                ("identifier", identifier),
                ("password", password),
                ("next", next),
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
        self.rpc_from(&self.client, name, form).await
    }

    /// Calls a console server function from a browser of its own, without a session.
    pub async fn rpc_as_stranger(&self, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        self.rpc_from(&browser(), name, form).await
    }

    /// Calls a console server function from `client` (a browser of the test's own).
    pub async fn rpc_from(
        &self,
        client: &Client,
        name: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let response = client
            .post(self.url(&format!("/rpc/{name}")))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .unwrap();
        answer_of(response).await
    }

    /// Calls a console server function that takes JSON (passkeys' ceremonies) from `client`.
    pub async fn rpc_json(&self, client: &Client, name: &str, body: &Value) -> (StatusCode, Value) {
        let response = client
            .post(self.url(&format!("/rpc/{name}")))
            .header("Accept", "application/json")
            .json(body)
            .send()
            .await
            .unwrap();
        answer_of(response).await
    }

    /// The emails the people list shows (all pages) for a search, through the server function.
    pub async fn people_emails(&self, search: &str) -> Vec<String> {
        let mut emails = Vec::new();
        let mut after = String::new();
        loop {
            let (status, body) = self
                .rpc("list_people", &[("search", search), ("after", &after)])
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            emails.extend(
                body["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["email"].as_str().unwrap().to_string()),
            );
            match body["next"].as_str() {
                Some(next) => after = next.to_string(),
                None => break,
            }
        }
        emails.sort();
        emails
    }

    /// How many audit events of `action` were recorded.
    pub async fn audited(&self, action: &str) -> i64 {
        self.query("SELECT COUNT(*) FROM audit_events WHERE action = $1")
            .bind(action)
            .scalar()
            .await
            .unwrap()
    }

    pub async fn user_id(&self, email: &str) -> uuid::Uuid {
        self.query("SELECT id FROM user_accounts WHERE email = $1")
            .bind(email)
            .scalar()
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

/// A reply from the API: status and JSON body (`Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    /// The `ETag` header, when the answer has one.
    pub etag: Option<String>,
}

async fn reply(response: Response) -> Reply {
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let text = response.text().await.unwrap();
    Reply {
        status,
        body: if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        },
        etag,
    }
}

impl TestApp {
    /// Creates an API token for a role of an organization (`outlet`: the number, for O roles).
    pub async fn api_token(&self, org: &str, role: &str, outlet: Option<&str>) -> String {
        let mut work = self.context.begin().await.unwrap();
        let token = brigade::service::api_tokens::create(
            &mut work,
            brigade::service::api_tokens::NewToken {
                organization_slug: org,
                role_name: role,
                outlet_number: outlet,
                name: "integration test",
            },
        )
        .await
        .expect("token created");
        work.commit().await.unwrap();
        token
    }

    /// Revokes a token, as `brigade token revoke` does.
    pub async fn revoke_token(&self, id: &str) {
        let mut work = self.context.begin().await.unwrap();
        brigade::service::api_tokens::revoke(&mut work, id)
            .await
            .unwrap();
        work.commit().await.unwrap();
    }

    /// Runs SQL that sets up a scenario (returns rows affected).
    pub async fn exec(&self, sql: &str) -> u64 {
        self.query(sql).execute().await.unwrap()
    }

    /// Gives a demo person the demo password, so that they can sign in.
    pub async fn give_password(&self, email: &str) {
        self.query("UPDATE user_accounts SET password_hash = $1 WHERE email = $2")
            .bind(demo_hash())
            .bind(email)
            .execute()
            .await
            .unwrap();
    }

    /// A role of the organization with exactly these permissions (codes), for a scenario.
    pub async fn custom_role(
        &self,
        org: &str,
        name: &str,
        kind: &str,
        permissions: &[&str],
    ) -> uuid::Uuid {
        let id = uuid::Uuid::now_v7();
        self.query(
            "INSERT INTO roles (id, organization_id, name, type, partner_role, created_at, updated_at)
             SELECT $1, id, $2, $3, 'manager', 'now', 'now' FROM organizations WHERE slug = $4",
        )
        .bind(id)
        .bind(name)
        .bind(kind)
        .bind(org)
        .execute()
        .await
        .unwrap();
        for permission in permissions {
            self.query("INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)")
                .bind(id)
                .bind(*permission)
                .execute()
                .await
                .unwrap();
        }
        id
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(&format!("/api/v1{path}")))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request.send().await.unwrap()).await
    }

    /// A SCIM connection of `org` acting with `role` (`None`: the organization's provisioning
    /// role), whose new people start as `people` = (role, outlet number).
    pub async fn scim_connection(
        &self,
        org: &str,
        role: Option<&str>,
        people: Option<(&str, &str)>,
    ) -> String {
        let mut work = self.context.begin().await.unwrap();
        let token = brigade::service::scim::create_connection(
            &mut work,
            brigade::service::scim::NewConnection {
                organization_slug: org,
                name: "identity provider",
                role_name: role,
                outlet_number: None,
                people_role: people.map(|(role, _)| role),
                people_outlet: people.map(|(_, outlet)| outlet),
            },
        )
        .await
        .expect("SCIM connection created");
        work.commit().await.unwrap();
        token
    }

    /// A request to `/scim/v2{path}` with a bearer token, the body as `application/scim+json`.
    pub async fn scim(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(&format!("/scim/v2{path}")))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        reply(request.send().await.unwrap()).await
    }

    pub async fn scim_get(&self, path: &str, token: &str) -> Reply {
        self.scim(reqwest::Method::GET, path, token, None).await
    }

    pub async fn api_get(&self, path: &str, token: &str) -> Reply {
        self.api(reqwest::Method::GET, path, token, None).await
    }

    pub async fn api_post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.api(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    pub async fn api_patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.api(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    pub async fn api_delete(&self, path: &str, token: &str) -> Reply {
        self.api(reqwest::Method::DELETE, path, token, None).await
    }

    /// Every connector the token can list, following cursors.
    pub async fn all_connectors(&self, token: &str, filters: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/user-connectors?page_size=7{filters}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let reply = self.api_get(&path, token).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            all.extend(reply.body["results"].as_array().unwrap().iter().cloned());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
        all
    }

    pub async fn id_of(&self, sql: &str, bind: &str) -> uuid::Uuid {
        self.query(sql).bind(bind).scalar().await.unwrap()
    }

    /// The organization `slug`'s id, as the store takes it.
    pub async fn organization(&self, slug: &str) -> brigade::domain::OrganizationId {
        brigade::domain::OrganizationId(
            self.id_of("SELECT id FROM organizations WHERE slug = $1", slug)
                .await,
        )
    }

    pub async fn role_id(&self, org: &str, name: &str) -> uuid::Uuid {
        self.query(
            "SELECT r.id FROM roles r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = $1 AND r.name = $2",
        )
        .bind(org)
        .bind(name)
        .scalar()
        .await
        .unwrap()
    }

    /// The id of a person's only connector in the database (by email).
    pub async fn connector_of(&self, email: &str) -> uuid::Uuid {
        self.id_of(
            "SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id WHERE a.email = $1",
            email,
        )
        .await
    }

    /// The id of a person's first connector in one organization (by email and slug).
    pub async fn connector_in(&self, org: &str, email: &str) -> uuid::Uuid {
        self.query(
            "SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id JOIN organizations o ON o.id = c.organization_id
             WHERE a.email = $1 AND o.slug = $2 ORDER BY c.id LIMIT 1",
        )
        .bind(email)
        .bind(org)
        .scalar()
        .await
        .unwrap()
    }

    pub async fn outlet_id(&self, number: &str) -> uuid::Uuid {
        self.id_of("SELECT id FROM outlets WHERE number = $1", number)
            .await
    }

    /// A valid new Harbor user for the API's bulk create: Staff at Pier 39, with the address
    /// `<username>@harbor.example`.
    pub async fn new_staff(&self, username: &str) -> Value {
        let pier = self.outlet_id("HB-001").await;
        serde_json::json!({
            "username": username,
            "email": format!("{username}@harbor.example"),
            "first_name": "New",
            "last_name": "Hire",
            "default_location": pier,
            "user_roles": [{"id": self.role_id("harbor", "Staff").await}],
            "locations": [{"id": pier}],
        })
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.query(sql).scalar().await.unwrap()
    }

    /// Runs `brigade synth` with `args` on this app's database (and its outbox).
    pub fn synth(&self, args: &[&str]) -> std::process::Output {
        self.brigade(&[&["synth"], args].concat())
    }

    /// Runs `brigade synth <args>` and checks that it generated the organization.
    pub fn generated(&self, args: &[&str]) {
        let output = self.synth(args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Runs `brigade <args>` on this app's database (and its outbox).
    pub fn brigade(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_brigade"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
            .env("BRIGADE_OUTBOX", self.dir.path().join("outbox"))
            .env("RUST_LOG", "error")
            .output()
            .expect("the binary runs")
    }

    /// The mails written to the outbox, as text.
    pub fn outbox(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("outbox")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect()
    }
}

/// The one-time link inside a verification mail (undoing quoted-printable soft breaks).
pub fn verification_link(mail: &str) -> String {
    link_in(mail, "/verify/")
}

/// The first link starting with `prefix` inside a mail (undoing quoted-printable soft breaks).
pub fn link_in(mail: &str, prefix: &str) -> String {
    let text = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text.find(prefix).expect("a link");
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_'))
        .collect()
}

#[test]
fn a_plan_sorts_the_rows_it_reads_unless_the_sort_is_of_a_page_already_cut() {
    let plan = |lines: &[&str]| Plan {
        backend: store::Backend::Postgres,
        lines: lines.iter().map(|line| (*line).to_string()).collect(),
    };
    let page_sorted = plan(&[
        "Sort  (cost=47.43..47.56 rows=51 width=391)",
        "  Sort Key: c.id",
        "  ->  Hash Left Join  (cost=15.51..43.95 rows=51 width=378)",
        "        ->  Limit  (cost=0.85..19.31 rows=51 width=336)",
        "              ->  Index Scan using user_connectors_pkey on user_connectors c",
        "        ->  Hash  (cost=13.89..13.89 rows=50 width=46)",
        "              ->  Seq Scan on outlets o  (cost=0.00..13.89 rows=50 width=46)",
    ]);
    let read_sorted = plan(&[
        "Limit  (cost=47.43..47.56 rows=51 width=391)",
        "  ->  Sort  (cost=47.43..47.56 rows=1921 width=391)",
        "        Sort Key: c.id",
        "        ->  Seq Scan on user_connectors c  (cost=0.00..43.95 rows=1921 width=378)",
    ]);
    let sorted_beside_a_limit = plan(&[
        "Hash Join  (cost=15.51..43.95 rows=51 width=378)",
        "  ->  Limit  (cost=0.85..19.31 rows=51 width=336)",
        "        ->  Index Scan using user_connectors_pkey on user_connectors c",
        "  ->  Hash  (cost=13.89..13.89 rows=50 width=46)",
        "        ->  Sort  (cost=13.89..13.89 rows=2000 width=46)",
        "              Sort Key: o.name",
        "              ->  Seq Scan on outlets o  (cost=0.00..13.89 rows=2000 width=46)",
    ]);
    assert!(!page_sorted.sorts());
    assert!(read_sorted.sorts());
    assert!(sorted_beside_a_limit.sorts());
}
