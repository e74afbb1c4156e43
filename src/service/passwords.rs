//! Password hashing with argon2id, off the async threads. The hash lives in its own type
//! that never serialises and never prints, so it cannot leave the server by accident.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash as PhcHash};
use std::sync::LazyLock;

use crate::domain::{AppError, Password};

pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_stored(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// A blocking task that panicked or was cancelled: never the caller's fault.
impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::internal(&error)
    }
}

/// Hashing failed (argon2 refuses no input Brigade sends it): never the caller's fault.
impl From<argon2::password_hash::Error> for AppError {
    fn from(error: argon2::password_hash::Error) -> Self {
        AppError::internal(&error)
    }
}

fn hash_now(password: &str) -> Result<PasswordHash, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(PasswordHash(
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)?
            .to_string(),
    ))
}

/// Hashes a password (bounded in length by [`Password`]).
pub async fn hash(password: &Password) -> Result<PasswordHash, AppError> {
    let password = password.clone();
    Ok(tokio::task::spawn_blocking(move || hash_now(password.expose())).await??)
}

/// Hashes the demo password for the demo loader (and tests).
pub fn hash_demo(password: &str) -> String {
    hash_now(password).map(|hash| hash.0).unwrap_or_default()
}

/// Checks a password. With no stored hash it still spends the time of a real check, so a
/// response time does not tell whether an account exists.
pub async fn verify(password: &Password, stored: Option<PasswordHash>) -> Result<bool, AppError> {
    static DECOY: LazyLock<Option<PasswordHash>> =
        LazyLock::new(|| hash_now("decoy password for timing").ok());
    let password = password.clone();
    Ok(tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let phc = match &stored {
            Some(hash) => hash.as_stored(),
            None => DECOY.as_ref().map_or("", PasswordHash::as_stored),
        };
        let matches = PhcHash::new(phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        real && matches
    })
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn verifies_only_the_right_password() {
        let right = Password::offered("correct horse battery".into()).unwrap();
        let wrong = Password::offered("wrong".into()).unwrap();
        let stored = hash(&right).await.unwrap();
        let again = || PasswordHash::from_stored(stored.as_stored().to_string());
        assert!(verify(&right, Some(again())).await.unwrap());
        assert!(!verify(&wrong, Some(again())).await.unwrap());
        assert!(!verify(&right, None).await.unwrap());
        assert_eq!(format!("{stored:?}"), "PasswordHash(..)");
    }
}
