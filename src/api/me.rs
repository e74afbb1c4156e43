//! `GET /api/v1/me`: the caller in the partner API's User shape.

use super::json::Json;
use axum::extract::State;

use super::ApiResult;
use super::auth::ApiOrSession;
use crate::domain::me::Me;
use crate::service::{Context, me};

/// Who am I
///
/// The caller in the partner API's User shape: with a bearer token, the API client; with
/// the console's session, the signed-in person.
#[utoipa::path(get, path = "/me", operation_id = "getMe", tag = "me",
    responses((status = 200, description = "The caller.", body = Me)))]
pub async fn get(
    State(context): State<Context>,
    ApiOrSession(who): ApiOrSession,
) -> ApiResult<Json<Me>> {
    Ok(Json(me::me(&context, &who).await?))
}
