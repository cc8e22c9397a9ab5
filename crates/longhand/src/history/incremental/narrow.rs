//! The narrow check: a change to replies, attachments, thread headers or decision records —
//! added, edited or deleted — is validated by reading the files it touched, the files that
//! refer to them or that they refer to (found through the id index, [`super::ids`]), and the
//! context those need; nothing in proportion to the number of threads.
//!
//! It applies when every changed path is a file (present on either side) under
//! `threads/<slug>/` or a decision record `decisions/<name>.md`, no changed thread header or
//! decision fails to parse (before or after), no thread header of a thread it must show
//! whole fails to parse, and the index knows every record's id (no record whose id could not
//! be read). Anything else — `longhand.yaml`, files elsewhere, an unreadable record —
//! returns `None`, and the caller takes the general path.
//!
//! What it shows whole (and reports every diagnostic of): every thread holding a changed
//! file; every thread with a record referring to a changed record (a reply answering a
//! changed reply or voting on a changed decision, a header merged into or naming a changed thread or decision); the threads
//! a changed header is merged into and the threads a changed decision is discussed in
//! (before and after: replies moved there and votes counted there depend on them). What it
//! shows and reports of the decisions: every changed decision, and every decision referring
//! to one, following `supersedes`/`superseded-by` back as far as they go (a supersede loop
//! can run through the change). The ordinary pipeline (`validate::run`) runs over
//! [`Narrow`], a source that shows those, and of the rest only what their rules read: every
//! record sharing an id with them, the `reply-to` chains leaving the threads, the records
//! their headers and decisions name (and the `supersedes` chains), the decisions naming the
//! threads, and the threads merged into them. Relative links are checked by path lookups in
//! the tree. The diagnostics kept are those of the shown threads and decisions, and the
//! duplicate-id findings about their ids: all a full validation reports for them. Not
//! covered, as on the general path: a relative link (LH408, a warning) in an untouched body
//! whose target the change deleted.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Report};
use crate::document::MAX_FILE_BYTES;
use crate::load::{record, Place, Record};
use crate::source::{join, Contents, Entry, EntryKind, Source};
use crate::{validate, Parallelism, Result};

use super::ids::{IdIndex, UNKNOWN};

