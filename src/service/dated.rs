//! Dated access: a grant's window resolved to instants (a console day starts at midnight in
//! the outlet's time zone), and a transfer: from a date, one outlet's access ends and another's
//! starts, as one change.

use crate::domain::commands::{Moment, Window};
use crate::domain::{AppError, OrganizationId, OutletId};
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
    let name = store::catalog::time_zone_of(conn, organization, outlet).await?;
    let zone = jiff::tz::TimeZone::get(&name).unwrap_or(jiff::tz::TimeZone::UTC);
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
