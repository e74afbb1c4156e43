//! `/scim/v2`: SCIM 2.0 (RFC 7644) for identity providers. A SCIM connection's bearer token
//! (never an API client's) opens it; requests may be `application/scim+json` or
//! `application/json`, answers are `application/scim+json`, and every failure is a SCIM error
//! (`{"schemas": [Error], "status": "409", "scimType": …, "detail": …}`). Handlers parse, call
//! `service::scim`, and answer; this module owns the SCIM shapes of HTTP.

mod discovery;
mod groups;
mod listing;
mod users;

use axum::Router;
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::domain::AppError;
use crate::domain::scim::{ERROR_SCHEMA, problem};
use crate::server::client_address::ClientAddress;
use crate::service::rate_limits::Caller;
use crate::service::{Context, scim};

pub const CONTENT_TYPE: &str = "application/scim+json";

pub fn router() -> Router<Context> {
    Router::new()
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(users::search))
        .route("/.search", post(listing::search_all))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::modify)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(groups::search))
        .route(
            "/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::modify)
                .delete(groups::delete),
        )
        .fallback(|| async { ScimError(AppError::NotFound) })
        .method_not_allowed_fallback(|| async {
            ScimError(AppError::refused(
                405,
                "method_not_allowed",
                "This endpoint does not take that method.",
            ))
        })
        .layer(axum::middleware::from_fn(super::auth::rate_limit_headers))
}

/// A SCIM answer: the JSON body as `application/scim+json`, with a status.
pub struct Scim(pub StatusCode, pub Value);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let mut response = (self.0, crate::api::json::Json(self.1)).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

/// Any failure of `/scim/v2`, in the SCIM error schema.
#[derive(Debug)]
pub struct ScimError(pub AppError);

impl From<AppError> for ScimError {
    fn from(error: AppError) -> Self {
        ScimError(error)
    }
}

/// The `scimType` of an error, where RFC 7644 names one.
fn scim_type(error: &AppError) -> Option<&str> {
    match error {
        AppError::BadRequest { code, .. } => Some(code.as_str()),
        AppError::Invalid { .. } => Some("invalidValue"),
        AppError::Conflict { code, .. } if code == "uniqueness" => Some("uniqueness"),
        _ => None,
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = super::status_of(&self.0);
        // SCIM has no 422: a value Brigade refuses is a 400 invalidValue.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        let detail = match &self.0 {
            AppError::Unauthenticated => {
                "Missing, unknown or revoked SCIM token. Send Authorization: Bearer <token> of a SCIM connection.".to_string()
            }
            AppError::NotFound => "Not found, or outside what this connection can reach.".to_string(),
            AppError::Invalid { fields, .. } if !fields.is_empty() => fields
                .iter()
                .map(|(field, problem)| format!("{field}: {problem}"))
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        };
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": status.as_u16().to_string(),
            "detail": detail,
        });
        if let Some(scim_type) = scim_type(&self.0) {
            body["scimType"] = json!(scim_type);
        }
        let mut response = Scim(status, body).into_response();
        let headers = response.headers_mut();
        match &self.0 {
            AppError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::TooManyRequests { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}

pub type ScimResult<T> = Result<T, ScimError>;

/// The SCIM connection making the request, counted against its own rate limit (or, without a
/// valid token, against its address).
pub struct ScimCaller(pub scim::Connection);

impl FromRequestParts<Context> for ScimCaller {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, context: &Context) -> Result<Self, ScimError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let connected = scim::connect(context, header).await;
        let caller = match &connected {
            Ok(connection) => connection.principal.actor.token_id.map(Caller::Scim),
            Err(AppError::Unauthenticated) => parts
                .extensions
                .get::<ClientAddress>()
                .map(|address| Caller::Address(address.0)),
            Err(_) => None,
        };
        if let Some(caller) = caller {
            super::auth::count(parts, context, caller)
                .await
                .map_err(ScimError)?;
        }
        Ok(ScimCaller(connected?))
    }
}

/// A request body as JSON, whichever of the two content types it was sent with.
pub fn json_body(body: &Bytes) -> Result<Value, AppError> {
    if body.is_empty() {
        return Err(problem("invalidSyntax", "The request has no body."));
    }
    serde_json::from_slice(body)
        .map_err(|error| problem("invalidSyntax", format!("The body is not JSON: {error}.")))
}

/// Checked before the body is read: a body in a type other than JSON is 415 in SCIM's words.
pub fn json_content_type(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if media == "application/json" || media == CONTENT_TYPE {
        Ok(())
    } else {
        Err(AppError::refused(
            415,
            "unsupported_media_type",
            "Send application/scim+json or application/json.",
        ))
    }
}
