//! Markdown bodies as safe HTML, and escaping for the one-line fields around them.
//!
//! Bodies, titles, tags and names are untrusted input: whatever a message says, no script from
//! it may ever run in a reader's browser. So this renderer writes its own HTML from
//! pulldown-cmark's events and never passes anything through:
//!
//! - raw HTML (blocks and inline tags) is escaped and shown as text;
//! - link and image destinations keep only the `http`, `https` and `mailto` schemes and
//!   relative URLs ([`safe_url`]); anything else (`javascript:`, `data:`, `vbscript:`, however
//!   spelt, entity-encoded, split by tabs or led by control characters) loses its link;
//! - every text and attribute is escaped ([`escape`]), and characters that XML forbids
//!   (C0 controls) or that make text read differently from what it is (bidirectional
//!   overrides) are dropped, and void elements are closed (`<br />`), so the same output is
//!   well-formed XML, fit for an Atom feed's XHTML content;
//! - ids (footnotes) are numbers under a caller-chosen prefix, never the author's text.
//!
//! It does not decide what a relative link means: the caller's resolver does ([`Options`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd};

use crate::document::markdown_options;

/// How [`render`] writes a body.
pub struct Options<'a> {
    /// Added to every heading's level (clamped at `h6`), so a body's `#` fits under the page's
    /// own headings: a body shown under an `h2` wants `2`.
    pub heading_offset: u8,
    /// Prefix of the ids the body's footnotes get (`{prefix}fn1`, `{prefix}fnref1`), unique per
    /// body on a page that shows several.
    pub id_prefix: &'a str,
    /// Rewrites a link or image destination, as written (entities decoded): `Some(url)` to use
    /// `url` instead (a relative link to a Markdown file that becomes a page, an attachment
    /// copied elsewhere), `None` to keep it. Either way, the result must pass [`safe_url`].
    pub links: &'a dyn Fn(&str) -> Option<String>,
}

/// A resolver that keeps every destination as written.
pub fn keep_links(_: &str) -> Option<String> {
    None
}

/// Renders a CommonMark body (with the protocol's extensions) as safe HTML; `links` may rewrite
/// link and image destinations (see [`Options::links`]).
///
/// ```
/// use longhand::render::html::markdown_to_html;
///
/// let html = markdown_to_html(
///     "Hi <script>alert(1)</script> [a](javascript:alert(1)) [b](https://example.org)",
///     &|_| None,
/// );
/// assert_eq!(
///     html,
///     "<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; a \
///      <a href=\"https://example.org\" rel=\"nofollow noopener noreferrer\">b</a></p>\n"
/// );
/// ```
pub fn markdown_to_html(markdown: &str, links: &dyn Fn(&str) -> Option<String>) -> String {
    render(
        markdown,
        &Options {
            heading_offset: 0,
            id_prefix: "",
            links,
        },
    )
}

/// Renders a CommonMark body as safe HTML with the given [`Options`].
pub fn render(markdown: &str, options: &Options) -> String {
    let mut writer = Writer {
        options,
        out: String::with_capacity(markdown.len() + markdown.len() / 2),
        links: Vec::new(),
        image: None,
        image_depth: 0,
        table_alignments: Vec::new(),
        table_cell: 0,
        in_table_head: false,
        footnotes: HashMap::new(),
    };
    for event in Parser::new_ext(markdown, markdown_options()) {
        writer.event(event);
    }
    writer.out
}

/// Escapes text for HTML and XML, in element content and in quoted attributes alike: `&`, `<`,
/// `>`, `"` and `'` become references; C0 controls other than tab and line feed, the
/// non-characters U+FFFE and U+FFFF and the bidirectional embeddings, overrides and isolates
/// are dropped.
///
/// ```
/// use longhand::render::html::escape;
///
/// assert_eq!(escape("<b title=\"x\">Tom & 'Jerry'</b>"),
///            "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if is_dropped(c) => "",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
}

