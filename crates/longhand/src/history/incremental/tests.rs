//! Tests of the push-check acceleration: the incremental check equals a full validation for
//! what a change can affect, the narrow path and the id index read what they should, and
//! the hook judges entry names as a full validation does.

use crate::Parallelism;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use git2::{Oid, Repository};
use proptest::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::history::check_tree_change;
use crate::history::fixture::{commit, ANA, CONFIG};
use crate::history::incremental::ids::IdIndex;
use crate::history::incremental::incremental;
use crate::history::incremental::narrow::narrow;
use crate::source::{Contents, Entry, EntryKind, GitTree, Source};
use crate::validate;

fn ulid(n: u32) -> String {
    format!("01JD8Q{n:020}")
}

fn thread_id(t: usize) -> String {
    ulid(1000 + t as u32)
}

fn reply_id(t: usize, r: usize) -> String {
    ulid((t * 100 + r + 1) as u32)
}

const DECISION: &str = "decisions/d0.md";

fn header(t: usize, extra: &str) -> String {
    format!(
        "---\nid: {}\ntitle: Thread {t}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:00:00Z\nstatus: open\n{extra}---\nOpening post [link](../t0/thread.md).\n",
        thread_id(t)
    )
}

fn reply(id: &str, to: Option<&str>, hour: u32, extra: &str, body: &str) -> String {
    let to = to.map(|t| format!("reply-to: {t}\n")).unwrap_or_default();
    format!(
        "---\nid: {id}\nauthor: Bo Chen <bo@example.org>\ndate: 2026-11-24T{hour:02}:00:00Z\n{to}{extra}---\n{body}"
    )
}

fn decision(thread: &str) -> String {
    format!(
        "---\nid: {}\ntitle: D0\nstatus: proposed\ndate: 2026-11-24T09:00:00Z\ndeciders: [ana]\nthread: {thread}\n---\nBody.\n",
        ulid(9000)
    )
}

/// Three threads of four replies each, each reply answering the one before; thread 0
/// names the decision, which is discussed there, and its last reply votes. Thread 3 was
/// merged into thread 1, where a moved reply answers thread 3's opening post.
fn base() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("longhand.yaml".to_owned(), CONFIG.to_owned());
    files.insert(
        "threads/t3/thread.md".to_owned(),
        header(3, "merged-into: t1\n").replace("status: open", "status: closed"),
    );
    let moved = ulid(4000);
    files.insert(
        format!("threads/t1/{moved}.md"),
        reply(&moved, Some(&thread_id(3)), 11, "", "Moved here.\n"),
    );
    // A reply of thread 2 with an attachment its body shows.
    let shown = ulid(4001);
    files.insert(
        format!("threads/t2/{shown}.md"),
        reply(
            &shown,
            None,
            11,
            "",
            &format!("Look: ![clip]({shown}/clip.png)\n"),
        ),
    );
    files.insert(format!("threads/t2/{shown}/clip.png"), "png\n".to_owned());
    for t in 0..3 {
        let extra = if t == 0 { "decision: d0\n" } else { "" };
        files.insert(format!("threads/t{t}/thread.md"), header(t, extra));
        for r in 0..4 {
            let to = (r > 0).then(|| reply_id(t, r - 1));
            let vote = if t == 0 && r == 3 {
                "vote: \"+1\"\n"
            } else {
                ""
            };
            files.insert(
                format!("threads/t{t}/{}.md", reply_id(t, r)),
                reply(
                    &reply_id(t, r),
                    to.as_deref(),
                    10 + r as u32,
                    vote,
                    "Reply.\n",
                ),
            );
        }
    }
    files.insert(DECISION.to_owned(), decision("t0"));
    // A decision discussed in thread 2, whose header does not name it.
    files.insert(
        "decisions/d1.md".to_owned(),
        decision("t2").replace(&ulid(9000), &ulid(9001)),
    );
    files
}

#[derive(Clone, Debug)]
enum Op {
    AddReply {
        t: usize,
        to: Option<usize>,
        vote: bool,
        dangling: bool,
    },
    EditBody {
        t: usize,
        r: usize,
    },
    Redate {
        t: usize,
        r: usize,
    },
    Delete {
        t: usize,
        r: usize,
    },
    Copy {
        t: usize,
        r: usize,
        into: usize,
    },
    ReplyTo {
        t: usize,
        r: usize,
        to: usize,
    },
    DecisionThread {
        t: usize,
    },
    DeleteDecision,
    DeleteHeader {
        t: usize,
    },
    ThreadTakesDecisionId,
    OrphanAttachment {
        t: usize,
    },
    BrokenLinkInNewReply {
        t: usize,
    },
    Unmerge,
    MergeInto {
        into: usize,
    },
    DeleteAttachment,
    /// A new reply in thread `t` taking the id of the last reply of another thread: as its file
    /// name too, or only in its frontmatter.
    CollidingReply {
        t: usize,
        by_name: bool,
    },
    /// A new reply in thread `t` linking to other threads' files, present and missing.
    LinkingReply {
        t: usize,
    },
    /// Thread `t` deleted with everything in it.
    DeleteThread {
        t: usize,
    },
    /// Thread `t`'s title and status changed.
    Retitle {
        t: usize,
    },
    /// A new decision, discussed in thread 1, superseding d1 (which does not say so).
    AddDecision,
    /// d0 and d1 supersede each other.
    SupersedeLoop,
    /// d1 names a thread that does not exist.
    DecisionMissingThread,
}

