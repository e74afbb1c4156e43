//! The `brigade` binary itself: help, migrate, and `token create`.

use crate::helpers::*;
use reqwest::StatusCode;
use std::process::Command;

fn brigade(database_url: &str, args: &[&str]) -> std::process::Output {
    brigade_with_outbox(database_url, args, None)
}

fn brigade_with_outbox(
    database_url: &str,
    args: &[&str],
    outbox: Option<&std::path::Path>,
) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_brigade"));
    if let Some(outbox) = outbox {
        command.env("BRIGADE_OUTBOX", outbox);
    }
    command
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
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
async fn help_names_the_commands_and_migrate_creates_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(&dir).await;
    let help = brigade(&url, &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    for command in ["serve", "migrate", "token"] {
        assert!(text.contains(command), "{text}");
    }
    let migrate = brigade(&url, &["migrate"]);
    assert_succeeded(&migrate);
    // The schema of the URL's backend is there, and a second run has nothing left to do.
    let db = brigade::store::Db::connect(&url, 1).await.unwrap();
    let mut conn = db.read().await.unwrap();
    let organizations: i64 = brigade::store::Sql::new("SELECT COUNT(*) FROM organizations")
        .scalar(&mut conn)
        .await
        .unwrap();
    assert_eq!(organizations, 0);
    assert_succeeded(&brigade(&url, &["migrate"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_url_of_another_kind_is_refused_at_start_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "mysql://brigade@localhost/brigade",
        "postgres:brigade",
        "brigade.db",
        "",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_brigade"))
            .arg("migrate")
            .env("DATABASE_URL", url)
            .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!output.status.success(), "{url:?} is refused");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(
            said.contains("sqlite://") && said.contains("postgres://"),
            "{url:?}: the message says what works: {said}"
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file or folder made"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn org_create_makes_an_organization_whose_owner_is_invited_by_mail() {
    let app = spawn_app().await;
    let outbox = app.dir.path().join("outbox");
    let create = |slug: &str, kind: &str| {
        brigade_with_outbox(
            &app.database_url,
            &[
                "org",
                "create",
                "--name",
                "Pier Tacos",
                "--slug",
                slug,
                "--kind",
                kind,
                "--owner-email",
                "owner@piertacos.example",
                "--time-zone",
                "America/Los_Angeles",
            ],
            Some(&outbox),
        )
    };
    let created = create("pier-tacos", "franchisee");
    assert_succeeded(&created);
    let mails: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .filter(|m| m.contains("To: owner@piertacos.example"))
        .collect();
    assert_eq!(mails.len(), 1, "the owner is invited");
    let link = verification_link(&mails[0]);
    let visitor = browser();
    let page = visitor.get(app.url(&link)).send().await.unwrap();
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the invitation sets a password"
    );

    let owner_role: i64 = app
        .count(
            "SELECT COUNT(*) FROM role_permissions p JOIN roles r ON r.id = p.role_id
             JOIN organizations o ON o.id = r.organization_id
             WHERE o.slug = 'pier-tacos' AND r.name = 'Owner' AND r.type = 'L' AND r.partner_role = 'manager'",
        )
        .await;
    assert_eq!(
        owner_role as usize,
        brigade::domain::Permission::all().len(),
        "every permission"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM roles r JOIN organizations o ON o.id = r.organization_id WHERE o.slug = 'pier-tacos'").await,
        1,
        "one role to begin with"
    );
    let held = app
        .count(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id JOIN roles r ON r.id = c.role_id
             WHERE a.email = 'owner@piertacos.example' AND r.name = 'Owner'",
        )
        .await;
    assert_eq!(held, 1, "held by its owner");

    let again = create("pier-tacos", "franchisee");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already uses the slug"));
    let bad = create("Pier Tacos!", "franchise");
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        message.contains("--slug") && message.contains("--kind"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outlet_import_from_a_file_says_what_each_row_does_and_a_second_run_changes_nothing() {
    let app = spawn_app().await;
    let file = app.dir.path().join("outlets.csv");
    std::fs::write(
        &file,
        "number,name,brand,time_zone\n\
         HB-901,Harbor Burger Dock 1,Harbor Burger,America/Los_Angeles\n\
         HB-902,Harbor Burger Dock 2,Harbor Burger,\n\
         HB-903,Harbor Burger Dock 3,No Such Brand,\n",
    )
    .unwrap();
    let import = |extra: &[&str]| {
        let mut args = vec!["outlet", "import", "--org", "harbor", "--file"];
        args.push(file.to_str().unwrap());
        args.extend_from_slice(extra);
        brigade(&app.database_url, &args)
    };
    let preview = import(&["--preview"]);
    assert_succeeded(&preview);
    let said = String::from_utf8_lossy(&preview.stdout).to_string();
    assert!(said.contains("line 4 (HB-903)"), "{said}");
    assert!(
        said.contains("2 to create, 0 to update, 0 unchanged, 1 with errors."),
        "{said}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outlets WHERE number LIKE 'HB-9%'")
            .await,
        0,
        "a preview writes nothing"
    );

    let first = import(&[]);
    assert_succeeded(&first);
    assert!(String::from_utf8_lossy(&first.stdout).contains("Applied: 2 created, 0 updated."));
    let again = import(&[]);
    assert_succeeded(&again);
    let said = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(
        said.contains("0 to create, 0 to update, 2 unchanged, 1 with errors."),
        "{said}"
    );
    assert!(said.contains("Applied: 0 created, 0 updated."), "{said}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'outlet.created' AND via = 'cli'"
        )
        .await,
        2
    );

    let unknown = brigade(
        &app.database_url,
        &[
            "outlet",
            "import",
            "--org",
            "nowhere",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("--org: No organization has the slug")
    );
}
