//! The writing operations: each turns the current discussion plus a request into a [`Change`]
//! (the files to write and a commit message), without touching the disk. Every change leaves
//! the discussion valid: inputs are checked here, with a typed error for each mistake.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::emit::{self as frontmatter, string, strings};
use crate::document::Value;
use crate::model::permissions::Actor;
use crate::model::Who;
use crate::model::DEFAULT_ATTACHMENT_LIMIT;
use crate::model::{
    is_email, is_tag, Author, Deadline, Decision, DecisionStatus, Discussion, Moment, Thread,
    ThreadStatus, Vote,
};
use crate::read::tally::{self, State};
use crate::source::{Contents, Source};
use crate::write::atomic::Mode;
use crate::write::attach::{self, Attachment};
use crate::write::ids::new_id;
use crate::write::slug::slug_for;
use crate::{Error, Result};

/// One file a change writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWrite {
    /// Relative to the discussion root.
    pub path: String,
    /// The whole new content.
    pub bytes: Vec<u8>,
    /// Whether it creates a new file or replaces one.
    pub mode: Mode,
}

/// What a writing operation does: files to write, and the commit message that records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The files, in the order they are written.
    pub writes: Vec<FileWrite>,
    /// A conventional commit message, such as `reply(2026-11-24-standups): Ana Lima votes +1`.
    pub message: String,
}

impl Change {
    /// The paths the change writes.
    pub fn paths(&self) -> Vec<String> {
        self.writes.iter().map(|w| w.path.clone()).collect()
    }
}

/// Everything an operation reads: the discussion as loaded, its diagnostics (files with
/// errors are never rewritten), the source for current file texts, who writes, and when.
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
}

/// A new thread.
#[derive(Clone, Debug, Default)]
pub struct NewThread {
    /// The title.
    pub title: String,
    /// The opening post.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// People whose answer is requested (handles or emails).
    pub awaiting: Vec<String>,
    /// A deadline as typed: RFC 3339, a date, or a span such as `3d`.
    pub respond_by: Option<String>,
}

/// A reply to a thread.
#[derive(Clone, Debug, Default)]
pub struct NewReply {
    /// The message answered (an id or a prefix of one); `None` answers the opening post.
    pub to: Option<String>,
    /// The text.
    pub body: String,
    /// A vote.
    pub vote: Option<Vote>,
    /// The decision the vote is for (slug, id or prefix), written as `vote-on`. Needed when
    /// more than one decision of the thread is open.
    pub on: Option<String>,
}

/// A change of a proposed decision's status: accept, reject or withdraw.
#[derive(Clone, Debug)]
pub struct StatusChange {
    /// `accepted`, `rejected` or `withdrawn`.
    pub status: DecisionStatus,
    /// A moderator's reason for accepting or rejecting against the decision rule (`override`).
    pub override_reason: Option<String>,
    /// Why (`rationale`).
    pub rationale: Option<String>,
}

/// Changes to a thread's header.
#[derive(Clone, Debug, Default)]
pub struct ThreadEdit {
    /// A new title.
    pub title: Option<String>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
    /// People to add to `awaiting`.
    pub await_people: Vec<String>,
    /// People to remove from `awaiting`.
    pub unawait_people: Vec<String>,
    /// A new deadline as typed.
    pub respond_by: Option<String>,
}

/// A new decision record.
#[derive(Clone, Debug, Default)]
pub struct NewDecision {
    /// The title.
    pub title: String,
    /// The thread where it is discussed (slug, id or prefix).
    pub thread: Option<String>,
    /// People whose votes are binding (handles or emails).
    pub deciders: Vec<String>,
    /// The end of the review period as typed; the policy's review period when absent.
    pub review_by: Option<String>,
    /// The body; the MADR template when empty.
    pub body: String,
}

/// The body a new decision starts from.
pub const DECISION_TEMPLATE: &str =
    "## Context\n\n\n## Options\n\n\n## Decision\n\n\n## Consequences\n\n";

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

