//! `/settings`: the organization's name and default time zone; the slug is shown, fixed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::Problem;
use super::form::{FormAlert, TextField, field_error, refresh_when};
use crate::domain::AppError;
use crate::domain::me::{BrandEntry, OrganizationSettings};
use crate::domain::model::OrganizationKind;

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

#[server(prefix = "/rpc", endpoint = "organization_brands")]
pub async fn load_brands() -> Result<Vec<BrandEntry>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::setup::brands(&context()?, &caller.principal).await
        }
        .await,
    )
}

/// Creates (`id` empty) or renames a brand.
#[server(prefix = "/rpc", endpoint = "save_brand")]
pub async fn save_brand(
    #[server(default)] id: String,
    name: String,
) -> Result<BrandEntry, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::PersonName;
    with_status(
        async move {
            let caller = caller().await?;
            let brand = match id.trim() {
                "" => None,
                text => Some(crate::domain::BrandId::parse(text).ok_or(AppError::NotFound)?),
            };
            let name = match name.trim() {
                "" => return Err(AppError::field("name", "Give the brand a name.")),
                text => {
                    PersonName::parse(text).map_err(|problem| AppError::field("name", problem))?
                }
            };
            let mut work = context()?.begin().await?;
            let saved =
                crate::service::setup::save_brand(&mut work, &caller.principal, brand, &name)
                    .await?;
            work.commit().await?;
            Ok(saved)
        }
        .await,
    )
}

/// Adds a franchisee to a brand: a new franchisee organization whose owner is invited by mail.
#[server(prefix = "/rpc", endpoint = "add_franchisee")]
pub async fn add_franchisee(
    brand: String,
    name: String,
    slug: String,
    owner_email: String,
    #[server(default)] time_zone: String,
) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::model::OrganizationKind;
    use crate::domain::organization::OrganizationForm;
    with_status(
        async move {
            let caller = caller().await?;
            let brand = crate::domain::BrandId::parse(&brand).ok_or(AppError::NotFound)?;
            let new = OrganizationForm {
                name,
                slug,
                kind: "franchisee".into(),
                time_zone: if time_zone.trim().is_empty() {
                    "UTC".into()
                } else {
                    time_zone
                },
                email: owner_email,
                first_name: String::new(),
                last_name: String::new(),
                password: None,
            }
            .parse(&[OrganizationKind::Franchisee])?;
            let mut work = context()?.begin().await?;
            crate::service::setup::add_franchisee(&mut work, &caller.principal, brand, &new)
                .await?;
            work.commit().await
        }
        .await,
    )
}

#[component]
fn Brands(corporate: bool) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let brands = Resource::new(move || refresh.get(), |_| load_brands());
    let create = ServerAction::<SaveBrand>::new();
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="brands-heading">
            <h2 id="brands-heading">"Brands"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match brands.await {
                        Err(error) => view! { <Problem error/> }.into_any(),
                        Ok(brands) if brands.is_empty() => view! { <p class="empty">"No brands."</p> }.into_any(),
                        Ok(brands) => view! {
                            <ul class="toggles" data-testid="brands">
                                {brands.into_iter().map(|entry| view! { <BrandRow entry refresh/> }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
            {corporate.then(|| view! {
                <ActionForm action=create attr:class="grid" attr:novalidate="">
                    <TextField id="brand-name" name="name" label="New brand" error=field_error(error, "name")/>
                    <FormAlert error/>
                    <div class="actions"><button type="submit">"Add brand"</button></div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn BrandRow(entry: BrandEntry, refresh: RwSignal<u32>) -> impl IntoView {
    let rename = ServerAction::<SaveBrand>::new();
    refresh_when(move || matches!(rename.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || rename.value().get().and_then(Result::err));
    let id = entry.brand.id.to_string();
    let (franchise_brand, brand_name) = (id.clone(), entry.brand.name.clone());
    let input_id = format!("brand-{id}");
    let label_for = input_id.clone();
    view! {
        <li class="toggle">
            <strong>{entry.brand.name.clone()}</strong>
            {match entry.managed_by {
                Some(owner) => view! { <p class="hint locked">{format!("Managed by {owner}")}</p> }.into_any(),
                None => view! {
                    <ActionForm action=rename attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <label for=label_for>"Rename to"</label>
                        <input id=input_id name="name" value=entry.brand.name.clone()/>
                        <button type="submit">"Rename"</button>
                    </ActionForm>
                    <FormAlert error/>
                    <AddFranchisee brand=franchise_brand brand_name/>
                }.into_any(),
            }}
        </li>
    }
}

#[component]
fn AddFranchisee(brand: String, brand_name: String) -> impl IntoView {
    let add = ServerAction::<AddFranchisee>::new();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let key = brand.clone();
    let field = move |what: &str| format!("franchisee-{key}-{what}");
    let (name_id, slug_id, email_id, zone_id) =
        (field("name"), field("slug"), field("email"), field("zone"));
    let problem = move |name: &'static str| move || field_error(error, name).get();
    view! {
        <details class="row-actions">
            <summary>{format!("Add a franchisee of {brand_name}")}</summary>
            <ActionForm action=add attr:class="stacked" attr:novalidate="">
                <input type="hidden" name="brand" value=brand/>
                <div class="field"><label for=name_id.clone()>"Franchisee's name"</label>
                    <input id=name_id name="name"/><p class="field-error">{problem("name")}</p></div>
                <div class="field"><label for=slug_id.clone()>"Slug"</label>
                    <input id=slug_id name="slug"/><p class="field-error">{problem("slug")}</p></div>
                <div class="field"><label for=email_id.clone()>"Owner's email (invited by mail)"</label>
                    <input id=email_id name="owner_email" type="email"/><p class="field-error">{problem("email")}</p></div>
                <div class="field"><label for=zone_id.clone()>"Time zone"</label>
                    <input id=zone_id name="time_zone" value="UTC"/><p class="field-error">{problem("time_zone")}</p></div>
                <FormAlert error/>
                <button type="submit">"Add franchisee"</button>
                <span role="status">{move || matches!(add.value().get(), Some(Ok(()))).then_some("Added; its owner is invited by mail.")}</span>
            </ActionForm>
        </details>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveOrganizationSettings>::new();
    let settings = Resource::new(
        move || save.version().get(),
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
    }
}

#[component]
fn SettingsForm(
    settings: OrganizationSettings,
    save: ServerAction<SaveOrganizationSettings>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let corporate = settings.kind == OrganizationKind::Corporate;
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
                        <Brands corporate/>
    }
}
