//! Criterion benchmarks of the library on generated corpora.
//!
//! `cargo bench -p longhand-corpus` runs them at 10,000 replies (1,000 threads); set
//! `LONGHAND_BENCH_REPLIES` for another size. CI runs `cargo bench -p longhand-corpus -- --test`
//! with a tiny size, which runs every benchmark once so none can rot. The whole-command
//! targets (100,000 replies, peak memory, Hugo, `search` against `git grep -i`) are measured
//! by `longhand-corpus bench`.

// criterion_group! and criterion_main! generate undocumented functions.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use longhand::model::Who;
use longhand::read::summary::{summaries, Filter};
use longhand::{git2, load, validate, GitTree, MemoryTree, WorkTree};
use longhand_corpus::{generate, one_reply_commit, Corpus, Spec};

fn replies() -> usize {
    std::env::var("LONGHAND_BENCH_REPLIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn now() -> jiff::Timestamp {
    "2026-01-15T12:00:00Z"
        .parse()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// A corpus in a fresh git repository with a few commits.
fn corpus(dir: &Path) -> Corpus {
    let replies = replies();
    let corpus = generate(&Spec::new((replies / 10).max(1), replies));
    corpus.write_git(dir, 20).expect("the corpus is written");
    corpus
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let corpus = corpus(dir.path());
    let size = format!("{}r", corpus.reply_count());
    let mut group = c.benchmark_group("tree");
    group.sample_size(10);

    group.bench_function(format!("validate/worktree/{size}"), |b| {
        b.iter(|| validate::run(&WorkTree::new(dir.path())).expect("validates"))
    });
    group.bench_function(format!("validate/rev/{size}"), |b| {
        b.iter(|| {
            let repo = git2::Repository::open(dir.path()).expect("a repository");
            let tree = GitTree::new(repo, "HEAD", "").expect("HEAD");
            validate::run(&tree).expect("validates")
        })
    });
    group.bench_function(format!("load/worktree/{size}"), |b| {
        b.iter(|| load(&WorkTree::new(dir.path())).expect("loads"))
    });
    let loaded = load(&WorkTree::new(dir.path())).expect("loads");
    let discussion = &loaded.discussion;
    group.bench_function(format!("list/summaries/{size}"), |b| {
        b.iter(|| summaries(black_box(discussion), &Filter::default(), now()).len())
    });
    let who = Who::of_reference(discussion.config.as_ref(), &corpus.people[1].handle)
        .expect("a person of the roster");
    let listing = longhand::read::listing::Listing::of_discussion(discussion, 0);
    let done = longhand::read::inbox::Done::default();
    group.bench_function(format!("inbox/{size}"), |b| {
        b.iter(|| longhand::read::inbox::awaiting(black_box(&listing), &who, now(), &done).len())
    });
    group.finish();

    // Search: streamed over the files (what `longhand search` runs) and over a loaded model,
    // for a word of middling frequency and for a word in no file.
    let mut group = c.benchmark_group("search");
    group.sample_size(10);
    let zone = jiff::tz::TimeZone::UTC;
    for text in ["latency", "zzzqqq"] {
        let query = longhand::read::search::Query::parse(text, &zone).expect("a query");
        group.bench_function(format!("files/{text}/{size}"), |b| {
            b.iter(|| {
                longhand::read::search::search(
                    &WorkTree::new(dir.path()),
                    &query,
                    &longhand::Parallelism::Global,
                )
                .expect("searches")
                .len()
            })
        });
        group.bench_function(format!("work-tree/{text}/{size}"), |b| {
            b.iter(|| {
                longhand::read::search::search_work_tree(
                    dir.path(),
                    &query,
                    &longhand::Parallelism::Global,
                )
                .expect("searches")
                .len()
            })
        });
        group.bench_function(format!("model/{text}/{size}"), |b| {
            b.iter(|| {
                longhand::read::search::search_discussion(black_box(discussion), &query).len()
            })
        });
    }
    group.finish();

    // A one-reply push, checked incrementally: at this size and at a tenth of it, to show the
    // cost does not grow with the repository.
    let small_dir = tempfile::tempdir().expect("a temporary directory");
    let small = generate(&Spec::new(
        (replies() / 100).max(1),
        (replies() / 10).max(1),
    ));
    small
        .write_git(small_dir.path(), 20)
        .expect("the corpus is written");
    for (dir, corpus) in [(small_dir.path(), &small), (dir.path(), &corpus)] {
        let repo = git2::Repository::open(dir).expect("a repository");
        let (old, new) = one_reply_commit(&repo, &corpus.people, 7).expect("a commit");
        c.bench_function(
            &format!("check/one-reply-push/{}r", corpus.reply_count()),
            |b| {
                b.iter(|| {
                    longhand::history::check_tree_change(&repo, "", Some(old), new).expect("checks")
                })
            },
        );
    }

    let site = tempfile::tempdir().expect("a temporary directory");
    let out = site.path().join("site");
    let mut group = c.benchmark_group("render");
    group.sample_size(10);
    group.bench_function(format!("site/{size}"), |b| {
        b.iter(|| {
            longhand::render::site::write_site(
                &WorkTree::new(dir.path()),
                &out,
                &longhand::render::site::Options::default(),
            )
            .expect("renders")
        })
    });
    group.finish();

    // verify over a history where every file is its own commit, by its own author.
    let history = tempfile::tempdir().expect("a temporary directory");
    let commits = generate(&Spec::new(
        (replies() / 100).max(1),
        (replies() / 10).max(1),
    ));
    commits
        .write_git(history.path(), usize::MAX)
        .expect("the history is written");
    let repo = git2::Repository::open(history.path()).expect("a repository");
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .expect("a commit")
        .id();
    let mut group = c.benchmark_group("verify");
    group.sample_size(10);
    group.bench_function(format!("{}-commits", commits.files().len()), |b| {
        b.iter(|| longhand::history::verify(&repo, "", None, head).expect("verifies"))
    });
    group.finish();

    // A thread that is one `reply-to` chain as long as the corpus: its derived order
    // (spec section 9) and its replies rendered for the terminal as `show` does, each at
    // its reply level's indentation. Every step must stay linear in the chain's length.
    let chain = chain_thread(replies());
    let loaded = load(&chain).expect("loads");
    let thread = loaded.discussion.thread("chain").expect("the chain thread");
    let mut group = c.benchmark_group("show");
    group.sample_size(10);
    group.bench_function(format!("chain/{}r", thread.replies.len()), |b| {
        b.iter(|| {
            let mut bytes = 0;
            for (message, depth) in longhand::model::thread_order(black_box(thread)) {
                let indent = longhand::render::terminal::reply_indent(depth);
                bytes += indent
                    + longhand::render::terminal::render(&message.body, indent + 2, 80).len();
            }
            bytes
        })
    });
    group.finish();

    let (base, ours, theirs) = corpus.merge_sides(3);
    c.bench_function("merge/thread.md", |b| {
        b.iter(|| {
            longhand::merge::three_way(
                black_box(base.as_bytes()),
                black_box(ours.as_bytes()),
                black_box(theirs.as_bytes()),
                7,
            )
            .expect("merges")
        })
    });
}

/// A discussion of one thread whose `replies` replies each answer the one before.
fn chain_thread(replies: usize) -> MemoryTree {
    let mut tree = MemoryTree::new();
    tree.insert_file(
        "longhand.yaml",
        "longhand: 1\ntitle: Chain\npeople:\n  ana:\n    name: Ana Lima\n    emails: [ana@example.org]\n",
    );
    tree.insert_file(
        "threads/chain/thread.md",
        "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: Chain\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:30:00Z\nstatus: open\n---\nStart.\n",
    );
    let start = now();
    let mut previous: Option<String> = None;
    for n in 0..replies {
        let id = ulid(n);
        let date = start
            .checked_add(jiff::SignedDuration::from_secs(n as i64))
            .unwrap_or(start);
        let reply_to = previous
            .as_ref()
            .map(|p| format!("reply-to: {p}\n"))
            .unwrap_or_default();
        tree.insert_file(
            &format!("threads/chain/{id}.md"),
            format!(
                "---\nid: {id}\nauthor: Ana Lima <ana@example.org>\ndate: {date}\n{reply_to}---\nReply {n}: a sentence or two of text, as a reply in a long exchange has.\n"
            ),
        );
        previous = Some(id);
    }
    tree
}

/// A valid ULID for `n`.
fn ulid(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut tail = String::new();
    let mut rest = n;
    for _ in 0..10 {
        tail.insert(0, ALPHABET[rest % 32] as char);
        rest /= 32;
    }
    format!("01JD8Q2Z4A2B3C{tail}00")
}

criterion_group!(longhand_benches, benches);
criterion_main!(longhand_benches);
