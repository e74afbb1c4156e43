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
    ];
    for (variable, value) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_brigade"))
            .arg("migrate")
            .env("DATABASE_URL", &database)
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
