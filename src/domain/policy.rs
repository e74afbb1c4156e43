//! The access policy: the one place that decides what a caller may do and where.
//!
//! A caller's permissions come from their connectors in the current organization: a
//! library (`L`) connector grants its role's permissions across the organization, an
//! outlet (`O`) connector only at that outlet. Every page, server function and API route
//! asks this module; the store turns the resulting [`Scope`] into SQL.

use super::Permission;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Where a permission applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole organization.
    Organization,
    /// Only these outlets; empty means nowhere.
    Outlets(BTreeSet<Uuid>),
}

impl Scope {
    pub fn is_nowhere(&self) -> bool {
        matches!(self, Scope::Outlets(outlets) if outlets.is_empty())
    }

    /// Whether something placed at `outlet` (`None`: the organization itself) is inside.
    pub fn covers(&self, outlet: Option<Uuid>) -> bool {
        match (self, outlet) {
            (Scope::Organization, _) => true,
            (Scope::Outlets(outlets), Some(outlet)) => outlets.contains(&outlet),
            (Scope::Outlets(_), None) => false,
        }
    }
}

/// What one caller holds in one organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Holds a library (`L`) connector, whatever its role's permissions.
    library: bool,
    organization_wide: BTreeSet<Permission>,
    by_outlet: BTreeMap<Uuid, BTreeSet<Permission>>,
}

impl Access {
    /// Builds the access from grants: `(None, p)` from a library connector,
    /// `(Some(outlet), p)` from an outlet connector; `p` is `None` for a connector whose role
    /// holds no permission (it still gives reach).
    pub fn from_grants(
        grants: impl IntoIterator<Item = (Option<Uuid>, Option<Permission>)>,
    ) -> Self {
        let mut access = Access::default();
        for (outlet, permission) in grants {
            match outlet {
                None => {
                    access.library = true;
                    access.organization_wide.extend(permission);
                }
                Some(outlet) => {
                    access
                        .by_outlet
                        .entry(outlet)
                        .or_default()
                        .extend(permission);
                }
            }
        }
        access
    }

    /// Where the caller can reach at all: the organization for a library connector, else the
    /// outlets of their outlet connectors.
    pub fn reach(&self) -> Scope {
        if self.library {
            Scope::Organization
        } else {
            Scope::Outlets(self.by_outlet.keys().copied().collect())
        }
    }

    /// Where `permission` applies for this caller.
    pub fn scope_of(&self, permission: Permission) -> Scope {
        if self.organization_wide.contains(&permission) {
            return Scope::Organization;
        }
        Scope::Outlets(
            self.by_outlet
                .iter()
                .filter(|(_, held)| held.contains(&permission))
                .map(|(outlet, _)| *outlet)
                .collect(),
        )
    }

    /// Where the caller holds `permission`, or `Forbidden` when nowhere: the check every
    /// page, server function and API route starts with.
    pub fn required_scope(&self, permission: Permission) -> Result<Scope, super::AppError> {
        let scope = self.scope_of(permission);
        if scope.is_nowhere() {
            Err(super::AppError::Forbidden)
        } else {
            Ok(scope)
        }
    }

    /// Whether the caller holds `permission` anywhere (used to show navigation).
    pub fn holds_anywhere(&self, permission: Permission) -> bool {
        !self.scope_of(permission).is_nowhere()
    }

    /// Whether the caller holds `permission` for something placed at `outlet`
    /// (`None`: the organization as a whole, which needs a library grant).
    pub fn allows(&self, permission: Permission, outlet: Option<Uuid>) -> bool {
        self.scope_of(permission).covers(outlet)
    }

    /// Nobody grants a role with permissions they do not hold themselves at that scope.
    pub fn may_grant(&self, role_permissions: &[Permission], outlet: Option<Uuid>) -> bool {
        role_permissions.iter().all(|p| self.allows(*p, outlet))
    }

