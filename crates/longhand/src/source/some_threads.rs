//! A source that shows only some entries of `threads/` ([`SomeThreads`]), and which entries
//! of `threads/` differ between a revision and the work tree ([`changed_threads`]): what lets
//! `digest` load only the threads that can be in it, instead of the whole discussion.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Delta, Repository, StatusOptions};

use super::{relative_to, Contents, Entry, EntryKind, Source};
use crate::{Error, Result};

/// Another source with `threads/` narrowed to the entries named in `keep`; everything else
/// (`longhand.yaml`, `decisions/`, the root) as it is. Loading it gives the model of those
/// threads exactly as a whole load would.
pub struct SomeThreads<'a> {
    inner: &'a dyn Source,
    keep: &'a BTreeSet<String>,
}

impl<'a> SomeThreads<'a> {
    /// `inner` with only the entries of `threads/` named in `keep`.
    pub fn new(inner: &'a dyn Source, keep: &'a BTreeSet<String>) -> SomeThreads<'a> {
        SomeThreads { inner, keep }
    }

    fn hidden(&self, path: &str) -> bool {
        path.strip_prefix("threads/")
            .map(|rest| rest.split('/').next().unwrap_or(rest))
            .is_some_and(|name| !self.keep.contains(name))
    }
}

impl Source for SomeThreads<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        if self.hidden(path) {
            return Ok(None);
        }
        self.inner.kind(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let entries = self.inner.list(dir)?;
        if dir != "threads" {
            return Ok(entries);
        }
        Ok(entries
            .into_iter()
            .filter(|e| self.keep.contains(&e.name))
            .collect())
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        self.inner.read(path, limit)
    }

    fn size(&self, path: &str) -> Result<u64> {
        self.inner.size(path)
    }

    fn stored_by_lfs(&self, path: &str) -> Result<bool> {
        self.inner.stored_by_lfs(path)
    }
}

/// The names of the entries of `threads/` whose files differ between the revision `rev` and
/// the discussion at `root`: committed since (the thread directories' tree ids in `rev` and
/// in `HEAD`, two trees read, so it costs little), and with
/// `work_tree`, also changed in the work tree and not committed (git's status: a look at
/// every file and directory, as `git status` takes). `None` when git cannot tell (no
/// repository, no `HEAD`): then every thread may differ.
pub fn changed_threads(
    root: &Path,
    rev: &str,
    work_tree: bool,
) -> Result<Option<BTreeSet<String>>> {
    let Ok(repo) = Repository::discover(root) else {
        return Ok(None);
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(None);
    };
    let (Ok(workdir), Ok(root)) = (std::fs::canonicalize(workdir), std::fs::canonicalize(root))
    else {
        return Ok(None);
    };
    let Some(prefix) = relative_to(&root, &workdir) else {
        return Ok(None);
    };
    let threads = if prefix.is_empty() {
        "threads/".to_owned()
    } else {
        format!("{prefix}/threads/")
    };
    let old = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_tree())
        .map_err(|e| Error::bad_revision(rev, e))?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_tree()) else {
        return Ok(None);
    };
    let mut names = BTreeSet::new();
    let mut take = |path: Option<&Path>| {
        if let Some(rest) = path
            .and_then(|p| p.to_str())
            .and_then(|p| p.strip_prefix(&threads))
        {
            names.insert(rest.split('/').next().unwrap_or(rest).to_owned());
        }
    };
    // The entries of the two `threads/` trees whose object ids differ: git's trees name each
    // thread directory by the hash of everything in it.
    let entries = |tree: &git2::Tree| -> BTreeMap<String, git2::Oid> {
        tree.get_path(Path::new(threads.trim_end_matches('/')))
            .ok()
            .and_then(|entry| repo.find_tree(entry.id()).ok())
            .map(|dir| {
                dir.iter()
                    .filter_map(|e| Some((e.name().ok()?.to_owned(), e.id())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (entries(&old), entries(&head));
    for (name, id) in &before {
        if after.get(name) != Some(id) {
            take(Some(Path::new(&format!("{threads}{name}"))));
        }
    }
    for name in after.keys().filter(|name| !before.contains_key(*name)) {
        take(Some(Path::new(&format!("{threads}{name}"))));
    }
    if !work_tree {
        return Ok(Some(names));
    }
    let mut status = StatusOptions::new();
    status
        .pathspec(&threads)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true);
    let statuses = repo.statuses(Some(&mut status)).map_err(Error::Git)?;
    for entry in statuses.iter() {
        if entry.status().is_empty() {
            continue;
        }
        take(entry.path().ok().map(Path::new));
        if let Some(delta) = entry.head_to_index().or_else(|| entry.index_to_workdir()) {
            if delta.status() == Delta::Renamed {
                take(delta.old_file().path());
            }
        }
    }
    Ok(Some(names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemoryTree;

    #[test]
    fn only_the_kept_threads_are_shown() {
        let mut tree = MemoryTree::new();
        tree.insert_file("longhand.yaml", "longhand: 1\ntitle: T\n");
        tree.insert_file("threads/a/thread.md", "x");
        tree.insert_file("threads/b/thread.md", "y");
        tree.insert_file("decisions/d.md", "z");
        let keep: BTreeSet<String> = ["b".to_owned()].into();
        let some = SomeThreads::new(&tree, &keep);
        let names: Vec<String> = some
            .list("threads")
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["b"]);
        assert_eq!(some.kind("threads/a/thread.md").unwrap(), None);
        assert_eq!(some.kind("threads/a").unwrap(), None);
        assert!(some.kind("threads/b/thread.md").unwrap().is_some());
        assert!(some.kind("decisions/d.md").unwrap().is_some());
        assert_eq!(some.list("decisions").unwrap().len(), 1);
    }
}
