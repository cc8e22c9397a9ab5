//! A fast path for the frontmatter almost every file has: one `key: value` per line, where
//! each value is a plain word-like scalar, a simple quoted string, or a flow list of plain
//! words. Such text means the same in every YAML reader, so it is turned into the YAML value
//! directly; anything else (block lists, comments, escapes, anything that could be a number,
//! a boolean or null) returns `None` and goes through the YAML parser as before.
//!
//! Only called after the line scanner found nothing wrong (no anchors, tags, duplicate keys).

use serde_yaml::{Mapping, Value};

/// The mapping `lines` hold, when every line is of the simple kind; `None` otherwise.
pub(crate) fn parse(lines: &[&str]) -> Option<Value> {
    let mut mapping = Mapping::new();
    for line in lines {
        let Some((key, value)) = entry(line)? else {
            continue;
        };
        let value = match value {
            Simple::String(text) => Value::String(text.to_owned()),
            Simple::List(items) => Value::Sequence(
                items
                    .iter()
                    .map(|item| Value::String((*item).to_owned()))
                    .collect(),
            ),
        };
        // A duplicate key is the scanner's to report; never decide it here.
        if mapping
            .insert(Value::String(key.to_owned()), value)
            .is_some()
        {
            return None;
        }
    }
    if mapping.is_empty() {
        return None;
    }
    Some(Value::Mapping(mapping))
}

/// Up to this many lines, [`fields`] checks keys for duplicates by a short search.
const FEW_LINES: usize = 64;

/// What [`parse`] would give, as frontmatter fields without the YAML value in between:
/// `(key, value)` in file order, every value a string or a list of strings. `None` for
/// anything `parse` refuses, and for more than [`FEW_LINES`] lines (the parser's way then).
pub(crate) fn fields(lines: &[&str]) -> Option<Vec<(String, super::Value)>> {
    use super::{Scalar, Value as Field};
    if lines.len() > FEW_LINES {
        return None;
    }
    let mut fields: Vec<(String, Field)> = Vec::with_capacity(lines.len());
    for line in lines {
        let Some((key, value)) = entry(line)? else {
            continue;
        };
        // A duplicate key is the scanner's to report; never decide it here.
        if fields.iter().any(|(seen, _)| seen == key) {
            return None;
        }
        let value = match value {
            Simple::String(text) => Field::Scalar(Scalar::String(text.to_owned())),
            Simple::List(items) => Field::List(
                items
                    .iter()
                    .map(|item| Scalar::String((*item).to_owned()))
                    .collect(),
            ),
        };
        fields.push((key.to_owned(), value));
    }
    if fields.is_empty() {
        return None;
    }
    Some(fields)
}

/// A value of the simple kind.
enum Simple<'a> {
    String(&'a str),
    List(Vec<&'a str>),
}

/// One line: `Some(None)` for an empty line, `Some(Some((key, value)))` for a simple
/// `key: value`, `None` for anything else.
fn entry(line: &str) -> Option<Option<(&str, Simple<'_>)>> {
    if line.is_empty() {
        return Some(None);
    }
    let (key, value) = line.split_once(": ")?;
    if !is_key(key) {
        return None;
    }
    let value = if let Some(inner) = value.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        let mut items = Vec::new();
        if !inner.is_empty() {
            for item in inner.split(", ") {
                if !is_flow_word(item) {
                    return None;
                }
                items.push(item);
            }
        }
        Simple::List(items)
    } else {
        Simple::String(scalar(value)?)
    };
    Some(Some((key, value)))
}

/// `[a-z][a-z0-9-]*`: the protocol's keys.
fn is_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A string scalar, when `value` is certainly one: a quoted string without escapes, or a plain
/// scalar that starts with a letter (or with a digit and holds a character no number has),
/// is not null or a boolean, and holds nothing YAML treats specially.
fn scalar(value: &str) -> Option<&str> {
    if let Some(inner) = value.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        let simple = !inner.contains(['"', '\\']) && inner.chars().all(|c| !c.is_control());
        return simple.then_some(inner);
    }
    if let Some(inner) = value.strip_prefix('\'') {
        let inner = inner.strip_suffix('\'')?;
        let simple = !inner.contains('\'') && inner.chars().all(|c| !c.is_control());
        return simple.then_some(inner);
    }
    let bytes = value.as_bytes();
    let first = *bytes.first()?;
    let starts_well = first.is_ascii_alphabetic()
        || (first.is_ascii_digit() && bytes.iter().any(|b| !is_number_byte(*b)));
    let plain = starts_well
        && !value.ends_with(' ')
        && !value.contains(" #")
        && !value.contains(": ")
        && !value.ends_with(':')
        && value.chars().all(|c| c != '\t' && !c.is_control())
        && !is_reserved_word(value);
    plain.then_some(value)
}

