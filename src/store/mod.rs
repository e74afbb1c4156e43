//! The store: the only module that speaks SQL or names the database driver. Functions take
//! a connection (from [`Db::read`] or a [`WriteTx`]), return domain types, and never decide
//! permissions (they receive a policy `Scope`).

pub mod access;
pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod connectors;
pub mod demo;
pub mod franchise;
pub mod mail;
pub mod organizations;
pub mod people;
pub mod settings;
pub mod synth;
pub mod throttle;
pub mod tokens;
pub mod users;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::domain::{AppError, Scope};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database connection, as store functions take it.
pub type Conn = sqlx::SqliteConnection;

/// A connection for reads outside a write transaction.
pub type ReadConn = sqlx::pool::PoolConnection<Sqlite>;

/// The database: a pool, and the turn every write transaction waits for.
///
/// SQLite has one writer at a time. Writers queue here, in the process, before they take a
/// connection, so that waiting writers never hold the pool's connections (which starved the
/// reads a writer needs) and never spin in SQLite's busy handler.
#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    turn: Arc<Mutex<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "DATABASE_URL {0:?} is not a SQLite URL: use sqlite://path/to/brigade.db (other databases are not supported yet)"
    )]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database's folder: {0}")]
    Folder(#[from] std::io::Error),
}

impl Db {
    /// Opens (creating if needed) and migrates the database: WAL, foreign keys on, a busy
    /// timeout for writers of other processes.
    pub async fn open(database_url: &str) -> Result<Self, OpenError> {
        if !database_url.starts_with("sqlite:") {
            return Err(OpenError::UnsupportedUrl(database_url.to_string()));
        }
        let options = SqliteConnectOptions::from_str(database_url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(parent) = std::path::Path::new(options.get_filename()).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            turn: Arc::new(Mutex::new(())),
        })
    }

    /// A connection for reads.
    pub async fn read(&self) -> sqlx::Result<ReadConn> {
        self.pool.acquire().await
    }

    /// Starts a write transaction, after every writer before it. `BEGIN IMMEDIATE` takes
    /// SQLite's write lock up front, so a transaction that reads and then writes never fails
    /// half-way on a lock upgrade.
    pub async fn write(&self) -> sqlx::Result<WriteTx> {
        let turn = self.turn.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Folds the write-ahead log into the database file and closes every connection (after a
    /// bulk load, which leaves a large log).
    pub async fn close(&self) -> sqlx::Result<()> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        drop(conn);
        self.pool.close().await;
        Ok(())
    }

    /// The pool itself, for the session store (which runs its own statements).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// A write transaction holding the writers' turn. Dropped without [`WriteTx::commit`], it
/// rolls back.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

/// A database failure is never the caller's fault: logged once, answered as `Internal`.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(&error)
    }
}

/// Now, as stored: ISO 8601 UTC with milliseconds, so text order is time order.
pub fn now() -> String {
    format_timestamp(time::OffsetDateTime::now_utc())
}

pub fn format_timestamp(at: time::OffsetDateTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&FORMAT)
        .unwrap_or_else(|_| "0000-01-01T00:00:00.000Z".into())
}

/// Adds `AND <column> IN (…)` for an outlet scope; nothing for the whole organization.
/// `column` is trusted SQL (a column name chosen by the caller of this module).
pub(crate) fn push_outlet_scope(query: &mut QueryBuilder<'_, Sqlite>, column: &str, scope: &Scope) {
    match scope {
        Scope::Organization => {}
        Scope::Outlets(outlets) if outlets.is_empty() => {
            query.push(" AND 0");
        }
        Scope::Outlets(outlets) => {
            query.push(format_args!(" AND {column} IN ("));
            let mut list = query.separated(", ");
            for outlet in outlets {
                list.push_bind(*outlet);
            }
            list.push_unseparated(")");
        }
    }
}

/// Adds `<column> IN (…)` for a list of ids (at least one).
pub(crate) fn push_in<'a, T>(query: &mut QueryBuilder<'a, Sqlite>, column: &str, ids: &[T])
where
    T: 'a + Copy + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite> + Send,
{
    query.push(format_args!("{column} IN ("));
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
}

