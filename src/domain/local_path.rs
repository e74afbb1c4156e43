//! Where to send someone after signing in: a path on this site, never another host.

use std::fmt;

/// A same-origin path (`/users?q=kim`). Anything a browser could read as another host —
/// `//evil.example`, `/\evil.example`, a tab or newline that browsers drop (`/\t/evil.example`),
/// a scheme — is refused, as is anything that cannot be a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    pub const MAX_LEN: usize = 2048;

    pub fn parse(raw: &str) -> Option<Self> {
        let mut chars = raw.chars();
        let starts_as_path = chars.next() == Some('/') && !matches!(chars.next(), Some('/' | '\\'));
        let clean = raw.chars().all(|c| c.is_ascii_graphic() && c != '\\');
        (starts_as_path && clean && raw.len() <= Self::MAX_LEN).then(|| Self(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::LocalPath;

    #[test]
    fn known_open_redirect_bypasses_are_refused() {
        for bypass in [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            " /users",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/users\\..\\evil",
            "/\u{0}/evil.example",
            "/\u{a0}/evil.example",
            "/ünïcode",
            "",
        ] {
            assert_eq!(LocalPath::parse(bypass), None, "{bypass:?} must be refused");
        }
    }

    #[test]
    fn paths_on_this_site_are_kept() {
        for path in [
            "/users",
            "/users?q=kim",
            "/connectors?type=O&email=a%40b",
            "/%09/x",
            "/users/../connectors",
        ] {
            assert_eq!(
                LocalPath::parse(path).map(|p| p.to_string()).as_deref(),
                Some(path)
            );
        }
    }
}
