//! History rules (spec section 13): what must hold between commits, not just in one tree —
//! replies are append-only, messages are added by their authors, headers and decisions are
//! edited only by the people allowed to, statuses move along the allowed transitions, and ids
//! and slugs are never reused.
//!
//! [`verify`] walks a range of commits with git2 (bare repositories included), oldest first,
//! and compares each commit with its parent, reading only the blobs the commit touched.
//! [`check_tree_change`] is the incremental tree validation a hook runs on a pushed tip.
//!
//! Two parts: the rules themselves (`rules`, and the walk and tree comparison
//! here) and the push-check acceleration (`incremental`: the incremental check, its narrow
//! path and the id index under `<gitdir>/longhand/`), which only makes a hook fast and is
//! pinned to a full validation by its own tests. The rules never depend on the acceleration.
//! Neither stops at the first problem: every finding is a [`Diagnostic`] in the [`Report`].
//! This module does not validate trees itself (that is [`crate::validate`]).
//!
//! Signatures (spec section 15) are verified in process from the files themselves
//! ([`crate::signature`]); no child process is started.

pub(crate) mod incremental;
mod rules;

use std::path::Path;
use std::sync::Arc;

use git2::{ObjectType, Oid, Repository, Sort, Tree};
use jiff::{SignedDuration, Timestamp};

use crate::diagnostic::{Diagnostic, Report};
use crate::load::names;
use crate::source::trees::{RawEntry, RawTree, TreeStore};
use crate::Result;

pub use incremental::check_tree_change;

/// Checks every commit reachable from `tip` and not from `base` (`None`: from the root
/// commit), oldest first, against the history rules, for the discussion at `root` (a path
/// inside the repository, `""` or `"."` for the top). Works in bare repositories. Never stops
/// at the first problem.
///
/// A commit that touches nothing under `root` costs one tree comparison. For other commits
/// only the blobs of the files they touched are read. Ids and slugs are compared with every
/// file the range touched (with `base = None`, the whole history); an id still present in
/// the tip's tree is also caught by the tree rule LH401.
///
/// Under `policy.authorship: signed`, every message a commit adds or changes must carry a
/// good signature by a key of the roster in force (LH707), verified in process; the signer,
/// not the commit's author, is who acted (spec section 15.4).
///
/// # Threads
///
/// The walk runs on the calling thread. A rule that needs a commit's whole discussion
/// (LH715, the votes behind a decision's status) loads it with [`crate::load()`], which
/// parses on rayon's global pool ([`crate::Parallelism::Global`]).
pub fn verify(repo: &Repository, root: &str, base: Option<Oid>, tip: Oid) -> Result<Report> {
    verify_with(
        repo,
        &TreeStore::new(),
        root,
        base,
        tip,
        &Judging::for_range(base, Timestamp::now()),
    )
}

/// [`verify`] with the clock and the strictness given as a value: `judging.now` is the
/// checking clock (spec section 13.1: a commit's instant is its committer date, never later
/// than this clock plus [`CLOCK_SKEW`]).
pub fn verify_judging(
    repo: &Repository,
    root: &str,
    base: Option<Oid>,
    tip: Oid,
    judging: &Judging,
) -> Result<Report> {
    verify_with(repo, &TreeStore::new(), root, base, tip, judging)
}

/// The first instant of the second revision of the history rules (spec section 13.7): the
/// strict merge judgement, final redactions, the guarded roster and checked decision
/// statuses. In an audit of a whole history (no base), a commit dated before it is judged by
/// the rules of its time, so a repository valid before this revision stays valid.
pub const STRICT_SINCE: &str = "2026-12-07T00:00:00Z";

/// The first instant of the third revision (spec section 15.5): signed actions. In an audit
/// of a whole history (no base), a commit dated before it is not checked for signatures
/// (LH707 then meant a signed commit, which `git verify-commit` judged on the checking
/// machine's own set-up).
pub const SIGNED_SINCE: &str = "2026-12-08T00:00:00Z";

/// How far in the future of the checking clock a commit's date is believed (spec 13.1).
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(300);

/// How a range of commits is judged: the checking clock, and which commits the second
/// revision of the rules (section 13.7) applies to.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Judging {
    /// The checking clock (the server's, in a hook).
    pub now: Timestamp,
    /// Commits whose committer date is before this instant are judged by the first revision
    /// of the rules; `None`: every commit is judged by the current rules.
    pub legacy_before: Option<Timestamp>,
}

impl Judging {
    /// Every commit judged by the current rules, against `now`: what a hook does, since what
    /// it checks lands now.
    pub fn strict(now: Timestamp) -> Judging {
        Judging {
            now,
            legacy_before: None,
        }
    }

