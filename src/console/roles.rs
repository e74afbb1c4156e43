//! The role tabs of Security & Permissions: define, change and delete roles (name, type,
//! partner role, permissions as checkboxes, brand) and report roles. Every change goes
//! through `service::roles`, the same code as `/api/v1/user-roles` and `/api/v1/report-roles`.

use leptos::prelude::*;

use super::form::{CheckboxGroup, FormAlert, TextField, field_error, refresh_when};
use crate::domain::model::{ConnectorType, Role};
use crate::domain::users::{ReportRole, RoleEntry, SecurityOverview};
use crate::domain::{AppError, Permission};

#[server(prefix = "/rpc", endpoint = "create_role")]
pub async fn create_role(
    name: String,
    role_type: String,
    partner_role: String,
    #[server(default)] permissions: Vec<String>,
    #[server(default)] brand: String,
) -> Result<Role, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::roles::{NewRole, RoleInput};
    with_status(
        async move {
            let caller = caller().await?;
            let new = NewRole::try_from(&RoleInput {
                name: Some(name),
                role_type: Some(role_type),
                partner_role: Some(partner_role),
                permissions: Some(permissions),
                brand: Some(brand),
            })?;
            let mut work = context()?.begin().await?;
            let role =
                crate::service::roles::create_role(&mut work, &caller.principal, new).await?;
            work.commit().await?;
            Ok(role)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "update_role")]
pub async fn update_role(
    id: String,
    name: String,
    partner_role: String,
    #[server(default)] permissions: Vec<String>,
) -> Result<Role, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::roles::{RoleChange, RoleInput};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::RoleId::parse(&id).ok_or(AppError::NotFound)?;
            let change = RoleChange::try_from(&RoleInput {
                name: Some(name),
                partner_role: Some(partner_role),
                permissions: Some(permissions),
                ..Default::default()
            })?;
            let mut work = context()?.begin().await?;
            let role = crate::service::roles::update_role(&mut work, &caller.principal, id, change)
                .await?;
            work.commit().await?;
            Ok(role)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "delete_role")]
pub async fn delete_role(id: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::RoleId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::roles::delete_role(&mut work, &caller.principal, id).await?;
            work.commit().await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "save_report_role")]
pub async fn save_report_role(
    #[server(default)] id: String,
    name: String,
) -> Result<ReportRole, AppError> {
    use super::server::{caller, context, with_status};
    use crate::domain::roles::ReportRoleInput;
    with_status(
        async move {
            let caller = caller().await?;
            let name = ReportRoleInput { name: Some(name) }.name()?;
            let mut work = context()?.begin().await?;
            let role = match id.trim() {
                "" => {
                    crate::service::roles::create_report_role(&mut work, &caller.principal, &name)
                        .await?
                }
                text => {
                    let id = crate::domain::ReportRoleId::parse(text).ok_or(AppError::NotFound)?;
                    crate::service::roles::rename_report_role(
                        &mut work,
                        &caller.principal,
                        id,
                        &name,
                    )
                    .await?
                }
            };
            work.commit().await?;
            Ok(role)
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "delete_report_role")]
pub async fn delete_report_role(id: String) -> Result<(), AppError> {
    use super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let id = crate::domain::ReportRoleId::parse(&id).ok_or(AppError::NotFound)?;
            let mut work = context()?.begin().await?;
            crate::service::roles::delete_report_role(&mut work, &caller.principal, id).await?;
            work.commit().await
        }
        .await,
    )
}

fn permission_choices(held: &[Permission]) -> Vec<(String, String, bool)> {
    Permission::all()
        .iter()
        .map(|p| (p.code().to_string(), p.code().to_string(), held.contains(p)))
        .collect()
}

