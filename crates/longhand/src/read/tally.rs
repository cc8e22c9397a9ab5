//! The tally of a decision (protocol §8.3) and the state of a proposed decision under the
//! policy's decision rule (§5.2): pending, ready or blocked.
//!
//! Derived, never stored. The votes are the replies carrying `vote` in the thread the decision's
//! `thread` names, cast in the decision's window: at or after its `date`, and before its
//! `decided` (or, for [`state_at`], at or before the instant asked about). A vote with `vote-on`
//! is for that decision only; one without it, cast while more than one decision of the thread
//! was open, is for none. Each voter's latest counted vote counts; it is binding when the voter
//! is a decider. [`standing`] is the one place that says whether a vote counts.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::Who;
use crate::model::{
    Config, Decision, DecisionRule, DecisionStatus, Discussion, Message, Policy, Vote,
};

/// One voter's latest vote.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Ballot<'a> {
    /// Who cast it: the person the author's email belongs to, or that email.
    pub voter: Who,
    /// The vote.
    pub vote: Vote,
    /// The reply that carries it.
    pub message: &'a Message,
}

/// A decider and their latest vote, if they voted.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DeciderVote<'a> {
    /// The decider, as the `deciders` entry denotes them.
    pub decider: Who,
    /// Their latest vote; `None` when they have not voted.
    pub ballot: Option<Ballot<'a>>,
}

/// The tally of a decision: each decider's latest vote, and the advisory votes of everyone else.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Tally<'a> {
    /// Binding: one entry per decider, in the order `deciders` first names them. Entries that
    /// denote the same decider count once; handles the roster does not define denote no one.
    pub deciders: Vec<DeciderVote<'a>>,
    /// Advisory: the latest vote of each voter who is not a decider, earliest first (by date,
    /// then id).
    pub advisory: Vec<Ballot<'a>>,
    /// Votes for this decision (or for no decision in particular) cast before its `date`:
    /// history, never counted; earliest first.
    pub before: Vec<Ballot<'a>>,
    /// Votes for this decision cast at or after its `decided`: shown, never counted; earliest
    /// first.
    pub after: Vec<Ballot<'a>>,
}

impl Tally<'_> {
    /// How many deciders' latest vote is `vote`.
    pub fn binding(&self, vote: Vote) -> usize {
        self.deciders
            .iter()
            .filter(|d| d.ballot.as_ref().is_some_and(|b| b.vote == vote))
            .count()
    }

    /// The deciders whose latest vote is `-1`, in the order of `deciders`.
    pub fn objectors(&self) -> Vec<Who> {
        self.deciders
            .iter()
            .filter(|d| d.ballot.as_ref().is_some_and(|b| b.vote == Vote::Against))
            .map(|d| d.decider.clone())
            .collect()
    }

    /// The binding `-1` ballots, in the order of `deciders`: who blocks, and the reply saying why.
    pub fn objections(&self) -> Vec<&Ballot<'_>> {
        self.deciders
            .iter()
            .filter_map(|d| d.ballot.as_ref())
            .filter(|b| b.vote == Vote::Against)
            .collect()
    }

    /// The deciders who have not voted, in the order of `deciders`.
    pub fn silent(&self) -> Vec<Who> {
        self.deciders
            .iter()
            .filter(|d| d.ballot.is_none())
            .map(|d| d.decider.clone())
            .collect()
    }
}

/// Where a proposed decision stands at an instant (protocol §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Neither ready nor blocked yet. `until` is the review deadline when the rule waits for it
    /// (lazy consensus, majority); `None` when only votes can move it (unanimous).
    Pending {
        /// The review deadline the rule waits for.
        until: Option<Timestamp>,
    },
    /// It may be accepted.
    Ready,
    /// It cannot be accepted as things stand. `by` lists the deciders whose latest vote is
    /// `-1`; under majority it may be empty (nobody voted `+1` more often than `-1`).
    Blocked {
        /// The deciders objecting.
        by: Vec<Who>,
    },
}

