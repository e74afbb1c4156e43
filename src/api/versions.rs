//! No lost updates over HTTP: a user or a connector is answered with an `ETag` (its version,
//! `service::versions`), and `PATCH` / `DELETE` with `If-Match` are refused with 412 when the
//! thing changed since, compared inside the unit of work that writes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::convert::Infallible;

use super::json::{json_response, unserializable};
use crate::domain::AppError;
use crate::service::versions::{version_of as etag_of, version_of_json};

/// A representation with its `ETag`.
pub struct Tagged<T>(pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        // One serialization: the body, and the version is the digest of it.
        let body = match serde_json::to_vec(&self.0) {
            Ok(body) => body,
            Err(error) => return unserializable(&error),
        };
        let etag = version_of_json(&body);
        let mut response = json_response(body);
        if let Ok(value) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, value);
        }
        response
    }
}

/// The request's `If-Match`, if it has one: `*` or a list of entity tags.
pub struct IfMatch(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let values: Vec<&str> = parts
            .headers
            .get_all(header::IF_MATCH)
            .iter()
            .map(|value| value.to_str().unwrap_or("\u{0}"))
            .collect();
        Ok(IfMatch((!values.is_empty()).then(|| values.join(","))))
    }
}

impl IfMatch {
    /// Whether the request has one (only then is the current version read to compare).
    pub fn given(&self) -> bool {
        self.0.is_some()
    }

    /// Passes without `If-Match`, with `*`, or when one of its tags is the current one
    /// (strong comparison: a weak `W/"…"` tag never matches); otherwise 412.
    pub fn check<T: Serialize>(&self, current: &T) -> Result<(), AppError> {
        let Some(list) = &self.0 else {
            return Ok(());
        };
        let etag = etag_of(current);
        let matches = list
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == etag);
        if matches {
            Ok(())
        } else {
            Err(AppError::refused(
                412,
                "precondition_failed",
                "It changed since you read it: read it again and send its new ETag in If-Match.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_strongly() {
        let current = serde_json::json!({"name": "Pier 39"});
        let etag = etag_of(&current);
        let cases = [
            (None, true),
            (Some("*".to_string()), true),
            (Some(etag.clone()), true),
            (Some(format!("\"0\", {etag}")), true),
            (Some(format!("W/{etag}")), false),
            (Some("\"0\"".to_string()), false),
            (Some(etag.trim_matches('"').to_string()), false),
        ];
        for (header, passes) in cases {
            assert_eq!(
                IfMatch(header.clone()).check(&current).is_ok(),
                passes,
                "{header:?}"
            );
        }
    }
}
