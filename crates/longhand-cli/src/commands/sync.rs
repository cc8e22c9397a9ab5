//! `longhand sync`: fetch, merge with Longhand's driver, push — `longhand::sync` does it;
//! this prints each step and maps how it ended to an exit code.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::git2::Oid;
use longhand::render::terminal::sanitize;
use longhand::sync::{self, Event, Options, Outcome};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};

/// Send your commits and get everyone else's: fetch, merge, push, in one step.
///
/// Fetches the current branch's upstream (or, with --remote, that remote's branch of the same
/// name), merges it with a merge commit through Longhand's merge driver (registering the
/// driver in this clone first if it is missing; a rebase never rewrites anyone's commits),
/// and pushes. When someone pushes first, it fetches, merges and pushes again (5 attempts).
/// A thread you opened and have not pushed yet whose slug someone else has taken meanwhile
/// (the same title on the same day) is moved to the next free `<slug>-2` before the merge.
///
/// It stops, changing nothing (HEAD, the index and the work tree are as they were), when a
/// person is needed: a true conflict (it says what to do), or a push the server refuses (its
/// message is shown; your commits stay). It refuses to merge or push while the discussion
/// has uncommitted changes; with nothing to do it answers without looking at the work tree.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand sync                     # with the upstream, as `git push` would\n  \
longhand sync --remote origin     # with origin's branch of the same name\n\n\
Exit codes: 0 in sync (or nothing to do), 1 stopped for a person (a conflict, a push the \
server refused), 2 could not run (no upstream, uncommitted changes, git or the network \
failed, others kept pushing first).")]
pub struct Args {
    /// Sync with this remote's branch of the current branch's name instead of the upstream.
    #[arg(long, value_name = "NAME")]
    remote: Option<String>,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let mut options = Options::new();
    if let Some(remote) = &args.remote {
        options = options.remote(remote.clone());
    }
    // The merge driver runs as this very binary, whatever PATH holds.
    if let Ok(binary) = std::env::current_exe().and_then(|p| p.canonicalize()) {
        let quoted = format!("'{}'", binary.display().to_string().replace('\'', "'\\''"));
        options = options.driver(format!(
            "{quoted} merge-driver %O %A %B %P --marker-size %L"
        ));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut failed_output = None;
    let mut print = |event: &Event| {
        if let Err(e) = print_event(&mut out, event) {
            failed_output.get_or_insert(e);
        }
    };
    let outcome = sync::sync(start, &options, &mut print)?;
    if let Some(e) = failed_output {
        return Err(e.into());
    }
    match outcome {
        Outcome::Synced { tip, changed } => {
            if changed {
                writeln!(out, "in sync at {}", short(tip))?;
            } else {
                writeln!(out, "nothing to do: already in sync at {}", short(tip))?;
            }
            out.flush()?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Outcome::Conflict { theirs, files } => {
            out.flush()?;
            eprintln!(
                "longhand: sync stopped: merging {} conflicts in {} file(s); nothing was changed",
                short(theirs),
                files.len()
            );
            for file in &files {
                eprintln!("  {}", sanitize(file));
            }
            eprintln!(
                "  help: merge by hand: `git merge {}`, resolve the conflicts in the files above \
(keep both people's words where you can), `longhand validate`, `git commit`, then \
`longhand sync` again",
                theirs
            );
            Ok(ExitCode::from(EXIT_VIOLATIONS))
        }
        Outcome::Refused { message } => {
            out.flush()?;
            eprintln!("longhand: sync stopped: the server refused the push; your commits are kept and nothing else was changed");
            for line in message.lines() {
                eprintln!("  {}", sanitize(line));
            }
            eprintln!(
                "  help: fix what the server names above in a new commit (or rewrite your own \
unpushed commits), then `longhand sync` again"
            );
            Ok(ExitCode::from(EXIT_VIOLATIONS))
        }
        _ => Ok(ExitCode::from(EXIT_OK)),
    }
}

fn short(oid: Oid) -> String {
    oid.to_string().chars().take(10).collect()
}

fn print_event(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    match event {
        Event::RegisteredDriver => writeln!(
            out,
            "registered Longhand's merge driver in this clone's git config"
        ),
        Event::Fetched { .. } => Ok(()),
        Event::Renamed { from, to } => writeln!(
            out,
            "renamed your unpushed thread {} to {}: the remote has another thread named {}",
            sanitize(from),
            sanitize(to),
            sanitize(from)
        ),
        Event::Merged { commit, theirs } => writeln!(
            out,
            "merged {} (merge commit {})",
            short(*theirs),
            short(*commit)
        ),
        Event::FastForwarded { to } => writeln!(out, "fast-forwarded to {}", short(*to)),
        Event::Pushed { tip } => writeln!(out, "pushed {}", short(*tip)),
        Event::LostRace { attempt, attempts } => writeln!(
            out,
            "someone pushed first (attempt {attempt} of {attempts}); fetching and merging again"
        ),
        _ => Ok(()),
    }
}
