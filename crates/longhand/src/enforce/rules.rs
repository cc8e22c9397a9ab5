//! The one place the hooks call the rules on a change: the history rules over a range of
//! commits, and the tree check of a new commit against the one it replaces.
//!
//! Until the history rules land (`longhand::history`, issue 5), `history` finds nothing and
//! `tree_change` validates the whole new tree; swapping in `history::verify` and
//! `history::check_tree_change` is an edit of these two bodies only.

use git2::{Oid, Repository};

use crate::diagnostic::Report;
use crate::source::GitTree;
use crate::{validate, Result};

/// The history rules over the commits of `base..tip` (every commit reachable from `tip` when
/// `base` is `None`), for the discussion at `root`.
pub(crate) fn history(
    _repo: &Repository,
    _root: &str,
    _base: Option<Oid>,
    _tip: Oid,
) -> Result<Report> {
    Ok(Report::new(Vec::new(), 0))
}

/// The tree rules on commit `new`'s discussion, checked against commit `old`'s (the whole
/// tree when `old` is `None`).
pub(crate) fn tree_change(
    repo: &Repository,
    root: &str,
    _old: Option<Oid>,
    new: Oid,
) -> Result<Report> {
    // A handle on the same object database: in a pre-receive hook that includes git's
    // quarantine, which a fresh `Repository::open` of the path would not see.
    let view = Repository::from_odb(repo.odb()?)?;
    let source = GitTree::new(view, &new.to_string(), root)?;
    validate::run(&source)
}
