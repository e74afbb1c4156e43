//! Loads what a caller holds: the permissions of their connectors' roles in one organization.

use super::Conn;
use crate::domain::{Access, MembershipId, OutletId, Permission, RoleId};

/// The access a membership's connectors grant.
pub async fn of_membership(conn: &mut Conn, membership: MembershipId) -> sqlx::Result<Access> {
    let grants: Vec<(Option<OutletId>, Option<Permission>)> = sqlx::query_as(
        "SELECT c.outlet_id, p.permission FROM user_connectors c
         LEFT JOIN role_permissions p ON p.role_id = c.role_id
         WHERE c.membership_id = ?1",
    )
    .bind(membership)
    .fetch_all(conn)
    .await?;
    Ok(Access::from_grants(grants))
}

/// The access one role grants at one place (an API client's single grant).
pub async fn of_role(
    conn: &mut Conn,
    role: RoleId,
    outlet: Option<OutletId>,
) -> sqlx::Result<Access> {
    let permissions: Vec<Permission> =
        sqlx::query_scalar("SELECT permission FROM role_permissions WHERE role_id = ?1")
            .bind(role)
            .fetch_all(conn)
            .await?;
    let reach = std::iter::once((outlet, None));
    Ok(Access::from_grants(
        reach.chain(permissions.into_iter().map(|p| (outlet, Some(p)))),
    ))
}
