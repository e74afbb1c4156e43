use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, path_id, query_params};
use crate::domain::ConnectorId;
use crate::domain::commands::{ConnectorChange, ConnectorListQuery, NewConnector};
use crate::domain::model::{Connector, ConnectorQuery, CreateConnector, Paged, UpdateConnector};
use crate::service::{Context, connectors as service};

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
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Connector>>> {
    let mut params = query_params(raw.as_deref(), &FILTERS)?;
    let query = ConnectorListQuery::try_from(&ConnectorQuery {
        connector_type: params.remove("type"),
        email: params.remove("email"),
        role_id: params.remove("role_id"),
        outlet_id: params.remove("outlet_id"),
        modified_since: params.remove("modified_since"),
        page_size: params.remove("page_size"),
        cursor: params.remove("cursor"),
    })?;
    Ok(Json(service::list(&context, &who, &query).await?))
}

/// `GET /api/v1/user-connectors/{id}`
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<Connector>> {
    let id = path_id(&id, ConnectorId::parse)?;
    Ok(Json(service::get(&context, &who, id).await?))
}

/// `POST /api/v1/user-connectors` → 201
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    JsonBody(input): JsonBody<CreateConnector>,
) -> ApiResult<(StatusCode, Json<Connector>)> {
    let new = NewConnector::try_from(input)?;
    let mut work = context.begin().await?;
    let connector = service::create(&mut work, &who, new).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(connector)))
}

/// `PATCH /api/v1/user-connectors/{id}`
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UpdateConnector>,
) -> ApiResult<Json<Connector>> {
    let id = path_id(&id, ConnectorId::parse)?;
    let change = ConnectorChange::try_from(input)?;
    let mut work = context.begin().await?;
    let connector = service::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Json(connector))
}

/// `DELETE /api/v1/user-connectors/{id}` → 204
pub async fn delete(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, ConnectorId::parse)?;
    let mut work = context.begin().await?;
    service::delete(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
