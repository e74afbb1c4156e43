//! User connectors: list, create ("add user"), change role, outlet or names, revoke.
//! The same rules for the API and the console: scope and permission from the policy, nobody
//! grants (or takes away) a role above their own, nobody touches their own access, an
//! existing account is never changed by adding access to it, one unit of work per change
//! with its audit event.

use crate::domain::audit::AuditAction;
use serde_json::json;
use std::collections::HashMap;

use super::users::{self, Named, Rehire};
use super::{Context, Principal, Work, refused, verification};
use crate::domain::commands::{ConnectorChange, ConnectorListQuery, NewConnector};
use crate::domain::model::{
    AccessEntry, AddedAccess, Connector, ConnectorType, Outlet, OutletGroupRef, Paged, Role,
    RowChange,
};
use crate::domain::policy::{self, ApiManagement, ExistingGrant, ProfileFacts, Refusal, RoleFacts};
use crate::domain::{
    AppError, ConnectorId, OutletGroupId, OutletId, Permission, RoleId, Scope, Username,
};
use crate::store::connectors::{NewMembership, Place, StoredConnector};
use crate::store::{self, Conn, audit, is_unique_violation};

fn place_words(outlet: Option<&Outlet>) -> String {
    outlet.map_or("the whole organization".into(), |o| o.name.clone())
}

fn group_words(group: &OutletGroupRef) -> String {
    format!("the outlet group {}", group.name)
}

/// Where the policy weighs a connector: its outlet, or for the organization or an outlet
/// group's grant, the whole organization (`policy::GROUP_PLACE`).
pub(super) fn policy_place(connector: &Connector) -> Option<OutletId> {
    match (&connector.outlet, &connector.outlet_group) {
        (Some(outlet), _) => Some(outlet.id),
        (None, Some(_)) => policy::GROUP_PLACE,
        (None, None) => None,
    }
}

pub(super) fn facts(role: &Role) -> RoleFacts<'_> {
    RoleFacts {
        name: &role.name,
        permissions: &role.permissions,
    }
}

/// The filtered, keyset-paged list with what writes need to know of each row.
async fn list_stored(
    conn: &mut Conn,
    who: &Principal,
    query: &ConnectorListQuery,
    now: time::OffsetDateTime,
) -> Result<Paged<StoredConnector>, AppError> {
    let scope = who.scope_for(Permission::ViewConnectors)?;
    let rows = store::connectors::list(
        conn,
        who.organization_id,
        &scope,
        &query.filter,
        &query.page,
        now,
    )
    .await?;
    Ok(query.page.page(rows, |c| c.connector.id.0))
}

/// The connector list with its filters, keyset-paged.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list(
    context: &Context,
    who: &Principal,
    query: &ConnectorListQuery,
) -> Result<Paged<Connector>, AppError> {
    let mut conn = context.read().await?;
    Ok(list_stored(&mut conn, who, query, context.now())
        .await?
        .map(|stored| stored.connector))
}

/// The roles offered to the organization, by id (to judge existing grants).
pub(super) async fn roles_by_id(
    conn: &mut Conn,
    who: &Principal,
) -> Result<HashMap<RoleId, Role>, AppError> {
    Ok(store::catalog::roles(conn, who.organization_id, None)
        .await?
        .into_iter()
        .map(|role| (role.id, role))
        .collect())
}

