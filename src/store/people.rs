//! People of an organization (memberships joined to their accounts), always read through a
//! policy scope: a caller limited to some outlets only sees people connected to them, and
//! only their connectors there.

use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::collections::HashMap;
use uuid::Uuid;

use super::{like_fragment, push_outlet_scope};
use crate::domain::Scope;
use crate::domain::model::{
    ConnectorSummary, ConnectorType, ManagedBy, MembershipStatus, PeoplePage, PersonRecord,
    PersonRow, display_name,
};

/// Starts `… FROM memberships m JOIN user_accounts a … WHERE` for people in scope.
fn people_in_scope<'a>(
    select: &str,
    organization_id: Uuid,
    scope: &Scope,
) -> QueryBuilder<'a, Sqlite> {
    let mut query = QueryBuilder::new(select);
    query.push(
        " FROM memberships m
          JOIN user_accounts a ON a.id = m.user_id
          LEFT JOIN brands b ON b.id = m.managed_by_brand_id
          WHERE m.organization_id = ",
    );
    query.push_bind(organization_id);
    if !matches!(scope, Scope::Organization) {
        query.push(" AND EXISTS (SELECT 1 FROM user_connectors sc WHERE sc.membership_id = m.id");
        push_outlet_scope(&mut query, "sc.outlet_id", scope);
        query.push(")");
    }
    query
}

fn push_search(query: &mut QueryBuilder<'_, Sqlite>, search: Option<&str>) {
    if let Some(fragment) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = like_fragment(fragment);
        query.push(" AND (a.email LIKE ");
        query.push_bind(pattern.clone());
        query.push(" ESCAPE '\\' OR (a.first_name || ' ' || a.last_name) LIKE ");
        query.push_bind(pattern.clone());
        query.push(" ESCAPE '\\' OR a.username LIKE ");
        query.push_bind(pattern);
        query.push(" ESCAPE '\\')");
    }
}

#[derive(sqlx::FromRow)]
struct PersonListRow {
    membership_id: Uuid,
    user_id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    status: String,
    managed_by: String,
    brand: Option<String>,
}

fn status(text: &str) -> MembershipStatus {
    MembershipStatus::parse(text).unwrap_or(MembershipStatus::Inactive)
}

fn managed_by(text: &str) -> ManagedBy {
    ManagedBy::parse(text).unwrap_or(ManagedBy::Console)
}

/// One page of people, by last name, with an optional name/email/username fragment.
pub async fn list(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
    search: Option<&str>,
    page: u32,
    page_size: u32,
) -> sqlx::Result<PeoplePage> {
    let page = page.max(1);
    let mut count = people_in_scope("SELECT COUNT(*)", organization_id, scope);
    push_search(&mut count, search);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;

    let mut select = people_in_scope(
        "SELECT m.id AS membership_id, a.id AS user_id, a.first_name, a.last_name, a.email,
                a.username, m.status, m.managed_by, b.name AS brand",
        organization_id,
        scope,
    );
    push_search(&mut select, search);
    select
        .push(" ORDER BY a.last_name COLLATE NOCASE, a.first_name COLLATE NOCASE, a.email LIMIT ");
    select.push_bind(i64::from(page_size));
    select.push(" OFFSET ");
    select.push_bind(i64::from((page - 1) * page_size));
    let rows: Vec<PersonListRow> = select.build_query_as().fetch_all(pool).await?;

    let mut roles = roles_by_membership(pool, rows.iter().map(|r| r.membership_id), scope).await?;
    Ok(PeoplePage {
        rows: rows
            .into_iter()
            .map(|r| PersonRow {
                id: r.user_id,
                name: display_name(&r.first_name, &r.last_name, &r.email),
                status: status(&r.status),
                managed_by: managed_by(&r.managed_by),
                managed_by_brand: r.brand,
                roles: roles.remove(&r.membership_id).unwrap_or_default(),
                email: r.email,
                username: r.username,
            })
            .collect(),
        page,
        page_size,
        total: u32::try_from(total).unwrap_or(u32::MAX),
    })
}

