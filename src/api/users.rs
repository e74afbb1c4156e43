//! `/api/v1/users` (the R365 users view) and `/api/v1/report-roles`.

use super::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::ApiResult;
use super::auth::ApiClient;
use super::idempotency::IdempotencyKey;
use super::input::{JsonBody, JsonItems, Params, path_id, shaped};
use super::params::{PageParams, UserFilters};
use super::versions::{IfMatch, Tagged};
use crate::domain::model::Paged;
use crate::domain::user_commands::{NewUser, RawUserQuery, UserChange, UserListQuery};
use crate::domain::users::{ReportRole, User, UserInput};
use crate::domain::{AppError, UserId};
use crate::service::idempotency::{self, Answer, Claim, Key};
use crate::service::{Context, users as service};
use axum::response::{IntoResponse, Response};

/// At most this many users in one bulk create.
const MAX_BULK: usize = 500;

/// List users
///
/// The members of the client's organization (the R365 users view), filtered.
#[utoipa::path(get, path = "/users", operation_id = "listUsers", tag = "users", params(UserFilters),
    responses((status = 200, description = "One page of users.", body = Paged<User>)))]
pub async fn list(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(filters): Params<UserFilters>,
) -> ApiResult<Json<Paged<User>>> {
    let query = UserListQuery::try_from(RawUserQuery {
        modified_since: filters.modified_since.as_deref(),
        location_ids: filters.location_ids.as_deref(),
        brands: filters.brands.as_deref(),
        emails: filters.emails.as_deref(),
        external_ids: filters.external_ids.as_deref(),
        page_size: filters.page_size.as_deref(),
        cursor: filters.cursor.as_deref(),
    })?;
    Ok(Json(service::list(&context, &who, &query).await?))
}

/// Get a user
#[utoipa::path(get, path = "/users/{id}", operation_id = "getUser", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "The user's id.")),
    responses((status = 200, description = "The user.", body = User, headers(("ETag" = String, description = "The version of what was answered; send it back in If-Match.")))))]
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Tagged<User>> {
    let id = path_id(&id, UserId::parse)?;
    Ok(Tagged(service::get(&context, &who, id).await?))
}

/// One created item of a bulk create.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub index: usize,
    pub id: UserId,
    pub username: Option<String>,
    /// `true` when the item named a deactivated person of the organization (by
    /// `external_id` or email), who is active again with the access this item gives, none of
    /// their earlier access; `false` for a new person.
    #[serde(default)]
    pub reactivated: bool,
}

/// One failed item of a bulk create.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemError {
    pub index: usize,
    pub username: Option<String>,
    pub email: Option<String>,
    pub code: String,
    pub message: String,
    pub fields: BTreeMap<String, String>,
}

/// What a bulk create did with each item, by its index in the array sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkAnswer {
    pub success: Vec<Created>,
    pub user_errors: Vec<ItemError>,
}

/// A bulk create refused whole: every item failed, or the request itself was refused. (Only
/// the contract names this type; the answers are built as what they are.)
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum BulkRefused {
    Items(BulkAnswer),
    Request(super::openapi::ErrorBody),
}

/// One item: shaped, parsed, created in its own unit of work (all or nothing).
async fn create_one(
    work: &mut crate::service::Work,
    who: &crate::service::Principal,
    item: Value,
) -> Result<service::Creation, AppError> {
    let input: UserInput = shaped(item)?;
    let new = NewUser::try_from(&input)?;
    service::create(work, who, new, service::Rehire::Allowed).await
}

/// What became of one item.
enum Outcome {
    Created(Created),
    Failed(ItemError),
}

impl Outcome {
    fn answer(&self) -> Answer {
        let (status, body) = match self {
            Outcome::Created(created) => (201, serde_json::to_string(created)),
            Outcome::Failed(failed) => (422, serde_json::to_string(failed)),
        };
        Answer {
            status,
            body: body.unwrap_or_default(),
            etag: None,
        }
    }

    fn replayed(answer: Answer) -> Result<Self, AppError> {
        let outcome = if answer.status == 201 {
            serde_json::from_str(&answer.body).map(Outcome::Created)
        } else {
            serde_json::from_str(&answer.body).map(Outcome::Failed)
        };
        outcome.map_err(|_| AppError::Internal)
    }
}

