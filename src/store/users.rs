//! The users view: memberships of an organization with their account (as the organization
//! sees it, `VISIBLE_*`), their grants, report roles and external locations; and the writes
//! that set a membership's settings and rewrite its connectors. Reads take a policy `Scope`.

use super::Sql;
use super::sql::{DirectRow, direct};
use std::collections::{BTreeSet, HashMap};

use super::{
    Conn, VISIBLE_FIRST_NAME, VISIBLE_LAST_NAME, VISIBLE_MOBILE, VISIBLE_USERNAME, explain_details,
    format_timestamp, now, push_in, push_outlet_scope,
};
use crate::domain::model::{BrandRef, ConnectorType, ManagedBy, MembershipStatus, OutletRef};
use crate::domain::paging::PageRequest;
use crate::domain::user_commands::UserFilter;
use crate::domain::users::{ExternalLocation, ReportRole};
use crate::domain::{
    BrandId, Email, MembershipId, OrganizationId, OutletId, ReportRoleId, RoleId, Scope, UserId,
    Username,
};

/// A membership and its account, before its grants are added.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub membership_id: MembershipId,
    pub user_id: UserId,
    pub username: Option<String>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub mobile: Option<String>,
    pub external_id: Option<String>,
    pub default_outlet_id: Option<OutletId>,
    pub default_outlet_name: Option<String>,
    pub default_outlet_number: Option<String>,
    pub status: MembershipStatus,
    pub all_reports_access: bool,
    pub managed_by: ManagedBy,
    pub brand_id: Option<BrandId>,
    pub brand_name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns in [`select`]'s order.
impl DirectRow for UserRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            membership_id: direct::id(row, 0)?,
            user_id: direct::id(row, 1)?,
            username: row.get(2)?,
            email: row.get(3)?,
            first_name: row.get(4)?,
            last_name: row.get(5)?,
            mobile: row.get(6)?,
            external_id: row.get(7)?,
            default_outlet_id: direct::optional_id(row, 8)?,
            default_outlet_name: row.get(9)?,
            default_outlet_number: row.get(10)?,
            status: direct::parsed(row, 11)?,
            all_reports_access: row.get(12)?,
            managed_by: direct::parsed(row, 13)?,
            brand_id: direct::optional_id(row, 14)?,
            brand_name: row.get(15)?,
            created_at: row.get(16)?,
            updated_at: row.get(17)?,
        })
    }
}

impl UserRow {
    pub fn default_location(&self) -> Option<OutletRef> {
        match (
            self.default_outlet_id,
            &self.default_outlet_name,
            &self.default_outlet_number,
        ) {
            (Some(id), Some(name), Some(number)) => Some(OutletRef {
                id,
                name: name.clone(),
                number: number.clone(),
            }),
            _ => None,
        }
    }

    pub fn brand(&self) -> Option<BrandRef> {
        self.brand_id
            .zip(self.brand_name.clone())
            .map(|(id, name)| BrandRef { id, name })
    }
}

/// `SELECT … WHERE` for the organization's memberships inside `scope`.
fn select(organization: OrganizationId, scope: &Scope) -> Sql {
    let mut query = Sql::new(format!(
        "SELECT m.id AS membership_id, a.id AS user_id, {VISIBLE_USERNAME} AS username, a.email,
            {VISIBLE_FIRST_NAME} AS first_name, {VISIBLE_LAST_NAME} AS last_name,
            {VISIBLE_MOBILE} AS mobile, m.external_id, m.default_outlet_id, d.name AS default_outlet_name,
            d.number AS default_outlet_number, m.status, m.all_reports_access, m.managed_by,
            b.id AS brand_id, b.name AS brand_name, m.created_at, m.updated_at
         FROM memberships m
         JOIN user_accounts a ON a.id = m.user_id
         LEFT JOIN brands b ON b.id = m.managed_by_brand_id
         LEFT JOIN outlets d ON d.id = m.default_outlet_id
         WHERE m.organization_id = "
    ));
    query.push_bind(organization);
    if !matches!(scope, Scope::Organization) {
        query.push(" AND EXISTS (SELECT 1 FROM user_connectors sc WHERE sc.membership_id = m.id");
        push_outlet_scope(&mut query, "sc.outlet_id", scope);
        query.push(")");
    }
    query
}

