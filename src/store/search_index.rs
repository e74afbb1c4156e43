//! Upkeep of the accounts' trigram index (`account_search`, SQLite's FTS5). PostgreSQL keeps
//! its `pg_trgm` GIN index itself (autovacuum folds in its pending entries): nothing to do.
//!
//! FTS5 keeps the index as b-tree segments: every write transaction that changes accounts adds
//! one, and FTS5 merges them only a level at a time, so an index grown by many small writes
//! (or by a bulk load in batches) holds many segments, and a search looks each of its
//! trigrams up in every one of them. Measured at 200,000 accounts: a whole address as the
//! fragment takes 0.61 ms over the 9 segments a batched load left and 0.16 ms over one.

use super::{Backend, Conn};

/// Segments the index may hold before housekeeping merges them into one.
pub const SEGMENTS_BEFORE_MERGE: i64 = 4;

/// The most leaf pages one merge step writes (about 4 MB: a tenth of a second on this
/// machine, while the step holds the writers' turn). A larger index takes several steps.
const PAGES_PER_STEP: i64 = 1000;

/// How many segments the index holds now (PostgreSQL: none to merge).
pub async fn segments(conn: &mut Conn) -> sqlx::Result<i64> {
    if conn.backend() == Backend::Postgres {
        return Ok(0);
    }
    on!(conn, |c| sqlx::query_scalar(
        "SELECT count(DISTINCT segid) FROM account_search_idx"
    )
    .fetch_one(c)
    .await)
}

/// One bounded step towards a single segment: FTS5's `merge` with a negative page count, an
/// `optimize` done a step at a time (a later step goes on where this one stopped).
pub async fn merge_step(conn: &mut Conn) -> sqlx::Result<()> {
    if conn.backend() == Backend::Postgres {
        return Ok(());
    }
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO account_search (account_search, rank) VALUES ('merge', $1)"
    )
    .bind(-PAGES_PER_STEP)
    .execute(c)
    .await)?;
    Ok(())
}

/// Merges every segment into one at once: the end of a bulk load.
pub async fn optimize(conn: &mut Conn) -> sqlx::Result<()> {
    if conn.backend() == Backend::Postgres {
        return Ok(());
    }
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO account_search (account_search) VALUES ('optimize')"
    )
    .execute(c)
    .await)?;
    Ok(())
}
