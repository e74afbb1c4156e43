//! Access: the table of user connectors with filters kept in the URL, "Add user", and per-row
//! change role / move / revoke. Every change goes through `service::connectors`, the same code
//! the API uses. A row's forms carry the version it was shown with: a connector changed since
//! is not changed or revoked (`AppError::changed_since_opened`), and the row offers a reload.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::form::{ErrorText, FormAlert, TextField, field_error};
use super::picker::{GroupPicker, OutletPicker};
use super::{Problem, url_with};
use crate::domain::model::{
    AccessEntry, AccessOptions, AddedAccess, Connector, ConnectorQuery, ConnectorState,
    ConnectorType, Paged, Role, RowChange, outlet_label,
};
#[cfg(feature = "ssr")]
use crate::domain::model::{CreateConnector, UpdateConnector};
use crate::domain::{AppError, ConnectorId};

/// Rows per page of the console table.
#[cfg(feature = "ssr")]
const PAGE_SIZE: &str = "25";

#[server(prefix = "/rpc", endpoint = "list_connectors")]
pub async fn list_connectors(
    #[server(default)] query: ConnectorQuery,
) -> Result<Paged<AccessEntry>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let context = context()?;
            let query =
                super::picker::connector_query(&context, &caller.principal, query, Some(PAGE_SIZE))
                    .await?;
            crate::service::connectors::list_with_changes(&context, &caller.principal, &query).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "access_options")]
pub async fn load_access_options() -> Result<AccessOptions, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::catalog::access_options(&context()?, &caller.principal).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
use super::picker::{resolve_group_text, resolve_text as resolve};

#[cfg(feature = "ssr")]
fn blank_is_none(value: String) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

#[server(prefix = "/rpc", endpoint = "add_connector")]
pub async fn add_connector(
    email: String,
    first_name: String,
    last_name: String,
    role: String,
    outlet: String,
    /// An outlet group (a group picker's text) instead of an outlet (never both).
    #[server(default)]
    outlet_group: String,
    #[server(default)] external_id: String,
    /// The first day of access at the outlet (its local day); empty: today.
    #[server(default)]
    starts_on: String,
    /// The last day of access (inclusive); empty: no end.
    #[server(default)]
    ends_on: String,
    #[server(default)] send_verification_email: Option<String>,
) -> Result<AddedAccess, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::commands::NewConnector;
    with_status(
        async move {
            let caller = caller().await?;
            let context = context()?;
            let outlet = resolve(&caller, &outlet, "outlet").await?;
            let outlet_group =
                resolve_group_text(&context, &caller.principal, &outlet_group, "outlet_group")
                    .await?;
            let mut new = NewConnector::try_from(CreateConnector {
                starts_at: None,
                ends_at: None,
                email: Some(email),
                first_name: blank_is_none(first_name),
                last_name: blank_is_none(last_name),
                role: blank_is_none(role),
                outlet,
                outlet_group,
                external_id: blank_is_none(external_id),
                send_verification_email: send_verification_email.is_some(),
            })?;
            let mut problems = crate::domain::error::Problems::default();
            new.window = crate::domain::commands::Window::local_days(
                &mut problems,
                Some(&starts_on),
                Some(&ends_on),
            );
            problems.finish()?;
            let mut work = context.begin().await?;
            let added = crate::service::connectors::create(
                &mut work,
                &caller.principal,
                new,
                crate::service::users::Rehire::Allowed,
            )
            .await?;
            work.commit().await?;
            Ok(added)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "change_connector")]
pub async fn change_connector(
    id: ConnectorId,
    #[server(default)] role: Option<String>,
    #[server(default)] outlet: Option<String>,
    /// A move on a later day (the new outlet's local day): a transfer.
    #[server(default)]
    on: Option<String>,
    /// The version the row was shown with.
    #[server(default)]
    version: Option<String>,
) -> Result<Connector, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::commands::ConnectorChange;
    with_status(
        async move {
            let caller = caller().await?;
            let outlet = match outlet.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => resolve(&caller, text, "outlet").await?,
            };
            let change = ConnectorChange::try_from(UpdateConnector {
                role: role.and_then(blank_is_none),
                outlet,
                ..Default::default()
            })?;
            let mut work = context()?.begin().await?;
            crate::service::connectors::ensure_version(
                &mut work,
                &caller.principal,
                id,
                version.as_deref(),
            )
            .await?;
            let mut problems = crate::domain::error::Problems::default();
            let on =
                crate::domain::commands::Window::local_days(&mut problems, on.as_deref(), None)
                    .starts;
            problems.finish()?;
            let connector = match (on, change.outlet) {
                (Some(on), Some(to)) => {
                    crate::service::dated::transfer(&mut work, &caller.principal, id, to, Some(on))
                        .await?
                }
                (Some(_), None) => {
                    return Err(AppError::field(
                        "outlet",
                        "Choose the outlet to transfer to.",
                    ));
                }
                (None, _) => {
                    crate::service::connectors::update(&mut work, &caller.principal, id, change)
                        .await?
                }
            };
            work.commit().await?;
            Ok(connector)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "revoke_connector")]