    /// Every permission the caller holds somewhere, for mirroring in the console.
    pub fn held_anywhere(&self) -> BTreeSet<Permission> {
        let mut all = self.organization_wide.clone();
        for held in self.by_outlet.values() {
            all.extend(held.iter().copied());
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outlet(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn library_grant_covers_every_outlet() {
        let access = Access::from_grants([(None, Some(Permission::ViewUsers))]);
        assert_eq!(access.scope_of(Permission::ViewUsers), Scope::Organization);
        assert!(access.allows(Permission::ViewUsers, Some(outlet(7))));
        assert!(access.allows(Permission::ViewUsers, None));
        assert!(!access.allows(Permission::ManageUsers, None));
    }

    #[test]
    fn outlet_grant_stays_at_its_outlet() {
        let access = Access::from_grants([
            (Some(outlet(1)), Some(Permission::ViewUsers)),
            (Some(outlet(1)), Some(Permission::ManageUsers)),
            (Some(outlet(2)), Some(Permission::ViewUsers)),
        ]);
        assert_eq!(
            access.scope_of(Permission::ManageUsers),
            Scope::Outlets([outlet(1)].into())
        );
        assert!(access.allows(Permission::ViewUsers, Some(outlet(2))));
        assert!(!access.allows(Permission::ManageUsers, Some(outlet(2))));
        assert!(
            !access.allows(Permission::ViewUsers, None),
            "outlet grants never reach the organization"
        );
        assert!(access.scope_of(Permission::ManageRoles).is_nowhere());
        assert_eq!(
            access.reach(),
            Scope::Outlets([outlet(1), outlet(2)].into())
        );
    }

    #[test]
    fn a_role_without_permissions_still_gives_reach() {
        let staff = Access::from_grants([(Some(outlet(3)), None)]);
        assert_eq!(staff.reach(), Scope::Outlets([outlet(3)].into()));
        assert!(staff.scope_of(Permission::ViewUsers).is_nowhere());
        assert_eq!(
            Access::from_grants([(None, None)]).reach(),
            Scope::Organization
        );
    }

    #[test]
    fn nobody_grants_what_they_do_not_hold() {
        let access = Access::from_grants([
            (Some(outlet(1)), Some(Permission::ViewUsers)),
            (Some(outlet(1)), Some(Permission::ManageConnectors)),
        ]);
        assert!(access.may_grant(&[Permission::ViewUsers], Some(outlet(1))));
        assert!(!access.may_grant(
            &[Permission::ViewUsers, Permission::ManageRoles],
            Some(outlet(1))
        ));
        assert!(!access.may_grant(&[Permission::ViewUsers], Some(outlet(2))));
    }
}

/// Facts about a membership that decide whether the console may change it
/// (the "API User Permissions" setting of Security & Permissions).
#[derive(Debug, Clone)]
pub struct ApiManagement {
    pub managed_by_api: bool,
    /// The managing brand's name and its "allow console edits" toggle.
    pub brand: Option<(String, bool)>,
    pub organization_is_franchisee: bool,
    /// The organization's toggle for API-managed people of no brand.
    pub unbranded_console_edits: bool,
}

/// Whether a console edit of this membership is allowed; the refusal says why.
pub fn console_may_edit(facts: &ApiManagement) -> Result<(), String> {
    if !facts.managed_by_api {
        return Ok(());
    }
    match &facts.brand {
        Some((brand, _)) if facts.organization_is_franchisee => Err(format!(
            "User managed by {brand}: only {brand}'s API can change this person's access here."
        )),
        Some((brand, false)) => Err(format!(
            "User managed by {brand}: console edits of API-managed people are turned off for {brand}."
        )),
        None if !facts.unbranded_console_edits => {
            Err("This person is managed through the API, and console edits of API-managed people are turned off.".into())
        }
        _ => Ok(()),
    }
}

/// An existing grant (connector) someone wants to change or revoke.
#[derive(Debug, Clone, Copy)]
pub struct ExistingGrant<'a> {
    pub role_name: &'a str,
    pub role_permissions: &'a [Permission],
    /// `None`: the whole organization (a library connector).
    pub place: Option<Uuid>,
    /// The grant is the caller's own (a signed-in person's connector).
    pub own: bool,
}

/// Why an existing connector may not be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// The caller does not manage access at that place.
    OutsideScope,
    /// Nobody changes or revokes their own access: no accidental lock-out, no self-promotion.
    OwnAccess(String),
    /// The role holds permissions the caller lacks there: nobody takes power away from
    /// someone above them.
    RoleAboveYours(String),
    /// The API User Permissions setting locks the person against console edits.
    ManagedThroughApi(String),
}

/// The one rule for changing or revoking an existing connector, used by every write path
/// and by the console to show (or lock) a row's actions. `console_facts` is given only for
/// console callers: the API User Permissions setting governs the console alone.
pub fn may_change_grant(
    access: &Access,
    manage: &Scope,
    grant: ExistingGrant<'_>,
    console_facts: Option<&ApiManagement>,
) -> Result<(), ChangeRefusal> {
    if !manage.covers(grant.place) {
        return Err(ChangeRefusal::OutsideScope);
    }
    if grant.own {
        return Err(ChangeRefusal::OwnAccess(
            "This is your own access: another administrator must change or revoke it.".into(),
        ));
    }
    if !access.may_grant(grant.role_permissions, grant.place) {
        return Err(ChangeRefusal::RoleAboveYours(format!(
            "{} has permissions you do not hold here, so you cannot change or revoke it.",
            grant.role_name
        )));
    }
    if let Some(facts) = console_facts {
        console_may_edit(facts).map_err(ChangeRefusal::ManagedThroughApi)?;
    }
    Ok(())
}

#[cfg(test)]
mod api_management_tests {
    use super::*;

