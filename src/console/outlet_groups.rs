//! `/outlet-groups`: districts and regions. Whoever sees access (or manages outlets) across
//! the organization reads them; who manages outlets across it creates, renames and deletes
//! groups and adds and takes out outlets (a picker that searches as you type). The same
//! service as `/api/v1/outlet-groups`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::Problem;
use super::form::{FormAlert, TextField, field_error, refresh_when};
use super::picker::OutletPicker;
use crate::domain::AppError;
use crate::domain::OutletGroupId;
use crate::domain::model::{OutletGroup, OutletRef, outlet_label};

/// How many of a group's outlets its card lists (the rest are found with the pickers: a
/// region may hold hundreds). With ten cards a page, a page of regions stays under 150 KB.
const LISTED: usize = 10;

/// A group as its card shows it: its first outlets by name, and how many it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCardData {
    pub id: OutletGroupId,
    pub name: String,
    pub outlets: Vec<OutletRef>,
    pub outlet_count: usize,
    pub connectors: i64,
}

impl From<OutletGroup> for GroupCardData {
    fn from(group: OutletGroup) -> Self {
        let outlet_count = group.outlets.len();
        Self {
            id: group.id,
            name: group.name,
            outlets: group.outlets.into_iter().take(LISTED).collect(),
            outlet_count,
            connectors: group.connectors,
        }
    }
}

/// A page of the organization's groups, and whether the viewer may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletGroupsPage {
    pub groups: Vec<GroupCardData>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
    pub may_change: bool,
}

#[server(prefix = "/rpc", endpoint = "outlet_groups_page")]
pub async fn load_outlet_groups(
    #[server(default)] after: String,
) -> Result<OutletGroupsPage, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::paging::PageRequest;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = crate::domain::error::Problems::default();
            let after = Some(after).filter(|a| !a.trim().is_empty());
            // Ten cards a page (see LISTED).
            let page = PageRequest::parse(Some("10"), after.as_deref(), &mut problems);
            problems.finish()?;
            let listed =
                crate::service::outlet_groups::list(&context()?, &caller.principal, &page).await?;
            Ok(OutletGroupsPage {
                groups: listed
                    .results
                    .into_iter()
                    .map(GroupCardData::from)
                    .collect(),
                next: listed.next_cursor,
                may_change: crate::service::outlet_groups::may_change(&caller.principal).is_ok(),
            })
        }
        .await,
    )
}

/// Creates a group (`id` empty) or renames one.
#[server(prefix = "/rpc", endpoint = "save_outlet_group")]
pub async fn save_outlet_group(
    #[server(default)] id: String,
    name: String,
) -> Result<OutletGroup, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::outlet_groups::{OutletGroupChange, OutletGroupInput};
    with_status(
        async move {
            let caller = caller().await?;
            let input = OutletGroupInput {
                name: Some(name),
                ..Default::default()
            };
            let mut work = context()?.begin().await?;
            let group = match id.trim() {
                "" => {
                    let new = OutletGroupChange::parse(&input, true)?;
                    crate::service::outlet_groups::create(&mut work, &caller.principal, new).await?
                }
                text => {
                    let id = crate::domain::OutletGroupId::parse(text).ok_or(AppError::NotFound)?;
                    let change = OutletGroupChange::parse(&input, false)?;
                    crate::service::outlet_groups::update(&mut work, &caller.principal, id, change)
                        .await?
                }
            };
            work.commit().await?;
            Ok(group)
        }
        .await,
    )
}

/// Adds an outlet (a picker's text: its number or label) to a group, or (`remove`) takes one
/// out.
#[server(prefix = "/rpc", endpoint = "change_group_outlets")]
pub async fn change_group_outlets(
    id: String,
    outlet: String,
    #[server(default)] remove: bool,
) -> Result<OutletGroup, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::outlet_groups::OutletGroupChange;
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::OutletGroupId::parse(id.trim()).ok_or(AppError::NotFound)?;
            let outlet = super::picker::resolve(&caller, &outlet, "outlet")
                .await?
                .ok_or_else(|| AppError::field("outlet", "Choose an outlet."))?;
            let change = if remove {
                OutletGroupChange {
                    remove: vec![outlet],
                    ..Default::default()
                }
            } else {
                OutletGroupChange {
                    add: vec![outlet],
                    ..Default::default()
                }
            };
            let mut work = context()?.begin().await?;
            let group =
                crate::service::outlet_groups::update(&mut work, &caller.principal, id, change)
                    .await?;
            work.commit().await?;
            Ok(group)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "delete_outlet_group")]
pub async fn delete_outlet_group(id: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::OutletGroupId::parse(id.trim()).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::outlet_groups::delete(&mut work, &caller.principal, id).await?;
            work.commit().await?;
            Ok(())
        }
        .await,
    )
}

