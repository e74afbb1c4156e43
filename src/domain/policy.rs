//! The access policy: the one place that decides what a caller may do and where.
//!
//! A caller's permissions come from their connectors in the current organization: a
//! library (`L`) connector grants its role's permissions across the organization, an
//! outlet (`O`) connector only at that outlet. Every page, server function and API route
//! asks this module; the store turns the resulting [`Scope`] into SQL.

use super::{OutletId, Permission};
use std::collections::{BTreeMap, BTreeSet};

/// Where a permission applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole organization.
    Organization,
    /// Only these outlets; empty means nowhere.
    Outlets(BTreeSet<OutletId>),
}

impl Scope {
    pub fn is_nowhere(&self) -> bool {
        matches!(self, Scope::Outlets(outlets) if outlets.is_empty())
    }

    /// Whether something placed at `outlet` (`None`: the organization itself) is inside.
    pub fn covers(&self, outlet: Option<OutletId>) -> bool {
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
    by_outlet: BTreeMap<OutletId, BTreeSet<Permission>>,
}

impl Access {
    /// Builds the access from grants: `(None, p)` from a library connector,
    /// `(Some(outlet), p)` from an outlet connector; `p` is `None` for a connector whose role
    /// holds no permission (it still gives reach).
    pub fn from_grants(
        grants: impl IntoIterator<Item = (Option<OutletId>, Option<Permission>)>,
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
    pub fn allows(&self, permission: Permission, outlet: Option<OutletId>) -> bool {
        self.scope_of(permission).covers(outlet)
    }

    /// Whether the caller holds every one of `permissions` at `outlet`: nobody grants,
    /// changes or takes away a role above their own there.
    pub fn holds_all(&self, permissions: &[Permission], outlet: Option<OutletId>) -> bool {
        permissions.iter().all(|p| self.allows(*p, outlet))
    }

    /// Every permission the caller holds somewhere, for mirroring in the console.
    pub fn held_anywhere(&self) -> BTreeSet<Permission> {
        let mut all = self.organization_wide.clone();
        for held in self.by_outlet.values() {
            all.extend(held.iter().copied());
        }
        all
    }

    /// Whether the caller sees access granted at `place`.
    pub fn sees_grant(&self, place: Option<OutletId>) -> bool {
        self.allows(Permission::ViewConnectors, place)
    }

    /// Whether a grant at `place` exists for the caller at all: they see access there, or
    /// manage access or people there. Anything else is indistinguishable from absent (404).
    pub fn knows_grant(&self, place: Option<OutletId>) -> bool {
        self.sees_grant(place)
            || self.allows(Permission::ManageConnectors, place)
            || self.allows(Permission::ManageUsers, place)
    }

    /// Holding `permission` across the whole organization (a library grant), as settings,
    /// outlets and API clients need; `Forbidden` otherwise.
    pub fn required_organization_wide(
        &self,
        permission: Permission,
    ) -> Result<(), super::AppError> {
        if self.allows(permission, None) {
            Ok(())
        } else {
            Err(super::AppError::Forbidden)
        }
    }

    /// Who may list the organization's roles: whoever sees or manages access (the roles are
    /// what access is made of).
    pub fn may_list_roles(&self) -> Result<(), super::AppError> {
        if self.holds_anywhere(Permission::ViewConnectors)
            || self.holds_anywhere(Permission::ManageConnectors)
        {
            Ok(())
        } else {
            Err(super::AppError::Forbidden)
        }
    }

    /// Who may read the organization's outlet groups: whoever sees access, or manages
    /// outlets, across the whole organization. A group names outlets anywhere in it, and its
    /// grants are weighed there (`GROUP_PLACE`).
    pub fn may_read_outlet_groups(&self) -> Result<(), super::AppError> {
        if self.allows(Permission::ViewConnectors, GROUP_PLACE)
            || self.allows(Permission::ManageOutlets, GROUP_PLACE)
        {
            Ok(())
        } else {
            Err(super::AppError::Forbidden)
        }
    }
}

/// Organization-wide settings of a person (report roles, external id) are for viewers of
/// the whole organization; an outlet manager sees the person at their outlets only.
pub fn sees_organization_details(view: &Scope) -> bool {
    *view == Scope::Organization
}

/// A role as the policy needs it: its name (for the reason of a refusal) and permissions.
#[derive(Debug, Clone, Copy)]
pub struct RoleFacts<'a> {
    pub name: &'a str,
    pub permissions: &'a [Permission],
}

/// Why the policy refuses a change. `code` is stable (the API's error code); `message` says
/// why, in words shown next to the row or returned by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The caller does not manage this at that place.
    OutsideScope,
    /// Nobody adds, changes or removes their own access: no accidental lock-out, no
    /// self-promotion.
    OwnAccess(String),
    /// The role holds permissions the caller lacks there: nobody grants a role above their
    /// own, or takes power away from someone above them.
    RoleAboveYours(String),
    /// The API User Permissions setting locks the person against console edits.
    ManagedExternally(String),
    /// The account also belongs to another organization: no organization changes it for
    /// the others.
    SharedAccount(String),
    /// The change is organization-wide and the caller's management is not.
    OrganizationWide(String),
    /// The setting is not the caller's to change (another organization's, or a permission
    /// they lack).
    NotYourSetting(String),
    /// The role cannot be given to this kind of holder (an API client).
    RoleNotAllowed(String),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OutsideScope => "outside_your_scope",
            Refusal::OwnAccess(_) => "own_access",
            Refusal::RoleAboveYours(_) => "role_exceeds_your_permissions",
            Refusal::ManagedExternally(_) => "managed_through_api",
            Refusal::SharedAccount(_) => "shared_account",
            Refusal::OrganizationWide(_) => "organization_wide",
            Refusal::NotYourSetting(_) => "not_your_setting",
            Refusal::RoleNotAllowed(_) => "role_not_allowed",
        }
    }

    /// The reason in words; `None` for `OutsideScope`, which callers phrase (or hide) by
    /// what the caller may see.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Refusal::OutsideScope => None,
            Refusal::OwnAccess(reason)
            | Refusal::RoleAboveYours(reason)
            | Refusal::ManagedExternally(reason)
            | Refusal::SharedAccount(reason)
            | Refusal::OrganizationWide(reason)
            | Refusal::NotYourSetting(reason)
            | Refusal::RoleNotAllowed(reason) => Some(reason),
        }
    }
}

