//! The protocol's lexical forms: ids, slugs, handles, emails, authors, timestamps, deadlines,
//! spans and tags. Each type parses from the text written in a file and prints back the same.

use std::fmt;

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::Timestamp;

/// The Crockford base32 alphabet ULIDs are written in.
const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Which bytes are in [`CROCKFORD`], as a table: ids are checked often.
const IS_CROCKFORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < CROCKFORD.len() {
        table[CROCKFORD[i] as usize] = true;
        i += 1;
    }
    table
};

/// A time-sortable unique id: a ULID such as `01JD8Q1Z4A2B3C4D5E6F7G8H9J`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// Parses a ULID: 26 upper-case Crockford base32 characters, the first `0`–`7`.
    pub fn parse(text: &str) -> Option<Id> {
        let bytes = text.as_bytes();
        let valid = bytes.len() == 26
            && (b'0'..=b'7').contains(&bytes[0])
            && bytes.iter().all(|b| IS_CROCKFORD[*b as usize]);
        valid.then(|| Id(text.to_owned()))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The creation time its first ten characters encode, in milliseconds since the epoch.
    pub fn millis(&self) -> u64 {
        self.0.bytes().take(10).fold(0u64, |acc, b| {
            let digit = CROCKFORD.iter().position(|c| *c == b).unwrap_or(0) as u64;
            (acc << 5) | digit
        })
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True when `text` is a slug: lowercase letters and digits in dash-separated runs, ≤ 100 chars.
pub fn is_slug(text: &str) -> bool {
    is_dashed_word(text, 100)
}

/// True when `text` is a tag: the same form as a slug, at most 50 characters.
pub fn is_tag(text: &str) -> bool {
    is_dashed_word(text, 50)
}

fn is_dashed_word(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// True when `text` is a handle: `[a-z0-9][a-z0-9._-]*`, at most 64 characters.
pub fn is_handle(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(b))
}

/// True when `text` is an email as the protocol reads one: `local@domain`, no whitespace.
pub fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c.is_control())
}

/// An author: `Name <email>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Author {
    /// The display name.
    pub name: String,
    /// The email, which ties the author to a person and to commits.
    pub email: String,
}

impl Author {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Option<Author> {
        let open = text.find(" <")?;
        let name = &text[..open];
        let email = text[open + 2..].strip_suffix('>')?;
        let name_ok = !name.trim().is_empty()
            && name == name.trim()
            && !name.contains(['<', '>'])
            && !name.chars().any(char::is_control);
        (name_ok && is_email(email)).then(|| Author {
            name: name.to_owned(),
            email: email.to_owned(),
        })
    }
}

impl fmt::Display for Author {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// A moment as its author wrote it: an absolute instant plus the author's UTC offset.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Moment {
    /// The absolute instant.
    pub instant: Timestamp,
    /// The offset the author wrote, which tells their local time.
    pub offset: Offset,
}

impl Moment {
    /// Parses RFC 3339 with an explicit offset: `2026-11-24T09:30:00-03:00`, `…Z`, with an
    /// optional fraction of a second.
    pub fn parse(text: &str) -> Option<Moment> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes
                .get(range)
                .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        };
        let shape = bytes.len() >= 20
            && digits(0..4)
            && bytes[4] == b'-'
            && digits(5..7)
            && bytes[7] == b'-'
            && digits(8..10)
            && (bytes[10] == b'T' || bytes[10] == b't')
            && digits(11..13)
            && bytes[13] == b':'
            && digits(14..16)
            && bytes[16] == b':'
            && digits(17..19);
        if !shape {
            return None;
        }
        let mut rest = &text[19..];
        if let Some(fraction) = rest.strip_prefix('.') {
            let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if count == 0 || count > 9 {
                return None;
            }
            rest = &fraction[count..];
        }
        let offset_seconds = if rest == "Z" || rest == "z" {
            0
        } else {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let r = rest.as_bytes();
            if r.len() != 6
                || r[3] != b':'
                || !r[1..3].iter().chain(&r[4..6]).all(u8::is_ascii_digit)
            {
                return None;
            }
            let hours: i32 = rest[1..3].parse().ok()?;
            let minutes: i32 = rest[4..6].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        };
        let instant: Timestamp = text.to_ascii_uppercase().parse().ok()?;
        let offset = Offset::from_seconds(offset_seconds).ok()?;
        Some(Moment { instant, offset })
    }

    /// The author's local wall-clock time.
    pub fn local(&self) -> jiff::civil::DateTime {
        self.offset.to_datetime(self.instant)
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.local();
        let seconds = self.offset.seconds();
        if seconds == 0 {
            write!(f, "{}Z", local.strftime("%Y-%m-%dT%H:%M:%S"))
        } else {
            let sign = if seconds < 0 { '-' } else { '+' };
            let abs = seconds.unsigned_abs();
            write!(
                f,
                "{}{}{:02}:{:02}",
                local.strftime("%Y-%m-%dT%H:%M:%S"),
                sign,
                abs / 3600,
                (abs % 3600) / 60
            )
        }
    }
}

/// A deadline: a moment, or a calendar day meaning the end of that day anywhere on Earth.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Deadline {
    /// A precise moment.
    At(Moment),
    /// The end of this day anywhere on Earth (23:59:59 at UTC−12).
    Day(Date),
}

