//! The store: the only module that speaks SQL or names the database driver. Functions take
//! a connection (from [`Db::read`] or a [`WriteTx`]), return domain types, and never decide
//! permissions (they receive a policy `Scope`).

/// Runs the same statement code on whichever driver `conn` holds: the body is expanded once
/// per driver, so its query text, binds and row types are compiled for both. `c` is the
/// driver's `&mut` connection (reborrow it, `&mut *c`, to use it twice). `on!(execute conn,
/// …)` runs a statement for its effect and answers the number of rows it changed (the two
/// drivers' result types differ).
macro_rules! on {
    (execute $conn:expr, |$c:ident| $body:expr) => {
        match $crate::store::Conn::driver($conn) {
            $crate::store::Driver::Sqlite($c) => $body.map(|done| done.rows_affected()),
            $crate::store::Driver::Postgres($c) => $body.map(|done| done.rows_affected()),
        }
    };
    ($conn:expr, |$c:ident| $body:expr) => {
        match $crate::store::Conn::driver($conn) {
            $crate::store::Driver::Sqlite($c) => $body,
            $crate::store::Driver::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

pub mod access;
pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod connectors;
pub mod copy;
pub mod demo;
pub mod franchise;
pub mod idempotency;
pub mod mail;
pub mod organizations;
pub mod outlet_groups;
pub mod passkeys;
pub mod people;
pub mod rate_limits;
pub mod scim;
pub mod search_index;
pub mod settings;
pub mod sign_ins;
pub mod sso;
pub mod synth;
pub mod throttle;
pub mod tokens;
pub mod two_step;
pub mod users;

pub mod sql;

pub use sql::{Sql, Value};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{
    Database, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction,
};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::domain::{AppError, Scope};

/// The schema, one history per backend (`migrations/sqlite`, `migrations/postgres`).
pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`Db`] runs on, chosen by the scheme of `DATABASE_URL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `DATABASE_URL` names, if Brigade runs on it.
    pub fn of_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }

    /// The file of a SQLite `DATABASE_URL` (`None`: PostgreSQL, or SQLite in memory).
    pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
        let options = SqliteConnectOptions::from_str(url).ok()?;
        let file = options.get_filename();
        let name = file.to_string_lossy();
        (Self::of_url(url) == Some(Self::Sqlite) && !name.is_empty() && !name.contains(":memory:"))
            .then(|| file.to_path_buf())
    }

    /// The last migration this build knows for the backend.
    pub fn latest_migration(self) -> i64 {
        self.migrator()
            .iter()
            .map(|migration| migration.version)
            .max()
            .unwrap_or(0)
    }

    pub fn migrator(self) -> &'static sqlx::migrate::Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATOR,
            Self::Postgres => &POSTGRES_MIGRATOR,
        }
    }
}

/// A connection of either driver: from the pool, or inside a transaction; on SQLite, reads
/// take theirs from [`Readers`].
pub enum Conn {
    Sqlite(Link<Sqlite>),
    SqliteReader(deadpool::managed::Object<Readers>),
    Postgres(Link<Postgres>),
}

/// A pooled connection or an open transaction on one.
pub enum Link<DB: Database> {
    Pooled(PoolConnection<DB>),
    Tx(Transaction<'static, DB>),
}

impl<DB: Database> Deref for Link<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Link::Pooled(conn) => conn,
            Link::Tx(tx) => tx,
        }
    }
}

impl<DB: Database> DerefMut for Link<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Link::Pooled(conn) => conn,
            Link::Tx(tx) => tx,
        }
    }
}

/// The driver's own connection, for one statement.
pub enum Driver<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn {
    pub fn driver(&mut self) -> Driver<'_> {
        match self {
            Conn::Sqlite(link) => Driver::Sqlite(link),
            Conn::SqliteReader(conn) => Driver::Sqlite(conn),
            Conn::Postgres(link) => Driver::Postgres(link),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) | Conn::SqliteReader(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// A connection for reads outside a write transaction.
pub type ReadConn = Conn;

/// SQLite's connections for reads, kept apart from sqlx's pool: that pool pings every
/// connection given back to it (on SQLite a round trip to the connection's own thread, as
/// costly as the query a short request made), and here a connection goes back as it is. That
/// is sound for SQLite: a connection runs its commands one after another on its thread, so a
/// read dropped half-way is finished or reset before the next command runs, and a read
/// connection never opens a transaction (writes take [`Db::write`]).
pub struct Readers {
    options: SqliteConnectOptions,
}

impl deadpool::managed::Manager for Readers {
    type Type = Reader;
    type Error = sqlx::Error;

    async fn create(&self) -> sqlx::Result<Reader> {
        use sqlx::ConnectOptions;
        Reader::new(self.options.connect().await?).await
    }

    async fn recycle(
        &self,
        _: &mut Reader,
        _: &deadpool::managed::Metrics,
    ) -> deadpool::managed::RecycleResult<sqlx::Error> {
        Ok(())
    }
}

/// One of SQLite's read connections: sqlx's, and the same database handle for the reads that
/// decode their rows on the calling thread ([`Reader::direct`]).
///
/// sqlx runs a SQLite statement on the connection's own thread, copies every value of every
/// row there into an allocation of its own and sends the rows to the async thread one by one,
/// where they are decoded and freed: for a page of 51 connectors of 20 columns, a thousand
/// allocations freed on another thread and 51 hand-overs, twice the statement's own time
/// (measured at a million connectors, one statement after another: 0.25 ms through sqlx,
/// 0.12 ms on the calling thread).
pub struct Reader {
    /// rusqlite on sqlx's handle (it never closes it). Declared first, so dropped first: its
    /// cached statements are finalized and its progress handler removed while the handle is
    /// open.
    direct: rusqlite::Connection,
    /// How many more progress checks the read on the calling thread may take
    /// ([`DIRECT_CHECKS`]); [`UNBOUNDED`] while none runs, so sqlx's statements never stop.
    checks_left: Arc<AtomicU32>,
    conn: SqliteConnection,
}

/// SQLite calls a reader's progress handler every this many steps of its virtual machine.
const STEPS_PER_CHECK: i32 = 1_000;

/// The checks a read on the calling thread may take before it is stopped and run on sqlx's
/// thread instead: 50,000 steps, about 4 ms on this machine's 2 cores (a page of connectors
/// takes 3,000 steps, an email fragment walked to its page 18,000; a two-letter fragment that
/// nobody holds walks every connector, 8.6 million steps at a million connectors). A request
/// must not hold one of the few async threads for longer: it would stall every request queued
/// behind it.
const DIRECT_CHECKS: u32 = 50;

/// `checks_left` while no read runs on the calling thread.
const UNBOUNDED: u32 = u32::MAX;

impl Reader {
    async fn new(mut conn: SqliteConnection) -> sqlx::Result<Self> {
        let handle = conn.lock_handle().await?.as_raw_handle();
        // SAFETY: the handle stays open as long as `conn`, which this reader owns and drops
        // after `direct`; `direct` is used only inside `Reader::direct`, which holds sqlx's
        // lock on the handle, so sqlx's thread makes no call on it meanwhile.
        let direct =
            unsafe { rusqlite::Connection::from_handle(handle.as_ptr()) }.map_err(direct_error)?;
        direct.set_prepared_statement_cache_capacity(DIRECT_STATEMENTS);
        // Plans that never depend on the values bound. Without this, SQLite prepares a
        // statement again each time a value it could plan with is bound anew: the pattern of
        // every `LIKE` (in case it starts with a prefix an index could serve). Brigade's
        // patterns never do (`%fragment%`, or `lower(…) LIKE`, which no index serves) and its
        // statistics keep no samples of values (`store::synth::analyze`), so every plan stays
        // as it was. Measured on the API's `smith` email filter: 8% of the server's time went
        // to preparing that statement again on every request; without it, about 14% more
        // requests a second at 2 connections (side by side, in alternating rounds).
        direct
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )
            .map_err(direct_error)?;
        let checks_left = Arc::new(AtomicU32::new(UNBOUNDED));
        let left = checks_left.clone();
        direct.progress_handler(
            STEPS_PER_CHECK,
            Some(move || match left.load(Ordering::Relaxed) {
                UNBOUNDED => false,
                0 => true,
                n => {
                    left.store(n - 1, Ordering::Relaxed);
                    false
                }
            }),
        );
        Ok(Self {
            direct,
            checks_left,
            conn,
        })
    }

    /// Runs `read` on this thread with the connection to itself (sqlx's thread waits): for a
    /// statement whose rows are decoded here, without sqlx's copies and hand-overs. `None`
    /// when it took longer than [`DIRECT_CHECKS`] allows: it was stopped, and belongs on
    /// sqlx's thread.
    pub(crate) async fn direct<R>(
        &mut self,
        read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<R>,
    ) -> sqlx::Result<Option<R>> {
        let _locked = self.conn.lock_handle().await?;
        self.checks_left.store(DIRECT_CHECKS, Ordering::Relaxed);
        let read = read(&self.direct);
        self.checks_left.store(UNBOUNDED, Ordering::Relaxed);
        match read {
            Ok(read) => Ok(Some(read)),
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::OperationInterrupted =>
            {
                Ok(None)
            }
            Err(error) => Err(direct_error(error)),
        }
    }
}

/// The statements each reader keeps prepared for [`Reader::direct`].
const DIRECT_STATEMENTS: usize = 32;

/// A failed read on the calling thread, as sqlx would report it: a value of the wrong type as
/// a decoding error, anything else (SQLite's own errors) as the database's.
fn direct_error(error: rusqlite::Error) -> sqlx::Error {
    match error {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::Utf8Error(_) => sqlx::Error::Decode(Box::new(error)),
        error => sqlx::Error::Protocol(format!("SQLite, read on the calling thread: {error}")),
    }
}

impl Deref for Reader {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

fn reader_error(error: deadpool::managed::PoolError<sqlx::Error>) -> sqlx::Error {
    use deadpool::managed::PoolError;
    match error {
        PoolError::Backend(error) => error,
        PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        PoolError::Closed | PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
            sqlx::Error::PoolClosed
        }
    }
}

#[derive(Clone)]
enum Pool {
    /// Writes, the session store and maintenance on sqlx's pool; reads on [`Readers`].
    Sqlite(SqlitePool, deadpool::managed::Pool<Readers>),
    Postgres(PgPool),
}

/// The database: a pool of either driver, and (SQLite) the turn every write transaction waits
/// for.
///
/// SQLite has one writer at a time. Writers queue here, in the process, before they take a
/// connection, so that waiting writers never hold the pool's connections (which starved the
/// reads a writer needs) and never spin in SQLite's busy handler. PostgreSQL writers take a
/// transaction-scoped advisory lock instead, shared by every app server on the database.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    turn: Arc<Mutex<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "DATABASE_URL {0:?} names no database Brigade runs on: use sqlite://path/to/brigade.db or postgres://user:password@host:port/database"
    )]
    UnsupportedUrl(String),
    #[error("cannot open the database: {0}")]
    Open(#[from] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database's folder: {0}")]
    Folder(#[from] std::io::Error),
}

/// `url` without the password it may hold (`postgres://user:secret@host/db` →
/// `postgres://user@host/db`), for messages and logs.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    /// A reader runs a fragment search prepared once, whatever fragment is bound: SQLite would
    /// otherwise prepare it again for each new pattern of its `LIKE`.
    #[tokio::test]
    async fn a_reader_keeps_a_fragment_search_prepared_across_fragments() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plans.db").display());
        let db = super::Db::open_with(&url, 1).await.unwrap();
        let mut conn = db.read().await.unwrap();
        let search = |fragment: &str| {
            let mut query = super::Sql::new("SELECT count(*) FROM user_connectors c WHERE ");
            super::push_email_contains(
                &mut query,
                super::Backend::Sqlite,
                super::FragmentPlan::Walk,
                fragment,
            );
            query
        };
        for fragment in ["smith", "jones", "smith", "o'brien"] {
            let found: i64 = search(fragment).scalar_read(&mut conn).await.unwrap();
            assert_eq!(found, 0);
        }
        let super::Conn::SqliteReader(reader) = &mut conn else {
            panic!("a read on SQLite takes a reader");
        };
        let smith = search("smith");
        let text = smith.sqlite_text();
        let prepared_again = reader
            .direct(|c| {
                let statement = c.prepare_cached(&text)?;
                Ok(statement.get_status(rusqlite::StatementStatus::RePrepare))
            })
            .await
            .unwrap();
        assert_eq!(prepared_again, Some(0));
    }

    /// A read given back half-read (a request cancelled mid-way) leaves its connection clean:
    /// the next read on it answers, and sees what was committed since (no read transaction
    /// left open, which would pin an old snapshot and the write-ahead log).
    #[tokio::test]
    async fn a_reader_given_back_half_read_is_clean_for_the_next_read() {
        use futures_util::StreamExt;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("readers.db").display());
        // One reader: the second read gets the connection the first gave back.
        let db = super::Db::open_with(&url, 1).await.unwrap();
        let count = "SELECT COUNT(*) FROM organizations";
        let mut conn = db.read().await.unwrap();
        let before: i64 = on!(&mut conn, |c| sqlx::query_scalar(count).fetch_one(c).await).unwrap();
        on!(&mut conn, |c| {
            let mut rows = sqlx::query_scalar::<_, i64>(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
                 SELECT i FROM n",
            )
            .fetch(c);
            assert_eq!(rows.next().await.unwrap().unwrap(), 1);
        });
        drop(conn);
        let mut write = db.write().await.unwrap();
        on!(execute &mut write, |c| sqlx::query(
            "INSERT INTO organizations (id, name, slug, kind, created_at, updated_at)
             VALUES (x'01', 'Readers', 'readers', 'independent', '2026-01-01T00:00:00Z',
                     '2026-01-01T00:00:00Z')"
        )
        .execute(c)
        .await)
        .unwrap();
        write.commit().await.unwrap();
        let mut conn = db.read().await.unwrap();
        let after: i64 = on!(&mut conn, |c| sqlx::query_scalar(count).fetch_one(c).await).unwrap();
        assert_eq!(after, before + 1);
    }

    /// How far a recursive count went.
    #[derive(Debug, PartialEq, sqlx::FromRow)]
    struct Counted {
        i: i64,
    }

    impl super::sql::DirectRow for Counted {
        fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
            Ok(Self { i: row.get(0)? })
        }
    }

    /// A read on the calling thread is stopped after `DIRECT_CHECKS` progress checks and run
    /// on sqlx's thread instead, with the same answer; a short one is answered on the calling
    /// thread; and the reader's statements through sqlx afterwards are never stopped.
    #[tokio::test]
    async fn a_read_too_long_for_the_calling_thread_runs_on_sqlxs_and_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("readers.db").display());
        let db = super::Db::open_with(&url, 1).await.unwrap();
        let counted = |to: i64| {
            super::Sql::new(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
                 SELECT max(i) AS i FROM n",
            )
            .bind(to)
        };
        let mut conn = db.read().await.unwrap();
        let super::Conn::SqliteReader(reader) = &mut conn else {
            panic!("a SQLite read is a reader's");
        };
        let short = reader
            .direct(|c| c.query_row("SELECT 40 + 2", [], |row| row.get::<_, i64>(0)))
            .await
            .unwrap();
        assert_eq!(short, Some(42));
        let long = reader
            .direct(|c| {
                c.query_row(counted(1_000_000).text(), [1_000_000], |row| {
                    row.get::<_, i64>(0)
                })
            })
            .await
            .unwrap();
        assert_eq!(long, None, "stopped on the calling thread");
        let read: Vec<Counted> = counted(1_000_000).fetch_all_read(&mut conn).await.unwrap();
        assert_eq!(read, [Counted { i: 1_000_000 }]);
        let through_sqlx: Vec<Counted> = counted(2_000_000).fetch_all(&mut conn).await.unwrap();
        assert_eq!(through_sqlx, [Counted { i: 2_000_000 }]);
        let read: Vec<Counted> = counted(10).fetch_all_read(&mut conn).await.unwrap();
        assert_eq!(read, [Counted { i: 10 }]);
    }

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        let cases = [
            (
                "postgres://brigade:s3cr@t@db:5432/brigade",
                "postgres://brigade@db:5432/brigade",
            ),
            (
                "postgres://brigade@db/brigade",
                "postgres://brigade@db/brigade",
            ),
            ("postgres://db/brigade", "postgres://db/brigade"),
            ("sqlite://data/brigade.db", "sqlite://data/brigade.db"),
        ];
        for (url, shown) in cases {
            assert_eq!(without_password(url), shown, "{url}");
        }
    }

    #[test]
    fn the_planner_s_estimate_is_read_from_the_first_line_of_its_plan() {
        use super::estimated_rows;
        let cases = [
            (
                "Bitmap Heap Scan on user_accounts  (cost=177.25..5146.11 rows=16162 width=16)",
                Some(16_162),
            ),
            (
                "Seq Scan on user_accounts  (cost=0.00..6484.02 rows=1 width=4)",
                Some(1),
            ),
            ("Result  (cost=0.00..0.01 rows=1 width=4)", Some(1)),
            ("  Recheck Cond: (lower(email) ~~ '%smith%'::text)", None),
            ("", None),
        ];
        for (line, rows) in cases {
            assert_eq!(estimated_rows(line), rows, "{line:?}");
        }
    }

    /// How many accounts must hold a fragment before a list walks for it: the square root
    /// rule for a list whose order the text does not decide; for a list in name order, also
    /// at least one account in eight (a surname's matches sit together in that order).
    #[test]
    fn a_list_in_name_order_walks_only_for_a_fragment_far_more_common() {
        use super::{ListOrder, walk_threshold};
        let cases = [
            (ListOrder::Unrelated, 0, 0),
            (ListOrder::Unrelated, 600, 25),
            (ListOrder::Unrelated, 200_000, 448),
            (ListOrder::ByName, 0, 0),
            (ListOrder::ByName, 600, 196),
            (ListOrder::ByName, 4_096, 512),
            (ListOrder::ByName, 200_000, 25_000),
            (ListOrder::ByName, 1_000_000, 125_000),
        ];
        for (order, accounts, threshold) in cases {
            assert_eq!(
                walk_threshold(order, accounts),
                threshold,
                "{order:?} over {accounts} accounts"
            );
        }
    }
}

