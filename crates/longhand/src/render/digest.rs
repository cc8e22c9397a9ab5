//! A [`Digest`] as something to read in a batch, in an email or a terminal: plain text,
//! Markdown, or a self-contained, email-safe HTML document.
//!
//! Every format has the same parts in the same order: a subject line ([`subject`]), who it is
//! for and the window it covers, then sections with counts — what waits for the reader, new
//! threads, new replies grouped by thread, decisions, thread status changes — each item named
//! by its slug, replies with a short plain-text excerpt of their first lines. Sections with
//! nothing in them are left out. Times are in the reader's zone.
//!
//! Bodies are untrusted: excerpts are plain text from [`terminal::render`] (control characters
//! and direction overrides removed), escaped again for Markdown, and for HTML escaped by
//! [`html::escape`]. The HTML has inline styles only — no scripts, no style sheets, no
//! external resources. The output is a pure function of its inputs: the same bytes every run.

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use crate::mail::{self, Mailbox};
use crate::model::Who;
use crate::model::{Author, Config, DecisionStatus, Message, Thread, ThreadStatus};
use crate::read::digest::{DecisionEvent, Digest, Since};
use crate::read::inbox::Due;
#[cfg(feature = "site")]
use crate::render::site::Pages;
use crate::render::{html, terminal};

/// How many lines of a body an excerpt keeps.
pub const EXCERPT_LINES: usize = 3;

/// The width excerpts are wrapped to, in characters.
pub const EXCERPT_WIDTH: usize = 72;

/// The formats a digest is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text, starting with a `Subject:` line: ready for a mail body.
    Text,
    /// Markdown, starting with the subject as a `#` heading.
    Markdown,
    /// A whole HTML document with inline styles, for an HTML email.
    Html,
}

/// What a digest is rendered with, besides the digest itself. Build it with
/// [`Options::new`] (and [`Options::site`] with the feature `site`), so that code builds the
/// same with or without the feature.
#[non_exhaustive]
pub struct Options<'a> {
    /// The roster (for names) and the discussion's title.
    pub config: Option<&'a Config>,
    /// The reader's time zone.
    pub zone: &'a TimeZone,
    /// The rendered site to link threads and decisions to, if there is one.
    #[cfg(feature = "site")]
    pub site: Option<Site<'a>>,
}

/// A site rendered by `longhand render`, published at `base_url`.
#[cfg(feature = "site")]
pub struct Site<'a> {
    /// Where the site is published (`https://example.org/team/`).
    pub base_url: &'a str,
    /// Its page paths.
    pub pages: &'a Pages<'a>,
}

impl<'a> Options<'a> {
    /// A digest for a reader in `zone`, with the roster and title of `config`, linking to no
    /// site.
    pub fn new(config: Option<&'a Config>, zone: &'a TimeZone) -> Options<'a> {
        Options {
            config,
            zone,
            #[cfg(feature = "site")]
            site: None,
        }
    }

    /// Links threads and decisions to the rendered `site`, when there is one.
    #[cfg(feature = "site")]
    pub fn site(mut self, site: Option<Site<'a>>) -> Options<'a> {
        self.site = site;
        self
    }
}

#[cfg(feature = "site")]
impl Site<'_> {
    fn url(&self, page: String) -> String {
        format!("{}/{page}", self.base_url.trim_end_matches('/'))
    }
}

/// One line of a section: the text (plain), a slug to show with it, details, and an excerpt.
struct Line {
    text: String,
    slug: Option<String>,
    url: Option<String>,
    details: Vec<String>,
    excerpt: Vec<String>,
    children: Vec<Line>,
}

impl Line {
    fn new(text: String) -> Line {
        Line {
            text,
            slug: None,
            url: None,
            details: Vec::new(),
            excerpt: Vec::new(),
            children: Vec::new(),
        }
    }
}

struct Section {
    heading: String,
    lines: Vec<Line>,
}

/// The first lines of a body as plain text: at most [`EXCERPT_LINES`] non-blank lines wrapped
/// at [`EXCERPT_WIDTH`], the last ending in `…` when the body goes on. Empty for an empty body.
pub fn excerpt(body: &str) -> Vec<String> {
    let text = terminal::render(body, 0, EXCERPT_WIDTH);
    let all: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut lines: Vec<String> = all
        .iter()
        .take(EXCERPT_LINES)
        .map(|l| l.trim_start().to_owned())
        .collect();
    if all.len() > EXCERPT_LINES {
        if let Some(last) = lines.last_mut() {
            last.push_str(" …");
        }
    }
    lines
}

