//! The one-time link from the verification email: verify the address, set a password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::Problem;
use super::form::{FormAlert, NewPasswordFields};
use crate::domain::AppError;

#[server(prefix = "/rpc", endpoint = "verify_email")]
pub async fn verification_email(token: String) -> Result<String, AppError> {
    use super::server::{context, with_status};
    with_status(crate::service::verification::email_for(&context()?, &token).await)
}

#[server(prefix = "/rpc", endpoint = "verify_set_password")]
pub async fn set_password(
    token: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    use super::server::{context, with_status};
    with_status(
        async move {
            let password = super::form::password_typed_twice(password, confirmation)?;
            crate::service::verification::complete(&context()?, &token, &password).await?;
            leptos_axum::redirect("/login?verified=1");
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let email = Resource::new(token, verification_email);
    let action = ServerAction::<SetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Set your password"/>
        <main class="login" id="main">
            <h1>"Set your password"</h1>
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match email.await {
                        Ok(email) => view! {
                            <p>"Verifying " <strong data-testid="verify-email">{email}</strong>". Choose a password of at least 10 characters."</p>
                            <ActionForm action=action attr:class="stacked" attr:novalidate="">
                                <input type="hidden" name="token" prop:value=token/>
                                <NewPasswordFields error/>
                                <FormAlert error/>
                                <button type="submit">"Set password"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! { <Problem error/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
