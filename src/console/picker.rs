//! Pickers that search as you type: a text field whose suggestions (a `datalist`) come from the
//! server, at most twenty at a time, so a page never carries an organization's thousands of
//! outlets or hundreds of outlet groups. Without WebAssembly it is a plain text field: an
//! outlet's number (or its "Name (NUMBER)" label), or a group's name, works the same, resolved
//! on the server.

use leptos::prelude::*;

use crate::domain::AppError;

/// Picker labels of the outlets matching `search`: those whose access the caller sees, or
/// (`managing`) those where they manage access.
#[server(prefix = "/rpc", endpoint = "outlet_choices")]
pub async fn outlet_choices(
    #[server(default)] search: String,
    #[server(default)] managing: bool,
) -> Result<Vec<String>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::catalog::outlet_choices(
                &context()?,
                &caller.principal,
                &search,
                managing,
            )
            .await
        }
        .await,
    )
}

/// Names of the outlet groups matching `search` (none for whoever may not read groups).
#[server(prefix = "/rpc", endpoint = "outlet_group_choices")]
pub async fn outlet_group_choices(
    #[server(default)] search: String,
) -> Result<Vec<String>, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::outlet_groups::choices(&context()?, &caller.principal, &search).await
        }
        .await,
    )
}

/// The outlet of the caller's organization a picker's text names (`None` for no text); an
/// unknown number is a problem of `field`. The one place every console form turns a picker's
/// text into an outlet.
#[cfg(feature = "ssr")]
pub async fn resolve(
    caller: &crate::service::auth::SignedIn,
    text: &str,
    field: &str,
) -> Result<Option<crate::domain::OutletId>, AppError> {
    let context = super::server::context()?;
    crate::service::catalog::resolve_outlet(&context, &caller.principal, text, field).await
}

/// The same, as the id text the typed commands parse.
#[cfg(feature = "ssr")]
pub async fn resolve_text(
    caller: &crate::service::auth::SignedIn,
    text: &str,
    field: &str,
) -> Result<Option<String>, AppError> {
    Ok(resolve(caller, text, field).await?.map(|id| id.to_string()))
}

/// The outlet group a group picker's text names (its name in any case, or its id), as the id
/// text the typed commands parse; an unknown name is a problem of `field`. The one place every
/// console form turns a group picker's text into a group.
#[cfg(feature = "ssr")]
pub async fn resolve_group_text(
    context: &crate::service::Context,
    who: &crate::service::Principal,
    text: &str,
    field: &str,
) -> Result<Option<String>, AppError> {
    Ok(
        crate::service::outlet_groups::resolve(context, who, text, field)
            .await?
            .map(|id| id.to_string()),
    )
}

/// Access filters as a page or a download sends them, parsed: the outlet filter is an outlet
/// picker's text (an id, a number or a label) and the group filter a group picker's (a name or
/// an id), each resolved in the caller's organization. One place for the access page, the
/// access report and `/exports/access.csv`.
#[cfg(feature = "ssr")]
pub async fn connector_query(
    context: &crate::service::Context,
    who: &crate::service::Principal,
    query: crate::domain::model::ConnectorQuery,
    page_size: Option<&str>,
) -> Result<crate::domain::commands::ConnectorListQuery, AppError> {
    let outlet_id = match query.outlet_id.as_deref() {
        Some(text) => crate::service::catalog::resolve_outlet(context, who, text, "outlet_id")
            .await?
            .map(|id| id.to_string()),
        None => None,
    };
    let outlet_group_id = match query.outlet_group_id.as_deref() {
        Some(text) => resolve_group_text(context, who, text, "outlet_group_id").await?,
        None => None,
    };
    crate::domain::commands::ConnectorListQuery::try_from(&crate::domain::model::ConnectorQuery {
        page_size: page_size.map(str::to_string),
        outlet_id,
        outlet_group_id,
        ..query
    })
}

/// What a picker suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choices {
    /// Outlets: whose access the caller sees, or (`managing`) where they manage it.
    Outlets {
        managing: bool,
    },
    OutletGroups,
}

impl Choices {
    async fn find(self, text: String) -> Result<Vec<String>, AppError> {
        match self {
            Choices::Outlets { managing } => outlet_choices(text, managing).await,
            Choices::OutletGroups => outlet_group_choices(text).await,
        }
    }

    fn placeholder(self) -> &'static str {
        match self {
            Choices::Outlets { .. } => "Type a name or number",
            Choices::OutletGroups => "Type a group's name",
        }
    }
}

/// An outlet's text field and its suggestions. `on_change` runs with the text when the person
/// leaves the field or picks a suggestion.
#[component]
pub fn OutletPicker(
    #[prop(into)] id: String,
    name: &'static str,
    /// Suggest only outlets where the caller manages access.
    managing: bool,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(optional, into)] described_by: Option<String>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    suggesting_field(
        Choices::Outlets { managing },
        id,
        name,
        value,
        described_by,
        on_change,
    )
}

/// An outlet group's text field and its suggestions, as `OutletPicker`.
#[component]
pub fn GroupPicker(
    #[prop(into)] id: String,
    name: &'static str,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(optional, into)] described_by: Option<String>,
    #[prop(optional)] on_change: Option<Callback<String>>,
) -> impl IntoView {
    suggesting_field(
        Choices::OutletGroups,
        id,
        name,
        value,
        described_by,
        on_change,
    )
}

fn suggesting_field(
    kind: Choices,
    id: String,
    name: &'static str,
    value: Signal<String>,
    described_by: Option<String>,
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let choices = RwSignal::new(Vec::<String>::new());
    let list_id = format!("{id}-choices");
    let suggest = move |text: String| {
        leptos::task::spawn_local(async move {
            if let Ok(found) = kind.find(text).await {
                choices.set(found);
            }
        });
    };
    view! {
        <input id=id name=name type="text" list=list_id.clone() autocomplete="off"
            placeholder=kind.placeholder() aria-describedby=described_by
            prop:value=move || value.get()
            on:focus=move |ev| suggest(event_target_value(&ev))
            on:input=move |ev| suggest(event_target_value(&ev))
            on:change=move |ev| {
                if let Some(on_change) = on_change {
                    on_change.run(event_target_value(&ev));
                }
            }/>
        <datalist id=list_id>
            <For each=move || choices.get() key=|label| label.clone() let(label)>
                <option value=label></option>
            </For>
        </datalist>
    }
}
