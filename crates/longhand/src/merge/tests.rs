//! The merge's promises: worked examples, then properties over random edit scripts applied to
//! realistic `thread.md` files on both sides of a merge.

use proptest::prelude::*;

use super::*;
use crate::document::{parse_markdown, Scalar};

fn merge(base: &str, ours: &str, theirs: &str) -> (String, Merged) {
    let merged = three_way(base.as_bytes(), ours.as_bytes(), theirs.as_bytes(), 7).expect("merges");
    (
        String::from_utf8(merged.text.clone()).expect("utf-8"),
        merged,
    )
}

const BASE: &str = "---\nid: 01M86RHMA0M9S346Q3D25VT4F5\ntitle: Standups\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:30:00-03:00\nstatus: open\ntags: [process]\nawaiting: [bo]\n---\nHello\n";

#[test]
fn separate_changes_merge_and_the_same_line_conflicts() {
    let base = b"a\nb\nc\n";
    let merged = lines(base, b"A\nb\nc\n", b"a\nb\nC\n", 7).expect("merges");
    assert_eq!(merged.text, b"A\nb\nC\n");
    assert!(merged.is_clean());
    let conflict = lines(base, b"x\nb\nc\n", b"y\nb\nc\n", 7).expect("merges");
    assert_eq!(conflict.conflicts, vec![Conflict::Lines { line: 1 }]);
    let text = String::from_utf8(conflict.text).expect("utf-8");
    assert!(
        text.contains("<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n"),
        "{text}"
    );
}

/// Found by the `merge` fuzz target: a side with NUL bytes made libgit2 return no content,
/// which git2 read through a null pointer (undefined behaviour, a panic in debug builds).
#[test]
fn a_side_with_nul_bytes_is_a_binary_conflict_that_keeps_ours() {
    let binary = format!("\0\0\0s repository instead.\n\0{BASE}");
    let merged = three_way(BASE.as_bytes(), b"", binary.as_bytes(), 7).expect("merges");
    assert_eq!(merged.conflicts, vec![Conflict::Binary]);
    assert_eq!(merged.text, b"");
    // Only one side changed: that side wins, as git decides for binary files.
    let merged = three_way(BASE.as_bytes(), BASE.as_bytes(), binary.as_bytes(), 7).expect("merges");
    assert!(merged.is_clean());
    assert_eq!(merged.text, binary.as_bytes());
    let merged = lines(b"\0", b"\0a", b"\0", 7).expect("merges");
    assert_eq!(
        (merged.text.as_slice(), merged.is_clean()),
        (&b"\0a"[..], true)
    );
}

#[test]
fn different_changes_to_one_scalar_are_a_conflict_around_that_field() {
    let ours = BASE
        .replace("status: open", "status: resolved")
        .replace("Hello", "Hello all");
    let theirs = BASE
        .replace("status: open", "status: closed")
        .replace("tags: [process]", "tags: [process, q4]");
    let (text, merged) = merge(BASE, &ours, &theirs);
    assert_eq!(
        merged.conflicts,
        vec![Conflict::Field {
            key: "status".into(),
            ours: Some(Value::Scalar(Scalar::String("resolved".into()))),
            theirs: Some(Value::Scalar(Scalar::String("closed".into()))),
            line: 6,
        }]
    );
    assert_eq!(merged.conflict_count(), 1);
    assert!(
        text.contains("date: 2026-11-24T09:30:00-03:00\n<<<<<<< ours\nstatus: resolved\n=======\nstatus: closed\n>>>>>>> theirs\ntags: [process, q4]\n"),
        "{text}"
    );
    assert!(text.ends_with("---\nHello all\n"), "{text}");
    let reported = parse_markdown("thread.md", text.as_bytes());
    assert!(reported
        .diagnostics
        .iter()
        .any(|d| d.code == crate::Code::ConflictMarker && d.line == Some(6)));
}

