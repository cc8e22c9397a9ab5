//! The narrow check: a change that only adds or edits replies (and attachments) in existing
//! threads is validated by reading those threads, the records they refer to, and the id
//! index ([`super::ids`]) — nothing in proportion to the number of threads.
//!
//! It applies when every changed path is a file under `threads/<slug>/` other than
//! `thread.md`, present in the new tree (nothing deleted, nothing turned into a directory),
//! the thread has a `thread.md`, an edited reply keeps its id, and no record outside the
//! touched threads refers to a touched reply's id (its diagnostics could change). Anything
//! else returns `None`, and the caller takes the general path.
//!
//! The ordinary pipeline (`validate::run`) runs over [`Narrow`], a source that shows the
//! touched threads whole and, of the rest, only: every record sharing an id with a record of
//! a touched thread, the `reply-to` chains leaving them, the decision the header names and
//! the decisions naming the thread, the thread it is merged into and the threads merged into
//! it. Relative links are checked by path lookups in the tree. The diagnostics kept are
//! those of the touched threads' files, and the duplicate-id findings about their ids: all
//! a full validation reports for them.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Report};
use crate::document::MAX_FILE_BYTES;
use crate::load::{record, Place, Record};
use crate::source::{join, Contents, Entry, EntryKind, Source};
use crate::{validate, Result};

use super::ids::{IdIndex, UNKNOWN};

/// Validates the change narrowly, or `None` when it is not a change the narrow check covers.
/// `index` describes the new tree.
pub(crate) fn narrow(
    new: &dyn Source,
    old: &dyn Source,
    changed: &[String],
    index: &IdIndex,
) -> Result<Option<Report>> {
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut touched_ids: BTreeSet<String> = BTreeSet::new();
    let source = Narrow::new(new);
    for path in changed {
        let parts: Vec<&str> = path.split('/').collect();
        let ["threads", slug, name, rest @ ..] = parts.as_slice() else {
            return Ok(None);
        };
        if (*name == "thread.md" && rest.is_empty()) || slug.starts_with('.') {
            return Ok(None);
        }
        if new.kind(path)? != Some(EntryKind::File) {
            return Ok(None);
        }
        if !matches!(old.kind(path)?, None | Some(EntryKind::File)) {
            return Ok(None);
        }
        if let Place::Reply { stem, .. } = Place::of(path) {
            let id = |r: Option<Record>| match r {
                Some(Record::Reply(m)) => Some(m.id.as_str().to_owned()),
                _ => None,
            };
            let after = id(source.record(path)?);
            if old.kind(path)?.is_some() {
                let before = match old.read(path, MAX_FILE_BYTES)? {
                    Contents::Bytes(bytes) => id(record(path, &bytes)),
                    Contents::TooLarge { .. } => None,
                };
                if before != after {
                    return Ok(None);
                }
            }
            touched_ids.insert(stem);
            touched_ids.extend(after);
        }
        touched.insert((*slug).to_owned());
    }
    for slug in &touched {
        if new.kind(&format!("threads/{slug}/thread.md"))? != Some(EntryKind::File) {
            return Ok(None);
        }
    }
    let inside = |path: &str| touched.iter().any(|slug| in_thread(path, slug));
    let referred = index
        .entries()
        .any(|e| touched_ids.contains(e.reference) && !inside(e.path));
    if referred {
        return Ok(None);
    }
    let mut source = source;
    let mut chains: Vec<String> = Vec::new();
    let mut own_ids: BTreeSet<String> = BTreeSet::new();
    // (reference, whether it names a decision) of the touched threads' headers.
    let mut header_refs: Vec<(String, bool)> = Vec::new();
    for slug in &touched {
        let dir = join("threads", slug);
        let entries = new.list(&dir)?;
        let mut names = Vec::new();
        for entry in &entries {
            let path = join(&dir, &entry.name);
            if entry.kind != EntryKind::File
                || matches!(Place::of(&path), Place::Other | Place::Config)
            {
                continue;
            }
            names.push(path);
        }
        source.listings.insert(dir.clone(), entries);
        for path in names {
            let Some(parsed) = source.record(&path)? else {
                if let Place::Reply { stem, .. } = Place::of(&path) {
                    own_ids.insert(stem);
                }
                continue;
            };
            match parsed {
                Record::Reply(m) => {
                    own_ids.insert(m.id.as_str().to_owned());
                    chains.extend(m.reply_to);
                }
                Record::Thread(t) => {
                    let id = t.id.as_str().to_owned();
                    own_ids.insert(id.clone());
                    if let Some(decision) = &t.decision {
                        let named = format!("decisions/{decision}.md");
                        if new.kind(&named)? == Some(EntryKind::File) {
                            source.show(&named);
                        }
                        header_refs.push((decision.clone(), true));
                    }
                    if let Some(merged) = &t.merged_into {
                        let named = format!("threads/{merged}/thread.md");
                        if new.kind(&named)? == Some(EntryKind::File) {
                            source.show(&named);
                        }
                        header_refs.push((merged.clone(), false));
                    }
                    // Decisions naming this thread (their votes count here), and threads
                    // merged into it.
                    for e in index.entries() {
                        let names_it = e.reference == slug.as_str() || e.reference == id;
                        let decision = e.path.starts_with("decisions/");
                        if (decision && (names_it || e.reference == UNKNOWN))
                            || (names_it && e.path.ends_with("/thread.md") && !inside(e.path))
                        {
                            source.show(e.path);
                        }
                    }
                }
                Record::Decision(_) => {}
            }
        }
    }
    // One pass over the index for every id wanted so far: the touched threads' own ids
    // (every record sharing one is shown) and their headers' references.
    let mut wanted: BTreeSet<String> = own_ids.clone();
    wanted.extend(header_refs.iter().map(|(r, _)| r.clone()));
    let found = index.holders_of(&wanted);
    for (reference, is_decision) in &header_refs {
        for holder in found.get(reference).into_iter().flatten() {
            let fits = if *is_decision {
                holder.starts_with("decisions/")
            } else {
                holder.ends_with("/thread.md")
            };
            if fits {
                source.show(holder);
            }
        }
    }
    let mut duplicates: BTreeSet<String> = BTreeSet::new();
    for id in &own_ids {
        for holder in found.get(id).into_iter().flatten() {
            duplicates.insert(holder.clone());
            if !inside(holder) {
                source.show(holder);
                if let Some(Record::Reply(m)) = source.record(holder)? {
                    chains.extend(m.reply_to);
                }
            }
        }
    }
    // The reply-to chains leaving the touched threads, a step (one pass) at a time.
    let mut done: BTreeSet<String> = BTreeSet::new();
    loop {
        let step: BTreeSet<String> = chains
            .drain(..)
            .filter(|id| done.insert(id.clone()))
            .collect();
        if step.is_empty() {
            break;
        }
        for holders in index.holders_of(&step).into_values() {
            for holder in holders {
                if inside(&holder) {
                    continue;
                }
                source.show(&holder);
                if let Some(Record::Reply(m)) = source.record(&holder)? {
                    chains.extend(m.reply_to);
                }
            }
        }
    }
    let mut report = validate::run(&source)?;
    report.diagnostics.retain(|d| {
        inside(&d.path) || (d.code == Code::DuplicateId && duplicates.contains(&d.path))
    });
    Ok(Some(report))
}

