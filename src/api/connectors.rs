use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, path_id, query_params};
use crate::domain::model::{Connector, ConnectorQuery, CreateConnector, Paged, UpdateConnector};
use crate::server::startup::AppState;
use crate::service::connectors as service;

const FILTERS: [&str; 7] = [
    "type",
    "email",
    "role_id",
    "outlet_id",
    "modified_since",
    "page_size",
    "cursor",
];

/// `GET /api/v1/user-connectors`
pub async fn list(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Connector>>> {
    let mut params = query_params(raw.as_deref(), &FILTERS)?;
    let query = ConnectorQuery {
        connector_type: params.remove("type"),
        email: params.remove("email"),
        role_id: params.remove("role_id"),
        outlet_id: params.remove("outlet_id"),
        modified_since: params.remove("modified_since"),
        page_size: params.remove("page_size"),
        cursor: params.remove("cursor"),
    };
    Ok(Json(service::list(&state, &who, &query).await?))
}

/// `GET /api/v1/user-connectors/{id}`
pub async fn get(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<Connector>> {
    Ok(Json(service::get(&state, &who, path_id(&id)?).await?))
}

/// `POST /api/v1/user-connectors` → 201
pub async fn create(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    JsonBody(input): JsonBody<CreateConnector>,
) -> ApiResult<(StatusCode, Json<Connector>)> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state, &who, input).await?),
    ))
}

/// `PATCH /api/v1/user-connectors/{id}`
pub async fn update(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UpdateConnector>,
) -> ApiResult<Json<Connector>> {
    let id = path_id(&id)?;
    Ok(Json(service::update(&state, &who, id, input).await?))
}

/// `DELETE /api/v1/user-connectors/{id}` → 204
pub async fn delete(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    service::delete(&state, &who, path_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
