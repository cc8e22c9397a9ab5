//! The field-by-field merge of frontmatter: which keys the result has, in which order, and
//! each key's merged value or conflict. Text layout (markers, fences, the body) is `mod.rs`'s.

use std::collections::BTreeSet;

use crate::document::emit;
use crate::document::{Field, Scalar, Value};
use crate::model::keys::{DECISION_KEYS, REPLY_KEYS, THREAD_KEYS};

/// Lists that are sets: they merge by adding what either side added and removing what either
/// side removed.
pub(crate) const SET_KEYS: &[&str] = &[
    "tags",
    "awaiting",
    "deciders",
    "supersedes",
    "superseded-by",
];

/// One line of the merged frontmatter, or a conflict to write between markers.
#[derive(Debug)]
pub(crate) enum Piece {
    Line(String),
    Conflict {
        key: String,
        ours: Option<Value>,
        theirs: Option<Value>,
    },
}

/// The merged frontmatter of three parsed sides: known keys in the protocol's order for the
/// file's kind, then unknown keys in order of appearance.
pub(crate) fn merge(base: &[Field], ours: &[Field], theirs: &[Field]) -> Vec<Piece> {
    let known = known_keys([base, ours, theirs]);
    let mut pieces = Vec::new();
    for key in key_order(known, base, ours, theirs) {
        let (b, o, t) = (get(base, &key), get(ours, &key), get(theirs, &key));
        match merge_value(&key, b, o, t) {
            Ok(Some(value)) => pieces.push(Piece::Line(line(&key, &value))),
            Ok(None) => {}
            Err(()) => pieces.push(Piece::Conflict {
                key,
                ours: o.cloned(),
                theirs: t.cloned(),
            }),
        }
    }
    pieces
}

fn get<'a>(fields: &'a [Field], key: &str) -> Option<&'a Value> {
    fields.iter().find(|f| f.key == key).map(|f| &f.value)
}

/// `key: value`, with the key and value quoted where YAML needs it, and votes quoted as
/// writers must (`vote: "+1"`).
pub(crate) fn line(key: &str, value: &Value) -> String {
    let written_key = if key == "<<" {
        // The plain key `<<` is a merge key; the quoted one is an ordinary key.
        "\"<<\"".to_owned()
    } else {
        emit::scalar(key)
    };
    let written_value = match value {
        Value::Scalar(Scalar::Number(n)) if key == "vote" => {
            let vote = if n == "1" { "+1".to_owned() } else { n.clone() };
            emit::value(&Value::Scalar(Scalar::String(vote)))
        }
        other => emit::value(other),
    };
    format!("{written_key}: {written_value}")
}

/// The protocol's keys for the file's kind, told by the keys any side has: a decision record
/// has one of the keys only decisions have, a thread header a title or a status, a reply
/// neither.
fn known_keys(sides: [&[Field]; 3]) -> &'static [&'static str] {
    let has = |key: &str| sides.iter().any(|s| s.iter().any(|f| f.key == key));
    if [
        "deciders",
        "review-by",
        "supersedes",
        "superseded-by",
        "thread",
    ]
    .iter()
    .any(|k| has(k))
    {
        DECISION_KEYS
    } else if ["title", "status"].iter().any(|k| has(k)) {
        THREAD_KEYS
    } else {
        REPLY_KEYS
    }
}

/// Known keys in the protocol's order, then base's unknown keys in its order, then the
/// unknown keys new on each side, in that side's order: the side whose new keys sort first
/// (compared key by key) goes first, so that swapping the sides changes nothing.
fn key_order(known: &[&str], base: &[Field], ours: &[Field], theirs: &[Field]) -> Vec<String> {
    let mut order: Vec<String> = known
        .iter()
        .filter(|k| {
            [base, ours, theirs]
                .iter()
                .any(|s| s.iter().any(|f| f.key == **k))
        })
        .map(|k| (*k).to_owned())
        .collect();
    let unknown = |fields: &[Field]| -> Vec<String> {
        fields
            .iter()
            .filter(|f| !known.contains(&f.key.as_str()))
            .map(|f| f.key.clone())
            .collect()
    };
    let in_base = unknown(base);
    let new = |fields: &[Field]| -> Vec<String> {
        unknown(fields)
            .into_iter()
            .filter(|k| !in_base.contains(k))
            .collect()
    };
    let (first, second) = symmetric(new(ours), new(theirs));
    let mut seen = BTreeSet::new();
    for key in in_base.into_iter().chain(first).chain(second) {
        if seen.insert(key.clone()) {
            order.push(key);
        }
    }
    order
}

