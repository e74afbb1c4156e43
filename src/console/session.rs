//! Signing in and out, the current viewer, and switching organization.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::Title;
#[cfg(feature = "ssr")]
use leptos_router::hooks::use_query_map;

#[cfg(feature = "ssr")]
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

    let (typed, asked_next) = (identifier.clone(), next.clone());
    let result = with_status(
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
    );
    if let Err(error) = &result {
        refusal::keep(&typed, error, asked_next.as_deref());
    }
    result
}

/// A refused sign-in from the sign-in page's plain form, carried back to the page: what was
/// typed and why it was refused, in a cookie for that page alone, for a minute, taken when the
/// page shows it. Not in the address, where Leptos' form redirects put the error: anyone can
/// write one into a link (a message of their choosing on our sign-in page), and an address is
/// no place for an email.
#[cfg(feature = "ssr")]
mod refusal {
    use axum::http::{HeaderValue, header, request::Parts};
    use leptos::prelude::use_context;
    use serde::{Deserialize, Serialize};
    use tower_sessions::cookie::{Cookie, SameSite, time::Duration};

    use crate::domain::{AppError, LocalPath};

    const NAME: &str = "brigade_sign_in_refused";

    #[derive(Serialize, Deserialize)]
    pub struct Refusal {
        pub identifier: String,
        pub error: AppError,
    }

    fn set(value: &str, max_age: Duration) {
        let (Some(response), Some(context)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            super::super::server::context().ok(),
        ) else {
            return;
        };
        let cookie = Cookie::build((NAME, urlencoding::encode(value).into_owned()))
            .path("/login")
            .max_age(max_age)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(context.secure_cookies())
            .build();
        if let Ok(cookie) = HeaderValue::from_str(&cookie.to_string()) {
            response.append_header(header::SET_COOKIE, cookie);
        }
    }

    /// After a refused sign-in: from the plain form, back to the page with the refusal kept
    /// (the app's own call shows it where it is).
    pub fn keep(typed: &str, error: &AppError, next: Option<&str>) {
        if !super::super::server::answered_by_a_redirect() {
            return;
        }
        let typed = typed.trim();
        let refusal = Refusal {
            identifier: if typed.len() <= super::IDENTIFIER_MAX {
                typed.to_string()
            } else {
                String::new()
            },
            error: error.clone(),
        };
        if let Ok(value) = serde_json::to_string(&refusal) {
            set(&value, Duration::minutes(1));
        }
        let next = next.and_then(LocalPath::parse);
        let next = next.as_ref().map_or("", |path| path.as_str());
        // This Location replaces the one with the error in its address.
        leptos_axum::redirect(&super::super::url_with("/login", &[("next", next)]));
    }

    /// The refusal kept for the page being rendered, if any (and the cookie is cleared).
    pub fn take() -> Option<Refusal> {
        let request = use_context::<Parts>()?;
        let value = request
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|header| header.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == NAME)
            .and_then(|cookie| {
                urlencoding::decode(cookie.value())
                    .ok()
                    .map(|value| value.into_owned())
            })?;
        set("", Duration::ZERO);
        serde_json::from_str(&value).ok()
    }
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

/// The sign-in page. The server serves it without the app (see `WITHOUT_THE_APP`): the form
/// posts as an ordinary form, and the server function answers with a redirect, to where the
/// person goes on, or back here with the refusal kept (see `refusal`), which this page shows
/// next to its field with what was typed.
#[cfg(feature = "ssr")]
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let verified = move || query.read().get("verified").is_some();
    let reset = move || query.read().get("reset").is_some();
    // The refusal is the one this browser was sent back with, never one read from the
    // address (see `refusal`).
    let (typed, error) = refusal::take().map_or((None, None), |refused| {
        (Some(refused.identifier), Some(refused.error))
    });
    let known = typed.as_deref().is_some_and(|typed| !typed.is_empty());
    let error = Signal::derive(move || error.clone());
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
                <input type="hidden" name="next" value=next/>
                <TextField id="identifier" name="identifier" label="Email or username" autocomplete="username"
                    autofocus=!known value=typed.unwrap_or_default() error=field_error(error, "identifier")/>
                <TextField id="password" name="password" label="Password" input_type="password"
                    autocomplete="current-password" autofocus=known error=field_error(error, "password")/>
                <FormAlert error/>
                <button type="submit">"Sign in"</button>
            </ActionForm>
            <p><a href="/forgot">"Forgot your password?"</a></p>
            <super::passkeys::PasskeySignIn/>
            <super::sso::SsoSignIn next=Signal::derive(next)/>
        </main>
    }
}
