use serde::{Deserialize, Serialize};

/// A mobile number as people write it: trimmed, 3 to 32 characters of digits, spaces and
/// `+ - . ( )`, with at least three digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

impl Mobile {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        let digits = value.chars().filter(char::is_ascii_digit).count();
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
        if !allowed || digits < 3 || value.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "Enter a phone number of digits, spaces and + - . ( ), at most {} characters.",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

text_newtype!(Mobile);

#[cfg(test)]
mod tests {
    use super::Mobile;

    #[test]
    fn mobile_numbers_are_digits_and_phone_punctuation() {
        assert_eq!(
            Mobile::parse(" +1 (415) 555-0100 ").unwrap().as_str(),
            "+1 (415) 555-0100"
        );
        for bad in [
            "",
            "12",
            "call me",
            "+1 415 555 0100 ext. 4",
            &"1".repeat(33),
        ] {
            assert!(Mobile::parse(bad).is_err(), "{bad:?}");
        }
    }
}
