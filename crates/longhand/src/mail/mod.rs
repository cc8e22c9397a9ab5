//! Internet mail, written: RFC 5322 messages with MIME bodies (RFC 2045–2047), and the mboxrd
//! format that mail folders and archives append them to. What `digest --format email`,
//! `--mbox` and `--send` write; general enough for any other export (a message per reply, a
//! thread as a folder).
//!
//! - [`header`]: header fields folded to 78 characters, with RFC 2047 encoded words for text
//!   that is not ASCII, and mailboxes (`Name <address>`) quoted or encoded as their names need;
//! - [`Message`]: headers and a body of one part or of several alternatives
//!   (`multipart/alternative`), each part UTF-8 in quoted-printable or base64, no line over
//!   76 characters;
//! - [`mbox`]: appending messages to an mboxrd file (`From ` lines, `>From` quoting).
//!
//! Pure functions over strings: nothing here reads the clock, the environment or the network,
//! and nothing sends mail. The same inputs give the same bytes.

pub mod encode;
pub mod header;
pub mod mbox;

use std::fmt::Write as _;

pub use header::Mailbox;

/// How lines end in a written message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\r\n`, as RFC 5322 writes a message on the wire (and `.eml` files keep it).
    Crlf,
    /// `\n`, as local programs take a message (`sendmail`, mbox files, `git send-email`).
    Lf,
}

impl LineEnding {
    fn as_str(self) -> &'static str {
        match self {
            LineEnding::Crlf => "\r\n",
            LineEnding::Lf => "\n",
        }
    }
}

/// How a part's text is encoded for transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferEncoding {
    /// ASCII text with short lines, as it is.
    SevenBit,
    /// Quoted-printable: readable for mostly-ASCII text.
    QuotedPrintable,
    /// Base64.
    Base64,
}

impl TransferEncoding {
    /// The value of `Content-Transfer-Encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferEncoding::SevenBit => "7bit",
            TransferEncoding::QuotedPrintable => "quoted-printable",
            TransferEncoding::Base64 => "base64",
        }
    }

    /// What suits `text`: 7bit for ASCII with lines of at most 76 characters and no carriage
    /// return; quoted-printable for other text that is mostly ASCII; base64 otherwise.
    pub fn for_text(text: &str) -> TransferEncoding {
        let plain = text.is_ascii()
            && !text.contains('\r')
            && !text.contains('\0')
            && text.lines().all(|l| l.len() <= 76);
        if plain {
            return TransferEncoding::SevenBit;
        }
        let non_ascii = text.bytes().filter(|b| !b.is_ascii()).count();
        if non_ascii * 3 > text.len() {
            TransferEncoding::Base64
        } else {
            TransferEncoding::QuotedPrintable
        }
    }
}

/// One part of a message: a text of some `text/*` type, in UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Part {
    /// The media type without parameters: `text/plain`, `text/html`.
    pub media_type: String,
    /// The text.
    pub text: String,
    /// How it is encoded.
    pub encoding: TransferEncoding,
}

impl Part {
    /// A UTF-8 text part of `media_type`, encoded as [`TransferEncoding::for_text`] says.
    pub fn text(media_type: impl Into<String>, text: impl Into<String>) -> Part {
        let text = text.into();
        Part {
            media_type: media_type.into(),
            encoding: TransferEncoding::for_text(&text),
            text,
        }
    }

    fn write(&self, out: &mut String, nl: &str) {
        let _ = write!(
            out,
            "Content-Type: {}; charset=utf-8{nl}Content-Transfer-Encoding: {}{nl}{nl}",
            self.media_type,
            self.encoding.as_str()
        );
        let body = match self.encoding {
            TransferEncoding::SevenBit => self.text.clone(),
            TransferEncoding::QuotedPrintable => encode::quoted_printable(&self.text),
            TransferEncoding::Base64 => encode::base64_lines(self.text.as_bytes()),
        };
        for line in body.lines() {
            out.push_str(line);
            out.push_str(nl);
        }
    }
}

/// The body of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// One part.
    Single(Part),
    /// Alternatives of the same content, the simplest first (`multipart/alternative`).
    Alternative(Vec<Part>),
}

