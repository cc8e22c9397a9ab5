//! What every page of the site needs, computed once: the file name of every thread, decision,
//! tag and person page, lookups by reference, the threads of each tag, what each person did,
//! and where attachments are copied. Building it is linear in the size of the discussion, so
//! no page has to search the whole model.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use jiff::Timestamp;

use super::Options;
use crate::model::Who;
use crate::model::{is_handle, is_slug, is_tag, Decision, Discussion, Message, Thread};
use crate::read::summary::{summaries, Filter, Summary};
use crate::source::resolve_relative;

/// What the site knows of one person.
#[derive(Default)]
pub struct Person<'a> {
    /// The name to show.
    pub name: String,
    /// Threads they started.
    pub started: Vec<&'a Thread>,
    /// Replies they wrote, with their thread.
    pub replies: Vec<(&'a Thread, &'a Message)>,
    /// Threads awaiting them.
    pub awaited: Vec<&'a Thread>,
    /// Decisions they decide.
    pub decides: Vec<&'a Decision>,
}

/// The site's view of a discussion.
pub struct Context<'a> {
    pub discussion: &'a Discussion,
    /// The site's title: `longhand.yaml`'s `title`.
    pub title: String,
    /// The instant the site describes.
    pub now: Timestamp,
    /// The base URL, ending in `/`, when given.
    pub base_url: Option<String>,
    /// Every thread's summary, most recently active first.
    pub summaries: Vec<Summary<'a>>,
    /// Tag → its threads, most recently active first.
    pub tags: BTreeMap<String, Vec<&'a Thread>>,
    /// Everyone who appears, in order.
    pub people: BTreeMap<Who, Person<'a>>,
    summary_index: HashMap<&'a str, usize>,
    thread_files: HashMap<&'a str, String>,
    threads_by_id: HashMap<&'a str, &'a Thread>,
    threads_by_slug: HashMap<&'a str, &'a Thread>,
    decision_files: HashMap<&'a str, String>,
    decisions_by_id: HashMap<&'a str, &'a Decision>,
    decisions_by_slug: HashMap<&'a str, &'a Decision>,
    decisions_by_thread: HashMap<&'a str, Vec<&'a Decision>>,
    /// Root-relative path of an attachment → its site path (percent-encoded).
    attachments: HashMap<&'a str, String>,
    /// Attachments that are Git LFS pointers (not copied: the content is not in the tree).
    pub lfs: HashSet<String>,
}

