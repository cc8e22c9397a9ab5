//! Search: a query people type (`standups "written notes" author:ana tag:process
//! status:open in:reply before:2026-12-01`) parsed into a [`Query`], with a typed
//! [`QueryError`] for a bad filter, and matched against threads (title and opening post),
//! replies and decisions (title, body and rationale).
//!
//! Two ways to run it, giving the same hits: [`search_discussion`] over a loaded model, and
//! [`search`], which streams the files of a [`Source`] and parses only those whose raw bytes
//! contain every word (a case-folded `memmem` prefilter), so a search of a large discussion
//! costs about one read of its files, not a load. Neither reads the clock: dates in a query are
//! read in the zone the caller passes.

use std::collections::BTreeMap;
use std::sync::mpsc;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use memchr::memmem;

use crate::load::{record, record as record_of, Place as Layout, Record};
use crate::model::{
    Author, Config, Decision, DecisionStatus, Discussion, Message, Moment, Thread, ThreadStatus,
    Who,
};
use crate::parallel::Parallelism;
use crate::source::{Contents, EntryKind, Source, CONFIG_FILE};
use crate::Result;

/// What a hit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// A thread: its title and opening post.
    Thread,
    /// A reply.
    Reply,
    /// A decision record: its title, body and rationale.
    Decision,
}

impl Kind {
    /// `thread`, `reply` or `decision`, as `in:` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Thread => "thread",
            Kind::Reply => "reply",
            Kind::Decision => "decision",
        }
    }

    fn parse(text: &str) -> Option<Kind> {
        match text {
            "thread" | "threads" => Some(Kind::Thread),
            "reply" | "replies" => Some(Kind::Reply),
            "decision" | "decisions" => Some(Kind::Decision),
            _ => None,
        }
    }
}

/// Why a query cannot be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// Nothing to look for.
    #[error("the search query is empty")]
    Empty,
    /// A `name:value` whose name is no filter.
    #[error("`{field}:` is not a search filter (author, tag, status, in, before, after)")]
    UnknownFilter {
        /// The name typed before the colon.
        field: String,
    },
    /// A filter without a value, such as `tag:`.
    #[error("`{field}:` needs a value")]
    MissingValue {
        /// The filter.
        field: String,
    },
    /// `before:` or `after:` with something that is not a date.
    #[error("`{value}` in `{field}:` is not a date (2026-12-01) or a timestamp (2026-12-01T17:00:00+01:00)")]
    BadDate {
        /// `before` or `after`.
        field: String,
        /// What was typed.
        value: String,
    },
    /// `status:` with a word that is no status.
    #[error("`{value}` is not a status (open, resolved, closed, proposed, accepted, rejected, withdrawn, superseded)")]
    BadStatus {
        /// What was typed.
        value: String,
    },
    /// `in:` with a word that is no kind.
    #[error("`in:{value}` names nothing to search in (thread, reply, decision)")]
    BadKind {
        /// What was typed.
        value: String,
    },
    /// A `"` that is never closed.
    #[error("a quoted phrase is not closed: {text}")]
    UnclosedQuote {
        /// The text from the opening quote.
        text: String,
    },
}

/// A parsed query. Words and phrases must all occur (case-insensitively; a word at the start
/// of a word of the text, so `standup` finds `standups`); each filter narrows the hits:
/// several `author:`, `status:` or `in:` are alternatives, several `tag:` must all hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
    phrases: Vec<String>,
    authors: Vec<String>,
    tags: Vec<String>,
    statuses: Vec<String>,
    kinds: Vec<Kind>,
    before: Option<Timestamp>,
    after: Option<Timestamp>,
}

/// One token of a query: free text (`phrase` when it was quoted or held spaces) or a filter.
enum Token {
    Text { text: String, phrase: bool },
    Filter { field: String, value: String },
}

const FILTERS: &[&str] = &["author", "tag", "status", "in", "before", "after"];

/// Splits one argument into tokens: quoted phrases, `field:value` (the value may be quoted),
/// and words.
fn tokens(text: &str, out: &mut Vec<Token>) -> std::result::Result<(), QueryError> {
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (token, next) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').ok_or_else(|| QueryError::UnclosedQuote {
                text: rest.to_owned(),
            })?;
            let token = Token::Text {
                text: quoted[..end].to_owned(),
                phrase: true,
            };
            (token, &quoted[end + 1..])
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            match filter_name(word) {
                Some(field) => {
                    let after = &rest[field.len() + 1..];
                    if let Some(quoted) = after.strip_prefix('"') {
                        let end = quoted.find('"').ok_or_else(|| QueryError::UnclosedQuote {
                            text: rest.to_owned(),
                        })?;
                        let token = Token::Filter {
                            field: field.to_owned(),
                            value: quoted[..end].to_owned(),
                        };
                        (token, &quoted[end + 1..])
                    } else {
                        let token = Token::Filter {
                            field: field.to_owned(),
                            value: word[field.len() + 1..].to_owned(),
                        };
                        (token, &rest[end..])
                    }
                }
                None => {
                    let token = Token::Text {
                        text: word.to_owned(),
                        phrase: false,
                    };
                    (token, &rest[end..])
                }
            }
        };
        out.push(token);
        rest = next.trim_start();
    }
    Ok(())
}

