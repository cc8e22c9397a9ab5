//! The reader's clock and time zone: the only place the CLI interprets them (`environment`
//! reads the variables), so the library can stay a pure function of the model and the instant
//! it is given.
//!
//! - The clock: `LONGHAND_NOW` (an RFC 3339 timestamp) when set, for reproducible output and
//!   tests; otherwise the real time.
//! - The zone: `TZ` when it is a valid IANA time zone name (`Europe/Berlin`, `:Asia/Kolkata`);
//!   otherwise the system's zone; otherwise UTC.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::cli_error::CliError;
use crate::environment::{self, NOW_VARIABLE};

/// When and where the reader is.
#[derive(Clone, Debug)]
pub struct Clock {
    /// The current instant.
    pub now: Timestamp,
    /// The reader's time zone.
    pub zone: TimeZone,
}

impl Clock {
    /// Reads `LONGHAND_NOW` and `TZ`. A `LONGHAND_NOW` that is not a timestamp is a usage error:
    /// silently using the real time would make a test or a script lie.
    pub fn from_environment() -> Result<Clock, CliError> {
        Ok(Clock {
            now: fixed_now()?.unwrap_or_else(Timestamp::now),
            zone: reader_zone(),
        })
    }
}

/// The instant `LONGHAND_NOW` fixes, if it is set: for commands whose output must not depend
/// on the real time at all (`render` falls back to the data's own latest date).
pub fn fixed_now() -> Result<Option<Timestamp>, CliError> {
    match environment::fixed_now_text() {
        Some(text) => text.trim().parse::<Timestamp>().map(Some).map_err(|_| {
            CliError::usage(
                format!("{NOW_VARIABLE} is `{text}`, which is not an RFC 3339 timestamp"),
                format!("write it like 2026-11-24T09:30:00Z, or unset {NOW_VARIABLE} to use the real time"),
            )
        }),
        None => Ok(None),
    }
}

fn reader_zone() -> TimeZone {
    let named = environment::zone_variable().and_then(|tz| {
        let name = tz.trim().trim_start_matches(':');
        jiff::tz::db().get(name).ok()
    });
    named
        .or_else(|| TimeZone::try_system().ok())
        .unwrap_or(TimeZone::UTC)
}
