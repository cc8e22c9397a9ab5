//! A commit about to be made, as git's `pre-commit` hook sees it: the staged index (never the
//! work tree), written as a tree and checked against `HEAD`.

use git2::{Repository, Signature, Time};

use super::push::{subtree_id, tree_has_discussion};
use super::rules;
use crate::diagnostic::Report;
use crate::Result;

/// Checks what is staged in `repo`'s index (the one git names in `GIT_INDEX_FILE` when the
/// repository was opened from git's environment) against `HEAD`: the tree rules on the
/// discussion at `root`. `None` when the staged tree holds no discussion at `root`.
///
/// The staged tree is written to the object database, and so is an unreferenced commit of it
/// on top of `HEAD` (what `git commit` would write; `git gc` prunes both in time).
pub fn check_index(repo: &Repository) -> Result<Option<Report>> {
    check_index_at(repo, &super::root_for(repo, None)?)
}

/// [`check_index`] for the discussion at `root` (`""` for the top of the tree).
pub fn check_index_at(repo: &Repository, root: &str) -> Result<Option<Report>> {
    let mut index = repo.index()?;
    let tree_id = index.write_tree()?;
    let tree = repo.find_tree(tree_id)?;
    if !tree_has_discussion(&tree, root)? {
        return Ok(None);
    }
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    if let Some(head) = &head {
        if subtree_id(&head.tree()?, root) == subtree_id(&tree, root) {
            // The commit leaves the discussion as it was: nothing to check.
            return Ok(Some(Report::new(Vec::new(), 0)));
        }
    }
    let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
    let signature = Signature::new("longhand", "longhand@localhost", &Time::new(0, 0))?;
    let staged = repo.commit(
        None,
        &signature,
        &signature,
        "longhand pre-commit: the staged tree",
        &tree,
        &parents,
    )?;
    let old = match &head {
        Some(head) if tree_has_discussion(&head.tree()?, root)? => Some(head.id()),
        _ => None,
    };
    let trees = rules::hook_trees(repo);
    let report = crate::history::incremental::check_tree_change_with(
        repo,
        &trees,
        root,
        old,
        staged,
        &crate::Parallelism::default(),
    )?;
    trees.persist();
    Ok(Some(report))
}