/// What a reader needs to know about a decision's review.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Review<'a> {
    /// The votes.
    pub tally: Tally<'a>,
    /// The policy's decision rule.
    pub rule: DecisionRule,
    /// The review deadline: `review-by`, or `date` plus the policy's review period.
    pub deadline: Timestamp,
    /// For a `proposed` decision, where it stands; `None` for any other status.
    pub state: Option<State>,
}

/// Where one vote of a decision's thread stands with respect to that decision (spec §8.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Standing {
    /// It counts for the decision.
    Counted,
    /// It was cast before the decision's `date`: history, not counted.
    BeforeProposal,
    /// It was cast at or after the end of the decision's window (`decided`): shown, not counted.
    AfterDecision,
    /// Its `vote-on` names another decision, or no decision at all: not for this one.
    OtherDecision,
    /// It has no `vote-on` and more than one decision of the thread was open when it was cast:
    /// it counts for none of them (LH510).
    Ambiguous,
}

/// Where a decision's window of votes ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// It has not ended (a proposed decision, or a record without `decided`).
    Open,
    /// Votes strictly before this instant count (the record's `decided`).
    Before(Timestamp),
    /// Votes at or before this instant count ([`state_at`]).
    AtOrBefore(Timestamp),
}

impl End {
    /// Where the window of `decision` as recorded ends: at its `decided`, if any.
    fn of(decision: &Decision) -> End {
        match &decision.decided {
            Some(decided) if decision.status != DecisionStatus::Proposed => {
                End::Before(decided.instant)
            }
            _ => End::Open,
        }
    }

    fn admits(self, instant: Timestamp) -> bool {
        match self {
            End::Open => true,
            End::Before(end) => instant < end,
            End::AtOrBefore(end) => instant <= end,
        }
    }
}

/// True when `decision` was open (proposed, not yet decided) at `instant`: dated at or before
/// it, and either still `proposed` or decided after it. A record that left `proposed` without
/// recording `decided` (written before `decided` existed) is open to no ambiguity: its window is
/// unknown, so it never makes another decision's votes ambiguous.
pub fn open_at(decision: &Decision, instant: Timestamp) -> bool {
    if decision.date.instant > instant {
        return false;
    }
    match (&decision.decided, decision.status) {
        (_, DecisionStatus::Proposed) => true,
        (Some(decided), _) => instant < decided.instant,
        (None, _) => false,
    }
}

/// The decisions of `discussion` whose `thread` names the same thread as `decision`'s (itself
/// included).
fn siblings<'a>(discussion: &'a Discussion, decision: &Decision) -> Vec<&'a Decision> {
    let Some(reference) = decision.thread.as_deref() else {
        return Vec::new();
    };
    let thread = discussion.thread(reference);
    discussion
        .decisions
        .iter()
        .filter(|d| match (d.thread.as_deref(), thread) {
            (Some(r), Some(t)) => r == t.slug || r == t.id.as_str(),
            (Some(r), None) => r == reference,
            (None, _) => false,
        })
        .collect()
}

/// Where `message` (a vote of `decision`'s thread) stands for `decision`, whose window ends at
/// `end`; `siblings` are the decisions of the thread.
fn standing_in(
    discussion: &Discussion,
    siblings: &[&Decision],
    decision: &Decision,
    message: &Message,
    end: End,
) -> Standing {
    let instant = message.date.instant;
    match message.vote_on.as_deref() {
        Some(reference) => {
            if discussion.decision(reference).map(|d| &d.id) != Some(&decision.id) {
                return Standing::OtherDecision;
            }
        }
        None => {
            let open = siblings.iter().filter(|d| open_at(d, instant)).count();
            if open > 1 {
                return Standing::Ambiguous;
            }
        }
    }
    if instant < decision.date.instant {
        Standing::BeforeProposal
    } else if !end.admits(instant) {
        Standing::AfterDecision
    } else {
        Standing::Counted
    }
}

/// Where the vote `message`, a reply of `decision`'s thread, stands for `decision` as recorded
/// (its window ending at its `decided`, if any).
pub fn standing(discussion: &Discussion, decision: &Decision, message: &Message) -> Standing {
    let siblings = siblings(discussion, decision);
    standing_in(discussion, &siblings, decision, message, End::of(decision))
}

