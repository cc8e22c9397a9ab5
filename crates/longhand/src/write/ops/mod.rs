//! The writing operations: each turns the current discussion plus a request into a [`Change`]
//! (the files to write and a commit message), without touching the disk. Every change leaves
//! the discussion valid: inputs are checked here, with a typed error for each mistake.

mod decisions;
mod people;
mod redaction;
mod replies;
mod threads;

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::emit::string;
use crate::document::Value;
use crate::model::permissions::Actor;
use crate::model::Who;
use crate::model::{is_email, is_tag, Author, Deadline, Decision, Discussion, Moment, Thread};
use crate::source::{Contents, Source};
use crate::write::atomic::Mode;
use crate::{Error, Result};

pub use decisions::{
    change_decision_status, new_decision, set_decision_status, supersede, NewDecision,
    StatusChange, DECISION_TEMPLATE,
};
pub use people::{add_person, set_person, NewPerson, PersonEdit};
pub use redaction::{find_reply, redact, redaction_notice};
pub use replies::{edit_reply, reply, reply_with_attachments, NewReply};
pub use threads::{
    edit_thread, link_decision, merge_threads, new_thread, set_thread_status, NewThread, ThreadEdit,
};

/// One file a change writes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileWrite {
    /// Relative to the discussion root.
    pub path: String,
    /// The whole new content.
    pub bytes: Vec<u8>,
    /// Whether it creates a new file or replaces one.
    pub mode: Mode,
}

/// What a writing operation does: files to write, and the commit message that records them.
/// Only an operation of this module makes one (after its permission checks; a caller cannot
/// build one), and only a [`crate::write::Transaction`] writes and commits one. Commit it in
/// the transaction whose context computed it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The files, in the order they are written.
    pub writes: Vec<FileWrite>,
    /// A conventional commit message, such as `reply(2026-11-24-standups): Ana Lima votes +1`.
    pub message: String,
    /// The transaction whose context computed it: only that one writes it, so a change
    /// checked against one state of the discussion is never written over a later one.
    pub(crate) origin: u64,
}

impl Change {
    /// The paths the change writes.
    pub fn paths(&self) -> Vec<String> {
        self.writes.iter().map(|w| w.path.clone()).collect()
    }
}

/// Everything an operation reads: the discussion as loaded, its diagnostics (files with
/// errors are never rewritten), the source for current file texts, who writes, and when.
/// Built by [`crate::write::Transaction::context`], under the write lock.
#[non_exhaustive]
pub struct Context<'a> {
    /// The discussion as it is now.
    pub discussion: &'a Discussion,
    /// Every diagnostic of the discussion as it is now.
    pub diagnostics: &'a [Diagnostic],
    /// Where the files are read from.
    pub source: &'a dyn Source,
    /// Who writes (the committing identity).
    pub author: Author,
    /// When, with the writer's offset.
    pub now: Moment,
    /// The transaction this context belongs to (see [`Change`]).
    pub(crate) origin: u64,
}
/// Reads a deadline as a person types it: RFC 3339, a date `YYYY-MM-DD`, or a span from now
/// such as `90m`, `72h`, `3d`, `2w` (kept in the writer's offset).
pub fn parse_when(text: &str, now: &Moment) -> Option<Deadline> {
    if let Some(deadline) = Deadline::parse(text) {
        return Some(deadline);
    }
    let seconds = crate::model::parse_span(text)?;
    let instant = now
        .instant
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .ok()?;
    Some(Deadline::At(Moment {
        instant,
        offset: now.offset,
    }))
}

