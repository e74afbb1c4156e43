//! "Forgot your password?": ask for a link by email (`/forgot`), then choose a new password
//! with it (`/reset/:token`). Both pages are open without a session.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::Problem;
use super::form::{FormAlert, NewPasswordFields, TextField, field_error};
use crate::domain::AppError;

/// Asks for a reset link; answers the same for every address (see
/// `service::password_reset`).
#[server(prefix = "/rpc", endpoint = "password_reset_request")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    use super::server::{client_address, context, with_status};
    use crate::domain::Email;
    use crate::service::password_reset;
    with_status(
        async move {
            let email =
                Email::parse(&email).map_err(|problem| AppError::field("email", problem))?;
            password_reset::request(&context()?, &email, client_address().await).await?;
            Ok(password_reset::REQUESTED.to_string())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "password_reset_email")]
pub async fn password_reset_email(token: String) -> Result<String, AppError> {
    use super::server::{context, with_status};
    with_status(crate::service::password_reset::email_for(&context()?, &token).await)
}

#[server(prefix = "/rpc", endpoint = "password_reset_complete")]
pub async fn reset_password(
    token: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    use super::server::{context, with_status};
    with_status(
        async move {
            let password = super::form::password_typed_twice(password, confirmation)?;
            crate::service::password_reset::complete(&context()?, &token, &password).await?;
            leptos_axum::redirect("/login?reset=1");
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = move || action.value().get().and_then(Result::ok);
    view! {
        <Title text="Forgot your password?"/>
        <main class="login" id="main">
            <h1>"Forgot your password?"</h1>
            <p>"Enter the email address you sign in with. We send a link to choose a new password."</p>
            <ActionForm action=action attr:class="stacked" attr:novalidate="">
                <TextField id="email" name="email" label="Email" input_type="email" autocomplete="email"
                    autofocus=true error=field_error(error, "email")/>
                <FormAlert error/>
                <button type="submit" disabled=move || action.pending().get()>"Send the link"</button>
            </ActionForm>
            <p class="notice-ok" role="status" data-testid="reset-requested">{sent}</p>
            <p><A href="/login">"Back to sign-in"</A></p>
        </main>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let email = Resource::new(token, password_reset_email);
    let action = ServerAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Choose a new password"/>
        <main class="login" id="main">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match email.await {
                        Ok(email) => view! {
                            <p>"For " <strong data-testid="reset-email">{email}</strong>
                               ". Choose a password of at least 10 characters; every session of yours ends."</p>
                            <ActionForm action=action attr:class="stacked" attr:novalidate="">
                                <input type="hidden" name="token" prop:value=token/>
                                <NewPasswordFields error/>
                                <FormAlert error/>
                                <button type="submit">"Set the new password"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! {
                            <Problem error/>
                            <p><A href="/forgot">"Ask for a new link"</A></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
