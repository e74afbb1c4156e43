//! Bulk actions on the people list: the people ticked, or everyone the filter matches;
//! deactivate, reactivate, add a role (across the organization, at an outlet or through an
//! outlet group) or remove one. It runs as a job (`service::bulk`): a progress bar, then each
//! person's result — done, or refused with the reason.

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::connectors::load_access_options;
use super::form::{FormAlert, field_error};
use super::picker::{GroupPicker, OutletPicker};
use crate::domain::AppError;
use crate::domain::me::BulkJob;
use crate::domain::users::PeopleFilter;

#[server(prefix = "/rpc", endpoint = "start_bulk_action")]
#[allow(clippy::too_many_arguments)]
pub async fn start_bulk_action(
    action: String,
    #[server(default)] role: String,
    /// An outlet picker's text (add a role at an outlet).
    #[server(default)]
    outlet: String,
    #[server(default)] outlet_group: String,
    /// The ids of the people ticked, separated by commas.
    #[server(default)]
    people: String,
    /// Everyone the filter below matches, instead of `people`.
    #[server(default)]
    all_matching: bool,
    #[server(default)] filter: PeopleFilter,
) -> Result<BulkJob, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::bulk::{BulkAction, BulkTargets};
    use crate::domain::user_commands::PeopleSelection;
    with_status(
        async move {
            let caller = caller().await?;
            let outlets = super::picker::resolve(&caller, &outlet, "outlet")
                .await?
                .into_iter()
                .collect();
            let context = context()?;
            let outlet_group = super::picker::resolve_group_text(
                &context,
                &caller.principal,
                &outlet_group,
                "outlet_group",
            )
            .await?
            .unwrap_or_default();
            let action = BulkAction::parse(action.trim(), &role, outlets, &outlet_group)?;
            let targets = if all_matching {
                BulkTargets::Matching(PeopleSelection::try_from(&filter)?)
            } else {
                let mut ids = Vec::new();
                for text in people.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    ids.push(crate::domain::UserId::parse(text).ok_or_else(|| {
                        AppError::field("people", "Someone selected is not in this list.")
                    })?);
                }
                BulkTargets::People(ids)
            };
            crate::service::bulk::start(&context, &caller.principal, targets, action).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "bulk_progress")]
pub async fn bulk_progress(id: String) -> Result<BulkJob, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
            crate::service::bulk::progress(&context()?, &caller.principal, id).await
        }
        .await,
    )
}