#[test]
fn a_field_removed_on_one_side_and_changed_on_the_other_conflicts_with_an_empty_side() {
    let base = BASE.replace(
        "awaiting: [bo]\n",
        "awaiting: [bo]\nrespond-by: 2026-12-01\n",
    );
    let ours = base.replace("respond-by: 2026-12-01\n", "");
    let theirs = base.replace("2026-12-01", "2026-12-04");
    let (text, merged) = merge(&base, &ours, &theirs);
    assert_eq!(merged.conflict_count(), 1);
    assert!(
        text.contains("<<<<<<< ours\n=======\nrespond-by: 2026-12-04\n>>>>>>> theirs\n"),
        "{text}"
    );
}

#[test]
fn body_conflicts_are_placed_at_their_lines_in_the_whole_file() {
    let ours = BASE.replace("Hello", "Hi");
    let theirs = BASE.replace("Hello", "Hey");
    let (text, merged) = merge(BASE, &ours, &theirs);
    assert_eq!(merged.conflicts, vec![Conflict::Lines { line: 10 }]);
    assert_eq!(text.lines().nth(9), Some("<<<<<<< ours"));
    assert_eq!(merged.method, Method::Fields);
}

#[test]
fn a_side_that_does_not_parse_is_merged_as_lines() {
    let ours = BASE.replace("tags: [process]", "tags: {nested: map}");
    let theirs = BASE.replace("Hello", "Hello there");
    let (text, merged) = merge(BASE, &ours, &theirs);
    assert_eq!(merged.method, Method::Lines);
    assert!(merged.is_clean());
    assert!(text.contains("tags: {nested: map}\n") && text.ends_with("Hello there\n"));
}

#[test]
fn unknown_keys_new_on_each_side_are_ordered_the_same_whichever_side_is_ours() {
    let ours = BASE
        .replace("---\nHello", "zeta: 1\nmood: calm\n---\nHello")
        .replace("title: Standups", "title: Async standups");
    let theirs = BASE
        .replace("---\nHello", "alpha: x\n---\nHello")
        .replace("status: open", "status: resolved");
    let (text, merged) = merge(BASE, &ours, &theirs);
    let (swapped, _) = merge(BASE, &theirs, &ours);
    assert!(merged.is_clean());
    assert_eq!(text, swapped);
    assert!(
        text.contains("awaiting: [bo]\nalpha: x\nzeta: 1\nmood: calm\n---\n"),
        "{text}"
    );
}

#[test]
fn a_decision_record_is_written_in_decision_order() {
    let base = "---\nid: 01M88YXTM0P1XPA7Z3DJ8FSSZ5\ntitle: Check-ins\nstatus: proposed\ndate: 2026-11-25T10:00:00+01:00\ndeciders: [ana, bo]\n---\n## Context\n";
    let ours = base.replace("deciders: [ana, bo]", "deciders: [ana, bo, chidi]");
    let theirs = base.replace("status: proposed", "status: accepted");
    let (text, merged) = merge(base, &ours, &theirs);
    assert!(merged.is_clean());
    assert_eq!(
        text,
        "---\nid: 01M88YXTM0P1XPA7Z3DJ8FSSZ5\ntitle: Check-ins\nstatus: accepted\ndate: 2026-11-25T10:00:00+01:00\ndeciders: [ana, bo, chidi]\n---\n## Context\n"
    );
}

// Properties over random edit scripts.

const TITLES: &[&str] = &[
    "Standups",
    "Async standups?",
    "Standups: written",
    "2026",
    "yes",
];
const STATUSES: &[&str] = &["open", "resolved", "closed"];
const TAGS: &[&str] = &[
    "process",
    "meetings",
    "time-zones",
    "q4",
    "2026",
    "planning",
];
const PEOPLE: &[&str] = &["ana", "bo", "chidi", "people-ops@example.org", "tane"];
const UNKNOWN: &[&str] = &["mood", "x-priority", "owner"];
const VALUES: &[&str] = &["calm", "2", "Priya Raman", "a: b", "true"];
const OPTIONAL: &[&str] = &[
    "respond-by",
    "decision",
    "mood",
    "x-priority",
    "owner",
    "tags",
];

