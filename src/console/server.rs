//! What server functions share: the services' context, the caller and the session of the
//! current request, and how an error sets the HTTP status (during server rendering too).

use axum::Extension;
use axum::http::{HeaderValue, header};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::domain::AppError;
use crate::service::Context;
use crate::service::auth::{SessionClaims, SignedIn};

pub use crate::service::auth::SESSION_CLAIMS;

/// The session store failed: never the caller's fault.
impl From<tower_sessions::session::Error> for AppError {
    fn from(error: tower_sessions::session::Error) -> Self {
        AppError::internal(&error)
    }
}

pub fn context() -> Result<Context, AppError> {
    use_context::<Context>().ok_or(AppError::Internal)
}

/// The signed-in caller, loaded once per request by the session guard.
pub async fn caller() -> Result<SignedIn, AppError> {
    leptos_axum::extract::<Extension<SignedIn>>()
        .await
        .map(|Extension(caller)| caller)
        .map_err(|_| AppError::Unauthenticated)
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| AppError::Internal)
}

/// Keeps the sign-in's claims in the session.
pub async fn remember(session: &Session, claims: &SessionClaims) -> Result<(), AppError> {
    Ok(session.insert(SESSION_CLAIMS, claims).await?)
}

/// The address of the client: the TCP peer, or behind a trusted proxy the address it
/// forwarded (`server::client_address`).
pub async fn client_address() -> Option<std::net::IpAddr> {
    leptos_axum::extract::<axum::Extension<crate::server::client_address::ClientAddress>>()
        .await
        .ok()
        .map(|axum::Extension(client)| client.0)
}

/// Where the request comes from, as a sign-in records it: the client address and the
/// browser's `User-Agent`.
pub async fn client_info() -> crate::service::auth::ClientInfo {
    let agent = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            headers
                .get(header::USER_AGENT)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        });
    crate::service::auth::ClientInfo::new(client_address().await, agent.as_deref())
}

/// Sets the response status (and `Retry-After`) for `error`: the page's status during
/// server rendering, the server function's answer otherwise.
pub fn set_status(error: &AppError) {
    if answered_by_a_redirect() {
        return;
    }
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(crate::api::status_of(error));
        if let AppError::TooManyRequests { retry_after, .. } = error {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
    }
}

/// Whether this is a server function posted by a plain form (a page without the app: the
/// sign-in page). Leptos answers it with a redirect back to the page, the error in its address
/// (`form-redirects`); a status of the error's own would replace the redirect's.
pub(super) fn answered_by_a_redirect() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|request| {
        request.uri.path().starts_with("/rpc/")
            && request
                .headers
                .get(header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

/// Passes a result through, setting the response status when it is an error.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error);
    }
    result
}
