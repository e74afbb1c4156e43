//! `/settings`: the organization's name and default time zone (the slug is shown, fixed), its
//! invitations to run a brand and its brands (`franchise`).

use leptos::prelude::*;
use leptos_meta::Title;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use super::franchise::{Brands, Invitations};
use crate::domain::AppError;
use crate::domain::me::OrganizationSettings;

#[server(prefix = "/rpc", endpoint = "organization_settings")]
pub async fn load_organization_settings() -> Result<OrganizationSettings, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::setup::settings(&context()?, &caller.principal).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "save_organization_settings")]
pub async fn save_organization_settings(
    name: String,
    time_zone: String,
) -> Result<OrganizationSettings, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::PersonName;
    use crate::domain::error::Problems;
    use crate::domain::organization::TimeZoneName;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = Problems::default();
            let name = match name.trim() {
                "" => {
                    problems.add("name", "Give the organization's name.");
                    None
                }
                text => problems.check("name", PersonName::parse(text)),
            };
            let time_zone = problems.check("time_zone", TimeZoneName::parse(&time_zone));
            problems.finish()?;
            let (Some(name), Some(time_zone)) = (name, time_zone) else {
                return Err(AppError::invalid("Check the fields."));
            };
            let mut work = context()?.begin().await?;
            let saved = crate::service::setup::update_settings(
                &mut work,
                &caller.principal,
                &name,
                &time_zone,
            )
            .await?;
            work.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveOrganizationSettings>::new();
    // Accepting an invitation can change the organization's kind: the brands' refresh
    // reloads the settings too.
    let brands = RwSignal::new(0u32);
    let settings = Resource::new(
        move || (save.version().get(), brands.get()),
        |_| load_organization_settings(),
    );
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <Title text="Organization settings"/>
        <h1>"Organization settings"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(settings) => view! {
                        <SettingsForm settings save error/>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Invitations refresh_brands=brands/>
        <Brands refresh=brands/>
    }
}

#[component]
fn SettingsForm(
    settings: OrganizationSettings,
    save: ServerAction<SaveOrganizationSettings>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
                        <dl class="details">
                            <dt>"Slug"</dt><dd data-testid="slug">{settings.slug}" (fixed)"</dd>
                            <dt>"Kind"</dt><dd>{settings.kind.to_string()}</dd>
                        </dl>
                        <ActionForm action=save attr:class="grid" attr:novalidate="">
                            <TextField id="settings-name" name="name" label="Name" value=settings.name
                                error=field_error(error, "name")/>
                            <TextField id="settings-time-zone" name="time_zone" label="Default time zone"
                                value=settings.time_zone error=field_error(error, "time_zone")/>
                            <FormAlert error/>
                            <div class="actions">
                                <button type="submit">"Save settings"</button>
                                <span role="status" data-testid="settings-saved">
                                    {move || matches!(save.value().get(), Some(Ok(_))).then_some("Saved.")}
                                </span>
                            </div>
                        </ActionForm>
    }
}
