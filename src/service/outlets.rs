//! Outlets: created, changed, archived and restored by someone who manages outlets across the
//! organization. An archived outlet grants no access (`store::access`) and takes no new grant.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::{Principal, Work};
use crate::domain::model::Outlet;
use crate::domain::outlets::OutletChange;
use crate::domain::{AppError, OutletId, Permission};
use crate::store::catalog::OutletWrite;
use crate::store::{self, Conn, audit, is_unique_violation};

pub(super) fn may_manage_outlets(who: &Principal) -> Result<(), AppError> {
    who.access
        .required_organization_wide(Permission::ManageOutlets)
}

fn number_taken(error: sqlx::Error) -> AppError {
    if is_unique_violation(&error) {
        AppError::conflict(
            "number_taken",
            "Another outlet of this organization has that number.",
        )
    } else {
        AppError::from(error)
    }
}

async fn check_brand(
    conn: &mut Conn,
    who: &Principal,
    change: &OutletChange,
) -> Result<(), AppError> {
    if let Some(Some(brand)) = change.brand
        && !store::catalog::brand_usable(conn, who.organization_id, brand).await?
    {
        return Err(AppError::field(
            "brand",
            "Use a brand this organization owns or runs outlets under.",
        ));
    }
    Ok(())
}

async fn record(
    conn: &mut Conn,
    who: &Principal,
    action: AuditAction,
    id: OutletId,
    before: Option<&Outlet>,
    after: &Outlet,
) -> Result<(), AppError> {
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action,
        target_type: "outlet",
        target_id: Some(id.0),
        before: before.map(|b| json!(b)),
        after: Some(json!(after)),
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

fn write(change: &OutletChange) -> OutletWrite<'_> {
    OutletWrite {
        name: change.name.as_ref().map(|n| n.as_str()),
        number: change.number.as_deref(),
        brand: change.brand,
        time_zone: change
            .time_zone
            .as_ref()
            .map(|z| z.as_ref().map(|z| z.as_str())),
        archived: change.archived,
    }
}

/// Creates an outlet (a `new` change has a name and a number).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create(
    work: &mut Work,
    who: &Principal,
    new: OutletChange,
) -> Result<Outlet, AppError> {
    may_manage_outlets(who)?;
    check_brand(work, who, &new).await?;
    let (Some(name), Some(number)) = (&new.name, &new.number) else {
        return Err(AppError::invalid("Give the outlet a name and a number."));
    };
    let id = store::catalog::insert_outlet(
        work,
        who.organization_id,
        name.as_str(),
        number,
        new.brand.flatten(),
        new.time_zone
            .as_ref()
            .and_then(|z| z.as_ref().map(|z| z.as_str())),
    )
    .await
    .map_err(number_taken)?;
    let created = store::catalog::outlet(work, who.organization_id, id)
        .await?
        .ok_or(AppError::Internal)?;
    record(work, who, AuditAction::OutletCreated, id, None, &created).await?;
    Ok(created)
}

/// Changes, archives (`archived: true`) or restores an outlet of the organization.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn update(
    work: &mut Work,
    who: &Principal,
    id: OutletId,
    change: OutletChange,
) -> Result<Outlet, AppError> {
    may_manage_outlets(who)?;
    let before = store::catalog::outlet(work, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_brand(work, who, &change).await?;
    store::catalog::update_outlet(work, id, &write(&change))
        .await
        .map_err(number_taken)?;
    let after = store::catalog::outlet(work, who.organization_id, id)
        .await?
        .ok_or(AppError::Internal)?;
    let action = match (before.archived, after.archived) {
        (false, true) => AuditAction::OutletArchived,
        (true, false) => AuditAction::OutletRestored,
        _ => AuditAction::OutletUpdated,
    };
    record(work, who, action, id, Some(&before), &after).await?;
    Ok(after)
}

/// Outlets per page of the console's list.
const OUTLETS_PER_PAGE: u32 = 25;

/// A page of the organization's outlets by name (archived ones included), for who manages
/// outlets: those after `after`, matching `search` when given.
pub async fn page(
    context: &super::Context,
    who: &Principal,
    search: Option<&str>,
    after: Option<crate::domain::OutletId>,
) -> Result<crate::domain::me::OutletsPage, AppError> {
    may_manage_outlets(who)?;
    let mut conn = context.read().await?;
    let organization = who.organization_id;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let (mut outlets, total) = store::catalog::outlets_page(
        &mut conn,
        organization,
        search,
        after,
        i64::from(OUTLETS_PER_PAGE) + 1,
    )
    .await?;
    let more = outlets.len() > OUTLETS_PER_PAGE as usize;
    outlets.truncate(OUTLETS_PER_PAGE as usize);
    let next = more
        .then(|| outlets.last().map(|o| o.id.to_string()))
        .flatten();
    Ok(crate::domain::me::OutletsPage {
        outlets,
        total: u32::try_from(total).unwrap_or(u32::MAX),
        next,
        brands: store::catalog::usable_brands(&mut conn, organization).await?,
        default_time_zone: store::organizations::settings(&mut conn, organization)
            .await?
            .map(|s| s.time_zone)
            .unwrap_or_else(|| "UTC".into()),
    })
}
