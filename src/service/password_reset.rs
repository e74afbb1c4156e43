//! A person who forgot their password asks for a link by email and chooses a new one with it.
//!
//! The answer to a request is the same, and takes about the same time, whether or not the
//! address has an account: both paths read the account, count the request and commit one
//! write, and the mail leaves from a task of its own. Requests are throttled per address
//! asked for (account or not) and per client address. A link works once, for
//! [`VALID_FOR`]; only its hash is stored. Using it sets the password, ends every session of
//! the person and is audited in each organization they belong to.

use std::net::IpAddr;

use super::auth::{Attempts, throttle_attempts};
use super::verification::{link_email, redeem};
use super::{Context, secrets};
use crate::domain::audit::AuditAction;
use crate::domain::{AppError, Email, Password};
use crate::store;
use crate::store::tokens::{self, MailedLink};

/// A reset link works this long after it was asked for.
pub const VALID_FOR: time::Duration = time::Duration::minutes(30);
/// Requests for one address (with an account or not) in the throttle window …
pub const ADDRESS_REQUEST_LIMIT: i64 = 3;
/// … and from one client address (an office or restaurant shares one address).
pub const CLIENT_REQUEST_LIMIT: i64 = 10;

/// What every request is told, whatever the address.
pub const REQUESTED: &str = "If this address belongs to someone with access to Brigade, a link to choose a new password is on its way. It works once, for 30 minutes.";

/// Asks for a reset link for `email`. Mails one only when the address is an account's with an
/// active membership somewhere (a deactivated person could not sign in with it).
#[tracing::instrument(skip_all)]
pub async fn request(
    context: &Context,
    email: &Email,
    client: Option<IpAddr>,
) -> Result<(), AppError> {
    let now = context.now();
    let address_key = format!("reset:email:{}", email.as_str());
    let client_key = client.map(|address| format!("reset:client:{address}"));
    {
        let mut conn = context.read().await?;
        throttle_attempts(
            &mut conn,
            &address_key,
            ADDRESS_REQUEST_LIMIT,
            now,
            Attempts::ResetRequests,
        )
        .await?;
        if let Some(key) = &client_key {
            throttle_attempts(
                &mut conn,
                key,
                CLIENT_REQUEST_LIMIT,
                now,
                Attempts::ResetRequests,
            )
            .await?;
        }
    }
    let mut work = context.begin().await?;
    let keys: Vec<&str> = [Some(address_key.as_str()), client_key.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    store::throttle::record_failure(&mut work, &keys, now).await?;
    let account = store::accounts::find_by_email(&mut work, email).await?;
    let active = match account {
        Some(user) => !store::accounts::active_organizations(&mut work, user)
            .await?
            .is_empty(),
        None => false,
    };
    let sso = match (account, active) {
        (Some(user), true) => {
            super::sso::required_of(&mut work, user, email.as_str(), context.now()).await?
        }
        _ => None,
    };
    if let Some(name) = sso {
        // No link: this person signs in with the organization's identity provider.
        let text = format!(
            "Hello,\n\nSomeone asked to reset the Brigade password of this address. Your organization \
             signs you in with {name}, so Brigade has no password to reset for you: choose \
             “Sign in with single sign-on” at {}/login. If you cannot sign in there, ask your \
             organization's IT team.\n",
            context.public_url()
        );
        work.queue_mail(email.as_str(), "Signing in to Brigade", &text)
            .await?;
    } else if let (Some(user), true) = (account, active) {
        let token = secrets::generate("");
        let expires_at = store::format_timestamp(now + VALID_FOR);
        tokens::insert_link(
            &mut work,
            MailedLink::PasswordReset,
            user,
            &secrets::hash(&token),
            &expires_at,
        )
        .await?;
        let link = format!("{}/reset/{token}", context.public_url());
        let text = format!(
            "Hello,\n\nSomeone asked to reset the Brigade password of this address. Choose a new password here:\n\n{link}\n\n\
             The link works once and for 30 minutes; using it signs you out everywhere. \
             If you did not ask for it, ignore this message: your password stays as it is.\n"
        );
        work.queue_mail(email.as_str(), "Reset your Brigade password", &text)
            .await?;
    }
    work.commit_then_deliver_apart().await
}

fn link_unusable() -> AppError {
    AppError::denied(
        "link_unusable",
        "This link is invalid, already used or expired. Ask for a new one from the sign-in page.",
    )
}

/// The address a usable reset link is for.
pub async fn email_for(context: &Context, token: &str) -> Result<String, AppError> {
    link_email(context, MailedLink::PasswordReset, token, link_unusable).await
}

/// Sets a new password through a usable link: uses up every reset link of the person (and
/// any open verification link), ends every session of theirs, forgets their failed sign-ins
/// (the link proved the address) and audits the reset in each organization where they are
/// active.
#[tracing::instrument(skip_all)]
pub async fn complete(context: &Context, token: &str, password: &Password) -> Result<(), AppError> {
    let (mut work, user, hash) = redeem(
        context,
        MailedLink::PasswordReset,
        token,
        password,
        link_unusable,
    )
    .await?;
    store::accounts::set_password(&mut work, user, hash.as_stored()).await?;
    tokens::use_up_links(&mut work, MailedLink::Verification, user).await?;
    store::throttle::clear(&mut work, &format!("account:{user}")).await?;
    let now = store::format_timestamp(work.now());
    store::sign_ins::end_all_but(&mut work, user, None, &now).await?;
    super::audit::record_for_account(&mut work, user, AuditAction::AccountPasswordReset, None)
        .await?;
    work.commit().await
}