pub async fn revoke_connector(
    id: ConnectorId,
    #[server(default)] version: Option<String>,
) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let mut work = context()?.begin().await?;
            crate::service::connectors::ensure_version(
                &mut work,
                &caller.principal,
                id,
                version.as_deref(),
            )
            .await?;
            crate::service::connectors::delete(&mut work, &caller.principal, id).await?;
            work.commit().await
        }
        .await,
    )
}

/// The URL of the table for a set of filters (and an optional cursor).
fn access_url(query: &ConnectorQuery) -> String {
    let pairs = [
        ("type", query.connector_type.as_deref().unwrap_or_default()),
        ("email", query.email.as_deref().unwrap_or_default()),
        ("role_id", query.role_id.as_deref().unwrap_or_default()),
        ("outlet_id", query.outlet_id.as_deref().unwrap_or_default()),
        (
            "outlet_group_id",
            query.outlet_group_id.as_deref().unwrap_or_default(),
        ),
        ("state", query.state.as_deref().unwrap_or_default()),
        ("cursor", query.cursor.as_deref().unwrap_or_default()),
    ];
    url_with("/connectors", &pairs)
}

fn scope_name(connector: &Connector) -> String {
    match (&connector.outlet, &connector.outlet_group) {
        (Some(o), _) => format!("{} ({})", o.name, o.number),
        (None, Some(group)) => format!("{} (outlet group)", group.name),
        (None, None) => "Whole organization".into(),
    }
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let url_query = use_query_map();
    let query = Memo::new(move |_| {
        let q = url_query.read();
        ConnectorQuery {
            connector_type: q.get("type"),
            email: q.get("email"),
            role_id: q.get("role_id"),
            outlet_id: q.get("outlet_id"),
            outlet_group_id: q.get("outlet_group_id"),
            state: q.get("state"),
            cursor: q.get("cursor"),
            ..Default::default()
        }
    });
    let add = ServerAction::<AddConnector>::new();
    // Bumped by a row when its change or revoke succeeds, so the table reloads.
    let refresh = RwSignal::new(0u32);
    let options = Resource::new(|| (), |_| load_access_options());
    let connectors = Resource::new(
        move || (query.get(), add.version().get(), refresh.get()),
        |(query, ..)| list_connectors(query),
    );
    let navigate = use_navigate();
    let set_filter = Callback::new(move |(name, value): (&'static str, String)| {
        let mut next = query.get_untracked();
        let value = Some(value).filter(|v| !v.is_empty());
        match name {
            "type" => next.connector_type = value,
            "email" => next.email = value,
            "role_id" => next.role_id = value,
            "state" => next.state = value,
            "outlet_group_id" => next.outlet_group_id = value,
            _ => next.outlet_id = value,
        }
        next.cursor = None;
        navigate(
            &access_url(&next),
            NavigateOptions {
                replace: name == "email",
                ..Default::default()
            },
        );
    });
    view! {
        <Title text="Access"/>
        <h1>"Access"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(options) => {
                        let options = StoredValue::new(options);
                        view! {
                            <Filters options query set_filter/>
                            <AddUser options action=add/>
                            <Transition fallback=|| view! { <p>"Loading access…"</p> }>
                                {move || Suspend::new(async move {
                                    match connectors.await {
                                        Ok(page) => view! { <AccessTable page options query=query.get_untracked() refresh/> }.into_any(),
                                        Err(error) => view! { <Problem error/> }.into_any(),
                                    }
                                })}
                            </Transition>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Filters(
    options: StoredValue<AccessOptions>,
    query: Memo<ConnectorQuery>,
    set_filter: Callback<(&'static str, String)>,
) -> impl IntoView {
    let current = move |pick: fn(&ConnectorQuery) -> Option<String>| {
        move || pick(&query.read()).unwrap_or_default()
    };
    let on = move |name: &'static str| {
        move |ev: leptos::ev::Event| set_filter.run((name, event_target_value(&ev)))
    };
    let roles = options.with_value(|o| o.roles.clone());
    let offers_groups = options.with_value(|o| o.offers_outlet_groups);
    view! {
        <form method="get" action="/connectors" class="filters" role="search" aria-label="Filter access"
            on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="filter-type">"Type"</label>
                <select id="filter-type" name="type" on:change=on("type") prop:value=current(|q| q.connector_type.clone())>
                    <option value="">"All"</option>
                    <option value="L">"Library (L)"</option>
                    <option value="O">"Outlet (O)"</option>
                </select>
            </div>
            <div class="field">
                <label for="filter-email">"Email contains"</label>
                <input id="filter-email" type="search" name="email" autocomplete="off" on:input=on("email")
                    prop:value=current(|q| q.email.clone())/>
            </div>
            <div class="field">
                <label for="filter-role">"Role"</label>
                <select id="filter-role" name="role_id" on:change=on("role_id") prop:value=current(|q| q.role_id.clone())>
                    <option value="">"All roles"</option>
                    {roles.into_iter().map(|r| view! { <option value=r.id.to_string()>{format!("{} ({})", r.name, r.role_type)}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-outlet">"Outlet"</label>
                <OutletPicker id="filter-outlet" name="outlet_id" managing=false
                    value=Signal::derive(current(|q| q.outlet_id.clone()))
                    on_change=Callback::new(move |text: String| set_filter.run(("outlet_id", text)))/>
            </div>
            {offers_groups.then(|| view! {
                <div class="field">
                    <label for="filter-group">"Outlet group"</label>
                    <GroupPicker id="filter-group" name="outlet_group_id"
                        value=Signal::derive(current(|q| q.outlet_group_id.clone()))
                        on_change=Callback::new(move |text: String| set_filter.run(("outlet_group_id", text)))/>
                </div>
            })}
            <div class="field">
                <label for="filter-state">"State"</label>
                <select id="filter-state" name="state" on:change=on("state") prop:value=current(|q| q.state.clone())>
                    <option value="">"Any"</option>
                    <option value="active">"Active"</option>
                    <option value="scheduled">"Scheduled"</option>
                    <option value="ended">"Ended"</option>
                </select>
            </div>
            <noscript><button type="submit">"Filter"</button></noscript>
        </form>
    }
}

/// A connector's state and dates, e.g. "Scheduled: 2030-07-01 07:00 until 2030-07-04 07:00 UTC".
fn window_words(connector: &Connector) -> String {
    let state = match connector.state {
        ConnectorState::Active => "Active",
        ConnectorState::Scheduled => "Scheduled",
        ConnectorState::Ended => "Ended",
    };
    let day = |at: &Option<String>| at.as_deref().map(super::form::when);
    match (day(&connector.starts_at), day(&connector.ends_at)) {
        (None, None) => state.to_string(),
        (Some(from), None) => format!("{state}: from {from} UTC"),
        (None, Some(until)) => format!("{state}: until {until} UTC"),
        (Some(from), Some(until)) => format!("{state}: {from} until {until} UTC"),
    }
}

/// Roles of one type, for a role picker.
fn roles_of(options: &AccessOptions, kind: ConnectorType) -> Vec<Role> {
    options
        .roles
        .iter()
        .filter(|r| r.role_type == kind)
        .cloned()
        .collect()
}

#[component]
fn AddUser(
    options: StoredValue<AccessOptions>,
    action: ServerAction<AddConnector>,
) -> impl IntoView {
    let (manages_library, manages_access) =
        options.with_value(|o| (o.manages_library, o.manages_access));
    if !manages_access {
        return ().into_any();
    }
    let chosen_outlet = RwSignal::new(String::new());
    let chosen_group = RwSignal::new(String::new());
    // Grants through a group are weighed across the organization (`policy::GROUP_PLACE`).
    let offers_groups = manages_library && options.with_value(|o| o.offers_outlet_groups);
    let role_options = move || {
        // Someone who manages no library access grants only at outlets.
        let kind = if manages_library
            && chosen_outlet.get().trim().is_empty()
            && chosen_group.get().trim().is_empty()
        {
            ConnectorType::Library
        } else {
            ConnectorType::Outlet
        };
        options.with_value(|o| roles_of(o, kind))
    };
    let result = move || action.value().get();
    let error = Signal::derive(move || result().and_then(Result::err));
    let added = move || {
        result().and_then(|r| r.ok()).map(|added| {
            let c = &added.connector;
            if added.reactivated {
                format!(
                    "{} is active again (rehired) as {} at {}; their earlier access was not restored.",
                    c.user.email,
                    c.role.name,
                    scope_name(c)
                )
            } else {
                format!(
                    "Access added: {} as {} at {}.",
                    c.user.email,
                    c.role.name,
                    scope_name(c)
                )
            }
        })
    };
    view! {
        <details class="add-user" open=true>
            <summary>"Add user"</summary>
            <ActionForm action attr:class="grid" attr:novalidate="">
                <TextField id="add-email" name="email" label="Email" input_type="email" autocomplete="off"
                    error=field_error(error, "email")/>
                <TextField id="add-first-name" name="first_name" label="First name" error=field_error(error, "first_name")/>
                <TextField id="add-last-name" name="last_name" label="Last name" error=field_error(error, "last_name")/>
                <TextField id="add-external-id" name="external_id" label="Employee number (optional)" autocomplete="off"
                    error=field_error(error, "external_id")/>
                <TextField id="add-starts-on" name="starts_on" label="First day (optional)" input_type="date"
                    error=field_error(error, "starts_at")/>
                <TextField id="add-ends-on" name="ends_on" label="Last day (optional; a borrow ends here)" input_type="date"
                    error=field_error(error, "ends_at")/>
                <div class="field">
                    <label for="add-outlet">"Access to"</label>
                    <p class="hint" id="add-outlet-hint">{if manages_library {
                        "An outlet's name or number; leave empty for the whole organization (library user)."
                    } else {
                        "An outlet's name or number."
                    }}</p>
                    <div on:input=move |ev| chosen_outlet.set(event_target_value(&ev))>
                        <OutletPicker id="add-outlet" name="outlet" managing=true
                            described_by="add-outlet-hint add-outlet-error"/>
                    </div>
                    <p class="field-error" id="add-outlet-error">{field_error(error, "outlet")}</p>
                </div>
                {offers_groups.then(|| view! {
                    <div class="field">
                        <label for="add-group">"Or an outlet group"</label>
                        <div on:input=move |ev| chosen_group.set(event_target_value(&ev))>
                            <GroupPicker id="add-group" name="outlet_group" described_by="add-group-error"/>
                        </div>
                        <p class="field-error" id="add-group-error">{field_error(error, "outlet_group")}</p>
                    </div>
                })}
                <div class="field">
                    <label for="add-role">"Role"</label>
                    <select id="add-role" name="role" aria-describedby="add-role-error">
                        <For each=role_options key=|r| r.id let:role>
                            <option value=role.id.to_string()>{role.name}</option>
                        </For>
                    </select>
                    <p class="field-error" id="add-role-error">{field_error(error, "role")}</p>
                </div>
                <div class="field checkbox">
                    <input id="add-verify" name="send_verification_email" type="checkbox" value="true"/>
                    <label for="add-verify">"Send verification email"</label>
                </div>
                <div class="actions">
                    <button type="submit" disabled=move || action.pending().get()>"Add user"</button>
                </div>
                <FormAlert error/>
                <div role="status" class="form-ok" data-testid="add-result">{added}</div>
            </ActionForm>
        </details>
    }
    .into_any()
}

#[component]
fn AccessTable(
    page: Paged<AccessEntry>,
    options: StoredValue<AccessOptions>,
    query: ConnectorQuery,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    if page.results.is_empty() {
        return view! { <p class="empty" data-testid="no-connectors">"No access matches these filters."</p> }.into_any();
    }
    let next = page.next_cursor.clone().map(|cursor| {
        access_url(&ConnectorQuery {
            cursor: Some(cursor),
            ..query.clone()
        })
    });
    let first = query.cursor.is_some().then(|| {
        access_url(&ConnectorQuery {
            cursor: None,
            ..query.clone()
        })
    });
    view! {
        <table class="data" data-testid="connectors-table">
            <caption class="visually-hidden">"Access: people, their scope and role"</caption>
            <thead>
                <tr>
                    <th scope="col">"Person"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Scope"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"When"</th>
                    <th scope="col">"Updated"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>
                // Keyed by id and modification time: a changed row is rendered afresh (closed).
                <For each=move || page.results.clone() key=|e| (e.connector.id, e.connector.updated_at.clone()) let:entry>
                    <AccessRow entry options refresh/>
                </For>
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <A href=href>"First page"</A> })}
            {next.map(|href| view! { <A href=href>"Next page"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn AccessRow(
    entry: AccessEntry,
    options: StoredValue<AccessOptions>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let AccessEntry {
        connector,
        version,
        change: allowed,
        managed_by_brand,
    } = entry;
    let id = connector.id;
    let change = ServerAction::<ChangeConnector>::new();
    let revoke = ServerAction::<RevokeConnector>::new();
    Effect::new(move |_| {
        let succeeded = change.value().get().is_some_and(|r| r.is_ok())
            || revoke.value().get().is_some_and(|r| r.is_ok());
        if succeeded {
            refresh.update(|n| *n += 1);
        }
    });
    let person = crate::domain::model::display_name(
        &connector.user.first_name,
        &connector.user.last_name,
        &connector.user.email,
    );
    let label = format!(
        "{person}, {} at {}",
        connector.role.name,
        scope_name(&connector)
    );
    let confirming = RwSignal::new(false);
    let row_error = Signal::derive(move || {
        let failed = |value: Option<Result<_, AppError>>| value.and_then(Result::err);
        failed(change.value().get().map(|r| r.map(|_| ()))).or_else(|| failed(revoke.value().get()))
    });
    let locked = match &allowed {
        RowChange::Locked(reason) => Some(view! {
            <p class="locked"><strong>"Read-only. "</strong><span data-testid="row-locked">{reason.clone()}</span></p>
        }),
        _ => None,
    };
    let actions = (allowed == RowChange::Allowed).then(|| {
        let roles = options.with_value(|o| roles_of(o, connector.connector_type));
        let current_outlet = connector
            .outlet
            .as_ref()
            .map(|o| outlet_label(&o.name, &o.number))
            .unwrap_or_default();
        let current_role = connector.role.id.to_string();
        // A grant through a group moves with the group's outlets, not by itself.
        let is_outlet = connector.outlet.is_some();
        let label = label.clone();
        let version = StoredValue::new(version.clone());
        view! {
            <details class="row-actions">
                <summary aria-label=format!("Change {label}")>"Change…"</summary>
                <ActionForm action=change attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version.get_value()/>
                    <label for=format!("role-{id}")>"Role"</label>
                    <select id=format!("role-{id}") name="role">
                        {roles.into_iter().map(|r| {
                            let selected = r.id.to_string() == current_role;
                            view! { <option value=r.id.to_string() selected=selected>{r.name}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit">"Save role"</button>
                </ActionForm>
                {is_outlet.then(|| view! {
                    <ActionForm action=change attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="version" value=version.get_value()/>
                        <label for=format!("move-{id}")>"Move to"</label>
                        <OutletPicker id=format!("move-{id}") name="outlet" managing=true
                            value=Signal::stored(current_outlet)/>
                        <label for=format!("on-{id}")>"On (empty: now)"</label>
                        <input id=format!("on-{id}") name="on" type="date"/>
                        <button type="submit">"Move"</button>
                    </ActionForm>
                })}
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="danger" on:click=move |_| confirming.set(true)>"Revoke…"</button>
                    }
                >
                    <div class="confirm" role="group" aria-label="Confirm revoke">
                        <p>{format!("Revoke {label}? The person keeps their account and any other access.")}</p>
                        <ActionForm action=revoke attr:class="inline">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="version" value=version.get_value()/>
                            <button type="submit" class="danger">"Confirm revoke"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </ActionForm>
                    </div>
                </Show>
            </details>
        }
        .into_any()
    });
    view! {
        <tr data-testid="connector-row">
            <th scope="row">
                <A href=format!("/users/{}", connector.user.id)>{person}</A>
                <span class="sub">{connector.user.email.clone()}</span>
                {managed_by_brand.map(|brand| view! {
                    <span class="sub managed" data-testid="managed-by-brand">{format!("User managed by {brand}")}</span>
                })}
            </th>
            <td>{connector.connector_type.to_string()}</td>
            <td>{scope_name(&connector)}</td>
            <td>{connector.role.name.clone()}</td>
            <td data-testid="window">{window_words(&connector)}</td>
            <td>{connector.updated_at.get(..16).unwrap_or_default().replace('T', " ")}</td>
            <td>
                {actions}
                {locked}
                <p class="field-error" role="alert">
                    {move || row_error.get().map(|error| view! { <ErrorText error/> })}
                </p>
            </td>
        </tr>
    }
    .into_any()
}
