//! Markdown bodies as plain text for a terminal, and times as a reader in another zone wants to
//! see them.
//!
//! [`render`] turns a body into wrapped lines: paragraphs, headings (with their `#` marks),
//! lists with bullets, code blocks indented and never wrapped, quotes behind `> `, links as
//! `text <url>`, tables aligned in columns (or, when too wide, as `header: value` lines). It
//! emits no colour and no escape sequence, and it shows every control character of the body
//! (ESC, the other C0 and the C1 controls, DEL) and the bidirectional controls as escapes
//! (`\u{1b}`): a body is untrusted and must not drive the reader's terminal. [`sanitize`] does
//! the same for one-line text: titles, names, paths. Widths count characters; wide (East Asian) characters count as one.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::document::markdown_options;
use crate::model::{Deadline, Moment};

/// Text narrower than this is not wrapped any narrower, however deep the indentation.
pub const MIN_TEXT_WIDTH: usize = 20;

/// The deepest reply level a terminal reader indents. A reply deeper than this is shown at
/// this level's indentation: each level indents by two more spaces, so without a cap a
/// `reply-to` chain of n replies would print about n² spaces (a 20,000-reply chain, 800 MB).
pub const MAX_INDENT_DEPTH: usize = 12;

/// The indentation, in spaces, of a reply's header at `depth` (1 answers the opening post),
/// capped at [`MAX_INDENT_DEPTH`] levels; its body is indented two more.
///
/// ```
/// use longhand::render::terminal::{reply_indent, MAX_INDENT_DEPTH};
///
/// assert_eq!(reply_indent(1), 2);
/// assert_eq!(reply_indent(200_000), reply_indent(MAX_INDENT_DEPTH));
/// ```
pub fn reply_indent(depth: usize) -> usize {
    2 * depth.min(MAX_INDENT_DEPTH)
}

/// Renders a Markdown body as plain text lines of at most `width` characters (where words
/// allow), each indented by `indent` spaces. Every line ends with `\n`; there is no trailing
/// blank line, and an empty body gives an empty string.
///
/// ```
/// use longhand::render::terminal::render;
///
/// let text = render("Read the [spec](https://example.org/spec).\n\n- one\n- two\n", 2, 80);
/// assert_eq!(text, "  Read the spec <https://example.org/spec>.\n\n  • one\n  • two\n");
/// ```
pub fn render(markdown: &str, indent: usize, width: usize) -> String {
    let mut renderer = Renderer {
        indent,
        width,
        ..Renderer::default()
    };
    for event in Parser::new_ext(markdown, markdown_options()) {
        renderer.event(event);
    }
    renderer.flush_inline();
    renderer.out
}

/// Any text from a repository (a title, a name, a path, a ref name, a message quoting a
/// value) made safe to print on one line of a terminal or a CI log: tabs, line breaks and
/// the Unicode line and paragraph separators become spaces, and every other unsafe
/// character ([`is_unsafe`]) is shown as its escape `\u{…}` rather than sent as itself, so
/// an escape sequence can neither drive the terminal nor hide from the reader. The one
/// function every printer of the CLI uses (protocol §11.6).
///
/// ```
/// use longhand::render::terminal::sanitize;
/// assert_eq!(sanitize("a\u{1b}[2Jb\tc"), "a\\u{1b}[2Jb c");
/// assert_eq!(sanitize("x\u{202e}gpj.md"), "x\\u{202e}gpj.md");
/// ```
pub fn sanitize(text: &str) -> String {
    // Printable ASCII has nothing to change (the common case: titles, slugs, names).
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Whether a character must never reach a terminal or a log as itself: the controls (C0,
/// DEL, C1 — ESC and CSI start escape sequences), the bidirectional embeddings, overrides,
/// isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), which make
/// text read differently from what it is, and the line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
        )
}