/// The review of `decision` at `now`: its tally (frozen at `decided`), deadline and, when
/// proposed, its state.
pub fn review<'a>(discussion: &'a Discussion, decision: &Decision, now: Timestamp) -> Review<'a> {
    let policy = policy(discussion);
    let tally = tally_until(discussion, decision, End::of(decision));
    let deadline = review_deadline(decision, &policy);
    let state = (decision.status == DecisionStatus::Proposed)
        .then(|| state(&tally, policy.decision_rule, deadline, now));
    Review {
        tally,
        rule: policy.decision_rule,
        deadline,
        state,
    }
}

/// The state `decision` would have if it were still `proposed` at instant `at` (spec §5.2):
/// counting only the votes cast in its window up to `at` (at or after its `date`, at or before
/// `at`, under the `vote-on` rules of §8.3), whatever its status and `decided` say. What the
/// writers and the history rules judge a status change by.
pub fn state_at(discussion: &Discussion, decision: &Decision, at: Timestamp) -> State {
    let review = review_at(discussion, decision, at);
    review.state.unwrap_or(State::Pending { until: None })
}

/// The review [`state_at`] judges by: the tally of the votes in `decision`'s window up to and
/// including `at`, its deadline, and (always) its state at `at` as if it were still proposed.
/// The writers use it to say why a change is refused (who objects, and why).
pub fn review_at<'a>(discussion: &'a Discussion, decision: &Decision, at: Timestamp) -> Review<'a> {
    let policy = policy(discussion);
    let tally = tally_until(discussion, decision, End::AtOrBefore(at));
    let deadline = review_deadline(decision, &policy);
    let state = state(&tally, policy.decision_rule, deadline, at);
    Review {
        tally,
        rule: policy.decision_rule,
        deadline,
        state: Some(state),
    }
}

fn policy(discussion: &Discussion) -> Policy {
    discussion
        .config
        .as_ref()
        .map(|c| c.policy.clone())
        .unwrap_or_default()
}

/// The review deadline (protocol §5.2): `review-by` if present, otherwise `date` plus the
/// review period. A deadline beyond the representable range never passes.
pub fn review_deadline(decision: &Decision, policy: &Policy) -> Timestamp {
    match &decision.review_by {
        Some(deadline) => deadline.instant(),
        None => decision
            .date
            .instant
            .checked_add(SignedDuration::from_secs(policy.review_period_seconds))
            .unwrap_or(Timestamp::MAX),
    }
}

/// The tally of `decision` as recorded (protocol §8.3): frozen at its `decided`. Without a
/// `thread`, or when it names no thread, nobody has voted.
pub fn tally<'a>(discussion: &'a Discussion, decision: &Decision) -> Tally<'a> {
    tally_until(discussion, decision, End::of(decision))
}

fn tally_until<'a>(discussion: &'a Discussion, decision: &Decision, end: End) -> Tally<'a> {
    let config = discussion.config.as_ref();
    let mut deciders: Vec<DeciderVote<'a>> = Vec::new();
    for reference in &decision.deciders {
        if let Some(decider) = Who::of_reference(config, reference) {
            if !deciders.iter().any(|d| d.decider == decider) {
                deciders.push(DeciderVote {
                    decider,
                    ballot: None,
                });
            }
        }
    }
    let siblings = siblings(discussion, decision);
    let mut counted = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    for message in votes_for(discussion, decision) {
        let ballot = |message: &'a Message| {
            message.vote.map(|vote| Ballot {
                voter: Who::of_email(config, &message.author.email),
                vote,
                message,
            })
        };
        match standing_in(discussion, &siblings, decision, message, end) {
            Standing::Counted => counted.push(message),
            Standing::BeforeProposal => before.extend(ballot(message)),
            Standing::AfterDecision => after.extend(ballot(message)),
            Standing::OtherDecision | Standing::Ambiguous => {}
        }
    }
    let mut advisory = Vec::new();
    for ballot in latest_votes(config, counted) {
        match deciders.iter_mut().find(|d| d.decider == ballot.voter) {
            Some(decider) => decider.ballot = Some(ballot),
            None => advisory.push(ballot),
        }
    }
    let by_date = |a: &Ballot, b: &Ballot| {
        (a.message.date.instant, &a.message.id).cmp(&(b.message.date.instant, &b.message.id))
    };
    advisory.sort_by(by_date);
    before.sort_by(by_date);
    after.sort_by(by_date);
    Tally {
        deciders,
        advisory,
        before,
        after,
    }
}

