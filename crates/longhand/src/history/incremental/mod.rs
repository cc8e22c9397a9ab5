//! The push-check acceleration — incremental tree validation: the diagnostics a full
//! `validate::run` would give for the files a change touched and the files it can affect,
//! without reading the others. What a hook runs on a pushed tip, besides the history rules
//! of the parent module. Its parts: this general path, the narrow path ([`narrow`]) and the
//! id index ([`ids`]) the narrow path asks; their tests are in `tests.rs` here.
//!
//! The tree of the new commit is read through [`Subset`], a source that hides the replies
//! no rule about the change needs, and the ordinary pipeline (`validate::run`) runs over
//! it, so the diagnostics are the full validator's own. What is read:
//!
//! - every thread header and decision record (ids are unique across all of them, and
//!   references between records, supersede chains and votes need them), and a listing of
//!   every thread directory (reply ids are file names: no blob is read for them);
//! - the touched files, and the replies they refer to: the `reply-to` chain up to the
//!   opening post, a `reply-to` target in another thread, a reply whose id a new file takes;
//! - every reply of a thread whose structure the change can affect for untouched replies:
//!   a reply deleted or renamed, or its `id`, `date` or `reply-to` changed; a `thread.md`
//!   added, deleted, or its `id` or `date` changed; a decision added, deleted or pointed at
//!   another thread (its votes); the thread a header's `merged-into` names, old or new,
//!   when that or the header's id changes (moved replies may answer the merged thread).
//!
//! Entry names (LH212, [`crate::load::names`]) are judged by the tree comparison itself
//! ([`super::compare`]), which meets every entry the change adds or alters, submodules
//! included; the paths below report no LH212 of their own.
//!
//! A change made only of files under `threads/<slug>/` and decision records — added,
//! edited or deleted — takes the narrow path first ([`narrow`]): it reads what the
//! change touched and what refers to it or what it refers to, found through the id index
//! ([`ids`]), not every header. This general path is for the rest (files elsewhere,
//! records that cannot be parsed). A change to `longhand.yaml`, or no known-good `old`,
//! means a full validation. Not covered here: a relative link (LH408, a warning) in an
//! untouched body whose target the change deleted — finding it would mean reading every
//! body (the narrow path finds it through the index).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use git2::{Oid, Repository};

use crate::diagnostic::{Code, Diagnostic, Report};
use crate::document::MAX_FILE_BYTES;
use crate::load::{record, Place, Record, MAX_REPLIES_PER_THREAD};
use crate::model::Id;
use crate::source::trees::TreeStore;
use crate::source::{join, Contents, Entry, EntryKind, GitTree, Source, CONFIG_FILE};
use crate::{validate, Parallelism, Result};

use super::{prefix_of, subtree};
use narrow::narrow;

pub(crate) mod ids;
pub(crate) mod narrow;
#[cfg(test)]
mod tests;

/// Validates the tree of `new` incrementally against `old` (the last state known good, such
/// as the ref's old tip): only the files the change touched, plus the files that refer to
/// them or that they refer to, are checked, and the result holds the diagnostics a full
/// [`validate::run`] reports for those files. `old = None`, or a change to `longhand.yaml`:
/// a full validation. Works in bare repositories.
///
/// # Threads
///
/// The validation runs as [`validate::run`] does: parsing and the tree rules on rayon's
/// global pool ([`crate::Parallelism::Global`]), the tree read on the calling thread.
pub fn check_tree_change(
    repo: &Repository,
    root: &str,
    old: Option<Oid>,
    new: Oid,
) -> Result<Report> {
    let trees = Arc::new(TreeStore::new());
    check_tree_change_with(repo, &trees, root, old, new, &Parallelism::default())
}

