//! A thread's page: its facts (status, tags, author, awaiting, deadline, decisions), the
//! tallies of the decisions discussed in it, the opening post and the reply tree in reading
//! order, each message with its author, their local time, its vote and its attachments.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::context::Context;
use super::layout::{self, Page, Section};
use super::{assets, decisions};
use crate::model::{thread_order, Message, Thread};
use crate::read::shown_name;
use crate::render::html::{self, escape_into};

/// Replies nested deeper than this are drawn at this depth (each still says what it answers).
const MAX_NESTING: usize = 6;

/// The page of `thread`, as `threads/<slug>.html`.
pub fn page(context: &Context, thread: &Thread) -> String {
    let to_root = "../";
    let file = context.thread_file(thread);
    let page = Page {
        to_root,
        title: &thread.title,
        section: Section::Threads,
        feed: Some(("This thread", format!("{file}.xml"))),
    };
    let mut out = layout::open(context, &page);
    out.push_str("<article class=\"thread\">\n<header>\n<h1>");
    escape_into(&mut out, &thread.title);
    out.push_str("</h1>\n<p class=\"meta\">");
    layout::thread_status(&mut out, thread.status);
    layout::tags(&mut out, context, to_root, &thread.tags);
    out.push_str("</p>\n");
    facts(&mut out, context, thread, &file);
    out.push_str("</header>\n");

    for decision in context.decisions_of(thread) {
        decisions::tally(&mut out, context, to_root, decision, true);
    }

    out.push_str("<section class=\"post\" aria-label=\"Opening post\">\n<header>");
    layout::author(&mut out, context, to_root, &thread.author);
    out.push_str(" <span>");
    layout::moment(&mut out, &thread.date);
    let _ = write!(
        out,
        " <span class=\"tz\">their time ({})</span></span>",
        layout::offset(&thread.date)
    );
    out.push_str("</header>\n");
    body(
        &mut out,
        context,
        &thread.body,
        &thread.origin.path,
        to_root,
        ("op-", 1),
    );
    out.push_str("</section>\n");

    let order = thread_order(thread);
    let by_stem: HashMap<&str, &Message> = thread
        .replies
        .iter()
        .map(|m| (m.stem.as_str(), m))
        .collect();
    let _ = writeln!(
        out,
        "<section class=\"discussion\" aria-labelledby=\"replies\">\n<h2 id=\"replies\">{} {}</h2>",
        order.len(),
        if order.len() == 1 { "reply" } else { "replies" }
    );
    let mut open = 0;
    for (message, depth) in &order {
        let level = (*depth).clamp(1, MAX_NESTING).min(open + 1);
        if level > open {
            out.push_str("<ol class=\"replies\">\n");
            open += 1;
        } else {
            out.push_str("</li>\n");
            while open > level {
                out.push_str("</ol></li>\n");
                open -= 1;
            }
        }
        out.push_str("<li>");
        let parent = message.reply_to.as_deref().and_then(|r| by_stem.get(r));
        self::message(&mut out, context, message, parent.copied(), to_root);
    }
    if open > 0 {
        out.push_str("</li>\n");
        while open > 1 {
            out.push_str("</ol></li>\n");
            open -= 1;
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n</article>\n");
    layout::close(context, &mut out, &page);
    out
}

/// The thread's facts as a description list.
fn facts(out: &mut String, context: &Context, thread: &Thread, file: &str) {
    let to_root = "../";
    out.push_str("<dl class=\"facts\">\n<dt>Started by</dt><dd>");
    layout::author(out, context, to_root, &thread.author);
    out.push_str(", ");
    layout::moment(out, &thread.date);
    let _ = writeln!(out, " ({})</dd>", layout::offset(&thread.date));
    if let Some(summary) = context.summary(thread) {
        out.push_str("<dt>Last activity</dt><dd>");
        layout::moment(out, summary.last_activity);
        let _ = writeln!(out, " ({})</dd>", layout::offset(summary.last_activity));
        if !summary.awaiting.is_empty() {
            out.push_str("<dt>Awaiting</dt><dd>");
            for (i, awaited) in summary.awaiting.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let class = if awaited.replied {
                    "replied"
                } else {
                    "waiting"
                };
                let _ = write!(out, "<span class=\"{class}\">");
                match &awaited.who {
                    Some(who) => layout::person(out, context, to_root, who),
                    None => escape_into(out, &awaited.reference),
                }
                out.push_str("</span>");
            }
            out.push_str(" <span class=\"count\">(✓ has replied)</span></dd>\n");
        }
        if let Some(deadline) = &thread.respond_by {
            out.push_str("<dt>Respond by</dt><dd>");
            layout::deadline(out, deadline);
            if summary.overdue {
                out.push_str(" <span class=\"overdue\">overdue</span>");
            }
            out.push_str("</dd>\n");
        }
    }
    let mut linked = Vec::new();
    if let Some(reference) = &thread.decision {
        linked.push(context.decision(reference).ok_or(reference.as_str()));
    }
    for decision in context.decisions_of(thread) {
        if !linked
            .iter()
            .any(|d| d.is_ok_and(|d| d.slug == decision.slug))
        {
            linked.push(Ok(decision));
        }
    }
    if !linked.is_empty() {
        out.push_str("<dt>Decisions</dt><dd>");
        for (i, decision) in linked.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match decision {
                Ok(decision) => {
                    let _ = write!(out, "<a href=\"{to_root}");
                    escape_into(out, &context.decision_href(decision));
                    out.push_str("\">");
                    escape_into(out, &decision.title);
                    out.push_str("</a> ");
                    layout::decision_status(out, decision.status);
                }
                Err(reference) => escape_into(out, reference),
            }
        }
        out.push_str("</dd>\n");
    }
    if let Some(reference) = &thread.merged_into {
        out.push_str("<dt>Merged into</dt><dd>");
        match context.thread(reference) {
            Some(target) => {
                let _ = write!(out, "<a href=\"{to_root}");
                escape_into(out, &context.thread_href(target));
                out.push_str("\">");
                escape_into(out, &target.title);
                out.push_str("</a>");
            }
            None => escape_into(out, reference),
        }
        out.push_str("</dd>\n");
    }
    out.push_str("<dt>Feed</dt><dd><a href=\"");
    escape_into(out, file);
    out.push_str(".xml\">Atom feed of this thread</a></dd>\n</dl>\n");
}

