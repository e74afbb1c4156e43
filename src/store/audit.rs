//! The append-only audit trail. Every write records its event in the same transaction; the
//! log reads it back a keyset page at a time, newest first.

use serde_json::Value;

use super::{Conn, Sql, format_timestamp};
use crate::domain::audit::{
    ActorKind, AuditAction, AuditActor, AuditEvent, AuditFilter, AuditPerson, AuditTarget, changes,
};
use crate::domain::model::Via;
use crate::domain::{OrganizationId, TokenId, UserId};

/// Who made a change and through which face of the product.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub token_id: Option<TokenId>,
    pub via: Via,
}

pub struct Event<'a> {
    pub organization_id: Option<OrganizationId>,
    pub action: AuditAction,
    pub target_type: &'a str,
    pub target_id: Option<uuid::Uuid>,
    /// The person the change concerns (their record, account or access), if any.
    pub subject: Option<UserId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(conn: &mut Conn, actor: Actor, event: Event<'_>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO audit_events
           (organization_id, actor_user_id, actor_token_id, via, action, target_type, target_id,
            subject_user_id, before_json, after_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(event.organization_id)
    .bind(actor.user_id)
    .bind(actor.token_id)
    .bind(actor.via)
    .bind(event.action)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(event.subject)
    .bind(event.before.map(|v| v.to_string()))
    .bind(event.after.map(|v| v.to_string()))
    .bind(super::now())
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: String,
    via: Via,
    action: AuditAction,
    target_type: String,
    target_id: Option<uuid::Uuid>,
    before_json: Option<String>,
    after_json: Option<String>,
    actor_user_id: Option<uuid::Uuid>,
    actor_email: Option<String>,
    actor_first_name: Option<String>,
    actor_last_name: Option<String>,
    actor_token_id: Option<uuid::Uuid>,
    client_name: Option<String>,
    subject_user_id: Option<UserId>,
    subject_email: Option<String>,
    subject_first_name: Option<String>,
    subject_last_name: Option<String>,
}

fn full_name(first: Option<String>, last: Option<String>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn parsed(json: Option<String>) -> Option<Value> {
    json.and_then(|text| serde_json::from_str(&text).ok())
}

impl From<Row> for AuditEvent {
    fn from(row: Row) -> Self {
        let actor = match (row.actor_token_id, row.actor_user_id) {
            (Some(token), _) => AuditActor {
                kind: ActorKind::ApiClient,
                id: Some(token),
                name: row.client_name,
                email: None,
            },
            (None, Some(person)) => {
                let name = full_name(row.actor_first_name, row.actor_last_name);
                AuditActor {
                    kind: ActorKind::Person,
                    id: Some(person),
                    name: Some(name)
                        .filter(|n| !n.is_empty())
                        .or(row.actor_email.clone()),
                    email: row.actor_email,
                }
            }
            (None, None) => AuditActor {
                kind: if row.via == Via::Cli {
                    ActorKind::Operator
                } else {
                    ActorKind::System
                },
                id: None,
                name: None,
                email: None,
            },
        };
        let person = match (row.subject_user_id, row.subject_email) {
            (Some(id), Some(email)) => Some(AuditPerson {
                id,
                email,
                name: full_name(row.subject_first_name, row.subject_last_name),
            }),
            _ => None,
        };
        let before = parsed(row.before_json);
        let after = parsed(row.after_json);
        AuditEvent {
            id: row.id,
            at: row.created_at,
            via: row.via,
            action: row.action,
            actor,
            target: AuditTarget {
                kind: row.target_type,
                id: row.target_id,
            },
            person,
            changes: changes(before.as_ref(), after.as_ref()),
            before,
            after,
        }
    }
}

/// One page of the organization's events, newest first (plus one, to tell whether more
/// follow). People are named as the organization sees them: the email always, the names only
/// where their profile is visible to it (not for an account another organization created).
pub async fn list(
    conn: &mut Conn,
    organization: OrganizationId,
    filter: &AuditFilter,
) -> sqlx::Result<Vec<AuditEvent>> {
    let mut query = Sql::new(
        "SELECT e.id, e.created_at, e.via, e.action, e.target_type, e.target_id,
                e.before_json, e.after_json,
                e.actor_user_id, aa.email AS actor_email,
                CASE WHEN am.profile_visible THEN aa.first_name END AS actor_first_name,
                CASE WHEN am.profile_visible THEN aa.last_name END AS actor_last_name,
                e.actor_token_id, t.name AS client_name,
                e.subject_user_id, sa.email AS subject_email,
                CASE WHEN sm.profile_visible THEN sa.first_name END AS subject_first_name,
                CASE WHEN sm.profile_visible THEN sa.last_name END AS subject_last_name
           FROM audit_events e
           LEFT JOIN user_accounts aa ON aa.id = e.actor_user_id
           LEFT JOIN memberships am
                  ON am.organization_id = e.organization_id AND am.user_id = e.actor_user_id
           LEFT JOIN api_tokens t ON t.id = e.actor_token_id
           LEFT JOIN user_accounts sa ON sa.id = e.subject_user_id
           LEFT JOIN memberships sm
                  ON sm.organization_id = e.organization_id AND sm.user_id = e.subject_user_id
          WHERE e.organization_id = ",
    );
    query.push_bind(organization);
    if let Some(actor) = filter.actor {
        query
            .push(" AND (e.actor_user_id = ")
            .push_bind(actor)
            .push(" OR e.actor_token_id = ")
            .push_bind(actor)
            .push(")");
    }
    if let Some(action) = filter.action {
        query.push(" AND e.action = ").push_bind(action);
    }
    if let Some(person) = filter.person {
        query.push(" AND e.subject_user_id = ").push_bind(person);
    }
    if let Some(since) = filter.since {
        query
            .push(" AND e.created_at >= ")
            .push_bind(format_timestamp(since));
    }
    if let Some(until) = filter.until {
        query
            .push(" AND e.created_at < ")
            .push_bind(format_timestamp(until));
    }
    if let Some(before) = filter.before {
        query.push(" AND e.id < ").push_bind(before.0);
    }
    query
        .push(" ORDER BY e.id DESC LIMIT ")
        .push_bind(i64::from(filter.size) + 1);
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}