    fn facts(
        api: bool,
        brand: Option<(&str, bool)>,
        franchisee: bool,
        unbranded: bool,
    ) -> ApiManagement {
        ApiManagement {
            managed_by_api: api,
            brand: brand.map(|(name, allowed)| (name.to_string(), allowed)),
            organization_is_franchisee: franchisee,
            unbranded_console_edits: unbranded,
        }
    }

    #[test]
    fn console_edits_follow_the_api_user_permissions_setting() {
        assert!(
            console_may_edit(&facts(false, None, false, false)).is_ok(),
            "console-managed people are always editable"
        );
        assert!(
            console_may_edit(&facts(true, Some(("Harbor Burger", true)), false, false)).is_ok()
        );
        assert!(
            console_may_edit(&facts(true, Some(("Harbor Burger", false)), false, true)).is_err()
        );
        assert!(console_may_edit(&facts(true, None, false, true)).is_ok());
        assert!(console_may_edit(&facts(true, None, false, false)).is_err());
        let franchisee = console_may_edit(&facts(true, Some(("Harbor Burger", true)), true, true));
        assert!(
            franchisee
                .unwrap_err()
                .contains("User managed by Harbor Burger")
        );
    }

    #[test]
    fn an_existing_grant_is_changed_only_in_scope_below_you_and_when_the_setting_allows() {
        let here = Uuid::from_u128(7);
        let manager = Access::from_grants([
            (Some(here), Some(Permission::ManageConnectors)),
            (Some(here), Some(Permission::ViewConnectors)),
        ]);
        let manage = manager.scope_of(Permission::ManageConnectors);
        let staff = ExistingGrant {
            role_name: "Staff",
            role_permissions: &[Permission::ViewConnectors],
            place: Some(here),
            own: false,
        };
        assert_eq!(may_change_grant(&manager, &manage, staff, None), Ok(()));
        let elsewhere = ExistingGrant {
            place: Some(Uuid::from_u128(8)),
            ..staff
        };
        assert_eq!(
            may_change_grant(&manager, &manage, elsewhere, None),
            Err(ChangeRefusal::OutsideScope)
        );
        let owner = ExistingGrant {
            role_name: "Owner",
            role_permissions: &[Permission::ManageConnectors, Permission::ManageSettings],
            ..staff
        };
        assert!(matches!(
            may_change_grant(&manager, &manage, owner, None),
            Err(ChangeRefusal::RoleAboveYours(reason)) if reason.starts_with("Owner has permissions")
        ));
        let mine = ExistingGrant { own: true, ..staff };
        assert!(matches!(
            may_change_grant(&manager, &manage, mine, None),
            Err(ChangeRefusal::OwnAccess(_))
        ));
        let locked = facts(true, Some(("Harbor Burger", true)), true, true);
        assert!(matches!(
            may_change_grant(&manager, &manage, staff, Some(&locked)),
            Err(ChangeRefusal::ManagedThroughApi(reason)) if reason.contains("Harbor Burger")
        ));
    }
}
