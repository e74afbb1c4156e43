//! Signing in and out, the current viewer, and switching organization.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::form::{FormAlert, TextField, field_error};
use crate::domain::model::Viewer;
use crate::domain::{AppError, OrganizationId};

/// The longest identifier worth looking up (an email is at most 254 characters).
#[cfg(feature = "ssr")]
const IDENTIFIER_MAX: usize = 320;

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(
    identifier: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::server::{client_info, context, session, with_status};
    use crate::domain::error::Problems;
    use crate::domain::{LocalPath, Password};
    use crate::service::auth;

    with_status(
        async move {
            let identifier = identifier.trim();
            let mut problems = Problems::default();
            if identifier.is_empty() {
                problems.add("identifier", "Enter your email or username.");
            } else if identifier.len() > IDENTIFIER_MAX {
                problems.add("identifier", "That is longer than any email or username.");
            }
            let password = problems.check("password", Password::offered(password));
            problems.finish()?;
            let Some(password) = password else {
                return Err(AppError::field("password", "Enter your password."));
            };
            let outcome =
                auth::sign_in(&context()?, identifier, &password, &client_info().await).await?;
            let session = session().await?;
            match outcome {
                auth::SignIn::Complete(claims) => {
                    let target = start_session(&session, &claims, next).await?;
                    leptos_axum::redirect(&target);
                    Ok(())
                }
                auth::SignIn::SecondStep(claims) => {
                    session.cycle_id().await?;
                    session.insert(auth::PENDING_CLAIMS, &claims).await?;
                    let next = next
                        .as_deref()
                        .and_then(LocalPath::parse)
                        .map(|path| format!("?next={}", urlencoding::encode(path.as_str())))
                        .unwrap_or_default();
                    leptos_axum::redirect(&format!("/login/two-step{next}"));
                    Ok(())
                }
            }
        }
        .await,
    )
}

/// Starts the session of a completed sign-in; where to go on: `next` (a local path) or the
/// person's home page.
#[cfg(feature = "ssr")]
pub(super) async fn start_session(
    session: &tower_sessions::Session,
    claims: &crate::service::auth::SessionClaims,
    next: Option<String>,
) -> Result<String, AppError> {
    start_session_in(&super::server::context()?, session, claims, next).await
}

/// [`start_session`] outside a server function (the single sign-on's return).
#[cfg(feature = "ssr")]
pub(super) async fn start_session_in(
    context: &crate::service::Context,
    session: &tower_sessions::Session,
    claims: &crate::service::auth::SessionClaims,
    next: Option<String>,
) -> Result<String, AppError> {
    use super::server::remember;
    use crate::domain::LocalPath;
    use crate::service::auth;
    // A fresh session id at sign-in defeats session fixation.
    session.cycle_id().await?;
    remember(session, claims).await?;
    let wanted = next.as_deref().and_then(LocalPath::parse);
    let target = match wanted {
        Some(path) => path.to_string(),
        None => auth::resume(context, claims)
            .await?
            .map_or("/users", |signed_in| signed_in.viewer.home())
            .to_string(),
    };
    Ok(target)
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = super::server::session().await?;
    let claims: Option<crate::service::auth::SessionClaims> =
        session.get(crate::service::auth::SESSION_CLAIMS).await?;
    if let Some(claims) = claims {
        crate::service::sessions::sign_out(&super::server::context()?, &claims).await?;
    }
    session.flush().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "switch_organization")]
pub async fn switch_organization(organization_id: OrganizationId) -> Result<(), AppError> {
    use super::server::{caller, remember, session, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let claims = crate::service::auth::switch_organization(&caller, organization_id)?;
            remember(&session().await?, &claims).await?;
            let home = crate::service::auth::resume(&super::server::context()?, &claims)
                .await?
                .map_or("/users", |signed_in| signed_in.viewer.home());
            leptos_axum::redirect(home);
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    super::server::with_status(super::server::caller().await.map(|caller| caller.viewer))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let verified = move || query.read().get("verified").is_some();
    let reset = move || query.read().get("reset").is_some();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    view! {
        <Title text="Sign in"/>
        <main class="login" id="main">
            <h1>"Sign in to Brigade"</h1>
            <Show when=verified>
                <p class="notice-ok" role="status">"Your password is set. Sign in with it now."</p>
            </Show>
            <Show when=reset>
                <p class="notice-ok" role="status">"Your new password is set and every session of yours has ended. Sign in with it now."</p>
            </Show>
            <ActionForm action=login attr:class="stacked" attr:novalidate="">
                <input type="hidden" name="next" prop:value=next/>
                <TextField id="identifier" name="identifier" label="Email or username" autocomplete="username"
                    autofocus=true error=field_error(error, "identifier")/>
                <TextField id="password" name="password" label="Password" input_type="password"
                    autocomplete="current-password" error=field_error(error, "password")/>
                <FormAlert error/>
                <button type="submit" disabled=move || login.pending().get()>"Sign in"</button>
            </ActionForm>
            <p><A href="/forgot">"Forgot your password?"</A></p>
            <super::passkeys::PasskeySignIn next=Signal::derive(next)/>
            <super::sso::SsoSignIn next=Signal::derive(next)/>
        </main>
    }
}
