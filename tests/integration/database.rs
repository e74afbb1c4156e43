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
