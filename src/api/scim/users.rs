//! `/scim/v2/Users` (and `/.search`): list with `filter`, `startIndex`, `count`,
//! `attributes`, `excludedAttributes`; create; get; replace (PUT); modify (PATCH); delete.
//! Query parameter names compare ignoring case, unknown ones are ignored (Entra ID adds its
//! own), and each single answer carries its version as `ETag`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Scim, ScimCaller, ScimResult, json_body, json_content_type};
use crate::api::versions::IfMatch;
use crate::domain::scim::{
    LIST_SCHEMA, Projection, UserResource, UserState, filter, key, patch, problem,
};
use crate::domain::{AppError, UserId};
use crate::service::{Context, scim};

/// What a list or search asks for, read from the query or a SearchRequest body.
struct ListParameters {
    request: scim::ListRequest,
    projection: Projection,
}

/// A `startIndex` / `count` value: an integer (RFC 7644 §3.4.2.4), out-of-range values clamped.
fn integer(raw: Option<&str>, name: &str) -> Result<Option<i64>, AppError> {
    raw.map(|text| {
        text.trim()
            .parse::<i64>()
            .map_err(|_| problem("invalidValue", format!("{name} must be an integer.")))
    })
    .transpose()
}

fn parameters(
    filter_text: Option<&str>,
    start_index: Option<i64>,
    count: Option<i64>,
    attributes: Option<&str>,
    excluded: Option<&str>,
) -> Result<ListParameters, AppError> {
    let condition = match filter_text.map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(filter::parse(text)?),
    };
    Ok(ListParameters {
        request: scim::ListRequest {
            condition,
            start_index: u64::try_from(start_index.unwrap_or(1).max(1)).unwrap_or(1),
            count: u64::try_from(count.unwrap_or(scim::DEFAULT_COUNT as i64).max(0)).unwrap_or(0),
        },
        projection: Projection::parse(attributes, excluded),
    })
}

/// The query's parameters by lower-cased name (the last of a repeated one).
fn query_parameters(query: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| problem("invalidSyntax", "The query string cannot be read."))?;
    Ok(pairs
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect())
}

fn parameter<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn list_body(page: scim::ListPage, projection: &Projection) -> Value {
    let items = page.resources.len();
    let resources: Vec<Value> = page
        .resources
        .into_iter()
        .map(|resource| projection.apply(json!(resource)))
        .collect();
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": page.total,
        "startIndex": page.start_index,
        "itemsPerPage": items,
        "Resources": resources,
    })
}

pub async fn list(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    RawQuery(query): RawQuery,
) -> ScimResult<Scim> {
    let pairs = query_parameters(query.as_deref())?;
    let parameters = parameters(
        parameter(&pairs, "filter"),
        integer(parameter(&pairs, "startindex"), "startIndex")?,
        integer(parameter(&pairs, "count"), "count")?,
        parameter(&pairs, "attributes"),
        parameter(&pairs, "excludedattributes"),
    )?;
    let page = scim::list(&context, &connection, &parameters.request).await?;
    Ok(Scim(
        StatusCode::OK,
        list_body(page, &parameters.projection),
    ))
}

/// A SearchRequest's list of attribute names, as an array or a comma-separated string.
fn names(value: Option<&Value>, name: &str) -> Result<Option<String>, AppError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| problem("invalidValue", format!("{name} lists names.")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|names| Some(names.join(","))),
        Some(_) => Err(problem("invalidValue", format!("{name} lists names."))),
    }
}

fn number(value: Option<&Value>, name: &str) -> Result<Option<i64>, AppError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| problem("invalidValue", format!("{name} must be an integer."))),
        Some(_) => Err(problem(
            "invalidValue",
            format!("{name} must be an integer."),
        )),
    }
}

/// `POST /.search` and `POST /Users/.search` (RFC 7644 §3.4.3): a list whose parameters are a
/// SearchRequest body.
pub async fn search(
    State(context): State<Context>,
    ScimCaller(connection): ScimCaller,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult<Scim> {
    json_content_type(&headers)?;
    let body = json_body(&body)?;
    let Value::Object(request) = &body else {
        return Err(problem("invalidSyntax", "A SearchRequest is a JSON object.").into());
    };
    let filter_text = crate::domain::scim::text(key(request, "filter"), "filter")?;
    let attributes = names(key(request, "attributes"), "attributes")?;
    let excluded = names(key(request, "excludedAttributes"), "excludedAttributes")?;
    let parameters = parameters(
        filter_text.as_deref(),
        number(key(request, "startIndex"), "startIndex")?,
        number(key(request, "count"), "count")?,
        attributes.as_deref(),
        excluded.as_deref(),
    )?;
    let page = scim::list(&context, &connection, &parameters.request).await?;
    Ok(Scim(
        StatusCode::OK,
        list_body(page, &parameters.projection),
    ))
}

/// A single user, with its `ETag` (and `Location` when created).
fn answer(status: StatusCode, resource: UserResource, projection: &Projection) -> Response {
    let version = resource.meta.version.clone();
    let location = resource.meta.location.clone();
    let mut response = Scim(status, projection.apply(json!(resource))).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&version) {
        headers.insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        headers.insert(header::LOCATION, value);
    }
    response
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
    let pairs = query_parameters(query.as_deref())?;
    let projection = Projection::parse(
        parameter(&pairs, "attributes"),
        parameter(&pairs, "excludedattributes"),
    );
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

/// The request's `If-Match` as a check of the current resource (412 when stale).
fn precondition(if_match: &IfMatch) -> impl FnOnce(&UserResource) -> Result<(), AppError> + '_ {
    move |current| {
        let mut unversioned = current.clone();
        unversioned.meta.version = String::new();
        if_match.check(&unversioned)
    }
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