    /// What `verify` does: a range with a base is new work, judged by the current rules; the
    /// whole history (no base) is an audit, where commits dated before [`STRICT_SINCE`] keep
    /// the rules of their time.
    pub fn for_range(base: Option<Oid>, now: Timestamp) -> Judging {
        Judging {
            now,
            legacy_before: match base {
                Some(_) => None,
                None => STRICT_SINCE.parse().ok(),
            },
        }
    }

    /// Whether `commit` is judged by the current rules.
    pub(crate) fn is_strict(&self, commit: &git2::Commit<'_>) -> bool {
        match self.legacy_before {
            None => true,
            Some(since) => commit_instant(commit).is_none_or(|at| at >= since),
        }
    }

    /// Whether `commit` is judged by the third revision (signed actions, LH707).
    pub(crate) fn signs_required(&self, commit: &git2::Commit<'_>) -> bool {
        match self.legacy_before {
            None => true,
            Some(_) => {
                let since: Option<Timestamp> = SIGNED_SINCE.parse().ok();
                commit_instant(commit).is_none_or(|at| since.is_none_or(|since| at >= since))
            }
        }
    }

    /// The instant a commit is judged at: its committer date, never later than the clock
    /// plus [`CLOCK_SKEW`].
    pub(crate) fn instant_of(&self, commit: &git2::Commit<'_>) -> Timestamp {
        let latest = self.latest();
        commit_instant(commit).map_or(latest, |at| at.min(latest))
    }

    /// The latest instant a commit can be judged at: the clock plus [`CLOCK_SKEW`].
    pub(crate) fn latest(&self) -> Timestamp {
        self.now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX)
    }
}

/// A commit's committer date as an instant.
fn commit_instant(commit: &git2::Commit<'_>) -> Option<Timestamp> {
    Timestamp::from_second(commit.committer().when().seconds()).ok()
}

/// [`verify`], reading trees through `trees` (shared with the rest of one check).
pub(crate) fn verify_with(
    repo: &Repository,
    trees: &TreeStore,
    root: &str,
    base: Option<Oid>,
    tip: Oid,
    judging: &Judging,
) -> Result<Report> {
    let prefix = prefix_of(root);
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    walk.push(tip)?;
    if let Some(base) = base {
        walk.hide(base)?;
    }
    let mut state = rules::State::default();
    if let Some(base) = base {
        state.set_range_roster(repo, &prefix, base)?;
    }
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        let strict = judging.is_strict(&commit);
        let check = rules::Check {
            prefix: &prefix,
            strict,
            signed: judging.signs_required(&commit),
            instant: judging.instant_of(&commit),
            latest: judging.latest(),
            // A range with a base is what arrives now: a decision it adds began its review
            // no earlier than the checking clock, whatever its `date` says (spec 13.2).
            arrived: base.map(|_| judging.now),
        };
        rules::check_commit(repo, trees, &check, &commit, &mut state, &mut diagnostics)?;
    }
    Ok(Report::new(diagnostics, state.files))
}

