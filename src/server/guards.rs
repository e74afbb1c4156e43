//! Request guards in front of every route: the body limit, the session requirement of the
//! console, the cross-site write refusal, and the status of server functions' errors. The
//! API (`/api/v1`) authenticates with bearer tokens instead of sessions.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tower_sessions::Session;

use crate::api::error_response;
use crate::console::server::remember;
use crate::domain::AppError;
use crate::service::Context;
use crate::service::auth::SESSION_CLAIMS;
use crate::service::auth::{self, SessionClaims};

/// The largest API body (JSON).
pub const API_BODY_LIMIT: usize = 2 * 1024 * 1024;
/// The largest console request body: forms of a few fields.
pub const CONSOLE_BODY_LIMIT: usize = 64 * 1024;

/// Paths anyone may request without a session.
fn open_without_session(path: &str) -> bool {
    path == "/login"
        || path == "/rpc/login"
        || path == "/login/two-step"
        || path == "/rpc/login_two_step"
        || matches!(
            path,
            "/rpc/passkey_sign_in_begin" | "/rpc/passkey_sign_in" | "/rpc/sso_offered"
        )
        || path.starts_with("/auth/sso/")
        || path.starts_with("/verify/")
        || path.starts_with("/rpc/verify")
        || path == "/forgot"
        || path.starts_with("/reset/")
        || path.starts_with("/rpc/password_reset_")
        || path.starts_with("/setup/")
        || path == "/rpc/setup_open"
        || path == "/rpc/complete_setup"
}

/// What a person who must enrol in two-step sign-in may still reach: the enrolment and
/// signing out.
fn open_before_enrolment(path: &str) -> bool {
    path == "/me/two-step"
        || matches!(
            path,
            "/rpc/two_step_status"
                | "/rpc/two_step_begin"
                | "/rpc/two_step_confirm"
                | "/rpc/logout"
        )
}

/// Files and the token-authenticated API and SCIM, which never look at the console session.
fn outside_console(path: &str) -> bool {
    path.starts_with("/pkg/")
        || token_authenticated(path)
        || path == "/api/v1"
        || path == "/favicon.svg"
        || path == "/passkey-sign-in.js"
}

/// The faces that take a bearer token, never a cookie: the API and SCIM.
fn token_authenticated(path: &str) -> bool {
    path.starts_with("/api/v1/") || path.starts_with("/scim/v2/") || path == "/scim/v2"
}

/// Refuses a body over the limit with 413 and the usual error body, whether the client
/// announced its length or streams it.
pub async fn limit_body(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let scim = path.starts_with("/scim/");
    let (limit, words) = if path.starts_with("/api/") || scim {
        (API_BODY_LIMIT, "2 MB")
    } else {
        (CONSOLE_BODY_LIMIT, "64 KB")
    };
    let too_large = || {
        let error = AppError::refused(
            413,
            "payload_too_large",
            format!("The body is larger than the {words} limit."),
        );
        if scim {
            crate::api::scim::ScimError(error).into_response()
        } else {
            error_response(&error)
        }
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let flag = exceeded.clone();
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, limit).map_err(move |error| {
        if error.downcast_ref::<LengthLimitError>().is_some() {
            flag.store(true, Ordering::Relaxed);
        }
        error
    });
    let response = next.run(Request::from_parts(parts, Body::new(body))).await;
    if exceeded.load(Ordering::Relaxed) {
        too_large()
    } else {
        response
    }
}

/// Every console page and server function needs a signed-in person. Pages redirect to
/// `/login?next=…`; server functions answer 401. The signed-in caller rides along in the
/// request extensions, so each request resumes the session once; a session that must end
/// (past its lifetime, password changed, person deactivated) is ended here.
pub async fn require_session(
    State(context): State<Context>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    if outside_console(&path) {
        return next.run(request).await;
    }
    let signed_in = match resume(&context, &session).await {
        Ok(signed_in) => signed_in,
        Err(error) => return error_response(&error),
    };
    match signed_in {
        Some(signed_in) if path == "/login" || path == "/login/two-step" || path == "/" => {
            Redirect::to(signed_in.viewer.home()).into_response()
        }
        Some(signed_in) if signed_in.must_enrol_two_step && !open_before_enrolment(&path) => {
            if path.starts_with("/rpc/") {
                error_response(&auth::two_step_required())
            } else {
                Redirect::to("/me/two-step").into_response()
            }
        }
        Some(signed_in) => {
            request.extensions_mut().insert(signed_in);
            next.run(request).await
        }
        None if open_without_session(&path) => next.run(request).await,
        None if path.starts_with("/rpc/") => error_response(&AppError::Unauthenticated),
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

async fn resume(context: &Context, session: &Session) -> Result<Option<auth::SignedIn>, AppError> {
    let claims: Option<SessionClaims> = session.get(SESSION_CLAIMS).await?;
    let Some(claims) = claims else {
        return Ok(None);
    };
    let signed_in = auth::resume(context, &claims).await?;
    match &signed_in {
        None => session.flush().await?,
        Some(signed_in) if signed_in.claims != claims => {
            remember(session, &signed_in.claims).await?
        }
        Some(_) => {}
    }
    Ok(signed_in)
}

/// Refuses state-changing requests that a browser sends on behalf of another site.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || token_authenticated(request.uri().path()) || is_same_site(request.headers()) {
        return next.run(request).await;
    }
    error_response(&AppError::denied(
        "cross_site_request",
        "Requests from another site are refused.",
    ))
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

/// A server function that fails before its body runs (arguments that cannot be read) is
/// answered 500 by Leptos; this gives it the status of its error instead.
pub async fn rpc_status(request: Request, next: Next) -> Response {
    let rpc = request.uri().path().starts_with("/rpc/");
    let response = next.run(request).await;
    if !rpc || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, CONSOLE_BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = crate::api::status_of(&error);
    }
    Response::from_parts(parts, Body::from(bytes))
}
