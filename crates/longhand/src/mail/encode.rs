//! The transfer encodings of MIME (RFC 2045): quoted-printable and base64, with lines of at
//! most 76 characters.

/// The text as quoted-printable, line by line (a line feed is a line break; a carriage return
/// before it is dropped). Printable ASCII stays as it is but `=`; a space or tab ending a line,
/// every other byte, and the `F` of a line starting `From ` (which mbox files would quote) are
/// written `=XX`. Lines longer than 76 characters are cut with soft breaks (`=` at the end).
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let text = text.replace("\r\n", "\n");
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        let bytes = line.as_bytes();
        let mut width = 0;
        for (index, &byte) in bytes.iter().enumerate() {
            let last = index + 1 == bytes.len();
            let literal = match byte {
                b'=' => false,
                b' ' | b'\t' => !last,
                b'F' if index == 0 && line.starts_with("From ") => false,
                33..=126 => true,
                _ => false,
            };
            let piece = if literal {
                (byte as char).to_string()
            } else {
                format!("={byte:02X}")
            };
            // Room for the piece, and for a soft break's `=` unless this is the line's end.
            let room = if last { 76 } else { 75 };
            if width + piece.len() > room {
                out.push_str("=\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
        out.push('\n');
    }
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in base64 (RFC 4648, with padding), on one line.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `bytes` in base64, in lines of 76 characters, each ending in a line feed.
pub fn base64_lines(bytes: &[u8]) -> String {
    let encoded = base64(bytes);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 + 1);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
        assert!(base64_lines(&[0; 200]).lines().all(|l| l.len() <= 76));
    }

    #[test]
    fn quoted_printable_escapes_what_it_must_and_keeps_lines_short() {
        assert_eq!(quoted_printable("a=b\n"), "a=3Db\n");
        assert_eq!(quoted_printable("trailing \nx\t\n"), "trailing=20\nx=09\n");
        assert_eq!(quoted_printable("Olá\n"), "Ol=C3=A1\n");
        assert_eq!(quoted_printable("From here\n"), "=46rom here\n");
        assert_eq!(quoted_printable("no newline"), "no newline\n");
        assert_eq!(quoted_printable("crlf\r\nx"), "crlf\nx\n");
        let long = "é".repeat(100);
        let encoded = quoted_printable(&long);
        assert!(encoded.lines().all(|l| l.len() <= 76), "{encoded}");
        // Decoding gives the text back.
        let decoded: Vec<u8> = {
            let joined = encoded.replace("=\n", "");
            let mut out = Vec::new();
            let bytes = joined.trim_end().as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            out
        };
        assert_eq!(String::from_utf8(decoded).unwrap(), long);
    }
}