/// The name of a `name:value` token: lower-case ASCII letters before the first colon (not
/// a web address: `https://…` is text).
fn filter_name(word: &str) -> Option<&str> {
    let (name, value) = word.split_once(':')?;
    let letters = !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase());
    (letters && !value.starts_with("//")).then_some(name)
}

/// The instant a `before:` or `after:` value names: an RFC 3339 timestamp, or the start of a
/// day (`YYYY-MM-DD`) in `zone`.
fn instant(
    field: &str,
    value: &str,
    zone: &TimeZone,
) -> std::result::Result<Timestamp, QueryError> {
    let bad = || QueryError::BadDate {
        field: field.to_owned(),
        value: value.to_owned(),
    };
    if let Some(moment) = Moment::parse(value) {
        return Ok(moment.instant);
    }
    let date: jiff::civil::Date = value.parse().map_err(|_| bad())?;
    zone.to_timestamp(date.at(0, 0, 0, 0)).map_err(|_| bad())
}

impl Query {
    /// Parses a query typed as one string.
    ///
    /// ```
    /// use longhand::jiff::tz::TimeZone;
    /// use longhand::read::search::{Query, QueryError};
    ///
    /// let query = Query::parse("standups \"written notes\" tag:process", &TimeZone::UTC);
    /// assert!(query.is_ok());
    /// let bad = Query::parse("colour:red", &TimeZone::UTC);
    /// assert_eq!(bad, Err(QueryError::UnknownFilter { field: "colour".into() }));
    /// ```
    pub fn parse(text: &str, zone: &TimeZone) -> std::result::Result<Query, QueryError> {
        let mut list = Vec::new();
        tokens(text, &mut list)?;
        Query::build(list, zone)
    }

    /// Parses a query given as command-line arguments, whose quotes the shell has already
    /// removed: an argument with spaces that is not a filter is a phrase (`"written notes"`),
    /// and `author:"Ana Lima"` arrives as `author:Ana Lima`. Quotes inside an argument are
    /// read as in [`Query::parse`]. `before:` and `after:` dates are days in `zone`.
    pub fn from_args<S: AsRef<str>>(
        args: &[S],
        zone: &TimeZone,
    ) -> std::result::Result<Query, QueryError> {
        let mut list = Vec::new();
        for arg in args {
            let arg = arg.as_ref();
            let trimmed = arg.trim();
            let spaced = trimmed.contains(char::is_whitespace) && !trimmed.contains('"');
            match filter_name(trimmed) {
                Some(field) if spaced && FILTERS.contains(&field) => list.push(Token::Filter {
                    field: field.to_owned(),
                    value: trimmed[field.len() + 1..].trim().to_owned(),
                }),
                None if spaced => list.push(Token::Text {
                    text: trimmed.to_owned(),
                    phrase: true,
                }),
                _ => tokens(arg, &mut list)?,
            }
        }
        Query::build(list, zone)
    }

    fn build(list: Vec<Token>, zone: &TimeZone) -> std::result::Result<Query, QueryError> {
        let mut query = Query::default();
        for token in list {
            match token {
                Token::Text { text, phrase } => {
                    let folded = normalize(&text.to_lowercase());
                    if folded.is_empty() {
                        continue;
                    }
                    // A word keeps its punctuation (`LH702`, `2026-12-01`), as typed.
                    if phrase && folded.contains(' ') {
                        query.phrases.push(folded);
                    } else {
                        query.words.push(folded);
                    }
                }
                Token::Filter { field, value } => query.filter(&field, value.trim(), zone)?,
            }
        }
        if query == Query::default() {
            return Err(QueryError::Empty);
        }
        Ok(query)
    }

    fn filter(
        &mut self,
        field: &str,
        value: &str,
        zone: &TimeZone,
    ) -> std::result::Result<(), QueryError> {
        if !FILTERS.contains(&field) {
            return Err(QueryError::UnknownFilter {
                field: field.to_owned(),
            });
        }
        if value.is_empty() {
            return Err(QueryError::MissingValue {
                field: field.to_owned(),
            });
        }
        match field {
            "author" => self.authors.push(value.to_owned()),
            "tag" => self.tags.push(value.to_lowercase()),
            "status" => {
                let value = value.to_lowercase();
                if ThreadStatus::parse(&value).is_none() && DecisionStatus::parse(&value).is_none()
                {
                    return Err(QueryError::BadStatus { value });
                }
                self.statuses.push(value);
            }
            "in" => {
                let kind =
                    Kind::parse(&value.to_lowercase()).ok_or_else(|| QueryError::BadKind {
                        value: value.to_owned(),
                    })?;
                self.kinds.push(kind);
            }
            "before" => self.before = Some(instant(field, value, zone)?),
            _ => self.after = Some(instant(field, value, zone)?),
        }
        Ok(())
    }

    /// The words and phrases, folded to lower case, as the text is matched.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .chain(self.phrases.iter())
            .map(String::as_str)
    }

    fn wants(&self, kind: Kind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }

    /// The words every matching file must hold (each word of each phrase too), for the
    /// prefilter over raw bytes.
    fn needles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for word in self
            .words
            .iter()
            .map(String::as_str)
            .chain(self.phrases.iter().flat_map(|p| p.split(' ')))
        {
            if !word.is_empty() && !out.iter().any(|w| w.contains(word)) {
                out.retain(|w| !word.contains(w.as_str()));
                out.push(word.to_owned());
            }
        }
        out
    }
}

