//! The cache of the reading commands: what `longhand list` and `longhand inbox` need of every
//! thread ([`Listing`]), kept between runs under the repository's git directory so that a
//! listing of 10,000 threads does not parse 110,000 files each time.
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
//!   `stamps::MARGIN` also keeps a digest of what was read, and is read again and compared
//!   on every run until its times are settled (then the cache is rewritten without it).
//!
//! What the stamps cannot vouch for is never cached: a build that asked git's attributes (an
//! attachment over the size limit, which Git LFS may store), saw a path change between two
//! looks, or could not `lstat` something, is used once and not kept. The roster is read from
//! `longhand.yaml` on every run, and whatever depends on the time (`overdue`) is computed at
//! printing (`Listing::summaries`). Residual assumptions, as git's own index makes them: the
//! system clock does not go back by more than the margin, and the file system's timestamps
//! follow the system clock (a network file system whose server clock lags the client's by
//! more than `stamps::MARGIN` could hide a racy edit).
//!
//! **Where.** One file per discussion root, `<gitdir>/longhand/list/<hash of the root's
//! path>` (a linked worktree has its own git directory, so its own cache), the newest four
//! kept, none over `file::MAX_BYTES`. Outside a git repository there is no cache. Deleting
//! the directory is always safe. Writing is atomic (a temporary file renamed into place) and
//! best effort: a failure to write never fails the command.
//!
//! **Self-checking.** The file names its format and Longhand's version and the root it
//! describes, and each of its two parts (head, stamps) ends with a checksum; anything else
//! (cut off, corrupt, foreign) is ignored and rebuilt (`file.rs`).

mod file;
mod stamps;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::read::listing::{Entry as ListEntry, Listing};
use crate::source::{Contents, Entry, EntryKind, Source, WorkTree, CONFIG_FILE};
use crate::store::{self, Store};
use crate::{load, Result, Severity};

/// How a listing was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// From the cache; every stamp held.
    Hit,
    /// From the cache, which was then rewritten: without the digests of settled racy paths,
    /// or with the token of a watcher it did not know.
    Refreshed,
    /// From the cache for the threads whose stamps held and from the files for the others
    /// (added, removed or changed thread directories); the cache was rewritten.
    Updated,
    /// From the files; the cache was written.
    Built,
    /// From the files; nothing was cached (asked not to, no git directory, or the stamps
    /// could not vouch for what was read).
    Uncached,
}

/// What the watcher (the `longhand-watch` crate) did for a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watched {
    /// No watcher answered (none running, or it failed): every stamp was checked.
    Absent,
    /// The watcher answered "all" (it did not know the cache's token, or cannot vouch):
    /// every stamp was checked, and the cache keeps the new token.
    All,
    /// The watcher reported what changed: only these many stamps were checked (those of the
    /// reported paths, and those outside what it watches).
    Narrowed(usize),
}

/// The listing of the discussion at `root` (a work tree), from the cache when every stamp
/// holds, otherwise from the files (then cached). With `use_cache` false the cache is neither
/// read nor written. The listing is the same either way.
pub fn listing(root: &Path, use_cache: bool) -> Result<(Listing, Outcome)> {
    listing_watched(root, use_cache).map(|(listing, outcome, _)| (listing, outcome))
}

/// The directory of the watcher (the `longhand-watch` crate) of the discussion at `root`, in
/// the git directory `git_dir`: `<gitdir>/longhand/watch/<hash of the root's path>/`, where
/// [`listing_watched`] asks it and where the command starts it.
pub fn watcher_dir(git_dir: &Path, root: &Path) -> PathBuf {
    store::of_root(git_dir, Store::Watch, root)
}

