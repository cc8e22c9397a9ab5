//! Failures *to run*: no discussion root, unreadable repository, I/O.
//!
//! Problems in the data are never errors; they are [`crate::Diagnostic`]s.

use std::path::PathBuf;

/// Why Longhand could not do what was asked. Each variant says what to do in its message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `longhand.yaml` in the start directory or any parent.
    #[error("no discussion root (longhand.yaml) in {} or any parent directory", start.display())]
    NoRoot {
        /// Where the search started.
        start: PathBuf,
    },
    /// The git tree at the revision has no `longhand.yaml` where the root should be.
    #[error("no longhand.yaml at `{}` in revision {rev}", if prefix.is_empty() { "." } else { prefix.as_str() })]
    NoRootInRevision {
        /// The revision as given.
        rev: String,
        /// The directory inside the tree where it was expected.
        prefix: String,
    },
    /// The source has no `longhand.yaml` at its root.
    #[error("no longhand.yaml in {source_name}")]
    MissingConfig {
        /// The source's description.
        source_name: String,
    },
    /// `longhand.yaml` is a symbolic link or not a file.
    #[error("{path} is not a regular file (symbolic links are never followed)")]
    RootNotAFile {
        /// The path, relative to the discussion root.
        path: String,
    },
    /// Reading the file system failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path that could not be read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No git repository where one is needed.
    #[error("not in a git repository ({}): {message}", path.display())]
    NotARepository {
        /// Where the search started.
        path: PathBuf,
        /// What git said.
        message: String,
    },
    /// A revision does not name a commit or tree.
    #[error("revision `{rev}` does not name a commit: {message}")]
    BadRevision {
        /// The revision as given.
        rev: String,
        /// What git said.
        message: String,
    },
    /// Any other git failure.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