/// Runs of whitespace as one space, trimmed.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A thread or decision a hit belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Place {
    /// Its slug.
    pub slug: String,
    /// Its title.
    pub title: String,
}

/// The line of a hit shown to the reader, with where the query matched in it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Line {
    /// The 1-based line number in the file.
    pub number: u32,
    /// The line (trimmed; cut around the first match, with `…`, when longer than 200 bytes).
    pub text: String,
    /// Byte ranges of `text` where a word or phrase matched, sorted, not overlapping.
    pub spans: Vec<(usize, usize)>,
}

/// One thread, reply or decision that matches a query.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hit {
    /// What it is.
    pub kind: Kind,
    /// The file, relative to the root.
    pub path: String,
    /// The thread's or decision's `id`, or the reply's file stem.
    pub id: String,
    /// The thread of a thread or reply hit (`None` for a reply whose thread header could not
    /// be read).
    pub thread: Option<Place>,
    /// The decision of a decision hit.
    pub decision: Option<Place>,
    /// Who wrote it (a decision may name no author).
    pub author: Option<Author>,
    /// When it was written.
    pub date: Moment,
    /// The line that matched (the title, or the first line of the text, when the query has
    /// only filters).
    pub line: Line,
}

/// Text lowered for matching, with the byte of the original each of its bytes came from
/// (`None` for ASCII text, where they are the same bytes).
struct Folded {
    text: String,
    origin: Option<Vec<usize>>,
}

/// Where `needle` starts a word of `text` (the character before it, if any, is not a letter
/// or digit).
fn word_starts<'a>(text: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(needle).filter_map(move |(at, _)| {
        let boundary = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        boundary.then_some(at)
    })
}

impl Folded {
    fn new(original: &str) -> Folded {
        if original.is_ascii() {
            return Folded {
                text: original.to_ascii_lowercase(),
                origin: None,
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        for (at, c) in original.char_indices() {
            for lower in c.to_lowercase() {
                let before = text.len();
                text.push(lower);
                origin.extend(std::iter::repeat_n(at, text.len() - before));
            }
        }
        origin.push(original.len());
        Folded {
            text,
            origin: Some(origin),
        }
    }

    /// Where `needle` starts at the start of a word of the text.
    fn word_starts<'a>(&'a self, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
        word_starts(&self.text, needle)
    }

    /// The original byte range of the folded range `start..end`.
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        let Some(origin) = &self.origin else {
            return (start, end);
        };
        let from = origin[start];
        // The end is the start of the next original character.
        let to = origin[end..]
            .iter()
            .copied()
            .find(|&o| o > origin[end - 1])
            .unwrap_or(*origin.last().unwrap_or(&0));
        (from, to)
    }
}

/// A record's searchable lines: (1-based line number, text).
fn lines_of(body: &str, first: u32) -> impl Iterator<Item = (u32, &str)> {
    body.lines()
        .enumerate()
        .map(move |(i, l)| (first.saturating_add(i as u32), l))
}

