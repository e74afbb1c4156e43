//! Bulk actions on people: deactivate, reactivate, add a role (at the organization, at
//! outlets or through an outlet group) or remove one, for the people selected or everyone a
//! filter matches. One job with a progress bar: each person is one unit of work through the
//! same use-case as a single change (`users::update`, `connectors::create` / `delete`), so the
//! policy and the brand lock are asked per person and each change is its own audit event; a
//! refusal is that person's result, with its reason, and the job goes on.

use super::{Context, Principal, Work};
use crate::domain::bulk::{BulkAction, BulkPlace, BulkTargets, MAX_PEOPLE};
use crate::domain::commands::NewConnector;
use crate::domain::me::{BulkJob, BulkResult, JobProgress};
use crate::domain::user_commands::UserChange;
use crate::domain::{AppError, Email, Permission, UserId};
use crate::store;

const KIND: &str = "bulk_people";

/// The permission an action needs somewhere before it starts (each person is then decided
/// on their own).
fn required(action: &BulkAction) -> Permission {
    if action.changes_status() {
        Permission::ManageUsers
    } else {
        Permission::ManageConnectors
    }
}

/// The people a bulk action takes, as the viewer sees them: (account, email).
async fn people_of(
    context: &Context,
    who: &Principal,
    targets: BulkTargets,
) -> Result<Vec<(UserId, String)>, AppError> {
    let scope = who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    match targets {
        BulkTargets::People(ids) => {
            if ids.len() > MAX_PEOPLE {
                return Err(AppError::field(
                    "people",
                    format!("Choose at most {MAX_PEOPLE} people at once."),
                ));
            }
            let mut people = Vec::with_capacity(ids.len());
            for id in ids {
                let row = store::people::get(&mut conn, who.organization_id, &scope, id)
                    .await?
                    .ok_or_else(|| {
                        AppError::field(
                            "people",
                            "Someone selected is no longer in your list: reload it.",
                        )
                    })?;
                people.push((id, row.email));
            }
            Ok(people)
        }
        BulkTargets::Matching(selection) => {
            let search =
                store::people::search(&mut conn, who.organization_id, &selection, context.now())
                    .await?;
            let mut people = Vec::new();
            let mut after = None;
            loop {
                let rows = store::people::list(
                    &mut conn,
                    who.organization_id,
                    &scope,
                    &search,
                    after.as_ref(),
                    1_000,
                )
                .await?;
                let Some(last) = rows.last() else { break };
                after = store::people::position(&mut conn, who.organization_id, last.membership_id)
                    .await?;
                people.extend(rows.into_iter().map(|r| (r.user_id, r.email)));
                if people.len() > MAX_PEOPLE {
                    return Err(AppError::invalid(format!(
                        "More than {MAX_PEOPLE} people match: narrow the filter."
                    )));
                }
                if after.is_none() {
                    break;
                }
            }
            Ok(people)
        }
    }
}

/// Starts a bulk action in the background; answers its progress so far.
#[tracing::instrument(skip_all, fields(organization = %who.organization_id))]
pub async fn start(
    context: &Context,
    who: &Principal,
    targets: BulkTargets,
    action: BulkAction,
) -> Result<BulkJob, AppError> {
    who.scope_for(required(&action))?;
    let people = people_of(context, who, targets).await?;
    if people.is_empty() {
        return Err(AppError::field("people", "Choose at least one person."));
    }
    let mut work = context.begin().await?;
    let job = store::catalog::start_job(&mut work, who.organization_id, KIND, people.len() as i64)
        .await?;
    if let Some(user) = who.actor.user_id {
        store::catalog::set_job_starter(&mut work, job, user).await?;
    }
    work.commit().await?;
    let (job_context, job_who) = (context.clone(), who.clone());
    tokio::spawn(async move { run(&job_context, &job_who, job, people, action).await });
    progress(context, who, job).await
}

