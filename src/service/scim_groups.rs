//! SCIM Groups: an identity provider's groups are the organization's roles. A member added
//! is granted the role (a library role across the organization, an outlet role at the
//! person's default outlet), a member removed loses that grant; a group created is a new
//! library role with no permissions (least privilege: an admin gives it some on Security &
//! Permissions), renamed or deleted through the roles' use-cases. Every grant and revocation
//! goes through the connectors' use-cases: the policy (a connection never grants above its
//! own role), the brand locks and the audit `via scim`.

use serde_json::json;

use super::scim::Connection;
use super::{Context, Principal, Work, connectors, roles};
use crate::domain::audit::AuditAction;
use crate::domain::commands::NewConnector;
use crate::domain::model::{ConnectorType, PartnerRole, Role};
use crate::domain::roles::{NewRole, RoleChange};
use crate::domain::scim::filter::{Attribute, Condition};
use crate::domain::scim::groups::{GroupPatch, GroupResource, GroupState, Member, MemberChange};
use crate::domain::scim::{GROUP_SCHEMA, Meta, problem};
use crate::domain::{AppError, Email, Permission, PersonName, RoleId, Scope, UserId};
use crate::store::{self, Conn};

/// A list request for groups; `members: false` when the caller excluded them (Entra ID
/// does), which spares listing the people of every role.
#[derive(Debug, Clone)]
pub struct GroupListRequest {
    pub condition: Option<Condition>,
    pub start_index: u64,
    pub count: u64,
    pub members: bool,
}

#[derive(Debug, Clone)]
pub struct GroupPage {
    pub total: i64,
    pub start_index: u64,
    pub resources: Vec<GroupResource>,
}

fn scope(who: &Principal) -> Result<Scope, AppError> {
    who.scope_for(Permission::ViewUsers)
}

/// The public URL resources' locations start with.
fn base(public_url: &str) -> String {
    public_url.trim_end_matches('/').to_string()
}

/// The group of a role, with its members unless left out, and its version.
async fn resource(
    conn: &mut Conn,
    who: &Principal,
    role: &Role,
    base: &str,
    members: bool,
) -> Result<GroupResource, AppError> {
    let members = if members {
        store::scim::group_members(
            conn,
            who.organization_id,
            &scope(who)?,
            role.id,
            role.role_type == ConnectorType::Library,
        )
        .await?
    } else {
        Vec::new()
    };
    let (created, last_modified) = store::scim::role_times(conn, role.id).await?;
    let external_id = store::scim::group_external_id(conn, who.organization_id, role.id).await?;
    let mut group = GroupResource {
        schemas: [GROUP_SCHEMA],
        id: role.id.to_string(),
        external_id,
        display_name: role.name.clone(),
        members: members
            .into_iter()
            .map(|user| Member {
                reference: format!("{base}/scim/v2/Users/{user}"),
                value: user.to_string(),
            })
            .collect(),
        meta: Meta {
            resource_type: "Group",
            created,
            last_modified,
            location: format!("{base}/scim/v2/Groups/{}", role.id),
            version: String::new(),
        },
    };
    group.meta.version = super::scim::version_of(&group);
    Ok(group)
}

