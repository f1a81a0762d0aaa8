//! Keyset pagination: `limit` (default 50, at most 200) and an opaque `cursor`
//! holding the sort key of the last row returned.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;

/// One page of a list: `{"items": [...], "next_cursor": "…" | null}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in order: the extra
    /// row only tells that another page exists.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: u64,
        key: impl Fn(&R) -> Cursor,
        view: impl FnMut(R) -> T,
    ) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        Self {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

/// The sort key of the last row of a page: one or more string parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor(Vec<String>);

impl Cursor {
    pub fn new(parts: Vec<String>) -> Self {
        Self(parts)
    }

    pub fn from_int(id: i32) -> Self {
        Self(vec![id.to_string()])
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&self.0).unwrap_or_default())
    }

    /// Decodes a cursor from a query string; 422 naming `cursor` when forged.
    pub fn decode(raw: &str) -> AppResult<Self> {
        URL_SAFE_NO_PAD
            .decode(raw)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Vec<String>>(&bytes).ok())
            .filter(|parts| !parts.is_empty())
            .map(Self)
            .ok_or_else(invalid)
    }

    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// The single integer key of an id-ordered list.
    pub fn int(&self) -> AppResult<i32> {
        self.0
            .first()
            .and_then(|s| s.parse().ok())
            .ok_or_else(invalid)
    }
}

fn invalid() -> AppError {
    AppError::field("cursor", "is not a cursor returned by this list")
}

/// The page a list's query string asks for.
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The checked limit and the decoded cursor; 422 naming the bad one.
    pub fn params(&self) -> AppResult<(u64, Option<Cursor>)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let cursor = self
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok((limit, cursor))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_forgery() {
        let c = Cursor::new(vec!["B171807".into(), "12".into()]);
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        for forged in ["", "!!", "bm90IGpzb24", "W10"] {
            assert!(Cursor::decode(forged).is_err(), "{forged}");
        }
    }

    #[test]
    fn limits() {
        let cases = [
            (None, Some(50)),
            (Some(1), Some(1)),
            (Some(200), Some(200)),
            (Some(0), None),
            (Some(201), None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PageQuery {
                    limit: input,
                    cursor: None,
                }
                .params()
                .ok()
                .map(|(l, _)| l),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn page_from_rows() {
        let page = Page::from_rows(vec![1, 2, 3], 2, |r| Cursor::from_int(*r), |r| r * 10);
        assert_eq!(page.items, vec![10, 20]);
        assert_eq!(
            Cursor::decode(page.next_cursor.as_deref().unwrap())
                .unwrap()
                .int()
                .unwrap(),
            2
        );
        let last = Page::from_rows(vec![1, 2], 2, |r| Cursor::from_int(*r), |r| r);
        assert!(last.next_cursor.is_none());
    }
}
