//! People of an organization (memberships joined to their accounts), always read through a
//! policy scope: a caller limited to some outlets only sees people connected to them, and
//! only their connectors there. Names and usernames are read as the organization may see
//! them (`VISIBLE_*`), for display and for search alike.

use std::collections::HashMap;

use super::{
    Backend, Conn, FragmentPlan, ListOrder, SearchedText, Sql, VISIBLE_FIRST_NAME,
    VISIBLE_LAST_NAME, VISIBLE_MOBILE, VISIBLE_USERNAME, explain_details, format_timestamp,
    fragment_plan, push_contains, push_in, push_indexed_candidates, push_outlet_scope,
    push_trigram_match,
};
use crate::domain::model::{
    ConnectorSummary, ConnectorType, EffectiveGrant, ManagedBy, MembershipStatus,
};
use crate::domain::user_commands::{ManagedFilter, PeopleSelection, SignInFilter};
use crate::domain::{ConnectorId, MembershipId, OrganizationId, OutletId, Scope, UserId};

/// Starts `… FROM memberships m JOIN user_accounts a … WHERE` for people in scope.
fn people_in_scope(select: &str, organization: OrganizationId, scope: &Scope) -> Sql {
    people_from(Members::All, select, organization, scope)
}

/// Where a people query reads the memberships `m` from.
#[derive(Debug, Clone, Copy)]
enum Members<'a> {
    /// The organization's, in whatever order the database likes.
    All,
    /// SQLite: the organization's in the order of the sort index (named, so that another
    /// index on the organization never sorts every member).
    InSortOrder,
    /// PostgreSQL: those of the accounts whose text holds this fragment, gathered through the
    /// trigram index before anything else is read (subqueries it may not flatten, `OFFSET 0`).
    /// Left to itself, its planner walks the sort index testing each member for the few that
    /// match: its statistics tell how common a fragment is, not that a surname's matches sit
    /// together in name order (`smith` at 200,000 people: 1.2 s).
    Matching(&'a str),
}

/// The same, reading `memberships m` as `members` says.
fn people_from(
    members: Members<'_>,
    select: &str,
    organization: OrganizationId,
    scope: &Scope,
) -> Sql {
    let mut query = Sql::new(select);
    query.push(" FROM ");
    match members {
        Members::All => {
            query.push("memberships m");
        }
        Members::InSortOrder => {
            query.push("memberships m INDEXED BY memberships_org_sort");
        }
        Members::Matching(fragment) => {
            // The matching accounts, then each one's membership here by its key: subqueries
            // it may not flatten, so that it cannot hash-join the organization's every
            // member to them either (it did, from an estimate three times too high).
            query.push("(SELECT * FROM user_accounts WHERE ");
            push_trigram_match(&mut query, SearchedText::Person, fragment);
            query.push(
                " OFFSET 0) a CROSS JOIN LATERAL (SELECT * FROM memberships
                    WHERE user_id = a.id AND organization_id = ",
            );
            query.push_bind(organization);
            query.push(" OFFSET 0) m");
        }
    }
    if !matches!(members, Members::Matching(_)) {
        query.push(" JOIN user_accounts a ON a.id = m.user_id");
    }
    query.push(
        " LEFT JOIN brands b ON b.id = m.managed_by_brand_id
          WHERE m.organization_id = ",
    );
    query.push_bind(organization);
    if !matches!(scope, Scope::Organization) {
        // The members with a grant at the scope's outlets, found from those outlets' grants
        // (an index per outlet), so a scoped list never tests each of the organization's members.
        query.push(
            " AND m.id IN (SELECT sc.membership_id FROM user_connectors sc WHERE sc.organization_id = ",
        );
        query.push_bind(organization);
        push_outlet_scope(&mut query, "sc.outlet_id", scope);
        query.push(")");
    }
    query
}

