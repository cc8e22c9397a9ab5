//! Typed reading of a document's frontmatter fields, one diagnostic per bad field.
//!
//! A field with a wrong type or value is reported once and then treated as absent; a missing
//! required field is reported at line 1 (the opening `---`).

use crate::diagnostic::{Code, Diagnostic};
use crate::document::{Document, Field, Scalar, Value};
use crate::model::{Author, Deadline, Id, Moment, Origin};

/// Reads the fields of one document against the keys its kind of file defines.
pub(crate) struct Fields<'a> {
    path: &'a str,
    document: &'a Document,
    known: &'static [&'static str],
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(
        path: &'a str,
        document: &'a Document,
        known: &'static [&'static str],
        diagnostics: &'a mut Vec<Diagnostic>,
    ) -> Fields<'a> {
        Fields {
            path,
            document,
            known,
            diagnostics,
        }
    }

    /// Reports unknown keys and returns them (kept as written) with the known keys' positions.
    pub(crate) fn finish(self) -> (Vec<Field>, Origin) {
        let mut extra = Vec::new();
        let mut origin = Origin {
            path: self.path.to_owned(),
            keys: Vec::with_capacity(self.document.fields.len()),
        };
        for field in &self.document.fields {
            if let Some(key) = self.known.iter().find(|k| **k == field.key) {
                origin.keys.push((key, (field.line, field.column)));
            } else {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownField,
                        self.path,
                        format!("unknown field `{}`; it is kept but ignored", field.key),
                    )
                    .at(field.line, Some(1)),
                );
                extra.push(field.clone());
            }
        }
        origin.keys.shrink_to_fit();
        (extra, origin)
    }

    fn report(&mut self, code: Code, field: &Field, message: String) {
        self.diagnostics
            .push(Diagnostic::new(code, self.path, message).at(field.line, field.column));
    }

    /// The field, unless absent or null.
    fn get(&self, key: &str) -> Option<&'a Field> {
        let document: &'a Document = self.document;
        document
            .field(key)
            .filter(|f| f.value != Value::Scalar(Scalar::Null))
    }

    fn missing(&mut self, key: &str, required: bool) {
        if required {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::MissingField,
                    self.path,
                    format!("the required field `{key}` is missing"),
                )
                .at(1, None)
                .with_help(format!("add `{key}:` to the frontmatter")),
            );
        }
    }

    /// Whether the key is present with a value that is not null.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// `text` if `valid` accepts it; otherwise reported (LH311) and `None`.
    pub(crate) fn check(
        &mut self,
        field: &Field,
        key: &str,
        text: String,
        what: &str,
        valid: impl Fn(&str) -> bool,
    ) -> Option<String> {
        if valid(&text) {
            return Some(text);
        }
        self.report(
            Code::InvalidValue,
            field,
            format!("`{key}` is `{text}`, which is not {what}"),
        );
        None
    }

    /// The field if present; reports LH301 when it is absent.
    pub(crate) fn require(&mut self, key: &str) -> Option<&'a Field> {
        let field = self.get(key);
        if field.is_none() {
            self.missing(key, true);
        }
        field
    }

    /// LH511: a decision whose `deciders` list is empty.
    pub(crate) fn warn_no_deciders(&mut self, field: &Field) {
        self.report(
            Code::NoDeciders,
            field,
            "`deciders` is empty, so no vote on this decision is binding".to_owned(),
        );
    }

    /// A text field: a string, or a number read as written.
    pub(crate) fn text(&mut self, key: &str, required: bool) -> Option<(String, &'a Field)> {
        let Some(field) = self.get(key) else {
            self.missing(key, required);
            return None;
        };
        match &field.value {
            Value::Scalar(Scalar::String(s)) | Value::Scalar(Scalar::Number(s)) => {
                Some((s.clone(), field))
            }
            other => {
                let found = other.type_name();
                self.report(
                    Code::WrongType,
                    field,
                    format!("`{key}` must be a string, found {found}"),
                );
                None
            }
        }
    }

    /// A title: non-empty text on one line.
    pub(crate) fn title(&mut self, key: &str) -> Option<String> {
        let (text, field) = self.text(key, true)?;
        if text.trim().is_empty() || text.contains(['\n', '\r']) {
            let what = if text.trim().is_empty() {
                "empty"
            } else {
                "on more than one line"
            };
            self.report(Code::InvalidValue, field, format!("`{key}` is {what}"));
            return None;
        }
        Some(text)
    }

    /// An optional one-line text that is not blank; otherwise reported (LH311) and `None`.
    pub(crate) fn one_line(&mut self, key: &str) -> Option<String> {
        if !self.has(key) {
            return None;
        }
        self.title(key)
    }

    /// A list of text items; absent means empty. Items that are not text are reported (LH302)
    /// and dropped; the rest are kept.
    pub(crate) fn list(&mut self, key: &str) -> Option<(Vec<String>, Option<&'a Field>)> {
        let Some(field) = self.get(key) else {
            return Some((Vec::new(), None));
        };
        let Value::List(items) = &field.value else {
            let found = field.value.type_name();
            self.report(
                Code::WrongType,
                field,
                format!("`{key}` must be a list, found {found}"),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Scalar::String(s) | Scalar::Number(s) => out.push(s.clone()),
                other => {
                    let found = other.type_name();
                    self.report(
                        Code::WrongType,
                        field,
                        format!("`{key}` must list strings, found {found}"),
                    );
                }
            }
        }
        Some((out, Some(field)))
    }

    /// A list whose items must satisfy `valid`; each bad item is reported (LH311) and dropped.
    pub(crate) fn checked_list(
        &mut self,
        key: &str,
        what: &str,
        valid: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let Some((mut items, Some(field))) = self.list(key) else {
            return Vec::new();
        };
        for bad in items.iter().filter(|i| !valid(i)) {
            self.report(
                Code::InvalidValue,
                field,
                format!("`{key}` holds `{bad}`, which is not {what}"),
            );
        }
        items.retain(|i| valid(i));
        items
    }

    /// A ULID.
    pub(crate) fn id(&mut self, key: &str, required: bool) -> Option<Id> {
        let (text, field) = self.text(key, required)?;
        let id = Id::parse(&text);
        if id.is_none() {
            self.report(
                Code::InvalidId,
                field,
                format!("`{key}` is not a ULID: `{text}`"),
            );
        }
        id
    }

    /// `Name <email>`.
    pub(crate) fn author(&mut self, key: &str, required: bool) -> Option<Author> {
        let (text, field) = self.text(key, required)?;
        let author = Author::parse(&text);
        if author.is_none() {
            self.report(
                Code::InvalidAuthor,
                field,
                format!("`{key}` is not `Name <email>`: `{text}`"),
            );
        }
        author
    }

    /// An RFC 3339 timestamp with an offset.
    pub(crate) fn moment(&mut self, key: &str, required: bool) -> Option<Moment> {
        let (text, field) = self.text(key, required)?;
        let moment = Moment::parse(&text);
        if moment.is_none() {
            self.report(
                Code::InvalidTimestamp,
                field,
                format!("`{key}` is not an RFC 3339 timestamp with an offset: `{text}`"),
            );
        }
        moment
    }

    /// A timestamp or a date.
    pub(crate) fn deadline(&mut self, key: &str) -> Option<Deadline> {
        let (text, field) = self.text(key, false)?;
        let deadline = Deadline::parse(&text);
        if deadline.is_none() {
            self.report(
                Code::InvalidDeadline,
                field,
                format!("`{key}` is not a date or a timestamp: `{text}`"),
            );
        }
        deadline
    }

    /// A keyword from a fixed set, reported with `code` when unknown.
    pub(crate) fn keyword<T>(
        &mut self,
        key: &str,
        required: bool,
        code: Code,
        allowed: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let (text, field) = self.text(key, required)?;
        let value = parse(&text);
        if value.is_none() {
            self.report(
                code,
                field,
                format!("`{key}` is `{text}`; allowed: {allowed}"),
            );
        }
        value
    }

    /// A reference to a thread or decision: a slug or an id.
    pub(crate) fn reference(&mut self, key: &str) -> Option<String> {
        let (text, field) = self.text(key, false)?;
        if !is_reference(&text) {
            self.report(
                Code::InvalidValue,
                field,
                format!("`{key}` is neither a slug nor an id: `{text}`"),
            );
            return None;
        }
        Some(text)
    }
}

/// True when `text` is written like a reference: a slug or an id.
pub(crate) fn is_reference(text: &str) -> bool {
    crate::model::is_slug(text) || Id::parse(text).is_some()
}