/// Takes each person in turn, each in a unit of work of their own, and records how it ended.
async fn run(
    context: &Context,
    who: &Principal,
    job: uuid::Uuid,
    people: Vec<(UserId, String)>,
    action: BulkAction,
) {
    let mut refused = 0;
    let mut outcome = Ok(());
    for (position, (user, email)) in people.iter().enumerate() {
        let step = async {
            let mut work = context.begin().await?;
            let reason = match apply(&mut work, who, *user, email, &action).await {
                Ok(()) => None,
                Err(error) => {
                    // The person's changes go (dropped: rolled back, the writer's turn
                    // released); the result stays.
                    drop(work);
                    work = context.begin().await?;
                    Some(error.to_string())
                }
            };
            let position = position as i64;
            store::catalog::insert_job_result(&mut work, job, position, email, reason.as_deref())
                .await?;
            store::catalog::advance_job(&mut work, job, position + 1).await?;
            work.commit().await?;
            Ok::<bool, AppError>(reason.is_some())
        };
        match step.await {
            Ok(was_refused) => refused += usize::from(was_refused),
            Err(error) => {
                outcome = Err(error);
                break;
            }
        }
    }
    let (status, summary) = match outcome {
        Ok(()) => (
            "finished",
            format!("{} done, {refused} refused.", people.len() - refused),
        ),
        Err(error) => ("failed", format!("Stopped: {error}")),
    };
    let finished = async {
        let mut work = context.begin().await?;
        store::catalog::finish_job(&mut work, job, status, &summary).await?;
        work.commit().await
    };
    if let Err(error) = finished.await {
        tracing::error!(%error, "could not record the end of a bulk action");
    }
}

/// One person's change, through the use-case a single change goes through.
async fn apply(
    work: &mut Work,
    who: &Principal,
    user: UserId,
    email: &str,
    action: &BulkAction,
) -> Result<(), AppError> {
    match action {
        BulkAction::Deactivate | BulkAction::Reactivate => {
            let change = UserChange {
                inactive: Some(*action == BulkAction::Deactivate),
                ..Default::default()
            };
            super::users::update(work, who, user, change).await?;
        }
        BulkAction::AddRole { role, place } => {
            let email = Email::parse(email).map_err(AppError::invalid)?;
            let places: Vec<(Option<_>, Option<_>)> = match place {
                BulkPlace::Organization => vec![(None, None)],
                BulkPlace::Outlets(outlets) => outlets.iter().map(|o| (Some(*o), None)).collect(),
                BulkPlace::Group(group) => vec![(None, Some(*group))],
            };
            for (outlet, outlet_group) in places {
                let new = NewConnector {
                    email: email.clone(),
                    first_name: None,
                    last_name: None,
                    role: *role,
                    outlet,
                    outlet_group,
                    external_id: None,
                    window: Default::default(),
                    send_verification_email: false,
                };
                match super::connectors::create(work, who, new, super::users::Rehire::Refused).await
                {
                    // Already held there: nothing to add.
                    Err(AppError::Conflict { code, .. }) if code == "connector_exists" => {}
                    other => {
                        other?;
                    }
                }
            }
        }
        BulkAction::RemoveRole { role } => {
            let held =
                store::connectors::ids_with_role(work, who.organization_id, user, *role).await?;
            if held.is_empty() {
                return Err(AppError::conflict(
                    "role_not_held",
                    "They do not hold this role.",
                ));
            }
            for id in held {
                super::connectors::delete(work, who, id).await?;
            }
        }
    }
    Ok(())
}

/// A bulk job's progress and results, for the person who started it.
pub async fn progress(
    context: &Context,
    who: &Principal,
    job: uuid::Uuid,
) -> Result<BulkJob, AppError> {
    who.scope_for(Permission::ViewUsers)?;
    let mut conn = context.read().await?;
    // Only its starter follows a job: its results name people, some perhaps outside another
    // viewer's reach.
    let started = store::catalog::job_kind(&mut conn, who.organization_id, job).await?;
    let mine = matches!(&started, Some((kind, by)) if kind == KIND && by.is_some() && *by == who.actor.user_id);
    if !mine {
        return Err(AppError::NotFound);
    }
    let (total, done, status, summary) = store::catalog::job(&mut conn, who.organization_id, job)
        .await?
        .ok_or(AppError::NotFound)?;
    let results = store::catalog::job_results(&mut conn, job)
        .await?
        .into_iter()
        .take(BulkJob::SHOWN)
        .map(|(email, refused)| BulkResult { email, refused })
        .collect();
    Ok(BulkJob {
        progress: JobProgress {
            id: job,
            total: total as u32,
            done: done as u32,
            status,
            summary,
        },
        results,
    })
}
