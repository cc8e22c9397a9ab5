//! The property every writing operation keeps: after any sequence of operations, the
//! discussion still validates without errors.

use proptest::prelude::*;

use super::ops::{self, NewDecision, NewReply, NewThread, ThreadEdit};
use super::{apply, init};
use crate::model::{Author, DecisionStatus, Moment, ThreadStatus, Vote};
use crate::{load, validate, WorkTree};

/// One writing operation, with choices as indexes into whatever exists at that point.
#[derive(Clone, Debug)]
enum Op {
    Thread {
        title: String,
        tags: Vec<String>,
        awaiting: bool,
        deadline: bool,
    },
    Reply {
        thread: usize,
        to: usize,
        vote: Option<i8>,
        text: String,
        files: usize,
    },
    Edit {
        thread: usize,
        add: String,
        remove_first: bool,
        unawait: bool,
    },
    Status {
        thread: usize,
        status: u8,
        text: bool,
    },
    Decision {
        thread: Option<usize>,
        title: String,
    },
    Decide {
        decision: usize,
        status: u8,
    },
    Supersede {
        old: usize,
        new: usize,
    },
    Merge {
        from: usize,
        into: usize,
    },
    Redact {
        reply: usize,
    },
}

fn words() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Async standups",
        "Q1: planning",
        "Café rota",
        "+1 or not?",
        "Retro #3",
        "日本語 notes",
        "Release -1",
        "null",
        "tabs\tand spaces",
        "\"quoted\" title",
    ])
    .prop_map(str::to_owned)
}

fn op() -> impl Strategy<Value = Op> {
    let tag = prop::sample::select(vec!["process", "q1", "tools", "bad tag", "meetings"]);
    prop_oneof![
        2 => (
            words(),
            prop::collection::vec(tag.clone(), 0..3),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(title, tags, awaiting, deadline)| Op::Thread {
                title,
                tags: tags.into_iter().map(str::to_owned).collect(),
                awaiting,
                deadline
            }),
        4 => (
            0..8usize,
            0..8usize,
            prop::option::of(-1i8..=1),
            prop_oneof![words(), Just(String::new())],
            prop_oneof![3 => Just(0usize), 1 => 1..4usize],
        )
            .prop_map(|(thread, to, vote, text, files)| Op::Reply {
                thread,
                to,
                vote,
                text,
                files
            }),
        1 => (0..8usize, tag, any::<bool>(), any::<bool>()).prop_map(
            |(thread, add, remove_first, unawait)| {
                Op::Edit {
                    thread,
                    add: add.to_owned(),
                    remove_first,
                    unawait,
                }
            }
        ),
        1 => (0..8usize, 0..3u8, any::<bool>()).prop_map(|(thread, status, text)| Op::Status {
            thread,
            status,
            text
        }),
        2 => (prop::option::of(0..8usize), words())
            .prop_map(|(thread, title)| Op::Decision { thread, title }),
        3 => (0..8usize, 0..3u8).prop_map(|(decision, status)| Op::Decide { decision, status }),
        2 => (0..8usize, 0..8usize).prop_map(|(old, new)| Op::Supersede { old, new }),
        1 => (0..8usize, 0..8usize).prop_map(|(from, into)| Op::Merge { from, into }),
        1 => (0..16usize).prop_map(|reply| Op::Redact { reply }),
    ]
}

/// The writers, in turn; Ana, who ran `init`, is the moderator.
const AUTHORS: [&str; 3] = [
    "Ana Lima <ana@example.org>",
    "Bo Chen <bo@example.org>",
    "Zoë <zoe@example.net>",
];

/// Runs `op` as the step's writer; a change only the thread's author, a decider or a
/// moderator may make, refused to the writer, is made by the moderator, as in a real team.
fn run(root: &std::path::Path, step: usize, op: &Op) -> crate::Result<()> {
    match run_by(root, step, op, AUTHORS[step % 3]) {
        Err(crate::Error::NotPermitted { .. }) => run_by(root, step, op, AUTHORS[0]),
        other => other,
    }
}

