//! The hooks end to end with a real server: a bare repository with `longhand hook install
//! --server`, pushed to by real git over `file://` and over `git daemon` on 127.0.0.1; the
//! pre-commit hook in a real clone; installing next to hooks that are already there.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{
    assert_nothing_raw, git, git_run_with, id, isolate, longhand, ok, reply_md, thread_md, write,
    Run, CONFIG, HOSTILE,
};

/// A third person who is not a moderator (ana is one; jonas is not either).
const SOFIA: &str = "  sofia:
    name: Sofia Rossi
    emails: [sofia@example.org]
    timezone: Europe/Rome
";

pub(crate) const ANA: (&str, &str) = ("Ana Lima", "ana@example.org");
pub(crate) const JONAS: (&str, &str) = ("Jonas Weber", "jonas@example.org");
pub(crate) const SOFIA_ID: (&str, &str) = ("Sofia Rossi", "sofia@example.org");

pub(crate) const THREAD: &str = "threads/async-standups";
pub(crate) const DECISION: &str = "decisions/written-standups.md";

pub(crate) fn reply_path(n: usize) -> String {
    format!("{THREAD}/{}.md", id(n))
}

pub(crate) fn decision_md(status: &str) -> String {
    format!(
        "---\nid: {}\ntitle: Written standups\nstatus: {status}\ndate: 2026-11-25T09:00:00-03:00\ndeciders: [ana]\nthread: async-standups\n---\n\n## Context\n\nWe are in three time zones.\n",
        id(90)
    )
}

/// How a clone reaches the server.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Transport {
    File,
    Daemon,
}

pub(crate) const TRANSPORTS: [Transport; 2] = [Transport::File, Transport::Daemon];

/// A `git daemon` serving a directory on 127.0.0.1 with pushes enabled; killed when dropped.
pub(crate) struct Daemon {
    child: Child,
    port: u16,
    _home: tempfile::TempDir,
}

impl Daemon {
    /// Starts the daemon on a free port and waits until it accepts connections, trying other
    /// ports when one is taken in between.
    pub(crate) fn start(base: &Path) -> Daemon {
        let mut last = String::new();
        for _ in 0..10 {
            let port = {
                let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
                listener.local_addr().expect("address").port()
            };
            let home = tempfile::tempdir().expect("temp home");
            let mut command = Command::new("git");
            command.args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                &base.display().to_string(),
            ]);
            isolate(&mut command, home.path());
            command.stdout(Stdio::null()).stderr(Stdio::null());
            let mut child = command.spawn().expect("git daemon starts");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last = format!("git daemon on port {port} exited: {status}");
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Daemon {
                        child,
                        port,
                        _home: home,
                    };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = format!("git daemon on port {port} never accepted a connection");
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("could not start git daemon: {last}");
    }

    pub(crate) fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare repository with the server hook installed, and a clone of it reached through one
/// transport, seeded with a valid discussion pushed in two commits (ana's, then jonas's reply).
pub(crate) struct Setup {
    pub(crate) dir: tempfile::TempDir,
    _daemon: Option<Daemon>,
    pub(crate) clone: PathBuf,
}

impl Setup {
    pub(crate) fn new(transport: Transport) -> Setup {
        Setup::with_root(transport, None)
    }