/// Why the database cannot serve requests now.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the database did not answer within {} ms", .0.as_millis())]
    Slow(Duration),
    #[error("the database cannot be reached: {0}")]
    Unreachable(String),
    #[error("the database schema is at migration {applied}, this build needs {latest}")]
    Schema { applied: i64, latest: i64 },
}

impl NotReady {
    /// A stable code for the health answer (the details go to the log only).
    pub fn code(&self) -> &'static str {
        match self {
            NotReady::Slow(_) => "database_slow",
            NotReady::Unreachable(_) => "database_unreachable",
            NotReady::Schema { .. } => "schema_not_current",
        }
    }
}

/// The last migration applied to a database.
const APPLIED_MIGRATION: &str =
    "SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success";

/// Connections per pool unless `DATABASE_POOL_SIZE` says otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 8;

/// Every write on PostgreSQL holds this transaction-scoped advisory lock: writes are decided
/// one at a time across all app servers, as they are on SQLite, so a rule read inside a write
/// transaction still holds when it commits.
const WRITE_LOCK: i64 = 0x4272_6967_6164_6501;

impl Db {
    /// Opens and migrates the database named by `database_url`.
    pub async fn open(database_url: &str) -> Result<Self, OpenError> {
        Self::open_with(database_url, DEFAULT_POOL_SIZE).await
    }