/// One keyset page (plus one row) of the organization's users inside `scope`, by user id.
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    filter: &UserFilter,
    page: &PageRequest,
) -> sqlx::Result<Vec<UserRow>> {
    list_statement(organization, scope, filter, page)
        .fetch_all_read(conn)
        .await
}

/// How the database runs [`list`]'s statement, one line per step (tests check what it reads).
pub async fn explain_list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    filter: &UserFilter,
    page: &PageRequest,
) -> sqlx::Result<Vec<String>> {
    explain_details(conn, &list_statement(organization, scope, filter, page)).await
}

fn list_statement(
    organization: OrganizationId,
    scope: &Scope,
    filter: &UserFilter,
    page: &PageRequest,
) -> Sql {
    let mut query = select(organization, scope);
    if let Some(since) = filter.modified_since {
        query
            .push(" AND m.updated_at >= ")
            .push_bind(format_timestamp(since));
    }
    if !filter.location_ids.is_empty() {
        query.push(
            " AND EXISTS (SELECT 1 FROM user_connectors lc WHERE lc.membership_id = m.id
              AND (lc.type = 'L' OR ",
        );
        push_in(&mut query, "lc.outlet_id", &filter.location_ids);
        query.push("))");
    }
    if !filter.brands.is_empty() {
        query.push(" AND lower(b.name) IN (");
        query.push_list(filter.brands.iter().cloned());
        query.push(")");
    }
    if !filter.emails.is_empty() {
        query.push(" AND lower(a.email) IN (");
        query.push_list(filter.emails.iter().cloned());
        query.push(")");
    }
    if !filter.external_ids.is_empty() {
        query.push(" AND m.external_id IN (");
        query.push_list(filter.external_ids.iter().map(|id| id.as_str().to_string()));
        query.push(")");
    }
    if let Some(after) = page.after {
        // The account's key is the member's user id, but PostgreSQL carries only equalities
        // across a join: without the bound repeated on the account, a merge join read the
        // accounts from the first one up to the cursor (50,000 people deep: 52,138 accounts,
        // 16 ms of the page's 20).
        query
            .push(" AND m.user_id > ")
            .push_bind(UserId(after))
            .push(" AND a.id > ")
            .push_bind(UserId(after));
    }
    query
        .push(" ORDER BY m.user_id LIMIT ")
        .push_bind(i64::from(page.fetch_limit()));
    query
}

/// One user of the organization inside `scope`.
pub async fn get(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    user: UserId,
) -> sqlx::Result<Option<UserRow>> {
    let mut query = select(organization, scope);
    query.push(" AND m.user_id = ").push_bind(user);
    query.fetch_optional(conn).await
}

/// One grant of a membership, as the users view needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Grant {
    pub membership_id: MembershipId,
    #[sqlx(rename = "type")]
    pub connector_type: ConnectorType,
    pub role_id: RoleId,
    pub role_name: String,
    pub outlet_id: Option<OutletId>,
    pub outlet_name: Option<String>,
    pub outlet_number: Option<String>,
}

/// The columns in [`grants_of`]' order.
impl DirectRow for Grant {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            membership_id: direct::id(row, 0)?,
            connector_type: direct::parsed(row, 1)?,
            role_id: direct::id(row, 2)?,
            role_name: row.get(3)?,
            outlet_id: direct::optional_id(row, 4)?,
            outlet_name: row.get(5)?,
            outlet_number: row.get(6)?,
        })
    }
}

/// The grants of these memberships inside `scope`, by membership; a group's connector as one
/// grant at each outlet in the group (seen by viewers of the whole organization only, as
/// `policy::GROUP_PLACE` says).
pub async fn grants_of(
    conn: &mut Conn,
    memberships: &[MembershipId],
    scope: &Scope,
) -> sqlx::Result<HashMap<MembershipId, Vec<Grant>>> {
    let mut by_membership: HashMap<MembershipId, Vec<Grant>> = HashMap::new();
    if memberships.is_empty() {
        return Ok(by_membership);
    }
    let mut query = Sql::new(
        "SELECT c.membership_id, c.type, r.id AS role_id, r.name AS role_name, o.id AS outlet_id,
            o.name AS outlet_name, o.number AS outlet_number
         FROM user_connectors c
         JOIN roles r ON r.id = c.role_id
         LEFT JOIN outlet_group_outlets g ON g.group_id = c.outlet_group_id
         LEFT JOIN outlets o ON o.id = coalesce(c.outlet_id, g.outlet_id)
         WHERE (c.outlet_group_id IS NULL OR g.outlet_id IS NOT NULL) AND ",
    );
    push_in(&mut query, "c.membership_id", memberships);
    // A library grant is visible wherever the person is: it says "every location".
    if !matches!(scope, Scope::Organization) {
        query.push(" AND (c.type = 'L' OR TRUE");
        push_outlet_scope(&mut query, "c.outlet_id", scope);
        query.push(")");
    }
    let grants: Vec<Grant> = query.fetch_all_read(conn).await?;
    for grant in grants {
        by_membership
            .entry(grant.membership_id)
            .or_default()
            .push(grant);
    }
    Ok(by_membership)
}

