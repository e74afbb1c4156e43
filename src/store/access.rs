//! Loads what a caller holds: the permissions of their connectors' roles in one organization.

use super::Sql;

use super::Conn;
use crate::domain::model::PartnerRole;
use crate::domain::{Access, MembershipId, OrganizationId, OutletId, Permission, Scope, UserId};

/// The access a membership's connectors grant at `now` (a dated connector only inside its
/// window; a group's connector at each outlet in the group now, none when it is empty), in
/// one query through the connectors' and the group outlets' keys.
pub async fn of_membership(
    conn: &mut Conn,
    membership: MembershipId,
    now: time::OffsetDateTime,
) -> sqlx::Result<Access> {
    let grants: Vec<(Option<OutletId>, Option<Permission>)> = on!(conn, |c| sqlx::query_as(
        "SELECT coalesce(c.outlet_id, g.outlet_id), p.permission FROM user_connectors c
         LEFT JOIN outlet_group_outlets g ON g.group_id = c.outlet_group_id
         LEFT JOIN role_permissions p ON p.role_id = c.role_id
         LEFT JOIN outlets o ON o.id = coalesce(c.outlet_id, g.outlet_id)
         WHERE c.membership_id = $1 AND o.archived_at IS NULL
           AND (c.outlet_group_id IS NULL OR g.outlet_id IS NOT NULL)
           AND (c.starts_at IS NULL OR c.starts_at <= $2)
           AND (c.ends_at IS NULL OR c.ends_at > $2)",
    )
    .bind(membership)
    .bind(super::format_timestamp(now))
    .fetch_all(c)
    .await)?;
    Ok(Access::from_grants(grants))
}

/// The partner roles of a membership's roles.
pub async fn partner_roles_of(
    conn: &mut Conn,
    membership: MembershipId,
) -> sqlx::Result<Vec<PartnerRole>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT DISTINCT r.partner_role FROM user_connectors c JOIN roles r ON r.id = c.role_id
         WHERE c.membership_id = $1",
    )
    .bind(membership)
    .fetch_all(c)
    .await)
}

/// The ids of the organization's outlets inside `scope`.
pub async fn outlet_ids(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
) -> sqlx::Result<Vec<OutletId>> {
    let mut query = Sql::new("SELECT id FROM outlets WHERE organization_id = ");
    query.push_bind(organization);
    super::push_outlet_scope(&mut query, "id", scope);
    query.push(" ORDER BY id");
    query.scalars(conn).await
}

/// Each grant of a person in each of their active organizations at `now`: (organization,
/// role, outlet or outlet group name, `None` for the whole organization).
pub async fn grants_of_account(
    conn: &mut Conn,
    user: UserId,
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<(OrganizationId, String, Option<String>)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT m.organization_id, r.name, coalesce(o.name, g.name) FROM memberships m
         JOIN user_connectors c ON c.membership_id = m.id
         JOIN roles r ON r.id = c.role_id
         LEFT JOIN outlets o ON o.id = c.outlet_id
         LEFT JOIN outlet_groups g ON g.id = c.outlet_group_id
         WHERE m.user_id = $1 AND m.status = 'active'
           AND (c.starts_at IS NULL OR c.starts_at <= $2)
           AND (c.ends_at IS NULL OR c.ends_at > $2)
         ORDER BY lower(r.name), lower(o.name)",
    )
    .bind(user)
    .bind(super::format_timestamp(now))
    .fetch_all(c)
    .await)
}

/// Active people of the organization who hold every one of `all` permissions across it
/// through their library roles together (the Owner role, or roles that add up to it; not an
/// integration's role, of partner role `api`), for good: a dated grant (a borrow, a transfer's
/// end) does not count.
pub async fn owners(conn: &mut Conn, organization: OrganizationId, all: i64) -> sqlx::Result<i64> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM (
             SELECT c.membership_id FROM user_connectors c
             JOIN memberships m ON m.id = c.membership_id
             JOIN roles r ON r.id = c.role_id
             JOIN role_permissions p ON p.role_id = c.role_id
             WHERE c.organization_id = $1 AND c.type = 'L' AND m.status = 'active'
               AND c.starts_at IS NULL AND c.ends_at IS NULL AND r.partner_role <> 'api'
             GROUP BY c.membership_id
             HAVING COUNT(DISTINCT p.permission) = $2) AS holders",
    )
    .bind(organization)
    .bind(all)
    .fetch_one(c)
    .await)
}