    pub(crate) fn with_root(transport: Transport, root: Option<&str>) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let bare = dir.path().join("server.git");
        fs::create_dir_all(&bare).expect("mkdir");
        git(&bare, &["init", "-q", "--bare", "-b", "main"]);
        let mut install = vec!["hook", "install", "--server"];
        if let Some(root) = root {
            install.extend(["--root", root]);
        }
        ok(longhand(&bare, &install));
        let (daemon, url) = match transport {
            Transport::File => (None, format!("file://{}", bare.display())),
            Transport::Daemon => {
                let daemon = Daemon::start(dir.path());
                let url = daemon.url("server.git");
                (Some(daemon), url)
            }
        };
        let clone = dir.path().join("clone");
        git(dir.path(), &["clone", "-q", &url, "clone"]);
        let setup = Setup {
            dir,
            _daemon: daemon,
            clone,
        };
        let base = root.map(|r| format!("{r}/")).unwrap_or_default();
        setup.write(&format!("{base}longhand.yaml"), &format!("{CONFIG}{SOFIA}"));
        setup.write(&format!("{base}{THREAD}/thread.md"), &thread_md(&id(1), ""));
        setup.write(&format!("{base}{DECISION}"), &decision_md("proposed"));
        setup.commit(ANA, "start the discussion");
        setup.write(
            &format!("{base}{}", reply_path(2)),
            &reply_md(&id(2), "", "Yes, let us try.\n"),
        );
        setup.commit(JONAS, "reply");
        ok(setup.push(&["origin", "HEAD:main"]));
        setup
    }

    pub(crate) fn bare(&self) -> PathBuf {
        self.dir.path().join("server.git")
    }

    pub(crate) fn write(&self, path: &str, text: &str) {
        write(&self.clone.join(path), text);
    }

    pub(crate) fn remove(&self, path: &str) {
        fs::remove_file(self.clone.join(path)).expect("remove");
    }

    /// Commits everything in the clone as `who`.
    pub(crate) fn commit(&self, who: (&str, &str), message: &str) {
        git(&self.clone, &["add", "-A"]);
        let run = git_run_with(
            &self.clone,
            &["commit", "-q", "--allow-empty", "-m", message],
            &[("GIT_AUTHOR_NAME", who.0), ("GIT_AUTHOR_EMAIL", who.1)],
        );
        assert_eq!(run.code, 0, "commit failed: {}", run.stderr);
    }

    pub(crate) fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        git_run_with(&self.clone, &all, &[])
    }

    /// Every ref of the server and its value.
    pub(crate) fn server_refs(&self) -> String {
        git(
            &self.bare(),
            &["for-each-ref", "--format=%(refname) %(objectname)"],
        )
    }

    /// Pushes HEAD to main, insists that the server refused it and that its refs did not
    /// move, and returns what git showed the pusher.
    pub(crate) fn push_refused(&self) -> String {
        let before = self.server_refs();
        let run = self.push(&["origin", "HEAD:main"]);
        assert_ne!(run.code, 0, "the push was accepted:\n{}", run.stderr);
        assert!(
            run.stderr.contains("pre-receive hook declined"),
            "{}",
            run.stderr
        );
        assert_eq!(self.server_refs(), before, "the server's refs moved");
        run.stderr
    }
}

/// The lines git printed as coming from the server.
pub(crate) fn remote_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote: "))
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// Insists that the server's message names `file`, the rule `code` and what to do.
pub(crate) fn assert_names(stderr: &str, file: &str, code: &str) {
    let remote = remote_lines(stderr);
    let has = |needle: &str| remote.iter().any(|l| l.contains(needle));
    assert!(
        has(&format!("[{code}]")),
        "no {code} from the server:\n{stderr}"
    );
    assert!(has(file), "the server does not name {file}:\n{stderr}");
    assert!(has("= help: "), "the server says nothing to do:\n{stderr}");
    assert!(
        has("longhand: push refused"),
        "the server does not say the push is refused:\n{stderr}"
    );
}

#[test]
fn a_valid_push_lands_over_file_and_git_daemon() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        setup.write(
            &reply_path(3),
            &reply_md(&id(3), &format!("reply-to: {}\n", id(2)), "Agreed.\n").replace(
                "Jonas Weber <jonas@example.org>",
                "Sofia Rossi <sofia@example.org>",
            ),
        );
        setup.commit(SOFIA_ID, "sofia replies");
        let run = ok(setup.push(&["origin", "HEAD:main"]));
        let head = git(&setup.clone, &["rev-parse", "HEAD"]);
        let server = git(&setup.bare(), &["rev-parse", "refs/heads/main"]);
        assert_eq!(server, head, "{transport:?}");
        let remote = remote_lines(&run.stderr);
        assert!(
            remote
                .iter()
                .any(|l| l.starts_with("longhand: refs/heads/main ")
                    && l.ends_with(": 1 new commit")),
            "{transport:?}: {}",
            run.stderr
        );
        assert!(
            remote.iter().any(|l| l.starts_with("ok: 0 errors")),
            "{transport:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn an_invalid_file_is_refused_naming_the_file_the_rule_and_the_fix() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        setup.write(
            &reply_path(3),
            &reply_md(&id(3), "", "A date nobody can read.\n")
                .replace("date: 2026-11-24T15:00:00+01:00", "date: yesterday"),
        );
        setup.commit(JONAS, "a bad date");
        let stderr = setup.push_refused();
        assert_names(&stderr, &format!("{}:4:7", reply_path(3)), "LH306");
    }
}

#[test]
fn a_forged_author_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // Ana commits a reply that says Jonas wrote it.
        setup.write(&reply_path(3), &reply_md(&id(3), "", "I agree with Ana.\n"));
        setup.commit(ANA, "forged");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(3), "LH706");
    }
}