/// The report roles of these memberships, by membership.
pub async fn report_roles_of(
    conn: &mut Conn,
    memberships: &[MembershipId],
) -> sqlx::Result<HashMap<MembershipId, Vec<ReportRole>>> {
    let mut by_membership: HashMap<MembershipId, Vec<ReportRole>> = HashMap::new();
    if memberships.is_empty() {
        return Ok(by_membership);
    }
    let mut query = Sql::new(
        "SELECT mr.membership_id, rr.id, rr.name FROM membership_report_roles mr
         JOIN report_roles rr ON rr.id = mr.report_role_id WHERE ",
    );
    push_in(&mut query, "mr.membership_id", memberships);
    query.push(" ORDER BY lower(rr.name)");
    let rows: Vec<(MembershipId, ReportRoleId, String)> = query.fetch_all(conn).await?;
    for (membership, id, name) in rows {
        by_membership
            .entry(membership)
            .or_default()
            .push(ReportRole { id, name });
    }
    Ok(by_membership)
}

/// The outlets of franchisee organizations where these memberships' people have access as
/// managed by the same brand, which this organization owns; by membership.
pub async fn external_locations_of(
    conn: &mut Conn,
    memberships: &[MembershipId],
) -> sqlx::Result<HashMap<MembershipId, Vec<ExternalLocation>>> {
    let mut by_membership: HashMap<MembershipId, Vec<ExternalLocation>> = HashMap::new();
    if memberships.is_empty() {
        return Ok(by_membership);
    }
    let mut query = Sql::new(
        "SELECT m.id, o.id, o.name, o.number, org.name
         FROM memberships m
         JOIN brands b ON b.id = m.managed_by_brand_id AND b.owner_organization_id = m.organization_id
         JOIN memberships x ON x.user_id = m.user_id AND x.organization_id <> m.organization_id
              AND x.managed_by_brand_id = m.managed_by_brand_id
         JOIN user_connectors c ON c.membership_id = x.id
         JOIN outlets o ON o.id = c.outlet_id
         JOIN organizations org ON org.id = x.organization_id
         WHERE ",
    );
    push_in(&mut query, "m.id", memberships);
    query.push(" GROUP BY m.id, o.id, o.name, o.number, org.name ORDER BY org.name, lower(o.name)");
    let rows: Vec<(MembershipId, OutletId, String, String, String)> = query.fetch_all(conn).await?;
    for (membership, id, name, number, organization) in rows {
        by_membership
            .entry(membership)
            .or_default()
            .push(ExternalLocation {
                id,
                name,
                number,
                organization,
            });
    }
    Ok(by_membership)
}

/// The organization's report roles, by name.
pub async fn report_roles(
    conn: &mut Conn,
    organization: OrganizationId,
) -> sqlx::Result<Vec<ReportRole>> {
    let rows: Vec<(ReportRoleId, String)> = on!(conn, |c| {
        sqlx::query_as(
            "SELECT id, name FROM report_roles WHERE organization_id = $1 ORDER BY lower(name)",
        )
        .bind(organization)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| ReportRole { id, name })
        .collect())
}

/// The membership's settings that the users view writes.
#[derive(Debug, Clone)]
pub struct MembershipSettings {
    pub status: MembershipStatus,
    pub default_outlet: Option<OutletId>,
    pub all_reports_access: bool,
    pub managed_by_brand: Option<BrandId>,
}

