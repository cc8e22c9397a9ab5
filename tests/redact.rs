//! `longhand redact` end to end: a moderator's redaction keeps the record and passes
//! `verify`; anyone else is refused by the command, and by `verify` when done by hand.

use std::fs;
use std::path::Path;

use crate::support::{
    git, git_init, git_run_with, id, longhand, longhand_with, reply_md, thread_md, write, CONFIG,
};

const JONAS: [(&str, &str); 2] = [
    ("GIT_AUTHOR_NAME", "Jonas Weber"),
    ("GIT_AUTHOR_EMAIL", "jonas@example.org"),
];

/// Ana (a moderator) opens a thread; Jonas replies. Returns the reply's path.
fn discussion(dir: &Path) -> String {
    git_init(dir);
    write(&dir.join("longhand.yaml"), CONFIG);
    write(
        &dir.join("threads/standups/thread.md"),
        thread_md(&id(1), ""),
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "thread(standups): open"]);
    let path = format!("threads/standups/{}.md", id(2));
    write(
        &dir.join(&path),
        reply_md(
            &id(2),
            "reply-to: 01JD8Q1Z4A2B3C4D5E00000100\nvote: \"-1\"\n",
            "My phone number is 555-0100.\n",
        ),
    );
    git(dir, &["add", "-A"]);
    let run = git_run_with(
        dir,
        &["commit", "-q", "-m", "reply(standups): Jonas Weber"],
        &JONAS,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    path
}

fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn a_moderator_redacts_a_reply_keeping_its_record_and_verify_accepts_it() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let path = discussion(dir);
    let before = fs::read_to_string(dir.join(&path)).unwrap();
    let prefix = &id(2)[..20];
    let run = longhand_with(
        dir,
        &["redact", prefix, "--reason", "personal data"],
        &[("LONGHAND_NOW", "2026-11-26T12:00:00Z"), ("TZ", "UTC")],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("wrote {path}")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("redact(standups)"), "{}", run.stdout);
    let after = fs::read_to_string(dir.join(&path)).unwrap();
    // The record is kept line for line; the body is the notice.
    for line in before.lines().take_while(|l| !l.is_empty()).skip(1) {
        if line == "---" {
            break;
        }
        assert!(
            after.contains(&format!("{line}\n")),
            "kept: {line}\n{after}"
        );
    }
    assert!(
        after.contains("redacted: 2026-11-26T12:00:00Z\n"),
        "{after}"
    );
    assert!(after.contains("redacted-by: ana\n"), "{after}");
    assert!(
        after.contains("redaction-reason: personal data\n"),
        "{after}"
    );
    assert!(!after.contains("555-0100"), "{after}");
    assert!(
        after.ends_with("---\n*This reply was redacted by a moderator. Reason: personal data*\n"),
        "{after}"
    );
    assert_eq!(
        git(dir, &["log", "-1", "--format=%an <%ae>"]).trim(),
        "Ana Lima <ana@example.org>"
    );
    assert_eq!(git(dir, &["status", "--porcelain"]).trim(), "");
    let validate = longhand(dir, &["validate"]);
    assert_eq!(validate.code, 0, "{}", validate.stdout);
    let verify = longhand(dir, &["verify"]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
    // Once is enough.
    let again = longhand(dir, &["redact", prefix, "--reason", "twice"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
}

#[test]
fn a_redaction_by_anyone_else_is_refused_by_the_command_and_by_verify() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let path = discussion(dir);
    let before = fs::read_to_string(dir.join(&path)).unwrap();
    let commit = head(dir);
    let run = longhand_with(dir, &["redact", &id(2), "--reason", "spam"], &JONAS);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("Jonas Weber <jonas@example.org> is not a moderator"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: ask a moderator"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(dir.join(&path)).unwrap(), before);
    assert_eq!(head(dir), commit);

    // Jonas does it by hand: the history rules refuse it.
    let forged = before.replacen(
        "---\nMy phone",
        "redacted: 2026-11-26T12:00:00Z\nredacted-by: jonas\nredaction-reason: spam\n---\n*Redacted.*\nMy phone",
        1,
    );
    assert_ne!(forged, before);
    write(&dir.join(&path), forged);
    git(dir, &["add", "-A"]);
    let run = git_run_with(dir, &["commit", "-q", "-m", "redact by hand"], &JONAS);
    assert_eq!(run.code, 0);
    let verify = longhand(dir, &["verify", "--format", "json"]);
    assert_eq!(verify.code, 1, "{}", verify.stdout);
    let value: serde_json::Value = serde_json::from_str(&verify.stdout).unwrap();
    assert_eq!(value["diagnostics"][0]["code"], "LH705");
    assert_eq!(value["diagnostics"][0]["path"], path.as_str());
}

#[test]
fn redact_refuses_an_unknown_reply_and_an_empty_reason() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    discussion(dir);
    let unknown = longhand(dir, &["redact", "01ZZZZ", "--reason", "spam"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("names no single reply"),
        "{}",
        unknown.stderr
    );
    let empty = longhand(dir, &["redact", &id(2), "--reason", " "]);
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("reason"), "{}", empty.stderr);
}
