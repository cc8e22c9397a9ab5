//! The index of threads, and the same list filtered by status (`status/<status>.html`): the
//! filters are pages, so they work without a script. Also the thread list that tag and people
//! pages reuse.

use std::fmt::Write as _;

use super::context::Context;
use super::layout::{self, Page, Section};
use crate::model::ThreadStatus;
use crate::read::summary::Summary;
use crate::render::html::escape_into;

/// `index.html` and one page per thread status, as (path, page).
pub fn pages(context: &Context) -> Vec<(String, String)> {
    let mut pages = vec![("index.html".to_owned(), page(context, None))];
    for status in ThreadStatus::ALL {
        pages.push((
            format!("status/{}.html", status.as_str()),
            page(context, Some(*status)),
        ));
    }
    pages
}

fn page(context: &Context, status: Option<ThreadStatus>) -> String {
    let to_root = if status.is_some() { "../" } else { "" };
    let title = match status {
        None => "Threads".to_owned(),
        Some(status) => format!("Threads: {status}"),
    };
    let page = Page {
        to_root,
        title: &title,
        section: Section::Threads,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    let _ = writeln!(out, "<h1>{title}</h1>");
    let count = |s: ThreadStatus| {
        context
            .summaries
            .iter()
            .filter(|x| x.thread.status == s)
            .count()
    };
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} threads: {} open, {} resolved, {} closed.</p>",
        context.summaries.len(),
        count(ThreadStatus::Open),
        count(ThreadStatus::Resolved),
        count(ThreadStatus::Closed)
    );
    out.push_str("<nav aria-label=\"Filter by status\"><ul class=\"filters\">\n");
    let current = |here: bool| if here { " aria-current=\"page\"" } else { "" };
    let _ = writeln!(
        out,
        "<li><a href=\"{to_root}index.html\"{}>All <span class=\"count\">{}</span></a></li>",
        current(status.is_none()),
        context.summaries.len()
    );
    for s in ThreadStatus::ALL {
        let _ = writeln!(
            out,
            "<li><a href=\"{to_root}status/{0}.html\"{1}>{0} <span class=\"count\">{2}</span></a></li>",
            s.as_str(),
            current(status == Some(*s)),
            count(*s)
        );
    }
    out.push_str("</ul></nav>\n");
    if !context.tags.is_empty() {
        out.push_str("<nav aria-label=\"Filter by tag\"><ul class=\"filters\">\n");
        for (tag, threads) in &context.tags {
            let _ = write!(out, "<li><a href=\"{to_root}");
            escape_into(&mut out, &context.tag_href(tag));
            out.push_str("\">#");
            escape_into(&mut out, tag);
            let _ = writeln!(
                out,
                " <span class=\"count\">{}</span></a></li>",
                threads.len()
            );
        }
        out.push_str("</ul></nav>\n");
    }
    let shown = context
        .summaries
        .iter()
        .filter(|s| status.is_none_or(|status| s.thread.status == status));
    thread_list(&mut out, context, to_root, shown);
    layout::close(context, &mut out, &page);
    out
}

/// A list of threads: title, status, replies, last activity, who is awaited, the deadline and
/// tags.
pub fn thread_list<'s, 'a: 's>(
    out: &mut String,
    context: &Context,
    to_root: &str,
    summaries: impl Iterator<Item = &'s Summary<'a>>,
) {
    let mut any = false;
    for summary in summaries {
        if !any {
            out.push_str("<ul class=\"threads\">\n");
            any = true;
        }
        let thread = summary.thread;
        let _ = write!(out, "<li>\n<a class=\"title\" href=\"{to_root}");
        escape_into(out, &context.thread_href(thread));
        out.push_str("\">");
        escape_into(out, &thread.title);
        out.push_str("</a> ");
        layout::thread_status(out, thread.status);
        out.push_str("\n<p class=\"meta\">");
        let _ = write!(
            out,
            "<span>{} {}</span>",
            summary.replies,
            if summary.replies == 1 {
                "reply"
            } else {
                "replies"
            }
        );
        out.push_str("<span>last activity ");
        layout::date(out, summary.last_activity);
        out.push_str("</span>");
        let waiting: Vec<_> = summary.awaiting.iter().filter(|a| !a.replied).collect();
        if thread.status == ThreadStatus::Open && !waiting.is_empty() {
            out.push_str("<span>awaiting ");
            for (i, awaited) in waiting.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match &awaited.who {
                    Some(who) => layout::person(out, context, to_root, who),
                    None => escape_into(out, &awaited.reference),
                }
            }
            out.push_str("</span>");
        }
        if let (Some(deadline), ThreadStatus::Open) = (&thread.respond_by, thread.status) {
            if summary.overdue {
                out.push_str("<span class=\"overdue\">overdue since ");
            } else {
                out.push_str("<span>respond by ");
            }
            layout::deadline(out, deadline);
            out.push_str("</span>");
        }
        layout::tags(out, context, to_root, &thread.tags);
        out.push_str("</p>\n</li>\n");
    }
    if any {
        out.push_str("</ul>\n");
    } else {
        out.push_str("<p class=\"empty\">No threads.</p>\n");
    }
}
