//! Passkeys (WebAuthn credentials) as their person names and sees them. The ceremony itself
//! (challenges, signatures) is `service::passkeys`, with `webauthn-rs`.

use serde::{Deserialize, Serialize};

use super::{AppError, PasskeyId};

/// Why a server offers no passkeys.
pub const UNAVAILABLE: &str =
    "Passkeys need Brigade to be reached by a host name (BRIGADE_PUBLIC_URL), not an IP address.";

/// The longest name of a passkey.
pub const NAME_MAX: usize = 60;

/// What a person calls one of their passkeys ("Work laptop", "iPhone"): 1 to 60 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

impl PasskeyName {
    pub fn parse(text: &str, field: &str) -> Result<Self, AppError> {
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(AppError::field(
                field,
                "Name this passkey, e.g. the device it is on.",
            ));
        }
        if name.chars().count() > NAME_MAX {
            return Err(AppError::field(
                field,
                format!("Keep the name to {NAME_MAX} characters."),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::field(
                field,
                "Use letters, digits and punctuation.",
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One of the person's passkeys on their own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPasskey {
    pub id: PasskeyId,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// The passkeys section of the person's own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPasskeys {
    /// Whether this server can use passkeys: its public address (`BRIGADE_PUBLIC_URL`) names a
    /// host, as browsers require (not an IP address).
    pub available: bool,
    pub passkeys: Vec<MyPasskey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        let longest = "x".repeat(NAME_MAX);
        let too_long = "x".repeat(NAME_MAX + 1);
        let cases: [(&str, Option<&str>); 6] = [
            ("  Work   laptop ", Some("Work laptop")),
            ("", None),
            ("   ", None),
            ("tab\u{7}bell", None),
            (&longest, Some(&longest)),
            (&too_long, None),
        ];
        for (text, expected) in cases {
            let parsed = PasskeyName::parse(text, "name").ok();
            assert_eq!(
                parsed.as_ref().map(PasskeyName::as_str),
                expected,
                "{text:?}"
            );
        }
    }
}
