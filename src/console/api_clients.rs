//! The "API clients" tab of Security & Permissions: issue a client (its token shown once,
//! with a copy button), list the organization's clients, revoke one. The same service as
//! `brigade token create`.

use leptos::prelude::*;

use super::Problem;
use super::form::{FormAlert, TextField, field_error};
use super::picker::OutletPicker;
use crate::domain::AppError;
use crate::domain::me::{ApiClientEntry, ApiClientsTab, IssuedClient};
use crate::domain::model::ConnectorType;

#[server(prefix = "/rpc", endpoint = "api_clients")]
pub async fn load_api_clients() -> Result<ApiClientsTab, AppError> {
    load(crate::domain::model::ClientKind::Api).await
}

/// The clients of a kind, for the tab that lists them.
#[cfg(feature = "ssr")]
pub(super) async fn load(
    kind: crate::domain::model::ClientKind,
) -> Result<ApiClientsTab, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::api_tokens::clients_tab(&context()?, &caller.principal, kind).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "issue_api_client")]
pub async fn issue_api_client(
    name: String,
    role: String,
    #[server(default)] outlet: String,
) -> Result<IssuedClient, AppError> {
    issue(
        crate::domain::model::ClientKind::Api,
        name,
        role,
        outlet,
        None,
    )
    .await
}

/// Issues a client of `kind` from the console's form (a SCIM connection with the role and
/// outlet its new people start with, as a role id and an outlet picker's text).
#[cfg(feature = "ssr")]
pub(super) async fn issue(
    kind: crate::domain::model::ClientKind,
    name: String,
    role: String,
    outlet: String,
    people: Option<(String, String)>,
) -> Result<IssuedClient, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::RoleId;
    use crate::service::api_tokens::{NewClient, issue_client};
    with_status(
        async move {
            let caller = caller().await?;
            let role =
                RoleId::parse(&role).ok_or_else(|| AppError::field("role", "Choose a role."))?;
            // A picker's text: an outlet's number, its label, or its id.
            let outlet = super::picker::resolve(&caller, &outlet, "outlet").await?;
            let people_start = match people {
                Some((people_role, people_outlet)) => {
                    let people_outlet =
                        super::picker::resolve(&caller, &people_outlet, "people_outlet")
                            .await?;
                    match (people_role.trim(), people_outlet) {
                        ("", None) => None,
                        ("", Some(_)) => {
                            return Err(AppError::field(
                                "people_role",
                                "Choose the role new people start with, or leave the outlet empty too.",
                            ));
                        }
                        (_, None) => {
                            return Err(AppError::field(
                                "people_outlet",
                                "Choose the outlet new people start at.",
                            ));
                        }
                        (role, Some(outlet)) => Some((
                            RoleId::parse(role).ok_or_else(|| {
                                AppError::field("people_role", "Choose a role.")
                            })?,
                            outlet,
                        )),
                    }
                }
                None => None,
            };
            let new = NewClient {
                name,
                role,
                outlet,
                kind,
                people_start,
            };
            let mut work = context()?.begin().await?;
            let issued = issue_client(&mut work, &caller.principal, new).await?;
            work.commit().await?;
            Ok(issued)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "revoke_api_client")]
pub async fn revoke_api_client(id: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::TokenId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::api_tokens::revoke_client(&mut work, &caller.principal, id).await?;
            work.commit().await
        }
        .await,
    )
}

/// A client just issued: its token, shown this once, with a copy button.
#[component]
pub(super) fn IssuedNotice(issued: IssuedClient) -> impl IntoView {
    let copied = RwSignal::new(false);
    let token = issued.token.clone();
    view! {
        <div class="notice-ok" role="status" data-testid="issued">
            <p>{format!("{} is ready. Copy its token now: it is shown only this once.", issued.client.name)}</p>
            <p><code data-testid="token">{issued.token}</code></p>
            <button type="button" on:click=move |_| { copy_to_clipboard(&token); copied.set(true); }>
                {move || if copied.get() { "Copied" } else { "Copy token" }}
            </button>
        </div>
    }
}

/// Copies `text` to the clipboard (in the browser; the server renders the button only).
fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // The promise settles on its own; a refusal leaves the token on screen to copy by hand.
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

