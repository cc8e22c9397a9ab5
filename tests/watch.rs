//! `longhand watch`: with a real watcher process running on a real repository, `list` and
//! `inbox` must print exactly what a cache-less run prints after every kind of change — the
//! same scenarios as `list_cache.rs` — while checking only the stamps the watcher reported
//! (`LONGHAND_CACHE_DEBUG` says `watcher: Narrowed(n)`: the fast path was taken). A killed
//! or restarted watcher must never be trusted for what it did not see.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::list_cache::{add_reply, fresh_watched_at, thread, two_threads, NOW};
use crate::support::{commit_all, git, git_init, id, longhand, reply_md, write, CONFIG};

/// A watcher of the discussion at a root, stopped when dropped.
struct Watcher<'a>(&'a Path);

impl Watcher<'_> {
    fn start(root: &Path) -> Watcher<'_> {
        let out = longhand(root, &["watch", "start"]);
        assert_eq!(out.code, 0, "watch start: {}", out.stderr);
        assert!(out.stdout.contains("started"), "{}", out.stdout);
        Watcher(root)
    }

    fn pid(&self) -> String {
        let out = longhand(self.0, &["watch", "status"]);
        assert_eq!(out.code, 0, "a watcher runs: {}", out.stdout);
        let line = out.stdout.lines().find(|l| l.starts_with("pid: ")).unwrap();
        line["pid: ".len()..].to_owned()
    }
}

impl Drop for Watcher<'_> {
    fn drop(&mut self) {
        longhand(self.0, &["watch", "stop"]);
    }
}

fn fresh(root: &Path) -> (Vec<String>, String, String) {
    fresh_watched_at(root, NOW)
}

/// A repository with two threads, committed, a watcher running and the cache built: the
/// next `list` is a hit that checks no stamp at all.
fn repo() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    two_threads(root);
    (dir, Vec::new())
}

/// The first run after starting a watcher: it does not know the cache's token ("All");
/// every run after that checks nothing while nothing changes.
fn warm(root: &Path) -> Vec<String> {
    let (first, _, watcher) = fresh(root);
    assert_eq!(
        watcher, "All",
        "a new watcher cannot vouch for an older cache"
    );
    let (again, outcome, watcher) = fresh(root);
    assert_eq!((outcome.as_str(), watcher.as_str()), ("Hit", "Narrowed(0)"));
    assert_eq!(first, again);
    again
}

/// Checks a changed work tree through the watcher: the cached run agrees with a plain one
/// (`fresh` asserts it), the change shows, the watcher narrowed the check, and the run after
/// checks nothing again.
fn changed(root: &Path, before: &[String]) -> Vec<String> {
    let after = changed_quietly(root);
    assert_ne!(after, before, "the scenario changes what list prints");
    after
}

fn changed_quietly(root: &Path) -> Vec<String> {
    let (after, outcome, watcher) = fresh(root);
    assert_ne!(outcome, "Hit", "a changed work tree is not a hit");
    assert!(
        watcher.starts_with("Narrowed("),
        "the watcher was used: {watcher}"
    );
    let (again, outcome, watcher) = fresh(root);
    assert_eq!(after, again);
    assert_eq!((outcome.as_str(), watcher.as_str()), ("Hit", "Narrowed(0)"));
    after
}

