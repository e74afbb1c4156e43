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
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO mail_queue (id, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(recipient)
    .bind(subject)
    .bind(body)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Claims undelivered messages until `until`: those given, or (with `None`) every one that
/// has waited since `queued_before` and has been tried fewer than `max_attempts` times; never
/// one another server holds. Run in a write transaction: a message is claimed once.
pub async fn claim(
    conn: &mut Conn,
    ids: Option<&[Uuid]>,
    queued_before: &str,
    max_attempts: i64,
    until: &str,
) -> sqlx::Result<Vec<QueuedMail>> {
    let at = now();
    let mut query = super::Sql::new("UPDATE mail_queue SET claimed_until = ");
    query
        .push_bind(until)
        .push(" WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < ")
        .push_bind(at)
        .push(") AND ");
    match ids {
        Some([]) => return Ok(Vec::new()),
        Some(ids) => super::push_in(&mut query, "id", ids),
        None => {
            query
                .push("created_at < ")
                .push_bind(queued_before)
                .push(" AND attempts < ")
                .push_bind(max_attempts);
        }
    }
    query.push(" RETURNING id, recipient, subject, body");
    let mut claimed: Vec<QueuedMail> = query.fetch_all(conn).await?;
    claimed.sort_by_key(|mail| mail.id);
    Ok(claimed)
}

/// Records a delivery attempt: sent, or the error.
pub async fn mark(conn: &mut Conn, id: Uuid, error: Option<&str>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE mail_queue SET attempts = attempts + 1,
            sent_at = CASE WHEN $2 IS NULL THEN $3 END, last_error = $2, claimed_until = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}
