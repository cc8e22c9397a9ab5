//! The cache of the reading commands: what `longhand list` shows of every thread
//! ([`Listing`]), kept between runs under the repository's git directory so that a listing of
//! 10,000 threads does not parse 110,000 files each time.
//!
//! **It is never stale.** `list` reads the work tree, so the key covers the work tree, not
//! `HEAD`: the cache keeps a *stamp* of every path loading looked at — `lstat`'s device,
//! inode, mode, size and modification and change times in nanoseconds, or the path's absence
//! — taken *before* the path was read (`stamps.rs`). A run checks every stamp against a
//! fresh `lstat`; one difference and the listing is rebuilt from the files. Every way the
//! files can change moves a stamp:
//!
//! - git (`checkout`, `reset --hard`, `merge`, `stash`, `rebase`, `pull`) removes a file it
//!   rewrites and creates it anew: another inode, and a new time on the file and on its
//!   directory; a commit or an amend writes nothing in the work tree, and nothing needs to
//!   change;
//! - a file added, removed or renamed changes its directory's times (directories are
//!   stamped, and an absent path is stamped as absent);
//! - an edit in place changes the file's change time (`ctime`), which no program can set back
//!   (`touch -d` and `cp -p` set `mtime`, and set `ctime` to now);
//! - an edit in place *within the same timestamp tick, to the same size* leaves every field
//!   equal: git's "racy" case. So a path whose times are not older than the build by
//!   [`stamps::MARGIN`] also keeps a digest of what was read, and is read again and compared
//!   on every run until its times are settled (then the cache is rewritten without it).
//!
//! What the stamps cannot vouch for is never cached: a build that asked git's attributes (an
//! attachment over the size limit, which Git LFS may store), saw a path change between two
//! looks, or could not `lstat` something, is used once and not kept. The roster is read from
//! `longhand.yaml` on every run, and whatever depends on the time (`overdue`) is computed at
//! printing (`Listing::summaries`). Residual assumptions, as git's own index makes them: the
//! system clock does not go back by more than the margin, and the file system's timestamps
//! follow the system clock (a network file system whose server clock lags the client's by
//! more than [`stamps::MARGIN`] could hide a racy edit).
//!
//! **Where.** One file per discussion root, `<gitdir>/longhand/list/<hash of the root's
//! path>` (a linked worktree has its own git directory, so its own cache), the newest four
//! kept, none over [`file::MAX_BYTES`]. Outside a git repository there is no cache. Deleting
//! the directory is always safe. Writing is atomic (a temporary file renamed into place) and
//! best effort: a failure to write never fails the command.
//!
//! **Self-checking.** The file names its format and Longhand's version and the root it
//! describes, and ends with a checksum; anything else (cut off, corrupt, foreign) is ignored
//! and rebuilt (`file.rs`).

pub mod file;
pub mod stamps;

use std::path::Path;
use std::time::SystemTime;

use crate::read::listing::Listing;
use crate::source::{Contents, Entry, EntryKind, Source, WorkTree, CONFIG_FILE};
use crate::{load, Result};

/// How a listing was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// From the cache; every stamp held.
    Hit,
    /// From the cache, which was then rewritten without the digests of settled racy paths.
    Refreshed,
    /// From the files; the cache was written.
    Built,
    /// From the files; nothing was cached (asked not to, no git directory, or the stamps
    /// could not vouch for what was read).
    Uncached,
}

/// The listing of the discussion at `root` (a work tree), from the cache when every stamp
/// holds, otherwise from the files (then cached). With `use_cache` false the cache is neither
/// read nor written. The listing is the same either way.
pub fn listing(root: &Path, use_cache: bool) -> Result<(Listing, Outcome)> {
    let tree = WorkTree::new(root);
    let git_dir = if use_cache {
        git2::Repository::discover(root)
            .ok()
            .map(|repo| repo.path().to_path_buf())
    } else {
        None
    };
    let Some(git_dir) = git_dir else {
        return Ok((Listing::of(&load(&tree)?), Outcome::Uncached));
    };
    let location = file::location(&git_dir, root);
    let started = SystemTime::now();
    if let Some(mut cached) = file::read(&location, root) {
        let now = stamps::threshold(started);
        if let stamps::Check::Holds { settled } = stamps::check(root, &cached.stamps, now) {
            let config = load(&ConfigOnly(&tree))?.discussion.config;
            let outcome = if settled > 0 {
                stamps::settle(&mut cached.stamps, now);
                file::write(&location, root, &cached);
                Outcome::Refreshed
            } else {
                Outcome::Hit
            };
            let mut listing = cached.listing;
            listing.config = config;
            return Ok((listing, outcome));
        }
    }
    let recorder = stamps::Recorder::new(&tree, stamps::threshold(started));
    let listing = Listing::of(&load(&recorder)?);
    let Some(stamps) = recorder.finish() else {
        return Ok((listing, Outcome::Uncached));
    };
    let cached = file::Cached { listing, stamps };
    file::write(&location, root, &cached);
    Ok((cached.listing, Outcome::Built))
}

