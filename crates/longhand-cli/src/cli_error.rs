//! The one place where failures to run become messages and exit codes.

use std::io;
use std::process::ExitCode;

use longhand::model::LookupError;
use longhand::render::terminal::sanitize;

/// Exit code: the run finished and found no error (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit code: the run finished and found at least one rule violation.
pub const EXIT_VIOLATIONS: u8 = 1;
/// Exit code: the run could not be done (arguments, no root, repository, I/O).
pub const EXIT_CANNOT_RUN: u8 = 2;

/// A failure to run, classified once: what happened and what to do about it.
#[derive(Debug)]
pub enum CliError {
    /// A library failure.
    Library(longhand::Error),
    /// Writing the output failed (other than a closed pipe).
    Output(io::Error),
    /// The arguments or the environment do not say what to do: what is wrong, and what to do.
    Usage {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

impl CliError {
    /// A usage error: the user can fix it by changing the command or its environment.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<LookupError> for CliError {
    fn from(error: LookupError) -> CliError {
        let hint = match &error {
            LookupError::NotFound { kind: "thread", .. } => {
                "`longhand list` shows every thread with its slug"
            }
            LookupError::NotFound { .. } => {
                "`longhand decision list` shows every decision with its slug"
            }
            LookupError::Ambiguous { .. } => "type more of the slug or id",
        };
        CliError::usage(error.to_string(), hint)
    }
}

impl From<longhand::Error> for CliError {
    fn from(error: longhand::Error) -> CliError {
        CliError::Library(error)
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> CliError {
        CliError::Output(error)
    }
}

impl CliError {
    fn hint(&self) -> Option<&str> {
        use longhand::Error::*;
        match self {
            CliError::Library(error) => match error {
                NoRoot { .. } => Some(
                    "run longhand inside a discussion (a directory holding longhand.yaml), or pass -C <DIR>",
                ),
                NoRootInRevision { .. } => Some(
                    "check that the revision contains the discussion; in a bare repository it must be at the top of the tree",
                ),
                MissingConfig { .. } => Some("a discussion root holds longhand.yaml"),
                RootNotAFile { .. } => Some("make longhand.yaml a regular file"),
                BadRevision { .. } => Some("check the revision with `git rev-parse <REV>`"),
                NotARepository { .. } => {
                    Some("--rev reads git history: run inside a clone or a bare repository, or pass -C <DIR>")
                }
                Io { .. } => Some("check that the path exists and is readable"),
                _ => None,
            },
            CliError::Output(_) => None,
            CliError::Usage { hint, .. } => Some(hint),
        }
    }

    /// Prints the error and its hint to stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        match self {
            CliError::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                return ExitCode::from(EXIT_OK);
            }
            CliError::Library(e) => eprintln!("longhand: error: {e}"),
            CliError::Output(e) => eprintln!("longhand: error: cannot write output: {e}"),
            // A lookup error names slugs, and a directory name is not checked before it is read.
            CliError::Usage { message, .. } => {
                eprintln!("longhand: error: {}", sanitize(message))
            }
        }
        if let Some(hint) = self.hint() {
            eprintln!("  help: {hint}");
        }
        ExitCode::from(EXIT_CANNOT_RUN)
    }
}
