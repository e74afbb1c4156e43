//! Editing a person on `/users/{id}`: names, username, email, mobile, default outlet, user
//! roles and locations, report roles, status. Every change goes through
//! `service::users::update`, the same code as the API's `PATCH /users/{id}`; the server
//! decides (and refuses what the page hides), including the API User Permissions lock.
//! Both forms carry the version of the person they were opened on: a change to someone
//! changed since is refused (`AppError::changed_since_opened`) and the page offers a reload.
// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::picker::OutletPicker;

use super::form::{CheckboxGroup, FormAlert, TextField, field_error};
use crate::domain::AppError;
use crate::domain::model::ConnectorType;
use crate::domain::users::{PersonEditing, User};

#[server(prefix = "/rpc", endpoint = "person_editing")]
pub async fn load_person_editing(id: String) -> Result<PersonEditing, AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            crate::service::users::editing(&context()?, &caller.principal, id).await
        }
        .await,
    )
}

/// The edit form's fields as posted. Sections the form did not show are absent (`*_shown`),
/// so nothing the viewer could not see is changed.
#[server(prefix = "/rpc", endpoint = "update_person")]
pub async fn update_person(
    id: String,
    #[server(default)] first_name: Option<String>,
    #[server(default)] last_name: Option<String>,
    #[server(default)] username: Option<String>,
    #[server(default)] email: Option<String>,
    #[server(default)] mobile_number: Option<String>,
    #[server(default)] external_id: Option<String>,
    #[server(default)] default_location: Option<String>,
    #[server(default)] access_shown: Option<String>,
    #[server(default)] user_roles: Vec<String>,
    #[server(default)] locations: Vec<String>,
    /// A location to add, picked by typing (a number or a "Name (NUMBER)" label).
    #[server(default)]
    add_location: Option<String>,
    #[server(default)] reports_shown: Option<String>,
    #[server(default)] all_reports_access: Option<String>,
    #[server(default)] report_roles: Vec<String>,
    /// The version the form was opened on.
    #[server(default)]
    version: Option<String>,
) -> Result<User, AppError> {
    use super::server::{caller, with_status};
    use crate::domain::user_commands::UserChange;
    use crate::domain::users::{IdInput, UserInput};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            let ids = |list: Vec<String>| list.into_iter().map(IdInput::Plain).collect();
            use super::picker::resolve_text as resolve;
            let default_location = match default_location {
                Some(text) => resolve(&caller, &text, "default_location").await?,
                None => None,
            };
            let mut locations = locations;
            if let Some(text) = add_location {
                locations.extend(resolve(&caller, &text, "locations").await?);
            }
            let all_reports = all_reports_access.is_some();
            let input = UserInput {
                first_name,
                last_name,
                username,
                email,
                mobile_number: mobile_number.map(|m| Some(m).filter(|m| !m.trim().is_empty())),
                external_id: external_id.map(|e| Some(e).filter(|e| !e.trim().is_empty())),
                default_location: default_location.map(IdInput::Plain),
                user_roles: access_shown.is_some().then(|| ids(user_roles)),
                locations: access_shown.is_some().then(|| ids(locations)),
                all_reports_access: reports_shown.is_some().then_some(all_reports),
                report_roles: (reports_shown.is_some() && !all_reports).then(|| ids(report_roles)),
                ..Default::default()
            };
            let change = UserChange::try_from(&input)?;
            save(&caller.principal, id, version.as_deref(), change).await
        }
        .await,
    )
}

/// Applies a change to a person in one unit of work, refused when the record changed since
/// the form's `version` was read.
#[cfg(feature = "ssr")]
async fn save(
    who: &crate::service::Principal,
    id: crate::domain::UserId,
    version: Option<&str>,
    change: crate::domain::user_commands::UserChange,
) -> Result<User, AppError> {
    let mut work = super::server::context()?.begin().await?;
    crate::service::users::ensure_version(&mut work, who, id, version).await?;
    let user = crate::service::users::update(&mut work, who, id, change).await?;
    work.commit().await?;
    Ok(user)
}

/// Deactivates (`inactive` "true") or reactivates a person.
#[server(prefix = "/rpc", endpoint = "set_person_status")]
pub async fn set_person_status(
    id: String,
    inactive: String,
    #[server(default)] version: Option<String>,
) -> Result<User, AppError> {
    use super::server::{caller, with_status};
    use crate::domain::user_commands::UserChange;
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::UserId::parse(&id).ok_or(AppError::NotFound)?;
            let inactive = match inactive.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::field("inactive", "Send true or false.")),
            };
            let change = UserChange {
                inactive: Some(inactive),
                ..Default::default()
            };
            save(&caller.principal, id, version.as_deref(), change).await
        }
        .await,
    )
}