/// Opens a new thread: `threads/<date>-<title words>/thread.md`.
pub fn new_thread(ctx: &Context<'_>, request: &NewThread) -> Result<Change> {
    let title = title(&request.title)?;
    let text = body(&request.body);
    if text.is_empty() {
        return Err(Error::EmptyText);
    }
    let tags = tags(&request.tags)?;
    let awaiting = ctx.people(&request.awaiting)?;
    let respond_by = request
        .respond_by
        .as_deref()
        .map(|t| ctx.deadline(t))
        .transpose()?;
    let slug = slug_for(&title, &ctx.now, ctx.taken_thread_slugs());
    let mut fields = vec![
        ("id", string(new_id(ctx.now.instant).to_string())),
        ("title", string(title.clone())),
        ("author", string(ctx.author.to_string())),
        ("date", moment(&ctx.now)),
        ("status", string("open")),
    ];
    if !tags.is_empty() {
        fields.push(("tags", strings(&tags)));
    }
    if !awaiting.is_empty() {
        fields.push(("awaiting", strings(&awaiting)));
    }
    if let Some(deadline) = &respond_by {
        fields.push(("respond-by", deadline_value(deadline)));
    }
    Ok(Change {
        writes: vec![FileWrite {
            path: format!("threads/{slug}/thread.md"),
            bytes: frontmatter::document(&fields, &text).into_bytes(),
            mode: Mode::CreateNew,
        }],
        message: format!("thread({slug}): open \"{title}\""),
    })
}

/// The message of `thread` a person means by `query`: the thread's id, or a reply's id or an
/// unambiguous prefix of one (case-insensitive).
fn find_message(thread: &Thread, query: &str) -> Result<String> {
    let upper = query.to_ascii_uppercase();
    let mut ids: Vec<&str> = vec![thread.id.as_str()];
    ids.extend(thread.replies.iter().map(|m| m.stem.as_str()));
    if let Some(exact) = ids.iter().find(|id| **id == upper) {
        return Ok((*exact).to_owned());
    }
    let matches: Vec<&&str> = ids
        .iter()
        .filter(|id| !upper.is_empty() && id.starts_with(&upper))
        .collect();
    match matches.as_slice() {
        [one] => Ok((**one).to_owned()),
        _ => Err(Error::UnknownMessage {
            thread: thread.slug.clone(),
            query: query.to_owned(),
        }),
    }
}

fn reply_file(
    ctx: &Context<'_>,
    thread: &Thread,
    request: &NewReply,
    attachments: &[Attachment],
) -> Result<Vec<FileWrite>> {
    let mut text = body(&request.body);
    match (request.vote, text.is_empty()) {
        (Some(Vote::Against), true) => return Err(Error::ObjectionWithoutReason),
        (None, true) if attachments.is_empty() => return Err(Error::EmptyText),
        _ => {}
    }
    let reply_to = request
        .to
        .as_deref()
        .map(|q| find_message(thread, q))
        .transpose()?
        .filter(|id| id != thread.id.as_str());
    let vote_on = vote_on(ctx, thread, request)?;
    let id = new_id(ctx.now.instant);
    let mut writes = attachment_writes(ctx, thread, id.as_str(), attachments)?;
    if !attachments.is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&attach::links(id.as_str(), attachments));
    }
    let mut fields = vec![
        ("id", string(id.to_string())),
        ("author", string(ctx.author.to_string())),
        ("date", moment(&ctx.now)),
    ];
    if let Some(parent) = reply_to {
        fields.push(("reply-to", string(parent)));
    }
    if let Some(vote) = request.vote {
        fields.push(("vote", string(vote.as_str())));
    }
    if let Some(decision) = vote_on {
        fields.push(("vote-on", string(decision)));
    }
    // The reply comes last, so that it never links to a file not yet written.
    writes.push(FileWrite {
        path: format!("threads/{}/{id}.md", thread.slug),
        bytes: frontmatter::document(&fields, &text).into_bytes(),
        mode: Mode::CreateNew,
    });
    Ok(writes)
}

/// The slug to write in a vote's `vote-on` (spec §8.3): the decision `--on` names, which must
/// be a proposed decision of this thread; none without `--on` when at most one decision of
/// the thread is open, and a refusal listing them when several are.
fn vote_on(ctx: &Context<'_>, thread: &Thread, request: &NewReply) -> Result<Option<String>> {
    let open: Vec<&Decision> = ctx
        .discussion
        .decisions_for(thread)
        .filter(|d| tally::open_at(d, ctx.now.instant))
        .collect();
    match (&request.on, request.vote) {
        (Some(on), None) => Err(Error::BadValue {
            field: "on",
            value: on.clone(),
            expected: "a decision together with --vote",
        }),
        (Some(on), Some(_)) => {
            let decision = ctx.discussion.find_decision(on)?;
            if !open.iter().any(|d| d.id == decision.id) {
                return Err(Error::BadValue {
                    field: "on",
                    value: decision.slug.clone(),
                    expected: "a proposed decision voted on in this thread",
                });
            }
            Ok(Some(decision.slug.clone()))
        }
        (None, Some(_)) if open.len() > 1 => Err(Error::AmbiguousVote {
            thread: thread.slug.clone(),
            open: open.iter().map(|d| d.slug.clone()).collect(),
        }),
        (None, _) => Ok(None),
    }
}

