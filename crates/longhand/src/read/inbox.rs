//! What awaits a person: the open threads that list them in `awaiting`, or that mention them
//! (`@handle`) in a message newer than their own latest message there. Overdue first, then by
//! deadline, then by last activity — "what is waiting for me, by when".
//!
//! A mention is `@handle` in the text of a body; code spans, code blocks and link destinations
//! do not mention anyone, and neither does an email address such as `ana@example.org`.

use jiff::Timestamp;
use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use super::summary::{summarize, Summary};
use crate::document::markdown_options;
use crate::model::Who;
use crate::model::{is_handle, Author, Discussion, Id, Moment, Thread, ThreadStatus};

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
    /// The thread's summary: deadline, overdue, last activity, awaiting.
    pub summary: Summary<'a>,
    /// The thread's `awaiting` names the person.
    pub awaited: bool,
    /// Messages mentioning the person since their own latest message, earliest first.
    pub mentions: Vec<Mention<'a>>,
    /// The person's own latest message in the thread, if any.
    pub own_latest: Option<&'a Moment>,
}

/// The inbox of `who` at `now`: open threads that await them or mention them, overdue first,
/// then by `respond-by` (earliest first, none last), then most recently active first, then slug.
pub fn inbox<'a>(discussion: &'a Discussion, who: &Who, now: Timestamp) -> Vec<Item<'a>> {
    let mut items: Vec<Item<'a>> = discussion
        .threads
        .iter()
        .filter(|t| t.status == ThreadStatus::Open)
        .filter_map(|t| item(discussion, t, who, now))
        .collect();
    sort(&mut items);
    items
}

/// Orders inbox items: overdue first, then by `respond-by` (earliest first, none last), then
/// most recently active first, then slug.
pub fn sort<'a>(items: &mut [Item<'a>]) {
    items.sort_by(|a, b| {
        let key = |i: &Item<'a>| {
            let deadline = i.summary.thread.respond_by.as_ref().map(|d| d.instant());
            (!i.summary.overdue, deadline.is_none(), deadline)
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

fn item<'a>(
    discussion: &'a Discussion,
    thread: &'a Thread,
    who: &Who,
    now: Timestamp,
) -> Option<Item<'a>> {
    let config = discussion.config.as_ref();
    let summary = summarize(discussion, thread, now);
    let awaited = summary.awaiting.iter().any(|a| a.who.as_ref() == Some(who));
    let is_own = |author: &Author| Who::of_email(config, &author.email) == *who;
    let messages = super::messages(thread);
    let own_latest = messages
        .clone()
        .filter(|(author, ..)| is_own(author))
        .map(|(_, _, date, _)| date)
        .max_by_key(|date| date.instant);
    let mut mentions: Vec<Mention<'a>> = match who.handle() {
        Some(handle) => messages
            .filter(|(author, _, date, body)| {
                !is_own(author)
                    && own_latest.is_none_or(|own| date.instant > own.instant)
                    && mentions_handle(body, handle)
            })
            .map(|(by, message, date, _)| Mention { by, message, date })
            .collect(),
        None => Vec::new(),
    };
    mentions.sort_by(|a, b| (a.date.instant, a.message).cmp(&(b.date.instant, b.message)));
    (awaited || !mentions.is_empty()).then_some(Item {
        summary,
        awaited,
        mentions,
        own_latest,
    })
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
        let items = inbox(&d, &bo(), instant(NOW));
        assert_eq!(slugs(&items), ["mentioned", "asked"]);
        assert!(items[1].awaited && items[1].mentions.is_empty());
        assert!(!items[0].awaited);
        assert_eq!(items[0].mentions.len(), 1);
        assert_eq!(items[0].mentions[0].by.email, "chidi@example.org");
        assert_eq!(items[0].mentions[0].message, &id(10));
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
        assert!(
            inbox(&d, &bo(), instant(NOW)).is_empty(),
            "bo answered after both mentions"
        );

        let mut late = reply(13, "ana@example.org", "2026-11-23T09:00:00Z", None);
        late.body = "@bo, one more thing".into();
        t.replies.push(late);
        let d = discussion(vec![t], vec![]);
        let items = inbox(&d, &bo(), instant(NOW));
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
        let items = inbox(&d, &bo(), instant(NOW));
        assert_eq!(items[0].mentions[0].message, &id(1));
        let ops = Who::Email("ops@example.org".into());
        let items = inbox(&d, &ops, instant(NOW));
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
        let items = inbox(&d, &bo(), instant(NOW));
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
        assert!(items[0].summary.overdue && items[1].summary.overdue && !items[2].summary.overdue);
    }
}