/// A selection and how its search text is found, decided once for a request's count and page.
pub struct Search<'a> {
    selection: &'a PeopleSelection,
    backend: Backend,
    plan: FragmentPlan,
    /// The search text is a member's external id (employee number): it selects that member.
    external_id: bool,
    /// Before this time (ISO 8601, as stored), for `SignInFilter::NotFor`.
    sign_in_cutoff: Option<String>,
}

impl Search<'_> {
    /// The fragment whose matching members PostgreSQL gathers first ([`Members::Matching`]);
    /// SQLite names its candidates in the selection instead, which it reads first by itself.
    fn gathered(&self) -> Option<&str> {
        let fragment = self.selection.search_text()?;
        (self.backend == Backend::Postgres && self.plan == FragmentPlan::Index && !self.external_id)
            .then_some(fragment)
    }
}

/// Decides how to find the selection's search text (a walk when there is none). A text that
/// is exactly an external id of the organization selects its holder (an employee number is
/// looked up, not searched).
pub async fn search<'a>(
    conn: &mut Conn,
    organization: OrganizationId,
    selection: &'a PeopleSelection,
    now: time::OffsetDateTime,
) -> sqlx::Result<Search<'a>> {
    let sign_in_cutoff = match selection.sign_in {
        Some(SignInFilter::NotFor { days }) => Some(format_timestamp(
            now - time::Duration::days(i64::from(days)),
        )),
        _ => None,
    };
    let mut search = Search {
        selection,
        backend: conn.backend(),
        plan: FragmentPlan::Walk,
        external_id: false,
        sign_in_cutoff,
    };
    let Some(fragment) = selection.search_text() else {
        return Ok(search);
    };
    if super::users::member_by_external_id(conn, organization, fragment)
        .await?
        .is_some()
    {
        search.external_id = true;
        return Ok(search);
    }
    search.plan = fragment_plan(conn, SearchedText::Person, fragment, ListOrder::ByName).await?;
    Ok(search)
}

/// The selection: a fragment of the email, the name or the username (as the organization
/// sees them), who manages the person, their status.
fn push_selection(query: &mut Sql, search: &Search<'_>) {
    let (selection, plan) = (search.selection, search.plan);
    match selection.managed {
        None => {}
        Some(ManagedFilter::By(managed_by)) => {
            query.push(" AND m.managed_by = ").push_bind(managed_by);
        }
        Some(ManagedFilter::Brand(brand)) => {
            query.push(" AND m.managed_by_brand_id = ").push_bind(brand);
        }
    }
    if let Some(status) = selection.status {
        query.push(" AND m.status = ").push_bind(status);
    }
    match (selection.sign_in, &search.sign_in_cutoff) {
        (Some(SignInFilter::Never), _) => {
            query.push(" AND a.last_signed_in_at IS NULL");
        }
        (Some(SignInFilter::NotFor { .. }), Some(cutoff)) => {
            query
                .push(" AND COALESCE(a.last_signed_in_at, m.created_at) < ")
                .push_bind(cutoff.clone());
        }
        _ => {}
    }
    if let Some(fragment) = selection.search_text()
        && search.external_id
    {
        query
            .push(" AND m.external_id = ")
            .push_bind(fragment.to_string());
    } else if let Some(fragment) = selection.search_text() {
        let backend = search.backend;
        if backend == Backend::Sqlite {
            // (PostgreSQL gathers them in the FROM: `Members::Matching`.)
            push_indexed_candidates(query, plan, "a.id", SearchedText::Person, fragment);
        }
        query.push(" AND (");
        push_contains(query, backend, "a.email", fragment);
        query.push(" OR ");
        let name = format!("{VISIBLE_FIRST_NAME} || ' ' || {VISIBLE_LAST_NAME}");
        push_contains(query, backend, &name, fragment);
        query.push(" OR ");
        push_contains(query, backend, VISIBLE_USERNAME, fragment);
        query.push(")");
    }
}