/// A message: header fields in order (values unencoded; [`Message::write`] encodes and folds
/// them) and a body. `MIME-Version` and the content headers are written from the body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// Header fields as (name, value): unstructured text (`Subject`) is encoded as RFC 2047
    /// says; address fields should hold [`Mailbox::encoded`] values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
}

impl Message {
    /// A message with these header fields and body.
    pub fn new(headers: Vec<(String, String)>, body: Body) -> Message {
        Message { headers, body }
    }

    /// The first value of the header `name` (case-insensitive), as given.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The message's text with `ending` line ends: headers (folded, non-ASCII text encoded),
    /// `MIME-Version: 1.0`, the content headers, a blank line, the body. A multipart body's
    /// boundary is derived from the parts, so the same message always gives the same text,
    /// and it never occurs in an encoded part.
    pub fn write(&self, ending: LineEnding) -> String {
        let nl = ending.as_str();
        let mut out = String::new();
        for (name, value) in &self.headers {
            out.push_str(&header::field(name, value, nl));
        }
        out.push_str(&format!("MIME-Version: 1.0{nl}"));
        match &self.body {
            Body::Single(part) => part.write(&mut out, nl),
            Body::Alternative(parts) => {
                let seed: String = parts.iter().map(|p| p.text.as_str()).collect();
                // Encoded parts hold no `=_` (quoted-printable escapes `=`; base64 and 7bit
                // text of this module's own making never start a line with `--=_`).
                let boundary = format!("=_longhand_{:016x}", crate::store::fnv1a(seed.as_bytes()));
                let _ = write!(
                    out,
                    "Content-Type: multipart/alternative;{nl} boundary=\"{boundary}\"{nl}{nl}"
                );
                for part in parts {
                    let _ = write!(out, "--{boundary}{nl}");
                    part.write(&mut out, nl);
                }
                let _ = write!(out, "--{boundary}--{nl}");
            }
        }
        out
    }
}

/// A `Message-ID` value: `<longhand.` + 16 hex digits of a hash of `seed` + `.` + the Unix
/// time of `at` + `@domain>`. Deterministic: the same seed and instant give the same id.
pub fn message_id(seed: &str, at: jiff::Timestamp, domain: &str) -> String {
    let hash = crate::store::fnv1a(seed.as_bytes());
    let domain = if domain.is_empty() || !domain.is_ascii() {
        "longhand.invalid"
    } else {
        domain
    };
    format!("<longhand.{hash:016x}.{}@{domain}>", at.as_second())
}

/// A date as RFC 5322 writes it, in the given zone: `Tue, 08 Dec 2026 01:50:16 +0100`.
pub fn date(at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    at.to_zoned_datetime(zone.clone())
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alternative_message_has_both_parts_and_short_lines() {
        let message = Message::new(
            vec![
                ("From".into(), Mailbox::new(Some("Tāne Walker"), "tane@example.org").encoded()),
                ("Subject".into(), "Ünïcode subject that is rather long and goes on and on past the width of a line".into()),
            ],
            Body::Alternative(vec![
                Part::text("text/plain", "Olá — a line.\n".repeat(3) + &"x".repeat(200)),
                Part::text("text/html", "<p>plain ascii</p>\n"),
            ]),
        );
        let text = message.write(LineEnding::Crlf);
        assert!(
            text.lines().all(|l| l.trim_end_matches('\r').len() <= 78),
            "{text}"
        );
        assert!(text.contains("MIME-Version: 1.0\r\n"));
        assert!(text.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_longhand_"));
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert!(text.contains(
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n"
        ));
        assert!(text.contains("From: =?UTF-8?B?"), "{text}");
        assert!(text.is_ascii());
        assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
        assert_eq!(text, message.write(LineEnding::Crlf), "deterministic");
    }

    #[test]
    fn dates_and_ids_are_as_rfc_5322_writes_them() {
        let at: jiff::Timestamp = "2026-12-08T00:50:16Z".parse().unwrap();
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(date(at, &berlin), "Tue, 08 Dec 2026 01:50:16 +0100");
        let id = message_id("x", at, "example.org");
        assert!(
            id.starts_with("<longhand.") && id.ends_with(".1796691016@example.org>"),
            "{id}"
        );
        assert_eq!(id, message_id("x", at, "example.org"));
        assert_ne!(id, message_id("y", at, "example.org"));
        assert!(message_id("x", at, "").ends_with("@longhand.invalid>"));
    }
}
