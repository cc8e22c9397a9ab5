//! References between files: unique ids, `reply-to`, `thread`/`decision` links, known people,
//! reply loops and replies dated before their parents.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Discussion, Id, Message, Moment, Origin, PartialKind};

pub(super) fn check(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    duplicate_ids(discussion, diagnostics);
    people(discussion, diagnostics);
    let merged = MergedInto::new(discussion);
    for thread in &discussion.threads {
        if let Some(reference) = &thread.merged_into {
            if !resolves_to_thread(discussion, reference) {
                unresolved(
                    &thread.origin,
                    "merged-into",
                    reference,
                    "thread",
                    diagnostics,
                );
            }
        }
        if let Some(reference) = &thread.decision {
            if !resolves_to_decision(discussion, reference) {
                unresolved(
                    &thread.origin,
                    "decision",
                    reference,
                    "decision",
                    diagnostics,
                );
            }
        }
        let head = (Some(&thread.id), Some(&thread.date));
        replies(
            discussion,
            &merged,
            &thread.slug,
            head,
            &thread.replies,
            diagnostics,
        );
    }
    for headless in &discussion.headless {
        let head = (headless.id.as_ref(), headless.date.as_ref());
        replies(
            discussion,
            &merged,
            &headless.slug,
            head,
            &headless.replies,
            diagnostics,
        );
    }
    partial_replies(discussion, &merged, diagnostics);
    for decision in &discussion.decisions {
        if let Some(reference) = &decision.thread {
            if !resolves_to_thread(discussion, reference) {
                unresolved(&decision.origin, "thread", reference, "thread", diagnostics);
            }
        }
        for key in ["supersedes", "superseded-by"] {
            let list = if key == "supersedes" {
                &decision.supersedes
            } else {
                &decision.superseded_by
            };
            for reference in list {
                if !resolves_to_decision(discussion, reference) {
                    unresolved(&decision.origin, key, reference, "decision", diagnostics);
                }
            }
        }
    }
}

/// True when `reference` names a decision, readable or not.
pub(super) fn resolves_to_decision(discussion: &Discussion, reference: &str) -> bool {
    discussion.decision(reference).is_some()
        || discussion.reserved.decisions.contains(reference)
        || partial_id(discussion, PartialKind::Decision, reference)
}

fn resolves_to_thread(discussion: &Discussion, reference: &str) -> bool {
    discussion.thread(reference).is_some()
        || discussion.reserved.threads.contains(reference)
        || discussion
            .headless
            .iter()
            .any(|h| h.id.as_ref().is_some_and(|id| id.as_str() == reference))
}

/// True when a record left out of the model, of this kind, has this id.
fn partial_id(discussion: &Discussion, kind: PartialKind, id: &str) -> bool {
    discussion
        .partial
        .iter()
        .any(|p| p.kind == kind && p.id.as_ref().is_some_and(|i| i.as_str() == id))
}

pub(super) fn unresolved(
    origin: &Origin,
    key: &str,
    reference: &str,
    kind: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let (line, column) = origin.position(key);
    diagnostics.push(
        Diagnostic::new(
            Code::ReferenceUnresolved,
            &origin.path,
            format!("`{key}` names `{reference}`, but no {kind} has that slug or id"),
        )
        .at(line, column)
        .with_help(format!(
            "use the slug (file name) or id of an existing {kind}"
        )),
    );
}

fn duplicate_ids(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    let mut all: Vec<(&str, &Origin)> = Vec::new();
    for thread in &discussion.threads {
        all.push((thread.id.as_str(), &thread.origin));
        for message in &thread.replies {
            all.push((message.id.as_str(), &message.origin));
        }
    }
    for message in discussion.headless.iter().flat_map(|h| &h.replies) {
        all.push((message.id.as_str(), &message.origin));
    }
    for partial in &discussion.partial {
        if let Some(id) = &partial.id {
            all.push((id.as_str(), &partial.origin));
        }
    }
    for decision in &discussion.decisions {
        all.push((decision.id.as_str(), &decision.origin));
    }
    // Only ids written more than once can be reported: those few are put in path order (the
    // same order, and so the same first holder, as sorting everything would give).
    let mut count: HashMap<&str, u32> = HashMap::with_capacity(all.len());
    for (id, _) in &all {
        *count.entry(id).or_default() += 1;
    }
    all.retain(|(id, _)| count.get(id).is_some_and(|n| *n > 1));
    all.sort_by(|a, b| a.1.path.as_bytes().cmp(b.1.path.as_bytes()));
    let mut first: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, origin) in all {
        match first.get(id) {
            Some(path) => {
                let (line, column) = origin.position("id");
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        &origin.path,
                        format!("the id `{id}` is already used by {path}"),
                    )
                    .at(line, column),
                );
            }
            None => {
                first.insert(id, &origin.path);
            }
        }
    }
}

fn people(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    let Some(config) = &discussion.config else {
        return;
    };
    let mut check = |origin: &Origin, key: &str, list: &[String]| {
        for who in list {
            if !who.contains('@') && !config.people.contains_key(who) {
                let (line, column) = origin.position(key);
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownPerson,
                        &origin.path,
                        format!("`{key}` names `{who}`, who is not in longhand.yaml's people"),
                    )
                    .at(line, column),
                );
            }
        }
    };
    for thread in &discussion.threads {
        check(&thread.origin, "awaiting", &thread.awaiting);
    }
    for decision in &discussion.decisions {
        check(&decision.origin, "deciders", &decision.deciders);
    }
}