/// Where a grant through an outlet group is weighed: across the whole organization (as a
/// library grant is). A group reaches the outlets added to it later, so only who manages
/// access, and holds the role, across the whole organization grants, changes or revokes
/// through one; and only who sees access across the organization sees it.
pub const GROUP_PLACE: Option<OutletId> = None;

/// A new grant of `role` at `place` (`None`: the whole organization) by someone who manages
/// access in `manage`. `place_name` names the place in the refusal.
pub fn may_grant(
    access: &Access,
    manage: &Scope,
    role: RoleFacts<'_>,
    place: Option<OutletId>,
    place_name: &str,
) -> Result<(), Refusal> {
    if !manage.covers(place) {
        return Err(Refusal::OutsideScope);
    }
    if !access.holds_all(role.permissions, place) {
        return Err(Refusal::RoleAboveYours(format!(
            "You cannot grant {}: it has permissions you do not hold at {place_name}.",
            role.name
        )));
    }
    Ok(())
}

/// Nobody adds, changes or removes their own access.
pub fn not_own_access(own: bool) -> Result<(), Refusal> {
    if own {
        Err(Refusal::OwnAccess(
            "This is your own access: another administrator must add, change or revoke it.".into(),
        ))
    } else {
        Ok(())
    }
}

/// Facts about a membership that decide whether the console may change it
/// (the "API User Permissions" setting of Security & Permissions).
#[derive(Debug, Clone)]
pub struct ApiManagement {
    /// Managed by a system outside Brigade (API, SCIM).
    pub managed_externally: bool,
    /// The managing brand's name and its "allow console edits" toggle.
    pub brand: Option<(String, bool)>,
    pub organization_is_franchisee: bool,
    /// The organization's toggle for API-managed people of no brand.
    pub unbranded_console_edits: bool,
}