#[component]
pub fn UserRolesTab(overview: SecurityOverview, refresh: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateRole>::new();
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let brands = overview.owned_brands.clone();
    view! {
        {overview.may_define.then(|| view! {
            <details class="add-user" data-testid="new-role">
                <summary>"New role"</summary>
                <ActionForm action=create attr:class="grid" attr:novalidate="">
                    <TextField id="role-name" name="name" label="Name" error=field_error(error, "name")/>
                    <div class="field">
                        <label for="role-type">"Type"</label>
                        <select id="role-type" name="role_type" aria-describedby="role-type-error">
                            <option value="L">"Library (L): the whole organization"</option>
                            <option value="O">"Outlet (O): one outlet per grant"</option>
                        </select>
                        <p class="field-error" id="role-type-error">{move || field_error(error, "type").get()}</p>
                    </div>
                    <PartnerRoleSelect id="role-partner" selected="viewer"/>
                    {(!brands.is_empty()).then(|| view! {
                        <div class="field">
                            <label for="role-brand">"Brand role of"</label>
                            <select id="role-brand" name="brand">
                                <option value="">"No brand: this organization only"</option>
                                {brands.iter().map(|b| view! { <option value=b.id.to_string()>{b.name.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                    })}
                    <CheckboxGroup id="role-permissions" name="permissions[]" legend="Permissions"
                        choices=permission_choices(&[]) error=field_error(error, "permissions")/>
                    <FormAlert error/>
                    <div class="actions"><button type="submit">"Create role"</button></div>
                </ActionForm>
            </details>
        })}
        <table class="data" data-testid="user-roles">
            <caption>"Roles give permissions: a library role (L) across the organization, an outlet role (O) at one outlet."</caption>
            <thead><tr>
                <th scope="col">"Role"</th><th scope="col">"Type"</th>
                <th scope="col">"Partner role"</th><th scope="col">"Permissions"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {overview.roles.into_iter().map(|entry| view! { <RoleRow entry refresh/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PartnerRoleSelect(#[prop(into)] id: String, selected: &'static str) -> impl IntoView {
    let label_for = id.clone();
    view! {
        <div class="field">
            <label for=label_for>"Partner role"</label>
            <select id=id name="partner_role">
                {["manager", "viewer", "api"].into_iter().map(|value| view! {
                    <option value=value selected=value == selected>{value}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn RoleRow(entry: RoleEntry, refresh: RwSignal<u32>) -> impl IntoView {
    let update = ServerAction::<UpdateRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    refresh_when(move || matches!(update.value().get(), Some(Ok(_))), refresh);
    refresh_when(move || matches!(delete.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let role = entry.role;
    let id = role.id.to_string();
    let field_id = |what: &str| format!("role-{}-{what}", role.id);
    let partner: &'static str = match role.partner_role.as_str() {
        "manager" => "manager",
        "api" => "api",
        _ => "viewer",
    };
    let permissions = if role.permissions.is_empty() {
        "None".to_string()
    } else {
        role.permissions
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let name_id = field_id("name");
    let (partner_id, permissions_id) = (field_id("partner"), field_id("permissions"));
    let (update_id, delete_id) = (id.clone(), id);
    let edit_label = format!("Edit {}", role.name);
    let delete_label = format!("Delete {}", role.name);
    view! {
        <tr data-testid="role-row">
            <th scope="row">
                {role.name.clone()}
                {role.brand.clone().map(|b| view! { <span class="tag">{format!("Brand role of {}", b.name)}</span> })}
                {role.permissions.iter().any(|p| p.manages()).then(|| view! {
                    <span class="tag tag-manages" data-testid="manages-flag">"Grants manage permissions"</span>
                })}
            </th>
            <td>{match role.role_type { ConnectorType::Library => "Library (L)", ConnectorType::Outlet => "Outlet (O)" }}</td>
            <td>{role.partner_role.to_string()}</td>
            <td>{permissions}</td>
            <td>{match entry.locked {
                Some(reason) => view! { <p class="locked">{reason}</p> }.into_any(),
                None => view! {
                    <details class="row-actions">
                        <summary aria-label=edit_label>"Edit"</summary>
                        <ActionForm action=update attr:class="stacked" attr:novalidate="">
                            <input type="hidden" name="id" value=update_id/>
                            <div class="field">
                                <label for=name_id.clone()>"Name"</label>
                                <input id=name_id name="name" value=role.name.clone()/>
                            </div>
                            <PartnerRoleSelect id=partner_id selected=partner/>
                            <CheckboxGroup id=permissions_id name="permissions[]" legend="Permissions"
                                choices=permission_choices(&role.permissions) error=field_error(error, "permissions")/>
                            <button type="submit">"Save role"</button>
                        </ActionForm>
                        <ActionForm action=delete attr:class="inline">
                            <input type="hidden" name="id" value=delete_id/>
                            <button type="submit" class="danger" aria-label=delete_label>"Delete"</button>
                        </ActionForm>
                        <FormAlert error/>
                    </details>
                }.into_any(),
            }}</td>
        </tr>
    }
}

#[component]
pub fn ReportRolesTab(overview: SecurityOverview, refresh: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<SaveReportRole>::new();
    refresh_when(move || matches!(create.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let may_define = overview.may_define;
    view! {
        {may_define.then(|| view! {
            <ActionForm action=create attr:class="grid" attr:novalidate="">
                <TextField id="report-role-name" name="name" label="New report role" error=field_error(error, "name")/>
                <FormAlert error/>
                <div class="actions"><button type="submit">"Add report role"</button></div>
            </ActionForm>
        })}
        <table class="data" data-testid="report-roles">
            <caption>"Report roles decide which reports a person sees."</caption>
            <thead><tr><th scope="col">"Report role"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                {overview.report_roles.into_iter().map(|role| view! { <ReportRoleRow role may_define refresh/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn ReportRoleRow(role: ReportRole, may_define: bool, refresh: RwSignal<u32>) -> impl IntoView {
    let rename = ServerAction::<SaveReportRole>::new();
    let delete = ServerAction::<DeleteReportRole>::new();
    refresh_when(move || matches!(rename.value().get(), Some(Ok(_))), refresh);
    refresh_when(move || matches!(delete.value().get(), Some(Ok(_))), refresh);
    let error = Signal::derive(move || {
        rename
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let (rename_id, delete_id) = (role.id.to_string(), role.id.to_string());
    let input_id = format!("report-role-{}", role.id);
    let label_for = input_id.clone();
    let delete_label = format!("Delete {}", role.name);
    view! {
        <tr>
            <td>{role.name.clone()}</td>
            <td>{may_define.then(|| view! {
                <details class="row-actions">
                    <summary>"Rename or delete"</summary>
                    <ActionForm action=rename attr:class="inline">
                        <input type="hidden" name="id" value=rename_id.clone()/>
                        <label for=label_for.clone()>"Name"</label>
                        <input id=input_id.clone() name="name" value=role.name.clone()/>
                        <button type="submit">"Rename"</button>
                    </ActionForm>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=delete_id.clone()/>
                        <button type="submit" class="danger" aria-label=delete_label.clone()>"Delete"</button>
                    </ActionForm>
                    <FormAlert error/>
                </details>
            })}</td>
        </tr>
    }
}
