//! Read-only lists of an organization's roles and outlets, as a principal may see them.

use super::{Principal, internal};
use crate::domain::model::{AccessOptions, ConnectorType, Outlet, Role};
use crate::domain::{AppError, Permission, Scope};
use crate::server::startup::AppState;
use crate::store::catalog;
use uuid::Uuid;

/// Roles usable in the organization; for whoever may see or manage access.
pub async fn roles(
    state: &AppState,
    who: &Principal,
    role_type: Option<ConnectorType>,
) -> Result<Vec<Role>, AppError> {
    if !who.access.holds_anywhere(Permission::ViewConnectors)
        && !who.access.holds_anywhere(Permission::ManageConnectors)
    {
        return Err(AppError::Forbidden);
    }
    catalog::roles(&state.pool, who.organization_id, role_type)
        .await
        .map_err(internal)
}

/// One keyset page of the outlets the principal can reach.
pub async fn outlets(
    state: &AppState,
    who: &Principal,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<Outlet>, AppError> {
    catalog::outlets(
        &state.pool,
        who.organization_id,
        &who.access.reach(),
        after,
        limit,
    )
    .await
    .map_err(internal)
}

/// What the console's access page may offer: roles, outlets to filter by and to grant at.
pub async fn access_options(state: &AppState, who: &Principal) -> Result<AccessOptions, AppError> {
    let view = who.scope_for(Permission::ViewConnectors)?;
    let manage = who.access.scope_of(Permission::ManageConnectors);
    let organization = who.organization_id;
    Ok(AccessOptions {
        roles: roles(state, who, None).await?,
        visible_outlets: catalog::outlets_by_name(&state.pool, organization, &view)
            .await
            .map_err(internal)?,
        manageable_outlets: catalog::outlets_by_name(&state.pool, organization, &manage)
            .await
            .map_err(internal)?,
        manages_library: manage == Scope::Organization,
    })
}
