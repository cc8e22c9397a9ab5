//! The work-tree source: files on disk under a discussion root, and root discovery.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Contents, Entry, EntryKind, Source, CONFIG_FILE};
use crate::{Error, Result};

/// A discussion root on disk.
#[derive(Clone, Debug)]
pub struct WorkTree {
    root: PathBuf,
}

impl WorkTree {
    /// A source reading the directory `root`, which should hold `longhand.yaml`.
    pub fn new(root: impl Into<PathBuf>) -> WorkTree {
        WorkTree { root: root.into() }
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
        let full = self.full(dir);
        let mut entries = Vec::new();
        let walker = walkdir::WalkDir::new(&full)
            .min_depth(1)
            .max_depth(1)
            .follow_links(false)
            .sort_by_file_name();
        for item in walker {
            let item = item.map_err(|e| {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| full.clone());
                Error::io(path, e.into())
            })?;
            let Some(name) = item.file_name().to_str() else {
                // A name that is not UTF-8 cannot be a protocol name; show it lossily.
                entries.push(Entry {
                    name: item.file_name().to_string_lossy().into_owned(),
                    kind: EntryKind::Other,
                });
                continue;
            };
            let kind = if item.path_is_symlink() {
                EntryKind::Symlink
            } else {
                let file_type = item.file_type();
                if file_type.is_dir() {
                    EntryKind::Dir
                } else if file_type.is_file() {
                    EntryKind::File
                } else {
                    EntryKind::Other
                }
            };
            entries.push(Entry {
                name: name.to_owned(),
                kind,
            });
        }
        entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
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
        let full = self.full(path);
        // Every segment is checked first: a link anywhere on the path is never crossed.
        if self.kind(path)? != Some(EntryKind::File) {
            return Err(Error::io(&full, not_a_file()));
        }
        let metadata = fs::symlink_metadata(&full).map_err(|e| Error::io(&full, e))?;
        if metadata.len() > limit {
            return Ok(Contents::TooLarge {
                size: metadata.len(),
            });
        }
        let file = fs::File::open(&full).map_err(|e| Error::io(&full, e))?;
        // Read at most limit + 1 bytes, in case the file grew since the size check.
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&full, e))?;
        if bytes.len() as u64 > limit {
            return Ok(Contents::TooLarge {
                size: bytes.len() as u64,
            });
        }
        Ok(Contents::Bytes(bytes))
    }
}