/// A thread file as data, rendered in the protocol's order with unknown keys last.
#[derive(Clone, Debug)]
struct Thread {
    title: String,
    status: String,
    tags: Option<Vec<String>>,
    awaiting: Option<Vec<String>>,
    respond_by: Option<String>,
    decision: Option<String>,
    unknown: Vec<(String, String)>,
    body: Vec<String>,
}

impl Thread {
    fn render(&self) -> String {
        use crate::document::emit::{document, string, strings};
        let mut fields = vec![
            ("id", string("01M86RHMA0M9S346Q3D25VT4F5")),
            ("title", string(&self.title)),
            ("author", string("Ana Lima <ana@example.org>")),
            ("date", string("2026-11-24T09:30:00-03:00")),
            ("status", string(&self.status)),
        ];
        if let Some(tags) = &self.tags {
            fields.push(("tags", strings(tags)));
        }
        if let Some(awaiting) = &self.awaiting {
            fields.push(("awaiting", strings(awaiting)));
        }
        if let Some(d) = &self.respond_by {
            fields.push(("respond-by", string(d)));
        }
        if let Some(d) = &self.decision {
            fields.push(("decision", string(d)));
        }
        for (k, v) in &self.unknown {
            fields.push((k, string(v)));
        }
        let body: String = self.body.iter().map(|l| format!("{l}\n")).collect();
        document(&fields, &body)
    }
}

#[derive(Clone, Debug)]
enum Edit {
    Title(usize),
    Status(usize),
    AddTag(usize),
    RemoveTag(usize),
    Await(usize),
    Unawait(usize),
    RespondBy(usize),
    Decision,
    SetUnknown(usize, usize),
    Remove(usize),
    InsertLine(usize),
    DeleteLine(usize),
    ChangeLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..TITLES.len()).prop_map(Edit::Title),
        (0..STATUSES.len()).prop_map(Edit::Status),
        (0..TAGS.len()).prop_map(Edit::AddTag),
        (0..TAGS.len()).prop_map(Edit::RemoveTag),
        (0..PEOPLE.len()).prop_map(Edit::Await),
        (0..PEOPLE.len()).prop_map(Edit::Unawait),
        (1..28usize).prop_map(Edit::RespondBy),
        Just(Edit::Decision),
        (0..UNKNOWN.len(), 0..VALUES.len()).prop_map(|(k, v)| Edit::SetUnknown(k, v)),
        (0..OPTIONAL.len()).prop_map(Edit::Remove),
        (0..12usize).prop_map(Edit::InsertLine),
        (0..12usize).prop_map(Edit::DeleteLine),
        (0..12usize).prop_map(Edit::ChangeLine),
    ]
}

fn base_thread() -> impl Strategy<Value = Thread> {
    (
        0..TITLES.len(),
        0..STATUSES.len(),
        prop::option::of(prop::sample::subsequence(TAGS, 0..4)),
        prop::option::of(prop::sample::subsequence(PEOPLE, 0..3)),
        prop::option::of(1..28usize),
        prop::sample::subsequence(UNKNOWN, 0..2),
        1..8usize,
    )
        .prop_map(
            |(title, status, tags, awaiting, day, unknown, lines)| Thread {
                title: TITLES[title].into(),
                status: STATUSES[status].into(),
                tags: tags.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
                awaiting: awaiting.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
                respond_by: day.map(|d| format!("2026-12-{d:02}")),
                decision: None,
                unknown: unknown
                    .iter()
                    .map(|k| ((*k).to_owned(), "calm".to_owned()))
                    .collect(),
                body: (0..lines).map(|n| format!("Base line {n}.")).collect(),
            },
        )
}