/// Whether the discussion at `root` exists (has a `longhand.yaml`) at `base` or at any
/// commit of `base..tip`: a range whose tip deleted the discussion is still worth checking,
/// while a root that never existed is a mistake in the arguments.
pub fn holds_discussion(
    repo: &Repository,
    root: &str,
    base: Option<Oid>,
    tip: Oid,
) -> Result<bool> {
    let prefix = prefix_of(root);
    let config = if prefix.is_empty() {
        crate::source::CONFIG_FILE.to_owned()
    } else {
        format!("{prefix}/{}", crate::source::CONFIG_FILE)
    };
    let has = |oid: Oid| -> Result<bool> {
        let tree = repo.find_commit(oid)?.tree()?;
        Ok(blob_at(&tree, &config).is_some())
    };
    if let Some(base) = base {
        if has(base)? {
            return Ok(true);
        }
    }
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    if let Some(base) = base {
        walk.hide(base)?;
    }
    for oid in walk {
        if has(oid?)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The discussion root as a tree path: no leading or trailing `/`, `""` for the top.
pub(crate) fn prefix_of(root: &str) -> String {
    let trimmed = root.trim_matches('/');
    let parts: Vec<&str> = trimmed
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    parts.join("/")
}

/// The tree at `prefix` inside `tree`, or `None` when there is no directory there.
pub(crate) fn subtree<'r>(
    repo: &'r Repository,
    tree: Tree<'r>,
    prefix: &str,
) -> Result<Option<Tree<'r>>> {
    if prefix.is_empty() {
        return Ok(Some(tree));
    }
    match tree.get_path(Path::new(prefix)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
            Ok(Some(repo.find_tree(entry.id())?))
        }
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The blob at `path` inside `tree`, when there is a regular file there.
pub(crate) fn blob_at(tree: &Tree<'_>, path: &str) -> Option<Oid> {
    let entry = tree.get_path(Path::new(path)).ok()?;
    is_file_mode(entry.filemode()).then(|| entry.id())
}

/// One side of an entry that differs between two trees: its id and git file mode.
pub(crate) type Side = (Oid, i32);

/// An entry met comparing two trees: its path, old side, new side.
pub(crate) type Met = (String, Option<Side>, Option<Side>);

/// The paths (below the trees, `/`-separated, non-UTF-8 bytes replaced) of every non-tree
/// entry that differs between two trees, sorted; and every entry met on the way (sub-trees
/// and files, either side) whose name is UTF-8: path, old side, new side. A caller reading
/// the same trees can take these as known rather than look them up again. Unlike libgit2's
/// tree diff, which walks every file, a sub-tree with the same id on both sides is skipped
/// without being read, so the cost follows the change, not the size of the trees.
pub(crate) fn changed_entries(
    repo: &Repository,
    trees: &TreeStore,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<(Vec<String>, Vec<Met>)> {
    changed_entries_up_to(repo, trees, old, new, usize::MAX)
}

/// [`changed_entries`], stopping once more than `limit` changed paths are found: the caller
/// that only needs to know whether a change is larger than `limit` reads no more trees than
/// that takes (the paths found so far are returned, more than `limit` of them).
pub(crate) fn changed_entries_up_to(
    repo: &Repository,
    trees: &TreeStore,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    limit: usize,
) -> Result<(Vec<String>, Vec<Met>)> {
    let found = compare_up_to(repo, trees, old, new, limit)?;
    Ok((found.changed, found.met))
}

/// What [`compare`] found.
pub(crate) struct Found {
    /// The paths of the non-tree entries that differ, as [`changed_entries`] gives them.
    pub changed: Vec<String>,
    /// The entries met, as [`changed_entries`] gives them.
    pub met: Vec<Met>,
    /// LH212 for every entry the new tree adds or alters (submodules included) that is
    /// hostile ([`crate::load::names`]), where the loader checks names: the root's own
    /// entries, and everything below `threads/` and `decisions/` except below a hidden or
    /// hostile directory.
    pub hostile: Vec<Diagnostic>,
}

/// [`changed_entries`] between two trees taken as discussion roots, with the hostile
/// entries the new tree adds or alters.
pub(crate) fn compare(
    repo: &Repository,
    trees: &TreeStore,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Found> {
    compare_up_to(repo, trees, old, new, usize::MAX)
}

/// [`compare`], stopping once more than `limit` changed paths are found.
fn compare_up_to(
    repo: &Repository,
    trees: &TreeStore,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    limit: usize,
) -> Result<Found> {
    let mut found = Found {
        changed: Vec::new(),
        met: Vec::new(),
        hostile: Vec::new(),
    };
    let old = old.map(|t| trees.tree_to_keep(repo, t.id())).transpose()?;
    let new = new.map(|t| trees.tree_to_keep(repo, t.id())).transpose()?;
    let walk = Walk { repo, trees, limit };
    let at = Place {
        dir: "",
        names: Names::Root,
        paths: true,
    };
    walk.changes(old.as_deref(), new.as_deref(), &at, &mut found)?;
    found.changed.sort();
    found.changed.dedup();
    Ok(found)
}

/// The comparison of two trees: where the trees are read.
struct Walk<'a> {
    repo: &'a Repository,
    trees: &'a TreeStore,
    /// Stop once more than this many changed paths are found.
    limit: usize,
}

/// Whose entry names a directory's entries are checked as (see [`Found::hostile`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Names {
    /// The root's own entries: checked; only `threads` and `decisions` are entered.
    Root,
    /// Below `threads/` or `decisions/`: checked, and entered unless hidden or hostile.
    Layout,
    /// Anywhere else: not checked.
    Unchecked,
}

/// Where the comparison stands: the directory, how its entries' names are checked, and
/// whether every name on the way to it is a path segment ([`crate::source::is_segment`]),
/// so that the paths below it name their entries.
struct Place<'a> {
    dir: &'a str,
    names: Names,
    paths: bool,
}

