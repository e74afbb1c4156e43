//! Roles and outlets of an organization. A franchisee also sees the brand roles its linked
//! brands' owner defines (read-only there).

use sqlx::{QueryBuilder, Sqlite, SqliteExecutor, SqlitePool};
use std::collections::HashMap;
use uuid::Uuid;

use super::push_outlet_scope;
use crate::domain::model::{BrandRef, ConnectorType, Outlet, PartnerRole, Role};
use crate::domain::{Permission, Scope};

/// Roles usable in the organization: its own, plus brand roles of brands it is linked to.
const AVAILABLE_ROLES: &str = "
    SELECT r.id, r.name, r.type, r.partner_role, b.id AS brand_id, b.name AS brand_name
    FROM roles r LEFT JOIN brands b ON b.id = r.brand_id
    WHERE (r.organization_id = ?1
           OR r.brand_id IN (SELECT brand_id FROM franchisee_brands WHERE organization_id = ?1))";

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: Uuid,
    name: String,
    #[sqlx(rename = "type")]
    role_type: String,
    partner_role: String,
    brand_id: Option<Uuid>,
    brand_name: Option<String>,
}

async fn with_permissions(pool: &SqlitePool, rows: Vec<RoleRow>) -> sqlx::Result<Vec<Role>> {
    let mut permissions: HashMap<Uuid, Vec<Permission>> = HashMap::new();
    if !rows.is_empty() {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT role_id, permission FROM role_permissions WHERE role_id IN (",
        );
        let mut list = query.separated(", ");
        for row in &rows {
            list.push_bind(row.id);
        }
        list.push_unseparated(")");
        let pairs: Vec<(Uuid, String)> = query.build_query_as().fetch_all(pool).await?;
        for (role, code) in pairs {
            if let Some(permission) = Permission::from_code(&code) {
                permissions.entry(role).or_default().push(permission);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut held = permissions.remove(&row.id).unwrap_or_default();
            held.sort();
            Role {
                id: row.id,
                name: row.name,
                role_type: ConnectorType::parse(&row.role_type).unwrap_or(ConnectorType::Outlet),
                partner_role: PartnerRole::parse(&row.partner_role).unwrap_or(PartnerRole::Viewer),
                permissions: held,
                brand: row
                    .brand_id
                    .zip(row.brand_name)
                    .map(|(id, name)| BrandRef { id, name }),
            }
        })
        .collect())
}

/// Roles usable in the organization, optionally of one type, by name.
pub async fn roles(
    pool: &SqlitePool,
    organization_id: Uuid,
    role_type: Option<ConnectorType>,
) -> sqlx::Result<Vec<Role>> {
    let rows: Vec<RoleRow> = sqlx::query_as(&format!(
        "{AVAILABLE_ROLES} AND (?2 IS NULL OR r.type = ?2) ORDER BY r.type, r.name COLLATE NOCASE"
    ))
    .bind(organization_id)
    .bind(role_type.map(ConnectorType::as_str))
    .fetch_all(pool)
    .await?;
    with_permissions(pool, rows).await
}

/// One role usable in the organization.
pub async fn role(
    pool: &SqlitePool,
    organization_id: Uuid,
    role_id: Uuid,
) -> sqlx::Result<Option<Role>> {
    let rows: Vec<RoleRow> = sqlx::query_as(&format!("{AVAILABLE_ROLES} AND r.id = ?2"))
        .bind(organization_id)
        .bind(role_id)
        .fetch_all(pool)
        .await?;
    Ok(with_permissions(pool, rows).await?.into_iter().next())
}

/// A role by name (case-insensitive) among those usable in the organization.
pub async fn role_by_name(
    pool: &SqlitePool,
    organization_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<Role>> {
    let rows: Vec<RoleRow> =
        sqlx::query_as(&format!("{AVAILABLE_ROLES} AND r.name = ?2 COLLATE NOCASE"))
            .bind(organization_id)
            .bind(name.trim())
            .fetch_all(pool)
            .await?;
    Ok(with_permissions(pool, rows).await?.into_iter().next())
}

#[derive(sqlx::FromRow)]
struct OutletRow {
    id: Uuid,
    name: String,
    number: String,
    brand_id: Option<Uuid>,
    brand_name: Option<String>,
}

impl From<OutletRow> for Outlet {
    fn from(row: OutletRow) -> Self {
        Outlet {
            id: row.id,
            name: row.name,
            number: row.number,
            brand: row
                .brand_id
                .zip(row.brand_name)
                .map(|(id, name)| BrandRef { id, name }),
        }
    }
}

const OUTLETS: &str = "SELECT o.id, o.name, o.number, b.id AS brand_id, b.name AS brand_name
    FROM outlets o LEFT JOIN brands b ON b.id = o.brand_id WHERE o.organization_id = ";

/// One keyset page of the organization's outlets inside `scope`, by id.
pub async fn outlets(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
    after: Option<Uuid>,
    limit: u32,
) -> sqlx::Result<Vec<Outlet>> {
    let mut query = QueryBuilder::<Sqlite>::new(OUTLETS);
    query.push_bind(organization_id);
    push_outlet_scope(&mut query, "o.id", scope);
    if let Some(after) = after {
        query.push(" AND o.id > ").push_bind(after);
    }
    query
        .push(" ORDER BY o.id LIMIT ")
        .push_bind(i64::from(limit));
    let rows: Vec<OutletRow> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Outlet::from).collect())
}

/// The organization's outlets inside `scope`, by name (for the console's pickers).
pub async fn outlets_by_name(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
) -> sqlx::Result<Vec<Outlet>> {
    let mut query = QueryBuilder::<Sqlite>::new(OUTLETS);
    query.push_bind(organization_id);
    push_outlet_scope(&mut query, "o.id", scope);
    query.push(" ORDER BY o.name COLLATE NOCASE");
    let rows: Vec<OutletRow> = query.build_query_as().fetch_all(pool).await?;
    Ok(rows.into_iter().map(Outlet::from).collect())
}

/// One outlet of the organization.
pub async fn outlet<'e>(
    executor: impl SqliteExecutor<'e>,
    organization_id: Uuid,
    outlet_id: Uuid,
) -> sqlx::Result<Option<Outlet>> {
    let row: Option<OutletRow> = sqlx::query_as(&format!("{OUTLETS}?1 AND o.id = ?2"))
        .bind(organization_id)
        .bind(outlet_id)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(Outlet::from))
}

/// An outlet of the organization by its number (case-insensitive).
pub async fn outlet_by_number(
    pool: &SqlitePool,
    organization_id: Uuid,
    number: &str,
) -> sqlx::Result<Option<Outlet>> {
    let row: Option<OutletRow> =
        sqlx::query_as(&format!("{OUTLETS}?1 AND o.number = ?2 COLLATE NOCASE"))
            .bind(organization_id)
            .bind(number.trim())
            .fetch_optional(pool)
            .await?;
    Ok(row.map(Outlet::from))
}

/// An organization's id and brands it owns, by slug.
pub async fn organization_by_slug(pool: &SqlitePool, slug: &str) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM organizations WHERE slug = ?1")
        .bind(slug.trim())
        .fetch_optional(pool)
        .await
}

/// The brand that API-provisioned members are managed by: the organization's only brand,
/// when it owns exactly one.
pub async fn sole_owned_brand<'e>(
    executor: impl SqliteExecutor<'e>,
    organization_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    let brands: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM brands WHERE owner_organization_id = ?1 LIMIT 2")
            .bind(organization_id)
            .fetch_all(executor)
            .await?;
    Ok(if brands.len() == 1 {
        brands.first().copied()
    } else {
        None
    })
}
