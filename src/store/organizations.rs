//! Organizations and what a new one starts with; the one-time setup link of an empty install.

use super::{Conn, now};
use crate::domain::me::{BrandEntry, OrganizationSettings};
use crate::domain::model::BrandRef;
use crate::domain::model::{ConnectorType, OrganizationKind, PartnerRole};
use crate::domain::organization::{Slug, TimeZoneName};
use crate::domain::{BrandId, OrganizationId, Permission, PersonName, ReportRoleId, RoleId};

/// Whether any organization exists (an install that has been set up).
pub async fn any(conn: &mut Conn) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM organizations)"
    )
    .fetch_one(c)
    .await)
}

pub async fn slug_taken(conn: &mut Conn, slug: &Slug) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE lower(slug) = lower($1))"
    )
    .bind(slug.as_str())
    .fetch_one(c)
    .await)
}

pub async fn insert(
    conn: &mut Conn,
    name: &PersonName,
    slug: &Slug,
    kind: OrganizationKind,
    time_zone: &TimeZoneName,
) -> sqlx::Result<OrganizationId> {
    let id = OrganizationId::generate();
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO organizations (id, slug, name, kind, time_zone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(slug.as_str())
    .bind(name.as_str())
    .bind(kind)
    .bind(time_zone.as_str())
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// A role of the organization with these permissions.
pub async fn insert_role(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
    role_type: ConnectorType,
    partner_role: PartnerRole,
    permissions: &[Permission],
    brand: Option<BrandId>,
) -> sqlx::Result<RoleId> {
    let id = RoleId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO roles (id, organization_id, brand_id, name, type, partner_role, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(organization)
    .bind(brand)
    .bind(name)
    .bind(role_type)
    .bind(partner_role)
    .bind(now())
    .execute(c)
    .await
    })?;
    set_role_permissions(conn, id, permissions).await?;
    Ok(id)
}

/// Makes a role's permissions exactly these.
pub async fn set_role_permissions(
    conn: &mut Conn,
    role: RoleId,
    permissions: &[Permission],
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM role_permissions WHERE role_id = $1"
    )
    .bind(role)
    .execute(c)
    .await)?;
    for permission in permissions {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO role_permissions (role_id, permission) VALUES ($1, $2)"
        )
        .bind(role)
        .bind(*permission)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// Renames a role and/or changes its partner role (`None` keeps one).
pub async fn update_role(
    conn: &mut Conn,
    role: RoleId,
    name: Option<&str>,
    partner_role: Option<PartnerRole>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE roles SET name = coalesce($2, name), partner_role = coalesce($3, partner_role),
         updated_at = $4 WHERE id = $1",
    )
    .bind(role)
    .bind(name)
    .bind(partner_role)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// The organization that defines a role, with its name.
pub async fn role_definer(
    conn: &mut Conn,
    role: RoleId,
) -> sqlx::Result<Option<(OrganizationId, String)>> {
    on!(conn, |c| {
        sqlx::query_as(
        "SELECT o.id, o.name FROM roles r JOIN organizations o ON o.id = r.organization_id WHERE r.id = $1",
    )
    .bind(role)
    .fetch_optional(c)
    .await
    })
}

/// How many connectors and API clients (not revoked) use a role.
pub async fn role_usage(conn: &mut Conn, role: RoleId) -> sqlx::Result<(i64, i64)> {
    on!(conn, |c| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM user_connectors WHERE role_id = $1),
                (SELECT COUNT(*) FROM api_tokens WHERE role_id = $1)",
    )
    .bind(role)
    .fetch_one(c)
    .await)
}

pub async fn delete_role(conn: &mut Conn, role: RoleId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query("DELETE FROM roles WHERE id = $1")
        .bind(role)
        .execute(c)
        .await)?;
    Ok(())
}