/// The edit section of a person's record, or why the record is read-only.
#[component]
pub fn EditPerson(
    editing: PersonEditing,
    save: ServerAction<UpdatePerson>,
    status: ServerAction<SetPersonStatus>,
) -> impl IntoView {
    if let Some(reason) = editing.locked {
        return view! {
            <p class="notice locked" role="note" data-testid="locked-reason">
                <strong>"Read-only. "</strong>{reason}
            </p>
        }
        .into_any();
    }
    let user = editing.user;
    let version = editing.version;
    let status_version = version.clone();
    let id = user.id.to_string();
    let status_id = id.clone();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let roles: Vec<(String, String, bool)> = editing
        .roles
        .iter()
        .map(|role| {
            let kind = match role.role_type {
                ConnectorType::Library => "every location",
                ConnectorType::Outlet => "at the locations below",
            };
            (
                role.id.to_string(),
                format!("{} ({kind})", role.name),
                user.user_roles.iter().any(|r| r.id == role.id),
            )
        })
        .collect();
    let held_locations: Vec<_> = user.locations.iter().flatten().map(|o| o.id).collect();
    let locations: Vec<(String, String, bool)> = editing
        .outlets
        .iter()
        .map(|o| {
            (
                o.id.to_string(),
                format!("{} ({})", o.name, o.number),
                held_locations.contains(&o.id),
            )
        })
        .collect();
    let default = user
        .default_location
        .as_ref()
        .map(|o| crate::domain::model::outlet_label(&o.name, &o.number))
        .unwrap_or_default();
    let report_roles: Vec<(String, String, bool)> = editing
        .report_roles
        .iter()
        .map(|r| {
            (
                r.id.to_string(),
                r.name.clone(),
                user.report_roles
                    .iter()
                    .flatten()
                    .any(|held| held.id == r.id),
            )
        })
        .collect();
    let status_error = Signal::derive(move || status.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="edit-heading" data-testid="edit-person">
            <h2 id="edit-heading">"Edit"</h2>
            <ActionForm action=save attr:class="grid" attr:novalidate="">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                {editing.profile_editable.then(|| view! {
                    <TextField id="edit-first-name" name="first_name" label="First name"
                        value=user.first_name.clone() error=field_error(error, "first_name")/>
                    <TextField id="edit-last-name" name="last_name" label="Last name"
                        value=user.last_name.clone() error=field_error(error, "last_name")/>
                    <TextField id="edit-username" name="username" label="Username" autocomplete="off"
                        value=user.username.clone().unwrap_or_default() error=field_error(error, "username")/>
                    <TextField id="edit-email" name="email" label="Email" input_type="email" autocomplete="off"
                        value=user.email.clone() error=field_error(error, "email")/>
                    <TextField id="edit-mobile" name="mobile_number" label="Mobile" input_type="tel"
                        value=user.mobile_number.clone().unwrap_or_default() error=field_error(error, "mobile_number")/>
                })}
                <TextField id="edit-external-id" name="external_id" label="Employee number" autocomplete="off"
                    value=user.external_id.clone().unwrap_or_default() error=field_error(error, "external_id")/>
                <div class="field">
                    <label for="edit-default-location">"Default outlet"</label>
                    <OutletPicker id="edit-default-location" name="default_location" managing=false
                        value=Signal::stored(default) described_by="edit-default-location-error"/>
                    <p class="field-error" id="edit-default-location-error">{move || field_error(error, "default_location").get()}</p>
                </div>
                <input type="hidden" name="access_shown" value="1"/>
                <CheckboxGroup id="edit-roles" name="user_roles[]" legend="User roles" choices=roles
                    error=Signal::derive(move || field_error(error, "user_roles").get().or_else(|| field_error(error, "all_location_access").get()))/>
                <CheckboxGroup id="edit-locations" name="locations[]" legend="Locations (for outlet roles)" choices=locations
                    error=field_error(error, "locations")/>
                <div class="field">
                    <label for="edit-add-location">"Add a location"</label>
                    <OutletPicker id="edit-add-location" name="add_location" managing=true/>
                </div>
                {editing.reports_editable.then(|| view! {
                    <input type="hidden" name="reports_shown" value="1"/>
                    <div class="field">
                        <label class="choice" for="edit-all-reports">
                            <input type="checkbox" id="edit-all-reports" name="all_reports_access" value="1"
                                checked=user.all_reports_access/>
                            "All reports"
                        </label>
                    </div>
                    <CheckboxGroup id="edit-report-roles" name="report_roles[]" legend="Report roles" choices=report_roles
                        error=field_error(error, "report_roles")/>
                })}
                <FormAlert error/>
                <div class="actions">
                    <button type="submit">"Save changes"</button>
                    <span role="status" data-testid="saved">{move || saved().then_some("Saved.")}</span>
                </div>
            </ActionForm>
        </section>
        <section aria-labelledby="status-heading">
            <h2 id="status-heading">"Status"</h2>
            <ActionForm action=status attr:class="inline">
                <input type="hidden" name="id" value=status_id/>
                <input type="hidden" name="version" value=status_version/>
                <input type="hidden" name="inactive" value=(!user.inactive).to_string()/>
                <button type="submit" class=if user.inactive { "" } else { "danger" }>
                    {if user.inactive { "Reactivate" } else { "Deactivate" }}
                </button>
            </ActionForm>
            <FormAlert error=status_error/>
        </section>
    }
    .into_any()
}
