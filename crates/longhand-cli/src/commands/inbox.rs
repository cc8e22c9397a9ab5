//! `longhand inbox`: what waits for a person, and by when.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::Config;
use longhand::model::Who;
use longhand::read::inbox::Item;
use serde::Serialize;

use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::commands::list::report_cache;
use crate::environment::cache_enabled;
use crate::output::reading::{clean, print, warn_unreadable, JsonAuthor, ReadFormat, View};
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
    let reference = match &args.who {
        Some(who) => who.clone(),
        // The identity the writing commands use: GIT_AUTHOR_EMAIL, else git's user.email.
        None => match crate::environment::git_author() {
            Some(author) => author.email,
            None => git_user_email(start)?,
        },
    };
    let who = Who::of_reference(config, &reference).ok_or_else(|| {
        CliError::usage(
            format!("`{reference}` is neither a handle in longhand.yaml nor an email"),
            "pass --for with a handle listed under `people` in longhand.yaml, or an email",
        )
    })?;
    let items = listing.inbox(&who, clock.now);
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| human(out, &view, &who, &items),
        || JsonInbox {
            schema: "longhand/inbox/v1",
            now: clock.now.to_string(),
            person: JsonPerson::new(&who, config),
            items: items.iter().map(|i| JsonItem::new(i, config)).collect(),
        },
    )
}

/// The reader's email, from git's `user.email` for the repository around `start`.
pub(crate) fn git_user_email(start: &Path) -> Result<String, CliError> {
    let email = git2::Repository::discover(start)
        .and_then(|repo| repo.config())
        .and_then(|mut config| config.snapshot())
        .and_then(|config| config.get_string("user.email"))
        .ok()
        .map(|email| email.trim().to_owned())
        .filter(|email| !email.is_empty());
    email.ok_or_else(|| {
        CliError::usage(
            "whose inbox? git's user.email is not set here",
            "pass --for with your handle or email, or set `git config user.email`",
        )
    })
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

#[derive(Serialize)]
struct JsonInbox<'a> {
    schema: &'static str,
    now: String,
    person: JsonPerson<'a>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
pub(crate) struct JsonPerson<'a> {
    handle: Option<&'a str>,
    name: Option<&'a str>,
    emails: Vec<String>,
}

impl<'a> JsonPerson<'a> {
    pub(crate) fn new(who: &'a Who, config: Option<&'a Config>) -> JsonPerson<'a> {
        let person = who.handle().and_then(|h| config?.people.get(h));
        JsonPerson {
            handle: who.handle(),
            name: person.map(|p| p.name.as_str()),
            emails: match (who, person) {
                (_, Some(person)) => person.emails.clone(),
                (Who::Email(email), None) => vec![email.clone()],
                (Who::Person(_), None) => Vec::new(),
            },
        }
    }
}

#[derive(Serialize)]
struct JsonMention<'a> {
    by: JsonAuthor<'a>,
    message: &'a str,
    date: String,
}

#[derive(Serialize)]
pub(crate) struct JsonItem<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    replies: usize,
    last_activity: String,
    respond_by: Option<String>,
    respond_by_instant: Option<String>,
    overdue: bool,
    awaited: bool,
    mentions: Vec<JsonMention<'a>>,
    own_latest: Option<String>,
}

impl<'a> JsonItem<'a> {
    pub(crate) fn new(item: &'a Item<'a>, config: Option<&Config>) -> JsonItem<'a> {
        let summary = &item.summary;
        let thread = summary.thread;
        JsonItem {
            slug: &thread.slug,
            id: thread.id.as_str(),
            title: &thread.title,
            replies: summary.replies,
            last_activity: summary.last_activity.to_string(),
            respond_by: thread.respond_by.as_ref().map(ToString::to_string),
            respond_by_instant: thread.respond_by.as_ref().map(|d| d.instant().to_string()),
            overdue: summary.overdue,
            awaited: item.awaited,
            mentions: item
                .mentions
                .iter()
                .map(|m| JsonMention {
                    by: JsonAuthor::new(m.by, config),
                    message: m.message.as_str(),
                    date: m.date.to_string(),
                })
                .collect(),
            own_latest: item.own_latest.map(ToString::to_string),
        }
    }
}
