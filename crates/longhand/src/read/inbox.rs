//! What awaits a person — the one derivation behind `longhand inbox` and the "waiting for you"
//! section of `longhand digest`, so that the two never disagree ([`awaiting`]):
//!
//! - the open threads that list them in `awaiting` and that they have not answered since
//!   being asked (see [`super::summary::answered`]), or that mention them (`@handle`) in a
//!   message newer than their own latest message there;
//! - the proposed decisions where they are a decider without a counted vote, by review
//!   deadline.
//!
//! Each item has a stable id a person can type (`thread/<slug>`, `decision/<slug>`) and a
//! fingerprint of what it shows; a personal "done" mark ([`Done`]) hides an item until its
//! fingerprint changes — a new message, an edit of the header, a status change. Items whose
//! deadline has passed come first; a deadline within [`SOON`] of the reader's instant is
//! "due soon".
//!
//! A mention is `@handle` in the text of a body; code spans, code blocks and link destinations
//! do not mention anyone, and neither does an email address such as `ana@example.org`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use super::listing::{Entry, Listing};
use super::summary::Summary;
use super::tally::review;
use crate::document::markdown_options;
use crate::model::Who;
use crate::model::{
    is_handle, Author, Decision, DecisionStatus, Discussion, Id, Moment, ThreadStatus,
};

/// How close a deadline must be to be "due soon": 24 hours.
pub const SOON: SignedDuration = SignedDuration::from_hours(24);

/// Where an item stands against its deadline at the reader's instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Due {
    /// The deadline has passed.
    Overdue,
    /// The deadline is within [`SOON`].
    Soon,
    /// The deadline is further away.
    Later,
    /// No deadline concerns the reader.
    Undated,
}

impl Due {
    /// Where `deadline` stands at `now`: overdue once `now` is past it, due soon within
    /// [`SOON`] of it.
    pub fn of(deadline: Option<Timestamp>, now: Timestamp) -> Due {
        match deadline {
            None => Due::Undated,
            Some(deadline) if now > deadline => Due::Overdue,
            Some(deadline) if deadline.duration_since(now) <= SOON => Due::Soon,
            Some(_) => Due::Later,
        }
    }

    /// The word a reader sees: `overdue`, `due soon`, or nothing.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Due::Overdue => Some("overdue"),
            Due::Soon => Some("due soon"),
            Due::Later | Due::Undated => None,
        }
    }
}

/// A message that mentions the person.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Mention<'a> {
    /// Who wrote it.
    pub by: &'a Author,
    /// The message's id (the thread's id for the opening post).
    pub message: &'a Id,
    /// When it was written.
    pub date: &'a Moment,
}

/// One thread in a person's inbox, and why it is there.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Item<'a> {
    /// The item's id: `thread/<slug>`.
    pub id: String,
    /// The thread's summary: deadline, last activity, awaiting.
    pub summary: Summary<'a>,
    /// The thread's `awaiting` names the person and they have not answered since being asked.
    pub awaited: bool,
    /// Messages mentioning the person since their own latest message, earliest first.
    pub mentions: Vec<Mention<'a>>,
    /// The person's own latest message in the thread, if any.
    pub own_latest: Option<&'a Moment>,
    /// The `respond-by` deadline against the reader's instant, when their answer is awaited;
    /// [`Due::Undated`] for a thread that only mentions them.
    pub due: Due,
    /// A fingerprint of what the item shows (activity, header); a done mark holds while it
    /// is the same.
    pub fingerprint: u64,
}

/// A proposed decision waiting for a decider's vote.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VoteAwaited<'a> {
    /// The item's id: `decision/<slug>`.
    pub id: String,
    /// The decision.
    pub decision: &'a Decision,
    /// Its review deadline.
    pub deadline: Timestamp,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// The deadline against the reader's instant.
    pub due: Due,
    /// A fingerprint of what the item shows (the decision, its thread's activity).
    pub fingerprint: u64,
}

/// What awaits one person: the threads of their inbox, and the votes they owe.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Awaiting<'a> {
    /// The person.
    pub who: Who,
    /// Threads that await them or mention them, overdue first, then by deadline, then most
    /// recently active first, then by slug.
    pub threads: Vec<Item<'a>>,
    /// Proposed decisions where they are a decider and have not voted, earliest deadline first.
    pub votes: Vec<VoteAwaited<'a>>,
    /// The ids of items hidden by a done mark that still holds, sorted.
    pub done: Vec<String>,
}

