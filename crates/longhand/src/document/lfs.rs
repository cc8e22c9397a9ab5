//! Git LFS pointer files: the small text files git stores in place of a large file tracked
//! with Git LFS (<https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md>).
//!
//! Attachments above the policy's size limit are accepted when they are pointers, whatever
//! size they declare; a file that starts like a pointer but breaks its grammar is reported.
//! This module only reads bytes; it never fetches or hashes the object a pointer names.

/// The first line of every pointer of version 1 of the Git LFS specification.
pub const LFS_VERSION_LINE: &str = "version https://git-lfs.github.com/spec/v1";

/// A pointer file is smaller than this many bytes; anything larger is an ordinary file.
pub const LFS_POINTER_MAX_BYTES: u64 = 1024;

/// What a parsed pointer says about the object it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsPointer {
    /// The object's SHA-256, 64 lowercase hex digits.
    pub oid: String,
    /// The object's size in bytes, as declared.
    pub size: u64,
}

/// Why bytes that start like a pointer are not a valid one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsError {
    /// The 1-based line at fault (the last line when something is missing).
    pub line: u32,
    /// What is wrong, in words.
    pub reason: String,
}

/// True when `bytes` claim to be a pointer: they start with the version line.
pub fn looks_like_pointer(bytes: &[u8]) -> bool {
    bytes.starts_with(LFS_VERSION_LINE.as_bytes())
}

/// Parses a pointer. Call it on bytes for which [`looks_like_pointer`] holds.
///
/// The grammar: UTF-8 lines `key value` ending in LF, one space between key and value, keys
/// of `a-z 0-9 . -`, `version` first and the other keys in ascending order, each once;
/// `oid` is `sha256:` and 64 lowercase hex digits, `size` a decimal number of bytes.
pub fn parse_pointer(bytes: &[u8]) -> Result<LfsPointer, LfsError> {
    let fail = |line: usize, reason: String| LfsError {
        line: line as u32,
        reason,
    };
    let text = std::str::from_utf8(bytes).map_err(|_| fail(1, "it is not UTF-8".into()))?;
    if bytes.len() as u64 >= LFS_POINTER_MAX_BYTES {
        return Err(fail(
            1,
            format!(
                "it has {} bytes; a pointer has fewer than 1024",
                bytes.len()
            ),
        ));
    }
    let Some(body) = text.strip_suffix('\n') else {
        let last = text.split('\n').count();
        return Err(fail(
            last,
            "its last line does not end with a line feed".into(),
        ));
    };
    let (mut oid, mut size) = (None, None);
    let mut previous: Option<&str> = None;
    let mut count = 0;
    for (index, line) in body.split('\n').enumerate() {
        let number = index + 1;
        count = number;
        let Some((key, value)) = line.split_once(' ') else {
            return Err(fail(number, format!("`{line}` is not `key value`")));
        };
        let key_ok = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !key_ok || value.is_empty() || value.starts_with(' ') || value.contains('\r') {
            return Err(fail(number, format!("`{line}` is not `key value`")));
        }
        if number == 1 {
            if line != LFS_VERSION_LINE {
                return Err(fail(
                    1,
                    format!("the first line must be `{LFS_VERSION_LINE}`"),
                ));
            }
            continue;
        }
        if key == "version" || previous.is_some_and(|p| p >= key) {
            return Err(fail(
                number,
                format!("key `{key}` is repeated or out of order"),
            ));
        }
        previous = Some(key);
        match key {
            "oid" => {
                let hex = value.strip_prefix("sha256:").filter(|h| {
                    h.len() == 64
                        && h.bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                });
                match hex {
                    Some(hex) => oid = Some(hex.to_owned()),
                    None => {
                        return Err(fail(
                            number,
                            format!("`oid {value}` is not `sha256:` and 64 lowercase hex digits"),
                        ))
                    }
                }
            }
            "size" => {
                let digits_ok = value.bytes().all(|b| b.is_ascii_digit())
                    && (value == "0" || !value.starts_with('0'));
                match value.parse::<u64>().ok().filter(|_| digits_ok) {
                    Some(n) => size = Some(n),
                    None => {
                        return Err(fail(
                            number,
                            format!("`size {value}` is not a number of bytes"),
                        ))
                    }
                }
            }
            _ => {}
        }
    }
    match (oid, size) {
        (Some(oid), Some(size)) => Ok(LfsPointer { oid, size }),
        (None, _) => Err(fail(count, "it has no `oid` line".into())),
        (_, None) => Err(fail(count, "it has no `size` line".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

    #[test]
    fn a_canonical_pointer_parses_whatever_size_it_declares() {
        let text = format!("{LFS_VERSION_LINE}\noid sha256:{OID}\nsize 987654321098\n");
        assert!(looks_like_pointer(text.as_bytes()));
        assert_eq!(
            parse_pointer(text.as_bytes()),
            Ok(LfsPointer {
                oid: OID.into(),
                size: 987_654_321_098
            })
        );
        let with_extension =
            format!("{LFS_VERSION_LINE}\next-0-foo sha256:{OID}\noid sha256:{OID}\nsize 1\n");
        assert!(parse_pointer(with_extension.as_bytes()).is_ok());
    }

    #[test]
    fn malformed_pointers_name_the_line_at_fault() {
        let line = |text: String| parse_pointer(text.as_bytes()).map_err(|e| e.line);
        assert_eq!(line(format!("{LFS_VERSION_LINE}\nsize 12\n")), Err(2));
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\noid sha256:{OID}\n")),
            Err(2)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\noid md5:abc\nsize 1\n")),
            Err(2)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\noid sha256:{OID}\nsize -1\n")),
            Err(3)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\nsize 1\noid sha256:{OID}\n")),
            Err(3)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\noid sha256:{OID}\nsize 1")),
            Err(3)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}x\noid sha256:{OID}\nsize 1\n")),
            Err(1)
        );
        assert_eq!(
            line(format!("{LFS_VERSION_LINE}\noid  sha256:{OID}\nsize 1\n")),
            Err(2)
        );
        assert_eq!(
            line(format!(
                "{LFS_VERSION_LINE}\noid sha256:{}\nsize 1\n",
                OID.to_uppercase()
            )),
            Err(2)
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_the_version_line_give_a_pointer_or_a_line_never_a_panic(
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)
        ) {
            let mut bytes = format!("{LFS_VERSION_LINE}\n").into_bytes();
            bytes.extend(tail);
            if let Err(error) = parse_pointer(&bytes) {
                let lines = bytes.split(|b| *b == b'\n').count() as u32;
                proptest::prop_assert!(error.line >= 1 && error.line <= lines.max(1));
            }
        }

        #[test]
        fn every_canonical_pointer_parses_back(size in proptest::prelude::any::<u64>(), hex in "[0-9a-f]{64}") {
            let text = format!("{LFS_VERSION_LINE}\noid sha256:{hex}\nsize {size}\n");
            proptest::prop_assert_eq!(parse_pointer(text.as_bytes()), Ok(LfsPointer { oid: hex, size }));
        }
    }
}
