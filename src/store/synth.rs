//! Bulk rows for `brigade synth`: multi-row inserts, several hundred rows per statement, in the
//! caller's transaction. Only the generator writes this way; everything else goes through the
//! use-cases.

use super::Sql;

use super::{Backend, Conn, now};
use crate::domain::model::{ConnectorType, ManagedBy};
use crate::domain::{
    BrandId, ConnectorId, MembershipId, OrganizationId, OutletGroupId, OutletId, RoleId, UserId,
};

/// SQLite allows 32,766 bound values per statement.
const MAX_VALUES: usize = 32_000;

pub struct OutletRow {
    pub id: OutletId,
    pub organization: OrganizationId,
    pub brand: Option<BrandId>,
    pub name: String,
    pub number: String,
}

pub struct AccountRow {
    pub id: UserId,
    pub email: String,
    pub username: String,
    pub first_name: &'static str,
    pub last_name: &'static str,
}

pub struct MembershipRow {
    pub id: MembershipId,
    pub organization: OrganizationId,
    pub user: UserId,
    pub active: bool,
    pub managed_by: ManagedBy,
    pub brand: Option<BrandId>,
    pub default_outlet: Option<OutletId>,
}

pub struct ConnectorRow {
    pub id: ConnectorId,
    pub organization: OrganizationId,
    pub membership: MembershipId,
    /// The outlet of an outlet grant, or the group of a grant through an outlet group;
    /// neither: a library grant (the whole organization).
    pub outlet: Option<OutletId>,
    pub group: Option<OutletGroupId>,
    pub role: RoleId,
    /// The member's address, lowered: the connector's copy of it (`member_email`), which the
    /// load names so that no trigger looks it up for each of its rows.
    pub member_email: String,
}

