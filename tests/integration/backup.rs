//! `brigade backup` and `brigade check`: a consistent copy of a SQLite database taken while
//! the server writes, verified and served; PostgreSQL is pointed at pg_dump.

use crate::helpers::*;
use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

const WRITERS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_sixteen_writers_run_passes_check_and_serves() {
    let app = spawn_app().await;
    let token = app.api_token("harbor", "Integration", None).await;
    let staff = app.role_id("harbor", "Staff").await;
    let pier = app.outlet_id("HB-001").await;
    let file = app.dir.path().join("backup.db");

    let writes = futures_util::stream::iter(0..WRITERS * 4)
        .map(|n| {
            let (app, token) = (&app, &token);
            async move {
                app.api_post(
                    "/user-connectors",
                    token,
                    json!({ "email": format!("during{n}@harbor.example"), "role": staff, "outlet": pier }),
                )
                .await
                .status
            }
        })
        .buffer_unordered(WRITERS)
        .collect::<Vec<_>>();
    let backup = {
        let file = file.to_string_lossy().into_owned();
        let app = &app;
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tokio::task::block_in_place(|| app.brigade(&["backup", &file]))
        }
    };
    let (statuses, backup) = tokio::join!(writes, backup);
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );

    match app.backend() {
        brigade::store::Backend::Sqlite => {
            assert!(
                backup.status.success(),
                "{}",
                String::from_utf8_lossy(&backup.stderr)
            );
            let url = format!("sqlite://{}", file.display());
            let check = brigade_on(&url, &["check"]);
            assert!(
                check.status.success(),
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
            assert!(String::from_utf8_lossy(&check.stdout).contains("is sound"));

            // Restored, it serves, and holds each write whole or not at all.
            let restored = spawn_on(&url, &app.dir).await;
            restored.sign_in_as(ADMIN).await;
            assert_eq!(restored.get("/users").await.status(), StatusCode::OK);
            let accounts = restored
                .count("SELECT COUNT(*) FROM user_accounts WHERE email LIKE 'during%'")
                .await;
            let grants = restored
                .count(
                    "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
                     JOIN user_accounts a ON a.id = m.user_id WHERE a.email LIKE 'during%'",
                )
                .await;
            assert_eq!(accounts, grants, "no write is half in the backup");
            assert!(accounts <= (WRITERS * 4) as i64);
            // A second backup to the same file is refused, not overwritten.
            let again = app.brigade(&["backup", &file.to_string_lossy()]);
            assert!(!again.status.success());
            assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
        }
        brigade::store::Backend::Postgres => {
            assert!(!backup.status.success());
            assert!(
                String::from_utf8_lossy(&backup.stderr).contains("pg_dump"),
                "{}",
                String::from_utf8_lossy(&backup.stderr)
            );
            assert!(!file.exists());
            let check = app.brigade(&["check"]);
            assert!(
                check.status.success(),
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_says_what_is_wrong_and_exits_non_zero() {
    let app = spawn_app().await;
    app.exec("UPDATE _sqlx_migrations SET success = FALSE WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .await;
    let check = app.brigade(&["check"]);
    assert!(!check.status.success());
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(said.contains("migrations: the schema is at"), "{said}");
}

fn brigade_on(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_brigade"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}
