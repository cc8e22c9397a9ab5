//! The id index: for every record of one discussion tree, the ids it holds and the references
//! it makes, so that the narrow check ([`super::narrow`]) can ask "who holds this id?" and
//! "who refers to this?" without reading every file.
//!
//! The index of a tree is split, like a git tree, into [`SHARDS`] shards by a stable hash of
//! the key (the id, or the reference's target), each a small sorted text file named by a
//! 64-bit checksum of its content (`<gitdir>/longhand/ids/shards/<16 hex digits>`: FNV-1a
//! over 8-byte words, as the other cache files use — a shard is read on every push, and
//! git's SHA-1 of 15 KB shards was a tenth of a push's check), and a manifest per tree
//! (`<gitdir>/longhand/ids/<tree-id>`) naming the shard files. The index of a new tree is
//! derived from the old tree's and the paths that differ: the old and new versions of each
//! changed file say which lines go and which come, so only the shards holding those keys are
//! read and rewritten, and a new manifest (of fixed size) is written. Lookups read one shard
//! each, lazily. Nothing of this grows with the number of records but the shards' size
//! (a few KB at 100,000 replies).
//!
//! Nothing is trusted blindly: a manifest names its format and its tree and must list every
//! shard; a shard must start with its format line and its checksum must be its name. Anything else
//! (missing, cut off, corrupt, another tree's) makes the index unusable for this check
//! ([`IdIndex::broken`]), and the caller rebuilds it from the tree. Writes are atomic (a
//! temporary file renamed into place) and best effort: a read-only git directory leaves no
//! index. Concurrent pushes cannot corrupt it: shard files are never rewritten in place (a
//! name is its content) and a manifest appears whole or not at all. The [`KEEP`] newest
//! manifests are kept; now and then (a cheap rule on the tree id) the shards no kept
//! manifest names are removed, once older than [`GRACE`].

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::document::MAX_FILE_BYTES;
use crate::load::{record, Place, Record};
use crate::source::{join, Contents, EntryKind, Source};
use crate::store::{self, Store};
use crate::Result;

/// The first line of a manifest.
const MAGIC: &str = "longhand-ids 4";
/// The first line of a shard.
const SHARD_MAGIC: &str = "longhand-ids-shard 4";
/// How many shards an index has: about 15 KB each at 100,000 replies.
pub(crate) const SHARDS: usize = 1024;
/// How many manifests are kept (the newest by modification time).
const KEEP: usize = 8;
/// How old an unreferenced shard must be before it is removed: a concurrent check may have
/// written it and not yet its manifest.
const GRACE: Duration = Duration::from_secs(600);
/// The key standing for "unknown": the id of a record whose id could not be read, and the
/// reference of a decision that could not be parsed (it may name any thread).
pub(crate) const UNKNOWN: &str = "?";

/// What a line of the index says about its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The record holds the id (or, for a reply that cannot be parsed, has it as file name).
    Id,
    /// The record refers to the key: `reply-to` and `vote-on` of a reply; `merged-into` and `decision` of a
    /// thread header; `thread`, `supersedes` and `superseded-by` of a decision.
    Ref,
    /// The record's body has a relative link to the key (a root-relative path).
    Link,
}

impl Kind {
    fn letter(self) -> char {
        match self {
            Kind::Id => 'i',
            Kind::Ref => 'r',
            Kind::Link => 'l',
        }
    }
}

/// The index of one tree: shards read from disk on demand, or held in memory when built or
/// changed. For every shard, either it is in `shards` or `names` has its stored name (and
/// once read, it is in `stored`).
#[derive(Debug)]
pub(crate) struct IdIndex {
    /// The directory of stored shards, once anything was stored or loaded.
    dir: Option<PathBuf>,
    /// Each shard's stored file name, when the stored file is its content.
    names: Vec<Option<String>>,
    /// Shards in memory: lines `key\t<i|r>\tpath`, sorted.
    shards: RefCell<HashMap<usize, BTreeSet<String>>>,
    /// Shards read from disk and not changed: their lines as stored (sorted, each ending in a
    /// newline), searched in place rather than split into a string each — a push to a long
    /// thread looks up every id of the thread, and so reads nearly every shard.
    stored: RefCell<HashMap<usize, String>>,
    /// Set when a stored shard could not be read or was not what its name says.
    broken: Cell<bool>,
    /// How many shard files were read (for the tests that count the cost).
    reads: Cell<usize>,
}

