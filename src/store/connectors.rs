//! User connectors: the unit of access (membership x scope x role), with the memberships
//! they hang on. Reads take a policy `Scope`; writes take a transaction.

use super::Sql;
use super::sql::{DirectRow, direct};

use super::{
    Backend, Conn, Driver, FragmentPlan, ListOrder, SearchedText, VISIBLE_FIRST_NAME,
    VISIBLE_LAST_NAME, VISIBLE_USERNAME, explain_details, format_timestamp, fragment_plan, now,
    push_email_contains, push_indexed_candidates, push_outlet_scope,
};
use crate::domain::commands::ConnectorFilter;
use crate::domain::model::{
    Connector, ConnectorState, ConnectorType, ConnectorUser, ManagedBy, OutletGroupRef, OutletRef,
    RoleRef,
};
use crate::domain::paging::{MAX_PAGE_SIZE, PageRequest};
use crate::domain::{
    BrandId, ConnectorId, MembershipId, OrganizationId, OutletGroupId, OutletId, RoleId, Scope,
    UserId,
};

/// A connector row: the connector (`c`) with its member (`m`) and account (`a`), role (`r`),
/// outlet (`o`) and outlet group (`g`), the names as the organization sees them.
fn columns() -> String {
    format!(
        "SELECT c.id, c.type, c.outlet_id, c.membership_id, c.created_at, c.updated_at,
            c.starts_at, c.ends_at, c.outlet_group_id, g.name AS outlet_group_name,
            a.id AS user_id, a.email, r.id AS role_id, r.name AS role_name, r.type AS role_type,
            o.name AS outlet_name, o.number AS outlet_number,
            {VISIBLE_USERNAME} AS username, {VISIBLE_FIRST_NAME} AS first_name,
            {VISIBLE_LAST_NAME} AS last_name"
    )
}

/// The connector's member and account (the email filter and the members' status read them).
const MEMBER: &str = "JOIN memberships m ON m.id = c.membership_id
        JOIN user_accounts a ON a.id = m.user_id";

/// What a row shows besides its connector and member.
const LOOKUPS: &str = "JOIN roles r ON r.id = c.role_id
        LEFT JOIN outlets o ON o.id = c.outlet_id
        LEFT JOIN outlet_groups g ON g.id = c.outlet_group_id";

/// From the accounts the trigram index finds (bound after the organization) to their
/// connectors: for a rare fragment, the organization's connectors are never walked one by
/// one. `CROSS JOIN` fixes that order in SQLite.
const FROM_INDEXED_EMAIL: &str = "FROM user_accounts a CROSS JOIN memberships m ON m.user_id = a.id
        CROSS JOIN user_connectors c ON c.membership_id = m.id";

/// `SELECT … WHERE c.organization_id = ` (the organization is bound next).
fn select() -> String {
    format!(
        "{} FROM user_connectors c {MEMBER} {LOOKUPS} WHERE c.organization_id = ",
        columns()
    )
}

/// PostgreSQL's version of a listed row: the versions of the rows it was found by (PostgreSQL's
/// `xmin`, new with every update), its connector's and, when the filters read them, its
/// member's and account's.
const VERSION: &str = "c.xmin::text";
const VERSION_WITH_MEMBER: &str = "c.xmin::text || ' ' || m.xmin::text || ' ' || a.xmin::text";

/// PostgreSQL's rows of a page, by the keys and versions its list statement found (`$1`,
/// `$2`), in the list's order; a row changed or deleted since is left out, and so is any
/// other organization's (`$3`: the keys come from the list, but this statement does not
/// trust them to).
///
/// PostgreSQL plans a prepared statement for its values on every run while they change its
/// best plan, as the organization and a filter most connectors pass do (a filter by outlet
/// gets one plan it keeps): planning the list's six relations cost 0.9-2 ms a request against
/// 1 ms of execution (2,000 outlets, a million connectors). So the list statement reads only
/// the page's keys, from the one to three tables its filters read (0.1 ms to plan the
/// connectors alone); this one, whose best plan is a lookup by key in each table whatever the
/// keys, gets a plan PostgreSQL keeps.
fn by_keys() -> String {
    format!(
        "{} FROM unnest($1::uuid[], $2::text[]) AS k(id, version)
            JOIN user_connectors c ON c.id = k.id {MEMBER} {LOOKUPS}
        WHERE k.version IN ({VERSION}, {VERSION_WITH_MEMBER}) AND c.organization_id = $3
        ORDER BY c.id",
        columns()
    )
}

