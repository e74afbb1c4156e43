//! The facts behind the API User Permissions setting, per membership.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use std::collections::HashMap;
use uuid::Uuid;

use crate::domain::policy::ApiManagement;

const FACTS: &str = "SELECT m.id AS membership_id, m.managed_by, b.name AS brand,
        b.console_edits_api_users AS brand_allows, o.kind,
        o.console_edits_unbranded_api_users AS unbranded_allowed
    FROM memberships m
    JOIN organizations o ON o.id = m.organization_id
    LEFT JOIN brands b ON b.id = m.managed_by_brand_id
    WHERE m.id";

#[derive(sqlx::FromRow)]
struct Facts {
    membership_id: Uuid,
    managed_by: String,
    brand: Option<String>,
    brand_allows: Option<bool>,
    kind: String,
    unbranded_allowed: bool,
}

impl From<Facts> for ApiManagement {
    fn from(facts: Facts) -> Self {
        ApiManagement {
            managed_by_api: facts.managed_by == "api",
            brand: facts
                .brand
                .map(|name| (name, facts.brand_allows.unwrap_or(true))),
            organization_is_franchisee: facts.kind == "franchisee",
            unbranded_console_edits: facts.unbranded_allowed,
        }
    }
}

/// The facts for one membership.
pub async fn api_management(
    conn: &mut SqliteConnection,
    membership_id: Uuid,
) -> sqlx::Result<Option<ApiManagement>> {
    Ok(api_management_of(conn, &[membership_id])
        .await?
        .remove(&membership_id))
}

/// The facts for several memberships at once (one page of a table), by membership id.
pub async fn api_management_of(
    conn: &mut SqliteConnection,
    membership_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, ApiManagement>> {
    if membership_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(format!("{FACTS} IN ("));
    let mut ids = query.separated(", ");
    for id in membership_ids {
        ids.push_bind(*id);
    }
    query.push(")");
    let rows: Vec<Facts> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|facts| (facts.membership_id, ApiManagement::from(facts)))
        .collect())
}