/// The panel above the list: what is selected, what to do, and the job's progress.
#[component]
pub fn BulkActions(
    selected: RwSignal<BTreeSet<String>>,
    filter: Memo<PeopleFilter>,
    /// How many people the filter matches, as the list words it.
    matching: Signal<String>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let start = ServerAction::<StartBulkAction>::new();
    let job = RwSignal::new(None::<BulkJob>);
    let all = RwSignal::new(false);
    let action = RwSignal::new(String::from("deactivate"));
    Effect::new(move |_| {
        if let Some(Ok(started)) = start.value().get() {
            job.set(Some(started));
            super::form::follow_job(
                job,
                refresh,
                |job| job.progress.status == "running",
                |job| bulk_progress(job.progress.id.to_string()),
            );
        }
    });
    let error = Signal::derive(move || start.value().get().and_then(Result::err));
    let options = Resource::new(|| (), |_| load_access_options());
    let with_role = move || action.get() == "add_role" || action.get() == "remove_role";
    let ticked = move || {
        let ids: Vec<String> = selected.get().into_iter().collect();
        ids.join(",")
    };
    view! {
        <details class="add-user" data-testid="bulk-actions">
            <summary>"Change several people at once"</summary>
            <ActionForm action=start attr:class="grid" attr:novalidate="">
                <input type="hidden" name="people" prop:value=ticked/>
                <input type="hidden" name="filter[search]" prop:value=move || filter.get().search/>
                <input type="hidden" name="filter[managed]" prop:value=move || filter.get().managed/>
                <input type="hidden" name="filter[status]" prop:value=move || filter.get().status/>
                <input type="hidden" name="filter[sign_in]" prop:value=move || filter.get().sign_in/>
                <p role="status" data-testid="bulk-selected">{move || if all.get() {
                    format!("Everyone matching this filter ({})", matching.get())
                } else {
                    format!("{} selected", selected.get().len())
                }}</p>
                <div class="field checkbox">
                    <input id="bulk-all" name="all_matching" type="checkbox" value="true"
                        on:change=move |ev| all.set(event_target_checked(&ev))/>
                    <label for="bulk-all">{move || format!("All matching this filter ({})", matching.get())}</label>
                </div>
                <div class="field">
                    <label for="bulk-action">"Action"</label>
                    <select id="bulk-action" name="action" on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="deactivate">"Deactivate"</option>
                        <option value="reactivate">"Reactivate"</option>
                        <option value="add_role">"Add a role"</option>
                        <option value="remove_role">"Remove a role"</option>
                    </select>
                    <p class="field-error">{field_error(error, "action")}</p>
                </div>
                <Show when=with_role>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            options.await.ok().map(|options| view! {
                                <div class="field">
                                    <label for="bulk-role">"Role"</label>
                                    <select id="bulk-role" name="role" aria-describedby="bulk-role-error">
                                        {options.roles.into_iter().map(|r| view! {
                                            <option value=r.id.to_string()>{format!("{} ({})", r.name, r.role_type)}</option>
                                        }).collect_view()}
                                    </select>
                                    <p class="field-error" id="bulk-role-error">{field_error(error, "role")}</p>
                                </div>
                                <Show when=move || action.get() == "add_role">
                                    <div class="field">
                                        <label for="bulk-outlet">"At outlet (an outlet role)"</label>
                                        <OutletPicker id="bulk-outlet" name="outlet" managing=true described_by="bulk-outlet-error"/>
                                        <p class="field-error" id="bulk-outlet-error">{field_error(error, "outlet")}</p>
                                    </div>
                                    {options.offers_outlet_groups.then(|| view! {
                                        <div class="field">
                                            <label for="bulk-group">"Or through an outlet group"</label>
                                            <GroupPicker id="bulk-group" name="outlet_group" described_by="bulk-group-error"/>
                                            <p class="field-error" id="bulk-group-error">{field_error(error, "outlet_group")}</p>
                                        </div>
                                    })}
                                </Show>
                            })
                        })}
                    </Suspense>
                </Show>
                <p class="field-error" id="bulk-people-error">{field_error(error, "people")}</p>
                <FormAlert error/>
                <div class="actions">
                    <button type="submit" disabled=move || start.pending().get()
                        || job.get().is_some_and(|j| j.progress.status == "running")>"Apply to them"</button>
                </div>
            </ActionForm>
            {move || job.get().map(|job| {
                let refused = job.results.iter().filter(|r| r.refused.is_some()).count();
                view! {
                    <div data-testid="bulk-job">
                        <label for="bulk-progress">{format!("{} of {} people", job.progress.done, job.progress.total)}</label>
                        <progress id="bulk-progress" max=job.progress.total.max(1) value=job.progress.done></progress>
                        <p role="status" data-testid="bulk-status">{job.progress.summary.clone().unwrap_or_else(|| "Running…".into())}</p>
                        {(refused > 0).then(|| view! { <p>{format!("{refused} refused: see why below.")}</p> })}
                        <table class="data" data-testid="bulk-results">
                            <thead><tr><th scope="col">"Person"</th><th scope="col">"Result"</th></tr></thead>
                            <tbody>
                                {job.results.into_iter().map(|r| view! {
                                    <tr>
                                        <td>{r.email}</td>
                                        <td>{match r.refused {
                                            None => "Done".to_string(),
                                            Some(reason) => format!("Refused: {reason}"),
                                        }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
            })}
        </details>
    }
}
