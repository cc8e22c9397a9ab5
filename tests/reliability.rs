//! Reliability, end to end with the real binary in real git repositories: a write that dies
//! at each point of the atomic writer (an injected crash or I/O error) leaves the old file or
//! the new one, never half of one; a dead writer's lock and temporaries do not block the
//! next; ten writers at once (processes, and threads of the library) lose nothing; texts
//! over the protocol's limits are refused before anything is written.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use longhand::model::{Author, Moment};
use longhand::write::{ops, Settings, Transaction};
use longhand::{load, WorkTree};

use crate::support::{git, git_init, longhand, longhand_command, longhand_with, ok};

/// A fresh repository with a discussion and one thread, `crash-test`.
fn started() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    ok(longhand(dir.path(), &["init", "--title", "Acme"]));
    ok(longhand(
        dir.path(),
        &[
            "thread",
            "new",
            "Crash test",
            "-m",
            "Does a crash lose text?",
        ],
    ));
    dir
}

fn thread_dir(root: &Path) -> PathBuf {
    let threads = root.join("threads");
    // The one thread's directory, whatever else `threads/` holds (a `.gitkeep` from `init`)
    // and in whatever order the file system lists it.
    fs::read_dir(&threads)
        .expect("threads/")
        .map(|e| e.expect("entry").path())
        .find(|path| path.is_dir())
        .expect("one thread")
}

/// The names in `dir`, sorted, hidden ones included.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn markdown_files(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
        .collect()
}

fn validates(dir: &Path) {
    let run = longhand(dir, &["validate"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.starts_with("ok: 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"])
}

const CRASHES: [&str; 3] = ["partial-temp", "before-rename", "io-error"];

#[test]
fn a_reply_that_dies_at_any_point_of_its_write_leaves_no_partial_file() {
    let dir = started();
    let d = dir.path();
    let thread = thread_dir(d);
    let before = head(d);
    for fault in CRASHES {
        let run = longhand_with(
            d,
            &["reply", "crash-test", "-m", "Is this lost?"],
            &[("LONGHAND_FAULT_INJECT", fault)],
        );
        assert_ne!(run.code, 0, "{fault}: the write was meant to fail");
        if fault == "io-error" {
            assert_eq!(run.code, 2, "{}", run.stderr);
            assert!(run.stderr.contains("injected I/O error"), "{}", run.stderr);
        }
        assert_eq!(markdown_files(&thread), vec!["thread.md"], "{fault}");
        assert_eq!(head(d), before, "{fault}: nothing was committed");
        // A temporary file a dead writer left is hidden: validation does not see it.
        validates(d);
    }
    // Dying after the rename leaves the reply complete, in place, not yet committed.
    let run = longhand_with(
        d,
        &["reply", "crash-test", "-m", "Written, then killed."],
        &[("LONGHAND_FAULT_INJECT", "after-rename")],
    );
    assert_ne!(run.code, 0);
    assert_eq!(markdown_files(&thread).len(), 2);
    validates(d);
    // The next writer is not blocked, and sweeps the dead writers' temporary files.
    ok(longhand(d, &["reply", "crash-test", "-m", "Still here."]));
    let leftovers: Vec<String> = names(&thread)
        .into_iter()
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    validates(d);
}

#[test]
fn an_edit_that_dies_at_any_point_leaves_the_old_file_or_the_new_one() {
    let dir = started();
    let d = dir.path();
    let path = thread_dir(d).join("thread.md");
    let old = fs::read(&path).expect("thread.md");
    for fault in CRASHES {
        let run = longhand_with(
            d,
            &["thread", "resolve", "crash-test"],
            &[("LONGHAND_FAULT_INJECT", fault)],
        );
        assert_ne!(run.code, 0, "{fault}");
        assert_eq!(fs::read(&path).expect("thread.md"), old, "{fault}");
        validates(d);
    }
    let run = longhand_with(
        d,
        &["thread", "resolve", "crash-test"],
        &[("LONGHAND_FAULT_INJECT", "after-rename")],
    );
    assert_ne!(run.code, 0);
    let new = fs::read_to_string(&path).expect("thread.md");
    assert!(new.contains("status: resolved\n"), "{new}");
    assert!(new.ends_with("Does a crash lose text?\n"), "{new}");
    validates(d);
}

#[test]
fn the_merge_driver_that_dies_leaves_ours_or_the_whole_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let base = "---\ntitle: Standups\nstatus: open\ntags: [process]\n---\nHello\n";
    let ours = base.replace("tags: [process]", "tags: [process, async]");
    let theirs = base.replace("status: open", "status: resolved");
    let merged = longhand::merge::three_way(base.as_bytes(), ours.as_bytes(), theirs.as_bytes(), 7)
        .expect("merges");
    assert!(merged.is_clean());
    for fault in CRASHES.iter().chain(&["after-rename"]) {
        fs::write(d.join("base.md"), base).expect("write");
        fs::write(d.join("ours.md"), &ours).expect("write");
        fs::write(d.join("theirs.md"), &theirs).expect("write");
        let run = longhand_with(
            d,
            &["merge-driver", "base.md", "ours.md", "theirs.md", "t.md"],
            &[("LONGHAND_FAULT_INJECT", fault)],
        );
        assert_ne!(run.code, 0, "{fault}");
        let now = fs::read(d.join("ours.md")).expect("ours.md");
        if *fault == "after-rename" {
            assert_eq!(now, merged.text, "{fault}");
        } else {
            assert_eq!(now, ours.as_bytes(), "{fault}");
        }
    }
}

