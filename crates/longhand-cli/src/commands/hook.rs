//! `longhand hook`: set up a clone for Longhand.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::write;

use crate::cli_error::{CliError, EXIT_OK};

/// Set up git for Longhand in this repository.
#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// (Re)register the merge driver in this clone's git config (git does not clone it).
    #[command(after_help = "Example (once, in a fresh clone):\n  longhand hook install")]
    Install,
}

pub fn run(start: &Path, command: &HookCommand) -> Result<ExitCode, CliError> {
    match command {
        HookCommand::Install => {
            let repo = longhand::git2::Repository::discover(start).map_err(|e| {
                longhand::Error::NotARepository {
                    path: start.to_path_buf(),
                    message: e.message().to_owned(),
                }
            })?;
            write::register_driver(&repo)?;
            let stdout = io::stdout();
            let mut out = stdout.lock();
            writeln!(out, "registered the merge driver: {}", write::MERGE_DRIVER)?;
            Ok(ExitCode::from(EXIT_OK))
        }
    }
}
