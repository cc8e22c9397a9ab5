//! Unit tests of the walk itself: ranges, bare repositories, merge commits, a sub-directory
//! root. The rules are pinned down by the vectors in `spec/conformance/history/`.

use git2::{Oid, Repository, Signature, Time};

use super::verify;
use crate::diagnostic::Code;

const CONFIG: &str = "longhand: 1\ntitle: T\npeople:\n  ana:\n    name: Ana Lima\n    emails: [ana@example.org]\n    roles: [moderator]\n  bo:\n    name: Bo Chen\n    emails: [bo@example.org]\n";
const THREAD: &str = "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: Hello\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:30:00-03:00\nstatus: open\n---\nHi.\n";
const REPLY_PATH: &str = "threads/t/01JD8Q2000000000000000000A.md";

fn reply(body: &str) -> String {
    format!("---\nid: 01JD8Q2000000000000000000A\nauthor: Bo Chen <bo@example.org>\ndate: 2026-11-24T15:00:00+01:00\n---\n{body}")
}

/// Commits `files` (path → Some(text) to write, None to delete) on top of `parents`' first
/// tree, as `who`, without touching any ref.
fn commit(
    repo: &Repository,
    parents: &[Oid],
    who: (&str, &str),
    files: &[(&str, Option<&str>)],
) -> Oid {
    let base = parents
        .first()
        .map(|p| repo.find_commit(*p).unwrap().tree().unwrap());
    let mut index = git2::Index::new().unwrap();
    if let Some(tree) = &base {
        index.read_tree(tree).unwrap();
    }
    for (path, text) in files {
        match text {
            Some(text) => {
                let oid = repo.blob(text.as_bytes()).unwrap();
                let entry = git2::IndexEntry {
                    ctime: git2::IndexTime::new(0, 0),
                    mtime: git2::IndexTime::new(0, 0),
                    dev: 0,
                    ino: 0,
                    mode: 0o100644,
                    uid: 0,
                    gid: 0,
                    file_size: text.len() as u32,
                    id: oid,
                    flags: path.len() as u16,
                    flags_extended: 0,
                    path: path.as_bytes().to_vec(),
                };
                index.add(&entry).unwrap();
            }
            None => index.remove_path(std::path::Path::new(path)).unwrap(),
        }
    }
    let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
    let signature = Signature::new(who.0, who.1, &Time::new(1_764_000_000, 0)).unwrap();
    let parents: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|p| repo.find_commit(*p).unwrap())
        .collect();
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &signature, &signature, "change", &tree, &parents)
        .unwrap()
}

const ANA: (&str, &str) = ("Ana Lima", "ana@example.org");
const BO: (&str, &str) = ("Bo Chen", "bo@example.org");

fn codes(report: &crate::Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn a_bare_repository_is_verified_and_the_base_bounds_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let first = commit(
        &repo,
        &[],
        ANA,
        &[
            ("longhand.yaml", Some(CONFIG)),
            ("threads/t/thread.md", Some(THREAD)),
        ],
    );
    let forged = commit(&repo, &[first], ANA, &[(REPLY_PATH, Some(&reply("Hi.\n")))]);
    let later = commit(
        &repo,
        &[forged],
        BO,
        &[(
            "threads/t/01JD8Q3000000000000000000B.md",
            Some(&reply("x\n").replace("01JD8Q2000000000000000000A", "01JD8Q3000000000000000000B")),
        )],
    );
    let all = verify(&repo, "", None, later).unwrap();
    assert_eq!(codes(&all), [Code::AuthorshipMismatch]);
    assert!(all.diagnostics[0].message.contains("commit "));
    let after = verify(&repo, ".", Some(forged), later).unwrap();
    assert_eq!(codes(&after), []);
}

#[test]
fn a_merge_answers_only_for_what_differs_from_every_parent() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let root = commit(
        &repo,
        &[],
        ANA,
        &[
            ("longhand.yaml", Some(CONFIG)),
            ("threads/t/thread.md", Some(THREAD)),
        ],
    );
    let side = commit(&repo, &[root], BO, &[(REPLY_PATH, Some(&reply("Hi.\n")))]);
    let main = commit(
        &repo,
        &[root],
        ANA,
        &[(
            "threads/t/thread.md",
            Some(&THREAD.replace("Hi.", "Hello.")),
        )],
    );
    // Ana merges: Bo's reply comes from the side branch, so the merge is not answerable for it.
    let clean = commit(
        &repo,
        &[main, side],
        ANA,
        &[(REPLY_PATH, Some(&reply("Hi.\n")))],
    );
    assert_eq!(codes(&verify(&repo, "", None, clean).unwrap()), []);
    // A merge resolution that rewrites Bo's reply is Ana's change.
    let forged = commit(
        &repo,
        &[main, side],
        ANA,
        &[(REPLY_PATH, Some(&reply("Ana's words.\n")))],
    );
    assert_eq!(
        codes(&verify(&repo, "", None, forged).unwrap()),
        [Code::ReplyChangedByOther]
    );
}

#[test]
fn a_discussion_in_a_sub_directory_is_found_and_other_commits_cost_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let code = commit(&repo, &[], BO, &[("src/main.rs", Some("fn main() {}\n"))]);
    let set_up = commit(
        &repo,
        &[code],
        ANA,
        &[
            ("docs/talk/longhand.yaml", Some(CONFIG)),
            ("docs/talk/threads/t/thread.md", Some(THREAD)),
        ],
    );
    let deleted = commit(
        &repo,
        &[set_up],
        BO,
        &[
            ("docs/talk/threads/t/thread.md", None),
            ("src/main.rs", Some("fn main() { }\n")),
        ],
    );
    let report = verify(&repo, "docs/talk/", None, deleted).unwrap();
    assert_eq!(codes(&report), [Code::ThreadEditForbidden]);
    assert_eq!(report.diagnostics[0].path, "threads/t/thread.md");
    // The top of the repository holds no discussion: nothing to check.
    assert_eq!(codes(&verify(&repo, "", None, deleted).unwrap()), []);
}
