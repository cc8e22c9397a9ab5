//! `longhand verify` end to end: the real binary over real git histories — clones, ranges,
//! a sub-directory root, a bare repository — with every output format and exit code.

use std::path::Path;

use crate::support::{
    git, git_init, git_run_with, id, longhand, reply_md, thread_md, write, CONFIG,
};

const JONAS: [(&str, &str); 2] = [
    ("GIT_AUTHOR_NAME", "Jonas Weber"),
    ("GIT_AUTHOR_EMAIL", "jonas@example.org"),
];

fn commit_as(dir: &Path, env: &[(&str, &str)], message: &str) {
    git(dir, &["add", "-A"]);
    let run = git_run_with(dir, &["commit", "-q", "-m", message], env);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A history in `dir/<root>`: Ana opens a thread, Jonas replies, then Ana commits a reply
/// in Jonas's name (LH706). Returns the commit before the forgery.
fn history(dir: &Path, root: &str) -> String {
    git_init(dir);
    let base = dir.join(root);
    write(&base.join("longhand.yaml"), CONFIG);
    write(
        &base.join("threads/standups/thread.md"),
        thread_md(&id(1), ""),
    );
    commit_as(dir, &[], "thread(standups): open");
    write(
        &base.join(format!("threads/standups/{}.md", id(2))),
        reply_md(&id(2), "", "Yes.\n"),
    );
    commit_as(dir, &JONAS, "reply(standups): Jonas Weber");
    let good = git(dir, &["rev-parse", "HEAD"]).trim().to_owned();
    write(
        &base.join(format!("threads/standups/{}.md", id(3))),
        reply_md(&id(3), "", "Jonas never wrote this.\n"),
    );
    commit_as(dir, &[], "reply(standups): forged");
    good
}

#[test]
fn verify_reports_a_forged_author_with_the_commit_the_file_and_what_to_do() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let good = history(dir, "");
    let run = longhand(dir, &["verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let file = format!("threads/standups/{}.md", id(3));
    assert!(run.stdout.contains("error[LH706]"), "{}", run.stdout);
    assert!(run.stdout.contains(&file), "{}", run.stdout);
    assert!(
        run.stdout.contains("(\"reply(standups): forged\")"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("amend the commit with --author \"Jonas Weber <jonas@example.org>\""),
        "{}",
        run.stdout
    );

    let json = longhand(dir, &["verify", "--format", "json"]);
    assert_eq!(json.code, 1);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["schema"], "longhand/diagnostics/v1");
    assert_eq!(value["diagnostics"][0]["code"], "LH706");
    assert_eq!(value["diagnostics"][0]["path"], file.as_str());

    let github = longhand(dir, &["verify", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert!(
        github.stdout.starts_with(&format!(
            "::error file={file},title=LH706 authorship-mismatch::"
        )),
        "{}",
        github.stdout
    );

    // The range before the forgery is clean, and so is the range after it.
    assert_eq!(longhand(dir, &["verify", &good]).code, 0);
    let after = longhand(dir, &["verify", "HEAD..HEAD"]);
    assert_eq!(after.code, 0, "{}", after.stdout);
    let range = longhand(dir, &["verify", &format!("{good}..HEAD")]);
    assert_eq!(range.code, 1);
    assert!(range.stdout.contains("error[LH706]"));
}

#[test]
fn verify_reads_a_sub_directory_root_and_a_bare_repository() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("clone");
    history(&dir, "docs/talk");
    // From inside the root in the work tree, the root is found.
    let inside = longhand(
        &dir.join("docs/talk/threads"),
        &["verify", "--format", "json"],
    );
    assert_eq!(inside.code, 1, "{}", inside.stderr);
    assert!(inside.stdout.contains("LH706"));
    let github = longhand(&dir.join("docs/talk"), &["verify", "--format", "github"]);
    assert!(
        github.stdout.contains("file=docs/talk/threads/standups/"),
        "{}",
        github.stdout
    );

    let bare = temp.path().join("server.git");
    git(
        temp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &dir.to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    let run = longhand(&bare, &["verify", "main", "--root", "docs/talk"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("error[LH706]"));
    // Without --root, a bare repository's root is the top of the tree: there is none here.
    let top = longhand(&bare, &["verify"]);
    assert_eq!(top.code, 2, "{}", top.stderr);
}

#[test]
fn verify_refuses_what_it_cannot_run_with_exit_code_2() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    history(dir, "");
    let unknown = longhand(dir, &["verify", "no-such-branch"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no-such-branch"),
        "{}",
        unknown.stderr
    );
    let symmetric = longhand(dir, &["verify", "HEAD~1...HEAD"]);
    assert_eq!(symmetric.code, 2);
    assert!(
        symmetric.stderr.contains("BASE..TIP"),
        "{}",
        symmetric.stderr
    );
    let nowhere = tempfile::tempdir().unwrap();
    assert_eq!(longhand(nowhere.path(), &["verify"]).code, 2);
}

#[test]
fn verify_checks_a_tip_that_deleted_the_discussion_but_not_a_root_that_never_was() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    history(dir, "");
    git(dir, &["rm", "-q", "-r", "longhand.yaml", "threads"]);
    git(dir, &["commit", "-q", "-m", "remove the discussion"]);
    let run = longhand(dir, &["verify", "HEAD~1..HEAD", "--format", "json"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["LH701", "LH701"], "{}", run.stdout);
    let nowhere = longhand(dir, &["verify", "--root", "no/such/dir"]);
    assert_eq!(nowhere.code, 2, "{}", nowhere.stdout);
    assert!(
        nowhere.stderr.contains("no longhand.yaml"),
        "{}",
        nowhere.stderr
    );
}
