//! The work-tree source: files on disk under a discussion root, and root discovery.
//!
//! On Linux a file is opened with one `openat2` beneath the root, refusing any symbolic link
//! on the way (`RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`), then checked with `fstat`: one path
//! walk per file instead of an `lstat` per segment. Whatever that fast path does not accept
//! (an older kernel, a link, a missing file, anything not a regular file) goes through the
//! segment-by-segment walk, which decides and words the outcome as before.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Contents, Entry, EntryKind, Source, CONFIG_FILE};
use crate::{Error, Result};

/// A discussion root on disk.
#[derive(Clone, Debug)]
pub struct WorkTree {
    root: PathBuf,
    /// The root directory, opened on first use, for opening files beneath it (Linux).
    #[cfg(target_os = "linux")]
    beneath: std::sync::Arc<std::sync::OnceLock<Option<std::os::fd::OwnedFd>>>,
    /// The directory of the last file read and its descriptor, opened beneath the root like
    /// a file: files are read directory by directory, so most opens are one segment long.
    /// Cleared by every [`Source::list`].
    #[cfg(target_os = "linux")]
    last_dir: std::sync::Arc<std::sync::Mutex<Option<(String, std::os::fd::OwnedFd)>>>,
}

impl WorkTree {
    /// A source reading the directory `root`, which should hold `longhand.yaml`.
    pub fn new(root: impl Into<PathBuf>) -> WorkTree {
        WorkTree {
            root: root.into(),
            #[cfg(target_os = "linux")]
            beneath: Default::default(),
            #[cfg(target_os = "linux")]
            last_dir: Default::default(),
        }
    }

    /// The directory this source reads.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn full(&self, path: &str) -> PathBuf {
        let mut full = self.root.clone();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            full.push(segment);
        }
        full
    }
}

/// Finds the discussion root: `start` or the nearest parent holding `longhand.yaml`.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    let start = fs::canonicalize(start).map_err(|e| Error::io(start, e))?;
    for dir in start.ancestors() {
        if fs::symlink_metadata(dir.join(CONFIG_FILE)).is_ok() {
            return Ok(dir.to_path_buf());
        }
    }
    Err(Error::NoRoot { start })
}

/// Why a path that is not a regular file inside the root is not read.
pub(super) fn not_a_file() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "not a regular file inside the discussion root (symbolic links are never followed)",
    )
}

/// The bytes of a file name as the file system holds them (on Unix, exactly; elsewhere the
/// lossy form, since such a name cannot be read back anyway).
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

fn kind_of(metadata: &fs::Metadata) -> EntryKind {
    let file_type = metadata.file_type();
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

impl Source for WorkTree {
    fn describe(&self) -> String {
        format!("work tree {}", self.root.display())
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        #[cfg(target_os = "linux")]
        if let Some(kind) = self.kind_beneath(path) {
            return Ok(Some(kind));
        }
        // A `.` or `..` segment is not a path of the contract, and `..` could leave the root.
        if path.split('/').any(|s| s == ".." || s == ".") {
            return Ok(None);
        }
        // Check every segment, so that a link in the middle of the path is never crossed.
        let mut full = self.root.clone();
        let mut kind = Some(EntryKind::Dir);
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            if kind != Some(EntryKind::Dir) {
                return Ok(if kind == Some(EntryKind::Symlink) {
                    kind
                } else {
                    None
                });
            }
            full.push(segment);
            kind = match fs::symlink_metadata(&full) {
                Ok(metadata) => Some(kind_of(&metadata)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) if e.raw_os_error() == Some(20) => return Ok(None), // ENOTDIR
                Err(e) => return Err(Error::io(full, e)),
            };
        }
        Ok(kind)
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        // A directory kept open for reading is let go when the next one is listed, so it is
        // never held for longer than the reading of one directory's files.
        #[cfg(target_os = "linux")]
        if let Ok(mut last) = self.last_dir.lock() {
            *last = None;
        }
        let full = self.full(dir);
        let mut entries = Vec::new();
        // The kind comes from the directory entry itself (no `stat` where the file system
        // records it), and never from a link's target.
        for item in fs::read_dir(&full).map_err(|e| Error::io(&full, e))? {
            let item = item.map_err(|e| Error::io(&full, e))?;
            let name = item.file_name();
            // Git's own directory (a file in a linked work tree or a submodule) is not
            // content: git never stores an entry by that name, so no revision has it.
            if name == ".git" {
                continue;
            }
            let file_type = item.file_type().map_err(|e| Error::io(item.path(), e))?;
            let Some(name) = name.to_str() else {
                // A name that is not UTF-8 cannot be a protocol name; show it lossily.
                entries.push(Entry {
                    name: name.to_string_lossy().into_owned(),
                    kind: EntryKind::Other,
                    raw: Some(name_bytes(&name)),
                });
                continue;
            };
            let kind = if file_type.is_symlink() {
                EntryKind::Symlink
            } else if file_type.is_dir() {
                EntryKind::Dir
            } else if file_type.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            entries.push(Entry::new(name, kind));
        }
        entries.sort_unstable_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        Ok(entries)
    }

    fn stored_by_lfs(&self, path: &str) -> Result<bool> {
        // Asked only about large attachments, so the repository is opened each time rather
        // than kept (a `git2::Repository` would make every work tree single-threaded).
        let Ok(repo) = git2::Repository::discover(&self.root) else {
            return Ok(false);
        };
        let Some(prefix) = super::repository_prefix(&self.root) else {
            return Ok(false);
        };
        let rel = super::join(&prefix, path);
        let filter = repo.get_attr(
            Path::new(&rel),
            "filter",
            git2::AttrCheckFlags::FILE_THEN_INDEX,
        )?;
        Ok(filter == Some("lfs"))
    }

    fn size(&self, path: &str) -> Result<u64> {
        let full = self.full(path);
        let metadata = fs::symlink_metadata(&full).map_err(|e| Error::io(&full, e))?;
        Ok(metadata.len())
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        #[cfg(target_os = "linux")]
        if let Some((file, metadata)) = self.open_beneath(path) {
            return read_open(file, metadata, || self.full(path), limit);
        }
        let full = self.full(path);
        // Every segment is checked first: a link anywhere on the path is never crossed.
        if self.kind(path)? != Some(EntryKind::File) {
            return Err(Error::io(&full, not_a_file()));
        }
        let file = fs::File::open(&full).map_err(|e| Error::io(&full, e))?;
        let metadata = file.metadata().map_err(|e| Error::io(&full, e))?;
        read_open(file, metadata, || full.clone(), limit)
    }
}

