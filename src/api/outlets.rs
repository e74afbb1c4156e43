use axum::Json;
use axum::extract::{RawQuery, State};
use std::collections::BTreeMap;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::query_params;
use crate::domain::AppError;
use crate::domain::model::{Outlet, Paged};
use crate::server::startup::AppState;
use crate::service::paging;

/// `GET /api/v1/outlets`: the outlets the client can reach.
pub async fn list(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Outlet>>> {
    let params = query_params(raw.as_deref(), &["page_size", "cursor"])?;
    let mut problems = BTreeMap::new();
    let limit = paging::page_size(params.get("page_size").map(String::as_str), &mut problems);
    let after = paging::decode_cursor(params.get("cursor").map(String::as_str), &mut problems);
    if let Some(error) = AppError::fields(problems) {
        return Err(error.into());
    }
    let rows = crate::service::catalog::outlets(&state, &who, after, limit + 1).await?;
    Ok(Json(paging::page(rows, limit, |o| o.id)))
}
