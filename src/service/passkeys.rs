//! Passkeys (WebAuthn, with `webauthn-rs`): registering them on one's own page (after proving
//! the password), removing them, and signing in with one alone. A passkey asks its person to
//! unlock it (user verification is required), so it is two factors in one: signing in with it
//! asks for no password and no code.
//!
//! The relying party is this server's public address (`BRIGADE_PUBLIC_URL`): browsers refuse
//! an IP address, so a server reached by one offers no passkeys. Each ceremony's state is kept
//! by the caller (the console keeps it in the session) as a [`Pending`], good for
//! [`CEREMONY_WITHIN`] and once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Webauthn,
    WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::auth::{Attempt, ClientInfo, SessionClaims};
use super::{Context, Principal};
use crate::domain::audit::AuditAction;
use crate::domain::me::SignInMethod;
use crate::domain::passkeys::{MyPasskey, MyPasskeys, PasskeyName, UNAVAILABLE};
use crate::domain::{AppError, PasskeyId, Password, UserId};
use crate::store;

/// A ceremony (registering, signing in) must finish this soon after it began.
pub const CEREMONY_WITHIN: Duration = Duration::minutes(5);

pub const EXPIRED: &str = "That took too long. Try again.";
pub const NOT_PROVEN: &str =
    "The passkey did not prove who you are. Try again, or sign in with your password.";
pub const UNKNOWN_PASSKEY: &str =
    "Brigade does not know this passkey (it may have been removed). Sign in with your password.";

/// The relying party of a public address: `None` when it names no host (an IP address).
/// `localhost` is accepted on any port, for development and tests.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let origin = Url::parse(public_url).ok()?;
    let host = origin.host_str()?.to_string();
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let builder = WebauthnBuilder::new(&host, &origin)
        .ok()?
        .rp_name("Brigade")
        .allow_any_port(host == "localhost");
    builder.build().ok()
}

/// A ceremony begun: its state, when it began and, for a registration, whose it is.
#[derive(Serialize, Deserialize)]
pub struct Pending<T> {
    state: T,
    began_at: i64,
    user: Option<UserId>,
}

impl<T> Pending<T> {
    fn new(state: T, now: OffsetDateTime, user: Option<UserId>) -> Self {
        Self {
            state,
            began_at: now.unix_timestamp(),
            user,
        }
    }

    /// The state, when the ceremony is recent and (for a registration) the same person's.
    fn open(self, now: OffsetDateTime, user: Option<UserId>) -> Result<T, AppError> {
        let age = now.unix_timestamp() - self.began_at;
        if self.user != user || !(0..CEREMONY_WITHIN.whole_seconds()).contains(&age) {
            return Err(AppError::denied("passkey_expired", EXPIRED));
        }
        Ok(self.state)
    }
}

fn party(context: &Context) -> Result<&Webauthn, AppError> {
    context
        .passkeys()
        .ok_or_else(|| AppError::denied("passkeys_unavailable", UNAVAILABLE))
}

fn encoded(credential_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(credential_id)
}

/// The person's passkeys, for their own page.
pub async fn mine(context: &Context, user: UserId) -> Result<MyPasskeys, AppError> {
    let mut conn = context.read().await?;
    let passkeys = store::passkeys::of_account(&mut conn, user)
        .await?
        .into_iter()
        .map(|row| MyPasskey {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        })
        .collect();
    Ok(MyPasskeys {
        available: context.passkeys().is_some(),
        passkeys,
    })
}

/// Begins registering a passkey for the signed-in person, who proves their password first
/// (a session left open must not be enough to add a lasting way in). The browser is asked for
/// a discoverable credential with user verification, excluding the person's passkeys.
#[tracing::instrument(skip_all)]
pub async fn begin_registration(
    context: &Context,
    who: &Principal,
    password: &Password,
) -> Result<(CreationChallengeResponse, Pending<PasskeyRegistration>), AppError> {
    let party = party(context)?;
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    super::auth::prove_password(context, user, password, "password").await?;
    let mut conn = context.read().await?;
    let account = store::accounts::summary(&mut conn, user)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let existing = store::passkeys::credential_ids(&mut conn, user)
        .await?
        .iter()
        .filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok())
        .collect();
    let display =
        crate::domain::model::display_name(&account.first_name, &account.last_name, &account.email);
    let (mut challenge, state) = party
        .start_passkey_registration(user.0, &account.email, &display, Some(existing))
        .map_err(ceremony_error)?;
    // Signing in starts from no name at all, so the authenticator must keep the credential.
    if let Some(selection) = challenge.public_key.authenticator_selection.as_mut() {
        selection.require_resident_key = true;
        selection.resident_key = Some(ResidentKeyRequirement::Required);
    }
    Ok((challenge, Pending::new(state, context.now(), Some(user))))
}

