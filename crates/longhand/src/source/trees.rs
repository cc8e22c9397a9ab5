//! Git tree objects read as bytes and parsed here, with the large ones kept.
//!
//! A discussion's `threads/` tree has one entry per thread: 600 KB at 10,000 threads. The
//! hooks compare it between two commits on every push, so reading it dominated their cost,
//! and libgit2 made that worse three ways. Its object cache does not admit large trees, so
//! each lookup read and parsed the tree again. Each `Repository` has its own cache, and a
//! check uses several. And the old tree sits in a pack as a chain of deltas (nineteen in
//! the benchmark corpus), which is resolved on every read.
//!
//! [`TreeStore`] answers tree reads for everything one check does (the history rules, the
//! tree comparison, both [`super::GitTree`]s). It keeps every tree it read in memory for the
//! check, up to a budget (a check asks for the root and thread trees of a commit several
//! times). Given a git directory, it also keeps on disk, under `<gitdir>/longhand/trees/`,
//! the large trees that the comparison of two commits reads and the discussion's own
//! top-level directories (not every large tree a lookup reads), one
//! file per tree named by its id and holding its bytes and a checksum. The next push's old
//! tree is then this push's new one, read back from that file rather than from the delta
//! chain. A file whose checksum fails is not used (the object database is read instead). It
//! is written atomically, and only the newest [`KEEP_ON_DISK`] are kept. Deleting the
//! directory is always safe.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use git2::{ObjectType, Oid, Repository};

use crate::store::{self, checksum, keep_newest, Store};
use crate::Result;

/// A tree this large (in bytes), asked for with [`TreeStore::tree_to_keep`], is kept on disk
/// when the store has a git directory: the `threads/` tree from about 300 threads on, and
/// `decisions/` from about 300 decisions. Smaller trees are cheap to read again. (The unit tests lower it, so that their small
/// discussions take the same paths.)
pub(crate) const LARGE: usize = if cfg!(test) { 128 } else { 16 * 1024 };
/// How many bytes of trees one store keeps in memory; past it, it lets them all go (a long
/// `verify` reads the `threads/` tree of every commit).
const MEMORY_BUDGET: usize = 64 * 1024 * 1024;
/// How many large trees are kept on disk.
pub(crate) const KEEP_ON_DISK: usize = 8;

/// One entry of a [`RawTree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawEntry<'a> {
    /// The entry's name, as stored (not always UTF-8).
    pub name: &'a [u8],
    /// Git's file mode (`0o040000` for a tree, `0o100644` for a file, ...).
    pub mode: i32,
    /// The object it names.
    pub oid: Oid,
}

impl RawEntry<'_> {
    /// Whether it is a sub-tree.
    pub fn is_tree(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }
}

/// Where one entry lies in a tree's bytes.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    name_start: u32,
    name_end: u32,
    mode: i32,
}

/// A tree object, parsed once: its bytes and where each entry lies in them.
#[derive(Debug)]
pub(crate) struct RawTree {
    bytes: Box<[u8]>,
    spans: Vec<Span>,
}

const OID_BYTES: usize = 20;