fn op() -> impl Strategy<Value = Op> {
    let t = 0..3usize;
    let r = 0..4usize;
    prop_oneof![
        (
            t.clone(),
            prop::option::of(r.clone()),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(t, to, vote, dangling)| Op::AddReply {
                t,
                to,
                vote,
                dangling
            }),
        (t.clone(), r.clone()).prop_map(|(t, r)| Op::EditBody { t, r }),
        (t.clone(), r.clone()).prop_map(|(t, r)| Op::Redate { t, r }),
        (t.clone(), r.clone()).prop_map(|(t, r)| Op::Delete { t, r }),
        (t.clone(), r.clone(), t.clone()).prop_map(|(t, r, into)| Op::Copy { t, r, into }),
        (t.clone(), r.clone(), r.clone()).prop_map(|(t, r, to)| Op::ReplyTo { t, r, to }),
        t.clone().prop_map(|t| Op::DecisionThread { t }),
        Just(Op::DeleteDecision),
        t.clone().prop_map(|t| Op::DeleteHeader { t }),
        Just(Op::ThreadTakesDecisionId),
        t.clone().prop_map(|t| Op::OrphanAttachment { t }),
        t.clone().prop_map(|t| Op::BrokenLinkInNewReply { t }),
        Just(Op::Unmerge),
        Just(Op::DeleteAttachment),
        (t.clone(), any::<bool>()).prop_map(|(t, by_name)| Op::CollidingReply { t, by_name }),
        t.clone().prop_map(|t| Op::LinkingReply { t }),
        t.clone().prop_map(|t| Op::DeleteThread { t }),
        t.clone().prop_map(|t| Op::Retitle { t }),
        Just(Op::AddDecision),
        Just(Op::SupersedeLoop),
        Just(Op::DecisionMissingThread),
        t.prop_map(|into| Op::MergeInto { into }),
    ]
}

fn apply(files: &mut BTreeMap<String, String>, step: usize, op: &Op) {
    let path = |t: usize, r: usize| format!("threads/t{t}/{}.md", reply_id(t, r));
    let fresh = ulid(5000 + step as u32);
    match op {
        Op::AddReply {
            t,
            to,
            vote,
            dangling,
        } => {
            let target = if *dangling {
                Some(ulid(7777))
            } else {
                to.map(|r| reply_id(*t, r))
            };
            let vote = if *vote { "vote: \"-1\"\n" } else { "" };
            files.insert(
                format!("threads/t{t}/{fresh}.md"),
                reply(&fresh, target.as_deref(), 12, vote, "New.\n"),
            );
        }
        Op::EditBody { t, r } => {
            if let Some(text) = files.get_mut(&path(*t, *r)) {
                text.push_str("More.\n");
            }
        }
        Op::Redate { t, r } => {
            if let Some(text) = files.get_mut(&path(*t, *r)) {
                *text = text.replacen("T1", "T2", 1);
            }
        }
        Op::Delete { t, r } => {
            files.remove(&path(*t, *r));
        }
        Op::Copy { t, r, into } => {
            if let Some(text) = files.get(&path(*t, *r)).cloned() {
                files.insert(format!("threads/t{into}/{}.md", reply_id(*t, *r)), text);
            }
        }
        Op::ReplyTo { t, r, to } => {
            let p = path(*t, *r);
            if files.contains_key(&p) {
                let target = reply_id(*t, *to);
                files.insert(
                    p,
                    reply(
                        &reply_id(*t, *r),
                        Some(&target),
                        10 + *r as u32,
                        "",
                        "Re.\n",
                    ),
                );
            }
        }
        Op::DecisionThread { t } => {
            files.insert(DECISION.to_owned(), decision(&format!("t{t}")));
        }
        Op::DeleteDecision => {
            files.remove(DECISION);
        }
        Op::DeleteHeader { t } => {
            files.remove(&format!("threads/t{t}/thread.md"));
        }
        Op::ThreadTakesDecisionId => {
            files.insert(
                "threads/t9/thread.md".to_owned(),
                header(9, "").replace(&thread_id(9), &ulid(9000)),
            );
        }
        Op::OrphanAttachment { t } => {
            files.insert(
                format!("threads/t{t}/{fresh}/clip.txt"),
                "clip\n".to_owned(),
            );
        }
        Op::DeleteAttachment => {
            files.remove(&format!("threads/t2/{}/clip.png", ulid(4001)));
        }
        Op::Unmerge => {
            files.insert("threads/t3/thread.md".to_owned(), header(3, ""));
        }
        Op::MergeInto { into } => {
            files.insert(
                "threads/t3/thread.md".to_owned(),
                header(3, &format!("merged-into: t{into}\n"))
                    .replace("status: open", "status: closed"),
            );
        }
        Op::CollidingReply { t, by_name } => {
            let taken = reply_id((t + 1) % 3, 3);
            let name = if *by_name { taken.clone() } else { fresh };
            files.insert(
                format!("threads/t{t}/{name}.md"),
                reply(&taken, None, 12, "", "Same id.\n"),
            );
        }
        Op::LinkingReply { t } => {
            let other = (t + 1) % 3;
            let body = format!(
                "[a](../t{other}/{}.md) [b](../t2/{}/clip.png) [c](../t{other}/{}.md) [d]({}.md) [e](../t{other}/gone/x.png)\n",
                reply_id(other, 0),
                ulid(4001),
                ulid(6666),
                reply_id(*t, 0),
            );
            files.insert(
                format!("threads/t{t}/{fresh}.md"),
                reply(&fresh, Some(&reply_id(*t, 1)), 12, "", &body),
            );
        }
        Op::DeleteThread { t } => {
            files.retain(|p, _| !p.starts_with(&format!("threads/t{t}/")));
        }
        Op::Retitle { t } => {
            if let Some(text) = files.get_mut(&format!("threads/t{t}/thread.md")) {
                *text = text
                    .replace("title: Thread", "title: Renamed")
                    .replace("status: open", "status: closed");
            }
        }
        Op::AddDecision => {
            files.insert(
                "decisions/d2.md".to_owned(),
                decision("t1")
                    .replace(&ulid(9000), &ulid(9002))
                    .replace("thread: t1\n", "thread: t1\nsupersedes: [d1]\n"),
            );
        }
        Op::SupersedeLoop => {
            for (name, other) in [("d0", "d1"), ("d1", "d0")] {
                if let Some(text) = files.get_mut(&format!("decisions/{name}.md")) {
                    *text = text.replace("thread:", &format!("supersedes: [{other}]\nthread:"));
                }
            }
        }
        Op::DecisionMissingThread => {
            if let Some(text) = files.get_mut("decisions/d1.md") {
                *text = text.replace("thread: t2", "thread: t7");
            }
        }
        Op::BrokenLinkInNewReply { t } => {
            files.insert(
                format!("threads/t{t}/{fresh}.md"),
                reply(
                    &fresh,
                    None,
                    12,
                    "",
                    "See [x](missing.md) and [y](../t1/thread.md).\n",
                ),
            );
        }
    }
}

