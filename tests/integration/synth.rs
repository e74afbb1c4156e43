//! `brigade synth`: the generated organization is honest: the counts asked for, referential
//! integrity, unique addresses and grants, districts that split the head office's outlets, and
//! the rules of the schema.

use crate::helpers::*;
use brigade::service::synth::BULK_TABLES;

/// The secondary indexes of the tables `brigade synth` fills with their indexes dropped
/// ([`BULK_TABLES`]) and their definitions, as the database has them; on SQLite their
/// triggers too (some are set aside for the load), on PostgreSQL their foreign keys (dropped
/// for the load as well), and whether each was checked.
async fn bulk_indexes(app: &TestApp) -> Vec<(String, Option<String>)> {
    let tables = BULK_TABLES.map(|table| format!("'{table}'")).join(", ");
    let sql = match app.backend() {
        brigade::store::Backend::Sqlite => format!(
            "SELECT name, sql FROM sqlite_schema
             WHERE type IN ('index', 'trigger') AND tbl_name IN ({tables}) ORDER BY name"
        ),
        // With the statistics targets set on index columns, which no `indexdef` shows.
        brigade::store::Backend::Postgres => format!(
            "SELECT i.indexname::text, i.indexdef || coalesce(' STATISTICS ' || (
                    SELECT string_agg(a.attnum || '=' || a.attstattarget, ' ' ORDER BY a.attnum)
                      FROM pg_attribute a
                     WHERE a.attrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
                       AND a.attstattarget > 0), '')
               FROM pg_indexes i
             WHERE i.tablename IN ({tables})
             UNION ALL
             SELECT k.conname::text, pg_get_constraintdef(k.oid)
                    || CASE WHEN k.convalidated THEN '' ELSE ' NOT VALIDATED' END
               FROM pg_constraint k
              WHERE k.contype = 'f' AND k.conrelid::regclass::text IN ({tables})
             ORDER BY 1"
        ),
    };
    app.query(&sql).fetch_all().await.unwrap()
}

/// What a load commits before its first batch: the tables' indexes (and what else
/// `drop_for_load` sets aside) dropped and recorded.
async fn set_aside_for_load(app: &TestApp) {
    let mut work = app.context.db().write().await.unwrap();
    for table in BULK_TABLES {
        brigade::store::synth::drop_for_load(&mut work, table)
            .await
            .unwrap();
    }
    work.commit().await.unwrap();
}

/// A load stopped while its indexes (and on PostgreSQL its foreign keys) are dropped (killed,
/// or its rebuild failed) does not leave the database without them, unique rules and
/// references included: the next start of Brigade on it puts them back before it serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_indexes_a_stopped_load_left_dropped_are_built_at_the_next_start() {
    let app = spawn_app().await;
    let schema = bulk_indexes(&app).await;
    if app.backend() == brigade::store::Backend::Postgres {
        // (One index's column has its own statistics target, which must come back too.)
        assert!(
            schema.iter().any(|(_, sql)| sql
                .as_deref()
                .is_some_and(|sql| sql.ends_with(" STATISTICS 1=1000"))),
            "{schema:?}"
        );
    }
    // The load's first commit, and then nothing: the process was killed.
    set_aside_for_load(&app).await;
    // Someone joins while they are away: the restore indexes the account for search too.
    let token = app.api_token("harbor", "Integration", None).await;
    let joined = app
        .api_post(
            "/users",
            &token,
            serde_json::json!([app.new_staff("late.hire").await]),
        )
        .await;
    assert_eq!(joined.status, reqwest::StatusCode::OK, "{}", joined.body);
    // Among them the rule that an address is one account's (SQLite also keeps its column's
    // own UNIQUE, which is not dropped).
    let unique_address = match app.backend() {
        brigade::store::Backend::Sqlite => "user_accounts_email_lower",
        brigade::store::Backend::Postgres => "user_accounts_email",
    };
    let named_any = |indexes: &[(String, Option<String>)], wanted: &str| {
        indexes.iter().any(|(name, _)| name == wanted)
    };
    let named = |indexes: &[(String, Option<String>)]| named_any(indexes, unique_address);
    let dropped = bulk_indexes(&app).await;
    assert!(named(&schema) && !named(&dropped), "{dropped:?}");
    if app.backend() == brigade::store::Backend::Postgres {
        // And a grant's reference to its person.
        let reference = "user_connectors_membership_id_organization_id_fkey";
        assert!(named_any(&schema, reference) && !named_any(&dropped, reference));
    }

    let restarted = spawn_on(&app.database_url, &app.dir).await;
    assert_eq!(bulk_indexes(&restarted).await, schema);
    if app.backend() == brigade::store::Backend::Sqlite {
        // The trigger that indexes a new account for search was away: the restore indexed
        // every account it missed.
        assert_eq!(
            restarted
                .count(
                    "SELECT COUNT(*) FROM account_search WHERE account_search MATCH '\"late.hire\"'"
                )
                .await,
            1
        );
        assert_eq!(
            restarted
                .count("SELECT COUNT(*) FROM account_search_keys")
                .await,
            restarted.count("SELECT COUNT(*) FROM user_accounts").await
        );
    }
    assert_eq!(
        restarted
            .count("SELECT COUNT(*) FROM bulk_load_indexes")
            .await,
        0
    );
    // A third start has nothing to do and changes nothing.
    let again = spawn_on(&app.database_url, &app.dir).await;
    assert_eq!(bulk_indexes(&again).await, schema);
}

