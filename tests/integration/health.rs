//! Health for load balancers and orchestrators: live while the process answers; ready while
//! the database answers with its schema current and no shutdown has begun. A SIGTERM lets the
//! requests in flight finish and the process exit 0.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn health(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = reqwest::get(app.url(path)).await.unwrap();
    assert!(
        response.headers().get("set-cookie").is_none(),
        "{path} starts no session"
    );
    (response.status(), response.json().await.unwrap())
}

/// Takes the database away from the app: the SQLite file is moved aside and a folder stands
/// in its place (so that nothing can open or create a database there); on PostgreSQL the
/// database refuses connections and its sessions end.
async fn take_database_away(app: &TestApp) {
    match app.backend() {
        brigade::store::Backend::Sqlite => {
            let file = app.dir.path().join("brigade.db");
            std::fs::rename(&file, file.with_extension("away")).unwrap();
            std::fs::create_dir(&file).unwrap();
        }
        brigade::store::Backend::Postgres => postgres_admin(app, false).await,
    }
}

async fn bring_database_back(app: &TestApp) {
    match app.backend() {
        brigade::store::Backend::Sqlite => {
            let file = app.dir.path().join("brigade.db");
            std::fs::remove_dir(&file).unwrap();
            std::fs::rename(file.with_extension("away"), &file).unwrap();
        }
        brigade::store::Backend::Postgres => postgres_admin(app, true).await,
    }
}

async fn postgres_admin(app: &TestApp, allow: bool) {
    use sqlx::Connection;
    let (server, name) = app.database_url.rsplit_once('/').unwrap();
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!(
        "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS {allow}"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    if !allow {
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(name)
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_and_ready_answer_without_a_session_or_any_data() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let (status, body) = health(&app, path).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, json!({"status": "ok"})),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_turns_503_while_the_database_is_away_and_200_when_it_returns() {
    let app = spawn_app().await;
    take_database_away(&app).await;
    let (status, body) = health(&app, "/health/ready").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["status"], "unavailable");
    assert!(
        matches!(
            body["reason"].as_str(),
            Some("database_unreachable" | "database_slow")
        ),
        "{body}"
    );
    assert_eq!(health(&app, "/health/live").await.0, StatusCode::OK);

    bring_database_back(&app).await;
    assert_eq!(
        health(&app, "/health/ready").await,
        (StatusCode::OK, json!({"status": "ok"})),
        "ready again without a restart"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_while_the_schema_is_behind_this_build() {
    let app = spawn_app().await;
    app.exec("UPDATE _sqlx_migrations SET success = FALSE WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .await;
    assert_eq!(
        health(&app, "/health/ready").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable", "reason": "schema_not_current"})
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_as_soon_as_a_shutdown_begins() {
    let app = spawn_app().await;
    app.health.begin_shutdown();
    assert_eq!(
        health(&app, "/health/ready").await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable", "reason": "shutting_down"})
        )
    );
    assert_eq!(health(&app, "/health/live").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_lets_the_request_in_flight_finish_and_the_process_exits_0() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&dir).await;
    let (mut server, address) = serve_binary(
        &dir,
        &database_url,
        &[("BRIGADE_SHUTDOWN_GRACE", "10s")],
        std::process::Stdio::null(),
    )
    .await;

    // A sign-in whose body is still arriving when the signal comes.
    let body = format!("identifier=admin%40harbor.example&password={DEMO_PASSWORD}&next=");
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /rpc/login HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let pid = server.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the request in flight gets its normal answer: {answer}"
    );

    let exited = tokio::time::timeout(std::time::Duration::from_secs(15), server.wait())
        .await
        .expect("the process exits within the grace period")
        .unwrap();
    assert!(exited.success(), "exit 0: {exited:?}");
}

/// The server process asks the kernel for no transparent huge pages (where THP is `always`,
/// each page it touched in the allocator's region stayed resident as a whole 2 MB page).
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_process_keeps_its_heap_out_of_transparent_huge_pages() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&dir).await;
    let (server, _) = serve_binary(&dir, &database_url, &[], std::process::Stdio::null()).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.id().unwrap())).unwrap();
    assert!(
        status.lines().any(|line| line == "THP_enabled:\t0"),
        "{status}"
    );
}

/// A password sign-in's working memory (argon2's 19 MiB) goes back to the kernel when the hash
/// is done: kept by the allocator instead, three sign-ins at once left ~60 MB resident.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_sign_ins_leave_no_working_memory_resident() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(&dir).await;
    let (server, address) =
        serve_binary(&dir, &database_url, &[], std::process::Stdio::null()).await;
    let resident_mb = || {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", server.id().unwrap())).unwrap();
        let line = status
            .lines()
            .find(|line| line.starts_with("VmRSS:"))
            .unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            / 1024
    };
    let sign_in = |identifier: &'static str| {
        let address = address.clone();
        async move {
            reqwest::Client::new()
                .post(format!("http://{address}/rpc/login"))
                .header("Origin", format!("http://{address}"))
                .header("Accept", "application/json")
                .form(&[("identifier", identifier), ("password", DEMO_PASSWORD)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let before = resident_mb();
    let statuses = tokio::join!(sign_in(ADMIN), sign_in(MANAGER), sign_in(NORTHSIDE_OWNER));
    assert_eq!(
        statuses,
        (StatusCode::OK, StatusCode::OK, StatusCode::OK),
        "the sign-ins succeed"
    );
    let after = resident_mb();
    assert!(
        after < before + 12,
        "resident {before} MB before three sign-ins, {after} MB after"
    );
}