/// The text of a record the query's words are looked for in.
enum Text<'a> {
    Thread(&'a Thread),
    Reply(&'a Message),
    Decision(&'a Decision),
}

impl<'a> Text<'a> {
    fn lines(&self) -> Vec<(u32, &'a str)> {
        let mut out = Vec::new();
        match self {
            Text::Thread(t) => {
                out.push((t.origin.position("title").0, t.title.as_str()));
                out.extend(lines_of(&t.body, t.body_line));
            }
            Text::Reply(m) => out.extend(lines_of(&m.body, m.body_line)),
            Text::Decision(d) => {
                out.push((d.origin.position("title").0, d.title.as_str()));
                out.extend(lines_of(&d.body, d.body_line));
                if let Some(rationale) = &d.rationale {
                    out.push((d.origin.position("rationale").0, rationale.as_str()));
                }
            }
        }
        out
    }
}

/// The line to show when the record matches the query's words and phrases, else `None`.
fn text_match(query: &Query, text: &Text<'_>) -> Option<Line> {
    let lines = text.lines();
    let show = |number: u32, line: &str, spans: Vec<(usize, usize)>| cut(number, line, spans);
    if query.words.is_empty() && query.phrases.is_empty() {
        let (number, line) = lines
            .iter()
            .find(|(_, l)| !l.trim().is_empty())
            .copied()
            .unwrap_or((1, ""));
        return Some(show(number, line, Vec::new()));
    }
    // Whether it matches, on the whole text lowered at once (no word holds a line break),
    // with where each line starts in it.
    let mut all = String::with_capacity(lines.iter().map(|(_, l)| l.len() + 1).sum());
    let mut starts = Vec::with_capacity(lines.len());
    for (_, line) in &lines {
        if !starts.is_empty() {
            all.push('\n');
        }
        starts.push(all.len());
        if line.is_ascii() {
            let at = all.len();
            all.push_str(line);
            all[at..].make_ascii_lowercase();
        } else {
            all.push_str(&line.to_lowercase());
        }
    }
    if !query
        .words
        .iter()
        .all(|w| word_starts(&all, w).next().is_some())
    {
        return None;
    }
    if !query.phrases.is_empty() {
        let joined = normalize(&all);
        if !query.phrases.iter().all(|p| joined.contains(p.as_str())) {
            return None;
        }
    }
    // The first line holding a word, a phrase, or the first word of a phrase that spans lines.
    let firsts: Vec<&str> = query
        .phrases
        .iter()
        .filter_map(|p| p.split(' ').next())
        .collect();
    // Lines before the first needle anywhere hold none: start at its line.
    let first = query
        .words
        .iter()
        .chain(query.phrases.iter())
        .map(String::as_str)
        .chain(firsts.iter().copied())
        .filter_map(|needle| word_starts(&all, needle).next())
        .min()
        .unwrap_or(0);
    let skip = starts
        .partition_point(|&start| start <= first)
        .saturating_sub(1);
    let mut fallback = None;
    for (i, (_, line)) in lines.iter().enumerate().skip(skip) {
        let f = Folded::new(line);
        let mut spans = Vec::new();
        for needle in query.words.iter().chain(query.phrases.iter()) {
            for at in f.word_starts(needle) {
                spans.push(f.original(at, at + needle.len()));
            }
        }
        if !spans.is_empty() {
            return Some(show(lines[i].0, lines[i].1, merge(spans)));
        }
        if fallback.is_none() {
            let spans: Vec<(usize, usize)> = firsts
                .iter()
                .flat_map(|w| f.word_starts(w).map(|at| f.original(at, at + w.len())))
                .collect();
            if !spans.is_empty() {
                fallback = Some((i, merge(spans)));
            }
        }
    }
    let (i, spans) = fallback.unwrap_or((0, Vec::new()));
    let (number, line) = lines.get(i).copied().unwrap_or((1, ""));
    Some(show(number, line, spans))
}

/// Sorted ranges, overlapping ones joined.
fn merge(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

const LINE_BYTES: usize = 200;

/// The line trimmed, and cut to about [`LINE_BYTES`] around its first match.
fn cut(number: u32, line: &str, spans: Vec<(usize, usize)>) -> Line {
    let lead = line.len() - line.trim_start().len();
    let trimmed = line.trim();
    let shift = |spans: Vec<(usize, usize)>, by: usize, len: usize| -> Vec<(usize, usize)> {
        spans
            .into_iter()
            .filter(|(s, e)| *s >= by && *e <= by + len)
            .map(|(s, e)| (s - by, e - by))
            .collect()
    };
    let spans = shift(spans, lead, trimmed.len());
    if trimmed.len() <= LINE_BYTES {
        return Line {
            number,
            text: trimmed.to_owned(),
            spans,
        };
    }
    let first = spans.first().map_or(0, |s| s.0);
    let mut start = first.saturating_sub(LINE_BYTES / 4);
    while !trimmed.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + LINE_BYTES).min(trimmed.len());
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let before = if start > 0 { "…" } else { "" };
    let after = if end < trimmed.len() { "…" } else { "" };
    let spans = shift(spans, start, end - start)
        .into_iter()
        .map(|(s, e)| (s + before.len(), e + before.len()))
        .collect();
    Line {
        number,
        text: format!("{before}{}{after}", &trimmed[start..end]),
        spans,
    }
}

/// Whether `author` is one `author:` names.
fn author_matches(query: &Query, config: Option<&Config>, author: Option<&Author>) -> bool {
    if query.authors.is_empty() {
        return true;
    }
    let Some(author) = author else {
        return false;
    };
    let who = Who::of_email(config, &author.email);
    query.authors.iter().any(|wanted| {
        match Who::of_reference(config, wanted) {
            Some(named) if named == who => return true,
            Some(_) if wanted.contains('@') => return false,
            _ => {}
        }
        let wanted = wanted.to_lowercase();
        author.name.to_lowercase().contains(&wanted)
            || author.email.to_lowercase().contains(&wanted)
    })
}

/// Whether the date, kind, author, tags and status of a record pass the query's filters;
/// `tags` and `status` are the thread's for a thread or reply, and for a decision its own
/// status and its thread's tags.
fn filters_match(
    query: &Query,
    config: Option<&Config>,
    kind: Kind,
    author: Option<&Author>,
    date: &Moment,
    tags: &[String],
    status: Option<&str>,
) -> bool {
    query.wants(kind)
        && query.before.is_none_or(|b| date.instant < b)
        && query.after.is_none_or(|a| date.instant >= a)
        && query.tags.iter().all(|t| tags.contains(t))
        && (query.statuses.is_empty()
            || status.is_some_and(|s| query.statuses.iter().any(|q| q == s)))
        && author_matches(query, config, author)
}

fn place(slug: &str, title: &str) -> Place {
    Place {
        slug: slug.to_owned(),
        title: title.to_owned(),
    }
}

/// A hit for `thread`'s header, if it matches (`line`: its text's match, when known).
fn thread_hit(
    query: &Query,
    config: Option<&Config>,
    thread: &Thread,
    line: Option<Line>,
) -> Option<Hit> {
    if !filters_match(
        query,
        config,
        Kind::Thread,
        Some(&thread.author),
        &thread.date,
        &thread.tags,
        Some(thread.status.as_str()),
    ) {
        return None;
    }
    Some(Hit {
        kind: Kind::Thread,
        path: thread.origin.path.clone(),
        id: thread.id.to_string(),
        thread: Some(place(&thread.slug, &thread.title)),
        decision: None,
        author: Some(thread.author.clone()),
        date: thread.date.clone(),
        line: line.or_else(|| text_match(query, &Text::Thread(thread)))?,
    })
}

/// A hit for a reply of the thread `slug` (whose header is `thread`, when it could be read).
fn reply_hit(
    query: &Query,
    config: Option<&Config>,
    slug: &str,
    thread: Option<&Thread>,
    reply: &Message,
    line: Option<Line>,
) -> Option<Hit> {
    let tags = thread.map_or(&[][..], |t| t.tags.as_slice());
    if !filters_match(
        query,
        config,
        Kind::Reply,
        Some(&reply.author),
        &reply.date,
        tags,
        thread.map(|t| t.status.as_str()),
    ) {
        return None;
    }
    Some(Hit {
        kind: Kind::Reply,
        path: reply.origin.path.clone(),
        id: reply.stem.clone(),
        thread: thread.map(|t| place(slug, &t.title)),
        decision: None,
        author: Some(reply.author.clone()),
        date: reply.date.clone(),
        line: line.or_else(|| text_match(query, &Text::Reply(reply)))?,
    })
}

/// A hit for a decision (whose thread, when it names one that could be read, is `thread`).
fn decision_hit(
    query: &Query,
    config: Option<&Config>,
    decision: &Decision,
    thread: Option<&Thread>,
    line: Option<Line>,
) -> Option<Hit> {
    let tags = thread.map_or(&[][..], |t| t.tags.as_slice());
    if !filters_match(
        query,
        config,
        Kind::Decision,
        decision.author.as_ref(),
        &decision.date,
        tags,
        Some(decision.status.as_str()),
    ) {
        return None;
    }
    Some(Hit {
        kind: Kind::Decision,
        path: decision.origin.path.clone(),
        id: decision.id.to_string(),
        thread: None,
        decision: Some(place(&decision.slug, &decision.title)),
        author: decision.author.clone(),
        date: decision.date.clone(),
        line: line.or_else(|| text_match(query, &Text::Decision(decision)))?,
    })
}

/// Newest first; the same instant by path.
fn sort(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        b.date
            .instant
            .cmp(&a.date.instant)
            .then_with(|| a.path.cmp(&b.path))
    });
}

