//! The conformance runner: every vector under spec/conformance/tree/ is validated from a work
//! tree, from a git revision and from an in-memory tree, and must produce exactly the
//! diagnostics it lists; the push hook's incremental check of the commit that adds the
//! vector's files must reach the same verdict. A vector with `raw-entries` (names no file
//! system holds) is read from git only.

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
            "file" => write(&root.join(text("path")), text("text")),
            other => panic!("{}: unknown generator kind `{other}`", vector.name),
        }
    }
}

/// The entries a vector declares in `raw-entries`, which no file system holds (`..`, `a/b`,
/// names that are not UTF-8, over 255 bytes, submodules): added by hand to the vector's
/// directory in the tree of `base`, committed on top of it. The commit's id.
fn raw_commit(vector: &Vector, repo: &Path, base: &str) -> Option<String> {
    let items = vector.spec.get("raw-entries")?.as_array()?;
    let mut tree = format!("{base}^{{tree}}");
    for item in items {
        let dir = item.get("dir").and_then(Value::as_str).unwrap_or_default();
        let mut at: Vec<&[u8]> = vec![vector.name.as_bytes()];
        at.extend(dir.split('/').filter(|s| !s.is_empty()).map(str::as_bytes));
        tree = crate::raw_tree::add_entry(repo, &tree, &at, raw_entry(vector, repo, item));
    }
    Some(crate::raw_tree::commit_tree(
        repo,
        &tree,
        base,
        "raw entries",
    ))
}

/// One entry of `raw-entries`: its name is `name` (repeated `repeat` times) or the bytes
/// `name-hex`; it is a file holding `text`, a directory holding `entries`, or, with
/// `"mode": "160000"`, a submodule.
fn raw_entry(vector: &Vector, repo: &Path, item: &Value) -> crate::raw_tree::RawEntry {
    use crate::raw_tree::RawEntry;
    let name: Vec<u8> = match (item.get("name-hex"), item.get("name")) {
        (Some(hex), _) => {
            let hex = hex.as_str().expect("name-hex is a string");
            (0..hex.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
                .collect()
        }
        (None, Some(name)) => {
            let times = item.get("repeat").and_then(Value::as_u64).unwrap_or(1) as usize;
            name.as_str()
                .expect("name is a string")
                .repeat(times)
                .into_bytes()
        }
        (None, None) => panic!("{}: a raw entry needs `name` or `name-hex`", vector.name),
    };
    match item.get("mode").and_then(Value::as_str) {
        Some("160000") => RawEntry::submodule(&name, &"1".repeat(40)),
        _ => match item.get("entries").and_then(Value::as_array) {
            Some(entries) => RawEntry::dir(
                repo,
                &name,
                entries.iter().map(|e| raw_entry(vector, repo, e)).collect(),
            ),
            None => {
                let text = item.get("text").and_then(Value::as_str).unwrap_or_default();
                RawEntry::file(repo, &name, text.as_bytes())
            }
        },
    }
}

/// What git prints, trimmed.
fn git_text(repo: &Path, args: &[&str]) -> String {
    crate::support::git(repo, args).trim().to_owned()
}

/// A commit on top of `commit` whose directory `name` holds only its `longhand.yaml`.
fn config_only(repo: &Path, name: &str, commit: &str) -> String {
    use crate::raw_tree::{add_entry, commit_tree, read_tree, RawEntry};
    let config: Vec<RawEntry> = read_tree(repo, &format!("{commit}:{name}"))
        .into_iter()
        .filter(|e| e.name == b"longhand.yaml")
        .collect();
    let dir = RawEntry::dir(repo, name.as_bytes(), config);
    let tree = add_entry(repo, &format!("{commit}^{{tree}}"), &[], dir);
    commit_tree(repo, &tree, commit, "only longhand.yaml")
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
fn every_vector_gives_exactly_its_diagnostics_from_every_source_and_the_push_hook() {
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
        // A vector with raw entries is read from git only: no file system holds them.
        let raw = raw_commit(vector, &repo, "HEAD");
        let git = git2::Repository::open(&repo).expect("open repo");
        let from_git = validate::run(
            &GitTree::new(git, raw.as_deref().unwrap_or("HEAD"), &vector.name)
                .unwrap_or_else(|e| panic!("{}: {e}", vector.name)),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        // The push hook's incremental check, from a commit holding only the vector's
        // longhand.yaml to the commit holding the vector: it must reach the same verdict.
        let new = match &raw {
            Some(commit) => commit.clone(),
            None => git_text(&repo, &["rev-parse", "HEAD"]),
        };
        let old = config_only(&repo, &vector.name, &new);
        let oid = |hex: &str| git2::Oid::from_str(hex).expect("an id");
        let from_hook = longhand::history::check_tree_change(
            &git2::Repository::open(&repo).expect("open repo"),
            &vector.name,
            Some(oid(&old)),
            oid(&new),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let mut sources = vec![("git revision", from_git), ("push hook", from_hook)];
        if raw.is_none() {
            let from_disk = validate::run(&WorkTree::new(repo.join(&vector.name)))
                .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
            let from_memory = validate::run(&memory_tree(&repo.join(&vector.name)))
                .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
            sources.push(("work tree", from_disk));
            sources.push(("memory", from_memory));
        }
        for (source, report) in &sources {
            let mut got = actual(report);
            let mut want = want.clone();
            // The hook reports on what a push changed: longhand.yaml is the same on both
            // sides here, so its own diagnostics are the hook's to give or not.
            if *source == "push hook" {
                got.retain(|(_, path, _)| path != "longhand.yaml");
                want.retain(|(_, path, _)| path != "longhand.yaml");
            }
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

/// How `longhand validate` shows every rule to a person: the human output for each vector read
/// from a work tree (vectors with raw entries exist only in git and are left out), recorded
/// in one snapshot. The runner above pins down which diagnostics are found; this pins down
/// their messages, locations, source lines, carets and help texts, as the command prints them.
#[test]
fn every_vector_reads_to_a_person_as_recorded() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut shown = String::new();
    for vector in vectors() {
        if vector.spec.get("raw-entries").is_some() {
            continue;
        }
        let root = scratch.path().join(&vector.name);
        copy_tree(&vector.dir.join("discussion"), &root);
        generate(&vector, &root);
        let run = crate::support::longhand(&root, &["validate"]);
        assert_eq!(run.stderr, "", "{}", vector.name);
        shown.push_str(&format!(
            "== {} (exit {})\n{}",
            vector.name, run.code, run.stdout
        ));
    }
    insta::assert_snapshot!(shown);
}