/// [`listing`], and what the watcher did: when a watcher runs for `root` it is asked first,
/// before any path of the work tree is looked at, and only the stamps it cannot vouch for
/// are checked.
pub fn listing_watched(root: &Path, use_cache: bool) -> Result<(Listing, Outcome, Watched)> {
    let tree = WorkTree::new(root);
    let git_dir = if use_cache {
        git2::Repository::discover(root)
            .ok()
            .map(|repo| repo.path().to_path_buf())
    } else {
        None
    };
    let Some(git_dir) = git_dir else {
        return Ok((
            Listing::of(&load(&tree)?),
            Outcome::Uncached,
            Watched::Absent,
        ));
    };
    let location = file::location(&git_dir, root);
    let started = SystemTime::now();
    let now = stamps::threshold(started);
    let stored = file::read(&location, root);
    // The watcher is asked before anything of the work tree is looked at: what changes
    // after its answer shows in the next answer.
    let answer = longhand_watch::client::changes(
        &watcher_dir(&git_dir, root),
        stored.as_ref().and_then(|s| s.cached.token.as_ref()),
    );
    let (token, reported) = match answer {
        None => (None, None),
        Some(answer) => {
            // Paths only count for the instance that handed out the cache's token.
            let same = stored
                .as_ref()
                .and_then(|s| s.cached.token.as_ref())
                .is_some_and(|t| t.instance == answer.token.instance);
            (Some(answer.token), answer.paths.filter(|_| same))
        }
    };
    let mut watched = match (&token, &reported) {
        (None, _) => Watched::Absent,
        (Some(_), None) => Watched::All,
        (Some(_), Some(_)) => Watched::Narrowed(0),
    };
    if let Some(stored) = stored {
        let mut narrowed = None;
        if let Some(paths) = &reported {
            let (checked, results) = check_narrowed(root, &stored.stamps, paths, now);
            watched = Watched::Narrowed(checked.len());
            let held = results.iter().all(Option::is_some);
            if held && !results.contains(&Some(true)) {
                let config = load(&ConfigOnly(&tree))?.discussion.config;
                let mut listing = stored.cached.listing;
                listing.config = config;
                return Ok((listing, Outcome::Hit, watched));
            }
            narrowed = Some((checked, results));
        } else if let Some(flat) = stored.stamps.flat() {
            // Every stamp is checked, from the section decoded side by side (no `String`
            // per stamp); only a run that must rewrite the cache decodes them one by one.
            let results = stamps::check_flat(root, &flat, now);
            let keeps_token = token.is_none() || stored.cached.token == token;
            if keeps_token && results.iter().all(|r| *r == Some(false)) {
                let config = load(&ConfigOnly(&tree))?.discussion.config;
                let mut listing = stored.cached.listing;
                listing.config = config;
                return Ok((listing, Outcome::Hit, watched));
            }
            narrowed = Some(((0..flat.len()).collect(), results));
        }
        if let Some(mut cached) = stored.into_cached() {
            let results = match narrowed {
                Some((checked, results)) => {
                    let mut all = vec![Some(false); cached.stamps.len()];
                    for (index, result) in checked.into_iter().zip(results) {
                        if let Some(slot) = all.get_mut(index) {
                            *slot = result;
                        }
                    }
                    all
                }
                None => stamps::check_each(root, &cached.stamps, now),
            };
            let changes = Changes::of(root, &cached.stamps, &results);
            if changes.none() {
                let config = load(&ConfigOnly(&tree))?.discussion.config;
                let settled = results.contains(&Some(true));
                let new_token = token.is_some() && cached.token != token;
                let outcome = if settled || new_token {
                    stamps::settle(&mut cached.stamps, now);
                    if token.is_some() {
                        cached.token = token;
                    }
                    file::write(&location, root, &cached);
                    Outcome::Refreshed
                } else {
                    Outcome::Hit
                };
                let mut listing = cached.listing;
                listing.config = config;
                return Ok((listing, outcome, watched));
            }
            if !changes.global {
                if let Some(mut updated) = update(&tree, cached, changes, now)? {
                    updated.token = token;
                    file::write(&location, root, &updated);
                    return Ok((updated.listing, Outcome::Updated, watched));
                }
            }
        }
    }
    let recorder = stamps::Recorder::new(&tree, now);
    let loaded = load(&recorder)?;
    let listing = Listing::of(&loaded);
    let Some(stamps) = recorder.finish() else {
        return Ok((listing, Outcome::Uncached, watched));
    };
    let cached = file::Cached {
        listing,
        stamps,
        unit_errors: unit_errors(&loaded.diagnostics),
        token,
    };
    file::write(&location, root, &cached);
    Ok((cached.listing, Outcome::Built, watched))
}