/// The hits of `query` in a loaded discussion, newest first.
pub fn search_discussion(discussion: &Discussion, query: &Query) -> Vec<Hit> {
    let config = discussion.config.as_ref();
    let mut hits = Vec::new();
    for thread in &discussion.threads {
        hits.extend(thread_hit(query, config, thread, None));
        for reply in &thread.replies {
            hits.extend(reply_hit(
                query,
                config,
                &thread.slug,
                Some(thread),
                reply,
                None,
            ));
        }
    }
    for decision in &discussion.decisions {
        let thread = decision
            .thread
            .as_deref()
            .and_then(|t| discussion.find_thread(t).ok());
        hits.extend(decision_hit(query, config, decision, thread, None));
    }
    sort(&mut hits);
    hits
}

/// The case-folded prefilter over a file's raw bytes: does it hold every needle?
struct Prefilter {
    ascii: Vec<memmem::Finder<'static>>,
    other: Vec<String>,
}

impl Prefilter {
    fn new(query: &Query) -> Prefilter {
        let (ascii, other): (Vec<String>, Vec<String>) =
            query.needles().into_iter().partition(|n| n.is_ascii());
        Prefilter {
            ascii: ascii
                .iter()
                .map(|n| memmem::Finder::new(n.as_bytes()).into_owned())
                .collect(),
            other,
        }
    }

    fn passes(&self, bytes: &[u8], scratch: &mut Vec<u8>) -> bool {
        if self.ascii.is_empty() && self.other.is_empty() {
            return true;
        }
        scratch.clear();
        scratch.extend(bytes.iter().map(u8::to_ascii_lowercase));
        if !self.ascii.iter().all(|f| f.find(scratch).is_some()) {
            return false;
        }
        if self.other.is_empty() {
            return true;
        }
        let lowered = String::from_utf8_lossy(bytes).to_lowercase();
        self.other.iter().all(|n| lowered.contains(n.as_str()))
    }
}

/// How many bytes of files are read before the batch is matched on the pool.
const BATCH_BYTES: usize = 1 << 20;

