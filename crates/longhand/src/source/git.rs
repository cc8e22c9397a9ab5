//! The git source: the tree of any revision, read through git2 without a checkout, so bare
//! repositories work the same as clones.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository};

use super::trees::{RawTree, TreeStore};
use super::{find_root, Contents, Entry, EntryKind, Source, CONFIG_FILE};
use crate::{Error, Result};

/// A discussion root inside the tree of a git revision.
pub struct GitTree {
    repo: Repository,
    rev: String,
    commit: Option<Oid>,
    root: Oid,
    prefix: String,
    /// Object ids of the entries seen by `list`, so that reading a file does not walk (and
    /// re-parse) its directory's tree again: without it, reading a directory of n files is n².
    seen: RefCell<HashMap<String, (Oid, EntryKind)>>,
    /// Directories already listed: every entry they hold is in `seen`.
    listed: RefCell<HashSet<String>>,
    /// Single-entry lookups made in each large directory not listed.
    lookups: RefCell<HashMap<String, usize>>,
    /// Where trees are read (shared with whatever else reads the same trees in one check).
    trees: Arc<TreeStore>,
}

/// A directory of at most this many entries is listed whole on the first lookup in it.
const SMALL_DIRECTORY: usize = 256;
/// How many single-entry lookups a large directory gets before it is listed whole.
const SINGLE_LOOKUPS: usize = 16;

impl std::fmt::Debug for GitTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitTree")
            .field("rev", &self.rev)
            .field("root", &self.root)
            .field("prefix", &self.prefix)
            .finish()
    }
}

fn kind_of_mode(mode: i32) -> EntryKind {
    match mode & 0o170000 {
        0o040000 => EntryKind::Dir,
        0o100000 => EntryKind::File,
        0o120000 => EntryKind::Symlink,
        0o160000 => EntryKind::Submodule,
        _ => EntryKind::Other,
    }
}

impl GitTree {
    /// Reads the discussion at `prefix` (a directory inside the tree, `""` for the top) of
    /// revision `rev` (anything `git rev-parse` accepts: a branch, a tag, a hash, `HEAD~2`).
    pub fn new(repo: Repository, rev: &str, prefix: &str) -> Result<GitTree> {
        GitTree::with_trees(repo, rev, prefix, Arc::new(TreeStore::new()))
    }

    /// [`GitTree::new`], reading trees through `trees` (shared with other readers of the
    /// same trees, so that a large one is read once).
    pub(crate) fn with_trees(
        repo: Repository,
        rev: &str,
        prefix: &str,
        trees: Arc<TreeStore>,
    ) -> Result<GitTree> {
        let prefix = prefix.trim_matches('/').to_owned();
        let (commit, root) = resolve(&repo, rev, &prefix)?;
        let source = GitTree {
            rev: rev.to_owned(),
            commit,
            root,
            prefix,
            repo,
            seen: RefCell::default(),
            listed: RefCell::default(),
            lookups: RefCell::default(),
            trees,
        };
        if source.kind(CONFIG_FILE)?.is_none() {
            return Err(source.no_root());
        }
        Ok(source)
    }

    fn no_root(&self) -> Error {
        Error::NoRootInRevision {
            rev: self.rev.clone(),
            prefix: self.prefix.clone(),
        }
    }

    /// Opens the repository around `start` and reads revision `rev`. The discussion root is
    /// `root` when given (a directory inside the tree, `/`-separated); otherwise, in a clone,
    /// the one found upward from `start` in the work tree (the same sub-directory is read at
    /// the revision), and in a bare repository the top of the tree.
    pub fn discover(start: &Path, rev: &str, root: Option<&str>) -> Result<GitTree> {
        let repo = Repository::discover(start).map_err(|e| Error::NotARepository {
            path: start.to_path_buf(),
            message: e.message().to_owned(),
        })?;
        let prefix = match (root, repo.workdir()) {
            (Some(root), _) => root.trim_matches('/').to_owned(),
            (None, Some(workdir)) => work_tree_prefix(workdir, start),
            (None, None) => String::new(),
        };
        GitTree::new(repo, rev, &prefix)
    }

    /// The revision as given.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The commit the revision resolved to, when it names a commit.
    pub fn commit(&self) -> Option<Oid> {
        self.commit
    }