/// A new report role of the organization.
pub async fn insert_report_role(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
) -> sqlx::Result<ReportRoleId> {
    let id = ReportRoleId::generate();
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO report_roles (id, organization_id, name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(organization)
    .bind(name)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// Renames a report role of the organization; `false` when it has no such report role.
pub async fn rename_report_role(
    conn: &mut Conn,
    organization: OrganizationId,
    id: ReportRoleId,
    name: &str,
) -> sqlx::Result<bool> {
    let done = on!(execute conn, |c| {
        sqlx::query(
        "UPDATE report_roles SET name = $3, updated_at = $4 WHERE id = $1 AND organization_id = $2",
    )
    .bind(id)
    .bind(organization)
    .bind(name)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(done == 1)
}

/// How many people hold a report role of the organization; `None` when it has no such role.
pub async fn report_role_usage(
    conn: &mut Conn,
    organization: OrganizationId,
    id: ReportRoleId,
) -> sqlx::Result<Option<i64>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM membership_report_roles WHERE report_role_id = r.id)
         FROM report_roles r WHERE r.id = $1 AND r.organization_id = $2",
    )
    .bind(id)
    .bind(organization)
    .fetch_optional(c)
    .await)
}

pub async fn delete_report_role(conn: &mut Conn, id: ReportRoleId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM report_roles WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Stores a new setup link (by hash), replacing any that was not used.
pub async fn replace_setup_token(conn: &mut Conn, token_hash: &str) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM setup_tokens WHERE used_at IS NULL"
    )
    .execute(c)
    .await)?;
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)"
    )
    .bind(token_hash)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Whether a setup link is unused.
pub async fn setup_token_usable(conn: &mut Conn, token_hash: &str) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL)",
    )
    .bind(token_hash)
    .fetch_one(c)
    .await)
}

/// Uses up a setup link; `false` when it was not usable.
pub async fn use_setup_token(conn: &mut Conn, token_hash: &str) -> sqlx::Result<bool> {
    let done = on!(execute conn, |c| sqlx::query(
        "UPDATE setup_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
    )
    .bind(token_hash)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(done == 1)
}

/// The organization's settings.
pub async fn settings(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Option<OrganizationSettings>> {
    let row: Option<(String, String, OrganizationKind, String)> = on!(conn, |c| sqlx::query_as(
        "SELECT name, slug, kind, time_zone FROM organizations WHERE id = $1"
    )
    .bind(organization)
    .fetch_optional(c)
    .await)?;
    Ok(
        row.map(|(name, slug, kind, time_zone)| OrganizationSettings {
            name,
            slug,
            kind,
            time_zone,
        }),
    )
}

/// Sets the organization's name and default time zone (the slug never changes).
pub async fn update_settings(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &PersonName,
    time_zone: &TimeZoneName,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE organizations SET name = $2, time_zone = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(organization)
    .bind(name.as_str())
    .bind(time_zone.as_str())
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// The brands an organization owns, then those it runs outlets under, with their owner.
pub async fn brands_of(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<BrandEntry>> {
    let rows: Vec<(BrandId, String, OrganizationId, String)> = on!(conn, |c| {
        sqlx::query_as(
        "SELECT b.id, b.name, o.id, o.name FROM brands b JOIN organizations o ON o.id = b.owner_organization_id
         WHERE b.owner_organization_id = $1
            OR b.id IN (SELECT brand_id FROM franchisee_brands WHERE organization_id = $1)
         ORDER BY b.owner_organization_id <> $1, lower(b.name)",
    )
    .bind(organization)
    .fetch_all(c)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, name, owner, owner_name)| BrandEntry {
            brand: BrandRef { id, name },
            managed_by: (owner != organization).then_some(owner_name),
        })
        .collect())
}

pub async fn insert_brand(
    conn: &mut Conn,
    owner: OrganizationId,
    name: &str,
) -> sqlx::Result<BrandId> {
    let id = BrandId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO brands (id, owner_organization_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(owner)
    .bind(name)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Renames a brand the organization owns; `false` when it owns no such brand.
pub async fn rename_brand(
    conn: &mut Conn,
    owner: OrganizationId,
    brand: BrandId,
    name: &str,
) -> sqlx::Result<bool> {
    let done = on!(execute conn, |c| {
        sqlx::query(
        "UPDATE brands SET name = $3, updated_at = $4 WHERE id = $1 AND owner_organization_id = $2",
    )
    .bind(brand)
    .bind(owner)
    .bind(name)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(done == 1)
}

/// Links a franchisee organization to a brand.
pub async fn link_franchisee(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO franchisee_brands (organization_id, brand_id) VALUES ($1, $2)"
    )
    .bind(organization)
    .bind(brand)
    .execute(c)
    .await)?;
    Ok(())
}
