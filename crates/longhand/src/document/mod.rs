//! One file's bytes → frontmatter fields and a body, with line numbers kept for diagnostics.
//!
//! This is the protocol's file grammar: encoding, line endings, the `---` fences, the allowed
//! YAML subset, conflict markers and size limits. It knows nothing about what the fields mean
//! (that is `model`) and never touches the file system.

pub mod emit;
pub(crate) mod lfs;
pub(crate) mod scan;
mod simple;

use std::borrow::Cow;

use crate::diagnostic::{Code, Diagnostic};
use scan::Scan;

/// The Markdown extensions the protocol's bodies use (section 4.6): tables, task lists,
/// strikethrough and footnotes. Every reader of bodies parses them with these options.
pub(crate) fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

/// The largest file Longhand reads, in bytes (1 MiB).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The largest frontmatter block or `longhand.yaml`, in bytes (64 KiB).
pub const MAX_YAML_BYTES: usize = 64 * 1024;

/// The longest line of YAML (a frontmatter line, or a line of `longhand.yaml`), in bytes
/// without its line ending (4 KiB).
pub const MAX_YAML_LINE_BYTES: usize = 4 * 1024;

/// The longest line of a body, in bytes without its line ending (64 KiB).
pub const MAX_BODY_LINE_BYTES: usize = 64 * 1024;

/// The first line of `lines` (whose first is line `first_line` of the file) longer than
/// `limit` bytes, as an LH606 diagnostic: a scan of lengths only, run before any parser sees
/// the lines.
pub fn long_line(
    path: &str,
    lines: &[&str],
    first_line: u32,
    limit: usize,
    what: &str,
) -> Option<Diagnostic> {
    let (index, line) = lines.iter().enumerate().find(|(_, l)| l.len() > limit)?;
    Some(
        Diagnostic::new(
            Code::LineTooLong,
            path,
            format!(
                "a {what} line has {} bytes, over the limit of {limit}; the file is not parsed",
                line.len()
            ),
        )
        .at(first_line + index as u32, None),
    )
}

/// Checks a file a writer is about to write against the limits a reader enforces (file
/// size, line lengths), so that nothing is written that would not be read back. Returns what
/// is over the limit, as a sentence.
pub fn over_limit(bytes: &[u8]) -> Option<String> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Some(format!(
            "the file would have {} bytes, over the limit of {MAX_FILE_BYTES}",
            bytes.len()
        ));
    }
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.split('\n').collect();
    let close = if lines.first().is_some_and(|l| is_fence(l)) {
        lines
            .iter()
            .skip(1)
            .position(|l| is_fence(l))
            .map(|i| i + 1)
    } else {
        None
    };
    let (yaml, body) = match close {
        Some(close) => (&lines[..close], &lines[close..]),
        None => (&lines[..0], &lines[..]),
    };
    let yaml_line = yaml.iter().position(|l| l.len() > MAX_YAML_LINE_BYTES);
    let body_line = body.iter().position(|l| l.len() > MAX_BODY_LINE_BYTES);
    match (yaml_line, body_line) {
        (Some(index), _) => Some(format!(
            "line {} would have {} bytes, over the limit of {MAX_YAML_LINE_BYTES} for a frontmatter line",
            index + 1,
            yaml[index].len()
        )),
        (None, Some(index)) => Some(format!(
            "line {} would have {} bytes, over the limit of {MAX_BODY_LINE_BYTES} for a line of text",
            yaml.len() + index + 1,
            body[index].len()
        )),
        (None, None) => None,
    }
}

/// A frontmatter scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// `~`, `null`, or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, in the form YAML printed it (`1`, `-1`, `0.5`).
    Number(String),
    /// A string.
    String(String),
}

impl Scalar {
    /// The scalar as a string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the scalar's type for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Number(_) => "a number",
            Scalar::String(_) => "a string",
        }
    }
}

/// A frontmatter value: a scalar or a list of scalars.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A single scalar.
    Scalar(Scalar),
    /// A list of scalars.
    List(Vec<Scalar>),
}