impl Awaiting<'_> {
    /// How many items wait (done ones not counted).
    pub fn len(&self) -> usize {
        self.threads.len() + self.votes.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every item's id and fingerprint, threads first: what a done mark records.
    pub fn fingerprints(&self) -> Vec<(&str, u64)> {
        self.threads
            .iter()
            .map(|i| (i.id.as_str(), i.fingerprint))
            .chain(self.votes.iter().map(|v| (v.id.as_str(), v.fingerprint)))
            .collect()
    }
}

/// A person's done marks: item id → the fingerprint the item had when marked. Plain data;
/// where it is kept is the caller's business (the command keeps it in the clone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Done {
    /// The marks, by item id.
    pub marks: BTreeMap<String, u64>,
}

impl Done {
    /// Whether the mark on `id` still holds for an item with `fingerprint`.
    pub fn holds(&self, id: &str, fingerprint: u64) -> bool {
        self.marks.get(id) == Some(&fingerprint)
    }
}

/// The id of a thread's item.
pub fn thread_item_id(slug: &str) -> String {
    format!("thread/{slug}")
}

/// The id of a decision's item.
pub fn decision_item_id(slug: &str) -> String {
    format!("decision/{slug}")
}

/// What awaits `who` at `now` in `listing`, without the items `done` marks (while their marks
/// hold). The one derivation of `inbox` and of the digest's "waiting" section: both call it,
/// the digest with [`Listing::of_discussion`] of the discussion it reads.
pub fn awaiting<'a>(listing: &'a Listing, who: &Who, now: Timestamp, done: &Done) -> Awaiting<'a> {
    let config = listing.config.as_ref();
    let mut hidden = Vec::new();
    let mut threads: Vec<Item<'a>> = Vec::new();
    for entry in listing
        .threads
        .iter()
        .filter(|e| e.thread.status == ThreadStatus::Open)
    {
        let Some(item) = item(entry, config, who, now) else {
            continue;
        };
        if done.holds(&item.id, item.fingerprint) {
            hidden.push(item.id);
        } else {
            threads.push(item);
        }
    }
    sort(&mut threads);
    let mut votes = Vec::new();
    for vote in votes_owed(listing, who, now) {
        if done.holds(&vote.id, vote.fingerprint) {
            hidden.push(vote.id);
        } else {
            votes.push(vote);
        }
    }
    hidden.sort();
    Awaiting {
        who: who.clone(),
        threads,
        votes,
        done: hidden,
    }
}

/// Orders inbox items: overdue first, then by `respond-by` (earliest first, none last), then
/// most recently active first, then slug.
pub fn sort<'a>(items: &mut [Item<'a>]) {
    items.sort_by(|a, b| {
        let key = |i: &Item<'a>| {
            let deadline = i.summary.thread.respond_by.as_ref().map(|d| d.instant());
            (i.due != Due::Overdue, deadline.is_none(), deadline)
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| {
                b.summary
                    .last_activity
                    .instant
                    .cmp(&a.summary.last_activity.instant)
            })
            .then_with(|| a.summary.thread.slug.cmp(&b.summary.thread.slug))
    });
}

fn fingerprint(text: &str) -> u64 {
    crate::store::fnv1a(text.as_bytes())
}

/// What a thread shows, for its fingerprint: activity and the header fields that matter.
fn thread_state(entry: &Entry) -> String {
    let t = &entry.thread;
    format!(
        "{}|{}|{}|{}|{:?}|{:?}",
        entry.last_activity.instant,
        entry.replies,
        t.status.as_str(),
        t.awaiting.join(","),
        t.respond_by.as_ref().map(|d| d.instant()),
        t.title
    )
}

fn item<'a>(
    entry: &'a Entry,
    config: Option<&crate::model::Config>,
    who: &Who,
    now: Timestamp,
) -> Option<Item<'a>> {
    let summary = super::listing::summary_of(entry, now);
    let awaited = summary
        .awaiting
        .iter()
        .any(|a| a.who.as_ref() == Some(who) && !a.replied);
    let own_latest = entry.latest.iter().find(|(w, _)| w == who).map(|(_, m)| m);
    let mut mentions: Vec<Mention<'a>> = match who.handle() {
        Some(handle) => entry
            .mentions
            .iter()
            .filter(|m| {
                m.handles.iter().any(|h| h == handle)
                    && Who::of_email(config, &m.author.email) != *who
                    && own_latest.is_none_or(|own| m.date.instant > own.instant)
            })
            .map(|m| Mention {
                by: &m.author,
                message: &m.message,
                date: &m.date,
            })
            .collect(),
        None => Vec::new(),
    };
    if !awaited && mentions.is_empty() {
        return None;
    }
    mentions.sort_by(|a, b| (a.date.instant, a.message).cmp(&(b.date.instant, b.message)));
    let deadline = entry.thread.respond_by.as_ref().map(|d| d.instant());
    let due = if awaited {
        Due::of(deadline, now)
    } else {
        Due::Undated
    };
    Some(Item {
        id: thread_item_id(&entry.thread.slug),
        fingerprint: fingerprint(&thread_state(entry)),
        summary,
        awaited,
        mentions,
        own_latest,
        due,
    })
}

