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

use std::collections::BTreeMap;
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

/// One record: its id (empty when unknown) and its reference: `reply-to` for a reply,
/// `merged-into` for a thread header, `thread` for a decision ([`UNKNOWN`] if unparsable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub id: String,
    pub reference: String,
}

/// Every record of one tree, by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IdIndex {
    pub entries: BTreeMap<String, Entry>,
    /// Id → paths, built on demand.
    by_id: BTreeMap<String, Vec<String>>,
}

impl IdIndex {
    /// Reads every record of a source (the full cost, once).
    pub fn build(source: &dyn Source) -> Result<IdIndex> {
        let mut index = IdIndex::default();
        if source.kind("threads")? == Some(EntryKind::Dir) {
            for dir in source.list("threads")? {
                if dir.kind != EntryKind::Dir {
                    continue;
                }
                let dir = join("threads", &dir.name);
                for entry in source.list(&dir)? {
                    if entry.kind == EntryKind::File {
                        index.update(source, &join(&dir, &entry.name))?;
                    }
                }
            }
        }
        if source.kind("decisions")? == Some(EntryKind::Dir) {
            for entry in source.list("decisions")? {
                if entry.kind == EntryKind::File {
                    index.update(source, &join("decisions", &entry.name))?;
                }
            }
        }
        index.reindex();
        Ok(index)
    }

    /// The index of `new`, from this one (of the old tree) and the paths that differ.
    pub fn derive(&self, new: &dyn Source, changed: &[String]) -> Result<IdIndex> {
        let mut index = IdIndex {
            entries: self.entries.clone(),
            by_id: BTreeMap::new(),
        };
        for path in changed {
            index.entries.remove(path);
            if new.kind(path)? == Some(EntryKind::File) {
                index.update(new, path)?;
            }
        }
        index.reindex();
        Ok(index)
    }

    /// Reads one file of `source` into the index, if it is a record.
    fn update(&mut self, source: &dyn Source, path: &str) -> Result<()> {
        let place = Place::of(path);
        if matches!(place, Place::Config | Place::Other) {
            return Ok(());
        }
        let parsed = match source.read(path, MAX_FILE_BYTES)? {
            Contents::Bytes(bytes) => record(path, &bytes),
            Contents::TooLarge { .. } => None,
        };
        let entry = match (parsed, place) {
            (Some(Record::Reply(m)), _) => Entry {
                id: m.id.as_str().to_owned(),
                reference: m.reply_to.unwrap_or_default(),
            },
            (Some(Record::Thread(t)), _) => Entry {
                id: t.id.as_str().to_owned(),
                reference: t.merged_into.unwrap_or_default(),
            },
            (Some(Record::Decision(d)), _) => Entry {
                id: d.id.as_str().to_owned(),
                reference: d.thread.unwrap_or_default(),
            },
            (None, Place::Reply { stem, .. }) => Entry {
                id: Id::parse(&stem).map(|_| stem).unwrap_or_default(),
                reference: String::new(),
            },
            (None, Place::Decision { .. }) => Entry {
                id: String::new(),
                reference: UNKNOWN.to_owned(),
            },
            (None, _) => Entry {
                id: String::new(),
                reference: String::new(),
            },
        };
        self.entries.insert(path.to_owned(), entry);
        Ok(())
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        for (path, entry) in &self.entries {
            if !entry.id.is_empty() {
                self.by_id
                    .entry(entry.id.clone())
                    .or_default()
                    .push(path.clone());
            }
        }
    }

    /// The paths of the records with this id.
    pub fn holders(&self, id: &str) -> &[String] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// The file's text: the magic line, the tree id, then one `path\tid\treference` line per
    /// record. `None` when a path cannot be written that way (a tab or line break in it).
    fn to_text(&self, tree: &str) -> Option<String> {
        let mut text = format!("{MAGIC}\n{tree}\n");
        for (path, entry) in &self.entries {
            let fields = [path.as_str(), &entry.id, &entry.reference];
            if fields.iter().any(|f| f.contains(['\t', '\n', '\r'])) {
                return None;
            }
            text.push_str(&fields.join("\t"));
            text.push('\n');
        }
        Some(text)
    }

    fn from_text(text: &str, tree: &str) -> Option<IdIndex> {
        let mut lines = text.split('\n');
        if lines.next()? != MAGIC || lines.next()? != tree {
            return None;
        }
        let mut index = IdIndex::default();
        let mut ended = false;
        for line in lines {
            if ended {
                return None;
            }
            if line.is_empty() {
                ended = true;
                continue;
            }
            let mut fields = line.split('\t');
            let (path, id, reference) = (fields.next()?, fields.next()?, fields.next()?);
            if fields.next().is_some() || path.is_empty() {
                return None;
            }
            index.entries.insert(
                path.to_owned(),
                Entry {
                    id: id.to_owned(),
                    reference: reference.to_owned(),
                },
            );
        }
        // The file ends with a line break: a cut-off file is not an index.
        if !ended {
            return None;
        }
        index.reindex();
        Some(index)
    }
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
    let Some(text) = index.to_text(tree) else {
        return;
    };
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
        let mut index = IdIndex::default();
        index.entries.insert(
            "threads/t/01JD8Q2000000000000000000A.md".into(),
            Entry {
                id: "01JD8Q2000000000000000000A".into(),
                reference: "01JD8Q1Z4A2B3C4D5E6F7G8H9J".into(),
            },
        );
        index.reindex();
        let dir = tempfile::tempdir().unwrap();
        let tree = "a".repeat(40);
        store(dir.path(), &tree, &index);
        assert_eq!(load(dir.path(), &tree), Some(index.clone()));
        assert_eq!(load(dir.path(), &"b".repeat(40)), None);
        let file = file_of(dir.path(), &tree);
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, &text[..text.len() - 3]).unwrap();
        assert_eq!(load(dir.path(), &tree), None, "a cut-off file");
        fs::write(&file, text.replace("longhand-ids 1", "longhand-ids 2")).unwrap();
        assert_eq!(load(dir.path(), &tree), None, "another format");
        for n in 0..(KEEP + 3) {
            store(dir.path(), &format!("{n:040}"), &index);
        }
        let kept = fs::read_dir(file.parent().unwrap()).unwrap().count();
        assert!(kept <= KEEP, "{kept} kept");
    }
}