/// The hits of `query` in the discussion `source` holds, newest first, reading its files
/// directly: each file's raw bytes go through a case-folded `memmem` prefilter for every word,
/// and only files that pass are parsed and matched, on the pool of `parallelism` (the source
/// is read on the calling thread). A file that does not parse is left out, as the reading
/// commands leave it out. Gives the hits [`search_discussion`] gives on the loaded model.
pub fn search(source: &dyn Source, query: &Query, parallelism: &Parallelism) -> Result<Vec<Hit>> {
    let config = roster(source);
    let config = config.as_ref();
    let prefilter = Prefilter::new(query);
    let paths = layout_paths(source, query)?;
    // Batch k is matched on the pool while batch k + 1 is read, as loading does.
    let mut found: Vec<(Record, Line)> = Vec::new();
    parallelism.in_place_scope(|scope| -> Result<()> {
        let mut in_flight: Option<mpsc::Receiver<Vec<(Record, Line)>>> = None;
        let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
        let mut bytes = 0;
        let mut paths = paths.into_iter().peekable();
        while let Some(path) = paths.next() {
            if let Contents::Bytes(content) = source.read(&path, crate::document::MAX_FILE_BYTES)? {
                bytes += content.len();
                batch.push((path, content));
            }
            if bytes < BATCH_BYTES && paths.peek().is_some() {
                continue;
            }
            if let Some(matched) = in_flight.take() {
                found.extend(wait_for(&matched));
            }
            let full = std::mem::take(&mut batch);
            bytes = 0;
            let prefilter = &prefilter;
            let Some(scope) = scope else {
                found.extend(matched(parallelism, query, config, prefilter, full));
                continue;
            };
            let (send, receive) = mpsc::channel();
            scope.spawn(move |_| {
                // The receiver outlives the task unless reading failed.
                let _ = send.send(matched(parallelism, query, config, prefilter, full));
            });
            in_flight = Some(receive);
        }
        if let Some(matched) = in_flight.take() {
            found.extend(wait_for(&matched));
        }
        Ok(())
    })?;
    finish(source, query, config, found, BTreeMap::new())
}

/// [`search`] over the directory `root` (a work tree), reading its files on every thread of
/// `parallelism`, each task through a [`WorkTree`](crate::WorkTree) of its own (a source
/// is never shared between threads), so reading overlaps reading as well as matching. The
/// same hits as [`search`] over `WorkTree::new(root)`; what `longhand search` runs.
pub fn search_work_tree(
    root: &std::path::Path,
    query: &Query,
    parallelism: &Parallelism,
) -> Result<Vec<Hit>> {
    let source = crate::WorkTree::new(root);
    let config = roster(&source);
    let config = config.as_ref();
    let prefilter = Prefilter::new(query);
    // Each task lists its own thread directories (listing 10,000 of them one after another
    // would be a serial tenth of the work) and reads their files. Thread headers are read in
    // the same pass: replies and decisions need their title, tags and status.
    let headers_wanted =
        query.wants(Kind::Reply) || (query.wants(Kind::Decision) && !query.tags.is_empty());
    let threads_wanted = query.wants(Kind::Thread) || query.wants(Kind::Reply) || headers_wanted;
    let mut tasks: Vec<Vec<String>> = Vec::new();
    if threads_wanted {
        let dirs = entries(&source, "threads", EntryKind::Dir)?;
        tasks.extend(dirs.chunks(CHUNK_DIRS).map(<[String]>::to_vec));
    }
    if query.wants(Kind::Decision) {
        let files = entries(&source, "decisions", EntryKind::File)?;
        tasks.extend(files.chunks(CHUNK_FILES).map(<[String]>::to_vec));
    }
    type Chunk = (Vec<(Record, Line)>, Vec<(String, Option<Thread>)>);
    let matched = parallelism.map(tasks, |task| -> Result<Chunk> {
        let tree = crate::WorkTree::new(root);
        let mut chunk = Vec::new();
        for entry in task {
            if entry.starts_with("decisions/") {
                chunk.push(entry);
                continue;
            }
            for name in entries(&tree, &entry, EntryKind::File)? {
                let is_thread = name.ends_with("/thread.md");
                if (is_thread && (query.wants(Kind::Thread) || headers_wanted))
                    || (!is_thread && query.wants(Kind::Reply))
                {
                    chunk.push(name);
                }
            }
        }
        let mut out = Vec::new();
        let mut headers = Vec::new();
        let mut scratch = Vec::new();
        for path in chunk {
            let header = match Layout::of(&path) {
                Layout::Thread { slug } => Some(slug),
                _ => None,
            };
            let bytes = match tree.read(&path, crate::document::MAX_FILE_BYTES) {
                Ok(Contents::Bytes(bytes)) => bytes,
                Ok(_) => continue,
                // A header that cannot be read is left for `finish` to find absent.
                Err(_) if header.is_some() && !query.wants(Kind::Thread) => continue,
                Err(error) => return Err(error),
            };
            let passes = prefilter.passes(&bytes, &mut scratch);
            if !passes && header.is_none() {
                continue;
            }
            let Some(mut record) = record(&path, &bytes) else {
                if let Some(slug) = header {
                    headers.push((slug, None));
                }
                continue;
            };
            let line = if passes {
                quick_match(query, config, &record)
            } else {
                None
            };
            // Bodies are not needed once the line is found.
            match &mut record {
                Record::Thread(t) => t.body = String::new(),
                Record::Reply(m) => m.body = String::new(),
                Record::Decision(d) => d.body = String::new(),
            }
            if let (Some(slug), Record::Thread(t)) = (header, &record) {
                headers.push((slug, Some((**t).clone())));
            }
            if let Some(line) = line {
                out.push((record, line));
            }
        }
        Ok((out, headers))
    });
    let mut found = Vec::new();
    let mut headers = BTreeMap::new();
    for chunk in matched {
        let (records, read) = chunk?;
        found.extend(records);
        headers.extend(read);
    }
    finish(&source, query, config, found, headers)
}

