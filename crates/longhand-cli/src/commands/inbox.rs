//! `longhand inbox`: what waits for a person, and by when.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::Who;
use longhand::read::inbox::Item;

use super::reading::{reader_reference, report_cache, whose};
use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::environment::cache_enabled;
use crate::output::json::JsonInbox;
use crate::output::reading::{clean, print, warn_unreadable, ReadFormat, View};
use crate::output::use_color;

/// What waits for you: open threads that await your answer or mention you.
///
/// A thread is in your inbox when it is open and either lists you in `awaiting`, or mentions
/// `@handle` in a message written after your own latest message in it. Overdue threads come
/// first, then by deadline, then by last activity. Without --for, you are the person whose
/// email is GIT_AUTHOR_EMAIL when set, else git's user.email in this repository.
///
/// It reads through `list`'s cache (`.git/longhand/list/`, never stale; LONGHAND_NO_CACHE=1
/// bypasses it).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand inbox\n  \
longhand inbox --for jonas\n  \
longhand inbox --for people-ops@example.org --format json")]
pub struct Args {
    /// Whose inbox: a handle from longhand.yaml, or an email.
    #[arg(long = "for", value_name = "WHO")]
    who: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
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
    let config = listing.config.as_ref();
    let reference = reader_reference(args.who.as_deref(), start)?;
    let who = whose(config, &reference)?;
    let items = listing.inbox(&who, clock.now);
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &who, &items),
        || JsonInbox::new(clock.now, &who, &items, config),
    )
}

fn human(out: &mut dyn Write, view: &View, who: &Who, items: &[Item]) -> io::Result<()> {
    let name = view.who(who);
    if items.is_empty() {
        return writeln!(out, "Nothing waits for {name}.");
    }
    let count = match items.len() {
        1 => "1 thread".to_owned(),
        n => format!("{n} threads"),
    };
    writeln!(out, "{}", view.bold(&format!("Inbox of {name}: {count}")))?;
    for item in items {
        let summary = &item.summary;
        let thread = summary.thread;
        writeln!(out)?;
        writeln!(out, "{}", view.bold(&clean(&thread.title)))?;
        writeln!(
            out,
            "  {} · last {}",
            clean(&thread.slug),
            view.instant(summary.last_activity.instant)
        )?;
        if let Some(deadline) = &thread.respond_by {
            let mut line = format!("respond by {}", view.deadline(deadline));
            if summary.overdue {
                line = format!("{line} · {}", view.alert("overdue"));
            }
            writeln!(out, "  {line}")?;
        }
        if item.awaited {
            let answered = match item.own_latest {
                Some(own) => format!(" (you last wrote {})", view.moment(own)),
                None => String::new(),
            };
            writeln!(out, "  awaiting your answer{answered}")?;
        }
        for mention in &item.mentions {
            writeln!(
                out,
                "  mentioned by {} · {}",
                view.author(mention.by),
                view.moment(mention.date)
            )?;
        }
    }
    Ok(())
}