/// How many people match, counting no further than `cap` (the list says "more than").
pub async fn count(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    search: &Search<'_>,
    cap: i64,
) -> sqlx::Result<i64> {
    let members = search.gathered().map_or(Members::All, Members::Matching);
    let mut count = people_from(
        members,
        "SELECT COUNT(*) FROM (SELECT 1",
        organization,
        scope,
    );
    push_selection(&mut count, search);
    count.push(" LIMIT ").push_bind(cap).push(") AS capped");
    count.scalar(conn).await
}

/// A membership's place in the people list (its sort key), when it is of the organization.
pub async fn position(
    conn: &mut Conn,
    organization: OrganizationId,
    membership: MembershipId,
) -> sqlx::Result<Option<(String, MembershipId)>> {
    on!(conn, |c| sqlx::query_as(
        "SELECT sort_key, id FROM memberships WHERE id = $1 AND organization_id = $2"
    )
    .bind(membership)
    .bind(organization)
    .fetch_optional(c)
    .await)
}

/// One row of the people list, before its roles are added.
#[derive(sqlx::FromRow)]
pub struct PersonListRow {
    pub membership_id: MembershipId,
    pub user_id: UserId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: Option<String>,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub brand: Option<String>,
    pub last_signed_in_at: Option<String>,
}

/// People by last name, first name and email as the organization sees them (the membership's
/// sort key), `limit` of them after `after`: keyset paging on the `(organization_id, sort_key,
/// id)` index, however deep.
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    search: &Search<'_>,
    after: Option<&(String, MembershipId)>,
    limit: i64,
) -> sqlx::Result<Vec<PersonListRow>> {
    list_query(conn.backend(), organization, scope, search, after, limit)
        .fetch_all(conn)
        .await
}