/// Checks only the stamps the watcher cannot vouch for: those of a reported path, of
/// anything under one, of a reported path's parent directory, and those outside what it
/// watches. Returns their indices and, for each, what [`stamps::check_each`] says.
fn check_narrowed(
    root: &Path,
    raw: &file::RawStamps,
    reported: &[String],
    now: i64,
) -> (Vec<usize>, Vec<Option<bool>>) {
    let paths: HashSet<&str> = reported.iter().map(String::as_str).collect();
    let parents: HashSet<&str> = reported
        .iter()
        .map(|p| p.rsplit_once('/').map_or("", |(parent, _)| parent))
        .collect();
    let touched = |path: &str| {
        if paths.is_empty() {
            return false;
        }
        if paths.contains(path) || parents.contains(path) {
            return true;
        }
        let mut rest = path;
        while let Some((parent, _)) = rest.rsplit_once('/') {
            if paths.contains(parent) {
                return true;
            }
            rest = parent;
        }
        // Everything is under the root.
        paths.contains("")
    };
    if reported.is_empty() && raw.unwatched() == 0 {
        // Nothing to look at: the stamps section is not even read.
        return (Vec::new(), Vec::new());
    }
    let mut indices = Vec::new();
    let mut checked = Vec::new();
    let decoded = raw.each(|index, path, stat, digest| {
        if !longhand_watch::covered(path) || touched(path) {
            indices.push(index);
            checked.push(stamps::Stamp {
                path: path.to_owned(),
                stat,
                digest,
            });
        }
    });
    if decoded.is_none() {
        // A section that does not decode: the caller falls back to building.
        return (Vec::new(), vec![None]);
    }
    let results = stamps::check_each(root, &checked, now);
    (indices, results)
}

/// Which part of the discussion a root-relative path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit<'a> {
    /// The directory `threads` itself (its listing).
    Threads,
    /// An entry of `threads/` and everything under it.
    Thread(&'a str),
    /// Anything else: `longhand.yaml`, `decisions/`, the root's entries.
    Global,
}

fn unit_of(path: &str) -> Unit<'_> {
    if path == "threads" {
        return Unit::Threads;
    }
    match path.strip_prefix("threads/") {
        Some(rest) => Unit::Thread(rest.split('/').next().unwrap_or(rest)),
        None => Unit::Global,
    }
}

/// The errors of each entry of `threads/`.
fn unit_errors(diagnostics: &[crate::Diagnostic]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for d in diagnostics {
        if d.severity() == Severity::Error {
            if let Unit::Thread(name) = unit_of(&d.path) {
                *counts.entry(name.to_owned()).or_insert(0) += 1;
            }
        }
    }
    counts
}

/// What failed stamps say changed.
struct Changes {
    /// A stamp outside `threads/<name>` failed (or `threads` is no longer a directory): only
    /// a full build will do.
    global: bool,
    /// The listing of `threads/` changed: entries were added or removed.
    listing: bool,
    /// Entries of `threads/` whose own stamps failed.
    units: BTreeSet<String>,
}

impl Changes {
    fn of(root: &Path, stamps: &[stamps::Stamp], results: &[Option<bool>]) -> Changes {
        let mut changes = Changes {
            global: false,
            listing: false,
            units: BTreeSet::new(),
        };
        for (stamp, result) in stamps.iter().zip(results) {
            if result.is_some() {
                continue;
            }
            match unit_of(&stamp.path) {
                Unit::Global => changes.global = true,
                Unit::Threads => changes.listing = true,
                Unit::Thread(name) => {
                    changes.units.insert(name.to_owned());
                }
            }
        }
        if changes.listing {
            let threads = stamps::stat(&stamps::full_path(root, "threads"));
            if !matches!(threads, Ok(Some(stat)) if stat.is_dir()) {
                changes.global = true;
            }
        }
        changes
    }

