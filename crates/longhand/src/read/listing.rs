//! What `longhand list` and `longhand inbox` need of every thread, without bodies or
//! replies: the thread's header fields, its reply count, last activity and `awaiting` (with
//! who has replied), each author's latest message, the messages that mention someone of the
//! roster, and how many files could not be read. Small enough to keep in a cache (`crate::cache`), and turned into
//! [`Summary`]s at the instant of printing, so nothing that depends on the time is ever kept.

use jiff::Timestamp;

use std::collections::BTreeMap;

use super::inbox::mentions_handle;
use super::summary::{is_overdue, sort, summarize, Awaited, Filter, Summary};
use super::Who;
use crate::model::{Author, Config, Decision, Discussion, Id, Message, Moment, Origin, Thread};
use crate::{Loaded, Severity};

/// Every readable thread of a discussion, as `list` shows it, plus the roster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listing {
    /// The roster and policy of `longhand.yaml`, when it could be read.
    pub config: Option<Config>,
    /// One entry per readable thread, in directory order.
    pub threads: Vec<Entry>,
    /// The readable decisions, without their bodies and unknown keys: what the votes a
    /// person owes are derived from (`super::inbox::awaiting`).
    pub decisions: Vec<Decision>,
    /// How many problems of error severity loading found: files, or parts of files, that
    /// were left out (what `list` warns about on standard error).
    pub errors: usize,
}

/// One thread of a [`Listing`].
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The thread's header: every field of `thread.md` but its body, unknown keys and
    /// origin, which are left empty; no replies.
    pub thread: Thread,
    /// How many replies could be read.
    pub replies: usize,
    /// The latest date of the opening post and its replies.
    pub last_activity: Moment,
    /// The thread's `awaiting`, with who has replied.
    pub awaiting: Vec<Awaited>,
    /// Each author of the opening post and the replies (as the roster identifies them), with
    /// the date of their latest message (the last in file order of equal instants), by author.
    pub latest: Vec<(Who, Moment)>,
    /// The messages that mention someone of the roster (`@handle`), opening post first, then
    /// replies in file order.
    pub mentions: Vec<Mentioning>,
    /// The replies that carry a vote, in the model's order, without their bodies: what a
    /// decision's tally counts.
    pub votes: Vec<Message>,
}

/// A message that mentions people of the roster.
#[derive(Clone, Debug, PartialEq)]
pub struct Mentioning {
    /// Who wrote it.
    pub author: Author,
    /// The message's id (the thread's id for the opening post).
    pub message: Id,
    /// When it was written.
    pub date: Moment,
    /// The handles it mentions (see [`mentions_handle`]), in roster order.
    pub handles: Vec<String>,
}

impl Listing {
    /// The listing of what loading produced.
    pub fn of(loaded: &Loaded) -> Listing {
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        Listing::of_discussion(&loaded.discussion, errors)
    }

    /// The listing of a model, with the number of errors loading it found.
    pub fn of_discussion(discussion: &Discussion, errors: usize) -> Listing {
        let config = discussion.config.as_ref();
        let handles: Vec<&str> = config
            .map(|c| c.people.values().map(|p| p.handle.as_str()).collect())
            .unwrap_or_default();
        let threads = discussion
            .threads
            .iter()
            .map(|thread| {
                // The instant only decides `overdue`, which is not kept.
                let summary = summarize(discussion, thread, Timestamp::UNIX_EPOCH);
                let messages = super::messages(thread);
                let mut latest: BTreeMap<Who, &Moment> = BTreeMap::new();
                let mut mentions = Vec::new();
                for (author, id, date, body) in messages {
                    let who = Who::of_email(config, &author.email);
                    let later = latest
                        .get(&who)
                        .is_none_or(|seen| date.instant >= seen.instant);
                    if later {
                        latest.insert(who, date);
                    }
                    let mentioned: Vec<String> = if body.contains('@') {
                        handles
                            .iter()
                            .filter(|h| body.contains(&format!("@{h}")) && mentions_handle(body, h))
                            .map(|h| (*h).to_owned())
                            .collect()
                    } else {
                        Vec::new()
                    };
                    if !mentioned.is_empty() {
                        mentions.push(Mentioning {
                            author: author.clone(),
                            message: id.clone(),
                            date: date.clone(),
                            handles: mentioned,
                        });
                    }
                }
                Entry {
                    thread: header(thread),
                    replies: summary.replies,
                    last_activity: summary.last_activity.clone(),
                    awaiting: summary.awaiting,
                    latest: latest.into_iter().map(|(w, m)| (w, m.clone())).collect(),
                    mentions,
                    votes: thread
                        .replies
                        .iter()
                        .filter(|m| m.vote.is_some())
                        .map(vote_only)
                        .collect(),
                }
            })
            .collect();
        Listing {
            config: discussion.config.clone(),
            threads,
            decisions: discussion.decisions.iter().map(decision_header).collect(),
            errors,
        }
    }

