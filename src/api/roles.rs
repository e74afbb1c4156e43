use axum::Json;
use axum::extract::{RawQuery, State};
use std::collections::BTreeMap;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::query_params;
use crate::domain::AppError;
use crate::domain::model::{ConnectorType, Paged, Role};
use crate::server::startup::AppState;
use crate::service::paging;

/// `GET /api/v1/user-roles?type=L|O`: the roles usable in the client's organization.
pub async fn list(
    State(state): State<AppState>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<Role>>> {
    let params = query_params(raw.as_deref(), &["type", "page_size", "cursor"])?;
    let mut problems = BTreeMap::new();
    let role_type = params
        .get("type")
        .map(|t| t.trim().to_uppercase())
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            let parsed = ConnectorType::parse(&t);
            if parsed.is_none() {
                problems.insert(
                    "type".to_string(),
                    "Use L (library) or O (outlet).".to_string(),
                );
            }
            parsed
        });
    let limit = paging::page_size(params.get("page_size").map(String::as_str), &mut problems);
    let after = paging::decode_cursor(params.get("cursor").map(String::as_str), &mut problems);
    if let Some(error) = AppError::fields(problems) {
        return Err(error.into());
    }
    // Roles are few per organization: page them in memory, by id like every other list.
    let mut roles = crate::service::catalog::roles(&state, &who, role_type).await?;
    roles.sort_by_key(|r| r.id);
    let rows: Vec<Role> = roles
        .into_iter()
        .filter(|r| after.is_none_or(|a| r.id > a))
        .take(limit as usize + 1)
        .collect();
    Ok(Json(paging::page(rows, limit, |r| r.id)))
}
