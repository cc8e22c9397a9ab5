//! A second adversarial review of the server hook (issues 23 and 15), end to end against a
//! bare server with `longhand hook install --server` over `file://`. Each test is named after
//! the reproduction it keeps refused. Those marked `#[ignore = "reproduces …"]` still get
//! through: they fail when run with `--ignored`, and are un-ignored with their fix.

use crate::hooks::{assert_names, reply_path, Setup, ANA, JONAS, SOFIA_ID, THREAD, TRANSPORTS};
use crate::rewrites::{
    accepted_by, commit_at, proposed_with_vote, roster, team_decision, TEAM_DECISION,
};
use crate::support::{git, git_run_with, id, ok, reply_md};

/// Sofia's vote (reply 60, see `proposed_with_vote`) with `fields` after its `vote`.
fn sofia_vote(vote_fields: &str, body: &str, at: &str) -> String {
    reply_md(&id(60), vote_fields, body)
        .replace("date: 2026-11-24T15:00:00+01:00", &format!("date: {at}"))
        .replace(
            "Jonas Weber <jonas@example.org>",
            "Sofia Rossi <sofia@example.org>",
        )
}

#[test]
fn a_redaction_that_moves_vote_on_to_another_decision_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    // The thread has two proposed decisions: written-standups (the setup's) and
    // team-standups, on which Sofia votes -1.
    let at = "2026-11-26T10:00:00+01:00";
    proposed_with_vote(&setup, SOFIA_ID, "-1", at);
    // Ana redacts the vote's text, and moves it to the other decision: team-standups is no
    // longer blocked.
    setup.write(
        &reply_path(60),
        &sofia_vote(
            "vote: \"-1\"\nvote-on: written-standups\nredacted: 2026-11-27T09:00:00-03:00\nredacted-by: ana\nredaction-reason: personal data\n",
            "*This reply was redacted by a moderator. Reason: personal data*\n",
            at,
        ),
    );
    commit_at(&setup, ANA, "redact", "2026-11-27T12:00:00Z");
    let stderr = setup.push_refused();
    assert_names(&stderr, &reply_path(60), "LH705");
}

#[test]
fn accepting_through_an_unreadable_intermediate_version_of_the_decision_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    proposed_with_vote(&setup, SOFIA_ID, "-1", "2026-11-26T10:00:00+01:00");
    // Commit 1: Jonas (a decider, so allowed to edit) breaks the frontmatter.
    setup.write(
        TEAM_DECISION,
        &team_decision("proposed", "").replace("status: proposed", "status: [broken"),
    );
    commit_at(&setup, JONAS, "wip", "2026-12-01T11:00:00Z");
    // Commit 2: accepted, with no `decided` and Sofia's -1 standing. The tip is valid.
    setup.write(TEAM_DECISION, &team_decision("accepted", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    let stderr = setup.push_refused();
    assert_names(&stderr, TEAM_DECISION, "LH715");
}

#[test]
fn unredacting_through_an_unreadable_intermediate_version_of_the_reply_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    crate::rewrites::redacted_and_pushed(&setup);
    // Commit 1: Jonas, the reply's author, breaks its frontmatter (allowed: it is his).
    setup.write(
        &reply_path(2),
        &reply_md(&id(2), "", "Yes, let us try.\n").replace("date: 2026", "date: [2026"),
    );
    setup.commit(JONAS, "wip");
    // Commit 2: his original text, without the redaction fields.
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
fn a_reply_in_someone_elses_name_added_through_an_unreadable_first_version_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    // Commit 1: Sofia adds a file whose frontmatter cannot be read (no author to check).
    setup.write(
        &reply_path(7),
        &format!("---\nid: {}\nauthor: [broken\n---\nx\n", id(7)),
    );
    setup.commit(SOFIA_ID, "wip");
    // Commit 2: it becomes a reply by Jonas.
    setup.write(
        &reply_path(7),
        &reply_md(&id(7), "", "I now agree to daily video calls.\n"),
    );
    setup.commit(SOFIA_ID, "reply");
    let stderr = setup.push_refused();
    assert_names(&stderr, &reply_path(7), "LH706");
}

