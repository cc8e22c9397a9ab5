//! Finding a thread or decision from what a person types: a slug, an id, or an unambiguous
//! prefix of either (ids case-insensitively).

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

/// Exact slug or id first; otherwise the one record whose slug or id starts with `query`.
fn find<'a, T>(
    kind: &'static str,
    records: &'a [T],
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
    let matches: Vec<&T> = records
        .iter()
        .filter(|r| {
            let (slug, id) = key(r);
            !query.is_empty() && (slug.starts_with(query) || id.starts_with(&upper))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(LookupError::NotFound {
            kind,
            query: query.to_owned(),
        }),
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

impl Discussion {
    /// The thread a person means by `query`: a slug, an id, or an unambiguous prefix.
    pub fn find_thread(&self, query: &str) -> Result<&Thread, LookupError> {
        find("thread", &self.threads, query, |t| (&t.slug, t.id.as_str()))
    }

    /// The decision a person means by `query`: a slug, an id, or an unambiguous prefix.
    pub fn find_decision(&self, query: &str) -> Result<&Decision, LookupError> {
        find("decision", &self.decisions, query, |d| {
            (&d.slug, d.id.as_str())
        })
    }
}