#[component]
pub fn ApiClientsPanel() -> impl IntoView {
    let issue = ServerAction::<IssueApiClient>::new();
    let revoke = ServerAction::<RevokeApiClient>::new();
    let tab = Resource::new(
        move || (issue.version().get(), revoke.version().get()),
        |_| load_api_clients(),
    );
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tab.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(tab) => view! {
                        <IssueForm tab=tab.clone() issue/>
                        <ClientsTable clients=tab.clients revoke/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IssueForm(tab: ApiClientsTab, issue: ServerAction<IssueApiClient>) -> impl IntoView {
    let error = Signal::derive(move || issue.value().get().and_then(Result::err));
    let issued = move || issue.value().get().and_then(Result::ok);
    view! {
        <section aria-labelledby="issue-heading">
            <h2 id="issue-heading">"New API client"</h2>
            <ActionForm action=issue attr:class="grid" attr:novalidate="">
                <TextField id="client-name" name="name" label="Name" autocomplete="off"
                    error=field_error(error, "name")/>
                <RoleSelect id="client-role" name="role" label="Role" roles=tab.roles.clone()
                    error=field_error(error, "role")/>
                <div class="field">
                    <label for="client-outlet">"Outlet (for an outlet role)"</label>
                    <p class="hint" id="client-outlet-hint">"An outlet's name or number; empty for the whole organization."</p>
                    <OutletPicker id="client-outlet" name="outlet" managing=false
                        described_by="client-outlet-hint client-outlet-error"/>
                    <p class="field-error" id="client-outlet-error">{move || field_error(error, "outlet").get()}</p>
                </div>
                <FormAlert error/>
                <div class="actions"><button type="submit">"Create client"</button></div>
            </ActionForm>
            {move || issued().map(|issued| view! { <IssuedNotice issued/> })}
        </section>
    }
}

/// A role field: each role with its type and partner role; `blank` offers "none" first.
#[component]
pub(super) fn RoleSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    roles: Vec<crate::domain::model::Role>,
    error: Signal<Option<String>>,
    #[prop(optional)] blank: Option<&'static str>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id name=name aria-describedby=error_id.clone()>
                {blank.map(|text| view! { <option value="">{text}</option> })}
                {roles.iter().map(|role| view! {
                    <option value=role.id.to_string()>{format!("{} ({}, partner role {})",
                        role.name,
                        match role.role_type { ConnectorType::Library => "L", ConnectorType::Outlet => "O" },
                        role.partner_role)}</option>
                }).collect_view()}
            </select>
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}

/// The organization's clients of one kind, each revocable; SCIM connections show where their
/// new people start.
#[component]
pub(super) fn ClientsTable(
    clients: Vec<ApiClientEntry>,
    revoke: ServerAction<RevokeApiClient>,
    #[prop(default = "API clients of this organization")] caption: &'static str,
    #[prop(default = false)] scim: bool,
) -> impl IntoView {
    let error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let or_never = |at: Option<String>| at.unwrap_or_else(|| "Never".into());
    view! {
        <FormAlert error/>
        <table class="data" data-testid="api-clients">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">"Name"</th><th scope="col">"Role"</th>
                {scim.then(|| view! { <th scope="col">"New people start as"</th> })}
                <th scope="col">"Created by"</th>
                <th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {clients.into_iter().map(|client| {
                    let active = client.revoked_at.is_none();
                    let id = client.id.to_string();
                    let label = format!("Revoke {}", client.name);
                    view! {
                        <tr data-testid="api-client-row">
                            <th scope="row">{client.name.clone()}</th>
                            <td>{match client.outlet { Some(outlet) => format!("{} at {outlet}", client.role), None => client.role }}</td>
                            {scim.then(|| view! { <td>{client.people_start.clone().unwrap_or_else(|| "No one: it creates no people".into())}</td> })}
                            <td>{client.created_by.unwrap_or_else(|| "Command line".into())}</td>
                            <td>{client.created_at}</td>
                            <td>{or_never(client.last_used_at)}</td>
                            <td>{if active { "Active".to_string() } else { format!("Revoked {}", client.revoked_at.unwrap_or_default()) }}</td>
                            <td>{active.then(|| view! {
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="id" value=id/>
                                    <button type="submit" class="danger" aria-label=label>"Revoke"</button>
                                </ActionForm>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