impl Deadline {
    /// Parses a timestamp (as [`Moment::parse`]) or a date `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Deadline> {
        if let Some(moment) = Moment::parse(text) {
            return Some(Deadline::At(moment));
        }
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape {
            return None;
        }
        text.parse::<Date>().ok().map(Deadline::Day)
    }

    /// The absolute instant the deadline passes.
    pub fn instant(&self) -> Timestamp {
        match self {
            Deadline::At(moment) => moment.instant,
            Deadline::Day(date) => {
                let end = date.at(23, 59, 59, 0);
                Offset::constant(-12)
                    .to_timestamp(end)
                    .unwrap_or(Timestamp::MAX)
            }
        }
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::At(moment) => moment.fmt(f),
            Deadline::Day(date) => date.fmt(f),
        }
    }
}

/// Parses a span such as `72h`, `3d`, `1w`, `90m` into seconds: 1 to 5 digits, then a unit.
pub fn parse_span(text: &str) -> Option<i64> {
    let unit = text.chars().last()?;
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: i64 = digits.parse().ok()?;
    let factor = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    (number >= 1).then_some(number * factor)
}

/// Reads a size in bytes as `longhand.yaml` writes it: a whole number of bytes (`1048576`),
/// or a whole number with a unit, `B`, `KiB`, `MiB`, `GiB` (powers of 1024) or `KB`, `MB`,
/// `GB` (powers of 1000), with no space: `10MiB`, `500KB`. `None` for anything else, zero, or
/// a value over 2^53 bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    let factor: u64 = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        _ => return None,
    };
    let bytes = number.checked_mul(factor)?;
    (1..=1 << 53).contains(&bytes).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_bytes_with_an_optional_unit() {
        assert_eq!(parse_size("1048576"), Some(1_048_576));
        assert_eq!(parse_size("10MiB"), Some(10 * 1024 * 1024));
        assert_eq!(parse_size("500KB"), Some(500_000));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("100B"), Some(100));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("10 MiB"), None);
        assert_eq!(parse_size("10mb"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("MiB"), None);
        assert_eq!(parse_size("99999999999GiB"), None);
    }

    #[test]
    fn ids_are_ulids() {
        assert!(Id::parse("01JD8Q1Z4A2B3C4D5E6F7G8H9J").is_some());
        assert!(
            Id::parse("01jd8q1z4a2b3c4d5e6f7g8h9j").is_none(),
            "lower case"
        );
        assert!(
            Id::parse("01JD8Q1Z4A2B3C4D5E6F7G8H9I").is_none(),
            "I is not Crockford"
        );
        assert!(
            Id::parse("81JD8Q1Z4A2B3C4D5E6F7G8H9J").is_none(),
            "overflowing time"
        );
        assert!(Id::parse("01JD8Q1Z4A").is_none());
        let id = Id::parse("01ARYZ6S410000000000000000").expect("valid");
        assert_eq!(id.millis(), 1_469_918_176_385);
    }

    #[test]
    fn slugs_tags_handles_emails_and_authors() {
        assert!(is_slug("2026-11-24-async-standups"));
        assert!(!is_slug("Async"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(is_handle("ana.lima_2"));
        assert!(!is_handle("Ana"));
        assert!(is_email("ana@example.org"));
        assert!(!is_email("ana@@x"));
        assert!(!is_email("ana example.org"));
        let author = Author::parse("Ana Lima <ana@example.org>").expect("valid");
        assert_eq!(author.to_string(), "Ana Lima <ana@example.org>");
        assert!(Author::parse("ana@example.org").is_none());
        assert!(Author::parse(" <ana@example.org>").is_none());
        assert!(Author::parse("Ana <ana@example.org").is_none());
    }

    #[test]
    fn moments_keep_the_authors_offset() {
        let m = Moment::parse("2026-11-24T09:30:00-03:00").expect("valid");
        assert_eq!(m.offset.seconds(), -3 * 3600);
        assert_eq!(m.instant.to_string(), "2026-11-24T12:30:00Z");
        assert_eq!(m.to_string(), "2026-11-24T09:30:00-03:00");
        assert!(Moment::parse("2026-11-24T09:30:00.123Z").is_some());
        assert!(
            Moment::parse("2026-11-24t09:30:00z").is_some(),
            "RFC 3339 allows lower case"
        );
        assert!(Moment::parse("2026-11-24T09:30:00").is_none(), "no offset");
        assert!(Moment::parse("2026-11-24 09:30:00Z").is_none());
        assert!(Moment::parse("2026-02-30T09:30:00Z").is_none());
        assert!(Moment::parse("2026-11-24").is_none());
    }

    #[test]
    fn a_day_deadline_ends_anywhere_on_earth() {
        let d = Deadline::parse("2026-12-01").expect("valid");
        assert_eq!(d.instant().to_string(), "2026-12-02T11:59:59Z");
        assert!(Deadline::parse("2026-12-01T17:00:00+01:00").is_some());
        assert!(Deadline::parse("next week").is_none());
        assert!(Deadline::parse("2026-13-01").is_none());
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("72h"), Some(259_200));
        assert_eq!(parse_span("3d"), Some(259_200));
        assert_eq!(parse_span("1w"), Some(604_800));
        assert_eq!(parse_span("3 days"), None);
        assert_eq!(parse_span("-3d"), None);
        assert_eq!(parse_span("h"), None);
        assert_eq!(parse_span("0h"), None);
        assert_eq!(parse_span("123456d"), None);
    }
}
