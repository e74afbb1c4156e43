//! The mail queue: a message is queued in the transaction that causes it, and delivered
//! after that transaction commits (never for a change that was rolled back).

use uuid::Uuid;

use super::{Conn, now};

/// A message waiting to be delivered.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

pub async fn queue(
    conn: &mut Conn,
    recipient: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<Uuid> {
    let id = Uuid::now_v7();
    on!(conn, |c| {
        sqlx::query(
        "INSERT INTO mail_queue (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now())
    .execute(c)
    .await.map(|done| done.rows_affected())
    })?;
    Ok(id)
}

/// Undelivered messages: those given, or (with `None`) every one that has waited since
/// `queued_before` and has been tried fewer than `max_attempts` times.
pub async fn undelivered(
    conn: &mut Conn,
    ids: Option<&[Uuid]>,
    queued_before: &str,
    max_attempts: i64,
) -> sqlx::Result<Vec<QueuedMail>> {
    let mut query = super::Sql::new(
        "SELECT id, recipient, subject, body FROM mail_queue WHERE sent_at IS NULL AND ",
    );
    match ids {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => super::push_in(&mut query, "id", ids),
        None => {
            query
                .push("created_at < ")
                .push_bind(queued_before.to_string())
                .push(" AND attempts < ")
                .push_bind(max_attempts);
        }
    }
    query.push(" ORDER BY id");
    query.fetch_all(conn).await
}

/// Records a delivery attempt: sent, or the error.
pub async fn mark(conn: &mut Conn, id: Uuid, error: Option<&str>) -> sqlx::Result<()> {
    on!(conn, |c| sqlx::query(
        "UPDATE mail_queue SET attempts = attempts + 1,
            sent_at = CASE WHEN $2 IS NULL THEN $3 END, last_error = $2
         WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(now())
    .execute(c)
    .await
    .map(|done| done.rows_affected()))?;
    Ok(())
}
