//! Read-only lists of an organization's roles and outlets, as a principal may see them.

use super::{Context, Principal};
use crate::domain::model::{
    AccessOptions, ConnectorType, Outlet, OutletReference, Paged, Role, outlet_label,
};
use crate::domain::paging::PageRequest;
use crate::domain::{AppError, OutletId, Permission, Scope};
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

/// What the console's access page may offer: roles, and whether the caller grants anywhere.
pub async fn access_options(context: &Context, who: &Principal) -> Result<AccessOptions, AppError> {
    who.scope_for(Permission::ViewConnectors)?;
    let manage = who.access.scope_of(Permission::ManageConnectors);
    let roles = roles(context, who, None).await?;
    Ok(AccessOptions {
        roles,
        manages_access: !manage.is_nowhere(),
        manages_library: manage == Scope::Organization,
        offers_outlet_groups: super::outlet_groups::offered(context, who).await?,
    })
}

/// The most outlets a picker offers at once.
const CHOICES: i64 = 20;

/// Outlets whose name or number contains `fragment`, as picker labels: those the caller reaches,
/// or (`managing`) those where they manage access (never archived ones).
pub async fn outlet_choices(
    context: &Context,
    who: &Principal,
    fragment: &str,
    managing: bool,
) -> Result<Vec<String>, AppError> {
    let scope = if managing {
        who.scope_for(Permission::ManageConnectors)?
    } else {
        who.access.reach()
    };
    let mut conn = context.read().await?;
    let found = store::catalog::outlet_choices(
        &mut conn,
        who.organization_id,
        &scope,
        fragment,
        !managing,
        CHOICES,
    )
    .await?;
    Ok(found
        .iter()
        .map(|(name, number)| outlet_label(name, number))
        .collect())
}

/// The outlet of the caller's organization a picker's text names (`None` for no text); an
/// unknown number is a problem of `field`. Whether the caller may act there is decided later,
/// by the use-case, as for an id.
pub async fn resolve_outlet(
    context: &Context,
    who: &Principal,
    text: &str,
    field: &str,
) -> Result<Option<OutletId>, AppError> {
    match OutletReference::parse(text) {
        OutletReference::Empty => Ok(None),
        OutletReference::Id(id) => Ok(Some(id)),
        OutletReference::Number(number) => {
            let mut conn = context.read().await?;
            store::catalog::outlet_by_number(&mut conn, who.organization_id, &number)
                .await?
                .map(|outlet| Some(outlet.id))
                .ok_or_else(|| {
                    AppError::field(field, format!("No outlet has the number {number}."))
                })
        }
    }
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
