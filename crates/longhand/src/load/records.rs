//! One file of the layout parsed on its own: a thread header, a reply, a decision record, the
//! roster. Pure functions of a path and bytes, shared by the walk (which adds what they find
//! to the model) and the single-record API ([`record`], [`config_of`]) the history rules use.

use super::fields::{is_reference, Fields};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Document, MAX_FILE_BYTES};
use crate::model::keys::{DECISION_KEYS, REPLY_KEYS, THREAD_KEYS};
use crate::model::{
    is_tag, Decision, DecisionStatus, Id, Message, Moment, Partial, PartialKind, Redaction, Thread,
    ThreadStatus, Vote,
};
use crate::source::CONFIG_FILE;
use crate::Result;

/// What parsing one thread produced besides the thread itself.
#[derive(Default)]
pub(super) struct ParsedParts {
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) partial: Vec<Partial>,
}

/// The thread, or what could be read of its id and date when a required field is bad.
pub(super) fn thread_header(
    out: &mut ParsedParts,
    slug: &str,
    path: &str,
    document: Document,
) -> Result<Thread, (Option<Id>, Option<Moment>)> {
    let diagnostics = &mut out.diagnostics;
    let mut f = Fields::new(path, &document, THREAD_KEYS, diagnostics);
    let id = f.id("id", true);
    let title = f.title("title");
    let author = f.author("author", true);
    let date = f.moment("date", true);
    let status = f.keyword(
        "status",
        true,
        Code::InvalidStatus,
        "open, resolved, closed",
        ThreadStatus::parse,
    );
    let tags = f.checked_list("tags", "a tag (lowercase letters, digits, dashes)", is_tag);
    let awaiting = f.checked_list("awaiting", "a handle or an email", is_person_reference);
    let respond_by = f.deadline("respond-by");
    let decision = f.reference("decision");
    let merged_into = f.reference("merged-into");
    let (extra, origin) = f.finish();
    let (Some(id), Some(title), Some(author), Some(date), Some(status)) =
        (id.clone(), title, author, date.clone(), status)
    else {
        out.partial.push(Partial {
            kind: PartialKind::Thread,
            slug: slug.to_owned(),
            id: id.clone(),
            reply_to: None,
            thread: None,
            origin,
        });
        return Err((id, date));
    };
    Ok(Thread {
        slug: slug.to_owned(),
        id,
        title,
        author,
        date,
        status,
        tags,
        awaiting,
        respond_by,
        decision,
        merged_into,
        body_line: document.body_line,
        body: document.body,
        extra,
        signature: document.signature,
        origin,
        replies: Vec::new(),
    })
}

/// A reply, or `None` (its partial record noted) when a required field is bad.
pub(super) fn message(
    out: &mut ParsedParts,
    slug: &str,
    path: &str,
    stem: &str,
    mut document: Document,
) -> Option<Message> {
    let body = std::mem::take(&mut document.body);
    let diagnostics = &mut out.diagnostics;
    let mut f = Fields::new(path, &document, REPLY_KEYS, diagnostics);
    let id = f.id("id", true);
    let author = f.author("author", true);
    let date = f.moment("date", true);
    let reply_to = f.id("reply-to", false).map(|id| id.as_str().to_owned());
    let vote = f.keyword("vote", false, Code::InvalidVote, "+1, 0, -1", Vote::parse);
    let vote_on = f.reference("vote-on");
    let edited = f.moment("edited", false);
    let redaction = redaction(&mut f);
    let (extra, origin) = f.finish();
    if let Some(id) = &id {
        if id.as_str() != stem {
            let (line, column) = origin.position("id");
            out.diagnostics.push(
                Diagnostic::new(
                    Code::IdMismatch,
                    path,
                    format!("the id `{id}` differs from the file name `{stem}.md`"),
                )
                .at(line, column),
            );
        }
    }
    let (Some(id), Some(author), Some(date)) = (id.clone(), author, date) else {
        out.partial.push(Partial {
            kind: PartialKind::Reply,
            slug: slug.to_owned(),
            id,
            reply_to,
            thread: None,
            origin,
        });
        return None;
    };
    Some(Message {
        id,
        stem: stem.to_owned(),
        author,
        date,
        reply_to,
        vote,
        vote_on,
        edited,
        redaction,
        body,
        body_line: document.body_line,
        extra,
        signature: document.signature,
        origin,
        attachments: Vec::new(),
    })
}

