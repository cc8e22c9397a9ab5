//! What a push may not do to a discussion's history (spec section 14): rewrite it — a
//! non-fast-forward update that drops or alters a file the old tip brought (LH720) — or
//! delete a branch whose discussion no other ref keeps (LH721). The checks compare trees and
//! look paths up; they never read a blob. The history rules over the new commits are
//! `crate::history`'s; this module only judges the old tip against the new one.

use std::collections::BTreeMap;

use git2::{Oid, Repository};

use crate::diagnostic::{Code, Diagnostic};
use crate::history::{changed_entries, is_file_mode, prefix_of, subtree};
use crate::source::trees::TreeStore;
use crate::source::CONFIG_FILE;
use crate::Result;

/// Whether `path` (relative to the discussion root) is a file of the layout the history
/// rules protect: `longhand.yaml`, anything under `threads/` (headers, replies,
/// attachments) or `decisions/`.
fn protected(path: &str) -> bool {
    path == CONFIG_FILE || path.starts_with("threads/") || path.starts_with("decisions/")
}

/// `commit <short id> ("<subject>")`, as history diagnostics start (spec section 13.5).
pub(crate) fn described(repo: &Repository, oid: Oid) -> String {
    let short = format!("{oid:.7}");
    let subject = repo
        .find_commit(oid)
        .ok()
        .and_then(|c| {
            c.summary_bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        })
        .unwrap_or_default();
    format!("commit {short} (\"{subject}\")")
}

/// A file the old side brought that the new side does not keep: its path (relative to the
/// root), its version at the old tip, and whether the new tip has the path at all.
pub(crate) struct Lost {
    pub path: String,
    pub present: bool,
}

/// The files of the layout at `root` whose version at `old` differs from their version at
/// the merge base of `old` and `new` (the old side brought them), and that the new side does
/// not keep: neither the same bytes at `new`, nor that version at the path in some commit of
/// `base..new` (the new side built on it; its later changes are checked by the history
/// rules). A fast-forward (`old` reachable from `new`) loses nothing. With `new = None`,
/// nothing is kept.
pub(crate) fn lost_files(
    repo: &Repository,
    root: &str,
    old: Oid,
    new: Option<Oid>,
) -> Result<Vec<Lost>> {
    if let Some(new) = new {
        if new == old || repo.graph_descendant_of(new, old)? {
            return Ok(Vec::new());
        }
    }
    let prefix = prefix_of(root);
    let base = match new {
        Some(new) => match repo.merge_base(old, new) {
            Ok(base) => Some(base),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let tree_of = |oid: Oid| -> Result<Option<git2::Tree<'_>>> {
        subtree(repo, repo.find_commit(oid)?.tree()?, &prefix)
    };
    let old_tree = tree_of(old)?;
    let base_tree = match base {
        Some(base) => tree_of(base)?,
        None => None,
    };
    // Trees only, in memory: what a push may lose is not worth keeping for the next check.
    let trees = TreeStore::new();
    let (changed, met) = changed_entries(repo, &trees, base_tree.as_ref(), old_tree.as_ref())?;
    let brought: BTreeMap<&str, Oid> = met
        .iter()
        .filter_map(|(path, _, after)| match after {
            Some((oid, mode)) if is_file_mode(*mode) && protected(path) => {
                Some((path.as_str(), *oid))
            }
            _ => None,
        })
        .filter(|(path, _)| changed.binary_search_by(|c| c.as_str().cmp(path)).is_ok())
        .collect();
    if brought.is_empty() {
        return Ok(Vec::new());
    }
    let Some(new) = new else {
        return Ok(brought
            .keys()
            .map(|path| Lost {
                path: (*path).to_owned(),
                present: false,
            })
            .collect());
    };
    let at = |tree: &git2::Tree<'_>, path: &str| -> Option<Oid> {
        let entry = tree.get_path(std::path::Path::new(path)).ok()?;
        is_file_mode(entry.filemode()).then(|| entry.id())
    };
    let new_tree = tree_of(new)?;
    let mut pending: BTreeMap<&str, (Oid, bool)> = BTreeMap::new();
    for (path, oid) in &brought {
        let now = new_tree.as_ref().and_then(|t| at(t, path));
        if now != Some(*oid) {
            pending.insert(path, (*oid, now.is_some()));
        }
    }
    if !pending.is_empty() {
        // The new side may have had a version and changed it since: look for it in the
        // commits the new side made after the merge base, stopping when all are found.
        let mut walk = repo.revwalk()?;
        walk.push(new)?;
        if let Some(base) = base {
            walk.hide(base)?;
        }
        for oid in walk {
            let Some(tree) = tree_of(oid?)? else { continue };
            pending.retain(|path, (version, _)| at(&tree, path) != Some(*version));
            if pending.is_empty() {
                break;
            }
        }
    }
    Ok(pending
        .into_iter()
        .map(|(path, (_, present))| Lost {
            path: path.to_owned(),
            present,
        })
        .collect())
}

/// LH720 for a non-fast-forward update of `name` from `old` to `new`, one per file the
/// update drops or alters (none for a fast-forward). `old` holds the discussion at `root`.
pub(crate) fn rewritten(
    repo: &Repository,
    root: &str,
    name: &str,
    old: Oid,
    new: Oid,
) -> Result<Vec<Diagnostic>> {
    let lost = lost_files(repo, root, old, Some(new))?;
    let commit = described(repo, new);
    Ok(lost
        .into_iter()
        .map(|lost| {
            let what = if lost.present { "alters" } else { "drops" };
            Diagnostic::new(
                Code::HistoryRewritten,
                lost.path,
                format!(
                    "{commit}: the push moves {name} from {old:.7} to a commit that does not \
build on it, and {what} this file's version from {old:.7}, which no commit of the new \
history has"
                ),
            )
        })
        .collect())
}

