//! The routes that rewrote the record, end to end against a bare server with `longhand hook
//! install --server`, over `file://` and `git daemon`: hand-made merge commits (spec 13.1),
//! redactions undone (13.4) and the roster changed by a member (13.2, LH714). Each test is
//! named after the reproduction it keeps refused, or the legitimate route it keeps open.

use crate::hooks::{assert_names, reply_path, Setup, ANA, JONAS, SOFIA_ID, THREAD, TRANSPORTS};
use crate::support::{git, git_run_with, id, ok, reply_md, thread_md, CONFIG};

/// Commits the clone's index with exactly `parents` (revisions) as `who`, the way `git
/// commit-tree` does, and moves the clone's branch to it.
pub(crate) fn commit_with_parents(
    setup: &Setup,
    who: (&str, &str),
    parents: &[&str],
    message: &str,
) {
    git(&setup.clone, &["add", "-A"]);
    let tree = git(&setup.clone, &["write-tree"]).trim().to_owned();
    let mut args = vec!["commit-tree".to_owned(), tree, "-m".into(), message.into()];
    for parent in parents {
        let id = git(&setup.clone, &["rev-parse", parent]).trim().to_owned();
        args.extend(["-p".to_owned(), id]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = git_run_with(
        &setup.clone,
        &args,
        &[
            ("GIT_AUTHOR_NAME", who.0),
            ("GIT_AUTHOR_EMAIL", who.1),
            ("GIT_COMMITTER_NAME", who.0),
            ("GIT_COMMITTER_EMAIL", who.1),
        ],
    );
    assert_eq!(run.code, 0, "commit-tree failed: {}", run.stderr);
    git(&setup.clone, &["reset", "-q", "--hard", run.stdout.trim()]);
}

fn root_commit(setup: &Setup) -> String {
    git(&setup.clone, &["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned()
}

fn head(setup: &Setup) -> String {
    git(&setup.clone, &["rev-parse", "HEAD"]).trim().to_owned()
}

fn thread_path() -> String {
    format!("{THREAD}/thread.md")
}

/// Ana, a moderator, redacts Jonas's reply with the command, commits and pushes it.
pub(crate) fn redacted_and_pushed(setup: &Setup) {
    ok(crate::support::longhand(
        &setup.clone,
        &["redact", &id(2), "--reason", "personal data", "--no-commit"],
    ));
    setup.commit(ANA, "redact");
    ok(setup.push(&["origin", "HEAD:main"]));
}

/// A reply by Sofia, who is neither the thread's author nor a moderator.
fn sofia_reply(n: usize, body: &str) -> String {
    reply_md(&id(n), "", body).replace(
        "Jonas Weber <jonas@example.org>",
        "Sofia Rossi <sofia@example.org>",
    )
}

#[test]
fn merge_commit_with_the_root_as_second_parent_deleting_a_reply_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        let root = root_commit(&setup);
        setup.remove(&reply_path(2));
        commit_with_parents(&setup, SOFIA_ID, &["HEAD", &root], "Merge branch 'cleanup'");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(2), "LH701");
    }
}

#[test]
fn merge_commit_reopening_someone_elses_resolved_thread_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        let open = head(&setup);
        setup.write(
            &thread_path(),
            &thread_md(&id(1), "").replace("status: open", "status: resolved"),
        );
        setup.commit(ANA, "thread: resolve");
        ok(setup.push(&["origin", "HEAD:main"]));
        // Sofia merges the commit from before the resolution and keeps its header.
        setup.write(&thread_path(), &thread_md(&id(1), ""));
        commit_with_parents(&setup, SOFIA_ID, &["HEAD", &open], "Merge an older state");
        let stderr = setup.push_refused();
        assert_names(&stderr, &thread_path(), "LH708");
    }
}

#[test]
fn merge_commit_undoing_a_moderators_redaction_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        let before = head(&setup);
        redacted_and_pushed(&setup);
        setup.write(&reply_path(2), &reply_md(&id(2), "", "Yes, let us try.\n"));
        commit_with_parents(&setup, JONAS, &["HEAD", &before], "Merge");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(2), "LH705");
    }
}

