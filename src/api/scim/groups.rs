//! `/scim/v2/Groups`: the organization's roles as groups — list (filter on `displayName`,
//! `id`, `externalId`; `excludedAttributes=members` spares listing members), create, get,
//! replace (PUT), modify (PATCH: Okta's and Entra ID's member changes), delete.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::listing::{ListQuery, answer, list_body, lists_members, precondition, projection};
use super::{Scim, ScimCaller, ScimResult, json_body, json_content_type};
use crate::api::versions::IfMatch;
use crate::domain::scim::filter::{self, Resource};
use crate::domain::scim::groups::{self, GroupState};
use crate::domain::scim::{Projection, patch};
use crate::domain::{AppError, RoleId};
use crate::service::{Context, scim, scim_groups};

async fn listed(
    context: &Context,
    connection: &scim::Connection,
    query: ListQuery,
) -> ScimResult<Scim> {
    let request = scim_groups::GroupListRequest {
        condition: query
            .filter
            .as_deref()
            .map(|text| filter::parse_for(text, Resource::Group))
            .transpose()?,
        start_index: query.start_index,
        count: query.count,
        members: lists_members(&query.projection),
    };
    let page = scim_groups::list(context, connection, &request).await?;
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

/// `POST /Groups/.search` (RFC 7644 §3.4.3).
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

/// An id in the path: anything but a role id is simply not found.
fn group_id(raw: &str) -> Result<RoleId, AppError> {
    RoleId::parse(raw).ok_or(AppError::NotFound)
}

pub async fn get(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ScimResult<Response> {
    let projection = projection(query.as_deref())?;
    let resource = scim_groups::get(&context, &connection, group_id(&id)?).await?;
    Ok(answer(StatusCode::OK, resource, &projection))
}

pub async fn create(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Response> {
    json_content_type(&headers)?;
    let state = GroupState::from_body(&json_body(&body)?)?;
    let mut work = context.begin().await?;
    let created = scim_groups::create(&mut work, &connection, &state).await?;
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
    let id = group_id(&id)?;
    json_content_type(&headers)?;
    let state = GroupState::from_body(&json_body(&body)?)?;
    let mut work = context.begin().await?;
    let replaced =
        scim_groups::replace(&mut work, &connection, id, &state, precondition(&if_match)).await?;
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
    let id = group_id(&id)?;
    json_content_type(&headers)?;
    let change = groups::patch(&patch::operations(&json_body(&body)?)?)?;
    let mut work = context.begin().await?;
    let modified =
        scim_groups::modify(&mut work, &connection, id, &change, precondition(&if_match)).await?;
    work.commit().await?;
    Ok(answer(StatusCode::OK, modified, &Projection::All))
}

pub async fn delete(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> ScimResult<StatusCode> {
    let id = group_id(&id)?;
    let mut work = context.begin().await?;
    scim_groups::delete(&mut work, &connection, id, precondition(&if_match)).await?;
    work.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