fn name(author: &Author, config: Option<&Config>) -> String {
    terminal::sanitize(&crate::read::shown_name(author, config))
}

fn who_name(who: &Who, config: Option<&Config>) -> String {
    let roster = who
        .handle()
        .and_then(|h| config.and_then(|c| c.people.get(h)))
        .map(|p| p.name.as_str());
    terminal::sanitize(roster.unwrap_or(who.as_str()))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn since_label(digest: &Digest, zone: &TimeZone) -> String {
    match &digest.since {
        Since::Instant(at) => terminal::instant(*at, zone, digest.now),
        Since::LastRead { at, .. } => {
            format!(
                "your last read ({})",
                terminal::instant(*at, zone, digest.now)
            )
        }
        Since::Revision { name, commit } => match commit {
            // A hash typed in full says no more than its short form.
            Some(commit) if name.starts_with(commit.as_str()) => commit.clone(),
            Some(commit) => format!("{} ({commit})", terminal::sanitize(name)),
            None => terminal::sanitize(name),
        },
    }
}

fn title(options: &Options) -> String {
    options
        .config
        .map(|c| terminal::sanitize(&c.title))
        .unwrap_or_else(|| "Longhand".to_owned())
}

/// The subject line: `[Title] 1 new thread, 3 replies, 1 decision since Tue 24 Nov 09:00`,
/// with `, 2 waiting for you` when something awaits the reader; `[Title] Nothing new since …`
/// when nothing happened.
pub fn subject(digest: &Digest, options: &Options) -> String {
    let mut parts = Vec::new();
    if !digest.new_threads.is_empty() {
        parts.push(plural(
            digest.new_threads.len(),
            "new thread",
            "new threads",
        ));
    }
    if digest.reply_count() > 0 {
        parts.push(plural(digest.reply_count(), "reply", "replies"));
    }
    if !digest.decisions.is_empty() {
        parts.push(plural(digest.decisions.len(), "decision", "decisions"));
    }
    if !digest.thread_changes.is_empty() {
        parts.push(plural(
            digest.thread_changes.len(),
            "thread status change",
            "thread status changes",
        ));
    }
    let since = since_label(digest, options.zone);
    let mut text = if parts.is_empty() {
        format!("[{}] Nothing new since {since}", title(options))
    } else {
        format!("[{}] {} since {since}", title(options), parts.join(", "))
    };
    if let Some(awaiting) = &digest.awaiting {
        let waiting = awaiting.len();
        if waiting > 0 {
            text.push_str(&format!(", {waiting} waiting for you"));
        }
    }
    text
}

fn status_word(status: DecisionStatus) -> &'static str {
    status.as_str()
}

fn thread_word(status: ThreadStatus) -> &'static str {
    match status {
        ThreadStatus::Open => "reopened",
        ThreadStatus::Resolved => "resolved",
        ThreadStatus::Closed => "closed",
    }
}

fn reply_line(message: &Message, options: &Options, now: jiff::Timestamp) -> Line {
    let mut text = format!(
        "{}, {}",
        name(&message.author, options.config),
        terminal::moment(&message.date, options.zone, now)
    );
    if let Some(vote) = message.vote {
        text.push_str(&format!(" · votes {vote}"));
    }
    let mut line = Line::new(text);
    line.excerpt = excerpt(&message.body);
    line
}

/// The page of `thread` on the site the digest links to, if any.
#[cfg(feature = "site")]
fn thread_url(options: &Options, thread: &Thread) -> Option<String> {
    let site = options.site.as_ref()?;
    Some(site.url(site.pages.thread(thread)))
}

/// Without the site renderer (the `site` feature) a digest links to no site.
#[cfg(not(feature = "site"))]
fn thread_url(_: &Options, _: &Thread) -> Option<String> {
    None
}

/// The page of `decision` on the site the digest links to, if any.
#[cfg(feature = "site")]
fn decision_url(options: &Options, decision: &crate::model::Decision) -> Option<String> {
    let site = options.site.as_ref()?;
    Some(site.url(site.pages.decision(decision)))
}

