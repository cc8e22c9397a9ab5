//! The id index: every record of one discussion tree (path, id, and the one reference the
//! narrow check needs), so that a push adding replies can be checked for id uniqueness and
//! references without reading every file.
//!
//! An index describes one tree, named by its git tree id. It is stored under the
//! repository's git directory (`<gitdir>/longhand/ids/<tree-id>`), written atomically, and
//! never trusted blindly: the file names its format version and the tree it describes, and
//! anything else (missing, unreadable, corrupt, another tree) means it is rebuilt from the
//! tree. The index of a new tree is derived from the old one and the diff, so only the first
//! check pays for reading everything. Writing is best effort: a failure leaves no index.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::document::MAX_FILE_BYTES;
use crate::load::{record, Place, Record};
use crate::model::Id;
use crate::source::{join, Contents, EntryKind, Source};
use crate::Result;

/// The first line of an index file.
const MAGIC: &str = "longhand-ids 1";
/// How many indexes are kept (the newest by modification time).
const KEEP: usize = 8;
/// The reference stored for a decision that could not be parsed: it may name any thread.
pub(crate) const UNKNOWN: &str = "?";

/// Every record of one tree, one `path\tid\treference\n` line each, sorted by path: the id
/// is empty when unknown; the reference is `reply-to` for a reply, `merged-into` for a thread
/// header, `thread` for a decision ([`UNKNOWN`] if unparsable). Kept as the text it is
/// stored as, so that loading, deriving and storing allocate nothing per record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdIndex {
    text: String,
}

/// One record of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    pub path: &'a str,
    pub id: &'a str,
    pub reference: &'a str,
}

impl IdIndex {
    /// Reads every record of a source (the full cost, once).
    pub fn build(source: &dyn Source) -> Result<IdIndex> {
        let mut lines = BTreeMap::new();
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
        for path in paths {
            if let Some(line) = line_of(source, &path)? {
                lines.insert(path, line);
            }
        }
        Ok(IdIndex {
            text: lines.into_values().collect(),
        })
    }

    /// The index of `new`, from this one (of the old tree) and the paths that differ.
    pub fn derive(&self, new: &dyn Source, changed: &[String]) -> Result<IdIndex> {
        let gone: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
        let mut added: BTreeMap<&str, String> = BTreeMap::new();
        for path in changed {
            if new.kind(path)? == Some(EntryKind::File) {
                if let Some(line) = line_of(new, path)? {
                    added.insert(path, line);
                }
            }
        }
        let mut text = String::with_capacity(self.text.len() + 256);
        let mut added = added.into_iter().peekable();
        for line in self.text.split_inclusive('\n') {
            let path = line.split('\t').next().unwrap_or("");
            while let Some((next, _)) = added.peek() {
                if next.as_bytes() >= path.as_bytes() {
                    break;
                }
                if let Some((_, l)) = added.next() {
                    text.push_str(&l);
                }
            }
            if !gone.contains(path) {
                text.push_str(line);
            }
        }
        for (_, line) in added {
            text.push_str(&line);
        }
        Ok(IdIndex { text })
    }

    /// Every record, in path order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.text.lines().filter_map(|line| {
            let mut fields = line.split('\t');
            Some(Entry {
                path: fields.next()?,
                id: fields.next()?,
                reference: fields.next()?,
            })
        })
    }

    /// The paths of the records holding each of `ids`, in one pass over the index.
    pub fn holders_of(&self, ids: &BTreeSet<String>) -> BTreeMap<String, Vec<String>> {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if ids.is_empty() {
            return found;
        }
        for entry in self.entries() {
            if !entry.id.is_empty() && ids.contains(entry.id) {
                found
                    .entry(entry.id.to_owned())
                    .or_default()
                    .push(entry.path.to_owned());
            }
        }
        found
    }

    fn from_text(text: &str, tree: &str) -> Option<IdIndex> {
        let body = text
            .strip_prefix(MAGIC)?
            .strip_prefix('\n')?
            .strip_prefix(tree)?
            .strip_prefix('\n')?;
        // Whole lines of three fields, each line ended: a cut-off file is not an index.
        if !(body.is_empty() || body.ends_with('\n')) {
            return None;
        }
        let sound = body
            .lines()
            .all(|l| l.bytes().filter(|b| *b == b'\t').count() == 2 && !l.starts_with('\t'));
        sound.then(|| IdIndex {
            text: body.to_owned(),
        })
    }
}

