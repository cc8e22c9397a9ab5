//! The merge: every vector under spec/conformance/merge/ through `merge::three_way` and through
//! the real binary's `merge-driver`, and real `git merge`s of branches that both edit a thread.

use std::fs;
use std::path::{Path, PathBuf};

use longhand::merge::{self, Conflict, Merged};
use longhand::model::ThreadStatus;
use longhand::{load, Severity, WorkTree};
use serde_json::Value;

use crate::support::{git, git_init, git_run, longhand, ok, workspace};

struct Vector {
    name: String,
    dir: PathBuf,
}

impl Vector {
    fn read(&self, file: &str) -> Vec<u8> {
        fs::read(self.dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", self.name))
    }

    fn expected(&self) -> Option<Vec<u8>> {
        fs::read(self.dir.join("expected.md")).ok()
    }

    /// `conflict.json`: the conflicting fields in order, and whether lines conflict.
    fn conflict(&self) -> Option<(Vec<String>, bool)> {
        let text = fs::read_to_string(self.dir.join("conflict.json")).ok()?;
        let spec: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: conflict.json: {e}", self.name));
        let fields = spec["fields"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: `fields` must be a list", self.name))
            .iter()
            .map(|f| f.as_str().expect("a field name").to_owned())
            .collect();
        let body = spec["body"]
            .as_bool()
            .unwrap_or_else(|| panic!("{}: `body` must be true or false", self.name));
        Some((fields, body))
    }
}

fn vectors() -> Vec<Vector> {
    let root = workspace().join("spec/conformance/merge");
    let mut vectors: Vec<Vector> = fs::read_dir(&root)
        .expect("spec/conformance/merge exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|dir| Vector {
            name: dir
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
            dir,
        })
        .collect();
    vectors.sort_by(|a, b| a.name.cmp(&b.name));
    vectors
}

fn three_way(vector: &Vector, swapped: bool) -> Merged {
    let (base, ours, theirs) = (
        vector.read("base.md"),
        vector.read("ours.md"),
        vector.read("theirs.md"),
    );
    let (ours, theirs) = if swapped {
        (theirs, ours)
    } else {
        (ours, theirs)
    };
    merge::three_way(&base, &ours, &theirs, 7)
        .unwrap_or_else(|e| panic!("{}: the merge failed to run: {e}", vector.name))
}

fn conflicting_fields(merged: &Merged) -> (Vec<String>, bool) {
    let fields = merged
        .conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::Field { key, .. } => Some(key.clone()),
            _ => None,
        })
        .collect();
    let lines = merged
        .conflicts
        .iter()
        .any(|c| matches!(c, Conflict::Lines { .. }));
    (fields, lines)
}

#[test]
fn there_are_merge_vectors_of_both_kinds_for_every_rule() {
    let vectors = vectors();
    assert!(vectors.len() >= 15, "only {} merge vectors", vectors.len());
    for vector in &vectors {
        assert!(
            vector.expected().is_some() != vector.conflict().is_some(),
            "{}: a vector has exactly one of expected.md and conflict.json",
            vector.name
        );
    }
    let conflicts = vectors.iter().filter(|v| v.conflict().is_some()).count();
    assert!(conflicts >= 4 && conflicts < vectors.len());
}

#[test]
fn every_merge_vector_merges_as_it_says_and_symmetrically() {
    for vector in vectors() {
        let merged = three_way(&vector, false);
        let text = String::from_utf8_lossy(&merged.text).into_owned();
        if let Some(expected) = vector.expected() {
            assert!(
                merged.is_clean(),
                "{}: {:?}\n{text}",
                vector.name,
                merged.conflicts
            );
            assert_eq!(
                text,
                String::from_utf8_lossy(&expected),
                "{}: the merge differs from expected.md",
                vector.name
            );
            let swapped = three_way(&vector, true);
            assert_eq!(
                swapped.text, merged.text,
                "{}: swapping the sides changes the result",
                vector.name
            );
            // A field-by-field merge of valid sides is valid; a line merge keeps what it had.
            let parsed = longhand::document::parse_markdown("merged.md", &merged.text);
            assert!(
                merged.method == merge::Method::Lines
                    || parsed
                        .diagnostics
                        .iter()
                        .all(|d| d.code.severity() != Severity::Error),
                "{}: {:?}",
                vector.name,
                parsed.diagnostics
            );
        } else if let Some((fields, body)) = vector.conflict() {
            assert_eq!(
                conflicting_fields(&merged),
                (fields, body),
                "{}: {:?}\n{text}",
                vector.name,
                merged.conflicts
            );
            let parsed = longhand::document::parse_markdown("merged.md", &merged.text);
            for conflict in &merged.conflicts {
                assert!(
                    parsed
                        .diagnostics
                        .iter()
                        .any(|d| d.code.code() == "LH601" && d.line == Some(conflict.line())),
                    "{}: no LH601 at line {} of\n{text}",
                    vector.name,
                    conflict.line()
                );
            }
        }
    }
}

