//! What a listing was derived from, and whether the work tree still holds exactly that.
//!
//! While loading, [`Recorder`] wraps the work tree and notes, for every path loading asks
//! about, its `lstat` *taken before* the answer (so a change during loading shows up as a
//! different stamp later, never as a stale one). A [`Stamp`] is that path's inode, size,
//! mode, and modification and change times in nanoseconds, or its absence.
//!
//! Checking compares each stamp with a fresh `lstat` (in parallel). That is enough for a
//! path whose times are *settled*, older than the build by [`MARGIN`]: any later write
//! gives it a newer change time (`ctime` cannot be set from user space). A path written
//! within the margin is *racy* (git's word): a second write in the same timestamp tick, of
//! the same size, would leave every stamp field equal. For those the stamp also keeps a
//! digest (git's SHA-1 of the bytes read, or of a directory's listing), and checking reads
//! them again and compares. A hit that finds racy stamps settled by now rewrites the cache
//! without their digests (git's index refresh does the same).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

use crate::source::{Contents, Entry, EntryKind, Source, WorkTree};
use crate::Result;

/// How recent a write may be and still be trusted from its stamp alone. It covers file
/// systems with coarse timestamps (FAT's two seconds) and the lag of the kernel's coarse
/// clock behind the system clock.
pub const MARGIN: Duration = Duration::from_secs(3);

/// A digest of bytes: git's blob id.
pub type Digest = [u8; 20];

/// What `lstat` said of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device and inode: a replaced file is another inode.
    pub dev: u64,
    /// The inode number.
    pub ino: u64,
    /// File type and permissions.
    pub mode: u32,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime: i64,
    /// Status change time, nanoseconds since the epoch.
    pub ctime: i64,
}

impl Stat {
    /// The later of the two times.
    fn latest(&self) -> i64 {
        self.mtime.max(self.ctime)
    }

    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }
}

/// One path's stamp: its stat (`None`: nothing there), and for a racy path, the digest of
/// what was read from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Root-relative path, `/`-separated.
    pub path: String,
    /// What `lstat` said, or `None` when nothing was there.
    pub stat: Option<Stat>,
    /// For a racy file or directory: the digest of its bytes or listing.
    pub digest: Option<Digest>,
}

/// `lstat` of a path, or `None` when nothing is there.
#[cfg(target_os = "linux")]
pub fn stat(path: &Path) -> io::Result<Option<Stat>> {
    stat_at(rustix::fs::CWD, path)
}

