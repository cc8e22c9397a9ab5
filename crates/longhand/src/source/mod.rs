//! Where bytes come from: a work tree on disk ([`WorkTree`]), the tree of a git revision
//! ([`GitTree`], bare repositories included) or a map in memory ([`MemoryTree`]), behind one
//! [`Source`] trait.
//!
//! A source answers three questions about paths relative to the discussion root — what is
//! there, what a directory holds, what a file contains — and nothing else. It never follows a
//! symbolic link and never names a path outside the root. It knows nothing of the protocol.

mod git;
mod memory;
mod some_threads;
pub(crate) mod trees;
mod worktree;

pub use git::{relative_to, repository_prefix, GitTree};
pub use memory::MemoryTree;
pub use some_threads::{changed_threads, SomeThreads};
pub use worktree::{find_root, WorkTree};

use crate::Result;

/// The name of the file that marks a discussion root.
pub const CONFIG_FILE: &str = "longhand.yaml";

/// What kind of thing a path names. Links are reported, never followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    /// A regular file (a blob in git).
    File,
    /// A directory (a tree in git).
    Dir,
    /// A symbolic link.
    Symlink,
    /// A git submodule (a gitlink, mode `160000`): only in the tree of a revision (a work
    /// tree shows a checked-out submodule as a directory).
    Submodule,
    /// Anything else: a socket, a device, a mode git does not define.
    Other,
}

/// One entry of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The entry's own name. When its bytes are not UTF-8 this is their lossy form and
    /// [`Entry::raw`] holds them.
    pub name: String,
    /// What it is. An entry whose name is not UTF-8 is [`EntryKind::Other`]: a path cannot
    /// name it.
    pub kind: EntryKind,
    /// The name's bytes, when they are not UTF-8; `None` otherwise.
    pub raw: Option<Vec<u8>>,
}

impl Entry {
    /// An entry whose name is UTF-8.
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Entry {
        Entry {
            name: name.into(),
            kind,
            raw: None,
        }
    }

    /// The name's bytes as stored.
    pub fn name_bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.name.as_bytes())
    }
}

/// Whether `name` can be one segment of a path: not empty, not `.` or `..`, UTF-8, and
/// without `/` or NUL. An entry with another name exists in a hostile git tree, but no path
/// names it: a source never resolves a path to it (a `/` in a name would make `a/b` name
/// two different things).
pub fn is_segment(name: &[u8]) -> bool {
    !name.is_empty()
        && name != b"."
        && name != b".."
        && !name.contains(&b'/')
        && !name.contains(&0)
        && std::str::from_utf8(name).is_ok()
}

/// A file's contents, unless the file is over the size limit the reader asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Contents {
    /// The whole file.
    Bytes(Vec<u8>),
    /// The file was not read because it is larger than the limit.
    TooLarge {
        /// Its size in bytes.
        size: u64,
    },
}

/// A tree of files rooted at a discussion root.
///
/// Paths are relative to the root, `/`-separated, without `.` or `..` segments; `""` is the
/// root itself. Implementations must not follow symbolic links, in the last segment or any
/// segment before it.
pub trait Source {
    /// A short description for messages, such as `work tree /srv/acme` or `revision main (1a2b3c4)`.
    fn describe(&self) -> String;

    /// What `path` names, or `None` when nothing is there.
    fn kind(&self, path: &str) -> Result<Option<EntryKind>>;

    /// The entries of the directory `dir`, sorted by name in byte order.
    fn list(&self, dir: &str) -> Result<Vec<Entry>>;

    /// The contents of the file `path`, or [`Contents::TooLarge`] when it has more than `limit`
    /// bytes. The size check comes before reading, so a huge file costs nothing.
    fn read(&self, path: &str, limit: u64) -> Result<Contents>;

    /// The size in bytes of the file `path`, found without reading its contents (file system
    /// metadata, or the git object header), so asking about a huge file costs nothing.
    ///
    /// The default asks [`Source::read`] with a limit of zero, which every source answers
    /// from the size alone.
    fn size(&self, path: &str) -> Result<u64> {
        Ok(match self.read(path, 0)? {
            Contents::Bytes(bytes) => bytes.len() as u64,
            Contents::TooLarge { size } => size,
        })
    }

    /// True when git stores the file `path` through Git LFS (its `filter` attribute is `lfs`),
    /// so that what a commit holds is a small pointer, not these bytes. Only a work tree can
    /// say yes: the tree of a revision already holds the pointer itself. The default is no.
    fn stored_by_lfs(&self, path: &str) -> Result<bool> {
        let _ = path;
        Ok(false)
    }
}

/// Joins a directory and a name into a root-relative path.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Resolves `link` (a relative path written in the file at `from`) against `from`'s directory,
/// lexically. Returns `None` when the result would leave the root.
pub fn resolve_relative(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_lexically_and_never_leave_the_root() {
        assert_eq!(
            resolve_relative("threads/a/thread.md", "../b/thread.md").as_deref(),
            Some("threads/b/thread.md")
        );
        assert_eq!(
            resolve_relative("threads/a/X.md", "X/clip.mp4").as_deref(),
            Some("threads/a/X/clip.mp4")
        );
        assert_eq!(
            resolve_relative("decisions/d.md", "../longhand.yaml").as_deref(),
            Some("longhand.yaml")
        );
        assert_eq!(resolve_relative("decisions/d.md", "../../etc/passwd"), None);
        assert_eq!(resolve_relative("threads/a/thread.md", "../../../x"), None);
    }
}
