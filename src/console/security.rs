//! Security & Permissions: the roles and report roles offered to the organization, and the
//! API User Permissions toggles (one per brand, one for API-managed people of no brand).
//! The tab is in the URL (`?tab=`), so every tab works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::Problem;
use super::api_clients::ApiClientsPanel;
use super::form::FormAlert;
use super::roles::{ReportRolesTab, UserRolesTab};
use super::scim_connections::ScimConnectionsPanel;
use super::session::current_viewer;
use crate::domain::users::{ApiEditToggle, SecurityOverview};
use crate::domain::{AppError, Permission};

#[server(prefix = "/rpc", endpoint = "security_overview")]
pub async fn load_security() -> Result<SecurityOverview, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::settings::overview(&context()?, &caller.principal).await
        }
        .await,
    )
}

/// Switches one API User Permissions toggle (`brand` empty: people of no brand).
#[server(prefix = "/rpc", endpoint = "switch_api_edits")]
pub async fn switch_api_edits(brand: String, allowed: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let brand = match brand.trim() {
                "" => None,
                text => Some(crate::domain::BrandId::parse(text).ok_or(AppError::NotFound)?),
            };
            let allowed = match allowed.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::field("allowed", "Send true or false.")),
            };
            let mut work = context()?.begin().await?;
            crate::service::settings::switch_api_edits(
                &mut work,
                &caller.principal,
                brand,
                allowed,
            )
            .await?;
            work.commit().await
        }
        .await,
    )
}

const TABS: [(&str, &str); 6] = [
    ("roles", "User roles"),
    ("report-roles", "Report roles"),
    ("api", "API User Permissions"),
    ("clients", "API clients"),
    ("scim", "SCIM connections"),
    ("sign-in", "Sign-in"),
];

/// The tabs of API clients and SCIM connections: for those who issue them.
fn issuing_tab(id: &str) -> bool {
    matches!(id, "clients" | "scim")
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let query = use_query_map();
    let tab = Memo::new(move |_| {
        let asked = query.read().get("tab").unwrap_or_default();
        TABS.iter()
            .find(|(id, _)| *id == asked)
            .map_or("roles", |(id, _)| id)
    });
    // The API clients and SCIM tabs are for those who issue them (the server refuses anyone
    // else).
    let viewer = Resource::new(|| (), |_| current_viewer());
    let switch = ServerAction::<SwitchApiEdits>::new();
    // Bumped by the role tabs when a change succeeds.
    let refresh = RwSignal::new(0u32);
    let overview = Resource::new(
        move || (switch.version().get(), refresh.get()),
        |_| load_security(),
    );
    view! {
        <Title text="Security & Permissions"/>
        <h1>"Security & Permissions"</h1>
        <Suspense>
            {move || Suspend::new(async move {
                let viewer = viewer.await;
                let issues_clients = viewer
                    .as_ref()
                    .is_ok_and(|viewer| viewer.holds(Permission::ManageApiTokens));
                let manages_settings = viewer
                    .as_ref()
                    .is_ok_and(|viewer| viewer.holds_everywhere(Permission::ManageSettings));
                view! {
                    <nav class="tabs" aria-label="Security & Permissions">
                        {TABS.iter().filter(|(id, _)| (!issuing_tab(id) || issues_clients) && (*id != "sign-in" || manages_settings)).map(|(id, label)| view! {
                            <A href=format!("/security?tab={id}") attr:aria-current=move || (tab.get() == *id).then_some("page")>
                                {*label}
                            </A>
                        }).collect_view()}
                    </nav>
                }
            })}
        </Suspense>
        <Show when=move || tab.get() == "clients">
            <ApiClientsPanel/>
        </Show>
        <Show when=move || tab.get() == "scim">
            <ScimConnectionsPanel/>
        </Show>
        <Show when=move || tab.get() == "sign-in">
            <super::two_step::SignInTab/>
            <super::sso::SsoSettings/>
        </Show>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                if issuing_tab(tab.get()) || tab.get() == "sign-in" {
                    return ().into_any();
                }
                match overview.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(overview) => match tab.get() {
                        "report-roles" => view! { <ReportRolesTab overview refresh/> }.into_any(),
                        "api" => view! { <ApiUserPermissionsTab overview switch/> }.into_any(),
                        _ => view! { <UserRolesTab overview refresh/> }.into_any(),
                    },
                }
            })}
        </Suspense>
    }
}

#[component]
fn ApiUserPermissionsTab(
    overview: SecurityOverview,
    switch: ServerAction<SwitchApiEdits>,
) -> impl IntoView {
    let error = Signal::derive(move || switch.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="api-heading">
            <h2 id="api-heading">"API User Permissions"</h2>
            <p>"People created through the API (or SCIM) can be edited here only while their toggle is on. When it is off, they are changed through the API alone and their records here are read-only."</p>
            <FormAlert error/>
            <ul class="toggles" data-testid="api-toggles">
                {overview.api_user_permissions.toggles.into_iter().map(|toggle| view! {
                    <Toggle toggle switch/>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Toggle(toggle: ApiEditToggle, switch: ServerAction<SwitchApiEdits>) -> impl IntoView {
    let (label, governs) = match &toggle.brand {
        Some(brand) => (
            format!(
                "Allow editing of {} API-managed users in Brigade",
                brand.name
            ),
            format!(
                "Affects the {} people of this organization managed by {}.",
                toggle.people, brand.name
            ),
        ),
        None => (
            "Allow editing of API-managed users without a brand in Brigade".to_string(),
            format!(
                "Affects the {} API-managed people of this organization that belong to no brand.",
                toggle.people
            ),
        ),
    };
    let brand_id = toggle
        .brand
        .as_ref()
        .map(|b| b.id.to_string())
        .unwrap_or_default();
    let state = if toggle.allowed { "On" } else { "Off" };
    let next = (!toggle.allowed).to_string();
    let locked = toggle.locked.is_some();
    let aria_label = label.clone();
    view! {
        <li class="toggle">
            <ActionForm action=switch attr:class="inline">
                <input type="hidden" name="brand" value=brand_id/>
                <input type="hidden" name="allowed" value=next/>
                <button type="submit" role="switch" aria-checked=toggle.allowed.to_string()
                    disabled=locked aria-label=aria_label>
                    {state}
                </button>
            </ActionForm>
            <div>
                <strong>{label}</strong>
                <p class="hint">{governs}</p>
                {toggle.locked.map(|reason| view! { <p class="hint locked" data-testid="toggle-locked">{reason}</p> })}
            </div>
        </li>
    }
}