impl RawTree {
    /// Parses the bytes of a tree object (`<octal mode> <name>\0<20-byte id>`, repeated);
    /// `None` when they are not one. An empty name is taken as it is (git writes none, but
    /// `git hash-object --literally` does): the loader reports it (LH212) rather than the
    /// whole tree being unreadable.
    pub fn parse(bytes: Vec<u8>) -> Option<RawTree> {
        let mut spans = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let space = at + memchr::memchr(b' ', &bytes[at..])?;
            let mut mode: i32 = 0;
            for digit in &bytes[at..space] {
                if !(b'0'..=b'7').contains(digit) || mode > 0o7777777 {
                    return None;
                }
                mode = mode * 8 + i32::from(digit - b'0');
            }
            let name_start = space + 1;
            let name_end = name_start + memchr::memchr(0, &bytes[name_start..])?;
            let next = name_end + 1 + OID_BYTES;
            if space == at || next > bytes.len() {
                return None;
            }
            spans.push(Span {
                start: u32::try_from(at).ok()?,
                name_start: u32::try_from(name_start).ok()?,
                name_end: u32::try_from(name_end).ok()?,
                mode,
            });
            at = next;
        }
        Some(RawTree {
            bytes: bytes.into_boxed_slice(),
            spans,
        })
    }

    /// How many entries it has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Its size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    fn entry(&self, span: &Span) -> RawEntry<'_> {
        let (start, end) = (span.name_start as usize, span.name_end as usize);
        let id = &self.bytes[end + 1..end + 1 + OID_BYTES];
        RawEntry {
            name: &self.bytes[start..end],
            mode: span.mode,
            // Twenty bytes are always an id.
            oid: Oid::from_bytes(id).unwrap_or(Oid::ZERO_SHA1),
        }
    }

    /// The entries, in the tree's (git's) order.
    pub fn entries(&self) -> impl Iterator<Item = RawEntry<'_>> {
        self.entries_in(0..self.spans.len())
    }

    /// The entries of positions `range`, in order.
    pub fn entries_in(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = RawEntry<'_>> {
        self.spans[range].iter().map(|span| self.entry(span))
    }

    /// The positions of the entries where `self` and `other` may differ, in each: the
    /// entries before them are byte for byte the same in both, and so are those after them.
    /// Found by comparing bytes, so a change of one entry among thousands costs a memory
    /// comparison, not a walk of every entry.
    pub fn differing(&self, other: &RawTree) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let (a, b) = (&self.bytes[..], &other.bytes[..]);
        let same_start = common_prefix(a, b);
        // Whole entries within the common start: the same entries in both (same bytes).
        let ends_within = |tree: &RawTree, limit: usize| {
            tree.spans
                .partition_point(|s| s.name_end as usize + 1 + OID_BYTES <= limit)
        };
        let head = ends_within(self, same_start).min(ends_within(other, same_start));
        let max_tail = (a.len() - self.start_of(head)).min(b.len() - other.start_of(head));
        let same_end = common_suffix(&a[a.len() - max_tail..], &b[b.len() - max_tail..]);
        // Whole entries within the common end, counted from the end of each.
        let starts_within = |tree: &RawTree| {
            let limit = tree.bytes.len() - same_end;
            tree.spans.len() - tree.spans.partition_point(|s| (s.start as usize) < limit)
        };
        let mut tail = starts_within(self)
            .min(starts_within(other))
            .min(self.spans.len() - head)
            .min(other.spans.len() - head);
        // The same bytes parse to the same entries only from the same boundary: the first
        // entry of the tail must start as far from the end in both (crafted ids could make
        // the entries before it end elsewhere).
        while tail > 0
            && a.len() - self.start_of(self.spans.len() - tail)
                != b.len() - other.start_of(other.spans.len() - tail)
        {
            tail -= 1;
        }
        (
            head..self.spans.len() - tail,
            head..other.spans.len() - tail,
        )
    }

    /// Where the entry at position `index` starts (the end of the bytes past the last).
    fn start_of(&self, index: usize) -> usize {
        self.spans
            .get(index)
            .map_or(self.bytes.len(), |s| s.start as usize)
    }

    /// The entry named `name`, by binary search in git's order (a sub-tree sorts as if its
    /// name ended in `/`), as libgit2's lookup by name does.
    pub fn get(&self, name: &[u8]) -> Option<RawEntry<'_>> {
        let key = |span: &Span| {
            let entry = self.entry(span);
            let slash = entry.is_tree().then_some(b'/');
            (entry.name, slash)
        };
        for probe_is_tree in [false, true] {
            let probe = name.iter().copied().chain(probe_is_tree.then_some(b'/'));
            let at = self.spans.partition_point(|span| {
                let (entry_name, slash) = key(span);
                entry_name.iter().copied().chain(slash).lt(probe.clone())
            });
            if let Some(span) = self.spans.get(at) {
                let entry = self.entry(span);
                if entry.name == name && entry.is_tree() == probe_is_tree {
                    return Some(entry);
                }
            }
        }
        None
    }
}

