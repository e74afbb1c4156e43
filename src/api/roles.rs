use axum::Json;
use axum::extract::{RawQuery, State};

use super::ApiResult;
use super::auth::ApiClient;
use super::input::query_params;
use crate::domain::error::Problems;
use crate::domain::model::{ConnectorType, Paged, Role};
use crate::domain::paging::PageRequest;
use crate::service::{Context, catalog};

/// `GET /api/v1/user-roles?type=L|O`: the roles usable in the client's organization.
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Role>>> {
    let params = query_params(raw.as_deref(), &["type", "page_size", "cursor"])?;
    let mut problems = Problems::default();
    let role_type = params
        .get("type")
        .map(|t| t.trim().to_uppercase())
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            problems.check(
                "type",
                t.parse::<ConnectorType>()
                    .map_err(|_| "Use L (library) or O (outlet).".to_string()),
            )
        });
    let page = PageRequest::parse(
        params.get("page_size").map(String::as_str),
        params.get("cursor").map(String::as_str),
        &mut problems,
    );
    problems.finish()?;
    Ok(Json(
        catalog::roles_page(&context, &who, role_type, &page).await?,
    ))
}