#[test]
fn an_edit_of_another_persons_reply_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        setup.write(
            &reply_path(2),
            &reply_md(&id(2), "", "No, let us not try.\n"),
        );
        setup.commit(SOFIA_ID, "change jonas's mind");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(2), "LH702");
    }
}

#[test]
fn a_deleted_reply_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        setup.remove(&reply_path(2));
        setup.commit(JONAS, "take it back");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(2), "LH701");
    }
}

#[test]
fn a_forbidden_decision_transition_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // A moderator rejects against the rule, with a recorded override.
        let rejected = decision_md("rejected").replace(
            "status: rejected\n",
            "status: rejected\ndecided: 2026-11-24T12:00:00Z\ndecided-by: ana\noverride: out of scope\n",
        );
        setup.write(DECISION, &rejected);
        setup.commit(ANA, "reject");
        ok(setup.push(&["origin", "HEAD:main"]));
        // rejected → accepted is not an allowed transition, even for the decider.
        setup.write(DECISION, &decision_md("accepted"));
        setup.commit(ANA, "accept after all");
        let stderr = setup.push_refused();
        assert_names(&stderr, DECISION, "LH709");
    }
}

#[test]
fn a_push_of_many_commits_reports_every_problem_at_once() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        setup.write(&reply_path(3), &reply_md(&id(3), "", "Forged.\n"));
        setup.commit(ANA, "forged author");
        setup.write(
            &reply_path(4),
            &reply_md(&id(4), "vote: maybe\n", "An invalid vote.\n"),
        );
        setup.commit(JONAS, "invalid vote");
        setup.remove(&reply_path(2));
        setup.commit(JONAS, "delete a reply");
        for n in 5..9 {
            setup.write(&reply_path(n), &reply_md(&id(n), "", "A fine reply.\n"));
            setup.commit(JONAS, "a fine reply");
        }
        let stderr = setup.push_refused();
        for (file, code) in [
            (reply_path(3), "LH706"),
            (reply_path(4), "LH308"),
            (reply_path(2), "LH701"),
        ] {
            assert_names(&stderr, &file, code);
        }
        let remote = remote_lines(&stderr);
        assert!(
            remote.iter().any(|l| l.ends_with(": 7 new commits")),
            "{stderr}"
        );
    }
}

