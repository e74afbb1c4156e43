//! External locations: a corporate brand-managed person's access at outlets of the brand's
//! franchisees, held in each franchisee organization by a membership the brand manages.

use crate::domain::audit::AuditAction;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::GrantKey;
use super::write::audit_user;
use crate::domain::model::{ConnectorType, Role};
use crate::domain::policy::Refusal;
use crate::domain::{AppError, BrandId, OrganizationId, OutletId, Permission, RoleId, UserId};
use crate::service::{Principal, Work, refused};
use crate::store;
use crate::store::connectors::NewMembership;

/// Gives a corporate brand-managed person access at outlets of the brand's franchisees:
/// in each franchisee organization a membership managed by the brand (created when needed),
/// holding the person's outlet roles of that brand at the given outlets there, and nothing
/// in the brand's other franchisees.
pub(super) async fn apply_external_locations(
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
            AuditAction::UserProvisionedByBrand,
            user,
            None,
            Some(json!({ "brand_id": brand, "locations": places })),
        )
        .await?;
    }
    Ok(())
}