    /// The summaries of the threads that pass `filter` at `now`, ordered as
    /// [`super::summary::summaries`] orders them.
    pub fn summaries(&self, filter: &Filter, now: Timestamp) -> Vec<Summary<'_>> {
        let mut summaries: Vec<Summary<'_>> = self
            .threads
            .iter()
            .filter(|e| filter.matches(&e.thread))
            .map(|e| summary_of(e, now))
            .collect();
        sort(&mut summaries);
        summaries
    }
}

/// The summary of an entry at `now`.
pub(crate) fn summary_of(e: &Entry, now: Timestamp) -> Summary<'_> {
    Summary {
        thread: &e.thread,
        replies: e.replies,
        last_activity: &e.last_activity,
        awaiting: e.awaiting.clone(),
        overdue: is_overdue(&e.thread, &e.awaiting, now),
    }
}

/// A reply carrying a vote, without what a tally does not read (body, attachments, origin).
fn vote_only(m: &Message) -> Message {
    Message {
        id: m.id.clone(),
        stem: m.stem.clone(),
        author: m.author.clone(),
        date: m.date.clone(),
        reply_to: None,
        vote: m.vote,
        vote_on: m.vote_on.clone(),
        edited: None,
        redaction: None,
        body: String::new(),
        body_line: 0,
        extra: Vec::new(),
        origin: Origin::default(),
        attachments: Vec::new(),
        signature: None,
    }
}

/// What a listing keeps of a decision: slug, id, title, status, date, deciders, thread,
/// review deadline, supersession and `decided`; no author, body, unknown keys or origin.
fn decision_header(d: &Decision) -> Decision {
    let mut kept = Decision::new(
        d.slug.clone(),
        d.id.clone(),
        d.title.clone(),
        d.status,
        d.date.clone(),
    );
    kept.deciders = d.deciders.clone();
    kept.thread = d.thread.clone();
    kept.review_by = d.review_by.clone();
    kept.supersedes = d.supersedes.clone();
    kept.superseded_by = d.superseded_by.clone();
    kept.decided = d.decided.clone();
    kept
}

/// A thread without its body, unknown keys, origin and replies.
fn header(thread: &Thread) -> Thread {
    Thread {
        slug: thread.slug.clone(),
        id: thread.id.clone(),
        title: thread.title.clone(),
        author: thread.author.clone(),
        date: thread.date.clone(),
        status: thread.status,
        tags: thread.tags.clone(),
        awaiting: thread.awaiting.clone(),
        respond_by: thread.respond_by.clone(),
        decision: thread.decision.clone(),
        merged_into: thread.merged_into.clone(),
        body: String::new(),
        body_line: 0,
        extra: Vec::new(),
        signature: None,
        origin: Origin::default(),
        replies: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Deadline, ThreadStatus};
    use crate::read::fixture::{discussion, instant, reply, thread};
    use crate::read::summary::summaries;

    #[test]
    fn a_listing_summarizes_exactly_like_the_model_at_any_instant() {
        let mut a = thread("a", 1, "2026-11-20T09:00:00Z");
        a.awaiting = vec!["bo".into(), "chidi".into()];
        a.respond_by = Deadline::parse("2026-11-29");
        a.replies = vec![reply(
            10,
            "bo@example.org",
            "2026-11-21T09:00:00.5+02:00",
            None,
        )];
        let mut b = thread("b", 2, "2026-11-21T09:00:00Z");
        b.status = ThreadStatus::Resolved;
        b.tags = vec!["process".into()];
        let d = discussion(vec![a, b], vec![]);
        let listing = Listing::of_discussion(&d, 0);
        for now in ["2026-11-25T00:00:00Z", "2026-12-25T00:00:00Z"] {
            for filter in [
                Filter::default(),
                Filter {
                    tag: Some("process".into()),
                    ..Filter::default()
                },
            ] {
                let from_model = summaries(&d, &filter, instant(now));
                let from_listing = listing.summaries(&filter, instant(now));
                assert_eq!(from_model.len(), from_listing.len());
                for (m, l) in from_model.iter().zip(&from_listing) {
                    assert_eq!(m.thread.slug, l.thread.slug);
                    assert_eq!(
                        (m.replies, m.last_activity, &m.awaiting, m.overdue),
                        (l.replies, l.last_activity, &l.awaiting, l.overdue)
                    );
                }
            }
        }
    }
}
