//! The append-only audit trail. Every write records its event in the same transaction.

use serde_json::Value;

use super::Conn;
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
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<uuid::Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(conn: &mut Conn, actor: Actor, event: Event<'_>) -> sqlx::Result<()> {
    on!(execute conn, |c| sqlx::query(
        "INSERT INTO audit_events
           (organization_id, actor_user_id, actor_token_id, via, action, target_type, target_id,
            before_json, after_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(event.organization_id)
    .bind(actor.user_id)
    .bind(actor.token_id)
    .bind(actor.via)
    .bind(event.action)
    .bind(event.target_type)
    .bind(event.target_id)
    .bind(event.before.map(|v| v.to_string()))
    .bind(event.after.map(|v| v.to_string()))
    .bind(super::now())
    .execute(c)
    .await)?;
    Ok(())
}
