//! Who the user is, for every command that asks: the writing commands (who writes and
//! commits), `init` (who founds the discussion), and `inbox`/`digest` (whose inbox).
//!
//! One rule, as git's own commits follow it: `GIT_AUTHOR_NAME` and `GIT_AUTHOR_EMAIL` when
//! both are set, else the repository's git config (`user.name`, `user.email`). Reading needs
//! only an email, so a reader with `user.email` but no `user.name` still has an inbox.

use std::path::Path;

use longhand::model::Author;

use crate::cli_error::CliError;
use crate::environment;

/// Who writes in the discussion at `root`: the environment's author, else git's configured
/// identity; [`CliError::NotInRepository`] outside a repository with neither.
pub fn writer(root: &Path) -> Result<Author, CliError> {
    if let Some(author) = environment::git_author() {
        return Ok(author);
    }
    match work_tree_repository(root) {
        Some(repo) => Ok(longhand::write::configured_identity(&repo)?),
        None => Err(CliError::NotInRepository),
    }
}

/// Who founds a discussion at `dir`, when anyone is known: as [`writer`], without failing.
pub fn founder(dir: &Path) -> Option<Author> {
    writer(dir).ok()
}

/// The reader's email, for `inbox` and `digest`: the environment's author's, else git's
/// `user.email` in the repository around `start` (`None` when neither is set).
pub fn email(start: &Path) -> Option<String> {
    if let Some(author) = environment::git_author() {
        return Some(author.email);
    }
    git2::Repository::discover(start)
        .and_then(|repo| repo.config())
        .and_then(|mut config| config.snapshot())
        .and_then(|config| config.get_string("user.email"))
        .ok()
        .map(|email| email.trim().to_owned())
        .filter(|email| !email.is_empty())
}

/// The repository whose work tree holds `root` (a bare repository has no writer).
fn work_tree_repository(root: &Path) -> Option<git2::Repository> {
    git2::Repository::discover(root)
        .ok()
        .filter(|repo| repo.workdir().is_some())
}
