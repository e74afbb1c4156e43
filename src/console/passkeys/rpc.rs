//! Passkeys' server functions: the person's passkeys on their own page (add, remove) and
//! signing in with one. Each ceremony's state waits in the session, taken once.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::domain::AppError;
use crate::domain::passkeys::{MyPasskey, MyPasskeys};

/// The session key of a registration under way.
#[cfg(feature = "ssr")]
const REGISTRATION: &str = "passkey_registration";
/// The session key of a passkey sign-in under way.
#[cfg(feature = "ssr")]
const SIGN_IN: &str = "passkey_sign_in";

#[server(prefix = "/rpc", endpoint = "my_passkeys")]
pub async fn load_passkeys() -> Result<MyPasskeys, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::passkeys::mine(&context()?, caller.viewer.user_id).await
        }
        .await,
    )
}

/// Begins adding a passkey: the password proves it is the person; the browser gets the
/// challenge.
#[server(prefix = "/rpc", endpoint = "passkey_register_begin")]
pub async fn passkey_register_begin(
    password: String,
) -> Result<CreationChallengeResponse, AppError> {
    use super::super::server::{caller, context, session, with_status};
    use crate::domain::Password;
    with_status(
        async move {
            let caller = caller().await?;
            let password = Password::offered(password)
                .map_err(|message| AppError::field("password", message))?;
            let (challenge, pending) = crate::service::passkeys::begin_registration(
                &context()?,
                &caller.principal,
                &password,
            )
            .await?;
            session().await?.insert(REGISTRATION, pending).await?;
            Ok(challenge)
        }
        .await,
    )
}

/// Finishes adding a passkey with the browser's answer, under the name the person gave.
#[server(prefix = "/rpc", endpoint = "passkey_register_finish", input = Json)]
pub async fn passkey_register_finish(
    name: String,
    credential: RegisterPublicKeyCredential,
) -> Result<MyPasskey, AppError> {
    use super::super::server::{caller, context, session, with_status};
    use crate::domain::passkeys::PasskeyName;
    use crate::service::passkeys::{self, EXPIRED, Pending};
    with_status(
        async move {
            let caller = caller().await?;
            let name = PasskeyName::parse(&name, "name")?;
            let pending: Option<Pending<_>> = session().await?.remove(REGISTRATION).await?;
            let pending = pending.ok_or_else(|| AppError::denied("passkey_expired", EXPIRED))?;
            passkeys::finish_registration(
                &context()?,
                &caller.principal,
                pending,
                &credential,
                &name,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "passkey_remove")]
pub async fn passkey_remove(id: String) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::PasskeyId::parse(&id).ok_or(AppError::NotFound)?;
            crate::service::passkeys::remove(&context()?, &caller.principal, id).await
        }
        .await,
    )
}

/// Begins signing in with a passkey (no name asked: the browser offers what it holds).
#[server(prefix = "/rpc", endpoint = "passkey_sign_in_begin")]
pub async fn passkey_sign_in_begin() -> Result<RequestChallengeResponse, AppError> {
    use super::super::server::{context, session, with_status};
    with_status(
        async move {
            let (challenge, pending) = crate::service::passkeys::begin_sign_in(&context()?)?;
            session().await?.insert(SIGN_IN, pending).await?;
            Ok(challenge)
        }
        .await,
    )
}

/// Finishes signing in with the browser's answer: starts the session and says where to go.
#[server(prefix = "/rpc", endpoint = "passkey_sign_in", input = Json)]
pub async fn passkey_sign_in(
    credential: PublicKeyCredential,
    next: Option<String>,
) -> Result<String, AppError> {
    use super::super::server::{client_info, context, session, with_status};
    use crate::service::passkeys::{self, EXPIRED, Pending};
    with_status(
        async move {
            let session = session().await?;
            let pending: Option<Pending<_>> = session.remove(SIGN_IN).await?;
            let pending = pending.ok_or_else(|| AppError::denied("passkey_expired", EXPIRED))?;
            let claims =
                passkeys::sign_in(&context()?, pending, &credential, &client_info().await).await?;
            super::super::session::start_session(&session, &claims, next).await
        }
        .await,
    )
}