#[test]
fn a_new_branch_is_checked_for_the_commits_no_ref_had() {
    let setup = Setup::new(Transport::File);
    // A new ref at a commit the server has: nothing new to check.
    let run = ok(setup.push(&["origin", "HEAD:refs/heads/same"]));
    assert!(
        remote_lines(&run.stderr)
            .iter()
            .any(|l| l.starts_with("longhand: refs/heads/same ") && l.ends_with(": 0 new commits")),
        "{}",
        run.stderr
    );
    // A new branch with one valid commit on top of main.
    setup.write(&reply_path(3), &reply_md(&id(3), "", "On a branch.\n"));
    setup.commit(JONAS, "branch reply");
    let run = ok(setup.push(&["origin", "HEAD:refs/heads/feature"]));
    assert!(
        remote_lines(&run.stderr).iter().any(
            |l| l.starts_with("longhand: refs/heads/feature ") && l.ends_with(": 1 new commit")
        ),
        "{}",
        run.stderr
    );
    // A new branch that breaks a rule is refused, and nothing lands.
    setup.write(
        &reply_path(4),
        &reply_md(&id(4), "vote: maybe\n", "Bad vote.\n"),
    );
    setup.commit(JONAS, "bad vote");
    let before = setup.server_refs();
    let run = setup.push(&["origin", "HEAD:refs/heads/other"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_names(&run.stderr, &reply_path(4), "LH308");
    assert_eq!(setup.server_refs(), before);
}

#[test]
fn deleting_a_branch_is_let_through() {
    let setup = Setup::new(Transport::File);
    // The administrator's choice: git lets deletions through, the hook judges them.
    git(&setup.bare(), &["config", "receive.denyDeletes", "false"]);
    ok(setup.push(&["origin", "HEAD:refs/heads/doomed"]));
    ok(setup.push(&["origin", "--delete", "doomed"]));
    assert!(!setup.server_refs().contains("refs/heads/doomed"));
}

#[test]
fn removing_the_discussion_is_refused() {
    let setup = Setup::new(Transport::File);
    setup.remove("longhand.yaml");
    setup.commit(ANA, "no more config");
    let stderr = setup.push_refused();
    let remote = remote_lines(&stderr);
    assert!(
        remote
            .iter()
            .any(|l| l.contains("the push removes the discussion")),
        "{stderr}"
    );
}

#[test]
fn a_branch_without_a_discussion_is_not_checked() {
    let setup = Setup::new(Transport::File);
    git(&setup.clone, &["checkout", "-q", "--orphan", "pages"]);
    git(&setup.clone, &["rm", "-rqf", "."]);
    setup.write("index.html", "<p>site</p>\n");
    setup.commit(ANA, "pages");
    let run = ok(setup.push(&["origin", "HEAD:refs/heads/pages"]));
    assert!(
        run.stderr.contains("no longhand.yaml at .; not checked"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_server_checks_the_discussion_root_given_at_install() {
    let setup = Setup::with_root(Transport::File, Some("docs/talk"));
    assert_eq!(
        git(&setup.bare(), &["config", "longhand.root"]).trim(),
        "docs/talk"
    );
    // Files outside the root are not the discussion's business.
    setup.write("README.md", "---\nnot: frontmatter\n");
    setup.write(
        &format!("docs/talk/{}", reply_path(3)),
        &reply_md(&id(3), "vote: maybe\n", "Bad vote.\n"),
    );
    setup.commit(JONAS, "bad vote");
    let stderr = setup.push_refused();
    assert_names(&stderr, &format!("docs/talk/{}", reply_path(3)), "LH308");
}

#[test]
fn a_hook_already_on_the_server_keeps_running_with_the_same_input() {
    let setup = Setup::new(Transport::File);
    let hooks = setup.bare().join("hooks");
    let log = setup.dir.path().join("previous.log");
    // Replace the installed script by "someone else's" hook, then install Longhand again.
    fs::remove_file(hooks.join("pre-receive")).expect("remove");
    write(
        &hooks.join("pre-receive"),
        format!("#!/bin/sh\ncat >> '{}'\nexit 0\n", log.display()),
    );
    make_executable(&hooks.join("pre-receive"));
    let first = ok(longhand(&setup.bare(), &["hook", "install", "--server"]));
    assert!(
        first.stdout.contains("kept the hook that was there as"),
        "{}",
        first.stdout
    );
    let second = ok(longhand(&setup.bare(), &["hook", "install", "--server"]));
    assert!(
        second.stdout.contains("updated the pre-receive hook"),
        "{}",
        second.stdout
    );
    assert_eq!(
        hook_files(&hooks),
        ["pre-receive", "pre-receive.pre-longhand"]
    );

    // Both hooks see the push: the old one gets git's input, Longhand still refuses.
    setup.write(
        &reply_path(3),
        &reply_md(&id(3), "vote: maybe\n", "Bad vote.\n"),
    );
    setup.commit(JONAS, "bad vote");
    let stderr = setup.push_refused();
    assert_names(&stderr, &reply_path(3), "LH308");
    let logged = fs::read_to_string(&log).expect("the previous hook ran");
    let head = git(&setup.clone, &["rev-parse", "HEAD"]);
    assert!(
        logged.contains(&format!("{} refs/heads/main", head.trim())),
        "{logged}"
    );

    // A previous hook that refuses still refuses a push Longhand accepts.
    write(
        &hooks.join("pre-receive.pre-longhand"),
        "#!/bin/sh\necho no >&2\nexit 1\n",
    );
    make_executable(&hooks.join("pre-receive.pre-longhand"));
    git(&setup.clone, &["reset", "-q", "--hard", "HEAD~1"]);
    setup.write(&reply_path(3), &reply_md(&id(3), "", "Fine.\n"));
    setup.commit(JONAS, "fine");
    setup.push_refused();
}

#[test]
fn a_hook_whose_binary_moved_says_so_and_refuses() {
    let setup = Setup::new(Transport::File);
    let elsewhere = setup.dir.path().join("bin");
    fs::create_dir_all(&elsewhere).expect("mkdir");
    let copy = elsewhere.join("longhand");
    fs::copy(env!("CARGO_BIN_EXE_longhand"), &copy).expect("copy");
    let home = tempfile::tempdir().expect("home");
    let mut command = Command::new(&copy);
    command
        .current_dir(setup.bare())
        .args(["hook", "install", "--server"]);
    isolate(&mut command, home.path());
    // Another test thread forking while the copy was open for writing can hold it open in a
    // child for a moment (ETXTBSY, "text file busy"): try again then.
    let mut attempts = 0;
    let status = loop {
        match command.status() {
            Err(e) if e.raw_os_error() == Some(26) && attempts < 50 => {
                attempts += 1;
                thread::sleep(Duration::from_millis(100));
            }
            other => break other.expect("the copied binary runs"),
        }
    };
    assert!(status.success());
    fs::remove_file(&copy).expect("remove");
    setup.write(&reply_path(3), &reply_md(&id(3), "", "Fine.\n"));
    setup.commit(JONAS, "fine");
    let stderr = setup.push_refused();
    assert!(
        stderr.contains(&format!("{} is not there any more", copy.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains("longhand hook install --server"),
        "{stderr}"
    );
}

#[test]
fn a_one_reply_push_checks_only_what_it_touched() {
    let setup = Setup::new(Transport::File);
    let threads = 8;
    for n in 0..threads {
        setup.write(
            &format!("threads/topic-{n}/thread.md"),
            &thread_md(&id(1000 + n), "").replace("Async standups", &format!("Topic {n}")),
        );
    }
    setup.commit(ANA, "more threads");
    // Replies in the other threads, in two batches: the second makes the repository bigger
    // without touching what the one-reply pushes touch.
    let add_replies = |from: usize| {
        for n in 0..threads {
            for r in 0..10 {
                let reply = id(2000 + from + n * 10 + r);
                setup.write(
                    &format!("threads/topic-{n}/{reply}.md"),
                    &reply_md(&reply, "", "A reply elsewhere.\n"),
                );
            }
        }
        setup.commit(JONAS, "replies elsewhere");
        files_checked(&ok(setup.push(&["origin", "HEAD:main"])).stderr)
    };
    let one_reply = |n: usize| {
        setup.write(
            &reply_path(n),
            &reply_md(&id(n), &format!("reply-to: {}\n", id(2)), "One more.\n"),
        );
        setup.commit(JONAS, "one reply");
        files_checked(&ok(setup.push(&["origin", "HEAD:main"])).stderr)
    };
    add_replies(0);
    let small = one_reply(3);
    let full = {
        let run = ok(longhand(&setup.clone, &["validate"]));
        files_in(&run.stdout)
    };
    add_replies(5000);
    let bigger = one_reply(4);
    assert!(
        small * 3 < full,
        "a one-reply push checked {small} files; the whole tree has {full}"
    );
    // The touched thread is checked whole: it grew by one, the first one-reply push.
    assert_eq!(
        small + 1,
        bigger,
        "a one-reply push checked more files once other threads had more replies"
    );
}

/// The file count of the last `ok: … in N files` line the server printed.
fn files_checked(stderr: &str) -> usize {
    files_in(&remote_lines(stderr).join("\n"))
}

/// The file count of the last `ok: … in N files` line of `text`.
fn files_in(text: &str) -> usize {
    text.lines()
        .rev()
        .find_map(|l| {
            let rest = l.strip_prefix("ok: ")?;
            let count = rest.rsplit(" in ").next()?.split(' ').next()?;
            count.parse().ok()
        })
        .unwrap_or_else(|| panic!("no file count in:\n{text}"))
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn hook_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".sample"))
        .collect();
    names.sort();
    names
}

// The clone's side: the pre-commit hook.

/// A clone with a valid discussion committed and `longhand hook install` run in `start`.
fn clone_with_hook(dir: &Path, sub: &str) -> PathBuf {
    let repo = dir.join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    let root = repo.join(sub);
    write(&root.join("longhand.yaml"), CONFIG);
    write(
        &root.join(format!("{THREAD}/thread.md")),
        thread_md(&id(1), ""),
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "start"]);
    let run = ok(longhand(&root, &["hook", "install"]));
    assert!(
        run.stdout.contains("registered the merge driver"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("installed the pre-commit hook"),
        "{}",
        run.stdout
    );
    repo
}

#[test]
fn the_pre_commit_hook_checks_the_index_not_the_work_tree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = clone_with_hook(dir.path(), "");
    let reply = repo.join(reply_path(2));
    let good = reply_md(&id(2), "", "Fine.\n");
    let bad = reply_md(&id(2), "vote: maybe\n", "Bad vote.\n");

    // Staged: bad; work tree: good. Refused.
    write(&reply, &bad);
    git(&repo, &["add", "-A"]);
    write(&reply, &good);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "bad staged"], &[]);
    assert_ne!(run.code, 0, "the commit went ahead: {}", run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(all.contains("[LH308]"), "{all}");
    assert!(all.contains(&reply_path(2)), "{all}");
    assert!(all.contains("= help: "), "{all}");
    assert!(all.contains("longhand: commit refused"), "{all}");
    assert_eq!(
        git(&repo, &["rev-list", "--count", "HEAD"]).trim(),
        "1",
        "nothing was committed"
    );

    // Staged: good; work tree: bad. Goes ahead.
    git(&repo, &["add", "-A"]);
    write(&reply, &bad);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "good staged"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]).trim(), "2");

    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE): that is what is checked.
    let run = git_run_with(&repo, &["commit", "-q", "-a", "-m", "all"], &[]);
    assert_ne!(run.code, 0, "the commit went ahead: {}", run.stderr);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("[LH308]"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]).trim(), "2");
}