/// The organization's groups matching a filter, a page at a time, by id (a stable order).
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id))]
pub async fn list(
    context: &Context,
    connection: &Connection,
    request: &GroupListRequest,
) -> Result<GroupPage, AppError> {
    let who = &connection.principal;
    scope(who)?;
    let mut conn = context.read().await?;
    let mut roles = Vec::new();
    for role in store::catalog::roles(&mut conn, who.organization_id, None).await? {
        let external_id =
            store::scim::group_external_id(&mut conn, who.organization_id, role.id).await?;
        let holds = request.condition.as_ref().is_none_or(|condition| {
            condition.holds(&|attribute| match attribute {
                Attribute::Id => Some(role.id.to_string()),
                Attribute::DisplayName => Some(role.name.clone()),
                Attribute::ExternalId => external_id.clone(),
                _ => None,
            })
        });
        if holds {
            roles.push(role);
        }
    }
    roles.sort_by_key(|role| role.id.to_string());
    let start_index = request.start_index.max(1);
    let base = base(context.public_url());
    let mut resources = Vec::new();
    let page = roles
        .iter()
        .skip(usize::try_from(start_index - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(request.count.min(super::scim::MAX_COUNT)).unwrap_or(0));
    for role in page {
        resources.push(resource(&mut conn, who, role, &base, request.members).await?);
    }
    Ok(GroupPage {
        total: i64::try_from(roles.len()).unwrap_or(i64::MAX),
        start_index,
        resources,
    })
}

async fn role(conn: &mut Conn, who: &Principal, id: RoleId) -> Result<Role, AppError> {
    store::catalog::role(conn, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// One group; 404 for a role the organization is not offered.
pub async fn get(
    context: &Context,
    connection: &Connection,
    id: RoleId,
) -> Result<GroupResource, AppError> {
    let who = &connection.principal;
    scope(who)?;
    let mut conn = context.read().await?;
    let role = role(&mut conn, who, id).await?;
    resource(&mut conn, who, &role, &base(context.public_url()), true).await
}

fn role_name(display_name: &str) -> Result<PersonName, AppError> {
    PersonName::parse(display_name)
        .map_err(|p| problem("invalidValue", format!("displayName: {p}")))
}

/// The roles' `name_taken` as SCIM's `uniqueness`.
fn taken_as_uniqueness(error: AppError) -> AppError {
    match error {
        AppError::Conflict { code, message } if code == "name_taken" => {
            AppError::conflict("uniqueness", message)
        }
        other => other,
    }
}

/// POST: a new library role named `displayName`, with no permissions, and its members.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id))]
pub async fn create(
    work: &mut Work,
    connection: &Connection,
    state: &GroupState,
) -> Result<GroupResource, AppError> {
    let who = &connection.principal;
    let new = NewRole {
        name: role_name(&state.display_name)?,
        role_type: ConnectorType::Library,
        partner_role: PartnerRole::Viewer,
        permissions: Vec::new(),
        brand: None,
    };
    let created = roles::create_role(work, who, new)
        .await
        .map_err(taken_as_uniqueness)?;
    set_external_id(work, who, &created, None, state.external_id.as_deref()).await?;
    change_members(
        work,
        who,
        &created,
        &[MemberChange::Add(state.members.clone())],
    )
    .await?;
    let base = base(&work.settings().public_url);
    resource(work, who, &created, &base, true).await
}

/// PUT: the group becomes `state` (renamed if its name differs, exactly these members), if
/// `precondition` (the request's `If-Match`) accepts the current version.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, group = %id))]
pub async fn replace(
    work: &mut Work,
    connection: &Connection,
    id: RoleId,
    state: &GroupState,
    precondition: impl FnOnce(&GroupResource) -> Result<(), AppError>,
) -> Result<GroupResource, AppError> {
    let patch = GroupPatch {
        display_name: Some(state.display_name.clone()),
        external_id: Some(state.external_id.clone()),
        members: vec![MemberChange::Replace(state.members.clone())],
    };
    modify(work, connection, id, &patch, precondition).await
}

/// PATCH: the name and the member changes, in order, all or nothing.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, group = %id))]
pub async fn modify(
    work: &mut Work,
    connection: &Connection,
    id: RoleId,
    patch: &GroupPatch,
    precondition: impl FnOnce(&GroupResource) -> Result<(), AppError>,
) -> Result<GroupResource, AppError> {
    let who = &connection.principal;
    let base = base(&work.settings().public_url);
    let mut current = role(work, who, id).await?;
    let before = resource(work, who, &current, &base, true).await?;
    precondition(&before)?;
    if let Some(external_id) = &patch.external_id
        && *external_id != before.external_id
    {
        let had = before.external_id.as_deref();
        set_external_id(work, who, &current, had, external_id.as_deref()).await?;
    }
    if let Some(name) = &patch.display_name
        && *name != current.name
    {
        let change = RoleChange {
            name: Some(role_name(name)?),
            partner_role: None,
            permissions: None,
        };
        current = roles::update_role(work, who, id, change)
            .await
            .map_err(taken_as_uniqueness)?;
    }
    change_members(work, who, &current, &patch.members).await?;
    resource(work, who, &current, &base, true).await
}

/// DELETE: the role goes, if nobody holds it (409 otherwise: revoke its grants first).
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, group = %id))]
pub async fn delete(
    work: &mut Work,
    connection: &Connection,
    id: RoleId,
    precondition: impl FnOnce(&GroupResource) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let who = &connection.principal;
    let base = base(&work.settings().public_url);
    let current = role(work, who, id).await?;
    precondition(&resource(work, who, &current, &base, true).await?)?;
    roles::delete_role(work, who, id).await
}

