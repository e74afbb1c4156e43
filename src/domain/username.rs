use serde::{Deserialize, Serialize};
use std::fmt;

/// A login name: 3 to 64 characters of letters, digits, `.`, `_`, `-` or `@`.
/// Compared case-insensitively (the database enforces it with NOCASE).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let length = value.chars().count();
        if !(3..=64).contains(&length) {
            return Err("A username has 3 to 64 characters.".into());
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err("A username may contain letters, digits and . _ - @ only.".into());
        }
        Ok(Self(value.to_string()))
    }

    /// A username derived from an email address, for accounts created without one.
    pub fn from_email(email: &crate::domain::Email) -> Self {
        Self(email.as_str().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn accepts_logins_and_rejects_spaces_and_short_names() {
        assert!(Username::parse("ana.lopez").is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("ana lopez").is_err());
    }
}
