//! `longhand verify`: check a range of commits against the history rules (spec section 13).

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::{history, GitTree};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};
use crate::output::{self, Format};

/// Check the commits of a range against the history rules.
///
/// Replies are append-only and amended only by their authors; the commit that adds a
/// message is its author's; thread headers and decisions are edited only by the people
/// allowed to; statuses follow the allowed transitions; ids and slugs are never reused.
/// Works in bare repositories.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand verify\n  \
longhand verify origin/main..HEAD --format github\n  \
longhand -C /srv/git/team.git verify main --root docs/discussions\n\n\
RANGE is `BASE..TIP` (the commits reachable from TIP and not from BASE) or one revision\n\
(every commit reachable from it). Default: HEAD, its whole history.\n\n\
Exit codes: 0 no errors, 1 errors found, 2 could not run.")]
pub struct Args {
    /// The commits to check: `BASE..TIP`, or a revision for all of its history.
    #[arg(value_name = "RANGE", default_value = "HEAD")]
    range: String,

    /// The discussion's directory inside the tree (default: where the work tree has it, or
    /// the top of the tree in a bare repository).
    #[arg(long, value_name = "DIR")]
    root: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let (base, tip) = split_range(&args.range)?;
    // The root as `validate --rev` finds it. A tip without the discussion is still checked
    // when the discussion existed in the range: deleting it is what the rules are about.
    let found = GitTree::discover(start, tip, args.root.as_deref());
    let (prefix, missing) = match found {
        Ok(source) => (source.prefix().to_owned(), None),
        Err(longhand::Error::NoRootInRevision { rev, prefix }) => {
            let error = longhand::Error::NoRootInRevision {
                rev,
                prefix: prefix.clone(),
            };
            (prefix, Some(error))
        }
        Err(other) => return Err(other.into()),
    };
    let repo = git2::Repository::discover(start).map_err(|e| longhand::Error::NotARepository {
        path: start.to_path_buf(),
        message: e.message().to_owned(),
    })?;
    let resolve = |rev: &str| -> Result<git2::Oid, CliError> {
        repo.revparse_single(rev)
            .and_then(|object| object.peel_to_commit())
            .map(|commit| commit.id())
            .map_err(|e| CliError::from(longhand::Error::bad_revision(rev, e)))
    };
    let tip = resolve(tip)?;
    let base = base.map(resolve).transpose()?;
    if let Some(error) = missing {
        if !history::holds_discussion(&repo, &prefix, base, tip)? {
            return Err(error.into());
        }
    }
    let report = history::verify(&repo, &prefix, base, tip)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    output::report(&mut out, &report, args.format, &prefix, output::use_color())?;
    out.flush()?;
    Ok(ExitCode::from(if report.is_clean() {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    }))
}

/// `A..B` → (Some(A), B); `B` → (None, B). An empty side means HEAD, as in git.
fn split_range(range: &str) -> Result<(Option<&str>, &str), CliError> {
    if range.contains("...") {
        return Err(CliError::usage(
            format!("`{range}` is a symmetric range"),
            "give BASE..TIP (two dots), or one revision for its whole history",
        ));
    }
    match range.split_once("..") {
        Some((base, tip)) => {
            let base = if base.is_empty() { "HEAD" } else { base };
            let tip = if tip.is_empty() { "HEAD" } else { tip };
            Ok((Some(base), tip))
        }
        None => Ok((None, range)),
    }
}
