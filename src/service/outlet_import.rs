//! Importing outlets from CSV (`number,name,brand,time_zone`): a preview that says per row
//! create / update / unchanged / error with the reason, then "apply" as one job whose progress
//! the console shows. The plan is computed again when applying, so the same file twice changes
//! nothing the second time.

use crate::domain::audit::AuditAction;
use std::collections::{HashMap, HashSet};

use super::outlets::may_manage_outlets;
use super::{Context, Principal};
use crate::domain::me::{ImportAction, ImportPreview, ImportRow, JobProgress};
use crate::domain::organization::TimeZoneName;
use crate::domain::{AppError, BrandId, OrganizationId, OutletId, PersonName};
use crate::store::catalog::{OutletWrite, StoredOutlet};
use crate::store::{self, Conn, audit};

/// At most this many rows in one import.
const MAX_ROWS: usize = 5_000;
/// Rows written per transaction while applying.
const BATCH: usize = 100;

/// One row as it would be written.
struct Planned {
    row: ImportRow,
    existing: Option<OutletId>,
    name: String,
    number: String,
    brand: Option<BrandId>,
    time_zone: Option<String>,
}

/// Reads the file and decides each row against the organization's outlets.
async fn plan(
    conn: &mut Conn,
    organization: OrganizationId,
    csv_text: &str,
) -> Result<Vec<Planned>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| AppError::field("csv", "The file could not be read as CSV."))?
        .iter()
        .map(|h| h.to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(number_at), Some(name_at)) = (column("number"), column("name")) else {
        return Err(AppError::field(
            "csv",
            "The first line must name the columns: number,name,brand,time_zone.",
        ));
    };
    let (brand_at, zone_at) = (column("brand"), column("time_zone"));
    let brands: HashMap<String, BrandId> = store::catalog::usable_brands(conn, organization)
        .await?
        .into_iter()
        .map(|b| (b.name.to_lowercase(), b.id))
        .collect();
    let existing: HashMap<String, StoredOutlet> =
        store::catalog::stored_outlets(conn, organization)
            .await?
            .into_iter()
            .map(|o| (o.number.to_lowercase(), o))
            .collect();
    let mut seen = HashSet::new();
    let mut planned = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        if planned.len() >= MAX_ROWS {
            return Err(AppError::field(
                "csv",
                format!("Import at most {MAX_ROWS} outlets at once."),
            ));
        }
        let record = record
            .map_err(|_| AppError::field("csv", format!("Line {line} could not be read.")))?;
        let get = |at: Option<usize>| {
            at.and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_string()
        };
        let (number, name, brand_name, zone) = (
            get(Some(number_at)),
            get(Some(name_at)),
            get(brand_at),
            get(zone_at),
        );
        let mut error = None;
        let number_ok = (1..=20).contains(&number.chars().count())
            && number
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !number_ok {
            error = Some("The number must be 1 to 20 letters, digits, - _ or .".to_string());
        } else if !seen.insert(number.to_lowercase()) {
            error = Some("This number appears twice in the file.".to_string());
        }
        if error.is_none() && (name.is_empty() || PersonName::parse(&name).is_err()) {
            error = Some("The name is missing or too long.".to_string());
        }
        let brand = match brand_name.as_str() {
            "" => None,
            text => match brands.get(&text.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    error.get_or_insert(format!("No brand named {text} is owned or run here."));
                    None
                }
            },
        };
        let time_zone = match zone.as_str() {
            "" => None,
            text => match TimeZoneName::parse(text) {
                Ok(zone) => Some(zone.as_str().to_string()),
                Err(problem) => {
                    error.get_or_insert(problem);
                    None
                }
            },
        };
        let current = existing.get(&number.to_lowercase());
        let action = match (&error, current) {
            (Some(reason), _) => ImportAction::Error(reason.clone()),
            (None, None) => ImportAction::Create,
            (None, Some(outlet)) => {
                let mut changed = Vec::new();
                if outlet.name != name {
                    changed.push("name".to_string());
                }
                if outlet.brand_id != brand {
                    changed.push("brand".to_string());
                }
                if outlet.time_zone != time_zone {
                    changed.push("time zone".to_string());
                }
                if changed.is_empty() {
                    ImportAction::Unchanged
                } else {
                    ImportAction::Update(changed)
                }
            }
        };
        planned.push(Planned {
            row: ImportRow {
                line,
                number: number.clone(),
                name: name.clone(),
                action,
            },
            existing: current.map(|o| o.id),
            name,
            number,
            brand,
            time_zone,
        });
    }
    Ok(planned)
}

