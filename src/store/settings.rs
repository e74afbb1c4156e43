//! The facts behind the API User Permissions setting, per membership.

use sqlx::{QueryBuilder, Sqlite};
use std::collections::HashMap;

use super::{Conn, push_in};
use crate::domain::MembershipId;
use crate::domain::model::{ManagedBy, OrganizationKind};
use crate::domain::policy::ApiManagement;

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
    let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT m.id AS membership_id, m.managed_by, b.name AS brand,
            b.console_edits_api_users AS brand_allows, o.kind,
            o.console_edits_unbranded_api_users AS unbranded_allowed
        FROM memberships m
        JOIN organizations o ON o.id = m.organization_id
        LEFT JOIN brands b ON b.id = m.managed_by_brand_id
        WHERE ",
    );
    push_in(&mut query, "m.id", memberships);
    let rows: Vec<Facts> = query.build_query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|facts| (facts.membership_id, ApiManagement::from(facts)))
        .collect())
}
