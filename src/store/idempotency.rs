//! Answers remembered for `Idempotency-Key` retries (see `service::idempotency`).

use super::Conn;

/// A remembered answer: status, JSON body, entity tag.
pub type Stored = (String, Option<i64>, Option<String>, Option<String>);

/// Claims `(client, key, item)` for this transaction: inserted, or taken over when the row
/// there is older than `expired_before` (Unix seconds). `true` when claimed. A row another
/// transaction holds makes this wait until that one ends (its unique index entry is locked).
pub async fn claim(
    conn: &mut Conn,
    client: &str,
    key: &str,
    item: i64,
    fingerprint: &str,
    now: i64,
    expired_before: i64,
) -> sqlx::Result<bool> {
    let claimed: Option<i64> = on!(conn, |c| sqlx::query_scalar(
        "INSERT INTO idempotency_keys (client, idempotency_key, item, fingerprint, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (client, idempotency_key, item) DO UPDATE
            SET fingerprint = excluded.fingerprint, status = NULL, body = NULL, etag = NULL,
                created_at = excluded.created_at
            WHERE idempotency_keys.created_at < $6
         RETURNING item",
    )
    .bind(client)
    .bind(key)
    .bind(item)
    .bind(fingerprint)
    .bind(now)
    .bind(expired_before)
    .fetch_optional(c)
    .await)?;
    Ok(claimed.is_some())
}

/// What is remembered under `(client, key, item)`: fingerprint, status, body, entity tag.
pub async fn stored(
    conn: &mut Conn,
    client: &str,
    key: &str,
    item: i64,
) -> sqlx::Result<Option<Stored>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT fingerprint, status, body, etag FROM idempotency_keys
         WHERE client = $1 AND idempotency_key = $2 AND item = $3",
    )
    .bind(client)
    .bind(key)
    .bind(item)
    .fetch_optional(c)
    .await)
}

/// Records the answer of a claimed key.
pub async fn answer(
    conn: &mut Conn,
    client: &str,
    key: &str,
    item: i64,
    status: i64,
    body: &str,
    etag: Option<&str>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE idempotency_keys SET status = $4, body = $5, etag = $6
         WHERE client = $1 AND idempotency_key = $2 AND item = $3",
    )
    .bind(client)
    .bind(key)
    .bind(item)
    .bind(status)
    .bind(body)
    .bind(etag)
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets a client's answers older than `expired_before` (no retry may use them).
pub async fn forget_before(conn: &mut Conn, client: &str, expired_before: i64) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM idempotency_keys WHERE client = $1 AND created_at < $2"
    )
    .bind(client)
    .bind(expired_before)
    .execute(c)
    .await)?;
    Ok(())
}