/// How many decision records one task of [`search_work_tree`] reads.
const CHUNK_FILES: usize = 256;
/// How many thread directories one task of [`search_work_tree`] lists and reads.
const CHUNK_DIRS: usize = 32;

/// The files a query reads: thread headers and replies under `threads/`, decision records,
/// as the kinds it wants.
fn layout_paths(source: &dyn Source, query: &Query) -> Result<Vec<String>> {
    let mut paths = Vec::new();
    if query.wants(Kind::Thread) || query.wants(Kind::Reply) {
        for dir in entries(source, "threads", EntryKind::Dir)? {
            for name in entries(source, &dir, EntryKind::File)? {
                let is_thread = name.ends_with("/thread.md");
                if (is_thread && query.wants(Kind::Thread))
                    || (!is_thread && query.wants(Kind::Reply))
                {
                    paths.push(name);
                }
            }
        }
    }
    if query.wants(Kind::Decision) {
        paths.extend(entries(source, "decisions", EntryKind::File)?);
    }
    Ok(paths)
}

/// The hits of the records found: the thread headers replies and decisions need are read
/// (once each), the filters on them applied, and the hits sorted.
fn finish(
    source: &dyn Source,
    query: &Query,
    config: Option<&Config>,
    found: Vec<(Record, Line)>,
    mut headers: BTreeMap<String, Option<Thread>>,
) -> Result<Vec<Hit>> {
    // The thread headers the replies and decisions found need, read once each.
    let slug_of = |record: &Record| -> Option<String> {
        match record {
            Record::Reply(m) => match Layout::of(&m.origin.path) {
                Layout::Reply { slug, .. } => Some(slug),
                _ => None,
            },
            Record::Decision(d) => d
                .thread
                .clone()
                .filter(|t| crate::model::Id::parse(t).is_none()),
            Record::Thread(_) => None,
        }
    };
    for (record, _) in &found {
        if let Some(slug) = slug_of(record) {
            if headers.contains_key(&slug) {
                continue;
            }
            let path = format!("threads/{slug}/thread.md");
            let thread = match source.read(&path, crate::document::MAX_FILE_BYTES) {
                Ok(Contents::Bytes(bytes)) => match record_of(&path, &bytes) {
                    Some(Record::Thread(t)) => Some(*t),
                    _ => None,
                },
                _ => None,
            };
            headers.insert(slug, thread);
        }
    }
    let mut hits = Vec::new();
    for (record, line) in found {
        let slug = slug_of(&record);
        let header = slug
            .as_ref()
            .and_then(|s| headers.get(s))
            .and_then(Option::as_ref);
        match &record {
            Record::Thread(t) => hits.extend(thread_hit(query, config, t, Some(line))),
            Record::Reply(m) => {
                // As in a loaded model, a reply whose thread header does not parse is left out.
                if let (Some(slug), Some(thread)) = (&slug, header) {
                    hits.extend(reply_hit(query, config, slug, Some(thread), m, Some(line)));
                }
            }
            Record::Decision(d) => {
                hits.extend(decision_hit(query, config, d, header, Some(line)));
            }
        }
    }
    sort(&mut hits);
    Ok(hits)
}

/// The records of `batch` (paths and bytes) that pass the prefilter and match, with the
/// line each shows, matched on the threads of `parallelism`.
fn matched(
    parallelism: &Parallelism,
    query: &Query,
    config: Option<&Config>,
    prefilter: &Prefilter,
    batch: Vec<(String, Vec<u8>)>,
) -> Vec<(Record, Line)> {
    let parsed = parallelism.map(batch, |(path, bytes)| {
        let mut scratch = Vec::new();
        if !prefilter.passes(&bytes, &mut scratch) {
            return None;
        }
        let record = record(&path, &bytes)?;
        let line = quick_match(query, config, &record)?;
        Some((record, line))
    });
    parsed.into_iter().flatten().collect()
}

