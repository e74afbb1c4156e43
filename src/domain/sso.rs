//! Single sign-on as Brigade keeps it: an organization's OpenID Connect connection (issuer,
//! client, display name), the email domains claimed for it, and what its settings show. The
//! protocol itself is `service::sso`, with the `openidconnect` crate.

use serde::{Deserialize, Serialize};

use super::AppError;

/// An organization's connection as Security & Permissions shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoConnection {
    pub issuer: String,
    pub client_id: String,
    pub display_name: String,
    /// The email domains the operator claimed for it (`brigade sso add --domain`).
    pub domains: Vec<String>,
    /// Password sign-in is refused to people of those domains (owners excepted).
    pub require_sso: bool,
    /// Where the identity provider must send people back (its allowed redirect URI).
    pub redirect_uri: String,
}

/// What the sign-in page says when a single sign-on ends without a session, by the code the
/// server sends it back with (fixed texts: nothing a link could make the page say).
pub fn refusal_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "sso_not_set_up" => {
            "No single sign-on is set up for this address. Sign in with your password."
        }
        "sso_unavailable" => "Your identity provider did not answer. Try again in a moment.",
        "sso_expired" => "This sign-in is too old or was not started here. Start again.",
        "sso_provider_error" => "Your identity provider did not complete the sign-in. Try again.",
        "sso_invalid_token" => {
            "Your identity provider's answer could not be trusted, so nobody was signed in."
        }
        "sso_email_not_verified" => {
            "Your identity provider has not verified your email address, so Brigade cannot tell who you are."
        }
        "sso_domain_not_claimed" => {
            "Your email address is not of a domain this organization signs in with."
        }
        "sso_no_membership" => {
            "You have no access to this organization in Brigade. Ask its administrator."
        }
        _ => return None,
    })
}

/// An email domain claimed for single sign-on: lower case, dot-separated labels of letters,
/// digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailDomain(String);

impl EmailDomain {
    pub fn parse(text: &str) -> Result<Self, AppError> {
        let domain = text.trim().trim_end_matches('.').to_ascii_lowercase();
        let label_ok = |label: &str| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if domain.len() > 253 || !domain.contains('.') || !domain.split('.').all(label_ok) {
            return Err(AppError::field(
                "domain",
                format!(
                    "“{}” is not an email domain such as harbor.example.",
                    text.trim()
                ),
            ));
        }
        Ok(Self(domain))
    }

    /// The domain of an email address (the part after its last `@`).
    pub fn of_email(email: &str) -> Option<Self> {
        email
            .rsplit_once('@')
            .and_then(|(_, domain)| Self::parse(domain).ok())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an address is plain `http://` on this machine (localhost, 127.0.0.1, [::1]).
pub fn on_this_machine(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    matches!(host, "localhost" | "127.0.0.1") || rest.starts_with("[::1]")
}

/// An OpenID Connect issuer: `https://…`, or `http://` on this machine only (a test or
/// development provider on loopback); no query or fragment.
pub fn parse_issuer(text: &str) -> Result<String, AppError> {
    let issuer = text.trim();
    let refuse = || {
        AppError::field(
            "issuer",
            "Enter the issuer's address, e.g. https://login.microsoftonline.com/<tenant>/v2.0.",
        )
    };
    let rest = if let Some(rest) = issuer.strip_prefix("https://") {
        rest
    } else if let Some(rest) = issuer.strip_prefix("http://") {
        if !on_this_machine(issuer) {
            return Err(AppError::field(
                "issuer",
                "An identity provider is reached over https:// (http:// only on this machine).",
            ));
        }
        rest
    } else {
        return Err(refuse());
    };
    if rest.is_empty()
        || rest.starts_with('/')
        || issuer.contains(['?', '#', ' '])
        || issuer.len() > 500
    {
        return Err(refuse());
    }
    Ok(issuer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_plain_lower_case_host_names() {
        let cases = [
            ("Harbor.Example", Some("harbor.example")),
            (" mail.harbor.example. ", Some("mail.harbor.example")),
            ("localhost", None),
            ("harbor..example", None),
            ("-harbor.example", None),
            ("harbor.example/x", None),
            ("@harbor.example", None),
        ];
        for (text, expected) in cases {
            let parsed = EmailDomain::parse(text).ok();
            assert_eq!(
                parsed.as_ref().map(EmailDomain::as_str),
                expected,
                "{text:?}"
            );
        }
        assert_eq!(
            EmailDomain::of_email("Ana@Harbor.example")
                .unwrap()
                .as_str(),
            "harbor.example"
        );
    }

    #[test]
    fn an_issuer_is_https_or_loopback() {
        let cases = [
            ("https://login.example.com/tenant/v2.0", true),
            ("http://127.0.0.1:4000", true),
            ("http://localhost:4000/oidc", true),
            ("http://idp.example.com", false),
            ("ftp://idp.example.com", false),
            ("https://", false),
            ("https://idp.example.com/?x=1", false),
            ("", false),
        ];
        for (text, ok) in cases {
            assert_eq!(parse_issuer(text).is_ok(), ok, "{text:?}");
        }
    }
}
