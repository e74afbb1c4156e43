//! Roles and outlets of an organization. A franchisee also sees the brand roles its linked
//! brands' owner defines (read-only there).

use super::Sql;
use std::collections::HashMap;

use super::{Conn, push_in, push_outlet_scope};
use crate::domain::model::{BrandRef, ConnectorType, Outlet, PartnerRole, Role};
use crate::domain::paging::PageRequest;
use crate::domain::{BrandId, OrganizationId, OutletId, Permission, RoleId, Scope};

/// Whether role `role` is offered to organization `organization` (both SQL expressions): its
/// own roles, plus the brand roles of brands it is linked to.
pub(crate) fn offered_to(role: &str, organization: &str) -> String {
    format!(
        "({role}.organization_id = {organization}
          OR {role}.brand_id IN (SELECT brand_id FROM franchisee_brands WHERE organization_id = {organization}))"
    )
}

/// Roles usable in organization `$1`.
fn available_roles() -> String {
    format!(
        "SELECT r.id, r.name, r.type, r.partner_role, b.id AS brand_id, b.name AS brand_name
         FROM roles r LEFT JOIN brands b ON b.id = r.brand_id
         WHERE {}",
        offered_to("r", "$1")
    )
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: RoleId,
    name: String,
    #[sqlx(rename = "type")]
    role_type: ConnectorType,
    partner_role: PartnerRole,
    brand_id: Option<BrandId>,
    brand_name: Option<String>,
}

async fn with_permissions(conn: &mut Conn, rows: Vec<RoleRow>) -> sqlx::Result<Vec<Role>> {
    let mut permissions: HashMap<RoleId, Vec<Permission>> = HashMap::new();
    if !rows.is_empty() {
        let ids: Vec<RoleId> = rows.iter().map(|row| row.id).collect();
        let mut query = Sql::new("SELECT role_id, permission FROM role_permissions WHERE ");
        push_in(&mut query, "role_id", &ids);
        let pairs: Vec<(RoleId, Permission)> = query.fetch_all(conn).await?;
        for (role, permission) in pairs {
            permissions.entry(role).or_default().push(permission);
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
                role_type: row.role_type,
                partner_role: row.partner_role,
                permissions: held,
                brand: row
                    .brand_id
                    .zip(row.brand_name)
                    .map(|(id, name)| BrandRef { id, name }),
            }
        })
        .collect())
}

/// Roles usable in the organization, optionally of one type, by type and name.
pub async fn roles(
    conn: &mut Conn,
    organization: OrganizationId,
    role_type: Option<ConnectorType>,
) -> sqlx::Result<Vec<Role>> {
    let rows: Vec<RoleRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{} AND ($2 IS NULL OR r.type = $2) ORDER BY r.type, lower(r.name)",
        available_roles()
    ))
    .bind(organization)
    .bind(role_type)
    .fetch_all(c)
    .await)?;
    with_permissions(conn, rows).await
}

/// One role usable in the organization.
pub async fn role(
    conn: &mut Conn,
    organization: OrganizationId,
    role: RoleId,
) -> sqlx::Result<Option<Role>> {
    let rows: Vec<RoleRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{} AND r.id = $2",
        available_roles()
    ))
    .bind(organization)
    .bind(role)
    .fetch_all(c)
    .await)?;
    Ok(with_permissions(conn, rows).await?.into_iter().next())
}

/// A role by name (case-insensitive) among those usable in the organization.
pub async fn role_by_name(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
) -> sqlx::Result<Option<Role>> {
    let rows: Vec<RoleRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{} AND lower(r.name) = lower($2)",
        available_roles()
    ))
    .bind(organization)
    .bind(name.trim())
    .fetch_all(c)
    .await)?;
    Ok(with_permissions(conn, rows).await?.into_iter().next())
}

#[derive(sqlx::FromRow)]
struct OutletRow {
    id: OutletId,
    name: String,
    number: String,
    brand_id: Option<BrandId>,
    brand_name: Option<String>,
    time_zone: String,
    archived: bool,
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
            time_zone: row.time_zone,
            archived: row.archived,
        }
    }
}