/// What a task spawned on the pool sends; a pool thread waiting for it runs other tasks
/// meanwhile (it might be the one that would send), as loading does.
fn wait_for<T: Default>(receiver: &mpsc::Receiver<T>) -> T {
    if rayon::current_thread_index().is_none() {
        return receiver.recv().unwrap_or_default();
    }
    loop {
        match receiver.try_recv() {
            Ok(value) => return value,
            Err(mpsc::TryRecvError::Disconnected) => return T::default(),
            Err(mpsc::TryRecvError::Empty) => {
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        }
    }
}

/// The roster of the discussion `source` holds, when `longhand.yaml` can be read (what
/// [`search`] resolves `author:` with, and a printer shows names with).
pub fn roster(source: &dyn Source) -> Option<Config> {
    match source.read(CONFIG_FILE, crate::document::MAX_FILE_BYTES) {
        Ok(Contents::Bytes(bytes)) => crate::load::config_of(&bytes),
        _ => None,
    }
}

/// What can be judged of a parsed record before its thread header is read (the words,
/// phrases, kind, author and dates), and the line to show when it passes.
fn quick_match(query: &Query, config: Option<&Config>, record: &Record) -> Option<Line> {
    let (kind, author, date, text) = match record {
        Record::Thread(t) => (Kind::Thread, Some(&t.author), &t.date, Text::Thread(t)),
        Record::Reply(m) => (Kind::Reply, Some(&m.author), &m.date, Text::Reply(m)),
        Record::Decision(d) => (
            Kind::Decision,
            d.author.as_ref(),
            &d.date,
            Text::Decision(d),
        ),
    };
    let pass = query.wants(kind)
        && query.before.is_none_or(|b| date.instant < b)
        && query.after.is_none_or(|a| date.instant >= a)
        && author_matches(query, config, author);
    if !pass {
        return None;
    }
    text_match(query, &text)
}

/// The paths of the entries of `dir` of `kind` whose names the loader would read (no hidden,
/// hostile or non-UTF-8 names; files ending in `.md`); none when `dir` is not a directory.
fn entries(source: &dyn Source, dir: &str, kind: EntryKind) -> Result<Vec<String>> {
    if source.kind(dir)? != Some(EntryKind::Dir) {
        return Ok(Vec::new());
    }
    let mut out: Vec<String> = source
        .list(dir)?
        .into_iter()
        .filter(|e| e.kind == kind && !e.name.starts_with('.'))
        .filter(|e| crate::load::names::check_entry(dir, e.name_bytes(), false).is_none())
        .filter(|e| kind == EntryKind::Dir || e.name.ends_with(".md"))
        .map(|e| format!("{dir}/{}", e.name))
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<Query, QueryError> {
        Query::parse(text, &TimeZone::UTC)
    }

    #[test]
    fn a_query_splits_into_words_phrases_and_filters() {
        let query = parse("Standups \"Written  NOTES\" author:\"Ana Lima\" tag:process in:reply")
            .expect("a query");
        assert_eq!(query.words, ["standups"]);
        assert_eq!(query.phrases, ["written notes"]);
        assert_eq!(query.authors, ["Ana Lima"]);
        assert_eq!(query.tags, ["process"]);
        assert_eq!(query.kinds, [Kind::Reply]);
        // A word keeps its punctuation; a colon after something else is text.
        let query = parse("LH702 12:00 http://example.org").expect("a query");
        assert_eq!(query.words, ["lh702", "12:00", "http://example.org"]);
    }

    #[test]
    fn arguments_with_spaces_are_phrases_or_filter_values() {
        let zone = TimeZone::UTC;
        let query =
            Query::from_args(&["written notes", "author:Ana Lima", "x"], &zone).expect("a query");
        assert_eq!(query.phrases, ["written notes"]);
        assert_eq!(query.authors, ["Ana Lima"]);
        assert_eq!(query.words, ["x"]);
    }

    #[test]
    fn a_day_starts_at_midnight_in_the_readers_zone() {
        let berlin = TimeZone::get("Europe/Berlin").expect("a zone");
        let query = Query::parse("x before:2026-12-01", &berlin).expect("a query");
        assert_eq!(
            query.before.map(|t| t.to_string()),
            Some("2026-11-30T23:00:00Z".to_owned())
        );
        let query = Query::parse("x after:2026-12-01T17:00:00+01:00", &berlin).expect("query");
        assert_eq!(
            query.after.map(|t| t.to_string()),
            Some("2026-12-01T16:00:00Z".to_owned())
        );
    }

    #[test]
    fn bad_filters_are_typed_errors() {
        assert_eq!(
            parse("tag:"),
            Err(QueryError::MissingValue {
                field: "tag".into()
            })
        );
        assert!(matches!(
            parse("status:done"),
            Err(QueryError::BadStatus { .. })
        ));
        assert!(matches!(parse("in:wiki"), Err(QueryError::BadKind { .. })));
        assert!(matches!(
            parse("before:soon"),
            Err(QueryError::BadDate { .. })
        ));
        assert!(matches!(
            parse("\"open"),
            Err(QueryError::UnclosedQuote { .. })
        ));
        assert_eq!(parse("   "), Err(QueryError::Empty));
    }

    #[test]
    fn matches_map_back_to_the_original_bytes_when_lower_case_is_longer() {
        // `İ` lowers to two characters (`i` and a combining dot): three bytes for two.
        let folded = Folded::new("Zum İstanbul-Büro");
        let at = folded.text.find("büro").expect("found");
        let (start, end) = folded.original(at, at + "büro".len());
        assert_eq!(&"Zum İstanbul-Büro"[start..end], "Büro");
        let starts: Vec<usize> = folded.word_starts("b").collect();
        assert_eq!(starts.len(), 1, "at the start of a word only");
    }

    #[test]
    fn a_long_line_is_cut_around_its_first_match() {
        let line = format!("{}needle{}", "a ".repeat(200), " b".repeat(200));
        let at = line.find("needle").expect("found");
        let cut = cut(7, &line, vec![(at, at + 6)]);
        assert!(cut.text.starts_with('…') && cut.text.ends_with('…'));
        let (s, e) = cut.spans[0];
        assert_eq!(&cut.text[s..e], "needle");
    }
}
