//! The conformance runner: every vector under spec/conformance/tree/ is validated from a work
//! tree, from a git revision and from an in-memory tree, and must produce exactly the
//! diagnostics it lists.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use longhand::{validate, Code, GitTree, MemoryTree, WorkTree};
use serde_json::Value;

use crate::support::{commit_all, copy_tree, git_init, workspace, write};

/// (code, path, line) — what a vector pins down for each diagnostic.
type Expected = (String, String, Option<u32>);

struct Vector {
    name: String,
    dir: PathBuf,
    spec: Value,
}

fn vectors() -> Vec<Vector> {
    let root = workspace().join("spec/conformance/tree");
    let mut vectors: Vec<Vector> = fs::read_dir(&root)
        .expect("spec/conformance/tree exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("vector.json").is_file())
        .map(|dir| {
            let text = fs::read_to_string(dir.join("vector.json")).expect("vector.json");
            let spec: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: vector.json: {e}", dir.display()));
            Vector {
                name: dir
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                dir,
                spec,
            }
        })
        .collect();
    vectors.sort_by(|a, b| a.name.cmp(&b.name));
    vectors
}

fn expected(vector: &Vector) -> Vec<Expected> {
    let mut expected: Vec<Expected> = vector.spec["expect"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: `expect` must be a list", vector.name))
        .iter()
        .map(|e| {
            (
                e["code"].as_str().expect("code").to_owned(),
                e["path"].as_str().expect("path").to_owned(),
                e["line"].as_u64().map(|l| l as u32),
            )
        })
        .collect();
    expected.sort();
    expected
}

/// Writes the files a vector asks to be generated (too large or too many to commit).
fn generate(vector: &Vector, root: &Path) {
    let Some(items) = vector.spec.get("generate").and_then(Value::as_array) else {
        return;
    };
    for item in items {
        let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default();
        match text("kind") {
            "padded-file" => {
                let bytes = item["bytes"].as_u64().expect("bytes") as usize;
                let (head, fill, tail) = (text("head"), text("fill"), text("tail"));
                let mut contents = String::with_capacity(bytes);
                contents.push_str(head);
                while contents.len() + tail.len() < bytes {
                    contents.push_str(fill);
                }
                contents.push_str(tail);
                write(&root.join(text("path")), contents);
            }
            "replies" => {
                let count = item["count"].as_u64().expect("count") as usize;
                let dir = root.join("threads").join(text("thread"));
                for n in 0..count {
                    let id = crate::support::id(n + 1000);
                    let reply = format!(
                        "---\nid: {id}\nauthor: {}\ndate: {}\n---\n{}\n",
                        text("author"),
                        text("date"),
                        text("body")
                    );
                    write(&dir.join(format!("{id}.md")), reply);
                }
            }
            other => panic!("{}: unknown generator kind `{other}`", vector.name),
        }
    }
}

/// The files, directories and links under `root` as a [`MemoryTree`] (links are recorded,
/// never followed).
pub fn memory_tree(root: &Path) -> MemoryTree {
    fn walk(tree: &mut MemoryTree, dir: &Path, rel: &str) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().expect("file type");
            if kind.is_symlink() {
                tree.insert_symlink(&path);
            } else if kind.is_dir() {
                tree.insert_dir(&path);
                walk(tree, &entry.path(), &path);
            } else {
                tree.insert_file(&path, fs::read(entry.path()).expect("read"));
            }
        }
    }
    let mut tree = MemoryTree::new();
    walk(&mut tree, root, "");
    tree
}

fn actual(report: &longhand::Report) -> Vec<Expected> {
    let mut found: Vec<Expected> = report
        .diagnostics
        .iter()
        .map(|d| (d.code.code().to_owned(), d.path.clone(), d.line))
        .collect();
    found.sort();
    found
}

fn describe(list: &[Expected]) -> String {
    list.iter()
        .map(|(code, path, line)| match line {
            Some(line) => format!("    {code} {path}:{line}"),
            None => format!("    {code} {path}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_vector_gives_exactly_its_diagnostics_from_a_work_tree_from_git_and_from_memory() {
    let vectors = vectors();
    assert!(vectors.len() >= 60, "only {} vectors", vectors.len());
    // All vectors go into one repository, one directory each, in one commit.
    let scratch = tempfile::tempdir().expect("tempdir");
    let repo = scratch.path().join("repo");
    git_init(&repo);
    for vector in &vectors {
        let root = repo.join(&vector.name);
        copy_tree(&vector.dir.join("discussion"), &root);
        generate(vector, &root);
    }
    commit_all(&repo, "vectors");
    let mut failures = Vec::new();
    for vector in &vectors {
        let want = expected(vector);
        let from_disk = validate::run(&WorkTree::new(repo.join(&vector.name)))
            .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let git = git2::Repository::open(&repo).expect("open repo");
        let from_git = validate::run(
            &GitTree::new(git, "HEAD", &vector.name)
                .unwrap_or_else(|e| panic!("{}: {e}", vector.name)),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let from_memory = validate::run(&memory_tree(&repo.join(&vector.name)))
            .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        for (source, report) in [
            ("work tree", &from_disk),
            ("git revision", &from_git),
            ("memory", &from_memory),
        ] {
            let got = actual(report);
            if got != want {
                failures.push(format!(
                    "{} ({source}):\n  expected:\n{}\n  got:\n{}\n  messages:\n{}",
                    vector.name,
                    describe(&want),
                    describe(&got),
                    report
                        .diagnostics
                        .iter()
                        .map(|d| format!("    {} {}", d.code, d.message))
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rule_has_a_vector_and_valid_vectors_exist() {
    let vectors = vectors();
    let covered: BTreeSet<String> = vectors
        .iter()
        .flat_map(|v| expected(v).into_iter().map(|(code, _, _)| code))
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.code())
        // History rules (LH7xx) hold between commits; tests/history.rs covers them.
        .filter(|c| !c.starts_with("LH7") && !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "rules without a vector: {missing:?}");
    let unknown: Vec<&String> = covered
        .iter()
        .filter(|c| Code::parse(c).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "vectors expect unknown codes: {unknown:?}"
    );
    let valid = vectors.iter().filter(|v| expected(v).is_empty()).count();
    assert!(valid >= 10, "only {valid} valid vectors");
}

#[test]
fn the_spec_lists_every_rule_with_its_name_and_severity() {
    let spec = fs::read_to_string(workspace().join("spec/protocol.md")).expect("spec/protocol.md");
    let rows: Vec<Vec<String>> = spec
        .lines()
        .filter(|l| l.trim_start().starts_with("| LH"))
        .map(|l| l.split('|').map(|c| c.trim().to_owned()).collect())
        .collect();
    for code in Code::ALL {
        let row = rows
            .iter()
            .find(|cells| cells.get(1).map(String::as_str) == Some(code.code()))
            .unwrap_or_else(|| panic!("spec/protocol.md has no table row for {}", code.code()));
        assert_eq!(
            row.get(2).map(String::as_str),
            Some(code.name()),
            "{}",
            code.code()
        );
        assert_eq!(
            row.get(3).map(String::as_str),
            Some(code.severity().as_str()),
            "{}",
            code.code()
        );
    }
}
