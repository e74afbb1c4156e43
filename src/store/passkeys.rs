//! Passkeys: each account's WebAuthn credentials, found at sign-in by credential id.

use super::Conn;
use crate::domain::{PasskeyId, UserId};

pub struct NewPasskey<'a> {
    pub id: PasskeyId,
    pub user: UserId,
    /// The credential id, base64url without padding.
    pub credential_id: &'a str,
    pub name: &'a str,
    /// webauthn-rs' `Passkey` as JSON.
    pub credential: &'a str,
    pub at: &'a str,
}

/// Keeps a new passkey: `false` when its credential id is registered already (to anyone).
pub async fn insert(conn: &mut Conn, new: NewPasskey<'_>) -> sqlx::Result<bool> {
    let inserted = on!(execute conn, |c| sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, name, credential, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(new.id)
    .bind(new.user)
    .bind(new.credential_id)
    .bind(new.name)
    .bind(new.credential)
    .bind(new.at)
    .execute(c)
    .await)?;
    Ok(inserted == 1)
}

#[derive(Debug, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// The person's passkeys, oldest first.
pub async fn of_account(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<PasskeyRow>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user)
    .fetch_all(c)
    .await)
}

/// The credential ids of the person's passkeys (base64url).
pub async fn credential_ids(conn: &mut Conn, user: UserId) -> sqlx::Result<Vec<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT credential_id FROM passkeys WHERE user_id = $1"
    )
    .bind(user)
    .fetch_all(c)
    .await)
}

/// The passkey a sign-in presents: its id and credential (JSON), when it is this person's.
pub async fn find(
    conn: &mut Conn,
    user: UserId,
    credential_id: &str,
) -> sqlx::Result<Option<(PasskeyId, String)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, credential FROM passkeys WHERE user_id = $1 AND credential_id = $2"
    )
    .bind(user)
    .bind(credential_id)
    .fetch_optional(c)
    .await)
}

/// Records a sign-in with the passkey, and its updated credential (counter) when it changed.
pub async fn used(
    conn: &mut Conn,
    id: PasskeyId,
    credential: Option<&str>,
    at: &str,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE passkeys SET last_used_at = $2, credential = COALESCE($3, credential) WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .bind(credential)
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets one of the person's passkeys: its name, or `None` when they have no such passkey.
pub async fn remove(conn: &mut Conn, user: UserId, id: PasskeyId) -> sqlx::Result<Option<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "DELETE FROM passkeys WHERE user_id = $1 AND id = $2 RETURNING name"
    )
    .bind(user)
    .bind(id)
    .fetch_optional(c)
    .await)
}