    fn none(&self) -> bool {
        !self.global && !self.listing && self.units.is_empty()
    }
}

/// The cache brought up to date by loading only the entries of `threads/` that changed or
/// appeared (through [`Only`], which shows loading nothing else but `longhand.yaml`), keeping
/// the rest. `None` when the new stamps cannot vouch for what was read.
fn update(
    tree: &WorkTree,
    old: file::Cached,
    changes: Changes,
    now: i64,
) -> Result<Option<file::Cached>> {
    let known: BTreeSet<String> = old
        .stamps
        .iter()
        .filter_map(|s| match unit_of(&s.path) {
            Unit::Thread(name) => Some(name.to_owned()),
            _ => None,
        })
        .collect();
    let recorder = stamps::Recorder::new(tree, now);
    let only = Only {
        inner: &recorder,
        changed: &changes.units,
        known: &known,
        present: RefCell::new(None),
    };
    let loaded = load(&only)?;
    // Every entry of `threads/` now: those to keep are the unchanged ones still there.
    let present = only.present.into_inner().unwrap_or_default();
    let Some(fresh) = recorder.finish() else {
        return Ok(None);
    };
    // Kept: entries still there, unchanged, and stamped before (an entry loading never
    // looked into, such as a link, is loaded again: nothing vouches for it).
    let keep = |name: &str| {
        present.contains(name) && !changes.units.contains(name) && known.contains(name)
    };
    let mut stamps: Vec<stamps::Stamp> = old
        .stamps
        .into_iter()
        .filter(|s| match unit_of(&s.path) {
            Unit::Global => true,
            Unit::Threads => false,
            Unit::Thread(name) => keep(name),
        })
        .collect();
    stamps.extend(fresh.into_iter().filter(|s| match unit_of(&s.path) {
        Unit::Global => false,
        Unit::Threads => true,
        Unit::Thread(name) => !keep(name),
    }));
    stamps.sort_by(|a, b| a.path.cmp(&b.path));
    let mut unit_errors = old.unit_errors;
    let old_unit_total: u64 = unit_errors.values().sum();
    let global_errors = (old.listing.errors as u64).saturating_sub(old_unit_total);
    unit_errors.retain(|name, _| keep(name));
    unit_errors.extend(self::unit_errors(&loaded.diagnostics));
    let errors = global_errors + unit_errors.values().sum::<u64>();
    let fresh_listing = Listing::of_discussion(&loaded.discussion, 0);
    let mut threads: Vec<ListEntry> = old
        .listing
        .threads
        .into_iter()
        .filter(|e| keep(&e.thread.slug))
        .chain(fresh_listing.threads)
        .collect();
    threads.sort_by(|a, b| a.thread.slug.cmp(&b.thread.slug));
    Ok(Some(file::Cached {
        listing: Listing {
            config: loaded.discussion.config,
            threads,
            // `decisions/` is outside `threads/`: a change there is global and rebuilds.
            decisions: old.listing.decisions,
            errors: usize::try_from(errors).unwrap_or(usize::MAX),
        },
        stamps,
        unit_errors,
        token: None,
    }))
}

/// The work tree as loading sees it for an update: `longhand.yaml`, and of `threads/` only
/// the entries that changed or are new; no `decisions/`.
struct Only<'a> {
    inner: &'a dyn Source,
    changed: &'a BTreeSet<String>,
    known: &'a BTreeSet<String>,
    /// The names `threads/` holds now, once listed.
    present: RefCell<Option<BTreeSet<String>>>,
}

