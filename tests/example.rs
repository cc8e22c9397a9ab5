//! The bundled example is realistic, not a toy: these tests pin down what it must contain.

use std::collections::BTreeSet;

use longhand::model::{thread_order, DecisionStatus, ThreadStatus, Vote};
use longhand::{load, validate, WorkTree};

use crate::support::example;

#[test]
fn the_example_has_no_diagnostics_at_all() {
    let report = validate::run(&WorkTree::new(example())).expect("runs");
    assert_eq!(report.diagnostics, vec![], "not even a warning");
}

#[test]
fn the_example_is_a_team_across_time_zones_adopting_async_standups() {
    let loaded = load(&WorkTree::new(example())).expect("loads");
    let discussion = &loaded.discussion;
    let config = discussion.config.as_ref().expect("longhand.yaml reads");
    let zones: BTreeSet<_> = config
        .people
        .values()
        .filter_map(|p| p.timezone.clone())
        .collect();
    assert!(zones.len() >= 3, "time zones: {zones:?}");
    assert!(discussion.threads.len() >= 6);
    let replies: usize = discussion.threads.iter().map(|t| t.replies.len()).sum();
    assert!(replies >= 40, "{replies} replies");
    let statuses: BTreeSet<_> = discussion.threads.iter().map(|t| t.status).collect();
    assert!(statuses.contains(&ThreadStatus::Open) && statuses.contains(&ThreadStatus::Resolved));
    // Reply trees, not flat lists: some reply answers a reply that answers a reply.
    let deepest = discussion
        .threads
        .iter()
        .flat_map(|t| thread_order(t).into_iter().map(|(_, depth)| depth))
        .max();
    assert!(deepest >= Some(3), "deepest reply: {deepest:?}");
    let offsets: BTreeSet<i32> = discussion
        .threads
        .iter()
        .flat_map(|t| t.replies.iter().map(|m| m.date.offset.seconds()))
        .collect();
    assert!(
        offsets.len() >= 3,
        "authors write from at least three offsets: {offsets:?}"
    );
    let votes: BTreeSet<Vote> = discussion
        .threads
        .iter()
        .flat_map(|t| t.replies.iter().filter_map(|m| m.vote))
        .collect();
    assert_eq!(votes.len(), 3, "+1, 0 and -1 all occur");
}

#[test]
fn the_example_has_accepted_rejected_and_superseded_decisions() {
    let loaded = load(&WorkTree::new(example())).expect("loads");
    let decisions = &loaded.discussion.decisions;
    assert!(decisions.len() >= 4);
    let has = |status| decisions.iter().any(|d| d.status == status);
    assert!(has(DecisionStatus::Accepted));
    assert!(has(DecisionStatus::Rejected));
    let superseded = decisions
        .iter()
        .find(|d| d.status == DecisionStatus::Superseded)
        .expect("a superseded decision");
    let successor = loaded
        .discussion
        .decision(&superseded.superseded_by[0])
        .expect("its successor exists");
    assert_eq!(successor.status, DecisionStatus::Accepted);
    assert!(successor.supersedes.contains(&superseded.slug));
}