fn apply(thread: &Thread, edits: &[Edit], side: &str) -> Thread {
    let mut t = thread.clone();
    for (n, edit) in edits.iter().enumerate() {
        match edit {
            Edit::Title(i) => t.title = TITLES[*i].into(),
            Edit::Status(i) => t.status = STATUSES[*i].into(),
            Edit::AddTag(i) => {
                let tags = t.tags.get_or_insert_with(Vec::new);
                if !tags.iter().any(|x| x == TAGS[*i]) {
                    tags.push(TAGS[*i].into());
                }
            }
            Edit::RemoveTag(i) => {
                if let Some(tags) = &mut t.tags {
                    tags.retain(|x| x != TAGS[*i]);
                }
            }
            Edit::Await(i) => {
                let awaiting = t.awaiting.get_or_insert_with(Vec::new);
                if !awaiting.iter().any(|x| x == PEOPLE[*i]) {
                    awaiting.push(PEOPLE[*i].into());
                }
            }
            Edit::Unawait(i) => {
                if let Some(awaiting) = &mut t.awaiting {
                    awaiting.retain(|x| x != PEOPLE[*i]);
                }
            }
            Edit::RespondBy(d) => t.respond_by = Some(format!("2026-12-{d:02}")),
            Edit::Decision => t.decision = Some("written-check-ins".into()),
            Edit::SetUnknown(k, v) => {
                match t.unknown.iter_mut().find(|(key, _)| key == UNKNOWN[*k]) {
                    Some(entry) => entry.1 = VALUES[*v].into(),
                    None => t.unknown.push((UNKNOWN[*k].into(), VALUES[*v].into())),
                }
            }
            Edit::Remove(i) => match OPTIONAL[*i] {
                "respond-by" => t.respond_by = None,
                "decision" => t.decision = None,
                "tags" => t.tags = None,
                key => t.unknown.retain(|(k, _)| k != key),
            },
            Edit::InsertLine(at) => {
                let at = (*at).min(t.body.len());
                t.body.insert(at, format!("Added by {side}, edit {n}."));
            }
            Edit::DeleteLine(at) => {
                if *at < t.body.len() {
                    t.body.remove(*at);
                }
            }
            Edit::ChangeLine(at) => {
                if let Some(line) = t.body.get_mut(*at) {
                    *line = format!("Changed by {side}, edit {n}.");
                }
            }
        }
    }
    t
}

fn scenario() -> impl Strategy<Value = (Thread, Vec<Edit>, Vec<Edit>)> {
    (
        base_thread(),
        prop::collection::vec(edit(), 0..6),
        prop::collection::vec(edit(), 0..6),
    )
}

/// A file's fields (key and value, in file order) and body.
fn read(text: &[u8]) -> (Vec<(String, Value)>, String) {
    let parsed = parse_markdown("thread.md", text);
    let doc = parsed.value.expect("parses");
    let fields = doc.fields.into_iter().map(|f| (f.key, f.value)).collect();
    (fields, doc.body)
}

