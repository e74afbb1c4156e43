//! Request guards in front of every console route: the session requirement and the
//! cross-site write refusal. The API (`/api/v1`) authenticates with bearer tokens instead.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::caller::Caller;
use super::startup::AppState;
use crate::domain::AppError;

/// Paths anyone may request without a session.
fn open_without_session(path: &str) -> bool {
    path == "/login"
        || path == "/rpc/login"
        || path.starts_with("/verify/")
        || path.starts_with("/rpc/verify")
}

/// Files and the token-authenticated API, which never look at the console session.
fn outside_console(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/api/v1/")
        || path == "/api/v1"
        || path == "/favicon.svg"
}

/// Every console page and server function needs a signed-in person. Pages redirect to
/// `/login?next=…`; server functions answer 401. The loaded [`Caller`] rides along in the
/// request extensions, so each request loads it once.
pub async fn require_session(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if outside_console(&path) {
        return next.run(request).await;
    }
    let caller = match Caller::from_session(&state.pool, &session).await {
        Ok(caller) => caller,
        Err(error) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &error),
    };
    match caller {
        Some(_) if path == "/login" => Redirect::to("/users").into_response(),
        Some(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        None if open_without_session(&path) => next.run(request).await,
        None if path.starts_with("/rpc/") => {
            error_response(StatusCode::UNAUTHORIZED, &AppError::Unauthenticated)
        }
        None => {
            let wanted = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/users");
            Redirect::to(&format!("/login?next={}", urlencoding::encode(wanted))).into_response()
        }
    }
}

/// Refuses state-changing requests that a browser sends on behalf of another site.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || request.uri().path().starts_with("/api/v1/") || is_same_site(request.headers()) {
        return next.run(request).await;
    }
    let refusal = AppError::conflict(
        "cross_site_request",
        "Requests from another site are refused.",
    );
    error_response(StatusCode::FORBIDDEN, &refusal)
}

fn is_same_site(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or("null"))
    {
        Some(origin) => {
            let origin_host = origin
                .split_once("://")
                .map(|(_, rest)| rest.trim_end_matches('/'));
            origin_host.is_some() && origin_host == host
        }
        // No Origin: a non-browser client, or an old browser; trust Fetch Metadata when sent.
        None => headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) != Some("cross-site"),
    }
}

/// The JSON error body used by every non-page response.
pub fn error_response(status: StatusCode, error: &AppError) -> Response {
    let mut body =
        serde_json::json!({ "error": { "code": error.code(), "message": error.to_string() } });
    if let AppError::Invalid { fields, .. } = error {
        body["error"]["fields"] = serde_json::json!(fields);
    }
    (status, axum::Json(body)).into_response()
}