    /// The discussion root's directory inside the tree (`""` for the top).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The repository this source reads.
    pub fn repository(&self) -> &Repository {
        &self.repo
    }

    /// Takes `path` (relative to the root) as an entry of this tree with id `oid` and git
    /// file mode `mode`, as the caller read it from this same tree: looking it up then reads
    /// no tree on the way. For a UTF-8 path only (the caller's duty: a non-UTF-8 name is
    /// `Other` here).
    pub(crate) fn know(&self, path: &str, oid: Oid, mode: i32) {
        self.seen
            .borrow_mut()
            .insert(path.to_owned(), (oid, kind_of_mode(mode)));
    }

    /// The object id of the file at `path`, from the listings already seen when possible.
    /// A link (mode 120000) is a blob holding its target: it is never read as the file.
    fn blob_id(&self, path: &str) -> Result<Oid> {
        let Some((oid, kind)) = self.entry_at(path)? else {
            return Err(Error::io(path, std::io::ErrorKind::NotFound.into()));
        };
        if kind != EntryKind::File {
            return Err(Error::io(path, super::worktree::not_a_file()));
        }
        Ok(oid)
    }

    /// The entry at `path`. A small directory on the way is listed once (its entries kept in
    /// `seen`): walking from the root on every lookup would parse every tree on the way again.
    /// In a large one (such as a `threads/` of thousands of threads) the first few lookups
    /// pick the one entry out of the tree, which costs a tree read (cached by libgit2 when
    /// its tree cache admits large trees, as the hooks set it) and no listing of thousands of
    /// names; past [`SINGLE_LOOKUPS`] the directory is listed after all. Never crosses a
    /// symbolic link (a link mid-path yields nothing).
    fn entry_at(&self, path: &str) -> Result<Option<(Oid, EntryKind)>> {
        if let Some(known) = self.seen.borrow().get(path).copied() {
            return Ok(Some(known));
        }
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        // `.`, `..` or an empty segment never names an entry, though a hostile tree has one.
        if !super::is_segment(name.as_bytes()) {
            return Ok(None);
        }
        if !self.listed.borrow().contains(parent) {
            if !parent.is_empty() && !matches!(self.entry_at(parent)?, Some((_, EntryKind::Dir))) {
                return Ok(None);
            }
            let Some(tree) = self.tree_at(parent)? else {
                return Ok(None);
            };
            let lookups = {
                let mut counts = self.lookups.borrow_mut();
                let count = counts.entry(parent.to_owned()).or_insert(0);
                *count += 1;
                *count
            };
            if tree.len() > SMALL_DIRECTORY && lookups <= SINGLE_LOOKUPS {
                let found = tree
                    .get(name.as_bytes())
                    .map(|entry| (entry.oid, kind_of_mode(entry.mode)));
                if let Some(found) = found {
                    self.seen.borrow_mut().insert(path.to_owned(), found);
                }
                return Ok(found);
            }
            self.list(parent)?;
        }
        Ok(self.seen.borrow().get(path).copied())
    }

    fn tree_at(&self, dir: &str) -> Result<Option<Arc<RawTree>>> {
        // A directory seen in its parent's listing is opened by its id. Walking the path from
        // the root instead would parse every tree on the way again: with thousands of
        // threads, reading each thread would parse all of `threads/` again (quadratic).
        // The discussion's own directories (`threads`, `decisions`) are read by every check:
        // worth keeping on disk for the next one when large. Deeper ones are not.
        let read = |oid: Oid, path: &str| {
            if path.is_empty() || path.contains('/') {
                self.trees.tree(&self.repo, oid)
            } else {
                self.trees.tree_to_keep(&self.repo, oid)
            }
        };
        let known = self.seen.borrow().get(dir).copied();
        if let Some((oid, kind)) = known {
            return match kind {
                EntryKind::Dir => Ok(Some(read(oid, dir)?)),
                _ => Ok(None),
            };
        }
        let mut tree = self.trees.tree(&self.repo, self.root)?;
        let mut walked = String::new();
        for segment in dir.split('/').filter(|s| !s.is_empty()) {
            if !super::is_segment(segment.as_bytes()) {
                return Ok(None);
            }
            let next = match tree.get(segment.as_bytes()) {
                Some(entry) if entry.is_tree() => entry.oid,
                _ => return Ok(None),
            };
            if !walked.is_empty() {
                walked.push('/');
            }
            walked.push_str(segment);
            tree = read(next, &walked)?;
        }
        Ok(Some(tree))
    }
}

