//! Users (the R365 view): list, get, create and change a membership of the caller's
//! organization through its connectors. The same rules as everywhere: the policy decides
//! inside the unit of work that writes, nobody grants a role above their own, the API User
//! Permissions setting locks console edits, and every change is an audit event.

mod access;
mod external;
mod rehire;
mod write;

pub use rehire::Rehire;
pub(crate) use rehire::{Named, bring_back, named, record as record_rehire};
pub use write::{Creation, create, may_create, update};
pub(crate) use write::{audit_user, ensure_manageable};

use std::collections::{BTreeMap, HashMap};

use super::{Context, Principal};
use crate::domain::model::{ConnectorType, MembershipStatus, OutletRef, Paged};
use crate::domain::policy;
use crate::domain::user_commands::UserListQuery;
use crate::domain::users::{ReportRole, User, UserRoleRef};
use crate::domain::{AppError, MembershipId, OutletId, Permission, RoleId, Scope, UserId};
use crate::store::users::{Grant, UserRow};
use crate::store::{self, Conn};

/// A grant as the users view writes it: role, its type, and the outlet (`None`: the whole
/// organization).
/// A grant as the users view writes it: role, its type, and the outlet (`None`: the whole
/// organization).
type GrantKey = (RoleId, ConnectorType, Option<OutletId>);

