//! `longhand search`: threads, replies and decisions matching words, phrases and filters.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::read::search::{roster, search_work_tree, Hit, Kind, Query};
use longhand::{find_root, Parallelism, WorkTree};

use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::output::json::JsonSearch;
use crate::output::reading::{clean, print, ReadFormat, View};
use crate::output::use_color;

/// Search threads, replies and decisions, newest first, showing the line that matched.
///
/// Every word must occur, case-insensitively, at the start of a word of the text (`standup`
/// finds "standups"); a quoted phrase must occur as written, across line breaks too. A
/// thread is searched in its title and opening post, a reply in its text, a decision in its
/// title, body and rationale. Filters (below) narrow the hits: several author:, status: or
/// in: are alternatives, several tag: must all hold. Files are read directly, and only those
/// holding every word are parsed, so a search costs about one read of the discussion's
/// files. A bad query exits 2.
#[derive(Debug, clap::Args)]
#[command(after_help = "Filters:\n  \
author:WHO       a handle from longhand.yaml, an email, or part of a name\n  \
tag:TAG          the thread's tag (a reply's thread; a decision's thread)\n  \
status:STATUS    the thread's status (open, resolved, closed), or the decision's\n                   \
(proposed, accepted, rejected, withdrawn, superseded)\n  \
in:KIND          thread, reply or decision\n  \
before:WHEN      written before WHEN: a day (2026-12-01, from its midnight in your\n                   \
time zone) or a timestamp (2026-12-01T17:00:00+01:00)\n  \
after:WHEN       written at or after WHEN\n\n\
Examples:\n  \
longhand search standups\n  \
longhand search '\"written standups\"' author:bo in:reply\n  \
longhand search overlap call tag:process status:open after:2026-11-01\n  \
longhand search in:decision status:accepted --format json")]
pub struct Args {
    /// Words, "quoted phrases" and filters (field:value).
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    query: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let query = Query::from_args(&args.query, &clock.zone).map_err(longhand::Error::from)?;
    let root = find_root(start)?;
    let hits = search_work_tree(&root, &query, &Parallelism::Global)?;
    let config = roster(&WorkTree::new(&root));
    let typed = args.query.join(" ");
    let view = View::new(config.as_ref(), &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &typed, &hits),
        || JsonSearch::new(&typed, &hits, config.as_ref()),
    )
}

fn human(out: &mut dyn Write, view: &View, typed: &str, hits: &[Hit]) -> io::Result<()> {
    let typed = clean(typed);
    match hits.len() {
        0 => return writeln!(out, "No hits for `{typed}`."),
        1 => writeln!(out, "{}", view.bold(&format!("1 hit for `{typed}`")))?,
        n => writeln!(out, "{}", view.bold(&format!("{n} hits for `{typed}`")))?,
    }
    for hit in hits {
        writeln!(out)?;
        let place = hit.thread.as_ref().or(hit.decision.as_ref());
        let title = place.map_or(String::new(), |p| {
            format!("{} ({})", view.bold(&clean(&p.title)), clean(&p.slug))
        });
        let what = match hit.kind {
            Kind::Reply => format!("reply {}", clean(&hit.id)),
            kind => kind.as_str().to_owned(),
        };
        writeln!(out, "{title}")?;
        let author = hit
            .author
            .as_ref()
            .map_or_else(|| "no author".to_owned(), |a| view.author(a));
        writeln!(out, "  {what} · {author} · {}", view.moment(&hit.date))?;
        writeln!(out, "  {}", line(view, hit))?;
    }
    Ok(())
}

/// The matched line, `number: text`, with the matches highlighted; each piece is sanitised
/// on its own, so a highlight never splits an escape.
fn line(view: &View, hit: &Hit) -> String {
    let text = &hit.line.text;
    let mut shown = format!("{}: ", hit.line.number);
    let mut at = 0;
    for &(start, end) in &hit.line.spans {
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        shown.push_str(&clean(&text[at..start]));
        shown.push_str(&view.highlight(&clean(&text[start..end])));
        at = end;
    }
    shown.push_str(&clean(&text[at..]));
    shown
}
