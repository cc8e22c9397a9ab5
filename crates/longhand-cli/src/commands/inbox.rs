//! `longhand inbox`: what waits for a person, and by when; `longhand inbox done ITEM` marks an
//! item done for oneself.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::marks::Marks;

use longhand::read::inbox::{awaiting, Awaiting, Done, Due};

use super::reading::{reader_reference, report_cache, whose};
use crate::cli_error::{CliError, EXIT_OK};
use crate::clock::Clock;
use crate::environment::cache_enabled;
use crate::output::json::JsonInbox;
use crate::output::reading::{clean, print, warn_unreadable, ReadFormat, View};
use crate::output::use_color;

/// What waits for you: threads that await your answer or mention you, and your votes.
///
/// A thread is in your inbox when it is open and either lists you in `awaiting` and you have
/// not answered since being asked (a reply of yours dated after the thread's date and after
/// the latest message mentioning you), or mentions `@handle` in a message written after your
/// own latest message in it. A proposed decision is in it when you are one of its deciders
/// and have not voted. Overdue items come first, then by deadline; a deadline within 24 hours
/// is "due soon", shown in your time zone (TZ). Without --for, you are the person whose email
/// is GIT_AUTHOR_EMAIL when set, else git's user.email in this repository.
///
/// Each item has an id (`thread/<slug>`, `decision/<slug>`): `longhand inbox done ID` hides
/// it for you until something new happens in it. The marks are yours, kept in the clone
/// (`.git/longhand/marks/`), never committed.
///
/// It reads through `list`'s cache (`.git/longhand/list/`, never stale; LONGHAND_NO_CACHE=1
/// bypasses it).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand inbox\n  \
longhand inbox --for jonas\n  \
longhand inbox done thread/2026-11-23-holiday-coverage\n  \
longhand inbox --for people-ops@example.org --format json")]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,

    /// Whose inbox: a handle from longhand.yaml, or an email.
    #[arg(long = "for", value_name = "WHO", global = true)]
    who: Option<String>,

    /// Show the items marked done too.
    #[arg(long)]
    all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Mark an item done for yourself: it leaves your inbox until something new happens in
    /// it (a new message, a change of its header or status).
    ///
    /// ITEM is an item's id as `inbox` shows it (`thread/<slug>`, `decision/<slug>`), or a
    /// slug or prefix that names exactly one item. The mark is kept in this clone
    /// (`.git/longhand/marks/`) and never committed.
    #[command(after_help = "Examples:\n  \
longhand inbox done thread/2026-11-23-holiday-coverage\n  \
longhand inbox done holiday")]
    Done {
        /// The item: its id, or a slug or prefix naming one item.
        #[arg(value_name = "ITEM")]
        item: String,
    },
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
    let mut marks = Marks::load(&root);
    if let Some(Action::Done { item }) = &args.action {
        let all = awaiting(&listing, &who, clock.now, &Done::default());
        let fingerprints = all.fingerprints();
        let (id, fingerprint) = find_item(&fingerprints, item)?;
        let current: Vec<&str> = fingerprints.iter().map(|(id, _)| *id).collect();
        marks.mark_done(&who, id, fingerprint, &current);
        marks.save(&root)?;
        let view = View::new(config, &clock, use_color());
        println!(
            "Marked {} done for {}: it comes back when something new happens in it.",
            clean(id),
            view.who(&who)
        );
        return Ok(ExitCode::from(EXIT_OK));
    }
    let done = if args.all {
        Done::default()
    } else {
        marks.done(&who)
    };
    let waiting = awaiting(&listing, &who, clock.now, &done);
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &waiting),
        || JsonInbox::new(clock.now, &waiting, config),
    )
}

/// The item `query` names among `items`: its id, `thread/` or `decision/` and the query, or
/// the one id whose slug starts with the query.
fn find_item<'a>(items: &[(&'a str, u64)], query: &str) -> Result<(&'a str, u64), CliError> {
    let exact = items
        .iter()
        .find(|(id, _)| *id == query || id.split_once('/').is_some_and(|(_, slug)| slug == query));
    if let Some(found) = exact {
        return Ok(*found);
    }
    // A dated slug also matches by its words: `standups` finds `2026-11-24-standups`.
    let words = |slug: &'a str| -> &'a str {
        let dated = slug.len() > 11
            && slug.as_bytes()[..11].iter().enumerate().all(|(i, b)| {
                if matches!(i, 4 | 7 | 10) {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if dated {
            &slug[11..]
        } else {
            slug
        }
    };
    let matching: Vec<&(&str, u64)> = items
        .iter()
        .filter(|(id, _)| {
            id.split_once('/')
                .is_some_and(|(_, slug)| words(slug).starts_with(query))
                || id.starts_with(query)
                || id
                    .split_once('/')
                    .is_some_and(|(_, slug)| slug.starts_with(query))
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok(**one),
        [] => Err(CliError::usage(
            format!("no item of your inbox is `{query}`"),
            "run `longhand inbox` (with --all for the items marked done) and give an id it shows",
        )),
        many => Err(CliError::usage(
            format!(
                "`{query}` matches {} items: {}",
                many.len(),
                many.iter()
                    .map(|(id, _)| *id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "give the whole id",
        )),
    }
}

fn due_label(view: &View, due: Due) -> Option<String> {
    match due {
        Due::Overdue => Some(view.alert("overdue")),
        Due::Soon => Some(view.alert("due soon")),
        Due::Later | Due::Undated => None,
    }
}

fn human(out: &mut dyn Write, view: &View, waiting: &Awaiting) -> io::Result<()> {
    let name = view.who(&waiting.who);
    let hidden = match waiting.done.len() {
        0 => String::new(),
        1 => " (1 item marked done is hidden: --all shows it)".to_owned(),
        n => format!(" ({n} items marked done are hidden: --all shows them)"),
    };
    if waiting.is_empty() {
        return writeln!(out, "Nothing waits for {name}.{hidden}");
    }
    let mut counts = Vec::new();
    match waiting.threads.len() {
        0 => {}
        1 => counts.push("1 thread".to_owned()),
        n => counts.push(format!("{n} threads")),
    }
    match waiting.votes.len() {
        0 => {}
        1 => counts.push("1 vote".to_owned()),
        n => counts.push(format!("{n} votes")),
    }
    writeln!(
        out,
        "{}{hidden}",
        view.bold(&format!("Inbox of {name}: {}", counts.join(", ")))
    )?;
    for item in &waiting.threads {
        let summary = &item.summary;
        let thread = summary.thread;
        writeln!(out)?;
        writeln!(out, "{}", view.bold(&clean(&thread.title)))?;
        writeln!(
            out,
            "  {} · last {}",
            clean(&item.id),
            view.instant(summary.last_activity.instant)
        )?;
        if let Some(deadline) = &thread.respond_by {
            let mut line = format!("respond by {}", view.deadline(deadline));
            if let Some(due) = due_label(view, item.due) {
                line = format!("{line} · {due}");
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
    for vote in &waiting.votes {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            view.bold(&format!("Your vote on \"{}\"", clean(&vote.decision.title)))
        )?;
        let mut line = format!(
            "  {} · review ends {}",
            clean(&vote.id),
            view.instant(vote.deadline)
        );
        if let Some(due) = due_label(view, vote.due) {
            line = format!("{line} · {due}");
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}
