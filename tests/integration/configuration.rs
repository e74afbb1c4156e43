//! Configuration is refused early: a malformed variable stops the binary before it does
//! anything, with one line naming the variable, never a panic or a silent default; `--help`
//! lists every variable with its default.

use std::process::Command;

#[test]
fn a_malformed_variable_stops_the_start_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/brigade.db", dir.path().display());
    let cases = [
        ("DATABASE_URL", "mysql://localhost/brigade"),
        ("DATABASE_POOL_SIZE", "0"),
        ("DATABASE_POOL_SIZE", "many"),
        ("LEPTOS_SITE_ADDR", "localhost"),
        ("BRIGADE_PUBLIC_URL", "brigade.example.com"),
        ("SMTP_URL", "::not a url"),
        ("BRIGADE_SHUTDOWN_GRACE", "ten seconds"),
        ("BRIGADE_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("BRIGADE_LOG_FORMAT", "xml"),
        ("BRIGADE_METRICS_ADDR", "9464"),
        ("BRIGADE_API_RATE_LIMIT", "0"),
        ("BRIGADE_API_RATE_LIMIT", "lots"),
        ("BRIGADE_API_ANONYMOUS_RATE_LIMIT", "-1"),
        ("BRIGADE_SECRET_KEY", "not base64!"),
        ("BRIGADE_SECRET_KEY", "c2hvcnQ="),
    ];
    for (variable, value) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_brigade"))
            .arg("migrate")
            .env("DATABASE_URL", &database)
            .env("BRIGADE_SECRET_KEY", crate::helpers::TEST_SECRET_KEY)
            .env(variable, value)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{variable}={value} is refused");
        let first = said.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: ") && first.contains(variable),
            "{variable}={value}: {said}"
        );
        assert!(!said.contains("panicked"), "{said}");
    }
}

#[test]
fn help_lists_every_variable_with_its_default() {
    let help = Command::new(env!("CARGO_BIN_EXE_brigade"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    for variable in [
        "DATABASE_URL=",
        "DATABASE_POOL_SIZE=",
        "LEPTOS_SITE_ADDR=",
        "LEPTOS_SITE_ROOT=",
        "BRIGADE_PUBLIC_URL=",
        "SMTP_URL=",
        "BRIGADE_OUTBOX=",
        "BRIGADE_SHUTDOWN_GRACE=",
        "BRIGADE_TRUSTED_PROXIES=",
        "BRIGADE_LOG_FORMAT=",
        "BRIGADE_METRICS_ADDR=",
        "BRIGADE_MAIL_FROM=",
        "BRIGADE_API_RATE_LIMIT=",
        "BRIGADE_API_ANONYMOUS_RATE_LIMIT=",
        "BRIGADE_SECRET_KEY",
    ] {
        assert!(
            text.contains(&format!("[env: {variable}")),
            "{variable}: {text}"
        );
    }
    assert!(
        text.contains("[default: 10s]")
            && text.contains("[default: sqlite://data/brigade.db]")
            && text.contains("[default: 1200]")
            && text.contains("[default: 60]")
    );
}

#[test]
fn postgresql_refuses_to_start_without_a_secret_key() {
    let output = Command::new(env!("CARGO_BIN_EXE_brigade"))
        .arg("migrate")
        .env("DATABASE_URL", "postgres://brigade@127.0.0.1:9/brigade")
        .env_remove("BRIGADE_SECRET_KEY")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        said.lines()
            .next()
            .unwrap_or_default()
            .contains("BRIGADE_SECRET_KEY is required on PostgreSQL"),
        "{said}"
    );
}

#[test]
fn on_sqlite_a_key_file_is_made_beside_the_database_once_readable_only_by_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data").join("brigade.db");
    let migrate = || {
        let output = Command::new(env!("CARGO_BIN_EXE_brigade"))
            .arg("migrate")
            .env("DATABASE_URL", format!("sqlite://{}", database.display()))
            .env_remove("BRIGADE_SECRET_KEY")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    migrate();
    let key_file = dir.path().join("data").join("brigade.db.key");
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(brigade::service::sealing::SecretKey::parse(&key).is_ok());
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    migrate();
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        key,
        "kept, not replaced"
    );
}
