//! Replies: answering a thread or one of its messages, with a vote or attachments, and
//! amending one's own reply.

use std::collections::BTreeSet;

use crate::document::emit::{self as frontmatter, string};
use crate::model::permissions::Actor;
use crate::model::DEFAULT_ATTACHMENT_LIMIT;
use crate::model::{Decision, Thread, Vote, Who};
use crate::read::tally::{self};
use crate::write::atomic::Mode;
use crate::write::attach::{self, Attachment};
use crate::write::ids::new_id;
use crate::{Error, Result};

use super::redaction::find_reply;
use super::{body, moment, Change, Context, FileWrite};

/// A reply to a thread.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
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

impl NewReply {
    /// A reply with `body` to a thread's opening post, without a vote.
    pub fn new(body: impl Into<String>) -> NewReply {
        NewReply {
            body: body.into(),
            ..NewReply::default()
        }
    }

    /// Answers the message `id` (or a prefix of it) instead of the opening post.
    pub fn to(mut self, id: impl Into<String>) -> NewReply {
        self.to = Some(id.into());
        self
    }

    /// Casts `vote`.
    pub fn vote(mut self, vote: Vote) -> NewReply {
        self.vote = Some(vote);
        self
    }

    /// Names the decision the vote is for (slug, id or prefix).
    pub fn on(mut self, decision: impl Into<String>) -> NewReply {
        self.on = Some(decision.into());
        self
    }
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

pub(super) fn reply_file(
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
        origin: ctx.origin,
        writes,
        message: format!("reply({}): {}{vote}{files}", thread.slug, ctx.author.name),
    })
}

/// Amends a reply (an id or an unambiguous prefix of one, in any thread): its body becomes
/// `text` and `edited` records now (spec §6.2); every other field stays as it was, so the
/// history rules see an edit by the author (LH703 wants `edited` updated, LH704 the record
/// kept). Only the reply's author may: anyone else is refused before anything is written
/// (LH702; a moderator redacts instead), and so is a redacted reply (LH705).
pub fn edit_reply(ctx: &Context<'_>, message: &str, text: &str) -> Result<Change> {
    let (thread, reply) = find_reply(ctx.discussion, message)?;
    let config = ctx.discussion.config.as_ref();
    let who = Who::of_email(config, &ctx.author.email);
    if !Actor::new(config, &who).may_edit_reply(&reply.author) {
        return Err(Error::NotPermitted {
            who: ctx.author.to_string(),
            action: format!("edit reply {} in thread `{}`", reply.stem, thread.slug),
            allowed: format!(
                "its author ({}); a moderator hides a reply with `longhand redact` instead",
                reply.author
            ),
            code: "LH702",
        });
    }
    let path = reply.origin.path.clone();
    if reply.redaction.is_some() {
        return Err(Error::NotPermitted {
            who: ctx.author.to_string(),
            action: format!("edit reply {}, which a moderator redacted", reply.stem),
            allowed: "a moderator".to_owned(),
            code: "LH705",
        });
    }
    let text = body(text);
    if text.is_empty() {
        return Err(Error::EmptyText);
    }
    if text == body(&reply.body) {
        return Err(Error::NothingToChange { path });
    }
    let not_clean = || Error::NotClean {
        path: path.clone(),
        count: 1,
    };
    let original = ctx.text_of(&path)?;
    let edited = frontmatter::set_field(&original, "edited", Some(&moment(&ctx.now)))
        .ok_or_else(not_clean)?;
    let bytes = frontmatter::with_body(&edited, &text)
        .ok_or_else(not_clean)?
        .into_bytes();
    Ok(Change {
        origin: ctx.origin,
        writes: vec![FileWrite {
            path,
            bytes,
            mode: Mode::Replace,
        }],
        message: format!(
            "reply({}): {} edits {}",
            thread.slug, ctx.author.name, reply.stem
        ),
    })
}