/// Without the site renderer (the `site` feature) a digest links to no site.
#[cfg(not(feature = "site"))]
fn decision_url(_: &Options, _: &crate::model::Decision) -> Option<String> {
    None
}

fn thread_heading(thread: &Thread) -> String {
    terminal::sanitize(&thread.title)
}

fn sections(digest: &Digest, options: &Options) -> Vec<Section> {
    let zone = options.zone;
    let now = digest.now;
    let mut out = Vec::new();
    if let Some(awaiting) = &digest.awaiting {
        let mut lines = Vec::new();
        for item in &awaiting.threads {
            let thread = item.summary.thread;
            let mut line = Line::new(thread_heading(thread));
            // The item's id, which `inbox done` takes.
            line.slug = Some(terminal::sanitize(&item.id));
            line.url = thread_url(options, thread);
            let mut why = Vec::new();
            if item.awaited {
                why.push("your answer is awaited".to_owned());
            }
            if !item.mentions.is_empty() {
                let by: Vec<String> = item
                    .mentions
                    .iter()
                    .map(|m| name(m.by, options.config))
                    .collect();
                why.push(format!("mentioned by {}", by.join(", ")));
            }
            line.details.push(why.join("; "));
            if let Some(deadline) = &thread.respond_by {
                let mut by = format!("respond by {}", terminal::deadline(deadline, zone, now));
                if let Some(due) = item.due.label() {
                    by.push_str(&format!(" · {due}"));
                }
                line.details.push(by);
            }
            lines.push(line);
        }
        for vote in &awaiting.votes {
            let mut line = Line::new(format!(
                "Your vote on \"{}\"",
                terminal::sanitize(&vote.decision.title)
            ));
            line.slug = Some(terminal::sanitize(&vote.id));
            line.url = decision_url(options, vote.decision);
            let mut by = format!(
                "review ends {}",
                terminal::instant(vote.deadline, zone, now)
            );
            if vote.overdue {
                by.push_str(" · passed");
            } else if let Some(due) = vote.due.label() {
                by.push_str(&format!(" · {due}"));
            }
            line.details.push(by);
            lines.push(line);
        }
        let heading = format!(
            "Waiting for {} ({})",
            who_name(&awaiting.who, options.config),
            lines.len()
        );
        if !lines.is_empty() {
            out.push(Section { heading, lines });
        }
    }
    if !digest.new_threads.is_empty() {
        let lines = digest
            .new_threads
            .iter()
            .map(|thread| {
                let mut line = Line::new(thread_heading(thread));
                line.slug = Some(terminal::sanitize(&thread.slug));
                line.url = thread_url(options, thread);
                line.details.push(format!(
                    "opened by {}, {}",
                    name(&thread.author, options.config),
                    terminal::moment(&thread.date, zone, now)
                ));
                line.excerpt = excerpt(&thread.body);
                line
            })
            .collect();
        out.push(Section {
            heading: format!("New threads ({})", digest.new_threads.len()),
            lines,
        });
    }
    if !digest.replies.is_empty() {
        let lines = digest
            .replies
            .iter()
            .map(|group| {
                let mut line = Line::new(thread_heading(group.thread));
                line.slug = Some(terminal::sanitize(&group.thread.slug));
                line.url = thread_url(options, group.thread);
                line.details
                    .push(plural(group.replies.len(), "new reply", "new replies"));
                line.children = group
                    .replies
                    .iter()
                    .map(|m| reply_line(m, options, now))
                    .collect();
                line
            })
            .collect();
        out.push(Section {
            heading: format!(
                "New replies ({} in {})",
                digest.reply_count(),
                plural(digest.replies.len(), "thread", "threads")
            ),
            lines,
        });
    }
    if !digest.decisions.is_empty() {
        let lines = digest
            .decisions
            .iter()
            .map(|change| {
                let decision = change.decision;
                let mut line = Line::new(format!(
                    "{}: {}",
                    status_word(decision.status),
                    terminal::sanitize(&decision.title)
                ));
                line.slug = Some(terminal::sanitize(&decision.slug));
                line.url = decision_url(options, decision);
                match change.event {
                    DecisionEvent::New if decision.status == DecisionStatus::Proposed => {
                        line.details.push(format!(
                            "proposed {}",
                            terminal::moment(&decision.date, zone, now)
                        ));
                    }
                    DecisionEvent::New => line.details.push(format!(
                        "proposed {}, now {}",
                        terminal::moment(&decision.date, zone, now),
                        status_word(decision.status)
                    )),
                    DecisionEvent::Changed { from } => {
                        line.details.push(format!("was {}", status_word(from)))
                    }
                }
                line
            })
            .collect();
        out.push(Section {
            heading: format!("Decisions ({})", digest.decisions.len()),
            lines,
        });
    }
    if !digest.thread_changes.is_empty() {
        let lines = digest
            .thread_changes
            .iter()
            .map(|change| {
                let mut line = Line::new(format!(
                    "{}: {}",
                    thread_word(change.thread.status),
                    thread_heading(change.thread)
                ));
                line.slug = Some(terminal::sanitize(&change.thread.slug));
                line.url = thread_url(options, change.thread);
                line.details.push(format!("was {}", change.from.as_str()));
                line
            })
            .collect();
        out.push(Section {
            heading: format!(
                "Threads resolved, closed or reopened ({})",
                digest.thread_changes.len()
            ),
            lines,
        });
    }
    out
}