#[test]
fn fixing_ones_own_unreadable_reply_in_a_later_commit_of_the_push_is_accepted() {
    let setup = Setup::new(TRANSPORTS[0]);
    let reply = reply_md(&id(7), "", "A reply, typed in a hurry.\n");
    setup.write(&reply_path(7), &reply.replace("date: 2026", "date: [2026"));
    setup.commit(JONAS, "reply");
    setup.write(&reply_path(7), &reply);
    setup.commit(JONAS, "fix the date");
    ok(setup.push(&["origin", "HEAD:main"]));
    // Later, he breaks and restores his older reply: no change, no `edited` needed.
    setup.write(&reply_path(2), "---\nid: [\n---\n");
    setup.commit(JONAS, "oops");
    setup.write(&reply_path(2), &reply_md(&id(2), "", "Yes, let us try.\n"));
    setup.commit(JONAS, "undo oops");
    ok(setup.push(&["origin", "HEAD:main"]));
}

#[test]
fn a_demoted_moderator_merging_a_roster_change_made_on_an_older_commit_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    let moderator = |r: String| r + "    roles: [moderator]\n";
    setup.write("longhand.yaml", &roster(moderator));
    setup.commit(ANA, "sofia becomes a moderator");
    ok(setup.push(&["origin", "HEAD:main"]));
    let promoted = git(&setup.clone, &["rev-parse", "HEAD"]).trim().to_owned();
    setup.write("longhand.yaml", &roster(|r| r));
    setup.commit(ANA, "sofia is no longer a moderator");
    ok(setup.push(&["origin", "HEAD:main"]));
    // Sofia commits on the commit where she was still a moderator, away from the lines Ana
    // changed, so git merges the roster cleanly: authorship off.
    git(&setup.clone, &["checkout", "-q", "-b", "stale", &promoted]);
    setup.write(
        "longhand.yaml",
        &roster(moderator).replace(
            "title: Test team\n",
            "title: Test team\npolicy:\n  authorship: \"off\"\n",
        ),
    );
    setup.commit(SOFIA_ID, "policy");
    git(&setup.clone, &["checkout", "-q", "main"]);
    let merge = git_run_with(
        &setup.clone,
        &["merge", "-q", "--no-edit", "stale"],
        &[
            ("GIT_AUTHOR_NAME", SOFIA_ID.0),
            ("GIT_AUTHOR_EMAIL", SOFIA_ID.1),
        ],
    );
    assert_eq!(merge.code, 0, "{}", merge.stderr);
    let merged = std::fs::read_to_string(setup.clone.join("longhand.yaml")).expect("roster");
    assert!(merged.contains("authorship: \"off\""), "{merged}");
    assert!(!merged.contains("moderator]\npolicy"), "{merged}");
    let stderr = setup.push_refused();
    assert_names(&stderr, "longhand.yaml", "LH714");
}

#[test]
fn a_backdated_acceptance_over_a_binding_minus_one_already_cast_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    // The review period ends on 28 November; Sofia, a decider, objects on 2 December.
    proposed_with_vote(&setup, SOFIA_ID, "-1", "2026-12-02T10:00:00Z");
    // Jonas accepts afterwards, with the commit and `decided` dated 1 December.
    setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    let stderr = setup.push_refused();
    assert_names(&stderr, TEAM_DECISION, "LH715");
}

/// The team decision, proposed by Jonas (a decider, not a moderator) instead of Ana.
fn jonas_decision(status: &str, more: &str) -> String {
    team_decision(status, more).replace(
        "author: Ana Lima <ana@example.org>",
        "author: Jonas Weber <jonas@example.org>",
    )
}

#[test]
fn a_proposer_dropping_the_objecting_decider_then_accepting_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    setup.write(TEAM_DECISION, &jonas_decision("proposed", ""));
    commit_at(&setup, JONAS, "propose", "2026-11-25T12:00:00Z");
    setup.write(
        &reply_path(60),
        &sofia_vote(
            "vote: \"-1\"\nvote-on: team-standups\n",
            "No.\n",
            "2026-11-26T10:00:00Z",
        ),
    );
    commit_at(&setup, SOFIA_ID, "vote", "2026-11-26T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(
        TEAM_DECISION,
        &jonas_decision("proposed", "").replace("deciders: [jonas, sofia]", "deciders: [jonas]"),
    );
    commit_at(&setup, JONAS, "deciders", "2026-12-01T11:00:00Z");
    setup.write(
        TEAM_DECISION,
        &jonas_decision(
            "accepted",
            "decided: 2026-12-01T12:00:00Z\ndecided-by: jonas\n",
        )
        .replace("deciders: [jonas, sofia]", "deciders: [jonas]"),
    );
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    setup.push_refused();
}

