//! Redaction: a moderator hides a reply's text and keeps its record (spec section 13.4).

use crate::document::emit::{self as frontmatter, string};
use crate::model::permissions::Actor;
use crate::model::Who;
use crate::model::{Discussion, Thread};
use crate::write::atomic::Mode;
use crate::{Error, Result};

use super::{moment, Change, Context, FileWrite};

/// The reply `query` names (an id or an unambiguous prefix of one, case-insensitive, in any
/// thread), with its thread; [`Error::UnknownReply`] when none or several match.
pub fn find_reply<'a>(
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
    let bytes = frontmatter::with_body(&text, &redaction_notice(reason))
        .ok_or_else(not_clean)?
        .into_bytes();
    Ok(Change {
        origin: ctx.origin,
        writes: vec![FileWrite {
            path: path.clone(),
            bytes,
            mode: Mode::Replace,
        }],
        message: format!("redact({}): {} ({reason})", thread.slug, reply.stem),
    })
}