/// The files of a new reply's attachment directory: each name checked, each unique, each
/// within the policy's limit (or a Git LFS pointer), none where git would store it through
/// Git LFS (which Longhand does not run).
fn attachment_writes(
    ctx: &Context<'_>,
    thread: &Thread,
    id: &str,
    attachments: &[Attachment],
) -> Result<Vec<FileWrite>> {
    let limit = ctx
        .discussion
        .config
        .as_ref()
        .map_or(DEFAULT_ATTACHMENT_LIMIT, |c| c.policy.attachment_limit);
    let mut names = BTreeSet::new();
    let mut writes = Vec::with_capacity(attachments.len());
    for attachment in attachments {
        let refuse = |reason: String| Error::AttachmentRefused {
            path: attachment.origin.clone(),
            reason,
        };
        attach::check_name(&attachment.name).map_err(refuse)?;
        if !names.insert(attachment.name.as_str()) {
            return Err(refuse(format!(
                "another attachment of this reply is also named `{}`",
                attachment.name
            )));
        }
        attach::check_size(attachment, limit)?;
        let path = format!("threads/{}/{id}/{}", thread.slug, attachment.name);
        let is_pointer = crate::document::lfs::looks_like_pointer(&attachment.bytes);
        if !is_pointer && ctx.source.stored_by_lfs(&path)? {
            return Err(refuse(format!(
                "git stores `{path}` through Git LFS, which longhand does not run; copy the file there and commit it with `git add` and `git commit`"
            )));
        }
        writes.push(FileWrite {
            path,
            bytes: attachment.bytes.clone(),
            mode: Mode::CreateNew,
        });
    }
    Ok(writes)
}

/// Replies to a thread (slug, id or prefix): `threads/<slug>/<new id>.md`.
pub fn reply(ctx: &Context<'_>, thread: &str, request: &NewReply) -> Result<Change> {
    reply_with_attachments(ctx, thread, request, &[])
}

/// Replies to a thread with files attached: they are written to the new reply's attachment
/// directory `threads/<slug>/<ID>/`, in the same change, and the body ends with a list of
/// links to them (images shown inline). With attachments the text may be empty, unless the
/// reply is a `-1` vote.
pub fn reply_with_attachments(
    ctx: &Context<'_>,
    thread: &str,
    request: &NewReply,
    attachments: &[Attachment],
) -> Result<Change> {
    let thread = ctx.discussion.find_thread(thread)?;
    let writes = reply_file(ctx, thread, request, attachments)?;
    let vote = request
        .vote
        .map(|v| format!(" votes {v}"))
        .unwrap_or_default();
    let files = match attachments.len() {
        0 => String::new(),
        1 => " with 1 attachment".to_owned(),
        n => format!(" with {n} attachments"),
    };
    Ok(Change {
        writes,
        message: format!("reply({}): {}{vote}{files}", thread.slug, ctx.author.name),
    })
}