/// Who the digest is for and the window it covers, in one line.
fn window(digest: &Digest, options: &Options) -> String {
    let zone_name = options.zone.iana_name().unwrap_or("UTC");
    let until = terminal::instant(digest.now, options.zone, digest.now);
    let mut text = format!(
        "{} · since {} · until {until} ({zone_name})",
        title(options),
        since_label(digest, options.zone)
    );
    if let Some(awaiting) = &digest.awaiting {
        text = format!("For {} · {text}", who_name(&awaiting.who, options.config));
    }
    text
}

/// The subject of a digest sent by mail: what waits for the reader and by when, then what is
/// new, and never a commit hash: `[Title] 2 waiting for you, 1 overdue, next by Thu 3 Dec
/// 18:00; 1 new thread, 3 replies`, or `[Title] Nothing waits for you; Nothing new`.
pub fn email_subject(digest: &Digest, options: &Options) -> String {
    let mut parts = Vec::new();
    if let Some(awaiting) = &digest.awaiting {
        if awaiting.is_empty() {
            parts.push("Nothing waits for you".to_owned());
        } else {
            let mut waiting = format!("{} waiting for you", awaiting.len());
            let overdue = awaiting
                .threads
                .iter()
                .map(|i| i.due)
                .chain(awaiting.votes.iter().map(|v| v.due))
                .filter(|d| *d == Due::Overdue)
                .count();
            if overdue > 0 {
                waiting.push_str(&format!(", {overdue} overdue"));
            }
            let next = awaiting
                .threads
                .iter()
                .filter(|i| i.due != Due::Undated && i.due != Due::Overdue)
                .filter_map(|i| i.summary.thread.respond_by.as_ref().map(|d| d.instant()))
                .chain(
                    awaiting
                        .votes
                        .iter()
                        .filter(|v| v.due != Due::Overdue)
                        .map(|v| v.deadline),
                )
                .min();
            if let Some(next) = next {
                waiting.push_str(&format!(
                    ", next by {}",
                    terminal::instant(next, options.zone, digest.now)
                ));
            }
            parts.push(waiting);
        }
    }
    let mut new = Vec::new();
    if !digest.new_threads.is_empty() {
        new.push(plural(
            digest.new_threads.len(),
            "new thread",
            "new threads",
        ));
    }
    if digest.reply_count() > 0 {
        new.push(plural(digest.reply_count(), "reply", "replies"));
    }
    if !digest.decisions.is_empty() {
        new.push(plural(digest.decisions.len(), "decision", "decisions"));
    }
    if !digest.thread_changes.is_empty() {
        new.push(plural(
            digest.thread_changes.len(),
            "thread status change",
            "thread status changes",
        ));
    }
    if new.is_empty() {
        parts.push("Nothing new".to_owned());
    } else {
        parts.push(new.join(", "));
    }
    format!("[{}] {}", title(options), parts.join("; "))
}

/// Who a digest mail is from and to, and when it is sent.
#[non_exhaustive]
pub struct Envelope<'a> {
    /// The sender.
    pub from: &'a Mailbox,
    /// The reader it is for.
    pub to: &'a Mailbox,
}