/// The console's access table: the list, each row with what the viewer may do to it,
/// decided by the same rule the writes apply.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list_with_changes(
    context: &Context,
    who: &Principal,
    query: &ConnectorListQuery,
) -> Result<Paged<AccessEntry>, AppError> {
    let mut conn = context.read().await?;
    let page = list_stored(&mut conn, who, query, context.now()).await?;
    let manage = who.access.scope_of(Permission::ManageConnectors);
    let roles = roles_by_id(&mut conn, who).await?;
    let memberships: Vec<_> = page.results.iter().map(|s| s.membership_id).collect();
    let facts = store::settings::api_management_of(&mut conn, &memberships).await?;
    Ok(page.map(|stored| {
        let connector = stored.connector;
        let facts = facts.get(&stored.membership_id);
        // The setting governs the console only.
        let console_facts = facts.filter(|_| who.via_console());
        let verdict = change_verdict(
            who,
            &manage,
            roles.get(&connector.role.id),
            &connector,
            console_facts,
        );
        let change = match verdict {
            Ok(()) => RowChange::Allowed,
            Err(refusal) => match refusal.reason() {
                None => RowChange::ViewOnly,
                Some(reason) => RowChange::Locked(reason.to_string()),
            },
        };
        AccessEntry {
            version: crate::service::versions::version_of(&connector),
            connector,
            change,
            managed_by_brand: facts.and_then(|f| f.brand.as_ref().map(|(name, _)| name.clone())),
        }
    }))
}

/// One connector the principal can see; 404 otherwise.
pub async fn get(
    context: &Context,
    who: &Principal,
    id: ConnectorId,
) -> Result<Connector, AppError> {
    let mut conn = context.read().await?;
    read(&mut conn, who, id, context.now()).await
}

/// The connector as `who` sees it must still be the version a row was `opened` on, if it
/// says (412 `changed_by_someone_else` otherwise), read in the unit of work about to write.
pub async fn ensure_version(
    work: &mut Work,
    who: &Principal,
    id: ConnectorId,
    opened: Option<&str>,
) -> Result<(), AppError> {
    match opened {
        Some(opened) => {
            let now = work.now();
            crate::service::versions::ensure_unchanged(&read(work, who, id, now).await?, opened)
        }
        None => Ok(()),
    }
}

/// One connector as `get` answers it, read on `conn` (a unit of work's, to compare it with
/// the version a client read before it writes).
pub async fn read(
    conn: &mut Conn,
    who: &Principal,
    id: ConnectorId,
    now: time::OffsetDateTime,
) -> Result<Connector, AppError> {
    let scope = who.scope_for(Permission::ViewConnectors)?;
    store::connectors::get(conn, who.organization_id, id, now)
        .await?
        .map(|stored| stored.connector)
        .filter(|c| scope.covers(policy_place(c)))
        .ok_or(AppError::NotFound)
}

/// Resolves the role and outlet a connector would have, as field errors when unknown or
/// outside the principal's reach, and checks that the role's type fits the scope.
pub(super) async fn resolve_grant(
    conn: &mut Conn,
    who: &Principal,
    role: RoleId,
    outlet: Option<OutletId>,
) -> Result<(Role, Option<Outlet>), AppError> {
    let role = store::catalog::role(conn, who.organization_id, role)
        .await?
        .ok_or_else(|| AppError::field("role", "There is no such role in this organization."))?;
    let outlet = match outlet {
        None => None,
        Some(id) => Some(
            store::catalog::outlet(conn, who.organization_id, id)
                .await?
                .filter(|o| who.access.reach().covers(Some(o.id)))
                .ok_or_else(|| {
                    AppError::field("outlet", "There is no such outlet in this organization.")
                })?,
        ),
    };
    if let Some(archived) = outlet.as_ref().filter(|o| o.archived) {
        return Err(AppError::field(
            "outlet",
            format!(
                "{} is archived: restore it before granting access there.",
                archived.name
            ),
        ));
    }
    match (role.role_type, &outlet) {
        (ConnectorType::Library, Some(_)) => Err(AppError::field(
            "role",
            format!(
                "{} is a library role (L): leave the outlet empty, or choose an outlet role (O).",
                role.name
            ),
        )),
        (ConnectorType::Outlet, None) => Err(AppError::field(
            "outlet",
            format!("{} is an outlet role (O): choose the outlet.", role.name),
        )),
        _ => Ok((role, outlet)),
    }
}