/// Edits a thread's header; each field changes only where asked.
pub fn edit_thread(ctx: &Context<'_>, thread: &str, edit: &ThreadEdit) -> Result<Change> {
    let thread = ctx.discussion.find_thread(thread)?;
    ctx.may_edit_thread(thread, "edit")?;
    let path = thread.origin.path.clone();
    let original = ctx.text_of(&path)?;
    let mut text = original.clone();
    let mut changed = Vec::new();
    let mut set = |text: &mut String, key: &str, value: Option<&Value>| -> Result<()> {
        *text = frontmatter::set_field(text, key, value).ok_or_else(|| Error::NotClean {
            path: path.clone(),
            count: 1,
        })?;
        changed.push(key.to_owned());
        Ok(())
    };
    if let Some(new_title) = &edit.title {
        set(&mut text, "title", Some(&string(title(new_title)?)))?;
    }
    if !edit.add_tags.is_empty() || !edit.remove_tags.is_empty() {
        let mut list = thread.tags.clone();
        list.extend(tags(&edit.add_tags)?);
        list.retain(|t| !edit.remove_tags.contains(t));
        let list = tags(&list)?;
        set(
            &mut text,
            "tags",
            (!list.is_empty()).then(|| strings(&list)).as_ref(),
        )?;
    }
    if !edit.await_people.is_empty() || !edit.unawait_people.is_empty() {
        // People are compared as people: `bo` and `Bo@Example.org` are the same person.
        let config = ctx.discussion.config.as_ref();
        let who = |r: &str| Who::of_reference(config, r);
        let mut list = thread.awaiting.clone();
        for person in ctx.people(&edit.await_people)? {
            if !list
                .iter()
                .any(|w| *w == person || (who(w).is_some() && who(w) == who(&person)))
            {
                list.push(person);
            }
        }
        let gone: Vec<Option<Who>> = ctx
            .people(&edit.unawait_people)?
            .iter()
            .map(|p| who(p))
            .collect();
        list.retain(|w| !gone.contains(&who(w)) && !edit.unawait_people.contains(w));
        set(
            &mut text,
            "awaiting",
            (!list.is_empty()).then(|| strings(&list)).as_ref(),
        )?;
    }
    if let Some(when) = &edit.respond_by {
        let deadline = ctx.deadline(when)?;
        set(&mut text, "respond-by", Some(&deadline_value(&deadline)))?;
    }
    if changed.is_empty() {
        return Err(Error::BadValue {
            field: "edit",
            value: String::new(),
            expected: "at least one change (--title, --add-tag, --await, …)",
        });
    }
    if original == text {
        return Err(Error::NothingToChange { path });
    }
    Ok(Change {
        writes: vec![FileWrite {
            path,
            bytes: text.into_bytes(),
            mode: Mode::Replace,
        }],
        message: format!("thread({}): edit {}", thread.slug, changed.join(", ")),
    })
}

/// Moves a thread to `status` (resolve, close, reopen), posting `text` as a reply if given.
pub fn set_thread_status(
    ctx: &Context<'_>,
    thread: &str,
    status: ThreadStatus,
    text: Option<&str>,
) -> Result<Change> {
    let thread = ctx.discussion.find_thread(thread)?;
    let verb = match status {
        ThreadStatus::Open => "reopen",
        ThreadStatus::Resolved => "resolve",
        ThreadStatus::Closed => "close",
    };
    ctx.may_edit_thread(thread, verb)?;
    if !thread.status.can_become(status) {
        return Err(Error::Transition {
            kind: "thread",
            slug: thread.slug.clone(),
            from: thread.status.to_string(),
            to: status.to_string(),
        });
    }
    let path = thread.origin.path.clone();
    let header = frontmatter::set_field(
        &ctx.text_of(&path)?,
        "status",
        Some(&string(status.as_str())),
    )
    .ok_or_else(|| Error::NotClean {
        path: path.clone(),
        count: 1,
    })?;
    let mut writes = vec![FileWrite {
        path,
        bytes: header.into_bytes(),
        mode: Mode::Replace,
    }];
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        let request = NewReply {
            to: None,
            body: text.to_owned(),
            vote: None,
            on: None,
        };
        writes.extend(reply_file(ctx, thread, &request, &[])?);
    }
    Ok(Change {
        writes,
        message: format!("thread({}): {verb}", thread.slug),
    })
}

/// Proposes a new decision: `decisions/<date>-<title words>.md`, status `proposed`.
pub fn new_decision(ctx: &Context<'_>, request: &NewDecision) -> Result<Change> {
    let title = title(&request.title)?;
    let thread = request
        .thread
        .as_deref()
        .map(|t| ctx.discussion.find_thread(t).map(|t| t.slug.clone()))
        .transpose()?;
    let deciders = ctx.people(&request.deciders)?;
    let review_by = match &request.review_by {
        Some(text) => ctx.deadline(text)?,
        None => {
            let period = ctx
                .discussion
                .config
                .as_ref()
                .map_or(72 * 3600, |c| c.policy.review_period_seconds);
            ctx.deadline(&format!("{}m", period / 60))?
        }
    };
    let text = if request.body.trim().is_empty() {
        DECISION_TEMPLATE.to_owned()
    } else {
        body(&request.body)
    };
    let slug = slug_for(&title, &ctx.now, &ctx.discussion.reserved.decisions);
    let mut fields = vec![
        ("id", string(new_id(ctx.now.instant).to_string())),
        ("title", string(title.clone())),
        ("status", string("proposed")),
        ("date", moment(&ctx.now)),
        ("author", string(ctx.author.to_string())),
        ("deciders", strings(&deciders)),
    ];
    if let Some(thread) = thread {
        fields.push(("thread", string(thread)));
    }
    fields.push(("review-by", deadline_value(&review_by)));
    Ok(Change {
        writes: vec![FileWrite {
            path: format!("decisions/{slug}.md"),
            bytes: frontmatter::document(&fields, &text).into_bytes(),
            mode: Mode::CreateNew,
        }],
        message: format!("decision({slug}): propose \"{title}\""),
    })
}

