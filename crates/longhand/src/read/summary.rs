//! One summary per thread — what `longhand list` shows: status, reply count, last activity,
//! who is awaited and by when, and whether that deadline has passed.

use jiff::Timestamp;

use super::Who;
use crate::model::{Discussion, Moment, Thread, ThreadStatus};

/// Which threads to summarize. The default selects every thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only threads with this status.
    pub status: Option<ThreadStatus>,
    /// Only threads carrying this tag.
    pub tag: Option<String>,
}

impl Filter {
    /// Whether `thread` passes the filter.
    pub fn matches(&self, thread: &Thread) -> bool {
        self.status.is_none_or(|s| s == thread.status)
            && self
                .tag
                .as_ref()
                .is_none_or(|tag| thread.tags.iter().any(|t| t == tag))
    }
}

/// One entry of a thread's `awaiting`, and whether that person has answered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Awaited {
    /// The entry as written: a handle or an email.
    pub reference: String,
    /// Whom it denotes; `None` for a handle the roster does not define.
    pub who: Option<Who>,
    /// Whether they answered after being asked ([`answered`]): a reply of theirs in the thread
    /// that comes after the message that last asked them, by date and then by id. Derived from the files alone: the
    /// header records no date for an `awaiting` entry.
    pub replied: bool,
}

/// When `who` was last asked in `thread`, as the files say it: the thread's `date` (the
/// opening post, with `awaiting`), or the latest message by someone else that mentions them
/// (`@handle`), whichever is later. The header records no date for an `awaiting` entry, so
/// an entry added later by an edit counts from the latest of these; asking again is writing
/// a message that mentions them.
pub fn asked_at(discussion: &Discussion, thread: &Thread, who: &Who) -> Timestamp {
    asked(discussion, thread, who).0
}

/// The message that last asked `who` ([`asked_at`]), as its date and id: messages are
/// ordered by date, then by id (ids are ULIDs, which grow with the time they were made), so
/// a reply written in the same second as the question still comes after it.
fn asked<'t>(discussion: &Discussion, thread: &'t Thread, who: &Who) -> (Timestamp, &'t str) {
    let config = discussion.config.as_ref();
    let mut asked = (thread.date.instant, thread.id.as_str());
    if let Some(handle) = who.handle() {
        for (author, id, date, body) in super::messages(thread) {
            if (date.instant, id.as_str()) > asked
                && Who::of_email(config, &author.email) != *who
                && body.contains('@')
                && super::inbox::mentions_handle(body, handle)
            {
                asked = (date.instant, id.as_str());
            }
        }
    }
    asked
}

/// Whether `who` answered in `thread` after being asked ([`asked_at`]): they wrote a reply
/// that comes after the asking message, by date and then by id.
pub fn answered(discussion: &Discussion, thread: &Thread, who: &Who) -> bool {
    let config = discussion.config.as_ref();
    let asked = asked(discussion, thread, who);
    thread.replies.iter().any(|m| {
        (m.date.instant, m.id.as_str()) > asked && Who::of_email(config, &m.author.email) == *who
    })
}

/// What a reader sees of a thread before opening it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Summary<'a> {
    /// The thread (slug, title, status, tags, respond-by, …).
    pub thread: &'a Thread,
    /// How many replies could be read.
    pub replies: usize,
    /// The latest date of the opening post and its replies, as its author wrote it.
    pub last_activity: &'a Moment,
    /// The thread's `awaiting`, in order.
    pub awaiting: Vec<Awaited>,
    /// Whether the thread is open, its `respond-by` has passed, and someone it awaits has not
    /// answered (or it awaits no one in particular): see [`is_overdue`].
    pub overdue: bool,
}

