//! Bearer-token authentication of API clients.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::ApiError;
use crate::domain::AppError;
use crate::server::startup::AppState;
use crate::service::{Principal, internal, secrets};
use crate::store::{self, audit::Actor};

/// An authenticated API client: its organization and the access of its one role.
pub struct ApiClient(pub Principal);

/// `last_used_at` is written at most this often per token, to keep reads cheap.
const LAST_USED_RESOLUTION: time::Duration = time::Duration::minutes(1);

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        let grant = store::tokens::active_api_token(&state.pool, &secrets::hash(token))
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthenticated)?;
        let stale_before =
            store::format_timestamp(time::OffsetDateTime::now_utc() - LAST_USED_RESOLUTION);
        if grant
            .last_used_at
            .as_deref()
            .is_none_or(|at| at < stale_before.as_str())
            && let Err(error) = store::tokens::mark_api_token_used(&state.pool, grant.id).await
        {
            tracing::warn!(%error, "could not record API token use");
        }
        let access = store::access::access_of_role(&state.pool, grant.role_id, grant.outlet_id)
            .await
            .map_err(internal)?;
        Ok(ApiClient(Principal {
            organization_id: grant.organization_id,
            access,
            actor: Actor {
                user_id: None,
                token_id: Some(grant.id),
                via: "api",
            },
        }))
    }
}
