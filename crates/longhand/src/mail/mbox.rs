//! mboxrd (the variant of mbox that can be read back exactly): each message starts with a
//! `From ` line naming the envelope sender and the time, and every body line that starts
//! with `From ` after any number of `>` gets one more `>`. A message ends with an empty line.

use jiff::Timestamp;

/// The `From ` line of a message from `sender` at `at`: `From ana@example.org Tue Dec  8
/// 00:50:16 2026` (asctime, UTC), ending in a line feed.
pub fn from_line(sender: &str, at: Timestamp) -> String {
    let sender: String = sender
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    let sender = if sender.is_empty() {
        "MAILER-DAEMON".to_owned()
    } else {
        sender
    };
    let when = at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%a %b %e %H:%M:%S %Y");
    format!("From {sender} {when}\n")
}

/// `message` (line feeds, as [`super::LineEnding::Lf`] writes it) as an mboxrd entry: the
/// `From ` line, the message with `From ` lines quoted, and an empty line.
pub fn entry(message: &str, sender: &str, at: Timestamp) -> String {
    let mut out = from_line(sender, at);
    for line in message.split_inclusive('\n') {
        if line.trim_start_matches('>').starts_with("From ") {
            out.push('>');
        }
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_start_with_a_from_line_and_quote_from_lines_once_more() {
        let at: Timestamp = "2026-12-08T00:50:16Z".parse().unwrap();
        assert_eq!(
            from_line("ana@example.org", at),
            "From ana@example.org Tue Dec  8 00:50:16 2026\n"
        );
        let entry = entry(
            "Subject: x\n\nFrom here\n>From there\nnot From\n",
            "a b@c",
            at,
        );
        assert_eq!(
            entry,
            "From ab@c Tue Dec  8 00:50:16 2026\nSubject: x\n\n>From here\n>>From there\nnot From\n\n"
        );
    }
}