fn list_of(fields: &[(String, Value)], key: &str) -> Vec<String> {
    match fields.iter().find(|(k, _)| k == key) {
        Some((_, Value::List(items))) => items
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_same_change_on_both_sides_is_that_change((base, edits, _) in scenario()) {
        let b = base.render();
        let x = apply(&base, &edits, "ours").render();
        let merged = three_way(b.as_bytes(), x.as_bytes(), x.as_bytes(), 7).expect("merges");
        prop_assert!(merged.is_clean());
        prop_assert_eq!(read(&merged.text), read(x.as_bytes()));
    }

    #[test]
    fn a_change_on_one_side_only_is_taken_byte_for_byte((base, edits, _) in scenario()) {
        let b = base.render();
        let y = apply(&base, &edits, "theirs").render();
        let merged = three_way(b.as_bytes(), b.as_bytes(), y.as_bytes(), 7).expect("merges");
        prop_assert!(merged.is_clean());
        prop_assert_eq!(String::from_utf8_lossy(&merged.text), y.as_str());
        let merged = three_way(b.as_bytes(), y.as_bytes(), b.as_bytes(), 7).expect("merges");
        prop_assert_eq!(String::from_utf8_lossy(&merged.text), y.as_str());
    }

    #[test]
    fn a_clean_merge_is_symmetric_valid_and_loses_nothing((base, ours, theirs) in scenario()) {
        let b = base.render();
        let (o_thread, t_thread) = (apply(&base, &ours, "ours"), apply(&base, &theirs, "theirs"));
        let (o, t) = (o_thread.render(), t_thread.render());
        let merged = three_way(b.as_bytes(), o.as_bytes(), t.as_bytes(), 7).expect("merges");
        let swapped = three_way(b.as_bytes(), t.as_bytes(), o.as_bytes(), 7).expect("merges");
        prop_assert_eq!(merged.is_clean(), swapped.is_clean());
        prop_assert_eq!(merged.method, Method::Fields);
        if !merged.is_clean() {
            // Conflicts are data: every conflict is at a marker line the validator reports.
            let parsed = parse_markdown("thread.md", &merged.text);
            for conflict in &merged.conflicts {
                prop_assert!(parsed.diagnostics.iter().any(|d| d.code == crate::Code::ConflictMarker
                    && d.line == Some(conflict.line())), "{:?}", conflict);
            }
            return Ok(());
        }
        prop_assert_eq!(
            String::from_utf8_lossy(&merged.text),
            String::from_utf8_lossy(&swapped.text)
        );
        let parsed = parse_markdown("thread.md", &merged.text);
        prop_assert!(
            parsed.diagnostics.iter().all(|d| d.code.severity() != Severity::Error),
            "{:?}", parsed.diagnostics
        );
        let (fields, body) = read(&merged.text);
        let (b_fields, _) = read(b.as_bytes());
        for side in [&o, &t] {
            let (side_fields, side_body) = read(side.as_bytes());
            for key in ["tags", "awaiting"] {
                let had = list_of(&b_fields, key);
                let now = list_of(&fields, key);
                for added in list_of(&side_fields, key).iter().filter(|x| !had.contains(x)) {
                    prop_assert!(now.contains(added), "{key}: {added} lost in {fields:?}");
                }
            }
            for added in side_body.lines().filter(|l| l.starts_with("Added by")) {
                prop_assert!(body.lines().any(|l| l == added), "{added} lost");
            }
        }
    }
}

#[test]
fn a_file_one_side_changed_is_that_sides_bytes_and_signatures_are_never_merged() {
    use crate::signature::{canonical_bytes, is_signed, sign_file, KeySigner};
    let base = b"---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: T\nauthor: Ana <ana@example.org>\ndate: 2026-11-24T09:30:00-03:00\nstatus: open\ntags: [a]\n---\nBody\n".to_vec();
    let ana = KeySigner::ed25519_from_seed([1; 32]);
    let bo = KeySigner::ed25519_from_seed([2; 32]);
    let ours = sign_file(
        &String::from_utf8_lossy(&base)
            .replace("tags: [a]", "tags: [a, b]")
            .into_bytes(),
        &ana,
    )
    .expect("signs");
    // Only ours changed: ours, byte for byte, both ways round.
    assert_eq!(
        three_way(&base, &ours, &base, 7).expect("merges").text,
        ours
    );
    assert_eq!(
        three_way(&base, &base, &ours, 7).expect("merges").text,
        ours
    );
    // Both changed: merged field by field, unsigned, the same whichever side is ours.
    let theirs = sign_file(
        &String::from_utf8_lossy(&base)
            .replace("status: open", "status: resolved")
            .into_bytes(),
        &bo,
    )
    .expect("signs");
    let merged = three_way(&base, &ours, &theirs, 7).expect("merges");
    assert!(
        merged.is_clean(),
        "{:?}",
        String::from_utf8_lossy(&merged.text)
    );
    assert!(!is_signed(&merged.text));
    assert_eq!(merged.text, canonical_bytes(&merged.text));
    let text = String::from_utf8_lossy(&merged.text);
    assert!(
        text.contains("tags: [a, b]") && text.contains("status: resolved"),
        "{text}"
    );
    assert_eq!(
        three_way(&base, &theirs, &ours, 7).expect("merges").text,
        merged.text
    );
}
