//! Hand-made git trees: entries git itself never writes from a work tree (`..`, `.git`,
//! `a/b`, names that are not UTF-8, 4,000-byte names, submodules), built as an attacker
//! builds them, with real git's plumbing: `git cat-file tree` to read a tree's bytes and
//! `git hash-object -w --literally -t tree` to write any bytes as a tree.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::isolate;

/// One entry of a tree, as git stores it.
#[derive(Clone, Debug)]
pub struct RawEntry {
    /// The octal mode as git writes it: `100644`, `40000`, `120000`, `160000`.
    pub mode: String,
    /// The name's bytes, whatever they are.
    pub name: Vec<u8>,
    /// The object's id, hexadecimal.
    pub oid: String,
}

impl RawEntry {
    /// A regular file holding `text`.
    pub fn file(repo: &Path, name: &[u8], text: &[u8]) -> RawEntry {
        RawEntry {
            mode: "100644".into(),
            name: name.to_vec(),
            oid: blob(repo, text),
        }
    }

    /// A directory holding `entries`.
    pub fn dir(repo: &Path, name: &[u8], entries: Vec<RawEntry>) -> RawEntry {
        RawEntry {
            mode: "40000".into(),
            name: name.to_vec(),
            oid: write_tree(repo, entries),
        }
    }

    /// A submodule (gitlink) pointing at `commit`.
    pub fn submodule(name: &[u8], commit: &str) -> RawEntry {
        RawEntry {
            mode: "160000".into(),
            name: name.to_vec(),
            oid: commit.to_owned(),
        }
    }

    fn is_tree(&self) -> bool {
        self.mode == "40000"
    }
}

/// Runs git in `repo` with `input` on its standard input; its standard output, as bytes.
fn git_bytes(repo: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new("git");
    command.current_dir(repo).args(args);
    isolate(&mut command, home.path());
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("git starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write to git");
    let output = child.wait_with_output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .expect("git prints text")
        .trim()
        .to_owned()
}

/// Writes `bytes` as a blob; its id.
pub fn blob(repo: &Path, bytes: &[u8]) -> String {
    text(git_bytes(repo, &["hash-object", "-w", "--stdin"], bytes))
}

/// The entries of the tree `tree` (an id, or anything `git rev-parse` takes such as `HEAD^{tree}`).
pub fn read_tree(repo: &Path, tree: &str) -> Vec<RawEntry> {
    let bytes = git_bytes(repo, &["cat-file", "tree", tree], b"");
    let mut entries = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let space = rest.iter().position(|b| *b == b' ').expect("mode");
        let nul = rest.iter().position(|b| *b == 0).expect("name");
        let oid: String = rest[nul + 1..nul + 21]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        entries.push(RawEntry {
            mode: String::from_utf8(rest[..space].to_vec()).expect("mode"),
            name: rest[space + 1..nul].to_vec(),
            oid,
        });
        rest = &rest[nul + 21..];
    }
    entries
}

/// Writes `entries` as a tree, in git's order (a sub-tree's name sorts as if it ended in
/// `/`), checking nothing about the names; its id.
pub fn write_tree(repo: &Path, mut entries: Vec<RawEntry>) -> String {
    let key = |e: &RawEntry| {
        let mut key = e.name.clone();
        if e.is_tree() {
            key.push(b'/');
        }
        key
    };
    entries.sort_by_key(key);
    let mut bytes = Vec::new();
    for entry in &entries {
        bytes.extend_from_slice(entry.mode.as_bytes());
        bytes.push(b' ');
        bytes.extend_from_slice(&entry.name);
        bytes.push(0);
        for at in (0..40).step_by(2) {
            let byte = u8::from_str_radix(&entry.oid[at..at + 2], 16).expect("hex id");
            bytes.push(byte);
        }
    }
    text(git_bytes(
        repo,
        &["hash-object", "-w", "--literally", "-t", "tree", "--stdin"],
        &bytes,
    ))
}

/// The tree `root` with `entry` added to its directory `dir` (names from the top, created
/// when missing), replacing an entry of the same name; the new root's id.
pub fn add_entry(repo: &Path, root: &str, dir: &[&[u8]], entry: RawEntry) -> String {
    let mut entries = read_tree(repo, root);
    let Some((first, rest)) = dir.split_first() else {
        entries.retain(|e| e.name != entry.name);
        entries.push(entry);
        return write_tree(repo, entries);
    };
    let below = match entries.iter().find(|e| e.name == *first && e.is_tree()) {
        Some(existing) => existing.oid.clone(),
        None => write_tree(repo, Vec::new()),
    };
    let changed = add_entry(repo, &below, rest, entry);
    entries.retain(|e| e.name != *first);
    entries.push(RawEntry {
        mode: "40000".into(),
        name: first.to_vec(),
        oid: changed,
    });
    write_tree(repo, entries)
}

/// A commit of `tree` on top of `parent`, by the test identity (Ana); its id.
pub fn commit_tree(repo: &Path, tree: &str, parent: &str, message: &str) -> String {
    text(git_bytes(
        repo,
        &["commit-tree", tree, "-p", parent, "-m", message],
        b"",
    ))
}