/// Whether a console edit of this membership is allowed; the refusal says why.
pub fn console_may_edit(facts: &ApiManagement) -> Result<(), Refusal> {
    if !facts.managed_externally {
        return Ok(());
    }
    let reason = match &facts.brand {
        Some((brand, _)) if facts.organization_is_franchisee => format!(
            "User managed by {brand}: only {brand}'s API can change this person's access here."
        ),
        Some((brand, false)) => format!(
            "User managed by {brand}: console edits of API-managed people are turned off for {brand}."
        ),
        None if !facts.unbranded_console_edits => "This person is managed through the API, and console edits of API-managed people are turned off.".into(),
        _ => return Ok(()),
    };
    Err(Refusal::ManagedExternally(reason))
}

/// An existing grant (connector) someone wants to change or revoke.
#[derive(Debug, Clone, Copy)]
pub struct ExistingGrant<'a> {
    pub role: RoleFacts<'a>,
    /// `None`: the whole organization (a library connector).
    pub place: Option<OutletId>,
    /// The grant is the caller's own (a signed-in person's connector).
    pub own: bool,
}

/// The one rule for changing or revoking an existing connector, used by every write path
/// and by the console to show (or lock) a row's actions. `console_facts` is given only for
/// console callers: the API User Permissions setting governs the console alone.
pub fn may_change_grant(
    access: &Access,
    manage: &Scope,
    grant: ExistingGrant<'_>,
    console_facts: Option<&ApiManagement>,
) -> Result<(), Refusal> {
    if !manage.covers(grant.place) {
        return Err(Refusal::OutsideScope);
    }
    not_own_access(grant.own)?;
    if !access.holds_all(grant.role.permissions, grant.place) {
        return Err(Refusal::RoleAboveYours(format!(
            "{} has permissions you do not hold here, so you cannot change or revoke it.",
            grant.role.name
        )));
    }
    if let Some(facts) = console_facts {
        console_may_edit(facts)?;
    }
    Ok(())
}

/// A person whose profile (names) someone wants to change, as the policy needs them.
#[derive(Debug, Clone)]
pub struct ProfileFacts<'a> {
    /// The person's grants in this organization: each role (`None`: a role no longer offered
    /// to the organization, which cannot be weighed) and its place.
    pub grants: Vec<(Option<RoleFacts<'a>>, Option<OutletId>)>,
    /// The account also belongs to another organization.
    pub shared: bool,
}

/// A person managed by a brand that another organization owns (a franchisee's brand-managed
/// staff) is changed by that brand's owner only, through any face.
pub fn brand_may_change(brand: Option<&str>, owned_here: bool) -> Result<(), Refusal> {
    match brand {
        Some(brand) if !owned_here => Err(Refusal::ManagedExternally(format!(
            "User managed by {brand}: only {brand} changes this person."
        ))),
        _ => Ok(()),
    }
}

/// Who may manage a person here (their status, default outlet, access and settings):
/// someone who manages people everywhere the person has access here (a person with no access
/// here needs organization-wide management) and holds every role the person holds (a role no
/// longer offered cannot be weighed, so nobody is above it) — and, in the console, when the
/// API User Permissions setting allows it.
pub fn may_manage_person(
    access: &Access,
    person: &ProfileFacts<'_>,
    console_facts: Option<&ApiManagement>,
) -> Result<(), Refusal> {
    let manage = access.scope_of(Permission::ManageUsers);
    let in_scope = if person.grants.is_empty() {
        manage == Scope::Organization
    } else {
        person.grants.iter().all(|(_, place)| manage.covers(*place))
    };
    if !in_scope || person.grants.iter().any(|(role, _)| role.is_none()) {
        return Err(Refusal::OutsideScope);
    }
    if let Some((Some(role), _)) = person
        .grants
        .iter()
        .find(|(role, place)| role.is_some_and(|role| !access.holds_all(role.permissions, *place)))
    {
        return Err(Refusal::RoleAboveYours(format!(
            "This person holds {}, which has permissions you do not hold, so you cannot change their details.",
            role.name
        )));
    }
    if let Some(facts) = console_facts {
        console_may_edit(facts)?;
    }
    Ok(())
}