/// [`check_tree_change`], reading trees through `trees` (shared with the rest of one check).
pub(crate) fn check_tree_change_with(
    repo: &Repository,
    trees: &Arc<TreeStore>,
    root: &str,
    old: Option<Oid>,
    new: Oid,
    parallelism: &Parallelism,
) -> Result<Report> {
    let prefix = prefix_of(root);
    // The same object database, not the path reopened: in a pre-receive hook it holds
    // git's quarantine (the pushed objects), which `Repository::open` does not see.
    let open = || repo.odb().and_then(Repository::from_odb);
    let source =
        |rev: Oid| GitTree::with_trees(open()?, &rev.to_string(), &prefix, Arc::clone(trees));
    let new_source = source(new)?;
    let Some(old) = old else {
        return validate::run_with(&new_source, parallelism);
    };
    let old_tree = subtree(repo, repo.find_commit(old)?.tree()?, &prefix)?;
    let new_tree = subtree(repo, repo.find_commit(new)?.tree()?, &prefix)?;
    let (Some(old_tree), Some(new_tree)) = (old_tree, new_tree) else {
        return validate::run_with(&new_source, parallelism);
    };
    let found = super::compare(repo, trees, Some(&old_tree), Some(&new_tree))?;
    let (changes, met) = (found.changed, found.met);
    if changes.iter().any(|p| p == CONFIG_FILE) {
        return validate::run_with(&new_source, parallelism);
    }
    let old_source = source(old)?;
    // What the comparison met (the touched threads' directories, the files) is known to both
    // sources: looking it up again would read the large `threads/` tree once more in each.
    for (path, before, after) in &met {
        if let Some((oid, mode)) = before {
            old_source.know(path, *oid, *mode);
        }
        if let Some((oid, mode)) = after {
            new_source.know(path, *oid, *mode);
        }
    }
    let keys = (old_tree.id().to_string(), new_tree.id().to_string());
    let report = indexed(
        repo.path(),
        &keys,
        (&old_source, &new_source),
        &changes,
        parallelism,
    )?
    .report;
    // Entry names are judged by the comparison, which sees every entry the change adds or
    // alters (the narrow and general paths list only some directories, and see no
    // submodule): the same LH212 a full validation reports for those entries.
    let mut diagnostics = report.diagnostics;
    diagnostics.retain(|d| d.code != Code::HostileName);
    diagnostics.extend(found.hostile);
    Ok(Report::new(diagnostics, report.files))
}

/// What [`indexed`] found, and what it cost (the cost is read by the tests).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Indexed {
    /// The diagnostics.
    pub report: Report,
    /// Whether the narrow check took the change (else the general path did).
    pub narrow: bool,
    /// How many index shard files were read.
    pub shard_reads: usize,
}

/// The check of a change between two trees whose ids are `keys` (old, new), with the id
/// index kept under `git_dir`: the index of the new tree is derived from the old one's
/// (built once if missing or broken) and the diff, stored so that the next check starts from
/// it, and the narrow check runs with it; the general path ([`incremental`]) when the narrow
/// one does not apply.
pub(crate) fn indexed(
    git_dir: &Path,
    keys: &(String, String),
    (old_source, new_source): (&dyn Source, &dyn Source),
    changes: &[String],
    parallelism: &Parallelism,
) -> Result<Indexed> {
    let (old_key, new_key) = keys;
    let mut old_index = match ids::load(git_dir, old_key) {
        Some(index) => index,
        None => ids::rebuild(git_dir, old_key, old_source)?,
    };
    let mut new_index = old_index.derive(old_source, new_source, changes)?;
    let mut shard_reads = old_index.shard_reads();
    if old_index.broken() {
        old_index = ids::rebuild(git_dir, old_key, old_source)?;
        new_index = old_index.derive(old_source, new_source, changes)?;
    }
    let mut narrowed = narrow(new_source, old_source, changes, &new_index, parallelism)?;
    shard_reads += new_index.shard_reads();
    if new_index.broken() {
        new_index = ids::rebuild(git_dir, new_key, new_source)?;
        narrowed = narrow(new_source, old_source, changes, &new_index, parallelism)?;
    } else {
        new_index.store(git_dir, new_key);
    }
    Ok(match narrowed {
        Some(report) => Indexed {
            report,
            narrow: true,
            shard_reads,
        },
        None => Indexed {
            report: incremental(new_source, old_source, changes, parallelism)?,
            narrow: false,
            shard_reads,
        },
    })
}

