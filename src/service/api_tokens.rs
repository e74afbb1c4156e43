//! API clients' tokens: issued from the command line or the console (the same thing either
//! way), shown once, stored only as a hash, revocable.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::{Context, Principal, Work, refused, secrets};
use crate::domain::me::{ApiClientsTab, IssuedClient};
use crate::domain::model::{ClientKind, ConnectorType, Outlet, PartnerRole, Role, Via};
use crate::domain::policy::{self, ClientRole, Refusal, RoleFacts};
use crate::domain::{AppError, OrganizationId, RoleId, TokenId};
use crate::store::{self, Conn, audit, catalog, tokens};

pub use crate::store::tokens::ApiTokenListing;

/// What `brigade token create` asks for.
pub struct NewToken<'a> {
    pub organization_slug: &'a str,
    pub role_name: &'a str,
    /// Outlet number, for a role of type O.
    pub outlet_number: Option<&'a str>,
    pub name: &'a str,
}

pub(crate) async fn organization(conn: &mut Conn, slug: &str) -> Result<OrganizationId, AppError> {
    catalog::organization_by_slug(conn, slug)
        .await?
        .ok_or_else(|| AppError::field("org", format!("--org: no organization with slug {slug:?}")))
}

/// Creates a token and returns it; it cannot be shown again.
#[tracing::instrument(skip_all)]
pub async fn create(work: &mut Work, request: NewToken<'_>) -> Result<String, AppError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "--name: give the client a label of 1 to 100 characters",
        ));
    }
    let organization = organization(work, request.organization_slug).await?;
    let (role, outlet) = named_role_at(
        work,
        organization,
        request.organization_slug,
        ("role", request.role_name),
        ("outlet", request.outlet_number),
    )
    .await?;
    let cli = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    let client = Client {
        organization,
        role: &role,
        outlet: outlet.as_ref(),
        name,
        kind: ClientKind::Api,
        scim: None,
    };
    let (_, token) = issue(work, cli, client).await?;
    Ok(token)
}

/// A role of the organization named at the command line (`--{flag}`), and the outlet its type
/// asks for (`--{outlet_flag}`: an outlet number for a role of type O, nothing for type L).
pub(crate) async fn named_role_at(
    conn: &mut Conn,
    organization: OrganizationId,
    slug: &str,
    (flag, name): (&str, &str),
    (outlet_flag, number): (&str, Option<&str>),
) -> Result<(Role, Option<Outlet>), AppError> {
    let role = catalog::role_by_name(conn, organization, name)
        .await?
        .ok_or_else(|| {
            AppError::field(flag, format!("--{flag}: no role named {name:?} in {slug}"))
        })?;
    let outlet = match (role.role_type, number) {
        (ConnectorType::Library, None) => None,
        (ConnectorType::Library, Some(_)) => {
            return Err(AppError::field(
                outlet_flag,
                format!(
                    "--{outlet_flag}: {} is a library role (L); omit --{outlet_flag}",
                    role.name
                ),
            ));
        }
        (ConnectorType::Outlet, None) => {
            return Err(AppError::field(
                outlet_flag,
                format!(
                    "--{outlet_flag}: {} is an outlet role (O); name the outlet number",
                    role.name
                ),
            ));
        }
        (ConnectorType::Outlet, Some(number)) => Some(
            catalog::outlet_by_number(conn, organization, number)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        outlet_flag,
                        format!("--{outlet_flag}: no outlet numbered {number:?}"),
                    )
                })?,
        ),
    };
    Ok((role, outlet))
}

/// A client to issue: its organization, role (at its outlet), label and kind, and for a SCIM
/// connection what its new people start with.
pub(crate) struct Client<'a> {
    pub organization: OrganizationId,
    pub role: &'a Role,
    pub outlet: Option<&'a Outlet>,
    pub name: &'a str,
    pub kind: ClientKind,
    pub scim: Option<ScimStart<'a>>,
}

/// What the people a SCIM connection creates start with: a role, at an outlet (their default
/// outlet, and where an outlet role applies).
pub(crate) struct ScimStart<'a> {
    pub role: &'a Role,
    pub outlet: &'a Outlet,
}

