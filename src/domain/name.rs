use serde::{Deserialize, Serialize};

/// A first or last name: trimmed, at most 100 characters, no control characters.
/// Empty is allowed (people are often created with an email only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.chars().count() > Self::MAX_CHARS {
            return Err(format!("Use at most {} characters.", Self::MAX_CHARS));
        }
        if value.chars().any(char::is_control) {
            return Err("Use letters, spaces and punctuation only.".into());
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

text_newtype!(PersonName);

#[cfg(test)]
mod tests {
    use super::PersonName;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(PersonName::parse("  Noor ").unwrap().as_str(), "Noor");
        assert!(PersonName::parse("").unwrap().is_empty());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("No\u{0}or").is_err());
    }
}