fn decision_status_write(
    ctx: &Context<'_>,
    decision: &Decision,
    status: DecisionStatus,
    extra: &[(&str, Value)],
) -> Result<FileWrite> {
    if !decision.status.can_become(status) {
        return Err(Error::Transition {
            kind: "decision",
            slug: decision.slug.clone(),
            from: decision.status.to_string(),
            to: status.to_string(),
        });
    }
    let path = decision.origin.path.clone();
    let not_clean = || Error::NotClean {
        path: path.clone(),
        count: 1,
    };
    let mut text = frontmatter::set_field(
        &ctx.text_of(&path)?,
        "status",
        Some(&string(status.as_str())),
    )
    .ok_or_else(not_clean)?;
    for (key, value) in extra {
        text = frontmatter::set_field(&text, key, Some(value)).ok_or_else(not_clean)?;
    }
    Ok(FileWrite {
        path,
        bytes: text.into_bytes(),
        mode: Mode::Replace,
    })
}

/// Accepts, rejects or withdraws a proposed decision (slug, id or prefix).
pub fn set_decision_status(
    ctx: &Context<'_>,
    decision: &str,
    status: DecisionStatus,
) -> Result<Change> {
    let change = StatusChange {
        status,
        override_reason: None,
        rationale: None,
    };
    change_decision_status(ctx, decision, &change)
}

/// Accepts, rejects or withdraws a proposed decision (slug, id or prefix), refusing up front
/// what the history rules refuse (spec section 7.2): only its author, its deciders or a
/// moderator change its status; it is accepted only when ready at this instant
/// ([`tally::state_at`]) and rejected only when blocked or by its author, unless a moderator
/// overrides (`override_reason`). The file records `decided` (the context's instant),
/// `decided-by` (the writer's handle, or email), and `override` and `rationale` when given.
pub fn change_decision_status(
    ctx: &Context<'_>,
    decision: &str,
    change: &StatusChange,
) -> Result<Change> {
    let decision = ctx.discussion.find_decision(decision)?;
    let status = change.status;
    let verb = match status {
        DecisionStatus::Accepted => "accept",
        DecisionStatus::Rejected => "reject",
        DecisionStatus::Withdrawn => "withdraw",
        _ => {
            return Err(Error::BadValue {
                field: "status",
                value: status.to_string(),
                expected: "accepted, rejected or withdrawn (use supersede for superseded)",
            })
        }
    };
    let config = ctx.discussion.config.as_ref();
    let who = Who::of_email(config, &ctx.author.email);
    let actor = Actor::new(config, &who);
    if !actor.may_change_decision_status(&decision.deciders, decision.author.as_ref()) {
        let deciders = if decision.deciders.is_empty() {
            "its deciders (it names none)".to_owned()
        } else {
            format!("one of its deciders ({})", decision.deciders.join(", "))
        };
        let author = decision
            .author
            .as_ref()
            .map(|a| format!(", its author ({a})"))
            .unwrap_or_default();
        return Err(Error::NotPermitted {
            who: ctx.author.to_string(),
            action: format!("{verb} decision `{}`", decision.slug),
            allowed: format!("{deciders}{author} or a moderator"),
            code: "LH710",
        });
    }
    let override_reason = change
        .override_reason
        .as_deref()
        .map(|reason| -> Result<String> {
            if status == DecisionStatus::Withdrawn {
                return Err(Error::BadValue {
                    field: "override",
                    value: reason.to_owned(),
                    expected: "no override: a withdrawal needs none",
                });
            }
            if !actor.may_override() {
                return Err(Error::NotModerator {
                    who: ctx.author.to_string(),
                    action: "accept or reject a decision against its decision rule (--override)",
                });
            }
            title(reason).map_err(|_| Error::BadValue {
                field: "override",
                value: reason.to_owned(),
                expected: "a reason on one line",
            })
        })
        .transpose()?;
    if !decision.status.can_become(status) {
        return Err(Error::Transition {
            kind: "decision",
            slug: decision.slug.clone(),
            from: decision.status.to_string(),
            to: status.to_string(),
        });
    }
    if override_reason.is_none() {
        ready_for(ctx, decision, status, &actor)?;
    }
    let mut extra = vec![
        ("decided", moment(&ctx.now)),
        (
            "decided-by",
            string(match &who {
                Who::Person(handle) => handle.clone(),
                Who::Email(_) => ctx.author.email.clone(),
            }),
        ),
    ];
    if let Some(reason) = override_reason {
        extra.push(("override", string(reason)));
    }
    if let Some(rationale) = change.rationale.as_deref() {
        let rationale = rationale.trim();
        if rationale.is_empty() {
            return Err(Error::EmptyText);
        }
        extra.push(("rationale", string(rationale)));
    }
    let write = decision_status_write(ctx, decision, status, &extra)?;
    Ok(Change {
        writes: vec![write],
        message: format!("decision({}): {verb}", decision.slug),
    })
}

