//! What the reading commands (`list`, `inbox`, `digest`) share beyond printing: whose inbox or
//! digest it is, and the cache's debugging line. Printing is `output::reading` (text) and
//! `output::json`; a reading command imports these, never another command.

use std::path::Path;

use longhand::model::Config;
use longhand::read::Who;

use crate::cli_error::CliError;
use crate::environment;

/// Who the reader is, as a reference (a handle or an email): `given` (`--for`) when there is
/// one, else the email of the identity the writing commands use (`GIT_AUTHOR_EMAIL` with
/// `GIT_AUTHOR_NAME`), else git's `user.email` for the repository around `start`.
pub fn reader_reference(given: Option<&str>, start: &Path) -> Result<String, CliError> {
    match given {
        Some(who) => Ok(who.to_owned()),
        None => match environment::git_author() {
            Some(author) => Ok(author.email),
            None => git_user_email(start),
        },
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

/// The reader's email, from git's `user.email` for the repository around `start`.
fn git_user_email(start: &Path) -> Result<String, CliError> {
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

/// With `LONGHAND_CACHE_DEBUG` set, says on standard error how the listing was obtained (for
/// tests and for timing the cache): `list` and `inbox` say it.
pub fn report_cache(outcome: longhand::cache::Outcome, watched: longhand::cache::Watched) {
    if environment::cache_debug() {
        eprintln!("longhand: cache: {outcome:?}");
        eprintln!("longhand: watcher: {watched:?}");
    }
}