impl Context<'_> {
    fn text_of(&self, path: &str) -> Result<String> {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.path == path && d.severity() == Severity::Error)
            .count();
        if errors > 0 {
            return Err(Error::NotClean {
                path: path.to_owned(),
                count: errors,
            });
        }
        match self.source.read(path, crate::document::MAX_FILE_BYTES)? {
            Contents::Bytes(bytes) => {
                let mut ignored = Vec::new();
                crate::document::decode(path, &bytes, &mut ignored).ok_or(Error::NotClean {
                    path: path.to_owned(),
                    count: 1,
                })
            }
            Contents::TooLarge { .. } => Err(Error::NotClean {
                path: path.to_owned(),
                count: 1,
            }),
        }
    }

    fn person(&self, who: &str) -> Result<String> {
        let known = self
            .discussion
            .config
            .as_ref()
            .is_some_and(|c| c.people.contains_key(who));
        if known || is_email(who) {
            Ok(who.to_owned())
        } else {
            Err(Error::UnknownPerson {
                who: who.to_owned(),
            })
        }
    }

    fn people(&self, list: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for who in list {
            let who = self.person(who)?;
            if !out.contains(&who) {
                out.push(who);
            }
        }
        Ok(out)
    }

    fn deadline(&self, text: &str) -> Result<Deadline> {
        parse_when(text, &self.now).ok_or_else(|| Error::BadDeadline {
            text: text.to_owned(),
        })
    }

    /// Refuses, with [`Error::NotPermitted`], a change to `thread`'s header that the history
    /// rules would refuse from the writer (LH708): only its author or a moderator may.
    fn may_edit_thread(&self, thread: &Thread, action: &str) -> Result<()> {
        let config = self.discussion.config.as_ref();
        let who = Who::of_email(config, &self.author.email);
        if Actor::new(config, &who).may_edit_thread(&thread.author) {
            return Ok(());
        }
        Err(Error::NotPermitted {
            who: self.author.to_string(),
            action: format!("{action} thread `{}`", thread.slug),
            allowed: format!("the thread's author ({}) or a moderator", thread.author),
            code: "LH708",
        })
    }

    /// Refuses, with [`Error::NotPermitted`], a change to `decision` that the history rules
    /// would refuse from the writer: a move of its status (LH710) by anyone but one of its
    /// deciders or a moderator; another change (LH711) by anyone but those or its author.
    fn may_change_decision(&self, decision: &Decision, action: &str, status: bool) -> Result<()> {
        let config = self.discussion.config.as_ref();
        let who = Who::of_email(config, &self.author.email);
        let actor = Actor::new(config, &who);
        let (allowed, code) = if status {
            (actor.may_move_decision_status(&decision.deciders), "LH710")
        } else {
            (
                actor.may_edit_decision(&decision.deciders, decision.author.as_ref()),
                "LH711",
            )
        };
        if allowed {
            return Ok(());
        }
        let deciders = if decision.deciders.is_empty() {
            "its deciders (it names none)".to_owned()
        } else {
            format!("one of its deciders ({})", decision.deciders.join(", "))
        };
        let allowed = match (&decision.author, status) {
            (Some(author), false) => format!("{deciders}, its author ({author}) or a moderator"),
            _ => format!("{deciders} or a moderator"),
        };
        Err(Error::NotPermitted {
            who: self.author.to_string(),
            action: format!("{action} decision `{}`", decision.slug),
            allowed,
            code,
        })
    }

    fn taken_thread_slugs(&self) -> &BTreeSet<String> {
        &self.discussion.reserved.threads
    }
}

fn title(text: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.contains(['\n', '\r']) {
        return Err(Error::BadValue {
            field: "title",
            value: text.to_owned(),
            expected: "one line of text",
        });
    }
    Ok(trimmed.to_owned())
}

fn tags(list: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in list {
        if !is_tag(tag) {
            return Err(Error::BadValue {
                field: "tag",
                value: tag.clone(),
                expected: "lowercase letters and digits joined by single dashes",
            });
        }
        if !out.contains(tag) {
            out.push(tag.clone());
        }
    }
    Ok(out)
}

fn body(text: &str) -> String {
    let trimmed = text.trim_end();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{}\n", trimmed.trim_start_matches('\n'))
    }
}

fn moment(m: &Moment) -> Value {
    string(m.to_string())
}

fn deadline_value(d: &Deadline) -> Value {
    string(d.to_string())
}
