//! User accounts (one per person, shared by every organization they belong to) and what
//! sign-in and the organization switcher need of their memberships.

use super::{Conn, now};
use crate::domain::model::OrganizationChoice;
use crate::domain::{Email, MembershipId, OrganizationId, PersonName, UserId, Username};

/// What sign-in needs to know about an account.
#[derive(Debug, sqlx::FromRow)]
pub struct LoginCandidate {
    pub id: UserId,
    pub email: String,
    pub password_hash: Option<String>,
    pub session_version: i64,
}

/// Finds an account by email or username, both compared case-insensitively.
pub async fn find_by_login(
    conn: &mut Conn,
    identifier: &str,
) -> sqlx::Result<Option<LoginCandidate>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, email, password_hash, session_version FROM user_accounts
         WHERE lower(email) = lower($1) OR lower(username) = lower($1) LIMIT 1",
    )
    .bind(identifier.trim())
    .fetch_optional(c)
    .await)
}

/// The account of an email address (stored lowercase, as `Email` is).
pub async fn find_by_email(conn: &mut Conn, email: &Email) -> sqlx::Result<Option<UserId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM user_accounts WHERE lower(email) = $1"
    )
    .bind(email.as_str())
    .fetch_optional(c)
    .await)
}

/// Organizations where the person has an active membership, by name, each with the id of
/// the person's membership there.
pub async fn active_organizations(
    conn: &mut Conn,
    user: UserId,
) -> sqlx::Result<Vec<(OrganizationChoice, MembershipId)>> {
    let rows: Vec<(OrganizationId, String, String, MembershipId)> = on!(conn, |c| sqlx::query_as(
        "SELECT o.id, o.name, o.slug, m.id FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         WHERE m.user_id = $1 AND m.status = 'active'
         ORDER BY lower(o.name)",
    )
    .bind(user)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, slug, membership)| (OrganizationChoice { id, name, slug }, membership))
        .collect())
}

/// The person's own view of their account.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountSummary {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub session_version: i64,
}

pub async fn summary(conn: &mut Conn, user: UserId) -> sqlx::Result<Option<AccountSummary>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, email, first_name, last_name, session_version FROM user_accounts WHERE id = $1",
    )
    .bind(user)
    .fetch_optional(c)
    .await)
}

/// An existing account, as "add user" needs it.
#[derive(Debug, sqlx::FromRow)]
pub struct ExistingAccount {
    pub id: UserId,
    pub has_password: bool,
}

/// An account by email (compared case-insensitively, as the unique index does).
pub async fn by_email(conn: &mut Conn, email: &Email) -> sqlx::Result<Option<ExistingAccount>> {
    on!(conn, |c| {
        sqlx::query_as(
        "SELECT id, password_hash IS NOT NULL AS has_password FROM user_accounts WHERE lower(email) = lower($1)",
    )
    .bind(email.as_str())
    .fetch_optional(c)
    .await
    })
}

/// Creates an account with no password (it is set through the verification link).
pub async fn insert(
    conn: &mut Conn,
    email: &Email,
    username: &Username,
    first_name: Option<&PersonName>,
    last_name: Option<&PersonName>,
) -> sqlx::Result<UserId> {
    let id = UserId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO user_accounts (id, email, username, first_name, last_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(email.as_str())
    .bind(username.as_str())
    .bind(first_name.map_or("", PersonName::as_str))
    .bind(last_name.map_or("", PersonName::as_str))
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Whether a username is taken (case-insensitively).
pub async fn username_taken(conn: &mut Conn, username: &Username) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_accounts WHERE lower(username) = lower($1))"
    )
    .bind(username.as_str())
    .fetch_one(c)
    .await)
}

/// Changes the names given (`None` keeps one).
pub async fn update_names(
    conn: &mut Conn,
    user: UserId,
    first_name: Option<&PersonName>,
    last_name: Option<&PersonName>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_accounts SET first_name = coalesce($2, first_name),
         last_name = coalesce($3, last_name), updated_at = $4 WHERE id = $1",
    )
    .bind(user)
    .bind(first_name.map(PersonName::as_str))
    .bind(last_name.map(PersonName::as_str))
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Whether the account also belongs to an organization other than `organization`, apart
/// from memberships that `organization` itself manages there: those a brand it owns
/// provisioned in its franchisees (external locations).
pub async fn belongs_elsewhere(
    conn: &mut Conn,
    user: UserId,
    organization: OrganizationId,
) -> sqlx::Result<bool> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM memberships x WHERE x.user_id = $1 AND x.organization_id <> $2
            AND (x.managed_by_brand_id IS NULL OR x.managed_by = 'console'
                 OR x.managed_by_brand_id NOT IN (SELECT id FROM brands WHERE owner_organization_id = $2)))",
    )
    .bind(user)
    .bind(organization)
    .fetch_one(c)
    .await
    })
}

/// Sets the first password of an account that has none, and ends its sessions signed in
/// under the previous version. Returns `false` when the account already has a password.
pub async fn set_first_password(
    conn: &mut Conn,
    user: UserId,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE user_accounts SET password_hash = $2, session_version = session_version + 1,
         updated_at = $3 WHERE id = $1 AND password_hash IS NULL",
    )
    .bind(user)
    .bind(password_hash)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

/// An account as its owner (or `GET /me`) sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnAccount {
    pub id: UserId,
    pub email: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub async fn own(conn: &mut Conn, user: UserId) -> sqlx::Result<Option<OwnAccount>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, email, username, first_name, last_name, password_hash, created_at, updated_at
         FROM user_accounts WHERE id = $1",
    )
    .bind(user)
    .fetch_optional(c)
    .await)
}

/// Sets a new password and ends every session signed in under the previous version; returns
/// the new version (the session that changed it carries on under it).
pub async fn set_password(conn: &mut Conn, user: UserId, password_hash: &str) -> sqlx::Result<i64> {
    on!(conn, |c| sqlx::query_scalar(
        "UPDATE user_accounts SET password_hash = $2, session_version = session_version + 1,
         updated_at = $3 WHERE id = $1 RETURNING session_version",
    )
    .bind(user)
    .bind(password_hash)
    .bind(now())
    .fetch_one(c)
    .await)
}

/// Ends every session of the account; returns the new version.
pub async fn bump_session_version(conn: &mut Conn, user: UserId) -> sqlx::Result<i64> {
    on!(conn, |c| sqlx::query_scalar(
        "UPDATE user_accounts SET session_version = session_version + 1 WHERE id = $1
         RETURNING session_version",
    )
    .bind(user)
    .fetch_one(c)
    .await)
}
