//! One file per subcommand: parse the arguments, call the library, print.

pub mod completions;
pub mod decision;
pub mod digest;
pub mod hook;
pub mod inbox;
pub mod init;
pub mod list;
pub mod merge_driver;
pub mod person;
mod reading;
pub mod redact;
pub mod render;
pub mod reply;
pub mod search;
pub mod show;
pub mod signature;
pub mod sync;
pub mod thread;
pub mod validate;
pub mod verify;
pub mod watch;
mod writing;

use std::path::Path;

use longhand::model::Discussion;
use longhand::{find_root, load, Severity, WorkTree};

use crate::cli_error::CliError;
use crate::output;

/// The discussion around `start`, from the work tree, for the reading commands. What could not
/// be read is left out, and one line on standard error says so.
pub fn read_discussion(start: &Path) -> Result<Discussion, CliError> {
    let root = find_root(start)?;
    Ok(readable(load(&WorkTree::new(root))?))
}

/// The model of what loaded; when files could not be read, one line on standard error says
/// how many were left out.
pub fn readable(loaded: longhand::Loaded) -> Discussion {
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count();
    if errors > 0 {
        output::reading::warn_unreadable(errors);
    }
    loaded.discussion
}

/// In a bare repository there is no work tree to find a root in: for the command `verb`
/// (`validate`, `render`), say to read a revision with --rev.
pub fn bare_hint(start: &Path, error: longhand::Error, verb: &str) -> CliError {
    let bare = git2::Repository::discover(start).is_ok_and(|r| r.is_bare());
    match error {
        longhand::Error::NoRoot { .. } if bare => CliError::usage(
            format!("this is a bare repository: it has no work tree to {verb}"),
            format!("{verb} a revision: --rev main (and --root DIR when the discussion is in a sub-directory)"),
        ),
        other => other.into(),
    }
}

/// The repository holding `start`.
pub(crate) fn discover(
    start: &Path,
) -> Result<longhand::git2::Repository, crate::cli_error::CliError> {
    longhand::git2::Repository::discover(start).map_err(|e| {
        longhand::Error::NotARepository {
            path: start.to_path_buf(),
            message: e.message().to_owned(),
        }
        .into()
    })
}
