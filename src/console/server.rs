//! What server functions share: the application state, the caller and the session of the
//! current request, and the HTTP status that goes with an error.

use axum::Extension;
use axum::http::StatusCode;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::domain::AppError;
use crate::server::Caller;
use crate::server::startup::AppState;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or(AppError::Internal)
}

/// The signed-in caller, loaded once per request by the session guard.
pub async fn caller() -> Result<Caller, AppError> {
    leptos_axum::extract::<Extension<Caller>>()
        .await
        .map(|Extension(caller)| caller)
        .map_err(|_| AppError::Unauthenticated)
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|_| AppError::Internal)
}

pub fn status_of(error: &AppError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Sets the response status for `error` (the page's status during server rendering).
pub fn set_status(error: &AppError) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status_of(error));
    }
}

/// Passes a result through, setting the response status when it is an error.
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        set_status(error);
    }
    result
}

pub fn internal(error: impl std::fmt::Display) -> AppError {
    crate::server::caller::internal(error)
}
