//! The file-system watcher of Longhand (`longhand
//! watch`): an opt-in background process per discussion root that narrows which stamps the
//! `list` and `inbox` cache must `lstat` (like git's fsmonitor). A crate of its own, on `std`
//! and `rustix` only: the `longhand` library's cache asks it ([`client`]) and the command
//! runs it ([`daemon`]); embedders who only read and validate never compile it.
//!
//! The watcher (`daemon.rs`, Linux inotify) watches the root directory itself (its direct
//! entries: `longhand.yaml`, `threads`, `decisions`) and, recursively, the directories
//! loading reads under it ([`SUBTREES`]), and numbers every path an event names in a change
//! log (`log.rs`). A client (`client.rs`) sends the token stored in its cache; the watcher
//! first *syncs* — creates a cookie file in a directory it watches with the same inotify
//! instance and reads events until the cookie's own event arrives, so every change whose
//! system call returned before the request has been read — then answers a new token and the
//! paths changed since the client's token, or "all" when it cannot say (`protocol.rs`).
//!
//! **It only narrows.** The cache still checks the stamps of every reported path (and of
//! everything under it, and of its parent directory), and every stamp outside the watched
//! set ([`covered`]); everything else of the cache is unchanged. No watcher, a dead socket, a
//! timeout or a garbled answer mean the full check of every stamp, never an error; a watcher
//! that may have missed an event (queue overflow, a watch it could not add, an event it
//! could not place) answers "all".
//!
//! **Started by hand or on demand.** `longhand watch start` starts one; with
//! `longhand.watch` true in git's configuration, `list` and `inbox` start one themselves when
//! none answers (the command-line tool reads the setting and spawns it).
//!
//! **Where.** A directory of its own, which the caller names (Longhand's is
//! `<gitdir>/longhand/watch/<hash of the root's path>/`, which `longhand::cache::watcher_dir`
//! gives): the socket `sock`, the lock `lock` (one watcher per root: `flock`), the log `log`
//! of a detached watcher, and the cookie files.
//!
//! **Platforms.** The watcher runs on Linux only ([`daemon`] exists there only); the client
//! builds everywhere and, where there are no Unix sockets, always finds no watcher.

#![warn(missing_docs)]

pub mod client;
#[cfg(target_os = "linux")]
pub mod daemon;
pub mod log;
pub mod protocol;

use std::path::{Path, PathBuf};

/// The directories under the root that the watcher watches recursively: all that loading
/// reads besides the root's own entries (spec §2).
pub const SUBTREES: [&str; 2] = ["threads", "decisions"];

/// The socket's path in the watcher's directory.
pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join("sock")
}

/// The longest path a Unix socket address holds, in bytes.
pub const MAX_SOCKET_PATH: usize = 107;

/// Whether the socket of a watcher in `dir` can exist at all: its path must fit a Unix
/// socket address ([`MAX_SOCKET_PATH`]). A watcher in a deeper directory cannot start.
pub fn socket_fits(dir: &Path) -> bool {
    socket_path(dir).as_os_str().len() <= MAX_SOCKET_PATH
}

/// Whether changes to the root-relative `path` reach the watcher: the root itself, its
/// direct entries, and everything under [`SUBTREES`]. The stamps of other paths are always
/// checked.
pub fn covered(path: &str) -> bool {
    if !path.contains('/') {
        return true;
    }
    SUBTREES.iter().any(|dir| {
        path.strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Why the watcher could not run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Another watcher holds the lock of this root.
    AlreadyRunning {
        /// The discussion root.
        root: PathBuf,
    },
    /// This system has no inotify.
    Unsupported,
    /// The socket's path is longer than a Unix socket address allows.
    PathTooLong {
        /// The socket's path.
        path: PathBuf,
    },
    /// A system call failed.
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::AlreadyRunning { root } => {
                write!(f, "a watcher is already running for {}", root.display())
            }
            Error::Unsupported => {
                f.write_str("the watcher needs Linux inotify, which this system does not have")
            }
            Error::PathTooLong { path } => write!(
                f,
                "the watcher's socket path {} is too long for a Unix socket (at most 107 bytes); move the repository to a shorter path",
                path.display()
            ),
            Error::Io { what, source } => write!(f, "watcher: {what}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn io(what: impl Into<String>, source: impl Into<std::io::Error>) -> Error {
        Error::Io {
            what: what.into(),
            source: source.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covered;

    #[test]
    fn the_root_its_entries_and_the_subtrees_are_covered_and_nothing_else() {
        for path in [
            "",
            "longhand.yaml",
            "threads",
            "decisions",
            "threads/a/thread.md",
            "decisions/2026/x.md",
        ] {
            assert!(covered(path), "{path}");
        }
        for path in ["src/main.rs", "threadsX/a", "docs/threads/a"] {
            assert!(!covered(path), "{path}");
        }
    }
}
