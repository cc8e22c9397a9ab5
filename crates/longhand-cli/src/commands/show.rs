//! `longhand show THREAD`: one thread, its replies as a tree, and the votes on its decisions.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::{thread_order, Discussion};
use longhand::read::short_ids;
use longhand::read::summary::{summarize, Summary};
use longhand::read::tally::{review, Review};
use longhand::render::terminal::{render, reply_indent, MAX_INDENT_DEPTH};
use longhand::Decision;

use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::commands::read_discussion;
use crate::output::json::JsonThreadShow;
use crate::output::reading::{clean, print, rule_name, ReadFormat, View, WIDTH};
use crate::output::use_color;

/// Show a thread: its header, the conversation as a reply tree, and the votes.
///
/// Replies are indented under the message they answer, in the derived order (a parent before
/// its replies, then by time). Each message's header ends with its id, shortened to a prefix
/// that is unique in the thread: what `longhand reply <THREAD> --to <ID>` takes. Times are in your time zone (TZ, else the system's), with the
/// author's own clock when it differs. When a decision names the thread, its votes are tallied
/// at the end.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand show 2026-11-18-overlap-call-rotation\n  \
longhand show 2026-11-18            (an unambiguous prefix of a slug or an id)\n  \
longhand show 01M7Q8FY --format json")]
pub struct Args {
    /// The thread: a slug, an id, or an unambiguous prefix of either.
    #[arg(value_name = "THREAD")]
    thread: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let discussion = read_discussion(start)?;
    let thread = discussion.find_thread(&args.thread)?;
    let summary = summarize(&discussion, thread, clock.now);
    let decisions: Vec<(&Decision, Review)> = discussion
        .decisions_for(thread)
        .map(|d| (d, review(&discussion, d, clock.now)))
        .collect();
    let config = discussion.config.as_ref();
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &discussion, &summary, &decisions),
        || JsonThreadShow::new(clock.now, &summary, thread, &decisions, config),
    )
}

fn human(
    out: &mut dyn Write,
    view: &View,
    discussion: &Discussion,
    summary: &Summary,
    decisions: &[(&Decision, Review)],
) -> io::Result<()> {
    let thread = summary.thread;
    writeln!(out, "{}", view.bold(&clean(&thread.title)))?;
    let mut facts = vec![clean(&thread.slug), view.thread_status(thread.status, 0)];
    if !thread.tags.is_empty() {
        let tags: Vec<String> = thread
            .tags
            .iter()
            .map(|t| format!("#{}", clean(t)))
            .collect();
        facts.push(tags.join(" "));
    }
    writeln!(out, "{}", facts.join(" · "))?;
    if let Some(awaiting) = view.awaiting(summary) {
        writeln!(out, "{awaiting}")?;
    }
    if let Some(into) = &thread.merged_into {
        let slug = discussion
            .thread(into)
            .map_or(into.as_str(), |t| t.slug.as_str());
        writeln!(
            out,
            "merged into {}: its replies are there (`longhand show {}`)",
            clean(slug),
            clean(slug)
        )?;
    }
    if let Some(reference) = &thread.decision {
        match discussion.decision(reference) {
            Some(decision) => writeln!(
                out,
                "decision {} ({})",
                clean(&decision.slug),
                decision.status
            )?,
            None => writeln!(out, "decision {}", clean(reference))?,
        }
    }
    let short = short_ids(thread, 8);
    let id = |id: &str| view.dim(short.get(id).copied().unwrap_or(id));
    writeln!(out)?;
    writeln!(
        out,
        "{} · {} · {}",
        view.bold(&view.author(&thread.author)),
        view.dim(&view.moment(&thread.date)),
        id(thread.id.as_str())
    )?;
    write!(out, "{}", render(&thread.body, 2, WIDTH))?;
    for (message, depth) in thread_order(thread) {
        let indent = reply_indent(depth);
        writeln!(out)?;
        let mut header = format!(
            "{} · {} · {}",
            view.bold(&view.author(&message.author)),
            view.dim(&view.moment(&message.date)),
            id(&message.stem)
        );
        if let Some(edited) = &message.edited {
            header.push_str(&view.dim(&format!(" · edited {}", view.moment(edited))));
        }
        if let Some(vote) = message.vote {
            header.push_str(&format!(" · votes {}", view.vote(vote)));
            if let Some(on) = &message.vote_on {
                let slug = discussion.decision(on).map_or(on.as_str(), |d| &d.slug);
                header.push_str(&format!(" on {}", clean(slug)));
            }
        }
        if depth > MAX_INDENT_DEPTH {
            header.push_str(&view.dim(&format!(" · level {depth}")));
        }
        writeln!(out, "{}{header}", " ".repeat(indent))?;
        write!(out, "{}", render(&message.body, indent + 2, WIDTH))?;
    }
    for (decision, review) in decisions {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            view.bold(&format!("Votes on decision {}", clean(&decision.slug)))
        )?;
        writeln!(
            out,
            "{} · {} · review by {}",
            view.decision_status(decision.status, 0),
            rule_name(review.rule),
            view.review_deadline(decision, review)
        )?;
        if let Some(decided) = view.decided(decision) {
            writeln!(out, "{decided}")?;
        }
        view.print_review(out, decision, review)?;
    }
    Ok(())
}
