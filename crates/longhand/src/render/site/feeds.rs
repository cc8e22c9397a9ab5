//! Atom feeds (RFC 4287): `feed.xml` with the latest messages and decision records of the
//! whole discussion, and `threads/<slug>.xml` with the latest messages of one thread.
//!
//! Every feed and entry has an `id`, a `title`, an `updated` and an `author`; entries link to
//! their page and carry their body as XHTML (the same safe HTML the pages show, which is
//! well-formed XML). Entry ids are `urn:uuid:` forms of the messages' ULIDs, so they never
//! change when the site moves; links are absolute with a base URL and relative without.

use std::fmt::Write as _;

use super::context::{percent_encode, Context};
use super::thread::body;
use crate::model::{Decision, Id, Message, Moment, Thread};
use crate::read::shown_name;
use crate::render::html::escape_into;

/// Entries in the site's feed.
const SITE_ENTRIES: usize = 50;
/// Entries in a thread's feed.
const THREAD_ENTRIES: usize = 100;

/// One item of a feed.
enum Item<'a> {
    Opening(&'a Thread),
    Reply(&'a Thread, &'a Message),
    /// A decision, and when its status last changed (`read::decided_at`), if recorded.
    Decision(&'a Decision, Option<&'a Moment>),
}

impl Item<'_> {
    fn updated(&self) -> &Moment {
        match self {
            Item::Opening(thread) => &thread.date,
            Item::Reply(_, message) => message.edited.as_ref().unwrap_or(&message.date),
            Item::Decision(decision, decided) => decided.unwrap_or(&decision.date),
        }
    }

    fn id(&self) -> &Id {
        match self {
            Item::Opening(thread) => &thread.id,
            Item::Reply(_, message) => &message.id,
            Item::Decision(decision, _) => &decision.id,
        }
    }
}

/// `feed.xml`.
pub fn site_feed(context: &Context) -> String {
    let mut items: Vec<Item> = Vec::new();
    for thread in &context.discussion.threads {
        items.push(Item::Opening(thread));
        items.extend(thread.replies.iter().map(|m| Item::Reply(thread, m)));
    }
    let discussion = context.discussion;
    items.extend(
        discussion
            .decisions
            .iter()
            .map(|d| Item::Decision(d, crate::read::decided_at(discussion, d))),
    );
    let to_root = context.base_url.clone().unwrap_or_default();
    let id = match &context.base_url {
        Some(base) => format!("{base}feed.xml"),
        None => format!("urn:longhand:site:{}", percent_encode(&context.title)),
    };
    let alternate = format!("{to_root}index.html");
    let own = format!("{to_root}feed.xml");
    feed(
        context,
        &id,
        &context.title,
        (&own, &alternate),
        &to_root,
        items,
        SITE_ENTRIES,
    )
}

/// `threads/<slug>.xml`.
pub fn thread_feed(context: &Context, thread: &Thread) -> String {
    let mut items = vec![Item::Opening(thread)];
    items.extend(thread.replies.iter().map(|m| Item::Reply(thread, m)));
    let file = context.thread_file(thread);
    let (to_root, own, alternate) = match &context.base_url {
        Some(base) => (
            base.clone(),
            format!("{base}threads/{file}.xml"),
            format!("{base}threads/{file}.html"),
        ),
        None => (
            "../".to_owned(),
            format!("{file}.xml"),
            format!("{file}.html"),
        ),
    };
    let title = format!("{} · {}", thread.title, context.title);
    feed(
        context,
        &uuid_urn(&thread.id),
        &title,
        (&own, &alternate),
        &to_root,
        items,
        THREAD_ENTRIES,
    )
}

fn feed(
    context: &Context,
    id: &str,
    title: &str,
    (own, alternate): (&str, &str),
    to_root: &str,
    mut items: Vec<Item>,
    limit: usize,
) -> String {
    items.sort_by(|a, b| (b.updated().instant, b.id()).cmp(&(a.updated().instant, a.id())));
    items.truncate(limit);
    let mut out = String::with_capacity(4096 + items.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<id>");
    escape_into(&mut out, id);
    out.push_str("</id>\n<title>");
    escape_into(&mut out, title);
    out.push_str("</title>\n<updated>");
    match items.first() {
        Some(item) => {
            let _ = write!(out, "{}", item.updated());
        }
        None => out.push_str("1970-01-01T00:00:00Z"),
    }
    out.push_str("</updated>\n<author><name>");
    escape_into(&mut out, &context.title);
    out.push_str("</name></author>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
    escape_into(&mut out, own);
    out.push_str("\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    escape_into(&mut out, alternate);
    out.push_str("\"/>\n<generator>Longhand</generator>\n");
    for item in &items {
        entry(&mut out, context, to_root, item);
    }
    out.push_str("</feed>\n");
    out
}

fn entry(out: &mut String, context: &Context, to_root: &str, item: &Item) {
    let config = context.discussion.config.as_ref();
    let (title, author, published, href, markdown, origin) = match item {
        Item::Opening(thread) => (
            thread.title.clone(),
            shown_name(&thread.author, config),
            &thread.date,
            context.thread_href(thread),
            &thread.body,
            &thread.origin.path,
        ),
        Item::Reply(thread, message) => (
            format!(
                "{} replied: {}",
                shown_name(&message.author, config),
                thread.title
            ),
            shown_name(&message.author, config),
            &message.date,
            format!("{}#m-{}", context.thread_href(thread), message.stem),
            &message.body,
            &message.origin.path,
        ),
        Item::Decision(decision, _) => (
            format!("Decision {}: {}", decision.status, decision.title),
            decision
                .author
                .as_ref()
                .map(|a| a.name.clone())
                .unwrap_or_else(|| context.title.clone()),
            &decision.date,
            context.decision_href(decision),
            &decision.body,
            &decision.origin.path,
        ),
    };
    out.push_str("<entry>\n<id>");
    out.push_str(&uuid_urn(item.id()));
    out.push_str("</id>\n<title>");
    escape_into(out, &title);
    let _ = write!(
        out,
        "</title>\n<updated>{}</updated>\n<published>{published}</published>\n<author><name>",
        item.updated()
    );
    escape_into(out, &author);
    out.push_str("</name></author>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
    escape_into(out, to_root);
    escape_into(out, &href);
    out.push_str("\"/>\n<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">\n");
    let prefix = format!("{}-", item.id());
    body(out, context, markdown, origin, to_root, (&prefix, 1));
    out.push_str("</div></content>\n</entry>\n");
}

/// A ULID (128 bits in Crockford's base 32) written as a `urn:uuid:` IRI.
fn uuid_urn(id: &Id) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut value: u128 = 0;
    for c in id.as_str().bytes() {
        let digit = ALPHABET
            .iter()
            .position(|a| *a == c.to_ascii_uppercase())
            .unwrap_or(0);
        value = (value << 5) | digit as u128;
    }
    let hex = format!("{value:032x}");
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ulids_become_uuid_urns() {
        let id = Id::parse("01JD8Q1Z4A2B3C4D5E6F7G8H9J").expect("a ULID");
        let urn = uuid_urn(&id);
        assert_eq!(urn.len(), "urn:uuid:".len() + 36, "{urn}");
        assert!(urn.starts_with("urn:uuid:0193517"), "{urn}");
        let other = Id::parse("01JD8Q1Z4A2B3C4D5E6F7G8H9K").expect("a ULID");
        assert_ne!(uuid_urn(&other), urn);
    }
}