/// Runs an `EXPLAIN QUERY PLAN …` query and keeps its detail lines, one per step (tests
/// check which indexes a list reads through).
pub(crate) async fn explain_details(
    conn: &mut Conn,
    mut query: QueryBuilder<'_, Sqlite>,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(i64, i64, i64, String)> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
}

/// Fragments this long or longer are searched through the trigram index (`account_search`);
/// shorter ones have no trigram and are matched by a scan.
pub(crate) const INDEXED_FRAGMENT: usize = 3;

/// The FTS5 query for `fragment` as one literal phrase (`"` doubled; `%` and `_` are plain
/// characters in a phrase).
pub(crate) fn fts_phrase(fragment: &str) -> String {
    format!("\"{}\"", fragment.replace('"', "\"\""))
}

/// How a fragment search finds its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FragmentPlan {
    /// Walk the list in its own order, testing each row, and stop at the page size: for
    /// fragments too short for trigrams and for common ones (every few rows match).
    Walk,
    /// Gather the few accounts that match through the trigram index, then only their rows.
    Index,
}

/// Rare enough for the index when fewer accounts match than `sqrt(WALK_FACTOR * accounts)`:
/// walking costs about `page * accounts / matches` rows and gathering about `matches` times
/// the rows per account, so the two meet near the square root (measured at 200,000 accounts:
/// `smith`, 5,000 matches, walks in 27 ms where gathering takes 38 ms; `zzq` gathers in
/// well under 1 ms where walking reads every row).
const WALK_FACTOR: f64 = 64.0;

/// Decides how to search for `fragment` in the accounts' `columns` (an FTS5 column filter such
/// as `{email}`): one bounded look into the index, never a count of every match.
pub(crate) async fn fragment_plan(
    conn: &mut Conn,
    columns: &str,
    fragment: &str,
) -> sqlx::Result<FragmentPlan> {
    if fragment.chars().count() < INDEXED_FRAGMENT {
        return Ok(FragmentPlan::Walk);
    }
    // The keys only grow: their largest is the number of accounts ever made, found in one step.
    let accounts: i64 = sqlx::query_scalar("SELECT ifnull(max(key), 0) FROM account_search_keys")
        .fetch_one(&mut *conn)
        .await?;
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let common = (WALK_FACTOR * accounts as f64).sqrt().ceil() as i64;
    let matches: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM account_search WHERE account_search MATCH ?1 LIMIT ?2)",
    )
    .bind(fts_columns(columns, fragment))
    .bind(common)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if matches >= common {
        FragmentPlan::Walk
    } else {
        FragmentPlan::Index
    })
}

fn fts_columns(columns: &str, fragment: &str) -> String {
    format!("{columns} : {}", fts_phrase(fragment))
}

/// ` AND <account> IN (accounts whose <columns> contain the fragment)`, through the trigram
/// index, when the plan is to use it; nothing otherwise. The candidates it keeps are a
/// superset of a case-insensitive `LIKE`, which the caller still applies (the rule of what
/// an organization may see stays there).
pub(crate) fn push_indexed_candidates(
    query: &mut QueryBuilder<'_, Sqlite>,
    plan: FragmentPlan,
    account: &str,
    columns: &str,
    fragment: &str,
) {
    if plan == FragmentPlan::Index {
        query.push(format_args!(
            " AND {account} IN (SELECT k.account_id FROM account_search s
                JOIN account_search_keys k ON k.key = s.rowid WHERE account_search MATCH "
        ));
        query.push_bind(fts_columns(columns, fragment));
        query.push(")");
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` fragment search.
pub(crate) fn like_fragment(fragment: &str) -> String {
    let mut pattern = String::from("%");
    for c in fragment.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The account's profile as the organization of membership `m` (joined to account `a`)
/// sees it: hidden when the account existed before the organization added it.
pub(crate) const VISIBLE_FIRST_NAME: &str =
    "CASE WHEN m.profile_visible THEN a.first_name ELSE '' END";
pub(crate) const VISIBLE_LAST_NAME: &str =
    "CASE WHEN m.profile_visible THEN a.last_name ELSE '' END";
pub(crate) const VISIBLE_USERNAME: &str = "CASE WHEN m.profile_visible THEN a.username END";
pub(crate) const VISIBLE_MOBILE: &str = "CASE WHEN m.profile_visible THEN a.mobile END";

/// Whether a database error is a uniqueness violation (turned into a 409 by callers).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