/// The proposed decisions of `listing` where `who` is a decider without a counted vote, by
/// deadline then slug. The tally is [`review`]'s, over a model of the decisions and of the
/// votes of the threads they name (a [`Listing`] keeps both).
fn votes_owed<'a>(listing: &'a Listing, who: &Who, now: Timestamp) -> Vec<VoteAwaited<'a>> {
    let config = listing.config.as_ref();
    let pending: Vec<usize> = listing
        .decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.status == DecisionStatus::Proposed)
        .filter(|(_, d)| {
            d.deciders
                .iter()
                .any(|r| Who::of_reference(config, r).as_ref() == Some(who))
        })
        .map(|(i, _)| i)
        .collect();
    if pending.is_empty() {
        return Vec::new();
    }
    let named: BTreeSet<&str> = pending
        .iter()
        .filter_map(|i| listing.decisions[*i].thread.as_deref())
        .collect();
    let entries: Vec<&Entry> = listing
        .threads
        .iter()
        .filter(|e| named.contains(e.thread.slug.as_str()) || named.contains(e.thread.id.as_str()))
        .collect();
    let model = Discussion {
        config: listing.config.clone(),
        threads: entries
            .iter()
            .map(|e| {
                let mut thread = e.thread.clone();
                thread.replies = e.votes.clone();
                thread
            })
            .collect(),
        decisions: listing.decisions.clone(),
        ..Discussion::default()
    };
    let mut votes: Vec<VoteAwaited<'a>> = pending
        .into_iter()
        .filter_map(|index| {
            let decision = &listing.decisions[index];
            let review = review(&model, &model.decisions[index], now);
            let owed = review
                .tally
                .deciders
                .iter()
                .any(|d| d.decider == *who && d.ballot.is_none());
            if !owed {
                return None;
            }
            let activity = decision.thread.as_deref().and_then(|r| {
                entries
                    .iter()
                    .find(|e| e.thread.id.as_str() == r)
                    .or_else(|| entries.iter().find(|e| e.thread.slug == r))
            });
            let state = format!(
                "{}|{}|{}|{}|{}",
                decision.status.as_str(),
                review.deadline,
                decision.deciders.join(","),
                decision.title,
                activity.map(|e| thread_state(e)).unwrap_or_default()
            );
            Some(VoteAwaited {
                id: decision_item_id(&decision.slug),
                decision,
                deadline: review.deadline,
                overdue: now > review.deadline,
                due: Due::of(Some(review.deadline), now),
                fingerprint: fingerprint(&state),
            })
        })
        .collect();
    votes.sort_by(|a, b| (a.deadline, &a.decision.slug).cmp(&(b.deadline, &b.decision.slug)));
    votes
}

/// Whether the text of a Markdown body mentions `@handle`.
///
/// The `@` must not follow a letter, digit or one of `.`, `_`, `-`, `+` (so emails do not count),
/// and the handle must end there: `@ana.` at the end of a sentence mentions `ana`, `@anabel`
/// does not.
///
/// ```
/// use longhand::read::inbox::mentions_handle;
/// assert!(mentions_handle("Thoughts, @ana?", "ana"));
/// assert!(!mentions_handle("mail ana@example.org or `@ana`", "ana"));
/// ```
pub fn mentions_handle(body: &str, handle: &str) -> bool {
    if !is_handle(handle) {
        return false;
    }
    // Consecutive text events are joined: the parser may split one run of text in several.
    let mut text = String::new();
    let mut in_code_block = false;
    // The text of `<https://…/@bo>` is the address itself: not a mention.
    let mut in_autolink = false;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            }) => in_autolink = true,
            Event::End(TagEnd::Link) => in_autolink = false,
            Event::Text(_) if in_code_block || in_autolink => {}
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {
                if mentions_in_text(&text, handle) {
                    return true;
                }
                text.clear();
            }
        }
    }
    mentions_in_text(&text, handle)
}

