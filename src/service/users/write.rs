//! Creating and changing users: the policy decides inside the unit of work that writes, and
//! every change is an audit event with the view before and after.

use crate::domain::audit::AuditAction;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

use super::access::{
    check_default_location, check_grant_changes, plan_access, plan_for_change, same_access,
};
use super::external::apply_external_locations;
use super::rehire::{Named, Rehire, bring_back, named};
use super::{GrantKey, load};
use crate::domain::model::{ConnectorType, MembershipStatus, Role};
use crate::domain::policy::{self, ProfileFacts, Refusal};
use crate::domain::user_commands::{NewUser, ReportsChange, UserChange};
use crate::domain::users::User;
use crate::domain::{
    AppError, BrandId, ExternalId, OrganizationId, OutletId, Permission, RoleId, Scope, UserId,
};
use crate::service::connectors::{console_facts, facts, roles_by_id};
use crate::service::{Principal, Work, refused};
use crate::store::connectors::NewMembership;
use crate::store::users::{MembershipSettings, ProfileUpdate, UserRow};
use crate::store::{self, Conn, audit};

/// Who may create users at all: people are managed and access is granted.
pub fn may_create(who: &Principal) -> Result<(), AppError> {
    who.scope_for(Permission::ManageUsers)?;
    who.scope_for(Permission::ManageConnectors)?;
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
        "email" => super::rehire::duplicate_email(),
        _ => AppError::conflict("duplicate_username", "This username is taken."),
    }
}

pub(crate) async fn audit_user(
    conn: &mut Conn,
    who: &Principal,
    organization: OrganizationId,
    action: AuditAction,
    user: UserId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        organization_id: Some(organization),
        action,
        target_type: "user",
        target_id: Some(user.0),
        subject: Some(user),
        before,
        after,
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

/// What a create did: a new person, or a deactivated one brought back (a rehire).
#[derive(Debug)]
pub struct Creation {
    pub user: User,
    pub reactivated: bool,
}

/// Creates one user (an item of the bulk create): the account (or reuses the one with this
/// email, unchanged, when it belongs to no membership here), the membership, its connectors,
/// report roles and external locations, in the caller's unit of work. When the email or the
/// external id names a deactivated member and `rehire` allows, that membership returns
/// instead, with the access given here only (see [`super::rehire`]).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create(
    work: &mut Work,
    who: &Principal,
    new: NewUser,
    rehire: Rehire,
) -> Result<Creation, AppError> {
    may_create(who)?;
    let organization = who.organization_id;
    let named = named(work, organization, &new.email, new.external_id.as_ref()).await?;
    let existing = store::users::account_by_email(work, &new.email).await?;
    if existing.is_none()
        && store::users::account_by_username(work, &new.username)
            .await?
            .is_some()
    {
        return Err(duplicate("username"));
    }
    let returning = match named {
        Named::Nobody => None,
        Named::Returning(member) if rehire == Rehire::Allowed => Some(member),
        Named::Active(_) | Named::Returning(_) => return Err(duplicate("email")),
    };
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

    let (user, membership, before) = match returning {
        Some(member) => {
            let before = bring_back(work, who, &member).await?;
            (member.user_id, member.membership_id, Some(before))
        }
        None => {
            let user = match existing {
                Some(account) => account,
                None => new_account(work, &new).await?,
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
            (user, membership, None)
        }
    };
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
    if let Some(external_id) = &new.external_id {
        store::users::set_external_id(work, membership, Some(external_id.as_str())).await?;
    }
    if !new.external_locations.is_empty() {
        apply_external_locations(work, who, user, brand, &plan.roles, &new.external_locations)
            .await?;
    }
    if let Some(before) = before {
        let user = super::rehire::record(work, who, &before).await?;
        return Ok(Creation {
            user,
            reactivated: !new.inactive,
        });
    }
    let created = load(work, who, &Scope::Organization, user).await?;
    audit_user(
        work,
        who,
        organization,
        AuditAction::UserCreated,
        user,
        None,
        Some(json!(created)),
    )
    .await?;
    Ok(Creation {
        user: created,
        reactivated: false,
    })
}

/// A new account for a new person, with the profile the request gives.
async fn new_account(work: &mut Work, new: &NewUser) -> Result<UserId, AppError> {
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
    Ok(id)
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

/// The person, if the caller may manage them (inside the unit of work): what [`update`]
/// checks first, for a change of what the users view does not hold (SCIM's external id and
/// deletion).
pub(crate) async fn ensure_manageable(
    conn: &mut Conn,
    who: &Principal,
    user: UserId,
) -> Result<(), AppError> {
    manageable(conn, who, user).await.map(|_| ())
}

/// Why the caller could not change this person, or `None` when they can (the console shows
/// the record read-only with the reason). Decided by the same checks as [`update`].
pub(super) async fn edit_lock(
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
        policy::profile_not_shared(target.shared).map_err(|refusal| refused(refusal, true))?;
        let profile = &change.profile;
        let taken_by_another = |owner: Option<UserId>| owner.is_some_and(|owner| owner != user);
        if let Some(email) = &profile.email
            && taken_by_another(store::users::account_by_email(work, email).await?)
        {
            return Err(AppError::conflict(
                "duplicate_email",
                "Another account already uses this email.",
            ));
        }
        if let Some(username) = &profile.username
            && taken_by_another(store::users::account_by_username(work, username).await?)
        {
            return Err(duplicate("username"));
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

    if let Some(external_id) = &change.external_id
        && external_id.as_ref().map(ExternalId::as_str) != target.row.external_id.as_deref()
    {
        if let Some(id) = external_id
            && store::users::member_by_external_id(work, organization, id.as_str())
                .await?
                .is_some_and(|holder| holder.user_id != user)
        {
            return Err(super::rehire::duplicate_external_id());
        }
        store::users::set_external_id(work, membership, external_id.as_ref().map(|id| id.as_str()))
            .await?;
    }

    // An outlet role without an outlet is a grant through an outlet group: the users view
    // shows its outlets but leaves it to `/user-connectors` (`rewrite_connectors` keeps it).
    let current: BTreeSet<GrantKey> = target
        .grants
        .iter()
        .filter(|(role, place)| {
            place.is_some()
                || target
                    .offered
                    .get(role)
                    .is_some_and(|r| r.role_type == ConnectorType::Library)
        })
        .filter_map(|(role, place)| {
            target
                .offered
                .get(role)
                .map(|r| (*role, r.role_type, *place))
        })
        .collect();
    let mut grants = current.clone();
    let mut plan_roles = HashMap::new();
    if !change.access.is_empty() && !same_access(&before, &change.access) {
        let plan = plan_for_change(work, who, &before, &change.access).await?;
        check_grant_changes(who, &target.offered, &current, &plan)?;
        store::users::rewrite_connectors(work, organization, membership, &plan.grants).await?;
        grants = plan.grants;
        plan_roles = plan.roles;
    }

    let default_outlet = change.default_location.or(target.row.default_outlet_id);
    let default_changed = change.default_location.is_some() || grants != current;
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
    if brand != target.row.brand_id && !before.external_locations.is_empty() {
        return Err(AppError::conflict(
            "external_locations_held",
            "This person holds locations of the brand's franchisees: remove them (external_locations: []) before changing the managing brand.",
        ));
    }
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
    if status == MembershipStatus::Inactive || grants != current {
        super::super::ensure_an_owner_remains(work, organization).await?;
    }
    let after = load(work, who, &Scope::Organization, user).await?;
    audit_user(
        work,
        who,
        organization,
        AuditAction::UserUpdated,
        user,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    Ok(after)
}
