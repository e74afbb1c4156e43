//! The public REST API under `/api/v1`: bearer-token clients, JSON in and out. Handlers are
//! thin: authenticate ([`auth::ApiClient`]), read input ([`input`]), call a service, answer.

pub mod auth;
mod connectors;
pub mod input;
mod outlets;
mod roles;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain::AppError;
use crate::server::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/outlets", get(outlets::list))
        .route("/user-roles", get(roles::list))
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

/// Any failure, answered as `{"error": {"code", "message", "fields"?}}` with its status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let error = match self.0 {
            AppError::Unauthenticated => AppError::bad_request(
                "unauthenticated",
                "Missing, unknown or revoked API token. Send the header Authorization: Bearer <token>.",
            ),
            AppError::NotFound => AppError::bad_request(
                "not_found",
                "Not found, or outside what this client can reach.",
            ),
            other => other,
        };
        let mut response = crate::server::guards::error_response(status, &error);
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            // The rest of the body stays unread, so this connection cannot carry another
            // request; saying so keeps clients from reusing it.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