/// A decision record, or `None` (its partial record noted) when a required field is bad.
pub(super) fn decision(
    out: &mut ParsedParts,
    slug: &str,
    path: &str,
    document: Document,
) -> Option<Decision> {
    let diagnostics = &mut out.diagnostics;
    let mut f = Fields::new(path, &document, DECISION_KEYS, diagnostics);
    let id = f.id("id", true);
    let title = f.title("title");
    let status = f.keyword(
        "status",
        true,
        Code::InvalidStatus,
        "proposed, accepted, rejected, withdrawn, superseded",
        DecisionStatus::parse,
    );
    let date = f.moment("date", true);
    let deciders = match f.require("deciders") {
        Some(field) => {
            let deciders = f.checked_list("deciders", "a handle or an email", is_person_reference);
            if deciders.is_empty() && field.value == crate::document::Value::List(Vec::new()) {
                f.warn_no_deciders(field);
            }
            deciders
        }
        None => Vec::new(),
    };
    let author = f.author("author", false);
    let thread = f.reference("thread");
    let review_by = f.deadline("review-by");
    let supersedes = f.checked_list("supersedes", "a decision slug or id", is_reference);
    let superseded_by = f.checked_list("superseded-by", "a decision slug or id", is_reference);
    let decided = f.moment("decided", false);
    let decided_by = f.text("decided-by", false).and_then(|(text, field)| {
        f.check(
            field,
            "decided-by",
            text,
            "a handle or an email",
            is_person_reference,
        )
    });
    let override_reason = f.one_line("override");
    let rationale = f.text("rationale", false).map(|(text, _)| text);
    let (extra, origin) = f.finish();
    let (Some(id), Some(title), Some(status), Some(date)) = (id.clone(), title, status, date)
    else {
        out.partial.push(Partial {
            kind: PartialKind::Decision,
            slug: slug.to_owned(),
            id,
            reply_to: None,
            thread,
            origin,
        });
        return None;
    };
    Some(Decision {
        slug: slug.to_owned(),
        id,
        title,
        status,
        date,
        deciders,
        author,
        thread,
        review_by,
        supersedes,
        superseded_by,
        decided,
        decided_by,
        override_reason,
        rationale,
        body_line: document.body_line,
        body: document.body,
        extra,
        signature: document.signature,
        origin,
    })
}

/// The redaction fields of a reply (spec §13.4): all three or none. When one is present, the
/// others are required (LH301); the record is kept only when all three are valid.
pub(super) fn redaction(f: &mut Fields<'_>) -> Option<Redaction> {
    const KEYS: [&str; 3] = ["redacted", "redacted-by", "redaction-reason"];
    if !KEYS.iter().any(|key| f.has(key)) {
        return None;
    }
    let date = f.moment("redacted", true);
    let by = f.text("redacted-by", true).and_then(|(text, field)| {
        f.check(
            field,
            "redacted-by",
            text,
            "a handle or an email",
            is_person_reference,
        )
    });
    let reason = f.title("redaction-reason");
    Some(Redaction {
        date: date?,
        by: by?,
        reason: reason?,
    })
}

/// A handle or an email: what fields naming a person accept.
pub(super) fn is_person_reference(text: &str) -> bool {
    crate::model::is_handle(text) || crate::model::is_email(text)
}

/// One file of the layout, parsed on its own: what history rules compare between two
/// versions of a file. Cross-file rules do not apply; per-file diagnostics are dropped.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A `threads/<slug>/thread.md`.
    Thread(Box<Thread>),
    /// A reply `threads/<slug>/<ID>.md`.
    Reply(Box<Message>),
    /// A decision `decisions/<slug>.md`.
    Decision(Box<Decision>),
}

/// What a root-relative path names in the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Place {
    /// `longhand.yaml`.
    Config,
    /// `threads/<slug>/thread.md`.
    Thread {
        /// The thread's slug.
        slug: String,
    },
    /// `threads/<slug>/<ID>.md`.
    Reply {
        /// The thread's slug.
        slug: String,
        /// The file stem, an id.
        stem: String,
    },
    /// `decisions/<slug>.md`.
    Decision {
        /// The decision's slug.
        slug: String,
    },
    /// Anything else: attachments, files the layout does not define.
    Other,
}

impl Place {
    /// Classifies a root-relative, `/`-separated path.
    pub fn of(path: &str) -> Place {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [CONFIG_FILE] => Place::Config,
            ["threads", slug, "thread.md"] if !slug.starts_with('.') => Place::Thread {
                slug: (*slug).to_owned(),
            },
            ["threads", slug, name] if !slug.starts_with('.') => match name.strip_suffix(".md") {
                Some(stem) if Id::parse(stem).is_some() => Place::Reply {
                    slug: (*slug).to_owned(),
                    stem: stem.to_owned(),
                },
                _ => Place::Other,
            },
            ["decisions", name] => match name.strip_suffix(".md") {
                Some(slug) if !slug.starts_with('.') => Place::Decision {
                    slug: slug.to_owned(),
                },
                _ => Place::Other,
            },
            _ => Place::Other,
        }
    }
}

/// Parses one file of the layout on its own, or `None` when it is not a thread header, reply
/// or decision, or when a required field could not be read.
pub fn record(path: &str, bytes: &[u8]) -> Option<Record> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    let place = Place::of(path);
    let document = document::parse_markdown(path, bytes).value?;
    let mut out = ParsedParts::default();
    match place {
        Place::Thread { slug } => thread_header(&mut out, &slug, path, document)
            .ok()
            .map(|t| Record::Thread(Box::new(t))),
        Place::Reply { slug, stem } => {
            message(&mut out, &slug, path, &stem, document).map(|m| Record::Reply(Box::new(m)))
        }
        Place::Decision { slug } => {
            decision(&mut out, &slug, path, document).map(|d| Record::Decision(Box::new(d)))
        }
        Place::Config | Place::Other => None,
    }
}

/// Reads `longhand.yaml` from its bytes, or `None` when it cannot be read.
pub fn config_of(bytes: &[u8]) -> Option<crate::model::Config> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    let parsed = document::parse_yaml_file(CONFIG_FILE, bytes);
    super::config::read(&parsed.value?, &mut Vec::new())
}
