//! Signing in and out, the current viewer, and switching organization.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::form::{FormAlert, TextField, field_error};
use crate::domain::AppError;
use crate::domain::model::Viewer;

pub const WRONG_CREDENTIALS: &str = "Email or password is incorrect.";
pub const DEACTIVATED: &str =
    "Your access has been deactivated. Ask an administrator to reactivate it.";

/// Where to go after signing in: only a path on this site, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/users".to_string(),
    }
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(
    identifier: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::server::{internal, session, state, with_status};
    use crate::server::caller::{Caller, SESSION_ORGANIZATION, SESSION_USER};
    use crate::server::password::{PasswordHash, verify};

    with_status(
        async move {
            let identifier = identifier.trim().to_string();
            if identifier.is_empty() {
                return Err(AppError::field(
                    "identifier",
                    "Enter your email or username.",
                ));
            }
            if password.is_empty() {
                return Err(AppError::field("password", "Enter your password."));
            }
            let state = state()?;
            let candidate = crate::store::accounts::find_by_login(&state.pool, &identifier)
                .await
                .map_err(internal)?;
            let stored = candidate
                .as_ref()
                .and_then(|c| c.password_hash.clone())
                .map(PasswordHash::from_stored);
            let password_ok =
                tokio::task::spawn_blocking(move || verify(&password, stored.as_ref()))
                    .await
                    .map_err(internal)?;
            let wrong = || AppError::Invalid {
                message: WRONG_CREDENTIALS.into(),
                fields: Default::default(),
            };
            let Some(account) = candidate.filter(|_| password_ok) else {
                return Err(wrong());
            };
            let Some(caller) = Caller::load(&state.pool, account.id, None)
                .await
                .map_err(internal)?
            else {
                return Err(AppError::Invalid {
                    message: DEACTIVATED.into(),
                    fields: Default::default(),
                });
            };
            let session = session().await?;
            // A fresh session id at sign-in defeats session fixation.
            session.cycle_id().await.map_err(internal)?;
            session
                .insert(SESSION_USER, caller.user_id)
                .await
                .map_err(internal)?;
            session
                .insert(SESSION_ORGANIZATION, caller.organization.id)
                .await
                .map_err(internal)?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = super::server::session().await?;
    session.flush().await.map_err(super::server::internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "switch_organization")]
pub async fn switch_organization(organization_id: Uuid) -> Result<(), AppError> {
    use crate::server::caller::SESSION_ORGANIZATION;
    super::server::with_status(
        async move {
            let caller = super::server::caller().await?;
            if !caller.organizations.iter().any(|o| o.id == organization_id) {
                return Err(AppError::NotFound);
            }
            let session = super::server::session().await?;
            session
                .insert(SESSION_ORGANIZATION, organization_id)
                .await
                .map_err(super::server::internal)?;
            leptos_axum::redirect("/users");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    super::server::with_status(super::server::caller().await.map(|caller| caller.viewer()))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let verified = move || query.read().get("verified").is_some();
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    view! {
        <Title text="Sign in"/>
        <main class="login" id="main">
            <h1>"Sign in to Brigade"</h1>
            <Show when=verified>
                <p class="notice-ok" role="status">"Your password is set. Sign in with it now."</p>
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
        </main>
    }
}
