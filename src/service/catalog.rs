//! Read-only lists of an organization's roles and outlets, as a principal may see them.

use super::{Context, Principal};
use crate::domain::model::{AccessOptions, ConnectorType, Outlet, Paged, Role};
use crate::domain::paging::PageRequest;
use crate::domain::{AppError, Permission, Scope};
use crate::store;

/// Roles usable in the organization, for whoever may list them (policy).
pub async fn roles(
    context: &Context,
    who: &Principal,
    role_type: Option<ConnectorType>,
) -> Result<Vec<Role>, AppError> {
    who.access.may_list_roles()?;
    let mut conn = context.read().await?;
    Ok(store::catalog::roles(&mut conn, who.organization_id, role_type).await?)
}

/// One keyset page of the outlets the principal can reach.
pub async fn outlets(
    context: &Context,
    who: &Principal,
    page: &PageRequest,
) -> Result<Paged<Outlet>, AppError> {
    let mut conn = context.read().await?;
    let rows =
        store::catalog::outlets(&mut conn, who.organization_id, &who.access.reach(), page).await?;
    Ok(page.page(rows, |o| o.id.0))
}

/// What the console's access page may offer: roles, outlets to filter by and to grant at.
pub async fn access_options(context: &Context, who: &Principal) -> Result<AccessOptions, AppError> {
    let view = who.scope_for(Permission::ViewConnectors)?;
    let manage = who.access.scope_of(Permission::ManageConnectors);
    let roles = roles(context, who, None).await?;
    let mut conn = context.read().await?;
    let organization = who.organization_id;
    Ok(AccessOptions {
        roles,
        visible_outlets: store::catalog::outlets_by_name(&mut conn, organization, &view).await?,
        manageable_outlets: store::catalog::outlets_by_name(&mut conn, organization, &manage)
            .await?,
        manages_library: manage == Scope::Organization,
    })
}

/// One keyset page of the roles, by id like every other list (roles are few: paged in memory).
pub async fn roles_page(
    context: &Context,
    who: &Principal,
    role_type: Option<ConnectorType>,
    page: &PageRequest,
) -> Result<Paged<Role>, AppError> {
    let roles = roles(context, who, role_type).await?;
    Ok(page.page_of(roles, |r| r.id.0))
}