/// The shard holding `key`: FNV-1a, stable across versions and platforms.
fn shard_of(key: &str) -> usize {
    (store::fnv1a(key.as_bytes()) % SHARDS as u64) as usize
}

fn line(key: &str, kind: Kind, path: &str) -> String {
    format!("{key}\t{}\t{path}", kind.letter())
}

impl IdIndex {
    fn empty() -> IdIndex {
        IdIndex {
            dir: None,
            names: vec![None; SHARDS],
            shards: RefCell::new((0..SHARDS).map(|i| (i, BTreeSet::new())).collect()),
            stored: RefCell::new(HashMap::new()),
            broken: Cell::new(false),
            reads: Cell::new(0),
        }
    }

    /// Reads every record of a source (the full cost, once).
    pub fn build(source: &dyn Source) -> Result<IdIndex> {
        let index = IdIndex::empty();
        let mut paths = Vec::new();
        if source.kind("threads")? == Some(EntryKind::Dir) {
            for dir in source.list("threads")? {
                if dir.kind != EntryKind::Dir {
                    continue;
                }
                let dir = join("threads", &dir.name);
                for entry in source.list(&dir)? {
                    if entry.kind == EntryKind::File {
                        paths.push(join(&dir, &entry.name));
                    }
                }
            }
        }
        if source.kind("decisions")? == Some(EntryKind::Dir) {
            for entry in source.list("decisions")? {
                if entry.kind == EntryKind::File {
                    paths.push(join("decisions", &entry.name));
                }
            }
        }
        {
            let mut shards = index.shards.borrow_mut();
            for path in paths {
                for (key, kind) in keys_of(source, &path)? {
                    if let Some(shard) = shards.get_mut(&shard_of(&key)) {
                        shard.insert(line(&key, kind, &path));
                    }
                }
            }
        }
        Ok(index)
    }

    /// The index of `new`, from this one (of `old`) and the paths that differ between the
    /// two trees. Reads the old and new versions of the changed files and the shards their
    /// keys fall in; nothing else. Check [`IdIndex::broken`] on `self` afterwards.
    pub fn derive(
        &self,
        old: &dyn Source,
        new: &dyn Source,
        changed: &[String],
    ) -> Result<IdIndex> {
        let mut gone: Vec<(String, Kind, &str)> = Vec::new();
        let mut come: Vec<(String, Kind, &str)> = Vec::new();
        for path in changed {
            if old.kind(path)? == Some(EntryKind::File) {
                gone.extend(
                    keys_of(old, path)?
                        .into_iter()
                        .map(|(k, t)| (k, t, &**path)),
                );
            }
            if new.kind(path)? == Some(EntryKind::File) {
                come.extend(
                    keys_of(new, path)?
                        .into_iter()
                        .map(|(k, t)| (k, t, &**path)),
                );
            }
        }
        let derived = IdIndex {
            dir: self.dir.clone(),
            names: self.names.clone(),
            shards: RefCell::new(HashMap::new()),
            stored: RefCell::new(HashMap::new()),
            broken: Cell::new(false),
            reads: Cell::new(0),
        };
        // Shards held only in memory here (never stored) are carried over whole.
        for (number, lines) in self.shards.borrow().iter() {
            if self.names[*number].is_none() {
                derived.shards.borrow_mut().insert(*number, lines.clone());
            }
        }
        let mut derived = derived;
        for (key, _, _) in gone.iter().chain(&come) {
            let number = shard_of(key);
            if !derived.shards.borrow().contains_key(&number) {
                let lines = self.shard(number);
                derived.shards.borrow_mut().insert(number, lines);
            }
            derived.names[number] = None;
        }
        {
            let mut shards = derived.shards.borrow_mut();
            for (key, kind, path) in &gone {
                if let Some(shard) = shards.get_mut(&shard_of(key)) {
                    shard.remove(&line(key, *kind, path));
                }
            }
            for (key, kind, path) in &come {
                if let Some(shard) = shards.get_mut(&shard_of(key)) {
                    shard.insert(line(key, *kind, path));
                }
            }
        }
        Ok(derived)
    }