pub async fn set_settings(
    conn: &mut Conn,
    membership: MembershipId,
    settings: &MembershipSettings,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET status = $2, default_outlet_id = $3, all_reports_access = $4,
            managed_by_brand_id = $5, updated_at = $6 WHERE id = $1",
    )
    .bind(membership)
    .bind(settings.status)
    .bind(settings.default_outlet)
    .bind(settings.all_reports_access)
    .bind(settings.managed_by_brand)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Marks the membership modified (its account or its connectors changed), for `modified_since`.
pub async fn touch(conn: &mut Conn, membership: MembershipId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET updated_at = $2 WHERE id = $1"
    )
    .bind(membership)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_report_roles(
    conn: &mut Conn,
    membership: MembershipId,
    report_roles: &[ReportRoleId],
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM membership_report_roles WHERE membership_id = $1"
    )
    .bind(membership)
    .execute(c)
    .await)?;
    for report_role in report_roles {
        on!(execute conn, |c| sqlx::query(
            "INSERT INTO membership_report_roles (membership_id, report_role_id) VALUES ($1, $2)",
        )
        .bind(membership)
        .bind(report_role)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// Which of `ids` are report roles of the organization.
pub async fn known_report_roles(
    conn: &mut Conn,
    organization: OrganizationId,
    ids: &[ReportRoleId],
) -> sqlx::Result<BTreeSet<ReportRoleId>> {
    if ids.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut query = Sql::new("SELECT id FROM report_roles WHERE organization_id = ");
    query.push_bind(organization).push(" AND ");
    push_in(&mut query, "id", ids);
    let found: Vec<ReportRoleId> = query.scalars(conn).await?;
    Ok(found.into_iter().collect())
}

/// Makes a membership's connectors exactly `grants` (role, place): those already there stay
/// (same id and creation time), the others are removed, the missing ones added. Grants
/// through an outlet group are not the users view's to write: they stay.
pub async fn rewrite_connectors(
    conn: &mut Conn,
    organization: OrganizationId,
    membership: MembershipId,
    grants: &BTreeSet<(RoleId, ConnectorType, Option<OutletId>)>,
) -> sqlx::Result<()> {
    let existing: Vec<(crate::domain::ConnectorId, RoleId, Option<OutletId>)> =
        on!(conn, |c| sqlx::query_as(
            "SELECT id, role_id, outlet_id FROM user_connectors
             WHERE membership_id = $1 AND outlet_group_id IS NULL",
        )
        .bind(membership)
        .fetch_all(c)
        .await)?;
    let mut kept = BTreeSet::new();
    for (id, role, outlet) in existing {
        if grants.iter().any(|(r, _, o)| *r == role && *o == outlet) {
            kept.insert((role, outlet));
        } else {
            super::connectors::delete(conn, id).await?;
        }
    }
    for (role, kind, outlet) in grants {
        if !kept.contains(&(*role, *outlet)) {
            super::connectors::insert(conn, organization, membership, *kind, *outlet, *role)
                .await?;
        }
    }
    Ok(())
}

/// The account with this email, if any.
pub async fn account_by_email(conn: &mut Conn, email: &Email) -> sqlx::Result<Option<UserId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM user_accounts WHERE lower(email) = lower($1)"
    )
    .bind(email.as_str())
    .fetch_optional(c)
    .await)
}

/// The account with this username (case-insensitively), if any.
pub async fn account_by_username(
    conn: &mut Conn,
    username: &Username,
) -> sqlx::Result<Option<UserId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM user_accounts WHERE lower(username) = lower($1)"
    )
    .bind(username.as_str())
    .fetch_optional(c)
    .await)
}

/// The account's profile fields, as the users view writes them (`None` keeps one;
/// `mobile` `Some(None)` clears it).
pub struct ProfileUpdate<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub mobile: Option<Option<&'a str>>,
}

pub async fn update_profile(
    conn: &mut Conn,
    user: UserId,
    profile: &ProfileUpdate<'_>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_accounts SET username = coalesce($2, username), email = coalesce($3, email),
            first_name = coalesce($4, first_name), last_name = coalesce($5, last_name),
            mobile = CASE WHEN $6 THEN $7 ELSE mobile END, updated_at = $8
         WHERE id = $1",
    )
    .bind(user)
    .bind(profile.username)
    .bind(profile.email)
    .bind(profile.first_name)
    .bind(profile.last_name)
    .bind(profile.mobile.is_some())
    .bind(profile.mobile.flatten())
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Whether the organization owns the brand.
pub async fn owns_brand(
    conn: &mut Conn,
    organization: OrganizationId,
    brand: BrandId,
) -> sqlx::Result<bool> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM brands WHERE id = $1 AND owner_organization_id = $2)",
    )
    .bind(brand)
    .bind(organization)
    .fetch_one(c)
    .await)
}