/// The policy's verdict on a new grant, as an error the caller understands.
pub(super) fn check_new_grant(
    who: &Principal,
    manage: &Scope,
    role: &Role,
    outlet: Option<&Outlet>,
) -> Result<(), AppError> {
    let place = place_words(outlet);
    policy::may_grant(
        &who.access,
        manage,
        facts(role),
        outlet.map(|o| o.id),
        &place,
    )
    .map_err(|refusal| match refusal {
        Refusal::OutsideScope => AppError::denied(
            "outside_your_scope",
            format!("You cannot manage access to {place}."),
        ),
        other => refused(other, true),
    })
}

/// Resolves an outlet group a connector would grant through, with its role: an outlet role
/// (O), and a group of the organization. Field errors otherwise.
pub(super) async fn resolve_group(
    conn: &mut Conn,
    who: &Principal,
    role: RoleId,
    group: OutletGroupId,
) -> Result<(Role, OutletGroupRef), AppError> {
    let role = store::catalog::role(conn, who.organization_id, role)
        .await?
        .ok_or_else(|| AppError::field("role", "There is no such role in this organization."))?;
    let group = store::outlet_groups::get(conn, who.organization_id, group)
        .await?
        .map(|g| OutletGroupRef {
            id: g.id,
            name: g.name,
        })
        .ok_or_else(|| {
            AppError::field(
                "outlet_group",
                "There is no such outlet group in this organization.",
            )
        })?;
    if role.role_type == ConnectorType::Library {
        return Err(AppError::field(
            "role",
            format!(
                "{} is a library role (L): an outlet group takes an outlet role (O).",
                role.name
            ),
        ));
    }
    Ok((role, group))
}

/// The policy's verdict on a new grant through an outlet group.
pub(super) fn check_group_grant(
    who: &Principal,
    manage: &Scope,
    role: &Role,
    group: &OutletGroupRef,
) -> Result<(), AppError> {
    policy::may_grant(
        &who.access,
        manage,
        facts(role),
        policy::GROUP_PLACE,
        &group_words(group),
    )
    .map_err(|refusal| match refusal {
        Refusal::OutsideScope => AppError::denied(
            "outside_your_scope",
            format!(
                "You cannot grant access through {}: an outlet group is granted by who manages access across the whole organization.",
                group_words(group)
            ),
        ),
        other => refused(other, true),
    })
}

/// A username for a new account: derived from the email, numbered when taken.
pub(super) async fn free_username(
    conn: &mut Conn,
    email: &crate::domain::Email,
) -> Result<Username, AppError> {
    for number in 1..=1000 {
        let candidate = Username::derived_from(email, number);
        if !store::accounts::username_taken(conn, &candidate).await? {
            return Ok(candidate);
        }
    }
    Err(AppError::conflict(
        "username_unavailable",
        "No username could be derived from this email; create the person with an explicit username.",
    ))
}

/// The console may not touch a membership the API User Permissions setting locks.
pub(super) async fn console_facts(
    conn: &mut Conn,
    who: &Principal,
    membership: crate::domain::MembershipId,
) -> Result<Option<ApiManagement>, AppError> {
    if !who.via_console() {
        return Ok(None);
    }
    Ok(store::settings::api_management(conn, membership).await?)
}

/// A connector as it stands inside the unit of work (after the change).
pub(super) async fn reload(
    work: &mut Work,
    who: &Principal,
    id: ConnectorId,
) -> Result<Connector, AppError> {
    let now = work.now();
    store::connectors::get(work, who.organization_id, id, now)
        .await?
        .map(|stored| stored.connector)
        .ok_or(AppError::NotFound)
}