/// One reply as an article.
fn message(
    out: &mut String,
    context: &Context,
    message: &Message,
    parent: Option<&Message>,
    to_root: &str,
) {
    let id = message.stem.as_str();
    out.push_str("<article class=\"message\" id=\"m-");
    escape_into(out, id);
    out.push_str("\">\n<header>");
    layout::author(out, context, to_root, &message.author);
    out.push_str(" <span>");
    layout::moment(out, &message.date);
    let _ = write!(
        out,
        " <span class=\"tz\">their time ({})</span></span>",
        layout::offset(&message.date)
    );
    if let Some(vote) = message.vote {
        out.push(' ');
        layout::vote(out, vote);
    }
    if let Some(parent) = parent {
        out.push_str(" <span>in reply to <a href=\"#m-");
        escape_into(out, &parent.stem);
        out.push_str("\">");
        escape_into(
            out,
            &shown_name(&parent.author, context.discussion.config.as_ref()),
        );
        out.push_str("</a></span>");
    }
    if let Some(edited) = &message.edited {
        out.push_str(" <span>edited ");
        layout::date(out, edited);
        out.push_str("</span>");
    }
    out.push_str(" <a class=\"permalink\" href=\"#m-");
    escape_into(out, id);
    out.push_str("\" aria-label=\"Link to this reply\">#</a></header>\n");
    let prefix = format!("{id}-");
    let start = out.len();
    body(
        out,
        context,
        &message.body,
        &message.origin.path,
        to_root,
        (&prefix, 2),
    );
    let shown = out[start..].to_owned();
    assets::list(out, context, to_root, message, &shown);
    out.push_str("</article>\n");
}

/// A Markdown body as safe HTML, links to other files resolved to their pages; `ids` is the
/// prefix of its footnote ids and how many levels its headings go down.
pub fn body(
    out: &mut String,
    context: &Context,
    markdown: &str,
    from: &str,
    to_root: &str,
    (id_prefix, heading_offset): (&str, u8),
) {
    let links = |dest: &str| context.resolve_link(from, to_root, dest);
    out.push_str("<div class=\"body\">\n");
    out.push_str(&html::render(
        markdown,
        &html::Options {
            heading_offset,
            id_prefix,
            links: &links,
        },
    ));
    out.push_str("</div>\n");
}
