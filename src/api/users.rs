//! `/api/v1/users` (the R365 users view) and `/api/v1/report-roles`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

use super::ApiResult;
use super::auth::ApiClient;
use super::input::{JsonBody, JsonItems, page_only, path_id, query_params, shaped};
use crate::domain::model::Paged;
use crate::domain::user_commands::{NewUser, RawUserQuery, UserChange, UserListQuery};
use crate::domain::users::{ReportRole, User, UserInput};
use crate::domain::{AppError, UserId};
use crate::service::{Context, users as service};

/// At most this many users in one bulk create.
const MAX_BULK: usize = 500;

/// `GET /api/v1/users`
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<User>>> {
    let params = query_params(
        raw.as_deref(),
        &[
            "modified_since",
            "location_ids",
            "brands",
            "emails",
            "page_size",
            "cursor",
        ],
    )?;
    let get = |name: &str| params.get(name).map(String::as_str);
    let query = UserListQuery::try_from(RawUserQuery {
        modified_since: get("modified_since"),
        location_ids: get("location_ids"),
        brands: get("brands"),
        emails: get("emails"),
        page_size: get("page_size"),
        cursor: get("cursor"),
    })?;
    Ok(Json(service::list(&context, &who, &query).await?))
}

/// `GET /api/v1/users/{id}`
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<User>> {
    let id = path_id(&id, UserId::parse)?;
    Ok(Json(service::get(&context, &who, id).await?))
}

/// One created item of a bulk create.
#[derive(Debug, Serialize)]
pub struct Created {
    pub index: usize,
    pub id: UserId,
    pub username: Option<String>,
}

/// One failed item of a bulk create.
#[derive(Debug, Serialize)]
pub struct ItemError {
    pub index: usize,
    pub username: Option<String>,
    pub email: Option<String>,
    pub code: String,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct BulkAnswer {
    pub success: Vec<Created>,
    pub user_errors: Vec<ItemError>,
}

/// One item: shaped, parsed, created in its own unit of work (all or nothing).
async fn create_one(
    context: &Context,
    who: &crate::service::Principal,
    item: Value,
) -> Result<User, AppError> {
    let input: UserInput = shaped(item)?;
    let new = NewUser::try_from(&input)?;
    let mut work = context.begin().await?;
    let user = service::create(&mut work, who, new).await?;
    work.commit().await?;
    Ok(user)
}

/// `POST /api/v1/users`: a JSON array of up to 500 users, each created or refused on its own.
/// 200 when all are created, 207 when some are, 409 when every item was a duplicate email
/// or username, 422 when every item failed otherwise.
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    JsonItems(items): JsonItems,
) -> ApiResult<(StatusCode, Json<BulkAnswer>)> {
    service::may_create(&who)?;
    if items.is_empty() || items.len() > MAX_BULK {
        return Err(AppError::field(
            "body",
            format!("Send from 1 to {MAX_BULK} users in one array."),
        )
        .into());
    }
    let mut answer = BulkAnswer {
        success: Vec::new(),
        user_errors: Vec::new(),
    };
    for (index, item) in items.into_iter().enumerate() {
        let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
        let (username, email) = (text("username"), text("email"));
        match create_one(&context, &who, item).await {
            Ok(user) => answer.success.push(Created {
                index,
                id: user.id,
                username: user.username,
            }),
            Err(AppError::Internal) => return Err(AppError::Internal.into()),
            Err(error) => answer.user_errors.push(ItemError {
                index,
                username,
                email,
                code: error.code().to_string(),
                message: error.to_string(),
                fields: match &error {
                    AppError::Invalid { fields, .. } => fields.clone(),
                    _ => BTreeMap::new(),
                },
            }),
        }
    }
    let status = if answer.user_errors.is_empty() {
        StatusCode::OK
    } else if !answer.success.is_empty() {
        StatusCode::MULTI_STATUS
    } else if answer
        .user_errors
        .iter()
        .all(|e| matches!(e.code.as_str(), "duplicate_email" | "duplicate_username"))
    {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(answer)))
}

/// `PATCH /api/v1/users/{id}`
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserInput>,
) -> ApiResult<Json<User>> {
    let id = path_id(&id, UserId::parse)?;
    let change = UserChange::try_from(&input)?;
    let mut work = context.begin().await?;
    let user = service::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Json(user))
}

/// `GET /api/v1/report-roles`
pub async fn report_roles(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Paged<ReportRole>>> {
    let page = page_only(raw.as_deref())?;
    let roles = service::report_roles(&context, &who).await?;
    Ok(Json(page.page_of(roles, |r| r.id.0)))
}
