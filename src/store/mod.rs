//! The store: the only module that speaks SQL. Functions take a pool or a transaction,
//! return domain types, and never decide permissions (they receive a policy `Scope`).

pub mod access;
pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod connectors;
pub mod demo;
pub mod people;
pub mod settings;
pub mod tokens;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

use crate::domain::Scope;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database: WAL, foreign keys on, a busy timeout.
pub async fn connect(database_url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(parent) = std::path::Path::new(options.get_filename()).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
    }
    SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
}

pub async fn migrate(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
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
        .expect("a UTC timestamp always formats")
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

pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

/// Whether a database error is a uniqueness violation (turned into a 409 by callers).
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Starts a write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so a
/// transaction that reads and then writes never fails half-way on a lock upgrade.
pub async fn write_transaction(
    pool: &SqlitePool,
) -> sqlx::Result<sqlx::Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
