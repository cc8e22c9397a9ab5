//! Unit tests of the walk itself: ranges, bare repositories, merge commits, a sub-directory
//! root. The rules are pinned down by the vectors in `spec/conformance/history/`.

use git2::Repository;

use super::fixture::{codes, commit, opened, reply, ANA, BO, CONFIG, REPLY_PATH, THREAD};
use super::verify;
use crate::diagnostic::Code;

#[test]
fn a_bare_repository_is_verified_and_the_base_bounds_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let first = opened(&repo);
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
    let root = opened(&repo);
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