/// The replies of the decision's thread (readable or headless) that carry a vote.
fn votes_for<'a>(discussion: &'a Discussion, decision: &Decision) -> Vec<&'a Message> {
    let Some(reference) = decision.thread.as_deref() else {
        return Vec::new();
    };
    let replies = match discussion.thread(reference) {
        Some(thread) => &thread.replies,
        None => match discussion.headless.iter().find(|h| h.slug == reference) {
            Some(headless) => &headless.replies,
            None => return Vec::new(),
        },
    };
    replies.iter().filter(|m| m.vote.is_some()).collect()
}

/// Each voter's latest vote: the latest `date` as an instant, ties broken by the greater id.
fn latest_votes<'a>(config: Option<&Config>, votes: Vec<&'a Message>) -> Vec<Ballot<'a>> {
    let mut latest: BTreeMap<Who, &'a Message> = BTreeMap::new();
    for message in votes {
        let voter = Who::of_email(config, &message.author.email);
        let newer = |current: &&Message| {
            (message.date.instant, &message.id) > (current.date.instant, &current.id)
        };
        match latest.get(&voter) {
            Some(current) if !newer(current) => {}
            _ => {
                latest.insert(voter, message);
            }
        }
    }
    latest
        .into_iter()
        .filter_map(|(voter, message)| {
            message.vote.map(|vote| Ballot {
                voter,
                vote,
                message,
            })
        })
        .collect()
}