#[test]
fn merge_commit_with_an_orphan_parent_and_its_own_roster_rewriting_a_reply_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        let main = head(&setup);
        // An orphan history: a roster where Sofia moderates and authorship is off, and Jonas's
        // reply with other words.
        git(&setup.clone, &["checkout", "-q", "--orphan", "other"]);
        git(&setup.clone, &["rm", "-rqf", "."]);
        setup.write(
            "longhand.yaml",
            &format!(
                "{CONFIG}  sofia:\n    name: Sofia Rossi\n    emails: [sofia@example.org]\n    roles: [moderator]\npolicy:\n  authorship: \"off\"\n"
            ),
        );
        setup.write(&thread_path(), &thread_md(&id(1), ""));
        setup.write(&reply_path(2), &reply_md(&id(2), "", "No, never.\n"));
        setup.commit(SOFIA_ID, "a history of our own");
        let orphan = head(&setup);
        git(&setup.clone, &["checkout", "-q", "-f", &main]);
        setup.write(&reply_path(2), &reply_md(&id(2), "", "No, never.\n"));
        commit_with_parents(&setup, SOFIA_ID, &["HEAD", &orphan], "Merge");
        let stderr = setup.push_refused();
        assert_names(&stderr, &reply_path(2), "LH702");
        assert_names(&stderr, "longhand.yaml", "LH714");
    }
}

#[test]
fn concurrent_replies_and_a_header_merged_by_the_driver_land_through_merge_commits() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        let fork = head(&setup);
        // One side: Ana tags her thread. The other: Sofia replies, and Ana resolves.
        setup.write(&thread_path(), &thread_md(&id(1), "tags: [process]\n"));
        setup.commit(ANA, "thread: tag");
        let tagged = head(&setup);
        git(&setup.clone, &["checkout", "-q", "-f", &fork]);
        setup.write(&reply_path(3), &sofia_reply(3, "Agreed.\n"));
        setup.commit(SOFIA_ID, "sofia replies");
        setup.write(
            &thread_path(),
            &thread_md(&id(1), "").replace("status: open", "status: resolved"),
        );
        setup.commit(ANA, "thread: resolve");
        // Jonas, who may not edit the header, merges the two with the field-wise result.
        setup.write(
            &thread_path(),
            &thread_md(&id(1), "tags: [process]\n").replace("status: open", "status: resolved"),
        );
        commit_with_parents(&setup, JONAS, &["HEAD", &tagged], "Merge");
        ok(setup.push(&["origin", "HEAD:main"]));
        let server = git(&setup.bare(), &["rev-parse", "refs/heads/main"]);
        assert_eq!(server.trim(), head(&setup), "{transport:?}");
    }
}

#[test]
fn both_sides_changing_a_status_get_the_same_verdict_merged_or_rebased() {
    let setup = Setup::new(TRANSPORTS[0]);
    // Sofia opens a thread; on one side she resolves it, on the other a moderator closes it.
    let path = "threads/lunch/thread.md";
    let open = thread_md(&id(40), "").replace(
        "Ana Lima <ana@example.org>",
        "Sofia Rossi <sofia@example.org>",
    );
    setup.write(path, &open);
    setup.commit(SOFIA_ID, "thread: lunch");
    ok(setup.push(&["origin", "HEAD:main"]));
    let fork = head(&setup);
    setup.write(path, &open.replace("status: open", "status: resolved"));
    setup.commit(SOFIA_ID, "resolve");
    let resolved = head(&setup);
    git(&setup.clone, &["checkout", "-q", "-f", &fork]);
    setup.write(path, &open.replace("status: open", "status: closed"));
    setup.commit(ANA, "close");
    let closed = head(&setup);
    // Merged (pull --no-rebase), keeping `closed`: resolved → closed from one side.
    commit_with_parents(&setup, ANA, &[&closed, &resolved], "Merge");
    let merged = setup.push_refused();
    assert_names(&merged, path, "LH709");
    // Rebased (pull --rebase): the same change in a linear commit.
    git(&setup.clone, &["checkout", "-q", "-f", &resolved]);
    setup.write(path, &open.replace("status: open", "status: closed"));
    setup.commit(ANA, "close");
    let rebased = setup.push_refused();
    assert_names(&rebased, path, "LH709");
    // The way through, as `thread resolve --help` says: the merge takes `open`, and the
    // wanted status follows in a new commit.
    setup.write(path, &open);
    commit_with_parents(&setup, ANA, &[&closed, &resolved], "Merge, reopened");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(path, &open.replace("status: open", "status: closed"));
    setup.commit(ANA, "close");
    ok(setup.push(&["origin", "HEAD:main"]));
}

#[test]
fn an_author_putting_back_the_text_of_a_redacted_reply_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    redacted_and_pushed(&setup);
    setup.write(
        &reply_path(2),
        &reply_md(
            &id(2),
            "edited: 2026-11-27T09:00:00+01:00\n",
            "Yes, let us try.\n",
        ),
    );
    setup.commit(JONAS, "put my words back");
    let stderr = setup.push_refused();
    assert_names(&stderr, &reply_path(2), "LH705");
}