/// Characters never written: C0 controls but tab and line feed (XML forbids them), DEL and
/// the C1 controls, U+FFFE and U+FFFF, and the bidirectional embeddings, overrides and
/// isolates.
fn is_dropped(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n')
        || c == '\u{FFFE}'
        || c == '\u{FFFF}'
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// The URL to write for a destination, or `None` when it is not safe to link to.
///
/// Browsers remove leading and trailing controls and spaces and every tab and line break
/// before they read a URL's scheme, so this does the same and then accepts a URL only when it
/// has no scheme (a relative URL, a `#fragment`, a `//host` URL) or one of `http`, `https` and
/// `mailto` (in any case). A colon before the first `/`, `?` or `#` counts as a scheme, so
/// `java script:` or `&#x6A;avascript:` (once decoded) never get through. The returned URL is
/// the cleaned one, still to be escaped as an attribute.
///
/// ```
/// use longhand::render::html::safe_url;
///
/// assert_eq!(safe_url("HTTPS://example.org/a?b#c").as_deref(), Some("HTTPS://example.org/a?b#c"));
/// assert_eq!(safe_url("../decisions/x.html").as_deref(), Some("../decisions/x.html"));
/// assert_eq!(safe_url(" \u{1}java\tscript:alert(1)"), None);
/// assert_eq!(safe_url("data:text/html,<script>alert(1)</script>"), None);
/// ```
pub fn safe_url(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.chars().any(is_dropped) {
        return None;
    }
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(end) if cleaned[end..].starts_with(':') => {
            let scheme = cleaned[..end].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto").then_some(cleaned)
        }
        _ => Some(cleaned),
    }
}

/// Whether a URL leaves the site (has a scheme or is protocol-relative).
pub(crate) fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url
            .find([':', '/', '?', '#'])
            .is_some_and(|end| url[end..].starts_with(':'))
}

/// An image being written: its checked source and title, and its alt text so far.
struct PendingImage {
    src: Option<String>,
    title: String,
    alt: String,
}

struct Writer<'o, 'a> {
    options: &'o Options<'a>,
    out: String,
    /// For each open link, whether an `<a>` was written for it.
    links: Vec<bool>,
    /// The outermost open image; text inside it becomes its alt text.
    image: Option<PendingImage>,
    /// How many images are open (images can nest in alt text).
    image_depth: usize,
    table_alignments: Vec<Alignment>,
    table_cell: usize,
    in_table_head: bool,
    /// Footnote label → its number, in order of first appearance.
    footnotes: HashMap<String, usize>,
}

impl Writer<'_, '_> {
    fn event(&mut self, event: Event) {
        if self.image_depth > 0 {
            self.image_event(event);
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => escape_into(&mut self.out, &text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                escape_into(&mut self.out, &code);
                self.out.push_str("</code>");
            }
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                self.out.push_str("<code class=\"math\">");
                escape_into(&mut self.out, &math);
                self.out.push_str("</code>");
            }
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => escape_into(&mut self.out, &html),
            Event::FootnoteReference(label) => {
                let n = self.footnote_number(&label);
                let prefix = self.options.id_prefix;
                let _ = write!(self.out, "<sup class=\"footnote-ref\"><a href=\"#");
                escape_into(&mut self.out, prefix);
                let _ = write!(self.out, "fn{n}\" id=\"");
                escape_into(&mut self.out, prefix);
                let _ = write!(self.out, "fnref{n}\">{n}</a></sup>");
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br />\n"),
            Event::Rule => self.out.push_str("<hr />\n"),
            Event::TaskListMarker(checked) => self.out.push_str(if checked {
                "<input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\" /> "
            } else {
                "<input type=\"checkbox\" disabled=\"disabled\" /> "
            }),
        }
    }

