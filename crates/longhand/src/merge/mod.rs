//! Three-way merge of discussion files: what git's merge driver runs for `thread.md`,
//! decision records and `longhand.yaml` (spec section 12).
//!
//! [`three_way`] merges frontmatter field by field (scalars, set-like lists, unknown keys) and
//! bodies line by line with libgit2's merge ([`lines`]); a file that does not parse cleanly on
//! every side is merged as plain lines, so nothing is ever dropped. The merge never fails on
//! content: conflicts are data — typed [`Conflict`]s, and markers in the text that the validator
//! reports as LH601. It never touches the file system.

mod fields;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::diagnostic::Severity;
use crate::document::emit;
use crate::document::{self, Value};
use crate::Result;

/// How a file was merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// Frontmatter field by field, the body line by line.
    Fields,
    /// The whole file line by line, because a side did not parse cleanly.
    Lines,
}

/// One conflict left in a merged file, with the line of its `<<<<<<<` marker in the result.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Conflict {
    /// Both sides changed one frontmatter field, differently. `None` is a removed field.
    Field {
        /// The field's key.
        key: String,
        /// Our value.
        ours: Option<Value>,
        /// Their value.
        theirs: Option<Value>,
        /// 1-based line of the conflict's first marker in the merged text.
        line: u32,
    },
    /// A block of lines both sides changed differently: in the body, or anywhere in a file
    /// merged as plain lines.
    Lines {
        /// 1-based line of the conflict's first marker in the merged text.
        line: u32,
    },
    /// A side holds a NUL byte, so it is not text and cannot be merged by lines; both
    /// sides changed it, and the result is our side unchanged, without markers (as git does
    /// for binary files).
    Binary,
}

impl Conflict {
    /// 1-based line of the conflict's first marker in the merged text.
    pub fn line(&self) -> u32 {
        match self {
            Conflict::Field { line, .. } | Conflict::Lines { line } => *line,
            Conflict::Binary => 1,
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |value: &Option<Value>| match value {
            Some(value) => format!("`{}`", emit::value(value)),
            None => "removed".to_owned(),
        };
        match self {
            Conflict::Field {
                key,
                ours,
                theirs,
                line,
            } => write!(
                f,
                "line {line}: `{key}` is {} on our side and {} on theirs",
                shown(ours),
                shown(theirs)
            ),
            Conflict::Lines { line } => write!(f, "line {line}: both sides changed these lines"),
            Conflict::Binary => write!(
                f,
                "a side holds a NUL byte and cannot be merged as text; ours is kept"
            ),
        }
    }
}

/// The result of a merge: the merged bytes and the conflicts they hold.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Merged {
    /// The merged file, with conflict markers where a conflict remains.
    pub text: Vec<u8>,
    /// Every conflict, in the order of the text (empty for a clean merge).
    pub conflicts: Vec<Conflict>,
    /// How the file was merged.
    pub method: Method,
}

impl Merged {
    /// How many conflicts the text holds (0 for a clean merge).
    pub fn conflict_count(&self) -> usize {
        self.conflicts.len()
    }

