//! The facts behind the API User Permissions setting, for one membership.

use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::domain::policy::ApiManagement;

#[derive(sqlx::FromRow)]
struct Facts {
    managed_by: String,
    brand: Option<String>,
    brand_allows: Option<bool>,
    kind: String,
    unbranded_allowed: bool,
}

pub async fn api_management(
    conn: &mut SqliteConnection,
    membership_id: Uuid,
) -> sqlx::Result<Option<ApiManagement>> {
    let facts: Option<Facts> = sqlx::query_as(
        "SELECT m.managed_by, b.name AS brand, b.console_edits_api_users AS brand_allows, o.kind,
                o.console_edits_unbranded_api_users AS unbranded_allowed
         FROM memberships m
         JOIN organizations o ON o.id = m.organization_id
         LEFT JOIN brands b ON b.id = m.managed_by_brand_id
         WHERE m.id = ?1",
    )
    .bind(membership_id)
    .fetch_optional(conn)
    .await?;
    Ok(facts.map(|facts| ApiManagement {
        managed_by_api: facts.managed_by == "api",
        brand: facts
            .brand
            .map(|name| (name, facts.brand_allows.unwrap_or(true))),
        organization_is_franchisee: facts.kind == "franchisee",
        unbranded_console_edits: facts.unbranded_allowed,
    }))
}
