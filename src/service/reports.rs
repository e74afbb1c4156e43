//! The access report (who can reach which outlet, with what role, through what) and the CSV
//! exports of it and of the people list. An export is written page by page as it is read
//! (keyset pages, each its own read), so 200,000 people never sit in memory at once. The
//! same scope rules as the lists: what the viewer may see, nothing more.

use futures_util::Stream;

use super::{Context, Principal};
use crate::domain::commands::ConnectorListQuery;
use crate::domain::model::{Connector, ConnectorState, ConnectorType, Paged, display_name};
use crate::domain::paging::PageRequest;
use crate::domain::user_commands::PeopleSelection;
use crate::domain::{AppError, MembershipId, Permission};
use crate::store;

/// Rows read per page of an export.
const EXPORT_PAGE: u32 = 500;

/// A chunk of a CSV file.
pub type Chunk = Result<Vec<u8>, AppError>;

/// The connectors list narrowed to the report: grants active now of active members; the
/// outlet filter asks who *reaches* the outlet (at it, through a group holding it, or across
/// the organization).
fn report(mut query: ConnectorListQuery) -> ConnectorListQuery {
    query.filter.reaches = query.filter.outlet_id.take();
    query.filter.state = Some(ConnectorState::Active);
    query.filter.active_members = true;
    query
}

/// One page of the access report.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn access(
    context: &Context,
    who: &Principal,
    query: ConnectorListQuery,
) -> Result<Paged<Connector>, AppError> {
    super::connectors::list(context, who, &report(query)).await
}

/// Where a grant applies and through what, as the report words it.
pub fn place_and_source(connector: &Connector) -> (String, &'static str) {
    match (&connector.outlet, &connector.outlet_group) {
        (Some(o), _) => (format!("{} ({})", o.name, o.number), "outlet"),
        (None, Some(group)) => (group.name.clone(), "outlet group"),
        (None, None) => ("Every outlet".to_string(), "organization"),
    }
}

fn csv_chunk(rows: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Chunk {
    let mut writer = csv::Writer::from_writer(Vec::new());
    rows(&mut writer).map_err(|e| AppError::internal(&e))?;
    writer.into_inner().map_err(|e| AppError::internal(&e))
}

/// The access report as CSV, every page of it (the query's own page is ignored).
pub async fn access_csv(
    context: Context,
    who: Principal,
    query: ConnectorListQuery,
) -> Result<impl Stream<Item = Chunk> + Send + 'static, AppError> {
    who.scope_for(Permission::ViewConnectors)?;
    let query = report(query);
    let header = csv_chunk(|w| {
        w.write_record([
            "name",
            "email",
            "role",
            "role_type",
            "where",
            "through",
            "starts_at",
            "ends_at",
        ])
    });
    let pages = futures_util::stream::unfold(Some(None), move |after| {
        let (context, who, mut query) = (context.clone(), who.clone(), query.clone());
        async move {
            let after = after?;
            query.page = PageRequest {
                size: EXPORT_PAGE,
                after,
            };
            let page = match super::connectors::list(&context, &who, &query).await {
                Ok(page) => page,
                Err(error) => return Some((Err(error), None)),
            };
            let next = page
                .results
                .last()
                .map(|c| c.id.0)
                .filter(|_| page.next_cursor.is_some());
            let chunk = csv_chunk(|w| {
                for c in &page.results {
                    let (place, source) = place_and_source(c);
                    let kind = match c.connector_type {
                        ConnectorType::Library => "L",
                        ConnectorType::Outlet => "O",
                    };
                    w.write_record([
                        display_name(&c.user.first_name, &c.user.last_name, &c.user.email).as_str(),
                        &c.user.email,
                        &c.role.name,
                        kind,
                        &place,
                        source,
                        c.starts_at.as_deref().unwrap_or(""),
                        c.ends_at.as_deref().unwrap_or(""),
                    ])?;
                }
                Ok(())
            });
            Some((chunk, next.map(Some)))
        }
    });
    Ok(futures_util::StreamExt::chain(
        futures_util::stream::iter([header]),
        pages,
    ))
}

/// The people list as CSV (the selection as the list's filters make it; every page):
/// names, email, status, who manages them, roles, where (the whole organization, outlets,
/// outlet groups) and the last sign-in, each within the viewer's scope.
pub async fn people_csv(
    context: Context,
    who: Principal,
    selection: PeopleSelection,
) -> Result<impl Stream<Item = Chunk> + Send + 'static, AppError> {
    who.scope_for(Permission::ViewUsers)?;
    let header = csv_chunk(|w| {
        w.write_record([
            "first_name",
            "last_name",
            "email",
            "status",
            "managed_by",
            "roles",
            "whole_organization",
            "outlets",
            "outlet_groups",
            "last_signed_in_at",
        ])
    });
    let pages = futures_util::stream::unfold(
        Some(None::<MembershipId>),
        move |after: Option<Option<MembershipId>>| {
            let (context, who, selection) = (context.clone(), who.clone(), selection.clone());
            async move {
                let after = after?;
                match people_page(&context, &who, &selection, after).await {
                    Ok((chunk, next)) => Some((Ok(chunk), next.map(Some))),
                    Err(error) => Some((Err(error), None)),
                }
            }
        },
    );
    Ok(futures_util::StreamExt::chain(
        futures_util::stream::iter([header]),
        pages,
    ))
}

/// One page of the people export after `after`, and the membership to continue after.
async fn people_page(
    context: &Context,
    who: &Principal,
    selection: &PeopleSelection,
    after: Option<MembershipId>,
) -> Result<(Vec<u8>, Option<MembershipId>), AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    let search =
        store::people::search(&mut conn, who.organization_id, selection, context.now()).await?;
    let position = match after {
        Some(after) => store::people::position(&mut conn, who.organization_id, after).await?,
        None => None,
    };
    let rows = store::people::list(
        &mut conn,
        who.organization_id,
        &scope,
        &search,
        position.as_ref(),
        i64::from(EXPORT_PAGE) + 1,
    )
    .await?;
    let more = rows.len() > EXPORT_PAGE as usize;
    let rows = &rows[..rows.len().min(EXPORT_PAGE as usize)];
    let memberships: Vec<_> = rows.iter().map(|r| r.membership_id).collect();
    let mut roles = store::people::roles_by_membership(&mut conn, &memberships, &scope).await?;
    let mut places = store::people::places_by_membership(&mut conn, &memberships, &scope).await?;
    let chunk = csv_chunk(|w| {
        for r in rows {
            let roles = roles.remove(&r.membership_id).unwrap_or_default();
            let places = places.remove(&r.membership_id).unwrap_or_default();
            let managed = match &r.brand {
                Some(brand) => format!("{} ({brand})", r.managed_by.as_str()),
                None => r.managed_by.as_str().to_string(),
            };
            w.write_record([
                r.first_name.as_str(),
                &r.last_name,
                &r.email,
                r.status.as_str(),
                &managed,
                &roles.join("; "),
                if places.whole_organization {
                    "yes"
                } else {
                    "no"
                },
                &places.outlets.join("; "),
                &places.groups.join("; "),
                r.last_signed_in_at.as_deref().unwrap_or(""),
            ])?;
        }
        Ok(())
    })?;
    let next = more.then(|| rows.last().map(|r| r.membership_id)).flatten();
    Ok((chunk, next))
}
