use serde::{Deserialize, Serialize};

/// An email address that has been checked once at the edge and is stored lower-cased,
/// so that uniqueness and look-ups are case-insensitive everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err("Enter an email address.".into());
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(format!(
                "An email address has at most {} characters.",
                Self::MAX_LEN
            ));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err("Enter an email address like name@example.com.".into());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.contains('@')
            && !local.chars().any(|c| c.is_whitespace() || c.is_control());
        if !domain_ok || !local_ok {
            return Err("Enter an email address like name@example.com.".into());
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype!(Email);

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            Email::parse("  Ana@Harbor.Example ").unwrap().as_str(),
            "ana@harbor.example"
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let local = "é".repeat(64);
        assert!(Email::parse(&format!("{local}@x.io")).is_ok());
        assert!(Email::parse(&format!("{local}é@x.io")).is_err());
        assert!(Email::parse("ana@xn--bckerei-wxa.example").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@harbor.example",
            "ana@harbor",
            "a b@x.io",
            "ana@x..io",
            "ana@.x.io",
            // An internationalised domain is given in its ASCII (punycode) form.
            "ana@bäckerei.example",
            "ana\u{1}@x.io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