/// The two sides' contributions in an order that does not depend on which side is ours.
fn symmetric<T: Ord>(a: Vec<T>, b: Vec<T>) -> (Vec<T>, Vec<T>) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// One key's merged value: `Ok(None)` when the key is absent from the result, `Err(())` for
/// a true conflict.
fn merge_value(
    key: &str,
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
) -> Result<Option<Value>, ()> {
    if SET_KEYS.contains(&key) {
        if let (Some(b), Some(o), Some(t)) = (as_list(base), as_list(ours), as_list(theirs)) {
            let items = set_merge(b, o, t);
            // Presence merges like a scalar; it cannot conflict, having two values.
            let present = if ours.is_some() != base.is_some() {
                ours.is_some()
            } else {
                theirs.is_some()
            };
            return Ok((present || !items.is_empty()).then_some(Value::List(items)));
        }
    }
    if ours == theirs || theirs == base {
        Ok(ours.cloned())
    } else if ours == base {
        Ok(theirs.cloned())
    } else {
        Err(())
    }
}

/// A list value as a set's items, absent being empty; `None` for a scalar.
fn as_list(value: Option<&Value>) -> Option<&[Scalar]> {
    match value {
        None => Some(&[]),
        Some(Value::List(items)) => Some(items),
        Some(Value::Scalar(_)) => None,
    }
}

/// A three-way set merge: base's items that neither side removed, in base's order, then the
/// items each side added, in that side's order (the side whose additions sort first, item by
/// item as written, goes first). Each item appears once.
fn set_merge(base: &[Scalar], ours: &[Scalar], theirs: &[Scalar]) -> Vec<Scalar> {
    let text = |items: &[Scalar]| -> Vec<String> { items.iter().map(emit::item).collect() };
    let (b, o, t) = (text(base), text(ours), text(theirs));
    let (in_ours, in_theirs): (BTreeSet<&String>, BTreeSet<&String>) =
        (o.iter().collect(), t.iter().collect());
    let in_base: BTreeSet<&String> = b.iter().collect();
    let added = |items: &[Scalar], texts: &[String]| -> Vec<(String, Scalar)> {
        texts
            .iter()
            .zip(items)
            .filter(|(text, _)| !in_base.contains(text))
            .map(|(text, item)| (text.clone(), item.clone()))
            .collect()
    };
    let (added_ours, added_theirs) = (added(ours, &o), added(theirs, &t));
    let texts = |items: &[(String, Scalar)]| -> Vec<String> {
        items.iter().map(|(text, _)| text.clone()).collect()
    };
    let (first, second) = if texts(&added_ours) <= texts(&added_theirs) {
        (added_ours, added_theirs)
    } else {
        (added_theirs, added_ours)
    };
    let mut seen = BTreeSet::new();
    let mut merged = Vec::new();
    let kept = b
        .iter()
        .zip(base)
        .filter(|(text, _)| in_ours.contains(text) && in_theirs.contains(text))
        .map(|(text, item)| (text.clone(), item.clone()));
    for (text, item) in kept.chain(first).chain(second) {
        if seen.insert(text) {
            merged.push(item);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<Scalar> {
        items.iter().map(|s| Scalar::String((*s).into())).collect()
    }

    #[test]
    fn sets_keep_base_order_then_additions_whichever_side_is_ours() {
        let merged = set_merge(
            &list(&["a", "b", "c"]),
            &list(&["a", "c", "z"]),
            &list(&["b", "a", "c", "m", "n"]),
        );
        assert_eq!(merged, list(&["a", "c", "m", "n", "z"]));
        let swapped = set_merge(
            &list(&["a", "b", "c"]),
            &list(&["b", "a", "c", "m", "n"]),
            &list(&["a", "c", "z"]),
        );
        assert_eq!(swapped, merged);
    }

    #[test]
    fn an_item_added_on_both_sides_appears_once() {
        assert_eq!(
            set_merge(&list(&[]), &list(&["p", "q"]), &list(&["q", "m"])),
            list(&["p", "q", "m"])
        );
    }

    #[test]
    fn a_vote_is_written_quoted() {
        assert_eq!(
            line("vote", &Value::Scalar(Scalar::Number("1".into()))),
            "vote: \"+1\""
        );
        assert_eq!(
            line("vote", &Value::Scalar(Scalar::Number("-1".into()))),
            "vote: \"-1\""
        );
        assert_eq!(
            line("<<", &Value::Scalar(Scalar::String("x".into()))),
            "\"<<\": x"
        );
    }
}