#[test]
fn a_lock_left_by_a_killed_writer_does_not_block_the_next() {
    let dir = started();
    let d = dir.path();
    // A process that has exited: its id is free, as a killed writer's would be.
    let mut gone = std::process::Command::new("true")
        .spawn()
        .expect("spawn true");
    let pid = gone.id();
    gone.wait().expect("wait");
    fs::write(d.join(".git/longhand.lock"), format!("{pid}\n")).expect("lock");
    ok(longhand(d, &["reply", "crash-test", "-m", "Not blocked."]));
    assert!(!d.join(".git/longhand.lock").exists());
    validates(d);
}

#[test]
fn a_text_over_a_limit_is_refused_and_nothing_is_written() {
    let dir = started();
    let d = dir.path();
    let before = head(d);
    let long = format!("Short line.\n{}\n", "x".repeat(70_000));
    fs::write(d.join("long.txt"), &long).expect("write");
    let run = longhand(d, &["reply", "crash-test", "-F", "long.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("over the limit of 65536 for a line of text; nothing was written"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("help: "), "{}", run.stderr);
    let huge = "A line.\n".repeat(140_000);
    fs::write(d.join("huge.txt"), &huge).expect("write");
    let run = longhand(d, &["reply", "crash-test", "-F", "huge.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("over the limit of 1048576"),
        "{}",
        run.stderr
    );
    assert_eq!(markdown_files(&thread_dir(d)), vec!["thread.md"]);
    assert_eq!(head(d), before);
}

/// Every reply's body in the thread, sorted.
fn reply_bodies(root: &Path) -> Vec<String> {
    let loaded = load(&WorkTree::new(root)).expect("loads");
    let mut bodies: Vec<String> = loaded.discussion.threads[0]
        .replies
        .iter()
        .map(|r| r.body.trim().to_owned())
        .collect();
    bodies.sort();
    bodies
}

fn clean_repository(d: &Path) {
    validates(d);
    git(d, &["fsck", "--strict", "--no-progress"]);
    let status = git(d, &["status", "--porcelain"]);
    assert!(status.is_empty(), "left uncommitted: {status}");
}

#[test]
fn ten_reply_processes_at_once_all_land_in_one_clone() {
    let dir = started();
    let d = dir.path();
    let commits_before = git(d, &["rev-list", "--count", "HEAD"]);
    let texts: Vec<String> = (0..10)
        .map(|n| format!("Concurrent reply {n:02}."))
        .collect();
    let mut children = Vec::new();
    for text in &texts {
        let (mut command, home) = longhand_command(d, &["reply", "crash-test", "-m", text]);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        children.push((command.spawn().expect("spawn"), home, text.clone()));
    }
    for (child, _home, text) in children {
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "`{text}` failed: {stderr}\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
    assert_eq!(reply_bodies(d), texts);
    let commits_after = git(d, &["rev-list", "--count", "HEAD"]);
    assert_eq!(
        commits_after.trim().parse::<u32>().expect("count"),
        commits_before.trim().parse::<u32>().expect("count") + 10
    );
    clean_repository(d);
}

#[test]
fn ten_threads_writing_through_the_library_at_once_lose_nothing() {
    let dir = started();
    let d = dir.path();
    let root = fs::canonicalize(d).expect("canonical root");
    let texts: Vec<String> = (0..10).map(|n| format!("Library reply {n:02}.")).collect();
    std::thread::scope(|scope| {
        for text in &texts {
            let root = root.clone();
            scope.spawn(move || {
                let now = Moment::parse("2099-11-24T12:00:00+01:00").expect("moment");
                let author = Author::parse("Ana Lima <ana@example.org>").expect("author");
                let settings = Settings::new().author(author).now(now);
                let tx = Transaction::open(&root, settings).expect("opens");
                let request = ops::NewReply::new(text.clone());
                let change = ops::reply(&tx.context(), "crash-test", &request).expect("reply");
                tx.commit(&change).expect("commits");
            });
        }
    });
    assert_eq!(reply_bodies(d), texts);
    clean_repository(d);
}

const SECRET: &str = "SECRET-7f3a9c-never-publish";

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).expect("read_dir") {
            let entry = entry.expect("entry");
            let kind = entry.file_type().expect("type");
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let bytes = fs::read(entry.path()).expect("read");
                if String::from_utf8_lossy(&bytes).contains(needle) {
                    found.push(entry.path());
                }
            }
        }
    }
    found
}