/// Records a connector change in the same unit of work.
pub(super) async fn audit_change(
    conn: &mut Conn,
    who: &Principal,
    action: AuditAction,
    id: ConnectorId,
    before: Option<&Connector>,
    after: Option<&Connector>,
) -> Result<(), AppError> {
    let event = audit::Event {
        organization_id: Some(who.organization_id),
        action,
        target_type: "user_connector",
        target_id: Some(id.0),
        subject: after.or(before).map(|c| c.user.id),
        before: before.map(|c| json!(c)),
        after: after.map(|c| json!(c)),
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

pub(super) fn duplicate(email: &str, role: &Role, outlet: Option<&Outlet>) -> AppError {
    duplicate_at(email, role, &place_words(outlet))
}

fn where_words(outlet: Option<&Outlet>, group: Option<&OutletGroupRef>) -> String {
    match group {
        Some(group) => group_words(group),
        None => place_words(outlet),
    }
}

fn duplicate_at(email: &str, role: &Role, place: &str) -> AppError {
    AppError::conflict(
        "connector_exists",
        format!("{email} already has the role {} at {place}.", role.name),
    )
}

/// Adds a person's access: reuses the account with that email, unchanged, or creates it;
/// creates the membership if needed, then the connector. An account the organization did
/// not know keeps its profile to itself (the answer shows the email, no names or username).
/// Access for a *deactivated* member (by email or external id) is a rehire when `rehire`
/// allows: they are active again with this connector only, none of their earlier access.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn create(
    work: &mut Work,
    who: &Principal,
    new: NewConnector,
    rehire: Rehire,
) -> Result<AddedAccess, AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    let (role, outlet, group) = match new.outlet_group {
        Some(group) => {
            let (role, group) = resolve_group(work, who, new.role, group).await?;
            check_group_grant(who, &manage, &role, &group)?;
            (role, None, Some(group))
        }
        None => {
            let (role, outlet) = resolve_grant(work, who, new.role, new.outlet).await?;
            check_new_grant(who, &manage, &role, outlet.as_ref())?;
            (role, outlet, None)
        }
    };
    let place = match (&outlet, &group) {
        (Some(outlet), _) => Place::Outlet(outlet.id),
        (None, Some(group)) => Place::Group(group.id),
        (None, None) => Place::Organization,
    };
    let now = work.now();
    let window = super::dated::resolve(
        work,
        who.organization_id,
        outlet.as_ref().map(|o| o.id),
        &new.window,
        now,
    )
    .await?;
    let named = users::named(
        work,
        who.organization_id,
        &new.email,
        new.external_id.as_ref(),
    )
    .await?;

    let (user, known_account, has_password) =
        match store::accounts::by_email(work, &new.email).await? {
            Some(account) => (account.id, true, account.has_password),
            None => {
                let username = free_username(work, &new.email).await?;
                let id = store::accounts::insert(
                    work,
                    &new.email,
                    &username,
                    new.first_name.as_ref(),
                    new.last_name.as_ref(),
                )
                .await?;
                (id, false, false)
            }
        };
    policy::not_own_access(who.is(user)).map_err(|r| refused(r, true))?;
    let mut returning = None;
    let membership = match named {
        Named::Returning(member) if rehire == Rehire::Allowed => {
            returning = Some(users::bring_back(work, who, &member).await?);
            store::users::set_default_outlet(
                work,
                member.membership_id,
                outlet.as_ref().map(|o| o.id),
            )
            .await?;
            member.membership_id
        }
        Named::Active(member) | Named::Returning(member) => {
            if let Some(id) = &new.external_id
                && member.external_id.as_deref() != Some(id.as_str())
            {
                return Err(AppError::conflict(
                    "external_id_differs",
                    "This person is already a member here: set their external id on their record.",
                ));
            }
            if let Some(facts) = console_facts(work, who, member.membership_id).await? {
                policy::console_may_edit(&facts).map_err(|r| refused(r, true))?;
            }
            member.membership_id
        }
        Named::Nobody => {
            // API-provisioned members of a single-brand corporate owner are managed by that brand.
            let managed_by_brand = if who.via_console() {
                None
            } else {
                store::catalog::sole_owned_brand(work, who.organization_id).await?
            };
            let fresh = NewMembership {
                managed_by: who.manages_as(),
                managed_by_brand,
                default_outlet: outlet.as_ref().map(|o| o.id),
                profile_visible: !known_account,
            };
            store::connectors::insert_membership(work, who.organization_id, user, fresh).await?
        }
    };
    if let Some(id) = &new.external_id {
        store::users::set_external_id(work, membership, Some(id.as_str())).await?;
    }
    let id = store::connectors::insert_dated(
        work,
        who.organization_id,
        membership,
        (role.role_type, place, role.id),
        &window,
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            duplicate_at(
                new.email.as_str(),
                &role,
                &where_words(outlet.as_ref(), group.as_ref()),
            )
        } else {
            AppError::from(e)
        }
    })?;
    let connector = reload(work, who, id).await?;
    audit_change(
        work,
        who,
        AuditAction::ConnectorCreated,
        id,
        None,
        Some(&connector),
    )
    .await?;
    if let Some(before) = &returning {
        users::record_rehire(work, who, before).await?;
    }
    // A verification link sets a first password; it never replaces one.
    if new.send_verification_email && !has_password {
        verification::queue_link(work, user, membership, &new.email).await?;
    }
    Ok(AddedAccess {
        connector,
        reactivated: returning.is_some(),
    })
}

