//! What happened since a reader last looked — the async habit of reading in batches: new
//! threads, new replies grouped by thread, decisions proposed and decided, threads resolved,
//! closed or reopened, and what awaits one person and by when.
//!
//! Two ways to say "since", with different powers ([`since_instant`], [`between`]):
//!
//! - **an instant**: what the files' own dates say. A thread or reply is new when its `date` is
//!   at or after the instant; a decision is listed when its `date` (when it was proposed) is,
//!   or when its latest status change ([`super::decided_at`]: its `decided`, or for a
//!   superseded one its successor's) is, with its status now. A thread's status changes leave
//!   no date in the files, so they are not seen, and a reply whose clock ran slow is missed.
//! - **two versions** of the discussion (a git revision and the work tree, say): what the
//!   trees say. A thread, reply or decision is new when its id (and name) was not there before,
//!   whatever its date — backdated replies included; a status that differs is a change.
//!
//! Plain functions of the model(s) and the instants given; nothing here reads a clock.

use std::collections::BTreeSet;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

pub use super::inbox::{Awaiting, VoteAwaited};
use crate::model::{
    parse_span, thread_order, Deadline, Decision, DecisionStatus, Discussion, Message, Thread,
    ThreadStatus,
};

/// From where the digest counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Since {
    /// Everything dated at or after this instant.
    Instant(Timestamp),
    /// What changed since the reader last marked the digest read (`digest --mark-read`):
    /// compared with the discussion at the commit of that mark when it is at hand (so status
    /// changes and backdated replies are seen), else by the files' dates since its instant.
    LastRead {
        /// When the reader last marked it read.
        at: Timestamp,
        /// The commit `HEAD` was at then, abbreviated, when the comparison used it.
        commit: Option<String>,
    },
    /// Everything that is not in the discussion at this git revision.
    Revision {
        /// The revision as the reader named it (`main~10`, `v1.2`).
        name: String,
        /// The commit it resolved to, abbreviated, when known.
        commit: Option<String>,
    },
}

/// A thread and its new replies, in the thread's reading order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ThreadReplies<'a> {
    /// The thread.
    pub thread: &'a Thread,
    /// Its new replies, in the derived reading order (protocol §9).
    pub replies: Vec<&'a Message>,
}

/// What happened to a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionEvent {
    /// It is new (proposed in the window); its status may have moved on since.
    New,
    /// Its status changed from this one to its current status.
    Changed {
        /// The status before.
        from: DecisionStatus,
    },
}

/// A decision and what happened to it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DecisionChange<'a> {
    /// The decision as it is now.
    pub decision: &'a Decision,
    /// New, or a status change.
    pub event: DecisionEvent,
}

/// A thread whose status changed (only seen between two versions).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ThreadChange<'a> {
    /// The thread as it is now.
    pub thread: &'a Thread,
    /// Its status before.
    pub from: ThreadStatus,
}

/// What happened since, and what awaits the reader.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Digest<'a> {
    /// From where it counts.
    pub since: Since,
    /// The instant the digest was made.
    pub now: Timestamp,
    /// New threads, earliest first (then by slug).
    pub new_threads: Vec<&'a Thread>,
    /// Threads with new replies (new threads included), the most recent new reply first
    /// (then by slug).
    pub replies: Vec<ThreadReplies<'a>>,
    /// New decisions and status changes, by current status (proposed, accepted, rejected,
    /// withdrawn, superseded), then by slug.
    pub decisions: Vec<DecisionChange<'a>>,
    /// Threads resolved, closed or reopened, by slug.
    pub thread_changes: Vec<ThreadChange<'a>>,
    /// What awaits the reader, when one was named ([`Digest::with_awaiting`]).
    pub awaiting: Option<Awaiting<'a>>,
}

