use axum::Json;
use axum::extract::{RawQuery, State};

use super::ApiResult;
use super::auth::ApiClient;
use super::input::query_params;
use crate::domain::error::Problems;
use crate::domain::model::{Outlet, Paged};
use crate::domain::paging::PageRequest;
use crate::service::{Context, catalog};

/// `GET /api/v1/outlets`: the outlets the client can reach.
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Outlet>>> {
    let params = query_params(raw.as_deref(), &["page_size", "cursor"])?;
    let mut problems = Problems::default();
    let page = PageRequest::parse(
        params.get("page_size").map(String::as_str),
        params.get("cursor").map(String::as_str),
        &mut problems,
    );
    problems.finish()?;
    Ok(Json(catalog::outlets(&context, &who, &page).await?))
}
