//! Outlet groups: named sets of an organization's outlets, and which outlets are in each.
//! A group's connectors are read with the connectors (`store::connectors`, `store::access`).

use std::collections::HashMap;

use super::{Conn, Sql, now, push_in};
use crate::domain::model::{OutletGroup, OutletRef};
use crate::domain::paging::PageRequest;
use crate::domain::{OrganizationId, OutletGroupId, OutletId};

#[derive(sqlx::FromRow)]
struct Row {
    id: OutletGroupId,
    name: String,
    connectors: i64,
    created_at: String,
    updated_at: String,
}

const SELECT: &str = "SELECT g.id, g.name, g.created_at, g.updated_at,
        (SELECT COUNT(*) FROM user_connectors c WHERE c.outlet_group_id = g.id) AS connectors
     FROM outlet_groups g WHERE g.organization_id = ";

/// The groups' outlets, by group, each list by name.
async fn outlets_of(
    conn: &mut Conn,
    groups: &[OutletGroupId],
) -> sqlx::Result<HashMap<OutletGroupId, Vec<OutletRef>>> {
    let mut by_group: HashMap<OutletGroupId, Vec<OutletRef>> = HashMap::new();
    if groups.is_empty() {
        return Ok(by_group);
    }
    let mut query = Sql::new(
        "SELECT go.group_id, o.id, o.name, o.number FROM outlet_group_outlets go
         JOIN outlets o ON o.id = go.outlet_id WHERE ",
    );
    push_in(&mut query, "go.group_id", groups);
    query.push(" ORDER BY lower(o.name), o.id");
    let rows: Vec<(OutletGroupId, OutletId, String, String)> = query.fetch_all(conn).await?;
    for (group, id, name, number) in rows {
        by_group
            .entry(group)
            .or_default()
            .push(OutletRef { id, name, number });
    }
    Ok(by_group)
}

async fn assemble(conn: &mut Conn, rows: Vec<Row>) -> sqlx::Result<Vec<OutletGroup>> {
    let ids: Vec<OutletGroupId> = rows.iter().map(|r| r.id).collect();
    let mut outlets = outlets_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| OutletGroup {
            outlets: outlets.remove(&row.id).unwrap_or_default(),
            id: row.id,
            name: row.name,
            connectors: row.connectors,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
        .collect())
}

/// One keyset page of the organization's groups, by id (plus one row).
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    page: &PageRequest,
) -> sqlx::Result<Vec<OutletGroup>> {
    let mut query = Sql::new(SELECT);
    query.push_bind(organization);
    if let Some(after) = page.after {
        query.push(" AND g.id > ").push_bind(after);
    }
    query
        .push(" ORDER BY g.id LIMIT ")
        .push_bind(i64::from(page.fetch_limit()));
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    assemble(conn, rows).await
}

/// Every group of the organization by name, without outlets (pickers and filters).
/// Names of the organization's groups that contain `fragment` (any case), by name, at most
/// `limit`: a picker's suggestions.
pub async fn choices(
    conn: &mut Conn,
    organization: OrganizationId,
    fragment: &str,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    let mut query = Sql::new("SELECT name FROM outlet_groups WHERE organization_id = ");
    query.push_bind(organization);
    if !fragment.trim().is_empty() {
        query
            .push(" AND lower(name) LIKE lower(")
            .push_bind(super::like_fragment(fragment.trim()))
            .push(") ESCAPE '\\'");
    }
    query
        .push(" ORDER BY lower(name), id LIMIT ")
        .push_bind(limit);
    let rows: Vec<(String,)> = query.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(name,)| name).collect())
}

/// The organization's group of that name (any case; names are unique so).
pub async fn by_name(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
) -> sqlx::Result<Option<OutletGroupId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM outlet_groups WHERE organization_id = $1 AND lower(name) = lower($2)"
    )
    .bind(organization)
    .bind(name)
    .fetch_optional(c)
    .await)
}

/// Whether the organization has any group.
pub async fn any(conn: &mut Conn, organization: OrganizationId) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outlet_groups WHERE organization_id = $1)"
    )
    .bind(organization)
    .fetch_one(c)
    .await)
}

pub async fn get(
    conn: &mut Conn,
    organization: OrganizationId,
    id: OutletGroupId,
) -> sqlx::Result<Option<OutletGroup>> {
    let mut query = Sql::new(SELECT);
    query
        .push_bind(organization)
        .push(" AND g.id = ")
        .push_bind(id);
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    Ok(assemble(conn, rows).await?.pop())
}

pub async fn insert(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
) -> sqlx::Result<OutletGroupId> {
    let id = OutletGroupId::generate();
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO outlet_groups (id, organization_id, name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)"
    )
    .bind(id)
    .bind(organization)
    .bind(name)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// Renames a group (`None`: keeps the name) and marks it modified.
pub async fn touch(conn: &mut Conn, id: OutletGroupId, name: Option<&str>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE outlet_groups SET name = coalesce($2, name), updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(name)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Puts outlets (of the group's organization, checked by the caller) into a group; those
/// already in it stay.
pub async fn add_outlets(
    conn: &mut Conn,
    organization: OrganizationId,
    id: OutletGroupId,
    outlets: &[OutletId],
) -> sqlx::Result<()> {
    // Bound values per statement stay under SQLite's limit.
    for chunk in outlets.chunks(5_000) {
        let mut query =
            Sql::new("INSERT INTO outlet_group_outlets (group_id, outlet_id, organization_id) ");
        query.push_values(chunk, |mut row, outlet| {
            row.push_bind(id).push_bind(*outlet).push_bind(organization);
        });
        query.push(" ON CONFLICT DO NOTHING");
        query.execute(conn).await?;
    }
    Ok(())
}

/// Takes outlets out of a group (`None`: all of them).
pub async fn remove_outlets(
    conn: &mut Conn,
    id: OutletGroupId,
    outlets: Option<&[OutletId]>,
) -> sqlx::Result<()> {
    match outlets {
        None => {
            on!(execute conn, |c| sqlx::query(
                "DELETE FROM outlet_group_outlets WHERE group_id = $1"
            )
            .bind(id)
            .execute(c)
            .await)?;
        }
        Some(outlets) => {
            for chunk in outlets.chunks(5_000) {
                let mut query = Sql::new("DELETE FROM outlet_group_outlets WHERE group_id = ");
                query.push_bind(id).push(" AND ");
                push_in(&mut query, "outlet_id", chunk);
                query.execute(conn).await?;
            }
        }
    }
    Ok(())
}

/// Deletes a group (its outlet list goes with it; the caller has checked no connector uses it).
pub async fn delete(conn: &mut Conn, id: OutletGroupId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query("DELETE FROM outlet_groups WHERE id = $1")
        .bind(id)
        .execute(c)
        .await)?;
    Ok(())
}
