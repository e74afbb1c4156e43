//! Keyset paging: `page_size` (default 50, at most 200) and an opaque cursor (the last id).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::domain::model::Paged;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

pub fn page_size(raw: Option<&str>, problems: &mut BTreeMap<String, String>) -> u32 {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_PAGE_SIZE,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                problems.insert(
                    "page_size".into(),
                    format!("Use a whole number from 1 to {MAX_PAGE_SIZE}."),
                );
                DEFAULT_PAGE_SIZE
            }
        },
    }
}

pub fn decode_cursor(raw: Option<&str>, problems: &mut BTreeMap<String, String>) -> Option<Uuid> {
    let text = raw.map(str::trim).filter(|s| !s.is_empty())?;
    let id = URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok());
    if id.is_none() {
        problems.insert(
            "cursor".into(),
            "This cursor is not one Brigade gave out.".into(),
        );
    }
    id
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

/// Turns `limit + 1` fetched rows into a page and its next cursor.
pub fn page<T>(mut rows: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Uuid) -> Paged<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(id_of(r)))
    } else {
        None
    };
    Paged {
        results: rows,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_a_field_error() {
        let id = Uuid::now_v7();
        let mut problems = BTreeMap::new();
        assert_eq!(
            decode_cursor(Some(&encode_cursor(id)), &mut problems),
            Some(id)
        );
        assert!(problems.is_empty());
        assert_eq!(decode_cursor(Some("not a cursor"), &mut problems), None);
        assert!(problems.contains_key("cursor"));
    }

    #[test]
    fn page_size_is_bounded() {
        let mut problems = BTreeMap::new();
        assert_eq!(page_size(None, &mut problems), 50);
        assert_eq!(page_size(Some("200"), &mut problems), 200);
        assert!(problems.is_empty());
        page_size(Some("201"), &mut problems);
        assert!(problems.contains_key("page_size"));
    }
}
