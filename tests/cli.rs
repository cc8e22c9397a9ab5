//! The real `longhand` binary, run as a user would: in work trees, sub-directories, clones
//! at a revision, bare repositories; every output format and exit code.

use std::fs;

use serde_json::Value;

use crate::support::{
    commit_all, ending_in_newline, example, git, git_init, id, longhand, reply_md,
    small_discussion, write,
};

#[test]
fn the_bundled_example_validates_clean() {
    let run = longhand(&example(), &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("ok: 0 errors, 0 warnings in "),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn errors_exit_1_and_show_the_offending_line_like_rustc() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    let reply = format!("threads/async-standups/{}.md", id(3));
    write(
        &dir.path().join(&reply),
        reply_md(&id(3), &format!("reply-to: {}\n", id(9)), "Agreed.\n"),
    );
    let run = longhand(dir.path(), &["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = format!(
        "error[LH402]: `reply-to` names `{missing}`, which is no message of this thread
 --> {reply}:5:11
  |
5 | reply-to: {missing}
  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: point reply-to at a reply of this thread, or remove it to answer the opening post

error: 1 error, 0 warnings in 4 files
",
        missing = id(9)
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn json_output_follows_the_documented_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    write(
        &dir.path().join("decisions/standups.md"),
        format!(
            "---\nid: {}\ntitle: Written standups\nstatus: superseded\ndate: 2026-11-24T10:00:00Z\ndeciders: []\nmood: hopeful\n---\n",
            id(5)
        ),
    );
    let run = longhand(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    assert_eq!(json["schema"], "longhand/diagnostics/v1");
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["warnings"], 2);
    assert_eq!(json["summary"]["files"], 4);
    let diagnostics = json["diagnostics"].as_array().expect("a list");
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        ["LH501", "LH511", "LH309"],
        "sorted by path, line, column, code"
    );
    let first = &diagnostics[0];
    assert_eq!(first["name"], "superseded-without-successor");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "decisions/standups.md");
    assert_eq!(first["line"], 4);
    assert_eq!(first["column"], 9);
    assert!(first["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(first["help"].as_str().is_some_and(|h| !h.is_empty()));
    let keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    assert_eq!(
        keys.len(),
        8,
        "code name severity path line column message help: {keys:?}"
    );
    // The whole document, byte for byte.
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
}

#[test]
fn github_annotations_name_files_relative_to_the_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    let root = dir.path().join("docs/talk");
    small_discussion(&root);
    write(&root.join("threads/stray.txt"), "notes");
    let run = longhand(
        dir.path(),
        &["-C", "docs/talk", "validate", "--format", "github"],
    );
    assert_eq!(run.code, 0, "warnings only: {}", run.stderr);
    assert_eq!(
        run.stdout,
        "::warning file=docs/talk/threads/stray.txt,title=LH201 unexpected-path::`threads/stray.txt` is a file directly under threads/ (or a name that is not UTF-8), which the layout does not define; it is ignored (help: move or remove it; threads/ holds <slug>/ directories and decisions/ holds <slug>.md files)\n"
    );
}

#[test]
fn the_root_is_found_upward_from_a_sub_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    let run = longhand(&dir.path().join("threads/async-standups"), &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn no_discussion_root_exits_2_with_a_hint_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = longhand(dir.path(), &["validate"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("no discussion root (longhand.yaml)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: run longhand inside a discussion"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_arguments_exit_2() {
    let run = longhand(&example(), &["validate", "--format", "xml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'xml'"), "{}", run.stderr);
    let run = longhand(&example(), &["frobnicate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let run = longhand(&example(), &["validate", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Exit codes: 0 no errors"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_revision_is_validated_as_committed_not_as_in_the_work_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    small_discussion(dir.path());
    commit_all(dir.path(), "discussion");
    // Break the work tree after the commit.
    fs::write(
        dir.path().join("threads/async-standups/thread.md"),
        "no frontmatter\n",
    )
    .expect("write");
    let work_tree = longhand(dir.path(), &["validate"]);
    assert_eq!(work_tree.code, 1);
    assert!(work_tree.stdout.contains("LH104"), "{}", work_tree.stdout);
    let committed = longhand(dir.path(), &["validate", "--rev", "HEAD"]);
    assert_eq!(
        committed.code, 0,
        "{}{}",
        committed.stdout, committed.stderr
    );
    // And the other way round: a bad commit is caught at its revision.
    commit_all(dir.path(), "break it");
    let run = longhand(
        dir.path(),
        &["validate", "--rev", "HEAD", "--format", "json"],
    );
    assert_eq!(run.code, 1);
    let run = longhand(dir.path(), &["validate", "--rev", "HEAD~1"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = longhand(dir.path(), &["validate", "--rev", "no-such-branch"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("revision `no-such-branch`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_discussion_in_a_sub_directory_is_read_at_a_revision_from_the_same_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    write(&dir.path().join("src/main.rs"), "fn main() {}\n");
    small_discussion(&dir.path().join("docs/talk"));
    commit_all(dir.path(), "code and talk");
    let run = longhand(
        &dir.path().join("docs/talk/threads"),
        &["validate", "--rev", "HEAD"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("in 3 files"), "{}", run.stdout);
}

#[test]
fn a_bare_repository_is_validated_at_a_revision() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = dir.path().join("clone");
    git_init(&clone);
    small_discussion(&clone);
    commit_all(&clone, "discussion");
    git(
        dir.path(),
        &["clone", "-q", "--bare", "clone", "server.git"],
    );
    let server = dir.path().join("server.git");
    let run = longhand(&server, &["validate", "--rev", "main"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Push a bad reply; the bare repository's new tip is invalid, the old one still valid.
    let bad = format!("threads/async-standups/{}.md", id(4));
    write(&clone.join(&bad), reply_md(&id(4), "vote: \"-1\"\n", ""));
    commit_all(&clone, "object without a reason");
    git(&clone, &["push", "-q", "../server.git", "main"]);
    let run = longhand(
        &server,
        &["validate", "--rev", "main", "--format", "github"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("file={bad},line=5")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("LH508 objection-without-reason"),
        "{}",
        run.stdout
    );
    let run = longhand(&server, &["validate", "--rev", "main~1"]);
    assert_eq!(run.code, 0);
    // Without --rev there is no work tree to read.
    let run = longhand(&server, &["validate"]);
    assert_eq!(run.code, 2);
}

#[test]
fn rev_outside_a_repository_exits_2_with_a_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    let run = longhand(dir.path(), &["validate", "--rev", "HEAD"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: --rev reads git history"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_is_the_same_bytes_every_time() {
    let first = longhand(&example(), &["validate", "--format", "json"]);
    let second = longhand(&example(), &["validate", "--format", "json"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn a_sub_directory_of_a_bare_repository_is_named_with_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = dir.path().join("clone");
    git_init(&clone);
    write(&clone.join("src/lib.rs"), "\n");
    small_discussion(&clone.join("docs/talk"));
    write(&clone.join("docs/talk/threads/stray.txt"), "notes");
    commit_all(&clone, "code and talk");
    git(
        dir.path(),
        &["clone", "-q", "--bare", "clone", "server.git"],
    );
    let server = dir.path().join("server.git");
    let run = longhand(&server, &["validate", "--rev", "main"]);
    assert_eq!(run.code, 2, "the top of the tree has no longhand.yaml");
    let run = longhand(
        &server,
        &[
            "validate",
            "--rev",
            "main",
            "--root",
            "docs/talk",
            "--format",
            "github",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("::warning file=docs/talk/threads/stray.txt,"),
        "{}",
        run.stdout
    );
    let run = longhand(&server, &["validate"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("this is a bare repository"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--rev main"), "{}", run.stderr);
    let run = longhand(&server, &["validate", "--root", "docs/talk"]);
    assert_eq!(run.code, 2, "--root needs --rev");
}
