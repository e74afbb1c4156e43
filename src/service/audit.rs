//! Reading the audit log: the organization's events, newest first, filtered by who acted,
//! what happened, whom it concerned and when. Only `audit.view` across the organization
//! reads it; the events themselves are written by each use-case in its own unit of work.

use super::{Context, Principal};
use crate::domain::audit::{AuditCursor, AuditEvent, AuditFilter};
use crate::domain::model::Paged;
use crate::domain::{AppError, policy};
use crate::store;

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