impl<'a> Envelope<'a> {
    /// A mail from `from` to `to`.
    pub fn new(from: &'a Mailbox, to: &'a Mailbox) -> Envelope<'a> {
        Envelope { from, to }
    }
}

/// The digest as one mail (RFC 5322): `From`, `To`, `Subject` ([`email_subject`]), `Date` (the
/// digest's instant in the reader's zone), a `Message-ID` derived from the content and the
/// instant, and a `multipart/alternative` body of the plain text and the HTML document.
pub fn email(digest: &Digest, options: &Options, envelope: &Envelope) -> mail::Message {
    let subject = email_subject(digest, options);
    let plain = text(digest, options);
    // The text starts with its own `Subject:` line and a blank line: the header says it.
    let plain = plain
        .split_once("\n\n")
        .map_or(plain.as_str(), |(_, rest)| rest)
        .to_owned();
    let html = html_document(digest, options);
    let seed = format!("{}\n{subject}\n{plain}", envelope.to.address);
    let domain = envelope.from.domain().unwrap_or_default();
    let headers = vec![
        ("From".to_owned(), envelope.from.encoded()),
        ("To".to_owned(), envelope.to.encoded()),
        ("Subject".to_owned(), subject),
        ("Date".to_owned(), mail::date(digest.now, options.zone)),
        (
            "Message-ID".to_owned(),
            mail::message_id(&seed, digest.now, domain),
        ),
        ("Auto-Submitted".to_owned(), "auto-generated".to_owned()),
    ];
    mail::Message::new(
        headers,
        mail::Body::Alternative(vec![
            mail::Part::text("text/plain", plain),
            mail::Part::text("text/html", html),
        ]),
    )
}

/// Renders `digest` in `format`. Every format ends with a line feed.
pub fn render(digest: &Digest, options: &Options, format: Format) -> String {
    match format {
        Format::Text => text(digest, options),
        Format::Markdown => markdown(digest, options),
        Format::Html => html_document(digest, options),
    }
}

fn quiet_line(digest: &Digest, options: &Options) -> String {
    format!("Nothing new since {}.", since_label(digest, options.zone))
}

fn text(digest: &Digest, options: &Options) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Subject: {}", subject(digest, options));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", window(digest, options));
    if digest.is_quiet() {
        let _ = writeln!(out, "\n{}", quiet_line(digest, options));
    }
    for section in sections(digest, options) {
        let _ = writeln!(out, "\n{}\n", section.heading);
        for line in &section.lines {
            text_line(&mut out, line, 2);
        }
    }
    out
}

fn text_line(out: &mut String, line: &Line, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}• {}", line.text);
    let mut details = Vec::new();
    if let Some(slug) = &line.slug {
        details.push(slug.clone());
    }
    details.extend(line.details.iter().cloned());
    if !details.is_empty() {
        let _ = writeln!(out, "{pad}  {}", details.join(" · "));
    }
    if let Some(url) = &line.url {
        let _ = writeln!(out, "{pad}  <{url}>");
    }
    for excerpt in &line.excerpt {
        let _ = writeln!(out, "{pad}  > {excerpt}");
    }
    for child in &line.children {
        text_line(out, child, indent + 2);
    }
}

/// Backslash-escapes the characters Markdown could read as syntax in running text. With `[`
/// and `]` escaped no link or image can form, so `(`, `)` and `!` stay as they are.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(digest: &Digest, options: &Options) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", md_escape(&subject(digest, options)));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", md_escape(&window(digest, options)));
    if digest.is_quiet() {
        let _ = writeln!(out, "\n{}", md_escape(&quiet_line(digest, options)));
    }
    for section in sections(digest, options) {
        let _ = writeln!(out, "\n## {}\n", md_escape(&section.heading));
        for line in &section.lines {
            md_line(&mut out, line, 0);
        }
    }
    out
}

