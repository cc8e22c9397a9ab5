//! An in-memory source: a discussion held as a map of paths to bytes, for embedders that
//! build or receive a tree without a disk (a web upload, a test, a fuzzer).
//!
//! It keeps the promises of every [`Source`]: paths are relative and normal, links are
//! reported and never followed, and nothing outside the map is ever read.

use std::collections::BTreeMap;

use super::{Contents, Entry, EntryKind, Source};
use crate::Result;

/// One node of a [`MemoryTree`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    File(Vec<u8>),
    Symlink,
    Dir,
}

/// A discussion root held in memory: files (with their bytes), directories and symbolic
/// links (whose targets are never read), keyed by root-relative `/`-separated paths.
///
/// ```
/// use longhand::source::MemoryTree;
/// let mut tree = MemoryTree::new();
/// tree.insert_file("longhand.yaml", "longhand: 1\n");
/// tree.insert_file("threads/t/thread.md", "---\ntitle: T\n---\n");
/// let loaded = longhand::load(&tree).expect("loads");
/// assert_eq!(loaded.discussion.threads.len(), 0); // the thread lacks required fields
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    nodes: BTreeMap<String, Node>,
}

/// Splits `path` into normal segments; `None` when it is absolute, empty, or has `.`, `..`
/// or empty segments (such a path could name something outside the root).
fn normal_segments(path: &str) -> Option<Vec<&str>> {
    let segments: Vec<&str> = path.split('/').collect();
    let normal = segments
        .iter()
        .all(|s| !s.is_empty() && *s != "." && *s != ".." && !s.contains('\\'));
    normal.then_some(segments)
}

impl MemoryTree {
    /// An empty tree (not yet a discussion: it has no `longhand.yaml`).
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    /// Adds (or replaces) the file `path` and the directories above it. Returns `false`, and
    /// adds nothing, when `path` is not a normal relative path or a parent is not a directory.
    pub fn insert_file(&mut self, path: &str, bytes: impl Into<Vec<u8>>) -> bool {
        self.insert(path, Node::File(bytes.into()))
    }

    /// Adds a symbolic link at `path`. Its target is not recorded: links are never followed.
    pub fn insert_symlink(&mut self, path: &str) -> bool {
        self.insert(path, Node::Symlink)
    }

    /// Adds an (empty) directory at `path`, and the directories above it.
    pub fn insert_dir(&mut self, path: &str) -> bool {
        self.insert(path, Node::Dir)
    }

    fn insert(&mut self, path: &str, node: Node) -> bool {
        let Some(segments) = normal_segments(path) else {
            return false;
        };
        let mut prefix = String::new();
        for segment in &segments[..segments.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            match self.nodes.get(&prefix) {
                Some(Node::Dir) | None => {}
                Some(_) => return false,
            }
        }
        if let Some(existing) = self.nodes.get(path) {
            // Replacing a directory with something else would orphan its entries.
            if *existing == Node::Dir && node != Node::Dir {
                return false;
            }
        }
        let mut prefix = String::new();
        for segment in &segments[..segments.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            self.nodes.insert(prefix.clone(), Node::Dir);
        }
        self.nodes.insert(path.to_owned(), node);
        true
    }

    /// Builds a tree from a simple framing, convenient for fuzzers and tests: records of
    /// `path`, a NUL byte, contents, a NUL byte. A path ending in `@` is a symbolic link, a
    /// path ending in `/` a directory. Records that are not well formed are skipped.
    pub fn from_framed(bytes: &[u8]) -> MemoryTree {
        let mut tree = MemoryTree::new();
        let mut parts = bytes.split(|b| *b == 0);
        while let (Some(path), Some(contents)) = (parts.next(), parts.next()) {
            let Ok(path) = std::str::from_utf8(path) else {
                continue;
            };
            let path = path.trim_matches('\n');
            if let Some(link) = path.strip_suffix('@') {
                tree.insert_symlink(link);
            } else if let Some(dir) = path.strip_suffix('/') {
                tree.insert_dir(dir);
            } else {
                tree.insert_file(path, contents);
            }
        }
        tree
    }

