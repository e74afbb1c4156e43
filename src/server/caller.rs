//! The signed-in person as every console request sees them: who, in which organization,
//! and what they hold there (an [`Access`] from the policy module).

use sqlx::SqlitePool;
use tower_sessions::Session;
use uuid::Uuid;

use crate::domain::model::{OrganizationChoice, Viewer, display_name};
use crate::domain::{Access, AppError, Permission, Scope};
use crate::store;

pub const SESSION_USER: &str = "user_id";
pub const SESSION_ORGANIZATION: &str = "organization_id";

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub membership_id: Uuid,
    pub organization: OrganizationChoice,
    pub organizations: Vec<OrganizationChoice>,
    pub display_name: String,
    pub email: String,
    pub access: Access,
}

impl Caller {
    /// Loads the caller for a person, in `preferred` if they are an active member there, else
    /// in their first organization. `None` when they have no active membership left.
    pub async fn load(
        pool: &SqlitePool,
        user_id: Uuid,
        preferred: Option<Uuid>,
    ) -> sqlx::Result<Option<Self>> {
        let memberships = store::accounts::active_organizations(pool, user_id).await?;
        let Some((organization, membership_id)) = preferred
            .and_then(|id| memberships.iter().find(|(o, _)| o.id == id))
            .or_else(|| memberships.first())
            .cloned()
        else {
            return Ok(None);
        };
        let organizations = memberships.into_iter().map(|(o, _)| o).collect();
        let Some(account) = store::accounts::summary(pool, user_id).await? else {
            return Ok(None);
        };
        let access = store::access::access_of_membership(pool, membership_id).await?;
        Ok(Some(Self {
            user_id,
            membership_id,
            organization,
            organizations,
            display_name: display_name(&account.first_name, &account.last_name, &account.email),
            email: account.email,
            access,
        }))
    }

    /// The caller of a console request, from its session. A session whose person can no
    /// longer sign in (deactivated everywhere) is ended.
    pub async fn from_session(
        pool: &SqlitePool,
        session: &Session,
    ) -> Result<Option<Self>, AppError> {
        let user_id: Option<Uuid> = session.get(SESSION_USER).await.map_err(internal)?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        let preferred: Option<Uuid> = session.get(SESSION_ORGANIZATION).await.map_err(internal)?;
        let caller = Self::load(pool, user_id, preferred)
            .await
            .map_err(internal)?;
        match &caller {
            None => session.flush().await.map_err(internal)?,
            Some(caller) if preferred != Some(caller.organization.id) => session
                .insert(SESSION_ORGANIZATION, caller.organization.id)
                .await
                .map_err(internal)?,
            Some(_) => {}
        }
        Ok(caller)
    }

    /// Where the caller holds `permission`; `Forbidden` when nowhere.
    pub fn scope_for(&self, permission: Permission) -> Result<Scope, AppError> {
        self.access.required_scope(permission)
    }

    /// The caller as the services see any actor.
    pub fn principal(&self) -> crate::service::Principal {
        crate::service::Principal {
            organization_id: self.organization.id,
            access: self.access.clone(),
            actor: crate::store::audit::Actor {
                user_id: Some(self.user_id),
                token_id: None,
                via: "console",
            },
        }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.user_id,
            display_name: self.display_name.clone(),
            email: self.email.clone(),
            organization: self.organization.clone(),
            organizations: self.organizations.clone(),
            permissions: self.access.held_anywhere().into_iter().collect(),
        }
    }
}

/// Logs an unexpected failure and hides its detail from the caller.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "internal error");
    AppError::Internal
}
