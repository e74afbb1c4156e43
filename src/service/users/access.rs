//! The access part of the users view: roles × locations turned into grants, checked by the
//! policy grant by grant (added and removed), and the default location that goes with them.

use std::collections::{BTreeSet, HashMap};

use super::GrantKey;
use crate::domain::model::{ConnectorType, Outlet, Role};
use crate::domain::policy::{self, ExistingGrant, Refusal};
use crate::domain::user_commands::AccessChange;
use crate::domain::users::User;
use crate::domain::{AppError, OutletId, Permission, RoleId, Scope};
use crate::service::Principal;
use crate::service::connectors::{check_new_grant, facts, roles_by_id};
use crate::service::refused;
use crate::store::{self, Conn};

/// At most this many connectors from one access change (outlet roles × locations).
const MAX_GRANTS: usize = 10_000;

/// What an access change resolves to.
pub(super) struct Plan {
    pub(super) grants: BTreeSet<GrantKey>,
    pub(super) roles: HashMap<RoleId, Role>,
    outlets: HashMap<OutletId, Outlet>,
}

/// The grants the users view asks for: each library role for the organization, each outlet
/// role at each location. `all_location_access` must agree with the roles.
pub(super) async fn plan_access(
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
    if let Some(archived) = outlets.values().find(|o| o.archived) {
        problems.add(
            "locations",
            format!(
                "{} is archived: restore it before granting access there.",
                archived.name
            ),
        );
    }
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
pub(super) fn check_grant_changes(
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
pub(super) async fn check_default_location(
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

/// Whether an access change asks for what the person's view already says (a form saved
/// unchanged): then the connectors stay as they are, even when they are not the product of
/// roles × locations that a rewrite would make.
pub(super) fn same_access(before: &User, change: &AccessChange) -> bool {
    let roles: BTreeSet<RoleId> = before.user_roles.iter().map(|r| r.id).collect();
    let locations: BTreeSet<OutletId> = before.locations.iter().flatten().map(|o| o.id).collect();
    change
        .user_roles
        .as_ref()
        .is_none_or(|r| r.iter().copied().collect::<BTreeSet<_>>() == roles)
        && change
            .locations
            .as_ref()
            .is_none_or(|l| l.iter().copied().collect::<BTreeSet<_>>() == locations)
        && change
            .all_location_access
            .is_none_or(|all| all == before.all_location_access)
}

/// The plan of an access change against the person's current view: what is absent is kept.
pub(super) async fn plan_for_change(
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