impl<'a> Digest<'a> {
    /// The digest with what awaits its reader, as [`super::inbox::awaiting`] derives it (from
    /// [`super::listing::Listing::of_discussion`] of the same discussion, or the cache's
    /// listing of it): the same derivation as `inbox`, so the two never disagree.
    pub fn with_awaiting(mut self, awaiting: Awaiting<'a>) -> Digest<'a> {
        self.awaiting = Some(awaiting);
        self
    }
}

impl Digest<'_> {
    /// How many new replies, over all threads.
    pub fn reply_count(&self) -> usize {
        self.replies.iter().map(|t| t.replies.len()).sum()
    }

    /// Whether nothing happened (what awaits the reader does not count).
    pub fn is_quiet(&self) -> bool {
        self.new_threads.is_empty()
            && self.replies.is_empty()
            && self.decisions.is_empty()
            && self.thread_changes.is_empty()
    }
}

/// Reads `--since WHEN` as a person types it: an RFC 3339 timestamp with an offset; a date
/// `YYYY-MM-DD`, meaning the start of that day in the reader's `zone`; or a span back from
/// `now` such as `90m`, `24h`, `7d`, `2w`. `None` when it is none of these (a caller may then
/// try it as a git revision).
pub fn parse_since(text: &str, now: Timestamp, zone: &TimeZone) -> Option<Timestamp> {
    match Deadline::parse(text) {
        Some(Deadline::At(moment)) => return Some(moment.instant),
        Some(Deadline::Day(date)) => return zone.to_timestamp(date.at(0, 0, 0, 0)).ok(),
        None => {}
    }
    let seconds = parse_span(text)?;
    now.checked_sub(SignedDuration::from_secs(seconds)).ok()
}

/// The digest of `discussion` since `since`, by the files' dates (see the module docs), at
/// `now`.
pub fn since_instant<'a>(
    discussion: &'a Discussion,
    since: Timestamp,
    now: Timestamp,
) -> Digest<'a> {
    let new_threads = discussion
        .threads
        .iter()
        .filter(|t| t.date.instant >= since)
        .collect();
    let replies = grouped(discussion, |m| m.date.instant >= since);
    let decisions = discussion
        .decisions
        .iter()
        .filter_map(|decision| {
            let event = if decision.date.instant >= since {
                DecisionEvent::New
            } else {
                let decided = super::decided_at(discussion, decision)?;
                if decided.instant < since {
                    return None;
                }
                // A supersession in the window of a decision accepted before it.
                let accepted_before = decision.status == DecisionStatus::Superseded
                    && decision.decided.as_ref().is_some_and(|d| d.instant < since);
                let from = if accepted_before {
                    DecisionStatus::Accepted
                } else {
                    DecisionStatus::Proposed
                };
                DecisionEvent::Changed { from }
            };
            Some(DecisionChange { decision, event })
        })
        .collect();
    let digest = Digest {
        since: Since::Instant(since),
        now,
        new_threads,
        replies,
        decisions,
        thread_changes: Vec::new(),
        awaiting: None,
    };
    finish(digest)
}

/// The digest of what `after` has that `before` had not (see the module docs): new threads,
/// replies and decisions by id and name, and changed statuses, at `now`. `since` names
/// `before` for the reader.
pub fn between<'a>(
    before: &Discussion,
    after: &'a Discussion,
    since: Since,
    now: Timestamp,
) -> Digest<'a> {
    let old_thread_ids: BTreeSet<&str> = before.threads.iter().map(|t| t.id.as_str()).collect();
    let old_replies: BTreeSet<&str> = before
        .reserved
        .replies
        .values()
        .flatten()
        .map(String::as_str)
        .collect();
    let old_decision_ids: BTreeSet<&str> = before.decisions.iter().map(|d| d.id.as_str()).collect();
    let new_threads = after
        .threads
        .iter()
        .filter(|t| {
            !old_thread_ids.contains(t.id.as_str()) && !before.reserved.threads.contains(&t.slug)
        })
        .collect();
    let replies = grouped(after, |m| !old_replies.contains(m.stem.as_str()));
    let mut decisions = Vec::new();
    for decision in &after.decisions {
        let old = before
            .decisions
            .iter()
            .find(|d| d.id == decision.id)
            .or_else(|| before.decisions.iter().find(|d| d.slug == decision.slug));
        let event = match old {
            Some(old) if old.status != decision.status => {
                DecisionEvent::Changed { from: old.status }
            }
            Some(_) => continue,
            None if old_decision_ids.contains(decision.id.as_str())
                || before.reserved.decisions.contains(&decision.slug) =>
            {
                continue
            }
            None => DecisionEvent::New,
        };
        decisions.push(DecisionChange { decision, event });
    }
    let thread_changes = after
        .threads
        .iter()
        .filter_map(|thread| {
            let old = before.threads.iter().find(|t| t.id == thread.id)?;
            (old.status != thread.status).then_some(ThreadChange {
                thread,
                from: old.status,
            })
        })
        .collect();
    let digest = Digest {
        since,
        now,
        new_threads,
        replies,
        decisions,
        thread_changes,
        awaiting: None,
    };
    finish(digest)
}