#[test]
fn a_redaction_that_flips_the_vote_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    setup.write(
        &reply_path(3),
        &reply_md(
            &id(3),
            "vote: \"-1\"\n",
            "Against: the time zones do not fit.\n",
        ),
    );
    setup.commit(JONAS, "vote");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(
        &reply_path(3),
        &reply_md(
            &id(3),
            "vote: \"+1\"\nredacted: 2026-11-26T09:00:00-03:00\nredacted-by: ana\nredaction-reason: off topic\n",
            "*This reply was redacted by a moderator. Reason: off topic*\n",
        ),
    );
    setup.commit(ANA, "redact");
    let stderr = setup.push_refused();
    assert_names(&stderr, &reply_path(3), "LH705");
}

/// The roster with Sofia (see `hooks`), changed by `edit`.
pub(crate) fn roster(edit: impl Fn(String) -> String) -> String {
    edit(format!(
        "{CONFIG}  sofia:\n    name: Sofia Rossi\n    emails: [sofia@example.org]\n    timezone: Europe/Rome\n"
    ))
}

#[test]
fn a_member_making_herself_moderator_is_refused_in_one_commit_or_two() {
    let promote = |r: String| r + "    roles: [moderator]\npolicy:\n  authorship: \"off\"\n";
    // In one commit: the roster and its use together.
    let setup = Setup::new(TRANSPORTS[0]);
    setup.write("longhand.yaml", &roster(promote));
    setup.write(
        &thread_path(),
        &thread_md(&id(1), "").replace("status: open", "status: closed"),
    );
    setup.commit(SOFIA_ID, "tidy");
    let stderr = setup.push_refused();
    assert_names(&stderr, "longhand.yaml", "LH714");
    // In two commits pushed at once: refused at the first.
    let setup = Setup::new(TRANSPORTS[1]);
    setup.write("longhand.yaml", &roster(promote));
    setup.commit(SOFIA_ID, "roster");
    setup.write(
        &thread_path(),
        &thread_md(&id(1), "").replace("status: open", "status: closed"),
    );
    setup.write(
        &reply_path(3),
        &reply_md(&id(3), "vote: \"+1\"\n", "Yes.\n"),
    );
    setup.commit(SOFIA_ID, "close, and vote as jonas");
    let stderr = setup.push_refused();
    assert_names(&stderr, "longhand.yaml", "LH714");
}

#[test]
fn a_member_changing_authorship_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    setup.write(
        "longhand.yaml",
        &roster(|r| r + "policy:\n  authorship: \"off\"\n"),
    );
    setup.commit(JONAS, "relax authorship");
    let stderr = setup.push_refused();
    assert_names(&stderr, "longhand.yaml", "LH714");
}

#[test]
fn a_newcomer_adding_themselves_and_a_moderator_changing_roles_are_accepted() {
    let setup = Setup::new(TRANSPORTS[0]);
    let dee = "  dee:\n    name: Dee Diaz\n    emails: [dee@example.org]\n";
    setup.write("longhand.yaml", &roster(|r| r + dee));
    setup.commit(("Dee Diaz", "dee@example.org"), "person: add dee");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(
        "longhand.yaml",
        &roster(|r| {
            r.replace(
                "    timezone: Europe/Rome\n",
                "    timezone: Europe/Rome\n    roles: [moderator]\n",
            ) + dee
        }),
    );
    setup.commit(ANA, "roster: sofia moderates");
    ok(setup.push(&["origin", "HEAD:main"]));
    // A newcomer adding someone else, or giving themselves a role, is not the same door.
    let eve = "  eve:\n    name: Eve\n    emails: [eve@example.org]\n    roles: [moderator]\n";
    setup.write(
        "longhand.yaml",
        &roster(|r| {
            r.replace(
                "    timezone: Europe/Rome\n",
                "    timezone: Europe/Rome\n    roles: [moderator]\n",
            ) + dee
                + eve
        }),
    );
    setup.commit(("Eve", "eve@example.org"), "person: add eve");
    let stderr = setup.push_refused();
    assert_names(&stderr, "longhand.yaml", "LH714");
}

/// A decision in the thread, proposed by Ana on 25 November, for Jonas and Sofia to decide
/// under lazy consensus (the review period ends on 28 November), with `more` frontmatter.
pub(crate) fn team_decision(status: &str, more: &str) -> String {
    format!(
        "---\nid: {}\ntitle: Written standups\nstatus: {status}\n{more}date: 2026-11-25T09:00:00-03:00\ndeciders: [jonas, sofia]\nauthor: Ana Lima <ana@example.org>\nthread: async-standups\n---\n\n## Context\n\nWe are in three time zones.\n",
        id(91)
    )
}

