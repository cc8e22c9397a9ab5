//! `list`'s cache (`longhand::cache`) is never stale: in a real git repository, `list` runs
//! with the cache, then a git operation or an edit changes the work tree, then `list` runs
//! again with the cache and must print exactly what a cache-less run (`LONGHAND_NO_CACHE=1`)
//! prints — stdout and stderr, in every format and with every filter. Each scenario also
//! checks that the change shows in the output, so a stale cache would fail it, and that the
//! warm run really was a cache hit (`LONGHAND_CACHE_DEBUG`).

use std::fs;
use std::path::Path;
use std::thread::sleep;
use std::time::Duration;

use crate::support::{commit_all, git, git_init, id, longhand_with, reply_md, write, Run, CONFIG};

pub(crate) const NOW: &str = "2026-11-30T00:00:00Z";

/// What each run prints, under every format and filter.
const VARIANTS: &[&[&str]] = &[
    &["list"],
    &["list", "--format", "json"],
    &["list", "--status", "open"],
    &["list", "--tag", "meetings"],
    &["list", "--status", "resolved", "--format", "json"],
    &["inbox", "--for", "jonas"],
    &["inbox", "--for", "ana", "--format", "json"],
];

/// Longer than the cache's racy margin: files written before it are trusted by their stamps.
pub(crate) const SETTLE: Duration = Duration::from_millis(3300);

/// One run, with the cache or without; returns its output without the debugging lines, how
/// the cache served it and what the watcher did (`LONGHAND_CACHE_DEBUG`).
pub(crate) fn run(dir: &Path, args: &[&str], cache: bool, now: &str) -> (Run, String, String) {
    let env: &[(&str, &str)] = if cache {
        &[
            ("LONGHAND_NOW", now),
            ("TZ", "UTC"),
            ("LONGHAND_CACHE_DEBUG", "1"),
        ]
    } else {
        &[
            ("LONGHAND_NOW", now),
            ("TZ", "UTC"),
            ("LONGHAND_NO_CACHE", "1"),
        ]
    };
    let mut out = longhand_with(dir, args, env);
    let mut outcome = String::new();
    let mut watcher = String::new();
    out.stderr = out
        .stderr
        .lines()
        .filter(|line| {
            if let Some(rest) = line.strip_prefix("longhand: cache: ") {
                outcome = rest.to_owned();
                false
            } else if let Some(rest) = line.strip_prefix("longhand: watcher: ") {
                watcher = rest.to_owned();
                false
            } else {
                true
            }
        })
        .map(|line| format!("{line}\n"))
        .collect();
    (out, outcome, watcher)
}

/// Runs every variant with the cache and without, insists they agree, and returns the
/// outputs and how the first cached run got its listing.
fn fresh_at(dir: &Path, now: &str) -> (Vec<String>, String) {
    let (outputs, outcome, _) = fresh_watched_at(dir, now);
    (outputs, outcome)
}

/// [`fresh_at`], and what the watcher did for the first cached run.
pub(crate) fn fresh_watched_at(dir: &Path, now: &str) -> (Vec<String>, String, String) {
    let mut outputs = Vec::new();
    let mut first = None;
    for args in VARIANTS {
        let (cached, outcome, watcher) = run(dir, args, true, now);
        let (plain, none, _) = run(dir, args, false, now);
        assert_eq!(none, "", "LONGHAND_NO_CACHE bypasses the cache");
        assert_eq!(
            (cached.code, &cached.stdout, &cached.stderr),
            (plain.code, &plain.stdout, &plain.stderr),
            "`{}` with the cache differs from a run without it",
            args.join(" ")
        );
        first.get_or_insert((outcome, watcher));
        outputs.push(format!("{}{}", plain.stdout, plain.stderr));
    }
    let (outcome, watcher) = first.unwrap_or_default();
    (outputs, outcome, watcher)
}

fn fresh(dir: &Path) -> (Vec<String>, String) {
    fresh_at(dir, NOW)
}

pub(crate) fn thread(title: &str, n: usize, extra: &str) -> String {
    format!(
        "---\nid: {}\ntitle: {title}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-2{n}T09:30:00-03:00\nstatus: open\n{extra}---\nOpening post.\n",
        id(n)
    )
}

