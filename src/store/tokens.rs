//! Secrets stored only as SHA-256 hashes: API tokens and one-time verification links.

use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::{new_id, now};

/// An active API token's grant.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenGrant {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub role_id: Uuid,
    pub outlet_id: Option<Uuid>,
    pub last_used_at: Option<String>,
}

pub async fn insert_api_token(
    conn: &mut SqliteConnection,
    organization_id: Uuid,
    role_id: Uuid,
    outlet_id: Option<Uuid>,
    name: &str,
    token_hash: &str,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, organization_id, role_id, outlet_id, name, token_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(id)
    .bind(organization_id)
    .bind(role_id)
    .bind(outlet_id)
    .bind(name)
    .bind(token_hash)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(id)
}

/// The grant of a token that exists and is not revoked.
pub async fn active_api_token(
    pool: &SqlitePool,
    token_hash: &str,
) -> sqlx::Result<Option<ApiTokenGrant>> {
    sqlx::query_as(
        "SELECT id, organization_id, role_id, outlet_id, last_used_at FROM api_tokens
         WHERE token_hash = ?1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

pub async fn mark_api_token_used(pool: &SqlitePool, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1")
        .bind(id)
        .bind(now())
        .execute(pool)
        .await?;
    Ok(())
}

/// Revokes an active token; returns its organization, or `None` when there was no such
/// active token.
pub async fn revoke_api_token(conn: &mut SqliteConnection, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL
         RETURNING organization_id",
    )
    .bind(id)
    .bind(now())
    .fetch_optional(conn)
    .await
}

pub async fn insert_verification(
    conn: &mut SqliteConnection,
    user_id: Uuid,
    token_hash: &str,
    expires_at: &str,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO verification_tokens (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now())
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// The account and email of an unused, unexpired verification link.
pub async fn usable_verification(
    conn: &mut SqliteConnection,
    token_hash: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT a.id, a.email FROM verification_tokens v JOIN user_accounts a ON a.id = v.user_id
         WHERE v.token_hash = ?1 AND v.used_at IS NULL AND v.expires_at > ?2",
    )
    .bind(token_hash)
    .bind(now())
    .fetch_optional(conn)
    .await
}

/// Sets the password and uses up every open link of the account.
pub async fn complete_verification(
    conn: &mut SqliteConnection,
    user_id: Uuid,
    password_hash: &str,
) -> sqlx::Result<()> {
    let at = now();
    sqlx::query("UPDATE user_accounts SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")
        .bind(user_id)
        .bind(password_hash)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE verification_tokens SET used_at = ?2 WHERE user_id = ?1 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(&at)
    .execute(conn)
    .await?;
    Ok(())
}

/// An API token as an administrator sees it (never the secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenListing {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub outlet: Option<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub async fn list_api_tokens(
    pool: &SqlitePool,
    organization_id: Uuid,
) -> sqlx::Result<Vec<ApiTokenListing>> {
    sqlx::query_as(
        "SELECT t.id, t.name, r.name AS role, o.number AS outlet, t.created_at, t.last_used_at, t.revoked_at
         FROM api_tokens t JOIN roles r ON r.id = t.role_id LEFT JOIN outlets o ON o.id = t.outlet_id
         WHERE t.organization_id = ?1 ORDER BY t.id",
    )
    .bind(organization_id)
    .fetch_all(pool)
    .await
}
