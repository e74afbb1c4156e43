//! `GET /api/v1/me`: the caller in the partner API's User shape.

use axum::Json;
use axum::extract::State;

use super::ApiResult;
use super::auth::ApiOrSession;
use crate::domain::me::Me;
use crate::service::{Context, me};

/// `GET /api/v1/me`, with a bearer token or the console session.
pub async fn get(
    State(context): State<Context>,
    ApiOrSession(who): ApiOrSession,
) -> ApiResult<Json<Me>> {
    Ok(Json(me::me(&context, &who).await?))
}
