//! Users (the R365 view): list, get, create and change a membership of the caller's
//! organization through its connectors. The same rules as everywhere: the policy decides
//! inside the unit of work that writes, nobody grants a role above their own, the API User
//! Permissions setting locks console edits, and every change is an audit event.

use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::connectors::{check_new_grant, console_facts, facts, roles_by_id};
use super::{Context, Principal, Work, refused};
use crate::domain::model::{ConnectorType, MembershipStatus, Outlet, OutletRef, Paged, Role};
use crate::domain::policy::{self, ExistingGrant, ProfileFacts, Refusal};
use crate::domain::user_commands::{
    AccessChange, NewUser, ReportsChange, UserChange, UserListQuery,
};
use crate::domain::users::{ReportRole, User, UserRoleRef};
use crate::domain::{
    AppError, BrandId, MembershipId, OrganizationId, OutletId, Permission, RoleId, Scope, UserId,
};
use crate::store::connectors::NewMembership;
use crate::store::users::{Grant, MembershipSettings, ProfileUpdate, UserRow};
use crate::store::{self, Conn, audit};

/// A grant as the users view writes it: role, its type, and the outlet (`None`: the whole
/// organization).
type GrantKey = (RoleId, ConnectorType, Option<OutletId>);

/// At most this many connectors from one access change (outlet roles × locations).
const MAX_GRANTS: usize = 10_000;