/// Commits `to` on top of `parent` (whose files are `from`).
fn commit_files(
    repo: &Repository,
    parent: Option<Oid>,
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Oid {
    let mut changes: Vec<(&str, Option<&str>)> = Vec::new();
    for (path, text) in to {
        if from.get(path) != Some(text) {
            changes.push((path, Some(text)));
        }
    }
    for path in from.keys() {
        if !to.contains_key(path) {
            changes.push((path, None));
        }
    }
    let parents: Vec<Oid> = parent.into_iter().collect();
    commit(repo, &parents, ANA, &changes)
}

/// A series of pushes checked with the large trees kept on disk (each check's old tree is
/// the previous one's new tree, read back from disk) reports exactly what checks reading
/// only the object database report, and so does a check whose kept files are damaged.
#[test]
fn trees_kept_on_disk_change_no_finding() {
    use crate::history::incremental::check_tree_change_with;
    use crate::source::trees::TreeStore;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let ops = [
        Op::AddReply {
            t: 0,
            to: Some(1),
            vote: false,
            dangling: false,
        },
        Op::EditBody { t: 1, r: 1 },
        Op::Delete { t: 2, r: 2 },
        Op::CollidingReply {
            t: 0,
            by_name: false,
        },
        Op::DeleteHeader { t: 1 },
        Op::DeleteDecision,
    ];
    let mut files = base();
    let mut tip = commit_files(&repo, None, &BTreeMap::new(), &files);
    let mut disk_reads = 0;
    for (step, op) in ops.iter().enumerate() {
        let before = files.clone();
        apply(&mut files, step, op);
        let next = commit_files(&repo, Some(tip), &before, &files);
        let kept = dir.path().join("longhand/trees");
        if step == 3 {
            // Damaged kept files are not used.
            for file in std::fs::read_dir(&kept).unwrap() {
                let path = file.unwrap().path();
                let mut bytes = std::fs::read(&path).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x55;
                std::fs::write(&path, bytes).unwrap();
            }
        }
        let trees = Arc::new(TreeStore::on_disk(dir.path()));
        let with_disk =
            check_tree_change_with(&repo, &trees, "", Some(tip), next, &Parallelism::default())
                .unwrap();
        trees.persist();
        disk_reads += trees.disk_reads();
        let without = check_tree_change(&repo, "", Some(tip), next).unwrap();
        assert_eq!(
            with_disk.diagnostics.iter().map(key).collect::<Vec<_>>(),
            without.diagnostics.iter().map(key).collect::<Vec<_>>(),
            "step {step}: {op:?}"
        );
        assert!(kept.is_dir(), "step {step}: large trees are kept");
        tip = next;
    }
    assert!(disk_reads > 0, "old trees were read back from disk");
}

fn key(d: &Diagnostic) -> String {
    format!(
        "{} {} {:?} {:?} {} | {:?}",
        d.path, d.code, d.line, d.column, d.message, d.source_line
    )
}

/// Checks one change: everything the full validator reports for the new tree that it
/// did not for the old, and everything it reports for a touched file, is in the
/// incremental report, and nothing else is. Returns whether the narrow path took it.
fn check(ops: &[Op]) -> Result<bool, TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let old_files = base();
    let mut new_files = old_files.clone();
    for (step, op) in ops.iter().enumerate() {
        apply(&mut new_files, step, op);
    }
    let old = commit_files(&repo, None, &BTreeMap::new(), &old_files);
    let new = commit_files(&repo, Some(old), &old_files, &new_files);
    let full_new = validate::run(
        &GitTree::new(Repository::open(dir.path()).unwrap(), &new.to_string(), "").unwrap(),
    )
    .unwrap();
    let full_old = validate::run(
        &GitTree::new(Repository::open(dir.path()).unwrap(), &old.to_string(), "").unwrap(),
    )
    .unwrap();
    let inc = check_tree_change(&repo, "", Some(old), new).unwrap();
    let narrowed = {
        let open = || Repository::open(dir.path()).unwrap();
        let new_tree = GitTree::new(open(), &new.to_string(), "").unwrap();
        let old_tree = GitTree::new(open(), &old.to_string(), "").unwrap();
        let changed = changed_paths(&old_files, &new_files);
        let index = IdIndex::build(&new_tree).unwrap();
        narrow(
            &new_tree,
            &old_tree,
            &changed,
            &index,
            &Parallelism::Sequential,
        )
        .unwrap()
    };
    if let Some(report) = &narrowed {
        let mut a: Vec<String> = report.diagnostics.iter().map(key).collect();
        let mut b: Vec<String> = inc.diagnostics.iter().map(key).collect();
        a.sort();
        b.sort();
        prop_assert_eq!(a, b, "the narrow path is what check_tree_change reports");
    }
    let full: BTreeSet<String> = full_new.diagnostics.iter().map(key).collect();
    let before: BTreeSet<String> = full_old.diagnostics.iter().map(key).collect();
    let got: BTreeSet<String> = inc.diagnostics.iter().map(key).collect();
    let touched: BTreeSet<&String> = new_files
        .iter()
        .filter(|(p, t)| old_files.get(*p) != Some(t))
        .map(|(p, _)| p)
        .collect();
    for d in &full_new.diagnostics {
        let k = key(d);
        if !before.contains(&k) || touched.contains(&d.path) {
            prop_assert!(got.contains(&k), "missed: {k}\nops: {ops:?}\ngot: {got:#?}");
        }
    }
    for k in &got {
        prop_assert!(
            full.contains(k),
            "not in the full report: {k}\nops: {ops:?}"
        );
    }
    Ok(narrowed.is_some())
}