/// `EXPLAIN QUERY PLAN` of the list query, one detail line per step (tests check index use).
pub async fn explain_list(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    selection: &PeopleSelection,
) -> sqlx::Result<Vec<String>> {
    let search = search(
        conn,
        organization,
        selection,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    let query = list_query(conn.backend(), organization, scope, &search, None, 16);
    explain_details(conn, &query).await
}

/// The list query (`backend`: SQLite is told which index yields the order).
fn list_query(
    backend: Backend,
    organization: OrganizationId,
    scope: &Scope,
    search: &Search<'_>,
    after: Option<&(String, MembershipId)>,
    limit: i64,
) -> Sql {
    // Across the organization, with no search or a common or short one, the page is read in
    // order from the sort index, stopping at the page size (named, so that another index on
    // the organization never sorts every member); with a search too rare to walk for in name
    // order (`ListOrder::ByName`) or a scope of outlets, those candidates are found first and
    // only they are sorted (an external id: its one
    // holder, through the organization's external id index).
    let members = if let Some(fragment) = search.gathered() {
        Members::Matching(fragment)
    } else if backend == Backend::Postgres
        || search.plan == FragmentPlan::Index
        || search.external_id
        || !matches!(scope, Scope::Organization)
    {
        Members::All
    } else {
        Members::InSortOrder
    };
    let mut select = people_from(
        members,
        &format!(
            "SELECT m.id AS membership_id, a.id AS user_id, {VISIBLE_FIRST_NAME} AS first_name,
                {VISIBLE_LAST_NAME} AS last_name, a.email, {VISIBLE_USERNAME} AS username,
                m.status, m.managed_by, b.name AS brand, a.last_signed_in_at"
        ),
        organization,
        scope,
    );
    push_selection(&mut select, search);
    if let Some((key, id)) = after {
        select
            .push(" AND (m.sort_key, m.id) > (")
            .push_bind(key.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    select.push(" ORDER BY m.sort_key, m.id LIMIT ");
    select.push_bind(limit);
    select
}

/// Distinct role names per membership, limited to connectors inside `scope`.
pub async fn roles_by_membership(
    conn: &mut Conn,
    memberships: &[MembershipId],
    scope: &Scope,
) -> sqlx::Result<HashMap<MembershipId, Vec<String>>> {
    if memberships.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = Sql::new(
        "SELECT c.membership_id, r.name FROM user_connectors c
         JOIN roles r ON r.id = c.role_id WHERE ",
    );
    push_in(&mut query, "c.membership_id", memberships);
    push_outlet_scope(&mut query, "c.outlet_id", scope);
    query.push(" GROUP BY c.membership_id, r.name ORDER BY lower(r.name)");
    let pairs: Vec<(MembershipId, String)> = query.fetch_all(conn).await?;
    let mut roles: HashMap<MembershipId, Vec<String>> = HashMap::new();
    for (membership, role) in pairs {
        roles.entry(membership).or_default().push(role);
    }
    Ok(roles)
}

/// Where each membership's connectors inside `scope` grant: the whole organization, outlets
/// ("Name (NUMBER)") and outlet groups, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub whole_organization: bool,
    pub outlets: Vec<String>,
    pub groups: Vec<String>,
}

pub async fn places_by_membership(
    conn: &mut Conn,
    memberships: &[MembershipId],
    scope: &Scope,
) -> sqlx::Result<HashMap<MembershipId, Places>> {
    let mut places: HashMap<MembershipId, Places> = HashMap::new();
    if memberships.is_empty() {
        return Ok(places);
    }
    let mut query = Sql::new(
        "SELECT c.membership_id, c.type, o.name, o.number, g.name FROM user_connectors c
         LEFT JOIN outlets o ON o.id = c.outlet_id
         LEFT JOIN outlet_groups g ON g.id = c.outlet_group_id WHERE ",
    );
    push_in(&mut query, "c.membership_id", memberships);
    push_outlet_scope(&mut query, "c.outlet_id", scope);
    type Line = (
        MembershipId,
        ConnectorType,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let lines: Vec<Line> = query.fetch_all(conn).await?;
    for (membership, kind, outlet, number, group) in lines {
        let entry = places.entry(membership).or_default();
        match (kind, outlet.zip(number), group) {
            (ConnectorType::Library, ..) => entry.whole_organization = true,
            (_, Some((name, number)), _) => entry.outlets.push(format!("{name} ({number})")),
            (_, None, Some(group)) => entry.groups.push(group),
            (_, None, None) => {}
        }
    }
    for entry in places.values_mut() {
        for list in [&mut entry.outlets, &mut entry.groups] {
            list.sort_by_key(|text| text.to_lowercase());
            list.dedup();
        }
    }
    Ok(places)
}

/// A person's membership and account, as the organization sees them.
#[derive(sqlx::FromRow)]
pub struct PersonRecordRow {
    pub membership_id: MembershipId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: Option<String>,
    pub mobile: Option<String>,
    pub status: MembershipStatus,
    pub managed_by: ManagedBy,
    pub brand: Option<String>,
    pub external_id: Option<String>,
    pub default_outlet_id: Option<OutletId>,
    pub default_outlet: Option<String>,
    pub all_reports_access: bool,
    pub last_signed_in_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The person `user` in the organization, or `None` when they are not a member or are
/// outside `scope` (the caller cannot tell the two apart).
pub async fn get(
    conn: &mut Conn,
    organization: OrganizationId,
    scope: &Scope,
    user: UserId,
) -> sqlx::Result<Option<PersonRecordRow>> {
    let mut select = people_in_scope(
        &format!(
            "SELECT m.id AS membership_id, {VISIBLE_FIRST_NAME} AS first_name,
                {VISIBLE_LAST_NAME} AS last_name, a.email, {VISIBLE_USERNAME} AS username,
                {VISIBLE_MOBILE} AS mobile, m.status, m.managed_by, b.name AS brand, m.external_id,
                m.default_outlet_id,
                (SELECT o.name FROM outlets o WHERE o.id = m.default_outlet_id) AS default_outlet,
                m.all_reports_access, a.last_signed_in_at, m.created_at, m.updated_at"
        ),
        organization,
        scope,
    );
    select.push(" AND a.id = ");
    select.push_bind(user);
    select.fetch_optional(conn).await
}

/// A membership's connectors inside `scope`.
pub async fn connectors_of(
    conn: &mut Conn,
    membership: MembershipId,
    scope: &Scope,
) -> sqlx::Result<Vec<ConnectorSummary>> {
    let mut connectors = Sql::new(
        "SELECT c.id, c.type, coalesce(o.name, g.name || ' (outlet group)'), r.name
         FROM user_connectors c
         JOIN roles r ON r.id = c.role_id
         LEFT JOIN outlets o ON o.id = c.outlet_id
         LEFT JOIN outlet_groups g ON g.id = c.outlet_group_id
         WHERE c.membership_id = ",
    );
    connectors.push_bind(membership);
    push_outlet_scope(&mut connectors, "c.outlet_id", scope);
    connectors.push(" ORDER BY c.type, lower(o.name), lower(r.name)");
    let rows: Vec<(ConnectorId, ConnectorType, Option<String>, String)> =
        connectors.fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, connector_type, outlet, role)| ConnectorSummary {
            id,
            connector_type,
            outlet,
            role,
        })
        .collect())
}

/// What the membership's connectors inside `scope` grant at `now`: one entry per connector,
/// with its role's permissions.
pub async fn effective_of(
    conn: &mut Conn,
    membership: MembershipId,
    scope: &Scope,
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<EffectiveGrant>> {
    let mut query = Sql::new(
        "SELECT c.id, o.name, o.number, r.name, b.name, c.ends_at, p.permission, g.name
         FROM user_connectors c
         JOIN roles r ON r.id = c.role_id
         LEFT JOIN brands b ON b.id = r.brand_id
         LEFT JOIN role_permissions p ON p.role_id = r.id
         LEFT JOIN outlet_groups g ON g.id = c.outlet_group_id
         LEFT JOIN outlet_group_outlets go ON go.group_id = c.outlet_group_id
         LEFT JOIN outlets o ON o.id = coalesce(c.outlet_id, go.outlet_id)
         WHERE o.archived_at IS NULL AND (c.outlet_group_id IS NULL OR go.outlet_id IS NOT NULL)
           AND c.membership_id = ",
    );
    query.push_bind(membership);
    super::connectors::push_granting(&mut query, &format_timestamp(now));
    push_outlet_scope(&mut query, "c.outlet_id", scope);
    query.push(" ORDER BY c.type, lower(o.name), o.number, lower(r.name), c.id, p.permission");
    type Line = (
        ConnectorId,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let lines: Vec<Line> = query.fetch_all(conn).await?;
    // One entry per connector and place: a group's connector at each of its outlets.
    let mut grants: Vec<((ConnectorId, Option<String>), EffectiveGrant)> = Vec::new();
    for (id, outlet, number, role, brand, ends_at, permission, group) in lines {
        let key = (id, number.clone());
        if grants.last().is_none_or(|(last, _)| *last != key) {
            let place = outlet
                .zip(number)
                .map(|(name, number)| format!("{name} ({number})"));
            grants.push((
                key,
                EffectiveGrant {
                    place,
                    role,
                    brand,
                    group,
                    permissions: Vec::new(),
                    ends_at,
                },
            ));
        }
        if let (Some(permission), Some((_, grant))) = (permission, grants.last_mut()) {
            grant.permissions.push(permission);
        }
    }
    Ok(grants.into_iter().map(|(_, grant)| grant).collect())
}

/// A membership's report roles, by name.
pub async fn report_roles_of(
    conn: &mut Conn,
    membership: MembershipId,
) -> sqlx::Result<Vec<String>> {
    on!(conn, |c| sqlx::query_scalar(
        "SELECT rr.name FROM membership_report_roles mr
         JOIN report_roles rr ON rr.id = mr.report_role_id
         WHERE mr.membership_id = $1 ORDER BY lower(rr.name)",
    )
    .bind(membership)
    .fetch_all(c)
    .await)
}
