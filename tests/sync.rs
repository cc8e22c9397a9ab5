//! `longhand sync` with real git: a bare server with `longhand hook install --server` and
//! clones of it. Concurrent replies converge on one commit everywhere; two threads opened
//! with the same title stay two threads; a push that loses a race is retried; a true
//! conflict and a push the server refuses stop the sync with HEAD, the index and the work
//! tree exactly as they were.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{git, git_run, longhand, longhand_with, ok, write, Run};

const BO: [(&str, &str); 4] = [
    ("GIT_AUTHOR_NAME", "Bo Berg"),
    ("GIT_AUTHOR_EMAIL", "bo@example.org"),
    ("GIT_COMMITTER_NAME", "Bo Berg"),
    ("GIT_COMMITTER_EMAIL", "bo@example.org"),
];

/// A server with the hooks installed, seeded with a discussion holding the thread
/// `standups` (by Ana, with one reply of hers), and as many clones of it as asked for.
struct Team {
    dir: tempfile::TempDir,
}

impl Team {
    fn new() -> Team {
        let team = Team {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let server = team.server();
        fs::create_dir_all(&server).expect("mkdir");
        git(&server, &["init", "-q", "--bare", "-b", "main"]);
        ok(longhand(&server, &["hook", "install", "--server"]));
        let seed = team.clone_as("seed");
        ok(longhand(&seed, &["init", "--title", "Team"]));
        let config = fs::read_to_string(seed.join("longhand.yaml")).expect("config");
        let config = config.replace(
            "policy:",
            "  bo:\n    name: Bo Berg\n    emails: [bo@example.org]\npolicy:",
        );
        write(&seed.join("longhand.yaml"), config);
        git(&seed, &["commit", "-q", "-am", "roster: bo"]);
        ok(longhand(
            &seed,
            &[
                "thread",
                "new",
                "Standups",
                "--slug",
                "standups",
                "-m",
                "Written standups?",
            ],
        ));
        ok(longhand(&seed, &["reply", "standups", "-m", "I start.\n"]));
        git(&seed, &["push", "-q", "origin", "HEAD:main"]);
        team
    }

    fn server(&self) -> PathBuf {
        self.dir.path().join("server.git")
    }

    /// A new clone named `name`, on `main` with `origin/main` as its upstream.
    fn clone_as(&self, name: &str) -> PathBuf {
        git(
            self.dir.path(),
            &["clone", "-q", &self.server().display().to_string(), name],
        );
        self.dir.path().join(name)
    }

    fn server_tip(&self) -> String {
        tip(&self.server())
    }
}

fn tip(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

fn sync(dir: &Path) -> Run {
    longhand(dir, &["sync"])
}

fn sync_as_bo(dir: &Path) -> Run {
    longhand_with(dir, &["sync"], &BO)
}

/// HEAD, the index, the status and every file of the work tree: what must not change.
fn state(dir: &Path) -> (String, String, String, Vec<(String, Vec<u8>)>) {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in fs::read_dir(&at).expect("list") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                files.push((name, fs::read(&path).expect("read")));
            }
        }
    }
    files.sort();
    (
        tip(dir),
        git(dir, &["ls-files", "--stage"]),
        git(dir, &["status", "--porcelain", "--untracked-files=all"]),
        files,
    )
}

/// The output `docs/tour.md` shows after `$ longhand sync`.
fn tour_sync_output() -> String {
    let tour = fs::read_to_string(crate::support::workspace().join("docs/tour.md")).unwrap();
    let after = tour
        .split("$ longhand sync\n")
        .nth(1)
        .expect("the tour shows sync");
    after.split("\n```").next().unwrap_or_default().to_owned()
}