/// The work tree with only `longhand.yaml`: loading it gives the roster exactly as a whole
/// load would (the stamps vouch for the rest).
struct ConfigOnly<'a>(&'a WorkTree);

impl Source for ConfigOnly<'_> {
    fn describe(&self) -> String {
        self.0.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        if path == CONFIG_FILE {
            self.0.kind(path)
        } else {
            Ok(None)
        }
    }

    fn list(&self, _: &str) -> Result<Vec<Entry>> {
        Ok(Vec::new())
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        self.0.read(path, limit)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::PathBuf;
    use std::time::SystemTime;

    use super::stamps::{check, settle, stat, threshold, Check, Recorder};
    use super::*;

    fn example() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/async-standups")
    }

    #[test]
    fn a_cache_file_reads_back_as_written_and_only_whole_and_for_its_root() {
        let root = example();
        let tree = WorkTree::new(&root);
        let recorder = Recorder::new(&tree, threshold(SystemTime::now()));
        let mut listing = Listing::of(&load(&recorder).unwrap());
        let stamps = recorder.finish().expect("the example is cacheable");
        assert!(stamps.iter().any(|s| s.path == "threads"));
        listing.config = None;
        let cached = file::Cached { listing, stamps };
        let bytes = file::encode(&root, &cached);
        assert_eq!(file::decode(&bytes, &root), Some(cached.clone()));
        assert_eq!(file::decode(&bytes, Path::new("/elsewhere")), None);
        assert_eq!(file::decode(&bytes[..bytes.len() - 1], &root), None);
        for at in [0, bytes.len() / 3, bytes.len() / 2, bytes.len() - 9] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            assert_eq!(file::decode(&flipped, &root), None, "a flipped bit at {at}");
        }
    }

    #[test]
    fn a_racy_edit_that_keeps_every_stat_field_is_caught_by_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        fs::write(&path, "first\n").unwrap();
        let tree = WorkTree::new(dir.path());
        let recorder = Recorder::new(&tree, threshold(SystemTime::now()));
        recorder.read("a.md", 1 << 20).unwrap();
        let mut stamps = recorder.finish().unwrap();
        assert!(stamps[0].digest.is_some(), "just written: racy");
        let now = threshold(SystemTime::now());
        assert_eq!(check(dir.path(), &stamps, now), Check::Holds { settled: 0 });
        // The same size, and (as if in the same timestamp tick) the same stat.
        fs::write(&path, "other\n").unwrap();
        stamps[0].stat = stat(&path).unwrap();
        assert_eq!(check(dir.path(), &stamps, now), Check::Changed);
        // Without the digest, the stat alone would have been fooled: what the digest is for.
        let mut blind = stamps.clone();
        blind[0].digest = None;
        assert_eq!(check(dir.path(), &blind, now), Check::Holds { settled: 0 });
        // Once settled, a digest that still matches is dropped.
        fs::write(&path, "first\n").unwrap();
        stamps[0].stat = stat(&path).unwrap();
        let later = threshold(SystemTime::now() + std::time::Duration::from_secs(60));
        assert_eq!(
            check(dir.path(), &stamps, later),
            Check::Holds { settled: 1 }
        );
        settle(&mut stamps, later);
        assert_eq!(stamps[0].digest, None);
    }

    #[test]
    fn an_absent_path_that_appears_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let tree = WorkTree::new(dir.path());
        let recorder = Recorder::new(&tree, threshold(SystemTime::now()));
        assert_eq!(recorder.kind("decisions").unwrap(), None);
        let stamps = recorder.finish().unwrap();
        let now = threshold(SystemTime::now());
        assert_eq!(check(dir.path(), &stamps, now), Check::Holds { settled: 0 });
        fs::create_dir(dir.path().join("decisions")).unwrap();
        assert_eq!(check(dir.path(), &stamps, now), Check::Changed);
    }

    #[test]
    fn asking_git_attributes_makes_a_build_uncacheable() {
        let dir = tempfile::tempdir().unwrap();
        let tree = WorkTree::new(dir.path());
        let recorder = Recorder::new(&tree, threshold(SystemTime::now()));
        let _ = recorder.stored_by_lfs("threads/t/X/clip.mp4");
        assert_eq!(recorder.finish(), None);
    }
}