/// A git repository at `root` with two threads (one reply, a deadline, tags), committed.
pub(crate) fn two_threads(root: &Path) {
    git_init(root);
    write(&root.join("longhand.yaml"), CONFIG);
    write(
        &root.join("threads/standups/thread.md"),
        thread(
            "Async standups",
            1,
            "tags: [meetings]\nawaiting: [jonas]\nrespond-by: 2026-12-01\n",
        ),
    );
    write(
        &root.join(format!("threads/standups/{}.md", id(2))),
        reply_md(&id(2), "", "Yes.\n"),
    );
    write(
        &root.join("threads/holidays/thread.md"),
        thread(
            "Holiday cover",
            3,
            "tags: [planning]\nrespond-by: 2026-12-01\n",
        ),
    );
    commit_all(root, "start");
}

/// A repository with two threads, committed on `main`, its cache built and settled: the
/// next `list` is a hit whose stamps are trusted from `lstat` alone.
fn repo() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    two_threads(root);
    sleep(SETTLE);
    let (before, _) = fresh(root);
    let (again, outcome) = fresh(root);
    assert_eq!(outcome, "Hit", "the second run is served by the cache");
    assert_eq!(before, again);
    (dir, before)
}

/// Checks a changed work tree: the cached run agrees with a plain one, and the change shows.
fn changed(root: &Path, before: &[String]) -> Vec<String> {
    let (after, outcome) = fresh(root);
    assert_ne!(outcome, "Hit", "a changed work tree is not a hit");
    assert_ne!(after, before, "the scenario changes what list prints");
    let (again, outcome) = fresh(root);
    assert_eq!(after, again);
    assert!(
        outcome == "Hit" || outcome == "Refreshed",
        "the rebuilt cache serves the next run ({outcome})"
    );
    after
}

/// Writes reply `n` to the `holidays` thread.
pub(crate) fn add_reply(root: &Path, n: usize, body: &str) {
    write(
        &root.join(format!("threads/holidays/{}.md", id(n))),
        reply_md(&id(n), "", body),
    );
}

#[test]
fn a_commit_of_a_new_reply_is_listed() {
    let (dir, before) = repo();
    add_reply(dir.path(), 10, "Me.\n");
    commit_all(dir.path(), "reply");
    changed(dir.path(), &before);
}

