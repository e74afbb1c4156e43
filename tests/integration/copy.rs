//! `brigade copy`: a customer moves between backends. The demo goes from the suite's backend
//! into SQLite and back into a fresh database of the suite's backend (on the PostgreSQL run:
//! PostgreSQL → SQLite → PostgreSQL), and every row of every table is the same at each step.

use crate::helpers::*;
use brigade::store::{Db, copy};
use reqwest::StatusCode;
use std::process::{Command, Output};

fn brigade_copy(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_brigade"))
        .args(["copy", "--from", from, "--to", to])
        .env("RUST_LOG", "error")
        .output()
        .expect("the binary runs")
}

/// Every table a copy moves, row for row.
async fn everything(url: &str) -> Vec<(&'static str, Vec<copy::Values>)> {
    let db = Db::connect(url, 1).await.unwrap();
    let mut conn = db.read().await.unwrap();
    let mut tables = Vec::new();
    for table in copy::table_names() {
        let rows = copy::rows(&mut conn, table).await.unwrap().unwrap();
        tables.push((table, rows));
    }
    tables
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_copied_to_sqlite_and_back_is_the_same_row_for_row_and_still_serves() {
    let app = spawn_app().await;
    // A few more kinds of rows: an API client (and its audit event), a failed sign-in.
    let token = app.api_token("harbor", "Integration", None).await;
    assert_eq!(app.api_get("/outlets", &token).await.status, StatusCode::OK);
    app.sign_in(MANAGER, "not-the-password").await;
    let original = everything(&app.database_url).await;
    for table in [
        "organizations",
        "user_connectors",
        "audit_events",
        "api_tokens",
        "sign_in_failures",
    ] {
        let rows = &original.iter().find(|(name, _)| *name == table).unwrap().1;
        assert!(!rows.is_empty(), "the demo has {table}");
    }

    let sqlite = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}/moved.db", sqlite.path().display());
    let there = brigade_copy(&app.database_url, &sqlite_url);
    assert!(
        there.status.success(),
        "{}",
        String::from_utf8_lossy(&there.stderr)
    );
    assert!(String::from_utf8_lossy(&there.stdout).contains("user_connectors: "));
    let back_dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let back_url = fresh_database(&back_dir).await;
    let back = brigade_copy(&sqlite_url, &back_url);
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );

    for (step, url) in [("into SQLite", &sqlite_url), ("and back", &back_url)] {
        let copied = everything(url).await;
        for ((table, rows), (_, copied_rows)) in original.iter().zip(&copied) {
            assert_eq!(rows.len(), copied_rows.len(), "{step}: {table} rows");
            assert_eq!(rows, copied_rows, "{step}: {table}");
        }
    }

    // A database that holds data is never written to.
    let refused = brigade_copy(&sqlite_url, &app.database_url);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));
    assert_eq!(everything(&app.database_url).await, original);

    // The copy serves: people sign in, tokens work, and new audit events follow the old.
    let moved = spawn_on(&back_url, &back_dir).await;
    moved.sign_in_as(ADMIN).await;
    assert_eq!(moved.get("/users").await.status(), StatusCode::OK);
    assert_eq!(
        moved.api_get("/outlets", &token).await.status,
        StatusCode::OK
    );
    let events = moved.count("SELECT COUNT(*) FROM audit_events").await;
    moved.api_token("harbor", "Integration", None).await;
    assert_eq!(
        moved.count("SELECT COUNT(*) FROM audit_events").await,
        events + 1
    );
}
