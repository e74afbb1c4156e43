//! Who am I: the caller in the partner API's shape, and the signed-in person's own page,
//! where they change their name (even when several organizations share their account: it is
//! theirs), their password, and end their other sessions.

use crate::domain::audit::AuditAction;
use serde_json::json;
use std::collections::BTreeSet;

use super::auth::SignedIn;
use super::{Context, Principal, Work, passwords};
use crate::domain::me::{Me, MyOrganization, MyPage};
use crate::domain::model::PartnerRole;
use crate::domain::{AppError, Password, PersonName, Scope, SignInId};
use crate::store::{self, Conn, audit};

/// The strongest partner role among a person's roles: a manager manages, a viewer views, and
/// `api` (a machine's role) is what a person holding only such roles is.
fn strongest(roles: &[PartnerRole]) -> PartnerRole {
    [PartnerRole::Manager, PartnerRole::Viewer, PartnerRole::Api]
        .into_iter()
        .find(|candidate| roles.contains(candidate))
        .unwrap_or(PartnerRole::Viewer)
}

/// Every outlet the principal reaches in its organization, plus (for a corporate
/// brand-managed person) the franchisees' outlets they hold.
async fn store_ids(
    conn: &mut Conn,
    who: &Principal,
    membership: Option<crate::domain::MembershipId>,
) -> Result<Vec<crate::domain::OutletId>, AppError> {
    let reach: Scope = who.access.reach();
    let mut ids: BTreeSet<_> = store::access::outlet_ids(conn, who.organization_id, &reach)
        .await?
        .into_iter()
        .collect();
    if let Some(membership) = membership {
        let external = store::users::external_locations_of(conn, &[membership]).await?;
        ids.extend(external.into_values().flatten().map(|location| location.id));
    }
    Ok(ids.into_iter().collect())
}

/// `GET /me`: the caller, a person (from a session) or an API client (from a token).
pub async fn me(context: &Context, who: &Principal) -> Result<Me, AppError> {
    let mut conn = context.read().await?;
    let partner = store::catalog::organization_name(&mut conn, who.organization_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if let Some(user) = who.actor.user_id {
        let account = store::accounts::own(&mut conn, user)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let membership = store::connectors::membership_of(&mut conn, who.organization_id, user)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let roles = store::access::partner_roles_of(&mut conn, membership).await?;
        return Ok(Me {
            id: user.0,
            email: Some(account.email),
            login: account.username,
            role: "partner".into(),
            partner_role: strongest(&roles),
            partner,
            store_ids: store_ids(&mut conn, who, Some(membership)).await?,
            first_name: account.first_name,
            last_name: account.last_name,
            created_at: account.created_at,
            updated_at: account.updated_at,
        });
    }
    let token = who.actor.token_id.ok_or(AppError::Unauthenticated)?;
    let (name, created_at) = store::tokens::api_client_facts(&mut conn, token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Me {
        id: token.0,
        email: None,
        login: name.clone(),
        role: "partner".into(),
        partner_role: PartnerRole::Api,
        partner,
        store_ids: store_ids(&mut conn, who, None).await?,
        first_name: name,
        last_name: String::new(),
        updated_at: created_at.clone(),
        created_at,
    })
}

/// The signed-in person's own page.
pub async fn my_page(context: &Context, signed_in: &SignedIn) -> Result<MyPage, AppError> {
    let user = signed_in.viewer.user_id;
    let mut conn = context.read().await?;
    let account = store::accounts::own(&mut conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let grants = store::access::grants_of_account(&mut conn, user, context.now()).await?;
    let organizations = signed_in
        .viewer
        .organizations
        .iter()
        .map(|organization| MyOrganization {
            id: organization.id,
            name: organization.name.clone(),
            roles: grants
                .iter()
                .filter(|(at, _, _)| *at == organization.id)
                .map(|(_, role, outlet)| {
                    format!(
                        "{role} — {}",
                        outlet.as_deref().unwrap_or("the whole organization")
                    )
                })
                .collect(),
            current: organization.id == signed_in.principal.organization_id,
        })
        .collect();
    let reach = signed_in.principal.access.reach();
    Ok(MyPage {
        first_name: account.first_name,
        last_name: account.last_name,
        email: account.email,
        username: account.username,
        organizations,
        whole_organization: reach == Scope::Organization,
        outlet_count: u32::try_from(
            store::catalog::outlet_count(&mut conn, signed_in.principal.organization_id, &reach)
                .await?,
        )
        .unwrap_or(u32::MAX),
        outlets: if reach == Scope::Organization {
            Vec::new()
        } else {
            store::catalog::outlets_by_name(&mut conn, signed_in.principal.organization_id, &reach)
                .await?
        },
    })
}

async fn audit_own(
    conn: &mut Conn,
    who: &Principal,
    action: AuditAction,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let event = audit::Event {
        organization_id: Some(who.organization_id),
        action,
        target_type: "user_account",
        target_id: who.actor.user_id.map(|u| u.0),
        subject: who.actor.user_id,
        before: None,
        after,
    };
    Ok(audit::record(conn, who.actor, event).await?)
}

/// A person changes their own name: the one place where an account shared by several
/// organizations changes it.
#[tracing::instrument(skip_all)]
pub async fn change_my_name(
    work: &mut Work,
    who: &Principal,
    first_name: &PersonName,
    last_name: &PersonName,
) -> Result<(), AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    store::accounts::update_names(work, user, Some(first_name), Some(last_name)).await?;
    let after = json!({ "first_name": first_name, "last_name": last_name });
    audit_own(work, who, AuditAction::AccountNameChanged, Some(after)).await
}

/// A person changes their password, proving the current one; every other session of theirs
/// ends. Returns the new session version for the session that made the change.
#[tracing::instrument(skip_all)]
pub async fn change_my_password(
    context: &Context,
    who: &Principal,
    this_session: Option<SignInId>,
    current: &Password,
    new: &Password,
) -> Result<i64, AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    super::auth::prove_password(context, user, current, "current_password").await?;
    let hash = passwords::hash(new).await?;
    let mut work = context.begin().await?;
    let version = store::accounts::set_password(&mut work, user, hash.as_stored()).await?;
    let now = store::format_timestamp(work.now());
    store::sign_ins::end_all_but(&mut work, user, this_session, &now).await?;
    audit_own(&mut work, who, AuditAction::AccountPasswordChanged, None).await?;
    work.commit().await?;
    Ok(version)
}

/// Ends every other session of the person; returns the version the current one carries on
/// under.
pub async fn end_other_sessions(
    work: &mut Work,
    who: &Principal,
    this_session: Option<SignInId>,
) -> Result<i64, AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let version = store::accounts::bump_session_version(work, user).await?;
    let now = store::format_timestamp(work.now());
    store::sign_ins::end_all_but(work, user, this_session, &now).await?;
    audit_own(work, who, AuditAction::AccountSessionsEnded, None).await?;
    Ok(version)
}