/// Where a proposed decision with this tally stands at `now` under `rule` (protocol §5.2).
pub fn state(tally: &Tally, rule: DecisionRule, deadline: Timestamp, now: Timestamp) -> State {
    let passed = now > deadline;
    let objectors = tally.objectors();
    match rule {
        DecisionRule::LazyConsensus if !objectors.is_empty() => State::Blocked { by: objectors },
        DecisionRule::LazyConsensus if passed => State::Ready,
        DecisionRule::LazyConsensus => State::Pending {
            until: Some(deadline),
        },
        DecisionRule::Unanimous if !objectors.is_empty() => State::Blocked { by: objectors },
        DecisionRule::Unanimous if tally.silent().is_empty() && tally.binding(Vote::For) > 0 => {
            State::Ready
        }
        DecisionRule::Unanimous => State::Pending { until: None },
        DecisionRule::Majority if !passed => State::Pending {
            until: Some(deadline),
        },
        DecisionRule::Majority if tally.binding(Vote::For) > tally.binding(Vote::Against) => {
            State::Ready
        }
        DecisionRule::Majority => State::Blocked { by: objectors },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Deadline;
    use crate::read::fixture::{at, decision, discussion, instant, reply, thread};

    fn who(handle: &str) -> Who {
        Who::Person(handle.into())
    }

    /// The thread `t` with these replies, and one decision on it with these deciders.
    fn voted(deciders: &[&str], replies: Vec<Message>) -> Discussion {
        let mut t = thread("t", 1, "2026-11-24T09:00:00Z");
        t.replies = replies;
        discussion(vec![t], vec![decision("d", 2, "t", deciders)])
    }

    /// A reply carrying a vote.
    fn cast(n: u32, email: &str, date: &str, vote: Vote) -> Message {
        reply(n, email, date, Some(vote))
    }

    fn summary(tally: &Tally) -> Vec<(String, Option<&'static str>)> {
        tally
            .deciders
            .iter()
            .map(|d| {
                (
                    d.decider.to_string(),
                    d.ballot.as_ref().map(|b| b.vote.as_str()),
                )
            })
            .collect()
    }

    #[test]
    fn a_voters_latest_vote_counts_and_a_later_reply_without_vote_changes_nothing() {
        let d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-24T10:00:00Z", Vote::Against),
                cast(11, "bo@example.org", "2026-11-25T10:00:00+05:00", Vote::For),
                reply(12, "bo@example.org", "2026-11-26T10:00:00Z", None),
            ],
        );
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(summary(&tally), vec![("bo".into(), Some("+1"))]);
        assert_eq!(
            tally.deciders[0]
                .ballot
                .as_ref()
                .map(|b| b.message.id.clone()),
            Some(crate::read::fixture::id(11))
        );
    }

    #[test]
    fn latest_is_by_instant_not_by_the_written_local_time() {
        // 10:00+05:00 is 05:00Z, earlier than 09:00Z although its local time reads later.
        let d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-25T09:00:00Z", Vote::Against),
                cast(11, "bo@example.org", "2026-11-25T10:00:00+05:00", Vote::For),
            ],
        );
        assert_eq!(
            summary(&tally(&d, &d.decisions[0])),
            vec![("bo".into(), Some("-1"))]
        );
    }

    #[test]
    fn votes_at_the_same_instant_are_decided_by_the_greater_id() {
        let same = "2026-11-25T09:00:00Z";
        let d = voted(
            &["bo"],
            vec![
                cast(21, "bo@example.org", same, Vote::Abstain),
                cast(20, "bo@example.org", same, Vote::Against),
            ],
        );
        assert_eq!(
            summary(&tally(&d, &d.decisions[0])),
            vec![("bo".into(), Some("0"))]
        );
    }

    #[test]
    fn a_person_votes_from_any_of_their_emails_as_one_voter() {
        let d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-24T10:00:00Z", Vote::Against),
                cast(
                    11,
                    "BO@users.noreply.example",
                    "2026-11-24T11:00:00Z",
                    Vote::For,
                ),
            ],
        );
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(summary(&tally), vec![("bo".into(), Some("+1"))]);
        assert!(tally.advisory.is_empty());
    }

    #[test]
    fn votes_of_non_deciders_are_advisory_and_listed_by_date() {
        let d = voted(
            &["ana"],
            vec![
                cast(
                    10,
                    "guest@example.org",
                    "2026-11-24T12:00:00Z",
                    Vote::Against,
                ),
                cast(11, "chidi@example.org", "2026-11-24T11:00:00Z", Vote::For),
                cast(12, "ana@example.org", "2026-11-24T13:00:00Z", Vote::For),
            ],
        );
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(summary(&tally), vec![("ana".into(), Some("+1"))]);
        let advisory: Vec<(String, Vote)> = tally
            .advisory
            .iter()
            .map(|b| (b.voter.to_string(), b.vote))
            .collect();
        assert_eq!(
            advisory,
            vec![
                ("chidi".into(), Vote::For),
                ("guest@example.org".into(), Vote::Against)
            ]
        );
        assert!(
            tally.objectors().is_empty(),
            "an advisory -1 blocks nothing"
        );
    }

    #[test]
    fn a_decider_named_by_email_is_that_person_or_else_that_email_alone() {
        let d = voted(
            &[
                "bo@users.noreply.example",
                "Guest@Example.org",
                "bo",
                "maria",
            ],
            vec![
                cast(10, "bo@example.org", "2026-11-24T10:00:00Z", Vote::For),
                cast(
                    11,
                    "guest@example.org",
                    "2026-11-24T11:00:00Z",
                    Vote::Against,
                ),
            ],
        );
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(
            summary(&tally),
            vec![
                ("bo".into(), Some("+1")),
                ("guest@example.org".into(), Some("-1")),
            ],
            "bo counts once; maria is not in the roster and denotes no one"
        );
        assert_eq!(
            tally.objectors(),
            vec![Who::Email("guest@example.org".into())]
        );
    }

    #[test]
    fn votes_in_other_threads_do_not_count() {
        let mut other = thread("other", 3, "2026-11-24T09:00:00Z");
        other.replies = vec![cast(
            10,
            "bo@example.org",
            "2026-11-24T10:00:00Z",
            Vote::Against,
        )];
        let mut d = voted(&["bo"], Vec::new());
        d.threads.push(other);
        assert_eq!(
            summary(&tally(&d, &d.decisions[0])),
            vec![("bo".into(), None)]
        );
    }

    #[test]
    fn the_review_deadline_is_review_by_or_date_plus_the_period() {
        let mut d = decision("d", 2, "t", &[]);
        let policy = Policy::default();
        assert_eq!(
            review_deadline(&d, &policy),
            instant("2026-11-27T10:00:00Z")
        );
        d.review_by = Some(Deadline::parse("2026-12-01").expect("a day"));
        assert_eq!(
            review_deadline(&d, &policy),
            instant("2026-12-02T11:59:59Z")
        );
        d.review_by = None;
        assert_eq!(
            review_deadline(&d, &policy),
            instant("2026-11-27T10:00:00Z"),
            "72h after date"
        );
        let week = Policy {
            review_period_seconds: 7 * 86_400,
            ..Policy::default()
        };
        assert_eq!(review_deadline(&d, &week), instant("2026-12-01T10:00:00Z"));
    }

    fn state_of(rule: DecisionRule, deciders: &[&str], replies: Vec<Message>, now: &str) -> State {
        let mut d = voted(deciders, replies);
        if let Some(config) = d.config.as_mut() {
            config.policy.decision_rule = rule;
        }
        review(&d, &d.decisions[0], instant(now))
            .state
            .expect("proposed")
    }

    const BEFORE: &str = "2026-11-26T00:00:00Z";
    const AFTER: &str = "2026-11-28T00:00:00Z";

    fn v(n: u32, email: &str, vote: Vote) -> Message {
        cast(n, email, "2026-11-24T12:00:00Z", vote)
    }

    #[test]
    fn lazy_consensus_is_pending_until_the_deadline_then_ready_unless_a_decider_objects() {
        let rule = DecisionRule::LazyConsensus;
        let until = Some(instant("2026-11-27T10:00:00Z"));
        assert_eq!(
            state_of(rule, &["ana", "bo"], vec![], BEFORE),
            State::Pending { until }
        );
        assert_eq!(
            state_of(rule, &["ana", "bo"], vec![], AFTER),
            State::Ready,
            "silence is consent"
        );
        assert_eq!(
            state_of(rule, &["ana", "bo"], vec![], "2026-11-27T10:00:00Z"),
            State::Pending { until },
            "a deadline passes only after its instant"
        );
        let objection = vec![v(10, "bo@example.org", Vote::Against)];
        assert_eq!(
            state_of(rule, &["ana", "bo"], objection.clone(), AFTER),
            State::Blocked {
                by: vec![who("bo")]
            }
        );
        assert_eq!(
            state_of(rule, &["ana"], objection, AFTER),
            State::Ready,
            "a non-decider's -1 is advisory"
        );
    }

    #[test]
    fn an_objection_is_lifted_by_the_deciders_later_vote() {
        let replies = vec![
            cast(10, "bo@example.org", "2026-11-24T10:00:00Z", Vote::Against),
            cast(11, "bo@example.org", "2026-11-24T11:00:00Z", Vote::Abstain),
        ];
        assert_eq!(
            state_of(DecisionRule::LazyConsensus, &["bo"], replies, AFTER),
            State::Ready
        );
    }

    #[test]
    fn unanimous_needs_every_decider_and_one_plus_one_and_ignores_the_deadline() {
        let rule = DecisionRule::Unanimous;
        let deciders = &["ana", "bo"];
        let pending = State::Pending { until: None };
        assert_eq!(state_of(rule, deciders, vec![], AFTER), pending);
        let one = vec![v(10, "ana@example.org", Vote::For)];
        assert_eq!(
            state_of(rule, deciders, one, AFTER),
            pending,
            "bo has not voted"
        );
        let all = vec![
            v(10, "ana@example.org", Vote::For),
            v(11, "bo@example.org", Vote::Abstain),
        ];
        assert_eq!(
            state_of(rule, deciders, all, BEFORE),
            State::Ready,
            "0 stands aside"
        );
        let abstain = vec![
            v(10, "ana@example.org", Vote::Abstain),
            v(11, "bo@example.org", Vote::Abstain),
        ];
        assert_eq!(
            state_of(rule, deciders, abstain, AFTER),
            pending,
            "no +1 at all"
        );
        let blocked = vec![
            v(10, "ana@example.org", Vote::For),
            v(11, "bo@example.org", Vote::Against),
        ];
        assert_eq!(
            state_of(rule, deciders, blocked, BEFORE),
            State::Blocked {
                by: vec![who("bo")]
            }
        );
    }

    #[test]
    fn majority_waits_for_the_deadline_then_counts_plus_and_minus_ones() {
        let rule = DecisionRule::Majority;
        let deciders = &["ana", "bo", "chidi"];
        let two_to_one = vec![
            v(10, "ana@example.org", Vote::For),
            v(11, "bo@example.org", Vote::For),
            v(12, "chidi@example.org", Vote::Against),
        ];
        assert_eq!(
            state_of(rule, deciders, two_to_one.clone(), BEFORE),
            State::Pending {
                until: Some(instant("2026-11-27T10:00:00Z"))
            }
        );
        assert_eq!(state_of(rule, deciders, two_to_one, AFTER), State::Ready);
        let tie = vec![
            v(10, "ana@example.org", Vote::For),
            v(12, "chidi@example.org", Vote::Against),
        ];
        assert_eq!(
            state_of(rule, deciders, tie, AFTER),
            State::Blocked {
                by: vec![who("chidi")]
            }
        );
        assert_eq!(
            state_of(
                rule,
                deciders,
                vec![v(10, "ana@example.org", Vote::Abstain)],
                AFTER
            ),
            State::Blocked { by: vec![] },
            "0 votes and silence are not counted, so nothing outnumbers nothing"
        );
    }

    #[test]
    fn only_a_proposed_decision_has_a_state() {
        let mut d = voted(&["ana"], vec![]);
        d.decisions[0].status = DecisionStatus::Accepted;
        let review = review(&d, &d.decisions[0], instant(AFTER));
        assert_eq!(review.state, None);
        assert_eq!(review.deadline, at("2026-11-27T10:00:00Z").instant);
    }

    /// A vote with `vote-on`.
    fn cast_on(n: u32, email: &str, date: &str, vote: Vote, on: &str) -> Message {
        let mut message = cast(n, email, date, vote);
        message.vote_on = Some(on.into());
        message
    }

    #[test]
    fn a_vote_cast_before_the_proposal_is_history_not_counted() {
        let d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-14T10:00:00Z", Vote::For),
                cast(11, "bo@example.org", "2026-11-24T09:59:59Z", Vote::Against),
            ],
        );
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(summary(&tally), vec![("bo".into(), None)]);
        assert_eq!(tally.before.len(), 2);
        assert_eq!(
            state_at(&d, &d.decisions[0], instant("2026-11-24T10:02:00Z")),
            State::Pending {
                until: Some(instant("2026-11-27T10:00:00Z"))
            },
            "ten-day-old votes do not make a new proposal ready"
        );
    }

    #[test]
    fn a_decided_tally_is_frozen_and_later_votes_are_after_the_decision() {
        let mut d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-24T11:00:00Z", Vote::Against),
                cast(11, "ana@example.org", "2026-11-25T11:00:00Z", Vote::For),
                cast(12, "bo@example.org", "2026-11-25T12:00:00Z", Vote::For),
            ],
        );
        let decision = &mut d.decisions[0];
        decision.status = DecisionStatus::Rejected;
        decision.decided = Some(at("2026-11-25T12:00:00Z"));
        let tally = tally(&d, &d.decisions[0]);
        assert_eq!(summary(&tally), vec![("bo".into(), Some("-1"))]);
        assert_eq!(tally.advisory.len(), 1, "ana's +1 came before the decision");
        let after: Vec<_> = tally.after.iter().map(|b| b.message.id.clone()).collect();
        assert_eq!(
            after,
            vec![crate::read::fixture::id(12)],
            "at `decided` is after"
        );
        // A legacy record (no `decided`) keeps counting every vote from its date on.
        d.decisions[0].decided = None;
        assert_eq!(
            summary(&tally_of(&d)),
            vec![("bo".into(), Some("+1"))],
            "unfrozen"
        );
    }

    fn tally_of(d: &Discussion) -> Tally<'_> {
        tally(d, &d.decisions[0])
    }

    #[test]
    fn with_two_open_decisions_only_votes_naming_one_count() {
        let mut d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-24T11:00:00Z", Vote::Against),
                cast(11, "bo@example.org", "2026-11-25T11:00:00Z", Vote::Against),
                cast_on(
                    12,
                    "ana@example.org",
                    "2026-11-25T12:00:00Z",
                    Vote::For,
                    "e",
                ),
            ],
        );
        let mut second = decision("e", 3, "t", &["bo"]);
        second.date = at("2026-11-25T10:00:00Z");
        d.decisions.push(second);
        let (first, second) = (&d.decisions[0], &d.decisions[1]);
        // Bo's first -1 was cast while only `d` was open: it counts for `d`, and is history for
        // `e`; his second, while both were open, counts for neither.
        assert_eq!(summary(&tally(&d, first)), vec![("bo".into(), Some("-1"))]);
        assert_eq!(
            tally(&d, first).deciders[0]
                .ballot
                .as_ref()
                .map(|b| b.message.id.clone()),
            Some(crate::read::fixture::id(10))
        );
        assert_eq!(
            standing(&d, first, &d.threads[0].replies[1]),
            Standing::Ambiguous
        );
        assert_eq!(
            standing(&d, second, &d.threads[0].replies[1]),
            Standing::Ambiguous
        );
        assert_eq!(summary(&tally(&d, second)), vec![("bo".into(), None)]);
        assert_eq!(tally(&d, second).before.len(), 1);
        assert_eq!(
            standing(&d, first, &d.threads[0].replies[2]),
            Standing::OtherDecision
        );
        assert_eq!(tally(&d, second).advisory.len(), 1, "ana's vote names e");
    }

    #[test]
    fn a_minus_one_for_a_first_proposal_does_not_block_its_replacement() {
        let mut d = voted(
            &["bo"],
            vec![cast(
                10,
                "bo@example.org",
                "2026-11-24T11:00:00Z",
                Vote::Against,
            )],
        );
        d.decisions[0].status = DecisionStatus::Withdrawn;
        d.decisions[0].decided = Some(at("2026-11-24T12:00:00Z"));
        let mut second = decision("e", 3, "t", &["bo"]);
        second.date = at("2026-11-24T13:00:00Z");
        second.review_by = None;
        d.decisions.push(second);
        assert_eq!(
            state_at(&d, &d.decisions[1], instant("2026-11-28T00:00:00Z")),
            State::Ready
        );
        assert_eq!(
            state_at(&d, &d.decisions[0], instant("2026-11-28T00:00:00Z")),
            State::Blocked {
                by: vec![who("bo")]
            }
        );
    }

    #[test]
    fn state_at_counts_votes_up_to_and_at_the_instant_and_ignores_the_status() {
        let mut d = voted(
            &["bo"],
            vec![
                cast(10, "bo@example.org", "2026-11-25T10:00:00Z", Vote::Against),
                cast(11, "bo@example.org", "2026-11-28T10:00:00Z", Vote::For),
            ],
        );
        d.decisions[0].status = DecisionStatus::Accepted;
        d.decisions[0].decided = Some(at("2026-11-28T10:00:00Z"));
        let blocked = State::Blocked {
            by: vec![who("bo")],
        };
        assert_eq!(
            state_at(&d, &d.decisions[0], instant("2026-11-28T09:59:59Z")),
            blocked
        );
        assert_eq!(
            state_at(&d, &d.decisions[0], instant("2026-11-28T10:00:00Z")),
            State::Ready,
            "a vote at the instant itself counts"
        );
    }
}
