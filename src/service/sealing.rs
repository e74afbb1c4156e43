//! Secrets Brigade must read back (two-step sign-in secrets, later identity providers' client
//! secrets) are sealed at rest with XChaCha20-Poly1305 under the server's key,
//! `BRIGADE_SECRET_KEY`. Each sealed value is bound to what it is and whose it is (the
//! associated data), so a sealed value copied onto another row does not open.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::domain::AppError;

/// The key's text form: 32 random bytes in standard base64 (44 characters).
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;

/// The server's secret key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretKey(Key);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

/// What a sealed value is, bound into its associated data.
#[derive(Debug, Clone, Copy)]
pub enum Sealed {
    TwoStepSecret,
    /// An organization's OpenID Connect client secret.
    SsoClientSecret,
}

impl Sealed {
    fn label(self) -> &'static [u8] {
        match self {
            Self::TwoStepSecret => b"brigade.two_step_secret",
            Self::SsoClientSecret => b"brigade.sso_client_secret",
        }
    }
}

impl SecretKey {
    /// A new random key and its text form (what a key file holds).
    pub fn generate() -> (Self, String) {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let text = STANDARD.encode(key);
        (Self(key), text)
    }

    /// Reads the text form: 32 bytes in base64.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bytes = STANDARD.decode(text.trim()).map_err(|_| {
            "BRIGADE_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)"
                .to_string()
        })?;
        if bytes.len() != KEY_BYTES {
            return Err(format!(
                "BRIGADE_SECRET_KEY holds {} bytes; it must hold {KEY_BYTES} (e.g. `openssl rand -base64 32`)",
                bytes.len()
            ));
        }
        Ok(Self(*Key::from_slice(&bytes)))
    }

    /// Seals `plain` as `what` of `owner` (e.g. the account's id): nonce and ciphertext, in base64.
    pub fn seal(&self, what: Sealed, owner: &[u8], plain: &[u8]) -> Result<String, AppError> {
        let cipher = XChaCha20Poly1305::new(&self.0);
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = [what.label(), b":", owner].concat();
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| AppError::Internal)?;
        Ok(STANDARD.encode([nonce.as_slice(), &sealed].concat()))
    }

    /// Opens what [`seal`](Self::seal) made for the same `what` and `owner`. A value sealed
    /// under another key, for another owner, or altered, does not open: an internal error
    /// (the server's key or the database is not what it was), logged once by the caller.
    pub fn open(&self, what: Sealed, owner: &[u8], sealed: &str) -> Result<Vec<u8>, AppError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| AppError::Internal)?;
        if bytes.len() < NONCE_BYTES {
            return Err(AppError::Internal);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let aad = [what.label(), b":", owner].concat();
        XChaCha20Poly1305::new(&self.0)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| {
                tracing::error!(
                    "a sealed secret does not open: BRIGADE_SECRET_KEY is not the key it was sealed with"
                );
                AppError::Internal
            })
    }
}

#[cfg(test)]
mod tests {
    use super::{Sealed, SecretKey};

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_for_its_owner() {
        let (key, text) = SecretKey::generate();
        let sealed = key
            .seal(Sealed::TwoStepSecret, b"alice", b"secret")
            .unwrap();
        assert!(!sealed.contains("secret"));
        let again = SecretKey::parse(&text).unwrap();
        assert_eq!(
            again
                .open(Sealed::TwoStepSecret, b"alice", &sealed)
                .unwrap(),
            b"secret"
        );
        assert!(key.open(Sealed::TwoStepSecret, b"bob", &sealed).is_err());
        let (other, _) = SecretKey::generate();
        assert!(
            other
                .open(Sealed::TwoStepSecret, b"alice", &sealed)
                .is_err()
        );
        assert_ne!(
            sealed,
            key.seal(Sealed::TwoStepSecret, b"alice", b"secret")
                .unwrap()
        );
    }

    #[test]
    fn a_key_must_be_32_bytes_of_base64() {
        for text in ["", "not base64!", "c2hvcnQ="] {
            assert!(SecretKey::parse(text).is_err(), "{text:?}");
        }
        let (_, text) = SecretKey::generate();
        assert!(SecretKey::parse(&format!("{text}\n")).is_ok());
    }
}