/// The threads with replies that `is_new` accepts, each with those replies in reading order.
fn grouped<'a>(
    discussion: &'a Discussion,
    is_new: impl Fn(&Message) -> bool,
) -> Vec<ThreadReplies<'a>> {
    discussion
        .threads
        .iter()
        .filter_map(|thread| {
            let replies: Vec<&Message> = thread_order(thread)
                .into_iter()
                .map(|(m, _)| m)
                .filter(|m| is_new(m))
                .collect();
            (!replies.is_empty()).then_some(ThreadReplies { thread, replies })
        })
        .collect()
}

fn status_rank(status: DecisionStatus) -> u8 {
    match status {
        DecisionStatus::Proposed => 0,
        DecisionStatus::Accepted => 1,
        DecisionStatus::Rejected => 2,
        DecisionStatus::Withdrawn => 3,
        DecisionStatus::Superseded => 4,
    }
}

/// Puts every list of `digest` in its documented order.
fn finish(mut digest: Digest<'_>) -> Digest<'_> {
    digest
        .new_threads
        .sort_by(|a, b| (a.date.instant, &a.slug).cmp(&(b.date.instant, &b.slug)));
    let latest = |t: &ThreadReplies| t.replies.iter().map(|m| m.date.instant).max();
    digest.replies.sort_by(|a, b| {
        latest(b)
            .cmp(&latest(a))
            .then_with(|| a.thread.slug.cmp(&b.thread.slug))
    });
    digest.decisions.sort_by(|a, b| {
        (status_rank(a.decision.status), &a.decision.slug)
            .cmp(&(status_rank(b.decision.status), &b.decision.slug))
    });
    digest
        .thread_changes
        .sort_by(|a, b| a.thread.slug.cmp(&b.thread.slug));
    digest
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{decision, discussion, instant, reply, thread};
    use super::*;
    use crate::model::Who;

    fn before_and_after() -> (Discussion, Discussion) {
        let mut old = thread("standups", 1, "2026-11-20T09:00:00Z");
        old.replies
            .push(reply(2, "bo@example.org", "2026-11-21T09:00:00Z", None));
        let before = discussion(
            vec![old.clone()],
            vec![decision("written", 10, "standups", &["ana", "bo"])],
        );
        // After: a new reply dated in the future, a backdated one, a new thread, the
        // decision accepted, the old thread resolved, and a new decision.
        old.replies
            .push(reply(3, "chidi@example.org", "2026-11-25T09:00:00Z", None));
        old.replies
            .push(reply(4, "bo@example.org", "2026-11-19T09:00:00Z", None));
        old.status = ThreadStatus::Resolved;
        let mut fresh = thread("retro", 5, "2026-11-25T10:00:00Z");
        fresh
            .replies
            .push(reply(6, "ana@example.org", "2026-11-25T11:00:00Z", None));
        let mut accepted = decision("written", 10, "standups", &["ana", "bo"]);
        accepted.status = DecisionStatus::Accepted;
        let mut new_decision = decision("retro-format", 11, "retro", &["ana", "chidi"]);
        new_decision.date = Moment::parse("2026-11-25T12:00:00Z").expect("date");
        let after = discussion(vec![old, fresh], vec![accepted, new_decision]);
        (before, after)
    }

    use crate::model::Moment;

    #[test]
    fn between_two_versions_sees_backdated_replies_and_status_changes() {
        let (mut before, after) = before_and_after();
        before.reserved.replies.insert(
            "standups".into(),
            [super::super::fixture::id(2).as_str().to_owned()].into(),
        );
        before.reserved.threads.insert("standups".into());
        before.reserved.decisions.insert("written".into());
        let now = instant("2026-11-26T09:00:00Z");
        let chidi = Who::Person("chidi".into());
        let digest = between(
            &before,
            &after,
            Since::Revision {
                name: "HEAD~1".into(),
                commit: None,
            },
            now,
        );
        let listing = crate::read::listing::Listing::of_discussion(&after, 0);
        let digest = digest.with_awaiting(crate::read::inbox::awaiting(
            &listing,
            &chidi,
            now,
            &Default::default(),
        ));
        assert_eq!(
            digest
                .new_threads
                .iter()
                .map(|t| t.slug.as_str())
                .collect::<Vec<_>>(),
            ["retro"]
        );
        let replies: Vec<(&str, usize)> = digest
            .replies
            .iter()
            .map(|t| (t.thread.slug.as_str(), t.replies.len()))
            .collect();
        assert_eq!(
            replies,
            [("retro", 1), ("standups", 2)],
            "latest first; backdated counted"
        );
        let decisions: Vec<(&str, DecisionEvent)> = digest
            .decisions
            .iter()
            .map(|d| (d.decision.slug.as_str(), d.event))
            .collect();
        assert_eq!(
            decisions,
            [
                ("retro-format", DecisionEvent::New),
                (
                    "written",
                    DecisionEvent::Changed {
                        from: DecisionStatus::Proposed
                    }
                )
            ]
        );
        assert_eq!(digest.thread_changes.len(), 1);
        assert_eq!(digest.thread_changes[0].from, ThreadStatus::Open);
        let awaiting = digest.awaiting.expect("chidi named");
        assert_eq!(awaiting.votes.len(), 1, "chidi owes a vote on retro-format");
        assert_eq!(awaiting.votes[0].decision.slug, "retro-format");
    }

    #[test]
    fn since_an_instant_goes_by_the_dates_written_in_the_files() {
        let (_, after) = before_and_after();
        let digest = since_instant(
            &after,
            instant("2026-11-24T00:00:00Z"),
            instant("2026-11-26T09:00:00Z"),
        );
        assert_eq!(digest.new_threads.len(), 1);
        assert_eq!(
            digest.reply_count(),
            2,
            "the backdated reply is not seen by date"
        );
        // Decisions by their date: `written` (2026-11-24T10:00Z) and `retro-format`.
        assert_eq!(digest.decisions.len(), 2);
        assert!(
            digest.thread_changes.is_empty(),
            "no dates for status changes"
        );
        assert!(digest.awaiting.is_none());
        let quiet = since_instant(
            &after,
            instant("2026-12-01T00:00:00Z"),
            instant("2026-12-01T00:00:00Z"),
        );
        assert!(quiet.is_quiet());
    }

    #[test]
    fn since_reads_timestamps_dates_in_the_reader_zone_and_spans() {
        let now = instant("2026-11-26T09:00:00Z");
        let berlin = TimeZone::get("Europe/Berlin").expect("zone");
        assert_eq!(
            parse_since("2026-11-24T10:00:00-03:00", now, &berlin),
            Some(instant("2026-11-24T13:00:00Z"))
        );
        assert_eq!(
            parse_since("2026-11-24", now, &berlin),
            Some(instant("2026-11-23T23:00:00Z"))
        );
        assert_eq!(
            parse_since("7d", now, &berlin),
            Some(instant("2026-11-19T09:00:00Z"))
        );
        assert_eq!(
            parse_since("24h", now, &berlin),
            Some(instant("2026-11-25T09:00:00Z"))
        );
        assert_eq!(parse_since("main~3", now, &berlin), None);
    }
}
