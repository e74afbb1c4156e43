//! The audit log: every change in the organization, newest first, filtered by who made it,
//! what it was, whom it concerned and the days it happened; each change shown field by field.
//! Filters live in the URL (a plain GET form), so a filtered log can be bookmarked or shared.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::form::when;
use super::{Problem, url_with};
use crate::domain::AppError;
use crate::domain::audit::{AuditAction, AuditEvent, FieldChange};
use crate::domain::model::Paged;

/// Events per page of the console log.
#[cfg(feature = "ssr")]
const PAGE_SIZE: u32 = 25;

/// The log's filters as the console's URL carries them; `from` and `to` are days (UTC),
/// both included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub actor: String,
    pub action: String,
    pub person: String,
    pub from: String,
    pub to: String,
}

impl LogFilter {
    fn url(&self, cursor: Option<&str>) -> String {
        let pairs = [
            ("actor", self.actor.as_str()),
            ("action", self.action.as_str()),
            ("person", self.person.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("cursor", cursor.unwrap_or_default()),
        ];
        url_with("/audit", &pairs)
    }
}

#[cfg(feature = "ssr")]
fn day(
    problems: &mut crate::domain::error::Problems,
    field: &str,
    text: &str,
    next: bool,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let parsed = time::Date::parse(text, &format)
        .ok()
        .and_then(|d| if next { d.next_day() } else { Some(d) });
    match parsed {
        Some(date) => date
            .format(&format)
            .ok()
            .map(|date| format!("{date}T00:00:00Z")),
        None => {
            problems.add(field, "Use a date, e.g. 2026-01-31.");
            None
        }
    }
}

#[server(prefix = "/rpc", endpoint = "audit_log")]
pub async fn audit_log(
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] person: String,
    /// The first day (UTC), YYYY-MM-DD.
    #[server(default)]
    from: String,
    /// The last day (UTC), included.
    #[server(default)]
    to: String,
    /// A page's `next_cursor` (empty: the newest).
    #[server(default)]
    cursor: String,
) -> Result<Paged<AuditEvent>, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::audit::{AuditFilter, AuditQuery};
    use crate::domain::error::Problems;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = Problems::default();
            let since = day(&mut problems, "from", &from, false);
            let until = day(&mut problems, "to", &to, true);
            problems.finish()?;
            let query = AuditQuery {
                actor: Some(actor),
                action: Some(action),
                person: Some(person),
                since,
                until,
                page_size: Some(PAGE_SIZE.to_string()),
                cursor: Some(cursor),
            };
            let filter = AuditFilter::parse(&query)?;
            crate::service::audit::list(&context()?, &caller.principal, &filter).await
        }
        .await,
    )
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        LogFilter {
            actor: q.get("actor").unwrap_or_default(),
            action: q.get("action").unwrap_or_default(),
            person: q.get("person").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        }
    });
    let cursor = move || query.read().get("cursor").unwrap_or_default();
    let events = Resource::new(
        move || (filter.get(), cursor()),
        |(f, cursor)| audit_log(f.actor, f.action, f.person, f.from, f.to, cursor),
    );
    view! {
        <Title text="Audit log"/>
        <h1>"Audit log"</h1>
        <p class="hint">"Every change in this organization, newest first. Times are UTC."</p>
        {move || view! { <Filters filter=filter.get() events/> }}
        <Transition fallback=|| view! { <p>"Loading the log…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(page) => view! { <EventTable page filter=filter.get_untracked() later=!cursor().is_empty()/> }.into_any(),
                    Err(AppError::Invalid { .. }) => ().into_any(),
                    Err(error) => view! { <Problem error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The filter form: what happened and the days; who and whom are set by following a name
/// in the log, and shown here to be cleared.
#[component]
fn Filters(
    filter: LogFilter,
    events: Resource<Result<Paged<AuditEvent>, AppError>>,
) -> impl IntoView {
    let problem = move |field: &'static str| {
        move || {
            events.get().and_then(|result| match result {
                Err(AppError::Invalid { fields, .. }) => fields.get(field).cloned(),
                _ => None,
            })
        }
    };
    let other = move || {
        events.get().and_then(|result| match result {
            Err(AppError::Invalid { fields, message }) => {
                let placed = ["from", "to"];
                fields
                    .iter()
                    .find(|(field, _)| !placed.contains(&field.as_str()))
                    .map(|(_, problem)| problem.clone())
                    .or_else(|| fields.is_empty().then_some(message))
            }
            _ => None,
        })
    };
    let clear = |name: &str| {
        let mut next = filter.clone();
        match name {
            "actor" => next.actor.clear(),
            _ => next.person.clear(),
        }
        next.url(None)
    };
    let chips = [
        ("actor", "Made by one actor", filter.actor.clone()),
        ("person", "Concerning one person", filter.person.clone()),
    ];
    view! {
        <form method="get" action="/audit" class="search" role="search">
            {(!filter.actor.is_empty()).then(|| view! { <input type="hidden" name="actor" value=filter.actor.clone()/> })}
            {(!filter.person.is_empty()).then(|| view! { <input type="hidden" name="person" value=filter.person.clone()/> })}
            <label for="audit-action">"What"</label>
            <select id="audit-action" name="action">
                <option value="" selected=filter.action.is_empty()>"Any change"</option>
                {AuditAction::all().iter().map(|action| view! {
                    <option value=action.as_str() selected=filter.action == action.as_str()>{action.label()}</option>
                }).collect_view()}
            </select>
            <label for="audit-from">"From"</label>
            <input id="audit-from" type="date" name="from" value=filter.from.clone()
                aria-describedby="audit-from-error"/>
            <span class="field-error" id="audit-from-error" role="alert">{problem("from")}</span>
            <label for="audit-to">"To"</label>
            <input id="audit-to" type="date" name="to" value=filter.to.clone()
                aria-describedby="audit-to-error"/>
            <span class="field-error" id="audit-to-error" role="alert">{problem("to")}</span>
            <button type="submit">"Filter"</button>
        </form>
        <p class="field-error" role="alert" data-testid="filter-problem">{other}</p>
        <ul class="chips">
            {chips.into_iter().filter(|(_, _, value)| !value.is_empty()).map(|(name, label, _)| view! {
                <li data-testid=format!("filter-{name}")>{label}" "<a href=clear(name)>"Show everyone"</a></li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn EventTable(page: Paged<AuditEvent>, filter: LogFilter, later: bool) -> impl IntoView {
    if page.results.is_empty() {
        return view! { <p class="empty" data-testid="no-events">"No changes match."</p> }
            .into_any();
    }
    let next = page.next_cursor.clone();
    let pager_filter = filter.clone();
    view! {
        <table class="data audit" data-testid="audit-events">
            <thead>
                <tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Concerning"</th>
                    <th scope="col">"Changes"</th>
                </tr>
            </thead>
            <tbody>
                {page.results.into_iter().map(|event| view! { <EventRow event filter=filter.clone()/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {later.then(|| view! { <A href=pager_filter.url(None)>"Newest"</A> })}
            {next.map(|cursor| view! { <A href=pager_filter.url(Some(&cursor)) attr:rel="next">"Older changes"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
fn EventRow(event: AuditEvent, filter: LogFilter) -> impl IntoView {
    let actor = event.actor.describe();
    let by_actor = event.actor.id.map(|id| {
        LogFilter {
            actor: id.to_string(),
            ..filter.clone()
        }
        .url(None)
    });
    let concerning = event.target_label();
    let about_person = event.person.as_ref().map(|person| {
        LogFilter {
            person: person.id.to_string(),
            ..filter.clone()
        }
        .url(None)
    });
    let via = event.via.to_string();
    view! {
        <tr data-testid="audit-event">
            <td>{when(&event.at)}</td>
            <td>
                {match by_actor {
                    Some(url) => view! { <a href=url data-testid="actor">{actor}</a> }.into_any(),
                    None => view! { <span data-testid="actor">{actor}</span> }.into_any(),
                }}
                <span class="via">{format!(" via {via}")}</span>
            </td>
            <td data-testid="action">{event.action.label()}</td>
            <td>
                {match about_person {
                    Some(url) => view! { <a href=url data-testid="concerning">{concerning}</a> }.into_any(),
                    None => view! { <span data-testid="concerning">{concerning}</span> }.into_any(),
                }}
            </td>
            <td><Changes changes=event.changes/></td>
        </tr>
    }
}

/// A field's path as a reader says it: `role.name` → "Role › name", `last_name` → "Last name".
fn field_label(path: &str) -> String {
    let spaced = path.replace('_', " ").replace('.', " › ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Before and after, one line per field that differs.
#[component]
fn Changes(changes: Vec<FieldChange>) -> impl IntoView {
    if changes.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <ul class="changes" data-testid="changes">
            {changes.into_iter().map(|change| view! {
                <li>
                    <span class="field" title=change.field.clone()>{field_label(&change.field)}</span>": "
                    {change.before.map(|before| view! { <del>{before}</del> })}
                    " → "
                    {match change.after {
                        Some(after) => view! { <ins>{after}</ins> }.into_any(),
                        None => view! { <em>"(removed)"</em> }.into_any(),
                    }}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
