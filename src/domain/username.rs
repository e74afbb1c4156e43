use serde::{Deserialize, Serialize};

use super::Email;

/// A login name: 3 to 64 characters of letters, digits, `.`, `_`, `-` or `@`.
/// Compared case-insensitively (the database enforces it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

impl Username {
    pub const MIN_CHARS: usize = 3;
    pub const MAX_CHARS: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let length = value.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&length) {
            return Err(format!(
                "A username has {} to {} characters.",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        if !value.chars().all(allowed) {
            return Err("A username may contain letters, digits and . _ - @ only.".into());
        }
        Ok(Self(value.to_string()))
    }

    /// The username for an account created with an email only: the email's local part, kept
    /// to the allowed characters and lengths, with `number` appended when it is above 1 (the
    /// plain name was taken). Always a valid username, whatever the address looks like.
    pub fn derived_from(email: &Email, number: u32) -> Self {
        let local = email.as_str().split('@').next().unwrap_or_default();
        let mut base: String = local.chars().filter(|c| *c != '@' && allowed(*c)).collect();
        if base.chars().count() < Self::MIN_CHARS {
            base = if base.is_empty() {
                "user".to_string()
            } else {
                format!("{base}.user")
            };
        }
        let suffix = if number > 1 {
            number.to_string()
        } else {
            String::new()
        };
        let room = Self::MAX_CHARS - suffix.chars().count();
        let mut name: String = base.chars().take(room).collect();
        name.push_str(&suffix);
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')
}

text_newtype!(Username);

#[cfg(test)]
mod tests {
    use super::{Email, Username};

    #[test]
    fn accepts_logins_and_rejects_spaces_and_short_names() {
        assert!(Username::parse("ana.lopez").is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("ana lopez").is_err());
    }

    #[test]
    fn a_username_derived_from_any_email_is_valid() {
        let long = format!("{}@harbor.example", "a".repeat(64));
        let cases = [
            ("new.cook@harbor.example", 1, "new.cook"),
            ("new.cook@harbor.example", 2, "new.cook2"),
            ("jo@harbor.example", 1, "jo.user"),
            ("x@harbor.example", 1, "x.user"),
            ("+++@harbor.example", 1, "user"),
            ("ana+tag@harbor.example", 1, "anatag"),
            ("o'brien@harbor.example", 1, "obrien"),
        ];
        for (email, number, expected) in cases {
            let derived = Username::derived_from(&Email::parse(email).unwrap(), number);
            assert_eq!(derived.as_str(), expected, "{email}");
            assert!(Username::parse(derived.as_str()).is_ok(), "{email}");
        }
        for number in [1, 2, 999] {
            let derived = Username::derived_from(&Email::parse(&long).unwrap(), number);
            assert!(Username::parse(derived.as_str()).is_ok(), "{derived}");
            assert!(derived.as_str().ends_with(&number.to_string()) || number == 1);
        }
    }
}
