//! `/scim/v2/Users` (and `/.search`): list with `filter`, `startIndex`, `count`,
//! `attributes`, `excludedAttributes`; create; get; replace (PUT); modify (PATCH); delete.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::listing::{ListQuery, answer, list_body, precondition, projection};
use super::{Scim, ScimCaller, ScimResult, json_body, json_content_type};
use crate::api::versions::IfMatch;
use crate::domain::scim::{Projection, UserState, filter, patch};
use crate::domain::{AppError, UserId};
use crate::service::{Context, scim};

async fn listed(
    context: &Context,
    connection: &scim::Connection,
    query: ListQuery,
) -> ScimResult<Scim> {
    let request = scim::ListRequest {
        condition: query.filter.as_deref().map(filter::parse).transpose()?,
        start_index: query.start_index,
        count: query.count,
    };
    let page = scim::list(context, connection, &request).await?;
    Ok(list_body(
        page.total,
        page.start_index,
        page.resources,
        &query.projection,
    ))
}

pub async fn list(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    RawQuery(query): RawQuery,
) -> ScimResult<Scim> {
    listed(
        &context,
        &connection,
        ListQuery::from_query(query.as_deref())?,
    )
    .await
}

/// `POST /.search` and `POST /Users/.search` (RFC 7644 §3.4.3).
pub async fn search(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Scim> {
    listed(
        &context,
        &connection,
        ListQuery::from_search(&headers, &body)?,
    )
    .await
}

/// An id in the path: anything but a user id is simply not found.
fn user_id(raw: &str) -> Result<UserId, AppError> {
    UserId::parse(raw).ok_or(AppError::NotFound)
}

pub async fn get(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ScimResult<Response> {
    let projection = projection(query.as_deref())?;
    let resource = scim::get(&context, &connection, user_id(&id)?).await?;
    Ok(answer(StatusCode::OK, resource, &projection))
}

pub async fn create(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    json_content_type(&headers)?;
    let state = UserState::from_body(&json_body(&body)?)?;
    let mut work = context.begin().await?;
    let created = scim::create(&mut work, &connection, &state).await?;
    work.commit().await?;
    Ok(answer(StatusCode::CREATED, created, &Projection::All))
}

pub async fn replace(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    if_match: IfMatch,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let user = user_id(&id)?;
    json_content_type(&headers)?;
    let state = UserState::from_body(&json_body(&body)?)?;
    let mut work = context.begin().await?;
    let replaced = scim::replace(
        &mut work,
        &connection,
        user,
        &state,
        precondition(&if_match),
    )
    .await?;
    work.commit().await?;
    Ok(answer(StatusCode::OK, replaced, &Projection::All))
}

pub async fn modify(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    if_match: IfMatch,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    let user = user_id(&id)?;
    json_content_type(&headers)?;
    let operations = patch::operations(&json_body(&body)?)?;
    let mut work = context.begin().await?;
    let modified = scim::modify(
        &mut work,
        &connection,
        user,
        &operations,
        precondition(&if_match),
    )
    .await?;
    work.commit().await?;
    Ok(answer(StatusCode::OK, modified, &Projection::All))
}

pub async fn delete(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ScimResult<StatusCode> {
    let user = user_id(&id)?;
    let mut work = context.begin().await?;
    scim::delete(&mut work, &connection, user, precondition(&if_match)).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
