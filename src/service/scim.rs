//! SCIM provisioning: an identity provider (Okta, Entra ID) creates, changes and deletes the
//! organization's people through a SCIM connection — an API client of kind `scim`, with a role
//! it cannot grant above, and the role and outlet its new people start with. Every write goes
//! through the users' use-cases (policy, brand locks, audit `via scim`); what is SCIM's own
//! (the external id, deletion as "deactivated and no longer a SCIM resource") is decided here,
//! in the same unit of work.

use serde_json::json;

use super::auth::ScimDefaults;
use super::{Context, Principal, Work, api_tokens, auth};
use crate::domain::audit::AuditAction;
use crate::domain::model::{ClientKind, ConnectorType, MembershipStatus, Via};
use crate::domain::scim::filter::Condition;
use crate::domain::scim::patch::{self, Operation};
use crate::domain::scim::{Meta, UserResource, UserState, Versioned, problem};
use crate::domain::user_commands::{AccessChange, NewUser, ProfileChange, UserChange};
use crate::domain::{
    AppError, Email, Mobile, OrganizationId, Permission, PersonName, Scope, UserId, Username,
};
use crate::service::users::Rehire;
use crate::store::{self, audit, scim::ScimRow};

/// The most resources one list answers (`count` above it is lowered to it).
pub const MAX_COUNT: u64 = 1_000;
/// Resources per page when the request does not say.
pub const DEFAULT_COUNT: u64 = 100;
/// The longest external id kept.
const MAX_EXTERNAL_ID: usize = 255;

/// The caller of `/scim/v2`: a SCIM connection's principal and its new people's start.
#[derive(Debug, Clone)]
pub struct Connection {
    pub principal: Principal,
    pub defaults: ScimDefaults,
}

/// The SCIM connection behind an `Authorization` header; 401 for anything else.
pub async fn connect(
    context: &Context,
    authorization: Option<&str>,
) -> Result<Connection, AppError> {
    let (principal, defaults) = auth::scim_client(context, authorization).await?;
    Ok(Connection {
        principal,
        defaults,
    })
}

/// A list request: which users (`None`: all), from which 1-based position, how many.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub condition: Option<Condition>,
    pub start_index: u64,
    pub count: u64,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub total: i64,
    pub start_index: u64,
    pub resources: Vec<UserResource>,
}

fn scope(who: &Principal) -> Result<Scope, AppError> {
    who.scope_for(Permission::ViewUsers)
}

/// The SCIM User of a row, with its version (a hash of what the connection sees).
fn resource(row: &ScimRow, base: &str) -> UserResource {
    let state = state_of(row);
    let meta = Meta {
        resource_type: "User",
        created: row.created_at.clone(),
        last_modified: row.updated_at.clone(),
        location: format!("{base}/scim/v2/Users/{}", row.user_id),
        version: String::new(),
    };
    let mut resource = UserResource::new(row.user_id.to_string(), &state, meta);
    resource.meta.version = version_of(&resource);
    resource
}

/// A resource's version: the hash of it without its version (the `ETag`).
pub fn version_of<T: Versioned>(resource: &T) -> String {
    super::versions::version_of(&resource.unversioned())
}

fn state_of(row: &ScimRow) -> UserState {
    let named = |name: &str| (!name.is_empty()).then(|| name.to_string());
    UserState {
        user_name: row.user_name.clone(),
        external_id: row.external_id.clone(),
        given_name: named(&row.first_name),
        family_name: named(&row.last_name),
        email: Some(row.email.clone()),
        phone: row.mobile.clone(),
        active: row.status == MembershipStatus::Active,
    }
}

fn base(context: &Context) -> String {
    context.public_url().to_string()
}

/// The users matching a filter, a page at a time, in a stable order (by id).
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id))]
pub async fn list(
    context: &Context,
    connection: &Connection,
    request: &ListRequest,
) -> Result<ListPage, AppError> {
    let who = &connection.principal;
    let scope = scope(who)?;
    let mut conn = context.read().await?;
    let start_index = request.start_index.max(1);
    let (total, rows) = store::scim::list(
        &mut conn,
        who.organization_id,
        &scope,
        request.condition.as_ref(),
        start_index - 1,
        request.count.min(MAX_COUNT),
    )
    .await?;
    let base = base(context);
    Ok(ListPage {
        total,
        start_index,
        resources: rows.iter().map(|row| resource(row, &base)).collect(),
    })
}

async fn row(conn: &mut store::Conn, who: &Principal, user: UserId) -> Result<ScimRow, AppError> {
    store::scim::get(conn, who.organization_id, &scope(who)?, user)
        .await?
        .ok_or(AppError::NotFound)
}