/// `text` with every run of ten hexadecimal digits (a short commit id) as `#`.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            .count();
        if run == 10 {
            out.push('#');
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The path of Ana's reply in the seeded thread, relative to a clone.
fn anas_reply(dir: &Path) -> String {
    let names = git(dir, &["ls-files", "threads/standups"]);
    names
        .lines()
        .find(|n| !n.ends_with("thread.md"))
        .expect("a reply")
        .to_owned()
}

#[test]
fn concurrent_replies_converge_on_one_commit_in_every_clone_and_the_server() {
    let team = Team::new();
    let (ana, bo, cy) = (
        team.clone_as("ana"),
        team.clone_as("bo"),
        team.clone_as("cy"),
    );
    ok(longhand(&ana, &["reply", "standups", "-m", "Ana: yes."]));
    ok(longhand_with(
        &bo,
        &["reply", "standups", "-m", "Bo: yes too."],
        &BO,
    ));
    let first = ok(sync(&ana));
    assert!(first.stdout.contains("pushed"), "{}", first.stdout);
    // A fresh clone has no merge driver until something registers it: sync does.
    let second = ok(sync_as_bo(&bo));
    assert!(
        second.stdout.contains("registered Longhand's merge driver"),
        "{}",
        second.stdout
    );
    // What docs/tour.md shows is what a sync that merges prints, commit ids aside.
    let printed: Vec<&str> = second.stdout.lines().skip(1).collect();
    assert_eq!(masked(&printed.join("\n")), masked(&tour_sync_output()));
    ok(sync(&ana));
    ok(sync(&cy));
    let server = team.server_tip();
    for clone in [&ana, &bo, &cy] {
        assert_eq!(tip(clone), server, "{}", clone.display());
    }
    // Both replies are there, and the merge commit is Bo's.
    let files = git(&ana, &["ls-files", "threads/standups"]);
    assert_eq!(files.lines().count(), 4, "{files}");
    let merger = git(&ana, &["log", "-1", "--merges", "--format=%an <%ae>"]);
    assert_eq!(merger.trim(), "Bo Berg <bo@example.org>");
    // Nothing left to do anywhere: said quickly, and nothing moves.
    let idle = ok(sync(&bo));
    assert!(idle.stdout.contains("nothing to do"), "{}", idle.stdout);
    assert_eq!(team.server_tip(), server);
}

#[test]
fn two_threads_opened_with_the_same_title_stay_two_threads() {
    let team = Team::new();
    let (ana, bo) = (team.clone_as("ana"), team.clone_as("bo"));
    ok(longhand(
        &ana,
        &["thread", "new", "Weekly sync", "-m", "Ana's agenda."],
    ));
    ok(longhand_with(
        &bo,
        &["thread", "new", "Weekly sync", "-m", "Bo's agenda."],
        &BO,
    ));
    let slug = git(&bo, &["ls-files", "threads"])
        .lines()
        .find(|l| l.contains("weekly-sync"))
        .and_then(|l| l.split('/').nth(1))
        .expect("bo's thread")
        .to_owned();
    // Bo also replies in his new thread and proposes a decision about it, unpushed.
    ok(longhand_with(
        &bo,
        &["reply", &slug, "-m", "Item one."],
        &BO,
    ));
    ok(longhand_with(
        &bo,
        &[
            "decision",
            "new",
            "Keep the weekly sync",
            "--thread",
            &slug,
            "--decider",
            "bo",
            "-m",
            "## Context\n\nWe meet weekly.\n",
        ],
        &BO,
    ));
    ok(sync(&ana));
    let renamed = ok(sync_as_bo(&bo));
    let second = format!("{slug}-2");
    assert!(
        renamed
            .stdout
            .contains(&format!("renamed your unpushed thread {slug} to {second}")),
        "{}",
        renamed.stdout
    );
    ok(sync(&ana));
    let server = team.server_tip();
    assert_eq!(tip(&ana), server);
    assert_eq!(tip(&bo), server);
    // Two threads: Ana's under the first slug, Bo's (with his reply) under the second.
    let ana_thread = fs::read_to_string(ana.join(format!("threads/{slug}/thread.md"))).unwrap();
    assert!(ana_thread.contains("Ana's agenda."), "{ana_thread}");
    let bo_thread = fs::read_to_string(ana.join(format!("threads/{second}/thread.md"))).unwrap();
    assert!(bo_thread.contains("Bo's agenda."), "{bo_thread}");
    assert_eq!(
        git(&ana, &["ls-files", &format!("threads/{second}")])
            .lines()
            .count(),
        2
    );
    // The decision Bo proposed names his thread by its new slug, and the commit messages too.
    let decisions = git(&ana, &["grep", "-h", "^thread:", "--", "decisions"]);
    assert_eq!(decisions.trim(), format!("thread: {second}"));
    let log = git(&ana, &["log", "--format=%s", "--author=bo@example.org"]);
    assert!(log.contains(&format!("thread({second}): open")), "{log}");
    assert!(!log.contains(&format!("({slug})")), "{log}");
    ok(longhand(&ana, &["validate"]));
    // The server's own check of the tip is clean as well.
    ok(longhand(&team.server(), &["validate", "--rev", "main"]));
}

#[test]
fn a_push_that_loses_a_race_is_merged_again_and_retried() {
    let team = Team::new();
    let (ana, bo) = (team.clone_as("ana"), team.clone_as("bo"));
    ok(longhand_with(
        &bo,
        &["reply", "standups", "-m", "Bo first."],
        &BO,
    ));
    ok(sync_as_bo(&bo));
    let cy = team.clone_as("cy");
    ok(longhand_with(
        &cy,
        &["reply", "standups", "-m", "Cy, between."],
        &BO,
    ));
    ok(longhand(&ana, &["reply", "standups", "-m", "Ana, late."]));
    // Right after Ana's sync merges, and before it pushes, Cy pushes: once.
    let hook = ana.join(".git/hooks/post-merge");
    let marker = team.dir.path().join("raced");
    write(
        &hook,
        format!(
            "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n\
if [ ! -e '{marker}' ]; then touch '{marker}'; git -C '{cy}' push -q origin HEAD:main || exit 1; fi\n",
            marker = marker.display(),
            cy = cy.display()
        ),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let cy_tip = tip(&cy);
    let run = ok(sync(&ana));
    assert!(marker.exists(), "the race never happened");
    assert!(
        run.stdout.contains("someone pushed first (attempt 1 of 5)"),
        "{}",
        run.stdout
    );
    let server = team.server_tip();
    assert_eq!(tip(&ana), server);
    // Cy's commit is in, and Ana's branch holds one merge of hers (the lost one is gone).
    git(&ana, &["merge-base", "--is-ancestor", &cy_tip, "HEAD"]);
    let merges = git(
        &ana,
        &["rev-list", "--merges", "--author=ana@example.org", "HEAD"],
    );
    assert_eq!(merges.lines().count(), 1, "{merges}");
    ok(sync(&cy));
    assert_eq!(tip(&cy), server);
}

#[test]
fn a_true_conflict_stops_the_sync_and_changes_nothing() {
    let team = Team::new();
    let (laptop, desktop) = (team.clone_as("laptop"), team.clone_as("desktop"));
    let reply = anas_reply(&laptop);
    // Ana edits the same line of her reply on two machines, each setting `edited`.
    for (clone, words) in [
        (&laptop, "I start on Monday."),
        (&desktop, "I start on Tuesday."),
    ] {
        let text = fs::read_to_string(clone.join(&reply)).expect("reply");
        let text = text
            .replacen("\n---\n", "\nedited: 2026-12-08T10:00:00Z\n---\n", 1)
            .replace("I start.", words);
        write(&clone.join(&reply), text);
        git(clone, &["commit", "-q", "-am", "reply: edit"]);
    }
    ok(sync(&laptop));
    let server = team.server_tip();
    let before = state(&desktop);
    let run = sync(&desktop);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("conflicts in 1 file(s)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&reply), "{}", run.stderr);
    assert!(
        run.stderr.contains("help: merge by hand: `git merge"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert_eq!(state(&desktop), before, "the sync changed the clone");
    assert!(!desktop.join(".git/MERGE_HEAD").exists());
    assert_eq!(team.server_tip(), server);
}

#[test]
fn a_push_the_server_refuses_stops_with_its_message_and_keeps_the_commit() {
    let team = Team::new();
    let (ana, bo) = (team.clone_as("ana"), team.clone_as("bo"));
    // Someone else's push first, so that Ana's sync merges before it pushes.
    ok(longhand_with(&bo, &["reply", "standups", "-m", "Bo."], &BO));
    ok(sync_as_bo(&bo));
    // Ana commits a reply that claims to be Bo's: the server's history rules refuse it.
    ok(longhand_with(
        &ana,
        &["reply", "standups", "-m", "Not really Bo.", "--no-commit"],
        &BO,
    ));
    git(&ana, &["commit", "-q", "-m", "reply: forged"]);
    let server = team.server_tip();
    let before = state(&ana);
    let run = sync(&ana);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("the server refused the push"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("remote: "), "{}", run.stderr);
    assert!(run.stderr.contains("LH7"), "{}", run.stderr);
    assert!(
        run.stderr.contains("pre-receive hook declined"),
        "{}",
        run.stderr
    );
    // The merge it made is undone; Ana's commit stays, for her to fix.
    assert_eq!(state(&ana), before);
    assert_eq!(
        git(&ana, &["log", "-1", "--format=%s"]).trim(),
        "reply: forged"
    );
    assert_eq!(team.server_tip(), server);
}

#[test]
fn without_an_upstream_sync_says_so_and_remote_names_one() {
    let team = Team::new();
    let ana = team.clone_as("ana");
    git(&ana, &["branch", "--unset-upstream"]);
    ok(longhand(
        &ana,
        &["reply", "standups", "-m", "Via --remote."],
    ));
    let run = sync(&ana);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("cannot sync main: it has no upstream branch"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--remote origin"), "{}", run.stderr);
    let unknown = longhand(&ana, &["sync", "--remote", "nowhere"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("there is no remote named `nowhere`"),
        "{}",
        unknown.stderr
    );
    ok(longhand(&ana, &["sync", "--remote", "origin"]));
    assert_eq!(tip(&ana), team.server_tip());
}

#[test]
fn sync_refuses_to_start_on_uncommitted_changes_in_the_discussion() {
    let team = Team::new();
    let ana = team.clone_as("ana");
    ok(longhand(&ana, &["reply", "standups", "-m", "Committed."]));
    let reply = anas_reply(&ana);
    let original = fs::read_to_string(ana.join(&reply)).expect("read");
    write(&ana.join(&reply), format!("{original}More.\n"));
    let server = team.server_tip();
    let run = sync(&ana);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("uncommitted changes"), "{}", run.stderr);
    assert!(run.stderr.contains(&reply), "{}", run.stderr);
    assert!(run.stderr.contains("git stash"), "{}", run.stderr);
    assert_eq!(team.server_tip(), server);
    // An untracked file in the discussion counts too; one outside a discussion folder of a
    // code repository would not, but here the discussion is the whole repository.
    write(&ana.join(&reply), original);
    write(&ana.join("threads/standups/draft.md"), "draft\n");
    let run = sync(&ana);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("draft.md"), "{}", run.stderr);
    fs::remove_file(ana.join("threads/standups/draft.md")).expect("rm");
    ok(sync(&ana));
    assert_eq!(tip(&ana), team.server_tip());
    let _ = git_run(&ana, &["status"]);
}

#[test]
fn a_new_branch_is_created_on_the_remote_and_nothing_to_do_ignores_the_work_tree() {
    let team = Team::new();
    let ana = team.clone_as("ana");
    git(&ana, &["checkout", "-q", "-b", "topic"]);
    ok(longhand(
        &ana,
        &["reply", "standups", "-m", "On a topic branch."],
    ));
    // The remote has no `topic` yet: sync --remote creates it.
    let run = ok(longhand(&ana, &["sync", "--remote", "origin"]));
    assert!(run.stdout.contains("pushed"), "{}", run.stdout);
    assert_eq!(
        git(&team.server(), &["rev-parse", "refs/heads/topic"]),
        git(&ana, &["rev-parse", "HEAD"])
    );
    // With nothing to fetch or push, an uncommitted edit does not stop it: nothing moves.
    let reply = anas_reply(&ana);
    let text = fs::read_to_string(ana.join(&reply)).expect("read");
    write(&ana.join(&reply), format!("{text}Draft.\n"));
    let before = state(&ana);
    let idle = ok(longhand(&ana, &["sync", "--remote", "origin"]));
    assert!(idle.stdout.contains("nothing to do"), "{}", idle.stdout);
    assert_eq!(state(&ana), before);
}