/// The commit `rev` names (if any) and the tree at `prefix` in it.
fn resolve(repo: &Repository, rev: &str, prefix: &str) -> Result<(Option<Oid>, Oid)> {
    let bad = |e: git2::Error| Error::bad_revision(rev, e);
    let object = repo.revparse_single(rev).map_err(bad)?;
    let commit = object.peel_to_commit().ok().map(|c| c.id());
    let tree = object.peel_to_tree().map_err(bad)?;
    if prefix.is_empty() {
        return Ok((commit, tree.id()));
    }
    let no_root = || Error::NoRootInRevision {
        rev: rev.to_owned(),
        prefix: prefix.to_owned(),
    };
    let entry = tree.get_path(Path::new(prefix)).map_err(|_| no_root())?;
    if entry.kind() != Some(ObjectType::Tree) {
        return Err(no_root());
    }
    Ok((commit, entry.id()))
}

/// The discussion root's path relative to the work tree, `""` when it is the top or not found.
fn work_tree_prefix(workdir: &Path, start: &Path) -> String {
    let (Ok(workdir), Ok(root)) = (fs::canonicalize(workdir), find_root(start)) else {
        return String::new();
    };
    relative_to(&root, &workdir).unwrap_or_default()
}

/// `path` relative to `base` as a `/`-separated string, when `path` lies inside `base`:
/// how a directory of a work tree is named inside the repository's trees.
pub fn relative_to(path: &Path, base: &Path) -> Option<String> {
    let relative = path.strip_prefix(base).ok()?;
    Some(
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// Where a discussion root on disk lies inside its git work tree (`""` at the top), or `None`
/// outside any git work tree. Printers use it to name files relative to the repository.
pub fn repository_prefix(root: &Path) -> Option<String> {
    let repo = Repository::discover(root).ok()?;
    let workdir = fs::canonicalize(repo.workdir()?).ok()?;
    let root = fs::canonicalize(root).ok()?;
    relative_to(&root, &workdir)
}

impl Source for GitTree {
    fn describe(&self) -> String {
        match self.commit {
            Some(commit) => format!("revision {} ({:.7})", self.rev, commit),
            None => format!("revision {}", self.rev),
        }
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        if path.is_empty() {
            return Ok(Some(EntryKind::Dir));
        }
        if let Some((_, kind)) = self.seen.borrow().get(path) {
            return Ok(Some(*kind));
        }
        // Nothing by that name in a directory already listed: no need to walk from the root.
        let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
        if self.listed.borrow().contains(parent) {
            return Ok(None);
        }
        Ok(self.entry_at(path)?.map(|(_, kind)| kind))
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let Some(tree) = self.tree_at(dir)? else {
            return Ok(Vec::new());
        };
        self.listed.borrow_mut().insert(dir.to_owned());
        let mut seen = self.seen.borrow_mut();
        let mut entries: Vec<Entry> = tree
            .entries()
            .map(|entry| match std::str::from_utf8(entry.name) {
                Ok(name) => {
                    // A name no path can hold (`..`, `a/b`) is listed but never looked up:
                    // `threads/a/b` must not find the entry named `a/b`.
                    let kind = kind_of_mode(entry.mode);
                    if super::is_segment(entry.name) {
                        seen.insert(super::join(dir, name), (entry.oid, kind));
                    }
                    Entry::new(name, kind)
                }
                // A name that is not UTF-8 cannot be a protocol name, and its lossy form would
                // not find the entry again: it is `Other`, as the work tree reports it.
                Err(_) => Entry {
                    name: String::from_utf8_lossy(entry.name).into_owned(),
                    kind: EntryKind::Other,
                    raw: Some(entry.name.to_vec()),
                },
            })
            .collect();
        entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        Ok(entries)
    }

    fn size(&self, path: &str) -> Result<u64> {
        let (size, _) = self.repo.odb()?.read_header(self.blob_id(path)?)?;
        Ok(size as u64)
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        let oid = self.blob_id(path)?;
        let (size, _) = self.repo.odb()?.read_header(oid)?;
        if size as u64 > limit {
            return Ok(Contents::TooLarge { size: size as u64 });
        }
        let blob = self.repo.find_blob(oid)?;
        Ok(Contents::Bytes(blob.content().to_vec()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries named `..` and `a/b` (written as raw tree bytes, as `git hash-object
    /// --literally` does) are listed, but no path resolves to them.
    #[test]
    fn no_path_resolves_to_an_entry_whose_name_is_not_a_segment() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        let blob = repo.blob(b"secret\n").unwrap();
        let raw = |entries: &[(&str, &[u8], Oid)]| {
            let mut bytes = Vec::new();
            for (mode, name, oid) in entries {
                bytes.extend_from_slice(format!("{mode} ").as_bytes());
                bytes.extend_from_slice(name);
                bytes.push(0);
                bytes.extend_from_slice(oid.as_bytes());
            }
            odb.write(ObjectType::Tree, &bytes).unwrap()
        };
        let inner = raw(&[("100644", b"thread.md", blob)]);
        let threads = raw(&[("40000", b"..", inner), ("40000", b"a/b", inner)]);
        let config = repo.blob(b"longhand: 1\n").unwrap();
        let root = raw(&[
            ("100644", b"longhand.yaml", config),
            ("40000", b"threads", threads),
        ]);
        let source = GitTree::new(
            Repository::open_bare(dir.path()).unwrap(),
            &root.to_string(),
            "",
        )
        .unwrap();
        for path in [
            "threads/..",
            "threads/../thread.md",
            "threads/a/b",
            "threads/a/b/thread.md",
        ] {
            assert_eq!(source.kind(path).unwrap(), None, "{path}");
        }
        let names: Vec<String> = source
            .list("threads")
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["..", "a/b"]);
        for path in ["threads/..", "threads/a/b"] {
            assert_eq!(source.kind(path).unwrap(), None, "{path}, once listed");
            assert!(source.list(path).unwrap().is_empty(), "{path}");
            assert!(
                source.read(&format!("{path}/thread.md"), 100).is_err(),
                "{path}"
            );
        }
    }

    /// A directory large enough for single-entry lookups answers as a listing would, before
    /// and after it is listed, for present and missing names and for paths below it.
    #[test]
    fn lookups_in_a_large_directory_answer_as_a_listing_does() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let mut index = git2::Index::new().unwrap();
        let mut add = |path: &str, text: &str| {
            let id = repo.blob(text.as_bytes()).unwrap();
            let entry = crate::test_support::blob_entry(path, id, text.len());
            index.add(&entry).unwrap();
        };
        add(CONFIG_FILE, "version: 1\n");
        for n in 0..(SMALL_DIRECTORY + 10) {
            add(&format!("threads/t{n:04}/thread.md"), "x\n");
        }
        let tree = index.write_tree_to(&repo).unwrap();
        let source = GitTree::new(
            Repository::open_bare(dir.path()).unwrap(),
            &tree.to_string(),
            "",
        )
        .unwrap();
        let fresh = || {
            GitTree::new(
                Repository::open_bare(dir.path()).unwrap(),
                &tree.to_string(),
                "",
            )
            .unwrap()
        };
        let listed = fresh();
        let names = listed.list("threads").unwrap();
        assert_eq!(names.len(), SMALL_DIRECTORY + 10);
        // More lookups than get single treatment, so both ways are taken.
        for n in 0..(SINGLE_LOOKUPS * 2) {
            for path in [
                format!("threads/t{n:04}"),
                format!("threads/t{n:04}/thread.md"),
                format!("threads/t{n:04}/missing.md"),
                format!("threads/missing{n}"),
            ] {
                assert_eq!(
                    source.kind(&path).unwrap(),
                    listed.kind(&path).unwrap(),
                    "{path}"
                );
            }
            let path = format!("threads/t{n:04}/thread.md");
            assert!(matches!(source.read(&path, 100).unwrap(), Contents::Bytes(b) if b == b"x\n"));
        }
        assert!(
            source.listed.borrow().contains("threads"),
            "listed in the end"
        );
        let single = fresh();
        assert_eq!(
            single.kind("threads/t0003/thread.md").unwrap(),
            Some(EntryKind::File)
        );
        assert!(
            !single.listed.borrow().contains("threads"),
            "not listed for one lookup"
        );
    }
}
