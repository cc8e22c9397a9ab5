//! Decisions you can trust (spec sections 5.2, 6.3, 7.2, 8.3): votes bound to their decision
//! and its window, acceptance only when ready, overrides by moderators, frozen and dated
//! records — through the real `longhand` binary in real git repositories, at fixed instants.

use std::fs;
use std::path::Path;

use longhand::model::DecisionStatus;
use longhand::{load, WorkTree};

use crate::support::{commit_all, git, git_init, longhand, longhand_with, ok, write, Run};

const ROSTER: &str = "longhand: 1
title: Decisions team
people:
  ana:
    name: Ana Lima
    emails: [ana@example.org]
    roles: [moderator]
  jonas:
    name: Jonas Weber
    emails: [jonas@example.org]
  bo:
    name: Bo Chen
    emails: [bo@example.org]
";

/// Who writes: a handle of the roster above.
fn person(handle: &str) -> (&'static str, &'static str) {
    match handle {
        "ana" => ("Ana Lima", "ana@example.org"),
        "jonas" => ("Jonas Weber", "jonas@example.org"),
        _ => ("Bo Chen", "bo@example.org"),
    }
}

/// Runs `longhand` as `who` at the instant `at`.
fn run(d: &Path, who: &str, at: &str, args: &[&str]) -> Run {
    let (name, email) = person(who);
    longhand_with(
        d,
        args,
        &[
            ("LONGHAND_NOW", at),
            ("TZ", "UTC"),
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
        ],
    )
}

/// A repository with the roster and one thread `plans` opened by Ana on 1 November.
fn team() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    write(&d.join("longhand.yaml"), ROSTER);
    commit_all(d, "roster");
    ok(run(
        d,
        "ana",
        "2026-11-01T10:00:00Z",
        &["thread", "new", "Plans", "-m", "What do we do?"],
    ));
    dir
}

/// Ana proposes `title` in the thread at `at`, with these deciders; returns its slug.
fn propose(d: &Path, who: &str, at: &str, title: &str, deciders: &[&str]) -> String {
    let mut args = vec!["decision", "new", title, "--thread", "plans"];
    for decider in deciders {
        args.extend(["--decider", decider]);
    }
    args.extend(["-m", "## Context\n\nWe need one.\n"]);
    let out = ok(run(d, who, at, &args));
    let path = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("wrote decisions/"))
        .expect("a decision written");
    path.trim_end_matches(".md").to_owned()
}

fn vote(d: &Path, who: &str, at: &str, vote: &str, text: &str) -> Run {
    ok(run(
        d,
        who,
        at,
        &["reply", "plans", "--vote", vote, "-m", text],
    ))
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).expect("JSON")
}

fn show_json(d: &Path, at: &str, slug: &str) -> serde_json::Value {
    json(&ok(run(
        d,
        "ana",
        at,
        &["decision", "show", slug, "--format", "json"],
    )))["decision"]
        .clone()
}

fn validates(d: &Path) {
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains(" 0 warnings"), "{}", run.stdout);
}

fn record(d: &Path, slug: &str) -> String {
    fs::read_to_string(d.join(format!("decisions/{slug}.md"))).expect("the record")
}

/// Asserts a refusal: exit 2, `says` on standard error, nothing committed or left behind.
fn refused(d: &Path, run: Run, says: &str, head: &str) {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(says), "{}", run.stderr);
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(d, &["status", "--porcelain"]), "");
}

#[test]
fn vote_cast_before_proposal_does_not_count() {
    let dir = team();
    let d = dir.path();
    // Jonas objects ten days before anything is proposed (no decision yet: LH507 for now).
    vote(
        d,
        "jonas",
        "2026-11-10T10:00:00Z",
        "-1",
        "Not this quarter.",
    );
    let slug = propose(d, "ana", "2026-11-20T12:00:00Z", "Plan A", &["jonas"]);
    validates(d);
    // Two minutes after the proposal it is pending, not ready on old votes.
    let early = show_json(d, "2026-11-20T12:02:00Z", &slug);
    assert_eq!(early["state"]["kind"], "pending");
    let decision = show_json(d, "2026-11-24T12:00:00Z", &slug);
    assert_eq!(decision["binding"][0]["vote"], serde_json::Value::Null);
    assert_eq!(decision["before_proposal"][0]["vote"], "-1");
    assert_eq!(decision["before_proposal"][0]["voter"], "jonas");
    let human = ok(run(
        d,
        "ana",
        "2026-11-24T12:00:00Z",
        &["decision", "show", &slug],
    ));
    assert!(
        human
            .stdout
            .contains("Votes before the proposal (history, not counted)"),
        "{}",
        human.stdout
    );
    // Once the review period has ended, it is ready: the old -1 blocks nothing.
    assert_eq!(decision["state"]["kind"], "ready");
    ok(run(
        d,
        "ana",
        "2026-11-24T12:00:00Z",
        &["decision", "accept", &slug],
    ));
    validates(d);
}

