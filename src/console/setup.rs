//! `/setup/{token}`: the first-run page of an empty install, opened only through the one-time
//! link the server prints. It creates the first organization and its owner, signs the owner
//! in, and answers 404 for good afterwards.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use crate::domain::AppError;

#[server(prefix = "/rpc", endpoint = "setup_open")]
pub async fn setup_open(token: String) -> Result<(), AppError> {
    use super::server::{context, with_status};
    with_status(
        async move {
            if crate::service::setup::is_open(&context()?, &token).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "complete_setup")]
pub async fn complete_setup(
    token: String,
    name: String,
    slug: String,
    kind: String,
    time_zone: String,
    email: String,
    first_name: String,
    last_name: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    use super::server::{context, remember, session, with_status};
    use crate::domain::model::OrganizationKind;
    use crate::domain::organization::OrganizationForm;
    with_status(
        async move {
            let context = context()?;
            // A closed page says nothing about its fields.
            if !crate::service::setup::is_open(&context, &token).await? {
                return Err(AppError::NotFound);
            }
            let new = OrganizationForm {
                name,
                slug,
                kind,
                time_zone,
                email,
                first_name,
                last_name,
                password: Some((password, confirmation)),
            }
            .parse(&[OrganizationKind::Corporate, OrganizationKind::Independent])?;
            let claims = crate::service::setup::complete(
                &context,
                &token,
                new,
                &super::server::client_info().await,
            )
            .await?;
            let session = session().await?;
            session.cycle_id().await?;
            remember(&session, &claims).await?;
            leptos_axum::redirect("/users");
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let open = Resource::new(token, setup_open);
    let complete = ServerAction::<CompleteSetup>::new();
    let error = Signal::derive(move || complete.value().get().and_then(Result::err));
    view! {
        <Title text="Set up Brigade"/>
        <main class="login setup" id="main">
            <h1>"Set up Brigade"</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match open.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(()) => view! {
                            <p>"Create your organization and its owner. This page works once."</p>
                            <ActionForm action=complete attr:class="stacked" attr:novalidate="">
                                <input type="hidden" name="token" value=token()/>
                                <fieldset>
                                    <legend>"Organization"</legend>
                                    <TextField id="setup-name" name="name" label="Name" error=field_error(error, "name")/>
                                    <TextField id="setup-slug" name="slug" label="Short name (slug, fixed once created)"
                                        autocomplete="off" error=field_error(error, "slug")/>
                                    <div class="field">
                                        <label for="setup-kind">"Kind"</label>
                                        <select id="setup-kind" name="kind" aria-describedby="setup-kind-error">
                                            <option value="corporate">"Corporate head office (owns brands)"</option>
                                            <option value="independent">"Independent operator"</option>
                                        </select>
                                        <p class="field-error" id="setup-kind-error">{move || field_error(error, "kind").get()}</p>
                                    </div>
                                    <TextField id="setup-time-zone" name="time_zone" label="Default time zone (e.g. Europe/Brussels)"
                                        value="UTC" error=field_error(error, "time_zone")/>
                                </fieldset>
                                <fieldset>
                                    <legend>"Owner"</legend>
                                    <TextField id="setup-email" name="email" label="Email" input_type="email"
                                        autocomplete="email" error=field_error(error, "email")/>
                                    <TextField id="setup-first-name" name="first_name" label="First name" error=field_error(error, "first_name")/>
                                    <TextField id="setup-last-name" name="last_name" label="Last name" error=field_error(error, "last_name")/>
                                    <TextField id="setup-password" name="password" label="Password" input_type="password"
                                        autocomplete="new-password" error=field_error(error, "password")/>
                                    <TextField id="setup-confirmation" name="confirmation" label="Repeat the password"
                                        input_type="password" autocomplete="new-password" error=field_error(error, "confirmation")/>
                                </fieldset>
                                <FormAlert error/>
                                <button type="submit" disabled=move || complete.pending().get()>"Create organization"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