#[test]
fn the_pre_commit_hook_finds_a_discussion_in_a_sub_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = clone_with_hook(dir.path(), "docs/talk");
    assert_eq!(git(&repo, &["config", "longhand.root"]).trim(), "docs/talk");
    write(
        &repo.join("docs/talk").join(reply_path(2)),
        reply_md(&id(2), "vote: maybe\n", "Bad vote.\n"),
    );
    git(&repo, &["add", "-A"]);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "bad"], &[]);
    assert_ne!(run.code, 0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains(&format!("docs/talk/{}", reply_path(2))),
        "{all}"
    );
    // Outside the discussion, the hook has nothing to say.
    git(&repo, &["reset", "-q"]);
    fs::remove_file(repo.join("docs/talk").join(reply_path(2))).expect("rm");
    write(&repo.join("src/main.c"), "int main() {}\n");
    git(&repo, &["add", "-A"]);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "code"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn install_in_a_clone_respects_core_hooks_path_and_keeps_the_hook_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo.join("longhand.yaml"), CONFIG);
    git(&repo, &["config", "core.hooksPath", ".githooks"]);
    let log = dir.path().join("previous.log");
    let previous = repo.join(".githooks/pre-commit");
    write(
        &previous,
        format!("#!/bin/sh\necho ran >> '{}'\n", log.display()),
    );
    make_executable(&previous);
    let run = ok(longhand(&repo, &["hook", "install"]));
    assert!(
        run.stdout.contains("kept the hook that was there"),
        "{}",
        run.stdout
    );
    ok(longhand(&repo, &["hook", "install"]));
    assert_eq!(
        hook_files(&repo.join(".githooks")),
        ["pre-commit", "pre-commit.pre-longhand"]
    );
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    write(&repo.join(reply_path(2)), reply_md(&id(2), "", "Fine.\n"));
    write(
        &repo.join(format!("{THREAD}/thread.md")),
        thread_md(&id(1), ""),
    );
    git(&repo, &["add", "-A"]);
    let run = git_run_with(&repo, &["commit", "-q", "-m", "ok"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(fs::read_to_string(&log).expect("it ran"), "ran\n");
}

/// The review's file named with OSC 52, clear-screen, CSI and a right-to-left override: the
/// hook's `remote:` lines show the name escaped, and nothing reaches the pusher's terminal raw.
#[test]
fn path_with_osc52_is_escaped_in_the_hooks_remote_lines() {
    let setup = Setup::new(Transport::File);
    let path = format!("{THREAD}/{HOSTILE}.md");
    setup.write(&path, &reply_md(&id(3), "", "Hi.\n"));
    setup.commit(JONAS, "a hostile name");
    let stderr = setup.push_refused();
    let remote = remote_lines(&stderr).join("\n");
    assert_nothing_raw("the hook", &remote);
    assert!(
        remote.contains(&format!(
            "{THREAD}/\\u{{1b}}]52;c;aGVsbG8=\\u{{7}}\\u{{1b}}[2J\\u{{9b}}31m\\u{{202e}}gpj.md"
        )),
        "{stderr}"
    );
}

/// An email that looks like Ana's but is not (a Cyrillic `а`), committed under that same
/// email so no authorship rule objects: the server refuses it as LH316.
#[test]
fn a_reply_under_a_look_alike_email_is_refused() {
    let setup = Setup::new(Transport::File);
    let twin = ("Ana Lima", "ana@ex\u{430}mple.org");
    setup.write(
        &reply_path(3),
        &reply_md(&id(3), "", "As a moderator I close this.\n").replace(
            "Jonas Weber <jonas@example.org>",
            &format!("Ana Lima <{}>", twin.1),
        ),
    );
    setup.commit(twin, "a look-alike");
    let stderr = setup.push_refused();
    assert_names(&stderr, &format!("{}:3:9", reply_path(3)), "LH316");
}