/// Refuses, with [`Error::NotReady`], an acceptance of a decision that is not ready at the
/// context's instant, and a rejection of one that is not blocked by anyone but its author.
fn ready_for(
    ctx: &Context<'_>,
    decision: &Decision,
    status: DecisionStatus,
    actor: &Actor<'_>,
) -> Result<()> {
    let review = tally::review_at(ctx.discussion, decision, ctx.now.instant);
    let state = review
        .state
        .clone()
        .unwrap_or(State::Pending { until: None });
    let at = |instant: jiff::Timestamp| {
        Moment {
            instant,
            offset: ctx.now.offset,
        }
        .to_string()
    };
    let why = || match &state {
        State::Ready => "it is ready to accept".to_owned(),
        State::Pending { until: Some(until) } => {
            format!("its review period ends {}", at(*until))
        }
        State::Pending { until: None } => {
            let silent = review.tally.silent();
            if silent.is_empty() {
                "no decider has voted +1 yet".to_owned()
            } else {
                let names: Vec<&str> = silent.iter().map(Who::as_str).collect();
                format!("it waits for the votes of {}", names.join(", "))
            }
        }
        State::Blocked { .. } => {
            let objections: Vec<String> = review
                .tally
                .objections()
                .iter()
                .map(|b| {
                    let reason = b.message.body.lines().find(|l| !l.trim().is_empty());
                    match reason {
                        Some(line) => format!(
                            "{} objects (-1, {}): \"{}\"",
                            b.voter,
                            b.message.id,
                            line.trim()
                        ),
                        None => format!("{} objects (-1, {})", b.voter, b.message.id),
                    }
                })
                .collect();
            if objections.is_empty() {
                "the deciders' +1 votes do not outnumber their -1 votes".to_owned()
            } else {
                format!("it is blocked: {}", objections.join("; "))
            }
        }
    };
    let refused = |action: &'static str, reason: String| {
        Err(Error::NotReady {
            slug: decision.slug.clone(),
            action,
            reason,
        })
    };
    match status {
        DecisionStatus::Accepted if state != State::Ready => refused("accepted", why()),
        DecisionStatus::Rejected
            if !matches!(state, State::Blocked { .. })
                && !actor.is_author_of(decision.author.as_ref()) =>
        {
            refused(
                "rejected",
                format!(
                    "{}, and only a blocked decision is rejected by anyone but its author",
                    why()
                ),
            )
        }
        _ => Ok(()),
    }
}

