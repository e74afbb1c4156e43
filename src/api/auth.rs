//! Bearer-token authentication of API clients, through the service's one way in.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::ApiError;
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