/// Issues a client: a token for `role` (at `outlet` for a role of type O), recorded with its
/// issuer (`actor`) and audited; with `scim`, a SCIM connection. Returns its id and its
/// secret, which is never shown again.
pub(crate) async fn issue(
    work: &mut Work,
    actor: audit::Actor,
    client: Client<'_>,
) -> Result<(TokenId, String), AppError> {
    let Client {
        organization,
        role,
        outlet,
        name,
        kind,
        scim,
    } = client;
    let prefix = match kind {
        ClientKind::Scim => "brg_scim_",
        ClientKind::Api => "brg_",
    };
    let token = secrets::generate(prefix);
    let id = tokens::insert_api_token(
        work,
        tokens::NewClient {
            kind,
            organization,
            role: role.id,
            outlet: outlet.map(|o| o.id),
            name,
            token_hash: &secrets::hash(&token),
            created_by: actor.user_id,
            scim_role: scim.as_ref().map(|s| s.role.id),
            scim_outlet: scim.as_ref().map(|s| s.outlet.id),
        },
    )
    .await?;
    let mut after =
        json!({ "name": name, "role": role.name, "outlet": outlet.map(|o| o.number.clone()) });
    if kind == ClientKind::Scim {
        after["kind"] = json!(kind);
        after["new_people_role"] = json!(scim.as_ref().map(|s| s.role.name.clone()));
        after["new_people_outlet"] = json!(scim.as_ref().map(|s| s.outlet.number.clone()));
    }
    record(
        work,
        actor,
        organization,
        AuditAction::ApiClientCreated,
        id,
        Some(after),
    )
    .await?;
    Ok((id, token))
}

/// The tokens of an organization, by creation.
pub async fn list(
    context: &Context,
    organization_slug: &str,
) -> Result<Vec<ApiTokenListing>, AppError> {
    let mut conn = context.read().await?;
    let organization = organization(&mut conn, organization_slug).await?;
    Ok(tokens::list_api_tokens(&mut conn, organization).await?)
}

/// Revokes a token for good; its client gets 401 from then on.
#[tracing::instrument(skip_all)]
pub async fn revoke(work: &mut Work, id: &str) -> Result<(), AppError> {
    let id = TokenId::parse(id).ok_or_else(|| {
        AppError::field(
            "id",
            format!("{id:?} is not a token id (see `brigade token list`)"),
        )
    })?;
    let organization = tokens::revoke_api_token(work, id)
        .await?
        .ok_or_else(|| AppError::field("id", format!("no active token with id {id}")))?;
    let cli = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    record(
        work,
        cli,
        organization,
        AuditAction::ApiClientRevoked,
        id,
        None,
    )
    .await
}

/// Records a token change in the same unit of work.
async fn record(
    conn: &mut Conn,
    actor: audit::Actor,
    organization: OrganizationId,
    action: AuditAction,
    id: TokenId,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        subject: None,
        organization_id: Some(organization),
        action,
        target_type: "api_token",
        target_id: Some(id.0),
        before: None,
        after,
    };
    Ok(store::audit::record(conn, actor, event).await?)
}

/// The API clients tab (or, for `ClientKind::Scim`, the SCIM connections tab): the
/// organization's clients of that kind, and the roles a new one may be given by this viewer
/// (its outlet, for an outlet role, is picked by typing).
pub async fn clients_tab(
    context: &Context,
    who: &Principal,
    kind: ClientKind,
) -> Result<ApiClientsTab, AppError> {
    policy::may_manage_api_clients(&who.access)?;
    let mut conn = context.read().await?;
    let held = held_roles(&mut conn, who).await?;
    let all = catalog::roles(&mut conn, who.organization_id, None).await?;
    let roles = all
        .iter()
        .filter(|role| offerable(who, &held, role))
        .cloned()
        .collect();
    let scim = kind == ClientKind::Scim;
    Ok(ApiClientsTab {
        clients: tokens::api_clients(&mut conn, who.organization_id, kind, None).await?,
        roles,
        people_roles: if scim { all } else { Vec::new() },
        scim_url: scim.then(|| format!("{}/scim/v2", context.public_url())),
    })
}

/// The roles the principal holds in the organization (none for an API client).
async fn held_roles(conn: &mut Conn, who: &Principal) -> Result<Vec<RoleId>, AppError> {
    let Some(user) = who.actor.user_id else {
        return Ok(Vec::new());
    };
    let Some(membership) =
        store::connectors::membership_of(conn, who.organization_id, user).await?
    else {
        return Ok(Vec::new());
    };
    Ok(store::connectors::grants_of(conn, membership)
        .await?
        .into_iter()
        .map(|(role, _)| role)
        .collect())
}

/// Whether the policy lets `who` give `role` across the organization (the choices offered;
/// an outlet role is checked again at its outlet when issued).
fn offerable(who: &Principal, held: &[RoleId], role: &Role) -> bool {
    policy::may_give_client(&who.access, client_role(role, held), None).is_ok()
}

