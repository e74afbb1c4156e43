use super::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::idempotency::{IdempotencyKey, once};
use super::input::{JsonBody, Params, path_id};
use super::params::PageParams;
use crate::domain::OutletId;
use crate::domain::model::{Outlet, Paged};
use crate::domain::outlets::{OutletChange, OutletInput};
use crate::service::{Context, catalog, outlets};
use axum::response::Response;

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
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer (marked Idempotency-Replayed) and writes nothing; the same key with another body is refused (422).")),
    responses((status = 201, description = "The outlet made.", body = Outlet)))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<OutletInput>,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /outlets", &input);
    let new = OutletChange::parse(&input, true)?;
    once(&context, key, StatusCode::CREATED, false, async |work| {
        outlets::create(work, &who, new).await
    })
    .await
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
