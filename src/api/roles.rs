use super::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::idempotency::{IdempotencyKey, once};
use super::input::{JsonBody, Params, path_id};
use super::params::RoleFilters;
use crate::domain::error::Problems;
use crate::domain::model::{ConnectorType, Paged, Role};
use crate::domain::roles::{NewRole, ReportRoleInput, RoleChange, RoleInput};
use crate::domain::users::ReportRole;
use crate::domain::{ReportRoleId, RoleId};
use crate::service::{Context, catalog, roles};
use axum::response::Response;

/// List user roles
///
/// The roles usable in the client's organization, its brands' roles included.
#[utoipa::path(get, path = "/user-roles", operation_id = "listUserRoles", tag = "roles", params(RoleFilters),
    responses((status = 200, description = "One page of roles.", body = Paged<Role>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(filters): Params<RoleFilters>,
) -> ApiResult<Json<Paged<Role>>> {
    let mut problems = Problems::default();
    let role_type = filters
        .role_type
        .as_deref()
        .map(|t| t.trim().to_uppercase())
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            problems.check(
                "type",
                t.parse::<ConnectorType>()
                    .map_err(|_| "Use L (library) or O (outlet).".to_string()),
            )
        });
    let page = filters.page(&mut problems);
    problems.finish()?;
    Ok(Json(
        catalog::roles_page(&context, &who, role_type, &page).await?,
    ))
}

/// Create a user role
#[utoipa::path(post, path = "/user-roles", operation_id = "createUserRole", tag = "roles", request_body = RoleInput,
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer (marked Idempotency-Replayed) and writes nothing; the same key with another body is refused (422).")),
    responses((status = 201, description = "The role made.", body = Role)))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<RoleInput>,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /user-roles", &input);
    let new = NewRole::try_from(&input)?;
    once(&context, key, StatusCode::CREATED, false, async |work| {
        roles::create_role(work, &who, new).await
    })
    .await
}

/// Change a user role
///
/// Only what is sent changes. A brand's role is changed by the brand's owner only.
#[utoipa::path(patch, path = "/user-roles/{id}", operation_id = "updateUserRole", tag = "roles",
    params(("id" = uuid::Uuid, Path, description = "The role's id.")),
    request_body = RoleInput,
    responses((status = 200, description = "The role as changed.", body = Role)))]
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RoleInput>,
) -> ApiResult<Json<Role>> {
    let id = path_id(&id, RoleId::parse)?;
    let change = RoleChange::try_from(&input)?;
    let mut work = context.begin().await?;
    let role = roles::update_role(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Json(role))
}

/// Delete a user role
///
/// Refused with 409 while a connector grants it.
#[utoipa::path(delete, path = "/user-roles/{id}", operation_id = "deleteUserRole", tag = "roles",
    params(("id" = uuid::Uuid, Path, description = "The role's id.")),
    responses((status = 204, description = "Deleted.")))]
pub async fn delete(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, RoleId::parse)?;
    let mut work = context.begin().await?;
    roles::delete_role(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create a report role
#[utoipa::path(post, path = "/report-roles", operation_id = "createReportRole", tag = "report roles", request_body = ReportRoleInput,
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer (marked Idempotency-Replayed) and writes nothing; the same key with another body is refused (422).")),
    responses((status = 201, description = "The report role made.", body = ReportRole)))]
pub async fn create_report(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<ReportRoleInput>,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /report-roles", &input);
    let name = input.name()?;
    once(&context, key, StatusCode::CREATED, false, async |work| {
        roles::create_report_role(work, &who, &name).await
    })
    .await
}

/// Rename a report role
#[utoipa::path(patch, path = "/report-roles/{id}", operation_id = "renameReportRole", tag = "report roles",
    params(("id" = uuid::Uuid, Path, description = "The report role's id.")),
    request_body = ReportRoleInput,
    responses((status = 200, description = "The report role as renamed.", body = ReportRole)))]
pub async fn rename_report(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ReportRoleInput>,
) -> ApiResult<Json<ReportRole>> {
    let id = path_id(&id, ReportRoleId::parse)?;
    let name = input.name()?;
    let mut work = context.begin().await?;
    let role = roles::rename_report_role(&mut work, &who, id, &name).await?;
    work.commit().await?;
    Ok(Json(role))
}

/// Delete a report role
///
/// Refused with 409 while someone holds it.
#[utoipa::path(delete, path = "/report-roles/{id}", operation_id = "deleteReportRole", tag = "report roles",
    params(("id" = uuid::Uuid, Path, description = "The report role's id.")),
    responses((status = 204, description = "Deleted.")))]
pub async fn delete_report(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, ReportRoleId::parse)?;
    let mut work = context.begin().await?;
    roles::delete_report_role(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
