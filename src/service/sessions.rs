//! A person's sign-ins and sessions, as their own page lists them: each session they can end
//! (it ends at its next request, on every server), and signing out.

use super::auth::{RECENT_SIGN_INS, SESSION_IDLE, SESSION_LIFETIME, SessionClaims, SignedIn};
use super::{Context, Work};
use crate::domain::audit::AuditAction;
use crate::domain::me::MySignIn;
use crate::domain::{AppError, SignInId};
use crate::store;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The person's latest sign-ins, newest first, each saying whether its session goes on.
pub async fn my_sign_ins(
    context: &Context,
    signed_in: &SignedIn,
) -> Result<Vec<MySignIn>, AppError> {
    let user = signed_in.claims.user;
    let now = context.now();
    let mut conn = context.read().await?;
    let rows = store::sign_ins::recent(&mut conn, user, RECENT_SIGN_INS).await?;
    let within =
        |at: &str, limit| OffsetDateTime::parse(at, &Rfc3339).is_ok_and(|at| now - at < limit);
    Ok(rows
        .into_iter()
        .map(|row| MySignIn {
            active: !row.ended
                && within(&row.signed_in_at, SESSION_LIFETIME)
                && within(&row.last_seen_at, SESSION_IDLE),
            current: signed_in.claims.sign_in == Some(row.id),
            id: row.id,
            method: row.method,
            client_address: row.client_address,
            user_agent: row.user_agent,
            signed_in_at: row.signed_in_at,
        })
        .collect())
}

/// Ends one of the person's own sessions (not the one they ask from: that is signing out).
/// Another person's sign-in is not found.
#[tracing::instrument(skip_all)]
pub async fn end_session(
    work: &mut Work,
    signed_in: &SignedIn,
    id: SignInId,
) -> Result<(), AppError> {
    if signed_in.claims.sign_in == Some(id) {
        return Err(AppError::field(
            "id",
            "This is the session you are using: sign out instead.",
        ));
    }
    let user = signed_in.claims.user;
    let now = store::format_timestamp(work.now());
    if !store::sign_ins::end(work, user, id, &now).await? {
        return Err(AppError::NotFound);
    }
    let event = store::audit::Event {
        organization_id: Some(signed_in.principal.organization_id),
        action: AuditAction::AccountSessionEnded,
        target_type: "user_account",
        target_id: Some(user.0),
        subject: Some(user),
        before: None,
        after: Some(serde_json::json!({ "sign_in": id })),
    };
    Ok(store::audit::record(work, signed_in.principal.actor, event).await?)
}

/// Signing out ends the session's sign-in, so a copy of its cookie opens nothing.
pub async fn sign_out(context: &Context, claims: &SessionClaims) -> Result<(), AppError> {
    let Some(id) = claims.sign_in else {
        return Ok(());
    };
    let mut work = context.begin().await?;
    let now = store::format_timestamp(work.now());
    store::sign_ins::end(&mut work, claims.user, id, &now).await?;
    work.commit().await
}
