//! The `brigade` binary itself: help, migrate, and `token create`.

use crate::helpers::*;
use reqwest::StatusCode;
use std::process::Command;

fn brigade(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_brigade"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .output()
        .expect("the binary runs")
}

/// Fails with the command's own error output when it did not succeed.
fn assert_succeeded(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_the_commands_and_migrate_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.db", dir.path().display());
    let help = brigade(&url, &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    for command in ["serve", "migrate", "token"] {
        assert!(text.contains(command), "{text}");
    }
    let migrate = brigade(&url, &["migrate"]);
    assert_succeeded(&migrate);
    assert!(dir.path().join("fresh.db").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_prints_a_working_token_once_on_the_last_line() {
    let app = spawn_app().await;
    let output = brigade(
        &app.database_url,
        &[
            "token",
            "create",
            "--org",
            "harbor",
            "--role",
            "Integration",
            "--name",
            "hr-sync",
        ],
    );
    assert_succeeded(&output);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("brg_"), "{stdout}");
    assert_eq!(app.api_get("/outlets", &token).await.status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_tokens WHERE name = 'hr-sync'")
            .await,
        1
    );

    let outlet_role = brigade(
        &app.database_url,
        &[
            "token", "create", "--org", "harbor", "--role", "Staff", "--name", "pos",
        ],
    );
    assert!(
        !outlet_role.status.success(),
        "an outlet role needs --outlet"
    );
    assert!(String::from_utf8_lossy(&outlet_role.stderr).contains("--outlet"));
    let unknown = brigade(
        &app.database_url,
        &[
            "token", "create", "--org", "nowhere", "--role", "Owner", "--name", "x",
        ],
    );
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--org"));
    let pos = brigade(
        &app.database_url,
        &[
            "token",
            "create",
            "--org",
            "harbor",
            "--role",
            "Outlet Manager",
            "--outlet",
            "hb-001",
            "--name",
            "pos",
        ],
    );
    assert_succeeded(&pos);
}