/// Sets the externalId the organization's identity provider gives a group (its own, even
/// for a brand role it is offered), audited as a change to the role.
async fn set_external_id(
    work: &mut Work,
    who: &Principal,
    role: &Role,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), AppError> {
    if before == after {
        return Ok(());
    }
    store::scim::set_group_external_id(work, who.organization_id, role.id, after).await?;
    roles::record(
        work,
        who,
        AuditAction::RoleUpdated,
        "role",
        role.id.0,
        Some(json!({ "scim_external_id": before })),
        Some(json!({ "scim_external_id": after })),
    )
    .await
}

/// A member named by a PATCH or a body: a user of the organization the connection sees.
async fn member(
    work: &mut Work,
    who: &Principal,
    id: &str,
) -> Result<store::scim::ScimRow, AppError> {
    let missing = || problem("invalidValue", format!("members: there is no user {id}."));
    let user = UserId::parse(id).ok_or_else(missing)?;
    store::scim::get(work, who.organization_id, &scope(who)?, user)
        .await?
        .ok_or_else(missing)
}

/// Where a role is granted to a member as a group member: across the organization for a
/// library role, at their default outlet for an outlet role.
fn place(
    role: &Role,
    member: &store::scim::ScimRow,
) -> Result<Option<crate::domain::OutletId>, AppError> {
    match role.role_type {
        ConnectorType::Library => Ok(None),
        ConnectorType::Outlet => member.default_outlet_id.map(Some).ok_or_else(|| {
            problem(
                "invalidValue",
                format!(
                    "members: {} has no default outlet, where the outlet role {} would be granted.",
                    member.user_name, role.name
                ),
            )
        }),
    }
}

async fn add_member(
    work: &mut Work,
    who: &Principal,
    role: &Role,
    id: &str,
) -> Result<(), AppError> {
    let member = member(work, who, id).await?;
    let outlet = place(role, &member)?;
    if store::scim::grant_of(work, member.membership_id, role.id, outlet)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let email = Email::parse(&member.email).map_err(|p| problem("invalidValue", p))?;
    let new = NewConnector {
        email,
        first_name: None,
        last_name: None,
        role: role.id,
        outlet,
        outlet_group: None,
        external_id: None,
        window: Default::default(),
        send_verification_email: false,
    };
    connectors::create(work, who, new, crate::service::users::Rehire::Refused).await?;
    Ok(())
}

async fn remove_member(
    work: &mut Work,
    who: &Principal,
    role: &Role,
    id: &str,
) -> Result<(), AppError> {
    let member = member(work, who, id).await?;
    let Ok(outlet) = place(role, &member) else {
        // No default outlet: they hold no grant as a member of an outlet role's group.
        return Ok(());
    };
    match store::scim::grant_of(work, member.membership_id, role.id, outlet).await? {
        Some(connector) => connectors::delete(work, who, connector).await,
        None => Ok(()),
    }
}

/// The members' changes in order; adding a member twice, or removing one who is not a
/// member, changes nothing.
async fn change_members(
    work: &mut Work,
    who: &Principal,
    role: &Role,
    changes: &[MemberChange],
) -> Result<(), AppError> {
    for change in changes {
        match change {
            MemberChange::Add(ids) => {
                for id in ids {
                    add_member(work, who, role, id).await?;
                }
            }
            MemberChange::Remove(ids) => {
                for id in ids {
                    remove_member(work, who, role, id).await?;
                }
            }
            MemberChange::RemoveAll | MemberChange::Replace(_) => {
                // Ids as Brigade writes them, so that an id in capitals is the same member.
                let wanted: Vec<String> = match change {
                    MemberChange::Replace(ids) => ids
                        .iter()
                        .map(|id| UserId::parse(id).map_or_else(|| id.clone(), |u| u.to_string()))
                        .collect(),
                    _ => Vec::new(),
                };
                let current: Vec<String> = store::scim::group_members(
                    work,
                    who.organization_id,
                    &scope(who)?,
                    role.id,
                    role.role_type == ConnectorType::Library,
                )
                .await?
                .into_iter()
                .map(|user| user.to_string())
                .collect();
                for id in current.iter().filter(|id| !wanted.contains(id)) {
                    remove_member(work, who, role, id).await?;
                }
                for id in wanted.iter().filter(|id| !current.contains(id)) {
                    add_member(work, who, role, id).await?;
                }
            }
        }
    }
    Ok(())
}