impl WorkTree {
    /// The root directory opened once, or `None` when it cannot be (the slow path then runs).
    #[cfg(target_os = "linux")]
    fn root_fd(&self) -> Option<&std::os::fd::OwnedFd> {
        use rustix::fs::{openat2, Mode, OFlags, ResolveFlags, CWD};
        self.beneath
            .get_or_init(|| {
                openat2(
                    CWD,
                    &self.root,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                    ResolveFlags::empty(),
                )
                .ok()
            })
            .as_ref()
    }

    /// What `path` is, found with one `openat2(O_PATH)` beneath the root that refuses to cross
    /// any symbolic link (a link in the last segment is itself the answer), or `None` when that
    /// does not succeed for any reason, missing paths included: the caller then walks.
    #[cfg(target_os = "linux")]
    fn kind_beneath(&self, path: &str) -> Option<EntryKind> {
        use rustix::fs::{openat2, Mode, OFlags, ResolveFlags};
        if path.is_empty() || path.starts_with('/') {
            return None;
        }
        let fd = openat2(
            self.root_fd()?,
            path,
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
        )
        .ok()?;
        let metadata = fs::File::from(fd).metadata().ok()?;
        Some(kind_of(&metadata))
    }

    /// Opens the regular file `path` beneath the root with one `openat2` that refuses every
    /// symbolic link and every way out of the root, or `None` when that does not succeed for
    /// any reason (the caller then walks the path segment by segment, which words the error).
    /// `O_NONBLOCK` keeps a FIFO from blocking the open; it is then refused by the type check.
    #[cfg(target_os = "linux")]
    fn open_beneath(&self, path: &str) -> Option<(fs::File, fs::Metadata)> {
        use rustix::fs::{openat, openat2, Mode, OFlags, ResolveFlags};
        if path.is_empty() || path.starts_with('/') {
            return None;
        }
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let fd = match path.rsplit_once('/') {
            // A file in a directory: the directory is opened beneath the root once (no link
            // crossed), then the file is opened in it by its name alone, never following a
            // link (`O_NOFOLLOW`) and never leaving it (the name has no `/`, and `..` or `.`
            // would not be a regular file).
            Some((dir, name)) if !name.is_empty() && name != ".." => {
                let mut last = self.last_dir.lock().ok()?;
                if last.as_ref().is_none_or(|(open, _)| open != dir) {
                    let fd = openat2(
                        self.root_fd()?,
                        dir,
                        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                        Mode::empty(),
                        ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
                    )
                    .ok()?;
                    *last = Some((dir.to_owned(), fd));
                }
                let (_, dir_fd) = last.as_ref()?;
                openat(dir_fd, name, flags, Mode::empty()).ok()?
            }
            _ => openat2(
                self.root_fd()?,
                path,
                flags,
                Mode::empty(),
                ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
            )
            .ok()?,
        };
        let file = fs::File::from(fd);
        let metadata = file.metadata().ok()?;
        metadata.is_file().then_some((file, metadata))
    }
}

