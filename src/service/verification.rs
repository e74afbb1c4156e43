//! One-time links that verify an address and let the person set a password (valid 7 days).

use std::collections::BTreeMap;
use uuid::Uuid;

use super::{internal, secrets};
use crate::domain::{AppError, Email};
use crate::server::mailer::Mail;
use crate::server::password::{self, MIN_PASSWORD_LENGTH};
use crate::server::startup::AppState;
use crate::store::{self, audit, tokens};

pub const VALID_FOR: time::Duration = time::Duration::days(7);

/// Issues a link for the account and mails it.
pub async fn send_link(state: &AppState, user_id: Uuid, email: &Email) -> Result<(), AppError> {
    let token = secrets::generate("");
    let expires_at = store::format_timestamp(time::OffsetDateTime::now_utc() + VALID_FOR);
    let mut tx = store::write_transaction(&state.pool)
        .await
        .map_err(internal)?;
    tokens::insert_verification(&mut tx, user_id, &secrets::hash(&token), &expires_at)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let link = format!(
        "{}/verify/{token}",
        state.config.public_url.trim_end_matches('/')
    );
    let text = format!(
        "Hello,\n\nYou have been given access in Brigade. Verify your address and set your password here:\n\n{link}\n\n\
         The link works once and is valid for 7 days. If you did not expect this, ignore this message.\n"
    );
    let mail = Mail {
        to: email.to_string(),
        subject: "Verify your address and set your Brigade password".into(),
        text,
    };
    state
        .mailer
        .send(&state.config.mail_from, mail)
        .await
        .map_err(internal)
}

fn link_unusable() -> AppError {
    AppError::denied(
        "link_unusable",
        "This link is invalid, already used or expired. Ask your administrator for a new one.",
    )
}

/// The address a usable link is for.
pub async fn email_for(state: &AppState, token: &str) -> Result<String, AppError> {
    let mut conn = state.pool.acquire().await.map_err(internal)?;
    tokens::usable_verification(&mut conn, &secrets::hash(token.trim()))
        .await
        .map_err(internal)?
        .map(|(_, email)| email)
        .ok_or_else(link_unusable)
}

/// Sets the password through a usable link and uses the link up.
pub async fn complete(
    state: &AppState,
    token: &str,
    new_password: &str,
    confirmation: &str,
) -> Result<(), AppError> {
    let mut problems = BTreeMap::new();
    if new_password.chars().count() < MIN_PASSWORD_LENGTH {
        problems.insert(
            "password".to_string(),
            format!("Use at least {MIN_PASSWORD_LENGTH} characters."),
        );
    } else if new_password != confirmation {
        problems.insert(
            "confirmation".to_string(),
            "The two passwords differ.".to_string(),
        );
    }
    if let Some(error) = AppError::fields(problems) {
        return Err(error);
    }
    let owned = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || password::hash(&owned))
        .await
        .map_err(internal)?;
    let mut tx = store::write_transaction(&state.pool)
        .await
        .map_err(internal)?;
    let (user_id, _) = tokens::usable_verification(&mut tx, &secrets::hash(token.trim()))
        .await
        .map_err(internal)?
        .ok_or_else(link_unusable)?;
    tokens::complete_verification(&mut tx, user_id, hash.as_stored())
        .await
        .map_err(internal)?;
    audit::record(
        &mut tx,
        audit::Actor {
            user_id: Some(user_id),
            token_id: None,
            via: "console",
        },
        audit::Event {
            organization_id: None,
            action: "user_account.verified",
            target_type: "user_account",
            target_id: Some(user_id),
            before: None,
            after: None,
        },
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)
}
