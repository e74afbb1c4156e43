//! Password hashing with argon2id. The hash lives in its own type that never serialises and
//! never prints, so it cannot leave the server by accident.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHash as PhcHash};
use std::sync::LazyLock;

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

pub const MIN_PASSWORD_LENGTH: usize = 10;

pub fn hash(password: &str) -> PasswordHash {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string();
    PasswordHash(phc)
}

/// Checks a password. With no stored hash it still spends the time of a real check, so a
/// response time does not tell whether an account exists.
pub fn verify(password: &str, stored: Option<&PasswordHash>) -> bool {
    static DECOY: LazyLock<PasswordHash> = LazyLock::new(|| hash("decoy password for timing"));
    let (phc, real) = match stored {
        Some(hash) => (hash.as_stored(), true),
        None => (DECOY.as_stored(), false),
    };
    let matches = PhcHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    real && matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let stored = hash("correct horse battery");
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("wrong", Some(&stored)));
        assert!(!verify("correct horse battery", None));
        assert_eq!(format!("{stored:?}"), "PasswordHash(..)");
    }
}
