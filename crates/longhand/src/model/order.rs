//! The derived reading order of a thread: a parent before its replies, siblings by instant,
//! then by id. Never stored, the same on every clone.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    let parents: HashMap<&str, &str> = thread
        .replies
        .iter()
        .filter_map(|m| parent_of(m).map(|p| (m.stem.as_str(), p)))
        .collect();
    let looped = loop_members(&parents);
    let in_cycle = |message: &Message| looped.contains(message.stem.as_str());
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

/// The members of loops in a parent relation (`child → parent`), found in time linear in its
/// size: each walk stops at the first node an earlier walk already settled.
pub(crate) fn loop_members<'a>(parents: &HashMap<&'a str, &'a str>) -> BTreeSet<&'a str> {
    let mut settled: BTreeSet<&str> = BTreeSet::new();
    let mut members = BTreeSet::new();
    for start in parents.keys() {
        let mut path: Vec<&str> = Vec::new();
        let mut on_path: HashMap<&str, usize> = HashMap::new();
        let mut current = Some(*start);
        while let Some(node) = current {
            if settled.contains(node) {
                break;
            }
            if let Some(&at) = on_path.get(node) {
                members.extend(path[at..].iter().copied());
                break;
            }
            on_path.insert(node, path.len());
            path.push(node);
            current = parents.get(node).copied();
        }
        settled.extend(path);
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_are_found_once_and_tails_into_them_are_not_members() {
        let parents: HashMap<&str, &str> =
            [("a", "b"), ("b", "a"), ("c", "a"), ("d", "d"), ("e", "f")].into();
        let members: Vec<&str> = loop_members(&parents).into_iter().collect();
        assert_eq!(members, ["a", "b", "d"]);
    }

    #[test]
    fn a_long_chain_is_linear() {
        let names: Vec<String> = (0..100_000).map(|i| format!("m{i}")).collect();
        let parents: HashMap<&str, &str> = names
            .windows(2)
            .map(|w| (w[1].as_str(), w[0].as_str()))
            .collect();
        assert!(loop_members(&parents).is_empty());
    }
}