fn changed_paths(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<String> {
    old.keys()
        .chain(new.keys())
        .filter(|p| old.get(*p) != new.get(*p))
        .cloned()
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn incremental_equals_full_validation_for_what_the_change_can_affect(
        ops in prop::collection::vec(op(), 1..4)
    ) {
        check(&ops)?;
    }
}

#[test]
fn each_kind_of_change_alone_is_checked_like_a_full_validation() {
    let all = [
        Op::AddReply {
            t: 1,
            to: Some(2),
            vote: true,
            dangling: false,
        },
        Op::AddReply {
            t: 1,
            to: None,
            vote: false,
            dangling: true,
        },
        Op::EditBody { t: 0, r: 1 },
        Op::Redate { t: 0, r: 1 },
        Op::Delete { t: 2, r: 1 },
        Op::Copy {
            t: 2,
            r: 0,
            into: 0,
        },
        Op::Copy {
            t: 0,
            r: 0,
            into: 2,
        },
        Op::ReplyTo { t: 1, r: 0, to: 3 },
        Op::DecisionThread { t: 2 },
        Op::DeleteDecision,
        Op::DeleteHeader { t: 1 },
        Op::ThreadTakesDecisionId,
        Op::OrphanAttachment { t: 0 },
        Op::BrokenLinkInNewReply { t: 2 },
        Op::Unmerge,
        Op::MergeInto { into: 2 },
        Op::DeleteAttachment,
        Op::DeleteThread { t: 0 },
        Op::DeleteThread { t: 1 },
        Op::DeleteThread { t: 2 },
        Op::Retitle { t: 0 },
        Op::AddDecision,
        Op::SupersedeLoop,
        Op::DecisionMissingThread,
    ];
    for op in all {
        check(std::slice::from_ref(&op)).unwrap_or_else(|e| panic!("{op:?}: {e}"));
    }
}

#[test]
fn reply_additions_and_edits_take_the_narrow_path_and_match_full_validation() {
    let narrow_ones = [
        // A vote in thread 2, whose decision (d1) only the decision names; in thread 1,
        // which no decision names; in thread 0, whose header names its decision.
        Op::AddReply {
            t: 2,
            to: Some(1),
            vote: true,
            dangling: false,
        },
        Op::AddReply {
            t: 1,
            to: None,
            vote: true,
            dangling: false,
        },
        Op::AddReply {
            t: 0,
            to: Some(3),
            vote: true,
            dangling: false,
        },
        Op::AddReply {
            t: 1,
            to: None,
            vote: false,
            dangling: true,
        },
        Op::EditBody { t: 0, r: 1 },
        Op::Redate { t: 1, r: 1 },
        Op::CollidingReply {
            t: 0,
            by_name: true,
        },
        Op::CollidingReply {
            t: 2,
            by_name: true,
        },
        Op::CollidingReply {
            t: 1,
            by_name: false,
        },
        Op::LinkingReply { t: 0 },
        Op::LinkingReply { t: 2 },
        Op::BrokenLinkInNewReply { t: 1 },
        Op::OrphanAttachment { t: 2 },
    ];
    for op in narrow_ones {
        let narrowed = check(std::slice::from_ref(&op)).unwrap_or_else(|e| panic!("{op:?}: {e}"));
        assert!(narrowed, "{op:?} took the general path");
    }
    // Several at once, in different threads.
    let ops = [
        Op::CollidingReply {
            t: 1,
            by_name: true,
        },
        Op::LinkingReply { t: 0 },
        Op::EditBody { t: 2, r: 3 },
    ];
    assert!(check(&ops).unwrap());
    // Deletions, headers and decisions too.
    for op in [
        Op::Delete { t: 0, r: 1 },
        Op::Delete { t: 1, r: 0 },
        Op::DecisionThread { t: 1 },
        Op::DeleteDecision,
        Op::DeleteHeader { t: 1 },
        Op::ThreadTakesDecisionId,
        Op::Unmerge,
        Op::MergeInto { into: 2 },
        Op::DeleteAttachment,
        Op::ReplyTo { t: 1, r: 0, to: 3 },
        Op::Copy {
            t: 2,
            r: 0,
            into: 0,
        },
        Op::DeleteThread { t: 0 },
        Op::DeleteThread { t: 1 },
        Op::Retitle { t: 2 },
        Op::AddDecision,
        Op::SupersedeLoop,
        Op::DecisionMissingThread,
    ] {
        assert!(check(std::slice::from_ref(&op)).unwrap(), "{op:?}");
    }
}

/// A source that records every directory listed (`list DIR`) and file read (`read PATH`).
struct Counting<'a> {
    inner: &'a dyn Source,
    seen: RefCell<Vec<String>>,
}

impl Counting<'_> {
    /// The paths read, in order.
    fn reads(&self) -> Vec<String> {
        let seen = self.seen.borrow();
        seen.iter()
            .filter_map(|s| s.strip_prefix("read ").map(str::to_owned))
            .collect()
    }
}

impl Source for Counting<'_> {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn kind(&self, path: &str) -> crate::Result<Option<EntryKind>> {
        self.inner.kind(path)
    }
    fn list(&self, dir: &str) -> crate::Result<Vec<Entry>> {
        self.seen.borrow_mut().push(format!("list {dir}"));
        self.inner.list(dir)
    }
    fn read(&self, path: &str, limit: u64) -> crate::Result<Contents> {
        self.seen.borrow_mut().push(format!("read {path}"));
        self.inner.read(path, limit)
    }
}