/// Who may change a person's profile (names, username, email, mobile): whoever may manage
/// the person ([`may_manage_person`]), when no other organization shares the account.
pub fn may_edit_profile(
    access: &Access,
    person: &ProfileFacts<'_>,
    console_facts: Option<&ApiManagement>,
) -> Result<(), Refusal> {
    may_manage_person(access, person, console_facts)?;
    profile_not_shared(person.shared)
}

/// No organization changes the profile of an account another organization shares.
pub fn profile_not_shared(shared: bool) -> Result<(), Refusal> {
    if shared {
        return Err(Refusal::SharedAccount(
            "This person also belongs to another organization: only they can change their name, in their own profile.".into(),
        ));
    }
    Ok(())
}

/// Settings that hold for the organization as a whole (report roles, all-reports access):
/// changed only by someone who manages people across the organization.
pub fn may_change_organization_details(access: &Access) -> Result<(), Refusal> {
    if access.allows(Permission::ManageUsers, None) {
        Ok(())
    } else {
        Err(Refusal::OrganizationWide(
            "Report roles and all-reports access are organization-wide: only someone who manages people across the organization changes them.".into(),
        ))
    }
}

/// Where an organization requires two-step sign-in, it is required of whoever holds a
/// manage permission there, anywhere in it.
pub fn must_use_two_step(access: &Access) -> bool {
    access.held_anywhere().into_iter().any(Permission::manages)
}

/// An owner of the organization: every permission across it (what its Owner role grants).
/// Owners keep their password when the organization requires single sign-on.
pub fn is_owner(access: &Access) -> bool {
    Permission::all().iter().all(|p| access.allows(*p, None))
}

/// Email domains are claimed for single sign-on by the operator only (the command line): an
/// organization's admin cannot prove in the console that a domain is theirs.
pub fn may_claim_email_domains(via: super::model::Via) -> Result<(), super::AppError> {
    match via {
        super::model::Via::Cli => Ok(()),
        _ => Err(super::AppError::Forbidden),
    }
}

/// Who may see, issue and revoke the organization's API clients: someone who manages API
/// tokens across the organization (a client's token reaches as far as its role).
/// The audit log is the whole organization's: only who holds `audit.view` across it reads it.
pub fn may_view_audit(access: &Access) -> Result<(), super::AppError> {
    access.required_organization_wide(Permission::ViewAudit)
}

pub fn may_manage_api_clients(access: &Access) -> Result<(), super::AppError> {
    access.required_organization_wide(Permission::ManageApiTokens)
}

/// A role someone wants to give a new API client.
#[derive(Debug, Clone, Copy)]
pub struct ClientRole<'a> {
    pub role: RoleFacts<'a>,
    /// The role's partner role is `api`.
    pub partner_api: bool,
    /// The issuer holds this role themselves.
    pub held_by_issuer: bool,
}

/// What an API client may be given: a role of partner role `api`, or one the issuer holds —
/// never with permissions the issuer lacks where it applies.
pub fn may_give_client(
    access: &Access,
    client: ClientRole<'_>,
    place: Option<OutletId>,
) -> Result<(), Refusal> {
    if !client.partner_api && !client.held_by_issuer {
        return Err(Refusal::RoleNotAllowed(format!(
            "An API client gets a role of partner role api, or one you hold yourself; {} is neither.",
            client.role.name
        )));
    }
    if !access.holds_all(client.role.permissions, place) {
        return Err(Refusal::RoleAboveYours(format!(
            "You cannot give {}: it has permissions you do not hold there.",
            client.role.name
        )));
    }
    Ok(())
}