/// The view of one membership from its rows.
fn view(
    row: UserRow,
    grants: Vec<Grant>,
    report_roles: Option<Vec<ReportRole>>,
    external_locations: Vec<crate::domain::users::ExternalLocation>,
) -> User {
    let all_location_access = grants
        .iter()
        .any(|g| g.connector_type == ConnectorType::Library);
    let mut roles = BTreeMap::new();
    let mut locations = BTreeMap::new();
    for grant in grants {
        roles.insert(grant.role_id, grant.role_name);
        if let (Some(id), Some(name), Some(number)) =
            (grant.outlet_id, grant.outlet_name, grant.outlet_number)
        {
            locations.insert(id, OutletRef { id, name, number });
        }
    }
    let mut user_roles: Vec<UserRoleRef> = roles
        .into_iter()
        .map(|(id, name)| UserRoleRef { id, name })
        .collect();
    user_roles.sort_by_key(|role| role.name.to_lowercase());
    let mut locations: Vec<OutletRef> = locations.into_values().collect();
    locations.sort_by_key(|outlet| outlet.name.to_lowercase());
    User {
        id: row.user_id,
        default_location: row.default_location(),
        managed_by_brand: row.brand(),
        username: row.username,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        mobile_number: row.mobile,
        inactive: row.status == MembershipStatus::Inactive,
        all_location_access,
        all_reports_access: row.all_reports_access,
        user_roles,
        report_roles: report_roles.filter(|_| !row.all_reports_access),
        locations: (!all_location_access).then_some(locations),
        external_locations,
        managed_by: row.managed_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The views of these rows, as a viewer limited to `scope` sees them: connectors inside it,
/// report roles only for viewers of the whole organization.
async fn assemble(
    conn: &mut Conn,
    scope: &Scope,
    rows: Vec<UserRow>,
) -> Result<Vec<User>, AppError> {
    let ids: Vec<MembershipId> = rows.iter().map(|r| r.membership_id).collect();
    let mut grants = store::users::grants_of(conn, &ids, scope).await?;
    let organization_wide = policy::sees_organization_details(scope);
    let mut reports = if organization_wide {
        store::users::report_roles_of(conn, &ids).await?
    } else {
        HashMap::new()
    };
    let mut externals = store::users::external_locations_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.membership_id;
            view(
                row,
                grants.remove(&id).unwrap_or_default(),
                organization_wide.then(|| reports.remove(&id).unwrap_or_default()),
                externals.remove(&id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The users list with its filters, keyset-paged by user id.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list(
    context: &Context,
    who: &Principal,
    query: &UserListQuery,
) -> Result<Paged<User>, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    let rows = store::users::list(
        &mut conn,
        who.organization_id,
        &scope,
        &query.filter,
        &query.page,
    )
    .await?;
    let page = query.page.page(rows, |row| row.user_id.0);
    Ok(Paged {
        results: assemble(&mut conn, &scope, page.results).await?,
        next_cursor: page.next_cursor,
    })
}

/// One user in the viewer's scope; 404 otherwise.
pub async fn get(context: &Context, who: &Principal, user: UserId) -> Result<User, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    load(&mut conn, who, &scope, user).await
}

async fn load(
    conn: &mut Conn,
    who: &Principal,
    scope: &Scope,
    user: UserId,
) -> Result<User, AppError> {
    let row = store::users::get(conn, who.organization_id, scope, user)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(assemble(conn, scope, vec![row]).await?.remove(0))
}

/// The organization's report roles (for whoever may list roles).
pub async fn report_roles(context: &Context, who: &Principal) -> Result<Vec<ReportRole>, AppError> {
    who.access.may_list_roles()?;
    let mut conn = context.read().await?;
    Ok(store::users::report_roles(&mut conn, who.organization_id).await?)
}

/// Who may create users at all: people are managed and access is granted.
pub fn may_create(who: &Principal) -> Result<(), AppError> {
    who.scope_for(Permission::ManageUsers)?;
    who.scope_for(Permission::ManageConnectors)?;
    Ok(())
}

/// What an access change resolves to.
struct Plan {
    grants: BTreeSet<GrantKey>,
    roles: HashMap<RoleId, Role>,
    outlets: HashMap<OutletId, Outlet>,
}

/// The grants the users view asks for: each library role for the organization, each outlet
/// role at each location. `all_location_access` must agree with the roles.
async fn plan_access(
    conn: &mut Conn,
    who: &Principal,
    roles: &[RoleId],
    locations: &[OutletId],
    all_location_access: Option<bool>,
) -> Result<Plan, AppError> {
    let offered = roles_by_id(conn, who).await?;
    let mut problems = crate::domain::error::Problems::default();
    let mut chosen = HashMap::new();
    for role in roles {
        match offered.get(role) {
            Some(found) => {
                chosen.insert(*role, found.clone());
            }
            None => problems.add(
                "user_roles",
                format!("{role} is not a role of this organization (see /api/v1/user-roles)."),
            ),
        }
    }
    let reach = who.access.reach();
    let found = if locations.is_empty() {
        Vec::new()
    } else {
        let wanted = Scope::Outlets(locations.iter().copied().collect());
        store::catalog::outlets_by_name(conn, who.organization_id, &wanted).await?
    };
    let outlets: HashMap<OutletId, Outlet> = found
        .into_iter()
        .filter(|o| reach.covers(Some(o.id)))
        .map(|o| (o.id, o))
        .collect();
    if let Some(missing) = locations.iter().find(|l| !outlets.contains_key(l)) {
        problems.add(
            "locations",
            format!("{missing} is not an outlet of this organization."),
        );
    }
    problems.finish()?;
    let library: Vec<&Role> = chosen
        .values()
        .filter(|r| r.role_type == ConnectorType::Library)
        .collect();
    let outlet_roles: Vec<&Role> = chosen
        .values()
        .filter(|r| r.role_type == ConnectorType::Outlet)
        .collect();
    match all_location_access {
        Some(true) if library.is_empty() => {
            return Err(AppError::field(
                "all_location_access",
                "Access to every location comes from a library role (L): add one to user_roles, or send false.",
            ));
        }
        Some(false) if !library.is_empty() => {
            return Err(AppError::field(
                "all_location_access",
                "A library role (L) gives access to every location: send true, or leave library roles out.",
            ));
        }
        _ => {}
    }
    if !outlet_roles.is_empty() && locations.is_empty() {
        return Err(AppError::field(
            "locations",
            "Outlet roles (O) apply at locations: give at least one location.",
        ));
    }
    if outlet_roles.is_empty() && !locations.is_empty() {
        return Err(AppError::field(
            "locations",
            "Locations take outlet roles (O), and none is among user_roles.",
        ));
    }
    if outlet_roles.len() * locations.len() > MAX_GRANTS {
        return Err(AppError::field(
            "locations",
            format!("At most {MAX_GRANTS} outlet grants (roles × locations) at once."),
        ));
    }
    let mut grants = BTreeSet::new();
    for role in library {
        grants.insert((role.id, ConnectorType::Library, None));
    }
    for role in outlet_roles {
        for location in locations {
            grants.insert((role.id, ConnectorType::Outlet, Some(*location)));
        }
    }
    Ok(Plan {
        grants,
        roles: chosen,
        outlets,
    })
}

/// Checks every grant added and every grant removed by going from `before` to `plan`.
fn check_grant_changes(
    who: &Principal,
    offered: &HashMap<RoleId, Role>,
    before: &BTreeSet<GrantKey>,
    plan: &Plan,
) -> Result<(), AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    for (role, _, place) in before.difference(&plan.grants) {
        let role = offered
            .get(role)
            .ok_or_else(|| refused(Refusal::OutsideScope, true))?;
        let grant = ExistingGrant {
            role: facts(role),
            place: *place,
            own: false,
        };
        policy::may_change_grant(&who.access, &manage, grant, None)
            .map_err(|refusal| refused(refusal, true))?;
    }
    for (role, _, place) in plan.grants.difference(before) {
        let role = &plan.roles[role];
        let outlet = place.and_then(|p| plan.outlets.get(&p));
        check_new_grant(who, &manage, role, outlet)?;
    }
    Ok(())
}

/// The default location: an outlet of the organization the person can reach.
async fn check_default_location(
    conn: &mut Conn,
    who: &Principal,
    default: Option<OutletId>,
    grants: &BTreeSet<GrantKey>,
) -> Result<(), AppError> {
    let Some(default) = default else {
        return Ok(());
    };
    let exists = store::catalog::outlet(conn, who.organization_id, default)
        .await?
        .is_some_and(|o| who.access.reach().covers(Some(o.id)));
    if !exists {
        return Err(AppError::field(
            "default_location",
            "There is no such outlet in this organization.",
        ));
    }
    let reachable = grants
        .iter()
        .any(|(_, kind, place)| *kind == ConnectorType::Library || *place == Some(default));
    if !reachable {
        return Err(AppError::field(
            "default_location",
            "The default location must be one of the person's locations.",
        ));
    }
    Ok(())
}

/// The report settings after `change`, checked: organization-wide management, known roles.
async fn resolve_reports(
    conn: &mut Conn,
    who: &Principal,
    change: &ReportsChange,
    current: (bool, Vec<crate::domain::ReportRoleId>),
) -> Result<(bool, Vec<crate::domain::ReportRoleId>), AppError> {
    policy::may_change_organization_details(&who.access).map_err(|r| refused(r, true))?;
    let all = change.all_reports_access.unwrap_or(current.0);
    let roles = match &change.report_roles {
        Some(roles) => roles.clone(),
        None if change.all_reports_access == Some(true) => Vec::new(),
        None => current.1,
    };
    let known = store::users::known_report_roles(conn, who.organization_id, &roles).await?;
    if let Some(unknown) = roles.iter().find(|r| !known.contains(r)) {
        return Err(AppError::field(
            "report_roles",
            format!(
                "{unknown} is not a report role of this organization (see /api/v1/report-roles)."
            ),
        ));
    }
    if all && !roles.is_empty() {
        return Err(AppError::field(
            "report_roles",
            "all_reports_access already gives every report: leave report_roles out.",
        ));
    }
    Ok((all, roles))
}

/// The managing brand of a person the API provisions: the one given (owned by the
/// organization), else the organization's only brand.
async fn managing_brand(
    conn: &mut Conn,
    who: &Principal,
    given: Option<Option<BrandId>>,
) -> Result<Option<BrandId>, AppError> {
    match given {
        None if who.via_console() => Ok(None),
        None => Ok(store::catalog::sole_owned_brand(conn, who.organization_id).await?),
        Some(None) => Ok(None),
        Some(Some(_)) if who.via_console() => Err(AppError::field(
            "managed_by_brand",
            "The managing brand is set by the API that provisions the person.",
        )),
        Some(Some(brand)) => {
            if store::users::owns_brand(conn, who.organization_id, brand).await? {
                Ok(Some(brand))
            } else {
                Err(AppError::field(
                    "managed_by_brand",
                    "There is no such brand of this organization.",
                ))
            }
        }
    }
}

fn duplicate(field: &str) -> AppError {
    match field {
        "email" => AppError::conflict(
            "duplicate_email",
            "A user with this email already exists in this organization.",
        ),
        _ => AppError::conflict("duplicate_username", "This username is taken."),
    }
}

async fn audit_user(
    conn: &mut Conn,
    who: &Principal,
    organization: OrganizationId,
    action: &str,
    user: UserId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        organization_id: Some(organization),
        action,
        target_type: "user",
        target_id: Some(user.0),
        before,
        after,
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

/// Creates one user (an item of the bulk create): the account (or reuses the one with this
/// email, unchanged, when it belongs to no membership here), the membership, its connectors,
/// report roles and external locations, in the caller's unit of work.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create(work: &mut Work, who: &Principal, new: NewUser) -> Result<User, AppError> {
    may_create(who)?;
    let organization = who.organization_id;
    let existing = store::users::account_with(work, true, new.email.as_str()).await?;
    if let Some(account) = existing
        && store::connectors::membership_of(work, organization, account)
            .await?
            .is_some()
    {
        return Err(duplicate("email"));
    }
    if existing.is_none()
        && store::users::account_with(work, false, new.username.as_str())
            .await?
            .is_some()
    {
        return Err(duplicate("username"));
    }
    let plan = plan_access(
        work,
        who,
        new.access.user_roles.as_deref().unwrap_or_default(),
        new.access.locations.as_deref().unwrap_or_default(),
        new.access.all_location_access,
    )
    .await?;
    let offered = roles_by_id(work, who).await?;
    check_grant_changes(who, &offered, &BTreeSet::new(), &plan)?;
    check_default_location(work, who, Some(new.default_location), &plan.grants).await?;
    let reports = match &new.reports {
        Some(change) => resolve_reports(work, who, change, (false, Vec::new())).await?,
        None => (false, Vec::new()),
    };
    let brand = managing_brand(work, who, new.managed_by_brand).await?;

    let user = match existing {
        Some(account) => account,
        None => {
            let id = store::accounts::insert(
                work,
                &new.email,
                &new.username,
                Some(&new.first_name),
                Some(&new.last_name),
            )
            .await?;
            if let Some(mobile) = &new.mobile {
                let profile = ProfileUpdate {
                    username: None,
                    email: None,
                    first_name: None,
                    last_name: None,
                    mobile: Some(Some(mobile.as_str())),
                };
                store::users::update_profile(work, id, &profile).await?;
            }
            id
        }
    };
    policy::not_own_access(who.is(user)).map_err(|r| refused(r, true))?;
    let membership = store::connectors::insert_membership(
        work,
        organization,
        user,
        NewMembership {
            managed_by: who.manages_as(),
            managed_by_brand: brand,
            default_outlet: Some(new.default_location),
            profile_visible: existing.is_none(),
        },
    )
    .await?;
    let settings = MembershipSettings {
        status: if new.inactive {
            MembershipStatus::Inactive
        } else {
            MembershipStatus::Active
        },
        default_outlet: Some(new.default_location),
        all_reports_access: reports.0,
        managed_by_brand: brand,
    };
    store::users::set_settings(work, membership, &settings).await?;
    store::users::set_report_roles(work, membership, &reports.1).await?;
    store::users::rewrite_connectors(work, organization, membership, &plan.grants).await?;
    if !new.external_locations.is_empty() {
        apply_external_locations(work, who, user, brand, &plan.roles, &new.external_locations)
            .await?;
    }
    let created = load(work, who, &Scope::Organization, user).await?;
    audit_user(
        work,
        who,
        organization,
        "user.created",
        user,
        None,
        Some(json!(created)),
    )
    .await?;
    Ok(created)
}

/// Gives a corporate brand-managed person access at outlets of the brand's franchisees:
/// in each franchisee organization a membership managed by the brand (created when needed),
/// holding the person's outlet roles of that brand at the given outlets there, and nothing
/// in the brand's other franchisees.
async fn apply_external_locations(
    work: &mut Work,
    who: &Principal,
    user: UserId,
    brand: Option<BrandId>,
    roles: &HashMap<RoleId, Role>,
    outlets: &[OutletId],
) -> Result<(), AppError> {
    let Some(brand) = brand else {
        if outlets.is_empty() {
            return Ok(());
        }
        return Err(AppError::field(
            "external_locations",
            "Only a person managed by one of your brands gets locations of its franchisees.",
        ));
    };
    if !outlets.is_empty() && !who.access.allows(Permission::ManageConnectors, None) {
        return Err(AppError::denied(
            "organization_wide",
            "Access at franchisees' outlets is granted by someone who manages access across the organization.",
        ));
    }
    let found = store::users::franchise_outlets(work, brand, outlets).await?;
    if let Some(missing) = outlets.iter().find(|o| !found.iter().any(|f| f.0 == **o)) {
        return Err(AppError::field(
            "external_locations",
            format!("{missing} is not an outlet of a franchisee of the person's brand."),
        ));
    }
    let brand_roles: Vec<&Role> = roles
        .values()
        .filter(|r| {
            r.role_type == ConnectorType::Outlet && r.brand.as_ref().is_some_and(|b| b.id == brand)
        })
        .collect();
    if !outlets.is_empty() && brand_roles.is_empty() {
        return Err(AppError::field(
            "external_locations",
            "At franchisees' outlets the person holds the brand's outlet roles (O): add one to user_roles.",
        ));
    }
    for role in &brand_roles {
        if !outlets.is_empty() && !who.access.holds_all(&role.permissions, None) {
            return Err(refused(
                Refusal::RoleAboveYours(format!(
                    "You cannot grant {}: it has permissions you do not hold.",
                    role.name
                )),
                true,
            ));
        }
    }
    let mut by_organization: BTreeMap<OrganizationId, Vec<OutletId>> = BTreeMap::new();
    for membership in
        store::users::brand_memberships(work, user, brand, who.organization_id).await?
    {
        by_organization.entry(membership.1).or_default();
    }
    for (outlet, organization, _) in &found {
        by_organization
            .entry(*organization)
            .or_default()
            .push(*outlet);
    }
    for (organization, places) in by_organization {
        let membership = match store::connectors::membership_of(work, organization, user).await? {
            Some(membership) => {
                let own = store::users::brand_memberships(work, user, brand, who.organization_id)
                    .await?
                    .iter()
                    .any(|(m, _)| *m == membership);
                if !own {
                    return Err(AppError::conflict(
                        "managed_elsewhere",
                        "This person already belongs to a franchisee organization that manages them itself.",
                    ));
                }
                membership
            }
            None => {
                store::connectors::insert_membership(
                    work,
                    organization,
                    user,
                    NewMembership {
                        managed_by: who.manages_as(),
                        managed_by_brand: Some(brand),
                        default_outlet: places.first().copied(),
                        profile_visible: true,
                    },
                )
                .await?
            }
        };
        let grants: BTreeSet<GrantKey> = brand_roles
            .iter()
            .flat_map(|role| {
                places
                    .iter()
                    .map(|place| (role.id, ConnectorType::Outlet, Some(*place)))
            })
            .collect();
        store::users::rewrite_connectors(work, organization, membership, &grants).await?;
        store::users::touch(work, membership).await?;
        audit_user(
            work,
            who,
            organization,
            "user.provisioned_by_brand",
            user,
            None,
            Some(json!({ "brand_id": brand, "locations": places })),
        )
        .await?;
    }
    Ok(())
}

/// Whether the person (by their places) is visible to a viewer limited to `scope`.
fn visible_in(scope: &Scope, grants: &[(RoleId, Option<OutletId>)]) -> bool {
    match scope {
        Scope::Organization => true,
        Scope::Outlets(_) => grants
            .iter()
            .any(|(_, place)| place.is_some() && scope.covers(*place)),
    }
}

/// The checks of a change of person `user`, with what the change needs to know: the row as
/// it stands, the person's grants and the roles offered.
struct Target {
    row: UserRow,
    grants: Vec<(RoleId, Option<OutletId>)>,
    offered: HashMap<RoleId, Role>,
    shared: bool,
}

/// The person, if the caller may manage them (inside the unit of work): 404 when they do not
/// even see them, the policy's refusal otherwise.
async fn manageable(conn: &mut Conn, who: &Principal, user: UserId) -> Result<Target, AppError> {
    let row = store::users::get(conn, who.organization_id, &Scope::Organization, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let offered = roles_by_id(conn, who).await?;
    let grants = store::connectors::grants_of(conn, row.membership_id).await?;
    let shared = store::accounts::belongs_elsewhere(conn, user, who.organization_id).await?;
    let visible = visible_in(&who.access.scope_of(Permission::ViewUsers), &grants)
        || visible_in(&who.access.scope_of(Permission::ManageUsers), &grants);
    if !visible {
        return Err(AppError::NotFound);
    }
    who.scope_for(Permission::ManageUsers)?;
    if who.is(user) {
        return Err(refused(
            Refusal::OwnAccess(
                "This is you: another administrator changes your access and status; your own details are yours to change on your profile.".into(),
            ),
            true,
        ));
    }
    if let Some(brand) = &row.brand_id {
        let owned = store::users::owns_brand(conn, who.organization_id, *brand).await?;
        policy::brand_may_change(row.brand_name.as_deref(), owned)
            .map_err(|refusal| refused(refusal, true))?;
    }
    let console = console_facts(conn, who, row.membership_id).await?;
    let person = ProfileFacts {
        grants: grants
            .iter()
            .map(|(role, place)| (offered.get(role).map(facts), *place))
            .collect(),
        shared,
    };
    policy::may_manage_person(&who.access, &person, console.as_ref())
        .map_err(|refusal| refused(refusal, true))?;
    Ok(Target {
        row,
        grants,
        offered,
        shared,
    })
}

/// Why the caller could not change this person, or `None` when they can (the console shows
/// the record read-only with the reason). Decided by the same checks as [`update`].
pub async fn edit_lock(
    conn: &mut Conn,
    who: &Principal,
    user: UserId,
) -> Result<Option<String>, AppError> {
    match manageable(conn, who, user).await {
        Ok(_) => Ok(None),
        Err(AppError::Denied { message, .. }) => Ok(Some(message)),
        Err(AppError::Forbidden) => {
            Ok(Some("You can see this person, but not change them.".into()))
        }
        Err(other) => Err(other),
    }
}

/// Whether the caller could change the person's profile (no other organization shares it).
pub async fn profile_editable(
    conn: &mut Conn,
    who: &Principal,
    user: UserId,
) -> Result<bool, AppError> {
    Ok(!store::accounts::belongs_elsewhere(conn, user, who.organization_id).await?)
}

/// Changes a user; only what is given changes. Writing `user_roles`, `locations` or
/// `all_location_access` rewrites the connectors; `inactive: true` deactivates (the
/// person's sessions in this organization end at their next request).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, user = %user))]
pub async fn update(
    work: &mut Work,
    who: &Principal,
    user: UserId,
    change: UserChange,
) -> Result<User, AppError> {
    let organization = who.organization_id;
    let target = manageable(work, who, user).await?;
    let membership = target.row.membership_id;
    let before = load(work, who, &Scope::Organization, user).await?;

    if !change.profile.is_empty() {
        if target.shared {
            return Err(refused(
                Refusal::SharedAccount(
                    "This person also belongs to another organization: only they can change their profile.".into(),
                ),
                true,
            ));
        }
        let profile = &change.profile;
        for (field, value) in [
            ("email", profile.email.as_ref().map(|e| e.as_str())),
            ("username", profile.username.as_ref().map(|u| u.as_str())),
        ] {
            if let Some(value) = value
                && store::users::account_with(work, field == "email", value)
                    .await?
                    .is_some_and(|owner| owner != user)
            {
                return Err(match field {
                    "email" => AppError::conflict(
                        "duplicate_email",
                        "Another account already uses this email.",
                    ),
                    _ => duplicate("username"),
                });
            }
        }
        let update = ProfileUpdate {
            username: profile.username.as_ref().map(|u| u.as_str()),
            email: profile.email.as_ref().map(|e| e.as_str()),
            first_name: profile.first_name.as_ref().map(|n| n.as_str()),
            last_name: profile.last_name.as_ref().map(|n| n.as_str()),
            mobile: profile
                .mobile
                .as_ref()
                .map(|m| m.as_ref().map(|m| m.as_str())),
        };
        store::users::update_profile(work, user, &update).await?;
        // The organization wrote the profile: it sees it from now on.
        store::connectors::show_profile(work, membership).await?;
    }

    let current: BTreeSet<GrantKey> = target
        .grants
        .iter()
        .filter_map(|(role, place)| {
            target
                .offered
                .get(role)
                .map(|r| (*role, r.role_type, *place))
        })
        .collect();
    let mut grants = current.clone();
    let mut plan_roles = HashMap::new();
    if !change.access.is_empty() {
        let plan = plan_for_change(work, who, &before, &change.access).await?;
        check_grant_changes(who, &target.offered, &current, &plan)?;
        store::users::rewrite_connectors(work, organization, membership, &plan.grants).await?;
        grants = plan.grants;
        plan_roles = plan.roles;
    }

    let default_outlet = change.default_location.or(target.row.default_outlet_id);
    let default_changed = change.default_location.is_some() || !change.access.is_empty();
    if default_changed {
        check_default_location(work, who, default_outlet, &grants).await?;
    }
    let reports = match &change.reports {
        Some(reports) => {
            let current_roles = before
                .report_roles
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.id)
                .collect();
            let (all, roles) = resolve_reports(
                work,
                who,
                reports,
                (target.row.all_reports_access, current_roles),
            )
            .await?;
            store::users::set_report_roles(work, membership, &roles).await?;
            all
        }
        None => target.row.all_reports_access,
    };
    let brand = match change.managed_by_brand {
        Some(given) => managing_brand(work, who, Some(given)).await?,
        None => target.row.brand_id,
    };
    let status = match change.inactive {
        Some(true) => MembershipStatus::Inactive,
        Some(false) => MembershipStatus::Active,
        None => target.row.status,
    };
    store::users::set_settings(
        work,
        membership,
        &MembershipSettings {
            status,
            default_outlet,
            all_reports_access: reports,
            managed_by_brand: brand,
        },
    )
    .await?;
    match brand {
        Some(brand) => {
            if change.external_locations.is_some() || !change.access.is_empty() {
                let roles = if plan_roles.is_empty() {
                    grants
                        .iter()
                        .filter_map(|(role, _, _)| {
                            target.offered.get(role).map(|r| (*role, r.clone()))
                        })
                        .collect()
                } else {
                    plan_roles
                };
                let outlets = match &change.external_locations {
                    Some(outlets) => outlets.clone(),
                    None => before.external_locations.iter().map(|l| l.id).collect(),
                };
                apply_external_locations(work, who, user, Some(brand), &roles, &outlets).await?;
            }
            if change.inactive.is_some() {
                store::users::set_brand_memberships_status(work, user, brand, organization, status)
                    .await?;
            }
        }
        None => {
            let outlets = change.external_locations.as_deref().unwrap_or_default();
            apply_external_locations(work, who, user, None, &HashMap::new(), outlets).await?;
        }
    }
    let after = load(work, who, &Scope::Organization, user).await?;
    audit_user(
        work,
        who,
        organization,
        "user.updated",
        user,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    Ok(after)
}

/// The plan of an access change against the person's current view: what is absent is kept.
async fn plan_for_change(
    conn: &mut Conn,
    who: &Principal,
    before: &User,
    change: &AccessChange,
) -> Result<Plan, AppError> {
    let roles: Vec<RoleId> = change
        .user_roles
        .clone()
        .unwrap_or_else(|| before.user_roles.iter().map(|r| r.id).collect());
    let locations: Vec<OutletId> = change.locations.clone().unwrap_or_else(|| {
        before
            .locations
            .as_ref()
            .map(|l| l.iter().map(|o| o.id).collect())
            .unwrap_or_default()
    });
    // Dropping every library role while keeping outlet roles and no locations is caught by
    // the plan's own checks.
    plan_access(conn, who, &roles, &locations, change.all_location_access).await
}
