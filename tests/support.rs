//! Test scaffolding: temporary directories, real `git` with an isolated configuration, and the
//! real `longhand` binary with a fixed environment.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (where `spec/` and `examples/` live).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled example discussion.
pub fn example() -> PathBuf {
    workspace().join("examples/async-standups")
}

/// What a finished process printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Gives `command` the isolated environment every test process runs with.
pub fn isolate(command: &mut Command, home: &Path) {
    command
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("LONGHAND_NOW")
        .env_remove("TZ")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ana Lima")
        .env("GIT_AUTHOR_EMAIL", "ana@example.org")
        .env("GIT_COMMITTER_NAME", "Ana Lima")
        .env("GIT_COMMITTER_EMAIL", "ana@example.org")
        .env("GIT_AUTHOR_DATE", "2026-11-24T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-24T12:00:00Z")
        .stdin(Stdio::null());
}

fn finish(command: &mut Command) -> Run {
    let output = command.output().expect("the command starts");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Insists that a command succeeded, showing what it printed when it did not.
pub fn ok(run: Run) -> Run {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    run
}

/// Runs the real `longhand` binary in `dir`.
pub fn longhand(dir: &Path, args: &[&str]) -> Run {
    longhand_with(dir, args, &[])
}

/// Runs the real `longhand` binary in `dir` with extra environment variables (`TZ`,
/// `LONGHAND_NOW`, …) on top of the isolated environment; an empty value removes the variable.
pub fn longhand_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_longhand"));
    command.current_dir(dir).args(args);
    isolate(&mut command, home.path());
    for (key, value) in env {
        if value.is_empty() {
            command.env_remove(key);
        } else {
            command.env(key, value);
        }
    }
    finish(&mut command)
}

/// The real `longhand` binary as a `Command` in `dir`, in the isolated environment, for tests
/// that start several at once; keep the returned home directory alive while it runs.
pub fn longhand_command(dir: &Path, args: &[&str]) -> (Command, tempfile::TempDir) {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_longhand"));
    command.current_dir(dir).args(args);
    isolate(&mut command, home.path());
    (command, home)
}

/// The directory holding the `longhand` binary, for putting it on PATH.
pub fn binary_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_longhand"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf()
}

/// Runs `sh -c script` in `dir` with `LONGHAND` set to the binary (for ulimit and pipes).
pub fn shell(dir: &Path, script: &str) -> Run {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new("sh");
    command
        .current_dir(dir)
        .arg("-c")
        .arg(script)
        .env("LONGHAND", env!("CARGO_BIN_EXE_longhand"));
    isolate(&mut command, home.path());
    finish(&mut command)
}

/// Runs `sh -c script` in `dir` in the isolated environment with `longhand` on PATH,
/// `EDITOR=true` and standard input empty: how `docs/errors.md`'s examples run.
pub fn shell_with_longhand(dir: &Path, script: &str) -> Run {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new("sh");
    command.current_dir(dir).arg("-c").arg(script);
    isolate(&mut command, home.path());
    let path = std::env::var("PATH").unwrap_or_default();
    command
        .env("PATH", format!("{}:{path}", binary_dir().display()))
        .env("EDITOR", "true")
        .env_remove("VISUAL");
    finish(&mut command)
}

/// Runs real git in `dir` and insists that it succeeds.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let run = git_run(dir, args);
    assert_eq!(run.code, 0, "git {args:?} failed: {}", run.stderr);
    run.stdout
}

/// Runs real git in `dir`, with `longhand` on PATH (for the merge driver), whatever happens.
pub fn git_run(dir: &Path, args: &[&str]) -> Run {
    git_run_with(dir, args, &[])
}

/// Like [`git_run`], with extra environment variables (an identity, …) on top of the isolated
/// environment.
pub fn git_run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new("git");
    command.current_dir(dir).args(args);
    isolate(&mut command, home.path());
    command.envs(env.iter().copied());
    let path = std::env::var("PATH").unwrap_or_default();
    command.env("PATH", format!("{}:{path}", binary_dir().display()));
    finish(&mut command)
}

/// A new git repository with `main` as its branch.
pub fn git_init(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q", "-b", "main"]);
}

/// Commits everything in the work tree.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// Writes a file, creating its parent directories.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, contents).expect("write");
}

/// Copies a directory tree, recreating symbolic links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    let mut entries: Vec<_> = fs::read_dir(from)
        .expect("read_dir")
        .map(|e| e.expect("entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let link = fs::read_link(&source).expect("read_link");
            std::os::unix::fs::symlink(link, &target).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&source, &target);
        } else {
            fs::copy(&source, &target).expect("copy");
        }
    }
}

/// A minimal valid `longhand.yaml` with two people.
pub const CONFIG: &str = "longhand: 1
title: Test team
people:
  ana:
    name: Ana Lima
    emails: [ana@example.org]
    timezone: America/Sao_Paulo
    roles: [moderator]
  jonas:
    name: Jonas Weber
    emails: [jonas@example.org]
    timezone: Europe/Berlin
";

/// A valid thread.md with the given slug-independent id.
pub fn thread_md(id: &str, extra: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: Async standups\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:30:00-03:00\nstatus: open\n{extra}---\nShall we try written standups?\n"
    )
}

/// A valid reply with the given id.
pub fn reply_md(id: &str, extra: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\nauthor: Jonas Weber <jonas@example.org>\ndate: 2026-11-24T15:00:00+01:00\n{extra}---\n{body}"
    )
}

/// Ids for tests: valid ULIDs that differ in their last character.
pub fn id(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut tail = String::new();
    let mut rest = n;
    for _ in 0..6 {
        tail.insert(0, ALPHABET[rest % 32] as char);
        rest /= 32;
    }
    format!("01JD8Q1Z4A2B3C4D5E{tail}00")
}

/// A small valid discussion: one thread with one reply.
pub fn small_discussion(root: &Path) {
    write(&root.join("longhand.yaml"), CONFIG);
    write(
        &root.join("threads/async-standups/thread.md"),
        thread_md(&id(1), ""),
    );
    write(
        &root.join(format!("threads/async-standups/{}.md", id(2))),
        reply_md(&id(2), "", "Yes, let us try.\n"),
    );
}

/// Every key of every object in `value`, for checking that each JSON field is documented.
pub fn keys(value: &serde_json::Value, found: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                found.insert(key.clone());
                keys(inner, found);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| keys(item, found)),
        _ => {}
    }
}

/// OSC 52 (write the clipboard), BEL, clear-screen, CSI as one C1 byte, and a right-to-left
/// override: what the security review (issue 23) put in a file name.
pub const HOSTILE: &str = "\u{1b}]52;c;aGVsbG8=\u{7}\u{1b}[2J\u{9b}31m\u{202e}gpj";

/// Insists that `text` holds no control character but line breaks, and no bidirectional
/// control, as themselves.
pub fn assert_nothing_raw(what: &str, text: &str) {
    let raw: Vec<String> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{61C}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(raw.is_empty(), "{what} printed {raw:?} raw:\n{text}");
}

/// `text`, after insisting that it ends in exactly one newline: what a snapshot of a command's
/// output cannot check, since insta compares snapshots with the trailing whitespace trimmed.
pub fn ending_in_newline(text: &str) -> &str {
    assert!(
        text.ends_with('\n') && !text.ends_with("\n\n"),
        "the output does not end in one newline:\n{text:?}"
    );
    text
}