/// One user; 404 when out of reach or deleted by SCIM.
pub async fn get(
    context: &Context,
    connection: &Connection,
    user: UserId,
) -> Result<UserResource, AppError> {
    let mut conn = context.read().await?;
    let row = row(&mut conn, &connection.principal, user).await?;
    Ok(resource(&row, &base(context)))
}

/// What a SCIM User's attributes must be for Brigade to keep them, parsed once.
struct Checked {
    username: Username,
    email: Email,
    first_name: PersonName,
    last_name: PersonName,
    mobile: Option<Mobile>,
    external_id: Option<String>,
    active: bool,
}

fn invalid(attribute: &str, problem_text: String) -> AppError {
    problem("invalidValue", format!("{attribute}: {problem_text}"))
}

fn check(state: &UserState) -> Result<Checked, AppError> {
    let username = Username::parse(&state.user_name).map_err(|p| invalid("userName", p))?;
    let email = Email::parse(state.address()).map_err(|_| {
        problem(
            "invalidValue",
            "emails: Brigade signs people in with their email address; send one in emails (or a userName that is one).",
        )
    })?;
    let name = |value: &Option<String>, attribute: &str| {
        PersonName::parse(value.as_deref().unwrap_or_default()).map_err(|p| invalid(attribute, p))
    };
    let mobile = match state.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(number) => {
            let number = number.strip_prefix("tel:").unwrap_or(number);
            Some(Mobile::parse(number).map_err(|p| invalid("phoneNumbers", p))?)
        }
    };
    let external_id = match state.external_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) if id.chars().count() > MAX_EXTERNAL_ID => {
            return Err(invalid(
                "externalId",
                format!("at most {MAX_EXTERNAL_ID} characters."),
            ));
        }
        Some(id) => Some(id.to_string()),
    };
    Ok(Checked {
        username,
        email,
        first_name: name(&state.given_name, "name.givenName")?,
        last_name: name(&state.family_name, "name.familyName")?,
        mobile,
        external_id,
        active: state.active,
    })
}

fn uniqueness(detail: &str) -> AppError {
    AppError::conflict("uniqueness", detail)
}

/// 409 `uniqueness` when another member of the organization holds the external id.
async fn ensure_external_id_free(
    work: &mut Work,
    organization: OrganizationId,
    external_id: Option<&str>,
    owner: Option<UserId>,
) -> Result<(), AppError> {
    if let Some(id) = external_id
        && let Some(holder) = store::users::member_by_external_id(work, organization, id)
            .await?
            .map(|member| member.user_id)
        && Some(holder) != owner
    {
        return Err(uniqueness(
            "Another person of this organization has this externalId.",
        ));
    }
    Ok(())
}

/// The access a connection's new (or returning) people start with: its role, at its outlet.
async fn start_access(
    work: &mut Work,
    connection: &Connection,
) -> Result<(AccessChange, crate::domain::OutletId), AppError> {
    let incomplete = || {
        AppError::denied(
            "connection_incomplete",
            "This SCIM connection names no role and outlet for new people: set them on Security & Permissions.",
        )
    };
    let (Some(role), Some(outlet)) = (connection.defaults.role, connection.defaults.outlet) else {
        return Err(incomplete());
    };
    let who = &connection.principal;
    let role = store::catalog::role(work, who.organization_id, role)
        .await?
        .ok_or_else(incomplete)?;
    let library = role.role_type == ConnectorType::Library;
    Ok((
        AccessChange {
            user_roles: Some(vec![role.id]),
            locations: Some(if library { Vec::new() } else { vec![outlet] }),
            all_location_access: Some(library),
        },
        outlet,
    ))
}

/// Creates a person (201), or brings back one this organization's identity provider deleted
/// (same email): their membership is active again with the connection's start access only;
/// their earlier access is not revived.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id))]
pub async fn create(
    work: &mut Work,
    connection: &Connection,
    state: &UserState,
) -> Result<UserResource, AppError> {
    let who = &connection.principal;
    crate::service::users::may_create(who)?;
    let checked = check(state)?;
    let organization = who.organization_id;
    let (access, outlet) = start_access(work, connection).await?;
    if let Some(returning) =
        store::scim::removed_member(work, organization, checked.email.as_str()).await?
    {
        ensure_external_id_free(
            work,
            organization,
            checked.external_id.as_deref(),
            Some(returning),
        )
        .await?;
        let membership = store::connectors::membership_of(work, organization, returning)
            .await?
            .ok_or(AppError::NotFound)?;
        store::scim::set_removed(work, membership, false).await?;
        let change = UserChange {
            access,
            default_location: Some(outlet),
            ..Default::default()
        };
        crate::service::users::update(work, who, returning, change).await?;
        let current = row(work, who, returning).await?;
        return write_state(work, connection, current, &checked).await;
    }
    ensure_external_id_free(work, organization, checked.external_id.as_deref(), None).await?;
    let new = NewUser {
        username: checked.username.clone(),
        email: checked.email.clone(),
        first_name: checked.first_name.clone(),
        last_name: checked.last_name.clone(),
        mobile: checked.mobile.clone(),
        external_id: None,
        default_location: outlet,
        inactive: !checked.active,
        access,
        reports: None,
        external_locations: Vec::new(),
        managed_by_brand: None,
    };
    let created = crate::service::users::create(work, who, new, Rehire::Refused)
        .await
        .map_err(duplicate_as_uniqueness)?;
    let created = row(work, who, created.user.id).await?;
    if checked.external_id.is_some() {
        store::users::set_external_id(work, created.membership_id, checked.external_id.as_deref())
            .await?;
        record_external_id(
            work,
            who,
            created.user_id,
            None,
            checked.external_id.as_deref(),
        )
        .await?;
    }
    let created = row(work, who, created.user_id).await?;
    Ok(resource(&created, &base_of(work)))
}