/// Of `outlets`, those run under `brand` by a franchisee organization linked to it, with
/// that organization.
pub async fn franchise_outlets(
    conn: &mut Conn,
    brand: BrandId,
    outlets: &[OutletId],
) -> sqlx::Result<Vec<(OutletId, OrganizationId, String)>> {
    if outlets.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = Sql::new(
        "SELECT o.id, o.organization_id, org.name FROM outlets o
         JOIN organizations org ON org.id = o.organization_id
         JOIN franchisee_brands fb ON fb.organization_id = o.organization_id AND fb.brand_id = o.brand_id
         WHERE o.brand_id = ",
    );
    query.push_bind(brand).push(" AND ");
    push_in(&mut query, "o.id", outlets);
    query.fetch_all(conn).await
}

/// The person's memberships managed by `brand` in organizations other than `owner`.
pub async fn brand_memberships(
    conn: &mut Conn,
    user: UserId,
    brand: BrandId,
    owner: OrganizationId,
) -> sqlx::Result<Vec<(MembershipId, OrganizationId)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT id, organization_id FROM memberships
         WHERE user_id = $1 AND managed_by_brand_id = $2 AND organization_id <> $3",
    )
    .bind(user)
    .bind(brand)
    .bind(owner)
    .fetch_all(c)
    .await)
}

/// Sets the status of the person's memberships managed by `brand` outside its owner.
pub async fn set_brand_memberships_status(
    conn: &mut Conn,
    user: UserId,
    brand: BrandId,
    owner: OrganizationId,
    status: MembershipStatus,
) -> sqlx::Result<()> {
    on!(execute conn, |c| {
        sqlx::query(
        "UPDATE memberships SET status = $4, updated_at = $5
         WHERE user_id = $1 AND managed_by_brand_id = $2 AND organization_id <> $3 AND status <> $4",
    )
    .bind(user)
    .bind(brand)
    .bind(owner)
    .bind(status)
    .bind(now())
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn set_external_id(
    conn: &mut Conn,
    membership: MembershipId,
    external_id: Option<&str>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET external_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(membership)
    .bind(external_id)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// A member of the organization as a new person's external id or email names them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: UserId,
    pub membership_id: MembershipId,
    pub status: MembershipStatus,
    pub external_id: Option<String>,
}

/// The member of the organization with this external id.
pub async fn member_by_external_id(
    conn: &mut Conn,
    organization: OrganizationId,
    external_id: &str,
) -> sqlx::Result<Option<Member>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT user_id, id AS membership_id, status, external_id FROM memberships
         WHERE organization_id = $1 AND external_id = $2"
    )
    .bind(organization)
    .bind(external_id)
    .fetch_optional(c)
    .await)
}

/// The member of the organization whose account has this email.
pub async fn member_by_email(
    conn: &mut Conn,
    organization: OrganizationId,
    email: &str,
) -> sqlx::Result<Option<Member>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT m.user_id, m.id AS membership_id, m.status, m.external_id FROM memberships m
         JOIN user_accounts a ON a.id = m.user_id
         WHERE m.organization_id = $1 AND lower(a.email) = lower($2)"
    )
    .bind(organization)
    .bind(email)
    .fetch_optional(c)
    .await)
}

/// A returning member starts again as a new one would: active, managed by whoever brought
/// them back (and the brand given), no longer marked deleted by an identity provider, with
/// no report settings.
pub async fn restart_membership(
    conn: &mut Conn,
    membership: MembershipId,
    managed_by: ManagedBy,
    brand: Option<BrandId>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET managed_by = $2, managed_by_brand_id = $3, status = $4,
            all_reports_access = FALSE, scim_removed_at = NULL, updated_at = $5
         WHERE id = $1"
    )
    .bind(membership)
    .bind(managed_by)
    .bind(brand)
    .bind(MembershipStatus::Active)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// The membership's default outlet.
pub async fn set_default_outlet(
    conn: &mut Conn,
    membership: MembershipId,
    outlet: Option<OutletId>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET default_outlet_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(membership)
    .bind(outlet)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}