#[test]
fn every_merge_vector_runs_through_the_merge_driver() {
    for vector in vectors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for (from, to) in [
            ("base.md", "base"),
            ("ours.md", "ours"),
            ("theirs.md", "theirs"),
        ] {
            fs::write(d.join(to), vector.read(from)).expect("write");
        }
        let run = longhand(
            d,
            &[
                "merge-driver",
                "base",
                "ours",
                "theirs",
                "threads/x/thread.md",
                "--marker-size",
                "7",
            ],
        );
        let written = fs::read(d.join("ours")).expect("read");
        assert_eq!(
            written,
            three_way(&vector, false).text,
            "{}: the driver wrote something else than three_way",
            vector.name
        );
        if vector.expected().is_some() {
            assert_eq!(run.code, 0, "{}: {}", vector.name, run.stderr);
        } else {
            assert_eq!(run.code, 1, "{}: {}", vector.name, run.stderr);
            assert!(
                run.stderr.contains("conflict(s) in threads/x/thread.md"),
                "{}: {}",
                vector.name,
                run.stderr
            );
        }
    }
}

/// A repository with `longhand init` (and so the driver registered) and one thread on `main`,
/// tagged `process`, and a branch `other` made from it.
fn repository_with_a_thread() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    ok(longhand(d, &["init", "--title", "Acme"]));
    ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Merging",
            "-m",
            "Edit me twice.",
            "--tag",
            "process",
        ],
    ));
    git(d, &["branch", "other"]);
    dir
}

fn thread_md(d: &Path) -> PathBuf {
    let threads = d.join("threads");
    // The one thread's directory (`init` also leaves a `.gitkeep` there, listed in whatever
    // order the file system keeps).
    let slug = fs::read_dir(&threads)
        .expect("threads/")
        .map(|e| e.expect("entry").path())
        .find(|path| path.is_dir())
        .expect("one thread");
    slug.join("thread.md")
}

#[test]
fn git_merges_two_branches_that_both_edit_a_thread_through_the_driver() {
    let dir = repository_with_a_thread();
    let d = dir.path();
    git(d, &["checkout", "-q", "other"]);
    ok(longhand(
        d,
        &[
            "thread",
            "edit",
            "merging",
            "--title",
            "Merging, renamed",
            "--add-tag",
            "q4",
        ],
    ));
    git(d, &["checkout", "-q", "main"]);
    ok(longhand(
        d,
        &["thread", "edit", "merging", "--add-tag", "meetings"],
    ));
    ok(longhand(d, &["thread", "resolve", "merging"]));
    let merge = git_run(d, &["merge", "-q", "--no-edit", "other"]);
    assert_eq!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = &loaded.discussion.threads[0];
    assert_eq!(thread.title, "Merging, renamed");
    assert_eq!(thread.status, ThreadStatus::Resolved);
    assert_eq!(thread.tags, ["process", "meetings", "q4"]);
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_true_conflict_stops_git_merge_with_markers_that_validate_reports() {
    let dir = repository_with_a_thread();
    let d = dir.path();
    git(d, &["checkout", "-q", "other"]);
    ok(longhand(d, &["thread", "close", "merging"]));
    git(d, &["checkout", "-q", "main"]);
    ok(longhand(
        d,
        &["thread", "edit", "merging", "--add-tag", "meetings"],
    ));
    ok(longhand(d, &["thread", "resolve", "merging"]));
    let merge = git_run(d, &["merge", "-q", "--no-edit", "other"]);
    assert_ne!(merge.code, 0, "{}{}", merge.stdout, merge.stderr);
    let text = fs::read_to_string(thread_md(d)).expect("read");
    assert!(
        text.contains("<<<<<<< ours\nstatus: resolved\n=======\nstatus: closed\n>>>>>>> theirs\n"),
        "{text}"
    );
    assert!(text.contains("tags: [process, meetings]\n"), "{text}");
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("LH601"), "{}", run.stdout);
}