/// What a list statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Whole rows.
    Rows,
    /// PostgreSQL: the page's keys and versions, for [`by_keys`].
    Keys,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: ConnectorId,
    #[sqlx(rename = "type")]
    connector_type: ConnectorType,
    outlet_id: Option<OutletId>,
    membership_id: MembershipId,
    created_at: String,
    updated_at: String,
    starts_at: Option<String>,
    ends_at: Option<String>,
    outlet_group_id: Option<OutletGroupId>,
    outlet_group_name: Option<String>,
    user_id: UserId,
    email: String,
    username: Option<String>,
    first_name: String,
    last_name: String,
    role_id: RoleId,
    role_name: String,
    role_type: ConnectorType,
    outlet_name: Option<String>,
    outlet_number: Option<String>,
}

/// The columns in [`columns`]' order.
impl DirectRow for Row {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: direct::id(row, 0)?,
            connector_type: direct::parsed(row, 1)?,
            outlet_id: direct::optional_id(row, 2)?,
            membership_id: direct::id(row, 3)?,
            created_at: row.get(4)?,
            updated_at: row.get(5)?,
            starts_at: row.get(6)?,
            ends_at: row.get(7)?,
            outlet_group_id: direct::optional_id(row, 8)?,
            outlet_group_name: row.get(9)?,
            user_id: direct::id(row, 10)?,
            email: row.get(11)?,
            role_id: direct::id(row, 12)?,
            role_name: row.get(13)?,
            role_type: direct::parsed(row, 14)?,
            outlet_name: row.get(15)?,
            outlet_number: row.get(16)?,
            username: row.get(17)?,
            first_name: row.get(18)?,
            last_name: row.get(19)?,
        })
    }
}

impl Row {
    /// The connector as it stands at `now` (ISO 8601, as stored).
    fn at(self, now: &str) -> StoredConnector {
        let row = self;
        let state = ConnectorState::at(row.starts_at.as_deref(), row.ends_at.as_deref(), now);
        let outlet = match (row.outlet_id, row.outlet_name, row.outlet_number) {
            (Some(id), Some(name), Some(number)) => Some(OutletRef { id, name, number }),
            _ => None,
        };
        StoredConnector {
            membership_id: row.membership_id,
            connector: Connector {
                id: row.id,
                connector_type: row.connector_type,
                user: ConnectorUser {
                    id: row.user_id,
                    email: row.email,
                    username: row.username,
                    first_name: row.first_name,
                    last_name: row.last_name,
                },
                role: RoleRef {
                    id: row.role_id,
                    name: row.role_name,
                    role_type: row.role_type,
                },
                outlet,
                outlet_group: row
                    .outlet_group_id
                    .zip(row.outlet_group_name)
                    .map(|(id, name)| OutletGroupRef { id, name }),
                starts_at: row.starts_at,
                ends_at: row.ends_at,
                state,
                created_at: row.created_at,
                updated_at: row.updated_at,
            },
        }
    }
}

/// `AND` the connector `c` grants at `$now` (bound by the caller): inside its window.
pub(crate) fn push_granting(query: &mut Sql, now: &str) {
    query
        .push(" AND (c.starts_at IS NULL OR c.starts_at <= ")
        .push_bind(now.to_string())
        .push(") AND (c.ends_at IS NULL OR c.ends_at > ")
        .push_bind(now.to_string())
        .push(")");
}

/// A connector with what writes need besides its public shape.
#[derive(Debug, Clone)]
pub struct StoredConnector {
    pub connector: Connector,
    pub membership_id: MembershipId,
}