/// Who may define, change or delete a role: someone who manages roles and permissions across
/// the organization that defines it (`defined_by`: `None` for this organization, else the
/// defining organization's name: a brand role seen by a franchisee), holding every permission
/// the role has before and after the change — nobody makes or unmakes a role above their own.
pub fn may_define_role(
    access: &Access,
    defined_by: Option<&str>,
    permissions: &[Permission],
) -> Result<(), Refusal> {
    if let Some(owner) = defined_by {
        return Err(Refusal::NotYourSetting(format!(
            "Defined by {owner}: only its owner changes this role."
        )));
    }
    if !access.allows(Permission::ManageRoles, None) {
        return Err(Refusal::NotYourSetting(
            "Defining roles needs the permission to manage roles and permissions across the organization.".into(),
        ));
    }
    if !access.holds_all(permissions, None) {
        return Err(Refusal::RoleAboveYours(
            "This role would have permissions you do not hold: nobody defines a role above their own.".into(),
        ));
    }
    Ok(())
}

/// Only a corporate head office owns brands; a franchisee runs outlets under its owner's
/// brands and an independent operator has none.
pub fn may_own_brands(kind: super::model::OrganizationKind) -> Result<(), Refusal> {
    if kind == super::model::OrganizationKind::Corporate {
        Ok(())
    } else {
        Err(Refusal::NotYourSetting(
            "Only a corporate organization owns brands: a franchisee runs outlets under its brand owner's brands.".into(),
        ))
    }
}

/// Whether an existing organization may be invited to run another's brand: not the brand's
/// owner itself and not a corporate head office (which owns brands rather than running
/// another's). A franchisee may run several brands; an independent operator that accepts
/// becomes a franchisee.
pub fn may_be_invited(
    owner: super::OrganizationId,
    invitee: super::OrganizationId,
    kind: super::model::OrganizationKind,
) -> Result<(), &'static str> {
    if owner == invitee {
        Err("That is this organization: invite the franchisee's organization.")
    } else if kind == super::model::OrganizationKind::Corporate {
        Err("A corporate organization owns brands; it cannot run another's as a franchisee.")
    } else {
        Ok(())
    }
}

/// The kind an organization becomes when it accepts to run a brand.
pub fn kind_after_joining(kind: super::model::OrganizationKind) -> super::model::OrganizationKind {
    match kind {
        super::model::OrganizationKind::Independent => super::model::OrganizationKind::Franchisee,
        other => other,
    }
}

/// Whose toggle an "Allow editing of API-managed users" switch is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToggleOwner {
    /// The caller's organization owns the brand (or it is its own toggle for people of no brand).
    Own,
    /// The brand belongs to another organization (a franchisee's linked brand), named here.
    Other(String),
}

