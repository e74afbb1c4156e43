use super::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::ApiResult;
use super::auth::ApiClient;
use super::idempotency::{IdempotencyKey, once};
use super::input::{JsonBody, Params, path_id};
use super::params::ConnectorFilters;
use super::versions::{IfMatch, Tagged};
use crate::domain::ConnectorId;
use crate::domain::commands::{ConnectorChange, ConnectorListQuery, NewConnector, Transfer};
use crate::domain::model::{
    Connector, ConnectorQuery, CreateConnector, Paged, TransferConnector, UpdateConnector,
};
use crate::service::{Context, connectors as service};
use axum::response::Response;

/// List user connectors
///
/// The connectors the client can see, oldest first, filtered.
#[utoipa::path(get, path = "/user-connectors", operation_id = "listUserConnectors", tag = "connectors",
    params(ConnectorFilters),
    responses((status = 200, description = "One page of connectors.", body = Paged<Connector>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(filters): Params<ConnectorFilters>,
) -> ApiResult<Json<Paged<Connector>>> {
    let query = ConnectorListQuery::try_from(&ConnectorQuery::from(filters))?;
    Ok(Json(service::list(&context, &who, &query).await?))
}

/// Get a user connector
#[utoipa::path(get, path = "/user-connectors/{id}", operation_id = "getUserConnector", tag = "connectors",
    params(("id" = uuid::Uuid, Path, description = "The connector's id.")),
    responses((status = 200, description = "The connector.", body = Connector, headers(("ETag" = String, description = "The version of what was answered; send it back in If-Match.")))))]
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Tagged<Connector>> {
    let id = path_id(&id, ConnectorId::parse)?;
    Ok(Tagged(service::get(&context, &who, id).await?))
}

/// Create a user connector
///
/// Grants a role to a person, at the whole organization (a library role, no outlet) or at
/// one outlet; the person's account and membership are created when they do not exist. For a
/// *deactivated* person of the organization (named by email or `external_id`) this is a
/// rehire: they are active again with this connector only, none of their earlier access.
#[utoipa::path(post, path = "/user-connectors", operation_id = "createUserConnector", tag = "connectors",
    request_body = CreateConnector,
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer (marked Idempotency-Replayed) and writes nothing; the same key with another body is refused (422).")),
    responses((status = 201, description = "The connector made.", body = Connector, headers(("ETag" = String, description = "The version of what was answered; send it back in If-Match.")))))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<CreateConnector>,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /user-connectors", &input);
    let new = NewConnector::try_from(input)?;
    once(&context, key, StatusCode::CREATED, true, async |work| {
        service::create(work, &who, new, crate::service::users::Rehire::Allowed)
            .await
            .map(|added| added.connector)
    })
    .await
}

/// Transfer a user connector
///
/// From `on` (absent or past: now), the access at the connector's outlet ends and the same
/// role starts at `outlet`, as one change: the connector gets that `ends_at`, and a new
/// connector (the answer) starts then. Checked as a move: you may change this grant and grant
/// the role at the new outlet.
#[utoipa::path(post, path = "/user-connectors/{id}/transfer", operation_id = "transferUserConnector", tag = "connectors",
    params(("id" = uuid::Uuid, Path, description = "The connector's id.")),
    request_body = TransferConnector,
    responses((status = 201, description = "The connector at the new outlet, starting `on`.", body = Connector)))]
pub async fn transfer(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<TransferConnector>,
) -> ApiResult<(StatusCode, Json<Connector>)> {
    let id = path_id(&id, ConnectorId::parse)?;
    let transfer = Transfer::try_from(input)?;
    let mut work = context.begin().await?;
    let started =
        crate::service::dated::transfer(&mut work, &who, id, transfer.to, transfer.on).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// Change a user connector
///
/// Only what is sent changes: another role, another outlet, the person's names.
#[utoipa::path(patch, path = "/user-connectors/{id}", operation_id = "updateUserConnector", tag = "connectors",
    params(("id" = uuid::Uuid, Path, description = "The connector's id."), ("If-Match" = Option<String>, Header, description = "The ETag you read: the change is refused with 412 if it changed since.")),
    request_body = UpdateConnector,
    responses((status = 200, description = "The connector as changed.", body = Connector, headers(("ETag" = String, description = "The version of what was answered; send it back in If-Match.")))))]
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<UpdateConnector>,
) -> ApiResult<Tagged<Connector>> {
    let id = path_id(&id, ConnectorId::parse)?;
    let change = ConnectorChange::try_from(input)?;
    let mut work = context.begin().await?;
    if if_match.given() {
        let now = work.now();
        if_match.check(&service::read(&mut work, &who, id, now).await?)?;
    }
    let connector = service::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Tagged(connector))
}

/// Revoke a user connector
#[utoipa::path(delete, path = "/user-connectors/{id}", operation_id = "deleteUserConnector", tag = "connectors",
    params(("id" = uuid::Uuid, Path, description = "The connector's id."), ("If-Match" = Option<String>, Header, description = "The ETag you read: the change is refused with 412 if it changed since.")),
    responses((status = 204, description = "Revoked.")))]
pub async fn delete(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, ConnectorId::parse)?;
    let mut work = context.begin().await?;
    if if_match.given() {
        let now = work.now();
        if_match.check(&service::read(&mut work, &who, id, now).await?)?;
    }
    service::delete(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
