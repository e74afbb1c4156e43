//! `/outlets`: the organization's outlets (archived ones shown as such), a new outlet, and per
//! row: change name, number, brand and time zone, archive or restore. The same service as
//! `/api/v1/outlets`.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::form::{FormAlert, TextField, field_error, refresh_when};
use super::{Problem, query_escape};
use crate::domain::AppError;
use crate::domain::me::{ImportAction, ImportPreview, JobProgress, OutletsPage};
use crate::domain::model::{BrandRef, Outlet};

/// A page of outlets: `search` in name or number, `after` the previous page's last outlet.
#[server(prefix = "/rpc", endpoint = "outlets_page")]
pub async fn load_outlets_page(
    #[server(default)] search: String,
    #[server(default)] after: String,
) -> Result<OutletsPage, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let after = match after.trim() {
                "" => None,
                text => Some(
                    crate::domain::OutletId::parse(text)
                        .ok_or_else(|| AppError::field("after", "Not a page of this list."))?,
                ),
            };
            crate::service::outlets::page(&context()?, &caller.principal, Some(&search), after)
                .await
        }
        .await,
    )
}

/// Creates (`id` empty) or changes an outlet; an empty time zone means the organization's.
#[server(prefix = "/rpc", endpoint = "save_outlet")]
pub async fn save_outlet(
    #[server(default)] id: String,
    name: String,
    number: String,
    #[server(default)] brand: String,
    #[server(default)] time_zone: String,
) -> Result<Outlet, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::outlets::{OutletChange, OutletInput};
    with_status(
        async move {
            let caller = caller().await?;
            let blank_is_none = |v: String| Some(v).filter(|v| !v.trim().is_empty());
            let input = OutletInput {
                name: Some(name),
                number: Some(number),
                brand: Some(blank_is_none(brand)),
                time_zone: Some(blank_is_none(time_zone)),
                archived: None,
            };
            let mut work = context()?.begin().await?;
            let outlet = match id.trim() {
                "" => {
                    let new = OutletChange::parse(&input, true)?;
                    crate::service::outlets::create(&mut work, &caller.principal, new).await?
                }
                text => {
                    let id = crate::domain::OutletId::parse(text).ok_or(AppError::NotFound)?;
                    let change = OutletChange::parse(&input, false)?;
                    crate::service::outlets::update(&mut work, &caller.principal, id, change)
                        .await?
                }
            };
            work.commit().await?;
            Ok(outlet)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "set_outlet_archived")]
pub async fn set_outlet_archived(id: String, archived: String) -> Result<Outlet, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::outlets::OutletChange;
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::OutletId::parse(&id).ok_or(AppError::NotFound)?;
            let change = OutletChange {
                archived: Some(archived == "true"),
                ..Default::default()
            };
            let mut work = context()?.begin().await?;
            let outlet =
                crate::service::outlets::update(&mut work, &caller.principal, id, change).await?;
            work.commit().await?;
            Ok(outlet)
        }
        .await,
    )
}