    /// Opens (creating a SQLite file if needed) and migrates the database with a pool of
    /// `pool_size` connections. SQLite: WAL, foreign keys on, a busy timeout for writers of
    /// other processes.
    pub async fn open_with(database_url: &str, pool_size: u32) -> Result<Self, OpenError> {
        let db = Self::connect(database_url, pool_size).await?;
        db.migrate().await?;
        db.restore_bulk_load_indexes().await?;
        Ok(db)
    }

    /// Opens without migrating.
    pub async fn connect(database_url: &str, pool_size: u32) -> Result<Self, OpenError> {
        let pool = match Backend::of_url(database_url) {
            None => return Err(OpenError::UnsupportedUrl(database_url.to_string())),
            Some(Backend::Sqlite) => {
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
                let readers = deadpool::managed::Pool::builder(Readers {
                    options: options.clone(),
                })
                .max_size(usize::try_from(pool_size).unwrap_or(usize::MAX))
                .runtime(deadpool::Runtime::Tokio1)
                .wait_timeout(Some(Duration::from_secs(10)))
                .create_timeout(Some(Duration::from_secs(10)))
                .build()
                .map_err(|error| sqlx::Error::Configuration(error.into()))?;
                Pool::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(pool_size)
                        // A file in this process cannot drop the connection: no ping before
                        // each use (on SQLite a ping is a round trip to the connection's
                        // thread, as costly as a query).
                        .test_before_acquire(false)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                    readers,
                )
            }
            Some(Backend::Postgres) => {
                let options = PgConnectOptions::from_str(database_url)?;
                Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(pool_size)
                        .acquire_timeout(Duration::from_secs(10))
                        .connect_with(options)
                        .await?,
                )
            }
        };
        Ok(Self {
            pool,
            turn: Arc::new(Mutex::new(())),
        })
    }

    /// Brings the schema up to date (several servers may start at once: the migrator locks).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match &self.pool {
            Pool::Sqlite(pool, _) => SQLITE_MIGRATOR.run(pool).await,
            Pool::Postgres(pool) => POSTGRES_MIGRATOR.run(pool).await,
        }
    }

    /// Builds the indexes (and adds the foreign keys) a `brigade synth` that stopped half-way
    /// left dropped ([`synth::restore_after_load`]); nothing (one read) when none did.
    async fn restore_bulk_load_indexes(&self) -> sqlx::Result<()> {
        let mut conn = self.read().await?;
        let pending: i64 = on!(&mut conn, |c| sqlx::query_scalar(
            "SELECT count(*) FROM bulk_load_indexes"
        )
        .fetch_one(c)
        .await)?;
        drop(conn);
        if pending == 0 {
            return Ok(());
        }
        let mut tx = self.write().await?;
        let restored = synth::restore_after_load(&mut tx).await?;
        tx.commit().await?;
        if !restored.is_empty() {
            tracing::warn!(
                restored = %restored.join(", "),
                "built the indexes and foreign keys a bulk load (brigade synth) that stopped left dropped"
            );
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match &self.pool {
            Pool::Sqlite(..) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A connection for reads.
    pub async fn read(&self) -> sqlx::Result<ReadConn> {
        Ok(match &self.pool {
            Pool::Sqlite(_, readers) => {
                Conn::SqliteReader(readers.get().await.map_err(reader_error)?)
            }
            Pool::Postgres(pool) => Conn::Postgres(Link::Pooled(pool.acquire().await?)),
        })
    }

    /// Starts a write transaction, after every writer before it. On SQLite `BEGIN IMMEDIATE`
    /// takes the write lock up front, so a transaction that reads and then writes never fails
    /// half-way on a lock upgrade; on PostgreSQL the advisory lock does the same.
    pub async fn write(&self) -> sqlx::Result<WriteTx> {
        match &self.pool {
            Pool::Sqlite(pool, _) => {
                let turn = self.turn.clone().lock_owned().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    conn: Conn::Sqlite(Link::Tx(tx)),
                    _turn: Some(turn),
                })
            }
            Pool::Postgres(pool) => {
                // sqlx 0.8's `begin` is not safe to cancel on PostgreSQL: a caller dropped
                // while `BEGIN` is in flight (a client gone) leaves the pooled connection
                // inside a transaction nothing ends, which the next borrower then runs in
                // (sqlx issue 4393, fixed after 0.8.6). Begun on a task of its own, it
                // completes either way, and a transaction nobody took is rolled back when
                // the task drops it.
                let pool = pool.clone();
                let mut tx = tokio::spawn(async move { pool.begin().await })
                    .await
                    .map_err(|error| sqlx::Error::Io(std::io::Error::other(error)))??;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(WriteTx {
                    conn: Conn::Postgres(Link::Tx(tx)),
                    _turn: None,
                })
            }
        }
    }

    /// Closes every connection; on SQLite first folds the write-ahead log into the database
    /// file (after a bulk load, which leaves a large log).
    pub async fn close(&self) -> sqlx::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool, readers) => {
                readers.close();
                let mut conn = pool.acquire().await?;
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *conn)
                    .await?;
                drop(conn);
                pool.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
        Ok(())
    }

    /// The SQLite pool, if this is SQLite (the session store runs its own statements).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool, _) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, if this is PostgreSQL.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(..) => None,
        }
    }

    /// Whether the database answers a query within `within` and its schema is the one this
    /// build migrates to (readiness: no write, no session). SQLite opens the file afresh, so
    /// a database file gone or unreadable shows even while pooled connections still hold it.
    pub async fn ready(&self, within: Duration) -> Result<(), NotReady> {
        let latest = self.backend().latest_migration();
        let applied = tokio::time::timeout(within, async {
            let query = APPLIED_MIGRATION;
            match &self.pool {
                Pool::Sqlite(pool, _) => {
                    use sqlx::ConnectOptions;
                    let options = (*pool.connect_options())
                        .clone()
                        .create_if_missing(false)
                        .read_only(true);
                    let mut conn = options.connect().await?;
                    let applied: i64 = sqlx::query_scalar(query).fetch_one(&mut conn).await?;
                    drop(conn);
                    Ok::<i64, sqlx::Error>(applied)
                }
                Pool::Postgres(pool) => sqlx::query_scalar(query).fetch_one(pool).await,
            }
        })
        .await
        .map_err(|_| NotReady::Slow(within))?
        .map_err(|error| NotReady::Unreachable(error.to_string()))?;
        if applied == latest {
            Ok(())
        } else {
            Err(NotReady::Schema { applied, latest })
        }
    }

    /// Writes a consistent copy of a SQLite database to `file` while others keep reading and
    /// writing (`VACUUM INTO`: one read transaction, so the copy is the database at one
    /// moment). `None` on PostgreSQL, whose tool is `pg_dump`.
    pub async fn backup(&self, file: &std::path::Path) -> Option<sqlx::Result<()>> {
        let Pool::Sqlite(pool, _) = &self.pool else {
            return None;
        };
        let done = sqlx::query("VACUUM INTO $1")
            .bind(file.to_string_lossy().into_owned())
            .execute(pool)
            .await
            .map(|_| ());
        Some(done)
    }

    /// What is wrong with the database, if anything: SQLite's integrity and foreign-key checks,
    /// and on both backends whether the schema is the one this build migrates to.
    pub async fn check(&self) -> sqlx::Result<Vec<String>> {
        let mut problems = Vec::new();
        if let Pool::Sqlite(pool, _) = &self.pool {
            let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(pool)
                .await?;
            if integrity != ["ok"] {
                problems.extend(
                    integrity
                        .into_iter()
                        .map(|line| format!("integrity: {line}")),
                );
            }
            let broken: Vec<(String, i64, String)> =
                sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                    .fetch_all(pool)
                    .await?;
            problems.extend(broken.into_iter().map(|(table, row, parent)| {
                format!("foreign key: row {row} of {table} names a missing {parent}")
            }));
        }
        let latest = self.backend().latest_migration();
        let applied: i64 = on!(&mut self.read().await?, |c| sqlx::query_scalar(
            APPLIED_MIGRATION
        )
        .fetch_one(c)
        .await)?;
        if applied != latest {
            problems.push(format!(
                "migrations: the schema is at {applied}, this build needs {latest} (run brigade migrate)"
            ));
        }
        Ok(problems)
    }

    /// Connections of the pool in use and idle.
    pub fn pool_state(&self) -> (u32, u32) {
        let (size, idle) = match &self.pool {
            Pool::Sqlite(pool, readers) => {
                let status = readers.status();
                (
                    pool.size() + u32::try_from(status.size).unwrap_or(u32::MAX),
                    pool.num_idle() + status.available,
                )
            }
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        (size.saturating_sub(idle), idle)
    }
}

