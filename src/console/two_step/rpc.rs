//! Two-step sign-in's server functions: the second step of signing in, enrolling and turning
//! it off on one's own page, and the organization's requirement on Security & Permissions.

use leptos::prelude::*;

use crate::domain::AppError;
use crate::domain::me::{TwoStepEnrolment, TwoStepStatus};

/// The second step of a sign-in: a code from the authenticator app, or a recovery code.
#[server(prefix = "/rpc", endpoint = "login_two_step")]
pub async fn login_two_step(code: String, next: Option<String>) -> Result<(), AppError> {
    use super::super::server::{client_info, context, session, with_status};
    use crate::domain::two_step::SecondFactor;
    use crate::service::auth::{PENDING_CLAIMS, SessionClaims};
    use crate::service::two_step;
    with_status(
        async move {
            let session = session().await?;
            let pending: Option<SessionClaims> = session.get(PENDING_CLAIMS).await?;
            let Some(pending) = pending else {
                return Err(AppError::denied(
                    "sign_in_expired",
                    two_step::SECOND_STEP_EXPIRED,
                ));
            };
            let factor = SecondFactor::parse(&code, "code")?;
            let claims =
                two_step::second_step(&context()?, &pending, &factor, &client_info().await).await?;
            session.remove::<SessionClaims>(PENDING_CLAIMS).await?;
            let target = super::super::session::start_session(&session, &claims, next).await?;
            leptos_axum::redirect(&target);
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "two_step_status")]
pub async fn load_two_step_status() -> Result<TwoStepStatus, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::two_step::status(&context()?, caller.viewer.user_id).await
        }
        .await,
    )
}

/// A new authenticator to confirm (replacing one not confirmed yet).
#[server(prefix = "/rpc", endpoint = "two_step_begin")]
pub async fn two_step_begin() -> Result<TwoStepEnrolment, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::two_step::begin(&context()?, &caller.principal).await
        }
        .await,
    )
}

/// Confirms the new authenticator with a code; the recovery codes, shown once.
#[server(prefix = "/rpc", endpoint = "two_step_confirm")]
pub async fn two_step_confirm(code: String) -> Result<Vec<String>, AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::two_step::SecondFactor;
    with_status(
        async move {
            let caller = caller().await?;
            let code = SecondFactor::code(&code, "code")?;
            crate::service::two_step::confirm(&context()?, &caller.principal, &code).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "two_step_turn_off")]
pub async fn two_step_turn_off(password: String) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::Password;
    with_status(
        async move {
            let caller = caller().await?;
            let password = Password::offered(password)
                .map_err(|problem| AppError::field("password", problem))?;
            crate::service::two_step::turn_off(&context()?, &caller.principal, &password).await
        }
        .await,
    )
}

/// New recovery codes (the old ones stop working), shown once.
#[server(prefix = "/rpc", endpoint = "two_step_renew_codes")]
pub async fn two_step_renew_codes(password: String) -> Result<Vec<String>, AppError> {
    use super::super::server::{caller, context, with_status};
    use crate::domain::Password;
    with_status(
        async move {
            let caller = caller().await?;
            let password = Password::offered(password)
                .map_err(|problem| AppError::field("password", problem))?;
            crate::service::two_step::renew_recovery_codes(
                &context()?,
                &caller.principal,
                &password,
            )
            .await
        }
        .await,
    )
}

/// Whether the organization requires two-step sign-in of those who manage there.
#[server(prefix = "/rpc", endpoint = "two_step_requirement")]
pub async fn two_step_requirement() -> Result<bool, AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            crate::service::two_step::required(&context()?, &caller.principal).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", endpoint = "require_two_step")]
pub async fn require_two_step(required: String) -> Result<(), AppError> {
    use super::super::server::{caller, context, with_status};
    with_status(
        async move {
            let caller = caller().await?;
            let required = match required.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(AppError::field("required", "Send true or false.")),
            };
            let mut work = context()?.begin().await?;
            crate::service::two_step::set_required(&mut work, &caller.principal, required).await?;
            work.commit().await
        }
        .await,
    )
}
