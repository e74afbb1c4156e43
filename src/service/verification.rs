//! One-time links that verify an address and let the person set their first password
//! (valid 7 days). A link never replaces a password that is already set.

use super::{Context, Work, passwords, secrets};
use crate::domain::audit::AuditAction;
use crate::domain::model::Via;
use crate::domain::{AppError, Email, MembershipId, Password, UserId};
use crate::store::tokens::{self, MailedLink};
use crate::store::{self, audit};

pub const VALID_FOR: time::Duration = time::Duration::days(7);

/// Issues a link for the account, as the invitation of its membership `membership`, and
/// queues its mail in the same unit of work.
pub async fn queue_link(
    work: &mut Work,
    user: UserId,
    membership: MembershipId,
    email: &Email,
) -> Result<(), AppError> {
    let token = secrets::generate("");
    let now = work.now();
    tokens::insert_invitation(
        work,
        membership,
        user,
        &secrets::hash(&token),
        &store::format_timestamp(now),
        &store::format_timestamp(now + VALID_FOR),
    )
    .await?;
    let link = format!(
        "{}/verify/{token}",
        work.settings().public_url.trim_end_matches('/')
    );
    let text = format!(
        "Hello,\n\nYou have been given access in Brigade. Verify your address and set your password here:\n\n{link}\n\n\
         The link works once and is valid for 7 days. If you did not expect this, ignore this message.\n"
    );
    work.queue_mail(
        email.as_str(),
        "Verify your address and set your Brigade password",
        &text,
    )
    .await
}

fn link_unusable() -> AppError {
    AppError::denied(
        "link_unusable",
        "This link is invalid, already used or expired. Ask your administrator for a new one.",
    )
}

/// The address a usable link is for.
pub async fn email_for(context: &Context, token: &str) -> Result<String, AppError> {
    link_email(context, MailedLink::Verification, token, link_unusable).await
}

/// The address a usable link of `kind` is for; `unusable` otherwise.
pub(super) async fn link_email(
    context: &Context,
    kind: MailedLink,
    token: &str,
    unusable: fn() -> AppError,
) -> Result<String, AppError> {
    let mut conn = context.read().await?;
    tokens::usable_link(&mut conn, kind, &secrets::hash(token.trim()), context.now())
        .await?
        .map(|(_, email)| email)
        .ok_or_else(unusable)
}

/// Redeems a link of `kind` for a new password: the link is checked before the
/// (deliberately slow) hashing, and again in the unit of work returned for the writes (the
/// hashing must not hold the write lock); every link of that kind of the person is used up
/// in it. Returns the work, the person and the password's hash.
pub(super) async fn redeem(
    context: &Context,
    kind: MailedLink,
    token: &str,
    password: &Password,
    unusable: fn() -> AppError,
) -> Result<(Work, UserId, passwords::PasswordHash), AppError> {
    link_email(context, kind, token, unusable).await?;
    let hash = passwords::hash(password).await?;
    let mut work = context.begin().await?;
    let (user, _) =
        tokens::usable_link(&mut work, kind, &secrets::hash(token.trim()), context.now())
            .await?
            .ok_or_else(unusable)?;
    tokens::use_up_links(&mut work, kind, user).await?;
    Ok((work, user, hash))
}

/// Sets the first password through a usable link and uses the link up.
#[tracing::instrument(skip_all)]
pub async fn complete(context: &Context, token: &str, password: &Password) -> Result<(), AppError> {
    let (mut work, user, hash) = redeem(
        context,
        MailedLink::Verification,
        token,
        password,
        link_unusable,
    )
    .await?;
    if !store::accounts::set_first_password(&mut work, user, hash.as_stored()).await? {
        return Err(link_unusable());
    }
    let actor = audit::Actor {
        user_id: Some(user),
        token_id: None,
        via: Via::Console,
    };
    let event = audit::Event {
        organization_id: None,
        action: AuditAction::AccountVerified,
        target_type: "user_account",
        target_id: Some(user.0),
        subject: Some(user),
        before: None,
        after: None,
    };
    audit::record(&mut work, actor, event).await?;
    work.commit().await
}