/// Finishes a registration with the browser's answer: the passkey is kept under `name` and
/// its adding audited in each organization of the person.
#[tracing::instrument(skip_all)]
pub async fn finish_registration(
    context: &Context,
    who: &Principal,
    pending: Pending<PasskeyRegistration>,
    credential: &RegisterPublicKeyCredential,
    name: &PasskeyName,
) -> Result<MyPasskey, AppError> {
    let party = party(context)?;
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let now = context.now();
    let state = pending.open(now, Some(user))?;
    let passkey = party
        .finish_passkey_registration(credential, &state)
        .map_err(|error| {
            tracing::info!(%error, "a passkey registration was refused");
            AppError::field(
                "passkey",
                "Your browser's answer did not make a passkey. Try again.",
            )
        })?;
    let id = PasskeyId::generate();
    let at = store::format_timestamp(now);
    let mut work = context.begin().await?;
    let inserted = store::passkeys::insert(
        &mut work,
        store::passkeys::NewPasskey {
            id,
            user,
            credential_id: &encoded(passkey.cred_id()),
            name: name.as_str(),
            credential: &serde_json::to_string(&passkey).map_err(|e| AppError::internal(&e))?,
            at: &at,
        },
    )
    .await?;
    if !inserted {
        return Err(AppError::field(
            "passkey",
            "This passkey is registered already.",
        ));
    }
    super::audit::record_for_account(
        &mut work,
        user,
        AuditAction::AccountPasskeyAdded,
        Some(json!({ "passkey": id, "name": name.as_str() })),
    )
    .await?;
    work.commit().await?;
    Ok(MyPasskey {
        id,
        name: name.as_str().to_string(),
        created_at: at,
        last_used_at: None,
    })
}

/// Removes one of the person's own passkeys (another person's is not found); audited.
#[tracing::instrument(skip_all)]
pub async fn remove(context: &Context, who: &Principal, id: PasskeyId) -> Result<(), AppError> {
    let user = who.actor.user_id.ok_or(AppError::Forbidden)?;
    let mut work = context.begin().await?;
    let name = store::passkeys::remove(&mut work, user, id)
        .await?
        .ok_or(AppError::NotFound)?;
    super::audit::record_for_account(
        &mut work,
        user,
        AuditAction::AccountPasskeyRemoved,
        Some(json!({ "passkey": id, "name": name })),
    )
    .await?;
    work.commit().await
}

/// Begins a sign-in with a passkey: no name is asked, the browser offers the passkeys it
/// holds for this site.
pub fn begin_sign_in(
    context: &Context,
) -> Result<
    (
        RequestChallengeResponse,
        Pending<DiscoverableAuthentication>,
    ),
    AppError,
> {
    let (mut challenge, state) = party(context)?
        .start_discoverable_authentication()
        .map_err(ceremony_error)?;
    // A button starts it: the browser's own dialog rather than the address field's autofill.
    challenge.mediation = None;
    Ok((challenge, Pending::new(state, context.now(), None)))
}

/// Finishes a sign-in with a passkey: the passkey must be registered to the account it names
/// and prove itself (signature, user verification, counter); the person must still belong to
/// an organization. Failures count toward the sign-in throttle of the account and address.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    context: &Context,
    pending: Pending<DiscoverableAuthentication>,
    credential: &PublicKeyCredential,
    client: &ClientInfo,
) -> Result<SessionClaims, AppError> {
    let party = party(context)?;
    let now = context.now();
    let state = pending.open(now, None)?;
    let (user, credential_id) = party
        .identify_discoverable_authentication(credential)
        .map_err(|_| AppError::invalid(NOT_PROVEN))?;
    let user = UserId(user);
    let credential_id = encoded(credential_id);
    let attempt = Attempt::on_account(user, client);
    attempt.allowed(&mut context.read().await?, now).await?;

    let mut work = context.begin().await?;
    let found = store::passkeys::find(&mut work, user, &credential_id).await?;
    let unknown = found.is_none();
    let proven = found.and_then(|(id, stored)| {
        let mut passkey: Passkey = serde_json::from_str(&stored).ok()?;
        let result = party
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(|error| tracing::info!(%error, "a passkey sign-in was refused"))
            .ok()?;
        let changed = passkey.update_credential(&result) == Some(true);
        Some((
            id,
            changed
                .then(|| serde_json::to_string(&passkey).ok())
                .flatten(),
        ))
    });
    let account = store::accounts::summary(&mut work, user).await?;
    let known = account.is_some();
    let (Some((id, updated)), Some(account)) = (proven, account) else {
        drop(work);
        let mut work = context.begin().await?;
        attempt.failed(&mut work, now).await?;
        if known {
            super::auth::record_failure(&mut work, user, SignInMethod::Passkey.as_str(), client)
                .await?;
        }
        work.commit().await?;
        return Err(AppError::invalid(if unknown {
            UNKNOWN_PASSKEY
        } else {
            NOT_PROVEN
        }));
    };
    if let Some(name) =
        super::sso::required_of(&mut work, user, &account.email, context.now()).await?
    {
        return Err(super::sso::use_sso_instead(&name));
    }
    let mut claims = super::auth::claims_for(&mut work, user, account.session_version, now).await?;
    store::passkeys::used(
        &mut work,
        id,
        updated.as_deref(),
        &store::format_timestamp(now),
    )
    .await?;
    attempt.succeeded(&mut work).await?;
    claims.sign_in = Some(
        super::auth::record_sign_in(&mut work, user, SignInMethod::Passkey, client, now).await?,
    );
    work.commit().await?;
    Ok(claims)
}

fn ceremony_error(error: webauthn_rs::prelude::WebauthnError) -> AppError {
    AppError::internal(&error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_address_when_it_names_a_host() {
        let cases = [
            ("https://brigade.example", true),
            ("https://brigade.example:8443/", true),
            ("http://localhost", true),
            ("http://localhost:3000", true),
            ("http://127.0.0.1:3000", false),
            ("http://[::1]:3000", false),
            ("", false),
        ];
        for (public_url, offered) in cases {
            assert_eq!(relying_party(public_url).is_some(), offered, "{public_url}");
        }
    }
}
