//! Single sign-on's server functions: which sign-on an email's domain uses (the sign-in page)
//! and the organization's connection on Security & Permissions.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::sso::SsoConnection;

/// The name of the single sign-on for an email's domain, to label the button with.
#[server(prefix = "/rpc", endpoint = "sso_offered")]
pub async fn sso_offered(email: String) -> Result<Option<String>, AppError> {
    use super::super::server::{context, with_status};
    with_status(
        async move {
            match crate::domain::Email::parse(&email) {
                Ok(email) => crate::service::sso::offered_for(&context()?, &email).await,
                Err(_) => Ok(None),
            }
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "sso_connection")]
pub async fn load_sso_connection() -> Result<Option<SsoConnection>, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::sso::connection(&context()?, &caller.principal).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "save_sso_connection")]
pub async fn save_sso_connection(
    issuer: String,
    client_id: String,
    client_secret: String,
    display_name: String,
) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::error::Problems;
    use crate::service::sso::NewConnection;
    with_status(
        async move {
            let caller = caller().await?;
            let mut problems = Problems::default();
            let issuer = problems.check(
                "issuer",
                crate::domain::sso::parse_issuer(&issuer).map_err(|e| e.to_string()),
            );
            let client_id = client_id.trim().to_string();
            if client_id.is_empty() || client_id.len() > 255 {
                problems.add(
                    "client_id",
                    "Enter the client id the identity provider gave Brigade.",
                );
            }
            if client_secret.trim().is_empty() || client_secret.len() > 1024 {
                problems.add(
                    "client_secret",
                    "Enter the client secret the identity provider gave Brigade.",
                );
            }
            let display_name = display_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if display_name.is_empty() || display_name.chars().count() > 60 {
                problems.add(
                    "display_name",
                    "Name it as people know it, e.g. Harbor Okta (up to 60 characters).",
                );
            }
            problems.finish()?;
            let new = NewConnection {
                issuer: issuer.unwrap_or_default(),
                client_id,
                client_secret: client_secret.trim().to_string(),
                display_name,
            };
            crate::service::sso::save_connection(&context()?, &caller.principal, &new).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "require_sso")]
pub async fn require_sso(required: bool) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::sso::set_required(&context()?, &caller.principal, required).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "remove_sso_connection")]
pub async fn remove_sso_connection() -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::sso::remove_connection(&context()?, &caller.principal).await
        }
        .await,
    )
}