/// Validates the change narrowly, or `None` when it is not a change the narrow check covers.
/// `index` describes the new tree.
pub(crate) fn narrow(
    new: &dyn Source,
    old: &dyn Source,
    changed: &[String],
    index: &IdIndex,
    parallelism: &Parallelism,
) -> Result<Option<Report>> {
    let mut source = Narrow::new(new);
    // Threads shown whole (by slug), and decisions shown and reported (by path).
    let mut whole: BTreeSet<String> = BTreeSet::new();
    let mut kept: BTreeSet<String> = BTreeSet::new();
    // Ids of changed records, before and after: every record holding one is shown.
    let mut changed_ids: BTreeSet<String> = BTreeSet::new();
    // Names (slugs and ids) of changed records: the records referring to them are reported.
    let mut targets: BTreeSet<String> = BTreeSet::new();
    // Threads a changed header is merged into, or a changed decision is discussed in.
    let mut thread_refs: BTreeSet<String> = BTreeSet::new();
    for path in changed {
        let (before_kind, after_kind) = (old.kind(path)?, new.kind(path)?);
        let file_or_none = |k: Option<EntryKind>| matches!(k, None | Some(EntryKind::File));
        if !file_or_none(before_kind) || !file_or_none(after_kind) {
            return Ok(None);
        }
        let parts: Vec<&str> = path.split('/').collect();
        let place = Place::of(path);
        match (parts.as_slice(), &place) {
            (["threads", slug, _, ..], _) if !slug.starts_with('.') => {
                whole.insert((*slug).to_owned());
            }
            (["decisions", _], Place::Decision { .. }) => {
                kept.insert(path.clone());
            }
            _ => return Ok(None),
        }
        if after_kind.is_none() {
            // A deleted path, and the directories it leaves gone: links to them now break.
            let mut gone = path.as_str();
            loop {
                for holder in index.linkers(gone) {
                    include(holder, &mut whole, &mut kept);
                }
                match gone.rsplit_once('/') {
                    Some((dir, _)) if new.kind(dir)?.is_none() => gone = dir,
                    _ => break,
                }
            }
        }
        if matches!(place, Place::Other) {
            continue; // an attachment, or an odd file in a thread directory
        }
        let before = match before_kind {
            Some(_) => Some(read_record(old, path)?),
            None => None,
        };
        let after = match after_kind {
            Some(_) => Some(source.record(path)?),
            None => None,
        };
        let unreadable = |r: &Option<Option<Record>>| matches!(r, Some(None));
        if !matches!(place, Place::Reply { .. }) && (unreadable(&before) || unreadable(&after)) {
            return Ok(None);
        }
        if let Place::Reply { stem, .. } = &place {
            changed_ids.insert(stem.clone());
            targets.insert(stem.clone());
        }
        if let Place::Thread { slug } | Place::Decision { slug } = &place {
            targets.insert(slug.clone());
        }
        for parsed in before.into_iter().chain(after).flatten() {
            let id = match &parsed {
                Record::Reply(m) => m.id.as_str().to_owned(),
                Record::Thread(t) => {
                    thread_refs.extend(t.merged_into.clone());
                    t.id.as_str().to_owned()
                }
                Record::Decision(d) => {
                    thread_refs.extend(d.thread.clone());
                    d.id.as_str().to_owned()
                }
            };
            changed_ids.insert(id.clone());
            targets.insert(id);
        }
    }
    // A record whose id is unknown might hold any of them: only the general path can tell.
    if !index.holders(UNKNOWN).is_empty() {
        return Ok(None);
    }
    // Records referring to a changed record: their threads whole, their decisions reported.
    for target in &targets {
        for holder in index.referrers(target) {
            include(holder, &mut whole, &mut kept);
        }
    }
    for reference in &thread_refs {
        if let Some(slug) = thread_named(new, index, reference)? {
            whole.insert(slug);
        }
    }
    // Decisions referring to a reported decision, as far back as the references go.
    let mut pending: Vec<String> = kept.iter().cloned().collect();
    while let Some(path) = pending.pop() {
        let Some(Record::Decision(d)) = source.record_if_file(&path)? else {
            if let Place::Decision { slug } = Place::of(&path) {
                for holder in index.referrers(&slug) {
                    if holder.starts_with("decisions/") && kept.insert(holder.clone()) {
                        pending.push(holder);
                    }
                }
            }
            continue;
        };
        for name in [d.slug.as_str(), d.id.as_str()] {
            for holder in index.referrers(name) {
                if holder.starts_with("decisions/") && kept.insert(holder.clone()) {
                    pending.push(holder);
                }
            }
        }
    }
    let inside = |path: &str| whole.iter().any(|slug| in_thread(path, slug));
    let mut chains: Vec<String> = Vec::new();
    let mut own_ids: BTreeSet<String> = changed_ids;
    // (reference, whether it names a decision) of the shown headers and decisions.
    let mut header_refs: Vec<(String, bool)> = Vec::new();
    for slug in &whole {
        let dir = join("threads", slug);
        if new.kind(&dir)? != Some(EntryKind::Dir) {
            continue; // deleted with everything in it
        }
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
                match Place::of(&path) {
                    Place::Reply { stem, .. } => {
                        own_ids.insert(stem);
                    }
                    // A header that cannot be read: the thread's id is unknown.
                    _ => return Ok(None),
                }
                continue;
            };
            match parsed {
                Record::Reply(m) => {
                    own_ids.insert(m.id.as_str().to_owned());
                    chains.extend(m.reply_to);
                    // The decision a vote names (LH403, LH509).
                    header_refs.extend(m.vote_on.map(|d| (d, true)));
                }
                Record::Thread(t) => {
                    let id = t.id.as_str().to_owned();
                    own_ids.insert(id.clone());
                    header_refs.extend(t.decision.iter().map(|d| (d.clone(), true)));
                    header_refs.extend(t.merged_into.iter().map(|m| (m.clone(), false)));
                    // Decisions naming this thread (their votes count here), decisions that
                    // could not be read (they may), and threads merged into it.
                    let naming = index
                        .referrers(slug)
                        .into_iter()
                        .chain(index.referrers(&id))
                        .chain(index.referrers(UNKNOWN));
                    for holder in naming {
                        if holder.starts_with("decisions/")
                            || (holder.ends_with("/thread.md") && !inside(&holder))
                        {
                            source.show(&holder);
                        }
                    }
                }
                Record::Decision(_) => {}
            }
        }
    }
    // The reported decisions: what they name (the `supersedes` chains as far as they go:
    // a loop is found by following them), and every record sharing their ids.
    let mut followed: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = kept.iter().cloned().collect();
    while let Some(path) = pending.pop() {
        if !followed.insert(path.clone()) {
            continue;
        }
        let Some(Record::Decision(d)) = source.record_if_file(&path)? else {
            continue;
        };
        source.show(&path);
        if kept.contains(&path) {
            own_ids.insert(d.id.as_str().to_owned());
            header_refs.extend(d.thread.iter().map(|t| (t.clone(), false)));
            for successor in &d.superseded_by {
                for holder in decisions_named(new, index, successor)? {
                    source.show(&holder);
                }
            }
        }
        for predecessor in &d.supersedes {
            pending.extend(decisions_named(new, index, predecessor)?);
        }
    }
    for (reference, is_decision) in &header_refs {
        if *is_decision {
            for holder in decisions_named(new, index, reference)? {
                source.show(&holder);
            }
        } else if let Some(slug) = thread_named(new, index, reference)? {
            source.show(&format!("threads/{slug}/thread.md"));
        }
    }
    let mut duplicates: BTreeSet<String> = BTreeSet::new();
    for id in &own_ids {
        for holder in index.holders(id) {
            duplicates.insert(holder.clone());
            if !inside(&holder) {
                source.show(&holder);
                if let Some(Record::Reply(m)) = source.record_if_file(&holder)? {
                    chains.extend(m.reply_to);
                }
            }
        }
    }
    // The reply-to chains leaving the shown threads, a step at a time.
    let mut done: BTreeSet<String> = BTreeSet::new();
    while let Some(id) = chains.pop() {
        if !done.insert(id.clone()) {
            continue;
        }
        for holder in index.holders(&id) {
            if inside(&holder) {
                continue;
            }
            source.show(&holder);
            if let Some(Record::Reply(m)) = source.record_if_file(&holder)? {
                chains.extend(m.reply_to);
            }
        }
    }
    let mut report = validate::run_with(&source, parallelism)?;
    report.diagnostics.retain(|d| {
        inside(&d.path)
            || kept.contains(&d.path)
            || (d.code == Code::DuplicateId && duplicates.contains(&d.path))
    });
    Ok(Some(report))
}

