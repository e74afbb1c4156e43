use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, Params, path_id};
use super::params::PageParams;
use crate::domain::OutletId;
use crate::domain::model::{Outlet, Paged};
use crate::domain::outlets::{OutletChange, OutletInput};
use crate::service::{Context, catalog, outlets};

/// List outlets
///
/// The outlets the client can reach.
#[utoipa::path(get, path = "/outlets", operation_id = "listOutlets", tag = "outlets", params(PageParams),
    responses((status = 200, description = "One page of outlets.", body = Paged<Outlet>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(page): Params<PageParams>,
) -> ApiResult<Json<Paged<Outlet>>> {
    let page = page.only()?;
    Ok(Json(catalog::outlets(&context, &who, &page).await?))
}

/// Create an outlet
///
/// `name` and `number` are required.
#[utoipa::path(post, path = "/outlets", operation_id = "createOutlet", tag = "outlets", request_body = OutletInput,
    responses((status = 201, description = "The outlet made.", body = Outlet)))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    JsonBody(input): JsonBody<OutletInput>,
) -> ApiResult<(StatusCode, Json<Outlet>)> {
    let new = OutletChange::parse(&input, true)?;
    let mut work = context.begin().await?;
    let outlet = outlets::create(&mut work, &who, new).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(outlet)))
}

/// Change an outlet
///
/// Name, number, brand, time zone; `archived` archives or restores it.
#[utoipa::path(patch, path = "/outlets/{id}", operation_id = "updateOutlet", tag = "outlets",
    params(("id" = uuid::Uuid, Path, description = "The outlet's id.")),
    request_body = OutletInput,
    responses((status = 200, description = "The outlet as changed.", body = Outlet)))]
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OutletInput>,
) -> ApiResult<Json<Outlet>> {
    let id = path_id(&id, OutletId::parse)?;
    let change = OutletChange::parse(&input, false)?;
    let mut work = context.begin().await?;
    let outlet = outlets::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Json(outlet))
}
