//! Who writes, as git itself would say: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, and the moment of
//! writing in the writer's own offset. The clock and the zone come from `clock`.

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

/// Whether `list` may read and write its cache under the git directory: yes unless
/// `LONGHAND_NO_CACHE` is set to anything but an empty string or `0`.
pub fn cache_enabled() -> bool {
    std::env::var_os(NO_CACHE_VARIABLE).is_none_or(|v| v.is_empty() || v == "0")
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