/// The policy's verdict on changing or revoking `connector`, whose role is `role` (`None`: a
/// role no longer offered to the organization, e.g. a brand role after the franchise link
/// ended; it is left to whoever still holds it, like a place outside the caller's scope).
fn change_verdict(
    who: &Principal,
    manage: &Scope,
    role: Option<&Role>,
    connector: &Connector,
    console_facts: Option<&ApiManagement>,
) -> Result<(), Refusal> {
    let role = role.ok_or(Refusal::OutsideScope)?;
    let grant = ExistingGrant {
        role: facts(role),
        place: policy_place(connector),
        own: who.is(connector.user.id),
    };
    policy::may_change_grant(&who.access, manage, grant, console_facts)
}

/// A connector that exists for the principal (`domain::policy`'s `knows_grant`), and
/// whether they see it: 404 for one outside their reach.
pub(super) async fn known_connector(
    work: &mut Work,
    who: &Principal,
    id: ConnectorId,
) -> Result<(StoredConnector, bool), AppError> {
    let now = work.now();
    let stored = store::connectors::get(work, who.organization_id, id, now)
        .await?
        .filter(|s| who.access.knows_grant(policy_place(&s.connector)))
        .ok_or(AppError::NotFound)?;
    let sees = who.access.sees_grant(policy_place(&stored.connector));
    Ok((stored, sees))
}

/// Checks that the principal may change or revoke this grant; answers where they manage access.
pub(super) async fn check_change(
    conn: &mut Conn,
    who: &Principal,
    stored: &StoredConnector,
    visible: bool,
    console: Option<&ApiManagement>,
) -> Result<Scope, AppError> {
    let manage = who.scope_for(Permission::ManageConnectors)?;
    let role = store::catalog::role(conn, who.organization_id, stored.connector.role.id).await?;
    change_verdict(who, &manage, role.as_ref(), &stored.connector, console)
        .map_err(|refusal| refused(refusal, visible))?;
    Ok(manage)
}

/// Checks that the principal may change this person's names.
async fn check_profile_edit(
    conn: &mut Conn,
    who: &Principal,
    stored: &StoredConnector,
    visible: bool,
    console: Option<&ApiManagement>,
) -> Result<(), AppError> {
    who.scope_for(Permission::ManageUsers)?;
    let roles = roles_by_id(conn, who).await?;
    let grants = store::connectors::grants_of(conn, stored.membership_id).await?;
    let person = ProfileFacts {
        grants: grants
            .iter()
            .map(|(role, place)| (roles.get(role).map(facts), *place))
            .collect(),
        shared: store::accounts::belongs_elsewhere(
            conn,
            stored.connector.user.id,
            who.organization_id,
        )
        .await?,
    };
    policy::may_edit_profile(&who.access, &person, console)
        .map_err(|refusal| refused(refusal, visible))
}

