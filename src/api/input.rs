//! Reading API input so that bad input is always a clear 400 or 422, never a 500.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::ApiError;
use crate::domain::AppError;
use crate::domain::error::Problems;

/// A JSON body: 400 `malformed_json` when it is not JSON, 422 `invalid` (naming the field)
/// when it does not have the expected shape.
pub struct JsonBody<T>(pub T);

/// The body as JSON, whatever its shape: 413 past the limit, 400 when unreadable or not JSON.
async fn read_json<S: Send + Sync>(request: Request, state: &S) -> Result<Value, ApiError> {
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::refused(
                    413,
                    "payload_too_large",
                    "The body is larger than the 2 MB limit.",
                )
            } else {
                AppError::bad_request("unreadable_body", "The request body could not be read.")
            }
        })?;
    Ok(serde_json::from_slice(&bytes).map_err(|e| {
        AppError::bad_request(
            "malformed_json",
            format!("The body is not valid JSON: {e}."),
        )
    })?)
}

/// A JSON value in the expected shape, or 422 `invalid` naming the field that is not.
pub fn shaped<T: DeserializeOwned>(value: Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = match error.path().to_string() {
            path if path == "." => "body".to_string(),
            path => path,
        };
        let problem = error.into_inner().to_string();
        AppError::Invalid {
            message: format!("{field}: {problem}"),
            fields: BTreeMap::from([(field, problem)]),
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value = read_json(request, state).await?;
        if !value.is_object() {
            return Err(
                AppError::bad_request("malformed_json", "The body must be a JSON object.").into(),
            );
        }
        Ok(JsonBody(shaped(value)?))
    }
}

/// A JSON array body (a bulk request), its items not yet shaped: each is answered on its own.
pub struct JsonItems(pub Vec<Value>);

impl<S: Send + Sync> FromRequest<S> for JsonItems {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match read_json(request, state).await? {
            Value::Array(items) => Ok(JsonItems(items)),
            _ => Err(AppError::bad_request(
                "malformed_json",
                "The body must be a JSON array of items.",
            )
            .into()),
        }
    }
}

/// Query parameters, refusing names the endpoint does not know (a typo is reported, not
/// ignored) and names given twice (which value was meant is anyone's guess).
pub fn query_params(
    raw: Option<&str>,
    allowed: &[&str],
) -> Result<BTreeMap<String, String>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| {
            AppError::bad_request("malformed_query", "The query string could not be read.")
        })?;
    let mut problems = Problems::default();
    let mut params = BTreeMap::new();
    for (name, value) in pairs {
        if !allowed.contains(&name.as_str()) {
            problems.add(
                &name,
                format!("Unknown parameter; use {}.", allowed.join(", ")),
            );
            continue;
        }
        match params.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(taken) => problems.add(taken.key(), "Give this parameter once."),
        }
    }
    problems.finish()?;
    Ok(params)
}

/// A path id: anything that is not a UUID names nothing (404).
pub fn path_id<T>(raw: &str, parse: fn(&str) -> Option<T>) -> Result<T, ApiError> {
    parse(raw).ok_or(ApiError(AppError::NotFound))
}

/// A list that takes only `page_size` and `cursor`: the page asked for, or 422 by field
/// (unknown parameters included).
pub fn page_only(raw: Option<&str>) -> Result<crate::domain::paging::PageRequest, ApiError> {
    let params = query_params(raw, &["page_size", "cursor"])?;
    let mut problems = Problems::default();
    let page = crate::domain::paging::PageRequest::parse(
        params.get("page_size").map(String::as_str),
        params.get("cursor").map(String::as_str),
        &mut problems,
    );
    problems.finish()?;
    Ok(page)
}