fn run_by(root: &std::path::Path, step: usize, op: &Op, author: &str) -> crate::Result<()> {
    let source = WorkTree::new(root);
    let loaded = load(&source)?;
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(validate::tree(&loaded.discussion));
    let author = Author::parse(author).unwrap_or_else(|| unreachable!());
    let offsets = ["-03:00", "+01:00", "+05:30"];
    let now = Moment::parse(&format!(
        "2026-11-{:02}T{:02}:{:02}:00{}",
        1 + step / 24,
        step % 24,
        step % 60,
        offsets[step % 3]
    ))
    .unwrap_or_else(|| unreachable!());
    let ctx = ops::Context {
        discussion: &loaded.discussion,
        diagnostics: &diagnostics,
        source: &source,
        author,
        now,
        origin: 0,
    };
    let d = &loaded.discussion;
    let thread = |i: usize| {
        d.threads
            .get(i % d.threads.len().max(1))
            .map(|t| t.slug.clone())
    };
    let decision = |i: usize| {
        d.decisions
            .get(i % d.decisions.len().max(1))
            .map(|x| x.slug.clone())
    };
    let change = match op {
        Op::Thread {
            title,
            tags,
            awaiting,
            deadline,
        } => ops::new_thread(
            &ctx,
            &NewThread {
                title: title.clone(),
                body: format!("Opening post about {title}."),
                tags: tags.clone(),
                awaiting: if *awaiting {
                    vec!["ana".into(), "bo@example.org".into()]
                } else {
                    vec![]
                },
                respond_by: deadline.then(|| "3d".to_owned()),
                slug: None,
            },
        ),
        Op::Reply {
            thread: t,
            to,
            vote,
            text,
            files,
        } => {
            let Some(slug) = thread(*t) else {
                return Ok(());
            };
            let target = d.find_thread(&slug).ok().and_then(|t| {
                let n = t.replies.len();
                (n > 0 && *to % 2 == 0).then(|| t.replies[*to % n].stem.clone())
            });
            let vote = vote.map(|v| match v {
                1 => Vote::For,
                0 => Vote::Abstain,
                _ => Vote::Against,
            });
            // Attachments with names that need escaping in a link, an image among them.
            let names = ["screen shot [1].png", "demo (final).mp4", "notes_*v2*.txt"];
            let attachments: Vec<_> = names
                .iter()
                .take(*files)
                .map(|name| crate::write::Attachment {
                    name: (*name).to_owned(),
                    bytes: name.as_bytes().to_vec(),
                    origin: (*name).to_owned(),
                })
                .collect();
            ops::reply_with_attachments(
                &ctx,
                &slug,
                &NewReply {
                    to: target,
                    body: text.clone(),
                    vote,
                    on: None,
                },
                &attachments,
            )
        }
        Op::Edit {
            thread: t,
            add,
            remove_first,
            unawait,
        } => {
            let Some(slug) = thread(*t) else {
                return Ok(());
            };
            let current = d
                .find_thread(&slug)
                .map(|t| t.tags.clone())
                .unwrap_or_default();
            ops::edit_thread(
                &ctx,
                &slug,
                &ThreadEdit {
                    add_tags: vec![add.clone()],
                    remove_tags: if *remove_first {
                        current.into_iter().take(1).collect()
                    } else {
                        vec![]
                    },
                    unawait_people: if *unawait { vec!["ana".into()] } else { vec![] },
                    ..ThreadEdit::default()
                },
            )
        }
        Op::Status {
            thread: t,
            status,
            text,
        } => {
            let Some(slug) = thread(*t) else {
                return Ok(());
            };
            let to = [
                ThreadStatus::Open,
                ThreadStatus::Resolved,
                ThreadStatus::Closed,
            ][*status as usize];
            ops::set_thread_status(&ctx, &slug, to, text.then_some("Status change."))
        }
        Op::Decision { thread: t, title } => ops::new_decision(
            &ctx,
            &NewDecision {
                title: title.clone(),
                thread: t.and_then(thread),
                deciders: vec!["ana".into(), "zoe@example.net".into()],
                review_by: None,
                body: String::new(),
                slug: None,
            },
        ),
        Op::Decide {
            decision: i,
            status,
        } => {
            let Some(slug) = decision(*i) else {
                return Ok(());
            };
            let to = [
                DecisionStatus::Accepted,
                DecisionStatus::Rejected,
                DecisionStatus::Withdrawn,
            ][*status as usize];
            ops::set_decision_status(&ctx, &slug, to)
        }
        Op::Merge { from, into } => {
            let (Some(from), Some(into)) = (thread(*from), thread(*into)) else {
                return Ok(());
            };
            ops::merge_threads(&ctx, &from, &into)
        }
        Op::Redact { reply } => {
            let replies: Vec<&str> = d
                .threads
                .iter()
                .flat_map(|t| t.replies.iter().map(|m| m.stem.as_str()))
                .collect();
            let Some(stem) = replies.get(reply % replies.len().max(1)) else {
                return Ok(());
            };
            ops::redact(&ctx, stem, "off topic")
        }
        Op::Supersede { old, new } => {
            let (Some(old), Some(new)) = (decision(*old), decision(*new)) else {
                return Ok(());
            };
            ops::supersede(&ctx, &old, &new)
        }
    };
    // Refusals (a bad tag, a forbidden transition, …) are fine; what is written must be valid.
    match change {
        Ok(change) => apply(root, &change),
        Err(e @ crate::Error::NotPermitted { .. }) => Err(e),
        Err(_) => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_sequence_of_writes_keeps_the_discussion_valid(ops in prop::collection::vec(op(), 1..24)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ana = Author::parse("Ana Lima <ana@example.org>").unwrap_or_else(|| unreachable!());
        init(dir.path(), "Team", Some("America/Sao_Paulo"), super::Settings::new().author(ana), None)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (step, op) in ops.iter().enumerate() {
            run(dir.path(), step, op).map_err(|e| TestCaseError::fail(format!("{op:?}: {e}")))?;
            let report = validate::run(&WorkTree::new(dir.path()))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let errors: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.severity() == crate::Severity::Error)
                .map(|d| format!("{} {}:{:?} {}", d.code, d.path, d.line, d.message))
                .collect();
            prop_assert!(errors.is_empty(), "after step {step} {op:?}: {errors:#?}");
        }
    }
}
