//! Outlet groups (districts, regions): read by whoever sees access or manages outlets across
//! the organization; created, changed and deleted by who manages outlets across it. A
//! connector through a group grants its outlet role at each outlet in the group when access
//! is decided (`store::access`), so a change of the group's outlets changes access at once.

use std::collections::BTreeSet;

use serde_json::json;

use super::{Context, Principal, Work};
use crate::domain::audit::AuditAction;
use crate::domain::model::{OutletGroup, Paged};
use crate::domain::outlet_groups::OutletGroupChange;
use crate::domain::paging::PageRequest;
use crate::domain::{AppError, OutletGroupId, OutletId, Scope};
use crate::store::{self, Conn, audit, is_unique_violation};

fn name_taken(error: sqlx::Error) -> AppError {
    if is_unique_violation(&error) {
        AppError::conflict(
            "name_taken",
            "Another outlet group of this organization has that name.",
        )
    } else {
        AppError::from(error)
    }
}

/// One page of the organization's groups, by id.
pub async fn list(
    context: &Context,
    who: &Principal,
    page: &PageRequest,
) -> Result<Paged<OutletGroup>, AppError> {
    who.access.may_read_outlet_groups()?;
    let mut conn = context.read().await?;
    let rows = store::outlet_groups::list(&mut conn, who.organization_id, page).await?;
    Ok(page.page(rows, |g| g.id.0))
}

/// The most groups a picker suggests at once.
const CHOICES: i64 = 20;

/// Names of the groups containing `fragment`, for a picker; none for a caller who may not read
/// groups.
pub async fn choices(
    context: &Context,
    who: &Principal,
    fragment: &str,
) -> Result<Vec<String>, AppError> {
    if who.access.may_read_outlet_groups().is_err() {
        return Ok(Vec::new());
    }
    let mut conn = context.read().await?;
    Ok(store::outlet_groups::choices(&mut conn, who.organization_id, fragment, CHOICES).await?)
}

/// Whether the caller is offered groups at all: they may read them and there is one.
pub async fn offered(context: &Context, who: &Principal) -> Result<bool, AppError> {
    if who.access.may_read_outlet_groups().is_err() {
        return Ok(false);
    }
    let mut conn = context.read().await?;
    Ok(store::outlet_groups::any(&mut conn, who.organization_id).await?)
}

/// The group of the caller's organization a picker's text names (`None` for no text): its id,
/// or its name in any case; an unknown name is a problem of `field`, also for a caller who may
/// not read groups (names are not probed through it). Whether the caller may grant through the
/// group is decided later, by the use-case, as for an id.
pub async fn resolve(
    context: &Context,
    who: &Principal,
    text: &str,
    field: &str,
) -> Result<Option<OutletGroupId>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(id) = OutletGroupId::parse(text) {
        return Ok(Some(id));
    }
    let found = if who.access.may_read_outlet_groups().is_ok() {
        let mut conn = context.read().await?;
        store::outlet_groups::by_name(&mut conn, who.organization_id, text).await?
    } else {
        None
    };
    found
        .map(Some)
        .ok_or_else(|| AppError::field(field, format!("No outlet group is named {text}.")))
}

pub async fn get(
    context: &Context,
    who: &Principal,
    id: OutletGroupId,
) -> Result<OutletGroup, AppError> {
    who.access.may_read_outlet_groups()?;
    let mut conn = context.read().await?;
    load(&mut conn, who, id).await
}

