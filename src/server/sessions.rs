//! Console sessions live in the database, whichever it is, so that any app server answers
//! any request: tower-sessions' SQLite or PostgreSQL store, chosen with the database.

use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::store::Db;

/// The session store of the database's backend.
#[derive(Debug, Clone)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Sessions {
    /// The store over `db`'s pool. Its table (`sessions`) is made by Brigade's own migrations
    /// on both backends.
    pub fn of(db: &Db) -> Result<Self, String> {
        if let Some(pool) = db.sqlite_pool() {
            return Ok(Self::Sqlite(
                SqliteStore::new(pool.clone()).with_table_name("sessions")?,
            ));
        }
        match db.postgres_pool() {
            Some(pool) => Ok(Self::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")?
                    .with_table_name("sessions")?,
            )),
            None => Err("the database has no pool".into()),
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}