/// A write transaction (holding the writers' turn on SQLite). Dropped without
/// [`WriteTx::commit`], it rolls back.
pub struct WriteTx {
    conn: Conn,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self.conn {
            Conn::Sqlite(Link::Tx(tx)) => tx.commit().await,
            Conn::Postgres(Link::Tx(tx)) => tx.commit().await,
            Conn::Sqlite(Link::Pooled(_))
            | Conn::SqliteReader(_)
            | Conn::Postgres(Link::Pooled(_)) => {
                unreachable!("a write transaction holds a transaction")
            }
        }
    }
}

impl Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
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
pub(crate) fn push_outlet_scope(query: &mut Sql, column: &str, scope: &Scope) {
    match scope {
        Scope::Organization => {}
        Scope::Outlets(outlets) if outlets.is_empty() => {
            query.push(" AND FALSE");
        }
        Scope::Outlets(outlets) => {
            query.push(format_args!(" AND {column} IN ("));
            query.push_list(outlets.iter().copied());
            query.push(")");
        }
    }
}

/// Adds `<column> IN (…)` for a list of ids (at least one).
pub(crate) fn push_in<T: Copy + Into<Value>>(query: &mut Sql, column: &str, ids: &[T]) {
    query.push(format_args!("{column} IN ("));
    query.push_list(ids.iter().copied());
    query.push(")");
}