#[test]
fn edits_additions_removals_and_renames_are_seen_through_the_watcher() {
    let (dir, _) = repo();
    let root = dir.path();
    let _watcher = Watcher::start(root);
    warm(root);
    // An edit in place, appending.
    let path = root.join("threads/holidays/thread.md");
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, b"More text.\n").unwrap();
    drop(file);
    let appended = changed_quietly(root);
    // The same size, at once (the racy case), and the title shows it.
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("Holiday cover", "Holiday rotas")).unwrap();
    let renamed_title = changed(root, &appended);
    // The same size again with the old modification time put back: only ctime moves.
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Write::write_all(&mut &file, text.replace("rotas", "cover").as_bytes()).unwrap();
    file.set_modified(mtime).unwrap();
    drop(file);
    let back = changed(root, &renamed_title);
    // A reply added, renamed, removed.
    add_reply(root, 10, "Added.\n");
    let added = changed(root, &back);
    fs::rename(
        root.join(format!("threads/holidays/{}.md", id(10))),
        root.join(format!("threads/holidays/{}.md", id(11))),
    )
    .unwrap();
    let moved = changed_quietly(root);
    assert_ne!(moved, added, "the reply's id no longer matches its name");
    fs::remove_file(root.join(format!("threads/holidays/{}.md", id(11)))).unwrap();
    assert_eq!(changed(root, &moved), back);
    // A thread directory renamed, then written into under its new name.
    fs::rename(
        root.join("threads/holidays"),
        root.join("threads/holiday-cover"),
    )
    .unwrap();
    let dir_renamed = changed(root, &back);
    write(
        &root.join(format!("threads/holiday-cover/{}.md", id(12))),
        reply_md(&id(12), "", "After the rename.\n"),
    );
    let written = changed(root, &dir_renamed);
    // A new thread directory whose files are written at once (before any watch on it).
    fs::create_dir_all(root.join("threads/new-one")).unwrap();
    fs::write(
        root.join("threads/new-one/thread.md"),
        thread("Brand new", 5, ""),
    )
    .unwrap();
    let created = changed(root, &written);
    // A thread moved in from outside the watched tree with its files.
    let outside = tempfile::tempdir_in(root).unwrap();
    write(
        &outside.path().join("moved-in/thread.md"),
        thread("Moved in", 6, ""),
    );
    fs::rename(
        outside.path().join("moved-in"),
        root.join("threads/moved-in"),
    )
    .unwrap();
    let moved_in = changed(root, &created);
    // The roster.
    let config = CONFIG.replace("jonas@example.org]", "jonas@example.net]");
    fs::write(root.join("longhand.yaml"), config).unwrap();
    let roster = changed(root, &moved_in);
    // A decision record that does not parse: the warning counts it.
    write(
        &root.join("decisions/broken.md"),
        "---\nid: nonsense\n---\n",
    );
    let decided = changed(root, &roster);
    assert!(decided[0].contains("warning"), "{}", decided[0]);
    fs::remove_dir_all(root.join("decisions")).unwrap();
    assert_eq!(changed(root, &decided), roster);
}