#[test]
fn a_new_reply_reads_its_chain_and_the_headers_never_the_other_replies() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let mut old_files = base();
    // Make the repository bigger: 20 more threads of 10 replies.
    for t in 10..30 {
        old_files.insert(format!("threads/t{t}/thread.md"), header(t, ""));
        for r in 0..10 {
            old_files.insert(
                format!("threads/t{t}/{}.md", reply_id(t, r)),
                reply(&reply_id(t, r), None, 10, "", "Reply.\n"),
            );
        }
    }
    let mut new_files = old_files.clone();
    apply(
        &mut new_files,
        0,
        &Op::AddReply {
            t: 1,
            to: Some(2),
            vote: false,
            dangling: false,
        },
    );
    let old = commit_files(&repo, None, &BTreeMap::new(), &old_files);
    let new = commit_files(&repo, Some(old), &old_files, &new_files);
    let open = || Repository::open(dir.path()).unwrap();
    let new_tree = GitTree::new(open(), &new.to_string(), "").unwrap();
    let old_tree = GitTree::new(open(), &old.to_string(), "").unwrap();
    let counting = Counting {
        inner: &new_tree,
        seen: RefCell::default(),
    };
    let added = format!("threads/t1/{}.md", ulid(5000));
    let report = incremental(
        &counting,
        &old_tree,
        std::slice::from_ref(&added),
        &Parallelism::Sequential,
    )
    .unwrap();
    assert!(report.is_clean(), "{:?}", report.diagnostics);
    let reads = counting.reads();
    let replies: BTreeSet<&str> = reads
        .iter()
        .map(String::as_str)
        .filter(|p| !p.ends_with("thread.md") && p.starts_with("threads/"))
        .collect();
    // The new reply, and the chain it answers: replies 2, 1 and 0 of thread 1.
    let expected: BTreeSet<String> = [added.clone()]
        .into_iter()
        .chain((0..3).map(|r| format!("threads/t1/{}.md", reply_id(1, r))))
        .collect();
    assert_eq!(replies, expected.iter().map(String::as_str).collect());
    let headers = reads.iter().filter(|p| p.ends_with("thread.md")).count();
    assert_eq!(headers, 24, "every thread header once");
    assert!(
        reads.len() < old_files.len() / 4,
        "{} reads of {} files",
        reads.len(),
        old_files.len()
    );
}

/// The narrow path reads the same files whatever the size of the repository.
mod narrow_cost {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use git2::Repository;

    use super::Counting;
    use crate::history::incremental::ids::IdIndex;
    use crate::history::incremental::narrow::narrow;
    use crate::history::incremental::tests as f;
    use crate::source::GitTree;

    /// What the narrow path reads and lists for one new reply (voting, linking to another
    /// thread, answering a reply) in a repository with `extra` more threads of 10 replies.
    fn seen(extra: usize) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let mut old_files = f::base();
        for t in 10..10 + extra {
            old_files.insert(format!("threads/t{t}/thread.md"), f::header(t, ""));
            for r in 0..10 {
                let id = f::ulid(100_000 + (t * 100 + r) as u32);
                old_files.insert(
                    format!("threads/t{t}/{id}.md"),
                    f::reply(&id, None, 10, "", "Reply.\n"),
                );
            }
        }
        let mut new_files = old_files.clone();
        let added = format!("threads/t2/{}.md", f::ulid(5000));
        new_files.insert(
            added.clone(),
            f::reply(
                &f::ulid(5000),
                Some(&f::reply_id(2, 3)),
                14,
                "vote: \"+1\"\n",
                "Yes; see [x](../t1/thread.md) and [y](../t12/gone.md).\n",
            ),
        );
        let old = f::commit_files(&repo, None, &BTreeMap::new(), &old_files);
        let new = f::commit_files(&repo, Some(old), &old_files, &new_files);
        let open = || Repository::open(dir.path()).unwrap();
        let new_tree = GitTree::new(open(), &new.to_string(), "").unwrap();
        let old_tree = GitTree::new(open(), &old.to_string(), "").unwrap();
        let index = IdIndex::build(&new_tree).unwrap();
        let counting = Counting {
            inner: &new_tree,
            seen: RefCell::default(),
        };
        let old_counting = Counting {
            inner: &old_tree,
            seen: RefCell::default(),
        };
        let report = narrow(
            &counting,
            &old_counting,
            &[added],
            &index,
            &crate::Parallelism::default(),
        )
        .unwrap()
        .expect("a new reply takes the narrow path");
        assert!(
            report
                .diagnostics
                .iter()
                .all(|d| d.code == crate::Code::BrokenLink),
            "{:?}",
            report.diagnostics
        );
        assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
        let mut seen = counting.seen.into_inner();
        seen.extend(old_counting.seen.into_inner());
        seen
    }

    #[test]
    fn a_new_reply_reads_the_same_files_in_a_small_and_a_large_repository() {
        let small = seen(10);
        let large = seen(200);
        assert_eq!(small, large);
        // Thread 2 (listed once, its header, its 5 replies, the one with an attachment and
        // its directory), longhand.yaml, and the decision naming thread 2.
        assert!(!small
            .iter()
            .any(|p| p == "list threads" || p == "list decisions"));
        assert!(small.len() < 20, "{small:#?}");
        assert!(
            small.contains(&"read decisions/d1.md".to_owned()),
            "{small:#?}"
        );
    }
}

/// Problems planted by a change are found by the check of the change (on the narrow path).
#[test]
fn problems_a_change_plants_are_found_on_the_narrow_path() {
    use crate::Code;
    let cases: Vec<(Op, &str, Code)> = vec![
        (
            Op::CollidingReply {
                t: 0,
                by_name: false,
            },
            "threads/t1",
            Code::DuplicateId,
        ),
        (
            Op::Delete { t: 1, r: 1 },
            "threads/t1/",
            Code::ReplyToUnresolved,
        ),
        (
            Op::DeleteThread { t: 0 },
            "decisions/d0.md",
            Code::ReferenceUnresolved,
        ),
        (
            Op::DeleteThread { t: 1 },
            "threads/t3/thread.md",
            Code::ReferenceUnresolved,
        ),
        (
            Op::DeleteThread { t: 0 },
            "threads/t1/thread.md",
            Code::BrokenLink,
        ),
        (
            Op::DecisionMissingThread,
            "decisions/d1.md",
            Code::ReferenceUnresolved,
        ),
        (Op::SupersedeLoop, "decisions/d0.md", Code::SupersedeCycle),
        (Op::SupersedeLoop, "decisions/d1.md", Code::SupersedeCycle),
        (Op::AddDecision, "decisions/d2.md", Code::SupersedeNotMutual),
    ];
    for (op, path, code) in cases {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let old_files = base();
        let mut new_files = old_files.clone();
        apply(&mut new_files, 0, &op);
        let old = commit_files(&repo, None, &BTreeMap::new(), &old_files);
        let new = commit_files(&repo, Some(old), &old_files, &new_files);
        let report = check_tree_change(&repo, "", Some(old), new).unwrap();
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.code == code && d.path.starts_with(path)),
            "{op:?}: no {code} on {path}: {:#?}",
            report.diagnostics
        );
    }
}