const OUTLETS: &str = "SELECT o.id, o.name, o.number, b.id AS brand_id, b.name AS brand_name,
        coalesce(o.time_zone, org.time_zone) AS time_zone, o.archived_at IS NOT NULL AS archived
    FROM outlets o JOIN organizations org ON org.id = o.organization_id
    LEFT JOIN brands b ON b.id = o.brand_id WHERE o.organization_id = ";

/// One keyset page (plus one row) of the organization's outlets inside `scope`, by id.
pub async fn outlets(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    page: &PageRequest,
) -> sqlx::Result<Vec<Outlet>> {
    let mut query = Sql::new(OUTLETS);
    query.push_bind(organization);
    push_outlet_scope(&mut query, "o.id", scope);
    if let Some(after) = page.after {
        query.push(" AND o.id > ").push_bind(after);
    }
    query
        .push(" ORDER BY o.id LIMIT ")
        .push_bind(i64::from(page.fetch_limit()));
    let rows: Vec<OutletRow> = query.fetch_all(conn).await?;
    Ok(rows.into_iter().map(Outlet::from).collect())
}

/// The organization's outlets inside `scope`, by name (for the console's pickers).
pub async fn outlets_by_name(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
) -> sqlx::Result<Vec<Outlet>> {
    let mut query = Sql::new(OUTLETS);
    query.push_bind(organization);
    push_outlet_scope(&mut query, "o.id", scope);
    query.push(" ORDER BY lower(o.name)");
    let rows: Vec<OutletRow> = query.fetch_all(conn).await?;
    Ok(rows.into_iter().map(Outlet::from).collect())
}

/// ` AND` the outlet `o`'s name or number contains `fragment` (any case).
fn push_name_or_number(query: &mut Sql, fragment: &str) {
    let pattern = super::like_fragment(fragment);
    query
        .push(" AND (lower(o.name) LIKE lower(")
        .push_bind(pattern.clone())
        .push(") ESCAPE '\\' OR lower(o.number) LIKE lower(")
        .push_bind(pattern)
        .push(") ESCAPE '\\')");
}

/// How many of the organization's outlets lie in `scope`.
pub async fn outlet_count(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
) -> sqlx::Result<i64> {
    let mut query = Sql::new("SELECT COUNT(*) FROM outlets o WHERE o.organization_id = ");
    query.push_bind(organization);
    push_outlet_scope(&mut query, "o.id", scope);
    query.scalar(conn).await
}

/// A page of the organization's outlets by name (then id), after the outlet `after`, whose name
/// or number contains `fragment` when given; and how many match in all.
pub async fn outlets_page(
    conn: &mut Conn,
    organization: OrganizationId,
    fragment: Option<&str>,
    after: Option<OutletId>,
    limit: i64,
) -> sqlx::Result<(Vec<Outlet>, i64)> {
    let matching = |query: &mut Sql| {
        if let Some(fragment) = fragment {
            push_name_or_number(query, fragment);
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM outlets o WHERE o.organization_id = ");
    count.push_bind(organization);
    matching(&mut count);
    let total: i64 = count.scalar(&mut *conn).await?;
    let mut query = Sql::new(OUTLETS);
    query.push_bind(organization);
    matching(&mut query);
    if let Some(after) = after {
        query
            .push(" AND (lower(o.name), o.id) > (SELECT lower(name), id FROM outlets WHERE id = ")
            .push_bind(after)
            .push(")");
    }
    query
        .push(" ORDER BY lower(o.name), o.id LIMIT ")
        .push_bind(limit);
    let rows: Vec<OutletRow> = query.fetch_all(conn).await?;
    Ok((rows.into_iter().map(Outlet::from).collect(), total))
}

/// Up to `limit` outlets in `scope` whose name or number contains `fragment`, by name, as
/// (name, number); archived ones only when `archived` is true.
pub async fn outlet_choices(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    fragment: &str,
    archived: bool,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    let mut query = Sql::new("SELECT o.name, o.number FROM outlets o WHERE o.organization_id = ");
    query.push_bind(organization);
    push_outlet_scope(&mut query, "o.id", scope);
    if !archived {
        query.push(" AND o.archived_at IS NULL");
    }
    if !fragment.trim().is_empty() {
        push_name_or_number(&mut query, fragment.trim());
    }
    query
        .push(" ORDER BY lower(o.name), o.number LIMIT ")
        .push_bind(limit);
    query.fetch_all(conn).await
}

/// One outlet of the organization.
pub async fn outlet(
    conn: &mut Conn,
    organization: OrganizationId,
    outlet: OutletId,
) -> sqlx::Result<Option<Outlet>> {
    let row: Option<OutletRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{OUTLETS}$1 AND o.id = $2"
    ))
    .bind(organization)
    .bind(outlet)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Outlet::from))
}

