//! People pages: `people/index.html` lists everyone in the roster and every other author, and
//! `people/<handle>.html` shows what one person started, wrote, is awaited on and decides.

use std::fmt::Write as _;

use super::context::Context;
use super::index::thread_list;
use super::layout::{self, Page, Section};
use crate::model::Who;
use crate::render::html::escape_into;

/// `people/index.html`.
pub fn index(context: &Context) -> String {
    let page = Page {
        to_root: "../",
        title: "People",
        section: Section::People,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    out.push_str("<h1>People</h1>\n");
    if context.people.is_empty() {
        out.push_str("<p class=\"empty\">Nobody yet.</p>\n");
    } else {
        out.push_str("<ul class=\"people\">\n");
        for (who, person) in &context.people {
            out.push_str("<li>");
            layout::person(&mut out, context, "../", who);
            let waiting = person
                .awaited
                .iter()
                .filter(|t| t.status == crate::model::ThreadStatus::Open)
                .count();
            let _ = writeln!(
                out,
                "<br /><span class=\"count\">{} threads · {} replies · awaited in {} open</span></li>",
                person.started.len(),
                person.replies.len(),
                waiting
            );
        }
        out.push_str("</ul>\n");
    }
    layout::close(context, &mut out, &page);
    out
}

/// `people/<handle>.html`.
pub fn page(context: &Context, who: &Who) -> String {
    let name = context.name_of(who);
    let page = Page {
        to_root: "../",
        title: &name,
        section: Section::People,
        feed: None,
    };
    let to_root = "../";
    let mut out = layout::open(context, &page);
    out.push_str("<h1>");
    escape_into(&mut out, &name);
    out.push_str("</h1>\n");
    let roster = match who {
        Who::Person(handle) => context
            .discussion
            .config
            .as_ref()
            .and_then(|c| c.people.get(handle)),
        Who::Email(_) => None,
    };
    out.push_str("<dl class=\"facts\">\n");
    match (who, roster) {
        (Who::Person(handle), Some(person)) => {
            out.push_str("<dt>Handle</dt><dd><code>");
            escape_into(&mut out, handle);
            out.push_str("</code></dd>\n");
            if let Some(zone) = &person.timezone {
                out.push_str("<dt>Time zone</dt><dd>");
                escape_into(&mut out, zone);
                out.push_str("</dd>\n");
            }
            if !person.roles.is_empty() {
                out.push_str("<dt>Roles</dt><dd>");
                escape_into(&mut out, &person.roles.join(", "));
                out.push_str("</dd>\n");
            }
        }
        _ => {
            out.push_str("<dt>Email</dt><dd>");
            escape_into(&mut out, who.as_str());
            out.push_str(" <span class=\"count\">(not in the roster)</span></dd>\n");
        }
    }
    out.push_str("</dl>\n");
    let Some(person) = context.people.get(who) else {
        layout::close(context, &mut out, &page);
        return out;
    };

    out.push_str("<section aria-labelledby=\"awaited\">\n<h2 id=\"awaited\">Awaited in</h2>\n");
    thread_list(
        &mut out,
        context,
        to_root,
        person
            .awaited
            .iter()
            .filter(|t| t.status == crate::model::ThreadStatus::Open)
            .filter_map(|t| context.summary(t)),
    );
    out.push_str("</section>\n");

    if !person.decides.is_empty() {
        out.push_str(
            "<section aria-labelledby=\"decides\">\n<h2 id=\"decides\">Decides</h2>\n<ul>\n",
        );
        for decision in &person.decides {
            let _ = write!(out, "<li><a href=\"{to_root}");
            escape_into(&mut out, &context.decision_href(decision));
            out.push_str("\">");
            escape_into(&mut out, &decision.title);
            out.push_str("</a> ");
            layout::decision_status(&mut out, decision.status);
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str(
        "<section aria-labelledby=\"started\">\n<h2 id=\"started\">Threads started</h2>\n",
    );
    thread_list(
        &mut out,
        context,
        to_root,
        person.started.iter().filter_map(|t| context.summary(t)),
    );
    out.push_str("</section>\n");

    let _ = writeln!(
        out,
        "<section aria-labelledby=\"replies\">\n<h2 id=\"replies\">Replies ({})</h2>",
        person.replies.len()
    );
    if person.replies.is_empty() {
        out.push_str("<p class=\"empty\">No replies.</p>\n");
    } else {
        out.push_str("<ul class=\"threads\">\n");
        for (thread, message) in &person.replies {
            let _ = write!(out, "<li><a href=\"{to_root}");
            escape_into(&mut out, &context.thread_href(thread));
            out.push_str("#m-");
            escape_into(&mut out, &message.stem);
            out.push_str("\">");
            escape_into(&mut out, &thread.title);
            out.push_str("</a><p class=\"meta\"><span>");
            layout::moment(&mut out, &message.date);
            let _ = write!(out, " ({})</span>", layout::offset(&message.date));
            if let Some(vote) = message.vote {
                out.push_str("<span>");
                layout::vote(&mut out, vote);
                out.push_str("</span>");
            }
            out.push_str("</p></li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    layout::close(context, &mut out, &page);
    out
}
