//! The one place the command reads its environment variables: each function names the
//! variables it reads, and the commands call these instead of `std::env::var`. (libgit2 reads
//! git's own variables itself, and `TimeZone::try_system` the system's zone.)
//!
//! - Who writes, as git itself would say: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, and the moment
//!   of writing in the writer's own offset ([`local_now`]; the clock is `clock`'s).
//! - The clock and the zone, raw: `LONGHAND_NOW` and `TZ` (`clock` interprets them).
//! - The terminal: `NO_COLOR`, `VISUAL`/`EDITOR`, `LONGHAND_PROGRESS_DELAY_MS`.
//! - The stores and hooks: `LONGHAND_NO_CACHE`, `LONGHAND_CACHE_DEBUG`, git's hook variables.
//! - Tests: `LONGHAND_FAULT_INJECT`.

use std::time::Duration;

use longhand::model::{Author, Moment};

use crate::cli_error::CliError;
use crate::clock::Clock;

/// The current time with the user's own UTC offset, as a writer records it.
pub fn local_now() -> Result<Moment, CliError> {
    let clock = Clock::from_environment()?;
    Ok(Moment {
        instant: clock.now,
        offset: clock.zone.to_offset(clock.now),
    })
}

/// The user's time zone name, when it has one (`Europe/Berlin`).
pub fn zone_name() -> Option<String> {
    Clock::from_environment()
        .ok()
        .and_then(|c| c.zone.iana_name().map(str::to_owned))
}

/// The identity git itself would use for a new commit's author when both `GIT_AUTHOR_NAME`
/// and `GIT_AUTHOR_EMAIL` are set; `None` otherwise (then the repository's config decides).
pub fn git_author() -> Option<Author> {
    let name = std::env::var("GIT_AUTHOR_NAME").ok()?;
    let email = std::env::var("GIT_AUTHOR_EMAIL").ok()?;
    Author::parse(&format!("{} <{}>", name.trim(), email.trim()))
}

/// The variable that turns the reading commands' cache off (`LONGHAND_NO_CACHE=1`).
pub const NO_CACHE_VARIABLE: &str = "LONGHAND_NO_CACHE";

/// Whether the reading commands say on standard error how `list`'s cache was used and whether
/// a watcher was started: yes when `LONGHAND_CACHE_DEBUG` is set (for tests and timing).
pub fn cache_debug() -> bool {
    std::env::var_os("LONGHAND_CACHE_DEBUG").is_some()
}

/// Whether `list` may read and write its cache under the git directory: yes unless
/// `LONGHAND_NO_CACHE` is set to anything but an empty string or `0`.
pub fn cache_enabled() -> bool {
    std::env::var_os(NO_CACHE_VARIABLE).is_none_or(|v| v.is_empty() || v == "0")
}

/// The variable that fixes the current instant (`LONGHAND_NOW`, an RFC 3339 timestamp).
pub const NOW_VARIABLE: &str = "LONGHAND_NOW";

/// `LONGHAND_NOW` as written, when it is set (and valid Unicode); `clock` parses it.
pub fn fixed_now_text() -> Option<String> {
    std::env::var(NOW_VARIABLE).ok()
}

/// `TZ` as written, when it is set (and valid Unicode); `clock` looks the zone up.
pub fn zone_variable() -> Option<String> {
    std::env::var("TZ").ok()
}

/// Whether colour is turned off: `NO_COLOR` set to anything non-empty (no-color.org).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The editor to open, as `git commit` chooses it: `VISUAL`, else `EDITOR` (each only when
/// not blank), else `vi`.
pub fn editor() -> String {
    std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_owned())
}

/// How long `render` waits before it shows a progress bar, when `LONGHAND_PROGRESS_DELAY_MS`
/// is a whole number of milliseconds (tests show the bar on a small site).
pub fn progress_delay() -> Option<Duration> {
    std::env::var("LONGHAND_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(Duration::from_millis)
}

/// Whether git started this process as a hook with its repository in the environment: any of
/// `GIT_DIR`, `GIT_INDEX_FILE` or `GIT_OBJECT_DIRECTORY` is set.
pub fn git_hook_environment() -> bool {
    ["GIT_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"]
        .iter()
        .any(|key| std::env::var_os(key).is_some())
}

#[cfg(feature = "fault-injection")]
/// Test-only: the name of the point at which atomic writes should fail
/// (`LONGHAND_FAULT_INJECT`, docs/reliability.md), when it is set.
pub fn fault_injection() -> Option<String> {
    std::env::var("LONGHAND_FAULT_INJECT").ok()
}

/// How long a writer waits for another writer's lock: `LONGHAND_LOCK_WAIT` (seconds, at most
/// a day) when it is a number; `None` keeps the library's default.
pub fn lock_wait() -> Option<std::time::Duration> {
    std::env::var("LONGHAND_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|seconds| std::time::Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// The directories of `PATH`, where `digest --send` looks for `sendmail`.
pub fn path_dirs() -> Vec<std::path::PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default()
}
