//! Attempts counted per key in a sliding window and kept in the database, so that every app
//! server counts the same: failed sign-ins (`account:`, `login:`, `address:` keys) and
//! requests for a password-reset link (`reset:email:`, `reset:client:` keys).

use super::{Conn, format_timestamp};

/// Failures of `key` at or after `since`: how many, and when the oldest of them happened.
pub async fn failures_since(
    conn: &mut Conn,
    key: &str,
    since: time::OffsetDateTime,
) -> sqlx::Result<(i64, Option<String>)> {
    on!(conn, |c| sqlx::query_as(
        "SELECT COUNT(*), MIN(failed_at) FROM sign_in_failures WHERE key = $1 AND failed_at >= $2",
    )
    .bind(key)
    .bind(format_timestamp(since))
    .fetch_one(c)
    .await)
}

/// Records a failure of each key at `at`.
pub async fn record_failure(
    conn: &mut Conn,
    keys: &[&str],
    at: time::OffsetDateTime,
) -> sqlx::Result<()> {
    for key in keys {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO sign_in_failures (key, failed_at) VALUES ($1, $2)"
        )
        .bind(*key)
        .bind(format_timestamp(at))
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// Forgets every failure older than `before` (they no longer count).
pub async fn forget_before(conn: &mut Conn, before: time::OffsetDateTime) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM sign_in_failures WHERE failed_at < $1"
    )
    .bind(format_timestamp(before))
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets a key's failures (an account that signed in successfully).
pub async fn clear(conn: &mut Conn, key: &str) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM sign_in_failures WHERE key = $1"
    )
    .bind(key)
    .execute(c)
    .await)?;
    Ok(())
}
