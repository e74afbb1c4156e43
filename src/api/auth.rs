//! Bearer-token authentication of API clients, through the service's one way in.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};
use tower_sessions::Session;

use super::ApiError;
use crate::domain::AppError;
use crate::server::client_address::ClientAddress;
use crate::service::rate_limits::{self, Caller, Quota};
use crate::service::{Context, Principal, auth};

/// An authenticated API client: its organization and the access of its one role.
pub struct ApiClient(pub Principal);

/// Authenticates, then counts the request against the client's rate limit (or, without a
/// valid token, its address's), leaving where it stands for the answer's headers.
impl FromRequestParts<Context> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, context: &Context) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let authenticated = auth::api_client(context, header).await;
        let caller = match &authenticated {
            Ok(principal) => principal.actor.token_id.map(Caller::Client),
            Err(AppError::Unauthenticated) => parts
                .extensions
                .get::<ClientAddress>()
                .map(|address| Caller::Address(address.0)),
            Err(_) => None,
        };
        if let Some(caller) = caller {
            count(parts, context, caller).await?;
        }
        Ok(ApiClient(authenticated?))
    }
}

/// Counts one request of `caller` (429 past its limit), leaving where it stands for the
/// answer's headers.
pub(crate) async fn count(
    parts: &Parts,
    context: &Context,
    caller: Caller,
) -> Result<(), AppError> {
    let (counted, quota) = match rate_limits::take(context, caller).await {
        Ok(quota) => (Ok(()), quota),
        Err((refusal, quota)) => (Err(refusal), quota),
    };
    if let Some(slot) = parts.extensions.get::<QuotaSlot>() {
        slot.fill(quota);
    }
    counted
}

/// Where the caller stands against its rate limit, filled when the request is counted and
/// read when the answer goes out ([`rate_limit_headers`]).
#[derive(Clone, Default)]
pub struct QuotaSlot(Arc<OnceLock<Quota>>);

impl QuotaSlot {
    fn fill(&self, quota: Quota) {
        let _ = self.0.set(quota);
    }
}

/// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` on every counted answer.
pub async fn rate_limit_headers(mut request: Request, next: Next) -> Response {
    let slot = QuotaSlot::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some(quota) = slot.0.get() {
        let headers = response.headers_mut();
        headers.insert("ratelimit-limit", HeaderValue::from(quota.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(quota.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(quota.reset));
    }
    response
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
        if signed_in.must_enrol_two_step {
            return Err(auth::two_step_required().into());
        }
        Ok(ApiOrSession(signed_in.principal))
    }
}