/// How many bytes `a` and `b` share at their start (compared a block at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` share at their end (compared a block at a time).
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut at = len;
    while at >= BLOCK && a[at - BLOCK..at] == b[at - BLOCK..at] {
        at -= BLOCK;
    }
    len - at
        + a[..at]
            .iter()
            .rev()
            .zip(b[..at].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

/// Reads tree objects for one check: parsed here, kept in memory for the check and, with a
/// git directory, the large ones worth it on disk for the next check.
#[derive(Debug, Default)]
pub(crate) struct TreeStore {
    disk: Option<PathBuf>,
    /// The trees kept on disk, listed once (so that a tree is not looked for there in vain).
    on_disk: Mutex<Option<HashSet<Oid>>>,
    /// Trees read so far, and their bytes in all; past [`MEMORY_BUDGET`] all are let go.
    memory: Mutex<(HashMap<Oid, Arc<RawTree>>, usize)>,
    /// Large trees asked for with [`Self::tree_to_keep`] that are not on disk yet, to be
    /// written by [`Self::persist`]: the newest [`KEEP_ON_DISK`].
    fresh: Mutex<VecDeque<(Oid, Arc<RawTree>)>>,
    /// How many trees were read from disk (for the tests).
    disk_reads: AtomicUsize,
}

impl TreeStore {
    /// A store that keeps trees in memory only.
    pub fn new() -> TreeStore {
        TreeStore::default()
    }

    /// A store that also keeps large trees under `<git_dir>/longhand/trees/`.
    pub fn on_disk(git_dir: &Path) -> TreeStore {
        TreeStore {
            disk: Some(store::dir(git_dir, Store::Trees)),
            ..TreeStore::default()
        }
    }

    /// The tree `oid` of `repo`.
    pub fn tree(&self, repo: &Repository, oid: Oid) -> Result<Arc<RawTree>> {
        if let Some(tree) = lock(&self.memory).0.get(&oid) {
            return Ok(Arc::clone(tree));
        }
        let tree = match self.on_disk_copy(oid) {
            Some(tree) => {
                self.disk_reads.fetch_add(1, Ordering::Relaxed);
                tree
            }
            None => Arc::new(read_tree(repo, oid)?),
        };
        let mut memory = lock(&self.memory);
        if memory.1 + tree.byte_len() > MEMORY_BUDGET {
            *memory = (HashMap::new(), 0);
        }
        memory.1 += tree.byte_len();
        memory.0.insert(oid, Arc::clone(&tree));
        Ok(tree)
    }

    /// [`Self::tree`], and worth keeping on disk for the next check when it is large: a tree
    /// the comparison of two commits reads (the next push's old side is this one's new
    /// side), or one of the discussion's own directories (`threads/`, `decisions/`), which
    /// every check looks in. Other trees (a thread a link points to) are not written out.
    pub fn tree_to_keep(&self, repo: &Repository, oid: Oid) -> Result<Arc<RawTree>> {
        let tree = self.tree(repo, oid)?;
        let listed = self
            .on_disk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|listed| listed.contains(&oid));
        if tree.byte_len() >= LARGE && self.disk.is_some() && !listed {
            let mut fresh = lock(&self.fresh);
            if !fresh.iter().any(|(id, _)| *id == oid) {
                if fresh.len() == KEEP_ON_DISK {
                    fresh.pop_front();
                }
                fresh.push_back((oid, Arc::clone(&tree)));
            }
        }
        Ok(tree)
    }

    fn on_disk_copy(&self, oid: Oid) -> Option<Arc<RawTree>> {
        let dir = self.disk.as_ref()?;
        let listed = self
            .on_disk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| {
                let Ok(entries) = fs::read_dir(dir) else {
                    return HashSet::new();
                };
                entries
                    .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<Oid>().ok())
                    .collect()
            })
            .contains(&oid);
        if !listed {
            return None;
        }
        let sound = || {
            let mut bytes = fs::read(dir.join(oid.to_string())).ok()?;
            let body = bytes.len().checked_sub(8)?;
            let sum = u64::from_le_bytes(bytes[body..].try_into().ok()?);
            if checksum(&bytes[..body]) != sum {
                return None;
            }
            bytes.truncate(body);
            RawTree::parse(bytes).map(Arc::new)
        };
        let tree = sound();
        if tree.is_none() {
            // Damaged or gone: no longer counted as kept, so that it is written anew.
            if let Some(listed) = lock(&self.on_disk).as_mut() {
                listed.remove(&oid);
            }
        }
        tree
    }

    /// How many trees were read from disk rather than from the object database.
    #[cfg(test)]
    pub fn disk_reads(&self) -> usize {
        self.disk_reads.load(Ordering::Relaxed)
    }

    /// Writes the large trees worth keeping to disk (best effort: a failure leaves the
    /// cache as it was), and keeps only the newest [`KEEP_ON_DISK`].
    pub fn persist(&self) {
        let Some(dir) = &self.disk else { return };
        let fresh: Vec<(Oid, Arc<RawTree>)> = lock(&self.fresh).drain(..).collect();
        if fresh.is_empty() || fs::create_dir_all(dir).is_err() {
            return;
        }
        for (oid, tree) in fresh {
            let sum = checksum(&tree.bytes).to_le_bytes();
            let written = store::write(&dir.join(oid.to_string()), &[&tree.bytes, &sum]).is_ok();
            if let (true, Some(listed)) = (written, lock(&self.on_disk).as_mut()) {
                listed.insert(oid);
            }
        }
        keep_newest(dir, KEEP_ON_DISK, |name| store::is_hex_name(name, 40));
    }
}