/// The names of the indexes still recorded for a rebuild, and of the recorded ones the
/// database has: never both (an index is built and forgotten in one transaction).
async fn recorded_indexes(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let recorded: Vec<String> = app
        .query("SELECT name FROM bulk_load_indexes WHERE definition LIKE 'CREATE %' ORDER BY name")
        .scalars()
        .await
        .unwrap();
    let present = bulk_indexes(app).await;
    let built = recorded
        .iter()
        .filter(|name| present.iter().any(|(index, _)| index == *name))
        .cloned()
        .collect();
    (recorded, built)
}

/// PostgreSQL builds the indexes a load left recorded on two connections at once, each in a
/// transaction that forgets its record: one that cannot be built fails the call, stays
/// recorded, and so do those not built yet, for the next start; nothing is recorded as missing
/// that exists. SQLite builds none of them outside the restore's own transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_that_cannot_be_built_stays_recorded_and_those_built_are_forgotten() {
    let app = spawn_app().await;
    let schema = bulk_indexes(&app).await;
    set_aside_for_load(&app).await;
    // Not unique in the demo's grants: it cannot be built.
    app.query(
        "INSERT INTO bulk_load_indexes (name, definition)
         VALUES ('broken', 'CREATE UNIQUE INDEX broken ON user_connectors (organization_id)')",
    )
    .execute()
    .await
    .unwrap();
    let (before, none) = recorded_indexes(&app).await;
    assert!(before.len() > 10 && none.is_empty(), "{before:?} {none:?}");

    let failed = brigade::store::synth::build_recorded_indexes(app.context.db()).await;
    let (after, built) = recorded_indexes(&app).await;
    assert!(built.is_empty(), "recorded but present: {built:?}");
    match app.backend() {
        brigade::store::Backend::Sqlite => {
            assert!(failed.is_ok());
            assert_eq!(after, before);
        }
        brigade::store::Backend::Postgres => {
            let error = failed.unwrap_err().to_string();
            assert!(error.contains("could not create unique index"), "{error}");
            assert!(after.contains(&"broken".to_string()), "{after:?}");
            assert!(
                after.len() < before.len(),
                "built meanwhile: none of {after:?}"
            );
        }
    }

    // Without it, the rest are built, and the next start adds what else the load set aside.
    app.query("DELETE FROM bulk_load_indexes WHERE name = 'broken'")
        .execute()
        .await
        .unwrap();
    brigade::store::synth::build_recorded_indexes(app.context.db())
        .await
        .unwrap();
    if app.backend() == brigade::store::Backend::Postgres {
        assert_eq!(recorded_indexes(&app).await, (Vec::new(), Vec::new()));
    }
    let restarted = spawn_on(&app.database_url, &app.dir).await;
    assert_eq!(bulk_indexes(&restarted).await, schema);
    assert_eq!(
        restarted
            .count("SELECT COUNT(*) FROM bulk_load_indexes")
            .await,
        0
    );
}

