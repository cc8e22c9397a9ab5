//! `longhand list`: the threads, most recently active first.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::ThreadStatus;
use longhand::read::summary::{Filter, Summary};

use super::reading::report_cache;
use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::environment::cache_enabled;
use crate::output::json::JsonList;
use crate::output::reading::{clean, print, warn_unreadable, ReadFormat, View};
use crate::output::use_color;

/// List the threads, most recently active first.
///
/// Each thread shows its status, title, slug, reply count and last activity; an open thread
/// also shows who is awaited, the respond-by deadline, and whether it has passed. Times are in
/// your time zone (TZ, else the system's).
///
/// What it shows of each thread is cached under the git directory (`.git/longhand/list/`) and
/// checked against the work tree on every run, so it is never stale; LONGHAND_NO_CACHE=1
/// bypasses the cache, and deleting that directory clears it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand list\n  \
longhand list --status open --tag meetings\n  \
longhand -C examples/async-standups list --format json")]
pub struct Args {
    /// Only threads with this status.
    #[arg(long, value_enum)]
    status: Option<Status>,

    /// Only threads with this tag.
    #[arg(long, value_name = "TAG")]
    tag: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
}

/// A thread status, as typed on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Status {
    /// Under discussion.
    Open,
    /// Settled.
    Resolved,
    /// Ended without an outcome.
    Closed,
}

impl From<Status> for ThreadStatus {
    fn from(status: Status) -> ThreadStatus {
        match status {
            Status::Open => ThreadStatus::Open,
            Status::Resolved => ThreadStatus::Resolved,
            Status::Closed => ThreadStatus::Closed,
        }
    }
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let root = longhand::find_root(start)?;
    let (listing, outcome, watched) = longhand::cache::listing_watched(&root, cache_enabled())?;
    report_cache(outcome, watched);
    super::watch::start_if_wanted(&root, watched);
    if listing.errors > 0 {
        warn_unreadable(listing.errors);
    }
    let filter = Filter {
        status: args.status.map(ThreadStatus::from),
        tag: args.tag.clone(),
    };
    let threads = listing.summaries(&filter, clock.now);
    let config = listing.config.as_ref();
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &threads),
        || JsonList::new(clock.now, &threads, config),
    )
}

fn human(out: &mut dyn Write, view: &View, threads: &[Summary]) -> io::Result<()> {
    if threads.is_empty() {
        return writeln!(out, "no threads");
    }
    for (index, summary) in threads.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        let thread = summary.thread;
        writeln!(
            out,
            "{} {}",
            view.thread_status(thread.status, 9),
            view.bold(&clean(&thread.title))
        )?;
        let replies = match summary.replies {
            1 => "1 reply".to_owned(),
            n => format!("{n} replies"),
        };
        writeln!(
            out,
            "          {} · {replies} · last {}",
            clean(&thread.slug),
            view.instant(summary.last_activity.instant)
        )?;
        if let Some(into) = &thread.merged_into {
            writeln!(out, "          merged into {}", clean(into))?;
        }
        if thread.status == ThreadStatus::Open {
            if let Some(awaiting) = view.awaiting(summary) {
                writeln!(out, "          {awaiting}")?;
            }
        }
    }
    Ok(())
}