/// How `query` runs, one line per step (tests check which indexes a list reads through):
/// SQLite's `EXPLAIN QUERY PLAN` details, or PostgreSQL's `EXPLAIN` text.
pub(crate) async fn explain_details(conn: &mut Conn, query: &Sql) -> sqlx::Result<Vec<String>> {
    match conn.backend() {
        Backend::Sqlite => {
            let rows: Vec<(i64, i64, i64, String)> =
                Sql::new(format_args!("EXPLAIN QUERY PLAN {}", query.text()))
                    .with_values_of(query)
                    .fetch_all(conn)
                    .await?;
            Ok(rows.into_iter().map(|(_, _, _, detail)| detail).collect())
        }
        Backend::Postgres => {
            Sql::new(format_args!("EXPLAIN {}", query.text()))
                .with_values_of(query)
                .scalars(conn)
                .await
        }
    }
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

/// How a list's order relates to the text a fragment is searched in, which decides how common
/// a fragment must be before walking the list for it beats gathering its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListOrder {
    /// Unrelated to the text (connectors by key): a fragment's matches are spread through the
    /// list, so a walk meets one every `accounts / matches` rows.
    Unrelated,
    /// By the names searched (people by last name): a surname's matches sit together, so a walk
    /// from the top can read most of the list before its first match.
    ByName,
}

