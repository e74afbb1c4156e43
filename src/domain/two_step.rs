//! What a person types at the second step of signing in: a six-digit code from their
//! authenticator app, or one of their recovery codes. Parsed once, at the edge.

use super::AppError;

/// Digits of a TOTP code.
pub const CODE_DIGITS: usize = 6;
/// Characters of a recovery code (without its hyphens): 31 possible each, about 79 bits.
pub const RECOVERY_CODE_CHARS: usize = 16;
/// The recovery codes' alphabet: lower-case letters and digits that cannot be mistaken for
/// one another (no 0/o, 1/l/i).
pub const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

pub const ENTER_CODE: &str =
    "Enter the 6-digit code from your authenticator app, or one of your recovery codes.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits.
    Code(String),
    /// Sixteen characters of the recovery alphabet, lower case, hyphens and spaces removed.
    Recovery(String),
}

impl SecondFactor {
    /// Reads what was typed into the `field`: spaces and hyphens are ignored, case too.
    pub fn parse(text: &str, field: &str) -> Result<Self, AppError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        if compact.len() == CODE_DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self::Code(compact));
        }
        if compact.len() == RECOVERY_CODE_CHARS
            && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            return Ok(Self::Recovery(compact));
        }
        Err(AppError::field(field, ENTER_CODE))
    }

    /// Only a six-digit code (confirming an enrolment takes no recovery code).
    pub fn code(text: &str, field: &str) -> Result<String, AppError> {
        match Self::parse(text, field)? {
            Self::Code(code) => Ok(code),
            Self::Recovery(_) => Err(AppError::field(
                field,
                "Enter the 6-digit code your authenticator app shows now.",
            )),
        }
    }
}

/// A recovery code as it is shown: four groups of four.
pub fn format_recovery_code(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::SecondFactor;

    #[test]
    fn codes_and_recovery_codes_are_read_as_typed() {
        let cases = [
            ("123456", Some(SecondFactor::Code("123456".into()))),
            (" 123 456 ", Some(SecondFactor::Code("123456".into()))),
            (
                "abcd-efgh-jkmn-pqrs",
                Some(SecondFactor::Recovery("abcdefghjkmnpqrs".into())),
            ),
            (
                "ABCD EFGH JKMN PQRS",
                Some(SecondFactor::Recovery("abcdefghjkmnpqrs".into())),
            ),
            ("12345", None),
            ("1234567", None),
            ("12345a", None),
            ("abcd-efgh-jkmn-pqr0", None),
            ("", None),
        ];
        for (typed, expected) in cases {
            assert_eq!(
                SecondFactor::parse(typed, "code").ok(),
                expected,
                "{typed:?}"
            );
        }
        assert!(SecondFactor::code("abcd-efgh-jkmn-pqrs", "code").is_err());
    }
}
