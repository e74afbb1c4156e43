//! People: the searchable, paged list of an organization's people and one person's record,
//! each limited to what the viewer may see.

use super::{Context, Principal};
use crate::domain::model::{
    MembershipStatus, OrganizationDetails, PeoplePage, PersonRecord, PersonRow, display_name,
};
use crate::domain::user_commands::PeopleSelection;
use crate::domain::{AppError, MembershipId, Permission, UserId, policy};
use crate::store;

/// People are counted up to this many; beyond, the list says "more than".
const COUNT_CAP: i64 = 1_000;

/// A page of people matching the selection, after the membership `after` (an unknown or
/// foreign cursor starts from the first page).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list(
    context: &Context,
    who: &Principal,
    selection: &PeopleSelection,
    after: Option<MembershipId>,
    page_size: u32,
) -> Result<PeoplePage, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    let search =
        store::people::search(&mut conn, who.organization_id, selection, context.now()).await?;
    let counted = store::people::count(
        &mut conn,
        who.organization_id,
        &scope,
        &search,
        COUNT_CAP + 1,
    )
    .await?;
    let page_size = page_size.max(1);
    let position = match after {
        Some(after) => store::people::position(&mut conn, who.organization_id, after).await?,
        None => None,
    };
    let mut rows = store::people::list(
        &mut conn,
        who.organization_id,
        &scope,
        &search,
        position.as_ref(),
        i64::from(page_size) + 1,
    )
    .await?;
    let more = rows.len() > page_size as usize;
    rows.truncate(page_size as usize);
    let next = more
        .then(|| rows.last().map(|r| r.membership_id.to_string()))
        .flatten();
    let memberships: Vec<_> = rows.iter().map(|r| r.membership_id).collect();
    let mut roles = store::people::roles_by_membership(&mut conn, &memberships, &scope).await?;
    let mut invitations = super::invitations::of(&mut conn, &memberships, context.now()).await?;
    Ok(PeoplePage {
        rows: rows
            .into_iter()
            .map(|r| PersonRow {
                id: r.user_id,
                name: display_name(&r.first_name, &r.last_name, &r.email),
                status: r.status,
                managed_by: r.managed_by,
                managed_by_brand: r.brand,
                roles: roles.remove(&r.membership_id).unwrap_or_default(),
                invitation: invitations.remove(&r.membership_id),
                last_signed_in_at: r.last_signed_in_at,
                email: r.email,
                username: r.username,
            })
            .collect(),
        page_size,
        total: u32::try_from(counted.min(COUNT_CAP)).unwrap_or(u32::MAX),
        total_capped: counted > COUNT_CAP,
        later: position.is_some(),
        next,
        brands: store::catalog::usable_brands(&mut conn, who.organization_id).await?,
    })
}

/// The record of a person in the viewer's scope; 404 for anyone else (another
/// organization's people, or this one's outside the viewer's outlets).
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn record(
    context: &Context,
    who: &Principal,
    user: UserId,
) -> Result<PersonRecord, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    let row = store::people::get(&mut conn, who.organization_id, &scope, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let connectors = store::people::connectors_of(&mut conn, row.membership_id, &scope).await?;
    let effective = if row.status == MembershipStatus::Active {
        store::people::effective_of(&mut conn, row.membership_id, &scope, context.now()).await?
    } else {
        Vec::new()
    };
    let invitation = super::invitations::of(&mut conn, &[row.membership_id], context.now())
        .await?
        .remove(&row.membership_id);
    let organization_details = if policy::sees_organization_details(&scope) {
        Some(OrganizationDetails {
            external_id: row.external_id,
            all_reports_access: row.all_reports_access,
            report_roles: store::people::report_roles_of(&mut conn, row.membership_id).await?,
        })
    } else {
        None
    };
    Ok(PersonRecord {
        id: user,
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        username: row.username,
        mobile: row.mobile,
        status: row.status,
        managed_by: row.managed_by,
        managed_by_brand: row.brand,
        default_outlet: row
            .default_outlet
            .filter(|_| scope.covers(row.default_outlet_id)),
        organization_details,
        connectors,
        effective,
        last_signed_in_at: row.last_signed_in_at,
        invitation,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