impl<'a> Context<'a> {
    pub fn new(discussion: &'a Discussion, options: &Options) -> Context<'a> {
        let now = options.now.unwrap_or_else(|| latest_date(discussion));
        let title = discussion
            .config
            .as_ref()
            .map(|c| c.title.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "Discussion".to_owned());
        let base_url = options.base_url.as_ref().map(|url| {
            let mut url = url.trim().to_owned();
            if !url.ends_with('/') {
                url.push('/');
            }
            url
        });
        let summaries = summaries(discussion, &Filter::default(), now);

        let mut context = Context {
            discussion,
            title,
            now,
            base_url,
            summaries,
            tags: BTreeMap::new(),
            people: BTreeMap::new(),
            summary_index: HashMap::new(),
            thread_files: HashMap::new(),
            threads_by_id: HashMap::new(),
            threads_by_slug: HashMap::new(),
            decision_files: HashMap::new(),
            decisions_by_id: HashMap::new(),
            decisions_by_slug: HashMap::new(),
            decisions_by_thread: HashMap::new(),
            attachments: HashMap::new(),
            lfs: HashSet::new(),
        };
        for thread in &discussion.threads {
            let file = file_name(&thread.slug, is_slug(&thread.slug));
            for message in &thread.replies {
                for path in &message.attachments {
                    if let Some(published) = super::assets::published_path(&file, thread, path) {
                        let encoded: Vec<String> =
                            published.split('/').map(percent_encode).collect();
                        context.attachments.insert(path.as_str(), encoded.join("/"));
                    }
                }
            }
            context.thread_files.insert(&thread.slug, file);
            context.threads_by_id.insert(thread.id.as_str(), thread);
            context.threads_by_slug.insert(&thread.slug, thread);
        }
        for decision in &discussion.decisions {
            context.decision_files.insert(
                &decision.slug,
                file_name(&decision.slug, is_slug(&decision.slug)),
            );
            context
                .decisions_by_id
                .insert(decision.id.as_str(), decision);
            context.decisions_by_slug.insert(&decision.slug, decision);
        }
        for decision in &discussion.decisions {
            if let Some(thread) = decision.thread.as_deref().and_then(|r| context.thread(r)) {
                context
                    .decisions_by_thread
                    .entry(thread.slug.as_str())
                    .or_default()
                    .push(decision);
            }
        }
        for (i, summary) in context.summaries.iter().enumerate() {
            context.summary_index.insert(&summary.thread.slug, i);
            for tag in &summary.thread.tags {
                let threads = context.tags.entry(tag.clone()).or_default();
                if threads.last().is_none_or(|t| t.slug != summary.thread.slug) {
                    threads.push(summary.thread);
                }
            }
        }
        context.gather_people();
        context
    }

    fn gather_people(&mut self) {
        let config = self.discussion.config.as_ref();
        let mut people: BTreeMap<Who, Person<'a>> = BTreeMap::new();
        if let Some(config) = config {
            for person in config.people.values() {
                let name = if person.name.trim().is_empty() {
                    person.handle.clone()
                } else {
                    person.name.clone()
                };
                people.insert(
                    Who::Person(person.handle.clone()),
                    Person {
                        name,
                        ..Person::default()
                    },
                );
            }
        }
        for summary in &self.summaries {
            let thread = summary.thread;
            entry(
                &mut people,
                Who::of_email(config, &thread.author.email),
                &thread.author.name,
            )
            .started
            .push(thread);
            for message in &thread.replies {
                entry(
                    &mut people,
                    Who::of_email(config, &message.author.email),
                    &message.author.name,
                )
                .replies
                .push((thread, message));
            }
            for awaited in &summary.awaiting {
                if let Some(who) = &awaited.who {
                    entry(&mut people, who.clone(), who.as_str())
                        .awaited
                        .push(thread);
                }
            }
        }
        for decision in &self.discussion.decisions {
            for reference in &decision.deciders {
                if let Some(who) = Who::of_reference(config, reference) {
                    let person = entry(&mut people, who.clone(), who.as_str());
                    if !person.decides.iter().any(|d| d.slug == decision.slug) {
                        person.decides.push(decision);
                    }
                }
            }
        }
        for person in people.values_mut() {
            person
                .replies
                .sort_by(|a, b| (b.1.date.instant, &b.1.id).cmp(&(a.1.date.instant, &a.1.id)));
        }
        self.people = people;
    }

    /// The summary of a thread.
    pub fn summary(&self, thread: &Thread) -> Option<&Summary<'a>> {
        self.summary_index
            .get(thread.slug.as_str())
            .and_then(|i| self.summaries.get(*i))
    }

