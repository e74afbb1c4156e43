//! Loads what a caller holds: the permissions of their connectors' roles in one organization.

use sqlx::SqlitePool;
use uuid::Uuid;

use crate::domain::{Access, Permission};

/// The access a membership's connectors grant.
pub async fn access_of_membership(pool: &SqlitePool, membership_id: Uuid) -> sqlx::Result<Access> {
    let grants: Vec<(Option<Uuid>, Option<String>)> = sqlx::query_as(
        "SELECT c.outlet_id, p.permission FROM user_connectors c
         LEFT JOIN role_permissions p ON p.role_id = c.role_id
         WHERE c.membership_id = ?1",
    )
    .bind(membership_id)
    .fetch_all(pool)
    .await?;
    Ok(access_from_rows(grants))
}

/// The access one role grants at one place (an API client's single grant).
pub async fn access_of_role(
    pool: &SqlitePool,
    role_id: Uuid,
    outlet: Option<Uuid>,
) -> sqlx::Result<Access> {
    let permissions: Vec<String> =
        sqlx::query_scalar("SELECT permission FROM role_permissions WHERE role_id = ?1")
            .bind(role_id)
            .fetch_all(pool)
            .await?;
    let mut grants: Vec<(Option<Uuid>, Option<String>)> = vec![(outlet, None)];
    grants.extend(permissions.into_iter().map(|p| (outlet, Some(p))));
    Ok(access_from_rows(grants))
}

fn access_from_rows(rows: Vec<(Option<Uuid>, Option<String>)>) -> Access {
    // A permission code this build does not know grants nothing (but the connector still gives reach).
    Access::from_grants(
        rows.into_iter()
            .map(|(outlet, code)| (outlet, code.as_deref().and_then(Permission::from_code))),
    )
}