fn mentions_in_text(text: &str, handle: &str) -> bool {
    let needle = format!("@{handle}");
    text.match_indices(&needle).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let starts_word = !before.is_some_and(|c| c.is_alphanumeric() || "._-+".contains(c));
        // The handle ends unless a letter or digit follows, possibly after `.`, `_` or `-`:
        // `@ana.` ends a sentence, `@ana.lima` is another handle.
        let rest = text[start + needle.len()..].trim_start_matches(['.', '_', '-']);
        let ends_handle = !rest.starts_with(char::is_alphanumeric);
        starts_word && ends_handle
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Deadline;
    use crate::read::fixture::{discussion, id, instant, reply, thread};

    const NOW: &str = "2026-11-30T00:00:00Z";

    fn bo() -> Who {
        Who::Person("bo".into())
    }

    fn slugs(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| i.summary.thread.slug.clone())
            .collect()
    }

    #[test]
    fn mentions_are_whole_handles_in_text_not_in_code_or_emails() {
        assert!(mentions_handle("@bo what do you think?", "bo"));
        assert!(mentions_handle("Over to you (@bo).", "bo"));
        assert!(mentions_handle("Thanks @bo.", "bo"));
        assert!(mentions_handle("- [ ] ask **@bo**", "bo"));
        assert!(mentions_handle("cc @bo\n", "bo"));
        assert!(!mentions_handle("@bob", "bo"));
        assert!(!mentions_handle("@bo.chen", "bo"));
        assert!(!mentions_handle("@bo-team", "bo"));
        assert!(!mentions_handle("write to jo@bo.example", "bo"));
        assert!(!mentions_handle("mail bo@example.org", "bo"));
        assert!(!mentions_handle("`@bo` is a handle", "bo"));
        assert!(!mentions_handle("    @bo in a code block\n", "bo"));
        assert!(!mentions_handle("[link](https://x.org/@bo)", "bo"));
        assert!(mentions_handle("[@bo](https://x.org/)", "bo"));
        assert!(!mentions_handle("@bo", "Bo"), "not a handle");
    }

    #[test]
    fn awaited_and_mentioned_threads_are_in_the_inbox_and_others_are_not() {
        let mut asked = thread("asked", 1, "2026-11-20T09:00:00Z");
        asked.awaiting = vec!["bo@users.noreply.example".into()];
        let mut mentioned = thread("mentioned", 2, "2026-11-20T09:00:00Z");
        let mut m = reply(10, "chidi@example.org", "2026-11-21T09:00:00Z", None);
        m.body = "What does @bo say?\n".into();
        mentioned.replies = vec![m];
        let mut resolved = thread("resolved", 3, "2026-11-20T09:00:00Z");
        resolved.awaiting = vec!["bo".into()];
        resolved.status = ThreadStatus::Resolved;
        let mut others = thread("others", 4, "2026-11-20T09:00:00Z");
        others.awaiting = vec!["chidi".into()];
        let d = discussion(vec![asked, mentioned, resolved, others], vec![]);
        let l = Listing::of_discussion(&d, 0);
        let items = awaiting(&l, &bo(), instant(NOW), &Done::default()).threads;
        assert_eq!(slugs(&items), ["mentioned", "asked"]);
        assert!(items[1].awaited && items[1].mentions.is_empty());
        assert!(!items[0].awaited);
        assert_eq!(items[0].mentions.len(), 1);
        assert_eq!(items[0].mentions[0].by.email, "chidi@example.org");
        assert_eq!(items[0].mentions[0].message, &id(10));
    }

    #[test]
    fn an_answer_written_in_the_same_second_as_the_question_answers_it() {
        // Dates have whole seconds; ids (ULIDs) order what a second cannot.
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.awaiting = vec!["bo".into()];
        t.replies = vec![reply(10, "bo@example.org", "2026-11-20T09:00:00Z", None)];
        let d = discussion(vec![t.clone()], vec![]);
        let l = Listing::of_discussion(&d, 0);
        assert!(awaiting(&l, &bo(), instant(NOW), &Done::default()).is_empty());

        // A reply of bo's that sorts before the question (a smaller id) does not answer it.
        let mut later_question = thread("t", 20, "2026-11-20T09:00:00Z");
        later_question.awaiting = vec!["bo".into()];
        later_question.replies = vec![reply(10, "bo@example.org", "2026-11-20T09:00:00Z", None)];
        let d = discussion(vec![later_question], vec![]);
        let l = Listing::of_discussion(&d, 0);
        assert_eq!(
            awaiting(&l, &bo(), instant(NOW), &Done::default())
                .threads
                .len(),
            1
        );
    }

    #[test]
    fn a_mention_counts_only_after_the_persons_own_latest_message() {
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.body = "Opening, @bo.\n".into();
        let mut early = reply(10, "chidi@example.org", "2026-11-21T09:00:00Z", None);
        early.body = "@bo?".into();
        let own = reply(11, "bo@example.org", "2026-11-22T09:00:00Z", None);
        let mut own_mention = reply(12, "bo@example.org", "2026-11-22T10:00:00Z", None);
        own_mention.body = "I am @bo, and I mention myself.".into();
        t.replies = vec![early, own, own_mention];
        let d = discussion(vec![t.clone()], vec![]);
        let l = Listing::of_discussion(&d, 0);
        assert!(
            awaiting(&l, &bo(), instant(NOW), &Done::default()).is_empty(),
            "bo answered after both mentions"
        );

        let mut late = reply(13, "ana@example.org", "2026-11-23T09:00:00Z", None);
        late.body = "@bo, one more thing".into();
        t.replies.push(late);
        let d = discussion(vec![t], vec![]);
        let l = Listing::of_discussion(&d, 0);
        let items = awaiting(&l, &bo(), instant(NOW), &Done::default()).threads;
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item.mentions.len(), 1);
        assert_eq!(item.mentions[0].message, &id(13));
        assert_eq!(
            item.own_latest.map(|m| m.to_string()),
            Some("2026-11-22T10:00:00Z".into())
        );
    }

    #[test]
    fn the_opening_post_mentions_too_and_an_email_identity_is_never_mentioned() {
        let mut t = thread("t", 1, "2026-11-20T09:00:00Z");
        t.body = "Question for @bo.\n".into();
        t.awaiting = vec!["ops@example.org".into()];
        let d = discussion(vec![t], vec![]);
        let l = Listing::of_discussion(&d, 0);
        let items = awaiting(&l, &bo(), instant(NOW), &Done::default()).threads;
        assert_eq!(items[0].mentions[0].message, &id(1));
        let ops = Who::Email("ops@example.org".into());
        let l = Listing::of_discussion(&d, 0);
        let items = awaiting(&l, &ops, instant(NOW), &Done::default()).threads;
        assert!(items[0].awaited && items[0].mentions.is_empty());
    }

    #[test]
    fn overdue_first_then_by_deadline_with_none_last_then_by_last_activity() {
        let asked = |slug: &str, n: u32, date: &str, respond_by: Option<&str>| {
            let mut t = thread(slug, n, date);
            t.awaiting = vec!["bo".into()];
            t.respond_by = respond_by.and_then(Deadline::parse);
            t
        };
        let d = discussion(
            vec![
                asked("no-deadline-old", 1, "2026-11-01T09:00:00Z", None),
                asked("no-deadline-new", 2, "2026-11-25T09:00:00Z", None),
                asked("due-late", 3, "2026-11-20T09:00:00Z", Some("2026-12-20")),
                asked("due-soon", 4, "2026-11-20T09:00:00Z", Some("2026-12-02")),
                asked(
                    "overdue-recent",
                    5,
                    "2026-11-26T09:00:00Z",
                    Some("2026-11-28T12:00:00Z"),
                ),
                asked(
                    "overdue-long",
                    6,
                    "2026-11-10T09:00:00Z",
                    Some("2026-11-12"),
                ),
                asked(
                    "same-deadline-b",
                    7,
                    "2026-11-21T09:00:00Z",
                    Some("2026-12-10"),
                ),
                asked(
                    "same-deadline-a",
                    8,
                    "2026-11-22T09:00:00Z",
                    Some("2026-12-10"),
                ),
            ],
            vec![],
        );
        let l = Listing::of_discussion(&d, 0);
        let items = awaiting(&l, &bo(), instant(NOW), &Done::default()).threads;
        assert_eq!(
            slugs(&items),
            [
                "overdue-long",
                "overdue-recent",
                "due-soon",
                "same-deadline-a",
                "same-deadline-b",
                "due-late",
                "no-deadline-new",
                "no-deadline-old",
            ]
        );
        assert_eq!(
            items.iter().map(|i| i.due).take(3).collect::<Vec<_>>(),
            [Due::Overdue, Due::Overdue, Due::Later]
        );
    }
}