/// Rules on the replies of one thread directory; `head` is the thread's id and date, each
/// `None` when thread.md could not be read that far.
fn replies(
    discussion: &Discussion,
    merged: &MergedInto,
    slug: &str,
    head: (Option<&Id>, Option<&Moment>),
    replies: &[Message],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let by_stem: BTreeMap<&str, &Message> = replies.iter().map(|m| (m.stem.as_str(), m)).collect();
    let parents: std::collections::HashMap<&str, &str> = replies
        .iter()
        .filter_map(|m| {
            let target = m.reply_to.as_deref()?;
            by_stem
                .get(target)
                .map(|p| (m.stem.as_str(), p.stem.as_str()))
        })
        .collect();
    let looped = crate::model::loop_members(&parents);
    let names = discussion.reserved.replies.get(slug);
    for message in replies {
        let parent_date = match message.reply_to.as_deref() {
            None => head.1,
            Some(target) if head.0.is_some_and(|id| id.as_str() == target) => head.1,
            // A reply moved here from a thread merged into this one may still answer that
            // thread's opening post: it now answers this one's.
            Some(target) if merged.here(slug, head.0, target) => None,
            Some(target) if names.is_some_and(|n| n.contains(target)) => {
                by_stem.get(target).map(|m| &m.date)
            }
            // With the thread's id unknown, the target may be that id.
            Some(_) if head.0.is_none() => None,
            Some(target) => {
                let elsewhere = discussion
                    .reserved
                    .replies
                    .iter()
                    .find(|(_, stems)| stems.contains(target))
                    .map(|(slug, _)| slug.as_str());
                let message_text = match elsewhere {
                    Some(other) => format!(
                        "`reply-to` names `{target}`, a message of thread `{other}`, not of this thread"
                    ),
                    None => format!("`reply-to` names `{target}`, which is no message of this thread"),
                };
                let (line, column) = message.origin.position("reply-to");
                diagnostics.push(
                    Diagnostic::new(Code::ReplyToUnresolved, &message.origin.path, message_text)
                        .at(line, column),
                );
                None
            }
        };
        if looped.contains(message.stem.as_str()) {
            let (line, column) = message.origin.position("reply-to");
            diagnostics.push(
                Diagnostic::new(
                    Code::ReplyCycle,
                    &message.origin.path,
                    "following `reply-to` from this reply comes back to it",
                )
                .at(line, column),
            );
        } else if let Some(parent) = parent_date {
            if message.date.instant < parent.instant {
                let (line, column) = message.origin.position("date");
                diagnostics.push(
                    Diagnostic::new(
                        Code::ReplyBeforeParent,
                        &message.origin.path,
                        format!(
                            "this reply is dated {}, before the message it answers ({parent})",
                            message.date
                        ),
                    )
                    .at(line, column),
                );
            }
        }
    }
}

/// The `merged-into` references of merged threads, by the merged thread's id: built once, so
/// that asking about a reply's target is a lookup rather than a pass over every thread (which
/// made checking replies quadratic in the size of the discussion).
struct MergedInto<'a>(HashMap<&'a str, Vec<&'a str>>);

impl<'a> MergedInto<'a> {
    fn new(discussion: &'a Discussion) -> MergedInto<'a> {
        let mut map: HashMap<&str, Vec<&str>> = HashMap::new();
        for thread in &discussion.threads {
            if let Some(into) = thread.merged_into.as_deref() {
                map.entry(thread.id.as_str()).or_default().push(into);
            }
        }
        MergedInto(map)
    }

    /// True when `target` is the id of a thread that was merged into the thread `slug` (whose
    /// id is `id`).
    fn here(&self, slug: &str, id: Option<&Id>, target: &str) -> bool {
        self.0.get(target).is_some_and(|intos| {
            intos
                .iter()
                .any(|r| *r == slug || id.is_some_and(|id| id.as_str() == *r))
        })
    }
}

/// `reply-to` of replies left out of the model must still name a message of their thread.
fn partial_replies(
    discussion: &Discussion,
    merged: &MergedInto,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for partial in discussion
        .partial
        .iter()
        .filter(|p| p.kind == PartialKind::Reply)
    {
        let Some(target) = partial.reply_to.as_deref() else {
            continue;
        };
        let thread_id = match discussion.threads.iter().find(|t| t.slug == partial.slug) {
            Some(thread) => Some(thread.id.as_str()),
            None => discussion
                .headless
                .iter()
                .find(|h| h.slug == partial.slug)
                .and_then(|h| h.id.as_ref().map(Id::as_str)),
        };
        let Some(thread_id) = thread_id else {
            continue; // the thread's id is unknown: the target may be it
        };
        let known = discussion
            .reserved
            .replies
            .get(&partial.slug)
            .is_some_and(|stems| stems.contains(target));
        let merged = merged.here(&partial.slug, None, target);
        if target != thread_id && !known && !merged {
            let (line, column) = partial.origin.position("reply-to");
            diagnostics.push(
                Diagnostic::new(
                    Code::ReplyToUnresolved,
                    &partial.origin.path,
                    format!("`reply-to` names `{target}`, which is no message of this thread"),
                )
                .at(line, column),
            );
        }
    }
}
