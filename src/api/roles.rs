use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, path_id, query_params};
use crate::domain::error::Problems;
use crate::domain::model::{ConnectorType, Paged, Role};
use crate::domain::paging::PageRequest;
use crate::domain::roles::{NewRole, ReportRoleInput, RoleChange, RoleInput};
use crate::domain::users::ReportRole;
use crate::domain::{ReportRoleId, RoleId};
use crate::service::{Context, catalog, roles};

/// `GET /api/v1/user-roles?type=L|O`: the roles usable in the client's organization.
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Role>>> {
    let params = query_params(raw.as_deref(), &["type", "page_size", "cursor"])?;
    let mut problems = Problems::default();
    let role_type = params
        .get("type")
        .map(|t| t.trim().to_uppercase())
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            problems.check(
                "type",
                t.parse::<ConnectorType>()
                    .map_err(|_| "Use L (library) or O (outlet).".to_string()),
            )
        });
    let page = PageRequest::parse(
        params.get("page_size").map(String::as_str),
        params.get("cursor").map(String::as_str),
        &mut problems,
    );
    problems.finish()?;
    Ok(Json(
        catalog::roles_page(&context, &who, role_type, &page).await?,
    ))
}

/// `POST /api/v1/user-roles` → 201
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    JsonBody(input): JsonBody<RoleInput>,
) -> ApiResult<(StatusCode, Json<Role>)> {
    let new = NewRole::try_from(&input)?;
    let mut work = context.begin().await?;
    let role = roles::create_role(&mut work, &who, new).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// `PATCH /api/v1/user-roles/{id}`
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

/// `DELETE /api/v1/user-roles/{id}` → 204, or 409 while in use
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

/// `POST /api/v1/report-roles` → 201
pub async fn create_report(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    JsonBody(input): JsonBody<ReportRoleInput>,
) -> ApiResult<(StatusCode, Json<ReportRole>)> {
    let name = input.name()?;
    let mut work = context.begin().await?;
    let role = roles::create_report_role(&mut work, &who, &name).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// `PATCH /api/v1/report-roles/{id}`
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

/// `DELETE /api/v1/report-roles/{id}` → 204, or 409 while held
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