fn md_line(out: &mut String, line: &Line, indent: usize) {
    let pad = " ".repeat(indent);
    let mut head = match &line.url {
        Some(url) => format!("**[{}](<{url}>)**", md_escape(&line.text)),
        None => format!("**{}**", md_escape(&line.text)),
    };
    if let Some(slug) = &line.slug {
        head.push_str(&format!(" (`{slug}`)"));
    }
    let _ = writeln!(out, "{pad}- {head}");
    if !line.details.is_empty() {
        let _ = writeln!(out, "{pad}  {}", md_escape(&line.details.join(" · ")));
    }
    if !line.excerpt.is_empty() {
        let _ = writeln!(out);
        for excerpt in &line.excerpt {
            let _ = writeln!(out, "{pad}  > {}", md_escape(excerpt));
        }
        if !line.children.is_empty() {
            let _ = writeln!(out);
        }
    }
    for child in &line.children {
        md_line(out, child, indent + 2);
    }
}

const BODY_STYLE: &str = "margin:0;padding:0;background-color:#f4f4f1;";
const BOX_STYLE: &str = "max-width:640px;margin:0 auto;padding:24px;background-color:#ffffff;color:#1f2328;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;";
const H1_STYLE: &str = "font-size:20px;line-height:1.3;margin:0 0 6px 0;";
const META_STYLE: &str = "color:#59636e;font-size:13px;margin:0 0 8px 0;";
const H2_STYLE: &str =
    "font-size:16px;margin:24px 0 8px 0;padding-bottom:4px;border-bottom:1px solid #d1d9e0;";
const UL_STYLE: &str = "margin:0;padding:0 0 0 20px;";
const LI_STYLE: &str = "margin:0 0 10px 0;";
const A_STYLE: &str = "color:#0969da;text-decoration:none;";
const DETAIL_STYLE: &str = "color:#59636e;font-size:13px;";
const CODE_STYLE: &str = "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background-color:#eff1f3;padding:1px 4px;border-radius:3px;";
const QUOTE_STYLE: &str =
    "margin:4px 0 0 0;padding:0 0 0 10px;border-left:3px solid #d1d9e0;color:#59636e;";

fn html_document(digest: &Digest, options: &Options) -> String {
    let mut out = String::new();
    let subject = html::escape(&subject(digest, options));
    let _ = writeln!(out, "<!DOCTYPE html>");
    let _ = writeln!(out, "<html lang=\"en\">");
    let _ = writeln!(out, "<head>");
    let _ = writeln!(out, "<meta charset=\"utf-8\" />");
    let _ = writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />"
    );
    let _ = writeln!(out, "<meta name=\"color-scheme\" content=\"light\" />");
    let _ = writeln!(out, "<title>{subject}</title>");
    let _ = writeln!(out, "</head>");
    let _ = writeln!(out, "<body style=\"{BODY_STYLE}\">");
    let _ = writeln!(out, "<div style=\"{BOX_STYLE}\">");
    let _ = writeln!(out, "<h1 style=\"{H1_STYLE}\">{subject}</h1>");
    let _ = writeln!(
        out,
        "<p style=\"{META_STYLE}\">{}</p>",
        html::escape(&window(digest, options))
    );
    if digest.is_quiet() {
        let _ = writeln!(out, "<p>{}</p>", html::escape(&quiet_line(digest, options)));
    }
    for section in sections(digest, options) {
        let _ = writeln!(
            out,
            "<h2 style=\"{H2_STYLE}\">{}</h2>",
            html::escape(&section.heading)
        );
        html_lines(&mut out, &section.lines);
    }
    let _ = writeln!(out, "</div>");
    let _ = writeln!(out, "</body>");
    let _ = writeln!(out, "</html>");
    out
}