/// A change's check costs the same in a small and a large repository: the blobs it reads,
/// the directories it lists and the index shards it reads, for every kind of change.
mod indexed_cost {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use git2::Repository;

    use super::{Counting, Op};
    use crate::history::incremental::ids;
    use crate::history::incremental::indexed;
    use crate::history::incremental::tests as f;
    use crate::source::GitTree;

    /// What checking `op` reads (old and new trees), how many shards, whether it was
    /// narrow, and the codes found, with `extra` more threads of 10 replies, the old
    /// tree's index stored as the previous check leaves it.
    fn seen(extra: usize, op: &Op) -> (Vec<String>, usize, bool, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let mut old_files = f::base();
        // Threads that nothing of the base refers to, and that refer to nothing of it.
        for t in 10..10 + extra {
            let header = f::header(t, "").replace("[link](../t0/thread.md)", "no link");
            old_files.insert(format!("threads/t{t}/thread.md"), header);
            for r in 0..10 {
                let id = f::ulid(100_000 + (t * 100 + r) as u32);
                old_files.insert(
                    format!("threads/t{t}/{id}.md"),
                    f::reply(&id, None, 10, "", "Reply.\n"),
                );
            }
        }
        let mut new_files = old_files.clone();
        f::apply(&mut new_files, 0, op);
        let old = f::commit_files(&repo, None, &BTreeMap::new(), &old_files);
        let new = f::commit_files(&repo, Some(old), &old_files, &new_files);
        let open = || Repository::open(dir.path()).unwrap();
        let new_tree = GitTree::new(open(), &new.to_string(), "").unwrap();
        let old_tree = GitTree::new(open(), &old.to_string(), "").unwrap();
        let trees = |c: git2::Oid| repo.find_commit(c).unwrap().tree().unwrap();
        let (old_root, new_root) = (trees(old), trees(new));
        let changes = crate::history::changed_entries(
            &repo,
            &crate::source::trees::TreeStore::new(),
            Some(&old_root),
            Some(&new_root),
        )
        .unwrap()
        .0;
        let keys = (old_root.id().to_string(), new_root.id().to_string());
        ids::rebuild(repo.path(), &keys.0, &old_tree).unwrap();
        let counting = Counting {
            inner: &new_tree,
            seen: RefCell::default(),
        };
        let old_counting = Counting {
            inner: &old_tree,
            seen: RefCell::default(),
        };
        let checked = indexed(
            repo.path(),
            &keys,
            (&old_counting, &counting),
            &changes,
            &crate::Parallelism::default(),
        )
        .unwrap();
        // The new tree's index is stored, whole and equal to one built from scratch.
        let stored = ids::load(repo.path(), &keys.1).expect("stored");
        let built = ids::IdIndex::build(&new_tree).unwrap();
        assert_eq!(stored.lines(), built.lines(), "{op:?}");
        assert!(!stored.broken());
        let mut seen = counting.seen.into_inner();
        seen.extend(old_counting.seen.into_inner());
        let codes = checked
            .report
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.path, d.code))
            .collect();
        (seen, checked.shard_reads, checked.narrow, codes)
    }

    #[test]
    fn every_kind_of_change_costs_the_same_in_a_small_and_a_large_repository() {
        let kinds = [
            Op::AddReply {
                t: 2,
                to: Some(3),
                vote: true,
                dangling: false,
            },
            Op::EditBody { t: 1, r: 2 },
            Op::Retitle { t: 1 },
            Op::MergeInto { into: 2 },
            Op::Unmerge,
            Op::AddDecision,
            Op::DecisionThread { t: 1 },
            Op::DeleteDecision,
            Op::Delete { t: 1, r: 1 },
            Op::DeleteThread { t: 2 },
            Op::DeleteThread { t: 0 },
        ];
        for op in &kinds {
            let small = seen(10, op);
            let large = seen(120, op);
            assert!(small.2 && large.2, "{op:?} took the general path");
            assert!(
                small.0 == large.0,
                "{op:?}: {} reads in the small repository, {} in the large",
                small.0.len(),
                large.0.len()
            );
            assert_eq!(small.1, large.1, "{op:?}: shards read");
            assert_eq!(small.3, large.3, "{op:?}: what is found");
            assert!(
                !small
                    .0
                    .iter()
                    .any(|p| p == "list threads" || p == "list decisions"),
                "{op:?}: {:#?}",
                small.0
            );
            assert!(small.0.len() < 60, "{op:?}: {:#?}", small.0);
        }
    }
}