#[test]
fn a_new_reply_or_thread_updates_the_cache_without_a_full_build() {
    let (dir, before) = repo();
    add_reply(dir.path(), 10, "Me.\n");
    let (after, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Updated");
    assert_ne!(after, before);
    write(
        &dir.path().join("threads/new-one/thread.md"),
        thread("Brand new", 5, ""),
    );
    let (again, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Updated");
    assert_ne!(again, after);
    fs::remove_dir_all(dir.path().join("threads/new-one")).unwrap();
    let (removed, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Updated");
    assert_eq!(removed, after);
    // A change outside `threads/` is a full build.
    fs::write(dir.path().join("longhand.yaml"), format!("{CONFIG}\n")).unwrap();
    let (_, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Built");
}

#[test]
fn a_checkout_of_another_branch_is_listed_and_so_is_the_way_back() {
    let (dir, before) = repo();
    let root = dir.path();
    git(root, &["checkout", "-q", "-b", "other"]);
    add_reply(root, 10, "On the branch.\n");
    commit_all(root, "reply on other");
    let on_other = changed(root, &before);
    git(root, &["checkout", "-q", "main"]);
    let back = changed(root, &on_other);
    assert_eq!(back, before);
}

#[test]
fn reset_hard_drops_an_uncommitted_edit_and_the_listing_follows() {
    let (dir, before) = repo();
    let root = dir.path();
    git(root, &["reset", "-q", "--hard", "HEAD"]);
    let path = root.join("threads/holidays/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("Holiday cover", "Holiday rota")).unwrap();
    let edited = changed(root, &before);
    git(root, &["reset", "-q", "--hard", "HEAD"]);
    assert_eq!(changed(root, &edited), before);
}

#[test]
fn an_amended_commit_and_its_edit_are_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    let path = root.join("threads/holidays/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("status: open", "status: resolved")).unwrap();
    git(root, &["commit", "-q", "-a", "--amend", "--no-edit"]);
    let amended = changed(root, &before);
    // An amend of the message alone changes no file: the cache still holds, and agrees.
    git(root, &["commit", "-q", "--amend", "-m", "again"]);
    let (after, _) = fresh(root);
    assert_eq!(after, amended);
}

#[test]
fn merges_fast_forward_and_true_are_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    git(root, &["checkout", "-q", "-b", "side"]);
    add_reply(root, 10, "Side.\n");
    commit_all(root, "side reply");
    git(root, &["checkout", "-q", "main"]);
    fresh(root);
    git(root, &["merge", "-q", "--ff-only", "side"]);
    let merged = changed(root, &before);
    git(root, &["checkout", "-q", "-b", "second", "HEAD~1"]);
    add_reply(root, 11, "Second.\n");
    commit_all(root, "second reply");
    git(root, &["checkout", "-q", "main"]);
    fresh(root);
    git(root, &["merge", "-q", "--no-edit", "second"]);
    changed(root, &merged);
}

#[test]
fn stash_and_stash_pop_are_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    let path = root.join("threads/standups/thread.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("awaiting: [jonas]", "awaiting: [ana]")).unwrap();
    let edited = changed(root, &before);
    git(root, &["stash", "-q"]);
    assert_eq!(changed(root, &edited), before);
    git(root, &["stash", "pop", "-q"]);
    assert_eq!(changed(root, &before), edited);
}

#[test]
fn a_rebase_is_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    git(root, &["checkout", "-q", "-b", "topic"]);
    add_reply(root, 10, "Topic.\n");
    add_reply(root, 12, "Topic again.\n");
    commit_all(root, "topic replies");
    git(root, &["checkout", "-q", "main"]);
    add_reply(root, 11, "Main.\n");
    commit_all(root, "main reply");
    let on_main = changed(root, &before);
    git(root, &["checkout", "-q", "topic"]);
    let on_topic = changed(root, &on_main);
    git(root, &["rebase", "-q", "main"]);
    changed(root, &on_topic);
}

#[test]
fn pull_and_fetch_then_merge_are_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    let other = tempfile::tempdir().unwrap();
    let clone = other.path().join("clone");
    git(
        other.path(),
        &["clone", "-q", &root.display().to_string(), "clone"],
    );
    add_reply(&clone, 10, "From the clone.\n");
    commit_all(&clone, "clone reply");
    git(root, &["config", "receive.denyCurrentBranch", "ignore"]);
    // The clone pulls from the original, the original pulls from the clone.
    let upstream = clone.display().to_string();
    git(root, &["pull", "-q", "--no-rebase", &upstream, "main"]);
    let pulled = changed(root, &before);
    add_reply(&clone, 11, "Again.\n");
    commit_all(&clone, "clone reply 2");
    git(root, &["fetch", "-q", &upstream, "main"]);
    let (fetched, _) = fresh(root);
    assert_eq!(fetched, pulled, "a fetch alone changes no file");
    git(root, &["merge", "-q", "FETCH_HEAD"]);
    changed(root, &pulled);
}

#[test]
fn an_edit_in_place_of_the_same_size_in_the_same_second_is_seen() {
    // No settling: the build's stamps are racy, and the edit follows at once.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git_init(root);
    write(&root.join("longhand.yaml"), CONFIG);
    let path = root.join("threads/t/thread.md");
    write(&path, thread("Title AAAA", 1, ""));
    commit_all(root, "start");
    let (before, _) = fresh(root);
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    let text = thread("Title BBBB", 1, "");
    assert_eq!(text.len() as u64, file.metadata().unwrap().len());
    std::io::Write::write_all(&mut &file, text.as_bytes()).unwrap();
    drop(file);
    let (after, _) = fresh(root);
    assert_ne!(after, before);
    assert!(after[0].contains("Title BBBB"));
}

#[test]
fn an_edit_in_place_of_the_same_size_with_the_old_mtime_is_seen() {
    // Settled stamps; the edit keeps size, inode and modification time: only ctime moves.
    let (dir, before) = repo();
    let path = dir.path().join("threads/holidays/thread.md");
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Write::write_all(&mut &file, text.replace("cover", "rotas").as_bytes()).unwrap();
    file.set_modified(mtime).unwrap();
    drop(file);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    changed(dir.path(), &before);
}

#[test]
fn files_added_deleted_and_renamed_are_listed() {
    let (dir, before) = repo();
    let root = dir.path();
    add_reply(root, 10, "Added.\n");
    let added = changed(root, &before);
    fs::remove_file(root.join(format!("threads/holidays/{}.md", id(10)))).unwrap();
    assert_eq!(changed(root, &added), before);
    fs::rename(
        root.join("threads/holidays"),
        root.join("threads/holiday-cover"),
    )
    .unwrap();
    changed(root, &before);
}

#[test]
fn a_new_untracked_thread_is_listed() {
    let (dir, before) = repo();
    write(
        &dir.path().join("threads/new-one/thread.md"),
        thread("Brand new", 5, ""),
    );
    changed(dir.path(), &before);
}

#[test]
fn a_change_of_the_roster_is_listed() {
    let (dir, before) = repo();
    // Jonas gets another email; the reply's author now counts as Jonas only if it matches.
    let config = CONFIG.replace("jonas@example.org]", "jonas@example.net]");
    fs::write(dir.path().join("longhand.yaml"), config).unwrap();
    changed(dir.path(), &before);
}

#[test]
fn the_clock_decides_overdue_at_every_run() {
    let (dir, before) = repo();
    let (later, outcome) = fresh_at(dir.path(), "2026-12-25T00:00:00Z");
    assert_eq!(outcome, "Hit", "the files did not change");
    assert_ne!(later, before);
    // `holidays` awaits no one in particular; `standups` awaits Jonas, who has answered.
    assert!(later[0].contains("overdue"));
    assert_eq!(later[0].matches("overdue").count(), 1, "{}", later[0]);
}

#[test]
fn files_with_errors_are_warned_about_the_same_way() {
    let (dir, before) = repo();
    add_reply(dir.path(), 10, "");
    write(
        &dir.path().join(format!("threads/holidays/{}.md", id(11))),
        "---\nid: nonsense\n---\n",
    );
    let after = changed(dir.path(), &before);
    assert!(after[0].contains("warning"), "{}", after[0]);
    write(
        &dir.path().join("threads/broken/thread.md"),
        "---\nid: nonsense\n---\n",
    );
    let more = changed(dir.path(), &after);
    assert!(more[0].contains("warning"), "{}", more[0]);
    fs::remove_file(dir.path().join(format!("threads/holidays/{}.md", id(11)))).unwrap();
    fs::remove_dir_all(dir.path().join("threads/broken")).unwrap();
    let fixed = changed(dir.path(), &more);
    // A link in `threads/` (an error: links are never followed) replaced by a valid thread.
    std::os::unix::fs::symlink("/nonexistent", dir.path().join("threads/linked")).unwrap();
    let linked = changed(dir.path(), &fixed);
    fs::remove_file(dir.path().join("threads/linked")).unwrap();
    write(
        &dir.path().join("threads/linked/thread.md"),
        thread("Linked no more", 6, ""),
    );
    changed(dir.path(), &linked);
}

#[test]
fn a_corrupt_cut_off_or_foreign_cache_is_rebuilt() {
    let (dir, before) = repo();
    let cache_dir = dir.path().join(".git/longhand/list");
    let file = fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .expect("a cache file");
    let good = fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    let variants = [
        flipped,
        good[..good.len() - 5].to_vec(),
        b"longhand-list-cache\n".to_vec(),
        Vec::new(),
    ];
    for bad in variants {
        fs::write(&file, bad).unwrap();
        let (after, outcome) = fresh(dir.path());
        assert_eq!(outcome, "Built");
        assert_eq!(after, before);
    }
}

#[test]
fn outside_a_git_repository_nothing_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("longhand.yaml"), CONFIG);
    write(
        &dir.path().join("threads/t/thread.md"),
        thread("Title", 1, ""),
    );
    let (_, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Uncached");
    let (_, outcome) = fresh(dir.path());
    assert_eq!(outcome, "Uncached");
}

#[test]
fn a_new_mention_reaches_the_inbox() {
    let (dir, before) = repo();
    write(
        &dir.path().join(format!("threads/holidays/{}.md", id(10))),
        format!(
            "---\nid: {}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-25T10:00:00Z\n---\nThoughts, @jonas?\n",
            id(10)
        ),
    );
    let after = changed(dir.path(), &before);
    assert!(after[5].contains("mentioned by Ana Lima"), "{}", after[5]);
}
