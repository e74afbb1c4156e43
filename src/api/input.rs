//! Reading API input so that bad input is always a clear 400 or 422, never a 500.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use super::ApiError;
use crate::domain::AppError;
use crate::server::startup::AppState;

/// A JSON body: 400 `malformed_json` when it is not JSON, 422 `invalid` (naming the field)
/// when it does not have the expected shape.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
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
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            AppError::bad_request(
                "malformed_json",
                format!("The body is not valid JSON: {e}."),
            )
        })?;
        if !value.is_object() {
            return Err(
                AppError::bad_request("malformed_json", "The body must be a JSON object.").into(),
            );
        }
        serde_path_to_error::deserialize(value)
            .map(JsonBody)
            .map_err(|error| {
                let field = error.path().to_string();
                let problem = error.into_inner().to_string();
                let field = if field == "." {
                    "body".to_string()
                } else {
                    field
                };
                ApiError(AppError::Invalid {
                    message: format!("{field}: {problem}"),
                    fields: BTreeMap::from([(field, problem)]),
                })
            })
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
    let unknown: BTreeMap<String, String> = pairs
        .iter()
        .filter(|(name, _)| !allowed.contains(&name.as_str()))
        .map(|(name, _)| {
            (
                name.clone(),
                format!("Unknown parameter; use {}.", allowed.join(", ")),
            )
        })
        .collect();
    if let Some(error) = AppError::fields(unknown) {
        return Err(error.into());
    }
    let mut params = BTreeMap::new();
    let mut repeated = BTreeMap::new();
    for (name, value) in pairs {
        match params.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(taken) => {
                repeated.insert(taken.key().clone(), "Give this parameter once.".to_string());
            }
        }
    }
    if let Some(error) = AppError::fields(repeated) {
        return Err(error.into());
    }
    Ok(params)
}

/// A path id: anything that is not a UUID names nothing (404).
pub fn path_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError(AppError::NotFound))
}