#[test]
fn minus_one_for_first_proposal_does_not_block_replacement() {
    let dir = team();
    let d = dir.path();
    let first = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    vote(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        "-1",
        "Plan A costs too much.",
    );
    ok(run(
        d,
        "ana",
        "2026-11-20T13:00:00Z",
        &["decision", "withdraw", &first, "-m", "Plan B instead."],
    ));
    let second = propose(d, "ana", "2026-11-20T14:00:00Z", "Plan B", &["jonas"]);
    validates(d);
    // The -1 stays on the first proposal, frozen there, and is history for the second.
    let old = show_json(d, "2026-11-25T12:00:00Z", &first);
    assert_eq!(old["binding"][0]["vote"], "-1");
    assert_eq!(old["decided"], "2026-11-20T13:00:00Z");
    let new = show_json(d, "2026-11-25T12:00:00Z", &second);
    assert_eq!(new["binding"][0]["vote"], serde_json::Value::Null);
    assert_eq!(new["state"]["kind"], "ready");
    ok(run(
        d,
        "ana",
        "2026-11-25T12:00:00Z",
        &["decision", "accept", &second],
    ));
    validates(d);
}

#[test]
fn late_vote_after_rejection_is_shown_after_the_decision() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas", "bo"]);
    vote(d, "jonas", "2026-11-20T12:00:00Z", "-1", "Too early.");
    ok(run(
        d,
        "bo",
        "2026-11-20T13:00:00Z",
        &[
            "decision",
            "reject",
            &slug,
            "-m",
            "Jonas's objection stands.",
        ],
    ));
    // Bo changes his mind after the rejection: shown, never counted.
    vote(d, "bo", "2026-11-21T09:00:00Z", "+1", "On reflection, yes.");
    validates(d);
    let decision = show_json(d, "2026-11-22T00:00:00Z", &slug);
    assert_eq!(decision["status"], "rejected");
    assert_eq!(decision["decided"], "2026-11-20T13:00:00Z");
    assert_eq!(decision["decided_by"], "bo");
    assert_eq!(decision["rationale"], "Jonas's objection stands.");
    let binding: Vec<(String, serde_json::Value)> = decision["binding"]
        .as_array()
        .expect("binding")
        .iter()
        .map(|b| {
            (
                b["decider"].as_str().unwrap_or("").to_owned(),
                b["vote"].clone(),
            )
        })
        .collect();
    assert_eq!(
        binding,
        vec![
            ("jonas".to_owned(), serde_json::json!("-1")),
            ("bo".to_owned(), serde_json::Value::Null)
        ],
        "the tally at the instant of the decision"
    );
    assert_eq!(decision["after_decision"][0]["voter"], "bo");
    assert_eq!(decision["after_decision"][0]["vote"], "+1");
    let human = ok(run(
        d,
        "ana",
        "2026-11-22T00:00:00Z",
        &["decision", "show", &slug],
    ));
    assert!(
        human
            .stdout
            .contains("Votes after the decision (not counted)"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("\nrejected Fri 20 Nov 13:00 by Bo Chen (bo)\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn decision_accept_refused_while_binding_minus_one_stands() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    vote(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        "-1",
        "Not before the release.\n\nThe freeze starts Monday.",
    );
    let head = git(d, &["rev-parse", "HEAD"]);
    // Long after the review period: still blocked, and the refusal says who and why.
    let attempt = run(
        d,
        "ana",
        "2026-12-20T12:00:00Z",
        &["decision", "accept", &slug],
    );
    refused(d, attempt, "jonas objects", &head);
    let attempt = run(
        d,
        "ana",
        "2026-12-20T12:00:00Z",
        &["decision", "accept", &slug],
    );
    assert!(
        attempt.stderr.contains("\"Not before the release.\""),
        "{}",
        attempt.stderr
    );
    // Blocked, so it may be rejected.
    ok(run(
        d,
        "ana",
        "2026-12-20T12:00:00Z",
        &["decision", "reject", &slug],
    ));
    validates(d);
}

#[test]
fn decision_accept_refused_before_review_deadline() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    let attempt = run(
        d,
        "jonas",
        "2026-11-21T11:00:00Z",
        &["decision", "accept", &slug],
    );
    refused(
        d,
        attempt,
        "its review period ends 2026-11-23T11:00:00Z",
        &head,
    );
    // Nor rejected by a decider while it is not blocked.
    let attempt = run(
        d,
        "jonas",
        "2026-11-21T11:00:00Z",
        &["decision", "reject", &slug],
    );
    refused(d, attempt, "only a blocked decision", &head);
    ok(run(
        d,
        "jonas",
        "2026-11-23T11:00:01Z",
        &["decision", "accept", &slug],
    ));
    let text = record(d, &slug);
    assert!(text.contains("status: accepted\n"), "{text}");
    assert!(text.contains("decided: 2026-11-23T11:00:01Z\n"), "{text}");
    assert!(text.contains("decided-by: jonas\n"), "{text}");
    // The commit is dated by the same clock reading as `decided`.
    assert_eq!(
        git(d, &["log", "-1", "--format=%aI"]).trim(),
        "2026-11-23T11:00:01Z"
    );
    validates(d);
}