    /// True when a stored shard this index needed could not be read or was corrupt: its
    /// answers are not to be trusted, and it must be rebuilt.
    pub fn broken(&self) -> bool {
        self.broken.get()
    }

    /// How many shard files this index read from disk.
    pub fn shard_reads(&self) -> usize {
        self.reads.get()
    }

    /// The paths of the records holding `id`, sorted.
    pub fn holders(&self, id: &str) -> Vec<String> {
        self.find(id, Kind::Id)
    }

    /// The paths of the records referring to `target` (by the exact text they give), sorted.
    pub fn referrers(&self, target: &str) -> Vec<String> {
        self.find(target, Kind::Ref)
    }

    /// The paths of the records whose body links to `target` (a root-relative path), sorted.
    pub fn linkers(&self, target: &str) -> Vec<String> {
        self.find(target, Kind::Link)
    }

    fn find(&self, key: &str, kind: Kind) -> Vec<String> {
        let number = shard_of(key);
        self.load_shard(number);
        let prefix = format!("{key}\t{}\t", kind.letter());
        if let Some(shard) = self.shards.borrow().get(&number) {
            return shard
                .range::<String, _>(&prefix..)
                .take_while(|l| l.starts_with(&prefix))
                .map(|l| l[prefix.len()..].to_owned())
                .collect();
        }
        let stored = self.stored.borrow();
        let Some(text) = stored.get(&number) else {
            return Vec::new();
        };
        // The stored lines are sorted, so the matches come out sorted.
        text.lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .map(str::to_owned)
            .collect()
    }

    /// Every line of the index, in shard order (reads every shard: for tests).
    #[cfg(test)]
    pub fn lines(&self) -> Vec<String> {
        (0..SHARDS).flat_map(|n| self.shard(n)).collect()
    }

