//! Bearer-token authentication of API clients, through the service's one way in.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use tower_sessions::Session;

use super::ApiError;
use crate::domain::AppError;
use crate::service::{Context, Principal, auth};

/// An authenticated API client: its organization and the access of its one role.
pub struct ApiClient(pub Principal);

impl FromRequestParts<Context> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, context: &Context) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        Ok(ApiClient(auth::api_client(context, header).await?))
    }
}

/// The caller of an endpoint that a signed-in person may also call from the console: a
/// bearer token when the request has one, else the console session.
pub struct ApiOrSession(pub Principal);

impl FromRequestParts<Context> for ApiOrSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, context: &Context) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            let ApiClient(principal) = ApiClient::from_request_parts(parts, context).await?;
            return Ok(ApiOrSession(principal));
        }
        let session = Session::from_request_parts(parts, context)
            .await
            .map_err(|_| AppError::Unauthenticated)?;
        let claims: Option<auth::SessionClaims> = session
            .get(auth::SESSION_CLAIMS)
            .await
            .map_err(|_| AppError::Unauthenticated)?;
        let claims = claims.ok_or(AppError::Unauthenticated)?;
        let signed_in = auth::resume(context, &claims)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiOrSession(signed_in.principal))
    }
}
