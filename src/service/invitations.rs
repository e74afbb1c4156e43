//! Invitations: the verification mail an organization sends someone it gives access (their
//! first password), with its state; sent again (a new link, the open one withdrawn) or revoked
//! by whoever may manage the person.

use std::collections::HashMap;

use super::users::{audit_user, ensure_manageable};
use super::{Principal, Work, verification};
use crate::domain::audit::AuditAction;
use crate::domain::invitations::{Invitation, InvitationFacts, InvitationState};
use crate::domain::{AppError, Email, MembershipId, Scope, UserId};
use crate::store::{self, Conn};

/// The latest invitation of each of these memberships that has one, as it stands at `now`.
pub async fn of(
    conn: &mut Conn,
    memberships: &[MembershipId],
    now: time::OffsetDateTime,
) -> Result<HashMap<MembershipId, Invitation>, AppError> {
    let now = store::format_timestamp(now);
    let rows = store::tokens::latest_invitations(conn, memberships).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let facts = InvitationFacts {
                sent_at: &row.created_at,
                expires_at: &row.expires_at,
                used: row.used_at.is_some(),
                revoked: row.revoked_at.is_some(),
                has_password: row.has_password,
            };
            let invitation = Invitation {
                state: InvitationState::of(&facts, &now),
                sent_at: row.created_at.clone(),
                expires_at: row.expires_at.clone(),
            };
            (row.membership_id, invitation)
        })
        .collect())
}

/// The person's membership and email, once the caller may manage them.
async fn invitee(
    work: &mut Work,
    who: &Principal,
    user: UserId,
) -> Result<(MembershipId, Email), AppError> {
    ensure_manageable(work, who, user).await?;
    let row = store::users::get(work, who.organization_id, &Scope::Organization, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let email = Email::parse(&row.email).map_err(|_| AppError::Internal)?;
    Ok((row.membership_id, email))
}

async fn latest(work: &mut Work, membership: MembershipId) -> Result<Invitation, AppError> {
    let now = work.now();
    of(work, &[membership], now)
        .await?
        .remove(&membership)
        .ok_or(AppError::Internal)
}

/// Sends the person a new invitation (a new 7-day link), withdrawing the open one: for
/// someone who has no password yet.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, user = %user))]
pub async fn send(work: &mut Work, who: &Principal, user: UserId) -> Result<Invitation, AppError> {
    let (membership, email) = invitee(work, who, user).await?;
    let has_password = store::accounts::by_email(work, &email)
        .await?
        .is_some_and(|account| account.has_password);
    if has_password {
        return Err(AppError::conflict(
            "invitation_accepted",
            "This person already has a password: they sign in with it (or use \"Forgot your password?\").",
        ));
    }
    let at = store::format_timestamp(work.now());
    store::tokens::revoke_invitations(work, membership, &at).await?;
    verification::queue_link(work, user, membership, &email).await?;
    let invitation = latest(work, membership).await?;
    let organization = who.organization_id;
    let after = Some(serde_json::json!(invitation));
    audit_user(
        work,
        who,
        organization,
        AuditAction::InvitationSent,
        user,
        None,
        after,
    )
    .await?;
    Ok(invitation)
}

/// Withdraws the person's open invitation: its link no longer works.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, user = %user))]
pub async fn revoke(
    work: &mut Work,
    who: &Principal,
    user: UserId,
) -> Result<Invitation, AppError> {
    let (membership, _) = invitee(work, who, user).await?;
    let before = latest(work, membership).await.ok();
    let at = store::format_timestamp(work.now());
    let open = before
        .as_ref()
        .is_some_and(|i| i.state == InvitationState::Pending);
    if !open || store::tokens::revoke_invitations(work, membership, &at).await? == 0 {
        return Err(AppError::conflict(
            "no_pending_invitation",
            "This person has no pending invitation to revoke.",
        ));
    }
    let invitation = latest(work, membership).await?;
    let organization = who.organization_id;
    let (before, after) = (
        before.map(|i| serde_json::json!(i)),
        Some(serde_json::json!(invitation)),
    );
    audit_user(
        work,
        who,
        organization,
        AuditAction::InvitationRevoked,
        user,
        before,
        after,
    )
    .await?;
    Ok(invitation)
}
