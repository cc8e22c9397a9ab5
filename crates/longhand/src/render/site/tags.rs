//! Tag pages: `tags/index.html` lists every tag with its number of threads, and
//! `tags/<tag>.html` lists a tag's threads as the index does.

use std::fmt::Write as _;

use super::context::Context;
use super::index::thread_list;
use super::layout::{self, Page, Section};
use crate::render::html::escape_into;

/// `tags/index.html`.
pub fn index(context: &Context) -> String {
    let page = Page {
        to_root: "../",
        title: "Tags",
        section: Section::Tags,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    out.push_str("<h1>Tags</h1>\n");
    if context.tags.is_empty() {
        out.push_str("<p class=\"empty\">No thread has tags.</p>\n");
    } else {
        out.push_str("<ul class=\"cloud\">\n");
        for (tag, threads) in &context.tags {
            out.push_str("<li><a class=\"tag\" href=\"../");
            escape_into(&mut out, &context.tag_href(tag));
            out.push_str("\">#");
            escape_into(&mut out, tag);
            let _ = writeln!(
                out,
                "</a> <span class=\"count\">{}</span></li>",
                threads.len()
            );
        }
        out.push_str("</ul>\n");
    }
    layout::close(context, &mut out, &page);
    out
}

/// `tags/<tag>.html`.
pub fn page(context: &Context, tag: &str) -> String {
    let title = format!("#{tag}");
    let page = Page {
        to_root: "../",
        title: &title,
        section: Section::Tags,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    out.push_str("<h1>");
    escape_into(&mut out, &title);
    out.push_str("</h1>\n");
    let threads = context.tags.get(tag).map_or(&[][..], Vec::as_slice);
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} threads tagged <code>",
        threads.len()
    );
    escape_into(&mut out, tag);
    out.push_str("</code>, most recently active first.</p>\n");
    thread_list(
        &mut out,
        context,
        "../",
        threads.iter().filter_map(|t| context.summary(t)),
    );
    layout::close(context, &mut out, &page);
    out
}