#[test]
fn decision_accept_override_by_moderator_records_reason() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "bo", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    vote(d, "jonas", "2026-11-20T12:00:00Z", "-1", "Too risky.");
    ok(run(
        d,
        "ana",
        "2026-11-20T13:00:00Z",
        &[
            "decision",
            "accept",
            &slug,
            "--override",
            "The contract is due Friday; the risk is tracked",
            "-m",
            "We accept the risk.",
        ],
    ));
    validates(d);
    let text = record(d, &slug);
    assert!(
        text.contains("override: The contract is due Friday; the risk is tracked\n"),
        "{text}"
    );
    assert!(text.contains("decided-by: ana\n"), "{text}");
    assert!(text.contains("rationale: We accept the risk.\n"), "{text}");
    let human = ok(run(
        d,
        "ana",
        "2026-11-21T00:00:00Z",
        &["decision", "show", &slug],
    ));
    assert!(
        human
            .stdout
            .contains("accepted by override: The contract is due Friday; the risk is tracked"),
        "{}",
        human.stdout
    );
    let decision = show_json(d, "2026-11-21T00:00:00Z", &slug);
    assert_eq!(
        decision["override"],
        "The contract is due Friday; the risk is tracked"
    );
    // The site shows it on the decision's page.
    let out = d.join("site");
    ok(run(
        d,
        "ana",
        "2026-11-21T00:00:00Z",
        &["render", "--out", out.to_str().expect("utf-8")],
    ));
    let page = fs::read_to_string(out.join(format!("decisions/{slug}.html"))).expect("page");
    assert!(
        page.contains("accepted by override: The contract is due Friday; the risk is tracked"),
        "{page}"
    );
}

#[test]
fn decision_accept_override_by_non_moderator_is_refused() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    // Jonas is a decider, not a moderator.
    let attempt = run(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        &["decision", "accept", &slug, "--override", "I say so"],
    );
    refused(d, attempt, "is not a moderator", &head);
    let attempt = run(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        &["decision", "reject", &slug, "--override", "I say so"],
    );
    refused(d, attempt, "is not a moderator", &head);
}

