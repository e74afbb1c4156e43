use std::fmt;

/// A password as typed, checked for length before anything expensive (hashing) happens.
/// Never printed, never serialised.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Longest password accepted, in bytes: argon2 would hash megabytes, and nobody types more.
    pub const MAX_BYTES: usize = 256;
    /// Shortest new password, in characters.
    pub const MIN_NEW_CHARS: usize = 10;

    /// A password offered at sign-in: present and not over the limit.
    pub fn offered(raw: String) -> Result<Self, String> {
        if raw.is_empty() {
            return Err("Enter your password.".into());
        }
        Self::bounded(raw)
    }

    /// A new password someone chooses: at least [`Self::MIN_NEW_CHARS`] characters.
    pub fn new_choice(raw: String) -> Result<Self, String> {
        if raw.chars().count() < Self::MIN_NEW_CHARS {
            return Err(format!("Use at least {} characters.", Self::MIN_NEW_CHARS));
        }
        Self::bounded(raw)
    }

    fn bounded(raw: String) -> Result<Self, String> {
        if raw.len() > Self::MAX_BYTES {
            return Err(format!("Use at most {} characters.", Self::MAX_BYTES));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::Password;

    #[test]
    fn length_is_checked_before_anything_else() {
        assert!(Password::offered(String::new()).is_err());
        assert!(Password::offered("x".repeat(256)).is_ok());
        assert!(Password::offered("x".repeat(257)).is_err());
        assert!(Password::new_choice("short".into()).is_err());
        assert!(Password::new_choice("long enough!".into()).is_ok());
        assert_eq!(
            format!("{:?}", Password::offered("secret".into()).unwrap()),
            "Password(..)"
        );
    }
}