    /// Inside an image, everything but nested images is alt text.
    fn image_event(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => {
                self.image_depth -= 1;
                if self.image_depth == 0 {
                    self.finish_image();
                }
            }
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text)
            | Event::Html(text)
            | Event::InlineHtml(text) => {
                if let Some(image) = &mut self.image {
                    image.alt.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(image) = &mut self.image {
                    image.alt.push(' ');
                }
            }
            _ => {}
        }
    }

    fn finish_image(&mut self) {
        let Some(image) = self.image.take() else {
            return;
        };
        match image.src {
            Some(src) => {
                self.out.push_str("<img src=\"");
                escape_into(&mut self.out, &src);
                self.out.push_str("\" alt=\"");
                escape_into(&mut self.out, &image.alt);
                self.out.push('"');
                if !image.title.is_empty() {
                    self.out.push_str(" title=\"");
                    escape_into(&mut self.out, &image.title);
                    self.out.push('"');
                }
                self.out.push_str(" loading=\"lazy\" />");
            }
            // An image that may not be loaded is shown as its alt text.
            None => escape_into(&mut self.out, &image.alt),
        }
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_owned()).or_insert(next)
    }

    /// The destination to write for a link or an image, if it is safe.
    fn destination(&self, dest: &str, link_type: LinkType) -> Option<String> {
        let dest = match link_type {
            LinkType::Email => format!("mailto:{dest}"),
            _ => (self.options.links)(dest).unwrap_or_else(|| dest.to_owned()),
        };
        safe_url(&dest)
    }

    fn heading(&self, level: pulldown_cmark::HeadingLevel) -> usize {
        (level as usize + usize::from(self.options.heading_offset)).min(6)
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.out.push_str("<p>"),
            Tag::Heading { level, .. } => {
                let _ = write!(self.out, "<h{}>", self.heading(level));
            }
            Tag::BlockQuote(_) => self.out.push_str("<blockquote>\n"),
            Tag::CodeBlock(kind) => {
                self.out.push_str("<pre><code");
                if let CodeBlockKind::Fenced(info) = kind {
                    let language: String = info
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+'))
                        .collect();
                    if !language.is_empty() {
                        let _ = write!(self.out, " class=\"language-{language}\"");
                    }
                }
                self.out.push('>');
            }
            Tag::HtmlBlock => self.out.push_str("<pre class=\"raw-html\">"),
            Tag::List(Some(1)) => self.out.push_str("<ol>\n"),
            Tag::List(Some(start)) => {
                let _ = writeln!(self.out, "<ol start=\"{start}\">");
            }
            Tag::List(None) => self.out.push_str("<ul>\n"),
            Tag::Item => self.out.push_str("<li>"),
            Tag::FootnoteDefinition(label) => {
                let n = self.footnote_number(&label);
                self.out.push_str("<div class=\"footnote\" id=\"");
                escape_into(&mut self.out, self.options.id_prefix);
                let _ = write!(self.out, "fn{n}\"><sup class=\"footnote-label\">{n}</sup>");
            }
            Tag::DefinitionList => self.out.push_str("<dl>\n"),
            Tag::DefinitionListTitle => self.out.push_str("<dt>"),
            Tag::DefinitionListDefinition => self.out.push_str("<dd>"),
            Tag::Table(alignments) => {
                self.table_alignments = alignments;
                self.out.push_str("<div class=\"table\"><table>\n");
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.table_cell = 0;
                self.out.push_str("<thead><tr>");
            }
            Tag::TableRow => {
                self.table_cell = 0;
                self.out.push_str("<tr>");
            }
            Tag::TableCell => {
                let element = if self.in_table_head { "th" } else { "td" };
                let class = match self.table_alignments.get(self.table_cell) {
                    Some(Alignment::Left) => " class=\"left\"",
                    Some(Alignment::Center) => " class=\"center\"",
                    Some(Alignment::Right) => " class=\"right\"",
                    _ => "",
                };
                let _ = write!(self.out, "<{element}{class}>");
            }
            Tag::Emphasis => self.out.push_str("<em>"),
            Tag::Strong => self.out.push_str("<strong>"),
            Tag::Strikethrough => self.out.push_str("<del>"),
            Tag::Superscript => self.out.push_str("<sup>"),
            Tag::Subscript => self.out.push_str("<sub>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => match self.destination(&dest_url, link_type) {
                Some(href) => {
                    self.out.push_str("<a href=\"");
                    escape_into(&mut self.out, &href);
                    self.out.push('"');
                    if !title.is_empty() {
                        self.out.push_str(" title=\"");
                        escape_into(&mut self.out, &title);
                        self.out.push('"');
                    }
                    if is_external(&href) {
                        self.out.push_str(" rel=\"nofollow noopener noreferrer\"");
                    }
                    self.out.push('>');
                    self.links.push(true);
                }
                None => self.links.push(false),
            },
            Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            } => {
                self.image = Some(PendingImage {
                    src: self.destination(&dest_url, link_type),
                    title: title.into_string(),
                    alt: String::new(),
                });
                self.image_depth = 1;
            }
            Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.out.push_str("</p>\n"),
            TagEnd::Heading(level) => {
                let _ = writeln!(self.out, "</h{}>", self.heading(level));
            }
            TagEnd::BlockQuote(_) => self.out.push_str("</blockquote>\n"),
            TagEnd::CodeBlock => self.out.push_str("</code></pre>\n"),
            TagEnd::HtmlBlock => self.out.push_str("</pre>\n"),
            TagEnd::List(true) => self.out.push_str("</ol>\n"),
            TagEnd::List(false) => self.out.push_str("</ul>\n"),
            TagEnd::Item => self.out.push_str("</li>\n"),
            TagEnd::FootnoteDefinition => self.out.push_str("</div>\n"),
            TagEnd::DefinitionList => self.out.push_str("</dl>\n"),
            TagEnd::DefinitionListTitle => self.out.push_str("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.out.push_str("</dd>\n"),
            TagEnd::Table => self.out.push_str("</tbody></table></div>\n"),
            TagEnd::TableHead => {
                self.in_table_head = false;
                self.out.push_str("</tr></thead>\n<tbody>\n");
            }
            TagEnd::TableRow => self.out.push_str("</tr>\n"),
            TagEnd::TableCell => {
                self.out
                    .push_str(if self.in_table_head { "</th>" } else { "</td>" });
                self.table_cell += 1;
            }
            TagEnd::Emphasis => self.out.push_str("</em>"),
            TagEnd::Strong => self.out.push_str("</strong>"),
            TagEnd::Strikethrough => self.out.push_str("</del>"),
            TagEnd::Superscript => self.out.push_str("</sup>"),
            TagEnd::Subscript => self.out.push_str("</sub>"),
            TagEnd::Link => {
                if self.links.pop() == Some(true) {
                    self.out.push_str("</a>");
                }
            }
            // Images end in `image_event`.
            TagEnd::Image | TagEnd::MetadataBlock(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(markdown: &str) -> String {
        markdown_to_html(markdown, &keep_links)
    }

    #[test]
    fn raw_html_blocks_and_inline_tags_are_shown_as_text() {
        assert_eq!(
            html("<script>alert(1)</script>\n"),
            "<pre class=\"raw-html\">&lt;script&gt;alert(1)&lt;/script&gt;\n</pre>\n"
        );
        assert_eq!(
            html("a <img src=x onerror=alert(1)> b"),
            "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n"
        );
    }

    #[test]
    fn dangerous_schemes_lose_their_link_however_they_are_spelt() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;&#x61;vascript:alert(1)",
            "javascript&colon;alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
            "VBSCRIPT:msgbox(1)",
            "file:///etc/passwd",
        ] {
            for markdown in [
                format!("[x](<{url}>)"),
                format!("![x](<{url}>)"),
                format!("[x]\n\n[x]: <{url}>"),
            ] {
                let out = html(&markdown);
                assert!(
                    !out.contains("href") && !out.contains("src"),
                    "{markdown:?} → {out}"
                );
            }
        }
        assert_eq!(
            html("<javascript:alert(1)>"),
            "<p>javascript:alert(1)</p>\n"
        );
    }

    #[test]
    fn safe_links_and_images_keep_their_destination_escaped() {
        assert_eq!(
            html("[a](./b.html \"t\\\"x\") ![i<](https://e.org/i.png?a=1&b=2)"),
            "<p><a href=\"./b.html\" title=\"t&quot;x\">a</a> \
             <img src=\"https://e.org/i.png?a=1&amp;b=2\" alt=\"i&lt;\" loading=\"lazy\" /></p>\n"
        );
        assert_eq!(
            html("<ana@example.org>"),
            "<p><a href=\"mailto:ana@example.org\" rel=\"nofollow noopener noreferrer\">\
             ana@example.org</a></p>\n"
        );
    }

    #[test]
    fn the_resolver_rewrites_destinations_but_cannot_make_them_unsafe() {
        let links = |dest: &str| match dest {
            "../x.md" => Some("x.html".to_owned()),
            "evil" => Some("javascript:alert(1)".to_owned()),
            _ => None,
        };
        assert_eq!(
            markdown_to_html("[a](../x.md) [b](evil)", &links),
            "<p><a href=\"x.html\">a</a> b</p>\n"
        );
    }

    #[test]
    fn headings_shift_and_footnote_ids_are_numbers_under_the_prefix() {
        let out = render(
            "# Top\n\nSee[^\"><script>].\n\n[^\"><script>]: <b>note</b>\n",
            &Options {
                heading_offset: 2,
                id_prefix: "m1-",
                links: &keep_links,
            },
        );
        assert!(out.starts_with("<h3>Top</h3>\n"), "{out}");
        assert!(
            out.contains("href=\"#m1-fn1\" id=\"m1-fnref1\">1</a>"),
            "{out}"
        );
        assert!(
            out.contains("<div class=\"footnote\" id=\"m1-fn1\">"),
            "{out}"
        );
        assert!(!out.contains("<script") && !out.contains("<b>"), "{out}");
    }

    #[test]
    fn code_block_languages_keep_only_safe_characters() {
        assert_eq!(
            html("```rust\"onclick=alert(1)\nfn x() {}\n```\n"),
            "<pre><code class=\"language-rustonclickalert1\">fn x() {}\n</code></pre>\n"
        );
    }

    #[test]
    fn escape_drops_controls_and_bidi_overrides() {
        assert_eq!(escape("a\u{0}b\u{1b}c\u{202E}d\te\n"), "abcd\te\n");
    }

    #[test]
    fn tables_task_lists_and_strikethrough_render() {
        let out = html("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [x] done\n- [ ] ~~todo~~\n");
        assert!(
            out.contains("<th class=\"left\">a</th><th class=\"right\">b</th>"),
            "{out}"
        );
        assert!(
            out.contains("<td class=\"left\">1</td><td class=\"right\">2</td>"),
            "{out}"
        );
        assert!(
            out.contains(
                "<input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\" /> done"
            ),
            "{out}"
        );
        assert!(out.contains("<del>todo</del>"), "{out}");
    }
}
