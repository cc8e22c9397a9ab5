//! Threads: opening one, editing its header, linking it to its decision, moving its status,
//! folding a duplicate into another.

use crate::document::emit::{self as frontmatter, string, strings};
use crate::document::Value;
use crate::model::ThreadStatus;
use crate::model::Who;
use crate::source::Contents;
use crate::write::atomic::Mode;
use crate::write::ids::new_id;
use crate::write::slug::choose_slug;
use crate::{Error, Result};

use super::replies::{reply_file, NewReply};
use super::{body, deadline_value, moment, tags, title, Change, Context, FileWrite};

/// A new thread.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
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
    /// The thread's directory name, instead of one derived from the date and the title: a
    /// slug (spec section 3) that no thread has taken.
    pub slug: Option<String>,
}

impl NewThread {
    /// A thread titled `title` opening with `body`, without tags, awaited people or deadline.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> NewThread {
        NewThread {
            title: title.into(),
            body: body.into(),
            ..NewThread::default()
        }
    }

    /// Adds a tag.
    pub fn tag(mut self, tag: impl Into<String>) -> NewThread {
        self.tags.push(tag.into());
        self
    }

    /// Asks someone (a handle or an email) for an answer.
    pub fn awaiting(mut self, who: impl Into<String>) -> NewThread {
        self.awaiting.push(who.into());
        self
    }

    /// Sets the deadline, as typed: RFC 3339, a date, or a span such as `3d`.
    pub fn respond_by(mut self, when: impl Into<String>) -> NewThread {
        self.respond_by = Some(when.into());
        self
    }

    /// Names the thread's directory `slug` instead of deriving it from the title.
    pub fn slug(mut self, slug: impl Into<String>) -> NewThread {
        self.slug = Some(slug.into());
        self
    }
}

/// Changes to a thread's header.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
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

impl ThreadEdit {
    /// An edit that changes nothing yet; the setters add to it.
    pub fn new() -> ThreadEdit {
        ThreadEdit::default()
    }

    /// A new title.
    pub fn title(mut self, title: impl Into<String>) -> ThreadEdit {
        self.title = Some(title.into());
        self
    }

    /// Adds a tag.
    pub fn add_tag(mut self, tag: impl Into<String>) -> ThreadEdit {
        self.add_tags.push(tag.into());
        self
    }

    /// Removes a tag.
    pub fn remove_tag(mut self, tag: impl Into<String>) -> ThreadEdit {
        self.remove_tags.push(tag.into());
        self
    }

    /// Asks someone for an answer.
    pub fn await_person(mut self, who: impl Into<String>) -> ThreadEdit {
        self.await_people.push(who.into());
        self
    }

    /// Stops waiting for someone.
    pub fn unawait_person(mut self, who: impl Into<String>) -> ThreadEdit {
        self.unawait_people.push(who.into());
        self
    }

    /// A new deadline, as typed.
    pub fn respond_by(mut self, when: impl Into<String>) -> ThreadEdit {
        self.respond_by = Some(when.into());
        self
    }
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
    let slug = choose_slug(
        request.slug.as_deref(),
        &title,
        &ctx.now,
        ctx.taken_thread_slugs(),
        "a slug no thread has taken (`longhand list` shows them)",
    )?;
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
        origin: ctx.origin,
        writes: vec![FileWrite {
            path: format!("threads/{slug}/thread.md"),
            bytes: frontmatter::document(&fields, &text).into_bytes(),
            mode: Mode::CreateNew,
        }],
        message: format!("thread({slug}): open \"{title}\""),
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
        origin: ctx.origin,
        writes: vec![FileWrite {
            path,
            bytes: text.into_bytes(),
            mode: Mode::Replace,
        }],
        message: format!("thread({}): edit {}", thread.slug, changed.join(", ")),
    })
}

/// Sets a thread's `decision` (the record that resolved it) to `decision` (a slug, id or
/// prefix of an existing decision, written as its slug), or removes it with `None`. Only the
/// thread's author or a moderator may, as for any header edit (LH708).
pub fn link_decision(ctx: &Context<'_>, thread: &str, decision: Option<&str>) -> Result<Change> {
    let thread = ctx.discussion.find_thread(thread)?;
    let target = decision
        .map(|d| ctx.discussion.find_decision(d).map(|d| d.slug.clone()))
        .transpose()?;
    let verb = if target.is_some() { "link" } else { "unlink" };
    ctx.may_edit_thread(thread, verb)?;
    let path = thread.origin.path.clone();
    if thread.decision == target {
        return Err(Error::NothingToChange { path });
    }
    let text = frontmatter::set_field(
        &ctx.text_of(&path)?,
        "decision",
        target.clone().map(string).as_ref(),
    )
    .ok_or_else(|| Error::NotClean {
        path: path.clone(),
        count: 1,
    })?;
    let message = match &target {
        Some(slug) => format!("thread({}): link decision {slug}", thread.slug),
        None => format!("thread({}): unlink decision", thread.slug),
    };
    Ok(Change {
        origin: ctx.origin,
        writes: vec![FileWrite {
            path,
            bytes: text.into_bytes(),
            mode: Mode::Replace,
        }],
        message,
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
        origin: ctx.origin,
        writes,
        message: format!("thread({}): {verb}", thread.slug),
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
        origin: ctx.origin,
        writes,
        message: format!("thread({}): merge into {}", from.slug, into.slug),
    })
}
