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
    organization_wide: BTreeSet<Permission>,
    by_outlet: BTreeMap<Uuid, BTreeSet<Permission>>,
}

impl Access {
    /// Builds the access from grants: `(None, p)` from a library connector,
    /// `(Some(outlet), p)` from an outlet connector.
    pub fn from_grants(grants: impl IntoIterator<Item = (Option<Uuid>, Permission)>) -> Self {
        let mut access = Access::default();
        for (outlet, permission) in grants {
            match outlet {
                None => {
                    access.organization_wide.insert(permission);
                }
                Some(outlet) => {
                    access
                        .by_outlet
                        .entry(outlet)
                        .or_default()
                        .insert(permission);
                }
            }
        }
        access
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

    /// Outlets where the caller holds any permission at all (their reach).
    pub fn outlets(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.by_outlet.keys().copied()
    }

    pub fn is_organization_wide(&self) -> bool {
        !self.organization_wide.is_empty()
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
        let access = Access::from_grants([(None, Permission::ViewUsers)]);
        assert_eq!(access.scope_of(Permission::ViewUsers), Scope::Organization);
        assert!(access.allows(Permission::ViewUsers, Some(outlet(7))));
        assert!(access.allows(Permission::ViewUsers, None));
        assert!(!access.allows(Permission::ManageUsers, None));
    }

    #[test]
    fn outlet_grant_stays_at_its_outlet() {
        let access = Access::from_grants([
            (Some(outlet(1)), Permission::ViewUsers),
            (Some(outlet(1)), Permission::ManageUsers),
            (Some(outlet(2)), Permission::ViewUsers),
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
    }

    #[test]
    fn nobody_grants_what_they_do_not_hold() {
        let access = Access::from_grants([
            (Some(outlet(1)), Permission::ViewUsers),
            (Some(outlet(1)), Permission::ManageConnectors),
        ]);
        assert!(access.may_grant(&[Permission::ViewUsers], Some(outlet(1))));
        assert!(!access.may_grant(
            &[Permission::ViewUsers, Permission::ManageRoles],
            Some(outlet(1))
        ));
        assert!(!access.may_grant(&[Permission::ViewUsers], Some(outlet(2))));
    }
}