/// The incremental pipeline over any two sources: `changed` lists every path (relative to
/// the root) whose entry differs between `old` and `new`.
pub(crate) fn incremental(
    new: &dyn Source,
    old: &dyn Source,
    changed: &[String],
    parallelism: &Parallelism,
) -> Result<Report> {
    let subset = Subset::select(new, old, changed)?;
    let mut report = validate::run_with(&subset, parallelism)?;
    // The reply count of a thread (LH605) needs every reply's name, not only the selected.
    report
        .diagnostics
        .retain(|d| d.code != Code::TooManyReplies || subset.whole_thread(thread_slug(&d.path)));
    let mut extra = Vec::new();
    for (slug, counted) in &subset.counts {
        if subset.whole_thread(slug) || *counted <= MAX_REPLIES_PER_THREAD {
            continue;
        }
        let dir = join("threads", slug);
        let message = format!("the thread has {counted} replies, over {MAX_REPLIES_PER_THREAD}");
        extra.push(if subset.headers.contains_key(slug) {
            Diagnostic::new(Code::TooManyReplies, join(&dir, "thread.md"), message).at(1, None)
        } else {
            Diagnostic::new(Code::TooManyReplies, dir, message)
        });
    }
    validate::attach_source_lines(&subset, &mut extra)?;
    let mut diagnostics = report.diagnostics;
    diagnostics.extend(extra);
    Ok(Report::new(diagnostics, report.files))
}

fn thread_slug(path: &str) -> &str {
    path.strip_prefix("threads/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("")
}

/// What of a thread directory the subset shows.
#[derive(Clone, Debug)]
enum Shown {
    /// Everything.
    Whole,
    /// `thread.md` and these entry names.
    Names(BTreeSet<String>),
}

/// The new tree with the replies no rule about the change needs hidden from listings.
struct Subset<'a> {
    inner: &'a dyn Source,
    threads: BTreeMap<String, Shown>,
    /// Each thread directory's entries, as listed once.
    listings: BTreeMap<String, Vec<Entry>>,
    /// Reply counts (as the loader counts them), per thread.
    counts: BTreeMap<String, usize>,
    /// Thread slugs whose directory has a `thread.md` → its id, when readable.
    headers: BTreeMap<String, Option<String>>,
    /// Bytes read while selecting, handed out once to the loader.
    cache: RefCell<HashMap<String, Vec<u8>>>,
}

