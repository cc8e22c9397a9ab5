//! `longhand redact`: a moderator hides a reply's text, keeping its record.

use std::path::Path;
use std::process::ExitCode;

use longhand::write::ops;

use super::writing::{CommitArgs, Session};
use crate::cli_error::CliError;

/// Redact a reply (moderators only): its body becomes a notice with the reason.
///
/// The reply keeps its file, id, author, date, reply-to, vote and vote-on; `redacted`,
/// `redacted-by` and `redaction-reason` record who redacted it, when and why. The commit is yours, and
/// `longhand verify` accepts it only from a moderator. The original text stays in git's
/// history.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand redact 01M86XZ --reason \"personal data\"\n\n\
Exit codes: 0 redacted, 2 refused or could not run (not a moderator, unknown reply).")]
pub struct Args {
    /// The reply: its id, or an unambiguous prefix of one, in any thread.
    #[arg(value_name = "MSG")]
    message: String,
    /// Why it is redacted (one line; recorded in the reply and shown in its notice).
    #[arg(long, value_name = "REASON")]
    reason: String,
    #[command(flatten)]
    commit: CommitArgs,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let change = ops::redact(&session.context(), &args.message, &args.reason)?;
    session.finish(&change, &args.commit)
}
