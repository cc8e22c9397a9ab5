//! Finding a thread or decision from what a person types: a slug, an id, or an unambiguous
//! prefix of either (ids case-insensitively). A date-prefixed slug also matches by a prefix of
//! its words: `async` finds `2026-11-24-async-standups`.

use std::fmt;

use super::{Decision, Discussion, Thread};

/// Why a typed reference found nothing to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// Nothing matches.
    NotFound {
        /// `"thread"` or `"decision"`.
        kind: &'static str,
        /// What was typed.
        query: String,
    },
    /// The name belongs to a file that could not be read (it has errors).
    Unreadable {
        /// `"thread"` or `"decision"`.
        kind: &'static str,
        /// The slug of the unreadable record.
        slug: String,
    },
    /// Several records match the prefix.
    Ambiguous {
        /// `"thread"` or `"decision"`.
        kind: &'static str,
        /// What was typed.
        query: String,
        /// The slugs of the matches, sorted.
        candidates: Vec<String>,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotFound { kind, query } => {
                write!(
                    f,
                    "no {kind} has the slug or id `{query}` (or starts with it)"
                )
            }
            LookupError::Unreadable { kind, slug } => {
                write!(
                    f,
                    "the {kind} `{slug}` could not be read: its file has errors"
                )
            }
            LookupError::Ambiguous {
                kind,
                query,
                candidates,
            } => write!(
                f,
                "`{query}` matches {} {kind}s: {}",
                candidates.len(),
                candidates.join(", ")
            ),
        }
    }
}

impl std::error::Error for LookupError {}

/// Exact slug or id first, then exact words of a dated slug; otherwise the one record whose
/// slug, id or words start with `query`. A query that only matches a name taken by an
/// unreadable file says so.
fn find<'a, T>(
    kind: &'static str,
    records: &'a [T],
    unreadable: impl Iterator<Item = &'a String>,
    query: &str,
    key: impl Fn(&T) -> (&str, &str),
) -> Result<&'a T, LookupError> {
    let upper = query.to_ascii_uppercase();
    if let Some(exact) = records.iter().find(|r| {
        let (slug, id) = key(r);
        slug == query || id == upper
    }) {
        return Ok(exact);
    }
    let same_words: Vec<&T> = records
        .iter()
        .filter(|r| undated(key(r).0) == Some(query))
        .collect();
    if let [one] = same_words.as_slice() {
        return Ok(one);
    }
    let matches_query = |slug: &str, id: &str| {
        !query.is_empty()
            && (slug.starts_with(query)
                || id.starts_with(&upper)
                || undated(slug).is_some_and(|words| words.starts_with(query)))
    };
    let matches: Vec<&T> = records
        .iter()
        .filter(|r| {
            let (slug, id) = key(r);
            matches_query(slug, id)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => {
            let loaded: Vec<&str> = records.iter().map(|r| key(r).0).collect();
            match unreadable
                .filter(|slug| !loaded.contains(&slug.as_str()))
                .find(|slug| matches_query(slug, ""))
            {
                Some(slug) => Err(LookupError::Unreadable {
                    kind,
                    slug: slug.clone(),
                }),
                None => Err(LookupError::NotFound {
                    kind,
                    query: query.to_owned(),
                }),
            }
        }
        many => {
            let mut candidates: Vec<String> = many.iter().map(|r| key(r).0.to_owned()).collect();
            candidates.sort();
            Err(LookupError::Ambiguous {
                kind,
                query: query.to_owned(),
                candidates,
            })
        }
    }
}

/// The words of a date-prefixed slug: `2026-11-24-async-standups` → `async-standups`.
fn undated(slug: &str) -> Option<&str> {
    let bytes = slug.as_bytes();
    let dated = bytes.len() > 11
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'-'
        && bytes[..10]
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    dated.then(|| &slug[11..])
}

impl Discussion {
    /// The thread a person means by `query`: a slug, an id, or an unambiguous prefix.
    pub fn find_thread(&self, query: &str) -> Result<&Thread, LookupError> {
        let unreadable = self.reserved.threads.iter();
        find("thread", &self.threads, unreadable, query, |t| {
            (&t.slug, t.id.as_str())
        })
    }

    /// The decision a person means by `query`: a slug, an id, or an unambiguous prefix.
    pub fn find_decision(&self, query: &str) -> Result<&Decision, LookupError> {
        let unreadable = self.reserved.decisions.iter();
        find("decision", &self.decisions, unreadable, query, |d| {
            (&d.slug, d.id.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load, WorkTree};

    fn example() -> Discussion {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/async-standups");
        load(&WorkTree::new(dir)).expect("loads").discussion
    }

    #[test]
    fn threads_are_found_by_slug_id_prefix_or_words() {
        let d = example();
        let by_slug = d.find_thread("2026-10-05-async-standups").expect("slug");
        let id = by_slug.id.as_str().to_owned();
        assert_eq!(d.find_thread(&id).map(|t| &t.slug), Ok(&by_slug.slug));
        assert_eq!(
            d.find_thread(&id[..8].to_ascii_lowercase())
                .map(|t| &t.slug),
            Ok(&by_slug.slug)
        );
        assert_eq!(d.find_thread("async").map(|t| &t.slug), Ok(&by_slug.slug));
        assert_eq!(
            d.find_thread("overlap").map(|t| t.slug.as_str()),
            Ok("2026-11-18-overlap-call-rotation")
        );
    }

    #[test]
    fn ambiguous_and_unknown_queries_say_so() {
        let d = example();
        match d.find_thread("2026-1") {
            Err(LookupError::Ambiguous { candidates, .. }) => assert!(candidates.len() > 1),
            other => panic!("expected ambiguity, got {other:?}"),
        }
        assert!(matches!(
            d.find_thread("nothing-like-this"),
            Err(LookupError::NotFound { .. })
        ));
        assert!(matches!(
            d.find_decision(""),
            Err(LookupError::NotFound { .. })
        ));
        assert!(d.find_decision("standup-template").is_ok());
    }
}