async fn load(
    conn: &mut Conn,
    who: &Principal,
    id: OutletGroupId,
) -> Result<OutletGroup, AppError> {
    store::outlet_groups::get(conn, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Who creates, changes and deletes groups: who manages outlets across the organization.
pub fn may_change(who: &Principal) -> Result<(), AppError> {
    super::outlets::may_manage_outlets(who)
}

/// Checks that every outlet to put into a group is an open outlet of the organization.
async fn check_outlets(
    conn: &mut Conn,
    who: &Principal,
    field: &str,
    outlets: &[OutletId],
) -> Result<(), AppError> {
    if outlets.is_empty() {
        return Ok(());
    }
    let wanted = Scope::Outlets(outlets.iter().copied().collect());
    let found = store::catalog::outlets_by_name(conn, who.organization_id, &wanted).await?;
    let known: BTreeSet<OutletId> = found.iter().map(|o| o.id).collect();
    if let Some(missing) = outlets.iter().find(|id| !known.contains(id)) {
        return Err(AppError::field(
            field,
            format!("{missing} is not an outlet of this organization."),
        ));
    }
    if let Some(archived) = found.iter().find(|o| o.archived) {
        return Err(AppError::field(
            field,
            format!(
                "{} is archived: restore it before adding it to a group.",
                archived.name
            ),
        ));
    }
    Ok(())
}

async fn record(
    conn: &mut Conn,
    who: &Principal,
    action: AuditAction,
    id: OutletGroupId,
    before: Option<&OutletGroup>,
    after: Option<&OutletGroup>,
) -> Result<(), AppError> {
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action,
        target_type: "outlet_group",
        target_id: Some(id.0),
        before: before.map(|b| json!(b)),
        after: after.map(|a| json!(a)),
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

/// Creates a group (a `new` change has a name) with its outlets.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create(
    work: &mut Work,
    who: &Principal,
    new: OutletGroupChange,
) -> Result<OutletGroup, AppError> {
    may_change(who)?;
    let Some(name) = &new.name else {
        return Err(AppError::field("name", "Give the group a name."));
    };
    let outlets = new.outlets.clone().unwrap_or_default();
    check_outlets(work, who, "outlets", &outlets).await?;
    let id = store::outlet_groups::insert(work, who.organization_id, name.as_str())
        .await
        .map_err(name_taken)?;
    store::outlet_groups::add_outlets(work, who.organization_id, id, &outlets).await?;
    let created = load(work, who, id).await?;
    record(
        work,
        who,
        AuditAction::OutletGroupCreated,
        id,
        None,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Renames a group and/or changes its outlets: the whole list, or some added and some taken
/// out. Access through the group follows at once.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, group = %id))]
pub async fn update(
    work: &mut Work,
    who: &Principal,
    id: OutletGroupId,
    change: OutletGroupChange,
) -> Result<OutletGroup, AppError> {
    may_change(who)?;
    let before = load(work, who, id).await?;
    if let Some(outlets) = &change.outlets {
        check_outlets(work, who, "outlets", outlets).await?;
        store::outlet_groups::remove_outlets(work, id, None).await?;
        store::outlet_groups::add_outlets(work, who.organization_id, id, outlets).await?;
    }
    check_outlets(work, who, "add_outlets", &change.add).await?;
    store::outlet_groups::add_outlets(work, who.organization_id, id, &change.add).await?;
    if !change.remove.is_empty() {
        store::outlet_groups::remove_outlets(work, id, Some(&change.remove)).await?;
    }
    store::outlet_groups::touch(work, id, change.name.as_ref().map(|n| n.as_str()))
        .await
        .map_err(name_taken)?;
    let after = load(work, who, id).await?;
    record(
        work,
        who,
        AuditAction::OutletGroupUpdated,
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Deletes a group no connector grants through (409 `outlet_group_in_use` otherwise: access
/// never disappears as a side effect).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, group = %id))]
pub async fn delete(work: &mut Work, who: &Principal, id: OutletGroupId) -> Result<(), AppError> {
    may_change(who)?;
    let before = load(work, who, id).await?;
    if before.connectors > 0 {
        let message = if before.connectors == 1 {
            format!(
                "One connector grants access through {}: revoke it first.",
                before.name
            )
        } else {
            format!(
                "{} connectors grant access through {}: revoke them first.",
                before.connectors, before.name
            )
        };
        return Err(AppError::conflict("outlet_group_in_use", message));
    }
    store::outlet_groups::delete(work, id).await?;
    record(
        work,
        who,
        AuditAction::OutletGroupDeleted,
        id,
        Some(&before),
        None,
    )
    .await
}