/// The value behind `mutex`, also after a thread panicked holding it (the store's maps are
/// caches: at worst a tree is read again).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads and parses the tree `oid` from the object database.
fn read_tree(repo: &Repository, oid: Oid) -> Result<RawTree> {
    let odb = repo.odb()?;
    let object = odb.read(oid)?;
    if object.kind() != ObjectType::Tree {
        return Err(git2::Error::from_str(&format!("object {oid} is not a tree")).into());
    }
    RawTree::parse(object.data().to_vec())
        .ok_or_else(|| git2::Error::from_str(&format!("tree {oid} cannot be parsed")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the store of `repo`'s git directory has a file for the tree `oid`.
    fn kept_on_disk(repo: &Repository, oid: Oid) -> bool {
        repo.path()
            .join("longhand/trees")
            .join(oid.to_string())
            .exists()
    }

    /// A repository with a tree of `names` (directories where the name ends in `/`).
    fn tree_of(repo: &Repository, names: &[&str]) -> Oid {
        let blob = repo.blob(b"x").unwrap();
        let empty_dir = {
            let mut b = repo.treebuilder(None).unwrap();
            b.insert("f", blob, 0o100644).unwrap();
            b.write().unwrap()
        };
        let mut b = repo.treebuilder(None).unwrap();
        for name in names {
            match name.strip_suffix('/') {
                Some(dir) => b.insert(dir, empty_dir, 0o040000).unwrap(),
                None => b.insert(name, blob, 0o100644).unwrap(),
            };
        }
        b.write().unwrap()
    }

    const NAMES: &[&str] = &[
        "a",
        "a-b",
        "a/",
        "b.md",
        "b/",
        "b0",
        "thread.md",
        "z/",
        "zz",
        "Z",
        "é",
        "a.b/",
    ];

    #[test]
    fn parsing_and_lookups_agree_with_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        // Duplicates are not allowed: the list keeps one of "a" and "a/".
        let names: Vec<&str> = NAMES.iter().copied().filter(|n| *n != "a/").collect();
        let oid = tree_of(&repo, &names);
        let store = TreeStore::new();
        let raw = store.tree(&repo, oid).unwrap();
        let tree = repo.find_tree(oid).unwrap();
        assert_eq!(raw.len(), tree.len());
        for (raw, lib) in raw.entries().zip(tree.iter()) {
            assert_eq!(raw.name, lib.name_bytes());
            assert_eq!(raw.mode, lib.filemode());
            assert_eq!(raw.oid, lib.id());
        }
        for probe in [
            "a", "a-b", "b", "b.md", "z", "zz", "Z", "é", "a.b", "nope", "a/", "",
        ] {
            let ours = raw.get(probe.as_bytes()).map(|e| (e.oid, e.mode));
            let theirs = tree.get_name(probe).map(|e| (e.id(), e.filemode()));
            assert_eq!(ours, theirs, "lookup of {probe:?}");
        }
    }

    #[test]
    fn bytes_that_are_not_a_tree_are_refused() {
        for bad in [
            &b"100644 name"[..],
            b"100644 name\0short",
            b"10x644 name\0aaaaaaaaaaaaaaaaaaaa",
            b" name\0aaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(RawTree::parse(bad.to_vec()).is_none(), "{bad:?}");
        }
        // An empty name is an entry, for the loader to report.
        let empty = RawTree::parse(b"100644 \0aaaaaaaaaaaaaaaaaaaa".to_vec()).unwrap();
        assert_eq!(empty.entries().next().map(|e| e.name), Some(&b""[..]));
        assert_eq!(RawTree::parse(Vec::new()).map(|t| t.len()), Some(0));
    }

    /// A large tree read once is written to disk, read back from there by the next store
    /// (without the object database), and a damaged or foreign file is not trusted.
    #[test]
    fn large_trees_are_kept_on_disk_and_checked_when_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let names: Vec<String> = (0..3000).map(|i| format!("thread-{i:05}/")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let oid = tree_of(&repo, &refs);
        let first = TreeStore::on_disk(repo.path());
        // Read by a lookup only: not written out.
        first.tree(&repo, oid).unwrap();
        first.persist();
        assert!(!kept_on_disk(&repo, oid));
        let tree = first.tree_to_keep(&repo, oid).unwrap();
        assert!(tree.byte_len() >= LARGE, "the test tree is large");
        first.persist();
        let file = repo.path().join("longhand/trees").join(oid.to_string());
        assert!(file.is_file());

        // Read back from disk: an empty repository cannot serve it.
        let empty_dir = tempfile::tempdir().unwrap();
        let empty = Repository::init_bare(empty_dir.path()).unwrap();
        let second = TreeStore::on_disk(repo.path());
        let again = second.tree(&empty, oid).unwrap();
        assert_eq!(again.len(), 3000);
        assert!(again.get(b"thread-01234").is_some());

        // A damaged file is not used: the object database is read instead.
        let mut bytes = fs::read(&file).unwrap();
        bytes[100] ^= 1;
        fs::write(&file, &bytes).unwrap();
        assert!(TreeStore::on_disk(repo.path()).tree(&empty, oid).is_err());
        let fixed = TreeStore::on_disk(repo.path());
        assert_eq!(fixed.tree_to_keep(&repo, oid).unwrap().len(), 3000);
        fixed.persist();
        assert_eq!(
            TreeStore::on_disk(repo.path())
                .tree(&empty, oid)
                .unwrap()
                .len(),
            3000
        );
    }

    /// A small tree is read from the object database once per store (asked again, it is
    /// answered from memory, even once the repository no longer has it), and is never
    /// written to disk.
    #[test]
    fn small_trees_are_read_once_and_stay_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let oid = tree_of(&repo, &["a", "b/"]);
        let store = TreeStore::on_disk(repo.path());
        let first = store.tree(&repo, oid).unwrap();
        assert!(first.byte_len() < LARGE, "the test tree is small");
        let loose = repo
            .path()
            .join("objects")
            .join(&oid.to_string()[..2])
            .join(&oid.to_string()[2..]);
        fs::remove_file(&loose).unwrap();
        let fresh = Repository::open(dir.path()).unwrap();
        assert!(
            TreeStore::new().tree(&fresh, oid).is_err(),
            "the object is gone"
        );
        let again = store.tree_to_keep(&fresh, oid).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        store.persist();
        assert!(!kept_on_disk(&repo, oid));
    }

    /// A tree to keep is written out however many other large trees the check read after
    /// it (lookups), and those are not written out.
    #[test]
    fn a_tree_to_keep_is_kept_whatever_else_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let large = |tag: usize| {
            let names: Vec<String> = (0..300).map(|i| format!("t{tag}-{i:04}/")).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            tree_of(&repo, &refs)
        };
        let store = TreeStore::on_disk(repo.path());
        let kept = large(0);
        assert!(store.tree_to_keep(&repo, kept).unwrap().byte_len() >= LARGE);
        let others: Vec<Oid> = (1..=KEEP_ON_DISK + 4).map(large).collect();
        for oid in &others {
            store.tree(&repo, *oid).unwrap();
        }
        store.persist();
        let on_disk = |oid: &Oid| {
            repo.path()
                .join("longhand/trees")
                .join(oid.to_string())
                .exists()
        };
        assert!(on_disk(&kept));
        assert!(!others.iter().any(on_disk));
    }

    #[test]
    fn only_the_newest_large_trees_stay_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let store = TreeStore::on_disk(repo.path());
        let mut oids = Vec::new();
        for round in 0..KEEP_ON_DISK + 3 {
            let names: Vec<String> = (0..3000).map(|i| format!("t{round}-{i:05}/")).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let oid = tree_of(&repo, &refs);
            store.tree_to_keep(&repo, oid).unwrap();
            store.persist();
            oids.push(oid);
            // Modification times must differ for "newest" to mean something.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        let kept: Vec<bool> = oids
            .iter()
            .map(|oid| {
                repo.path()
                    .join("longhand/trees")
                    .join(oid.to_string())
                    .exists()
            })
            .collect();
        assert_eq!(kept.iter().filter(|k| **k).count(), KEEP_ON_DISK);
        assert!(kept[kept.len() - 1] && !kept[0]);
    }

    /// Whatever the change (entries added, removed, changed, renamed, at the start, the end,
    /// anywhere), the entries outside the ranges `differing` gives are the same in both
    /// trees, and every entry that differs lies inside them.
    #[test]
    fn the_differing_ranges_hold_every_difference() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let build = |entries: &std::collections::BTreeMap<String, u64>| {
            let mut b = repo.treebuilder(None).unwrap();
            for (name, content) in entries {
                let blob = repo.blob(content.to_string().as_bytes()).unwrap();
                match name.strip_suffix('/') {
                    Some(dir) => {
                        let mut sub = repo.treebuilder(None).unwrap();
                        sub.insert("f", blob, 0o100644).unwrap();
                        b.insert(dir, sub.write().unwrap(), 0o040000).unwrap()
                    }
                    None => b.insert(name, blob, 0o100644).unwrap(),
                };
            }
            b.write().unwrap()
        };
        let store = TreeStore::new();
        for round in 0..60 {
            let mut before = std::collections::BTreeMap::new();
            for _ in 0..next(40) {
                let name = format!("n{}{}", next(30), if next(3) == 0 { "/" } else { "" });
                if !before.contains_key(name.trim_end_matches('/'))
                    && !before.contains_key(&format!("{name}/"))
                {
                    before.insert(name, next(5));
                }
            }
            let mut after = before.clone();
            for _ in 0..=next(3) {
                let name = format!("n{}", next(30));
                match next(3) {
                    0 => {
                        after.remove(&name);
                        after.remove(&format!("{name}/"));
                    }
                    1 => {
                        if !after.contains_key(&format!("{name}/")) {
                            after.insert(name, next(5));
                        }
                    }
                    _ => {
                        if let Some(v) = after.get_mut(&name) {
                            *v += 1;
                        }
                    }
                }
            }
            let old = store.tree(&repo, build(&before)).unwrap();
            let new = store.tree(&repo, build(&after)).unwrap();
            let (a, b) = old.differing(&new);
            assert_eq!(a.start, b.start, "round {round}");
            assert_eq!(old.len() - a.end, new.len() - b.end, "round {round}");
            let outside = |t: &RawTree, r: &std::ops::Range<usize>| {
                t.entries_in(0..r.start)
                    .chain(t.entries_in(r.end..t.len()))
                    .map(|e| (e.name.to_vec(), e.mode, e.oid))
                    .collect::<Vec<_>>()
            };
            assert_eq!(outside(&old, &a), outside(&new, &b), "round {round}");
            let inside = |t: &RawTree, r: &std::ops::Range<usize>| {
                t.entries_in(r.clone())
                    .map(|e| (e.name.to_vec(), e.mode, e.oid))
                    .collect::<std::collections::BTreeSet<_>>()
            };
            let all = |t: &RawTree| {
                t.entries()
                    .map(|e| (e.name.to_vec(), e.mode, e.oid))
                    .collect::<std::collections::BTreeSet<_>>()
            };
            for gone in all(&old).difference(&all(&new)) {
                assert!(inside(&old, &a).contains(gone), "round {round}: {gone:?}");
            }
            for added in all(&new).difference(&all(&old)) {
                assert!(inside(&new, &b).contains(added), "round {round}: {added:?}");
            }
        }
    }

    #[test]
    fn common_ends_are_found_across_blocks() {
        let base: Vec<u8> = (0..2000u32).map(|i| (i % 251) as u8).collect();
        for at in [0, 1, 255, 256, 257, 511, 1000, 1999] {
            let mut other = base.clone();
            other[at] ^= 0xff;
            assert_eq!(common_prefix(&base, &other), at);
            assert_eq!(common_suffix(&base, &other), base.len() - at - 1);
            assert_eq!(common_prefix(&base, &base[..at]), at);
            assert_eq!(common_suffix(&base, &base[base.len() - at..]), at);
        }
        assert_eq!(common_prefix(&base, &base), base.len());
        assert_eq!(common_suffix(&[], &base), 0);
    }
}
