use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, page_only, path_id};
use crate::domain::OutletId;
use crate::domain::model::{Outlet, Paged};
use crate::domain::outlets::{OutletChange, OutletInput};
use crate::service::{Context, catalog, outlets};

/// `GET /api/v1/outlets`: the outlets the client can reach.
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Outlet>>> {
    let page = page_only(raw.as_deref())?;
    Ok(Json(catalog::outlets(&context, &who, &page).await?))
}

/// `POST /api/v1/outlets` → 201
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

/// `PATCH /api/v1/outlets/{id}`: name, number, brand, time zone; `archived` archives or restores.
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
