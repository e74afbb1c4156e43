//! API requests counted per caller and one-minute window (see `service::rate_limits`), in
//! one statement that every app server runs against the same rows.

use super::Conn;

/// Counts `by` more requests of `key` in the window starting at `window_start` (Unix seconds)
/// and answers how many there are now.
pub async fn count(conn: &mut Conn, key: &str, window_start: i64, by: i64) -> sqlx::Result<i64> {
    on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO api_request_counts (key, window_start, count) VALUES ($1, $2, $3)
         ON CONFLICT (key, window_start) DO UPDATE SET count = api_request_counts.count + $3
         RETURNING count",
    )
    .bind(key)
    .bind(window_start)
    .bind(by)
    .fetch_one(c)
    .await)
}

/// Forgets the windows of `key` before `window_start` (they no longer count).
pub async fn forget_before(conn: &mut Conn, key: &str, window_start: i64) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM api_request_counts WHERE key = $1 AND window_start < $2"
    )
    .bind(key)
    .bind(window_start)
    .execute(c)
    .await)?;
    Ok(())
}