#[test]
fn rewriting_an_accepted_decisions_text_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    proposed_with_vote(&setup, SOFIA_ID, "+1", "2026-11-26T10:00:00+01:00");
    setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(
        TEAM_DECISION,
        &accepted_by("jonas", "").replace(
            "We are in three time zones.",
            "We agreed to daily video calls.",
        ),
    );
    commit_at(&setup, JONAS, "tweak", "2026-12-03T12:00:00Z");
    setup.push_refused();
}

#[test]
fn replacing_someone_elses_attachment_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    let attachment = format!("{THREAD}/{}/diagram.txt", id(2));
    setup.write(&attachment, "Jonas's diagram\n");
    setup.commit(JONAS, "attach");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(&attachment, "Someone else's diagram\n");
    setup.commit(SOFIA_ID, "replace jonas's attachment");
    setup.push_refused();
}

#[test]
fn a_backdated_decoy_decision_making_a_minus_one_ambiguous_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    // Only team-standups and written-standups (the setup's, proposed 25 November at noon
    // UTC as well) are in the thread: written-standups is moved out of the way first, so
    // that Sofia's -1 needs no `vote-on`.
    setup.write(
        crate::hooks::DECISION,
        &crate::hooks::decision_md("withdrawn").replace(
            "status: withdrawn",
            "status: withdrawn\ndecided: 2026-11-24T12:00:00Z\ndecided-by: ana",
        ),
    );
    commit_at(&setup, ANA, "withdraw", "2026-11-24T12:00:00Z");
    setup.write(TEAM_DECISION, &team_decision("proposed", ""));
    commit_at(&setup, ANA, "propose", "2026-11-25T12:00:00Z");
    setup.write(
        &reply_path(60),
        &sofia_vote("vote: \"-1\"\n", "No.\n", "2026-11-26T10:00:00Z"),
    );
    commit_at(&setup, SOFIA_ID, "vote", "2026-11-26T12:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
    // Jonas adds a decoy decision dated before Sofia's vote, and accepts.
    setup.write(
        "decisions/decoy.md",
        &format!(
            "---\nid: {}\ntitle: Decoy\nstatus: proposed\ndate: 2026-11-25T10:00:00Z\ndeciders: [jonas]\nauthor: Jonas Weber <jonas@example.org>\nthread: async-standups\n---\nDecoy.\n",
            id(93)
        ),
    );
    setup.write(TEAM_DECISION, &accepted_by("jonas", ""));
    commit_at(&setup, JONAS, "accept", "2026-12-01T12:00:00Z");
    setup.push_refused();
}

/// A decision in the setup's thread by Sofia (a member, neither decider nor moderator),
/// with `status` and `more` frontmatter.
fn sofia_decision(status: &str, more: &str) -> String {
    format!(
        "---\nid: {}\ntitle: We switch to daily video calls\nstatus: {status}\n{more}date: 2026-11-25T10:00:00Z\ndeciders: [ana, jonas]\nauthor: Sofia Rossi <sofia@example.org>\nthread: async-standups\n---\nDaily calls it is.\n",
        id(94)
    )
}

#[test]
fn a_decision_added_already_accepted_with_a_forged_decided_by_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    setup.write(
        "decisions/daily-calls.md",
        &sofia_decision(
            "accepted",
            "decided: 2026-11-26T10:00:00Z\ndecided-by: jonas\n",
        ),
    );
    commit_at(&setup, SOFIA_ID, "record", "2026-12-01T11:00:00Z");
    setup.push_refused();
}

#[test]
fn a_proposal_backdated_past_its_review_period_then_accepted_at_once_is_refused() {
    let setup = Setup::new(TRANSPORTS[0]);
    // Landed on 1 December, dated 25 November: the review period "ended" on 28 November.
    setup.write("decisions/daily-calls.md", &sofia_decision("proposed", ""));
    commit_at(&setup, SOFIA_ID, "propose", "2026-12-01T11:00:00Z");
    ok(setup.push(&["origin", "HEAD:main"]));
    setup.write(
        "decisions/daily-calls.md",
        &sofia_decision(
            "accepted",
            "decided: 2026-12-01T11:05:00Z\ndecided-by: jonas\n",
        ),
    );
    commit_at(&setup, JONAS, "accept", "2026-12-01T11:05:00Z");
    setup.push_refused();
}
