//! The public REST API under `/api/v1`: bearer-token clients, JSON in and out. Handlers are
//! thin: authenticate ([`auth::ApiClient`]), parse input into a typed command ([`input`]),
//! call a service (in a unit of work for writes), answer. This module owns how an
//! [`AppError`] becomes an HTTP answer.

mod audit;
pub mod auth;
mod connectors;
pub mod idempotency;
pub mod input;
mod invitations;
pub mod json;
mod me;
pub mod openapi;
mod outlet_groups;
mod outlets;
pub(crate) mod params;
mod roles;
pub mod scim;
mod users;
mod versions;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::{Arc, OnceLock};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::AppError;
use crate::service::Context;
use json::Json;
use openapi::{ApiDoc, ErrorBody, ErrorDetail};

/// The API's routes and its contract, from one list: a route cannot exist undocumented.
fn routes() -> OpenApiRouter<Context> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::get))
        .routes(routes!(audit::list))
        .routes(routes!(outlets::list, outlets::create))
        .routes(routes!(outlets::update))
        .routes(routes!(outlet_groups::list, outlet_groups::create))
        .routes(routes!(
            outlet_groups::get,
            outlet_groups::update,
            outlet_groups::delete
        ))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::update, roles::delete))
        .routes(routes!(connectors::list, connectors::create))
        .routes(routes!(
            connectors::get,
            connectors::update,
            connectors::delete
        ))
        .routes(routes!(connectors::transfer))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(
            invitations::get,
            invitations::send,
            invitations::revoke
        ))
        .routes(routes!(users::report_roles, roles::create_report))
        .routes(routes!(roles::rename_report, roles::delete_report))
}

/// The routes, and the OpenAPI 3.1 contract of `/api/v1` with what every operation shares.
fn split() -> (Router<Context>, utoipa::openapi::OpenApi) {
    let (router, mut contract) = routes().split_for_parts();
    utoipa::Modify::modify(&openapi::Shared, &mut contract);
    (router, contract)
}

/// The OpenAPI 3.1 contract of `/api/v1`.
pub fn contract() -> utoipa::openapi::OpenApi {
    split().1
}

/// The contract as served, rendered once per process.
fn contract_json() -> Arc<String> {
    static JSON: OnceLock<Arc<String>> = OnceLock::new();
    JSON.get_or_init(|| {
        Arc::new(
            contract()
                .to_pretty_json()
                .expect("the contract renders as JSON"),
        )
    })
    .clone()
}

/// `/api/docs`: the contract as a browsable reference (Swagger UI), which can send requests
/// with a token pasted under Authorize.
pub fn reference<S: Clone + Send + Sync + 'static>() -> Router<S> {
    utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"))
        .into()
}

pub fn router() -> Router<Context> {
    let (router, _) = split();
    router
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    contract_json().as_str().to_owned(),
                )
            }),
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
        .layer(axum::middleware::from_fn(auth::rate_limit_headers))
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
    let body = ErrorBody {
        error: ErrorDetail {
            code: error.code().to_string(),
            message,
            fields: match error {
                AppError::Invalid { fields, .. } if !fields.is_empty() => Some(fields.clone()),
                _ => None,
            },
            // Added by the request-id layer, which knows it.
            request_id: None,
        },
    };
    let mut response = (status, Json(body)).into_response();
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