impl Source for Only<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        match unit_of(path) {
            Unit::Global if path != CONFIG_FILE => Ok(None),
            _ => self.inner.kind(path),
        }
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let entries = self.inner.list(dir)?;
        if dir != "threads" {
            return Ok(entries);
        }
        *self.present.borrow_mut() = Some(entries.iter().map(|e| e.name.clone()).collect());
        Ok(entries
            .into_iter()
            .filter(|e| self.changed.contains(&e.name) || !self.known.contains(e.name.as_str()))
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
        let cached = file::Cached {
            listing,
            stamps,
            unit_errors: BTreeMap::new(),
            token: Some(longhand_watch::protocol::Token {
                instance: "0a1b".into(),
                sequence: 7,
            }),
        };
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
    fn what_awaits_anyone_is_the_same_from_a_cached_listing_as_from_the_model() {
        use crate::model::Who;
        use crate::read::inbox::{awaiting, Done};
        let loaded = load(&WorkTree::new(example())).unwrap();
        let listing = Listing::of(&loaded);
        let root = example();
        let cached = file::Cached {
            listing: listing.clone(),
            stamps: Vec::new(),
            unit_errors: BTreeMap::new(),
            token: None,
        };
        let mut decoded = file::decode(&file::encode(&root, &cached), &root)
            .unwrap()
            .listing;
        decoded.config = listing.config.clone();
        assert_eq!(decoded, listing, "the listing survives the cache");
        let d = &loaded.discussion;
        let mut people: Vec<Who> = d
            .config
            .as_ref()
            .unwrap()
            .people
            .keys()
            .map(|h| Who::Person(h.clone()))
            .collect();
        people.push(Who::Email("people-ops@example.org".into()));
        let mut seen = 0;
        for now in [
            "2026-11-20T00:00:00Z",
            "2026-11-26T09:00:00Z",
            "2027-01-01T00:00:00Z",
        ] {
            let now: jiff::Timestamp = now.parse().unwrap();
            for who in &people {
                let fresh = awaiting(&listing, who, now, &Done::default());
                seen += fresh.len();
                assert_eq!(
                    fresh,
                    awaiting(&decoded, who, now, &Done::default()),
                    "{who} at {now}"
                );
            }
        }
        assert!(seen > 0, "the example has inbox items");
        assert!(
            listing.threads.iter().any(|e| !e.mentions.is_empty()),
            "and mentions"
        );
        assert!(
            listing.threads.iter().any(|e| !e.votes.is_empty()) && !listing.decisions.is_empty(),
            "and votes and decisions"
        );
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
    fn a_narrowed_check_looks_at_reported_paths_what_is_under_them_their_parents_and_the_unwatched()
    {
        let paths = [
            "",
            "longhand.yaml",
            "src/x",
            "threads",
            "threads/a",
            "threads/a/thread.md",
            "threads/b",
            "threads/b/thread.md",
        ];
        let cached = file::Cached {
            listing: Listing {
                config: None,
                threads: Vec::new(),
                decisions: Vec::new(),
                errors: 0,
            },
            stamps: paths
                .iter()
                .map(|p| stamps::Stamp {
                    path: (*p).to_owned(),
                    stat: None,
                    digest: None,
                })
                .collect(),
            unit_errors: BTreeMap::new(),
            token: None,
        };
        let root = Path::new("/nonexistent-root");
        let stored = file::decode_stored(&file::encode(root, &cached), root).unwrap();
        let checked = |reported: &[&str]| -> Vec<&str> {
            let reported: Vec<String> = reported.iter().map(|p| (*p).to_owned()).collect();
            let (indices, results) = check_narrowed(root, &stored.stamps, &reported, 0);
            assert_eq!(indices.len(), results.len());
            indices.into_iter().map(|i| paths[i]).collect()
        };
        // Nothing reported: only what the watcher does not watch.
        assert_eq!(checked(&[]), ["src/x"]);
        // A new file: its parent's listing changed.
        assert_eq!(checked(&["threads/a/new.md"]), ["src/x", "threads/a"]);
        // A directory (renamed, replaced): everything under it, and its parent.
        assert_eq!(
            checked(&["threads/b"]),
            ["src/x", "threads", "threads/b", "threads/b/thread.md"]
        );
        // A root entry; and the root itself, which covers everything.
        assert_eq!(checked(&["longhand.yaml"]), ["", "longhand.yaml", "src/x"]);
        assert_eq!(checked(&[""]), paths);
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
