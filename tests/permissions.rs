//! The writing commands refuse, before writing anything, what the history rules would refuse
//! from the writer (spec section 13): thread headers by anyone but the thread's author or a
//! moderator, decision statuses by anyone but a decider or a moderator. Every write a command
//! accepts passes `longhand verify`; every write it refuses, made by hand with git as the same
//! person, `verify` refuses too.

use std::fs;
use std::path::Path;

use crate::support::{git, git_init, git_run_with, longhand, longhand_with, ok, Run};

/// Name and email of each person: Ana (moderator), Jonas (two emails), Eve.
const ANA: (&str, &str) = ("Ana Lima", "ana@example.org");
const JONAS: (&str, &str) = ("Jonas Weber", "jonas@example.org");
const JONAS_OTHER: (&str, &str) = ("Jonas Weber", "jw@example.net");
const EVE: (&str, &str) = ("Eve Park", "eve@example.org");

fn identity(who: (&str, &str)) -> [(&'static str, String); 4] {
    [
        ("GIT_AUTHOR_NAME", who.0.to_owned()),
        ("GIT_AUTHOR_EMAIL", who.1.to_owned()),
        ("GIT_COMMITTER_NAME", who.0.to_owned()),
        ("GIT_COMMITTER_EMAIL", who.1.to_owned()),
    ]
}

/// Runs `longhand ARGS` as `who`.
fn run_as(dir: &Path, who: (&str, &str), args: &[&str]) -> Run {
    let env = identity(who);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    longhand_with(dir, args, &env)
}

fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// A discussion where Ana (a moderator) opened `standups`, Jonas opened `lunch`, and three
/// decisions wait: `plan` by Ana (decider Jonas), `budget` by Eve (decider Ana), `hiring` by
/// Jonas (decider Eve).
fn setup(dir: &Path) {
    git_init(dir);
    ok(longhand(dir, &["init", "--title", "Acme"]));
    let config = fs::read_to_string(dir.join("longhand.yaml")).expect("read");
    let people = "  jonas:\n    name: Jonas Weber\n    emails: [jonas@example.org, jw@example.net]\n  eve:\n    name: Eve Park\n    emails: [eve@example.org]\npolicy:\n";
    fs::write(
        dir.join("longhand.yaml"),
        config.replacen("policy:\n", people, 1),
    )
    .expect("write");
    git(dir, &["commit", "-q", "-am", "longhand: the team"]);
    ok(run_as(
        dir,
        ANA,
        &["thread", "new", "Standups", "-m", "Written standups?"],
    ));
    ok(run_as(
        dir,
        JONAS,
        &["thread", "new", "Lunch", "-m", "Where?"],
    ));
    for (who, title, decider) in [
        (ANA, "Plan", "jonas"),
        (EVE, "Budget", "ana"),
        (JONAS, "Hiring", "eve"),
    ] {
        ok(run_as(
            dir,
            who,
            &[
                "decision",
                "new",
                title,
                "--decider",
                decider,
                // Ended already: each decision is ready while no decider objects.
                "--review-by",
                "2026-01-01",
                "-m",
                "Context.",
            ],
        ));
    }
    ok(longhand(dir, &["verify"]));
}

/// Runs a command that must be refused for lack of permission: exit 2, the rule named, and
/// nothing written, staged or committed.
fn refused(dir: &Path, who: (&str, &str), args: &[&str], rule: &str) {
    let before = head(dir);
    let run = run_as(dir, who, args);
    assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("may not") && run.stderr.contains(rule),
        "{args:?}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("help: ask them to do it"),
        "{}",
        run.stderr
    );
    assert_eq!(head(dir), before, "{args:?} committed");
    assert_eq!(git(dir, &["status", "--porcelain"]), "", "{args:?} wrote");
}

#[test]
fn writing_commands_refuse_what_the_history_rules_refuse_and_allow_the_rest() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path();
    setup(dir);

    // Someone else's thread: no edit, resolve, close or merge.
    let thread = "the thread's author (Ana Lima <ana@example.org>) or a moderator";
    for args in [
        &["thread", "edit", "standups", "--add-tag", "x"][..],
        &["thread", "resolve", "standups"],
        &["thread", "close", "standups", "-m", "Done."],
        &["thread", "merge", "standups", "lunch"],
    ] {
        refused(dir, JONAS, args, "LH708");
        refused(dir, EVE, args, thread);
    }
    // Its author may, by any of their emails; so may a moderator.
    ok(run_as(dir, JONAS_OTHER, &["thread", "resolve", "lunch"]));
    refused(dir, EVE, &["thread", "reopen", "lunch"], "LH708");
    ok(run_as(dir, ANA, &["thread", "reopen", "lunch"]));
    ok(run_as(
        dir,
        ANA,
        &["thread", "edit", "lunch", "--add-tag", "food"],
    ));
    ok(run_as(
        dir,
        JONAS,
        &["thread", "edit", "lunch", "--add-tag", "team"],
    ));

    // A decision's status: its author, its deciders or a moderator (spec §7.2).
    for args in [
        &["decision", "accept", "plan"][..],
        &["decision", "reject", "plan"],
        &["decision", "withdraw", "plan"],
    ] {
        refused(dir, EVE, args, "LH710");
    }
    ok(run_as(dir, JONAS_OTHER, &["decision", "accept", "plan"]));
    ok(run_as(dir, EVE, &["decision", "accept", "budget"]));
    ok(run_as(dir, EVE, &["decision", "accept", "hiring"]));
    // Superseding moves the old decision's status (its deciders, moderators) and records a
    // predecessor in the new one (its deciders, its author, moderators).
    let supersede =
        |old: &str, new: &str| ["decision", "supersede", old, "--by", new].map(str::to_owned);
    let args = supersede("plan", "budget");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(dir, EVE, &args, "LH710");
    refused(dir, JONAS, &args, "LH711");
    let args = supersede("plan", "hiring");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(run_as(dir, JONAS, &args));
    ok(run_as(
        dir,
        ANA,
        &["decision", "supersede", "hiring", "--by", "budget"],
    ));
    ok(longhand(dir, &["verify"]));
}