impl Value {
    /// A short name of the value's type for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Scalar(s) => s.type_name(),
            Value::List(_) => "a list",
        }
    }
}

/// One `key: value` of a frontmatter block, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The key.
    pub key: String,
    /// The value.
    pub value: Value,
    /// 1-based line of the key in the file.
    pub line: u32,
    /// 1-based column where the value starts, when it starts on the key's line.
    pub column: Option<u32>,
}

/// A parsed Markdown file: frontmatter fields in file order, and the body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// Fields whose values are plain data, in file order. Fields rejected by LH112 are absent.
    pub fields: Vec<Field>,
    /// The Markdown after the closing `---`.
    pub body: String,
    /// 1-based line of the body's first line.
    pub body_line: u32,
    /// The file's signature (its last frontmatter field `signature:`), parsed, with the digest
    /// of its canonical bytes (spec section 15.2).
    pub signature: Option<crate::signature::Signed>,
}

impl Document {
    /// The field named `key`, if present.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// The outcome of parsing one file: the document if it could be read, and what was wrong.
#[derive(Clone, Debug, Default)]
pub struct Parsed<T> {
    /// The parsed content; `None` when the file failed at the document level.
    pub value: Option<T>,
    /// Every problem found, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes a file's bytes into text with LF line endings and no BOM, reporting (in this order)
/// invalid UTF-8, NUL bytes, a BOM and CRLF. `None` when the file cannot be read as text.
pub fn decode(path: &str, bytes: &[u8], diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    decode_borrowed(path, bytes, diagnostics).map(Cow::into_owned)
}

/// [`decode`] without copying the text when it needs no change (no BOM, no CRLF).
fn decode_borrowed<'a>(
    path: &str,
    bytes: &'a [u8],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Cow<'a, str>> {
    let line_of =
        |offset: usize| bytes[..offset].iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let offset = e.valid_up_to();
            diagnostics.push(
                Diagnostic::new(
                    Code::NotUtf8,
                    path,
                    format!("the file is not valid UTF-8 (at byte {offset})"),
                )
                .at(line_of(offset), None),
            );
            return None;
        }
    };
    // Most files have no NUL and no CR: a vectorised search says so quickly.
    let nul = memchr::memchr(0, bytes);
    if let Some(offset) = nul {
        diagnostics.push(
            Diagnostic::new(
                Code::NulByte,
                path,
                format!("the file contains a NUL byte (at byte {offset})"),
            )
            .at(line_of(offset), None),
        );
        return None;
    }
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            diagnostics.push(
                Diagnostic::new(Code::Bom, path, "the file starts with a byte order mark")
                    .at(1, None),
            );
            rest
        }
        None => text,
    };
    let crlf = if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text.find("\r\n")
    } else {
        None
    };
    if let Some(offset) = crlf {
        let line = text[..offset].matches('\n').count() as u32 + 1;
        diagnostics.push(
            Diagnostic::new(Code::Crlf, path, "the file uses CRLF line endings").at(line, None),
        );
        return Some(Cow::Owned(text.replace("\r\n", "\n")));
    }
    Some(Cow::Borrowed(text))
}

/// Reports leftover git conflict markers, one diagnostic per conflict block.
pub fn conflict_markers(path: &str, lines: &[&str], diagnostics: &mut Vec<Diagnostic>) {
    let is_marker = |line: &str, c: char| {
        let rest = line.trim_start_matches(c);
        line.len() - rest.len() == 7 && (rest.is_empty() || rest.starts_with(' '))
    };
    let mut in_block = false;
    for (index, line) in lines.iter().enumerate() {
        let number = index as u32 + 1;
        if is_marker(line, '<') {
            in_block = true;
            diagnostics.push(
                Diagnostic::new(
                    Code::ConflictMarker,
                    path,
                    "leftover conflict marker `<<<<<<<`",
                )
                .at(number, Some(1)),
            );
        } else if is_marker(line, '>') {
            if !in_block {
                diagnostics.push(
                    Diagnostic::new(
                        Code::ConflictMarker,
                        path,
                        "leftover conflict marker `>>>>>>>`",
                    )
                    .at(number, Some(1)),
                );
            }
            in_block = false;
        }
    }
}