/// A repository whose discussion links, in every way it can, to a secret outside its root:
/// symbolic links as a reply, an attachment, an attachment directory, a thread directory and
/// `decisions/`; `..` and absolute links in a body; all committed (links as mode 120000).
fn hostile_repository(scratch: &Path) -> PathBuf {
    let outside = scratch.join("outside");
    fs::create_dir_all(outside.join("thread")).expect("mkdir");
    fs::write(outside.join("secret.txt"), SECRET).expect("write");
    let secret_thread = format!(
        "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9Z\ntitle: {SECRET}\nauthor: Eve <eve@example.org>\ndate: 2026-11-24T09:30:00Z\nstatus: open\n---\n{SECRET}\n"
    );
    fs::write(outside.join("thread/thread.md"), &secret_thread).expect("write");
    fs::write(outside.join("secret.md"), &secret_thread).expect("write");
    let root = scratch.join("repo");
    git_init(&root);
    ok(longhand(&root, &["init", "--title", "Hostile"]));
    let body = format!(
        "See [up](../../../outside/secret.txt), [absolute]({}), [root](/etc/passwd).",
        outside.join("secret.txt").display()
    );
    ok(longhand(&root, &["thread", "new", "Hostile", "-m", &body]));
    let run = ok(longhand(
        &root,
        &[
            "reply",
            "hostile",
            "-m",
            "![chart](ATTACH/secret.txt) [file](ATTACH/secret.txt)",
        ],
    ));
    let reply = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("wrote "))
        .expect("wrote a reply")
        .to_owned();
    let stem = Path::new(&reply)
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let thread = root.join(Path::new(&reply).parent().expect("thread dir"));
    let text = fs::read_to_string(root.join(&reply)).expect("reply");
    fs::write(root.join(&reply), text.replace("ATTACH", &stem)).expect("write");
    // The reply's attachment directory holds a link to the secret.
    fs::create_dir_all(thread.join(&stem)).expect("mkdir");
    symlink(
        outside.join("secret.txt"),
        thread.join(&stem).join("secret.txt"),
    )
    .expect("link");
    // A reply that is a link, an attachment directory that is a link, a thread that is a link.
    symlink(
        outside.join("secret.md"),
        thread.join("01JD8Q1Z4A2B3C4D5E6F7G8H9Y.md"),
    )
    .expect("link");
    symlink(&outside, thread.join("01JD8Q1Z4A2B3C4D5E6F7G8H9Y")).expect("link");
    symlink(
        outside.join("thread"),
        root.join("threads/2026-11-24-outside"),
    )
    .expect("link");
    let _ = fs::remove_dir_all(root.join("decisions"));
    symlink(&outside, root.join("decisions")).expect("link");
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "hostile"]);
    root
}