/// A list in an unrelated order is rare enough for the index when fewer accounts match than
/// `sqrt(accounts)`: walking costs about `page * accounts / matches` rows and gathering about
/// `matches` times the rows per account, so the two meet near a square root. Measured on the
/// connector list at 200,000 accounts and a million connectors (SQLite, rusqlite, the rows
/// of a page of 51, the walk testing each connector's own copy of the address): 292 matches
/// walk in 14 ms and gather in 2.8 ms; 495 walk in 3.5 ms and gather in 7.1; 725 walk in 5.3
/// and gather in 10; `smith`, 5,038, walks in 0.55 ms and gathers in 45. They meet near 450:
/// `sqrt(200,000)`. The rule also bounds the look that decides: it counts at most that many
/// matches (`smith`: 0.09 ms, where counting to the 3,578 of the rule before took 0.65 ms).
const UNRELATED_WALK_FACTOR: f64 = 1.0;

/// The same meeting point for the people list (in name order): `sqrt(NAME_ORDER_WALK_FACTOR *
/// accounts)` when that is more than [`NAME_ORDER_SHARE`] allows (small organizations). Its
/// walk reads each member's sort key, which the connector list's walk no longer does.
const NAME_ORDER_WALK_FACTOR: f64 = 64.0;

/// A list in name order walks only for a fragment at least one account in this many holds:
/// there the square root rule fails (at 200,000 people `smith`, a surname held by 5,000,
/// walked most of the members in 1.5 s for the first page where gathering its matches took
/// 30–60 ms); gathering costs about 6 µs a match, 150 ms at one in eight, where a walk for
/// so common a fragment fills a page within a few hundred rows.
const NAME_ORDER_SHARE: i64 = 8;

