//! `/outlet-groups`: districts and regions, the outlets they hold, and (through
//! `/user-connectors` with `outlet_group`) the access granted across them.

use super::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::ApiResult;
use super::auth::ApiClient;
use super::idempotency::{IdempotencyKey, once};
use super::input::{JsonBody, Params, path_id};
use super::params::PageParams;
use crate::domain::OutletGroupId;
use crate::domain::model::{OutletGroup, Paged};
use crate::domain::outlet_groups::{OutletGroupChange, OutletGroupInput};
use crate::service::{Context, outlet_groups};

/// List outlet groups
///
/// For clients that see access, or manage outlets, across the whole organization.
#[utoipa::path(get, path = "/outlet-groups", operation_id = "listOutletGroups", tag = "outlet groups", params(PageParams),
    responses((status = 200, description = "One page of outlet groups, each with its outlets.", body = Paged<OutletGroup>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(page): Params<PageParams>,
) -> ApiResult<Json<Paged<OutletGroup>>> {
    let page = page.only()?;
    Ok(Json(outlet_groups::list(&context, &who, &page).await?))
}

/// Get an outlet group
#[utoipa::path(get, path = "/outlet-groups/{id}", operation_id = "getOutletGroup", tag = "outlet groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id.")),
    responses((status = 200, description = "The group.", body = OutletGroup)))]
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<OutletGroup>> {
    let id = path_id(&id, OutletGroupId::parse)?;
    Ok(Json(outlet_groups::get(&context, &who, id).await?))
}

/// Create an outlet group
///
/// `name` is required; `outlets` lists its outlets' ids. Needs `outlets.manage` across the
/// organization.
#[utoipa::path(post, path = "/outlet-groups", operation_id = "createOutletGroup", tag = "outlet groups", request_body = OutletGroupInput,
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer (marked Idempotency-Replayed) and writes nothing; the same key with another body is refused (422).")),
    responses((status = 201, description = "The group made.", body = OutletGroup)))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<OutletGroupInput>,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /outlet-groups", &input);
    let new = OutletGroupChange::parse(&input, true)?;
    once(&context, key, StatusCode::CREATED, false, async |work| {
        outlet_groups::create(work, &who, new).await
    })
    .await
}

/// Change an outlet group
///
/// Rename it, replace its outlets (`outlets`), or add and take out some (`add_outlets`,
/// `remove_outlets`). Access through the group follows at once.
#[utoipa::path(patch, path = "/outlet-groups/{id}", operation_id = "updateOutletGroup", tag = "outlet groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id.")),
    request_body = OutletGroupInput,
    responses((status = 200, description = "The group as changed.", body = OutletGroup)))]
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OutletGroupInput>,
) -> ApiResult<Json<OutletGroup>> {
    let id = path_id(&id, OutletGroupId::parse)?;
    let change = OutletGroupChange::parse(&input, false)?;
    let mut work = context.begin().await?;
    let group = outlet_groups::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Json(group))
}

/// Delete an outlet group
///
/// Refused with 409 `outlet_group_in_use` while a connector grants access through it.
#[utoipa::path(delete, path = "/outlet-groups/{id}", operation_id = "deleteOutletGroup", tag = "outlet groups",
    params(("id" = uuid::Uuid, Path, description = "The group's id.")),
    responses((status = 204, description = "Deleted.")))]
pub async fn delete(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, OutletGroupId::parse)?;
    let mut work = context.begin().await?;
    outlet_groups::delete(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