#[test]
fn proposer_who_is_not_decider_can_withdraw() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "bo", "2026-11-20T11:00:00Z", "Plan A", &["ana", "jonas"]);
    ok(run(
        d,
        "bo",
        "2026-11-20T12:00:00Z",
        &[
            "decision",
            "withdraw",
            &slug,
            "-m",
            "A better plan came up.",
        ],
    ));
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let decision = loaded.discussion.find_decision(&slug).expect("decision");
    assert_eq!(decision.status, DecisionStatus::Withdrawn);
    assert_eq!(decision.decided_by.as_deref(), Some("bo"));
    assert_eq!(
        decision.rationale.as_deref(),
        Some("A better plan came up.")
    );
    // Someone who neither proposed it nor decides it may not.
    let other = propose(d, "ana", "2026-11-20T13:00:00Z", "Plan B", &["jonas"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    let attempt = run(
        d,
        "bo",
        "2026-11-20T14:00:00Z",
        &["decision", "withdraw", &other],
    );
    refused(d, attempt, "may not withdraw", &head);
}

#[test]
fn reply_vote_with_two_open_decisions_requires_on() {
    let dir = team();
    let d = dir.path();
    let first = propose(d, "ana", "2026-11-20T11:00:00Z", "Plan A", &["jonas"]);
    let second = propose(d, "ana", "2026-11-20T11:30:00Z", "Plan B", &["jonas"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    let attempt = run(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        &["reply", "plans", "--vote", "+1", "-m", "Yes."],
    );
    refused(d, attempt, "2 open decisions", &head);
    let attempt = run(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        &["reply", "plans", "--vote", "+1", "-m", "Yes."],
    );
    assert!(
        attempt.stderr.contains(&first) && attempt.stderr.contains(&second),
        "lists them: {}",
        attempt.stderr
    );
    assert!(attempt.stderr.contains("--on"), "{}", attempt.stderr);
    ok(run(
        d,
        "jonas",
        "2026-11-20T12:00:00Z",
        &[
            "reply",
            "plans",
            "--vote",
            "+1",
            "--on",
            &second,
            "-m",
            "Yes to B.",
        ],
    ));
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = loaded.discussion.find_thread("plans").expect("thread");
    assert_eq!(
        thread.replies[0].vote_on.as_deref(),
        Some(second.as_str()),
        "written as vote-on"
    );
    let a = show_json(d, "2026-11-20T13:00:00Z", &first);
    let b = show_json(d, "2026-11-20T13:00:00Z", &second);
    assert_eq!(a["binding"][0]["vote"], serde_json::Value::Null);
    assert_eq!(b["binding"][0]["vote"], "+1");
}

#[test]
fn atom_and_digest_use_decided() {
    let dir = team();
    let d = dir.path();
    let slug = propose(d, "ana", "2026-11-02T10:00:00Z", "Plan A", &["jonas"]);
    ok(run(
        d,
        "jonas",
        "2026-11-24T09:00:00Z",
        &["decision", "accept", &slug],
    ));
    // A digest of the last week sees the acceptance of a proposal three weeks old.
    let digest = json(&ok(run(
        d,
        "jonas",
        "2026-11-26T09:00:00Z",
        &["digest", "--since", "7d", "--format", "json"],
    )));
    let decisions = digest["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 1, "{digest}");
    assert_eq!(decisions[0]["slug"], slug.as_str());
    assert_eq!(decisions[0]["status"], "accepted");
    assert_eq!(decisions[0]["event"], "changed");
    assert_eq!(decisions[0]["from"], "proposed");
    // The Atom entry is updated when it was decided, published when it was proposed.
    let out = d.join("site");
    ok(run(
        d,
        "ana",
        "2026-11-26T09:00:00Z",
        &["render", "--out", out.to_str().expect("utf-8")],
    ));
    let feed = fs::read_to_string(out.join("feed.xml")).expect("feed.xml");
    let entry = feed
        .split("<entry>")
        .find(|e| e.contains("Decision accepted: Plan A"))
        .expect("the decision's entry");
    assert!(
        entry.contains("<updated>2026-11-24T09:00:00Z</updated>"),
        "{entry}"
    );
    assert!(
        entry.contains("<published>2026-11-02T10:00:00Z</published>"),
        "{entry}"
    );
    // The decision log dates its timeline entry by the acceptance.
    let log = fs::read_to_string(out.join("decisions/index.html")).expect("log");
    assert!(log.contains("<th>Decided</th>"), "{log}");
}

#[test]
fn show_prints_message_ids() {
    let dir = team();
    let d = dir.path();
    ok(run(
        d,
        "jonas",
        "2026-11-20T11:00:00Z",
        &["reply", "plans", "-m", "First answer."],
    ));
    ok(run(
        d,
        "bo",
        "2026-11-20T11:00:00Z",
        &["reply", "plans", "-m", "Second answer, same minute."],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = loaded.discussion.find_thread("plans").expect("thread");
    let shown = ok(run(d, "ana", "2026-11-21T00:00:00Z", &["show", "plans"])).stdout;
    // Each message's header ends with a prefix of its id, unique in the thread.
    let mut prefixes = Vec::new();
    for id in
        std::iter::once(thread.id.as_str()).chain(thread.replies.iter().map(|m| m.stem.as_str()))
    {
        let prefix = shown
            .lines()
            .filter_map(|l| l.rsplit(" · ").next())
            .find(|last| last.len() >= 8 && id.starts_with(*last))
            .unwrap_or_else(|| panic!("{id} is shown: {shown}"))
            .to_owned();
        prefixes.push((id.to_owned(), prefix));
    }
    for (id, prefix) in &prefixes {
        let others = prefixes
            .iter()
            .filter(|(other, _)| other != id && other.starts_with(prefix.as_str()))
            .count();
        assert_eq!(others, 0, "{prefix} names {id} alone");
    }
    // What `show` prints is what `reply --to` takes.
    let (target, prefix) = &prefixes[1];
    ok(run(
        d,
        "ana",
        "2026-11-21T00:00:00Z",
        &["reply", "plans", "--to", prefix, "-m", "Answering that."],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = loaded.discussion.find_thread("plans").expect("thread");
    assert!(thread
        .replies
        .iter()
        .any(|m| m.reply_to.as_deref() == Some(target.as_str())));
}
