//! API clients' tokens: created from the command line, shown once, stored only as a hash.

use serde_json::json;

use super::{Context, Work, secrets};
use crate::domain::model::{ConnectorType, Via};
use crate::domain::{AppError, OrganizationId, TokenId};
use crate::store::{self, Conn, audit, catalog, tokens};

pub use crate::store::tokens::ApiTokenListing;

/// What `brigade token create` asks for.
pub struct NewToken<'a> {
    pub organization_slug: &'a str,
    pub role_name: &'a str,
    /// Outlet number, for a role of type O.
    pub outlet_number: Option<&'a str>,
    pub name: &'a str,
}

async fn organization(conn: &mut Conn, slug: &str) -> Result<OrganizationId, AppError> {
    catalog::organization_by_slug(conn, slug)
        .await?
        .ok_or_else(|| AppError::field("org", format!("--org: no organization with slug {slug:?}")))
}

/// Creates a token and returns it; it cannot be shown again.
#[tracing::instrument(skip_all)]
pub async fn create(work: &mut Work, request: NewToken<'_>) -> Result<String, AppError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "--name: give the client a label of 1 to 100 characters",
        ));
    }
    let organization = organization(work, request.organization_slug).await?;
    let role = catalog::role_by_name(work, organization, request.role_name)
        .await?
        .ok_or_else(|| {
            AppError::field(
                "role",
                format!(
                    "--role: no role named {:?} in {}",
                    request.role_name, request.organization_slug
                ),
            )
        })?;
    let outlet = match (role.role_type, request.outlet_number) {
        (ConnectorType::Library, None) => None,
        (ConnectorType::Library, Some(_)) => {
            return Err(AppError::field(
                "outlet",
                format!(
                    "--outlet: {} is a library role (L); omit --outlet",
                    role.name
                ),
            ));
        }
        (ConnectorType::Outlet, None) => {
            return Err(AppError::field(
                "outlet",
                format!(
                    "--outlet: {} is an outlet role (O); name the outlet number",
                    role.name
                ),
            ));
        }
        (ConnectorType::Outlet, Some(number)) => Some(
            catalog::outlet_by_number(work, organization, number)
                .await?
                .ok_or_else(|| {
                    AppError::field("outlet", format!("--outlet: no outlet numbered {number:?}"))
                })?,
        ),
    };
    let token = secrets::generate("brg_");
    let id = tokens::insert_api_token(
        work,
        organization,
        role.id,
        outlet.as_ref().map(|o| o.id),
        name,
        &secrets::hash(&token),
    )
    .await?;
    let after = json!({ "name": name, "role": role.name, "outlet": outlet.map(|o| o.number) });
    audit_cli(work, organization, "api_token.created", id, Some(after)).await?;
    Ok(token)
}

/// The tokens of an organization, by creation.
pub async fn list(
    context: &Context,
    organization_slug: &str,
) -> Result<Vec<ApiTokenListing>, AppError> {
    let mut conn = context.read().await?;
    let organization = organization(&mut conn, organization_slug).await?;
    Ok(tokens::list_api_tokens(&mut conn, organization).await?)
}

/// Revokes a token for good; its client gets 401 from then on.
#[tracing::instrument(skip_all)]
pub async fn revoke(work: &mut Work, id: &str) -> Result<(), AppError> {
    let id = TokenId::parse(id).ok_or_else(|| {
        AppError::field(
            "id",
            format!("{id:?} is not a token id (see `brigade token list`)"),
        )
    })?;
    let organization = tokens::revoke_api_token(work, id)
        .await?
        .ok_or_else(|| AppError::field("id", format!("no active token with id {id}")))?;
    audit_cli(work, organization, "api_token.revoked", id, None).await
}

/// Records a token change made from the command line, in the same unit of work.
async fn audit_cli(
    conn: &mut Conn,
    organization: OrganizationId,
    action: &str,
    id: TokenId,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    let actor = audit::Actor {
        user_id: None,
        token_id: None,
        via: Via::Cli,
    };
    let event = audit::Event {
        organization_id: Some(organization),
        action,
        target_type: "api_token",
        target_id: Some(id.0),
        before: None,
        after,
    };
    Ok(store::audit::record(conn, actor, event).await?)
}