/// A list request as its statements read it: the request, the plan for its email fragment
/// and the time its state filter compares with.
struct Listing<'a> {
    backend: Backend,
    plan: FragmentPlan,
    organization: OrganizationId,
    scope: &'a Scope,
    filter: &'a ConnectorFilter,
    page: &'a PageRequest,
    now: String,
}

impl<'a> Listing<'a> {
    async fn new(
        conn: &mut Conn,
        organization: OrganizationId,
        scope: &'a Scope,
        filter: &'a ConnectorFilter,
        page: &'a PageRequest,
        now: time::OffsetDateTime,
    ) -> sqlx::Result<Self> {
        Ok(Self {
            backend: conn.backend(),
            plan: email_plan(conn, filter).await?,
            organization,
            scope,
            filter,
            page,
            now: format_timestamp(now),
        })
    }

    /// What the list reads first. SQLite: the whole rows, in one statement. PostgreSQL: the
    /// page's keys, then their rows by key ([`by_keys`]) — it plans a list for its values on
    /// every run (one plan does not fit an organization's every filter), and planning the six
    /// relations of the rows costs more than running them, planning the keys' one to three a
    /// tenth of that. Except for a filter by one outlet or one outlet group: PostgreSQL keeps
    /// one plan for those (through `(organization_id, outlet_id, id)` or
    /// `(organization_id, outlet_group_id, id)`), so a second statement would only add a
    /// round trip (one outlet group: 0.44 -> 0.58 ms in-process). And for a page of more than
    /// [`KEYS_FIRST_MOST_ROWS`] (an export's): reading its rows twice costs more than the plan
    /// saves.
    fn first_shape(&self) -> Shape {
        match self.backend {
            Backend::Sqlite => Shape::Rows,
            Backend::Postgres
                if self.filter.outlet_id.is_some()
                    || self.filter.outlet_group_id.is_some()
                    || self.page.size > KEYS_FIRST_MOST_ROWS =>
            {
                Shape::Rows
            }
            Backend::Postgres => Shape::Keys,
        }
    }

    /// The list statement. An email fragment is found as its plan (`email_plan`) says:
    /// walking the connectors in order and testing each one's email until the page is full,
    /// or from the few matching accounts.
    fn statement(&self, shape: Shape) -> Sql {
        let Self {
            backend,
            plan,
            organization,
            scope,
            filter,
            page,
            ref now,
        } = *self;
        let now = now.as_str();
        let reads_member = shape == Shape::Rows || filter.email.is_some() || filter.active_members;
        let (select, lookups) = match shape {
            Shape::Rows => (columns(), LOOKUPS),
            Shape::Keys => {
                let version = if reads_member || plan == FragmentPlan::Index {
                    VERSION_WITH_MEMBER
                } else {
                    VERSION
                };
                (format!("SELECT c.id, {version} AS version"), "")
            }
        };
        let mut query = match &filter.email {
            // (PostgreSQL's planner gathers the accounts through the predicate itself.)
            Some(email) if plan == FragmentPlan::Index && backend == Backend::Sqlite => {
                let mut query = Sql::new(format!(
                    "{select} {FROM_INDEXED_EMAIL} {lookups} WHERE m.organization_id = "
                ));
                // (A connector's membership is always of the connector's organization.)
                query.push_bind(organization);
                push_indexed_candidates(&mut query, plan, "a.id", SearchedText::Email, email);
                query
            }
            _ => {
                let member = if reads_member { MEMBER } else { "" };
                let mut query = Sql::new(format!(
                    "{select} FROM user_connectors c {member} {lookups} WHERE c.organization_id = "
                ));
                query.push_bind(organization);
                query
            }
        };
        if let Some(email) = &filter.email {
            query.push(" AND ");
            push_email_contains(&mut query, backend, plan, email);
        }
        push_outlet_scope(&mut query, "c.outlet_id", scope);
        if let Some(kind) = filter.connector_type {
            query.push(" AND c.type = ").push_bind(kind);
        }
        if let Some(role) = filter.role_id {
            query.push(" AND c.role_id = ").push_bind(role);
        }
        if let Some(outlet) = filter.outlet_id {
            query.push(" AND c.outlet_id = ").push_bind(outlet);
        }
        if let Some(group) = filter.outlet_group_id {
            query.push(" AND c.outlet_group_id = ").push_bind(group);
        }
        if let Some(outlet) = filter.reaches {
            query
                .push(" AND (c.type = 'L' OR c.outlet_id = ")
                .push_bind(outlet)
                .push(" OR c.outlet_group_id IN (SELECT group_id FROM outlet_group_outlets WHERE outlet_id = ")
                .push_bind(outlet)
                .push("))");
        }
        if filter.active_members {
            query.push(" AND m.status = 'active'");
        }
        if let Some(since) = filter.modified_since {
            query
                .push(" AND c.updated_at >= ")
                .push_bind(format_timestamp(since));
        }
        match filter.state {
            None => {}
            Some(ConnectorState::Scheduled) => {
                query.push(" AND c.starts_at > ").push_bind(now.to_string());
            }
            Some(ConnectorState::Active) => push_granting(&mut query, now),
            Some(ConnectorState::Ended) => {
                query.push(" AND c.ends_at <= ").push_bind(now.to_string());
            }
        }
        if let Some(after) = page.after {
            query.push(" AND c.id > ").push_bind(after);
        }
        query
            .push(" ORDER BY c.id LIMIT ")
            .push_bind(i64::from(page.fetch_limit()));
        query
    }
}

