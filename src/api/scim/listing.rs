//! What `/Users` and `/Groups` answer alike: a list's parameters (from the query string, whose
//! names compare ignoring case and whose unknown names are ignored — Entra ID adds its own —
//! or from a SearchRequest body), the ListResponse, and a single resource with its `ETag`
//! (and `Location` when created), checked against `If-Match` before a write.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Scim, json_body, json_content_type};
use crate::api::versions::IfMatch;
use crate::domain::AppError;
use crate::domain::scim::{LIST_SCHEMA, Projection, Versioned, key, problem, text};
use crate::service::scim::DEFAULT_COUNT;

/// What a list or search asks for.
pub struct ListQuery {
    pub filter: Option<String>,
    /// 1-based; out-of-range values clamped to 1.
    pub start_index: u64,
    pub count: u64,
    pub projection: Projection,
}

/// A `startIndex` / `count` value: an integer (RFC 7644 §3.4.2.4).
fn integer(raw: Option<&str>, name: &str) -> Result<Option<i64>, AppError> {
    raw.map(|text| {
        text.trim()
            .parse::<i64>()
            .map_err(|_| problem("invalidValue", format!("{name} must be an integer.")))
    })
    .transpose()
}

/// The query's parameters by lower-cased name.
fn query_parameters(query: Option<&str>) -> Result<Vec<(String, String)>, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|_| problem("invalidSyntax", "The query string cannot be read."))?;
    Ok(pairs
        .into_iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value))
        .collect())
}

/// A parameter by lower-case name (the last of a repeated one).
fn parameter<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
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

impl ListQuery {
    fn new(
        filter: Option<&str>,
        start_index: Option<i64>,
        count: Option<i64>,
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Self {
        let default_count = i64::try_from(DEFAULT_COUNT).unwrap_or(i64::MAX);
        Self {
            filter: filter
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_string),
            start_index: u64::try_from(start_index.unwrap_or(1).max(1)).unwrap_or(1),
            count: u64::try_from(count.unwrap_or(default_count).max(0)).unwrap_or(0),
            projection: Projection::parse(attributes, excluded),
        }
    }

    /// `GET …?filter=…&startIndex=…&count=…&attributes=…&excludedAttributes=…`.
    pub fn from_query(query: Option<&str>) -> Result<Self, AppError> {
        let pairs = query_parameters(query)?;
        Ok(Self::new(
            parameter(&pairs, "filter"),
            integer(parameter(&pairs, "startindex"), "startIndex")?,
            integer(parameter(&pairs, "count"), "count")?,
            parameter(&pairs, "attributes"),
            parameter(&pairs, "excludedattributes"),
        ))
    }

    /// `POST …/.search` (RFC 7644 §3.4.3): the same parameters in a SearchRequest body.
    pub fn from_search(headers: &HeaderMap, body: &Bytes) -> Result<Self, AppError> {
        json_content_type(headers)?;
        let body = json_body(body)?;
        let Value::Object(request) = &body else {
            return Err(problem(
                "invalidSyntax",
                "A SearchRequest is a JSON object.",
            ));
        };
        let filter = text(key(request, "filter"), "filter")?;
        let attributes = names(key(request, "attributes"), "attributes")?;
        let excluded = names(key(request, "excludedAttributes"), "excludedAttributes")?;
        Ok(Self::new(
            filter.as_deref(),
            number(key(request, "startIndex"), "startIndex")?,
            number(key(request, "count"), "count")?,
            attributes.as_deref(),
            excluded.as_deref(),
        ))
    }
}

/// The attributes a single answer carries (`GET …/{id}?attributes=…`).
pub fn projection(query: Option<&str>) -> Result<Projection, AppError> {
    let pairs = query_parameters(query)?;
    Ok(Projection::parse(
        parameter(&pairs, "attributes"),
        parameter(&pairs, "excludedattributes"),
    ))
}

/// Whether groups answered with this projection show their members (Entra ID excludes them).
pub fn lists_members(projection: &Projection) -> bool {
    projection
        .apply(json!({ "members": [] }))
        .get("members")
        .is_some()
}

/// A ListResponse of one page.
pub fn list_body<T: serde::Serialize>(
    total: i64,
    start_index: u64,
    resources: Vec<T>,
    projection: &Projection,
) -> Scim {
    let items = resources.len();
    let resources: Vec<Value> = resources
        .into_iter()
        .map(|resource| projection.apply(json!(resource)))
        .collect();
    Scim(
        StatusCode::OK,
        json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start_index,
            "itemsPerPage": items,
            "Resources": resources,
        }),
    )
}

/// A single resource, with its `ETag` (and `Location` when created).
pub fn answer<T: Versioned>(status: StatusCode, resource: T, projection: &Projection) -> Response {
    let version = resource.meta().version.clone();
    let location = resource.meta().location.clone();
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

/// The request's `If-Match` as a check of the current resource (412 when stale).
pub fn precondition<T: Versioned>(
    if_match: &IfMatch,
) -> impl FnOnce(&T) -> Result<(), AppError> + '_ {
    move |current| if_match.check(&current.unversioned())
}

/// `POST /.search` (RFC 7644 §3.4.3): users, then groups, as one list. A filter that names
/// attributes of one resource type only matches none of the other (it must suit one of them).
pub async fn search_all(
    axum::extract::State(context): axum::extract::State<crate::service::Context>,
    super::ScimCaller(connection): super::ScimCaller,
    headers: HeaderMap,
    body: Bytes,
) -> super::ScimResult<Scim> {
    use crate::domain::scim::filter::{self, Resource};
    use crate::service::{scim, scim_groups};
    let query = ListQuery::from_search(&headers, &body)?;
    let parsed = |resource| {
        query
            .filter
            .as_deref()
            .map(|text| filter::parse_for(text, resource))
            .transpose()
    };
    let (users, groups) = (parsed(Resource::User), parsed(Resource::Group));
    if let (Err(error), Err(_)) = (&users, &groups) {
        return Err(error.clone().into());
    }
    let users_request = users.ok().map(|condition| scim::ListRequest {
        condition,
        start_index: query.start_index,
        count: query.count,
    });
    let (users_total, mut resources) = match &users_request {
        Some(request) => {
            let page = scim::list(&context, &connection, request).await?;
            let resources: Vec<Value> = page.resources.into_iter().map(|r| json!(r)).collect();
            (page.total, resources)
        }
        None => (0, Vec::new()),
    };
    let mut total = users_total;
    if let Ok(condition) = groups {
        let skipped_users = u64::try_from(users_total).unwrap_or(0);
        let request = scim_groups::GroupListRequest {
            condition,
            start_index: query.start_index.saturating_sub(skipped_users).max(1),
            count: query.count.saturating_sub(resources.len() as u64),
            members: lists_members(&query.projection),
        };
        let page = scim_groups::list(&context, &connection, &request).await?;
        total += page.total;
        resources.extend(page.resources.into_iter().map(|r| json!(r)));
    }
    Ok(list_body(
        total,
        query.start_index,
        resources,
        &query.projection,
    ))
}
