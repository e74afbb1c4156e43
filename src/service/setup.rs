//! Day one: an empty install opens a one-time setup link that creates the first organization
//! and its owner; `brigade org create` creates further organizations, inviting their owner by
//! mail. A new organization starts with one role, `Owner` (type L, every permission, partner
//! role manager), held by its owner; every other role is the organization's to define.

use crate::domain::audit::AuditAction;
use serde_json::json;

use super::auth::SessionClaims;
use super::connectors::free_username;
use super::{Context, Principal, Work, passwords, secrets, verification};
use crate::domain::me::OrganizationSettings;
use crate::domain::model::{ConnectorType, ManagedBy, PartnerRole, Via};
use crate::domain::organization::{NewOrganization, TimeZoneName};
use crate::domain::{AppError, OrganizationId, Permission, PersonName, UserId};
use crate::store::connectors::NewMembership;
use crate::store::{self, audit, organizations};

/// On an install with no organization: a new one-time setup secret (the link's last part),
/// replacing any earlier unused one. `None` once the install is set up.
pub async fn open_setup(context: &Context) -> Result<Option<String>, AppError> {
    let mut work = context.begin().await?;
    if organizations::any(&mut work).await? {
        return Ok(None);
    }
    let token = secrets::generate("");
    organizations::replace_setup_token(&mut work, &secrets::hash(&token)).await?;
    work.commit().await?;
    Ok(Some(token))
}

/// Whether `token` opens the setup page: unused, and no organization exists yet.
pub async fn is_open(context: &Context, token: &str) -> Result<bool, AppError> {
    let mut conn = context.read().await?;
    Ok(!organizations::any(&mut conn).await?
        && organizations::setup_token_usable(&mut conn, &secrets::hash(token.trim())).await?)
}

/// Creates the first organization and its owner (with the password chosen on the page) and
/// uses up the link; returns the owner's sign-in. After this the page answers 404 for good.
#[tracing::instrument(skip_all)]
pub async fn complete(
    context: &Context,
    token: &str,
    new: NewOrganization,
    client: &super::auth::ClientInfo,
) -> Result<SessionClaims, AppError> {
    let token_hash = secrets::hash(token.trim());
    if !is_open(context, token).await? {
        return Err(AppError::NotFound);
    }
    let password = new
        .owner
        .password
        .clone()
        .ok_or_else(|| AppError::field("password", "Choose the owner's password."))?;
    // Hashing is slow: done before the write lock is taken, checked again inside it.
    let hash = passwords::hash(&password).await?;
    let mut work = context.begin().await?;
    if organizations::any(&mut work).await?
        || !organizations::use_setup_token(&mut work, &token_hash).await?
    {
        return Err(AppError::NotFound);
    }
    let actor = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::System,
    };
    let (organization, owner) = create_organization(&mut work, actor, &new).await?;
    store::accounts::set_first_password(&mut work, owner, hash.as_stored()).await?;
    let version = store::accounts::summary(&mut work, owner)
        .await?
        .ok_or(AppError::Internal)?
        .session_version;
    let now = context.now();
    let sign_in = super::auth::record_sign_in(
        &mut work,
        owner,
        crate::domain::me::SignInMethod::Password,
        client,
        now,
    )
    .await?;
    work.commit().await?;
    Ok(SessionClaims {
        user: owner,
        organization,
        version,
        signed_in_at: now.unix_timestamp(),
        sign_in: Some(sign_in),
    })
}

/// Creates an organization with its `Owner` role held by its owner: the account with that
/// email (reused unchanged when it exists, so the organization sees only the email it gave)
/// or a new one, invited by mail to set a password when it has none. Returns the organization
/// and the owner's account.
#[tracing::instrument(skip_all)]
pub async fn create_organization(
    work: &mut Work,
    actor: audit::Actor,
    new: &NewOrganization,
) -> Result<(OrganizationId, UserId), AppError> {
    if organizations::slug_taken(work, &new.slug).await? {
        return Err(AppError::conflict(
            "slug_taken",
            format!(
                "An organization already uses the slug {}.",
                new.slug.as_str()
            ),
        ));
    }
    let organization =
        organizations::insert(work, &new.name, &new.slug, new.kind, &new.time_zone).await?;
    let owner_role = organizations::insert_role(
        work,
        organization,
        "Owner",
        ConnectorType::Library,
        PartnerRole::Manager,
        Permission::all(),
        None,
    )
    .await?;
    let owner = &new.owner;
    let (user, known, has_password) = match store::accounts::by_email(work, &owner.email).await? {
        Some(account) => (account.id, true, account.has_password),
        None => {
            let username = free_username(work, &owner.email).await?;
            let id = store::accounts::insert(
                work,
                &owner.email,
                &username,
                Some(&owner.first_name),
                Some(&owner.last_name),
            )
            .await?;
            (id, false, false)
        }
    };
    let membership = store::connectors::insert_membership(
        work,
        organization,
        user,
        NewMembership {
            managed_by: ManagedBy::Console,
            managed_by_brand: None,
            default_outlet: None,
            profile_visible: !known,
        },
    )
    .await?;
    store::connectors::insert(
        work,
        organization,
        membership,
        ConnectorType::Library,
        None,
        owner_role,
    )
    .await?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(organization),
        action: AuditAction::OrganizationCreated,
        target_type: "organization",
        target_id: Some(organization.0),
        before: None,
        after: Some(json!({
            "name": new.name.as_str(), "slug": new.slug.as_str(), "kind": new.kind,
            "time_zone": new.time_zone.as_str(), "owner": owner.email.as_str(),
        })),
    };
    audit::record(work, actor, event).await?;
    if owner.password.is_none() && !has_password {
        verification::queue_link(work, user, membership, &owner.email).await?;
    }
    Ok((organization, user))
}

/// Who may see and change the organization's settings: someone who manages settings across it.
pub(super) fn may_manage_settings(who: &Principal) -> Result<(), AppError> {
    who.access
        .required_organization_wide(Permission::ManageSettings)
}

/// The organization's settings.
pub async fn settings(
    context: &Context,
    who: &Principal,
) -> Result<OrganizationSettings, AppError> {
    may_manage_settings(who)?;
    let mut conn = context.read().await?;
    organizations::settings(&mut conn, who.organization_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the organization's name and default time zone; audited with before and after.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn update_settings(
    work: &mut Work,
    who: &Principal,
    name: &PersonName,
    time_zone: &TimeZoneName,
) -> Result<OrganizationSettings, AppError> {
    may_manage_settings(who)?;
    let before = organizations::settings(work, who.organization_id)
        .await?
        .ok_or(AppError::NotFound)?;
    organizations::update_settings(work, who.organization_id, name, time_zone).await?;
    let after = organizations::settings(work, who.organization_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let event = audit::Event {
        subject: None,
        organization_id: Some(who.organization_id),
        action: AuditAction::OrganizationUpdated,
        target_type: "organization",
        target_id: Some(who.organization_id.0),
        before: Some(json!(before)),
        after: Some(json!(after)),
    };
    audit::record(work, who.actor, event).await?;
    Ok(after)
}