/// Distinct role names per membership, limited to connectors inside `scope`.
async fn roles_by_membership(
    pool: &SqlitePool,
    memberships: impl Iterator<Item = Uuid>,
    scope: &Scope,
) -> sqlx::Result<HashMap<Uuid, Vec<String>>> {
    let memberships: Vec<Uuid> = memberships.collect();
    if memberships.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = QueryBuilder::<Sqlite>::new(
        "SELECT DISTINCT c.membership_id, r.name FROM user_connectors c
         JOIN roles r ON r.id = c.role_id WHERE c.membership_id IN (",
    );
    let mut list = query.separated(", ");
    for id in &memberships {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
    push_outlet_scope(&mut query, "c.outlet_id", scope);
    query.push(" ORDER BY r.name COLLATE NOCASE");
    let pairs: Vec<(Uuid, String)> = query.build_query_as().fetch_all(pool).await?;
    let mut roles: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (membership, role) in pairs {
        roles.entry(membership).or_default().push(role);
    }
    Ok(roles)
}

#[derive(sqlx::FromRow)]
struct PersonRecordRow {
    membership_id: Uuid,
    first_name: String,
    last_name: String,
    email: String,
    username: String,
    mobile: Option<String>,
    status: String,
    managed_by: String,
    brand: Option<String>,
    external_id: Option<String>,
    default_outlet: Option<String>,
    all_reports_access: bool,
    created_at: String,
    updated_at: String,
}

/// The record of the person `user_id` in the organization, or `None` when they are not a
/// member or are outside `scope` (the caller cannot tell the two apart).
pub async fn get(
    pool: &SqlitePool,
    organization_id: Uuid,
    scope: &Scope,
    user_id: Uuid,
) -> sqlx::Result<Option<PersonRecord>> {
    let mut select = people_in_scope(
        "SELECT m.id AS membership_id, a.first_name, a.last_name, a.email, a.username, a.mobile,
                m.status, m.managed_by, b.name AS brand, m.external_id,
                (SELECT o.name FROM outlets o WHERE o.id = m.default_outlet_id) AS default_outlet,
                m.all_reports_access, m.created_at, m.updated_at",
        organization_id,
        scope,
    );
    select.push(" AND a.id = ");
    select.push_bind(user_id);
    let Some(row): Option<PersonRecordRow> = select.build_query_as().fetch_optional(pool).await?
    else {
        return Ok(None);
    };

    let mut connectors = QueryBuilder::<Sqlite>::new(
        "SELECT c.id, c.type, o.name, r.name FROM user_connectors c
         JOIN roles r ON r.id = c.role_id
         LEFT JOIN outlets o ON o.id = c.outlet_id
         WHERE c.membership_id = ",
    );
    connectors.push_bind(row.membership_id);
    push_outlet_scope(&mut connectors, "c.outlet_id", scope);
    connectors.push(" ORDER BY c.type, o.name COLLATE NOCASE, r.name COLLATE NOCASE");
    let connectors: Vec<(Uuid, String, Option<String>, String)> =
        connectors.build_query_as().fetch_all(pool).await?;

    let report_roles: Vec<String> = sqlx::query_scalar(
        "SELECT rr.name FROM membership_report_roles mr
         JOIN report_roles rr ON rr.id = mr.report_role_id
         WHERE mr.membership_id = ?1 ORDER BY rr.name COLLATE NOCASE",
    )
    .bind(row.membership_id)
    .fetch_all(pool)
    .await?;

    Ok(Some(PersonRecord {
        id: user_id,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        username: row.username,
        mobile: row.mobile,
        status: status(&row.status),
        managed_by: managed_by(&row.managed_by),
        managed_by_brand: row.brand,
        external_id: row.external_id,
        default_outlet: row.default_outlet,
        all_reports_access: row.all_reports_access,
        report_roles,
        connectors: connectors
            .into_iter()
            .map(|(id, kind, outlet, role)| ConnectorSummary {
                id,
                connector_type: ConnectorType::parse(&kind).unwrap_or(ConnectorType::Outlet),
                outlet,
                role,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }))
}
