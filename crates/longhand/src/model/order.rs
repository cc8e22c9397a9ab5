//! The derived reading order of a thread: a parent before its replies, siblings by instant,
//! then by id. Never stored, the same on every clone.

use std::collections::{BTreeMap, BTreeSet};

use super::{Message, Thread};

/// The thread's replies in reading order, each with its depth (1 = answers the opening post).
///
/// Replies whose `reply-to` resolves to nothing in the thread, or that are members of a
/// `reply-to` loop, are placed as answers to the opening post, so every reply appears exactly once.
pub fn thread_order(thread: &Thread) -> Vec<(&Message, usize)> {
    let by_stem: BTreeMap<&str, &Message> = thread
        .replies
        .iter()
        .map(|m| (m.stem.as_str(), m))
        .collect();
    let parent_of = |message: &Message| -> Option<&str> {
        let target = message.reply_to.as_deref()?;
        if target == thread.id.as_str() {
            return None;
        }
        by_stem.get(target).map(|m| m.stem.as_str())
    };
    // A reply inside a reply-to loop is cut loose from it, so the walk below terminates.
    let in_cycle = |message: &Message| -> bool {
        let mut seen = BTreeSet::new();
        let mut current = parent_of(message);
        while let Some(stem) = current {
            if stem == message.stem || !seen.insert(stem) {
                return stem == message.stem;
            }
            current = by_stem.get(stem).and_then(|m| parent_of(m));
        }
        false
    };
    let mut children: BTreeMap<Option<&str>, Vec<&Message>> = BTreeMap::new();
    for message in &thread.replies {
        let parent = if in_cycle(message) {
            None
        } else {
            parent_of(message)
        };
        children.entry(parent).or_default().push(message);
    }
    for siblings in children.values_mut() {
        siblings.sort_by(|a, b| {
            (a.date.instant, a.id.as_str(), a.stem.as_str()).cmp(&(
                b.date.instant,
                b.id.as_str(),
                b.stem.as_str(),
            ))
        });
    }
    let mut ordered = Vec::with_capacity(thread.replies.len());
    let mut stack: Vec<(&Message, usize)> = children
        .get(&None)
        .map(|top| top.iter().rev().map(|m| (*m, 1)).collect())
        .unwrap_or_default();
    while let Some((message, depth)) = stack.pop() {
        ordered.push((message, depth));
        if let Some(replies) = children.get(&Some(message.stem.as_str())) {
            stack.extend(replies.iter().rev().map(|m| (*m, depth + 1)));
        }
    }
    ordered
}
