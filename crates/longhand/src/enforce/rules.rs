//! What the hooks share to check a change: one tree store per check, through which both the
//! history rules over a range of commits (`crate::history::verify_with`) and the
//! incremental tree check (`crate::history::incremental::check_tree_change_with`) read.

use std::sync::Arc;

use git2::Repository;

use crate::source::trees::TreeStore;

/// Where a hook reads trees: in memory for the whole check, and the large ones (the
/// `threads/` tree) kept under the git directory for the next check, whose old tree is
/// usually this one's new tree.
pub(crate) fn hook_trees(repo: &Repository) -> Arc<TreeStore> {
    Arc::new(TreeStore::on_disk(repo.path()))
}
