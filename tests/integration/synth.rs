//! `brigade synth`: the generated organization is honest: the counts asked for, referential
//! integrity, unique addresses and grants, and the rules of the schema.

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_generated_organization_has_what_was_asked_and_breaks_no_rule() {
    let app = spawn_app().await;
    let size = [
        "--slug",
        "mesa",
        "--outlets",
        "40",
        "--people",
        "300",
        "--connectors",
        "1500",
        "--owner-password",
        "a-long-password",
    ];
    let indexes = || async {
        let names: Vec<(String, Option<String>)> = app
            .query(match app.backend() {
                brigade::store::Backend::Sqlite => {
                    "SELECT name, sql FROM sqlite_schema
                     WHERE type = 'index' AND tbl_name = 'user_connectors' ORDER BY name"
                }
                brigade::store::Backend::Postgres => {
                    "SELECT indexname::text, indexdef FROM pg_indexes
                     WHERE tablename = 'user_connectors' ORDER BY indexname"
                }
            })
            .fetch_all()
            .await
            .unwrap();
        names
    };
    let schema = indexes().await;
    let output = app.synth(&size);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The connectors' indexes, dropped for the load, are all back as the schema defines them.
    assert_eq!(indexes().await, schema);
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("2140 rows"), "{said}");

    let in_group = |table: &str| {
        format!(
            "SELECT COUNT(*) FROM {table} t JOIN organizations o ON o.id = t.organization_id
             WHERE o.slug IN ('mesa', 'mesa-franchise')"
        )
    };
    // The owners are members too (one each, with their Owner grant).
    let cases = [
        ("outlets", 40),
        ("memberships", 302),
        ("user_connectors", 1502),
    ];
    for (table, expected) in cases {
        assert_eq!(app.count(&in_group(table)).await, expected, "{table}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outlets o JOIN organizations g ON g.id = o.organization_id WHERE g.slug = 'mesa-franchise'")
            .await,
        4,
        "the franchisee runs a tenth of the outlets"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM franchisee_brands f JOIN brands b ON b.id = f.brand_id WHERE b.name = 'Mesa Burger'")
            .await,
        1
    );
    match app.backend() {
        brigade::store::Backend::Sqlite => {
            // (PostgreSQL checks every foreign key as rows go in.)
            let broken: Vec<(String,)> = app
                .query("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all()
                .await
                .unwrap();
            assert!(broken.is_empty(), "referential integrity: {broken:?}");
            // The planner gets each index's statistics but no samples of values, which would
            // make SQLite plan the API's statements again on every request.
            assert!(app.count("SELECT COUNT(*) FROM sqlite_stat1").await > 0);
            assert_eq!(app.count("SELECT COUNT(*) FROM sqlite_stat4").await, 0);
        }
        brigade::store::Backend::Postgres => {
            // The planner has fresh statistics of the loaded tables.
            assert!(
                app.count(
                    "SELECT COUNT(*) FROM pg_stat_user_tables
                     WHERE relname = 'user_connectors' AND last_analyze IS NOT NULL"
                )
                .await
                    > 0
            );
        }
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM (SELECT lower(email) FROM user_accounts GROUP BY 1 HAVING COUNT(*) > 1) AS twice").await,
        0,
        "addresses are unique"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM user_connectors c JOIN outlets o ON o.id = c.outlet_id
             WHERE o.organization_id <> c.organization_id"
        )
        .await,
        0,
        "a grant's outlet is its organization's"
    );
    for managed_by in ["console", "api", "scim"] {
        let people = app
            .count(&format!(
                "SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id
                 WHERE o.slug = 'mesa' AND m.managed_by = '{managed_by}'"
            ))
            .await;
        assert!(people > 0, "some people are managed by {managed_by}");
    }
    assert!(
        app.count("SELECT COUNT(*) FROM memberships WHERE status = 'inactive' AND user_id IN (SELECT id FROM user_accounts WHERE email LIKE '%@mesa.example')")
            .await
            > 0,
        "some people have left"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE managed_by = 'api' AND managed_by_brand_id IS NULL AND user_id IN (SELECT id FROM user_accounts WHERE email LIKE '%@mesa.example')")
            .await,
        0,
        "the head office's API-managed people are managed by their outlet's brand"
    );
    let response = app.sign_in("owner@mesa.example", "a-long-password").await;
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "the owner signs in"
    );

    // `brigade measure` (the in-process floor of `make bench`) runs every list request on it.
    let measured = app.brigade(&["measure", "--org", "mesa", "--iterations", "2"]);
    assert!(
        measured.status.success(),
        "{}",
        String::from_utf8_lossy(&measured.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&measured.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(
        lines.len() >= 7,
        "the requests on the first pages: {lines:?}"
    );
    for line in &lines {
        assert!(line["path"].as_str().unwrap().starts_with('/'), "{line}");
        assert!(line["p50_us"].as_f64().unwrap() > 0.0, "{line}");
    }

    let again = app.synth(&size);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already uses the slug mesa"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let too_many = app.synth(&[
        "--slug",
        "tiny",
        "--outlets",
        "10",
        "--people",
        "10",
        "--connectors",
        "100",
    ]);
    assert!(!too_many.status.success());
    assert!(String::from_utf8_lossy(&too_many.stderr).contains("--connectors: At most 30"));
}
