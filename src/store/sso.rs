//! Single sign-on: organizations' OpenID Connect connections, their claimed email domains, and
//! the identities linked to accounts.

use super::{Conn, now};
use crate::domain::{OrganizationId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Connection {
    pub organization_id: OrganizationId,
    pub issuer: String,
    pub client_id: String,
    pub sealed_client_secret: String,
    pub display_name: String,
    pub require_sso: bool,
}

pub async fn connection(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Option<Connection>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT organization_id, issuer, client_id, sealed_client_secret, display_name, require_sso
         FROM sso_connections WHERE organization_id = $1",
    )
    .bind(organization)
    .fetch_optional(c)
    .await)
}

/// The connection that claimed `domain`, if any.
pub async fn connection_of_domain(
    conn: &mut Conn,
    domain: &str,
) -> sqlx::Result<Option<Connection>> {
    on!(conn, |c| {
        sqlx::query_as(
        "SELECT c.organization_id, c.issuer, c.client_id, c.sealed_client_secret, c.display_name, c.require_sso
         FROM sso_domains d JOIN sso_connections c ON c.organization_id = d.organization_id
         WHERE d.domain = $1",
    )
    .bind(domain)
    .fetch_optional(c)
    .await
    })
}

pub struct NewConnection<'a> {
    pub organization: OrganizationId,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub sealed_client_secret: &'a str,
    pub display_name: &'a str,
}

/// Creates or replaces the organization's connection (its requirement stays as it was).
pub async fn save(conn: &mut Conn, new: NewConnection<'_>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO sso_connections
             (organization_id, issuer, client_id, sealed_client_secret, display_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (organization_id) DO UPDATE SET
             issuer = excluded.issuer, client_id = excluded.client_id,
             sealed_client_secret = excluded.sealed_client_secret,
             display_name = excluded.display_name, updated_at = excluded.updated_at",
    )
    .bind(new.organization)
    .bind(new.issuer)
    .bind(new.client_id)
    .bind(new.sealed_client_secret)
    .bind(new.display_name)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets the connection and its domains: `false` when there was none.
pub async fn remove(conn: &mut Conn, organization: OrganizationId) -> sqlx::Result<bool> {
    on!(execute conn, |c| sqlx::query("DELETE FROM sso_domains WHERE organization_id = $1")
        .bind(organization)
        .execute(c)
        .await)?;
    let removed = on!(execute conn, |c| sqlx::query(
        "DELETE FROM sso_connections WHERE organization_id = $1"
    )
    .bind(organization)
    .execute(c)
    .await)?;
    Ok(removed == 1)
}

pub async fn set_required(
    conn: &mut Conn,
    organization: OrganizationId,
    required: bool,
) -> sqlx::Result<bool> {
    let changed = on!(execute conn, |c| sqlx::query(
        "UPDATE sso_connections SET require_sso = $2, updated_at = $3 WHERE organization_id = $1"
    )
    .bind(organization)
    .bind(required)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(changed == 1)
}

pub async fn domains(conn: &mut Conn, organization: OrganizationId) -> sqlx::Result<Vec<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT domain FROM sso_domains WHERE organization_id = $1 ORDER BY domain"
    )
    .bind(organization)
    .fetch_all(c)
    .await)
}

/// Claims `domain` for the organization: `false` when another organization holds it.
pub async fn claim_domain(
    conn: &mut Conn,
    organization: OrganizationId,
    domain: &str,
) -> sqlx::Result<bool> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO sso_domains (domain, organization_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (domain) DO NOTHING"
    )
    .bind(domain)
    .bind(organization)
    .bind(now())
    .execute(c)
    .await)?;
    let holder: Option<OrganizationId> = on!(conn, |c| sqlx::query_scalar(
        "SELECT organization_id FROM sso_domains WHERE domain = $1"
    )
    .bind(domain)
    .fetch_optional(c)
    .await)?;
    Ok(holder == Some(organization))
}

/// The account an identity (issuer, subject) is linked to.
pub async fn linked_account(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
) -> sqlx::Result<Option<UserId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT user_id FROM sso_links WHERE issuer = $1 AND subject = $2"
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(c)
    .await)
}

pub async fn link(conn: &mut Conn, issuer: &str, subject: &str, user: UserId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO sso_links (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (issuer, subject) DO NOTHING"
    )
    .bind(issuer)
    .bind(subject)
    .bind(user)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}