/// The summary of one thread at `now`.
pub fn summarize<'a>(discussion: &Discussion, thread: &'a Thread, now: Timestamp) -> Summary<'a> {
    let config = discussion.config.as_ref();
    let awaiting: Vec<Awaited> = thread
        .awaiting
        .iter()
        .map(|reference| {
            let who = Who::of_reference(config, reference);
            let replied = who
                .as_ref()
                .is_some_and(|who| answered(discussion, thread, who));
            Awaited {
                reference: reference.clone(),
                who,
                replied,
            }
        })
        .collect();
    Summary {
        thread,
        replies: thread.replies.len(),
        last_activity: last_activity(thread),
        overdue: is_overdue(thread, &awaiting, now),
        awaiting,
    }
}

/// The threads that pass `filter`, most recently active first; equal activity by slug.
pub fn summaries<'a>(
    discussion: &'a Discussion,
    filter: &Filter,
    now: Timestamp,
) -> Vec<Summary<'a>> {
    let mut summaries: Vec<Summary<'a>> = discussion
        .threads
        .iter()
        .filter(|t| filter.matches(t))
        .map(|t| summarize(discussion, t, now))
        .collect();
    sort(&mut summaries);
    summaries
}

/// Orders summaries as `list` shows them: most recently active first; equal activity by slug.
pub fn sort(summaries: &mut [Summary<'_>]) {
    summaries.sort_by(|a, b| {
        b.last_activity
            .instant
            .cmp(&a.last_activity.instant)
            .then_with(|| a.thread.slug.cmp(&b.thread.slug))
    });
}

/// The latest date of the opening post and the replies, compared as instants (the first of
/// equal instants, in file order).
pub fn last_activity(thread: &Thread) -> &Moment {
    thread
        .replies
        .iter()
        .map(|m| &m.date)
        .fold(&thread.date, |latest, date| {
            if date.instant > latest.instant {
                date
            } else {
                latest
            }
        })
}

/// Whether an open thread's `respond-by` has passed at `now` with an answer still missing:
/// someone of `awaiting` has not answered, or it awaits no one in particular. Resolved and
/// closed threads are never overdue, nor is a thread whose awaited people have all answered.
pub fn is_overdue(thread: &Thread, awaiting: &[Awaited], now: Timestamp) -> bool {
    thread.status == ThreadStatus::Open
        && thread
            .respond_by
            .as_ref()
            .is_some_and(|deadline| now > deadline.instant())
        && (awaiting.is_empty() || awaiting.iter().any(|a| !a.replied))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Deadline;
    use crate::read::fixture::{discussion, instant, reply, thread};

    const NOW: &str = "2026-11-30T00:00:00Z";

    fn slugs(summaries: &[Summary]) -> Vec<String> {
        summaries.iter().map(|s| s.thread.slug.clone()).collect()
    }

    #[test]
    fn threads_are_sorted_by_last_activity_newest_first_then_by_slug() {
        let mut quiet = thread("quiet", 1, "2026-11-20T09:00:00Z");
        quiet.replies = vec![reply(10, "bo@example.org", "2026-11-21T09:00:00Z", None)];
        // Opened earlier, but a reply in the author's own offset makes it the most recent.
        let mut busy = thread("busy", 2, "2026-11-01T09:00:00Z");
        busy.replies = vec![
            reply(11, "bo@example.org", "2026-11-25T09:00:00-05:00", None),
            reply(12, "bo@example.org", "2026-11-25T12:00:00Z", None),
        ];
        let tie_b = thread("tie-b", 3, "2026-11-22T09:00:00Z");
        let tie_a = thread("tie-a", 4, "2026-11-22T10:00:00+01:00");
        let d = discussion(vec![quiet, tie_b, busy, tie_a], vec![]);
        let all = summaries(&d, &Filter::default(), instant(NOW));
        assert_eq!(slugs(&all), ["busy", "tie-a", "tie-b", "quiet"]);
        assert_eq!(all[0].replies, 2);
        assert_eq!(
            all[0].last_activity.to_string(),
            "2026-11-25T09:00:00-05:00"
        );
    }

    #[test]
    fn filters_select_by_status_and_by_tag() {
        let mut a = thread("a", 1, "2026-11-20T09:00:00Z");
        a.tags = vec!["process".into(), "meetings".into()];
        let mut b = thread("b", 2, "2026-11-21T09:00:00Z");
        b.status = ThreadStatus::Resolved;
        b.tags = vec!["process".into()];
        let d = discussion(vec![a, b], vec![]);
        let now = instant(NOW);
        let by_tag = Filter {
            tag: Some("process".into()),
            ..Filter::default()
        };
        assert_eq!(slugs(&summaries(&d, &by_tag, now)), ["b", "a"]);
        let open = Filter {
            status: Some(ThreadStatus::Open),
            ..Filter::default()
        };
        assert_eq!(slugs(&summaries(&d, &open, now)), ["a"]);
        let none = Filter {
            tag: Some("meetings".into()),
            status: Some(ThreadStatus::Resolved),
        };
        assert!(summaries(&d, &none, now).is_empty());
    }

    #[test]
    fn an_open_thread_is_overdue_once_respond_by_has_passed() {
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.respond_by = Deadline::parse("2026-11-29");
        // The end of 29 November anywhere on Earth is 30 November 11:59:59Z.
        assert!(!is_overdue(&t, &[], instant("2026-11-30T11:59:59Z")));
        assert!(is_overdue(&t, &[], instant("2026-11-30T12:00:00Z")));
        t.status = ThreadStatus::Resolved;
        assert!(!is_overdue(&t, &[], instant("2026-12-30T00:00:00Z")));
        t.respond_by = None;
        t.status = ThreadStatus::Open;
        assert!(!is_overdue(&t, &[], instant("2026-12-30T00:00:00Z")));
    }

    #[test]
    fn awaited_people_are_marked_when_they_have_replied() {
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.awaiting = vec!["bo".into(), "chidi".into(), "ops@example.org".into()];
        t.replies = vec![reply(
            10,
            "bo@users.noreply.example",
            "2026-11-21T09:00:00Z",
            None,
        )];
        let d = discussion(vec![t], vec![]);
        let summary = summarize(&d, &d.threads[0], instant(NOW));
        let replied: Vec<(&str, bool)> = summary
            .awaiting
            .iter()
            .map(|a| (a.reference.as_str(), a.replied))
            .collect();
        assert_eq!(
            replied,
            [("bo", true), ("chidi", false), ("ops@example.org", false)]
        );
    }

    #[test]
    fn an_answer_counts_only_after_the_latest_time_of_being_asked() {
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.awaiting = vec!["bo".into()];
        t.respond_by = Deadline::parse("2026-11-25T00:00:00Z");
        // Bo wrote before the thread's own date (a skewed clock): not an answer.
        let early = reply(10, "bo@example.org", "2026-11-19T09:00:00Z", None);
        t.replies = vec![early];
        let now = instant(NOW);
        let d = discussion(vec![t.clone()], vec![]);
        let s = summarize(&d, &d.threads[0], now);
        assert!(!s.awaiting[0].replied && s.overdue);
        // An answer after the opening post: answered, and no longer overdue.
        t.replies
            .push(reply(11, "bo@example.org", "2026-11-21T09:00:00Z", None));
        let d = discussion(vec![t.clone()], vec![]);
        let s = summarize(&d, &d.threads[0], now);
        assert!(s.awaiting[0].replied && !s.overdue);
        // Asked again by a mention: the earlier answer no longer counts.
        let mut again = reply(12, "ana@example.org", "2026-11-22T09:00:00Z", None);
        again.body = "One more question, @bo.\n".into();
        t.replies.push(again);
        let d = discussion(vec![t.clone()], vec![]);
        let s = summarize(&d, &d.threads[0], now);
        assert!(!s.awaiting[0].replied && s.overdue);
        // Bo mentioning themselves is not being asked.
        let mut own = reply(13, "bo@example.org", "2026-11-23T09:00:00Z", None);
        own.body = "As @bo I answer.\n".into();
        t.replies.push(own);
        let d = discussion(vec![t], vec![]);
        let s = summarize(&d, &d.threads[0], now);
        assert!(s.awaiting[0].replied && !s.overdue);
    }
}
