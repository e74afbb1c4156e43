//! The facts behind the API User Permissions setting, per membership.

use super::Sql;
use std::collections::HashMap;

use super::{Conn, push_in};
use crate::domain::model::{ManagedBy, OrganizationKind};
use crate::domain::policy::ApiManagement;
use crate::domain::{BrandId, MembershipId, OrganizationId};

#[derive(sqlx::FromRow)]
struct Facts {
    membership_id: MembershipId,
    managed_by: ManagedBy,
    brand: Option<String>,
    brand_allows: Option<bool>,
    kind: OrganizationKind,
    unbranded_allowed: bool,
}

impl From<Facts> for ApiManagement {
    fn from(facts: Facts) -> Self {
        ApiManagement {
            managed_externally: facts.managed_by.is_external(),
            brand: facts
                .brand
                .map(|name| (name, facts.brand_allows.unwrap_or(true))),
            organization_is_franchisee: facts.kind == OrganizationKind::Franchisee,
            unbranded_console_edits: facts.unbranded_allowed,
        }
    }
}

/// The facts for one membership.
pub async fn api_management(
    conn: &mut Conn,
    membership: MembershipId,
) -> sqlx::Result<Option<ApiManagement>> {
    Ok(api_management_of(conn, &[membership])
        .await?
        .remove(&membership))
}

/// The facts for several memberships at once (one page of a table), by membership id.
pub async fn api_management_of(
    conn: &mut Conn,
    memberships: &[MembershipId],
) -> sqlx::Result<HashMap<MembershipId, ApiManagement>> {
    if memberships.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query: Sql = Sql::new(
        "SELECT m.id AS membership_id, m.managed_by, b.name AS brand,
            b.console_edits_api_users AS brand_allows, o.kind,
            o.console_edits_unbranded_api_users AS unbranded_allowed
        FROM memberships m
        JOIN organizations o ON o.id = m.organization_id
        LEFT JOIN brands b ON b.id = m.managed_by_brand_id
        WHERE ",
    );
    push_in(&mut query, "m.id", memberships);
    let rows: Vec<Facts> = query.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|facts| (facts.membership_id, ApiManagement::from(facts)))
        .collect())
}

/// One "Allow editing of API-managed users" toggle as stored: a brand's (`brand_id` set) or
/// the organization's own for people of no brand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToggleRow {
    pub brand_id: Option<BrandId>,
    pub brand_name: Option<String>,
    /// The organization that owns the toggle.
    pub owner_id: OrganizationId,
    pub owner_name: String,
    pub allowed: bool,
    /// The organization's externally managed people it governs.
    pub people: i64,
}

/// The toggles that govern the organization's people: its own for people of no brand, one per
/// brand it owns, and one per brand it runs outlets under (owned by another organization).
// `IN ('api', 'scim')`: the externally managed (`ManagedBy::is_external`), spelled so that the
// `memberships_org_managed` index answers the counts.
pub async fn toggles(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<ToggleRow>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT brand_id, brand_name, owner_id, owner_name, allowed, people FROM (
         SELECT NULL AS brand_id, NULL AS brand_name, o.id AS owner_id, o.name AS owner_name,
            o.console_edits_unbranded_api_users AS allowed,
            (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id
               AND m.managed_by IN ('api', 'scim') AND m.managed_by_brand_id IS NULL) AS people,
            0 AS position
         FROM organizations o WHERE o.id = $1
         UNION ALL
         SELECT b.id, b.name, owner.id, owner.name, b.console_edits_api_users,
            (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = $1
               AND m.managed_by IN ('api', 'scim') AND m.managed_by_brand_id = b.id),
            1
         FROM brands b JOIN organizations owner ON owner.id = b.owner_organization_id
         WHERE b.owner_organization_id = $1
            OR b.id IN (SELECT brand_id FROM franchisee_brands WHERE organization_id = $1)
         ) AS toggles ORDER BY position, lower(brand_name)",
    )
    .bind(organization)
    .fetch_all(c)
    .await)
}

/// Switches a brand's toggle.
pub async fn set_brand_toggle(conn: &mut Conn, brand: BrandId, allowed: bool) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE brands SET console_edits_api_users = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(brand)
    .bind(allowed)
    .bind(super::now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Switches the organization's toggle for API-managed people of no brand.
pub async fn set_unbranded_toggle(
    conn: &mut Conn,
    organization: OrganizationId,
    allowed: bool,
) -> sqlx::Result<()> {
    on!(execute conn, |c| {
        sqlx::query(
        "UPDATE organizations SET console_edits_unbranded_api_users = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(organization)
    .bind(allowed)
    .bind(super::now())
    .execute(c)
    .await
    })?;
    Ok(())
}