/// `lstat` of `path` relative to the directory `dir` (Linux: `statx`, the same fields as
/// [`stat`] gives for the full path). Checking stamps relative to the root's descriptor
/// saves the kernel the walk down to the root for each of 100,000 paths.
#[cfg(target_os = "linux")]
fn stat_at<P: rustix::path::Arg>(dir: impl std::os::fd::AsFd, path: P) -> io::Result<Option<Stat>> {
    use rustix::fs::{statx, AtFlags, StatxFlags};
    let nanos = |t: rustix::fs::StatxTimestamp| {
        t.tv_sec.saturating_mul(1_000_000_000) + i64::from(t.tv_nsec)
    };
    match statx(
        dir,
        path,
        AtFlags::SYMLINK_NOFOLLOW,
        StatxFlags::BASIC_STATS,
    ) {
        Ok(x) => Ok(Some(Stat {
            dev: rustix::fs::makedev(x.stx_dev_major, x.stx_dev_minor),
            ino: x.stx_ino,
            mode: u32::from(x.stx_mode),
            size: x.stx_size,
            mtime: nanos(x.stx_mtime),
            ctime: nanos(x.stx_ctime),
        })),
        Err(e) if e == rustix::io::Errno::NOENT || e == rustix::io::Errno::NOTDIR => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `lstat` of a path, or `None` when nothing is there.
#[cfg(all(unix, not(target_os = "linux")))]
pub fn stat(path: &Path) -> io::Result<Option<Stat>> {
    use std::os::unix::fs::MetadataExt;
    match fs::symlink_metadata(path) {
        Ok(m) => Ok(Some(Stat {
            dev: m.dev(),
            ino: m.ino(),
            mode: m.mode(),
            size: m.size(),
            mtime: m.mtime().saturating_mul(1_000_000_000) + m.mtime_nsec(),
            ctime: m.ctime().saturating_mul(1_000_000_000) + m.ctime_nsec(),
        })),
        Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(20) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Without inode numbers and change times a stamp would prove nothing: no cache.
#[cfg(not(unix))]
pub fn stat(_: &Path) -> io::Result<Option<Stat>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no cache on this system",
    ))
}

/// Nanoseconds since the epoch of the instant `MARGIN` before `at`: stamps at or after it
/// are racy.
pub fn threshold(at: SystemTime) -> i64 {
    let at = at.checked_sub(MARGIN).unwrap_or(SystemTime::UNIX_EPOCH);
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The digest of a file's bytes.
pub fn digest_bytes(bytes: &[u8]) -> Digest {
    let mut out = [0; 20];
    if let Ok(oid) = git2::Oid::hash_object(git2::ObjectType::Blob, bytes) {
        out.copy_from_slice(oid.as_bytes());
    }
    out
}

/// The digest of a directory listing (names and kinds, in order).
pub fn digest_listing(entries: &[Entry]) -> Digest {
    let mut text = Vec::new();
    for entry in entries {
        text.extend_from_slice(entry.name_bytes());
        text.push(0);
        text.push(match entry.kind {
            EntryKind::File => b'f',
            EntryKind::Dir => b'd',
            EntryKind::Symlink => b'l',
            EntryKind::Submodule => b's',
            EntryKind::Other => b'o',
        });
        text.push(b'\n');
    }
    digest_bytes(&text)
}

/// A work tree that stamps every path it is asked about.
pub struct Recorder<'a> {
    inner: &'a WorkTree,
    threshold: i64,
    stamps: RefCell<BTreeMap<String, Stamp>>,
    /// Something the stamps cannot vouch for was asked: git attributes, a racy path read
    /// twice with different bytes, a stat that failed. The listing is right but must not be kept.
    unsound: Cell<bool>,
}

impl<'a> Recorder<'a> {
    /// Records what `inner` is asked; paths written after `threshold` are racy.
    pub fn new(inner: &'a WorkTree, threshold: i64) -> Recorder<'a> {
        Recorder {
            inner,
            threshold,
            stamps: RefCell::new(BTreeMap::new()),
            unsound: Cell::new(false),
        }
    }

    /// The stamps, sorted by path, or `None` when they cannot vouch for what was read.
    pub fn finish(self) -> Option<Vec<Stamp>> {
        (!self.unsound.get()).then(|| self.stamps.into_inner().into_values().collect())
    }

    /// Stamps `path` before it is first used (a later look keeps the first stamp, which
    /// predates every use); returns its stat when it is racy (so the caller records a digest
    /// of what it reads).
    fn look(&self, path: &str) -> Option<Stat> {
        if let Some(seen) = self.stamps.borrow().get(path) {
            return seen.stat.filter(|s| s.latest() >= self.threshold);
        }
        let full = full_path(self.inner.root(), path);
        let stat = match stat(&full) {
            Ok(stat) => stat,
            Err(_) => {
                self.unsound.set(true);
                return None;
            }
        };
        self.stamps.borrow_mut().insert(
            path.to_owned(),
            Stamp {
                path: path.to_owned(),
                stat,
                digest: None,
            },
        );
        stat.filter(|s| s.latest() >= self.threshold)
    }

    fn keep_digest(&self, path: &str, digest: Digest) {
        if let Some(stamp) = self.stamps.borrow_mut().get_mut(path) {
            match stamp.digest {
                Some(seen) if seen != digest => self.unsound.set(true),
                _ => stamp.digest = Some(digest),
            }
        }
    }
}

impl Source for Recorder<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        // The answer depends on every segment (a link midway is reported, never crossed).
        let mut prefix = String::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(segment);
            self.look(&prefix);
        }
        self.inner.kind(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let racy = self.look(dir);
        let entries = self.inner.list(dir)?;
        if racy.is_some() {
            self.keep_digest(dir, digest_listing(&entries));
        }
        Ok(entries)
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        let racy = self.look(path);
        let contents = self.inner.read(path, limit)?;
        if let (Some(_), Contents::Bytes(bytes)) = (racy, &contents) {
            self.keep_digest(path, digest_bytes(bytes));
        }
        Ok(contents)
    }

    fn size(&self, path: &str) -> Result<u64> {
        // The size is part of the stamp: nothing else to keep.
        self.look(path);
        self.inner.size(path)
    }

    fn stored_by_lfs(&self, path: &str) -> Result<bool> {
        // Git attributes live outside the root (and in git's configuration): no stamp covers
        // them, so a listing that asked cannot be kept.
        self.unsound.set(true);
        self.inner.stored_by_lfs(path)
    }
}

/// What checking the stamps found.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Something differs: the listing must be rebuilt.
    Changed,
    /// Every stamp holds; `settled` racy stamps are now old enough to drop their digests.
    Holds {
        /// How many racy stamps could now be trusted from their stat alone.
        settled: usize,
    },
}

/// Whether the work tree at `root` still matches every stamp; `threshold` is the racy limit
/// of now. Stamps are checked on every core.
#[cfg(test)]
pub fn check(root: &Path, stamps: &[Stamp], threshold: i64) -> Check {
    let mut settled = 0;
    for result in check_each(root, stamps, threshold) {
        match result {
            None => return Check::Changed,
            Some(true) => settled += 1,
            Some(false) => {}
        }
    }
    Check::Holds { settled }
}

/// For each stamp, in order: `None` when it no longer holds, else whether it is a racy stamp
/// that is settled at `threshold`. Stamps are checked on every core.
pub fn check_each(root: &Path, stamps: &[Stamp], threshold: i64) -> Vec<Option<bool>> {
    check_indexed(
        root,
        stamps.len(),
        |i| (stamps[i].path.as_str(), stamps[i].stat, stamps[i].digest),
        threshold,
    )
}

