//! Emitting frontmatter: new files in the protocol's field order, and surgical edits of one key
//! in an existing file that keep every other line — comments, unknown keys, the body — as is.
//! Shared by the writing operations and the merge driver.

use crate::document::scan;
use crate::document::{Scalar, Value};

/// A scalar as a plain YAML string when that reads back as the same string, quoted otherwise.
pub fn scalar(text: &str) -> String {
    if needs_quotes(text, false) {
        quote(text)
    } else {
        text.to_owned()
    }
}

/// A value as it is written after `key: `. Lists are written in flow style, `[a, b]`.
pub fn value(value: &Value) -> String {
    match value {
        Value::Scalar(s) => scalar_value(s, false),
        Value::List(items) => {
            let items: Vec<String> = items.iter().map(|s| scalar_value(s, true)).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// One scalar as it is written as an item of a flow list: `b, c` becomes `"b, c"`.
pub fn item(value: &Scalar) -> String {
    scalar_value(value, true)
}

fn scalar_value(value: &Scalar, in_flow: bool) -> String {
    match value {
        Scalar::Null => "~".to_owned(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => n.clone(),
        Scalar::String(s) if needs_quotes(s, in_flow) => quote(s),
        Scalar::String(s) => s.clone(),
    }
}

/// A text list value.
pub fn strings(items: &[String]) -> Value {
    Value::List(items.iter().cloned().map(Scalar::String).collect())
}

/// A text value.
pub fn string(text: impl Into<String>) -> Value {
    Value::Scalar(Scalar::String(text.into()))
}

/// Whether a plain scalar would read back as something else than this exact string. The YAML
/// parser the reader uses is the judge (`0b101` is the number 5 to it); YAML 1.1's booleans
/// are quoted too, for the other tools that read frontmatter.
fn needs_quotes(text: &str, in_flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return true;
    };
    let lower = text.to_ascii_lowercase();
    let yaml_1_1 = ["yes", "no", "on", "off", "y", "n"];
    let reads_back = matches!(
        serde_yaml::from_str::<serde_yaml::Value>(text),
        Ok(serde_yaml::Value::String(ref s)) if s == text
    );
    !reads_back
        || yaml_1_1.contains(&lower.as_str())
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace)
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.chars().any(char::is_control)
        || (in_flow && text.contains([',', '[', ']', '{', '}']))
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A whole new Markdown file: the fields in the order given, then the body.
pub fn document(fields: &[(&str, Value)], body: &str) -> String {
    let mut out = String::from("---\n");
    for (key, field) in fields {
        out.push_str(key);
        out.push_str(": ");
        out.push_str(&value(field));
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(body);
    if !body.is_empty() && !body.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The text of a file with its body replaced by `body`: its frontmatter as it is, a line
/// break after the closing `---` when the file had none, then `body`; `None` when it has no
/// frontmatter fences.
pub fn with_body(text: &str, body: &str) -> Option<String> {
    let head = without_body(text)?;
    let newline = if head.ends_with('\n') { "" } else { "\n" };
    Some(format!("{head}{newline}{body}"))
}

/// The text of a file up to and including its closing `---` line (its body dropped), or
/// `None` when it has no frontmatter fences.
pub fn without_body(text: &str) -> Option<&str> {
    let is_fence = |l: &str| l.trim_end_matches([' ', '\t']) == "---";
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        offset += line.len();
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if index == 0 && !is_fence(bare) {
            return None;
        }
        if index > 0 && is_fence(bare) {
            return Some(&text[..offset]);
        }
    }
    None
}

/// The text of a file after setting `key` to `new` (or removing it, with `None`). The key's
/// line and its continuation lines are replaced; every other line is kept byte for byte. A
/// key that is not there yet is added as the last line of the frontmatter. `text` must be a
/// file that parses (LF line endings, fences present); otherwise `None`.
pub fn set_field(text: &str, key: &str, new: Option<&Value>) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let is_fence = |l: &str| l.trim_end_matches([' ', '\t']) == "---";
    if !lines.first().is_some_and(|l| is_fence(l)) {
        return None;
    }
    let close = lines.iter().skip(1).position(|l| is_fence(l))? + 1;
    let yaml = &lines[1..close];
    let found = scan::scan(yaml, 2);
    let top: Vec<(usize, &str)> = found
        .keys
        .iter()
        .filter(|k| k.path.len() == 1)
        .map(|k| (k.line as usize - 1, k.path[0].as_str()))
        .collect();
    let replacement = new.map(|v| format!("{key}: {}", value(v)));
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 1);
    match top.iter().position(|(_, k)| *k == key) {
        Some(index) => {
            let start = top[index].0;
            let mut end = top.get(index + 1).map_or(close, |(line, _)| *line);
            // Comments and blank lines before the next key belong to what follows.
            while end > start + 1 {
                let previous = lines[end - 1];
                if previous.trim().is_empty() || previous.starts_with('#') {
                    end -= 1;
                } else {
                    break;
                }
            }
            out.extend(lines[..start].iter().map(|l| l.to_string()));
            out.extend(replacement);
            out.extend(lines[end..].iter().map(|l| l.to_string()));
        }
        None => {
            out.extend(lines[..close].iter().map(|l| l.to_string()));
            out.extend(replacement);
            out.extend(lines[close..].iter().map(|l| l.to_string()));
        }
    }
    Some(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_markdown;

    fn reads_back(text: &str) {
        let file = document(&[("title", string(text))], "");
        let parsed = parse_markdown("f.md", file.as_bytes());
        assert!(
            parsed.diagnostics.is_empty(),
            "{file}: {:?}",
            parsed.diagnostics
        );
        let doc = parsed.value.expect("parses");
        assert_eq!(doc.fields[0].value, string(text), "{file}");
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        for text in [
            "Plain title",
            "Async: yes or no?",
            "+1",
            "0",
            "-1",
            "1.5",
            "true",
            "no",
            "null",
            "~",
            "",
            " padded ",
            "#hashtag",
            "a #comment",
            "quote \" and \\ backslash",
            "*bold*",
            "&amp",
            "!bang",
            "[not a list]",
            "{not: a map}",
            "- dash",
            "ends with colon:",
            "tab\there",
            "2026",
            "0x1F",
            "0b101",
            "+0b11",
            "0o17",
            "1e3",
            ".5",
            "12345",
            "Tāne's café",
            "@ana",
            "%percent",
            "`tick`",
        ] {
            reads_back(text);
        }
    }

    #[test]
    fn lists_are_written_in_flow_style_with_items_quoted_as_needed() {
        let list = strings(&["a".into(), "b, c".into(), "+1".into()]);
        assert_eq!(value(&list), "[a, \"b, c\", \"+1\"]");
        assert_eq!(value(&strings(&[])), "[]");
    }

    #[test]
    fn set_field_replaces_one_key_and_keeps_everything_else() {
        let text = "---\nid: X\n# who is asked\nawaiting:\n  - ana\n  - bo\n\n# deadline\nrespond-by: 2026-12-01\nmood: unknown key\n---\nBody\n";
        let edited = set_field(text, "awaiting", Some(&strings(&["ana".into()]))).expect("edits");
        assert_eq!(
            edited,
            "---\nid: X\n# who is asked\nawaiting: [ana]\n\n# deadline\nrespond-by: 2026-12-01\nmood: unknown key\n---\nBody\n"
        );
        let removed = set_field(text, "respond-by", None).expect("edits");
        assert_eq!(
            removed,
            "---\nid: X\n# who is asked\nawaiting:\n  - ana\n  - bo\n\n# deadline\nmood: unknown key\n---\nBody\n"
        );
        let added = set_field(text, "status", Some(&string("closed"))).expect("edits");
        assert!(
            added.ends_with("mood: unknown key\nstatus: closed\n---\nBody\n"),
            "{added}"
        );
        assert_eq!(set_field("no fence\n", "a", None), None);
    }
}
