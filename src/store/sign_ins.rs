//! Completed sign-ins and the console sessions they started.

use super::Conn;
use crate::domain::me::SignInMethod;
use crate::domain::{SignInId, UserId};

pub struct NewSignIn<'a> {
    pub id: SignInId,
    pub user: UserId,
    pub method: SignInMethod,
    pub client_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub at: &'a str,
}

pub async fn insert(conn: &mut Conn, new: NewSignIn<'_>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO sign_ins (id, user_id, method, client_address, user_agent, signed_in_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(new.id)
    .bind(new.user)
    .bind(new.method)
    .bind(new.client_address)
    .bind(new.user_agent)
    .bind(new.at)
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_accounts SET last_signed_in_at = $2 WHERE id = $1"
    )
    .bind(new.user)
    .bind(new.at)
    .execute(c)
    .await)?;
    Ok(())
}

/// A session's state: whether it was ended, and when it was last seen. `None`: no such
/// sign-in of this person.
pub async fn state(
    conn: &mut Conn,
    id: SignInId,
    user: UserId,
) -> sqlx::Result<Option<(bool, String)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT ended_at IS NOT NULL, last_seen_at FROM sign_ins WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user)
    .fetch_optional(c)
    .await)
}

pub async fn seen(conn: &mut Conn, id: SignInId, at: &str) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE sign_ins SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2"
    )
    .bind(id)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Ends one session of the person: `false` when they have no such session still going.
pub async fn end(conn: &mut Conn, user: UserId, id: SignInId, at: &str) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE sign_ins SET ended_at = $3 WHERE id = $1 AND user_id = $2 AND ended_at IS NULL"
    )
    .bind(id)
    .bind(user)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// Ends every session of the person but `keep`.
pub async fn end_all_but(
    conn: &mut Conn,
    user: UserId,
    keep: Option<SignInId>,
    at: &str,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE sign_ins SET ended_at = $3
         WHERE user_id = $1 AND ended_at IS NULL AND ($2 IS NULL OR id <> $2)"
    )
    .bind(user)
    .bind(keep)
    .bind(at)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct SignInRow {
    pub id: SignInId,
    pub method: SignInMethod,
    pub client_address: Option<String>,
    pub user_agent: Option<String>,
    pub signed_in_at: String,
    pub last_seen_at: String,
    pub ended: bool,
}

/// The person's latest sign-ins, newest first.
pub async fn recent(conn: &mut Conn, user: UserId, limit: i64) -> sqlx::Result<Vec<SignInRow>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, method, client_address, user_agent, signed_in_at, last_seen_at,
                ended_at IS NOT NULL AS ended
         FROM sign_ins WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(c)
    .await)
}
