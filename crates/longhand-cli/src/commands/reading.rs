//! What the reading commands (`list`, `inbox`, `digest`) share beyond printing: whose inbox or
//! digest it is, and the cache's debugging line. Printing is `output::reading` (text) and
//! `output::json`; a reading command imports these, never another command.

use std::path::Path;

use longhand::model::Config;
use longhand::model::Who;

use crate::cli_error::CliError;
use crate::environment;

/// Who the reader is, as a reference (a handle or an email): `given` (`--for`) when there is
/// one, else the user's email as [`crate::identity::email`] finds it.
pub fn reader_reference(given: Option<&str>, start: &Path) -> Result<String, CliError> {
    match given {
        Some(who) => Ok(who.to_owned()),
        None => crate::identity::email(start).ok_or_else(|| {
            CliError::usage(
                "whose inbox? git's user.email is not set here",
                "pass --for with your handle or email, or set `git config user.email`",
            )
        }),
    }
}

/// The person of the roster, or the email of no one, that `reference` names.
pub fn whose(config: Option<&Config>, reference: &str) -> Result<Who, CliError> {
    Who::of_reference(config, reference).ok_or_else(|| {
        CliError::usage(
            format!("`{reference}` is neither a handle in longhand.yaml nor an email"),
            "pass --for with a handle listed under `people` in longhand.yaml, or an email",
        )
    })
}

/// With `LONGHAND_CACHE_DEBUG` set, says on standard error how the listing was obtained (for
/// tests and for timing the cache): `list` and `inbox` say it.
pub fn report_cache(outcome: longhand::cache::Outcome, watched: longhand::cache::Watched) {
    if environment::cache_debug() {
        eprintln!("longhand: cache: {outcome:?}");
        eprintln!("longhand: watcher: {watched:?}");
    }
}
