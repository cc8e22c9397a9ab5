//! A reader's own marks, kept in the clone and never committed: the inbox items they marked
//! done ([`crate::read::inbox::Done`]) and when they last read the digest (`digest
//! --mark-read`, read back by `digest --since last`). One file per discussion root,
//! `<gitdir>/longhand/marks/<hash of the root's path>`, for every reader of the clone (by
//! handle or email).
//!
//! Unlike the other stores this is not a cache: it is what the reader said. Losing it loses
//! nothing of the discussion — done items come back, and `--since last` starts again from
//! the default window — so a file that does not read back whole is treated as empty, and
//! every write replaces the file atomically.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::model::Who;
use crate::read::inbox::Done;
use crate::store::{self, Store};
use crate::{Error, Result};

/// The first line of a marks file.
const MAGIC: &str = "longhand-marks 1";

/// When a reader last read the digest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LastRead {
    /// The instant of the digest they read.
    pub at: Timestamp,
    /// The commit `HEAD` was at then, when there was one (full hex).
    pub commit: Option<String>,
}

impl LastRead {
    /// A mark at `at`, with the commit `HEAD` was at.
    pub fn new(at: Timestamp, commit: Option<String>) -> LastRead {
        LastRead { at, commit }
    }
}

/// Every reader's marks in one clone, for one discussion root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// Done marks, by reader ([`Who::as_str`]).
    done: BTreeMap<String, Done>,
    /// The last digest read, by reader.
    read: BTreeMap<String, LastRead>,
}

/// Where the marks of the discussion at `root` live; `None` outside a git repository.
fn location(root: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::discover(root).ok()?;
    Some(store::of_root(repo.path(), Store::Marks, root))
}

impl Marks {
    /// The marks kept for the discussion at `root` (a work tree): empty when there are none,
    /// when the file does not read back whole, or outside a git repository.
    pub fn load(root: &Path) -> Marks {
        location(root)
            .and_then(|path| fs::read_to_string(path).ok())
            .and_then(|text| Marks::parse(&text))
            .unwrap_or_default()
    }

    /// Keeps the marks for the discussion at `root`, replacing the file atomically.
    /// `Error::NotARepository` outside a git repository: marks live in the clone.
    pub fn save(&self, root: &Path) -> Result<()> {
        let path = location(root).ok_or_else(|| Error::NotARepository {
            path: root.to_path_buf(),
            message: "marks are kept in the clone's git directory".into(),
        })?;
        let dir = path.parent().unwrap_or(root);
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        store::write(&path, &[self.text().as_bytes()]).map_err(|e| Error::io(&path, e))
    }

    /// The done marks of `who`.
    pub fn done(&self, who: &Who) -> Done {
        self.done.get(who.as_str()).cloned().unwrap_or_default()
    }

    /// Marks the item `id` done for `who` while its fingerprint stays `fingerprint`, and
    /// forgets `who`'s marks on items not in `current` (items that left the inbox).
    pub fn mark_done(&mut self, who: &Who, id: &str, fingerprint: u64, current: &[&str]) {
        let done = self.done.entry(who.as_str().to_owned()).or_default();
        done.marks
            .retain(|marked, _| current.contains(&marked.as_str()));
        done.marks.insert(id.to_owned(), fingerprint);
    }

    /// When `who` last read the digest, if they marked it.
    pub fn last_read(&self, who: &Who) -> Option<&LastRead> {
        self.read.get(who.as_str())
    }

    /// Records that `who` read the digest.
    pub fn set_last_read(&mut self, who: &Who, read: LastRead) {
        self.read.insert(who.as_str().to_owned(), read);
    }

    fn text(&self) -> String {
        let mut out = format!("{MAGIC}\n");
        for (who, done) in &self.done {
            for (id, fingerprint) in &done.marks {
                out.push_str(&format!("done {who} {id} {fingerprint:016x}\n"));
            }
        }
        for (who, read) in &self.read {
            let commit = read.commit.as_deref().unwrap_or("-");
            out.push_str(&format!("read {who} {} {commit}\n", read.at));
        }
        let sum = store::checksum(out.as_bytes());
        out.push_str(&format!("end {sum:016x}\n"));
        out
    }

    fn parse(text: &str) -> Option<Marks> {
        let (body, last) = text.strip_suffix('\n')?.rsplit_once('\n')?;
        let body = format!("{body}\n");
        let sum = u64::from_str_radix(last.strip_prefix("end ")?, 16).ok()?;
        if store::checksum(body.as_bytes()) != sum {
            return None;
        }
        let mut lines = body.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut marks = Marks::default();
        for line in lines {
            let fields: Vec<&str> = line.split(' ').collect();
            match fields.as_slice() {
                ["done", who, id, fingerprint] => {
                    let fingerprint = u64::from_str_radix(fingerprint, 16).ok()?;
                    marks
                        .done
                        .entry((*who).to_owned())
                        .or_default()
                        .marks
                        .insert((*id).to_owned(), fingerprint);
                }
                ["read", who, at, commit] => {
                    let commit = (*commit != "-").then(|| (*commit).to_owned());
                    marks
                        .read
                        .insert((*who).to_owned(), LastRead::new(at.parse().ok()?, commit));
                }
                _ => return None,
            }
        }
        Some(marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip_and_a_damaged_file_reads_as_none() {
        let bo = Who::Person("bo".into());
        let ops = Who::Email("ops@example.org".into());
        let mut marks = Marks::default();
        marks.mark_done(&bo, "thread/a", 7, &[]);
        marks.mark_done(&bo, "decision/b", 8, &["thread/a"]);
        marks.mark_done(&ops, "thread/a", 9, &[]);
        marks.set_last_read(
            &bo,
            LastRead::new(
                "2026-12-01T09:00:00Z".parse().unwrap(),
                Some("ab".repeat(20)),
            ),
        );
        marks.set_last_read(
            &ops,
            LastRead::new("2026-12-02T09:00:00Z".parse().unwrap(), None),
        );
        let text = marks.text();
        assert_eq!(Marks::parse(&text), Some(marks.clone()));
        assert!(marks.done(&bo).holds("thread/a", 7) && marks.done(&bo).holds("decision/b", 8));
        assert!(!marks.done(&bo).holds("thread/a", 9));
        // Marking forgets marks on items no longer current.
        marks.mark_done(&bo, "thread/c", 1, &["decision/b"]);
        assert!(!marks.done(&bo).holds("thread/a", 7));
        assert!(marks.done(&bo).holds("decision/b", 8));
        assert_eq!(Marks::parse(&text[..text.len() - 2]), None);
        assert_eq!(Marks::parse(&text.replace("thread/a", "thread/x")), None);
        assert_eq!(Marks::parse(""), None);
    }

    #[test]
    fn marks_are_kept_in_the_git_directory_and_refused_outside_a_repository() {
        let dir = tempfile::tempdir().unwrap();
        let bo = Who::Person("bo".into());
        let mut marks = Marks::default();
        marks.mark_done(&bo, "thread/a", 7, &[]);
        assert!(matches!(
            marks.save(dir.path()),
            Err(Error::NotARepository { .. })
        ));
        git2::Repository::init(dir.path()).unwrap();
        marks.save(dir.path()).unwrap();
        assert_eq!(Marks::load(dir.path()), marks);
        let kept = dir.path().join(".git/longhand/marks");
        assert_eq!(fs::read_dir(&kept).unwrap().count(), 1);
        fs::write(
            fs::read_dir(&kept).unwrap().next().unwrap().unwrap().path(),
            "junk",
        )
        .unwrap();
        assert_eq!(Marks::load(dir.path()), Marks::default());
    }
}