pub(crate) const TEAM_DECISION: &str = "decisions/team-standups.md";

/// Commits everything as `who` at `date` (author and committer date).
pub(crate) fn commit_at(setup: &Setup, who: (&str, &str), message: &str, date: &str) {
    git(&setup.clone, &["add", "-A"]);
    let run = git_run_with(
        &setup.clone,
        &["commit", "-q", "-m", message],
        &[
            ("GIT_AUTHOR_NAME", who.0),
            ("GIT_AUTHOR_EMAIL", who.1),
            ("GIT_AUTHOR_DATE", date),
            ("GIT_COMMITTER_DATE", date),
        ],
    );
    assert_eq!(run.code, 0, "commit failed: {}", run.stderr);
}

/// The decision proposed and pushed, with a vote by `voter` cast at `at`.
pub(crate) fn proposed_with_vote(setup: &Setup, voter: (&str, &str), vote: &str, at: &str) {
    setup.write(TEAM_DECISION, &team_decision("proposed", ""));
    commit_at(setup, ANA, "propose", "2026-11-25T12:00:00Z");
    let reply = reply_md(
        &id(60),
        &format!("vote: \"{vote}\"\nvote-on: team-standups\n"),
        "The hours do not work for me.\n",
    )
    .replace("date: 2026-11-24T15:00:00+01:00", &format!("date: {at}"))
    .replace(
        "Jonas Weber <jonas@example.org>",
        &format!("{} <{}>", voter.0, voter.1),
    );
    setup.write(&reply_path(60), &reply);
    commit_at(setup, voter, "vote", "2026-11-26T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
}

pub(crate) fn accepted_by(handle: &str, more: &str) -> String {
    team_decision(
        "accepted",
        &format!("decided: 2026-12-01T12:00:00Z\ndecided-by: {handle}\n{more}"),
    )
}

#[test]
fn accepting_a_hand_edited_decision_while_a_binding_minus_one_stands_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    proposed_with_vote(&setup, SOFIA_ID, "-1", "2026-11-26T10:00:00+01:00");
    setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    let stderr = setup.push_refused();
    assert_names(&stderr, TEAM_DECISION, "LH715");
    assert!(stderr.contains("sofia objects"), "{stderr}");
}

#[test]
fn a_minus_one_cast_before_the_decision_was_proposed_does_not_block_it() {
    let setup = Setup::new(TRANSPORTS[1]);
    // Sofia's -1 is dated 20 November, before the proposal of 25 November.
    proposed_with_vote(&setup, SOFIA_ID, "-1", "2026-11-20T10:00:00+01:00");
    setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
}

#[test]
fn accepting_before_the_review_deadline_is_refused_and_after_it_accepted() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        proposed_with_vote(&setup, SOFIA_ID, "+1", "2026-11-26T10:00:00+01:00");
        let early = team_decision(
            "accepted",
            "decided: 2026-11-27T12:00:00Z\ndecided-by: jonas\n",
        );
        setup.write(TEAM_DECISION, &early);
        commit_at(&setup, JONAS, "accept early", "2026-11-27T12:00:00Z");
        let stderr = setup.push_refused();
        assert_names(&stderr, TEAM_DECISION, "LH715");
        assert!(stderr.contains("review period ends"), "{stderr}");
        git(&setup.clone, &["reset", "-q", "--hard", "HEAD~1"]);
        setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
        commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
        ok(setup.push(&["origin", "HEAD:main"]));
    }
}

#[test]
fn a_moderators_override_is_accepted_and_shown_and_a_deciders_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    proposed_with_vote(&setup, SOFIA_ID, "-1", "2026-11-26T10:00:00+01:00");
    // Jonas, a decider but no moderator, overrides Sofia's objection.
    setup.write(
        TEAM_DECISION,
        &accepted_by("jonas", "override: we cannot wait\n"),
    );
    commit_at(&setup, JONAS, "accept anyway", "2026-12-01T12:00:00Z");
    let stderr = setup.push_refused();
    assert_names(&stderr, TEAM_DECISION, "LH716");
    git(&setup.clone, &["reset", "-q", "--hard", "HEAD~1"]);
    // Ana, a moderator, does the same and says why.
    setup.write(
        TEAM_DECISION,
        &accepted_by(
            "ana",
            "override: the launch cannot wait for the next call\n",
        ),
    );
    commit_at(&setup, ANA, "accept by override", "2026-12-01T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
    let shown = ok(crate::support::longhand(
        &setup.clone,
        &["decision", "show", "team-standups"],
    ));
    assert!(
        shown
            .stdout
            .contains("the launch cannot wait for the next call"),
        "{}",
        shown.stdout
    );
}
