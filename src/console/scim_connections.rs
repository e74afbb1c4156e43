//! The "SCIM connections" tab of Security & Permissions: an identity provider (Okta, Entra
//! ID) is given the base URL and a connection's token (shown once), and the role and outlet
//! the people it creates start with. The same service as `brigade scim-token create`.

use leptos::prelude::*;

use super::Problem;
use super::api_clients::{ClientsTable, IssuedNotice, RevokeApiClient, RoleSelect};
use super::form::{FormAlert, TextField, field_error};
use super::picker::OutletPicker;
use crate::domain::AppError;
use crate::domain::me::{ApiClientsTab, IssuedClient};

#[server(prefix = "/rpc", endpoint = "scim_connections")]
pub async fn load_scim_connections() -> Result<ApiClientsTab, AppError> {
    super::api_clients::load(crate::domain::model::ClientKind::Scim).await
}

/// Creates a SCIM connection: its own role (and outlet, for an outlet role), and the role
/// and outlet new people start with (both, or neither: then it creates no one).
#[server(prefix = "/rpc", endpoint = "issue_scim_connection")]
pub async fn issue_scim_connection(
    name: String,
    role: String,
    #[server(default)] outlet: String,
    #[server(default)] people_role: String,
    #[server(default)] people_outlet: String,
) -> Result<IssuedClient, AppError> {
    super::api_clients::issue(
        crate::domain::model::ClientKind::Scim,
        name,
        role,
        outlet,
        Some((people_role, people_outlet)),
    )
    .await
}

#[component]
pub fn ScimConnectionsPanel() -> impl IntoView {
    let issue = ServerAction::<IssueScimConnection>::new();
    let revoke = ServerAction::<RevokeApiClient>::new();
    let tab = Resource::new(
        move || (issue.version().get(), revoke.version().get()),
        |_| load_scim_connections(),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tab.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(tab) => view! {
                        <ConnectionForm tab=tab.clone() issue/>
                        <ClientsTable clients=tab.clients revoke scim=true
                            caption="SCIM connections of this organization"/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConnectionForm(tab: ApiClientsTab, issue: ServerAction<IssueScimConnection>) -> impl IntoView {
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    let issued = move || issue.value().get().and_then(Result::ok);
    let url = tab.scim_url.clone().unwrap_or_default();
    view! {
        <section aria-labelledby="scim-heading">
            <h2 id="scim-heading">"New SCIM connection"</h2>
            <p>"Give your identity provider (Okta, Microsoft Entra ID) the base URL "
                <code data-testid="scim-url">{url}</code>
                " and the connection's token. The people it creates are managed by SCIM: locked here like API-managed people, under the API User Permissions toggles."</p>
            <ActionForm action=issue attr:class="grid" attr:novalidate="">
                <TextField id="scim-name" name="name" label="Name" autocomplete="off"
                    error=field_error(error, "name")/>
                <RoleSelect id="scim-role" name="role" label="The connection's role" roles=tab.roles.clone()
                    error=field_error(error, "role")/>
                <div class="field">
                    <label for="scim-outlet">"The connection's outlet (for an outlet role)"</label>
                    <p class="hint" id="scim-outlet-hint">"An outlet's name or number; empty for the whole organization."</p>
                    <OutletPicker id="scim-outlet" name="outlet" managing=false
                        described_by="scim-outlet-hint scim-outlet-error"/>
                    <p class="field-error" id="scim-outlet-error">{move || field_error(error, "outlet").get()}</p>
                </div>
                <RoleSelect id="scim-people-role" name="people_role" label="New people start with the role"
                    roles=tab.people_roles.clone() blank="None: the connection creates no people"
                    error=field_error(error, "people_role")/>
                <div class="field">
                    <label for="scim-people-outlet">"New people start at the outlet"</label>
                    <p class="hint" id="scim-people-outlet-hint">"Also their default outlet. You must be able to grant this role there."</p>
                    <OutletPicker id="scim-people-outlet" name="people_outlet" managing=true
                        described_by="scim-people-outlet-hint scim-people-outlet-error"/>
                    <p class="field-error" id="scim-people-outlet-error">{move || field_error(error, "people_outlet").get()}</p>
                </div>
                <FormAlert error/>
                <div class="actions"><button type="submit">"Create connection"</button></div>
            </ActionForm>
            {move || issued().map(|issued| view! { <IssuedNotice issued/> })}
        </section>
    }
}
