//! The decision log (`decisions/index.html`: a table and a timeline, with statuses, when each
//! was decided and what supersedes what), one page per decision (its facts — `decided`,
//! `decided-by`, an `override` shown as such, the `rationale` —, supersede chain, tally and
//! record), and the tally box that thread pages show too, with the votes cast before the
//! proposal and after the decision listed as not counted. Tallies and review states come from
//! [`read::tally`](crate::read::tally); nothing is counted here.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;

use super::context::Context;
use super::layout::{self, Page, Section};
use super::thread::body;
use crate::model::{Decision, DecisionRule};
use crate::read::decided_at;
use crate::read::tally::{review, State};
use crate::render::html::escape_into;

/// `decisions/index.html`.
pub fn log(context: &Context) -> String {
    let to_root = "../";
    let page = Page {
        to_root,
        title: "Decision log",
        section: Section::Decisions,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    out.push_str("<h1>Decision log</h1>\n");
    let mut decisions: Vec<&Decision> = context.discussion.decisions.iter().collect();
    decisions.sort_by(|a, b| (b.date.instant, &b.slug).cmp(&(a.date.instant, &a.slug)));
    let _ = writeln!(
        out,
        "<p class=\"lead\">{} decision records, newest first.</p>",
        decisions.len()
    );
    if decisions.is_empty() {
        out.push_str("<p class=\"empty\">No decisions yet.</p>\n");
        layout::close(context, &mut out, &page);
        return out;
    }
    out.push_str(
        "<section aria-labelledby=\"table\">\n<h2 id=\"table\">All decisions</h2>\n\
         <div class=\"table\"><table class=\"log\">\n<thead><tr><th>Decision</th><th>Status</th>\
         <th>Date</th><th>Decided</th><th>Thread</th><th>Deciders</th><th>Supersedes</th><th>Superseded by</th>\
         </tr></thead>\n<tbody>\n",
    );
    for decision in &decisions {
        out.push_str("<tr><td>");
        decision_link(&mut out, context, to_root, decision);
        out.push_str("</td><td>");
        layout::decision_status(&mut out, decision.status);
        out.push_str("</td><td>");
        layout::date(&mut out, &decision.date);
        out.push_str("</td><td>");
        if let Some(decided) = decided_at(context.discussion, decision) {
            layout::date(&mut out, decided);
        }
        if decision.override_reason.is_some() {
            out.push_str(" <span class=\"overdue\">by override</span>");
        }
        out.push_str("</td><td>");
        if let Some(reference) = &decision.thread {
            thread_reference(&mut out, context, to_root, reference);
        }
        out.push_str("</td><td>");
        people(&mut out, context, to_root, &decision.deciders);
        out.push_str("</td><td>");
        references(&mut out, context, to_root, &decision.supersedes);
        out.push_str("</td><td>");
        references(&mut out, context, to_root, &decision.superseded_by);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table></div>\n</section>\n");

    out.push_str("<section aria-labelledby=\"timeline\">\n<h2 id=\"timeline\">Timeline</h2>\n<ol class=\"timeline\">\n");
    // The timeline dates each record by its latest status change where the files record it.
    let mut timeline: Vec<(&Decision, &crate::model::Moment)> = decisions
        .iter()
        .map(|d| (*d, decided_at(context.discussion, d).unwrap_or(&d.date)))
        .collect();
    timeline.sort_by(|a, b| (a.1.instant, &a.0.slug).cmp(&(b.1.instant, &b.0.slug)));
    for (decision, when) in timeline {
        out.push_str("<li><span class=\"when\">");
        layout::date(&mut out, when);
        out.push_str("</span>");
        decision_link(&mut out, context, to_root, decision);
        out.push(' ');
        layout::decision_status(&mut out, decision.status);
        if !decision.supersedes.is_empty() {
            out.push_str(" <span class=\"count\">supersedes ");
            references(&mut out, context, to_root, &decision.supersedes);
            out.push_str("</span>");
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</section>\n");
    layout::close(context, &mut out, &page);
    out
}

/// `decisions/<slug>.html`.
pub fn page(context: &Context, decision: &Decision) -> String {
    let to_root = "../";
    let page = Page {
        to_root,
        title: &decision.title,
        section: Section::Decisions,
        feed: None,
    };
    let mut out = layout::open(context, &page);
    out.push_str("<article class=\"decision\">\n<header>\n<h1>");
    escape_into(&mut out, &decision.title);
    out.push_str("</h1>\n<p class=\"meta\">");
    layout::decision_status(&mut out, decision.status);
    if let Some(reason) = &decision.override_reason {
        let _ = write!(
            out,
            " <strong class=\"overdue\">{} by override: ",
            decision.status
        );
        escape_into(&mut out, reason);
        out.push_str("</strong>");
    }
    out.push_str("</p>\n<dl class=\"facts\">\n<dt>Date</dt><dd>");
    layout::moment(&mut out, &decision.date);
    let _ = writeln!(out, " ({})</dd>", layout::offset(&decision.date));
    if let Some(author) = &decision.author {
        out.push_str("<dt>Proposed by</dt><dd>");
        layout::author(&mut out, context, to_root, author);
        out.push_str("</dd>\n");
    }
    if !decision.deciders.is_empty() {
        out.push_str("<dt>Deciders</dt><dd>");
        people(&mut out, context, to_root, &decision.deciders);
        out.push_str("</dd>\n");
    }
    if let Some(reference) = &decision.thread {
        out.push_str("<dt>Discussed in</dt><dd>");
        thread_reference(&mut out, context, to_root, reference);
        out.push_str("</dd>\n");
    }
    if let Some(deadline) = &decision.review_by {
        out.push_str("<dt>Review by</dt><dd>");
        layout::deadline(&mut out, deadline);
        out.push_str("</dd>\n");
    }
    if let Some(decided) = &decision.decided {
        out.push_str("<dt>Decided</dt><dd>");
        layout::moment(&mut out, decided);
        let _ = write!(out, " ({})", layout::offset(decided));
        if let Some(by) = &decision.decided_by {
            out.push_str(" by ");
            people(&mut out, context, to_root, std::slice::from_ref(by));
        }
        out.push_str("</dd>\n");
    }
    if let Some(reason) = &decision.override_reason {
        let _ = write!(
            out,
            "<dt>Override</dt><dd>{} by override: ",
            decision.status
        );
        escape_into(&mut out, reason);
        out.push_str("</dd>\n");
    }
    if let Some(rationale) = &decision.rationale {
        out.push_str("<dt>Rationale</dt><dd class=\"rationale\">");
        escape_into(&mut out, rationale);
        out.push_str("</dd>\n");
    }
    if !decision.supersedes.is_empty() {
        out.push_str("<dt>Supersedes</dt><dd>");
        references(&mut out, context, to_root, &decision.supersedes);
        out.push_str("</dd>\n");
    }
    if !decision.superseded_by.is_empty() {
        out.push_str("<dt>Superseded by</dt><dd>");
        references(&mut out, context, to_root, &decision.superseded_by);
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n</header>\n");
    chain(&mut out, context, to_root, decision);
    tally(&mut out, context, to_root, decision, false);
    out.push_str("<section class=\"post\" aria-label=\"Record\">\n");
    body(
        &mut out,
        context,
        &decision.body,
        &decision.origin.path,
        to_root,
        ("record-", 1),
    );
    out.push_str("</section>\n</article>\n");
    layout::close(context, &mut out, &page);
    out
}

/// The votes on `decision` and where its review stands; `titled` names the decision (on a
/// thread's page).
pub fn tally(
    out: &mut String,
    context: &Context,
    to_root: &str,
    decision: &Decision,
    titled: bool,
) {
    let review = review(context.discussion, decision, context.now);
    let tally = &review.tally;
    out.push_str("<section class=\"tally\" aria-label=\"Votes\">\n<h2>");
    if titled {
        out.push_str("Votes on ");
        decision_link(out, context, to_root, decision);
        out.push(' ');
        layout::decision_status(out, decision.status);
    } else {
        out.push_str("Votes");
    }
    out.push_str("</h2>\n<p class=\"counts\">");
    use crate::model::Vote;
    let _ = write!(
        out,
        "<span>Binding: {} for · {} abstaining · {} against · {} silent</span>",
        tally.binding(Vote::For),
        tally.binding(Vote::Abstain),
        tally.binding(Vote::Against),
        tally.silent().len()
    );
    let rule = match review.rule {
        DecisionRule::LazyConsensus => "lazy consensus",
        DecisionRule::Unanimous => "unanimous",
        DecisionRule::Majority => "majority",
    };
    let _ = write!(out, "<span>Rule: {rule}</span>");
    out.push_str("<span>Review ends ");
    layout::instant(out, review.deadline);
    out.push_str("</span>");
    match &review.state {
        Some(State::Ready) => out.push_str("<span><strong>Ready to accept</strong></span>"),
        Some(State::Pending { .. }) => out.push_str("<span>Pending</span>"),
        Some(State::Blocked { by }) => {
            out.push_str("<span class=\"overdue\">Blocked");
            if !by.is_empty() {
                out.push_str(" by ");
                for (i, who) in by.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    escape_into(out, &context.name_of(who));
                }
            }
            out.push_str("</span>");
        }
        None => {}
    }
    out.push_str("</p>\n");
    if !tally.deciders.is_empty()
        || !tally.advisory.is_empty()
        || !tally.before.is_empty()
        || !tally.after.is_empty()
    {
        out.push_str(
            "<div class=\"table\"><table>\n<thead><tr><th>Voter</th><th>Vote</th><th>When</th>\
             <th>Counts</th></tr></thead>\n<tbody>\n",
        );
        let thread_href = decision
            .thread
            .as_deref()
            .and_then(|r| context.thread(r))
            .map(|t| context.thread_href(t));
        let rows = tally
            .deciders
            .iter()
            .map(|d| (&d.decider, d.ballot.as_ref(), "binding"))
            .chain(
                tally
                    .advisory
                    .iter()
                    .map(|b| (&b.voter, Some(b), "advisory")),
            )
            .chain(
                tally
                    .before
                    .iter()
                    .map(|b| (&b.voter, Some(b), "no: before the proposal")),
            )
            .chain(
                tally
                    .after
                    .iter()
                    .map(|b| (&b.voter, Some(b), "no: after the decision")),
            );
        for (who, ballot, counts) in rows {
            out.push_str("<tr><td>");
            layout::person(out, context, to_root, who);
            out.push_str("</td><td>");
            match ballot {
                Some(ballot) => layout::vote(out, ballot.vote),
                None => out.push_str("<span class=\"count\">not yet</span>"),
            }
            out.push_str("</td><td>");
            if let Some(ballot) = ballot {
                match &thread_href {
                    Some(href) => {
                        let _ = write!(out, "<a href=\"{to_root}");
                        escape_into(out, href);
                        out.push_str("#m-");
                        escape_into(out, &ballot.message.stem);
                        out.push_str("\">");
                        layout::date(out, &ballot.message.date);
                        out.push_str("</a>");
                    }
                    None => layout::date(out, &ballot.message.date),
                }
            }
            let _ = writeln!(out, "</td><td>{counts}</td></tr>");
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

/// Every record linked to `decision` through `supersedes` and `superseded-by`, oldest first.
fn chain(out: &mut String, context: &Context, to_root: &str, decision: &Decision) {
    if decision.supersedes.is_empty() && decision.superseded_by.is_empty() {
        return;
    }
    let mut seen = BTreeSet::new();
    seen.insert(decision.slug.as_str());
    let mut members = vec![decision];
    let mut queue: VecDeque<&Decision> = VecDeque::from([decision]);
    while let Some(current) = queue.pop_front() {
        for reference in current.supersedes.iter().chain(&current.superseded_by) {
            if let Some(next) = context.decision(reference) {
                if seen.insert(next.slug.as_str()) {
                    members.push(next);
                    queue.push_back(next);
                }
            }
        }
    }
    members.sort_by(|a, b| (a.date.instant, &a.slug).cmp(&(b.date.instant, &b.slug)));
    out.push_str("<section aria-labelledby=\"chain\">\n<h2 id=\"chain\">Supersede chain</h2>\n<ol class=\"chain\">\n");
    for member in members {
        if member.slug == decision.slug {
            out.push_str("<li class=\"current\" aria-current=\"page\">");
            escape_into(out, &member.title);
        } else {
            out.push_str("<li>");
            decision_link(out, context, to_root, member);
        }
        out.push(' ');
        layout::decision_status(out, member.status);
        out.push_str(" <span class=\"count\">");
        layout::date(out, &member.date);
        out.push_str("</span></li>\n");
    }
    out.push_str("</ol>\n</section>\n");
}

fn decision_link(out: &mut String, context: &Context, to_root: &str, decision: &Decision) {
    let _ = write!(out, "<a href=\"{to_root}");
    escape_into(out, &context.decision_href(decision));
    out.push_str("\">");
    escape_into(out, &decision.title);
    out.push_str("</a>");
}

/// Decision references as links (or as text when they name nothing).
fn references(out: &mut String, context: &Context, to_root: &str, references: &[String]) {
    for (i, reference) in references.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match context.decision(reference) {
            Some(decision) => decision_link(out, context, to_root, decision),
            None => escape_into(out, reference),
        }
    }
}

fn thread_reference(out: &mut String, context: &Context, to_root: &str, reference: &str) {
    match context.thread(reference) {
        Some(thread) => {
            let _ = write!(out, "<a href=\"{to_root}");
            escape_into(out, &context.thread_href(thread));
            out.push_str("\">");
            escape_into(out, &thread.title);
            out.push_str("</a>");
        }
        None => escape_into(out, reference),
    }
}

/// Person references (handles or emails) as links.
fn people(out: &mut String, context: &Context, to_root: &str, references: &[String]) {
    let config = context.discussion.config.as_ref();
    for (i, reference) in references.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match crate::model::Who::of_reference(config, reference) {
            Some(who) => layout::person(out, context, to_root, &who),
            None => escape_into(out, reference),
        }
    }
}