/// Parses a Markdown file with YAML frontmatter (`thread.md`, a reply, a decision record).
pub fn parse_markdown(path: &str, bytes: &[u8]) -> Parsed<Document> {
    let mut diagnostics = Vec::new();
    let value = decode_borrowed(path, bytes, &mut diagnostics)
        .and_then(|text| markdown_from_text(path, &text, &mut diagnostics));
    Parsed { value, diagnostics }
}

fn is_fence(line: &str) -> bool {
    line.trim_end_matches([' ', '\t']) == "---"
}

/// The byte offset where line `index` (0-based) of `text` starts, lines split on `\n`;
/// past the end when `text` has no such line.
fn split_offset(text: &str, index: usize) -> usize {
    let mut offset = 0;
    for _ in 0..index {
        match text[offset..].find('\n') {
            Some(end) => offset += end + 1,
            None => return text.len() + 1,
        }
    }
    offset
}

fn markdown_from_text(
    path: &str,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Document> {
    // A conflict marker is a line that starts with seven `<` or `>`: most files have neither
    // run anywhere and are spared splitting every line.
    let has = |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some();
    if has("<<<<<<<") || has(">>>>>>>") {
        let lines: Vec<&str> = text.split('\n').collect();
        conflict_markers(path, &lines, diagnostics);
    }
    // Only the frontmatter is split into lines; the body is the text after its closing fence.
    let mut split = text.split('\n');
    if !split.next().is_some_and(is_fence) {
        diagnostics.push(
            Diagnostic::new(
                Code::FrontmatterMissing,
                path,
                "the file does not start with a `---` line",
            )
            .at(1, None),
        );
        return None;
    }
    let mut yaml_lines: Vec<&str> = Vec::new();
    let mut closed = false;
    for line in split.by_ref() {
        if is_fence(line) {
            closed = true;
            break;
        }
        yaml_lines.push(line);
    }
    if !closed {
        diagnostics.push(
            Diagnostic::new(
                Code::FrontmatterUnclosed,
                path,
                "the frontmatter has no closing `---` line",
            )
            .at(1, None),
        );
        return None;
    }
    // The fence closing the frontmatter is line `close + 1` of the file (1-based).
    let close = yaml_lines.len() + 1;
    let yaml_lines = &yaml_lines[..];
    let yaml_bytes: usize = yaml_lines.iter().map(|l| l.len() + 1).sum();
    if yaml_bytes > MAX_YAML_BYTES {
        diagnostics.push(
            Diagnostic::new(
                Code::FrontmatterTooLarge,
                path,
                format!(
                    "the frontmatter has {yaml_bytes} bytes, over the limit of {MAX_YAML_BYTES}"
                ),
            )
            .at(1, None),
        );
        return None;
    }
    // The body is the text after the closing fence's line, as written: the same bytes as its
    // lines joined again with `\n`.
    let body_start: usize = split_offset(text, close + 1);
    let body_text = text.get(body_start..).unwrap_or_default();
    let long = long_line(path, yaml_lines, 2, MAX_YAML_LINE_BYTES, "frontmatter").or_else(|| {
        // No line of a body shorter than the limit can be over it.
        if body_text.len() <= MAX_BODY_LINE_BYTES {
            return None;
        }
        let body_lines: Vec<&str> = body_text.split('\n').collect();
        let first = close as u32 + 2;
        long_line(path, &body_lines, first, MAX_BODY_LINE_BYTES, "body")
    });
    if let Some(diagnostic) = long {
        diagnostics.push(diagnostic);
        return None;
    }
    let fields = frontmatter_fields(path, yaml_lines, diagnostics)?;
    let body = body_text.to_owned();
    Some(Document {
        fields,
        body,
        body_line: close as u32 + 2,
        signature: crate::signature::find(text),
    })
}

/// A parsed plain YAML file (`longhand.yaml`): the value and where its keys were written.
#[derive(Clone, Debug)]
pub struct YamlFile {
    /// The parsed YAML.
    pub value: serde_yaml::Value,
    /// Key positions, for diagnostics.
    pub scan: Scan,
}

/// Parses a plain YAML file such as `longhand.yaml` under the protocol's YAML restrictions.
pub fn parse_yaml_file(path: &str, bytes: &[u8]) -> Parsed<YamlFile> {
    let mut diagnostics = Vec::new();
    let value = decode(path, bytes, &mut diagnostics).and_then(|text| {
        let lines: Vec<&str> = text.split('\n').collect();
        conflict_markers(path, &lines, &mut diagnostics);
        if text.len() > MAX_YAML_BYTES {
            diagnostics.push(
                Diagnostic::new(
                    Code::FrontmatterTooLarge,
                    path,
                    format!(
                        "the file has {} bytes, over the limit of {MAX_YAML_BYTES}",
                        text.len()
                    ),
                )
                .at(1, None),
            );
            return None;
        }
        if let Some(diagnostic) = long_line(path, &lines, 1, MAX_YAML_LINE_BYTES, "YAML") {
            diagnostics.push(diagnostic);
            return None;
        }
        let (value, scan) = parse_yaml_lines(path, &lines, 1, &mut diagnostics)?;
        let block = value.as_mapping().is_some_and(|m| {
            m.keys()
                .all(|k| k.as_str().is_some_and(|k| scan.key(&[k]).is_some()))
        });
        if !block {
            let what = if value.is_null() {
                "empty"
            } else {
                "not a block mapping of `key: value` lines"
            };
            diagnostics.push(
                Diagnostic::new(Code::YamlNotMapping, path, format!("the YAML is {what}"))
                    .at(1, None),
            );
            return None;
        }
        Some(YamlFile { value, scan })
    });
    Parsed { value, diagnostics }
}

/// The fields of a frontmatter block (whose first line is line 2 of the file): scanned,
/// then, when every line is a simple `key: value`, made directly (the same fields
/// [`flat_fields`] would make of the YAML value), else parsed as YAML.
fn frontmatter_fields(
    path: &str,
    lines: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Field>> {
    let scan = scanned(path, lines, 2, diagnostics)?;
    let Some(simple) = simple::fields(lines) else {
        let yaml = parse_scanned(path, lines, 2, diagnostics)?;
        return flat_fields(path, yaml, &scan, diagnostics);
    };
    let mut fields = Vec::with_capacity(simple.len());
    for (key, value) in simple {
        // As in `flat_fields`: a key the scanner did not see at the top level is refused.
        let Some((line, column)) = scan.key(&[key.as_str()]).map(|k| (k.line, k.value_column))
        else {
            diagnostics.push(
                Diagnostic::new(
                    Code::YamlNotMapping,
                    path,
                    "the frontmatter is not a block mapping of `key: value` lines",
                )
                .at(1, None),
            );
            return None;
        };
        fields.push(Field {
            key,
            value,
            line,
            column,
        });
    }
    Some(fields)
}

/// Scans YAML lines whose first line is line `first_line` of the file; `None` (reported)
/// when the scanner found anything.
fn scanned(
    path: &str,
    lines: &[&str],
    first_line: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Scan> {
    let scan = scan::scan(lines, first_line);
    if !scan.findings.is_empty() {
        for finding in &scan.findings {
            diagnostics.push(
                Diagnostic::new(finding.code, path, finding.message.clone())
                    .at(finding.line, finding.column),
            );
        }
        return None;
    }
    Some(scan)
}

/// Scans, then parses, YAML lines whose first line is line `first_line` of the file.
fn parse_yaml_lines(
    path: &str,
    lines: &[&str],
    first_line: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(serde_yaml::Value, Scan)> {
    let scan = scanned(path, lines, first_line, diagnostics)?;
    let value = parse_scanned(path, lines, first_line, diagnostics)?;
    Some((value, scan))
}

/// Parses YAML lines the scanner found nothing in.
fn parse_scanned(
    path: &str,
    lines: &[&str],
    first_line: u32,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<serde_yaml::Value> {
    if let Some(value) = simple::parse(lines) {
        return Some(value);
    }
    let text = lines.join("\n");
    match serde_yaml::from_str::<serde_yaml::Value>(&text) {
        Ok(value) => Some(value),
        Err(e) => {
            let full = e.to_string();
            let message = match full.rfind(" at line ") {
                Some(at) => &full[..at],
                None => full.as_str(),
            };
            let code = if message.contains("duplicate entry") {
                Code::YamlDuplicateKey
            } else if message.contains("recursion limit") {
                Code::TooDeep
            } else if message.contains("repetition limit") || message.contains("alias") {
                Code::YamlAnchor
            } else {
                Code::YamlSyntax
            };
            let (line, column) = match e.location() {
                Some(location) => (
                    first_line + location.line().saturating_sub(1) as u32,
                    Some(location.column() as u32),
                ),
                None => (first_line, None),
            };
            let line = line.min(first_line + lines.len().saturating_sub(1) as u32);
            diagnostics.push(
                Diagnostic::new(code, path, format!("invalid YAML: {message}")).at(line, column),
            );
            None
        }
    }
}

/// Checks that frontmatter is a flat mapping and turns it into fields.
fn flat_fields(
    path: &str,
    yaml: serde_yaml::Value,
    scan: &Scan,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Vec<Field>> {
    let serde_yaml::Value::Mapping(mapping) = yaml else {
        let what = if yaml.is_null() {
            "the frontmatter is empty"
        } else {
            "the frontmatter is not a mapping of `key: value` lines"
        };
        diagnostics.push(Diagnostic::new(Code::YamlNotMapping, path, what).at(1, None));
        return None;
    };
    let mut fields = Vec::with_capacity(mapping.len());
    for (key, value) in mapping {
        let serde_yaml::Value::String(key) = key else {
            diagnostics.push(
                Diagnostic::new(
                    Code::YamlNotMapping,
                    path,
                    "a frontmatter key is not a string",
                )
                .at(1, None)
                .with_help("write keys as plain words, such as `title:`"),
            );
            return None;
        };
        // A key the line scanner did not see at the top level is in a flow mapping or a
        // complex key: the protocol wants a block mapping of plain keys.
        let Some((line, column)) = scan.key(&[key.as_str()]).map(|k| (k.line, k.value_column))
        else {
            diagnostics.push(
                Diagnostic::new(
                    Code::YamlNotMapping,
                    path,
                    "the frontmatter is not a block mapping of `key: value` lines",
                )
                .at(1, None),
            );
            return None;
        };
        let value = match value {
            serde_yaml::Value::Sequence(items) => {
                let scalars: Option<Vec<Scalar>> = items.into_iter().map(scalar).collect();
                scalars.map(Value::List)
            }
            other => scalar(other).map(Value::Scalar),
        };
        match value {
            Some(value) => fields.push(Field {
                key,
                value,
                line,
                column,
            }),
            None => diagnostics.push(
                Diagnostic::new(
                    Code::NestedValue,
                    path,
                    format!("`{key}` holds nested data; frontmatter values are scalars or lists of scalars"),
                )
                .at(line, column),
            ),
        }
    }
    Some(fields)
}

fn scalar(value: serde_yaml::Value) -> Option<Scalar> {
    match value {
        serde_yaml::Value::Null => Some(Scalar::Null),
        serde_yaml::Value::Bool(b) => Some(Scalar::Bool(b)),
        serde_yaml::Value::Number(n) => Some(Scalar::Number(n.to_string())),
        serde_yaml::Value::String(s) => Some(Scalar::String(s)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(bytes: &[u8]) -> Vec<(Code, Option<u32>)> {
        parse_markdown("f.md", bytes)
            .diagnostics
            .iter()
            .map(|d| (d.code, d.line))
            .collect()
    }

    #[test]
    fn a_line_over_its_limit_stops_the_file_before_any_parser() {
        let yaml_line = format!("note: {}", "n".repeat(MAX_YAML_LINE_BYTES - 6));
        let body_line = "b".repeat(MAX_BODY_LINE_BYTES);
        let at_limits = format!("---\nid: X\n{yaml_line}\n---\n{body_line}\n");
        assert!(codes(at_limits.as_bytes()).is_empty());
        assert_eq!(over_limit(at_limits.as_bytes()), None);
        let long_yaml = format!("---\nid: X\n{yaml_line}x\n---\nok\n");
        assert_eq!(
            codes(long_yaml.as_bytes()),
            vec![(Code::LineTooLong, Some(3))]
        );
        assert!(over_limit(long_yaml.as_bytes()).is_some_and(|m| m.starts_with("line 3 ")));
        // An unclosed flow list that a YAML parser would chew on is never parsed.
        let long_flow = format!("---\ntags: [{}\n---\n", "[".repeat(5000));
        assert_eq!(
            codes(long_flow.as_bytes()),
            vec![(Code::LineTooLong, Some(2))]
        );
        let long_body = format!("---\nid: X\n---\nfirst\n{body_line}b\n");
        assert_eq!(
            codes(long_body.as_bytes()),
            vec![(Code::LineTooLong, Some(5))]
        );
        assert!(over_limit(long_body.as_bytes()).is_some_and(|m| m.starts_with("line 5 ")));
        let config = format!("longhand: 1\n{yaml_line}xx\n");
        let parsed = parse_yaml_file("longhand.yaml", config.as_bytes());
        assert!(parsed.value.is_none());
        assert_eq!(parsed.diagnostics[0].code, Code::LineTooLong);
        assert_eq!(parsed.diagnostics[0].line, Some(2));
    }

    #[test]
    fn a_plain_file_parses_into_fields_and_body() {
        let parsed = parse_markdown(
            "f.md",
            b"---\nid: X\ntags: [a, b]\nvote: +1\n---\nHello\n\nworld\n",
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let doc = parsed.value.expect("parses");
        assert_eq!(doc.fields.len(), 3);
        assert_eq!(doc.field("id").map(|f| f.line), Some(2));
        assert_eq!(
            doc.field("tags").map(|f| &f.value),
            Some(&Value::List(vec![
                Scalar::String("a".into()),
                Scalar::String("b".into())
            ]))
        );
        assert_eq!(
            doc.field("vote").map(|f| &f.value),
            Some(&Value::Scalar(Scalar::Number("1".into())))
        );
        assert_eq!(doc.body, "Hello\n\nworld\n");
        assert_eq!(doc.body_line, 6);
    }

    #[test]
    fn grammar_errors_are_reported_at_their_lines() {
        assert_eq!(codes(b"id: x\n"), vec![(Code::FrontmatterMissing, Some(1))]);
        assert_eq!(
            codes(b"---\nid: x\n"),
            vec![(Code::FrontmatterUnclosed, Some(1))]
        );
        assert_eq!(codes(b"---\n---\n"), vec![(Code::YamlNotMapping, Some(1))]);
        assert_eq!(
            codes(b"---\n- a\n---\n"),
            vec![(Code::YamlNotMapping, Some(1))]
        );
        assert_eq!(
            codes(b"---\n{a: 1, b: 2}\n---\n"),
            vec![(Code::YamlNotMapping, Some(1))]
        );
        assert_eq!(
            codes(b"---\na: {b: 1}\n---\n"),
            vec![(Code::NestedValue, Some(2))]
        );
        assert_eq!(
            codes(b"---\na: [[1]]\n---\n"),
            vec![(Code::NestedValue, Some(2))]
        );
        assert_eq!(
            codes(b"---\nid: x\nid: y\n---\n"),
            vec![(Code::YamlDuplicateKey, Some(3))]
        );
        assert_eq!(
            codes(b"---\ntitle: \"open\n---\n"),
            vec![(Code::YamlSyntax, Some(2))]
        );
    }

    #[test]
    fn encoding_problems_are_reported() {
        assert_eq!(codes(b"---\na: \0\n---\n"), vec![(Code::NulByte, Some(2))]);
        assert_eq!(
            codes(b"---\na: \xff\n---\n"),
            vec![(Code::NotUtf8, Some(2))]
        );
        assert_eq!(
            codes(b"\xef\xbb\xbf---\na: 1\n---\n"),
            vec![(Code::Bom, Some(1))]
        );
        let crlf = parse_markdown("f.md", b"---\r\na: 1\r\n---\r\nbody\r\n");
        assert_eq!(crlf.diagnostics.len(), 1);
        assert_eq!(crlf.diagnostics[0].code, Code::Crlf);
        assert_eq!(crlf.value.map(|d| d.body), Some("body\n".to_owned()));
    }

    #[test]
    fn conflict_markers_are_found_but_a_setext_underline_is_not() {
        assert_eq!(codes(b"---\na: 1\n---\nTitle\n=======\n"), vec![]);
        assert_eq!(
            codes(b"---\na: 1\n---\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n"),
            vec![(Code::ConflictMarker, Some(4))]
        );
    }

    #[test]
    fn an_alias_bomb_is_refused_before_parsing() {
        let mut text = String::from("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for i in 0..9u8 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            text.push_str(&format!("{next}: &{next} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        text.push_str("---\n");
        let found = codes(text.as_bytes());
        assert!(!found.is_empty());
        assert!(found.iter().all(|(code, _)| *code == Code::YamlAnchor));
    }
}

#[cfg(test)]
mod never_panics {
    //! Bad input is normal input: whatever the bytes, parsing returns, with a diagnostic or a
    //! document. The alphabet is weighted toward YAML and Markdown syntax so that the cases
    //! reach deep into the scanner and the parser, not just the UTF-8 check.

    use super::*;
    use proptest::prelude::*;

    fn yamlish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "---\n",
            "\n",
            "  ",
            "- ",
            ": ",
            "key",
            "id",
            "tags",
            "[",
            "]",
            "{",
            "}",
            ",",
            "&a",
            "*a",
            "!!str ",
            "!t",
            "<<",
            "\"",
            "'",
            "\\",
            "#",
            "|",
            ">",
            "%YAML 1.2",
            "?",
            "é",
            "\u{feff}",
            "\r\n",
            "\t",
            "=======",
            "<<<<<<< x",
            ">>>>>>> y",
            "0",
            "+1",
            "~",
            "[a](../x)",
            "](",
            "\0",
            "…",
        ]);
        prop::collection::vec(pieces, 0..60).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn markdown_parsing_never_panics(yaml in yamlish(), body in yamlish()) {
            let text = format!("---\n{yaml}\n---\n{body}");
            let parsed = parse_markdown("f.md", text.as_bytes());
            prop_assert!(parsed.value.is_some() || !parsed.diagnostics.is_empty());
        }

        #[test]
        fn yaml_file_parsing_never_panics(text in yamlish()) {
            let _ = parse_yaml_file("longhand.yaml", text.as_bytes());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_markdown("f.md", &bytes);
            let _ = parse_yaml_file("longhand.yaml", &bytes);
        }
    }
}

#[cfg(test)]
mod split_agrees {
    //! The frontmatter split reads only the frontmatter's lines and takes the body as the
    //! rest of the text; this is the whole-file split it replaced (every line collected, the
    //! body joined again), kept to check that both give the same document and diagnostics.

    use super::*;
    use proptest::prelude::*;

    fn markdown_from_text_by_lines(
        path: &str,
        text: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Document> {
        let lines: Vec<&str> = text.split('\n').collect();
        conflict_markers(path, &lines, diagnostics);
        if !lines.first().is_some_and(|l| is_fence(l)) {
            diagnostics.push(
                Diagnostic::new(
                    Code::FrontmatterMissing,
                    path,
                    "the file does not start with a `---` line",
                )
                .at(1, None),
            );
            return None;
        }
        let Some(close) = lines
            .iter()
            .skip(1)
            .position(|l| is_fence(l))
            .map(|i| i + 1)
        else {
            diagnostics.push(
                Diagnostic::new(
                    Code::FrontmatterUnclosed,
                    path,
                    "the frontmatter has no closing `---` line",
                )
                .at(1, None),
            );
            return None;
        };
        let yaml_lines = &lines[1..close];
        let yaml_bytes: usize = yaml_lines.iter().map(|l| l.len() + 1).sum();
        if yaml_bytes > MAX_YAML_BYTES {
            diagnostics.push(
                Diagnostic::new(
                    Code::FrontmatterTooLarge,
                    path,
                    format!(
                        "the frontmatter has {yaml_bytes} bytes, over the limit of {MAX_YAML_BYTES}"
                    ),
                )
                .at(1, None),
            );
            return None;
        }
        let long =
            long_line(path, yaml_lines, 2, MAX_YAML_LINE_BYTES, "frontmatter").or_else(|| {
                let first = close as u32 + 2;
                long_line(
                    path,
                    &lines[close + 1..],
                    first,
                    MAX_BODY_LINE_BYTES,
                    "body",
                )
            });
        if let Some(diagnostic) = long {
            diagnostics.push(diagnostic);
            return None;
        }
        let (yaml, scan) = parse_yaml_lines(path, yaml_lines, 2, diagnostics)?;
        let fields = flat_fields(path, yaml, &scan, diagnostics)?;
        let body = lines[close + 1..].join("\n");
        Some(Document {
            fields,
            body,
            body_line: close as u32 + 2,
            signature: crate::signature::find(text),
        })
    }

    fn both(
        text: &str,
    ) -> (
        Option<Document>,
        Vec<Diagnostic>,
        Option<Document>,
        Vec<Diagnostic>,
    ) {
        let (mut new, mut old) = (Vec::new(), Vec::new());
        let new_doc = markdown_from_text("f.md", text, &mut new);
        let old_doc = markdown_from_text_by_lines("f.md", text, &mut old);
        (new_doc, new, old_doc, old)
    }

    fn agree(text: &str) {
        let (new_doc, new, old_doc, old) = both(text);
        assert_eq!(new_doc, old_doc, "{text:?}");
        assert_eq!(new, old, "{text:?}");
    }

    #[test]
    fn every_vector_and_example_splits_the_same() {
        let mut seen = 0;
        for (_, text) in crate::test_support::vector_texts() {
            agree(&text);
            seen += 1;
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn edges_split_the_same() {
        let long = "x".repeat(MAX_BODY_LINE_BYTES + 1);
        let short = "y".repeat(MAX_BODY_LINE_BYTES);
        for text in [
            "",
            "---",
            "---\n",
            "---\n---",
            "---\n---\n",
            "---\nid: a\n---",
            "---\nid: a\n---\n",
            "---\nid: a\n---\n\n",
            "---  \nid: a\n---\t\nbody\n---\nmore",
            "---\nid: a\n",
            "x\n---\nid: a\n---\n",
            "---\nid: a\n---\n<<<<<<< ours\nA\n=======\nB\n>>>>>>> theirs\n",
            "<<<<<<<\n---\nid: a\n---\n",
            "---\nid: a\n---\n>>>>>>>\n",
            &format!("---\nid: a\n---\n{long}\n"),
            &format!("---\nid: a\n---\n{short}\n{short}\n"),
            &format!("---\nid: a\n---\n{short}\n{long}"),
            &format!("---\nid: {long}\n---\nbody\n"),
        ] {
            agree(text);
        }
    }

    fn pieces() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "---\n",
            "---",
            "--- \n",
            "\n",
            "id: a\n",
            "title: T\n",
            "tags: [a, b]\n",
            "  ",
            "- x\n",
            "text",
            "[a](../x)",
            "<<<<<<<",
            "<<<<<<< x\n",
            ">>>>>>>",
            ">>>>>>> y\n",
            "=======\n",
            "é",
            "\t",
            "#",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn any_text_splits_the_same(text in pieces()) {
            let (new_doc, new, old_doc, old) = both(&text);
            prop_assert_eq!(new_doc, old_doc);
            prop_assert_eq!(new, old);
        }
    }
}