/// Marks the accepted decision `old` as superseded by the accepted (or itself superseded)
/// decision `new`, recording the link at both ends. A decision already superseded gains
/// another successor.
pub fn supersede(ctx: &Context<'_>, old: &str, new: &str) -> Result<Change> {
    let old = ctx.discussion.find_decision(old)?;
    let new = ctx.discussion.find_decision(new)?;
    if old.slug == new.slug {
        return Err(Error::BadValue {
            field: "successor",
            value: new.slug.clone(),
            expected: "another decision",
        });
    }
    if !matches!(
        new.status,
        DecisionStatus::Accepted | DecisionStatus::Superseded
    ) {
        return Err(Error::Transition {
            kind: "decision",
            slug: new.slug.clone(),
            from: new.status.to_string(),
            to: "a successor (accept it first)".into(),
        });
    }
    // `old` moves to superseded (a status change), unless it is superseded already (then it
    // only gains a successor); `new` gains a predecessor (another change).
    let old_moves = old.status != DecisionStatus::Superseded;
    ctx.may_change_decision(old, "mark as superseded", old_moves)?;
    ctx.may_change_decision(new, "record a predecessor in", false)?;
    let mut successors = old.superseded_by.clone();
    successors.push(new.slug.clone());
    let mut predecessors = new.supersedes.clone();
    predecessors.push(old.slug.clone());
    if old.superseded_by.contains(&new.slug) || new.supersedes.contains(&old.slug) {
        return Err(Error::NothingToChange {
            path: old.origin.path.clone(),
        });
    }
    // `new` supersedes `old`: refused when `old` already (indirectly) supersedes `new`, which
    // would close a loop (LH505).
    let mut seen = BTreeSet::new();
    let mut pending = vec![old];
    while let Some(decision) = pending.pop() {
        if !seen.insert(decision.slug.as_str()) {
            continue;
        }
        for reference in &decision.supersedes {
            if let Some(predecessor) = ctx.discussion.decision(reference) {
                if predecessor.slug == new.slug {
                    return Err(Error::BadValue {
                        field: "successor",
                        value: new.slug.clone(),
                        expected: "a decision that the superseded one does not itself (indirectly) supersede; that would be a loop",
                    });
                }
                pending.push(predecessor);
            }
        }
    }
    // A decision already superseded can gain another successor: its status stays.
    let old_write = if old.status == DecisionStatus::Superseded {
        let text = frontmatter::set_field(
            &ctx.text_of(&old.origin.path)?,
            "superseded-by",
            Some(&strings(&successors)),
        )
        .ok_or_else(|| Error::NotClean {
            path: old.origin.path.clone(),
            count: 1,
        })?;
        FileWrite {
            path: old.origin.path.clone(),
            bytes: text.into_bytes(),
            mode: Mode::Replace,
        }
    } else {
        decision_status_write(
            ctx,
            old,
            DecisionStatus::Superseded,
            &[("superseded-by", strings(&successors))],
        )?
    };
    let new_text = frontmatter::set_field(
        &ctx.text_of(&new.origin.path)?,
        "supersedes",
        Some(&strings(&predecessors)),
    )
    .ok_or_else(|| Error::NotClean {
        path: new.origin.path.clone(),
        count: 1,
    })?;
    Ok(Change {
        writes: vec![
            old_write,
            FileWrite {
                path: new.origin.path.clone(),
                bytes: new_text.into_bytes(),
                mode: Mode::Replace,
            },
        ],
        message: format!("decision({}): superseded by {}", old.slug, new.slug),
    })
}

/// Folds the thread `from` into `into` (slugs, ids or prefixes): every reply of `from` moves,
/// byte for byte, with its attachments, into `into`; `from` keeps its header and opening
/// post, becomes `closed`, and names `into` in `merged-into`. A reply that answered `from`'s
/// opening post now answers `into`'s (spec 8.2), so no reply is rewritten.
pub fn merge_threads(ctx: &Context<'_>, from: &str, into: &str) -> Result<Change> {
    let from = ctx.discussion.find_thread(from)?;
    let into = ctx.discussion.find_thread(into)?;
    if from.slug == into.slug {
        return Err(Error::BadValue {
            field: "thread",
            value: into.slug.clone(),
            expected: "another thread to merge into",
        });
    }
    ctx.may_edit_thread(from, "merge")?;
    if from.merged_into.is_some() || from.status == ThreadStatus::Resolved {
        let to = "merged (reopen it, or it is merged already)".to_owned();
        return Err(Error::Transition {
            kind: "thread",
            slug: from.slug.clone(),
            from: from.status.to_string(),
            to,
        });
    }
    let mut writes = Vec::new();
    let from_dir = format!("threads/{}", from.slug);
    let mut pending = vec![from_dir.clone()];
    while let Some(dir) = pending.pop() {
        for entry in ctx.source.list(&dir)? {
            let path = format!("{dir}/{}", entry.name);
            let top = dir == from_dir;
            let reply_name = entry
                .name
                .strip_suffix(".md")
                .is_some_and(|stem| crate::model::Id::parse(stem).is_some());
            let attachments = crate::model::Id::parse(&entry.name).is_some();
            match entry.kind {
                crate::source::EntryKind::File if !top || reply_name => {
                    let moved = format!("threads/{}/{}", into.slug, &path[from_dir.len() + 1..]);
                    if ctx.source.kind(&moved)?.is_some() {
                        return Err(Error::Exists { path: moved });
                    }
                    let bytes = match ctx.source.read(&path, u64::MAX)? {
                        Contents::Bytes(bytes) => bytes,
                        Contents::TooLarge { .. } => Vec::new(),
                    };
                    writes.push(FileWrite {
                        path: moved,
                        bytes,
                        mode: Mode::CreateNew,
                    });
                    writes.push(FileWrite {
                        path,
                        bytes: Vec::new(),
                        mode: Mode::Remove,
                    });
                }
                crate::source::EntryKind::Dir if !top || attachments => pending.push(path),
                _ => {}
            }
        }
    }
    let header = from.origin.path.clone();
    let not_clean = || Error::NotClean {
        path: header.clone(),
        count: 1,
    };
    let mut text = ctx.text_of(&header)?;
    if from.status != ThreadStatus::Closed {
        text = frontmatter::set_field(&text, "status", Some(&string("closed")))
            .ok_or_else(not_clean)?;
    }
    text = frontmatter::set_field(&text, "merged-into", Some(&string(into.slug.clone())))
        .ok_or_else(not_clean)?;
    writes.push(FileWrite {
        path: header,
        bytes: text.into_bytes(),
        mode: Mode::Replace,
    });
    Ok(Change {
        writes,
        message: format!("thread({}): merge into {}", from.slug, into.slug),
    })
}

