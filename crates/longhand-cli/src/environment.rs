//! What the CLI takes from its environment, in one place: the clock, the user's time zone,
//! and an identity set through git's own variables. The library never reads any of these.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use longhand::model::{Author, Moment};

/// The user's time zone: `TZ` when it names an IANA zone, else the system's, else UTC.
pub fn zone() -> TimeZone {
    std::env::var("TZ")
        .ok()
        .and_then(|name| TimeZone::get(name.trim_start_matches(':')).ok())
        .or_else(|| TimeZone::try_system().ok())
        .unwrap_or(TimeZone::UTC)
}

/// The current time: `LONGHAND_NOW` (RFC 3339, for reproducible output and tests), else the
/// system clock.
pub fn now() -> Timestamp {
    std::env::var("LONGHAND_NOW")
        .ok()
        .and_then(|text| Moment::parse(&text))
        .map(|m| m.instant)
        .unwrap_or_else(Timestamp::now)
}

/// The current time with the user's own UTC offset, as a writer records it.
pub fn local_now() -> Moment {
    let instant = now();
    Moment {
        instant,
        offset: zone().to_offset(instant),
    }
}

/// The identity git itself would use for a new commit's author when both `GIT_AUTHOR_NAME`
/// and `GIT_AUTHOR_EMAIL` are set; `None` otherwise (then the repository's config decides).
pub fn git_author() -> Option<Author> {
    let name = std::env::var("GIT_AUTHOR_NAME").ok()?;
    let email = std::env::var("GIT_AUTHOR_EMAIL").ok()?;
    Author::parse(&format!("{} <{}>", name.trim(), email.trim()))
}
