//! API clients' tokens: created from the command line, shown once, stored only as a hash.

use serde_json::json;
use sqlx::SqlitePool;

use super::secrets;
use crate::domain::model::ConnectorType;
use crate::store::{self, audit, catalog, tokens};

pub struct NewToken<'a> {
    pub organization_slug: &'a str,
    pub role_name: &'a str,
    /// Outlet number, for a role of type O.
    pub outlet_number: Option<&'a str>,
    pub name: &'a str,
}

/// Creates a token and returns it; it cannot be shown again.
pub async fn create(pool: &SqlitePool, request: NewToken<'_>) -> Result<String, String> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err("--name: give the client a label of 1 to 100 characters".into());
    }
    let organization = catalog::organization_by_slug(pool, request.organization_slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "--org: no organization with slug {:?}",
                request.organization_slug
            )
        })?;
    let role = catalog::role_by_name(pool, organization, request.role_name)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "--role: no role named {:?} in {}",
                request.role_name, request.organization_slug
            )
        })?;
    let outlet = match (role.role_type, request.outlet_number) {
        (ConnectorType::Library, None) => None,
        (ConnectorType::Library, Some(_)) => {
            return Err(format!(
                "--outlet: {} is a library role (L); omit --outlet",
                role.name
            ));
        }
        (ConnectorType::Outlet, None) => {
            return Err(format!(
                "--outlet: {} is an outlet role (O); name the outlet number",
                role.name
            ));
        }
        (ConnectorType::Outlet, Some(number)) => Some(
            catalog::outlet_by_number(pool, organization, number)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--outlet: no outlet numbered {number:?}"))?,
        ),
    };
    let token = secrets::generate("brg_");
    let mut tx = store::write_transaction(pool)
        .await
        .map_err(|e| e.to_string())?;
    let id = tokens::insert_api_token(
        &mut tx,
        organization,
        role.id,
        outlet.as_ref().map(|o| o.id),
        name,
        &secrets::hash(&token),
    )
    .await
    .map_err(|e| e.to_string())?;
    audit_cli(
        &mut tx,
        organization,
        "api_token.created",
        id,
        Some(json!({ "name": name, "role": role.name, "outlet": outlet.map(|o| o.number) })),
    )
    .await?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(token)
}

/// The tokens of an organization, by creation.
pub async fn list(
    pool: &SqlitePool,
    organization_slug: &str,
) -> Result<Vec<tokens::ApiTokenListing>, String> {
    let organization = catalog::organization_by_slug(pool, organization_slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--org: no organization with slug {organization_slug:?}"))?;
    tokens::list_api_tokens(pool, organization)
        .await
        .map_err(|e| e.to_string())
}

/// Revokes a token for good; its client gets 401 from then on.
pub async fn revoke(pool: &SqlitePool, id: &str) -> Result<(), String> {
    let id = uuid::Uuid::parse_str(id.trim())
        .map_err(|_| format!("{id:?} is not a token id (see `brigade token list`)"))?;
    let mut tx = store::write_transaction(pool)
        .await
        .map_err(|e| e.to_string())?;
    let organization = tokens::revoke_api_token(&mut tx, id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no active token with id {id}"))?;
    audit_cli(&mut tx, organization, "api_token.revoked", id, None).await?;
    tx.commit().await.map_err(|e| e.to_string())
}

/// Records a token change made from the command line, in the same transaction.
async fn audit_cli(
    conn: &mut sqlx::SqliteConnection,
    organization: uuid::Uuid,
    action: &str,
    id: uuid::Uuid,
    after: Option<serde_json::Value>,
) -> Result<(), String> {
    let actor = audit::Actor {
        user_id: None,
        token_id: None,
        via: "cli",
    };
    let event = audit::Event {
        organization_id: Some(organization),
        action,
        target_type: "api_token",
        target_id: Some(id),
        before: None,
        after,
    };
    audit::record(conn, actor, event)
        .await
        .map_err(|e| e.to_string())
}