/// The index line of one file of `source`, if it is a record whose fields can be written.
fn line_of(source: &dyn Source, path: &str) -> Result<Option<String>> {
    let place = Place::of(path);
    if matches!(place, Place::Config | Place::Other) {
        return Ok(None);
    }
    let parsed = match source.read(path, MAX_FILE_BYTES)? {
        Contents::Bytes(bytes) => record(path, &bytes),
        Contents::TooLarge { .. } => None,
    };
    let (id, reference) = match (parsed, place) {
        (Some(Record::Reply(m)), _) => (m.id.as_str().to_owned(), m.reply_to.unwrap_or_default()),
        (Some(Record::Thread(t)), _) => {
            (t.id.as_str().to_owned(), t.merged_into.unwrap_or_default())
        }
        (Some(Record::Decision(d)), _) => (d.id.as_str().to_owned(), d.thread.unwrap_or_default()),
        (None, Place::Reply { stem, .. }) => (
            Id::parse(&stem).map(|_| stem).unwrap_or_default(),
            String::new(),
        ),
        (None, Place::Decision { .. }) => (String::new(), UNKNOWN.to_owned()),
        (None, _) => (String::new(), String::new()),
    };
    let fields = [path, &id, &reference];
    // A field that cannot be written on one line: keep the path (so lookups of its id or
    // reference fail safe) only if the path itself can be.
    if fields.iter().any(|f| f.contains(['\t', '\n', '\r'])) {
        if path.contains(['\t', '\n', '\r']) {
            return Ok(None);
        }
        return Ok(Some(format!("{path}\t\t{UNKNOWN}\n")));
    }
    Ok(Some(format!("{path}\t{id}\t{reference}\n")))
}

/// Where the index of `tree` lives.
fn file_of(git_dir: &Path, tree: &str) -> PathBuf {
    git_dir.join("longhand").join("ids").join(tree)
}

/// The stored index of `tree`, if there is a sound one.
pub(crate) fn load(git_dir: &Path, tree: &str) -> Option<IdIndex> {
    let text = fs::read_to_string(file_of(git_dir, tree)).ok()?;
    IdIndex::from_text(&text, tree)
}

/// The stored index of `tree`, or one built from `source` (which must be that tree), stored.
pub(crate) fn load_or_build(git_dir: &Path, tree: &str, source: &dyn Source) -> Result<IdIndex> {
    if let Some(index) = load(git_dir, tree) {
        return Ok(index);
    }
    let index = IdIndex::build(source)?;
    store(git_dir, tree, &index);
    Ok(index)
}

/// Stores the index of `tree`, atomically, and prunes old ones. Best effort: any failure
/// (a read-only git directory) leaves things as they were.
pub(crate) fn store(git_dir: &Path, tree: &str, index: &IdIndex) {
    let text = format!("{MAGIC}\n{tree}\n{}", index.text);
    let target = file_of(git_dir, tree);
    let Some(dir) = target.parent() else {
        return;
    };
    if fs::create_dir_all(dir).is_err() {
        return;
    }
    if crate::write::atomic::replace_file(&target, text.as_bytes()).is_err() {
        return;
    }
    prune(dir);
}

/// Keeps the [`KEEP`] newest index files of `dir`.
fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.len() >= 40 && name.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let excess = files.len().saturating_sub(KEEP);
    for (_, path) in files.into_iter().take(excess) {
        let _ = fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_is_read_back_only_for_its_own_tree_and_when_whole() {
        let index = IdIndex {
            text: "threads/t/01JD8Q2000000000000000000A.md\t01JD8Q2000000000000000000A\t01JD8Q1Z4A2B3C4D5E6F7G8H9J\n".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let tree = "a".repeat(40);
        store(dir.path(), &tree, &index);
        assert_eq!(load(dir.path(), &tree), Some(index.clone()));
        assert_eq!(load(dir.path(), &"b".repeat(40)), None);
        let file = file_of(dir.path(), &tree);
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, &text[..text.len() - 3]).unwrap();
        assert_eq!(load(dir.path(), &tree), None, "a cut-off file");
        fs::write(&file, text.replace("\t01JD8Q1Z", " 01JD8Q1Z")).unwrap();
        assert_eq!(load(dir.path(), &tree), None, "a line of two fields");
        fs::write(&file, text.replace("longhand-ids 1", "longhand-ids 2")).unwrap();
        assert_eq!(load(dir.path(), &tree), None, "another format");
        for n in 0..(KEEP + 3) {
            store(dir.path(), &format!("{n:040}"), &index);
        }
        let kept = fs::read_dir(file.parent().unwrap()).unwrap().count();
        assert!(kept <= KEEP, "{kept} kept");
    }
}
