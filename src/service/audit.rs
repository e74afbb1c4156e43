//! Reading the audit log: the organization's events, newest first, filtered by who acted,
//! what happened, whom it concerned and when. Only `audit.view` across the organization
//! reads it; the events themselves are written by each use-case in its own unit of work.

use super::{Context, Principal};
use crate::domain::audit::{AuditAction, AuditCursor, AuditEvent, AuditFilter};
use crate::domain::model::{Paged, Via};
use crate::domain::{AppError, UserId, policy};
use crate::store::{self, Conn};

/// Records what a person did to their own account (it is shared by their organizations) in
/// each organization where they are active, or once with no organization when they are
/// active nowhere.
pub(super) async fn record_for_account(
    conn: &mut Conn,
    user: UserId,
    action: AuditAction,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let actor = store::audit::Actor {
        user_id: Some(user),
        token_id: None,
        via: Via::Console,
    };
    let organizations = store::accounts::active_organizations(conn, user).await?;
    let organizations: Vec<_> = match organizations.is_empty() {
        true => vec![None],
        false => organizations
            .into_iter()
            .map(|(organization, _)| Some(organization.id))
            .collect(),
    };
    for organization_id in organizations {
        let event = store::audit::Event {
            organization_id,
            action,
            target_type: "user_account",
            target_id: Some(user.0),
            subject: Some(user),
            before: None,
            after: after.clone(),
        };
        store::audit::record(conn, actor, event).await?;
    }
    Ok(())
}

/// One page of the log.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn list(
    context: &Context,
    who: &Principal,
    filter: &AuditFilter,
) -> Result<Paged<AuditEvent>, AppError> {
    policy::may_view_audit(&who.access)?;
    let mut conn = context.read().await?;
    let mut results = store::audit::list(&mut conn, who.organization_id, filter).await?;
    let size = filter.size as usize;
    let next_cursor = (results.len() > size).then(|| {
        results.truncate(size);
        results
            .last()
            .map(|event| AuditCursor(event.id).encode())
            .unwrap_or_default()
    });
    Ok(Paged {
        results,
        next_cursor,
    })
}