fn base_of(work: &Work) -> String {
    work.settings().public_url.trim_end_matches('/').to_string()
}

/// The users' duplicate codes as SCIM's `uniqueness`.
fn duplicate_as_uniqueness(error: AppError) -> AppError {
    match error {
        AppError::Conflict { code, message } if code.starts_with("duplicate_") => {
            uniqueness(&message)
        }
        other => other,
    }
}

async fn record_external_id(
    work: &mut Work,
    who: &Principal,
    user: UserId,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), AppError> {
    crate::service::users::audit_user(
        work,
        who,
        who.organization_id,
        AuditAction::UserUpdated,
        user,
        Some(json!({ "external_id": before })),
        Some(json!({ "external_id": after })),
    )
    .await
}

/// Writes what differs between the stored person and `checked` (nothing when nothing does):
/// the profile, the status through the users' update (its policy and audit), the external id
/// after the same checks.
async fn write_state(
    work: &mut Work,
    connection: &Connection,
    current: ScimRow,
    checked: &Checked,
) -> Result<UserResource, AppError> {
    let who = &connection.principal;
    let user = current.user_id;
    let before = state_of(&current);
    let differs = |now: &Option<String>, wanted: &str| now.as_deref().unwrap_or_default() != wanted;
    let profile = ProfileChange {
        username: (before.user_name != checked.username.as_str()).then(|| checked.username.clone()),
        email: (!current.email.eq_ignore_ascii_case(checked.email.as_str()))
            .then(|| checked.email.clone()),
        first_name: differs(&before.given_name, checked.first_name.as_str())
            .then(|| checked.first_name.clone()),
        last_name: differs(&before.family_name, checked.last_name.as_str())
            .then(|| checked.last_name.clone()),
        mobile: (before.phone.as_deref() != checked.mobile.as_ref().map(|m| m.as_str()))
            .then(|| checked.mobile.clone()),
    };
    let inactive = (before.active != checked.active).then_some(!checked.active);
    let external_changed = before.external_id != checked.external_id;
    if profile.is_empty() && inactive.is_none() && !external_changed {
        return Ok(resource(&current, &base_of(work)));
    }
    if !profile.is_empty() || inactive.is_some() {
        let change = UserChange {
            profile,
            inactive,
            ..Default::default()
        };
        crate::service::users::update(work, who, user, change)
            .await
            .map_err(duplicate_as_uniqueness)?;
    } else {
        crate::service::users::ensure_manageable(work, who, user).await?;
    }
    if external_changed {
        ensure_external_id_free(
            work,
            who.organization_id,
            checked.external_id.as_deref(),
            Some(user),
        )
        .await?;
        store::users::set_external_id(work, current.membership_id, checked.external_id.as_deref())
            .await?;
        record_external_id(
            work,
            who,
            user,
            before.external_id.as_deref(),
            checked.external_id.as_deref(),
        )
        .await?;
    }
    let after = row(work, who, user).await?;
    Ok(resource(&after, &base_of(work)))
}

/// PUT: the person becomes `state` (what is left out is cleared), if `precondition` (the
/// request's `If-Match`) accepts the current version.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, user = %user))]
pub async fn replace(
    work: &mut Work,
    connection: &Connection,
    user: UserId,
    state: &UserState,
    precondition: impl FnOnce(&UserResource) -> Result<(), AppError>,
) -> Result<UserResource, AppError> {
    let current = row(work, &connection.principal, user).await?;
    precondition(&resource(&current, &base_of(work)))?;
    let checked = check(state)?;
    write_state(work, connection, current, &checked).await
}

