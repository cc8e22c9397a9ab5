//! Header fields (RFC 5322 §2.2, §3.2.5): folded at spaces to lines of at most 78 characters,
//! and text that is not ASCII written as RFC 2047 encoded words (`=?UTF-8?B?…?=`). Mailboxes
//! (`Name <address>`) with their names as a phrase, a quoted string or encoded words.

use super::encode::base64;

/// A mailbox: a display name (optional) and an address.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mailbox {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address, `local@domain`.
    pub address: String,
}

impl Mailbox {
    /// A mailbox; an empty name is no name.
    pub fn new(name: Option<&str>, address: &str) -> Mailbox {
        Mailbox {
            name: name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
            address: address.trim().to_owned(),
        }
    }

    /// The domain of the address (after its last `@`), if any.
    pub fn domain(&self) -> Option<&str> {
        self.address.rsplit_once('@').map(|(_, d)| d)
    }

    /// The mailbox as a header holds it: `Ana Lima <ana@example.org>`, `"Lima, Ana" <…>`, or
    /// `=?UTF-8?B?…?= <…>` for a name that is not ASCII. Control characters in the name are
    /// dropped; an address is written as given, without its angle brackets.
    pub fn encoded(&self) -> String {
        let address: String = self
            .address
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ' '))
            .collect();
        let Some(name) = &self.name else {
            return address;
        };
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        let phrase = if !name.is_ascii() {
            encoded_words(&name).join(" ")
        } else if name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || "!#$%&'*+-/=?^_`{|}~".contains(c))
        {
            name
        } else {
            let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"{escaped}\"")
        };
        format!("{phrase} <{address}>")
    }
}

/// RFC 2047 encoded words (`B` encoding, UTF-8) for `text`, each at most 64 characters and
/// never splitting a character.
pub fn encoded_words(text: &str) -> Vec<String> {
    // 12 characters of `=?UTF-8?B?` and `?=`; 39 bytes make 52 of base64: a word of 64
    // characters fits on a line after `Subject: `.
    const BYTES: usize = 39;
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        if chunk.len() + c.len_utf8() > BYTES {
            words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", base64(chunk.as_bytes())));
    }
    words
}

/// Whether `name` is a header whose value is unstructured text (encoded as RFC 2047 says when
/// not ASCII): `Subject`, `Comments`, and extension fields (`X-…`).
fn is_unstructured(name: &str) -> bool {
    name.eq_ignore_ascii_case("Subject")
        || name.eq_ignore_ascii_case("Comments")
        || name.len() > 2 && name[..2].eq_ignore_ascii_case("X-")
}

/// One header field, `Name: value` and the line end `nl`, folded at spaces so that no line is
/// longer than 78 characters where the value allows it (a word longer than a line stays whole,
/// up to RFC 5322's 998). Unstructured text that is not ASCII becomes encoded words; control
/// characters (line breaks included) become spaces, so a value can never add a header.
pub fn field(name: &str, value: &str, nl: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = if is_unstructured(name) && !clean.is_ascii() {
        encoded_words(&clean)
    } else {
        clean
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut out = format!("{name}:");
    let mut width = out.len();
    for word in words {
        if width + 1 + word.len() > 78 && width > name.len() + 1 {
            out.push_str(nl);
            width = 0;
        }
        out.push(' ');
        out.push_str(&word);
        width += 1 + word.len();
    }
    out.push_str(nl);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_phrases_quoted_strings_or_encoded_words() {
        assert_eq!(
            Mailbox::new(Some("Ana Lima"), "ana@example.org").encoded(),
            "Ana Lima <ana@example.org>"
        );
        assert_eq!(
            Mailbox::new(Some("Lima, Ana"), "a@e.org").encoded(),
            "\"Lima, Ana\" <a@e.org>"
        );
        assert_eq!(
            Mailbox::new(Some("A \"B\""), "a@e.org").encoded(),
            "\"A \\\"B\\\"\" <a@e.org>"
        );
        assert_eq!(Mailbox::new(None, "a@e.org").encoded(), "a@e.org");
        assert_eq!(
            Mailbox::new(Some("Tāne Walker"), "t@e.org").encoded(),
            format!("=?UTF-8?B?{}?= <t@e.org>", base64("Tāne Walker".as_bytes()))
        );
        assert_eq!(Mailbox::new(Some("x"), "a@e.org").domain(), Some("e.org"));
    }

    #[test]
    fn a_name_or_address_cannot_add_a_header() {
        let evil = Mailbox::new(
            Some("Eve\r\nBcc: all@example.org"),
            "eve@example.org>\r\nX: y",
        );
        let field = field("To", &evil.encoded(), "\r\n");
        assert_eq!(field.matches("\r\n").count(), 1, "{field}");
        assert!(
            !field.contains("\r\nBcc") && !field.contains("\r\nX:"),
            "{field}"
        );
        let unicode = Mailbox::new(Some("Zoë\u{85}Bcc: all@example.org"), "z@example.org");
        assert!(unicode.encoded().is_ascii());
        assert!(!unicode.encoded().contains('\u{85}'));
    }

    #[test]
    fn fields_fold_and_never_carry_a_line_break() {
        let long = "word ".repeat(40);
        let folded = field("Subject", &long, "\r\n");
        assert!(folded.split("\r\n").all(|l| l.len() <= 78), "{folded}");
        assert!(folded.contains("\r\n word"));
        let injected = field("Subject", "hi\r\nBcc: evil@example.org", "\n");
        assert_eq!(injected.matches('\n').count(), 1, "{injected}");
        let unicode = field("Subject", &"Ünïcødé ".repeat(20), "\n");
        assert!(
            unicode.is_ascii() && unicode.lines().all(|l| l.len() <= 78),
            "{unicode}"
        );
        assert!(unicode.starts_with("Subject: =?UTF-8?B?"));
        for word in encoded_words(&"é".repeat(100)) {
            assert!(word.len() <= 75);
        }
    }
}