    /// Whether the merge is clean: no conflict, no marker.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// Merges `ours` and `theirs`, both descended from `base`, as the protocol says (section 12):
/// frontmatter field by field, the body line by line. A file that does not parse without
/// errors on every side is merged as plain lines ([`lines`]). `marker_size` is the length of
/// conflict markers (git passes `%L`, 7 by default; shorter is taken as 7).
///
/// The result is deterministic, and symmetric when clean: swapping `ours` and `theirs` gives
/// the same bytes.
///
/// ```
/// let base = b"---\ntitle: Standups\nstatus: open\ntags: [process]\n---\nHello\n";
/// let ours = b"---\ntitle: Async standups\nstatus: open\ntags: [process, meetings]\n---\nHello\n";
/// let theirs = b"---\ntitle: Standups\nstatus: resolved\ntags: [process, async]\n---\nHello\n";
/// let merged = longhand::merge::three_way(base, ours, theirs, 7)?;
/// assert!(merged.is_clean());
/// assert_eq!(
///     String::from_utf8(merged.text)?,
///     "---\ntitle: Async standups\nstatus: resolved\ntags: [process, async, meetings]\n---\nHello\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn three_way(base: &[u8], ours: &[u8], theirs: &[u8], marker_size: u16) -> Result<Merged> {
    // A file only one side changed is that side's, byte for byte: its signature still
    // verifies (spec section 15.4).
    let side = |bytes: &[u8]| Merged {
        text: bytes.to_vec(),
        conflicts: Vec::new(),
        method: Method::Fields,
    };
    if ours == base || ours == theirs {
        return Ok(side(theirs));
    }
    if theirs == base {
        return Ok(side(ours));
    }
    // A signature is never merged field by field: every side's is removed first, and a
    // result neither side wrote is unsigned (spec section 15.4).
    let (base, ours, theirs) = (unsigned(base), unsigned(ours), unsigned(theirs));
    let (base, ours, theirs) = (&base[..], &ours[..], &theirs[..]);
    let (Some(b), Some(o), Some(t)) = (Side::read(base), Side::read(ours), Side::read(theirs))
    else {
        return lines(base, ours, theirs, marker_size);
    };
    let markers = Markers::new(marker_size);
    let pieces = if o.yaml == b.yaml || o.yaml == t.yaml {
        verbatim(&t.yaml)
    } else if t.yaml == b.yaml {
        verbatim(&o.yaml)
    } else {
        fields::merge(&b.fields, &o.fields, &t.fields)
    };

    let mut text = String::from("---\n");
    let mut line: u32 = 2;
    let mut conflicts = Vec::new();
    for piece in pieces {
        match piece {
            fields::Piece::Line(l) => {
                text.push_str(&l);
                text.push('\n');
                line += 1;
            }
            fields::Piece::Conflict { key, ours, theirs } => {
                conflicts.push(Conflict::Field {
                    key: key.clone(),
                    ours: ours.clone(),
                    theirs: theirs.clone(),
                    line,
                });
                let side = |value: &Option<Value>| {
                    value
                        .as_ref()
                        .map(|v| format!("{}\n", fields::line(&key, v)))
                        .unwrap_or_default()
                };
                let block = format!(
                    "{} ours\n{}{}\n{}{} theirs\n",
                    markers.start,
                    side(&ours),
                    markers.middle,
                    side(&theirs),
                    markers.end
                );
                line += block.matches('\n').count() as u32;
                text.push_str(&block);
            }
        }
    }
    text.push_str("---\n");
    line += 1;

    let body = lines(
        b.body.as_bytes(),
        o.body.as_bytes(),
        t.body.as_bytes(),
        marker_size,
    )?;
    conflicts.extend(body.conflicts.into_iter().map(|c| match c {
        Conflict::Lines { line: at } => Conflict::Lines {
            line: at + line - 1,
        },
        other => other,
    }));
    let mut text = text.into_bytes();
    text.extend_from_slice(&body.text);
    Ok(Merged {
        text,
        conflicts,
        method: Method::Fields,
    })
}

fn verbatim(yaml: &[String]) -> Vec<fields::Piece> {
    yaml.iter().cloned().map(fields::Piece::Line).collect()
}

/// One side of a merge that parsed without errors.
struct Side {
    /// The frontmatter's lines, as written (CR LF read as LF, no BOM).
    yaml: Vec<String>,
    fields: Vec<document::Field>,
    body: String,
}

impl Side {
    /// The side, if it parses with no diagnostic of error severity: an error may mean the
    /// flat fields lost something (a nested value, LH112), so such a file merges as lines.
    fn read(bytes: &[u8]) -> Option<Side> {
        let parsed = document::parse_markdown("merge", bytes);
        if parsed
            .diagnostics
            .iter()
            .any(|d| d.code.severity() == Severity::Error)
        {
            return None;
        }
        let doc = parsed.value?;
        let text = document::decode("merge", bytes, &mut Vec::new())?;
        // The document parsed, so the frontmatter is lines 2 to body_line - 2.
        let yaml = text
            .split('\n')
            .skip(1)
            .take((doc.body_line as usize).saturating_sub(3))
            .map(str::to_owned)
            .collect();
        Some(Side {
            yaml,
            fields: doc.fields,
            body: doc.body,
        })
    }
}