#[component]
pub fn OutletGroupsPageView() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let query = use_query_map();
    let after = move || query.read().get("after").unwrap_or_default();
    let page = Resource::new(
        move || (refresh.get(), after()),
        |(_, after)| load_outlet_groups(after),
    );
    view! {
        <Title text="Outlet groups"/>
        <h1>"Outlet groups"</h1>
        <p>"Districts and regions. Access given through a group reaches every outlet in it, including outlets added later, and stops at outlets taken out."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(page) => {
                        let may_change = page.may_change;
                        let next = page.next.clone().map(|after| format!("/outlet-groups?after={after}"));
                        let first = (!after().is_empty()).then(|| "/outlet-groups".to_string());
                        view! {
                            {may_change.then(|| view! { <NewGroup refresh/> })}
                            {page.groups.is_empty().then(|| view! { <p>"No outlet groups yet."</p> })}
                            {page.groups.into_iter().map(|group| view! {
                                <GroupCard group may_change refresh/>
                            }).collect_view()}
                            <nav class="pager" aria-label="Pages of outlet groups">
                                {first.map(|href| view! { <A href=href>"First page"</A> })}
                                {next.map(|href| view! { <A href=href attr:rel="next">"Next page"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewGroup(refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveOutletGroup>::new();
    refresh_when(move || matches!(save.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <details class="add-user" data-testid="new-group">
            <summary>"New outlet group"</summary>
            <ActionForm action=save attr:class="grid" attr:novalidate="">
                <TextField id="group-name" name="name" label="Name" error=field_error(error, "name")/>
                <FormAlert error/>
                <div class="actions"><button type="submit">"Create group"</button></div>
            </ActionForm>
        </details>
    }
}

#[component]
fn GroupCard(group: GroupCardData, may_change: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<ChangeGroupOutlets>::new();
    let remove = ServerAction::<ChangeGroupOutlets>::new();
    let rename = ServerAction::<SaveOutletGroup>::new();
    let delete = ServerAction::<DeleteOutletGroup>::new();
    refresh_when(move || matches!(add.value().get(), Some(Ok(_))), refresh);
    refresh_when(move || matches!(remove.value().get(), Some(Ok(_))), refresh);
    refresh_when(move || matches!(rename.value().get(), Some(Ok(_))), refresh);
    refresh_when(move || matches!(delete.value().get(), Some(Ok(_))), refresh);
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| rename.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let id = group.id.to_string();
    let picker_id = format!("group-{id}-outlet");
    let error_id = format!("{picker_id}-error");
    let name_id = format!("group-{id}-name");
    let heading = group.name.clone();
    let summary = format!(
        "{} outlet{} · {} connector{} grant access through it",
        group.outlet_count,
        if group.outlet_count == 1 { "" } else { "s" },
        group.connectors,
        if group.connectors == 1 { "" } else { "s" },
    );
    let connectors_href = format!("/connectors?outlet_group_id={id}");
    let unlisted = group.outlet_count - group.outlets.len();
    view! {
        <section class="card" data-testid="outlet-group" aria-label=heading.clone()>
            <h2>{heading.clone()}</h2>
            <p>{summary}" "<A href=connectors_href>"See its access"</A></p>
            <ul class="group-outlets" aria-label=format!("Outlets of {heading}")>
                {group.outlets.into_iter().map(|outlet| {
                    let label = outlet_label(&outlet.name, &outlet.number);
                    let take_out = format!("Take {} out of {}", outlet.name, group.name);
                    let (group_id, number) = (id.clone(), outlet.number.clone());
                    view! {
                        <li>
                            {label}
                            {may_change.then(|| view! {
                                <ActionForm action=remove attr:class="inline">
                                    <input type="hidden" name="id" value=group_id/>
                                    <input type="hidden" name="outlet" value=number/>
                                    <input type="hidden" name="remove" value="true"/>
                                    <button type="submit" class="danger" aria-label=take_out>"Take out"</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {(unlisted > 0).then(|| view! {
                <p class="hint">{format!(
                    "And {unlisted} more: type one's name or number below to take it out."
                )}</p>
            })}
            {may_change.then(|| {
                let (add_id, rename_id, delete_id) = (id.clone(), id.clone(), id.clone());
                let take_id = id.clone();
                let take_picker_id = format!("group-{id}-take-out");
                view! {
                    <ActionForm action=add attr:class="inline" attr:novalidate="">
                        <input type="hidden" name="id" value=add_id/>
                        <div class="field">
                            <label for=picker_id.clone()>"Add an outlet"</label>
                            <OutletPicker id=picker_id.clone() name="outlet" managing=false described_by=error_id.clone()/>
                            <p class="field-error" id=error_id>{field_error(add_error, "outlet")}</p>
                        </div>
                        <button type="submit">"Add to group"</button>
                    </ActionForm>
                    <ActionForm action=remove attr:class="inline" attr:novalidate="">
                        <input type="hidden" name="id" value=take_id/>
                        <input type="hidden" name="remove" value="true"/>
                        <div class="field">
                            <label for=take_picker_id.clone()>"Take an outlet out"</label>
                            <OutletPicker id=take_picker_id.clone() name="outlet" managing=false/>
                        </div>
                        <button type="submit">"Take out of group"</button>
                    </ActionForm>
                    <details class="row-actions">
                        <summary>"Rename or delete"</summary>
                        <ActionForm action=rename attr:class="inline" attr:novalidate="">
                            <input type="hidden" name="id" value=rename_id/>
                            <div class="field"><label for=name_id.clone()>"Name"</label>
                                <input id=name_id name="name" value=group.name.clone()/></div>
                            <button type="submit">"Rename"</button>
                        </ActionForm>
                        <ActionForm action=delete attr:class="inline">
                            <input type="hidden" name="id" value=delete_id/>
                            <button type="submit" class="danger">"Delete group"</button>
                        </ActionForm>
                    </details>
                }
            })}
            <FormAlert error=add_error/>
            <FormAlert error/>
        </section>
    }
}