fn in_thread(path: &str, slug: &str) -> bool {
    path.strip_prefix("threads/")
        .and_then(|rest| rest.strip_prefix(slug))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The new tree, showing the touched threads whole and of the rest only the chosen files.
struct Narrow<'a> {
    inner: &'a dyn Source,
    /// Listings of the touched thread directories, as read.
    listings: BTreeMap<String, Vec<Entry>>,
    /// Other files shown: thread slug → names shown in its directory; and decision names.
    shown: BTreeMap<String, BTreeSet<String>>,
    decisions: BTreeSet<String>,
    /// Bytes read while selecting, handed out once to the loader.
    cache: RefCell<HashMap<String, Vec<u8>>>,
}

impl<'a> Narrow<'a> {
    fn new(inner: &'a dyn Source) -> Narrow<'a> {
        Narrow {
            inner,
            listings: BTreeMap::new(),
            shown: BTreeMap::new(),
            decisions: BTreeSet::new(),
            cache: RefCell::default(),
        }
    }

    /// Shows one record of the new tree outside the touched threads.
    fn show(&mut self, path: &str) {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["threads", slug, name] => {
                let names = self.shown.entry((*slug).to_owned()).or_default();
                names.insert("thread.md".to_owned());
                names.insert((*name).to_owned());
            }
            ["decisions", name] => {
                self.decisions.insert((*name).to_owned());
            }
            _ => {}
        }
    }

    /// Reads and parses a file of the new tree, keeping its bytes for the loader.
    fn record(&self, path: &str) -> Result<Option<Record>> {
        if let Some(bytes) = self.cache.borrow().get(path) {
            return Ok(record(path, bytes));
        }
        let Contents::Bytes(bytes) = self.inner.read(path, MAX_FILE_BYTES)? else {
            return Ok(None);
        };
        let parsed = record(path, &bytes);
        self.cache.borrow_mut().insert(path.to_owned(), bytes);
        Ok(parsed)
    }

    /// Entries named `names` in `dir`, as the tree has them (path lookups, no listing).
    fn entries(&self, dir: &str, names: impl Iterator<Item = String>) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for name in names {
            if let Some(kind) = self.inner.kind(&join(dir, &name))? {
                entries.push(Entry { name, kind });
            }
        }
        entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        Ok(entries)
    }
}

impl Source for Narrow<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn kind(&self, path: &str) -> Result<Option<EntryKind>> {
        self.inner.kind(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        if dir == "threads" {
            let slugs = self
                .listings
                .keys()
                .filter_map(|d| d.strip_prefix("threads/"))
                .chain(self.shown.keys().map(String::as_str))
                .map(str::to_owned)
                .collect::<BTreeSet<String>>();
            return self.entries(dir, slugs.into_iter());
        }
        if dir == "decisions" {
            return self.entries(dir, self.decisions.iter().cloned());
        }
        if let Some(entries) = self.listings.get(dir) {
            return Ok(entries.clone());
        }
        let slug = dir.strip_prefix("threads/").filter(|s| !s.contains('/'));
        if let Some(names) = slug.and_then(|s| self.shown.get(s)) {
            return self.entries(dir, names.iter().cloned());
        }
        // An attachment directory, or anything else the loader asks for.
        self.inner.list(dir)
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