/// A missing, foreign, cut-off or corrupt manifest or shard is rebuilt, and the check
/// reports the same as with a sound index.
#[test]
fn a_damaged_index_is_rebuilt_and_the_check_is_unchanged() {
    use crate::history::incremental::ids::{self, IdIndex};
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let old_files = base();
    let mut new_files = old_files.clone();
    for (step, op) in [
        Op::CollidingReply {
            t: 0,
            by_name: false,
        },
        Op::Delete { t: 1, r: 1 },
    ]
    .iter()
    .enumerate()
    {
        apply(&mut new_files, step, op);
    }
    let old = commit_files(&repo, None, &BTreeMap::new(), &old_files);
    let new = commit_files(&repo, Some(old), &old_files, &new_files);
    let tree_of = |c: Oid| {
        repo.find_commit(c)
            .unwrap()
            .tree()
            .unwrap()
            .id()
            .to_string()
    };
    let (old_key, new_key) = (tree_of(old), tree_of(new));
    let sound = check_tree_change(&repo, "", Some(old), new).unwrap();
    assert!(!sound.is_clean());
    let top = dir.path().join("longhand/ids");
    let new_source =
        GitTree::new(Repository::open(dir.path()).unwrap(), &new.to_string(), "").unwrap();
    let expected = IdIndex::build(&new_source).unwrap().lines();
    let shards = || -> Vec<std::path::PathBuf> {
        let mut all: Vec<_> = std::fs::read_dir(top.join("shards"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        all.sort();
        all
    };
    type Damage<'a> = Box<dyn Fn() + 'a>;
    let damages: Vec<(&str, Damage)> = vec![
        (
            "the old manifest missing",
            Box::new(|| std::fs::remove_file(top.join(&old_key)).unwrap()),
        ),
        (
            "another tree's manifest",
            Box::new(|| {
                let text = std::fs::read_to_string(top.join(&new_key)).unwrap();
                std::fs::write(top.join(&old_key), text).unwrap();
            }),
        ),
        (
            "a cut-off manifest",
            Box::new(|| {
                let text = std::fs::read_to_string(top.join(&old_key)).unwrap();
                std::fs::write(top.join(&old_key), &text[..text.len() / 2]).unwrap();
            }),
        ),
        (
            "every shard corrupt",
            Box::new(|| {
                for shard in shards() {
                    let text = std::fs::read_to_string(&shard).unwrap();
                    std::fs::write(&shard, text.replace('\t', " ")).unwrap();
                }
            }),
        ),
        (
            "every shard gone",
            Box::new(|| std::fs::remove_dir_all(top.join("shards")).unwrap()),
        ),
    ];
    for (what, damage) in damages {
        damage();
        let again = check_tree_change(&repo, "", Some(old), new).unwrap();
        assert_eq!(
            again.diagnostics.iter().map(key).collect::<Vec<_>>(),
            sound.diagnostics.iter().map(key).collect::<Vec<_>>(),
            "{what}"
        );
        let stored = ids::load(dir.path(), &new_key).expect(what);
        assert_eq!(stored.lines(), expected, "{what}");
        assert!(!stored.broken(), "{what}");
        let stored = ids::load(dir.path(), &old_key).expect(what);
        let _ = stored.lines();
        assert!(!stored.broken(), "{what}: the old tree's index");
    }
}

/// The pre-commit hook checks the staged tree through the same index: the first check
/// stores the index of `HEAD`'s tree, each check stores the staged tree's, and what is
/// found is what a full validation finds.
#[test]
fn a_staged_change_is_checked_through_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let write = |files: &BTreeMap<String, String>| {
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
    };
    let old_files = base();
    write(&old_files);
    let tree = repo
        .find_tree(repo.index().unwrap().write_tree().unwrap())
        .unwrap();
    let signature = git2::Signature::now("Ana Lima", "ana@example.org").unwrap();
    repo.commit(Some("HEAD"), &signature, &signature, "base", &tree, &[])
        .unwrap();
    let manifests = || -> usize {
        std::fs::read_dir(repo.path().join("longhand/ids"))
            .map(|d| d.filter(|e| e.as_ref().unwrap().path().is_file()).count())
            .unwrap_or(0)
    };
    assert_eq!(manifests(), 0);
    let mut new_files = old_files.clone();
    apply(
        &mut new_files,
        0,
        &Op::CollidingReply {
            t: 0,
            by_name: true,
        },
    );
    write(&new_files);
    let staged = repo.index().unwrap().write_tree().unwrap();
    let report = crate::enforce::check_index_at(&repo, "")
        .unwrap()
        .expect("a discussion");
    let codes: Vec<crate::Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [crate::Code::DuplicateId],
        "{:?}",
        report.diagnostics
    );
    assert!(repo
        .path()
        .join("longhand/ids")
        .join(staged.to_string())
        .is_file());
    assert!(repo
        .path()
        .join("longhand/ids")
        .join(tree.id().to_string())
        .is_file());
    assert_eq!(manifests(), 2, "HEAD's index and the staged tree's");
}

/// Checks running at once in one repository (concurrent pushes) leave every index they
/// stored sound: shards are named by their content and manifests appear by rename.
#[test]
fn concurrent_checks_leave_a_sound_index() {
    use crate::history::incremental::ids::{self, IdIndex};
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init_bare(dir.path()).unwrap();
    let old_files = base();
    let old = commit_files(&repo, None, &BTreeMap::new(), &old_files);
    let changes = [
        Op::EditBody { t: 0, r: 1 },
        Op::Retitle { t: 1 },
        Op::AddDecision,
        Op::DeleteThread { t: 2 },
    ];
    let news: Vec<Oid> = changes
        .iter()
        .map(|op| {
            let mut new_files = old_files.clone();
            apply(&mut new_files, 0, op);
            commit_files(&repo, Some(old), &old_files, &new_files)
        })
        .collect();
    // The old tree's index is there, as after the previous push.
    check_tree_change(&repo, "", Some(old), news[0]).unwrap();
    std::thread::scope(|scope| {
        for new in &news {
            let path = dir.path().to_path_buf();
            scope.spawn(move || {
                let repo = Repository::open_bare(&path).unwrap();
                for _ in 0..3 {
                    check_tree_change(&repo, "", Some(old), *new).unwrap();
                }
            });
        }
    });
    for new in &news {
        let tree = repo
            .find_commit(*new)
            .unwrap()
            .tree()
            .unwrap()
            .id()
            .to_string();
        let stored = ids::load(dir.path(), &tree).expect("stored");
        let source =
            GitTree::new(Repository::open(dir.path()).unwrap(), &new.to_string(), "").unwrap();
        assert_eq!(stored.lines(), IdIndex::build(&source).unwrap().lines());
        assert!(!stored.broken());
    }
}

