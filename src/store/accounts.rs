//! User accounts and their memberships, as sign-in and the organization switcher need them.

use sqlx::SqlitePool;
use uuid::Uuid;

use crate::domain::model::OrganizationChoice;

/// What sign-in needs to know about an account.
#[derive(Debug, sqlx::FromRow)]
pub struct LoginCandidate {
    pub id: Uuid,
    pub password_hash: Option<String>,
}

/// Finds an account by email or username, both compared case-insensitively.
pub async fn find_by_login(
    pool: &SqlitePool,
    identifier: &str,
) -> sqlx::Result<Option<LoginCandidate>> {
    sqlx::query_as(
        "SELECT id, password_hash FROM user_accounts WHERE email = ?1 OR username = ?1 LIMIT 1",
    )
    .bind(identifier.trim())
    .fetch_optional(pool)
    .await
}

/// Organizations where the person has an active membership, by name.
/// Each with the id of the person's membership there.
pub async fn active_organizations(
    pool: &SqlitePool,
    user_id: Uuid,
) -> sqlx::Result<Vec<(OrganizationChoice, Uuid)>> {
    let rows: Vec<(Uuid, String, String, Uuid)> = sqlx::query_as(
        "SELECT o.id, o.name, o.slug, m.id FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = ?1 AND m.status = 'active'
         ORDER BY o.name COLLATE NOCASE",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, slug, membership)| (OrganizationChoice { id, name, slug }, membership))
        .collect())
}

#[derive(Debug, sqlx::FromRow)]
pub struct AccountSummary {
    pub id: Uuid,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

pub async fn summary(pool: &SqlitePool, user_id: Uuid) -> sqlx::Result<Option<AccountSummary>> {
    sqlx::query_as("SELECT id, email, first_name, last_name FROM user_accounts WHERE id = ?1")
        .bind(user_id)
        .fetch_optional(pool)
        .await
}