/// Changes a connector's role or outlet and/or the person's names; only what is given
/// changes. Each part needs its own right: managing access for the grant, managing the
/// person for their names.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, connector = %id))]
pub async fn update(
    work: &mut Work,
    who: &Principal,
    id: ConnectorId,
    change: ConnectorChange,
) -> Result<Connector, AppError> {
    let (before, visible) = known_connector(work, who, id).await?;
    let console = console_facts(work, who, before.membership_id).await?;
    let current = &before.connector;
    if change.changes_grant() {
        let manage = check_change(work, who, &before, visible, console.as_ref()).await?;
        if change.outlet.is_some() && current.connector_type == ConnectorType::Library {
            return Err(AppError::field(
                "outlet",
                "This is a library connector (the whole organization): it has no outlet to move. Add an outlet connector instead.",
            ));
        }
        if let Some(group) = &current.outlet_group {
            if change.outlet.is_some() {
                return Err(AppError::field(
                    "outlet",
                    format!(
                        "This access is through {}: change the group's outlets, or add access at the outlet.",
                        group_words(group)
                    ),
                ));
            }
            if let Some(role) = change.role.filter(|role| *role != current.role.id) {
                let (role, group) = resolve_group(work, who, role, group.id).await?;
                check_group_grant(who, &manage, &role, &group)?;
                store::connectors::update(work, id, role.id, None)
                    .await
                    .map_err(|e| {
                        if is_unique_violation(&e) {
                            duplicate_at(&current.user.email, &role, &group_words(&group))
                        } else {
                            AppError::from(e)
                        }
                    })?;
                super::ensure_an_owner_remains(work, who.organization_id).await?;
            }
        }
        let role = change.role.unwrap_or(current.role.id);
        let outlet = change.outlet.or(current.outlet.as_ref().map(|o| o.id));
        if current.outlet_group.is_none()
            && (role != current.role.id || outlet != current.outlet.as_ref().map(|o| o.id))
        {
            let (role, outlet) = resolve_grant(work, who, role, outlet).await?;
            check_new_grant(who, &manage, &role, outlet.as_ref())?;
            store::connectors::update(work, id, role.id, outlet.as_ref().map(|o| o.id))
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) {
                        duplicate(&current.user.email, &role, outlet.as_ref())
                    } else {
                        AppError::from(e)
                    }
                })?;
            super::ensure_an_owner_remains(work, who.organization_id).await?;
        }
    }
    if change.changes_names() {
        check_profile_edit(work, who, &before, visible, console.as_ref()).await?;
        store::accounts::update_names(
            work,
            current.user.id,
            change.first_name.as_ref(),
            change.last_name.as_ref(),
        )
        .await?;
        // The organization wrote the profile: it sees it from now on.
        store::connectors::show_profile(work, before.membership_id).await?;
        store::connectors::touch_membership(work, before.membership_id).await?;
    }
    let after = reload(work, who, id).await?;
    audit_change(
        work,
        who,
        AuditAction::ConnectorUpdated,
        id,
        Some(current),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Revokes one connector. The account, its other connectors and its access in other
/// organizations stay.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, connector = %id))]
pub async fn delete(work: &mut Work, who: &Principal, id: ConnectorId) -> Result<(), AppError> {
    let (before, visible) = known_connector(work, who, id).await?;
    let console = console_facts(work, who, before.membership_id).await?;
    check_change(work, who, &before, visible, console.as_ref()).await?;
    store::connectors::delete(work, id).await?;
    super::ensure_an_owner_remains(work, who.organization_id).await?;
    audit_change(
        work,
        who,
        AuditAction::ConnectorDeleted,
        id,
        Some(&before.connector),
        None,
    )
    .await
}