/// An item of a flow list: letters, digits and `.`, `_`, `@`, `+`, `-`, starting with a
/// letter, and not null or a boolean.
fn is_flow_word(item: &str) -> bool {
    let bytes = item.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(b))
        && !is_reserved_word(item)
}

/// Bytes that can appear in a YAML number (decimal, hex, octal, float, infinity aside).
fn is_number_byte(b: u8) -> bool {
    b.is_ascii_hexdigit() || b"._+-xXoO".contains(&b)
}

/// Plain words YAML reads as null or a boolean (1.2 core schema, and 1.1's yes/no/on/off
/// to be safe), in any case.
fn is_reserved_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path and the YAML parser agree on every input the fast path accepts.
    fn agrees(text: &str) -> bool {
        let lines: Vec<&str> = text.split('\n').collect();
        match parse(&lines) {
            Some(fast) => {
                let slow: Value = serde_yaml::from_str(text).expect("valid YAML");
                assert_eq!(fast, slow, "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn typical_frontmatter_takes_the_fast_path_and_means_the_same() {
        assert!(agrees(
            "id: 01HK25K0YGK9N3WGRSWT046T8Z\nauthor: Sofia Mensah <sofia.mensah1@example.org>\n\
             date: 2024-01-01T04:27:30-05:00\nvote: \"+1\"\nreply-to: 01HK25K0YGK9N3WGRSWT046T8Z"
        ));
        assert!(agrees(
            "title: \"Review: the cache\"\nstatus: open\ntags: [backend, data-eng]\nawaiting: []\n\
             deciders: [ana, jonas.weber@example.org]\nname: 'quoted'"
        ));
        assert!(agrees("title: Tāne's notes, day 2\nstatus: resolved"));
    }

    #[test]
    fn anything_yaml_could_read_otherwise_goes_to_the_parser() {
        for text in [
            "vote: +1",
            "vote: -1",
            "n: 12",
            "n: 0x1F",
            "n: 1e5",
            "n: 1_000",
            "flag: true",
            "flag: No",
            "x: null",
            "x: ~",
            "x: .inf",
            "x:",
            "title: a # comment",
            "title: \"esc\\\"aped\"",
            "title: 'it''s'",
            "tags:\n  - a\n  - b",
            "tags: [a, 1]",
            "tags: [a,b]",
            "tags: [true]",
            "title: a: b",
            "# a comment\nid: x",
            "title: &a x",
            "Key: x",
            "title: x ",
            "date: 2024-01-01",
            "id: 0123456789",
            "id: 01ABCDEF",
        ] {
            let lines: Vec<&str> = text.split('\n').collect();
            assert!(parse(&lines).is_none(), "{text}");
        }
    }

    /// Every frontmatter of the conformance vectors and the bundled example, through both.
    #[test]
    fn the_fast_path_agrees_with_the_parser_on_every_vector_and_example() {
        let top = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut pending = vec![top.join("spec/conformance"), top.join("examples")];
        let (mut fast, mut all) = (0, 0);
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let Some(rest) = text.strip_prefix("---\n") else {
                    continue;
                };
                let Some(end) = rest.find("\n---\n") else {
                    continue;
                };
                let yaml = &rest[..end];
                all += 1;
                let lines: Vec<&str> = yaml.split('\n').collect();
                if let Some(value) = parse(&lines) {
                    fast += 1;
                    let slow: Value =
                        serde_yaml::from_str(yaml).expect("the parser agrees it is YAML");
                    assert_eq!(value, slow, "{}", path.display());
                }
            }
        }
        assert!(all > 50 && fast > all / 3, "{fast} of {all}");
    }
}
