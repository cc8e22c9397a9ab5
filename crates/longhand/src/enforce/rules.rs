//! The one place the hooks call the rules on a change: the history rules over a range of
//! commits ([`crate::history::verify`]), and the incremental tree check of a new commit
//! against the one it replaces ([`crate::history::check_tree_change`]).

use std::rc::Rc;

use git2::{Oid, Repository};

use crate::diagnostic::Report;
use crate::source::trees::TreeStore;
use crate::Result;

/// The history rules over the commits of `base..tip` (every commit reachable from `tip` when
/// `base` is `None`), for the discussion at `root`.
pub(crate) fn history(
    repo: &Repository,
    trees: &TreeStore,
    root: &str,
    base: Option<Oid>,
    tip: Oid,
) -> Result<Report> {
    crate::history::verify_with(repo, trees, root, base, tip)
}

/// The tree rules on commit `new`'s discussion, checked incrementally against commit `old`'s
/// (the whole tree when `old` is `None`): what the change touched and what it can affect.
pub(crate) fn tree_change(
    repo: &Repository,
    trees: &Rc<TreeStore>,
    root: &str,
    old: Option<Oid>,
    new: Oid,
) -> Result<Report> {
    crate::history::incremental::check_tree_change_with(repo, trees, root, old, new)
}

/// Where a hook reads trees: in memory for the whole check, and the large ones (the
/// `threads/` tree) kept under the git directory for the next check, whose old tree is
/// usually this one's new tree.
pub(crate) fn hook_trees(repo: &Repository) -> Rc<TreeStore> {
    Rc::new(TreeStore::on_disk(repo.path()))
}