/// An outlet of the organization by its number (case-insensitive).
pub async fn outlet_by_number(
    conn: &mut Conn,
    organization: OrganizationId,
    number: &str,
) -> sqlx::Result<Option<Outlet>> {
    let row: Option<OutletRow> = on!(conn, |c| sqlx::query_as(&format!(
        "{OUTLETS}$1 AND lower(o.number) = lower($2)"
    ))
    .bind(organization)
    .bind(number.trim())
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Outlet::from))
}

/// An organization's id, by slug.
pub async fn organization_by_slug(
    conn: &mut Conn,
    slug: &str,
) -> sqlx::Result<Option<OrganizationId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM organizations WHERE lower(slug) = lower($1)"
    )
    .bind(slug.trim())
    .fetch_optional(c)
    .await)
}

/// The brand that API-provisioned members are managed by: the organization's only brand,
/// when it owns exactly one.
pub async fn sole_owned_brand(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Option<BrandId>> {
    let brands: Vec<BrandId> = on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM brands WHERE owner_organization_id = $1 LIMIT 2"
    )
    .bind(organization)
    .fetch_all(c)
    .await)?;
    Ok(match brands.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// An organization's name.
pub async fn organization_name(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Option<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT name FROM organizations WHERE id = $1"
    )
    .bind(organization)
    .fetch_optional(c)
    .await)
}

/// The fields of an outlet as written (`None` keeps one; `time_zone` `Some(None)` goes back to
/// the organization's default).
pub struct OutletWrite<'a> {
    pub name: Option<&'a str>,
    pub number: Option<&'a str>,
    pub brand: Option<Option<BrandId>>,
    pub time_zone: Option<Option<&'a str>>,
    pub archived: Option<bool>,
}

pub async fn insert_outlet(
    conn: &mut Conn,
    organization: OrganizationId,
    name: &str,
    number: &str,
    brand: Option<BrandId>,
    time_zone: Option<&str>,
) -> sqlx::Result<OutletId> {
    let id = OutletId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO outlets (id, organization_id, brand_id, name, number, time_zone, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(organization)
    .bind(brand)
    .bind(name)
    .bind(number)
    .bind(time_zone)
    .bind(super::now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

pub async fn update_outlet(
    conn: &mut Conn,
    id: OutletId,
    write: &OutletWrite<'_>,
) -> sqlx::Result<()> {
    let at = super::now();
    on!(execute conn, |c| {
        sqlx::query(
        "UPDATE outlets SET name = coalesce($2, name), number = coalesce($3, number),
            brand_id = CASE WHEN $4 THEN $5 ELSE brand_id END,
            time_zone = CASE WHEN $6 THEN $7 ELSE time_zone END,
            archived_at = CASE WHEN $8 IS NULL THEN archived_at WHEN $8 THEN coalesce(archived_at, $9) ELSE NULL END,
            updated_at = $9
         WHERE id = $1",
    )
    .bind(id)
    .bind(write.name)
    .bind(write.number)
    .bind(write.brand.is_some())
    .bind(write.brand.flatten())
    .bind(write.time_zone.is_some())
    .bind(write.time_zone.flatten())
    .bind(write.archived)
    .bind(at)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Whether the organization may put an outlet under `brand`: a brand it owns or runs
/// outlets under.
pub async fn brand_usable(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<bool> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM brands WHERE id = $1 AND owner_organization_id = $2)
             OR EXISTS (SELECT 1 FROM franchisee_brands WHERE brand_id = $1 AND organization_id = $2)",
    )
    .bind(brand)
    .bind(organization)
    .fetch_one(c)
    .await
    })
}

/// The brands an organization may put outlets under: those it owns or runs outlets under.
pub async fn usable_brands(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<BrandRef>> {
    let rows: Vec<(BrandId, String)> = on!(conn, |c| sqlx::query_as(
        "SELECT id, name FROM brands WHERE owner_organization_id = $1
            OR id IN (SELECT brand_id FROM franchisee_brands WHERE organization_id = $1)
         ORDER BY lower(name)",
    )
    .bind(organization)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| BrandRef { id, name })
        .collect())
}

/// An outlet as an import compares it: its stored fields (the time zone as set, `None` for the
/// organization's default).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredOutlet {
    pub id: OutletId,
    pub number: String,
    pub name: String,
    pub brand_id: Option<BrandId>,
    pub time_zone: Option<String>,
}

/// Every outlet of the organization as stored.
pub async fn stored_outlets(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<StoredOutlet>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, number, name, brand_id, time_zone FROM outlets WHERE organization_id = $1",
    )
    .bind(organization)
    .fetch_all(c)
    .await)
}

