//! Bulk rows for `brigade synth`: multi-row inserts, several hundred rows per statement, in the
//! caller's transaction. Only the generator writes this way; everything else goes through the
//! use-cases.

use super::{Backend, Conn, Db, Driver, Sql, Value, now};
use crate::domain::model::{ConnectorType, ManagedBy, MembershipStatus};
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
    /// The people list's sort key (the membership's names are visible): last name, first
    /// name, address, lowered, between `\u{1}`s; named by the load so that no trigger looks
    /// the account up for each of its rows.
    pub sort_key: String,
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
    load(
        conn,
        "outlets",
        [
            "id",
            "organization_id",
            "brand_id",
            "name",
            "number",
            "created_at",
            "updated_at",
        ],
        rows,
        |outlet| {
            [
                outlet.id.into(),
                outlet.organization.into(),
                outlet.brand.into(),
                (&outlet.name).into(),
                (&outlet.number).into(),
                (&at).into(),
                (&at).into(),
            ]
        },
    )
    .await
}

pub async fn accounts(conn: &mut Conn, rows: &[AccountRow]) -> sqlx::Result<()> {
    let at = now();
    load(
        conn,
        "user_accounts",
        [
            "id",
            "email",
            "username",
            "first_name",
            "last_name",
            "created_at",
            "updated_at",
        ],
        rows,
        |account| {
            [
                account.id.into(),
                (&account.email).into(),
                (&account.username).into(),
                account.first_name.into(),
                account.last_name.into(),
                (&at).into(),
                (&at).into(),
            ]
        },
    )
    .await
}

pub async fn memberships(conn: &mut Conn, rows: &[MembershipRow]) -> sqlx::Result<()> {
    let at = now();
    load(
        conn,
        "memberships",
        [
            "id",
            "organization_id",
            "user_id",
            "status",
            "managed_by",
            "managed_by_brand_id",
            "default_outlet_id",
            "sort_key",
            "created_at",
            "updated_at",
        ],
        rows,
        |membership| {
            [
                membership.id.into(),
                membership.organization.into(),
                membership.user.into(),
                if membership.active {
                    MembershipStatus::Active
                } else {
                    MembershipStatus::Inactive
                }
                .into(),
                membership.managed_by.into(),
                membership.brand.into(),
                membership.default_outlet.into(),
                (&membership.sort_key).into(),
                (&at).into(),
                (&at).into(),
            ]
        },
    )
    .await
}

pub async fn connectors(conn: &mut Conn, rows: &[ConnectorRow]) -> sqlx::Result<()> {
    let at = now();
    load(
        conn,
        "user_connectors",
        [
            "id",
            "organization_id",
            "membership_id",
            "type",
            "outlet_id",
            "outlet_group_id",
            "role_id",
            "member_email",
            "created_at",
            "updated_at",
        ],
        rows,
        |connector| {
            let kind = match (connector.outlet, connector.group) {
                (None, None) => ConnectorType::Library,
                _ => ConnectorType::Outlet,
            };
            [
                connector.id.into(),
                connector.organization.into(),
                connector.membership.into(),
                kind.into(),
                connector.outlet.into(),
                connector.group.into(),
                connector.role.into(),
                (&connector.member_email).into(),
                (&at).into(),
                (&at).into(),
            ]
        },
    )
    .await
}

/// How much of a `COPY` stream is sent at a time.
const COPY_CHUNK: usize = 1 << 20;