#[component]
pub fn OutletsPageView() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let after = move || query.read().get("after").unwrap_or_default();
    let page = Resource::new(
        move || (refresh.get(), search(), after()),
        |(_, search, after)| load_outlets_page(search, after),
    );
    let navigate = use_navigate();
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let path = if text.trim().is_empty() {
            "/outlets".to_string()
        } else {
            format!("/outlets?q={}", query_escape(&text))
        };
        navigate(
            &path,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    view! {
        <Title text="Outlets"/>
        <h1>"Outlets"</h1>
        // Outside the reloading list, so a running import keeps its progress on screen.
        <ImportOutlets refresh/>
        <form method="get" action="/outlets" class="filters" role="search" aria-label="Find outlets"
            on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="outlets-search">"Name or number contains"</label>
                <input id="outlets-search" type="search" name="q" autocomplete="off"
                    prop:value=search on:input=on_search/>
            </div>
            <noscript><button type="submit">"Find"</button></noscript>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(page) => {
                        let next = page.next.clone().map(|after| {
                            let q = search();
                            format!("/outlets?q={}&after={after}", query_escape(&q))
                        });
                        let first = (!after().is_empty())
                            .then(|| format!("/outlets?q={}", query_escape(&search())));
                        view! {
                            <p>{format!("The organization's default time zone is {}.", page.default_time_zone)}</p>
                            <NewOutlet brands=page.brands.clone() refresh/>
                            <table class="data" data-testid="outlets">
                                <caption>{format!(
                                    "{} outlets{}; archived ones grant no access until restored.",
                                    page.total,
                                    if search().trim().is_empty() { String::new() } else { format!(" matching \"{}\"", search().trim()) },
                                )}</caption>
                                <thead><tr>
                                    <th scope="col">"Number"</th><th scope="col">"Name"</th><th scope="col">"Brand"</th>
                                    <th scope="col">"Time zone"</th><th scope="col">"Status"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {page.outlets.into_iter().map(|outlet| view! {
                                        <OutletRow outlet brands=page.brands.clone() refresh/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <nav class="pager" aria-label="Pages of outlets">
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
fn BrandSelect(id: String, brands: Vec<BrandRef>, selected: Option<String>) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <div class="field">
            <label for=label_for>"Brand"</label>
            <select id=id name="brand">
                <option value="">"No brand"</option>
                {brands.into_iter().map(|b| {
                    let value = b.id.to_string();
                    let is = selected.as_deref() == Some(value.as_str());
                    view! { <option value=value selected=is>{b.name}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn NewOutlet(brands: Vec<BrandRef>, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveOutlet>::new();
    refresh_when(move || matches!(save.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <details class="add-user" data-testid="new-outlet">
            <summary>"New outlet"</summary>
            <ActionForm action=save attr:class="grid" attr:novalidate="">
                <TextField id="outlet-number" name="number" label="Number" error=field_error(error, "number")/>
                <TextField id="outlet-name" name="name" label="Name" error=field_error(error, "name")/>
                <BrandSelect id="outlet-brand".to_string() brands selected=None/>
                <TextField id="outlet-time-zone" name="time_zone"
                    label="Time zone (empty: the organization's default)" error=field_error(error, "time_zone")/>
                <FormAlert error/>
                <div class="actions"><button type="submit">"Create outlet"</button></div>
            </ActionForm>
        </details>
    }
}

#[component]
fn OutletRow(outlet: Outlet, brands: Vec<BrandRef>, refresh: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveOutlet>::new();
    let archive = ServerAction::<SetOutletArchived>::new();
    refresh_when(move || matches!(save.value().get(), Some(Ok(_))), refresh);
    refresh_when(
        move || matches!(archive.value().get(), Some(Ok(_))),
        refresh,
    );
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| archive.value().get().and_then(Result::err))
    });
    let key = outlet.id.to_string();
    let field = |what: &str| format!("outlet-{key}-{what}");
    let (name_id, number_id, zone_id, brand_id) = (
        field("name"),
        field("number"),
        field("zone"),
        field("brand"),
    );
    let (save_id, archive_id) = (key.clone(), key.clone());
    let edit_label = format!("Edit {}", outlet.name);
    let archive_label = format!(
        "{} {}",
        if outlet.archived {
            "Restore"
        } else {
            "Archive"
        },
        outlet.name
    );
    view! {
        <tr data-testid="outlet-row">
            <td>{outlet.number.clone()}</td>
            <th scope="row">{outlet.name.clone()}</th>
            <td>{outlet.brand.as_ref().map(|b| b.name.clone()).unwrap_or_else(|| "—".into())}</td>
            <td>{outlet.time_zone.clone()}</td>
            <td>{if outlet.archived { "Archived" } else { "Open" }}</td>
            <td>
                <details class="row-actions">
                    <summary aria-label=edit_label>"Edit"</summary>
                    <ActionForm action=save attr:class="stacked" attr:novalidate="">
                        <input type="hidden" name="id" value=save_id/>
                        <div class="field"><label for=number_id.clone()>"Number"</label>
                            <input id=number_id name="number" value=outlet.number.clone()/></div>
                        <div class="field"><label for=name_id.clone()>"Name"</label>
                            <input id=name_id name="name" value=outlet.name.clone()/></div>
                        <BrandSelect id=brand_id brands selected=outlet.brand.as_ref().map(|b| b.id.to_string())/>
                        <div class="field"><label for=zone_id.clone()>"Time zone"</label>
                            <input id=zone_id name="time_zone" value=outlet.time_zone.clone()/></div>
                        <button type="submit">"Save outlet"</button>
                    </ActionForm>
                    <FormAlert error/>
                </details>
                <ActionForm action=archive attr:class="inline">
                    <input type="hidden" name="id" value=archive_id/>
                    <input type="hidden" name="archived" value=(!outlet.archived).to_string()/>
                    <button type="submit" class=if outlet.archived { "" } else { "danger" } aria-label=archive_label>
                        {if outlet.archived { "Restore" } else { "Archive" }}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[server(prefix = "/rpc", endpoint = "preview_outlet_import")]
pub async fn preview_outlet_import(csv: String) -> Result<ImportPreview, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::outlet_import::preview(&context()?, &caller.principal, &csv).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "apply_outlet_import")]
pub async fn apply_outlet_import(csv: String) -> Result<JobProgress, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::outlet_import::apply(&context()?, &caller.principal, &csv).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "outlet_import_progress")]
pub async fn outlet_import_progress(id: String) -> Result<JobProgress, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
            crate::service::outlet_import::progress(&context()?, &caller.principal, id).await
        }
        .await,
    )
}

/// Reads the file chosen in a file input into `csv` (in the browser; without WebAssembly the
/// text box takes a paste).
fn read_chosen_file(event: &leptos::ev::Event, csv: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let file = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            leptos::task::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    csv.set(text.as_string().unwrap_or_default());
                }
            });
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (event, csv);
}

#[component]
fn ImportOutlets(refresh: RwSignal<u32>) -> impl IntoView {
    let preview = ServerAction::<PreviewOutletImport>::new();
    let apply = ServerAction::<ApplyOutletImport>::new();
    let csv = RwSignal::new(String::new());
    let job = RwSignal::new(None::<JobProgress>);
    Effect::new(move |_| {
        if let Some(Ok(started)) = apply.value().get() {
            job.set(Some(started));
            super::form::follow_job(
                job,
                refresh,
                |job| job.status == "running",
                |job| outlet_import_progress(job.id.to_string()),
            );
        }
    });
    let error = Signal::derive(move || {
        preview
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| apply.value().get().and_then(Result::err))
    });
    view! {
        <details class="add-user" data-testid="import-outlets">
            <summary>"Import outlets from CSV"</summary>
            <ActionForm action=preview attr:class="stacked" attr:novalidate="">
                <div class="field">
                    <label for="import-file">"CSV file (fills the text below)"</label>
                    <input id="import-file" type="file" accept=".csv,text/csv,text/plain"
                        on:change=move |ev| read_chosen_file(&ev, csv)/>
                </div>
                <div class="field">
                    <label for="import-csv">"CSV with the columns number,name,brand,time_zone"</label>
                    <textarea id="import-csv" name="csv" rows="8" aria-describedby="import-csv-error"
                        prop:value=move || csv.get()
                        on:input=move |ev| csv.set(event_target_value(&ev))></textarea>
                    <p class="field-error" id="import-csv-error">{move || field_error(error, "csv").get()}</p>
                </div>
                <button type="submit">"Preview"</button>
            </ActionForm>
            {move || preview.value().get().and_then(Result::ok).map(|result| {
                let (create, update, unchanged, errors) = result.counts();
                view! {
                    <p role="status" data-testid="import-counts">
                        {format!("{create} to create, {update} to update, {unchanged} unchanged, {errors} with errors.")}
                    </p>
                    <table class="data" data-testid="import-preview">
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"Number"</th><th scope="col">"Name"</th><th scope="col">"Result"</th></tr></thead>
                        <tbody>
                            {result.rows.into_iter().map(|row| view! {
                                <tr>
                                    <td>{row.line}</td><td>{row.number}</td><td>{row.name}</td>
                                    <td>{match row.action {
                                        ImportAction::Create => "Create".to_string(),
                                        ImportAction::Update(fields) => format!("Update {}", fields.join(", ")),
                                        ImportAction::Unchanged => "Unchanged".to_string(),
                                        ImportAction::Error(reason) => format!("Error: {reason}"),
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <ActionForm action=apply attr:class="inline">
                        <input type="hidden" name="csv" prop:value=move || csv.get()/>
                        <button type="submit">"Apply"</button>
                    </ActionForm>
                }
            })}
            {move || job.get().map(|job| view! {
                <div data-testid="import-job">
                    <label for="import-progress">{format!("Importing: {} of {}", job.done, job.total)}</label>
                    <progress id="import-progress" max=job.total.max(1) value=job.done></progress>
                    <p role="status" data-testid="import-status">{job.summary.clone().unwrap_or_else(|| "Running…".into())}</p>
                </div>
            })}
        </details>
    }
}