    /// Every path in the tree, in byte order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.nodes.keys().map(String::as_str)
    }

    /// Crosses `path` segment by segment, as the work tree does: a link before the last
    /// segment is reported as a link and never crossed.
    fn lookup(&self, path: &str) -> Option<EntryKind> {
        if path.is_empty() {
            return Some(EntryKind::Dir);
        }
        let segments = normal_segments(path)?;
        let mut prefix = String::new();
        for (index, segment) in segments.iter().enumerate() {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            let kind = match self.nodes.get(&prefix)? {
                Node::File(_) => EntryKind::File,
                Node::Symlink => EntryKind::Symlink,
                Node::Dir => EntryKind::Dir,
            };
            let last = index + 1 == segments.len();
            if last || kind == EntryKind::Symlink {
                return Some(kind);
            }
            if kind != EntryKind::Dir {
                return None;
            }
        }
        None
    }
}

impl Source for MemoryTree {
    fn describe(&self) -> String {
        "in-memory tree".to_owned()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        Ok(self.lookup(path))
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        if self.lookup(dir) != Some(EntryKind::Dir) {
            return Ok(Vec::new());
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        // BTreeMap order is byte order, as the trait asks.
        let entries = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .filter(|(path, _)| !path[prefix.len()..].contains('/'))
            .map(|(path, node)| {
                let kind = match node {
                    Node::File(_) => EntryKind::File,
                    Node::Symlink => EntryKind::Symlink,
                    Node::Dir => EntryKind::Dir,
                };
                Entry::new(&path[prefix.len()..], kind)
            })
            .collect();
        Ok(entries)
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        let bytes = match (self.lookup(path), self.nodes.get(path)) {
            (Some(EntryKind::File), Some(Node::File(bytes))) => bytes,
            _ => {
                return Err(crate::Error::io(
                    path,
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "not a regular file in the in-memory tree",
                    ),
                ))
            }
        };
        if bytes.len() as u64 > limit {
            return Ok(Contents::TooLarge {
                size: bytes.len() as u64,
            });
        }
        Ok(Contents::Bytes(bytes.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_root_are_never_added() {
        let mut tree = MemoryTree::new();
        for bad in ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a\\b"] {
            assert!(!tree.insert_file(bad, "x"), "{bad:?} was accepted");
        }
        assert_eq!(tree.paths().count(), 0);
    }

    #[test]
    fn a_link_in_the_middle_of_a_path_is_reported_not_crossed() {
        let mut tree = MemoryTree::new();
        assert!(tree.insert_symlink("threads"));
        assert!(!tree.insert_file("threads/t/thread.md", "x"));
        assert_eq!(
            tree.kind("threads/t/thread.md").expect("kind"),
            Some(EntryKind::Symlink)
        );
        assert!(tree.list("threads").expect("list").is_empty());
        assert!(tree.read("threads", 10).is_err());
    }

    #[test]
    fn listing_is_one_level_in_byte_order() {
        let tree = MemoryTree::from_framed(b"b/x.md\0one\0a.md\0two\0b/c/\0\0b/l@\0\0");
        let names: Vec<_> = tree
            .list("b")
            .expect("list")
            .into_iter()
            .map(|e| (e.name, e.kind))
            .collect();
        assert_eq!(
            names,
            vec![
                ("c".to_owned(), EntryKind::Dir),
                ("l".to_owned(), EntryKind::Symlink),
                ("x.md".to_owned(), EntryKind::File),
            ]
        );
        assert_eq!(
            tree.read("a.md", 1).expect("read"),
            Contents::TooLarge { size: 3 }
        );
        assert_eq!(
            tree.read("b/x.md", 10).expect("read"),
            Contents::Bytes(b"one".to_vec())
        );
    }
}