async fn email_plan(conn: &mut Conn, filter: &ConnectorFilter) -> sqlx::Result<FragmentPlan> {
    match &filter.email {
        Some(email) => fragment_plan(conn, SearchedText::Email, email, ListOrder::Unrelated).await,
        None => Ok(FragmentPlan::Walk),
    }
}

/// One keyset page (plus one row, to tell whether more follow).
///
/// On PostgreSQL the page's keys are mostly found first and their rows read by key
/// ([`by_keys`]; `Listing::first_shape` says when): two statements, which may see the
/// database at two moments. A row changed in between is left out by the second, and the page
/// is read again; after [`READS_BEFORE_ONE_STATEMENT`] such reads it is read in one statement.
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    filter: &ConnectorFilter,
    page: &PageRequest,
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<StoredConnector>> {
    let listing = Listing::new(conn, organization, scope, filter, page, now).await?;
    let mut rows = None;
    if listing.first_shape() == Shape::Keys {
        let keys = listing.statement(Shape::Keys);
        for _ in 0..READS_BEFORE_ONE_STATEMENT {
            let found: Vec<(ConnectorId, String)> = keys.fetch_all(conn).await?;
            let read = rows_by_keys(conn, organization, &found).await?;
            if read.len() == found.len() {
                rows = Some(read);
                break;
            }
        }
    }
    let rows = match rows {
        Some(rows) => rows,
        None => listing.statement(Shape::Rows).fetch_all_read(conn).await?,
    };
    Ok(rows.into_iter().map(|row| row.at(&listing.now)).collect())
}

/// The largest page PostgreSQL's list reads by its keys: the API's largest
/// ([`MAX_PAGE_SIZE`]); the CSV exports' pages of 500 are read in one statement. Measured
/// (release, 1,000,000 connectors; the whole access export, and `GET /api/v1/user-connectors`
/// at one connection in requests a second, one statement -> keys then rows): the export
/// 18.8 s -> 26-31 s; 150 rows 137-142 -> 222-226, 200 rows 128-130 -> 174-189.
const KEYS_FIRST_MOST_ROWS: u32 = MAX_PAGE_SIZE;

/// How many times PostgreSQL's list reads a page by its keys before it reads it in one
/// statement (rows of the page changing under each read).
const READS_BEFORE_ONE_STATEMENT: usize = 3;

