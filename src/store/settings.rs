//! The facts behind the API User Permissions setting, for one membership.

use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::domain::policy::ApiManagement;

pub async fn api_management(
    conn: &mut SqliteConnection,
    membership_id: Uuid,
) -> sqlx::Result<Option<ApiManagement>> {
    let row: Option<(String, Option<String>, Option<bool>, String, bool)> = sqlx::query_as(
        "SELECT m.managed_by, b.name, b.console_edits_api_users, o.kind, o.console_edits_unbranded_api_users
         FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         LEFT JOIN brands b ON b.id = m.managed_by_brand_id
         WHERE m.id = ?1",
    )
    .bind(membership_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(
        |(managed_by, brand, brand_allows, kind, unbranded)| ApiManagement {
            managed_by_api: managed_by == "api",
            brand: brand.map(|name| (name, brand_allows.unwrap_or(true))),
            organization_is_franchisee: kind == "franchisee",
            unbranded_console_edits: unbranded,
        },
    ))
}
