//! No lost updates: the version of a user or connector is a hash of what the caller sees
//! (the JSON `get` answers), so any change they could see changes it. The API sends it as an
//! `ETag` and takes it back in `If-Match`; the console's edit forms carry it in a hidden field.
//! Either way it is compared inside the unit of work that writes (writes are serialised, so
//! nothing slips in between the comparison and the write).

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::AppError;

/// `"` + 32 hex digits + `"` (the form of a strong entity tag).
pub fn version_of<T: Serialize>(value: &T) -> String {
    version_of_json(&serde_json::to_vec(value).unwrap_or_default())
}

/// The version of a value already written as JSON (compact, as [`version_of`] writes it).
pub fn version_of_json(json: &[u8]) -> String {
    let digest = Sha256::digest(json);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// A console form's version against the current one: 412 `changed_by_someone_else` when it
/// changed since the form was opened.
pub fn ensure_unchanged<T: Serialize>(current: &T, opened: &str) -> Result<(), AppError> {
    if opened.trim() == version_of(current) {
        Ok(())
    } else {
        Err(AppError::changed_since_opened())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_passes_only_on_the_current_version() {
        let current = serde_json::json!({"name": "Pier 39"});
        let version = version_of(&current);
        let cases = [
            (version.as_str(), true),
            (&format!(" {version} "), true),
            ("\"0\"", false),
            ("", false),
        ];
        for (opened, passes) in cases {
            assert_eq!(
                ensure_unchanged(&current, opened).is_ok(),
                passes,
                "{opened:?}"
            );
        }
    }
}