/// What importing `csv_text` would do, row by row. Nothing is written.
pub async fn preview(
    context: &Context,
    who: &Principal,
    csv_text: &str,
) -> Result<ImportPreview, AppError> {
    may_manage_outlets(who)?;
    let mut conn = context.read().await?;
    let planned = plan(&mut conn, who.organization_id, csv_text).await?;
    Ok(ImportPreview {
        rows: planned.into_iter().map(|p| p.row).collect(),
    })
}

/// Plans `csv_text` and records a job for its writes: rows with an error are skipped (the
/// preview named them), unchanged rows need nothing.
async fn start(
    context: &Context,
    who: &Principal,
    csv_text: &str,
) -> Result<(uuid::Uuid, Vec<Planned>), AppError> {
    may_manage_outlets(who)?;
    let planned = {
        let mut conn = context.read().await?;
        plan(&mut conn, who.organization_id, csv_text).await?
    };
    let writes: Vec<Planned> = planned
        .into_iter()
        .filter(|p| matches!(p.row.action, ImportAction::Create | ImportAction::Update(_)))
        .collect();
    let mut work = context.begin().await?;
    let id = store::catalog::start_job(
        &mut work,
        who.organization_id,
        "outlet_import",
        writes.len() as i64,
    )
    .await?;
    work.commit().await?;
    Ok((id, writes))
}

/// Writes a started job's rows in batches, each its own unit of work with its audit events,
/// and records how it ended.
async fn finish(context: &Context, who: &Principal, id: uuid::Uuid, writes: Vec<Planned>) {
    let (status, summary) = match run(context, who, id, writes).await {
        Ok((created, updated)) => ("finished", format!("{created} created, {updated} updated.")),
        Err(error) => ("failed", format!("Stopped: {error}")),
    };
    let finished = async {
        let mut work = context.begin().await?;
        store::catalog::finish_job(&mut work, id, status, &summary).await?;
        work.commit().await
    };
    if let Err(error) = finished.await {
        tracing::error!(%error, "could not record the end of an import");
    }
}

/// Starts applying `csv_text` as a job in the background and returns its progress so far.
pub async fn apply(
    context: &Context,
    who: &Principal,
    csv_text: &str,
) -> Result<JobProgress, AppError> {
    let (id, writes) = start(context, who, csv_text).await?;
    let (job_context, job_who) = (context.clone(), who.clone());
    tokio::spawn(async move { finish(&job_context, &job_who, id, writes).await });
    progress(context, who, id).await
}

/// Applies `csv_text` as a job and waits for it to end (the command line).
pub async fn apply_and_wait(
    context: &Context,
    who: &Principal,
    csv_text: &str,
) -> Result<JobProgress, AppError> {
    let (id, writes) = start(context, who, csv_text).await?;
    finish(context, who, id, writes).await;
    progress(context, who, id).await
}

async fn run(
    context: &Context,
    who: &Principal,
    job: uuid::Uuid,
    writes: Vec<Planned>,
) -> Result<(usize, usize), AppError> {
    let (mut created, mut updated, mut done) = (0, 0, 0);
    for batch in writes.chunks(BATCH) {
        let mut work = context.begin().await?;
        for planned in batch {
            let after = match planned.existing {
                None => {
                    let id = store::catalog::insert_outlet(
                        &mut work,
                        who.organization_id,
                        &planned.name,
                        &planned.number,
                        planned.brand,
                        planned.time_zone.as_deref(),
                    )
                    .await?;
                    created += 1;
                    (id, AuditAction::OutletCreated)
                }
                Some(id) => {
                    let write = OutletWrite {
                        name: Some(&planned.name),
                        number: None,
                        brand: Some(planned.brand),
                        time_zone: Some(planned.time_zone.as_deref()),
                        archived: None,
                    };
                    store::catalog::update_outlet(&mut work, id, &write).await?;
                    updated += 1;
                    (id, AuditAction::OutletUpdated)
                }
            };
            let event = audit::Event {
                subject: None,
                organization_id: Some(who.organization_id),
                action: after.1,
                target_type: "outlet",
                target_id: Some(after.0.0),
                before: None,
                after: Some(serde_json::json!({
                    "number": planned.number, "name": planned.name, "via_import": job,
                })),
            };
            audit::record(&mut work, who.actor, event).await?;
        }
        done += batch.len();
        store::catalog::advance_job(&mut work, job, done as i64).await?;
        work.commit().await?;
    }
    Ok((created, updated))
}

/// A job's progress, for the organization that started it.
pub async fn progress(
    context: &Context,
    who: &Principal,
    id: uuid::Uuid,
) -> Result<JobProgress, AppError> {
    may_manage_outlets(who)?;
    let mut conn = context.read().await?;
    let (total, done, status, summary) = store::catalog::job(&mut conn, who.organization_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(JobProgress {
        id,
        total: total as u32,
        done: done as u32,
        status,
        summary,
    })
}