/// How many accounts must hold a fragment for a walk of a list in `order` to be the plan.
pub(crate) fn walk_threshold(order: ListOrder, accounts: i64) -> i64 {
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let spread = |factor: f64| (factor * accounts as f64).sqrt().ceil() as i64;
    match order {
        ListOrder::Unrelated => spread(UNRELATED_WALK_FACTOR),
        ListOrder::ByName => spread(NAME_ORDER_WALK_FACTOR).max(accounts / NAME_ORDER_SHARE),
    }
}

/// What of an account a fragment search reads, and where each backend indexes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchedText {
    /// The address: the connector list's email filter.
    Email,
    /// The address, the username and the name: the people search.
    Person,
}

impl SearchedText {
    /// SQLite: the columns of the FTS5 table `account_search`, as a column filter.
    fn fts_columns(self) -> &'static str {
        match self {
            Self::Email => "{email}",
            Self::Person => "{email username full_name}",
        }
    }

    /// PostgreSQL: the text over `user_accounts` whose `lower(…)` its trigram index holds
    /// (`user_accounts_email_trgm`, `user_accounts_search_trgm`), repeated exactly so that the
    /// planner can read the index for it.
    fn trigram_text(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Person => "email || ' ' || username || ' ' || first_name || ' ' || last_name",
        }
    }
}

/// Decides how to search for `fragment` in the accounts' `text` for a list in `order`: one
/// bounded look into the trigram index (PostgreSQL: its planner's estimate), never a count of
/// every match. PostgreSQL's planner makes the choice itself for a list in an unrelated order
/// (its statistics see how common a fragment is, and nothing more is needed there), not for
/// one in name order.
pub(crate) async fn fragment_plan(
    conn: &mut Conn,
    text: SearchedText,
    fragment: &str,
    order: ListOrder,
) -> sqlx::Result<FragmentPlan> {
    let backend = conn.backend();
    if fragment.chars().count() < INDEXED_FRAGMENT {
        return Ok(FragmentPlan::Walk);
    }
    let accounts: i64 = match backend {
        // The keys only grow: their largest is the number of accounts ever made, in one step.
        Backend::Sqlite => {
            Sql::new("SELECT coalesce(max(key), 0) FROM account_search_keys")
                .scalar_read(conn)
                .await?
        }
        // The planner's own estimate (none before the table is first analyzed: a walk).
        Backend::Postgres => on!(conn, |c| sqlx::query_scalar(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class
              WHERE oid = 'user_accounts'::regclass"
        )
        .fetch_one(c)
        .await)?,
    };
    let common = walk_threshold(order, accounts);
    let matches: i64 =
        match backend {
            Backend::Sqlite => Sql::new(
                "SELECT count(*) FROM (SELECT 1 FROM account_search WHERE account_search MATCH $1
                  LIMIT $2) AS matches",
            )
            .bind(fts_columns(text, fragment))
            .bind(common)
            .scalar_read(conn)
            .await?,
            // The planner's estimate, from the 1,000 values its statistics keep of the indexed
            // expression: counting through pg_trgm would recheck every row whose trigrams match,
            // and a fragment of short words has only common trigrams (`e.ex`: all 200,000
            // accounts, 280 ms). An unnamed statement, planned for this fragment every time.
            Backend::Postgres => {
                let mut explain = Sql::new("EXPLAIN SELECT 1 FROM user_accounts WHERE ");
                push_trigram_match(&mut explain, text, fragment);
                let plan: Vec<String> = explain.planned_each_time().scalars(conn).await?;
                plan.first()
                    .and_then(|line| estimated_rows(line))
                    .unwrap_or(0)
            }
        };
    Ok(if matches >= common {
        FragmentPlan::Walk
    } else {
        FragmentPlan::Index
    })
}

