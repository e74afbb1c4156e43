//! The public REST API under `/api/v1`: bearer-token clients, JSON in and out. Handlers are
//! thin: authenticate ([`auth::ApiClient`]), parse input into a typed command ([`input`]),
//! call a service (in a unit of work for writes), answer. This module owns how an
//! [`AppError`] becomes an HTTP answer.

pub mod auth;
mod connectors;
pub mod input;
mod me;
mod outlets;
mod roles;
mod users;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain::AppError;
use crate::service::Context;

pub fn router() -> Router<Context> {
    Router::new()
        .route("/me", get(me::get))
        .route("/outlets", get(outlets::list).post(outlets::create))
        .route("/outlets/{id}", axum::routing::patch(outlets::update))
        .route("/user-roles", get(roles::list).post(roles::create))
        .route(
            "/user-roles/{id}",
            axum::routing::patch(roles::update).delete(roles::delete),
        )
        .route(
            "/user-connectors",
            get(connectors::list).post(connectors::create),
        )
        .route(
            "/user-connectors/{id}",
            get(connectors::get)
                .patch(connectors::update)
                .delete(connectors::delete),
        )
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::get).patch(users::update))
        .route(
            "/report-roles",
            get(users::report_roles).post(roles::create_report),
        )
        .route(
            "/report-roles/{id}",
            axum::routing::patch(roles::rename_report).delete(roles::delete_report),
        )
        .fallback(|| async { ApiError(AppError::NotFound) })
        // axum adds the `Allow` header listing the methods the path takes.
        .method_not_allowed_fallback(|| async {
            ApiError(AppError::refused(
                405,
                "method_not_allowed",
                "This endpoint does not take that method; the Allow header lists those it does.",
            ))
        })
}

/// The HTTP status of an error, for every face that answers over HTTP.
pub fn status_of(error: &AppError) -> StatusCode {
    let code = match error {
        AppError::BadRequest { .. } => 400,
        AppError::Unauthenticated => 401,
        AppError::Forbidden | AppError::Denied { .. } => 403,
        AppError::NotFound => 404,
        AppError::Conflict { .. } => 409,
        AppError::Invalid { .. } => 422,
        AppError::TooManyRequests { .. } => 429,
        AppError::Refused { status, .. } => *status,
        AppError::Internal | AppError::Transport(_) => 500,
    };
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The one error body: `{"error": {"code", "message", "fields"?}}`, with the headers that
/// go with its status.
pub fn error_response(error: &AppError) -> Response {
    respond(error, error.to_string())
}

fn respond(error: &AppError, message: String) -> Response {
    let status = status_of(error);
    let mut body = serde_json::json!({ "error": { "code": error.code(), "message": message } });
    if let AppError::Invalid { fields, .. } = error
        && !fields.is_empty()
    {
        body["error"]["fields"] = serde_json::json!(fields);
    }
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    match error {
        AppError::Unauthenticated => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        AppError::TooManyRequests { retry_after, .. } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        // The rest of the body stays unread, so this connection cannot carry another
        // request; saying so keeps clients from reusing it.
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {}
    }
    response
}

/// Any failure of the API, answered with [`error_response`] (in the API's words where the
/// console's would not fit).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self.0 {
            AppError::Unauthenticated => "Missing, unknown or revoked API token. Send the header Authorization: Bearer <token>.".to_string(),
            AppError::NotFound => "Not found, or outside what this client can reach.".to_string(),
            other => other.to_string(),
        };
        respond(&self.0, message)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