    /// The thread a reference (id or slug) names.
    pub fn thread(&self, reference: &str) -> Option<&'a Thread> {
        self.threads_by_id
            .get(reference)
            .or_else(|| self.threads_by_slug.get(reference))
            .copied()
    }

    /// The decision a reference (id or slug) names.
    pub fn decision(&self, reference: &str) -> Option<&'a Decision> {
        self.decisions_by_id
            .get(reference)
            .or_else(|| self.decisions_by_slug.get(reference))
            .copied()
    }

    /// The decisions discussed in `thread`.
    pub fn decisions_of(&self, thread: &Thread) -> &[&'a Decision] {
        self.decisions_by_thread
            .get(thread.slug.as_str())
            .map_or(&[], Vec::as_slice)
    }

    /// The file stem of a thread's pages.
    pub fn thread_file(&self, thread: &Thread) -> String {
        self.thread_files
            .get(thread.slug.as_str())
            .cloned()
            .unwrap_or_else(|| file_name(&thread.slug, is_slug(&thread.slug)))
    }

    /// The file stem of a decision's page.
    pub fn decision_file(&self, decision: &Decision) -> String {
        self.decision_files
            .get(decision.slug.as_str())
            .cloned()
            .unwrap_or_else(|| file_name(&decision.slug, is_slug(&decision.slug)))
    }

    /// The file stem of a person's page.
    pub fn person_file(&self, who: &Who) -> String {
        match who {
            Who::Person(handle) => file_name(handle, is_handle(handle)),
            Who::Email(email) => file_name(email, false),
        }
    }

    /// A thread's page, from the site's root.
    pub fn thread_href(&self, thread: &Thread) -> String {
        format!("threads/{}.html", self.thread_file(thread))
    }

    /// A decision's page, from the site's root.
    pub fn decision_href(&self, decision: &Decision) -> String {
        format!("decisions/{}.html", self.decision_file(decision))
    }

    /// A tag's page, from the site's root.
    pub fn tag_href(&self, tag: &str) -> String {
        format!("tags/{}.html", file_name(tag, is_tag(tag)))
    }

    /// A person's page, from the site's root.
    pub fn person_href(&self, who: &Who) -> String {
        format!("people/{}.html", self.person_file(who))
    }

    /// The name to show for someone.
    pub fn name_of(&self, who: &Who) -> String {
        self.people
            .get(who)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| who.as_str().to_owned())
    }

    /// The site path of an attachment (root-relative path in the discussion).
    pub fn attachment_href(&self, path: &str) -> Option<&str> {
        if self.lfs.contains(path) {
            return None;
        }
        self.attachments.get(path).map(String::as_str)
    }

    /// What a relative link in the body of the file at `from` points to on the site, seen from
    /// a page `to_root` below the root (`""` or `"../"`, or the base URL in feeds): a thread,
    /// a reply, a decision or an attachment. `None` for anything else, which stays as written.
    pub fn resolve_link(&self, from: &str, to_root: &str, dest: &str) -> Option<String> {
        if dest.is_empty()
            || dest.starts_with(['#', '/', '?'])
            || crate::render::html::is_external(dest)
        {
            return None;
        }
        let (path, fragment) = match dest.find('#') {
            Some(i) => (&dest[..i], &dest[i..]),
            None => (dest, ""),
        };
        let path = path.split('?').next().unwrap_or(path);
        let resolved = resolve_relative(from, &percent_decode(path))?;
        if let Some(site) = self.attachment_href(&resolved) {
            return Some(format!("{to_root}{site}"));
        }
        let parts: Vec<&str> = resolved.split('/').collect();
        let href = match parts.as_slice() {
            ["threads", slug] | ["threads", slug, "" | "thread.md"] => {
                let thread = self.threads_by_slug.get(slug)?;
                format!("{to_root}{}{fragment}", self.thread_href(thread))
            }
            ["threads", slug, file] => {
                let thread = self.threads_by_slug.get(slug)?;
                let stem = file.strip_suffix(".md")?;
                thread.replies.iter().find(|m| m.stem == stem)?;
                format!("{to_root}{}#m-{stem}", self.thread_href(thread))
            }
            ["decisions", file] => {
                let decision = self.decisions_by_slug.get(file.strip_suffix(".md")?)?;
                format!("{to_root}{}{fragment}", self.decision_href(decision))
            }
            _ => return None,
        };
        Some(href)
    }
}

/// The person `who`, added with `name` when new.
fn entry<'m, 'a>(
    people: &'m mut BTreeMap<Who, Person<'a>>,
    who: Who,
    name: &str,
) -> &'m mut Person<'a> {
    people.entry(who).or_insert_with(|| Person {
        name: name.to_owned(),
        ..Person::default()
    })
}

/// The latest date written anywhere in the discussion: the instant a site of it describes when
/// no other is given. The Unix epoch for an empty discussion.
pub fn latest_date(discussion: &Discussion) -> Timestamp {
    let threads = discussion.threads.iter().flat_map(|t| {
        std::iter::once(t.date.instant)
            .chain(t.replies.iter().map(|m| m.date.instant))
            .chain(
                t.replies
                    .iter()
                    .filter_map(|m| m.edited.as_ref().map(|e| e.instant)),
            )
    });
    let decisions = discussion.decisions.iter().map(|d| d.date.instant);
    threads
        .chain(decisions)
        .max()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A safe file stem for a name: the name itself when it is `valid` (a slug, tag or handle,
/// which only hold `[a-z0-9._-]` and never start with a dot), otherwise `_` followed by its
/// letters and digits and a hash of the whole name, which no valid name can equal.
pub fn file_name(name: &str, valid: bool) -> String {
    if valid {
        return name.to_owned();
    }
    let mut stem = String::from("_");
    for c in name.chars().take(40) {
        stem.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    let _ = write!(stem, "-{:016x}", crate::store::fnv1a(name.as_bytes()));
    stem
}

/// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~` in one path segment.
pub fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes; invalid ones and invalid UTF-8 are kept as written.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(value as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_valid_names_and_make_others_safe_and_distinct() {
        assert_eq!(file_name("2026-11-24-hello", true), "2026-11-24-hello");
        let odd = file_name("../<script>", false);
        assert!(odd.starts_with("_----script--"), "{odd}");
        assert!(odd
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(file_name("a.b@x.org", false), file_name("a-b@x.org", false));
    }

    #[test]
    fn percent_encoding_round_trips() {
        assert_eq!(percent_encode("a b#?.png"), "a%20b%23%3F.png");
        assert_eq!(percent_decode("a%20b%23%3F.png"), "a b#?.png");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
