//! A test repository built commit by commit, shared by the tests of the history rules and of
//! the push-check acceleration.

use git2::{Oid, Repository, Signature, Time};

use crate::diagnostic::Code;

pub(crate) const CONFIG: &str = "longhand: 1\ntitle: T\npeople:\n  ana:\n    name: Ana Lima\n    emails: [ana@example.org]\n    roles: [moderator]\n  bo:\n    name: Bo Chen\n    emails: [bo@example.org]\n";
pub(crate) const THREAD: &str = "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: Hello\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:30:00-03:00\nstatus: open\n---\nHi.\n";
pub(crate) const REPLY_PATH: &str = "threads/t/01JD8Q2000000000000000000A.md";

pub(crate) fn reply(body: &str) -> String {
    format!("---\nid: 01JD8Q2000000000000000000A\nauthor: Bo Chen <bo@example.org>\ndate: 2026-11-24T15:00:00+01:00\n---\n{body}")
}

/// Commits `files` (path → Some(text) to write, None to delete) on top of `parents`' first
/// tree, as `who`, without touching any ref.
pub(crate) fn commit(
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
                let entry = crate::test_support::blob_entry(path, oid, text.len());
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

pub(crate) const ANA: (&str, &str) = ("Ana Lima", "ana@example.org");
pub(crate) const BO: (&str, &str) = ("Bo Chen", "bo@example.org");

pub(crate) fn codes(report: &crate::Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

/// The first commit of a test repository: Ana's config and her thread `t`.
pub(crate) fn opened(repo: &Repository) -> Oid {
    commit(
        repo,
        &[],
        ANA,
        &[
            ("longhand.yaml", Some(CONFIG)),
            ("threads/t/thread.md", Some(THREAD)),
        ],
    )
}