/// Starts a job of `total` steps; returns its id.
pub async fn start_job(
    conn: &mut Conn,
    organization: OrganizationId,
    kind: &str,
    total: i64,
) -> sqlx::Result<uuid::Uuid> {
    let id = uuid::Uuid::now_v7();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO jobs (id, organization_id, kind, total, status, created_at) VALUES ($1, $2, $3, $4, 'running', $5)",
    )
    .bind(id)
    .bind(organization)
    .bind(kind)
    .bind(total)
    .bind(super::now())
    .execute(c)
    .await
    })?;
    Ok(id)
}

pub async fn advance_job(conn: &mut Conn, id: uuid::Uuid, done: i64) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE jobs SET done = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(done)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn finish_job(
    conn: &mut Conn,
    id: uuid::Uuid,
    status: &str,
    summary: &str,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE jobs SET status = $2, summary = $3, finished_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(summary)
    .bind(super::now())
    .execute(c)
    .await)?;
    Ok(())
}

/// A job of the organization.
pub async fn job(
    conn: &mut Conn,
    organization: OrganizationId,
    id: uuid::Uuid,
) -> sqlx::Result<Option<(i64, i64, String, Option<String>)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT total, done, status, summary FROM jobs WHERE id = $1 AND organization_id = $2",
    )
    .bind(id)
    .bind(organization)
    .fetch_optional(c)
    .await)
}

/// The time zone of an outlet of the organization (its own, else the organization's), or the
/// organization's for `None`.
pub async fn time_zone_of(
    conn: &mut Conn,
    organization: OrganizationId,
    outlet: Option<OutletId>,
) -> sqlx::Result<String> {
    on!(conn, |c| {
        sqlx::query_scalar(
        "SELECT COALESCE((SELECT o.time_zone FROM outlets o WHERE o.id = $2 AND o.organization_id = $1),
                         g.time_zone)
         FROM organizations g WHERE g.id = $1"
    )
    .bind(organization)
    .bind(outlet)
    .fetch_one(c)
    .await
    })
}

/// Records one person's result in a bulk job, at its place in the job's order.
pub async fn insert_job_result(
    conn: &mut Conn,
    job: uuid::Uuid,
    position: i64,
    email: &str,
    refusal: Option<&str>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO job_results (job_id, position, email, outcome, reason) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(job)
    .bind(position)
    .bind(email)
    .bind(if refusal.is_some() { "refused" } else { "done" })
    .bind(refusal)
    .execute(c)
    .await)?;
    Ok(())
}

/// A job's per-person results in order: (email, refusal reason or `None` when done).
pub async fn job_results(
    conn: &mut Conn,
    job: uuid::Uuid,
) -> sqlx::Result<Vec<(String, Option<String>)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT email, reason FROM job_results WHERE job_id = $1 ORDER BY position"
    )
    .bind(job)
    .fetch_all(c)
    .await)
}

/// Marks who started a job (a person).
pub async fn set_job_starter(
    conn: &mut Conn,
    job: uuid::Uuid,
    user: crate::domain::UserId,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query("UPDATE jobs SET started_by = $2 WHERE id = $1")
        .bind(job)
        .bind(user)
        .execute(c)
        .await)?;
    Ok(())
}

/// A job's kind and who started it, for the organization that started it.
pub async fn job_kind(
    conn: &mut Conn,
    organization: OrganizationId,
    job: uuid::Uuid,
) -> sqlx::Result<Option<(String, Option<crate::domain::UserId>)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT kind, started_by FROM jobs WHERE id = $1 AND organization_id = $2"
    )
    .bind(job)
    .bind(organization)
    .fetch_optional(c)
    .await)
}