/// A server that starts while a load's indexes are being built restores them too (`Db::open`):
/// the two never build the same index. Here the restore has built them all and not committed
/// yet; the builds that started meanwhile wait for it, then find nothing left to build.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indexes_built_by_a_restore_under_way_are_not_built_twice() {
    let app = spawn_app().await;
    let schema = bulk_indexes(&app).await;
    set_aside_for_load(&app).await;
    let mut restore = app.context.db().write().await.unwrap();
    let restored = brigade::store::synth::restore_after_load(&mut restore)
        .await
        .unwrap();
    assert!(restored.len() > 10, "{restored:?}");
    let db = app.context.db().clone();
    let builds =
        tokio::spawn(async move { brigade::store::synth::build_recorded_indexes(&db).await });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    restore.commit().await.unwrap();
    builds.await.unwrap().unwrap();
    assert_eq!(bulk_indexes(&app).await, schema);
    assert_eq!(app.count("SELECT COUNT(*) FROM bulk_load_indexes").await, 0);
}

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
    let schema = bulk_indexes(&app).await;
    let output = app.synth(&size);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The indexes dropped for the load are all back as the schema defines them, and none is
    // left to rebuild.
    assert_eq!(bulk_indexes(&app).await, schema);
    assert_eq!(app.count("SELECT COUNT(*) FROM bulk_load_indexes").await, 0);
    let said = String::from_utf8_lossy(&output.stdout);
    // 40 outlets, 4 districts holding the head office's 36, 300 accounts and memberships,
    // 1,500 connectors.
    assert!(said.contains("2180 rows"), "{said}");

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
    // Districts: a tenth of the outlets' count, each head-office outlet in exactly one, none
    // of the franchisee's; one library user in two is a district manager through one.
    let districts = [
        (
            "SELECT COUNT(*) FROM outlet_groups g JOIN organizations o ON o.id = g.organization_id
             WHERE o.slug = 'mesa'",
            4,
        ),
        (
            "SELECT COUNT(*) FROM (SELECT outlet_id FROM outlet_group_outlets GROUP BY outlet_id
             HAVING COUNT(*) = 1) AS once",
            36,
        ),
        (
            "SELECT COUNT(*) FROM outlet_group_outlets g JOIN outlets o ON o.id = g.outlet_id
             WHERE o.organization_id <> g.organization_id",
            0,
        ),
        (
            "SELECT COUNT(*) FROM user_connectors c JOIN roles r ON r.id = c.role_id
             WHERE c.outlet_group_id IS NOT NULL AND c.type = 'O' AND c.outlet_id IS NULL
               AND r.name = 'Outlet Manager' AND r.organization_id = c.organization_id",
            1,
        ),
    ];
    for (sql, expected) in districts {
        assert_eq!(app.count(sql).await, expected, "{sql}");
    }
    assert!(
        said.contains("A district manager (the owner's password): district@mesa.example"),
        "{said}"
    );
    // The district manager signs in and reaches the nine outlets of their district.
    let response = app
        .sign_in("district@mesa.example", "a-long-password")
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let me: serde_json::Value = app.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["store_ids"].as_array().map(Vec::len), Some(9), "{me}");
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
            // Including the sample its statistics target asks of the indexed address (1,000
            // values, not the default 100), from which the planner estimates how many
            // addresses hold a fragment.
            assert_eq!(
                app.count(
                    "SELECT COUNT(*) FROM pg_stats s, unnest(s.histogram_bounds::text::text[])
                     WHERE s.tablename = 'user_accounts_email_trgm'"
                )
                .await,
                app.count("SELECT COUNT(*) FROM user_accounts").await
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
    // The load writes each grant's copy of its member's address itself (no trigger looks it
    // up for it): the copies are what the triggers would have made.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
             JOIN user_accounts a ON a.id = m.user_id WHERE c.member_email <> lower(a.email)"
        )
        .await,
        0,
        "a grant's copy of its member's address is the address, lowered"
    );
    // And each membership's sort key, which the people list pages by.
    let separator = match app.backend() {
        brigade::store::Backend::Sqlite => "char(1)",
        brigade::store::Backend::Postgres => "chr(1)",
    };
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM memberships m JOIN user_accounts a ON a.id = m.user_id
             WHERE m.sort_key <> CASE WHEN m.profile_visible THEN lower(a.last_name) ELSE '' END
                 || {separator} || CASE WHEN m.profile_visible THEN lower(a.first_name) ELSE '' END
                 || {separator} || lower(a.email)"
        ))
        .await,
        0,
        "a membership's sort key is its member's names and address, lowered"
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
    let measured = app.brigade(&[
        "measure",
        "--org",
        "mesa",
        "--iterations",
        "2",
        "--seconds",
        "0",
    ]);
    assert!(
        measured.status.success(),
        "{}",
        String::from_utf8_lossy(&measured.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&measured.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"connectors, one outlet group")
            && names.contains(&"access check: a district manager's /me")
            && lines.len() >= 9,
        "the requests on the first pages, a district's grants and the access check: {names:?}"
    );
    let access_check = lines.iter().find(|l| l["path"] == "/api/v1/me").unwrap();
    assert_eq!(access_check["signed_in"], "district@mesa.example");
    for line in &lines {
        assert!(line["path"].as_str().unwrap().starts_with('/'), "{line}");
        assert!(line["p50_us"].as_f64().unwrap() > 0.0, "{line}");
    }

    // Refused plans, each with its reason.
    let tiny = ["--slug", "tiny", "--outlets", "10", "--people", "10"];
    let refused: [(&[&str], &str); 3] = [
        (&size, "already uses the slug mesa"),
        (
            &[&tiny[..], &["--connectors", "100"]].concat(),
            "--connectors: At most 30",
        ),
        (
            &[&tiny[..], &["--connectors", "10", "--groups", "10"]].concat(),
            "--groups: At most 9",
        ),
    ];
    for (args, message) in refused {
        let output = app.synth(args);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?}");
        assert!(said.contains(message), "{args:?}: {said}");
    }
}
