//! The site's search: a prebuilt index of every thread, reply and decision
//! (`search-index.js`, a script that assigns one JSON array) and the small script
//! (`search.js`) that gives every page a search box over it.
//!
//! Both are files of the site loaded with `<script src>`, so search works from `file://`
//! (where `fetch` of a JSON file is refused), sends no request anywhere, and stays within the
//! pages' Content-Security-Policy (`script-src 'self'`, no inline script). The index is loaded
//! only when the reader first uses the box. The script builds its results with DOM calls and
//! `textContent` only, so no indexed text can become markup. The index is a pure function of
//! the model: the same discussion gives the same bytes.

use std::fmt::Write as _;

use super::context::Context;
use crate::model::{Author, Who};
use crate::read::shown_name;

/// The script every page loads (deferred); it loads `search-index.js` when first needed.
pub const SCRIPT: &str = include_str!("search.js");

/// The name of the index file at the site's root.
pub const INDEX_FILE: &str = "search-index.js";

/// A JSON string: quotes, backslashes and every control, bidirectional or line-breaking
/// character escaped, and `<`, `>` and `&` too, so the text can never close or open markup.
fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c < ' '
                || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}')
                || crate::render::terminal::is_unsafe(c) =>
            {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One entry of the index.
struct Entry<'a> {
    kind: &'static str,
    href: String,
    title: &'a str,
    status: &'a str,
    tags: &'a [String],
    author: Option<&'a Author>,
    date: String,
    instant: i64,
    text: String,
}

impl Entry<'_> {
    fn write(&self, context: &Context, out: &mut String) {
        let config = context.discussion.config.as_ref();
        out.push_str("{\"k\":");
        string(out, self.kind);
        out.push_str(",\"h\":");
        string(out, &self.href);
        out.push_str(",\"t\":");
        string(out, self.title);
        out.push_str(",\"s\":");
        string(out, self.status);
        out.push_str(",\"g\":[");
        for (i, tag) in self.tags.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, tag);
        }
        out.push_str("],\"a\":");
        match self.author {
            Some(author) => {
                string(out, &shown_name(author, config));
                out.push_str(",\"p\":");
                let handle = match Who::of_email(config, &author.email) {
                    Who::Person(handle) => handle,
                    Who::Email(_) => String::new(),
                };
                string(out, &handle);
                out.push_str(",\"e\":");
                string(out, &author.email.to_lowercase());
            }
            None => out.push_str("\"\",\"p\":\"\",\"e\":\"\""),
        }
        out.push_str(",\"d\":");
        string(out, &self.date);
        let _ = write!(out, ",\"i\":{}", self.instant);
        out.push_str(",\"x\":");
        string(out, &self.text);
        out.push('}');
    }
}

/// `search-index.js`: every thread (title and opening post), reply and decision (title,
/// body, rationale) with what the script filters on, newest first (ties by page link).
pub fn index(context: &Context) -> String {
    let discussion = context.discussion;
    let mut entries: Vec<Entry> = Vec::new();
    for thread in &discussion.threads {
        let href = context.thread_href(thread);
        entries.push(Entry {
            kind: "thread",
            href: href.clone(),
            title: &thread.title,
            status: thread.status.as_str(),
            tags: &thread.tags,
            author: Some(&thread.author),
            date: thread.date.to_string(),
            instant: thread.date.instant.as_millisecond(),
            text: format!("{}\n{}", thread.title, thread.body),
        });
        for reply in &thread.replies {
            entries.push(Entry {
                kind: "reply",
                href: format!("{href}#m-{}", reply.stem),
                title: &thread.title,
                status: thread.status.as_str(),
                tags: &thread.tags,
                author: Some(&reply.author),
                date: reply.date.to_string(),
                instant: reply.date.instant.as_millisecond(),
                text: reply.body.clone(),
            });
        }
    }
    for decision in &discussion.decisions {
        let thread = decision.thread.as_deref().and_then(|t| context.thread(t));
        let mut text = format!("{}\n{}", decision.title, decision.body);
        if let Some(rationale) = &decision.rationale {
            text.push('\n');
            text.push_str(rationale);
        }
        entries.push(Entry {
            kind: "decision",
            href: context.decision_href(decision),
            title: &decision.title,
            status: decision.status.as_str(),
            tags: thread.map_or(&[][..], |t| t.tags.as_slice()),
            author: decision.author.as_ref(),
            date: decision.date.to_string(),
            instant: decision.date.instant.as_millisecond(),
            text,
        });
    }
    entries.sort_by(|a, b| b.instant.cmp(&a.instant).then_with(|| a.href.cmp(&b.href)));
    let mut out = String::from(
        "// The search index of this site, written by `longhand render`; search.js reads it.\n\
         window.longhandSearchIndex = [\n",
    );
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        entry.write(context, &mut out);
    }
    out.push_str("\n];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_close_the_script_or_break_a_line() {
        let mut out = String::new();
        string(&mut out, "</script><b>\"x\"\\\u{2028}\u{202e}\u{1b}é");
        assert_eq!(
            out,
            "\"\\u003c/script\\u003e\\u003cb\\u003e\\\"x\\\"\\\\\\u2028\\u202e\\u001bé\""
        );
    }
}