/// The bytes without their signature line, when they carry one (otherwise as they are).
fn unsigned(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memmem::find(bytes, b"\nsignature:").is_some() {
        std::borrow::Cow::Owned(crate::signature::unsigned(bytes))
    } else {
        std::borrow::Cow::Borrowed(bytes)
    }
}

/// Conflict marker lines of one length.
struct Markers {
    start: String,
    middle: String,
    end: String,
}

impl Markers {
    fn new(size: u16) -> Markers {
        let size = usize::from(size.max(7));
        Markers {
            start: "<".repeat(size),
            middle: "=".repeat(size),
            end: ">".repeat(size),
        }
    }
}

/// A merge of sides that are not text (a NUL byte): libgit2 would hand back no content at
/// all (and git2 reads it through a null pointer), so this is decided here, as git decides
/// for binary files: one side's change wins when only one side changed; otherwise ours is
/// kept and the merge is a conflict.
fn binary(base: &[u8], ours: &[u8], theirs: &[u8]) -> Merged {
    let (text, conflicts) = if ours == theirs || base == theirs {
        (ours, Vec::new())
    } else if base == ours {
        (theirs, Vec::new())
    } else {
        (ours, vec![Conflict::Binary])
    };
    Merged {
        text: text.to_vec(),
        conflicts,
        method: Method::Lines,
    }
}

/// The first line of every input of libgit2's merge: no file has a line with this character.
const SENTINEL: &[u8] = b"\x01longhand\x01\n";

/// Merges `ours` and `theirs`, both descended from `base`, line by line: libgit2's merge, the
/// same as git's own `text` driver. `marker_size` is the length of conflict markers (git
/// passes `%L`, 7 by default; shorter is taken as 7).
pub fn lines(base: &[u8], ours: &[u8], theirs: &[u8], marker_size: u16) -> Result<Merged> {
    if [base, ours, theirs].iter().any(|side| side.contains(&0)) {
        return Ok(binary(base, ours, theirs));
    }
    // git2's merge_file does not initialise libgit2 itself; any call that does will do.
    let _ = git2::Oid::from_str("0");
    // git2 reads an empty result through a null pointer (undefined behaviour), so every input
    // starts with a line no file has, which the result keeps, and which is taken off again.
    let with_sentinel = |text: &[u8]| [SENTINEL, text].concat();
    let (base, ours, theirs) = (
        with_sentinel(base),
        with_sentinel(ours),
        with_sentinel(theirs),
    );
    let mut base_input = git2::MergeFileInput::new();
    base_input.content(&base).path("base");
    let mut ours_input = git2::MergeFileInput::new();
    ours_input.content(&ours).path("ours");
    let mut theirs_input = git2::MergeFileInput::new();
    theirs_input.content(&theirs).path("theirs");
    let mut options = git2::MergeFileOptions::new();
    options
        .marker_size(marker_size.max(7))
        .ancestor_label("base")
        .our_label("ours")
        .their_label("theirs");
    let result = git2::merge_file(&base_input, &ours_input, &theirs_input, Some(&mut options))?;
    let text = match result.content().strip_prefix(SENTINEL) {
        Some(text) => text.to_vec(),
        None => {
            return Err(crate::Error::Git(git2::Error::from_str(
                "the merge lost its first line",
            )))
        }
    };
    let mut conflicts = Vec::new();
    if !result.is_automergeable() {
        let start = Markers::new(marker_size).start;
        for (index, l) in text.split(|b| *b == b'\n').enumerate() {
            if let Some(rest) = l.strip_prefix(start.as_bytes()) {
                if rest.is_empty() || rest.starts_with(b" ") {
                    conflicts.push(Conflict::Lines {
                        line: index as u32 + 1,
                    });
                }
            }
        }
        if conflicts.is_empty() {
            conflicts.push(Conflict::Lines { line: 1 });
        }
    }
    Ok(Merged {
        text,
        conflicts,
        method: Method::Lines,
    })
}