/// A role as the policy weighs it for an API client.
fn client_role<'a>(role: &'a Role, held: &[RoleId]) -> ClientRole<'a> {
    ClientRole {
        role: RoleFacts {
            name: &role.name,
            permissions: &role.permissions,
        },
        partner_api: role.partner_role == PartnerRole::Api,
        held_by_issuer: held.contains(&role.id),
    }
}

/// A new client as the console asks for it; a SCIM connection with the role and outlet its
/// new people start with (both, or neither).
pub struct NewClient {
    pub name: String,
    pub role: RoleId,
    pub outlet: Option<crate::domain::OutletId>,
    pub kind: ClientKind,
    pub people_start: Option<(RoleId, crate::domain::OutletId)>,
}

/// Issues a client from the console: the issuer manages API tokens across the organization;
/// the role is of partner role `api` or one they hold, never above their own permissions.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn issue_client(
    work: &mut Work,
    who: &Principal,
    new: NewClient,
) -> Result<IssuedClient, AppError> {
    policy::may_manage_api_clients(&who.access)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "Give the client a name of 1 to 100 characters.",
        ));
    }
    let role = catalog::role(work, who.organization_id, new.role)
        .await?
        .ok_or_else(|| AppError::field("role", "There is no such role in this organization."))?;
    let outlet = match (role.role_type, new.outlet) {
        (ConnectorType::Library, None) => None,
        (ConnectorType::Library, Some(_)) => {
            return Err(AppError::field(
                "outlet",
                format!(
                    "{} is a library role (L): leave the outlet empty.",
                    role.name
                ),
            ));
        }
        (ConnectorType::Outlet, None) => {
            return Err(AppError::field(
                "outlet",
                format!("{} is an outlet role (O): choose the outlet.", role.name),
            ));
        }
        (ConnectorType::Outlet, Some(id)) => Some(
            catalog::outlet(work, who.organization_id, id)
                .await?
                .ok_or_else(|| {
                    AppError::field("outlet", "There is no such outlet in this organization.")
                })?,
        ),
    };
    let held = held_roles(work, who).await?;
    policy::may_give_client(
        &who.access,
        client_role(&role, &held),
        outlet.as_ref().map(|o| o.id),
    )
    .map_err(|refusal| refused(refusal, true))?;
    let start = match new.people_start {
        Some((role, outlet)) if new.kind == ClientKind::Scim => {
            Some(people_start(work, who, role, outlet).await?)
        }
        _ => None,
    };
    let client = Client {
        organization: who.organization_id,
        role: &role,
        outlet: outlet.as_ref(),
        name,
        kind: new.kind,
        scim: start
            .as_ref()
            .map(|(role, outlet)| ScimStart { role, outlet }),
    };
    let (id, token) = issue(work, who.actor, client).await?;
    let client = tokens::api_clients(work, who.organization_id, new.kind, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::Internal)?;
    Ok(IssuedClient { client, token })
}

/// The role and outlet a SCIM connection's new people start with, as the console sets them:
/// the issuer must be able to grant that role at that outlet themselves (a connection never
/// grants what its issuer could not).
async fn people_start(
    work: &mut Work,
    who: &Principal,
    role: RoleId,
    outlet: crate::domain::OutletId,
) -> Result<(Role, Outlet), AppError> {
    let role = catalog::role(work, who.organization_id, role)
        .await?
        .ok_or_else(|| {
            AppError::field("people_role", "There is no such role in this organization.")
        })?;
    let outlet = catalog::outlet(work, who.organization_id, outlet)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "people_outlet",
                "There is no such outlet in this organization.",
            )
        })?;
    let manage = who.scope_for(crate::domain::Permission::ManageConnectors)?;
    policy::may_grant(
        &who.access,
        &manage,
        RoleFacts {
            name: &role.name,
            permissions: &role.permissions,
        },
        Some(outlet.id),
        &outlet.name,
    )
    .map_err(|refusal| match refusal {
        Refusal::OutsideScope => AppError::denied(
            "outside_your_scope",
            format!("You cannot manage access to {}.", outlet.name),
        ),
        other => refused(other, true),
    })?;
    Ok((role, outlet))
}

/// Revokes one of the organization's clients; it gets 401 from its next request on.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn revoke_client(work: &mut Work, who: &Principal, id: TokenId) -> Result<(), AppError> {
    policy::may_manage_api_clients(&who.access)?;
    if !tokens::revoke_in(work, who.organization_id, id).await? {
        return Err(AppError::NotFound);
    }
    record(
        work,
        who.actor,
        who.organization_id,
        AuditAction::ApiClientRevoked,
        id,
        None,
    )
    .await
}