#[test]
fn a_hostile_repository_is_reported_and_never_read_outside_its_root() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = hostile_repository(scratch.path());
    for args in [&["validate"][..], &["validate", "--rev", "HEAD"][..]] {
        let run = longhand(&root, args);
        assert_eq!(run.code, 1, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(!run.stdout.contains(SECRET), "{args:?}: {}", run.stdout);
        for expected in [
            "error[LH206]",
            "threads/2026-11-24-outside",
            "01JD8Q1Z4A2B3C4D5E6F7G8H9Y.md",
            "decisions",
            "secret.txt",
            "error[LH207]",
        ] {
            assert!(
                run.stdout.contains(expected),
                "{args:?}: no {expected} in\n{}",
                run.stdout
            );
        }
    }
    for args in [
        &["list"][..],
        &["show", "hostile"][..],
        &["inbox", "--for", "ana@example.org"][..],
    ] {
        let run = longhand(&root, args);
        assert!(!run.stdout.contains(SECRET), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn rendering_a_hostile_repository_never_copies_an_outside_file_into_the_site() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = hostile_repository(scratch.path());
    for (out, rev) in [("site", None), ("site-rev", Some("HEAD"))] {
        let mut args = vec!["render", "--out", out];
        if let Some(rev) = rev {
            args.extend(["--rev", rev]);
        }
        let run = longhand(&root, &args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        let site = root.join(out);
        assert!(site.join("index.html").is_file(), "{args:?}: no site");
        let leaked = files_containing(&site, SECRET);
        assert!(leaked.is_empty(), "{args:?}: the secret is in {leaked:?}");
    }
}

#[test]
fn writing_commands_never_write_through_a_link_out_of_the_root() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let outside = scratch.path().join("outside");
    fs::create_dir_all(&outside).expect("mkdir");
    fs::write(outside.join(".gitattributes"), "precious\n").expect("write");
    // `init` where .gitattributes links outside: refused, the outside file untouched.
    let root = scratch.path().join("repo");
    git_init(&root);
    symlink(outside.join(".gitattributes"), root.join(".gitattributes")).expect("link");
    let run = longhand(&root, &["init", "--title", "T"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(outside.join(".gitattributes")).expect("read"),
        "precious\n"
    );
    fs::remove_file(root.join(".gitattributes")).expect("unlink");
    ok(longhand(&root, &["init", "--title", "T"]));
    // `threads/` and `decisions/` that link outside: nothing is written there.
    for dir in ["threads", "decisions"] {
        let _ = fs::remove_dir_all(root.join(dir));
        symlink(&outside, root.join(dir)).expect("link");
    }
    let run = longhand(&root, &["thread", "new", "Out", "-m", "Escape?"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refusing to write"), "{}", run.stderr);
    let run = longhand(&root, &["decision", "new", "Out", "-m", "Escape?"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(names(&outside), vec![".gitattributes"]);
}

#[test]
fn sources_never_read_through_a_link() {
    use longhand::source::{MemoryTree, Source};
    use longhand::GitTree;
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = hostile_repository(scratch.path());
    let thread = fs::read_dir(root.join("threads"))
        .expect("threads")
        .map(|e| e.expect("entry").path())
        .find(|p| !p.is_symlink())
        .expect("the real thread");
    let thread = thread
        .strip_prefix(&root)
        .expect("inside")
        .to_string_lossy()
        .into_owned();
    let through_dir = format!("{thread}/01JD8Q1Z4A2B3C4D5E6F7G8H9Y/secret.txt");
    let link = format!("{thread}/01JD8Q1Z4A2B3C4D5E6F7G8H9Y.md");
    let work = WorkTree::new(&root);
    let git_tree =
        GitTree::new(git2::Repository::open(&root).expect("open"), "HEAD", "").expect("tree");
    let mut memory = MemoryTree::new();
    memory.insert_symlink(&link);
    memory.insert_symlink("threads/2026-11-24-outside");
    let sources: [&dyn Source; 3] = [&work, &git_tree, &memory];
    for source in sources {
        for path in [
            link.as_str(),
            through_dir.as_str(),
            "threads/2026-11-24-outside/thread.md",
            "decisions/secret.md",
        ] {
            match source.read(path, u64::MAX) {
                Err(_) => {}
                Ok(longhand::source::Contents::Bytes(bytes)) => panic!(
                    "{}: read {path}: {:?}",
                    source.describe(),
                    String::from_utf8_lossy(&bytes)
                ),
                Ok(other) => panic!("{}: read {path}: {other:?}", source.describe()),
            }
        }
    }
}

#[test]
fn replies_killed_at_any_moment_leave_complete_files_and_a_usable_repository() {
    let dir = started();
    let d = dir.path();
    for i in 0..30u64 {
        let text = format!("Reply {i}.");
        let (mut command, _home) = longhand_command(d, &["reply", "crash-test", "-m", &text]);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = command.spawn().expect("spawn");
        // Kill it at a different moment each time: before, during and after its write and
        // its commit (SIGKILL: no destructor, no cleanup).
        std::thread::sleep(std::time::Duration::from_millis(i * 7 % 60));
        let _ = child.kill();
        let _ = child.wait();
        // Every file is whole: validation finds nothing.
        validates(d);
        // No reply is staged as deleted, so the user's next commit loses nothing.
        let status = git(d, &["status", "--porcelain"]);
        assert!(
            !status.lines().any(|l| l.starts_with('D')),
            "after kill {i}: {status}"
        );
        // A lock of git's own that the killed writer held is what the GitLocked help says
        // to remove; Longhand's own lock is taken over by itself.
        for lock in [
            ".git/index.lock",
            ".git/HEAD.lock",
            ".git/refs/heads/main.lock",
        ] {
            let _ = fs::remove_file(d.join(lock));
        }
    }
    ok(longhand(
        d,
        &["reply", "crash-test", "-m", "After the storm."],
    ));
    // What the killed writers wrote but did not commit is complete: commit it as a user would.
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "--allow-empty", "-m", "leftovers"]);
    clean_repository(d);
    let bodies = reply_bodies(d);
    assert!(
        bodies.contains(&"After the storm.".to_owned()),
        "{bodies:?}"
    );
    for body in &bodies {
        assert!(
            body.starts_with("Reply ") || body == "After the storm.",
            "{body:?}"
        );
    }
}

#[test]
fn a_lock_of_gits_own_left_behind_is_named_in_a_clear_error() {
    let dir = started();
    let d = dir.path();
    fs::write(d.join(".git/refs/heads/main.lock"), "").expect("lock");
    let run = longhand(d, &["reply", "crash-test", "-m", "Blocked."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("git's lock is taken"), "{}", run.stderr);
    assert!(run.stderr.contains("main.lock"), "{}", run.stderr);
    assert!(
        run.stderr.contains("remove the `.lock` file"),
        "{}",
        run.stderr
    );
    // The reply is complete and staged: removing the lock and committing finishes the job.
    fs::remove_file(d.join(".git/refs/heads/main.lock")).expect("unlock");
    let status = git(d, &["status", "--porcelain"]);
    assert!(status.starts_with("A  threads/"), "{status}");
    git(d, &["commit", "-q", "-m", "reply"]);
    clean_repository(d);
}

/// A writer killed between creating `.git/longhand.lock` and writing its process id leaves an
/// empty lock: after a moment it is taken over; a fresh one (a writer starting) is waited for.
#[test]
fn an_empty_lock_left_by_a_killed_writer_is_taken_over() {
    let dir = started();
    let d = dir.path();
    let lock = d.join(".git/longhand.lock");
    let file = fs::File::create(&lock).expect("lock");
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(30))
        .expect("mtime");
    drop(file);
    ok(longhand(d, &["reply", "crash-test", "-m", "Not blocked."]));
    assert!(!lock.exists(), "the lock is released");

    fs::File::create(&lock).expect("a fresh empty lock");
    let run = longhand_with(
        d,
        &["reply", "crash-test", "-m", "Blocked."],
        &[("LONGHAND_LOCK_WAIT", "1")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("longhand.lock is held"),
        "{}",
        run.stderr
    );
}
