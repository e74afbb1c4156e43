use super::json::Json;
use axum::extract::State;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::Params;
use super::params::AuditFilters;
use crate::domain::audit::{AuditEvent, AuditFilter, AuditQuery};
use crate::domain::model::Paged;
use crate::service::{Context, audit as service};

/// List audit events
///
/// Every change recorded in the organization, newest first: who made it (a person, an API
/// client, the operator), through which face, what it was, whom it concerned, and the state
/// before and after (also field by field in `changes`). Nothing secret is recorded. Needs
/// `audit.view` across the organization.
#[utoipa::path(get, path = "/audit-events", operation_id = "listAuditEvents", tag = "audit",
    params(AuditFilters),
    responses((status = 200, description = "One page of events, newest first.", body = Paged<AuditEvent>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(filters): Params<AuditFilters>,
) -> ApiResult<Json<Paged<AuditEvent>>> {
    let filter = AuditFilter::parse(&AuditQuery::from(filters))?;
    Ok(Json(service::list(&context, &who, &filter).await?))
}