pub async fn outlets(conn: &mut Conn, rows: &[OutletRow]) -> sqlx::Result<()> {
    let at = now();
    for chunk in rows.chunks(MAX_VALUES / 7) {
        let mut query = Sql::new(
            "INSERT INTO outlets (id, organization_id, brand_id, name, number, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, outlet| {
            row.push_bind(outlet.id)
                .push_bind(outlet.organization)
                .push_bind(outlet.brand)
                .push_bind(&outlet.name)
                .push_bind(&outlet.number)
                .push_bind(&at)
                .push_bind(&at);
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn accounts(conn: &mut Conn, rows: &[AccountRow]) -> sqlx::Result<()> {
    let at = now();
    for chunk in rows.chunks(MAX_VALUES / 7) {
        let mut query = Sql::new(
            "INSERT INTO user_accounts (id, email, username, first_name, last_name, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, account| {
            row.push_bind(account.id)
                .push_bind(&account.email)
                .push_bind(&account.username)
                .push_bind(account.first_name)
                .push_bind(account.last_name)
                .push_bind(&at)
                .push_bind(&at);
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn memberships(conn: &mut Conn, rows: &[MembershipRow]) -> sqlx::Result<()> {
    let at = now();
    for chunk in rows.chunks(MAX_VALUES / 9) {
        let mut query = Sql::new(
            "INSERT INTO memberships (id, organization_id, user_id, status, managed_by,
                managed_by_brand_id, default_outlet_id, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, membership| {
            row.push_bind(membership.id)
                .push_bind(membership.organization)
                .push_bind(membership.user)
                .push_bind(if membership.active {
                    "active"
                } else {
                    "inactive"
                })
                .push_bind(membership.managed_by)
                .push_bind(membership.brand)
                .push_bind(membership.default_outlet)
                .push_bind(&at)
                .push_bind(&at);
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn connectors(conn: &mut Conn, rows: &[ConnectorRow]) -> sqlx::Result<()> {
    let at = now();
    for chunk in rows.chunks(MAX_VALUES / 10) {
        let mut query = Sql::new(
            "INSERT INTO user_connectors (id, organization_id, membership_id, type, outlet_id,
                outlet_group_id, role_id, member_email, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, connector| {
            let kind = match (connector.outlet, connector.group) {
                (None, None) => ConnectorType::Library,
                _ => ConnectorType::Outlet,
            };
            row.push_bind(connector.id)
                .push_bind(connector.organization)
                .push_bind(connector.membership)
                .push_bind(kind)
                .push_bind(connector.outlet)
                .push_bind(connector.group)
                .push_bind(connector.role)
                .push_bind(&connector.member_email)
                .push_bind(&at)
                .push_bind(&at);
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Sets aside for a bulk load what makes each row's insert slow, and records how to put each
/// back in `bulk_load_indexes`, in the same transaction: whatever stops the load,
/// [`restore_after_load`] can build them again.
/// - The secondary indexes of `table` (those written in the schema, not the ones its keys and
///   unique constraints make): built once at the end from sorted keys instead of taking each
///   row into every B-tree.
/// - On PostgreSQL, `table`'s foreign keys: added again at the end, when PostgreSQL checks
///   every row in one join (measured: a million connectors went in in 31 s with their five
///   foreign keys checked row by row, 4 s without them, and the five checks took 1.5 s
///   after). SQLite's foreign keys are part of their tables: they cannot be dropped, only
///   switched off for a connection between transactions, and a pooled connection must never
///   go back to the pool with them off. They stay (measured in sqlite3: 2.8 s of checks for
///   a million connectors, against PostgreSQL's 27 s).
pub async fn drop_for_load(conn: &mut Conn, table: &str) -> sqlx::Result<()> {
    let indexes: Vec<(String, String)> = match conn.backend() {
        Backend::Sqlite => on!(conn, |c| sqlx::query_as(
            "SELECT name, sql FROM sqlite_schema
                 WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
        )
        .bind(table)
        .fetch_all(c)
        .await)?,
        Backend::Postgres => on!(conn, |c| sqlx::query_as(
            "SELECT i.indexname::text, i.indexdef FROM pg_indexes i
                 WHERE i.schemaname = current_schema() AND i.tablename = $1
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
        )
        .bind(table)
        .fetch_all(c)
        .await)?,
    };
    let mut records = indexes.clone();
    let mut foreign_keys: Vec<(String, String)> = Vec::new();
    if conn.backend() == Backend::Postgres {
        // A statistics target set on an index column (`ALTER INDEX … SET STATISTICS`) is not
        // part of the index's definition and goes with it: recorded as a statement of its own,
        // which [`restore_after_load`] runs after every `CREATE INDEX`.
        let targets: Vec<(String, String)> = on!(conn, |c| sqlx::query_as(
            "SELECT x.relname || '.statistics.' || a.attnum,
                    format('ALTER INDEX %I ALTER COLUMN %s SET STATISTICS %s',
                           x.relname, a.attnum, a.attstattarget)
               FROM pg_index ix
               JOIN pg_class t ON t.oid = ix.indrelid
               JOIN pg_class x ON x.oid = ix.indexrelid
               JOIN pg_attribute a ON a.attrelid = ix.indexrelid
              WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
                AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = x.relname)
                AND a.attstattarget > 0",
        )
        .bind(table)
        .fetch_all(c)
        .await)?;
        records.extend(targets);
        foreign_keys = on!(conn, |c| sqlx::query_as(
            "SELECT k.conname::text,
                    format('ALTER TABLE %I ADD CONSTRAINT %I %s',
                           t.relname, k.conname, pg_get_constraintdef(k.oid))
               FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
              WHERE k.contype = 'f' AND t.relname = $1
                AND t.relnamespace = current_schema()::regnamespace",
        )
        .bind(table)
        .fetch_all(c)
        .await)?;
        records.extend(foreign_keys.iter().cloned());
    }
    for (name, definition) in &records {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO bulk_load_indexes (name, definition) VALUES ($1, $2)"
        )
        .bind(name)
        .bind(definition)
        .execute(c)
        .await)?;
    }
    for (name, _) in &foreign_keys {
        on!(execute conn, |c| sqlx::query(&format!(
            "ALTER TABLE \"{table}\" DROP CONSTRAINT \"{name}\""
        ))
        .execute(c)
        .await)?;
    }
    for (name, _) in &indexes {
        on!(execute conn, |c| sqlx::query(&format!("DROP INDEX \"{name}\""))
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// Builds every index [`drop_for_load`] recorded (on PostgreSQL, with the statistics targets of
/// their columns), then adds the foreign keys it dropped (each checks every row: a row that
/// breaks one fails the transaction), and forgets them, in the caller's transaction; returns
/// their names (none when no load left any).
pub async fn restore_after_load(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = on!(conn, |c| sqlx::query_as(
        "SELECT name, definition FROM bulk_load_indexes
            ORDER BY definition NOT LIKE 'CREATE %', name"
    )
    .fetch_all(c)
    .await)?;
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    if conn.backend() == Backend::Sqlite {
        // This connection may not be the one that dropped them, and SQLite checks a new
        // index's name against the schema the connection last read ("already exists").
        // Reading the schema table in this transaction makes it read the current schema first.
        let _: i64 = on!(conn, |c| sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_schema"
        )
        .fetch_one(c)
        .await)?;
    }
    for (_, definition) in &indexes {
        on!(execute conn, |c| sqlx::query(definition).execute(c).await)?;
    }
    on!(execute conn, |c| sqlx::query("DELETE FROM bulk_load_indexes")
        .execute(c)
        .await)?;
    Ok(indexes.into_iter().map(|(name, _)| name).collect())
}

/// Readies a connection for a bulk batch. SQLite: a page cache large enough to hold the
/// indexes being filled (its default of 2 MB turns every index insert into page I/O).
/// PostgreSQL needs nothing.
pub async fn prepare_bulk(conn: &mut Conn) -> sqlx::Result<()> {
    if conn.backend() == Backend::Postgres {
        return Ok(());
    }
    for pragma in [
        "PRAGMA cache_size = -262144",
        // Pages are copied from the write-ahead log into the database every 64 MB rather than
        // every 4 MB: a page the load changes again and again is copied fewer times.
        "PRAGMA wal_autocheckpoint = 16384",
    ] {
        on!(execute conn, |c| sqlx::query(pragma).execute(c).await)?;
    }
    // A multi-row insert keeps a statement journal (to undo itself alone); in memory, not in
    // a temporary file. SQLite refuses the change inside a transaction once the connection
    // has opened its temporary storage (an earlier statement on this pooled connection may
    // have): then the journal stays a file, slower and as correct.
    let in_memory = on!(execute conn, |c| sqlx::query("PRAGMA temp_store = MEMORY")
        .execute(c)
        .await);
    match in_memory {
        Err(sqlx::Error::Database(e)) if e.message().contains("temporary storage") => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Fresh statistics for the query planner after a bulk load. SQLite: the row counts and
/// selectivity of each index (`sqlite_stat1`), without the samples of values (`sqlite_stat4`).
/// With samples, SQLite plans again every statement whose plan could depend on a bound value,
/// each time it runs with new values: measured on the API's connector list, a fifth of the
/// server's time went to parsing and planning the same statements. PostgreSQL: `ANALYZE`.
pub async fn analyze(conn: &mut Conn) -> sqlx::Result<()> {
    let statements: &[&str] = match conn.backend() {
        Backend::Postgres => &["ANALYZE"],
        Backend::Sqlite => &[
            // Estimates from a thousand rows per index, as `PRAGMA optimize` makes them,
            // instead of reading every row (1.6 s at a million connectors).
            "PRAGMA analysis_limit = 1000",
            "ANALYZE",
            "DELETE FROM sqlite_stat4",
            // Loads the statistics as they now are.
            "ANALYZE sqlite_schema",
        ],
    };
    for statement in statements {
        on!(execute conn, |c| sqlx::query(statement)
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// What `brigade measure` aims its requests at, taken from the organization's own rows.
pub struct Sample {
    /// The outlet and role of the organization's first outlet grant.
    pub outlet: OutletId,
    pub role: RoleId,
    /// The connector and the user `depth` rows into their lists, when the lists are that long.
    pub deep_connector: Option<ConnectorId>,
    pub deep_user: Option<UserId>,
    /// An address about `depth` people into the people list.
    pub email: String,
    /// A district manager: an active person with a grant through an outlet group (one who can
    /// sign in, when there is one), that group, and the person's address.
    pub district: Option<(OutletGroupId, UserId, String)>,
}

/// The organization's sample, when it has an outlet grant.
pub async fn sample(
    conn: &mut Conn,
    organization: OrganizationId,
    depth: i64,
) -> sqlx::Result<Option<Sample>> {
    let Some((outlet, role)): Option<(OutletId, RoleId)> = on!(conn, |c| sqlx::query_as(
        "SELECT outlet_id, role_id FROM user_connectors
         WHERE organization_id = $1 AND type = 'O' AND outlet_id IS NOT NULL
         ORDER BY id LIMIT 1",
    )
    .bind(organization)
    .fetch_optional(c)
    .await)?
    else {
        return Ok(None);
    };
    let deep_connector = on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT id FROM user_connectors WHERE organization_id = $1 ORDER BY id LIMIT 1 OFFSET $2",
    )
    .bind(organization)
    .bind(depth)
    .fetch_optional(c)
    .await
    })?;
    let deep_user = on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE organization_id = $1 ORDER BY user_id LIMIT 1 OFFSET $2",
    )
    .bind(organization)
    .bind(depth)
    .fetch_optional(c)
    .await
    })?;
    let email = on!(conn, |c| sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN user_accounts a ON a.id = m.user_id
         WHERE m.organization_id = $1 ORDER BY m.sort_key, m.id
         LIMIT 1 OFFSET (SELECT CASE WHEN count(*) > $2 THEN $2 ELSE count(*) - 1 END
                         FROM memberships WHERE organization_id = $1)",
    )
    .bind(organization)
    .bind(depth / 50)
    .fetch_one(c)
    .await)?;
    let district = on!(conn, |c| sqlx::query_as(
        "SELECT c.outlet_group_id, a.id, a.email FROM user_connectors c
         JOIN memberships m ON m.id = c.membership_id
         JOIN user_accounts a ON a.id = m.user_id
         WHERE c.organization_id = $1 AND c.outlet_group_id IS NOT NULL AND m.status = 'active'
         ORDER BY a.password_hash IS NULL, c.id LIMIT 1",
    )
    .bind(organization)
    .fetch_optional(c)
    .await)?;
    Ok(Some(Sample {
        outlet,
        role,
        deep_connector,
        deep_user,
        email,
        district,
    }))
}
