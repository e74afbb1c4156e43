//! `/api/v1/users/{id}/invitation`: the organization's invitation of a person (the
//! verification mail that lets them set a first password), read, sent again, revoked.

use super::json::Json;
use axum::extract::{Path, State};

use super::ApiResult;
use super::auth::ApiClient;
use super::input::path_id;
use crate::domain::UserId;
use crate::domain::invitations::Invitation;
use crate::service::{Context, invitations, people};

/// Get a user's invitation
///
/// The latest invitation the organization sent the person: `pending` (its link works),
/// `accepted` (used, or the person has a password), `expired` (7 days passed) or `revoked`.
/// 404 when none was sent.
#[utoipa::path(get, path = "/users/{id}/invitation", operation_id = "getInvitation", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "The user's id.")),
    responses((status = 200, description = "The invitation.", body = Invitation)))]
pub async fn get(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<Invitation>> {
    let id = path_id(&id, UserId::parse)?;
    let record = people::record(&context, &who, id).await?;
    Ok(Json(
        record.invitation.ok_or(crate::domain::AppError::NotFound)?,
    ))
}

/// Send a user's invitation (again)
///
/// Mails the person a new link, valid 7 days; the link sent before stops working. Refused
/// (409 `invitation_accepted`) for someone who already has a password.
#[utoipa::path(post, path = "/users/{id}/invitation", operation_id = "sendInvitation", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "The user's id.")),
    responses((status = 200, description = "The new invitation, pending.", body = Invitation)))]
pub async fn send(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<Invitation>> {
    let id = path_id(&id, UserId::parse)?;
    let mut work = context.begin().await?;
    let invitation = invitations::send(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(Json(invitation))
}

/// Revoke a user's invitation
///
/// Its link stops working. Refused (409 `no_pending_invitation`) when none is pending.
#[utoipa::path(delete, path = "/users/{id}/invitation", operation_id = "revokeInvitation", tag = "users",
    params(("id" = uuid::Uuid, Path, description = "The user's id.")),
    responses((status = 200, description = "The invitation, revoked.", body = Invitation)))]
pub async fn revoke(
    State(context): State<Context>,
    ApiClient(who): ApiClient,
    Path(id): Path<String>,
) -> ApiResult<Json<Invitation>> {
    let id = path_id(&id, UserId::parse)?;
    let mut work = context.begin().await?;
    let invitation = invitations::revoke(&mut work, &who, id).await?;
    work.commit().await?;
    Ok(Json(invitation))
}
