//! Dated access: a grant's window resolved to instants (a console day starts at midnight in
//! the outlet's time zone), and a transfer: from a date, one outlet's access ends and another's
//! starts, as one change.

use super::{Principal, Work, connectors};
use crate::domain::audit::AuditAction;
use crate::domain::commands::{Moment, Window};
use crate::domain::model::{Connector, ConnectorState, ConnectorType};
use crate::domain::{AppError, ConnectorId, OrganizationId, OutletId};
use crate::store::{self, Conn};
use time::OffsetDateTime;

/// The instant a moment names at the outlet (`None`: the organization's time zone).
fn instant(moment: Moment, zone: &jiff::tz::TimeZone) -> Result<OffsetDateTime, AppError> {
    match moment {
        Moment::At(at) => Ok(at),
        Moment::LocalDay(day) => {
            let start = day
                .to_zoned(zone.clone())
                .map_err(|_| AppError::field("starts_at", "This day has no start here."))?;
            OffsetDateTime::from_unix_timestamp_nanos(start.timestamp().as_nanosecond())
                .map_err(|_| AppError::field("starts_at", "Use a nearer date."))
        }
    }
}

/// The time zone of the outlet (its own, else the organization's; UTC for a name this build's
/// zone database does not know).
async fn zone_of(
    conn: &mut Conn,
    organization: OrganizationId,
    outlet: Option<OutletId>,
) -> Result<jiff::tz::TimeZone, AppError> {
    let name = store::catalog::time_zone_of(conn, organization, outlet).await?;
    Ok(jiff::tz::TimeZone::get(&name).unwrap_or(jiff::tz::TimeZone::UTC))
}

/// The window as stored, checked: it ends after it starts, and not in the past.
pub(crate) async fn resolve(
    conn: &mut Conn,
    organization: OrganizationId,
    outlet: Option<OutletId>,
    window: &Window,
    now: OffsetDateTime,
) -> Result<store::connectors::Window, AppError> {
    if window.is_open() {
        return Ok(store::connectors::Window::default());
    }
    let zone = zone_of(conn, organization, outlet).await?;
    let starts = window.starts.map(|m| instant(m, &zone)).transpose()?;
    let ends = window.ends.map(|m| instant(m, &zone)).transpose()?;
    if let (Some(starts), Some(ends)) = (starts, ends)
        && ends <= starts
    {
        return Err(AppError::field(
            "ends_at",
            "The access ends after it starts.",
        ));
    }
    if ends.is_some_and(|ends| ends <= now) {
        return Err(AppError::field(
            "ends_at",
            "This end has already passed: give a later one.",
        ));
    }
    Ok(store::connectors::Window {
        starts_at: starts.map(store::format_timestamp),
        ends_at: ends.map(store::format_timestamp),
    })
}

/// A transfer: from `on`, the connector's outlet access ends and the same role starts at
/// `to`, as one change (two audit events, recorded when it is planned). Checked as a move is:
/// the caller may change this grant and may grant the role at `to`. `on` in the past means
/// now. Answers the new connector.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id, connector = %id))]
pub async fn transfer(
    work: &mut Work,
    who: &Principal,
    id: ConnectorId,
    to: OutletId,
    on: Option<Moment>,
) -> Result<Connector, AppError> {
    let (before, visible) = connectors::known_connector(work, who, id).await?;
    let console = connectors::console_facts(work, who, before.membership_id).await?;
    let manage = connectors::check_change(work, who, &before, visible, console.as_ref()).await?;
    let current = &before.connector;
    if current.connector_type == ConnectorType::Library {
        return Err(AppError::field(
            "outlet",
            "This is a library connector (the whole organization): it has no outlet to transfer from.",
        ));
    }
    if let Some(group) = &current.outlet_group {
        return Err(AppError::field(
            "outlet",
            format!(
                "This access is through the outlet group {}: change the group's outlets, or add access at the outlet.",
                group.name
            ),
        ));
    }
    if current.state == ConnectorState::Ended {
        return Err(AppError::conflict(
            "connector_ended",
            "This access has already ended: add access at the new outlet instead.",
        ));
    }
    if current.outlet.as_ref().is_some_and(|o| o.id == to) {
        return Err(AppError::field(
            "outlet",
            "Choose another outlet than the one the access is at.",
        ));
    }
    let (role, outlet) = connectors::resolve_grant(work, who, current.role.id, Some(to)).await?;
    connectors::check_new_grant(who, &manage, &role, outlet.as_ref())?;
    let now = work.now();
    let zone = zone_of(work, who.organization_id, Some(to)).await?;
    let on = match on {
        Some(on) => instant(on, &zone)?.max(now),
        None => now,
    };
    let on_text = store::format_timestamp(on);
    if current
        .starts_at
        .as_deref()
        .is_some_and(|s| s >= on_text.as_str())
    {
        return Err(AppError::field(
            "on",
            "The transfer comes after this access starts: give a later date.",
        ));
    }
    if current
        .ends_at
        .as_deref()
        .is_some_and(|e| e <= on_text.as_str())
    {
        return Err(AppError::field(
            "on",
            "This access ends before that date: add access at the new outlet instead.",
        ));
    }
    store::connectors::set_ends_at(work, id, Some(&on_text)).await?;
    let window = store::connectors::Window {
        starts_at: Some(on_text),
        ends_at: current.ends_at.clone(),
    };
    let new = store::connectors::insert_dated(
        work,
        who.organization_id,
        before.membership_id,
        (
            role.role_type,
            store::connectors::Place::Outlet(to),
            role.id,
        ),
        &window,
    )
    .await
    .map_err(|e| {
        if store::is_unique_violation(&e) {
            connectors::duplicate(&current.user.email, &role, outlet.as_ref())
        } else {
            AppError::from(e)
        }
    })?;
    let ended = connectors::reload(work, who, id).await?;
    connectors::audit_change(
        work,
        who,
        AuditAction::ConnectorUpdated,
        id,
        Some(current),
        Some(&ended),
    )
    .await?;
    let started = connectors::reload(work, who, new).await?;
    connectors::audit_change(
        work,
        who,
        AuditAction::ConnectorCreated,
        new,
        None,
        Some(&started),
    )
    .await?;
    Ok(started)
}