impl Walk<'_> {
    fn changes(
        &self,
        old: Option<&RawTree>,
        new: Option<&RawTree>,
        at: &Place<'_>,
        found: &mut Found,
    ) -> Result<()> {
        let dir = at.dir;
        // Submodules are left out, as the tree diffs ignore them.
        let kept = |entry: &RawEntry<'_>| entry.mode & 0o170000 != 0o160000;
        // Entries the same byte for byte at the start and the end of both are skipped.
        let (old_range, new_range) = match (old, new) {
            (Some(old), Some(new)) => old.differing(new),
            (old, new) => (0..old.map_or(0, |t| t.len()), 0..new.map_or(0, |t| t.len())),
        };
        // A submodule the new tree adds or alters is hostile where names are checked.
        if at.names != Names::Unchecked {
            for entry in new
                .into_iter()
                .flat_map(|t| t.entries_in(new_range.clone()))
            {
                let before = old.and_then(|t| t.get(entry.name));
                if kept(&entry) || before.map(|e| (e.oid, e.mode)) == Some((entry.oid, entry.mode))
                {
                    continue;
                }
                if let Some(hostile) = names::check_entry(dir, entry.name, true) {
                    found
                        .hostile
                        .push(names::diagnostic(dir, entry.name, &hostile));
                }
            }
        }
        let mut before = old
            .into_iter()
            .flat_map(|t| t.entries_in(old_range.clone()))
            .filter(kept)
            .peekable();
        let mut after = new
            .into_iter()
            .flat_map(|t| t.entries_in(new_range.clone()))
            .filter(kept)
            .peekable();
        // Both trees list their entries in git's order (a sub-tree's name compared as if it
        // ended in `/`): one merging pass pairs them, with no map of names and no allocation
        // for the entries that are the same on both sides.
        loop {
            if found.changed.len() > self.limit {
                break;
            }
            let order = match (before.peek(), after.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(a), Some(b)) => git_order(a, b),
            };
            let (a, b) = match order {
                std::cmp::Ordering::Less => (before.next(), None),
                std::cmp::Ordering::Greater => (None, after.next()),
                std::cmp::Ordering::Equal => (before.next(), after.next()),
            };
            let side = |e: &Option<RawEntry<'_>>| e.as_ref().map(|e| (e.oid, e.mode));
            if side(&a) == side(&b) {
                continue;
            }
            let Some(name) = a.as_ref().or(b.as_ref()).map(|e| e.name) else {
                continue;
            };
            let path = if dir.is_empty() {
                String::from_utf8_lossy(name).into_owned()
            } else {
                format!("{dir}/{}", String::from_utf8_lossy(name))
            };
            let paths = at.paths && crate::source::is_segment(name);
            if paths {
                found.met.push((path.clone(), side(&a), side(&b)));
            }
            // The new side's name, where names are checked; a hostile directory is not
            // entered by the loader, so the names below it are not checked either.
            let mut names_below = match (at.names, name) {
                (Names::Root, b"threads" | b"decisions") | (Names::Layout, _) => Names::Layout,
                _ => Names::Unchecked,
            };
            if let (Some(entry), true) = (&b, at.names != Names::Unchecked) {
                if let Some(hostile) = names::check_entry(dir, entry.name, false) {
                    found
                        .hostile
                        .push(names::diagnostic(dir, entry.name, &hostile));
                    names_below = Names::Unchecked;
                }
            }
            if name.starts_with(b".") {
                names_below = Names::Unchecked;
            }
            let tree_of = |e: &Option<RawEntry<'_>>| -> Result<Option<Arc<RawTree>>> {
                match e {
                    Some(e) if e.is_tree() => Ok(Some(self.trees.tree_to_keep(self.repo, e.oid)?)),
                    _ => Ok(None),
                }
            };
            let (old_tree, new_tree) = (tree_of(&a)?, tree_of(&b)?);
            // A file (or link) on either side is a changed path of its own.
            if (a.is_some() && old_tree.is_none()) || (b.is_some() && new_tree.is_none()) {
                found.changed.push(path.clone());
            }
            if new_tree.is_none() {
                // Gone, or no longer a directory: nothing below it is the new tree's.
                names_below = Names::Unchecked;
            }
            if old_tree.is_some() || new_tree.is_some() {
                let below = Place {
                    dir: &path,
                    names: names_below,
                    paths,
                };
                self.changes(old_tree.as_deref(), new_tree.as_deref(), &below, found)?;
            }
        }
        Ok(())
    }
}

/// Git's order of tree entries: by name, a sub-tree's name compared as if it ended in `/`.
fn git_order(a: &RawEntry<'_>, b: &RawEntry<'_>) -> std::cmp::Ordering {
    let slash = |e: &RawEntry<'_>| e.is_tree().then_some(b'/');
    let a_key = a.name.iter().copied().chain(slash(a));
    let b_key = b.name.iter().copied().chain(slash(b));
    a_key.cmp(b_key)
}

/// Whether a git file mode is a regular file (executable or not).
pub(crate) fn is_file_mode(mode: i32) -> bool {
    mode & 0o170000 == 0o100000
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