/// Item `index` and whether its outcome is replayed, once per key when the request has one (each item is its own unit of work,
/// so each remembers its own outcome: a retry after a partial failure or a crash redoes
/// only the items that were not done). `Err` refuses the whole request.
async fn create_item(
    context: &Context,
    who: &crate::service::Principal,
    key: Option<&Key>,
    index: usize,
    item: Value,
) -> Result<(Outcome, bool), AppError> {
    let number = i64::try_from(index).unwrap_or(i64::MAX) + 1;
    let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
    let (username, email) = (text("username"), text("email"));
    let mut work = context.begin().await?;
    if let Some(key) = key
        && let Claim::Replay(answer) = idempotency::claim(&mut work, key, number).await?
    {
        return Ok((Outcome::replayed(answer)?, true));
    }
    let error = match create_one(&mut work, who, item).await {
        Ok(creation) => {
            let outcome = Outcome::Created(Created {
                index,
                id: creation.user.id,
                username: creation.user.username,
                reactivated: creation.reactivated,
            });
            if let Some(key) = key {
                idempotency::remember(&mut work, key, number, &outcome.answer()).await?;
            }
            work.commit().await?;
            return Ok((outcome, false));
        }
        Err(AppError::Internal) => return Err(AppError::Internal),
        Err(error) => error,
    };
    drop(work);
    let outcome = Outcome::Failed(ItemError {
        index,
        username,
        email,
        code: error.code().to_string(),
        message: error.to_string(),
        fields: match &error {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => BTreeMap::new(),
        },
    });
    // The refusal is remembered too (the item wrote nothing), so a retry answers the same.
    if let Some(key) = key {
        let mut work = context.begin().await?;
        if let Claim::Replay(answer) = idempotency::claim(&mut work, key, number).await? {
            return Ok((Outcome::replayed(answer)?, true));
        }
        idempotency::remember(&mut work, key, number, &outcome.answer()).await?;
        work.commit().await?;
    }
    Ok((outcome, false))
}

/// Whether an item's refusal was a conflict with someone who exists (the bulk's 409).
fn conflicts_with_someone(code: &str) -> bool {
    code.starts_with("duplicate_")
        || matches!(code, "rehire_email_differs" | "external_id_mismatch")
}

/// Create users
///
/// A JSON array of 1 to 500 users, each created or refused on its own (each in its own
/// transaction): 200 when all are created, 207 when some are, 409 when every item conflicted
/// with someone who exists (a duplicate email, username or external id, or an external id and
/// email naming different people), 422 when every item failed otherwise. An item
/// whose `external_id` or email names a *deactivated* person of the organization reactivates
/// that person (a rehire: `"reactivated": true`) with the access the item gives, none of
/// their earlier access, instead of creating a second one.
#[utoipa::path(post, path = "/users", operation_id = "createUsers", tag = "users",
    request_body(content = Vec<UserInput>, description = "1 to 500 users."),
    params(("Idempotency-Key" = Option<super::params::IdempotencyKeyText>, Header, description = "A key of your choosing (a UUID, say): a retry with the same key and body within 24 hours gets the first answer and writes nothing (each item is remembered as it is done, so a retry after an interruption does only the rest); the same key with another body is refused (422).")),
    responses(
        (status = 200, description = "Every user was created.", body = BulkAnswer),
        (status = 207, description = "Some users were created; `user_errors` says why the others were not.", body = BulkAnswer),
        (status = 409, description = "Every item conflicted with someone who exists: a duplicate email, username or external id, or an external id and email naming different people.", body = BulkAnswer),
        (status = 422, description = "Every item failed (`user_errors`), or the array was empty or too long (the error body).", body = BulkRefused),
    ))]
pub async fn create(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    key: IdempotencyKey,
    JsonItems(items): JsonItems,
) -> ApiResult<Response> {
    let key = key.of(&who, "POST /users", &items);
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
    let mut all_replayed = key.is_some();
    for (index, item) in items.into_iter().enumerate() {
        let (outcome, replayed) = create_item(&context, &who, key.as_ref(), index, item).await?;
        all_replayed &= replayed;
        match outcome {
            Outcome::Created(created) => answer.success.push(created),
            Outcome::Failed(failed) => answer.user_errors.push(failed),
        }
    }
    let status = if answer.user_errors.is_empty() {
        StatusCode::OK
    } else if !answer.success.is_empty() {
        StatusCode::MULTI_STATUS
    } else if answer
        .user_errors
        .iter()
        .all(|e| conflicts_with_someone(&e.code))
    {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = (status, Json(answer)).into_response();
    if all_replayed {
        super::idempotency::mark_replayed(&mut response);
    }
    Ok(response)
}

/// Change a user
///
/// Only what is sent changes; `null` clears a field that may be empty.
#[utoipa::path(patch, path = "/users/{id}", operation_id = "updateUser", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "The user's id."), ("If-Match" = Option<String>, Header, description = "The ETag you read: the change is refused with 412 if it changed since.")),
    request_body = UserInput,
    responses((status = 200, description = "The user as changed.", body = User, headers(("ETag" = String, description = "The version of what was answered; send it back in If-Match.")))))]
pub async fn update(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<UserInput>,
) -> ApiResult<Tagged<User>> {
    let id = path_id(&id, UserId::parse)?;
    let change = UserChange::try_from(&input)?;
    let mut work = context.begin().await?;
    if if_match.given() {
        if_match.check(&service::read(&mut work, &who, id).await?)?;
    }
    let user = service::update(&mut work, &who, id, change).await?;
    work.commit().await?;
    Ok(Tagged(user))
}

/// List report roles
#[utoipa::path(get, path = "/report-roles", operation_id = "listReportRoles", tag = "report roles", params(PageParams),
    responses((status = 200, description = "One page of report roles.", body = Paged<ReportRole>)))]
pub async fn report_roles(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Params(page): Params<PageParams>,
) -> ApiResult<Json<Paged<ReportRole>>> {
    let page = page.only()?;
    let roles = service::report_roles(&context, &who).await?;
    Ok(Json(page.page_of(roles, |r| r.id.0)))
}