/// PATCH: the operations applied to the person as stored, all or nothing.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, user = %user))]
pub async fn modify(
    work: &mut Work,
    connection: &Connection,
    user: UserId,
    operations: &[Operation],
    precondition: impl FnOnce(&UserResource) -> Result<(), AppError>,
) -> Result<UserResource, AppError> {
    let current = row(work, &connection.principal, user).await?;
    precondition(&resource(&current, &base_of(work)))?;
    let changed = patch::apply(&state_of(&current), operations)?;
    let checked = check(&changed)?;
    write_state(work, connection, current, &checked).await
}

/// DELETE: never a loss. The person is deactivated (their sessions end) and is no longer a
/// SCIM resource (404 there); the console and the API keep them, inactive, with their history.
#[tracing::instrument(skip_all, fields(organization = %connection.principal.organization_id, user = %user))]
pub async fn delete(
    work: &mut Work,
    connection: &Connection,
    user: UserId,
    precondition: impl FnOnce(&UserResource) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let who = &connection.principal;
    let current = row(work, who, user).await?;
    precondition(&resource(&current, &base_of(work)))?;
    if current.status == MembershipStatus::Active {
        let change = UserChange {
            inactive: Some(true),
            ..Default::default()
        };
        crate::service::users::update(work, who, user, change).await?;
    } else {
        crate::service::users::ensure_manageable(work, who, user).await?;
    }
    store::scim::set_removed(work, current.membership_id, true).await?;
    crate::service::users::audit_user(
        work,
        who,
        who.organization_id,
        AuditAction::UserRemovedByIdentityProvider,
        user,
        None,
        None,
    )
    .await
}

/// A new SCIM connection as the command line asks for it.
pub struct NewConnection<'a> {
    pub organization_slug: &'a str,
    pub name: &'a str,
    /// The connection's own role (what it may do), by name; `None`: the organization's one
    /// API role that manages people and their access.
    pub role_name: Option<&'a str>,
    /// The outlet of the connection's role, for a role of type O.
    pub outlet_number: Option<&'a str>,
    /// The role new people start with, by name, and where (their default outlet).
    pub people_role: Option<&'a str>,
    pub people_outlet: Option<&'a str>,
}

/// Issues a SCIM connection from the command line (audited as `cli`); returns its token,
/// which is never shown again.
#[tracing::instrument(skip_all)]
pub async fn create_connection(
    work: &mut Work,
    request: NewConnection<'_>,
) -> Result<String, AppError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "--name: give the connection a label of 1 to 100 characters",
        ));
    }
    let slug = request.organization_slug;
    let organization = api_tokens::organization(work, slug).await?;
    let role_name = match request.role_name {
        Some(name) => name.to_string(),
        None => provisioning_role(work, organization).await?,
    };
    let (role, outlet) = api_tokens::named_role_at(
        work,
        organization,
        slug,
        ("role", &role_name),
        ("outlet", request.outlet_number),
    )
    .await?;
    let people_role = match request.people_role {
        Some(name) => Some(
            store::catalog::role_by_name(work, organization, name)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "people_role",
                        format!("--people-role: no role named {name:?} in {slug}"),
                    )
                })?,
        ),
        None => None,
    };
    let people_outlet = match request.people_outlet {
        Some(number) => Some(
            store::catalog::outlet_by_number(work, organization, number)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "people_outlet",
                        format!("--people-outlet: no outlet numbered {number:?}"),
                    )
                })?,
        ),
        None => None,
    };
    let start = match (&people_role, &people_outlet) {
        (Some(role), Some(outlet)) => Some(api_tokens::ScimStart { role, outlet }),
        (None, None) => None,
        _ => {
            return Err(AppError::field(
                "people_outlet",
                "--people-role and --people-outlet go together",
            ));
        }
    };
    let cli = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    let client = api_tokens::Client {
        organization,
        role: &role,
        outlet: outlet.as_ref(),
        name,
        kind: ClientKind::Scim,
        scim: start,
    };
    let (_, token) = api_tokens::issue(work, cli, client).await?;
    Ok(token)
}

/// The organization's one role of partner role `api` that manages people and their access
/// (what a connection acts with when the command line names none).
async fn provisioning_role(
    work: &mut Work,
    organization: OrganizationId,
) -> Result<String, AppError> {
    let candidates: Vec<String> = store::catalog::roles(work, organization, None)
        .await?
        .into_iter()
        .filter(|role| {
            role.partner_role == crate::domain::model::PartnerRole::Api
                && role.permissions.contains(&Permission::ManageUsers)
                && role.permissions.contains(&Permission::ManageConnectors)
        })
        .map(|role| role.name)
        .collect();
    match candidates.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(AppError::field(
            "role",
            "--role: name the role the connection acts with (no role of partner role api manages people here)",
        )),
        several => Err(AppError::field(
            "role",
            format!(
                "--role: name the role the connection acts with, one of {}",
                several.join(", ")
            ),
        )),
    }
}