/// Writes `rows` into `columns` of `table`, each row's values made by `values`. PostgreSQL
/// copies them in, one `COPY … FROM STDIN` stream (measured at 200,000 people and a million
/// connectors: the batches took 7.7 s, against 15.4 s as multi-row inserts of the same rows);
/// SQLite, which has no such thing, takes a multi-row insert of several hundred rows at a time.
async fn load<R, const N: usize>(
    conn: &mut Conn,
    table: &str,
    columns: [&str; N],
    rows: &[R],
    values: impl Fn(&R) -> [Value; N],
) -> sqlx::Result<()> {
    let columns = columns.join(", ");
    if let Driver::Postgres(pg) = conn.driver() {
        let mut copy = pg
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        let mut stream = String::with_capacity(COPY_CHUNK + 4096);
        for row in rows {
            for (i, value) in values(row).iter().enumerate() {
                if i > 0 {
                    stream.push('\t');
                }
                copy_text(&mut stream, value);
            }
            stream.push('\n');
            if stream.len() >= COPY_CHUNK {
                copy.send(std::mem::take(&mut stream).into_bytes()).await?;
                stream.reserve(COPY_CHUNK + 4096);
            }
        }
        if !stream.is_empty() {
            copy.send(stream.into_bytes()).await?;
        }
        copy.finish().await?;
        return Ok(());
    }
    for chunk in rows.chunks(MAX_VALUES / N) {
        let mut query = Sql::new(format!("INSERT INTO {table} ({columns}) "));
        query.push_values(chunk, |mut tuple, row| {
            for value in values(row) {
                tuple.push_bind(value);
            }
        });
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `value` in the text format of PostgreSQL's `COPY`: `\N` for NULL, and a backslash before
/// the characters that would end a value or a row.
fn copy_text(stream: &mut String, value: &Value) {
    use std::fmt::Write;
    match value {
        Value::Uuid(None) | Value::Text(None) | Value::Int(None) | Value::Bool(None) => {
            stream.push_str("\\N");
        }
        Value::Uuid(Some(id)) => {
            let _ = write!(stream, "{id}");
        }
        Value::Int(Some(n)) => {
            let _ = write!(stream, "{n}");
        }
        Value::Bool(Some(b)) => stream.push(if *b { 't' } else { 'f' }),
        Value::Text(Some(text)) if !text.contains(['\\', '\t', '\n', '\r']) => {
            stream.push_str(text);
        }
        Value::Text(Some(text)) => {
            for c in text.chars() {
                match c {
                    '\\' => stream.push_str("\\\\"),
                    '\t' => stream.push_str("\\t"),
                    '\n' => stream.push_str("\\n"),
                    '\r' => stream.push_str("\\r"),
                    c => stream.push(c),
                }
            }
        }
    }
}

/// SQLite triggers that copy each inserted row of a table elsewhere, set aside for a bulk load
/// of the table: the table, the trigger, and the statements (run in order after the load,
/// before the trigger is back) that copy every row the trigger missed.
///
/// The accounts' trigram index: measured in sqlite3 at 200,000 accounts, the trigger took
/// 4.2 s of the accounts' inserts (0.2 s without it), a key and an index row at a time; one
/// copy after the load takes 2.4 s and leaves three segments. The copy finds the accounts
/// without a key, whichever writer made them while the trigger was away.
const SQLITE_DEFERRED_TRIGGERS: [(&str, &str, [&str; 2]); 1] = [(
    "user_accounts",
    "account_search_insert",
    [
        "INSERT INTO account_search_keys (account_id)
         SELECT a.id FROM user_accounts a
          WHERE NOT EXISTS (SELECT 1 FROM account_search_keys k WHERE k.account_id = a.id)
          ORDER BY a.id",
        "INSERT INTO account_search (rowid, email, username, full_name)
         SELECT k.key, a.email, a.username, a.first_name || ' ' || a.last_name
           FROM account_search_keys k JOIN user_accounts a ON a.id = k.account_id
          WHERE NOT EXISTS (SELECT 1 FROM account_search s WHERE s.rowid = k.key)",
    ],
)];

/// Sets aside for a bulk load what makes each row's insert slow, and records how to put each
/// back in `bulk_load_indexes`, in the same transaction: whatever stops the load,
/// [`restore_after_load`] can build them again.
/// - The secondary indexes of `table` (those written in the schema, not the ones its keys and
///   unique constraints make): built once at the end from sorted keys instead of taking each
///   row into every B-tree.
/// - On SQLite, the triggers of `table` that copy its new rows elsewhere
///   ([`SQLITE_DEFERRED_TRIGGERS`]): the copy is made once at the end, and the trigger
///   created again.
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
    let mut triggers: Vec<String> = Vec::new();
    if conn.backend() == Backend::Sqlite {
        for (_, trigger, copy) in SQLITE_DEFERRED_TRIGGERS
            .iter()
            .filter(|(of, ..)| *of == table)
        {
            let definition: Option<String> = on!(conn, |c| sqlx::query_scalar(
                "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = $1"
            )
            .bind(*trigger)
            .fetch_optional(c)
            .await)?;
            // (Absent: an earlier load set it aside, and its copy is recorded already.)
            let Some(definition) = definition else {
                continue;
            };
            records.push((trigger.to_string(), definition));
            // Run after every `CREATE`, in the order of their names.
            for (step, statement) in copy.iter().enumerate() {
                records.push((format!("{trigger}.copy.{step}"), statement.to_string()));
            }
            triggers.push(trigger.to_string());
        }
    }
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
    for name in &triggers {
        on!(execute conn, |c| sqlx::query(&format!("DROP TRIGGER \"{name}\""))
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// Builds every index [`drop_for_load`] recorded (on PostgreSQL, with the statistics targets of
/// their columns) and creates its triggers again, then makes the copies the triggers missed
/// (SQLite) or adds the foreign keys it dropped (PostgreSQL: each checks every row, and a row
/// that breaks one fails the transaction), and forgets them, in the caller's transaction;
/// returns their names (none when no load left any).
pub async fn restore_after_load(conn: &mut Conn) -> sqlx::Result<Vec<String>> {
    // PostgreSQL: the records are locked, so that what [`build_recorded_indexes`] claimed
    // meanwhile is skipped once its build commits, and what this claims it waits for.
    let lock = match conn.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let indexes: Vec<(String, String)> = on!(conn, |c| sqlx::query_as(&format!(
        "SELECT name, definition FROM bulk_load_indexes
            ORDER BY definition NOT LIKE 'CREATE %', name{lock}"
    ))
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

/// PostgreSQL's memory for an index build to sort in, for one transaction (see [`prepare_bulk`]).
const POSTGRES_SORT_MEMORY: &str = "SET LOCAL maintenance_work_mem = '256MB'";

/// Readies a transaction for a bulk batch or the rebuild after it. SQLite: a page cache
/// large enough to hold the indexes being filled or built (its default of 2 MB turns every
/// index insert into page I/O; measured in sqlite3, one index of a million connectors built
/// in 2.7 s with it and in 2.1 s with this one; it stays with the connection, which only
/// `brigade synth`'s process uses). PostgreSQL: the memory an index build sorts in, for this transaction only
/// (measured on a million connectors: a B-tree index 2.2 s with the default 64 MB, 1.4 s with
/// 256 MB; the trigram index of 200,000 accounts 3.5 s and 2.7 s).
pub async fn prepare_bulk(conn: &mut Conn) -> sqlx::Result<()> {
    if conn.backend() == Backend::Postgres {
        on!(execute conn, |c| sqlx::query(POSTGRES_SORT_MEMORY)
            .execute(c)
            .await)?;
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

/// Fresh statistics for the query planner after a bulk load, each in a transaction of its own.
/// SQLite: the row counts and selectivity of each index (`sqlite_stat1`), without the samples of
/// values (`sqlite_stat4`). With samples, SQLite plans again every statement whose plan could
/// depend on a bound value, each time it runs with new values: measured on the API's connector
/// list, a fifth of the server's time went to parsing and planning the same statements.
/// PostgreSQL: `ANALYZE` of each table of the schema, largest first, on
/// [`CONCURRENT_STATEMENTS`] connections at once (measured at 200,000 people and a million
/// connectors, in a slow hour: 8.8 s for the whole database on one; the connectors alone
/// 5.1 s, the accounts 3.7 s, for the 1,000 values kept of their addresses and search text).
pub async fn analyze(db: &Db) -> sqlx::Result<()> {
    if let Some(pool) = db.postgres_pool() {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT format('ANALYZE %I', c.relname) FROM pg_class c
              WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
              ORDER BY pg_total_relation_size(c.oid) DESC, c.relname",
        )
        .fetch_all(pool)
        .await?;
        let jobs = tables.into_iter().map(|statement| (statement, None));
        return concurrently(pool, jobs.collect()).await;
    }
    let mut tx = db.write().await?;
    for statement in [
        // Estimates from a thousand rows per index, as `PRAGMA optimize` makes them, instead
        // of reading every row (1.6 s at a million connectors).
        "PRAGMA analysis_limit = 1000",
        "ANALYZE",
        "DELETE FROM sqlite_stat4",
        // Loads the statistics as they now are.
        "ANALYZE sqlite_schema",
    ] {
        on!(execute &mut tx, |c| sqlx::query(statement).execute(c).await)?;
    }
    tx.commit().await
}

/// Statements a bulk load's end runs on PostgreSQL at once: two, as this two-core machine was
/// measured (one index build or `ANALYZE` keeps one server process on one core, and the loading
/// process waits meanwhile). Each may sort in 256 MB ([`prepare_bulk`]).
const CONCURRENT_STATEMENTS: usize = 2;

/// PostgreSQL: builds the indexes [`drop_for_load`] recorded, those of the largest table first,
/// on [`CONCURRENT_STATEMENTS`] connections at once, each in a transaction of its own that
/// forgets the index's record: whatever stops them, an index is either built and forgotten or
/// still recorded for [`restore_after_load`], which adds the statistics targets and foreign
/// keys after. They do not take the writers' lock: an index decides no rule, and PostgreSQL
/// holds the table's writers back while it builds one. Measured at a million connectors, in a
/// slow hour: four of their indexes in 10.2 s one after the other, 5.0 s on two connections.
/// SQLite, one writer at a time: nothing (the restore builds them in its transaction).
pub async fn build_recorded_indexes(db: &Db) -> sqlx::Result<()> {
    let Some(pool) = db.postgres_pool() else {
        return Ok(());
    };
    let indexes: Vec<(String, String)> = sqlx::query_as(
        r"SELECT name, definition FROM bulk_load_indexes
           WHERE definition LIKE 'CREATE %'
           ORDER BY pg_total_relation_size(
                      to_regclass(substring(definition FROM ' ON (?:ONLY )?(\S+) USING ')))
                    DESC NULLS LAST, name",
    )
    .fetch_all(pool)
    .await?;
    let jobs = indexes
        .into_iter()
        .map(|(name, definition)| (definition, Some(name)));
    concurrently(pool, jobs.collect()).await
}

/// Runs each statement in a transaction of its own (with the memory of [`prepare_bulk`]), on
/// [`CONCURRENT_STATEMENTS`] connections at once; one that names a record of
/// `bulk_load_indexes` claims (deletes) it first, and is skipped when no such record is left.
/// After a failure no statement starts, and every one under way ends before the first error is
/// returned (none is cancelled half-way).
async fn concurrently(
    pool: &sqlx::PgPool,
    jobs: Vec<(String, Option<String>)>,
) -> sqlx::Result<()> {
    let queue = tokio::sync::Mutex::new(jobs.into_iter());
    let failed = std::sync::atomic::AtomicBool::new(false);
    let worker = || async {
        while !failed.load(std::sync::atomic::Ordering::Relaxed) {
            let Some((statement, record)) = queue.lock().await.next() else {
                break;
            };
            let done = async {
                let mut tx = pool.begin().await?;
                // The record is claimed first: a server that starts meanwhile and restores
                // what a load left ([`restore_after_load`], which locks the records it reads)
                // either waits for this build or has built the index already (no record left).
                if let Some(name) = &record {
                    let claimed = sqlx::query("DELETE FROM bulk_load_indexes WHERE name = $1")
                        .bind(name)
                        .execute(&mut *tx)
                        .await?;
                    if claimed.rows_affected() == 0 {
                        return tx.commit().await;
                    }
                }
                sqlx::query(POSTGRES_SORT_MEMORY).execute(&mut *tx).await?;
                sqlx::query(&statement).execute(&mut *tx).await?;
                tx.commit().await
            }
            .await;
            if done.is_err() {
                failed.store(true, std::sync::atomic::Ordering::Relaxed);
                return done;
            }
        }
        Ok(())
    };
    let ended = futures_util::future::join_all((0..CONCURRENT_STATEMENTS).map(|_| worker())).await;
    ended.into_iter().collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_in_copy_s_text_format_cannot_end_its_field_or_row_early() {
        let id = uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
        let cases: [(Value, &str); 9] = [
            (Value::Text(None), r"\N"),
            (Value::Uuid(None), r"\N"),
            (
                Value::Uuid(Some(id)),
                "01930000-0000-7000-8000-000000000001",
            ),
            (Value::Int(Some(-42)), "-42"),
            (Value::Bool(Some(false)), "f"),
            (
                Value::Text(Some("ana.silva@x.example".into())),
                "ana.silva@x.example",
            ),
            (Value::Text(Some(r"\N".into())), r"\\N"),
            (
                Value::Text(Some("tab\there\r\nnext".into())),
                r"tab\there\r\nnext",
            ),
            (Value::Text(Some("Zoë\u{1}Ünal".into())), "Zoë\u{1}Ünal"),
        ];
        for (value, expected) in cases {
            let mut stream = String::new();
            copy_text(&mut stream, &value);
            assert_eq!(stream, expected, "{value:?}");
        }
    }
}
