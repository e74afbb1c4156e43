//! `/reports/access`: who can reach which outlet with what role, and through what (the outlet
//! itself, an outlet group holding it, or the whole organization) — grants active now of
//! active people, within the viewer's reach; filtered by outlet, outlet group, role and
//! person; downloaded whole as CSV (`/exports/access.csv`, streamed).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::connectors::load_access_options;
use super::picker::{GroupPicker, OutletPicker};
use super::{Problem, url_with};
use crate::domain::AppError;
use crate::domain::model::{Connector, ConnectorQuery, Paged, display_name};

#[server(prefix = "/rpc", endpoint = "access_report")]
pub async fn access_report(
    #[server(default)] query: ConnectorQuery,
) -> Result<Paged<Connector>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let context = context()?;
            let query =
                super::picker::connector_query(&context, &caller.principal, query, Some("25"))
                    .await?;
            crate::service::reports::access(&context, &caller.principal, query).await
        }
        .await,
    )
}

/// The report's filters as URL pairs (and a cursor).
fn pairs(query: &ConnectorQuery) -> [(&'static str, String); 5] {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        ("outlet_id", text(&query.outlet_id)),
        ("outlet_group_id", text(&query.outlet_group_id)),
        ("role_id", text(&query.role_id)),
        ("email", text(&query.email)),
        ("cursor", text(&query.cursor)),
    ]
}

fn report_url(path: &str, query: &ConnectorQuery) -> String {
    let pairs = pairs(query);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    url_with(path, &borrowed)
}

/// Where a grant applies, and through what.
fn place_and_source(connector: &Connector) -> (String, String) {
    match (&connector.outlet, &connector.outlet_group) {
        (Some(o), _) => (format!("{} ({})", o.name, o.number), "The outlet".into()),
        (None, Some(group)) => (
            format!("Every outlet of {}", group.name),
            format!("The outlet group {}", group.name),
        ),
        (None, None) => ("Every outlet".into(), "The whole organization".into()),
    }
}

#[component]
pub fn AccessReportPage() -> impl IntoView {
    let url_query = use_query_map();
    let query = Memo::new(move |_| {
        let q = url_query.read();
        ConnectorQuery {
            outlet_id: q.get("outlet_id"),
            outlet_group_id: q.get("outlet_group_id"),
            role_id: q.get("role_id"),
            email: q.get("email"),
            cursor: q.get("cursor"),
            ..Default::default()
        }
    });
    let options = Resource::new(|| (), |_| load_access_options());
    let report = Resource::new(move || query.get(), access_report);
    let navigate = use_navigate();
    let set_filter = Callback::new(move |(name, value): (&'static str, String)| {
        let mut next = query.get_untracked();
        let value = Some(value).filter(|v| !v.is_empty());
        match name {
            "outlet_group_id" => next.outlet_group_id = value,
            "role_id" => next.role_id = value,
            "email" => next.email = value,
            _ => next.outlet_id = value,
        }
        next.cursor = None;
        navigate(
            &report_url("/reports/access", &next),
            NavigateOptions {
                replace: name == "email",
                ..Default::default()
            },
        );
    });
    let on = move |name: &'static str| {
        move |ev: leptos::ev::Event| set_filter.run((name, event_target_value(&ev)))
    };
    let current = move |pick: fn(&ConnectorQuery) -> Option<String>| {
        move || pick(&query.read()).unwrap_or_default()
    };
    let on_outlet = Callback::new(move |text: String| set_filter.run(("outlet_id", text)));
    view! {
        <Title text="Access report"/>
        <h1>"Access report"</h1>
        <p>"Who can reach which outlet today, with what role, and through what. Filter by an outlet to see everyone who reaches it: at the outlet, through an outlet group, or across the organization."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match options.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(options) => view! {
                        <form method="get" action="/reports/access" class="filters" role="search" aria-label="Filter the report"
                            on:submit=|ev| ev.prevent_default()>
                            <div class="field">
                                <label for="report-outlet">"Reaches outlet"</label>
                                <OutletPicker id="report-outlet" name="outlet_id" managing=false
                                    value=Signal::derive(current(|q| q.outlet_id.clone())) on_change=on_outlet/>
                            </div>
                            {options.offers_outlet_groups.then(|| view! {
                                <div class="field">
                                    <label for="report-group">"Outlet group"</label>
                                    <GroupPicker id="report-group" name="outlet_group_id"
                                        value=Signal::derive(current(|q| q.outlet_group_id.clone()))
                                        on_change=Callback::new(move |text: String| set_filter.run(("outlet_group_id", text)))/>
                                </div>
                            })}
                            <div class="field">
                                <label for="report-role">"Role"</label>
                                <select id="report-role" name="role_id" on:change=on("role_id") prop:value=current(|q| q.role_id.clone())>
                                    <option value="">"All roles"</option>
                                    {options.roles.into_iter().map(|r| view! { <option value=r.id.to_string()>{r.name}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="report-email">"Person's email contains"</label>
                                <input id="report-email" type="search" name="email" autocomplete="off" on:input=on("email")
                                    prop:value=current(|q| q.email.clone())/>
                            </div>
                            <noscript><button type="submit">"Filter"</button></noscript>
                        </form>
                    }.into_any(),
                }
            })}
        </Suspense>
        <p class="downloads">
            <a rel="external" download="" data-testid="access-csv"
                href=move || report_url("/exports/access.csv", &ConnectorQuery { cursor: None, ..query.get() })>
                "Download the whole report (CSV)"
            </a>
        </p>
        <Transition fallback=|| view! { <p>"Loading the report…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Err(error) => view! { <Problem error/> }.into_any(),
                    Ok(page) => {
                        let next = page.next_cursor.clone().map(|cursor| {
                            report_url("/reports/access", &ConnectorQuery { cursor: Some(cursor), ..query.get_untracked() })
                        });
                        let first = query.get_untracked().cursor.is_some().then(|| {
                            report_url("/reports/access", &ConnectorQuery { cursor: None, ..query.get_untracked() })
                        });
                        view! {
                            <table class="data" data-testid="access-report">
                                <thead><tr>
                                    <th scope="col">"Person"</th>
                                    <th scope="col">"Role"</th>
                                    <th scope="col">"Where"</th>
                                    <th scope="col">"Through"</th>
                                    <th scope="col">"Until"</th>
                                </tr></thead>
                                <tbody>
                                    {page.results.into_iter().map(|c| {
                                        let (place, source) = place_and_source(&c);
                                        let person = display_name(&c.user.first_name, &c.user.last_name, &c.user.email);
                                        view! {
                                            <tr data-testid="report-row">
                                                <th scope="row">{person}<br/><span class="hint">{c.user.email.clone()}</span></th>
                                                <td>{c.role.name.clone()}</td>
                                                <td>{place}</td>
                                                <td>{source}</td>
                                                <td>{super::form::until(c.ends_at.as_deref())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <nav class="pager" aria-label="Pages of the report">
                                {first.map(|href| view! { <A href=href>"First page"</A> })}
                                {next.map(|href| view! { <A href=href attr:rel="next">"Next page"</A> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
