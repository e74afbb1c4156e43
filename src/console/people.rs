//! People: the list of the current organization's people (searchable, paged, scoped) and
//! one person's record (its edit section is `person_edit`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::bulk::BulkActions;
use super::invitations::{RevokeInvitation, SendInvitation};
use super::person_edit::{EditPerson, SetPersonStatus, UpdatePerson, load_person_editing};
use super::person_record::PersonRecordView;
use super::{Problem, url_with};
use crate::domain::AppError;
use crate::domain::invitations::InvitationState;
use crate::domain::model::{PeoplePage as Page, PersonRecord};
use crate::domain::users::PeopleFilter;

/// People per page of the console list.
#[cfg(feature = "ssr")]
const PAGE_SIZE: u32 = 15;

#[server(prefix = "/rpc", endpoint = "list_people")]
pub async fn list_people(
    search: String,
    /// The cursor of the page (empty: the first).
    #[server(default)]
    after: String,
    #[server(default)] managed: String,
    #[server(default)] status: String,
    #[server(default)] sign_in: String,
) -> Result<Page, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::user_commands::PeopleSelection;
    with_status(
        async move {
            let caller = caller().await?;
            let after = match after.trim() {
                "" => None,
                text => Some(crate::domain::MembershipId::parse(text).ok_or_else(|| {
                    AppError::bad_request(
                        "malformed_request",
                        "This page cursor is not one the list gave.",
                    )
                })?),
            };
            let selection = PeopleSelection::try_from(&PeopleFilter {
                search,
                managed,
                status,
                sign_in,
            })?;
            crate::service::people::list(
                &context()?,
                &caller.principal,
                &selection,
                after,
                PAGE_SIZE,
            )
            .await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "get_person")]
pub async fn get_person(id: String) -> Result<PersonRecord, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            crate::service::people::record(&context()?, &caller.principal, id).await
        }
        .await,
    )
}

fn people_url(filter: &PeopleFilter, after: Option<&str>) -> String {
    let pairs = [
        ("q", filter.search.as_str()),
        ("managed", filter.managed.as_str()),
        ("status", filter.status.as_str()),
        ("sign_in", filter.sign_in.as_str()),
        ("after", after.unwrap_or_default()),
    ];
    url_with("/users", &pairs)
}

/// The sign-in filter's choices (the list takes any number of days from the URL).
const SIGN_IN_CHOICES: [(&str, &str); 6] = [
    ("", "Any time"),
    ("never", "Never signed in"),
    ("30", "Not in 30 days"),
    ("90", "Not in 90 days"),
    ("180", "Not in 180 days"),
    ("365", "Not in a year"),
];

