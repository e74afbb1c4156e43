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

/// An index whose columns are the leading columns of another index on the same table finds
/// nothing the other does not, and every write of the table (and a bulk load's rebuild) pays
/// for it. A unique index enforces something and a partial one holds other rows: neither is
/// such an index, and a partial one serves no other's queries. An expression never equals
/// another index's column (this check may miss an index an expression repeats; it never
/// names a needed one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_index_repeats_the_leading_columns_of_another() {
    let app = spawn_app().await;
    let sql = match app.backend() {
        brigade::store::Backend::Sqlite => {
            "WITH indexes AS (
                 SELECT t.name AS tbl, l.name AS idx, l.\"unique\" AS uniq, l.partial
                   FROM sqlite_schema t JOIN pragma_index_list(t.name) l
                  WHERE t.type = 'table'),
             columns AS (
                 SELECT i.tbl, i.idx, c.seqno,
                        coalesce(c.name, '(expression ' || i.idx || ' ' || c.seqno || ')') AS col
                   FROM indexes i JOIN pragma_index_xinfo(i.idx) c WHERE c.key),
             keys AS (
                 SELECT tbl, idx, group_concat(col, ',') || ',' AS k
                   FROM (SELECT * FROM columns ORDER BY tbl, idx, seqno) GROUP BY tbl, idx)
             SELECT a.idx, b.idx FROM keys a
               JOIN keys b ON b.tbl = a.tbl AND b.idx <> a.idx
               JOIN indexes ia ON ia.idx = a.idx JOIN indexes ib ON ib.idx = b.idx
              WHERE NOT ia.uniq AND NOT ia.partial AND NOT ib.partial
                AND substr(b.k, 1, length(a.k)) = a.k
              ORDER BY 1, 2"
        }
        // `indkey`: the key's column numbers, 0 for an expression.
        brigade::store::Backend::Postgres => {
            "WITH indexes AS (
                 SELECT t.relname AS tbl, x.relname::text AS idx, ix.indisunique AS uniq,
                        ix.indpred IS NOT NULL AS partial, ' ' || ix.indkey::text || ' ' AS k
                   FROM pg_index ix
                   JOIN pg_class t ON t.oid = ix.indrelid
                   JOIN pg_class x ON x.oid = ix.indexrelid
                  WHERE t.relnamespace = current_schema()::regnamespace)
             SELECT a.idx, b.idx FROM indexes a
               JOIN indexes b ON b.tbl = a.tbl AND b.idx <> a.idx
              WHERE NOT a.uniq AND NOT a.partial AND NOT b.partial
                AND strpos(a.k, ' 0 ') = 0 AND starts_with(b.k, a.k)
              ORDER BY 1, 2"
        }
    };
    let repeated: Vec<(String, String)> = app.query(sql).fetch_all().await.unwrap();
    assert_eq!(repeated, Vec::<(String, String)>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_this_build_does_not_know_fails_loudly_instead_of_being_guessed() {
    let app = spawn_app().await;
    let org = app.organization("harbor").await;
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

/// `$read` (a future over `$conn`) on one of SQLite's readers, where the lists decode their
/// rows on the calling thread, and inside a write transaction, through sqlx: both answers.
macro_rules! on_reader_and_through_sqlx {
    ($app:expr, |$conn:ident| $read:expr) => {{
        let mut $conn = $app.context.db().read().await.unwrap();
        let on_reader = $read.await.unwrap();
        drop($conn);
        let mut $conn = $app.context.db().write().await.unwrap();
        let through_sqlx = $read.await.unwrap();
        drop($conn);
        (on_reader, through_sqlx)
    }};
}

/// SQLite's readers run the connector and user lists (with the users' grants) and SCIM's
/// Users on the calling thread and decode their rows there (`store::Reader`); a write
/// transaction runs the same statements through sqlx. Both read the same rows of every kind:
/// outlet, organization and outlet-group grants, dated windows, hidden profiles,
/// brand-managed people, and the pages of an email fragment found through the trigram index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_decoded_on_the_calling_thread_equals_the_same_list_through_sqlx() {
    use brigade::domain::commands::ConnectorFilter;
    use brigade::domain::paging::PageRequest;
    use brigade::domain::user_commands::UserFilter;
    use brigade::domain::{OrganizationId, Scope};
    use brigade::store::{connectors, scim, users};

    let app = spawn_app().await;
    app.generated(&[
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
    let organization = OrganizationId(
        app.query("SELECT id FROM organizations WHERE slug = 'mesa'")
            .scalar()
            .await
            .unwrap(),
    );
    let count = |table: &str| {
        format!(
            "SELECT count(*) FROM {table} t JOIN organizations o ON o.id = t.organization_id
                WHERE o.slug = 'mesa'"
        )
    };
    let (connectors_in_all, members) = (
        app.count(&count("user_connectors")).await,
        app.count(&count("memberships")).await,
    );
    let all = Scope::Organization;
    let now = time::OffsetDateTime::now_utc();

    for email in [None, Some("nakamura1"), Some("mesa.example")] {
        let filter = ConnectorFilter {
            email: email.map(Into::into),
            ..Default::default()
        };
        let mut read = Vec::new();
        let mut after = None;
        loop {
            let page = PageRequest { size: 100, after };
            let (on_reader, through_sqlx) = on_reader_and_through_sqlx!(app, |conn| {
                connectors::list(&mut conn, organization, &all, &filter, &page, now)
            });
            let pair = |s: connectors::StoredConnector| (s.connector, s.membership_id);
            let on_reader: Vec<_> = on_reader.into_iter().map(pair).collect();
            let through_sqlx: Vec<_> = through_sqlx.into_iter().map(pair).collect();
            assert_eq!(on_reader, through_sqlx, "{filter:?} after {after:?}");
            let more = on_reader.len() > 100;
            read.extend(on_reader.into_iter().take(100).map(|(c, _)| c));
            after = read.last().map(|c| c.id.0);
            if !more {
                break;
            }
        }
        assert!(!read.is_empty(), "{filter:?} finds connectors");
        if email.is_none() {
            assert_eq!(read.len() as i64, connectors_in_all, "every page read");
            let kinds = |f: &dyn Fn(&brigade::domain::model::Connector) -> bool| {
                read.iter().filter(|c| f(c)).count()
            };
            assert!(kinds(&|c| c.outlet.is_some()) > 0);
            assert!(kinds(&|c| c.outlet_group.is_some()) > 0);
            assert!(kinds(&|c| c.outlet.is_none() && c.outlet_group.is_none()) > 0);
            assert!(kinds(&|c| c.starts_at.is_some() && c.ends_at.is_some()) > 0);
            assert!(kinds(&|c| c.user.username.is_none()) > 0);
        }
    }

    // The users list and each page's grants.
    let (mut users, mut by_brands, mut hidden) = (0, 0, 0);
    let mut after = None;
    loop {
        let page = PageRequest { size: 50, after };
        let filter = UserFilter::default();
        let (on_reader, through_sqlx) = on_reader_and_through_sqlx!(app, |conn| async {
            let rows = users::list(&mut conn, organization, &all, &filter, &page).await?;
            let ids: Vec<_> = rows.iter().map(|row| row.membership_id).collect();
            let grants = users::grants_of(&mut conn, &ids, &all).await?;
            let mut grants: Vec<String> = grants
                .values()
                .flatten()
                .map(|g| format!("{g:?}"))
                .collect();
            grants.sort();
            Ok::<_, sqlx::Error>((rows, grants))
        });
        assert_eq!(
            format!("{:?}", on_reader.0),
            format!("{:?}", through_sqlx.0)
        );
        assert_eq!(on_reader.1, through_sqlx.1, "grants after {after:?}");
        assert!(!on_reader.1.is_empty());
        let rows = &on_reader.0[..on_reader.0.len().min(50)];
        users += rows.len();
        by_brands += rows.iter().filter(|row| row.brand_id.is_some()).count();
        hidden += rows.iter().filter(|row| row.username.is_none()).count();
        after = rows.last().map(|row| row.user_id.0);
        if on_reader.0.len() <= 50 {
            break;
        }
    }
    assert_eq!(users as i64, members, "every page of users read");
    assert!(
        by_brands > 0 && hidden > 0,
        "{by_brands} managed by brands, {hidden} hidden"
    );

    // SCIM's Users, the whole organization in pages.
    let mut offset = 0;
    loop {
        let ((total, on_reader), (_, through_sqlx)) = on_reader_and_through_sqlx!(app, |conn| {
            scim::list(&mut conn, organization, &all, None, offset, 70)
        });
        assert_eq!(total, members);
        assert_eq!(
            format!("{on_reader:?}"),
            format!("{through_sqlx:?}"),
            "SCIM Users from {offset}"
        );
        offset += 70;
        if on_reader.len() < 70 {
            break;
        }
    }
}