/// Who may switch an API User Permissions toggle: someone who manages roles and permissions
/// across the organization that owns it. A franchisee sees its brands' toggles, never
/// switches them.
pub fn may_switch_api_edits(access: &Access, owner: &ToggleOwner) -> Result<(), Refusal> {
    if let ToggleOwner::Other(organization) = owner {
        return Err(Refusal::NotYourSetting(format!(
            "Managed by {organization}: only the brand's owner changes this setting."
        )));
    }
    if !access.allows(Permission::ManageRoles, None) {
        return Err(Refusal::NotYourSetting(
            "Changing this needs the permission to manage roles and permissions across the organization.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_operator_claims_email_domains() {
        use crate::domain::model::Via;
        for (via, allowed) in [
            (Via::Cli, true),
            (Via::Console, false),
            (Via::Api, false),
            (Via::Scim, false),
            (Via::System, false),
        ] {
            assert_eq!(may_claim_email_domains(via).is_ok(), allowed, "{via:?}");
        }
    }

    #[test]
    fn only_another_non_corporate_organization_is_invited_and_an_independent_becomes_a_franchisee()
    {
        let (owner, other) = (
            crate::domain::OrganizationId::generate(),
            crate::domain::OrganizationId::generate(),
        );
        let cases = [
            (
                owner,
                crate::domain::model::OrganizationKind::Franchisee,
                false,
            ),
            (
                other,
                crate::domain::model::OrganizationKind::Corporate,
                false,
            ),
            (
                other,
                crate::domain::model::OrganizationKind::Franchisee,
                true,
            ),
            (
                other,
                crate::domain::model::OrganizationKind::Independent,
                true,
            ),
        ];
        for (invitee, kind, allowed) in cases {
            assert_eq!(
                may_be_invited(owner, invitee, kind).is_ok(),
                allowed,
                "{kind:?}"
            );
        }
        assert_eq!(
            kind_after_joining(crate::domain::model::OrganizationKind::Independent),
            crate::domain::model::OrganizationKind::Franchisee
        );
        assert_eq!(
            kind_after_joining(crate::domain::model::OrganizationKind::Franchisee),
            crate::domain::model::OrganizationKind::Franchisee
        );
    }

    use uuid::Uuid;

    fn outlet(n: u128) -> OutletId {
        OutletId(Uuid::from_u128(n))
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
        assert!(access.scope_of(Permission::ManageConnectors).is_nowhere());
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
        assert!(staff.may_list_roles().is_err());
        assert_eq!(
            Access::from_grants([(None, None)]).reach(),
            Scope::Organization
        );
    }

    #[test]
    fn a_grant_exists_for_whoever_sees_or_manages_its_place_and_no_one_else() {
        let here = outlet(1);
        let viewer = Access::from_grants([(Some(here), Some(Permission::ViewConnectors))]);
        let clerk = Access::from_grants([(Some(here), Some(Permission::ManageUsers))]);
        let staff = Access::from_grants([(Some(here), None)]);
        let cases = [
            ("a viewer here", &viewer, Some(here), true, true),
            ("a viewer elsewhere", &viewer, Some(outlet(2)), false, false),
            (
                "a viewer of the organization's own grants",
                &viewer,
                None,
                false,
                false,
            ),
            (
                "someone who manages people here",
                &clerk,
                Some(here),
                true,
                false,
            ),
            ("staff here", &staff, Some(here), false, false),
        ];
        for (name, access, place, knows, sees) in cases {
            assert_eq!(access.knows_grant(place), knows, "{name}");
            assert_eq!(access.sees_grant(place), sees, "{name}");
        }
    }

    fn manager_at(place: OutletId) -> Access {
        Access::from_grants([
            (Some(place), Some(Permission::ManageConnectors)),
            (Some(place), Some(Permission::ViewConnectors)),
            (Some(place), Some(Permission::ManageUsers)),
        ])
    }

    const STAFF: RoleFacts<'static> = RoleFacts {
        name: "Staff",
        permissions: &[Permission::ViewConnectors],
    };
    const OWNER: RoleFacts<'static> = RoleFacts {
        name: "Owner",
        permissions: &[Permission::ManageConnectors, Permission::ViewUsers],
    };

    #[test]
    fn nobody_grants_what_they_do_not_hold_or_where_they_do_not_manage() {
        let here = outlet(1);
        let manager = manager_at(here);
        let manage = manager.scope_of(Permission::ManageConnectors);
        assert_eq!(
            may_grant(&manager, &manage, STAFF, Some(here), "Pier"),
            Ok(())
        );
        assert_eq!(
            may_grant(&manager, &manage, STAFF, Some(outlet(2)), "Market"),
            Err(Refusal::OutsideScope)
        );
        assert_eq!(
            may_grant(&manager, &manage, STAFF, None, "the whole organization"),
            Err(Refusal::OutsideScope)
        );
        let refusal = may_grant(&manager, &manage, OWNER, Some(here), "Pier").unwrap_err();
        assert_eq!(refusal.code(), "role_exceeds_your_permissions");
        assert_eq!(
            refusal.reason(),
            Some("You cannot grant Owner: it has permissions you do not hold at Pier.")
        );
    }

    fn facts(
        external: bool,
        brand: Option<(&str, bool)>,
        franchisee: bool,
        unbranded: bool,
    ) -> ApiManagement {
        ApiManagement {
            managed_externally: external,
            brand: brand.map(|(name, allowed)| (name.to_string(), allowed)),
            organization_is_franchisee: franchisee,
            unbranded_console_edits: unbranded,
        }
    }

    #[test]
    fn console_edits_follow_the_api_user_permissions_setting() {
        let cases = [
            (
                "console-managed people are always editable",
                facts(false, None, false, false),
                true,
            ),
            (
                "brand allows",
                facts(true, Some(("Harbor Burger", true)), false, false),
                true,
            ),
            (
                "brand forbids",
                facts(true, Some(("Harbor Burger", false)), false, true),
                false,
            ),
            ("no brand, allowed", facts(true, None, false, true), true),
            (
                "no brand, forbidden",
                facts(true, None, false, false),
                false,
            ),
            (
                "franchisee never edits brand-managed",
                facts(true, Some(("Harbor Burger", true)), true, true),
                false,
            ),
        ];
        for (name, facts, allowed) in cases {
            assert_eq!(console_may_edit(&facts).is_ok(), allowed, "{name}");
        }
        let refusal =
            console_may_edit(&facts(true, Some(("Harbor Burger", true)), true, true)).unwrap_err();
        assert!(
            refusal
                .reason()
                .unwrap()
                .starts_with("User managed by Harbor Burger")
        );
        assert_eq!(refusal.code(), "managed_through_api");
    }

    #[test]
    fn an_existing_grant_is_changed_only_in_scope_below_you_not_your_own_and_when_the_setting_allows()
     {
        let here = outlet(7);
        let manager = manager_at(here);
        let manage = manager.scope_of(Permission::ManageConnectors);
        let staff = ExistingGrant {
            role: STAFF,
            place: Some(here),
            own: false,
        };
        assert_eq!(may_change_grant(&manager, &manage, staff, None), Ok(()));
        let elsewhere = ExistingGrant {
            place: Some(outlet(8)),
            ..staff
        };
        assert_eq!(
            may_change_grant(&manager, &manage, elsewhere, None),
            Err(Refusal::OutsideScope)
        );
        let owner = ExistingGrant {
            role: OWNER,
            ..staff
        };
        assert!(matches!(
            may_change_grant(&manager, &manage, owner, None),
            Err(Refusal::RoleAboveYours(reason)) if reason.starts_with("Owner has permissions")
        ));
        let mine = ExistingGrant { own: true, ..staff };
        assert_eq!(
            may_change_grant(&manager, &manage, mine, None)
                .unwrap_err()
                .code(),
            "own_access"
        );
        let locked = facts(true, Some(("Harbor Burger", true)), true, true);
        assert!(matches!(
            may_change_grant(&manager, &manage, staff, Some(&locked)),
            Err(Refusal::ManagedExternally(reason)) if reason.contains("Harbor Burger")
        ));
    }

    #[test]
    fn names_are_changed_by_who_manages_the_person_everywhere_above_them_and_never_for_a_shared_account()
     {
        let here = outlet(1);
        let manager = manager_at(here);
        let at = |role, place| ProfileFacts {
            grants: vec![(Some(role), place)],
            shared: false,
        };
        let cases: [(&str, ProfileFacts<'_>, Option<&str>); 7] = [
            ("staff at my outlet", at(STAFF, Some(here)), None),
            (
                "staff elsewhere",
                at(STAFF, Some(outlet(2))),
                Some("outside_your_scope"),
            ),
            (
                "a library user",
                at(STAFF, None),
                Some("outside_your_scope"),
            ),
            (
                "an owner at my outlet",
                at(OWNER, Some(here)),
                Some("role_exceeds_your_permissions"),
            ),
            (
                "someone also in another organization",
                ProfileFacts {
                    shared: true,
                    ..at(STAFF, Some(here))
                },
                Some("shared_account"),
            ),
            (
                "someone holding a role no longer offered",
                ProfileFacts {
                    grants: vec![(None, Some(here))],
                    shared: false,
                },
                Some("outside_your_scope"),
            ),
            (
                "someone with no access here",
                ProfileFacts {
                    grants: vec![],
                    shared: false,
                },
                Some("outside_your_scope"),
            ),
        ];
        for (name, person, refused) in cases {
            assert_eq!(
                may_edit_profile(&manager, &person, None)
                    .err()
                    .map(|r| r.code()),
                refused,
                "{name}"
            );
        }
        let owner = Access::from_grants(Permission::all().iter().map(|p| (None, Some(*p))));
        assert_eq!(
            may_edit_profile(
                &owner,
                &ProfileFacts {
                    grants: vec![],
                    shared: false
                },
                None
            ),
            Ok(())
        );
    }

    #[test]
    fn toggles_are_switched_only_by_their_owner_with_the_permission() {
        let owner = Access::from_grants(Permission::all().iter().map(|p| (None, Some(*p))));
        let outlet_roles_manager =
            Access::from_grants([(Some(outlet(1)), Some(Permission::ManageRoles))]);
        let franchise = ToggleOwner::Other("Harbor Kitchen Group".into());
        let cases = [
            ("the owner, own toggle", &owner, ToggleOwner::Own, None),
            (
                "the owner, a franchisor's toggle",
                &owner,
                franchise.clone(),
                Some("Managed by Harbor Kitchen Group"),
            ),
            (
                "roles managed at one outlet only",
                &outlet_roles_manager,
                ToggleOwner::Own,
                Some("Changing this needs"),
            ),
        ];
        for (name, access, toggle, refused) in cases {
            let verdict = may_switch_api_edits(access, &toggle);
            match refused {
                None => assert_eq!(verdict, Ok(()), "{name}"),
                Some(start) => {
                    let refusal = verdict.unwrap_err();
                    assert_eq!(refusal.code(), "not_your_setting", "{name}");
                    assert!(refusal.reason().unwrap().starts_with(start), "{name}");
                }
            }
        }
    }

    #[test]
    fn report_settings_need_organization_wide_management() {
        let here = outlet(1);
        assert_eq!(
            may_change_organization_details(&manager_at(here))
                .unwrap_err()
                .code(),
            "organization_wide"
        );
        let owner = Access::from_grants([(None, Some(Permission::ManageUsers))]);
        assert_eq!(may_change_organization_details(&owner), Ok(()));
    }

    #[test]
    fn an_api_client_gets_an_api_role_or_one_its_issuer_holds_never_above_them() {
        let issuer = Access::from_grants([
            (None, Some(Permission::ViewUsers)),
            (None, Some(Permission::ManageApiTokens)),
        ]);
        let viewer = RoleFacts {
            name: "Viewer",
            permissions: &[Permission::ViewUsers],
        };
        let cases = [
            ("an api role within reach", viewer, true, false, None),
            ("a role the issuer holds", viewer, false, true, None),
            ("neither", viewer, false, false, Some("role_not_allowed")),
            (
                "an api role above the issuer",
                OWNER,
                true,
                false,
                Some("role_exceeds_your_permissions"),
            ),
        ];
        for (name, role, partner_api, held_by_issuer, refused) in cases {
            let client = ClientRole {
                role,
                partner_api,
                held_by_issuer,
            };
            assert_eq!(
                may_give_client(&issuer, client, None)
                    .err()
                    .map(|r| r.code()),
                refused,
                "{name}"
            );
        }
        assert!(may_manage_api_clients(&issuer).is_ok());
        assert!(may_manage_api_clients(&manager_at(outlet(1))).is_err());
    }
}
