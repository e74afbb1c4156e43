//! Use-cases shared by every face of the product (console server functions, the REST API,
//! later SCIM). A service parses raw input into domain types, asks the policy, and performs
//! the change in one transaction with its audit event. Adapters stay thin.

pub mod api_tokens;
pub mod catalog;
pub mod connectors;
pub mod paging;
pub mod secrets;
pub mod verification;

use uuid::Uuid;

use crate::domain::{Access, AppError, Permission, Scope};
use crate::store::audit::Actor;

/// Whoever acts: a signed-in person in the console or an API client, in one organization.
#[derive(Debug, Clone)]
pub struct Principal {
    pub organization_id: Uuid,
    pub access: Access,
    pub actor: Actor,
}

impl Principal {
    /// Where the principal holds `permission`; `Forbidden` when nowhere.
    pub fn scope_for(&self, permission: Permission) -> Result<Scope, AppError> {
        self.access.required_scope(permission)
    }

    pub fn via_console(&self) -> bool {
        self.actor.via == "console"
    }
}

/// Logs an unexpected failure and hides its detail.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}
