//! Reading API input so that bad input is always a clear 400 or 422, never a 500.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::TypeId;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, PoisonError, RwLock};
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

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
fn query_params(raw: Option<&str>, allowed: &[&str]) -> Result<BTreeMap<String, String>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| {
            AppError::bad_request("malformed_query", "The query string could not be read.")
        })?;
    let mut problems = Problems::default();
    let mut params = BTreeMap::new();
    for (name, value) in pairs {
        if value.trim().is_empty() && allowed.contains(&name.as_str()) {
            problems.add(&name, "Give a value, or leave the parameter out.");
            continue;
        }
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

/// Typed query parameters ([`super::params`]): a name the type does not declare is refused (a
/// typo is reported, not ignored), as is a name given twice; the same type documents them in
/// the contract.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + IntoParams + 'static> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let params = query_params(parts.uri.query(), declared_names::<T>())?;
        let value = Value::Object(
            params
                .into_iter()
                .map(|(name, value)| (name, Value::String(value)))
                .collect(),
        );
        Ok(Params(shaped(value)?))
    }
}

/// The query parameters `T` declares, worked out once per type: building the contract's
/// parameter objects (descriptions, schemas) on every request cost more than reading the
/// query. Each type's names are kept for the life of the process.
fn declared_names<T: IntoParams + 'static>() -> &'static [&'static str] {
    type Names = HashMap<TypeId, &'static [&'static str]>;
    static NAMES: LazyLock<RwLock<Names>> = LazyLock::new(Default::default);
    let key = TypeId::of::<T>();
    if let Some(names) = NAMES
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return names;
    }
    let mut known = NAMES.write().unwrap_or_else(PoisonError::into_inner);
    known.entry(key).or_insert_with(|| {
        let names: Vec<&'static str> = T::into_params(|| Some(ParameterIn::Query))
            .into_iter()
            .map(|parameter| &*parameter.name.leak())
            .collect();
        names.leak()
    })
}
