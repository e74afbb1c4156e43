//! Keyset paging: `page_size` (default 50, at most 200) and an opaque cursor (the last id).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::error::Problems;
use super::model::Paged;

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;

/// Which page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub size: u32,
    /// The last id of the previous page.
    pub after: Option<Uuid>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            size: DEFAULT_PAGE_SIZE,
            after: None,
        }
    }
}

impl PageRequest {
    /// Reads `page_size` and `cursor` as received; problems go under those names.
    pub fn parse(page_size: Option<&str>, cursor: Option<&str>, problems: &mut Problems) -> Self {
        Self::parse_up_to(MAX_PAGE_SIZE, page_size, cursor, problems)
    }

    /// The same, for a list whose pages may hold up to `max` rows.
    pub fn parse_up_to(
        max: u32,
        page_size: Option<&str>,
        cursor: Option<&str>,
        problems: &mut Problems,
    ) -> Self {
        let size = match page_size.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    problems.add("page_size", format!("Use a whole number from 1 to {max}."));
                    DEFAULT_PAGE_SIZE
                }
            },
        };
        let after = cursor
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .and_then(|text| {
                let id = URL_SAFE_NO_PAD
                    .decode(text)
                    .ok()
                    .and_then(|bytes| Uuid::from_slice(&bytes).ok());
                if id.is_none() {
                    problems.add("cursor", "This cursor is not one Brigade gave out.");
                }
                id
            });
        Self { size, after }
    }

    /// How many rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch_limit(&self) -> u32 {
        self.size + 1
    }

    /// One page of a short list held in memory, ordered by id like every other list.
    pub fn page_of<T>(&self, mut items: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Paged<T> {
        items.sort_by_key(|item| id_of(item));
        let rows: Vec<T> = items
            .into_iter()
            .filter(|item| self.after.is_none_or(|after| id_of(item) > after))
            .take(self.fetch_limit() as usize)
            .collect();
        self.page(rows, id_of)
    }

    /// Turns the fetched rows (up to [`Self::fetch_limit`]) into a page and its next cursor.
    pub fn page<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> Uuid) -> Paged<T> {
        let more = rows.len() > self.size as usize;
        rows.truncate(self.size as usize);
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
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        size: Option<&str>,
        cursor: Option<&str>,
    ) -> (PageRequest, Result<(), crate::domain::AppError>) {
        let mut problems = Problems::default();
        let request = PageRequest::parse(size, cursor, &mut problems);
        (request, problems.finish())
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_a_field_error() {
        let id = Uuid::now_v7();
        let (request, problems) = parse(None, Some(&encode_cursor(id)));
        assert_eq!(request.after, Some(id));
        assert!(problems.is_ok());
        let (_, problems) = parse(None, Some("not a cursor"));
        assert!(problems.unwrap_err().field_problem("cursor").is_some());
    }

    #[test]
    fn page_size_is_bounded() {
        assert_eq!(parse(None, None).0.size, 50);
        assert_eq!(parse(Some("200"), None).0.size, 200);
        for bad in ["0", "201", "ten", "-1", "4294967296"] {
            assert!(
                parse(Some(bad), None)
                    .1
                    .unwrap_err()
                    .field_problem("page_size")
                    .is_some(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_page_says_whether_more_follow() {
        let request = PageRequest {
            size: 2,
            after: None,
        };
        let ids: Vec<Uuid> = (1..=3).map(Uuid::from_u128).collect();
        let page = request.page(ids.clone(), |id| *id);
        assert_eq!(page.results, ids[..2]);
        assert_eq!(page.next_cursor, Some(encode_cursor(ids[1])));
        assert_eq!(request.page(ids[..2].to_vec(), |id| *id).next_cursor, None);
    }
}