#[component]
pub fn PeoplePage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        PeopleFilter {
            search: q.get("q").unwrap_or_default(),
            managed: q.get("managed").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
            sign_in: q.get("sign_in").unwrap_or_default(),
        }
    });
    let after = move || query.read().get("after").unwrap_or_default();
    // Bumped when a bulk action ends, so the list shows what it changed.
    let refresh = RwSignal::new(0u32);
    let selected = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let people = Resource::new(
        move || (filter.get(), after(), refresh.get()),
        |(filter, after, _)| {
            list_people(
                filter.search,
                after,
                filter.managed,
                filter.status,
                filter.sign_in,
            )
        },
    );
    let navigate = use_navigate();
    let go = move |next: PeopleFilter, replace: bool| {
        navigate(
            &people_url(&next, None),
            NavigateOptions {
                replace,
                ..Default::default()
            },
        )
    };
    // Without JavaScript the form is a plain GET; hydrated, it filters as you type or choose.
    let typed = RwSignal::new(filter.get_untracked().search);
    let on_submit = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            go(
                PeopleFilter {
                    search: typed.get_untracked(),
                    ..filter.get_untracked()
                },
                true,
            );
        }
    };
    let on_input = {
        let go = go.clone();
        move |ev: leptos::ev::Event| {
            typed.set(event_target_value(&ev));
            go(
                PeopleFilter {
                    search: typed.get_untracked(),
                    ..filter.get_untracked()
                },
                true,
            );
        }
    };
    let choose = move |name: &'static str, value: String| {
        let mut next = filter.get_untracked();
        match name {
            "managed" => next.managed = value,
            "sign_in" => next.sign_in = value,
            _ => next.status = value,
        }
        go(next, false);
    };
    let viewer = Resource::new(|| (), |_| super::session::current_viewer());
    let matching = Signal::derive(move || {
        people
            .get()
            .and_then(Result::ok)
            .map(|page| {
                if page.total_capped {
                    format!("more than {}", page.total)
                } else {
                    page.total.to_string()
                }
            })
            .unwrap_or_default()
    });
    let choose_status = choose.clone();
    let choose_sign_in = choose.clone();
    view! {
        <Title text="People"/>
        <h1>"People"</h1>
        <form method="get" action="/users" role="search" class="search" on:submit=on_submit>
            <label for="people-search">"Search by name, email or employee number"</label>
            <input id="people-search" type="search" name="q" prop:value=move || filter.get().search autocomplete="off"
                on:input=on_input/>
            <label for="people-managed">"Managed by"</label>
            <select id="people-managed" name="managed"
                on:change=move |ev| choose("managed", event_target_value(&ev))>
                <ManagedOptions people filter/>
            </select>
            <label for="people-status">"Status"</label>
            <select id="people-status" name="status"
                on:change=move |ev| choose_status("status", event_target_value(&ev))>
                {[("", "Any status"), ("active", "Active"), ("inactive", "Deactivated")].into_iter().map(|(value, label)| view! {
                    <option value=value selected=move || filter.get().status == value>{label}</option>
                }).collect_view()}
            </select>
            <label for="people-sign-in">"Last sign-in"</label>
            <select id="people-sign-in" name="sign_in"
                on:change=move |ev| choose_sign_in("sign_in", event_target_value(&ev))>
                {SIGN_IN_CHOICES.into_iter().map(|(value, label)| view! {
                    <option value=value selected=move || filter.get().sign_in == value>{label}</option>
                }).collect_view()}
            </select>
            <button type="submit">"Search"</button>
        </form>
        <p class="downloads">
            <a rel="external" download="" data-testid="people-csv"
                href=move || {
                    let f = filter.get();
                    url_with("/exports/people.csv", &[
                        ("search", f.search.as_str()),
                        ("managed", f.managed.as_str()),
                        ("status", f.status.as_str()),
                        ("sign_in", f.sign_in.as_str()),
                    ])
                }>"Download these people (CSV)"</a>
        </p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                use crate::domain::Permission;
                let viewer = viewer.await.ok()?;
                let changes = viewer.holds(Permission::ManageUsers)
                    || viewer.holds(Permission::ManageConnectors);
                changes.then(|| view! { <BulkActions selected filter matching refresh/> })
            })}
        </Suspense>
        <Transition fallback=|| view! { <p>"Loading people…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(page) => view! { <PeopleTable page filter=filter.get_untracked() selected/> }.into_any(),
                    Err(error) => view! { <Problem error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The "managed by" choices: the channels, and each brand whose people the organization holds.
#[component]
fn ManagedOptions(
    people: Resource<Result<Page, AppError>>,
    filter: Memo<PeopleFilter>,
) -> impl IntoView {
    let fixed = [
        ("", "Anyone"),
        ("console", "Console"),
        ("api", "API"),
        ("scim", "SCIM"),
    ];
    view! {
        {fixed.into_iter().map(|(value, label)| view! {
            <option value=value selected=move || filter.get().managed == value>{label}</option>
        }).collect_view()}
        <Transition>
            {move || Suspend::new(async move {
                people.await.map(|page| page.brands.into_iter().map(|brand| {
                    let value = format!("brand:{}", brand.id);
                    let selected = filter.get_untracked().managed == value;
                    view! { <option value=value selected=selected>{format!("Brand: {}", brand.name)}</option> }
                }).collect_view()).ok()
            })}
        </Transition>
    }
}

#[component]
fn PeopleTable(
    page: Page,
    filter: PeopleFilter,
    selected: RwSignal<std::collections::BTreeSet<String>>,
) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="empty" data-testid="no-people">"No people match."</p> }
            .into_any();
    }
    let caption = page.caption();
    let (later, next) = (page.later, page.next.clone());
    let rows = page.rows;
    view! {
        <table class="data" data-testid="people">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col"><span class="visually-hidden">"Select"</span></th>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Username"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Last sign-in"</th>
                    <th scope="col">"Managed by"</th>
                    <th scope="col">"Roles"</th>
                </tr>
            </thead>
            <tbody>
                // Keyed by person: a row is never reused for someone else while the list
                // reloads, so a tick always lands on the person it names.
                <For each=move || rows.clone() key=|person| person.id children=move |person| {
                    let id = person.id.to_string();
                    let (checked_id, toggled_id) = (id.clone(), id.clone());
                    view! {
                    <tr>
                        <td>
                            <input type="checkbox" name="person" value=id.clone()
                                aria-label=format!("Select {}", person.name)
                                prop:checked=move || selected.read().contains(&checked_id)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|all| {
                                        if on { all.insert(toggled_id.clone()); } else { all.remove(&toggled_id); }
                                    });
                                }/>
                        </td>
                        <th scope="row"><A href=format!("/users/{}", person.id)>{person.name}</A></th>
                        <td>{person.email}</td>
                        <td>{person.username.unwrap_or_else(|| "—".into())}</td>
                        <td>
                            <span class=format!("status status-{}", person.status)>{person.status.to_string()}</span>
                            {person.invitation.filter(|i| i.state != InvitationState::Accepted).map(|i| view! {
                                <span class=format!("status invitation-{}", i.state)>{i.state.label()}</span>
                            })}
                        </td>
                        <td>{super::invitations::last_sign_in(person.last_signed_in_at.as_deref())}</td>
                        <td>{match person.managed_by_brand {
                            Some(brand) => format!("User managed by {brand}"),
                            None => person.managed_by.to_string(),
                        }}</td>
                        <td>{person.roles.join(", ")}</td>
                    </tr>
                }}/>
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {later.then(|| view! { <A href=people_url(&filter, None)>"First page"</A> })}
            {next.map(|after| view! { <A href=people_url(&filter, Some(&after)) attr:rel="next">"Next page"</A> })}
        </nav>
    }
    .into_any()
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<UpdatePerson>::new();
    let status = ServerAction::<SetPersonStatus>::new();
    let send = ServerAction::<SendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let id = move || params.read().get("id").unwrap_or_default();
    let changes = move || {
        (
            save.version().get(),
            status.version().get(),
            send.version().get() + revoke.version().get(),
        )
    };
    let person = Resource::new(move || (id(), changes()), |(id, _)| get_person(id));
    let editing = Resource::new(move || (id(), changes()), |(id, _)| load_person_editing(id));
    let viewer = Resource::new(|| (), |_| super::session::current_viewer());
    view! {
        <p><A href="/users">"← People"</A></p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            // Both resources in one Suspend: a Suspend nested in another hydrated against the
            // wrong elements when the page was loaded directly.
            {move || Suspend::new(async move {
                let (person, editing, viewer) = (person.await, editing.await, viewer.await);
                let audit = viewer.is_ok_and(|v| v.holds_everywhere(crate::domain::Permission::ViewAudit));
                match person {
                    Ok(person) => view! {
                        <PersonRecordView person audit manage=editing.is_ok() send revoke/>
                        // Without the permission to manage people, the record stays as it is.
                        {editing.ok().map(|editing| view! { <EditPerson editing save status/> })}
                    }.into_any(),
                    Err(error) => view! { <Title text="Not found"/><Problem error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
