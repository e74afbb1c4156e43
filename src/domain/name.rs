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

/// A membership's external id (an employee or payroll number, SCIM's `externalId`):
/// trimmed, 1 to 255 characters, no control characters. Unique in its organization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExternalId(String);

impl ExternalId {
    pub const MAX_CHARS: usize = 255;

    /// `Ok(None)` for an empty text (no external id).
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(format!("Use at most {} characters.", Self::MAX_CHARS));
        }
        if value.chars().any(char::is_control) {
            return Err("Use letters, digits and punctuation only.".into());
        }
        Ok(Some(Self(value.to_string())))
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::parse_optional(raw)?.ok_or_else(|| "Give the external id, or leave it out.".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype!(ExternalId);

#[cfg(test)]
mod tests {
    use super::{ExternalId, PersonName};

    #[test]
    fn external_ids_are_trimmed_bounded_and_printable() {
        assert_eq!(ExternalId::parse(" E-1042 ").unwrap().as_str(), "E-1042");
        assert_eq!(ExternalId::parse_optional("  ").unwrap(), None);
        assert!(ExternalId::parse("").is_err());
        assert!(ExternalId::parse(&"7".repeat(256)).is_err());
        assert!(ExternalId::parse("E\n1").is_err());
    }

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        assert_eq!(PersonName::parse("  Noor ").unwrap().as_str(), "Noor");
        assert!(PersonName::parse("").unwrap().is_empty());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("No\u{0}or").is_err());
    }
}