impl<'a> Subset<'a> {
    fn select(new: &'a dyn Source, old: &dyn Source, changed: &[String]) -> Result<Subset<'a>> {
        let mut subset = Subset {
            inner: new,
            threads: BTreeMap::new(),
            listings: BTreeMap::new(),
            counts: BTreeMap::new(),
            headers: BTreeMap::new(),
            cache: RefCell::default(),
        };
        subset.list_threads()?;
        let mut new_ids: BTreeSet<String> = BTreeSet::new();
        let mut pending: Vec<(String, String)> = Vec::new(); // (thread, stem) to show
        let mut decision_threads: BTreeSet<String> = BTreeSet::new();
        let mut merge_targets: BTreeSet<String> = BTreeSet::new();
        for path in changed {
            let in_new = matches!(new.kind(path)?, Some(EntryKind::File));
            let in_old = matches!(old.kind(path)?, Some(EntryKind::File));
            match Place::of(path) {
                Place::Reply { slug, stem } => {
                    let before = if in_old {
                        read_record(old, path)?
                    } else {
                        None
                    };
                    let after = if in_new { subset.record(path)? } else { None };
                    match (&before, &after) {
                        (Some(Record::Reply(b)), Some(Record::Reply(a)))
                            if b.id == a.id && b.date == a.date && b.reply_to == a.reply_to => {}
                        (None, _) if !in_old => {}
                        _ => subset.show_whole(&slug),
                    }
                    if !in_old {
                        new_ids.insert(stem.clone());
                    }
                    // The id it states may differ from its name, and be taken elsewhere.
                    if let Some(Record::Reply(a)) = &after {
                        new_ids.insert(a.id.as_str().to_owned());
                    }
                    pending.push((slug, stem));
                }
                Place::Thread { slug } => {
                    let before = if in_old {
                        read_record(old, path)?
                    } else {
                        None
                    };
                    let after = if in_new { subset.record(path)? } else { None };
                    let merged = |r: &Option<Record>| match r {
                        Some(Record::Thread(t)) => t.merged_into.clone(),
                        _ => None,
                    };
                    match (&before, &after) {
                        (Some(Record::Thread(b)), Some(Record::Thread(a)))
                            if b.id == a.id && b.date == a.date => {}
                        _ => subset.show_whole(&slug),
                    }
                    // Replies moved into the thread this one is merged into may answer its
                    // opening post: a change to the merge, or to this id, affects them.
                    let same = matches!((&before, &after),
                        (Some(Record::Thread(b)), Some(Record::Thread(a)))
                            if b.id == a.id && b.merged_into == a.merged_into);
                    if !same {
                        merge_targets.extend(merged(&before));
                        merge_targets.extend(merged(&after));
                    }
                    if let Some(Record::Thread(a)) = &after {
                        new_ids.insert(a.id.as_str().to_owned());
                    }
                }
                Place::Decision { .. } => {
                    let before = if in_old {
                        read_record(old, path)?
                    } else {
                        None
                    };
                    let after = if in_new { subset.record(path)? } else { None };
                    let thread_of = |r: &Option<Record>| match r {
                        Some(Record::Decision(d)) => d.thread.clone(),
                        _ => None,
                    };
                    let (was, is) = (thread_of(&before), thread_of(&after));
                    if was != is || before.is_none() || after.is_none() {
                        decision_threads.extend(was);
                        decision_threads.extend(is);
                    }
                    if let Some(Record::Decision(a)) = &after {
                        new_ids.insert(a.id.as_str().to_owned());
                    }
                }
                Place::Config => {}
                Place::Other => {
                    // An attachment, or an odd entry in a thread directory: show it, and the
                    // reply it belongs to.
                    let parts: Vec<&str> = path.split('/').collect();
                    if let ["threads", slug, name, ..] = parts.as_slice() {
                        subset.show(slug, name);
                        if Id::parse(name).is_some() {
                            pending.push(((*slug).to_owned(), (*name).to_owned()));
                        }
                    }
                }
            }
        }
        for reference in decision_threads.into_iter().chain(merge_targets) {
            if let Some(slug) = subset.thread_named(&reference) {
                subset.show_whole(&slug);
            }
        }
        // A new id may be taken already by a reply anywhere: show that reply too.
        for (slug, entries) in &subset.listings {
            for entry in entries {
                if let Some(stem) = entry.name.strip_suffix(".md") {
                    if new_ids.contains(stem) {
                        pending.push((slug.clone(), stem.to_owned()));
                    }
                }
            }
        }
        subset.follow(pending)?;
        Ok(subset)
    }

    /// Lists `threads/` and every thread directory, and reads every `thread.md`.
    fn list_threads(&mut self) -> Result<()> {
        if self.inner.kind("threads")? != Some(EntryKind::Dir) {
            return Ok(());
        }
        for entry in self.inner.list("threads")? {
            if entry.kind != EntryKind::Dir || entry.name.starts_with('.') {
                continue;
            }
            let dir = join("threads", &entry.name);
            let entries = self.inner.list(&dir)?;
            let count = entries
                .iter()
                .filter(|e| matches!(e.kind, EntryKind::File | EntryKind::Symlink))
                .filter(|e| {
                    e.name
                        .strip_suffix(".md")
                        .is_some_and(|stem| stem != "thread" && Id::parse(stem).is_some())
                })
                .count();
            let header = join(&dir, "thread.md");
            let has_header = entries
                .iter()
                .any(|e| e.name == "thread.md" && e.kind == EntryKind::File);
            if has_header {
                let id = match self.record(&header)? {
                    Some(Record::Thread(t)) => Some(t.id.as_str().to_owned()),
                    _ => None,
                };
                self.headers.insert(entry.name.clone(), id);
            }
            self.counts.insert(entry.name.clone(), count);
            self.listings.insert(entry.name.clone(), entries);
            self.threads
                .insert(entry.name.clone(), Shown::Names(BTreeSet::new()));
        }
        Ok(())
    }

    /// The slug of the thread a reference (slug or id) names.
    fn thread_named(&self, reference: &str) -> Option<String> {
        if self.threads.contains_key(reference) {
            return Some(reference.to_owned());
        }
        self.headers
            .iter()
            .find(|(_, id)| id.as_deref() == Some(reference))
            .map(|(slug, _)| slug.clone())
    }

    fn show_whole(&mut self, slug: &str) {
        self.threads.insert(slug.to_owned(), Shown::Whole);
    }

    fn show(&mut self, slug: &str, name: &str) {
        if let Some(Shown::Names(names)) = self.threads.get_mut(slug) {
            names.insert(name.to_owned());
        }
    }

    fn whole_thread(&self, slug: &str) -> bool {
        matches!(self.threads.get(slug), Some(Shown::Whole))
    }

    /// Shows each pending reply (and its attachments), then the replies its `reply-to`
    /// names: up the chain in its thread, or the target in another thread.
    fn follow(&mut self, mut pending: Vec<(String, String)>) -> Result<()> {
        let mut done: BTreeSet<(String, String)> = BTreeSet::new();
        while let Some((slug, stem)) = pending.pop() {
            if !done.insert((slug.clone(), stem.clone())) {
                continue;
            }
            self.show(&slug, &format!("{stem}.md"));
            self.show(&slug, &stem);
            let path = format!("threads/{slug}/{stem}.md");
            if self.inner.kind(&path)? != Some(EntryKind::File) {
                continue;
            }
            let Some(Record::Reply(reply)) = self.record(&path)? else {
                continue;
            };
            let Some(target) = reply.reply_to else {
                continue;
            };
            let name = format!("{target}.md");
            let holder = if self.has_entry(&slug, &name) {
                Some(slug.clone())
            } else {
                self.listings
                    .iter()
                    .find(|(_, entries)| entries.iter().any(|e| e.name == name))
                    .map(|(s, _)| s.clone())
            };
            if let Some(holder) = holder {
                pending.push((holder, target));
            }
        }
        Ok(())
    }

    fn has_entry(&self, slug: &str, name: &str) -> bool {
        self.listings
            .get(slug)
            .is_some_and(|entries| entries.iter().any(|e| e.name == name))
    }

    /// Reads and parses a file of the new tree, keeping its bytes for the loader.
    fn record(&self, path: &str) -> Result<Option<Record>> {
        let Contents::Bytes(bytes) = self.inner.read(path, MAX_FILE_BYTES)? else {
            return Ok(None);
        };
        let parsed = record(path, &bytes);
        self.cache.borrow_mut().insert(path.to_owned(), bytes);
        Ok(parsed)
    }
}

/// Reads and parses a file of another source.
fn read_record(source: &dyn Source, path: &str) -> Result<Option<Record>> {
    match source.read(path, MAX_FILE_BYTES)? {
        Contents::Bytes(bytes) => Ok(record(path, &bytes)),
        Contents::TooLarge { .. } => Ok(None),
    }
}

impl Source for Subset<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        self.inner.kind(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let slug = dir.strip_prefix("threads/").filter(|s| !s.contains('/'));
        match slug.and_then(|s| self.threads.get(s).map(|shown| (s, shown))) {
            Some((slug, Shown::Names(names))) => {
                let entries = match self.listings.get(slug) {
                    Some(entries) => entries.clone(),
                    None => self.inner.list(dir)?,
                };
                Ok(entries
                    .into_iter()
                    .filter(|e| e.name == "thread.md" || names.contains(&e.name))
                    .collect())
            }
            Some((slug, Shown::Whole)) => match self.listings.get(slug) {
                Some(entries) => Ok(entries.clone()),
                None => self.inner.list(dir),
            },
            None => self.inner.list(dir),
        }
    }

    fn read(&self, path: &str, limit: u64) -> Result<Contents> {
        if let Some(bytes) = self.cache.borrow_mut().remove(path) {
            if bytes.len() as u64 <= limit {
                return Ok(Contents::Bytes(bytes));
            }
        }
        self.inner.read(path, limit)
    }
}