/// The view of one membership from its rows.
/// `scope`: where the viewer sees; the default location outside it is not shown.
fn view(
    scope: &Scope,
    row: UserRow,
    grants: Vec<Grant>,
    report_roles: Option<Vec<ReportRole>>,
    external_locations: Vec<crate::domain::users::ExternalLocation>,
) -> User {
    let all_location_access = grants
        .iter()
        .any(|g| g.connector_type == ConnectorType::Library);
    let mut roles = BTreeMap::new();
    let mut locations = BTreeMap::new();
    for grant in grants {
        roles.insert(grant.role_id, grant.role_name);
        if let (Some(id), Some(name), Some(number)) =
            (grant.outlet_id, grant.outlet_name, grant.outlet_number)
        {
            locations.insert(id, OutletRef { id, name, number });
        }
    }
    let mut user_roles: Vec<UserRoleRef> = roles
        .into_iter()
        .map(|(id, name)| UserRoleRef { id, name })
        .collect();
    user_roles.sort_by_key(|role| role.name.to_lowercase());
    let mut locations: Vec<OutletRef> = locations.into_values().collect();
    locations.sort_by_key(|outlet| outlet.name.to_lowercase());
    User {
        id: row.user_id,
        default_location: row
            .default_location()
            .filter(|outlet| scope.covers(Some(outlet.id))),
        managed_by_brand: row.brand(),
        username: row.username,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        mobile_number: row.mobile,
        external_id: row.external_id,
        inactive: row.status == MembershipStatus::Inactive,
        all_location_access,
        all_reports_access: row.all_reports_access,
        user_roles,
        report_roles: report_roles.filter(|_| !row.all_reports_access),
        locations: (!all_location_access).then_some(locations),
        external_locations,
        managed_by: row.managed_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// The views of these rows, as a viewer limited to `scope` sees them: connectors inside it,
/// report roles only for viewers of the whole organization.
async fn assemble(
    conn: &mut Conn,
    scope: &Scope,
    rows: Vec<UserRow>,
) -> Result<Vec<User>, AppError> {
    let ids: Vec<MembershipId> = rows.iter().map(|r| r.membership_id).collect();
    let mut grants = store::users::grants_of(conn, &ids, scope).await?;
    let organization_wide = policy::sees_organization_details(scope);
    let mut reports = if organization_wide {
        store::users::report_roles_of(conn, &ids).await?
    } else {
        HashMap::new()
    };
    // Franchisees' outlets are an organization-wide fact, like report roles.
    let mut externals = if organization_wide {
        store::users::external_locations_of(conn, &ids).await?
    } else {
        HashMap::new()
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.membership_id;
            view(
                scope,
                row,
                grants.remove(&id).unwrap_or_default(),
                organization_wide.then(|| reports.remove(&id).unwrap_or_default()),
                externals.remove(&id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The users list with its filters, keyset-paged by user id.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list(
    context: &Context,
    who: &Principal,
    query: &UserListQuery,
) -> Result<Paged<User>, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    let rows = store::users::list(
        &mut conn,
        who.organization_id,
        &scope,
        &query.filter,
        &query.page,
    )
    .await?;
    let page = query.page.page(rows, |row| row.user_id.0);
    Ok(Paged {
        results: assemble(&mut conn, &scope, page.results).await?,
        next_cursor: page.next_cursor,
    })
}

/// One user in the viewer's scope; 404 otherwise.
pub async fn get(context: &Context, who: &Principal, user: UserId) -> Result<User, AppError> {
    let mut conn = context.read().await?;
    read(&mut conn, who, user).await
}

/// One user as `get` answers it, read on `conn` (a unit of work's, to compare it with the
/// version a client read before it writes).
pub async fn read(conn: &mut Conn, who: &Principal, user: UserId) -> Result<User, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    load(conn, who, &scope, user).await
}

/// The person as `who` sees them must still be the version a form was `opened` on, if it
/// says (412 `changed_by_someone_else` otherwise), read in the unit of work about to write.
pub async fn ensure_version(
    conn: &mut Conn,
    who: &Principal,
    user: UserId,
    opened: Option<&str>,
) -> Result<(), AppError> {
    match opened {
        Some(opened) => {
            crate::service::versions::ensure_unchanged(&read(conn, who, user).await?, opened)
        }
        None => Ok(()),
    }
}

pub(super) async fn load(
    conn: &mut Conn,
    who: &Principal,
    scope: &Scope,
    user: UserId,
) -> Result<User, AppError> {
    let row = store::users::get(conn, who.organization_id, scope, user)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(assemble(conn, scope, vec![row]).await?.remove(0))
}

/// The organization's report roles (for whoever may list roles).
pub async fn report_roles(context: &Context, who: &Principal) -> Result<Vec<ReportRole>, AppError> {
    who.access.may_list_roles()?;
    let mut conn = context.read().await?;
    Ok(store::users::report_roles(&mut conn, who.organization_id).await?)
}

/// The console's edit form of a person: the record as the viewer sees it, whether (and why
/// not) they may change it, and the choices to offer. Needs manage-users somewhere.
pub async fn editing(
    context: &Context,
    who: &Principal,
    user: UserId,
) -> Result<crate::domain::users::PersonEditing, AppError> {
    let view = who.scope_for(Permission::ViewUsers)?;
    who.scope_for(Permission::ManageUsers)?;
    let mut conn = context.read().await?;
    let shown = load(&mut conn, who, &view, user).await?;
    let version = crate::service::versions::version_of(&shown);
    let locked = write::edit_lock(&mut conn, who, user).await?;
    if locked.is_some() {
        // A read-only record offers no choices.
        return Ok(crate::domain::users::PersonEditing {
            locked,
            profile_editable: false,
            reports_editable: false,
            roles: Vec::new(),
            outlets: Vec::new(),
            report_roles: Vec::new(),
            user: shown,
            version,
        });
    }
    // The person's own locations (unchecked to remove); others are added with a picker, so the
    // form never lists an organization's thousands of outlets.
    let mut outlets = Vec::new();
    for location in shown.locations.iter().flatten() {
        if let Some(outlet) =
            store::catalog::outlet(&mut conn, who.organization_id, location.id).await?
        {
            outlets.push(outlet);
        }
    }
    Ok(crate::domain::users::PersonEditing {
        locked,
        profile_editable: !store::accounts::belongs_elsewhere(&mut conn, user, who.organization_id)
            .await?,
        reports_editable: policy::may_change_organization_details(&who.access).is_ok(),
        roles: store::catalog::roles(&mut conn, who.organization_id, None).await?,
        outlets,
        report_roles: store::users::report_roles(&mut conn, who.organization_id).await?,
        user: shown,
        version,
    })
}