/// Hostile entry names (LH212): the hook's comparison judges exactly the entries a full
/// validation judges, where the loader checks names, and nothing below a hidden or hostile
/// directory or outside the discussion's own directories.
mod hostile_names {
    use git2::{ObjectType, Oid, Repository};

    use crate::diagnostic::Code;
    use crate::history::check_tree_change;
    use crate::history::fixture::{opened, ANA};
    use crate::source::GitTree;
    use crate::validate;

    /// Writes a tree of `(mode, name, id)` as git would order it, checking no name (as
    /// `git hash-object --literally -t tree` does).
    fn raw_tree(repo: &Repository, entries: &[(i32, &[u8], Oid)]) -> Oid {
        let mut sorted = entries.to_vec();
        let key = |(mode, name, _): &(i32, &[u8], Oid)| {
            let mut key = name.to_vec();
            if *mode == 0o040000 {
                key.push(b'/');
            }
            key
        };
        sorted.sort_by_key(key);
        let mut bytes = Vec::new();
        for (mode, name, oid) in sorted {
            bytes.extend_from_slice(format!("{mode:o} ").as_bytes());
            bytes.extend_from_slice(name);
            bytes.push(0);
            bytes.extend_from_slice(oid.as_bytes());
        }
        repo.odb().unwrap().write(ObjectType::Tree, &bytes).unwrap()
    }

    /// `tree` with `entry` added at `dir` (names from the top).
    fn with(repo: &Repository, tree: Oid, dir: &[&[u8]], entry: (i32, &[u8], Oid)) -> Oid {
        let current = repo.find_tree(tree).unwrap();
        let mut entries: Vec<(i32, Vec<u8>, Oid)> = current
            .iter()
            .map(|e| (e.filemode(), e.name_bytes().to_vec(), e.id()))
            .collect();
        match dir.split_first() {
            None => {
                entries.retain(|e| e.1 != entry.1);
                entries.push((entry.0, entry.1.to_vec(), entry.2));
            }
            Some((first, rest)) => {
                let below = entries
                    .iter()
                    .find(|e| e.1 == *first && e.0 == 0o040000)
                    .map(|e| e.2)
                    .unwrap_or_else(|| raw_tree(repo, &[]));
                let changed = with(repo, below, rest, entry);
                entries.retain(|e| e.1 != *first);
                entries.push((0o040000, first.to_vec(), changed));
            }
        }
        let borrowed: Vec<(i32, &[u8], Oid)> =
            entries.iter().map(|(m, n, o)| (*m, &n[..], *o)).collect();
        raw_tree(repo, &borrowed)
    }

    /// A tree entry to write: mode, name, id.
    type RawEntry<'a> = (i32, &'a [u8], Oid);

    fn hostile_paths(report: &crate::Report) -> Vec<String> {
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::HostileName)
            .map(|d| d.path.clone())
            .collect()
    }

    #[test]
    fn the_hook_judges_the_names_a_full_validation_judges() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let old = opened(&repo);
        let blob = repo.blob(b"x\n").unwrap();
        let dir_of = |name: &'static [u8]| raw_tree(&repo, &[(0o100644, name, blob)]);
        let nested = dir_of(b"..");
        let base = repo.find_commit(old).unwrap().tree_id();
        let planted: [(&[&[u8]], RawEntry<'_>); 8] = [
            // Reported: in the discussion's own directories.
            (&[b"threads"], (0o040000, b"..", nested)),
            (
                &[b"threads", b"t"],
                (0o160000, b"01JD8Q2000000000000000000B.md", old),
            ),
            (&[b"threads"], (0o040000, b"a\x1bb", nested)),
            (&[b"decisions"], (0o100644, b"caf\xe9.md", blob)),
            // Not reported: code at the root, a hidden directory, a submodule of the code.
            (&[b"src"], (0o040000, b"..", nested)),
            (&[b"threads", b".obsidian"], (0o040000, b"..", nested)),
            (&[], (0o160000, b"vendor", old)),
            // Reported: the root's own entries.
            (&[], (0o100644, b".GIT", blob)),
        ];
        let mut tree = base;
        for (at, entry) in planted {
            tree = with(&repo, tree, at, entry);
        }
        let parent = repo.find_commit(old).unwrap();
        let signature = git2::Signature::now(ANA.0, ANA.1).unwrap();
        let new = repo
            .commit(
                None,
                &signature,
                &signature,
                "hostile",
                &repo.find_tree(tree).unwrap(),
                &[&parent],
            )
            .unwrap();
        let hook = check_tree_change(&repo, "", Some(old), new).unwrap();
        let open = Repository::open_bare(dir.path()).unwrap();
        let full = validate::run(&GitTree::new(open, &new.to_string(), "").unwrap()).unwrap();
        let want = vec![
            ".GIT".to_owned(),
            "decisions/caf\u{fffd}.md".to_owned(),
            "threads/..".to_owned(),
            "threads/a\u{1b}b".to_owned(),
            "threads/t/01JD8Q2000000000000000000B.md".to_owned(),
        ];
        let mut from_full = hostile_paths(&full);
        from_full.sort();
        let mut from_hook = hostile_paths(&hook);
        from_hook.sort();
        assert_eq!(from_full, want);
        assert_eq!(from_hook, want);
        // Nothing else: nothing inside a hostile entry was read.
        assert_eq!(
            full.diagnostics.len(),
            want.len(),
            "{:#?}",
            full.diagnostics
        );
        // A later change that leaves the hostile entries alone is judged on its own.
        let new_commit = repo.find_commit(new).unwrap();
        let later = repo
            .commit(
                None,
                &signature,
                &signature,
                "later",
                &repo
                    .find_tree(with(
                        &repo,
                        tree,
                        &[b"threads", b"t"],
                        (0o100644, b"x.txt", blob),
                    ))
                    .unwrap(),
                &[&new_commit],
            )
            .unwrap();
        let again = check_tree_change(&repo, "", Some(new), later).unwrap();
        assert!(hostile_paths(&again).is_empty(), "{:#?}", again.diagnostics);
    }
}
