//! Loads what a caller holds: the permissions of their connectors' roles in one organization.

use sqlx::SqlitePool;
use uuid::Uuid;

use crate::domain::{Access, Permission};

/// The active membership of `user_id` in `organization_id`, if any.
pub async fn active_membership(
    pool: &SqlitePool,
    user_id: Uuid,
    organization_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM memberships WHERE user_id = ?1 AND organization_id = ?2 AND status = 'active'",
    )
    .bind(user_id)
    .bind(organization_id)
    .fetch_optional(pool)
    .await
}

/// The access a membership's connectors grant.
pub async fn access_of_membership(pool: &SqlitePool, membership_id: Uuid) -> sqlx::Result<Access> {
    let grants: Vec<(Option<Uuid>, String)> = sqlx::query_as(
        "SELECT c.outlet_id, p.permission FROM user_connectors c
         JOIN role_permissions p ON p.role_id = c.role_id
         WHERE c.membership_id = ?1",
    )
    .bind(membership_id)
    .fetch_all(pool)
    .await?;
    Ok(Access::from_grants(grants.into_iter().filter_map(
        // A permission code this build does not know grants nothing.
        |(outlet, code)| Permission::from_code(&code).map(|p| (outlet, p)),
    )))
}
