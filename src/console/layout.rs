//! The console frame: header with the signed-in person and the organization switcher, and
//! the navigation. Links are shown from the viewer's permissions, a mirror of the policy.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use super::Problem;
use super::session::current_viewer;
use crate::domain::Permission;
use crate::domain::model::Viewer;

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    super::ignore_errors_in_the_address();
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| view! { <header class="top"><span class="brand">"Brigade"</span></header> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(viewer) => {
                        provide_context(viewer.clone());
                        view! { <Header viewer/> }.into_any()
                    }
                    Err(error) => view! { <Problem error/> }.into_any(),
                }
            })}
        </Suspense>
        <main id="main" class="content">
            <Outlet/>
        </main>
    }
}

#[component]
fn Header(viewer: Viewer) -> impl IntoView {
    let several = viewer.organizations.len() > 1;
    let current = viewer.organization.id;
    view! {
        <header class="top">
            <a class="brand" href=viewer.home()>"Brigade"</a>
            <nav aria-label="Main">
                <Show when={let show = viewer.holds(Permission::ViewUsers); move || show}>
                    <A href="/users">"People"</A>
                </Show>
                <Show when={let show = viewer.holds(Permission::ViewConnectors); move || show}>
                    <A href="/connectors">"Access"</A>
                    <A href="/reports/access">"Access report"</A>
                </Show>
                // Mirrors `service::settings::may_see` and `policy::may_manage_api_clients`.
                <Show when={
                    let show = [
                        Permission::ViewConnectors,
                        Permission::ManageConnectors,
                        Permission::ManageRoles,
                        Permission::ManageApiTokens,
                    ]
                        .iter()
                        .any(|p| viewer.holds(*p));
                    move || show
                }>
                    <A href="/security">"Security & Permissions"</A>
                </Show>
                <Show when={let show = viewer.holds_everywhere(Permission::ManageOutlets); move || show}>
                    <A href="/outlets">"Outlets"</A>
                </Show>
                // Mirrors `Access::may_read_outlet_groups`.
                <Show when={
                    let show = viewer.holds_everywhere(Permission::ViewConnectors)
                        || viewer.holds_everywhere(Permission::ManageOutlets);
                    move || show
                }>
                    <A href="/outlet-groups">"Outlet groups"</A>
                </Show>
                <Show when={let show = viewer.holds_everywhere(Permission::ManageSettings); move || show}>
                    <A href="/settings">"Settings"</A>
                </Show>
                <Show when={let show = viewer.holds_everywhere(Permission::ViewAudit); move || show}>
                    <A href="/audit">"Audit log"</A>
                </Show>
                <A href="/me">"My profile"</A>
            </nav>
            <div class="org">
                {if several {
                    view! {
                        <form method="post" action="/rpc/switch_organization" class="switcher">
                            <label for="organization-switcher">"Organization"</label>
                            <select id="organization-switcher" name="organization_id">
                                {viewer.organizations.iter().map(|o| view! {
                                    <option value=o.id.to_string() selected=o.id == current>{o.name.clone()}</option>
                                }).collect_view()}
                            </select>
                            <button type="submit">"Switch"</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <span class="org-name" data-testid="organization">{viewer.organization.name.clone()}</span> }.into_any()
                }}
            </div>
            <div class="me">
                <span data-testid="signed-in-as">{viewer.display_name.clone()}</span>
                <form method="post" action="/rpc/logout">
                    <button type="submit" class="link">"Sign out"</button>
                </form>
            </div>
        </header>
    }
}