async fn rows_by_keys(
    conn: &mut Conn,
    organization: OrganizationId,
    keys: &[(ConnectorId, String)],
) -> sqlx::Result<Vec<Row>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let (ids, versions): (Vec<uuid::Uuid>, Vec<&str>) = keys
        .iter()
        .map(|(id, version)| (id.0, version.as_str()))
        .unzip();
    let Driver::Postgres(c) = conn.driver() else {
        return Err(sqlx::Error::Configuration(
            "a page is read by its keys on PostgreSQL only".into(),
        ));
    };
    sqlx::query_as(&by_keys())
        .bind(&ids)
        .bind(&versions)
        .bind(organization)
        .fetch_all(c)
        .await
}

/// PostgreSQL: the keys of a page with the versions of the rows they were found by (the
/// list's first statement; tests).
pub async fn page_keys(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    filter: &ConnectorFilter,
    page: &PageRequest,
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<(ConnectorId, String)>> {
    Listing::new(conn, organization, scope, filter, page, now)
        .await?
        .statement(Shape::Keys)
        .fetch_all(conn)
        .await
}

/// PostgreSQL: the rows of keys [`page_keys`] found, leaving out those changed since (the
/// list's second statement; tests).
pub async fn rows_of_page_keys(
    conn: &mut Conn,
    organization: OrganizationId,
    keys: &[(ConnectorId, String)],
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<StoredConnector>> {
    let now = format_timestamp(now);
    Ok(rows_by_keys(conn, organization, keys)
        .await?
        .into_iter()
        .map(|row| row.at(&now))
        .collect())
}

/// `EXPLAIN QUERY PLAN` of the list's first statement (`Listing::first_shape`), one detail
/// line per step (tests check index use).
pub async fn explain_list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    filter: &ConnectorFilter,
    page: &PageRequest,
) -> sqlx::Result<Vec<String>> {
    let now = time::OffsetDateTime::now_utc();
    let listing = Listing::new(conn, organization, scope, filter, page, now).await?;
    let query = listing.statement(listing.first_shape());
    explain_details(conn, &query).await
}

/// One connector of the organization (scope is checked by the caller of the service).
pub async fn get(
    conn: &mut Conn,
    organization: OrganizationId,
    id: ConnectorId,
    now: time::OffsetDateTime,
) -> sqlx::Result<Option<StoredConnector>> {
    let row: Option<Row> = on!(conn, |c| sqlx::query_as(&format!(
        "{}$1 AND c.id = $2",
        select()
    ))
    .bind(organization)
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let now = format_timestamp(now);
    Ok(row.map(|row| row.at(&now)))
}

/// A new membership's facts.
pub struct NewMembership {
    pub managed_by: ManagedBy,
    pub managed_by_brand: Option<BrandId>,
    pub default_outlet: Option<OutletId>,
    /// Whether the organization sees the account's profile (false for an account that
    /// existed before the organization added it).
    pub profile_visible: bool,
}

/// The person's membership in the organization, if any.
pub async fn membership_of(
    conn: &mut Conn,
    organization: OrganizationId,
    user: UserId,
) -> sqlx::Result<Option<MembershipId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT id FROM memberships WHERE organization_id = $1 AND user_id = $2"
    )
    .bind(organization)
    .bind(user)
    .fetch_optional(c)
    .await)
}

/// Creates an active membership.
pub async fn insert_membership(
    conn: &mut Conn,
    organization: OrganizationId,
    user: UserId,
    new: NewMembership,
) -> sqlx::Result<MembershipId> {
    let id = MembershipId::generate();
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO memberships (id, organization_id, user_id, managed_by, managed_by_brand_id,
            default_outlet_id, profile_visible, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id)
    .bind(organization)
    .bind(user)
    .bind(new.managed_by)
    .bind(new.managed_by_brand)
    .bind(new.default_outlet)
    .bind(new.profile_visible)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(id)
}