    /// A copy of one shard's lines.
    fn shard(&self, number: usize) -> BTreeSet<String> {
        self.load_shard(number);
        if let Some(lines) = self.shards.borrow().get(&number) {
            return lines.clone();
        }
        self.stored
            .borrow()
            .get(&number)
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Makes sure shard `number` is in memory, reading its file if needed; a missing or
    /// corrupt file marks the index broken (and the shard empty).
    fn load_shard(&self, number: usize) {
        if self.shards.borrow().contains_key(&number) || self.stored.borrow().contains_key(&number)
        {
            return;
        }
        let text = match (&self.dir, &self.names[number]) {
            (Some(dir), Some(name)) => {
                self.reads.set(self.reads.get() + 1);
                read_shard(dir, name)
            }
            _ => None,
        };
        let text = text.unwrap_or_else(|| {
            self.broken.set(true);
            String::new()
        });
        self.stored.borrow_mut().insert(number, text);
    }

    /// Stores this index as the index of `tree`: writes the shards that changed and a new
    /// manifest, then prunes old manifests. Best effort: a failure leaves no manifest.
    pub fn store(&mut self, git_dir: &Path, tree: &str) {
        if self.broken() {
            return;
        }
        let top = store::dir(git_dir, Store::Ids);
        let dir = top.join("shards");
        if fs::create_dir_all(&dir).is_err() {
            return;
        }
        {
            let shards = self.shards.borrow();
            for (number, lines) in shards.iter() {
                if self.names[*number].is_some() {
                    continue;
                }
                let mut text =
                    String::with_capacity(64 + lines.iter().map(|l| l.len() + 1).sum::<usize>());
                text.push_str(SHARD_MAGIC);
                text.push('\n');
                for l in lines {
                    text.push_str(l);
                    text.push('\n');
                }
                let name = shard_name(text.as_bytes());
                // Written even when a file of that name exists: it may be a damaged one.
                if store::write(&dir.join(&name), &[text.as_bytes()]).is_err() {
                    return;
                }
                self.names[*number] = Some(name);
            }
        }
        let mut manifest = String::with_capacity(64 + SHARDS * 17);
        manifest.push_str(&format!("{MAGIC}\n{tree}\n{SHARDS}\n"));
        for name in &self.names {
            let Some(name) = name else { return };
            manifest.push_str(name);
            manifest.push('\n');
        }
        if store::write(&top.join(tree), &[manifest.as_bytes()]).is_err() {
            return;
        }
        self.dir = Some(dir);
        prune(&top);
        // Now and then (one tree in 256, by its id), remove the shards no manifest names.
        if tree.starts_with("00") {
            collect_garbage(&top, GRACE);
        }
    }
}

/// The file name of a shard with these bytes.
fn shard_name(bytes: &[u8]) -> String {
    format!("{:016x}", store::checksum(bytes))
}

/// Reads a shard file, checking that it is one, that its checksum is its name and that its
/// lines are index lines in order; returns its lines (each ending in a newline).
fn read_shard(dir: &Path, name: &str) -> Option<String> {
    let bytes = fs::read(dir.join(name)).ok()?;
    if shard_name(&bytes) != name {
        return None;
    }
    let mut text = String::from_utf8(bytes).ok()?;
    let body = text.strip_prefix(SHARD_MAGIC)?.strip_prefix('\n')?;
    if !(body.is_empty() || body.ends_with('\n')) {
        return None;
    }
    let mut previous = "";
    for l in body.lines() {
        if l.bytes().filter(|b| *b == b'\t').count() < 2 || l <= previous {
            return None;
        }
        previous = l;
    }
    let magic = SHARD_MAGIC.len() + 1;
    text.drain(..magic);
    Some(text)
}

/// The keys one file of `source` puts in the index: the ids it holds and the references it
/// makes. A record whose id cannot be read holds [`UNKNOWN`]; a decision that cannot be parsed
/// refers to [`UNKNOWN`]. Nothing for a path or key that cannot be written on one line.
fn keys_of(source: &dyn Source, path: &str) -> Result<Vec<(String, Kind)>> {
    let place = Place::of(path);
    if matches!(place, Place::Config | Place::Other) || path.contains(['\t', '\n', '\r']) {
        return Ok(Vec::new());
    }
    let parsed = match source.read(path, MAX_FILE_BYTES)? {
        Contents::Bytes(bytes) => record(path, &bytes),
        Contents::TooLarge { .. } => None,
    };
    let mut keys: Vec<(String, Kind)> = Vec::new();
    let links = |body: &str| {
        let targets = crate::validate::link_targets(path, body);
        targets
            .into_iter()
            .filter(|t| !t.is_empty() && !t.contains(['\t', '\n', '\r']))
            .map(|t| (t, Kind::Link))
            .collect::<Vec<_>>()
    };
    match (parsed, place) {
        (Some(Record::Reply(m)), _) => {
            keys.extend(links(&m.body));
            keys.push((m.id.as_str().to_owned(), Kind::Id));
            keys.extend(m.reply_to.map(|r| (r, Kind::Ref)));
            keys.extend(m.vote_on.map(|r| (r, Kind::Ref)));
        }
        (Some(Record::Thread(t)), _) => {
            keys.extend(links(&t.body));
            keys.push((t.id.as_str().to_owned(), Kind::Id));
            keys.extend(t.merged_into.map(|r| (r, Kind::Ref)));
            keys.extend(t.decision.map(|r| (r, Kind::Ref)));
        }
        (Some(Record::Decision(d)), _) => {
            keys.extend(links(&d.body));
            keys.push((d.id.as_str().to_owned(), Kind::Id));
            let refs = d
                .thread
                .into_iter()
                .chain(d.supersedes)
                .chain(d.superseded_by);
            keys.extend(refs.map(|r| (r, Kind::Ref)));
        }
        (None, Place::Reply { stem, .. }) => keys.push((stem, Kind::Id)),
        (None, Place::Decision { .. }) => {
            keys.push((UNKNOWN.to_owned(), Kind::Id));
            keys.push((UNKNOWN.to_owned(), Kind::Ref));
        }
        (None, _) => keys.push((UNKNOWN.to_owned(), Kind::Id)),
    }
    // A key that cannot be written on one line stands for an unknown one.
    keys.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.letter().cmp(&b.1.letter())));
    keys.dedup();
    Ok(keys)
}