/// Under `policy.authorship: signed` without a signing key set up, nothing is written, staged
/// or committed, `--no-commit` included, and the refusal says what to set; it comes before
/// the editor opens, so no text written there is lost. (Signing itself: tests/signatures.rs.)
#[test]
fn under_signed_authorship_commands_refuse_without_a_key() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path();
    setup(dir);
    let config = fs::read_to_string(dir.join("longhand.yaml")).expect("read");
    let signed = config.replace("authorship: commit-author", "authorship: signed");
    assert_ne!(signed, config);
    fs::write(dir.join("longhand.yaml"), signed).expect("write");
    git(dir, &["commit", "-q", "-am", "longhand: signed messages"]);
    let before = head(dir);
    for no_commit in [false, true] {
        let mut args = vec!["reply", "standups", "-m", "Hi"];
        if no_commit {
            args.push("--no-commit");
        }
        let run = longhand(dir, &args);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("`signed`"), "{}", run.stderr);
        assert!(run.stderr.contains("gpg.format ssh"), "{}", run.stderr);
        assert_eq!(head(dir), before);
        assert_eq!(git(dir, &["status", "--porcelain"]), "");
    }
    let marker = dir.join(".git/editor-ran");
    let editor = format!("touch '{}'; true", marker.display());
    for args in [&["reply", "standups"][..], &["thread", "new", "Other"]] {
        let run = longhand_with(dir, args, &[("EDITOR", &editor), ("VISUAL", "")]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("`signed`"), "{}", run.stderr);
        assert!(!marker.exists(), "{args:?}: the editor opened");
    }
}

/// The operations of the scripted sequence; `{n}` is the step number.
const OPS: [&[&str]; 14] = [
    &["thread", "edit", "standups", "--add-tag", "t{n}"],
    &["thread", "edit", "lunch", "--add-tag", "t{n}"],
    &["thread", "resolve", "standups"],
    &["thread", "close", "lunch"],
    &["thread", "reopen", "standups"],
    &["thread", "reopen", "lunch"],
    &["decision", "accept", "plan"],
    &["decision", "reject", "budget"],
    &["decision", "withdraw", "hiring"],
    &["decision", "accept", "hiring"],
    &["decision", "accept", "budget"],
    &["decision", "supersede", "plan", "--by", "hiring"],
    &["decision", "supersede", "budget", "--by", "plan"],
    &["thread", "merge", "lunch", "standups"],
];

/// For a scripted sequence of writes by various people: every write the command accepts
/// passes `verify`; every write it refuses for lack of permission, made by hand (the same
/// files, staged by a moderator's `--no-commit` run, committed with git as the refused
/// person), `verify` refuses too.
#[test]
fn what_commands_accept_verify_accepts_and_what_they_refuse_verify_refuses() {
    let temp = tempfile::tempdir().expect("tempdir");
    let dir = temp.path();
    setup(dir);
    let people = [ANA, JONAS, JONAS_OTHER, EVE];
    let (mut accepted, mut refused) = (0, 0);
    // A fixed linear congruential sequence: the same script on every run.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for step in 0..60 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let who = people[((state >> 33) % people.len() as u64) as usize];
        let op = OPS[((state >> 40) % OPS.len() as u64) as usize];
        let args: Vec<String> = op
            .iter()
            .map(|a| a.replace("{n}", &step.to_string()))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = head(dir);
        let run = run_as(dir, who, &args);
        if run.code == 0 {
            accepted += 1;
            let verify = longhand(dir, &["verify", &format!("{before}..HEAD")]);
            assert_eq!(
                verify.code, 0,
                "{} ran {args:?}, accepted, and verify refuses it:\n{}{}",
                who.1, verify.stdout, verify.stderr
            );
            continue;
        }
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(head(dir), before);
        assert_eq!(git(dir, &["status", "--porcelain"]), "");
        if !run.stderr.contains("may not") {
            continue; // refused for another reason: a transition the state does not allow
        }
        // The same change, staged by the moderator and committed by the refused person.
        let staged = run_as(dir, ANA, &[&args[..], &["--no-commit"]].concat());
        if staged.code != 0 {
            assert!(!staged.stderr.contains("may not"), "{}", staged.stderr);
            continue;
        }
        refused += 1;
        let env = identity(who);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let commit = git_run_with(dir, &["commit", "-q", "-m", "by hand"], &env);
        assert_eq!(commit.code, 0, "{}", commit.stderr);
        let verify = longhand(dir, &["verify", &format!("{before}..HEAD")]);
        assert_eq!(
            verify.code, 1,
            "{} was refused {args:?} ({}), and verify accepts the same change:\n{}",
            who.1, run.stderr, verify.stdout
        );
        git(dir, &["reset", "-q", "--hard", &before]);
    }
    assert!(
        accepted >= 5 && refused >= 5,
        "{accepted} accepted, {refused} refused"
    );
    ok(longhand(dir, &["verify"]));
}
