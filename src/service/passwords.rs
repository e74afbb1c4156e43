//! Password hashing with argon2id, off the async threads. The hash lives in its own type
//! that never serialises and never prints, so it cannot leave the server by accident.
//!
//! argon2's working memory (19 MiB at the default cost) is mapped for each hash and unmapped
//! after it: taken from the heap instead, the allocator kept it resident once freed, and every
//! password sign-in left ~24 MB behind in the server (issue 10). The hashes are argon2's own
//! PHC strings, byte for byte (a test holds them to the crate's `Argon2`).

use argon2::password_hash::{
    self, Decimal, Ident, Output, ParamsString, PasswordHasher, PasswordVerifier, Salt, SaltString,
    rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash as PhcHash, Version};
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

/// argon2's working memory for one hash: an anonymous mapping, returned to the kernel on drop.
struct WorkingMemory {
    blocks: std::ptr::NonNull<Block>,
    count: usize,
}

impl WorkingMemory {
    fn map(count: usize) -> std::io::Result<Self> {
        let length = count * size_of::<Block>();
        // SAFETY: a new private anonymous mapping touches no memory the program already uses.
        let address = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                length,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if address == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let blocks = std::ptr::NonNull::new(address.cast::<Block>())
            .ok_or_else(|| std::io::Error::other("mmap returned no address"))?;
        Ok(Self { blocks, count })
    }
}

impl AsMut<[Block]> for WorkingMemory {
    fn as_mut(&mut self) -> &mut [Block] {
        // SAFETY: the mapping holds `count` blocks, is page-aligned (a block needs 64 bytes),
        // starts zero-filled (any bits are a valid block of integers), lives until `drop`, and
        // `&mut self` makes this the only reference to it.
        unsafe { std::slice::from_raw_parts_mut(self.blocks.as_ptr(), self.count) }
    }
}

impl Drop for WorkingMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `map`, which no reference outlives.
        unsafe {
            libc::munmap(self.blocks.as_ptr().cast(), self.count * size_of::<Block>());
        }
    }
}

/// argon2 (id, version 0x13 and the crate's default cost unless a stored hash says otherwise)
/// hashing in a [`WorkingMemory`]. Verifying comes from `password_hash`'s blanket
/// `PasswordVerifier`, which reads the stored hash's parameters and compares in constant time.
#[derive(Default)]
struct Hasher {
    algorithm: Algorithm,
    version: Version,
    params: Params,
}

impl PasswordHasher for Hasher {
    type Params = Params;

    fn hash_password<'a>(
        &self,
        password: &[u8],
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PhcHash<'a>> {
        let salt = salt.into();
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let argon2 = Argon2::new(self.algorithm, self.version, self.params.clone());
        let length = self
            .params
            .output_len()
            .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(length, |out| {
            let memory = WorkingMemory::map(self.params.block_count())
                .map_err(|_| password_hash::Error::Crypto)?;
            Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, memory)?)
        })?;
        Ok(PhcHash {
            algorithm: self.algorithm.ident(),
            version: Some(self.version.into()),
            params: ParamsString::try_from(&self.params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PhcHash<'a>> {
        Hasher {
            algorithm: algorithm
                .map(Algorithm::try_from)
                .transpose()?
                .unwrap_or_default(),
            version: version
                .map(Version::try_from)
                .transpose()?
                .unwrap_or_default(),
            params,
        }
        .hash_password(password, salt)
    }
}

fn hash_now(password: &str) -> Result<PasswordHash, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(PasswordHash(
        Hasher::default()
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
                Hasher::default()
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

    /// Hashes made here are the argon2 crate's own, and each side verifies the other's, at the
    /// default cost and at a stored hash's other cost and variant.
    #[test]
    fn hashes_and_verifies_exactly_as_the_argon2_crate_does() {
        let salt = SaltString::generate(&mut OsRng);
        let password = b"correct horse battery";
        for (algorithm, params) in [
            (Algorithm::Argon2id, Params::default()),
            (
                Algorithm::Argon2i,
                Params::new(4096, 3, 2, Some(24)).unwrap(),
            ),
        ] {
            let crate_hasher = Argon2::new(algorithm, Version::V0x13, params.clone());
            let ours = Hasher {
                algorithm,
                version: Version::V0x13,
                params,
            };
            let expected = crate_hasher.hash_password(password, &salt).unwrap();
            let made = ours.hash_password(password, &salt).unwrap();
            assert_eq!(made.to_string(), expected.to_string(), "{algorithm}");
            for (verifier, hash) in [
                (&Hasher::default() as &dyn PasswordVerifier, &expected),
                (&Argon2::default() as &dyn PasswordVerifier, &made),
            ] {
                assert!(verifier.verify_password(password, hash).is_ok());
                assert!(verifier.verify_password(b"wrong", hash).is_err());
            }
        }
    }
}