/// Appends `\u{…}` for `c`, in lower-case hexadecimal.
fn push_visible(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// A preformatted line: tabs expanded to the next multiple of four, unsafe characters shown
/// as their escapes.
fn sanitize_preformatted(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let spaces = 4 - column % 4;
            out.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
        } else if is_unsafe(c) {
            let before = out.len();
            push_visible(&mut out, c);
            column += out.len() - before;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out
}

/// A block that prefixes the lines inside it.
#[derive(Debug)]
enum Container {
    /// `> ` on every line.
    Quote,
    /// A list; `next` is the next number of an ordered list.
    List { next: Option<u64> },
    /// A list item or footnote: its marker on the first line, spaces of the same width after.
    Item { marker: Option<String>, hang: usize },
}

#[derive(Debug, Default)]
struct Table {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
}

#[derive(Debug, Default)]
struct Renderer {
    out: String,
    indent: usize,
    width: usize,
    containers: Vec<Container>,
    /// Text of the paragraph, heading, item or table cell being read.
    inline: String,
    /// A blank line goes before the next line written.
    blank_pending: bool,
    /// Open links and images: where their text starts in `inline`, and their destination.
    links: Vec<(usize, String)>,
    /// The text of the code block or HTML block being read, and whether it is code.
    preformatted: Option<(String, bool)>,
    table: Option<Table>,
}

impl Renderer {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.preformatted {
                Some((buffer, _)) => buffer.push_str(&text),
                None => self.inline.push_str(&sanitize(&text)),
            },
            Event::Code(code) => {
                self.inline.push('`');
                self.inline.push_str(&sanitize(&code));
                self.inline.push('`');
            }
            Event::Html(html) | Event::InlineHtml(html) => match &mut self.preformatted {
                Some((buffer, _)) => buffer.push_str(&html),
                None => self.inline.push_str(&sanitize(&html)),
            },
            Event::FootnoteReference(label) => {
                self.inline.push_str(&format!("[{}]", sanitize(&label)));
            }
            Event::SoftBreak => self.inline.push(' '),
            Event::HardBreak => self.inline.push('\n'),
            Event::Rule => {
                self.flush_inline();
                let width = self.text_width().min(40);
                self.line(&"-".repeat(width));
                self.blank_pending = true;
            }
            Event::TaskListMarker(done) => self.inline.push_str(if done { "[x] " } else { "[ ] " }),
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                self.inline.push_str(&sanitize(&math))
            }
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.flush_inline(),
            Tag::Heading { level, .. } => {
                self.flush_inline();
                let marks = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.inline.push_str(&"#".repeat(marks));
                self.inline.push(' ');
            }
            Tag::BlockQuote(_) => {
                self.open_container();
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(_) => {
                self.flush_inline();
                self.preformatted = Some((String::new(), true));
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.preformatted = Some((String::new(), false));
            }
            Tag::List(first) => {
                let nested = self
                    .containers
                    .iter()
                    .any(|c| matches!(c, Container::Item { .. }));
                if nested {
                    self.flush_inline();
                } else {
                    self.open_container();
                }
                self.containers.push(Container::List { next: first });
            }
            Tag::Item => {
                self.flush_inline();
                self.blank_pending = false;
                let depth = self
                    .containers
                    .iter()
                    .filter(|c| matches!(c, Container::List { .. }))
                    .count();
                let marker = match self.containers.last_mut() {
                    Some(Container::List { next: Some(n) }) => {
                        let marker = format!("{n}. ");
                        *n += 1;
                        marker
                    }
                    _ => match depth {
                        0 | 1 => "• ".to_owned(),
                        2 => "◦ ".to_owned(),
                        _ => "▪ ".to_owned(),
                    },
                };
                let hang = marker.chars().count();
                self.containers.push(Container::Item {
                    marker: Some(marker),
                    hang,
                });
            }
            Tag::FootnoteDefinition(label) => {
                self.flush_inline();
                let marker = format!("[{}] ", sanitize(&label));
                let hang = marker.chars().count();
                self.containers.push(Container::Item {
                    marker: Some(marker),
                    hang,
                });
            }
            Tag::Table(alignments) => {
                self.flush_inline();
                self.table = Some(Table {
                    alignments,
                    ..Table::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.row.clear();
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Strikethrough => self.inline.push_str("~~"),
            Tag::Link { dest_url, .. } => {
                self.links.push((self.inline.len(), dest_url.into_string()))
            }
            Tag::Image { dest_url, .. } => {
                self.inline.push_str("[image");
                self.links.push((self.inline.len(), dest_url.into_string()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) => {
                self.flush_inline();
                self.blank_pending = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush_inline();
                self.containers.pop();
                self.blank_pending = true;
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                if let Some((text, code)) = self.preformatted.take() {
                    let margin = if code { "    " } else { "" };
                    for line in text.trim_end_matches('\n').split('\n') {
                        let line = format!("{margin}{}", sanitize_preformatted(line));
                        self.line(&line);
                    }
                }
                self.blank_pending = true;
            }
            TagEnd::List(_) => {
                self.flush_inline();
                self.containers.pop();
                self.blank_pending = true;
            }
            TagEnd::Item => {
                self.flush_inline();
                self.containers.pop();
            }
            TagEnd::FootnoteDefinition => {
                self.flush_inline();
                self.containers.pop();
                self.blank_pending = true;
            }
            TagEnd::TableCell => {
                let cell = collapse_whitespace(&std::mem::take(&mut self.inline));
                if let Some(table) = &mut self.table {
                    table.row.push(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    let row = std::mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.table(table);
                }
                self.blank_pending = true;
            }
            TagEnd::Strikethrough => self.inline.push_str("~~"),
            TagEnd::Link => {
                if let Some((start, destination)) = self.links.pop() {
                    let text = self.inline[start..].trim().to_owned();
                    let destination = sanitize(&destination);
                    let same = text == destination
                        || destination.strip_prefix("mailto:") == Some(text.as_str());
                    if !destination.is_empty() && !same {
                        self.inline.push_str(&format!(" <{destination}>"));
                    }
                }
            }
            TagEnd::Image => {
                if let Some((start, destination)) = self.links.pop() {
                    let alt = self.inline.split_off(start);
                    let alt = alt.trim();
                    if !alt.is_empty() {
                        self.inline.push_str(": ");
                        self.inline.push_str(alt);
                    }
                    self.inline.push(']');
                    let destination = sanitize(&destination);
                    if !destination.is_empty() {
                        self.inline.push_str(&format!(" <{destination}>"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Before a quote or a top-level list: the pending blank line goes outside it.
    fn open_container(&mut self) {
        self.flush_inline();
        if self.blank_pending && !self.out.is_empty() {
            self.blank();
        }
        self.blank_pending = false;
    }

    /// The width of the prefix every line gets here.
    fn prefix_width(&self) -> usize {
        self.indent
            + self
                .containers
                .iter()
                .map(|c| match c {
                    Container::Quote => 2,
                    Container::List { .. } => 0,
                    Container::Item { hang, .. } => *hang,
                })
                .sum::<usize>()
    }

    /// How wide text may be here.
    fn text_width(&self) -> usize {
        self.width
            .saturating_sub(self.prefix_width())
            .max(MIN_TEXT_WIDTH)
    }

    /// The prefix of the next line: the indent, quote marks, and a list marker the first time.
    fn prefix(&mut self) -> String {
        let mut prefix = " ".repeat(self.indent);
        for container in &mut self.containers {
            match container {
                Container::Quote => prefix.push_str("> "),
                Container::List { .. } => {}
                Container::Item { marker, hang } => match marker.take() {
                    Some(marker) => prefix.push_str(&marker),
                    None => prefix.push_str(&" ".repeat(*hang)),
                },
            }
        }
        prefix
    }

    fn blank(&mut self) {
        let mut line = " ".repeat(self.indent);
        for container in &self.containers {
            if let Container::Quote = container {
                line.push_str("> ");
            }
        }
        let line = line.trim_end();
        self.out
            .push_str(if line.trim().is_empty() { "" } else { line });
        self.out.push('\n');
    }

    fn line(&mut self, text: &str) {
        if self.blank_pending && !self.out.is_empty() {
            self.blank();
        }
        self.blank_pending = false;
        let prefix = self.prefix();
        let line = format!("{prefix}{text}");
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    /// Writes the text read so far, wrapped, and empties it.
    fn flush_inline(&mut self) {
        let text = std::mem::take(&mut self.inline);
        if text.trim().is_empty() {
            return;
        }
        let width = self.text_width();
        for line in wrap(&text, width) {
            self.line(&line);
        }
    }

    fn table(&mut self, table: Table) {
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        let mut widths = vec![0; columns];
        for row in &table.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for width in &mut widths {
            *width = (*width).max(3);
        }
        let total = widths.iter().sum::<usize>() + 3 * (columns - 1);
        if total <= self.text_width() {
            for (index, row) in table.rows.iter().enumerate() {
                let cells: Vec<String> = (0..columns)
                    .map(|c| {
                        let cell = row.get(c).map(String::as_str).unwrap_or("");
                        let alignment = table.alignments.get(c).copied().unwrap_or(Alignment::None);
                        pad(cell, widths[c], alignment)
                    })
                    .collect();
                self.line(&cells.join(" | "));
                if index == 0 {
                    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                    self.line(&rule.join("-+-"));
                }
            }
            return;
        }
        // Too wide for columns: each row as `header: value` lines.
        let Some((header, rows)) = table.rows.split_first() else {
            return;
        };
        if rows.is_empty() {
            let text = header.join(" | ");
            for line in wrap(&text, self.text_width()) {
                self.line(&line);
            }
        }
        for row in rows {
            self.blank_pending = true;
            for (c, cell) in row.iter().enumerate() {
                let name = header.get(c).map(String::as_str).unwrap_or("");
                let text = if name.is_empty() {
                    cell.clone()
                } else {
                    format!("{name}: {cell}")
                };
                for line in wrap(&text, self.text_width()) {
                    self.line(&line);
                }
            }
        }
    }
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pad(cell: &str, width: usize, alignment: Alignment) -> String {
    let room = width.saturating_sub(cell.chars().count());
    let (left, right) = match alignment {
        Alignment::Right => (room, 0),
        Alignment::Center => (room / 2, room - room / 2),
        Alignment::Left | Alignment::None => (0, room),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
}

/// Greedy word wrap to `width` characters; `\n` forces a break; a word longer than the width
/// (a URL) stands alone on its line rather than being cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for segment in text.split('\n') {
        let mut line = String::new();
        let mut length = 0;
        for word in segment.split_whitespace() {
            let size = word.chars().count();
            if length > 0 && length + 1 + size > width {
                lines.push(std::mem::take(&mut line));
                length = 0;
            }
            if length > 0 {
                line.push(' ');
                length += 1;
            }
            line.push_str(word);
            length += size;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// An instant for a reader in `zone`: `Tue 24 Nov 15:00`, with the year (`Tue 24 Nov 2025
/// 15:00`) when it is not the year of `now` there.
pub fn instant(instant: Timestamp, zone: &TimeZone, now: Timestamp) -> String {
    let here = zone.to_datetime(instant);
    let this_year = zone.to_datetime(now).year();
    if here.year() == this_year {
        here.strftime("%a %-d %b %H:%M").to_string()
    } else {
        here.strftime("%a %-d %b %Y %H:%M").to_string()
    }
}

/// A moment for a reader in `zone`, as [`instant`], followed by the author's own wall-clock
/// time when it differs from the reader's: `Tue 24 Nov 15:00 (23:00 their time)`, or with the
/// weekday when the day differs too: `Wed 18 Nov 19:30 (Thu 07:30 their time)`.
///
/// ```
/// use longhand::model::Moment;
/// use longhand::render::terminal::moment;
///
/// let zone = jiff::tz::TimeZone::get("Europe/Berlin")?;
/// let now = "2026-11-25T12:00:00Z".parse()?;
/// let sent = Moment::parse("2026-11-24T23:00:00+08:00").expect("a timestamp");
/// assert_eq!(moment(&sent, &zone, now), "Tue 24 Nov 16:00 (23:00 their time)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn moment(moment: &Moment, zone: &TimeZone, now: Timestamp) -> String {
    let shown = instant(moment.instant, zone, now);
    let here = zone.to_datetime(moment.instant);
    let theirs = moment.local();
    if theirs == here {
        shown
    } else if theirs.date() == here.date() {
        format!("{shown} ({} their time)", theirs.strftime("%H:%M"))
    } else {
        format!("{shown} ({} their time)", theirs.strftime("%a %H:%M"))
    }
}

/// A deadline for a reader in `zone`: a moment as [`moment`] shows it; a day (which ends when
/// it ends anywhere on Earth) as that day, `Fri 11 Dec`, with the year when it is not `now`'s.
pub fn deadline(deadline: &Deadline, zone: &TimeZone, now: Timestamp) -> String {
    match deadline {
        Deadline::At(at) => moment(at, zone, now),
        Deadline::Day(day) => {
            if day.year() == zone.to_datetime(now).year() {
                day.strftime("%a %-d %b").to_string()
            } else {
                day.strftime("%a %-d %b %Y").to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).expect("a zone")
    }

    fn now() -> Timestamp {
        "2026-11-25T12:00:00Z".parse().expect("an instant")
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let body = "Hello \u{1b}[31mred\u{1b}[0m \u{7}bell \u{9b}31m C1 \u{7f}del \u{202e}evil\n\n\
                    ```\ncode \u{1b}]0;title\u{7} and\ttab\n```\n\n| a\u{1b} | b |\n|---|---|\n| \u{8}x | y |\n";
        let text = render(body, 0, 80);
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text:?}");
        assert_eq!(
            text,
            "Hello \\u{1b}[31mred\\u{1b}[0m \\u{7}bell \\u{9b}31m C1 \\u{7f}del \\u{202e}evil\n\n    \
             code \\u{1b}]0;title\\u{7} and    tab\n\na\\u{1b} | b\n--------+----\n\\u{8}x  | y\n"
        );
        assert_eq!(
            sanitize("Title\u{1b}[2J\u{0}\r\n"),
            "Title\\u{1b}[2J\\u{0}  "
        );
        assert_eq!(
            sanitize("\u{200e}\u{200f}\u{61c}\u{2066}\u{2028}"),
            "\\u{200e}\\u{200f}\\u{61c}\\u{2066} "
        );
    }

    #[test]
    fn paragraphs_wrap_at_the_width_after_the_indent() {
        let body = "one two three four five six seven eight nine ten eleven twelve\nthirteen\n\nSecond paragraph.\n";
        assert_eq!(
            render(body, 4, 30),
            "    one two three four five\n    six seven eight nine ten\n    eleven twelve thirteen\n\n    Second paragraph.\n"
        );
    }

    #[test]
    fn deep_indentation_keeps_a_minimum_text_width() {
        let text = render("aaaa bbbb cccc dddd eeee ffff\n", 70, 80);
        assert_eq!(
            text,
            format!("{0}aaaa bbbb cccc dddd\n{0}eeee ffff\n", " ".repeat(70))
        );
    }

    #[test]
    fn a_long_url_stands_alone_rather_than_being_cut() {
        let body = "see https://example.org/a/very/long/path/that/does/not/fit please\n";
        assert_eq!(
            render(body, 0, 20),
            "see\nhttps://example.org/a/very/long/path/that/does/not/fit\nplease\n"
        );
    }

    #[test]
    fn headings_lists_quotes_and_code_blocks() {
        let body = "## Context\n\nIntro:\n\n- first item that is long enough to wrap here\n- second\n  1. nested one\n  2. nested two\n- [x] done\n\n> quoted\n> text\n>\n> again\n\n```rust\nfn main() {\n\tprintln!(\"hi\");\n}\n```\n\nAfter.\n";
        let expected = "\
## Context

Intro:

• first item that is long enough to wrap
  here
• second
  1. nested one
  2. nested two
• [x] done

> quoted text
>
> again

    fn main() {
        println!(\"hi\");
    }

After.
";
        assert_eq!(render(body, 0, 42), expected);
    }

    #[test]
    fn links_show_their_destination_unless_it_is_their_text() {
        let body = "A [spec](https://e.org/spec), <https://e.org>, <ana@example.org>, \
                    ![chart](clip/overlap.svg) and ![](x.png) and [empty]().\n";
        assert_eq!(
            render(body, 0, 200),
            "A spec <https://e.org/spec>, https://e.org, ana@example.org, [image: chart] <clip/overlap.svg> and [image] <x.png> and empty.\n"
        );
    }

    #[test]
    fn tables_are_aligned_in_columns_or_listed_when_too_wide() {
        let body = "| Slot | UTC | Who |\n|---|---:|:---:|\n| A | 07:30 | Ana |\n| B | 12:00 | Tāne Walker |\n";
        assert_eq!(
            render(body, 2, 80),
            "  Slot |   UTC |     Who\n  -----+-------+------------\n  A    | 07:30 |     Ana\n  B    | 12:00 | Tāne Walker\n"
        );
        assert_eq!(
            render(body, 0, 20),
            "Slot: A\nUTC: 07:30\nWho: Ana\n\nSlot: B\nUTC: 12:00\nWho: Tāne Walker\n"
        );
    }

    #[test]
    fn footnotes_strikethrough_and_rules() {
        let body = "Claim[^1] ~~old~~ new.\n\n---\n\n[^1]: Source.\n";
        assert_eq!(
            render(body, 0, 80),
            "Claim[1] ~~old~~ new.\n\n----------------------------------------\n\n[1] Source.\n"
        );
    }

    #[test]
    fn an_empty_body_renders_as_nothing() {
        assert_eq!(render("", 2, 80), "");
        assert_eq!(render("\n\n  \n", 2, 80), "");
    }

    #[test]
    fn times_are_shown_in_the_readers_zone_with_the_authors_clock_when_it_differs() {
        let berlin = zone("Europe/Berlin");
        let at = |text| Moment::parse(text).expect("a timestamp");
        assert_eq!(
            moment(&at("2026-11-24T15:00:00+01:00"), &berlin, now()),
            "Tue 24 Nov 15:00"
        );
        assert_eq!(
            moment(&at("2026-11-24T22:00:00+08:00"), &berlin, now()),
            "Tue 24 Nov 15:00 (22:00 their time)"
        );
        assert_eq!(
            moment(&at("2026-11-19T07:30:02+13:00"), &berlin, now()),
            "Wed 18 Nov 19:30 (Thu 07:30 their time)"
        );
        assert_eq!(
            moment(&at("2025-12-31T23:30:00Z"), &berlin, now()),
            "Thu 1 Jan 00:30 (Wed 23:30 their time)",
            "2026 in Berlin, so no year"
        );
        assert_eq!(
            instant(at("2025-06-01T10:00:00Z").instant, &TimeZone::UTC, now()),
            "Sun 1 Jun 2025 10:00"
        );
    }

    #[test]
    fn a_day_deadline_is_shown_as_its_day() {
        let auckland = zone("Pacific/Auckland");
        let day = Deadline::parse("2026-12-11").expect("a day");
        assert_eq!(deadline(&day, &auckland, now()), "Fri 11 Dec");
        let next = Deadline::parse("2027-01-08").expect("a day");
        assert_eq!(deadline(&next, &auckland, now()), "Fri 8 Jan 2027");
        let at = Deadline::parse("2026-12-03T17:00:00-03:00").expect("a moment");
        assert_eq!(
            deadline(&at, &zone("Europe/Lisbon"), now()),
            "Thu 3 Dec 20:00 (17:00 their time)"
        );
    }
}
