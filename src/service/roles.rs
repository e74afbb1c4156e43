//! Defining roles and report roles: create, change, delete. Only someone who manages roles and
//! permissions across the organization does it, never for a role above their own; a role in use
//! is not deleted; a brand role is its owner's to change, its franchisees only grant it.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::{Principal, Work, refused};
use crate::domain::model::Role;
use crate::domain::policy;
use crate::domain::roles::{NewRole, RoleChange};
use crate::domain::users::ReportRole;
use crate::domain::{AppError, OrganizationId, Permission, PersonName, ReportRoleId, RoleId};
use crate::store::{self, Conn, audit, is_unique_violation, organizations};

fn name_taken(error: sqlx::Error, what: &str) -> AppError {
    if is_unique_violation(&error) {
        AppError::conflict(
            "name_taken",
            format!("This organization already has a {what} with that name."),
        )
    } else {
        AppError::from(error)
    }
}

/// Audits a change to a role (or a report role).
pub(super) async fn record(
    conn: &mut Conn,
    who: &Principal,
    action: AuditAction,
    target_type: &str,
    id: uuid::Uuid,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action,
        target_type,
        target_id: Some(id),
        before,
        after,
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

/// A role offered to the organization, with whether another organization defines it
/// (its name) — 404 for any other role.
async fn offered(
    conn: &mut Conn,
    who: &Principal,
    id: RoleId,
) -> Result<(Role, Option<String>), AppError> {
    let role = store::catalog::role(conn, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (definer, name) = organizations::role_definer(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((role, (definer != who.organization_id).then_some(name)))
}

fn may_define(
    who: &Principal,
    defined_by: Option<&str>,
    permissions: &[Permission],
) -> Result<(), AppError> {
    policy::may_define_role(&who.access, defined_by, permissions).map_err(|r| refused(r, true))
}

/// Defines a role of the organization (a brand role when `brand` is one it owns).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create_role(work: &mut Work, who: &Principal, new: NewRole) -> Result<Role, AppError> {
    may_define(who, None, &new.permissions)?;
    if let Some(brand) = new.brand
        && !store::users::owns_brand(work, who.organization_id, brand).await?
    {
        return Err(AppError::field(
            "brand",
            "There is no such brand of this organization.",
        ));
    }
    let id = organizations::insert_role(
        work,
        who.organization_id,
        new.name.as_str(),
        new.role_type,
        new.partner_role,
        &new.permissions,
        new.brand,
    )
    .await
    .map_err(|e| name_taken(e, "role"))?;
    let (role, _) = offered(work, who, id).await?;
    record(
        work,
        who,
        AuditAction::RoleCreated,
        "role",
        id.0,
        None,
        Some(json!(role)),
    )
    .await?;
    Ok(role)
}

/// Changes a role's name, partner role or permissions.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn update_role(
    work: &mut Work,
    who: &Principal,
    id: RoleId,
    change: RoleChange,
) -> Result<Role, AppError> {
    let (before, defined_by) = offered(work, who, id).await?;
    let mut weighed = before.permissions.clone();
    weighed.extend(change.permissions.iter().flatten().copied());
    may_define(who, defined_by.as_deref(), &weighed)?;
    organizations::update_role(
        work,
        id,
        change.name.as_ref().map(PersonName::as_str),
        change.partner_role,
    )
    .await
    .map_err(|e| name_taken(e, "role"))?;
    if let Some(permissions) = &change.permissions {
        organizations::set_role_permissions(work, id, permissions).await?;
        super::ensure_an_owner_remains(work, who.organization_id).await?;
    }
    let (after, _) = offered(work, who, id).await?;
    record(
        work,
        who,
        AuditAction::RoleUpdated,
        "role",
        id.0,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    Ok(after)
}

/// Deletes a role nobody holds: 409 saying how many connectors and API clients use it.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn delete_role(work: &mut Work, who: &Principal, id: RoleId) -> Result<(), AppError> {
    let (before, defined_by) = offered(work, who, id).await?;
    may_define(who, defined_by.as_deref(), &before.permissions)?;
    let (connectors, clients) = organizations::role_usage(work, id).await?;
    if connectors + clients > 0 {
        return Err(AppError::conflict(
            "role_in_use",
            format!(
                "{} is used by {connectors} connector{} and {clients} API client{}: move or revoke them first.",
                before.name,
                if connectors == 1 { "" } else { "s" },
                if clients == 1 { "" } else { "s" },
            ),
        ));
    }
    organizations::delete_role(work, id).await?;
    record(
        work,
        who,
        AuditAction::RoleDeleted,
        "role",
        id.0,
        Some(json!(before)),
        None,
    )
    .await
}

/// Only someone who may define roles (without a permission in question) defines report roles.
fn may_define_report_roles(who: &Principal) -> Result<(), AppError> {
    may_define(who, None, &[])
}

async fn report_role(
    conn: &mut Conn,
    organization: OrganizationId,
    id: ReportRoleId,
) -> Result<ReportRole, AppError> {
    store::users::report_roles(conn, organization)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)
}

pub async fn create_report_role(
    work: &mut Work,
    who: &Principal,
    name: &PersonName,
) -> Result<ReportRole, AppError> {
    may_define_report_roles(who)?;
    let id = organizations::insert_report_role(work, who.organization_id, name.as_str())
        .await
        .map_err(|e| name_taken(e, "report role"))?;
    let created = report_role(work, who.organization_id, id).await?;
    record(
        work,
        who,
        AuditAction::ReportRoleCreated,
        "report_role",
        id.0,
        None,
        Some(json!(created)),
    )
    .await?;
    Ok(created)
}

pub async fn rename_report_role(
    work: &mut Work,
    who: &Principal,
    id: ReportRoleId,
    name: &PersonName,
) -> Result<ReportRole, AppError> {
    may_define_report_roles(who)?;
    let before = report_role(work, who.organization_id, id).await?;
    organizations::rename_report_role(work, who.organization_id, id, name.as_str())
        .await
        .map_err(|e| name_taken(e, "report role"))?;
    let after = report_role(work, who.organization_id, id).await?;
    record(
        work,
        who,
        AuditAction::ReportRoleUpdated,
        "report_role",
        id.0,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    Ok(after)
}

/// Deletes a report role nobody holds: 409 saying how many people hold it.
pub async fn delete_report_role(
    work: &mut Work,
    who: &Principal,
    id: ReportRoleId,
) -> Result<(), AppError> {
    may_define_report_roles(who)?;
    let before = report_role(work, who.organization_id, id).await?;
    let holders = organizations::report_role_usage(work, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if holders > 0 {
        return Err(AppError::conflict(
            "role_in_use",
            format!(
                "{} is held by {holders} {}: take it away from them first.",
                before.name,
                if holders == 1 { "person" } else { "people" }
            ),
        ));
    }
    organizations::delete_report_role(work, id).await?;
    record(
        work,
        who,
        AuditAction::ReportRoleDeleted,
        "report_role",
        id.0,
        Some(json!(before)),
        None,
    )
    .await
}
