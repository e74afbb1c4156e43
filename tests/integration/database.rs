//! The schema's own guarantees and the demo loader.

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loading_the_demo_twice_changes_nothing() {
    let app = spawn_app().await;
    async fn counts(app: &TestApp) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "organizations",
            "brands",
            "outlets",
            "user_accounts",
            "memberships",
            "roles",
            "user_connectors",
            "report_roles",
        ] {
            let n = app.count(&format!("SELECT COUNT(*) FROM {table}")).await;
            counts.push((table, n));
        }
        counts
    }
    let before = counts(&app).await;
    let loaded = brigade::store::demo::load_if_empty(app.context.db(), "$argon2id$unused")
        .await
        .unwrap();
    assert!(!loaded);
    assert_eq!(before, counts(&app).await);
    let get = |t: &str| before.iter().find(|(n, _)| *n == t).unwrap().1;
    assert!(get("outlets") >= 8);
    assert!(get("user_accounts") >= 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_and_username_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    let insert = |email: &'static str, username: &'static str| {
        app.query("INSERT INTO user_accounts (id, email, username, created_at, updated_at) VALUES ($1, $2, $3, 'now', 'now')")
            .bind(uuid::Uuid::new_v4())
            .bind(email)
            .bind(username)
            .execute()
    };
    let error = insert("ADMIN@Harbor.Example", "someone-new")
        .await
        .unwrap_err();
    assert!(brigade::store::is_unique_violation(&error));
    let error = insert("someone@new.example", "MANAGER").await.unwrap_err();
    assert!(brigade::store::is_unique_violation(&error));
    insert("someone@new.example", "someone-new").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_schema_checks_keys_and_grants_and_keeps_the_audit_append_only() {
    let app = spawn_app().await;
    if app.backend() == brigade::store::Backend::Sqlite {
        // SQLite only checks foreign keys when asked to; WAL lets reads run beside a write.
        let mode: String = app.query("PRAGMA journal_mode").scalar().await.unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = app.query("PRAGMA foreign_keys").scalar().await.unwrap();
        assert_eq!(fk, 1);
    }
    // A role of type O cannot sit on a library connector.
    let staff_role: uuid::Uuid = app
        .query("SELECT id FROM roles WHERE name = 'Staff' LIMIT 1")
        .scalar()
        .await
        .unwrap();
    let membership: (uuid::Uuid, uuid::Uuid) = app.query("SELECT id, organization_id FROM memberships WHERE organization_id = (SELECT organization_id FROM roles WHERE id = $1) LIMIT 1")
        .bind(staff_role).fetch_one().await.unwrap();
    let error = app.query("INSERT INTO user_connectors (id, organization_id, membership_id, type, outlet_id, role_id, created_at, updated_at) VALUES ($1, $2, $3, 'L', NULL, $4, 'now', 'now')")
        .bind(uuid::Uuid::new_v4()).bind(membership.1).bind(membership.0).bind(staff_role)
        .execute().await;
    assert!(error.is_err(), "role type and connector type must match");
    // The audit trail is append-only.
    app.query("INSERT INTO audit_events (via, action, target_type, created_at) VALUES ('system', 'test', 'none', 'now')")
        .execute().await.unwrap();
    assert!(
        app.query("DELETE FROM audit_events")
            .execute()
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_this_build_does_not_know_fails_loudly_instead_of_being_guessed() {
    let app = spawn_app().await;
    let org = brigade::domain::OrganizationId(
        app.id_of("SELECT id FROM organizations WHERE slug = $1", "harbor")
            .await,
    );
    app.exec("INSERT INTO role_permissions (role_id, permission) SELECT id, 'roles.delete' FROM roles WHERE name = 'Staff'")
        .await;
    let mut conn = app.context.db().read().await.unwrap();
    let error = brigade::store::catalog::roles(&mut conn, org, None)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("unknown Permission \"roles.delete\""),
        "{error}"
    );
}

/// A write whose caller goes away while its `BEGIN` is in flight (a client that disconnects)
/// leaves no transaction open on the pooled connection for the next borrower. Each round drops
/// the write after one more step (the pool's check of the connection, then `BEGIN`), on a pool
/// of one connection, and asks the database whether a session is left inside a transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_dropped_while_it_begins_leaves_no_transaction_open() {
    use brigade::store::Db;
    use std::future::Future;
    use std::task::{Context, Poll};
    let app = spawn_app().await;
    if app.backend() != brigade::store::Backend::Postgres {
        // sqlx's SQLite driver finishes a cancelled `BEGIN` itself.
        return;
    }
    for steps in 1..=6 {
        let db = Db::connect(&app.database_url, 1).await.unwrap();
        let mut write = Box::pin(db.write());
        let mut context = Context::from_waker(std::task::Waker::noop());
        for _ in 0..steps {
            if let Poll::Ready(tx) = write.as_mut().poll(&mut context) {
                drop(tx);
                break;
            }
            // Let the database's answer arrive; the next poll takes the next step.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        drop(write);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let open: Vec<(i64,)> = app
            .query(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
            )
            .fetch_all()
            .await
            .unwrap();
        assert_eq!(
            open,
            [(0,)],
            "after {steps} steps a connection is left in a transaction"
        );
        db.close().await.unwrap();
    }
}

/// SQLite's readers run the connector and user lists (with the users' grants) and SCIM's
/// Users on the calling thread and decode their rows there (`store::Reader`); a write
/// transaction runs the same statements through sqlx.
/// Both read the same rows of every kind: outlet, organization and outlet-group grants, dated
/// windows, hidden profiles, brand-managed people, and the pages of an email fragment found
/// through the trigram index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_decoded_on_the_calling_thread_equals_the_same_list_through_sqlx() {
    use brigade::domain::commands::ConnectorFilter;
    use brigade::domain::paging::PageRequest;
    use brigade::domain::{OrganizationId, Scope};
    use brigade::store::connectors;

    let app = spawn_app().await;
    let output = app.synth(&[
        "--slug",
        "mesa",
        "--outlets",
        "20",
        "--people",
        "200",
        "--connectors",
        "600",
        "--owner-password",
        DEMO_PASSWORD,
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for change in [
        "UPDATE user_connectors SET starts_at = '2020-01-01T00:00:00.000Z',
            ends_at = '2999-01-01T00:00:00.000Z' WHERE id IN (SELECT c.id FROM user_connectors c
                JOIN organizations o ON o.id = c.organization_id WHERE o.slug = 'mesa'
                AND c.outlet_id IS NOT NULL ORDER BY c.id LIMIT 40)",
        "UPDATE memberships SET profile_visible = false
            WHERE id IN (SELECT m.id FROM memberships m JOIN organizations o
                ON o.id = m.organization_id WHERE o.slug = 'mesa' ORDER BY m.id LIMIT 30)",
    ] {
        assert!(app.query(change).execute().await.unwrap() > 0, "{change}");
    }
    let organization: uuid::Uuid = app
        .query("SELECT id FROM organizations WHERE slug = 'mesa'")
        .scalar()
        .await
        .unwrap();
    let organization = OrganizationId(organization);
    let filters = [
        ConnectorFilter::default(),
        ConnectorFilter {
            email: Some("nakamura1".into()),
            ..Default::default()
        },
        ConnectorFilter {
            email: Some("mesa.example".into()),
            ..Default::default()
        },
    ];
    let now = time::OffsetDateTime::now_utc();
    for filter in filters {
        let mut connectors = Vec::new();
        let mut after = None;
        loop {
            let page = PageRequest { size: 100, after };
            let mut reader = app.context.db().read().await.unwrap();
            let read = connectors::list(
                &mut reader,
                organization,
                &Scope::Organization,
                &filter,
                &page,
                now,
            )
            .await
            .unwrap();
            drop(reader);
            let mut tx = app.context.db().write().await.unwrap();
            let through_sqlx = connectors::list(
                &mut tx,
                organization,
                &Scope::Organization,
                &filter,
                &page,
                now,
            )
            .await
            .unwrap();
            drop(tx);
            let read: Vec<_> = read
                .into_iter()
                .map(|s| (s.connector, s.membership_id))
                .collect();
            let through_sqlx: Vec<_> = through_sqlx
                .into_iter()
                .map(|s| (s.connector, s.membership_id))
                .collect();
            assert_eq!(read, through_sqlx, "{filter:?} after {after:?}");
            let more = read.len() > 100;
            connectors.extend(read.into_iter().take(100));
            after = connectors.last().map(|(c, _)| c.id.0);
            if !more {
                break;
            }
        }
        assert!(!connectors.is_empty(), "{filter:?} finds connectors");
        if filter.email.is_none() {
            let total = app
                .count(
                    "SELECT count(*) FROM user_connectors c JOIN organizations o
                    ON o.id = c.organization_id WHERE o.slug = 'mesa'",
                )
                .await;
            assert_eq!(connectors.len() as i64, total, "every page read");
        }
        if filter.email.is_none() {
            let kinds = |f: &dyn Fn(&brigade::domain::model::Connector) -> bool| {
                connectors.iter().filter(|(c, _)| f(c)).count()
            };
            assert!(kinds(&|c| c.outlet.is_some()) > 0);
            assert!(kinds(&|c| c.outlet_group.is_some()) > 0);
            assert!(kinds(&|c| c.outlet.is_none() && c.outlet_group.is_none()) > 0);
            assert!(kinds(&|c| c.starts_at.is_some() && c.ends_at.is_some()) > 0);
            assert!(kinds(&|c| c.user.username.is_none()) > 0);
        }
    }
    // The users list and each page's grants.
    let mut after = None;
    let (mut users, mut by_brands, mut hidden) = (0, 0, 0);
    loop {
        let page = PageRequest { size: 50, after };
        let filter = brigade::domain::user_commands::UserFilter::default();
        let scope = Scope::Organization;
        let mut reader = app.context.db().read().await.unwrap();
        let read = brigade::store::users::list(&mut reader, organization, &scope, &filter, &page)
            .await
            .unwrap();
        let ids: Vec<_> = read.iter().map(|row| row.membership_id).collect();
        let grants = brigade::store::users::grants_of(&mut reader, &ids, &scope)
            .await
            .unwrap();
        drop(reader);
        let mut tx = app.context.db().write().await.unwrap();
        let through_sqlx =
            brigade::store::users::list(&mut tx, organization, &scope, &filter, &page)
                .await
                .unwrap();
        let grants_through_sqlx = brigade::store::users::grants_of(&mut tx, &ids, &scope)
            .await
            .unwrap();
        drop(tx);
        assert_eq!(
            format!("{read:?}"),
            format!("{through_sqlx:?}"),
            "users after {after:?}"
        );
        let sorted = |grants: &std::collections::HashMap<_, Vec<brigade::store::users::Grant>>| {
            let mut all: Vec<String> = grants
                .values()
                .flatten()
                .map(|g| format!("{g:?}"))
                .collect();
            all.sort();
            all
        };
        assert_eq!(
            sorted(&grants),
            sorted(&grants_through_sqlx),
            "grants after {after:?}"
        );
        assert!(!grants.is_empty());
        let more = read.len() > 50;
        users += read.len().min(50);
        by_brands += read.iter().filter(|row| row.brand_id.is_some()).count();
        hidden += read.iter().filter(|row| row.username.is_none()).count();
        after = read
            .get(..50.min(read.len()))
            .and_then(<[_]>::last)
            .map(|row| row.user_id.0);
        if !more {
            break;
        }
    }
    let members = app
        .count(
            "SELECT count(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id
                WHERE o.slug = 'mesa'",
        )
        .await;
    assert_eq!(users as i64, members, "every page of users read");
    assert!(
        by_brands > 0 && hidden > 0,
        "{by_brands} managed by brands, {hidden} hidden"
    );
    // SCIM's Users, the whole organization in pages.
    let mut offset = 0;
    loop {
        let mut reader = app.context.db().read().await.unwrap();
        let (total, read) = brigade::store::scim::list(
            &mut reader,
            organization,
            &Scope::Organization,
            None,
            offset,
            70,
        )
        .await
        .unwrap();
        drop(reader);
        let mut tx = app.context.db().write().await.unwrap();
        let through_sqlx = brigade::store::scim::list(
            &mut tx,
            organization,
            &Scope::Organization,
            None,
            offset,
            70,
        )
        .await
        .unwrap();
        drop(tx);
        assert_eq!(total, members);
        assert_eq!(
            format!("{read:?}"),
            format!("{:?}", through_sqlx.1),
            "SCIM Users from {offset}"
        );
        offset += 70;
        if read.len() < 70 {
            break;
        }
    }
}