fn html_lines(out: &mut String, lines: &[Line]) {
    let _ = writeln!(out, "<ul style=\"{UL_STYLE}\">");
    for line in lines {
        let text = html::escape(&line.text);
        match &line.url {
            Some(url) => {
                let _ = write!(
                    out,
                    "<li style=\"{LI_STYLE}\"><strong><a href=\"{}\" style=\"{A_STYLE}\">{text}</a></strong>",
                    html::escape(url)
                );
            }
            None => {
                let _ = write!(out, "<li style=\"{LI_STYLE}\"><strong>{text}</strong>");
            }
        }
        if let Some(slug) = &line.slug {
            let _ = write!(
                out,
                " <code style=\"{CODE_STYLE}\">{}</code>",
                html::escape(slug)
            );
        }
        if !line.details.is_empty() {
            let _ = write!(
                out,
                "<br /><span style=\"{DETAIL_STYLE}\">{}</span>",
                html::escape(&line.details.join(" · "))
            );
        }
        if !line.excerpt.is_empty() {
            let text: Vec<String> = line.excerpt.iter().map(|l| html::escape(l)).collect();
            let _ = write!(
                out,
                "<blockquote style=\"{QUOTE_STYLE}\">{}</blockquote>",
                text.join("<br />")
            );
        }
        if !line.children.is_empty() {
            let _ = writeln!(out);
            html_lines(out, &line.children);
        }
        let _ = writeln!(out, "</li>");
    }
    let _ = writeln!(out, "</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::digest::since_instant;
    use crate::read::fixture::{discussion, instant, reply, thread};

    fn sample() -> crate::model::Discussion {
        let mut t = thread("2026-11-24-standups", 1, "2026-11-24T09:00:00Z");
        t.title = "Standups <script>alert(1)</script> \u{1b}[2J".into();
        t.awaiting = vec!["bo".into()];
        let mut r = reply(2, "bo@example.org", "2026-11-24T15:00:00+08:00", None);
        r.body = "First line with *emphasis* and <img src=x onerror=alert(1)>.\n\nSecond paragraph.\n\nThird.\n\nFourth, cut.\n".into();
        t.replies.push(r);
        discussion(vec![t], vec![])
    }

    #[test]
    fn excerpts_keep_the_first_lines_as_plain_text() {
        assert_eq!(
            excerpt("# Title\n\nSome *bold* text [link](https://e.org).\n\n- a\n- b\n"),
            ["# Title", "Some bold text link <https://e.org>.", "• a …"]
        );
        assert!(excerpt("").is_empty());
    }

    #[test]
    fn every_format_has_the_subject_sections_and_escaped_text() {
        let d = sample();
        let bo = Who::Person("bo".into());
        let now = instant("2026-11-25T12:00:00Z");
        let listing = crate::read::listing::Listing::of_discussion(&d, 0);
        let digest = since_instant(&d, instant("2026-11-23T00:00:00Z"), now).with_awaiting(
            crate::read::inbox::awaiting(&listing, &bo, now, &Default::default()),
        );
        let zone = TimeZone::get("Europe/Berlin").expect("zone");
        let options = Options::new(d.config.as_ref(), &zone);
        let subject = subject(&digest, &options);
        assert_eq!(
            subject,
            "[Team] 1 new thread, 1 reply since Mon 23 Nov 01:00, 1 waiting for you"
        );
        let text = render(&digest, &options, Format::Text);
        assert!(
            text.starts_with(&format!("Subject: {subject}\n\n")),
            "{text}"
        );
        assert!(text.contains("\nWaiting for Bo Chen (1)\n"), "{text}");
        assert!(text.contains("\nNew replies (1 in 1 thread)\n"), "{text}");
        assert!(
            // The fixture's authors all typed the name "Someone": the roster's name leads.
            text.contains("Bo Chen (as \"Someone\"), Tue 24 Nov 08:00 (15:00 their time)"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(text.contains("Fourth") || text.contains('…'), "{text}");
        let md = render(&digest, &options, Format::Markdown);
        assert!(md.starts_with("# \\[Team\\] 1 new thread"), "{md}");
        assert!(md.contains("\\<img src=x onerror=alert(1)\\>"), "{md}");
        let page = render(&digest, &options, Format::Html);
        assert!(page.starts_with("<!DOCTYPE html>\n"));
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{page}"
        );
        assert!(
            !page.contains("<style") && !page.contains("<link"),
            "inline styles only"
        );
        assert_eq!(
            page,
            render(&digest, &options, Format::Html),
            "deterministic"
        );
    }

    #[test]
    fn a_quiet_window_says_so() {
        let d = sample();
        let digest = since_instant(
            &d,
            instant("2026-12-01T00:00:00Z"),
            instant("2026-12-02T00:00:00Z"),
        );
        let zone = TimeZone::UTC;
        let options = Options::new(d.config.as_ref(), &zone);
        assert_eq!(
            subject(&digest, &options),
            "[Team] Nothing new since Tue 1 Dec 00:00"
        );
        assert!(render(&digest, &options, Format::Text)
            .contains("\nNothing new since Tue 1 Dec 00:00.\n"));
    }
}