#[test]
fn git_operations_are_seen_through_the_watcher() {
    let (dir, _) = repo();
    let root = dir.path();
    let _watcher = Watcher::start(root);
    let before = warm(root);
    // checkout, and back.
    git(root, &["checkout", "-q", "-b", "other"]);
    add_reply(root, 10, "On the branch.\n");
    commit_all(root, "reply on other");
    let on_other = changed(root, &before);
    git(root, &["checkout", "-q", "main"]);
    assert_eq!(changed(root, &on_other), before);
    // reset --hard drops an edit.
    let path = root.join("threads/standups/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("awaiting: [jonas]", "awaiting: [ana]")).unwrap();
    let edited = changed(root, &before);
    git(root, &["reset", "-q", "--hard", "HEAD"]);
    assert_eq!(changed(root, &edited), before);
    // stash and stash pop.
    fs::write(&path, text.replace("awaiting: [jonas]", "awaiting: [ana]")).unwrap();
    assert_eq!(changed(root, &before), edited);
    git(root, &["stash", "-q"]);
    assert_eq!(changed(root, &edited), before);
    git(root, &["stash", "pop", "-q"]);
    assert_eq!(changed(root, &before), edited);
    git(root, &["checkout", "-q", "--", "."]);
    assert_eq!(changed(root, &edited), before);
    // merge.
    git(root, &["merge", "-q", "--no-edit", "other"]);
    let merged = changed(root, &before);
    assert_eq!(merged, on_other);
    // pull from a clone.
    let other = tempfile::tempdir().unwrap();
    git(
        other.path(),
        &["clone", "-q", &root.display().to_string(), "clone"],
    );
    let clone = other.path().join("clone");
    add_reply(&clone, 11, "From the clone.\n");
    commit_all(&clone, "clone reply");
    git(
        root,
        &[
            "pull",
            "-q",
            "--no-rebase",
            &clone.display().to_string(),
            "main",
        ],
    );
    changed(root, &merged);
}

/// Where a watcher's socket could not exist (its path would not fit a Unix socket address),
/// `longhand.watch` starts nothing, run after run, and `watch start` says why.
#[test]
fn no_watcher_is_started_where_its_socket_cannot_exist() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("d".repeat(100));
    two_threads(&root);
    git(&root, &["config", "longhand.watch", "true"]);
    for _ in 0..2 {
        let (_, _, watcher) = crate::list_cache::run(&root, &["list"], true, NOW);
        assert_eq!(watcher, "Absent");
    }
    let out = longhand(&root, &["watch", "start"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("too long"), "{}", out.stderr);
}

/// A watcher that cannot vouch for anything (here: a directory name it cannot record) makes
/// every run check everything — and the cache is not rewritten on every run to keep a
/// token that will never narrow anything: after the first run, the runs are plain hits.
#[test]
fn a_watcher_that_cannot_vouch_is_asked_but_the_cache_is_not_rewritten() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, _) = repo();
    let root = dir.path();
    fs::create_dir(
        root.join("threads")
            .join(std::ffi::OsStr::from_bytes(b"caf\xe9")),
    )
    .unwrap();
    let _watcher = Watcher::start(root);
    let status = longhand(root, &["watch", "status"]);
    assert!(
        status.stdout.contains("cannot vouch"),
        "the watcher says it cannot vouch: {}",
        status.stdout
    );
    let (first, _, watcher) = fresh(root);
    assert_eq!(watcher, "All");
    let cache = fs::read_dir(root.join(".git/longhand/list"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .expect("a cache file");
    let written = fs::metadata(&cache).unwrap().modified().unwrap();
    for _ in 0..3 {
        // An event that changes no stamp (a file opened for writing and closed unchanged):
        // it moves a working watcher's change log, and so its tokens.
        drop(
            fs::OpenOptions::new()
                .write(true)
                .open(root.join("threads/holidays/thread.md"))
                .unwrap(),
        );
        let (again, outcome, watcher) = fresh(root);
        assert_eq!(again, first);
        assert_eq!((outcome.as_str(), watcher.as_str()), ("Hit", "All"));
    }
    assert_eq!(fs::metadata(&cache).unwrap().modified().unwrap(), written);
    // A change is still seen (every stamp is checked).
    let path = root.join("threads/holidays/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("Holiday cover", "Holiday rotas")).unwrap();
    let (after, outcome, _) = fresh(root);
    assert_ne!(after, first);
    assert_ne!(outcome, "Hit");
}

#[test]
fn a_killed_or_restarted_watcher_is_never_trusted_for_what_it_did_not_see() {
    let (dir, _) = repo();
    let root = dir.path();
    let watcher = Watcher::start(root);
    let before = warm(root);
    // Killed: its socket is left behind, dead; the next run checks every stamp.
    let pid = watcher.pid();
    let killed = Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(killed.success());
    add_reply(root, 10, "While nobody watched.\n");
    let (after, outcome, used) = fresh(root);
    assert_eq!((outcome.as_str(), used.as_str()), ("Updated", "Absent"));
    assert_ne!(after, before);
    // A new watcher is a new instance: the cache's token means nothing to it.
    let restarted = Watcher::start(root);
    add_reply(root, 11, "Before the first run of the new watcher.\n");
    let (again, outcome, used) = fresh(root);
    assert_eq!((outcome.as_str(), used.as_str()), ("Updated", "All"));
    assert_ne!(again, after);
    let (same, outcome, used) = fresh(root);
    assert_eq!(same, again);
    assert_eq!((outcome.as_str(), used.as_str()), ("Hit", "Narrowed(0)"));
    drop(restarted);
    let (stopped, _, used) = fresh(root);
    assert_eq!((stopped, used.as_str()), (same, "Absent"));
}

#[test]
fn start_stop_and_status_say_what_runs() {
    let (dir, _) = repo();
    let root = dir.path();
    let out = longhand(root, &["watch", "status"]);
    assert_eq!(out.code, 1, "none runs: {}", out.stdout);
    let watcher = Watcher::start(root);
    let again = longhand(root, &["watch", "start"]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("already runs"), "{}", again.stdout);
    // A second `run` is refused by the lock.
    let second = longhand(root, &["watch", "run"]);
    assert_eq!(second.code, 2);
    assert!(
        second.stderr.contains("already running"),
        "{}",
        second.stderr
    );
    let status = longhand(root, &["watch", "status"]);
    assert_eq!(status.code, 0);
    assert!(
        status.stdout.contains("state: narrowing"),
        "{}",
        status.stdout
    );
    drop(watcher);
    let out = longhand(root, &["watch", "status"]);
    assert_eq!(out.code, 1);
    let out = longhand(root, &["watch", "stop"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("no watcher"), "{}", out.stdout);
    // Outside a git repository there is no cache, so no watcher.
    let plain = tempfile::tempdir().unwrap();
    write(&plain.path().join("longhand.yaml"), CONFIG);
    let out = longhand(plain.path(), &["watch", "start"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// Waits until a watcher answers for `root` (it was started in the background).
fn answers_soon(root: &Path) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        if longhand(root, &["watch", "status"]).code == 0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

#[test]
fn list_and_inbox_start_a_watcher_when_git_config_asks_for_one() {
    let (dir, _) = repo();
    let root = dir.path();
    // Not asked for: none is started.
    let (_, _, watcher) = crate::list_cache::run(root, &["list"], true, NOW);
    assert_eq!(watcher, "Absent");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(longhand(root, &["watch", "status"]).code, 1, "none runs");
    // Asked for, but the cache is off: none is started (it would serve nothing).
    git(root, &["config", "longhand.watch", "true"]);
    let (_, _, watcher) = crate::list_cache::run(root, &["list"], false, NOW);
    assert_eq!(watcher, "");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(longhand(root, &["watch", "status"]).code, 1, "none runs");
    // Asked for: `inbox` (as `list`) starts one in the background and does not wait for it.
    let (_, _, watcher) = crate::list_cache::run(root, &["inbox", "--for", "ana"], true, NOW);
    assert_eq!(watcher, "started");
    let _watcher = Watcher(root);
    assert!(answers_soon(root), "the started watcher answers");
    // From then on it is used, and a change is seen through it.
    let before = warm(root);
    let path = root.join("threads/holidays/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("Holiday cover", "Holiday rotas")).unwrap();
    changed(root, &before);
    // A running watcher is not started again.
    let (_, _, watcher) = crate::list_cache::run(root, &["list"], true, NOW);
    assert_eq!(watcher, "Narrowed(0)");
}

#[test]
fn a_watcher_whose_root_is_moved_away_exits() {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("repo");
    git_init(&root);
    write(&root.join("longhand.yaml"), CONFIG);
    let out = longhand(&root, &["watch", "start"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let moved = parent.path().join("elsewhere");
    fs::rename(&root, &moved).unwrap();
    // The watcher exits on the move: nothing answers at the new place either (its socket was
    // under the old path, and it removed it).
    let mut exited = false;
    for _ in 0..100 {
        let log = fs::read_dir(moved.join(".git/longhand/watch"))
            .unwrap()
            .flatten()
            .map(|e| fs::read_to_string(e.path().join("log")).unwrap_or_default())
            .collect::<String>();
        if log.contains("the watcher stopped") {
            assert!(log.contains("removed or moved"), "{log}");
            exited = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(exited, "the watcher exited");
}