/// The organization now sees the account's profile (it wrote it itself).
pub async fn show_profile(conn: &mut Conn, membership: MembershipId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE memberships SET profile_visible = TRUE WHERE id = $1"
    )
    .bind(membership)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn insert(
    conn: &mut Conn,
    organization: OrganizationId,
    membership: MembershipId,
    connector_type: ConnectorType,
    outlet: Option<OutletId>,
    role: RoleId,
) -> sqlx::Result<ConnectorId> {
    insert_dated(
        conn,
        organization,
        membership,
        (connector_type, Place::from(outlet), role),
        &Window::default(),
    )
    .await
}

/// Where a connector grants: the whole organization, one outlet, or an outlet group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Organization,
    Outlet(OutletId),
    Group(OutletGroupId),
}

impl From<Option<OutletId>> for Place {
    fn from(outlet: Option<OutletId>) -> Self {
        outlet.map_or(Place::Organization, Place::Outlet)
    }
}

impl Place {
    pub fn outlet(self) -> Option<OutletId> {
        match self {
            Place::Outlet(id) => Some(id),
            _ => None,
        }
    }

    pub fn group(self) -> Option<OutletGroupId> {
        match self {
            Place::Group(id) => Some(id),
            _ => None,
        }
    }
}

/// When a connector grants: from `starts_at` (inclusive) until `ends_at` (exclusive), each
/// open when `None` (ISO 8601 UTC, as stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

/// A connector granting only inside `window`.
pub async fn insert_dated(
    conn: &mut Conn,
    organization: OrganizationId,
    membership: MembershipId,
    (connector_type, place, role): (ConnectorType, Place, RoleId),
    window: &Window,
) -> sqlx::Result<ConnectorId> {
    let id = ConnectorId::generate();
    on!(execute conn, |c| {
        sqlx::query(
        "INSERT INTO user_connectors (id, organization_id, membership_id, type, outlet_id, role_id,
            starts_at, ends_at, created_at, updated_at, outlet_group_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
    )
    .bind(id)
    .bind(organization)
    .bind(membership)
    .bind(connector_type)
    .bind(place.outlet())
    .bind(role)
    .bind(window.starts_at.clone())
    .bind(window.ends_at.clone())
    .bind(now())
    .bind(place.group())
    .execute(c)
    .await
    })?;
    Ok(id)
}

/// Sets when a connector stops granting (`None`: never) and marks it modified.
pub async fn set_ends_at(
    conn: &mut Conn,
    id: ConnectorId,
    ends_at: Option<&str>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_connectors SET ends_at = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(ends_at)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Sets a connector's role and outlet (its type never changes) and marks it modified.
pub async fn update(
    conn: &mut Conn,
    id: ConnectorId,
    role: RoleId,
    outlet: Option<OutletId>,
) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_connectors SET role_id = $2, outlet_id = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(role)
    .bind(outlet)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

/// Marks every connector of an account modified in one organization (its names changed), so
/// incremental sync with `modified_since` sees the change.
pub async fn touch_membership(conn: &mut Conn, membership: MembershipId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "UPDATE user_connectors SET updated_at = $2 WHERE membership_id = $1"
    )
    .bind(membership)
    .bind(now())
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn delete(conn: &mut Conn, id: ConnectorId) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "DELETE FROM user_connectors WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Every grant of a membership: its role and place (`None`: the whole organization).
pub async fn grants_of(
    conn: &mut Conn,
    membership: MembershipId,
) -> sqlx::Result<Vec<(RoleId, Option<OutletId>)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT role_id, outlet_id FROM user_connectors WHERE membership_id = $1"
    )
    .bind(membership)
    .fetch_all(c)
    .await)
}

/// The connectors of a person (their account) in the organization that hold `role`.
pub async fn ids_with_role(
    conn: &mut Conn,
    organization: OrganizationId,
    user: UserId,
    role: RoleId,
) -> sqlx::Result<Vec<ConnectorId>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT c.id FROM user_connectors c JOIN memberships m ON m.id = c.membership_id
         WHERE m.organization_id = $1 AND m.user_id = $2 AND c.role_id = $3 ORDER BY c.id"
    )
    .bind(organization)
    .bind(user)
    .bind(role)
    .fetch_all(c)
    .await)
}