/// The refs of the repository and the commit each peels to, as they will be once `updates`
/// (name, new value) are applied.
pub(crate) fn refs_after(
    repo: &Repository,
    updates: &[(String, Option<Oid>)],
) -> Result<BTreeMap<String, Oid>> {
    let mut refs = BTreeMap::new();
    for reference in repo.references()? {
        let Ok(reference) = reference else { continue };
        let (Ok(name), Ok(commit)) = (reference.name(), reference.peel_to_commit()) else {
            continue;
        };
        refs.insert(name.to_owned(), commit.id());
    }
    for (name, new) in updates {
        match new.and_then(|oid| repo.find_object(oid, None).ok()?.peel_to_commit().ok()) {
            Some(commit) => refs.insert(name.clone(), commit.id()),
            None => refs.remove(name),
        };
    }
    Ok(refs)
}

/// The branch `HEAD` names (`refs/heads/main`), when it is symbolic.
pub(crate) fn default_branch(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    head.symbolic_target().ok().flatten().map(str::to_owned)
}

/// LH721 for the deletion of `name`, whose old value `old` holds the discussion at `root`,
/// given the refs as they will be after the push (`after`, without `name`). Refused: the
/// default branch; a branch whose tip no other ref reaches, unless the default branch's
/// history keeps every file the branch brought (a branch that never changed the discussion).
pub(crate) fn deleted(
    repo: &Repository,
    root: &str,
    name: &str,
    old: Oid,
    after: &BTreeMap<String, Oid>,
) -> Result<Vec<Diagnostic>> {
    let commit = described(repo, old);
    let default = default_branch(repo);
    if default.as_deref() == Some(name) {
        return Ok(vec![Diagnostic::new(
            Code::BranchDeleted,
            CONFIG_FILE,
            format!(
                "{commit}: the push deletes {name}, the repository's default branch (HEAD), \
which holds the discussion"
            ),
        )
        .with_help(
            "the default branch is never deleted; to undo something, commit a correction",
        )]);
    }
    for (other, tip) in after {
        if other != name && (*tip == old || repo.graph_descendant_of(*tip, old)?) {
            return Ok(Vec::new());
        }
    }
    let kept_by = default.as_ref().and_then(|d| after.get(d).copied());
    let lost = lost_files(repo, root, old, kept_by)?;
    Ok(lost
        .into_iter()
        .map(|lost| {
            Diagnostic::new(
                Code::BranchDeleted,
                lost.path,
                format!(
                    "{commit}: the push deletes {name}, whose version of this file no other \
ref keeps"
                ),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit of `files` (path, text) on `parents`, in a bare repository.
    fn commit(repo: &Repository, files: &[(&str, &str)], parents: &[Oid]) -> Oid {
        let mut index = git2::Index::new().expect("index");
        for (path, text) in files {
            let oid = repo.blob(text.as_bytes()).expect("blob");
            let entry = crate::test_support::blob_entry(path, oid, text.len());
            index.add(&entry).expect("add");
        }
        let tree = repo
            .find_tree(index.write_tree_to(repo).expect("tree"))
            .expect("tree");
        let who = git2::Signature::now("Ana Lima", "ana@example.org").expect("signature");
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(*p).expect("parent"))
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(None, &who, &who, "commit", &tree, &parents)
            .expect("commit")
    }

    fn paths(lost: Vec<Lost>) -> Vec<(String, bool)> {
        lost.into_iter().map(|l| (l.path, l.present)).collect()
    }

    #[test]
    fn a_rewrite_loses_what_the_old_side_brought_and_the_new_side_does_not_keep() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        let config = ("longhand.yaml", "longhand: 1\n");
        let header = ("threads/t/thread.md", "header\n");
        let start = commit(&repo, &[config, header], &[]);
        let reply = ("threads/t/A.md", "a\n");
        let other = ("threads/t/B.md", "b\n");
        let note = ("notes.txt", "not the discussion's\n");
        let old = commit(&repo, &[config, header, reply, other, note], &[start]);
        // A fast-forward loses nothing.
        let next = commit(&repo, &[config, header, reply, other], &[old]);
        assert!(lost_files(&repo, "", old, Some(next))
            .expect("runs")
            .is_empty());
        // Back to the start, with A altered: A altered, B dropped; notes.txt is no file of
        // the layout.
        let altered = commit(
            &repo,
            &[config, header, ("threads/t/A.md", "x\n")],
            &[start],
        );
        assert_eq!(
            paths(lost_files(&repo, "", old, Some(altered)).expect("runs")),
            [
                ("threads/t/A.md".to_owned(), true),
                ("threads/t/B.md".to_owned(), false)
            ]
        );
        // A new side that had both versions and changed A since keeps everything.
        let rebuilt = commit(&repo, &[config, header, reply, other], &[start]);
        let edited = commit(
            &repo,
            &[config, header, ("threads/t/A.md", "a, edited\n"), other],
            &[rebuilt],
        );
        assert!(lost_files(&repo, "", old, Some(edited))
            .expect("runs")
            .is_empty());
        // An unrelated history with the same files keeps them; without one, loses it.
        let orphan = commit(&repo, &[config, header, reply, other], &[]);
        assert!(lost_files(&repo, "", old, Some(orphan))
            .expect("runs")
            .is_empty());
        let poorer = commit(&repo, &[config, header, reply], &[]);
        assert_eq!(
            paths(lost_files(&repo, "", old, Some(poorer)).expect("runs")),
            [("threads/t/B.md".to_owned(), false)]
        );
        // With no new tip (a deletion kept by nothing), everything the branch brought.
        assert_eq!(lost_files(&repo, "", old, None).expect("runs").len(), 4);
    }
}