fn fts_columns(text: SearchedText, fragment: &str) -> String {
    format!("{} : {}", text.fts_columns(), fts_phrase(fragment))
}

/// SQLite: ` AND <account> IN (accounts whose `text` holds the fragment)`, through the
/// trigram index, when the plan is to use it; nothing otherwise. The candidates it keeps are a
/// superset of a case-insensitive `LIKE`, which the caller still applies (the rule of what
/// an organization may see stays there). (PostgreSQL's plans never name candidates here: its
/// planner reads the index for the email filter's own predicate, and the people search
/// gathers its members first, `people::Members::Matching`.)
pub(crate) fn push_indexed_candidates(
    query: &mut Sql,
    plan: FragmentPlan,
    account: &str,
    text: SearchedText,
    fragment: &str,
) {
    if plan == FragmentPlan::Index {
        query.push(format_args!(
            " AND {account} IN (SELECT k.account_id FROM account_search s
                JOIN account_search_keys k ON k.key = s.rowid WHERE account_search MATCH "
        ));
        query.push_bind(fts_columns(text, fragment));
        query.push(")");
    }
}

/// PostgreSQL: `<text's indexed expression> LIKE <fragment anywhere>`, over `user_accounts`
/// unqualified: the predicate its trigram index serves.
pub(crate) fn push_trigram_match(query: &mut Sql, text: SearchedText, fragment: &str) {
    push_contains(query, Backend::Postgres, text.trigram_text(), fragment);
}

/// The rows PostgreSQL estimates a plan's top node yields, from the first line of `EXPLAIN`'s
/// text (`Seq Scan on t  (cost=0.00..1.00 rows=42 width=4)`).
fn estimated_rows(line: &str) -> Option<i64> {
    line.split(" rows=").nth(1)?.split(' ').next()?.parse().ok()
}

/// `<column> contains <fragment>`, any case. PostgreSQL compares `lower()` of both (its
/// trigram indexes are on `lower(…)`). SQLite's `LIKE` already ignores case, for ASCII only,
/// as its `lower()` lowers only ASCII: the same matches without a lowered copy of every row
/// a walk tests (a fifth of the bare walk for `smith` in sqlite3; 3% of the whole request).
pub(crate) fn push_contains(query: &mut Sql, backend: Backend, column: &str, fragment: &str) {
    match backend {
        Backend::Postgres => query.push(format_args!("lower({column}) LIKE lower(")),
        Backend::Sqlite => query.push(format_args!("{column} LIKE (")),
    };
    query
        .push_bind(like_fragment(fragment))
        .push(") ESCAPE '\\'");
}

/// `the email of connector c's account contains <fragment>`, any case, where `c` is joined
/// to its member `m` and account `a`. A walk (`plan`) reads it from the connector's own
/// lowered copy of the address (`user_connectors.member_email`, kept by triggers), so that it
/// reads a member and an account only for the rows it keeps: `smith` over a million
/// connectors walks about 2,000 of them; SQLite: 1.0 ms through their members, 0.26 ms on the
/// copy (rusqlite); PostgreSQL: 10-14 ms through their members, about 1 ms on the copy (the
/// bench's data set). Gathering a rare fragment's accounts: SQLite names them by its trigram
/// index ([`push_indexed_candidates`]) and tests the copy too; PostgreSQL tests
/// `lower(a.email)`, which its trigram index serves.
pub(crate) fn push_email_contains(
    query: &mut Sql,
    backend: Backend,
    plan: FragmentPlan,
    fragment: &str,
) {
    match (backend, plan) {
        (Backend::Postgres, FragmentPlan::Index) => {
            push_contains(query, backend, "a.email", fragment);
        }
        (Backend::Postgres, FragmentPlan::Walk) => {
            query
                .push("c.member_email LIKE lower(")
                .push_bind(like_fragment(fragment))
                .push(") ESCAPE '\\'");
        }
        (Backend::Sqlite, _) => push_contains(query, backend, "c.member_email", fragment),
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` fragment search.
pub(crate) fn like_fragment(fragment: &str) -> String {
    format!("%{}%", like_escaped(fragment))
}

/// `text` with `%`, `_` and `\` escaped, to match itself in `LIKE … ESCAPE '\'`.
pub(crate) fn like_escaped(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
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