/// Reads an open regular file (whose metadata is given) under `limit` bytes; `full` names it
/// in errors (made only then).
fn read_open(
    file: fs::File,
    metadata: fs::Metadata,
    full: impl FnOnce() -> PathBuf,
    limit: u64,
) -> Result<Contents> {
    if metadata.len() > limit {
        return Ok(Contents::TooLarge {
            size: metadata.len(),
        });
    }
    // Read at most limit + 1 bytes, in case the file grew since the size check. One read of
    // one byte more than the size usually does it: once the bytes the size promised are in,
    // no second read is made just to see the end (a file that grew fills the extra byte and
    // is read on to the limit).
    let mut reader = file.take(limit.saturating_add(1));
    let expected = metadata.len() as usize;
    let mut bytes = vec![0; expected + 1];
    let mut filled = 0;
    while filled < expected {
        match reader.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(full(), e)),
        }
    }
    let grew = filled > expected;
    bytes.truncate(filled);
    if grew {
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(full(), e))?;
    }
    if bytes.len() as u64 > limit {
        return Ok(Contents::TooLarge {
            size: bytes.len() as u64,
        });
    }
    Ok(Contents::Bytes(bytes))
}

// Links and FIFOs as Unix makes them: the hostile cases these tests build.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A root with a file, a file behind a linked directory, a linked file, a FIFO, and a
    /// secret outside the root that the links point at.
    fn hostile() -> (tempfile::TempDir, WorkTree) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("root");
        let outside = dir.path().join("outside");
        fs::create_dir_all(root.join("threads/t")).expect("mkdir");
        fs::create_dir_all(&outside).expect("mkdir");
        fs::write(outside.join("secret.md"), "secret").expect("write");
        fs::write(root.join("threads/t/a.md"), "hello").expect("write");
        symlink(&outside, root.join("threads/linked")).expect("symlink");
        symlink(outside.join("secret.md"), root.join("threads/t/b.md")).expect("symlink");
        let fifo = std::process::Command::new("mkfifo")
            .arg(root.join("threads/t/pipe.md"))
            .status()
            .expect("mkfifo runs");
        assert!(fifo.success());
        (dir, WorkTree::new(root))
    }

    #[test]
    fn reads_files_and_refuses_links_fifos_and_escapes() {
        let (_dir, tree) = hostile();
        assert_eq!(
            tree.read("threads/t/a.md", 100).expect("reads"),
            Contents::Bytes(b"hello".to_vec())
        );
        assert_eq!(
            tree.read("threads/t/a.md", 2).expect("reads"),
            Contents::TooLarge { size: 5 }
        );
        assert_eq!(
            tree.read("threads/t/a.md", 5).expect("reads"),
            Contents::Bytes(b"hello".to_vec())
        );
        fs::write(tree.root().join("threads/t/empty.md"), "").expect("write");
        assert_eq!(
            tree.read("threads/t/empty.md", 5).expect("reads"),
            Contents::Bytes(Vec::new())
        );
        // Read twice in a row (the directory kept open), and after a listing let it go.
        assert!(tree.read("threads/t/a.md", 100).is_ok());
        assert!(tree.list("threads").is_ok());
        for path in [
            "threads/linked/secret.md",
            "threads/t/b.md",
            "threads/t/pipe.md",
            "threads/t/../../../outside/secret.md",
            "threads/t",
            "threads/t/missing.md",
        ] {
            // Returns (a FIFO does not block the open) and refuses.
            assert!(tree.read(path, 100).is_err(), "{path}");
        }
    }

    #[test]
    fn kinds_never_cross_a_link() {
        let (_dir, tree) = hostile();
        let kind = |path: &str| tree.kind(path).expect("answers");
        assert_eq!(kind(""), Some(EntryKind::Dir));
        assert_eq!(kind("threads/t"), Some(EntryKind::Dir));
        assert_eq!(kind("threads/t/a.md"), Some(EntryKind::File));
        assert_eq!(kind("threads/t/b.md"), Some(EntryKind::Symlink));
        assert_eq!(kind("threads/linked"), Some(EntryKind::Symlink));
        assert_eq!(kind("threads/linked/secret.md"), Some(EntryKind::Symlink));
        assert_eq!(kind("threads/t/pipe.md"), Some(EntryKind::Other));
        assert_eq!(kind("threads/t/missing.md"), None);
        assert_eq!(kind("threads/t/a.md/x"), None);
    }

    #[test]
    fn listings_give_kinds_from_the_entries_in_byte_order() {
        let (_dir, tree) = hostile();
        let entries = tree.list("threads/t").expect("lists");
        let found: Vec<(&str, EntryKind)> =
            entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
        assert_eq!(
            found,
            vec![
                ("a.md", EntryKind::File),
                ("b.md", EntryKind::Symlink),
                ("pipe.md", EntryKind::Other)
            ]
        );
    }
}