/// Where a reply to redact is: its thread's slug and its stem.
fn find_reply<'a>(
    discussion: &'a Discussion,
    query: &str,
) -> Result<(&'a Thread, &'a crate::model::Message)> {
    let upper = query.to_ascii_uppercase();
    let all = || {
        discussion
            .threads
            .iter()
            .flat_map(|t| t.replies.iter().map(move |m| (t, m)))
    };
    if let Some(exact) = all().find(|(_, m)| m.stem == upper) {
        return Ok(exact);
    }
    let matches: Vec<_> = all()
        .filter(|(_, m)| !upper.is_empty() && m.stem.starts_with(&upper))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        _ => Err(Error::UnknownReply {
            query: query.to_owned(),
        }),
    }
}

/// The notice a redacted reply's body is replaced with.
pub fn redaction_notice(reason: &str) -> String {
    format!("*This reply was redacted by a moderator. Reason: {reason}*\n")
}

/// Redacts a reply (an id or an unambiguous prefix of one, in any thread): its body becomes
/// [`redaction_notice`], its record (`id`, `author`, `date`, `reply-to`, `vote`, `edited`)
/// stays, and `redacted`, `redacted-by` (the moderator's handle) and `redaction-reason` record
/// the redaction (spec section 13.4). Only a moderator of `longhand.yaml` may redact.
pub fn redact(ctx: &Context<'_>, message: &str, reason: &str) -> Result<Change> {
    let reason = reason.trim();
    if reason.is_empty() || reason.contains(['\n', '\r']) {
        return Err(Error::BadValue {
            field: "reason",
            value: reason.to_owned(),
            expected: "one line of text saying why",
        });
    }
    let config = ctx.discussion.config.as_ref();
    let who = Who::of_email(config, &ctx.author.email);
    // LH705: only a moderator redacts, recorded under their own handle.
    let moderator = who
        .handle()
        .filter(|_| Actor::new(config, &who).is_moderator());
    let Some(handle) = moderator else {
        return Err(Error::NotModerator {
            who: ctx.author.to_string(),
            action: "redact a reply",
        });
    };
    let (thread, reply) = find_reply(ctx.discussion, message)?;
    let path = reply.origin.path.clone();
    if reply.redaction.is_some() {
        return Err(Error::NothingToChange { path });
    }
    let not_clean = || Error::NotClean {
        path: path.clone(),
        count: 1,
    };
    let mut text = ctx.text_of(&path)?;
    for (key, value) in [
        ("redacted", moment(&ctx.now)),
        ("redacted-by", string(handle.to_owned())),
        ("redaction-reason", string(reason)),
    ] {
        text = frontmatter::set_field(&text, key, Some(&value)).ok_or_else(not_clean)?;
    }
    let mut head = frontmatter::without_body(&text)
        .ok_or_else(not_clean)?
        .to_owned();
    if !head.ends_with('\n') {
        head.push('\n');
    }
    Ok(Change {
        writes: vec![FileWrite {
            path: path.clone(),
            bytes: format!("{head}{}", redaction_notice(reason)).into_bytes(),
            mode: Mode::Replace,
        }],
        message: format!("redact({}): {} ({reason})", thread.slug, reply.stem),
    })
}