/// [`check_each`] of stamps decoded side by side ([`crate::cache::file::FlatStamps`]).
pub fn check_flat(
    root: &Path,
    stamps: &crate::cache::file::FlatStamps,
    threshold: i64,
) -> Vec<Option<bool>> {
    check_indexed(root, stamps.len(), |i| stamps.get(i), threshold)
}

/// [`check_each`] of the `count` stamps `stamp(i)` gives, on every core.
fn check_indexed<'a>(
    root: &Path,
    count: usize,
    stamp: impl Fn(usize) -> (&'a str, Option<Stat>, Option<Digest>) + Sync,
    threshold: i64,
) -> Vec<Option<bool>> {
    let at = Root::open(root);
    (0..count)
        .into_par_iter()
        .map_init(
            || root.to_path_buf(),
            |full, i| {
                let (path, stat, digest) = stamp(i);
                holds(root, &at, full, path, stat, digest).then(|| settled(stat, digest, threshold))
            },
        )
        .collect()
}

/// The root's directory, held open (Linux) so that stamps are checked relative to it.
struct Root(#[cfg(target_os = "linux")] Option<std::os::fd::OwnedFd>);

impl Root {
    fn open(root: &Path) -> Root {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{open, Mode, OFlags};
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            Root(open(root, flags, Mode::empty()).ok())
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = root;
            Root()
        }
    }

    /// `lstat` of the root-relative `path`; `full` gives its full path when needed.
    fn stat(&self, path: &str, full: impl FnOnce() -> PathBuf) -> io::Result<Option<Stat>> {
        #[cfg(target_os = "linux")]
        if let Some(dir) = &self.0 {
            // A root-relative path has no `.` or `..` segment (the `Source` contract), so it
            // names the same file as the full path, however the root was reached.
            let relative = if path.is_empty() { "." } else { path };
            return stat_at(dir, relative);
        }
        let _ = path;
        stat(&full())
    }
}

/// Drops the digests of racy stamps that are settled at `threshold`.
pub fn settle(stamps: &mut [Stamp], threshold: i64) {
    for stamp in stamps {
        if settles(stamp, threshold) {
            stamp.digest = None;
        }
    }
}

fn settles(stamp: &Stamp, threshold: i64) -> bool {
    settled(stamp.stat, stamp.digest, threshold)
}

/// Whether a racy stamp (one with a digest) is now old enough to be trusted by its stat.
fn settled(stat: Option<Stat>, digest: Option<Digest>, threshold: i64) -> bool {
    digest.is_some() && stat.is_some_and(|s| s.latest() < threshold)
}

/// Whether `stamp` holds; `full` is a buffer for the full path (starting as `root`).
fn holds(
    root: &Path,
    at: &Root,
    full: &mut PathBuf,
    path: &str,
    stamped: Option<Stat>,
    digest: Option<Digest>,
) -> bool {
    let fill = |full: &mut PathBuf| {
        full.clear();
        full.push(root);
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            full.push(segment);
        }
    };
    match at.stat(path, || {
        fill(full);
        full.clone()
    }) {
        Ok(now) if now == stamped => {}
        _ => return false,
    }
    let (Some(digest), Some(stat)) = (digest, stamped) else {
        return true;
    };
    let again = if stat.is_dir() {
        WorkTree::new(root)
            .list(path)
            .ok()
            .map(|entries| digest_listing(&entries))
    } else {
        fill(full);
        fs::read(&*full).ok().map(|bytes| digest_bytes(&bytes))
    };
    again == Some(digest)
}

pub(crate) fn full_path(root: &Path, path: &str) -> PathBuf {
    let mut full = root.to_path_buf();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        full.push(segment);
    }
    full
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checking relative to the root's descriptor sees exactly what `stat` of the full path
    /// sees: files, directories, links (not followed), absent paths, paths under a file, and
    /// the root itself; and a changed file fails its stamp either way.
    #[test]
    fn stamps_checked_relative_to_the_root_agree_with_full_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("threads/a")).unwrap();
        fs::write(root.join("threads/a/thread.md"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("thread.md", root.join("threads/a/link.md")).unwrap();
        let paths = [
            "",
            "threads",
            "threads/a",
            "threads/a/thread.md",
            "threads/a/link.md",
            "threads/b",
            "threads/a/thread.md/under",
        ];
        let at = Root::open(root);
        let mut stamps = Vec::new();
        for path in paths {
            let full = full_path(root, path);
            let by_full = stat(&full).unwrap();
            let relative = at.stat(path, || full.clone()).unwrap();
            assert_eq!(relative, by_full, "{path:?}");
            stamps.push(Stamp {
                path: path.to_owned(),
                stat: by_full,
                digest: None,
            });
        }
        assert!(stamps[3].stat.is_some() && stamps[5].stat.is_none());
        assert!(check_each(root, &stamps, 0).iter().all(Option::is_some));
        fs::write(root.join("threads/a/thread.md"), "longer").unwrap();
        let results = check_each(root, &stamps, 0);
        assert_eq!(results[3], None, "the changed file fails its stamp");
        assert!(results[5].is_some(), "the absent path still holds");
    }
}