/// The slug of the thread `reference` (a slug or an id) names in the new tree, if any.
fn thread_named(new: &dyn Source, index: &IdIndex, reference: &str) -> Result<Option<String>> {
    if !reference.contains('/')
        && !reference.starts_with('.')
        && new.kind(&format!("threads/{reference}/thread.md"))? == Some(EntryKind::File)
    {
        return Ok(Some(reference.to_owned()));
    }
    Ok(index
        .holders(reference)
        .into_iter()
        .find_map(|holder| match Place::of(&holder) {
            Place::Thread { slug } => Some(slug),
            _ => None,
        }))
}

/// The decision records `reference` (a slug or an id) names in the new tree.
fn decisions_named(new: &dyn Source, index: &IdIndex, reference: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let by_slug = format!("decisions/{reference}.md");
    if !reference.contains('/') && new.kind(&by_slug)? == Some(EntryKind::File) {
        found.push(by_slug);
    }
    found.extend(
        index
            .holders(reference)
            .into_iter()
            .filter(|h| h.starts_with("decisions/")),
    );
    Ok(found)
}

/// Reads and parses a file of another source.
fn read_record(source: &dyn Source, path: &str) -> Result<Option<Record>> {
    match source.read(path, MAX_FILE_BYTES)? {
        Contents::Bytes(bytes) => Ok(record(path, &bytes)),
        Contents::TooLarge { .. } => Ok(None),
    }
}

/// Adds a record that refers or links to a changed one: its thread shown whole (a reply or a
/// thread header), or the decision itself kept.
fn include(holder: String, whole: &mut BTreeSet<String>, kept: &mut BTreeSet<String>) {
    match Place::of(&holder) {
        Place::Reply { slug, .. } | Place::Thread { slug } => {
            whole.insert(slug);
        }
        Place::Decision { .. } => {
            kept.insert(holder);
        }
        _ => {}
    }
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

    /// [`Narrow::record`] for a path that may not be a file of the new tree.
    fn record_if_file(&self, path: &str) -> Result<Option<Record>> {
        if self.inner.kind(path)? != Some(EntryKind::File) {
            return Ok(None);
        }
        self.record(path)
    }

    /// Entries named `names` in `dir`, as the tree has them (path lookups, no listing).
    fn entries(&self, dir: &str, names: impl Iterator<Item = String>) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for name in names {
            if let Some(kind) = self.inner.kind(&join(dir, &name))? {
                entries.push(Entry::new(name, kind));
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
