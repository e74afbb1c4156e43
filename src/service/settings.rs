//! Security & Permissions: the API User Permissions toggles. A corporate organization switches
//! one per brand it owns and its own for API-managed people of no brand; a franchisee sees
//! its brands' toggles and cannot switch them.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::{Context, Principal, Work, refused};
use crate::domain::model::BrandRef;
use crate::domain::policy::{self, ToggleOwner};
use crate::domain::users::{ApiEditToggle, ApiUserPermissions, RoleEntry, SecurityOverview};
use crate::domain::{AppError, BrandId, Permission};
use crate::store::settings::ToggleRow;
use crate::store::{self, audit};

fn owner(who: &Principal, row: &ToggleRow) -> ToggleOwner {
    if row.owner_id == who.organization_id {
        ToggleOwner::Own
    } else {
        ToggleOwner::Other(row.owner_name.clone())
    }
}

/// Who may see the setting: whoever may list roles, or manages roles and permissions.
fn may_see(who: &Principal) -> Result<(), AppError> {
    if who.access.holds_anywhere(Permission::ManageRoles) {
        return Ok(());
    }
    who.access.may_list_roles()
}

/// The API User Permissions tab: every toggle that governs the organization's people, each
/// with whether the viewer may switch it (and why not).
pub async fn api_user_permissions(
    context: &Context,
    who: &Principal,
) -> Result<ApiUserPermissions, AppError> {
    may_see(who)?;
    let mut conn = context.read().await?;
    let rows = store::settings::toggles(&mut conn, who.organization_id).await?;
    Ok(ApiUserPermissions {
        toggles: rows
            .into_iter()
            .map(|row| ApiEditToggle {
                locked: policy::may_switch_api_edits(&who.access, &owner(who, &row))
                    .err()
                    .and_then(|refusal| refusal.reason().map(str::to_string)),
                brand: row
                    .brand_id
                    .zip(row.brand_name)
                    .map(|(id, name)| BrandRef { id, name }),
                allowed: row.allowed,
                people: u32::try_from(row.people).unwrap_or(u32::MAX),
            })
            .collect(),
    })
}

/// The Security & Permissions page: roles, report roles and the API User Permissions tab.
pub async fn overview(context: &Context, who: &Principal) -> Result<SecurityOverview, AppError> {
    let api_user_permissions = api_user_permissions(context, who).await?;
    let (roles, report_roles) = if who.access.may_list_roles().is_ok() {
        (
            super::catalog::roles(context, who, None).await?,
            super::users::report_roles(context, who).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut conn = context.read().await?;
    let owned_brands: Vec<BrandRef> = store::settings::toggles(&mut conn, who.organization_id)
        .await?
        .into_iter()
        .filter(|row| row.owner_id == who.organization_id)
        .filter_map(|row| row.brand_id.zip(row.brand_name))
        .map(|(id, name)| BrandRef { id, name })
        .collect();
    let mut entries = Vec::with_capacity(roles.len());
    for role in roles {
        let definer = match &role.brand {
            Some(brand) if !owned_brands.iter().any(|b| b.id == brand.id) => {
                store::organizations::role_definer(&mut conn, role.id)
                    .await?
                    .map(|(_, name)| name)
            }
            _ => None,
        };
        let locked = policy::may_define_role(&who.access, definer.as_deref(), &role.permissions)
            .err()
            .and_then(|refusal| refusal.reason().map(str::to_string));
        entries.push(RoleEntry { role, locked });
    }
    Ok(SecurityOverview {
        roles: entries,
        report_roles,
        api_user_permissions,
        may_define: policy::may_define_role(&who.access, None, &[]).is_ok(),
        owned_brands,
    })
}

/// Switches one toggle (`brand` `None`: the organization's own, for people of no brand). It
/// takes effect at once: every console edit asks for it inside its own transaction.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn switch_api_edits(
    work: &mut Work,
    who: &Principal,
    brand: Option<BrandId>,
    allowed: bool,
) -> Result<(), AppError> {
    may_see(who)?;
    let row = store::settings::toggles(work, who.organization_id)
        .await?
        .into_iter()
        .find(|row| row.brand_id == brand)
        .ok_or(AppError::NotFound)?;
    policy::may_switch_api_edits(&who.access, &owner(who, &row))
        .map_err(|refusal| refused(refusal, true))?;
    if row.allowed == allowed {
        return Ok(());
    }
    match brand {
        Some(brand) => store::settings::set_brand_toggle(work, brand, allowed).await?,
        None => store::settings::set_unbranded_toggle(work, who.organization_id, allowed).await?,
    }
    let subject = json!({ "brand_id": brand, "brand": row.brand_name });
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: AuditAction::ApiUserPermissionsChanged,
        target_type: if brand.is_some() {
            "brand"
        } else {
            "organization"
        },
        target_id: Some(brand.map_or(who.organization_id.0, |b| b.0)),
        before: Some(json!({ "subject": subject, "console_edits_allowed": row.allowed })),
        after: Some(json!({ "subject": subject, "console_edits_allowed": allowed })),
    };
    Ok(audit::record(work, who.actor, event).await?)
}