/// The stored index of `tree`, if its manifest is sound (its shards are checked when read).
pub(crate) fn load(git_dir: &Path, tree: &str) -> Option<IdIndex> {
    let top = store::dir(git_dir, Store::Ids);
    let text = fs::read_to_string(top.join(tree)).ok()?;
    let body = text
        .strip_prefix(MAGIC)?
        .strip_prefix('\n')?
        .strip_prefix(tree)?
        .strip_prefix('\n')?
        .strip_prefix(&format!("{SHARDS}\n"))?;
    let names: Vec<Option<String>> = body.lines().map(|l| Some(l.to_owned())).collect();
    let sound = body.ends_with('\n')
        && names.len() == SHARDS
        && names.iter().flatten().all(|n| {
            n.len() == 16
                && n.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
    sound.then(|| IdIndex {
        dir: Some(top.join("shards")),
        names,
        shards: RefCell::new(HashMap::new()),
        stored: RefCell::new(HashMap::new()),
        broken: Cell::new(false),
        reads: Cell::new(0),
    })
}

/// Builds the index of `tree` from `source` (which must be that tree) and stores it.
pub(crate) fn rebuild(git_dir: &Path, tree: &str, source: &dyn Source) -> Result<IdIndex> {
    let mut index = IdIndex::build(source)?;
    index.store(git_dir, tree);
    Ok(index)
}
/// Keeps the [`KEEP`] newest manifests of `top`.
fn prune(top: &Path) {
    store::keep_newest(top, KEEP, |name| {
        name.len() >= 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
    });
}

/// The manifests of `top`, with their modification times.
fn manifests(top: &Path) -> Vec<(SystemTime, PathBuf)> {
    let Ok(entries) = fs::read_dir(top) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.len() >= 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect()
}

/// Removes the shard files of `top/shards` that no manifest of `top` names, and stray
/// temporary files of both directories, once older than `grace`.
pub(crate) fn collect_garbage(top: &Path, grace: Duration) {
    let mut named: BTreeSet<String> = BTreeSet::new();
    for (_, path) in manifests(top) {
        if let Ok(text) = fs::read_to_string(&path) {
            named.extend(text.lines().skip(3).map(str::to_owned));
        }
    }
    let shards = fs::read_dir(top.join("shards")).into_iter().flatten();
    let temps = fs::read_dir(top).into_iter().flatten().filter(|e| {
        e.as_ref()
            .is_ok_and(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
    });
    let now = SystemTime::now();
    for entry in shards.chain(temps).filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if named.contains(&name) || entry.path().is_dir() {
            continue;
        }
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age >= grace);
        if old_enough {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MemoryTree;

    fn source() -> MemoryTree {
        let mut files = MemoryTree::new();
        files.insert_file(
            "threads/t/thread.md",
            "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: T\nauthor: Ana <ana@example.org>\ndate: 2026-11-24T09:00:00Z\nstatus: open\ndecision: d\n---\nHi.\n",
        );
        files.insert_file(
            "threads/t/01JD8Q2000000000000000000A.md",
            "---\nid: 01JD8Q2000000000000000000A\nauthor: Ana <ana@example.org>\ndate: 2026-11-24T10:00:00Z\nreply-to: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\n---\nHi.\n",
        );
        files.insert_file("decisions/d.md", "not a decision\n");
        files
    }

    #[test]
    fn ids_and_references_are_found_and_unknowns_stand_out() {
        let index = IdIndex::build(&source()).unwrap();
        assert_eq!(
            index.holders("01JD8Q2000000000000000000A"),
            ["threads/t/01JD8Q2000000000000000000A.md"]
        );
        assert_eq!(
            index.referrers("01JD8Q1Z4A2B3C4D5E6F7G8H9J"),
            ["threads/t/01JD8Q2000000000000000000A.md"]
        );
        assert_eq!(index.referrers("d"), ["threads/t/thread.md"]);
        assert_eq!(index.holders(UNKNOWN), ["decisions/d.md"]);
        assert_eq!(index.referrers(UNKNOWN), ["decisions/d.md"]);
        assert!(index.holders("01JD8Q2000000000000000000B").is_empty());
    }

    #[test]
    fn an_index_is_read_back_only_for_its_own_tree_and_when_whole() {
        let dir = tempfile::tempdir().unwrap();
        let tree = "a".repeat(40);
        let mut index = IdIndex::build(&source()).unwrap();
        index.store(dir.path(), &tree);
        let loaded = load(dir.path(), &tree).expect("stored");
        let _ = loaded.holders("01JD8Q2000000000000000000A");
        assert_eq!(loaded.shard_reads(), 1, "one lookup reads one shard");
        assert_eq!(loaded.lines(), index.lines());
        assert!(!loaded.broken());
        assert!(load(dir.path(), &"b".repeat(40)).is_none(), "another tree");
        let file = dir.path().join("longhand/ids").join(&tree);
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, &text[..text.len() - 3]).unwrap();
        assert!(load(dir.path(), &tree).is_none(), "a cut-off manifest");
        fs::write(&file, text.replace("longhand-ids 4", "longhand-ids 3")).unwrap();
        assert!(load(dir.path(), &tree).is_none(), "another format");
        fs::write(&file, &text).unwrap();
        // A shard that is not what its name says: the index is broken once it is read.
        let shard = shard_of("01JD8Q2000000000000000000A");
        let name = text.lines().nth(3 + shard).unwrap().to_owned();
        let path = dir.path().join("longhand/ids/shards").join(&name);
        let bytes = fs::read_to_string(&path).unwrap();
        fs::write(&path, bytes.replace("\ti\t", "\tr\t")).unwrap();
        let loaded = load(dir.path(), &tree).unwrap();
        let _ = loaded.holders("01JD8Q2000000000000000000A");
        assert!(loaded.broken(), "a corrupt shard");
        // A shard named by its own checksum, but whose lines are out of order: refused too
        // (lookups search the stored lines in place and rely on their order).
        let mut lines: Vec<&str> = bytes.lines().skip(1).collect();
        lines.push("0\ti\tthreads/z/0.md");
        let unsorted = format!("{SHARD_MAGIC}\n{}\n", lines.join("\n"));
        let unsorted_name = shard_name(unsorted.as_bytes());
        fs::write(
            dir.path().join("longhand/ids/shards").join(&unsorted_name),
            &unsorted,
        )
        .unwrap();
        fs::write(&file, text.replace(&name, &unsorted_name)).unwrap();
        let loaded = load(dir.path(), &tree).unwrap();
        let _ = loaded.holders("01JD8Q2000000000000000000A");
        assert!(loaded.broken(), "a shard out of order");
        fs::write(&file, &text).unwrap();
        fs::remove_file(&path).unwrap();
        let loaded = load(dir.path(), &tree).unwrap();
        let _ = loaded.holders("01JD8Q2000000000000000000A");
        assert!(loaded.broken(), "a missing shard");
        // Old manifests are pruned; unreferenced shards are collected.
        for n in 0..(KEEP + 3) {
            let mut index = IdIndex::build(&source()).unwrap();
            index.store(dir.path(), &format!("{n:040}"));
        }
        let kept = manifests(&dir.path().join("longhand/ids")).len();
        assert!(kept <= KEEP, "{kept} kept");
        let stray = dir.path().join("longhand/ids/shards").join("f".repeat(16));
        fs::write(&stray, "x").unwrap();
        let temp = dir.path().join("longhand/ids/.tmp-1-1");
        fs::write(&temp, "x").unwrap();
        collect_garbage(&dir.path().join("longhand/ids"), Duration::ZERO);
        assert!(!stray.exists());
        assert!(!temp.exists());
        let fresh = load(dir.path(), &format!("{:040}", KEEP + 2)).unwrap();
        assert_eq!(fresh.lines(), index.lines());
        assert!(!fresh.broken(), "the kept manifests' shards stay");
    }
}
