//! Realistic Longhand discussion repositories of any size, deterministic from a seed, for
//! benchmarks and for trying Longhand at scale.
//!
//! [`generate`] builds a [`Corpus`] in memory from a [`Spec`]: people across time zones, threads
//! with reply trees and votes, decision records with deciders and supersede chains, and Markdown
//! bodies of realistic length (paragraphs, lists, code blocks, links to other threads). The
//! corpus can then be written as a work tree ([`Corpus::write`]), as a git repository with a
//! history of K commits made through one `git fast-import` ([`Corpus::write_git`]), or as a
//! plain Hugo site holding the same content ([`Corpus::write_hugo`]) for render comparisons.
//!
//! Every corpus validates clean with `longhand validate`: a test checks it. The [`mod@bench`]
//! module is the whole-command harness behind `longhand-corpus bench`.

pub mod bench;
mod rng;
mod text;
mod write;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

pub use rng::Rng;
pub use write::{one_reply_commit, one_reply_commit_on, WriteError};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// How many threads.
    pub threads: usize,
    /// How many replies across all threads.
    pub replies: usize,
    /// How many decision records (each discussed in its own thread).
    pub decisions: usize,
    /// How many people in `longhand.yaml`.
    pub people: usize,
    /// The seed: the same spec gives the same bytes.
    pub seed: u64,
}

impl Spec {
    /// `threads` threads and `replies` replies, a decision for every twentieth thread, forty
    /// people, seed 1.
    pub fn new(threads: usize, replies: usize) -> Spec {
        Spec {
            threads,
            replies,
            decisions: threads / 20,
            people: 40,
            seed: 1,
        }
    }
}

/// A person of the roster.
#[derive(Clone, Debug)]
pub struct Person {
    /// The handle in `longhand.yaml`.
    pub handle: String,
    /// The display name.
    pub name: String,
    /// The one email.
    pub email: String,
    /// An IANA time zone name.
    pub zone: &'static str,
    /// `moderator` for some.
    pub moderator: bool,
}

/// A reply.
#[derive(Clone, Debug)]
pub struct Reply {
    /// Its ULID, also its file stem.
    pub id: String,
    /// Index into [`Corpus::people`].
    pub author: usize,
    /// When it was written.
    pub date: Timestamp,
    /// The id of the reply it answers; `None` answers the opening post.
    pub reply_to: Option<String>,
    /// `+1`, `0` or `-1` in a decision's thread.
    pub vote: Option<&'static str>,
    /// The Markdown body.
    pub body: String,
}

/// A thread and its replies.
#[derive(Clone, Debug)]
pub struct Thread {
    /// The directory name.
    pub slug: String,
    /// Its ULID.
    pub id: String,
    /// The title.
    pub title: String,
    /// Index into [`Corpus::people`].
    pub author: usize,
    /// When it was opened.
    pub date: Timestamp,
    /// `open`, `resolved` or `closed`.
    pub status: &'static str,
    /// Tags.
    pub tags: Vec<&'static str>,
    /// Handles whose answer is awaited.
    pub awaiting: Vec<String>,
    /// A deadline (`YYYY-MM-DD`).
    pub respond_by: Option<String>,
    /// The slug of the decision it is about.
    pub decision: Option<String>,
    /// The opening post.
    pub body: String,
    /// Replies, oldest first.
    pub replies: Vec<Reply>,
}

/// A decision record.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The file stem.
    pub slug: String,
    /// Its ULID.
    pub id: String,
    /// The title.
    pub title: String,
    /// `proposed`, `accepted`, `rejected`, `withdrawn` or `superseded`.
    pub status: &'static str,
    /// When it was proposed.
    pub date: Timestamp,
    /// Indexes into [`Corpus::people`].
    pub deciders: Vec<usize>,
    /// The slug of the thread it is discussed in.
    pub thread: String,
    /// The lazy-consensus deadline (`YYYY-MM-DD`).
    pub review_by: String,
    /// Slugs it supersedes.
    pub supersedes: Vec<String>,
    /// Slugs that supersede it.
    pub superseded_by: Vec<String>,
    /// Context, Options, Decision, Consequences.
    pub body: String,
}

/// A whole discussion, in memory.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The spec it was made from.
    pub spec: Spec,
    /// The roster.
    pub people: Vec<Person>,
    /// Threads, oldest first.
    pub threads: Vec<Thread>,
    /// Decisions, oldest first.
    pub decisions: Vec<Decision>,
}

const ZONES: &[&str] = &[
    "America/Sao_Paulo",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Lisbon",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
];

const FIRST: &[&str] = &[
    "Ana", "Sofia", "Jonas", "Priya", "Rahul", "Tāne", "Mei", "Kwame", "Lucía", "Olek", "Aiko",
    "Omar", "Ingrid", "Tomás", "Zanele", "Yusuf", "Chloé", "Mateo", "Nadia", "Erik",
];
const LAST: &[&str] = &[
    "Lima", "Costa", "Weber", "Raman", "Menon", "Walker", "Chen", "Mensah", "García", "Nowak",
    "Sato", "Haddad", "Berg", "Silva", "Dlamini", "Demir", "Martin", "Rossi", "Karimi", "Olsen",
];

/// The first instant of every corpus: threads start here and spread over two years.
fn epoch() -> Timestamp {
    Timestamp::from_second(1_704_067_200).unwrap_or(Timestamp::UNIX_EPOCH) // 2024-01-01T00:00Z
}

/// Makes a ULID from an instant and random bits: time-sortable like the ones Longhand writes.
pub(crate) fn ulid(at: Timestamp, rng: &mut Rng) -> String {
    const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let millis = at.as_millisecond().clamp(0, (1 << 48) - 1) as u64;
    let random = ((rng.next_u64() as u128) << 16) | (rng.next_u64() as u128 & 0xFFFF);
    let mut text = String::with_capacity(26);
    for i in (0..10).rev() {
        text.push(CROCKFORD[((millis >> (5 * i)) & 31) as usize] as char);
    }
    for i in (0..16).rev() {
        text.push(CROCKFORD[((random >> (5 * i)) & 31) as usize] as char);
    }
    text
}

/// Builds the corpus a spec describes. Deterministic: the same spec gives the same corpus.
pub fn generate(spec: &Spec) -> Corpus {
    let mut rng = Rng::new(spec.seed);
    let people = people(spec.people.max(2), &mut rng);
    let span_seconds = 730 * 86_400;
    let threads_n = spec.threads.max(1);
    let decisions_n = spec.decisions.min(threads_n);
    // Replies per thread: a long tail, as real discussions have; the totals add up exactly.
    let mut weights: Vec<u64> = (0..threads_n)
        .map(|_| match rng.below(10) {
            0 => rng.between(8, 30),
            1..=3 => rng.between(3, 8),
            _ => rng.between(0, 4),
        })
        .collect();
    let total: u64 = weights.iter().sum::<u64>().max(1);
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| (*w as u128 * spec.replies as u128 / total as u128) as usize)
        .collect();
    let mut missing = spec.replies - counts.iter().sum::<usize>();
    while missing > 0 {
        let i = rng.below(threads_n as u64) as usize;
        counts[i] += 1;
        missing -= 1;
    }
    weights.clear();

    let mut slugs = Vec::with_capacity(threads_n);
    let mut starts = Vec::with_capacity(threads_n);
    for i in 0..threads_n {
        let offset = (i as u64 * span_seconds) / threads_n as u64 + rng.below(3600);
        let start = epoch() + SignedDuration::from_secs(offset as i64);
        let day = start
            .to_zoned_datetime(TimeZone::UTC)
            .strftime("%Y-%m-%d")
            .to_string();
        let words = rng.between(2, 4) as usize;
        slugs.push(format!("{day}-{}-{i}", text::slug_words(&mut rng, words)));
        starts.push(start);
    }
    // The thread each decision is discussed in, spread evenly.
    let decision_threads: Vec<usize> = (0..decisions_n)
        .map(|d| d * threads_n / decisions_n.max(1))
        .collect();
    let decision_slugs: Vec<String> = (0..decisions_n)
        .map(|d| {
            let words = rng.between(2, 4) as usize;
            format!("{}-{d}", text::slug_words(&mut rng, words))
        })
        .collect();
    let mut decisions = decisions_for(
        &decision_threads,
        &decision_slugs,
        &slugs,
        &starts,
        &people,
        &mut rng,
    );

    let mut threads = Vec::with_capacity(threads_n);
    for i in 0..threads_n {
        let decision = decision_threads
            .iter()
            .position(|t| *t == i)
            .map(|d| &mut decisions[d]);
        threads.push(thread(
            i, &slugs, starts[i], counts[i], decision, &people, &mut rng,
        ));
    }
    Corpus {
        spec: spec.clone(),
        people,
        threads,
        decisions,
    }
}

fn people(n: usize, rng: &mut Rng) -> Vec<Person> {
    (0..n)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len() + i * 7) % LAST.len()];
            let ascii: String = format!("{first}.{last}")
                .to_lowercase()
                .chars()
                .map(|c| match c {
                    'ā' => 'a',
                    'í' => 'i',
                    'á' => 'a',
                    'é' => 'e',
                    c => c,
                })
                .collect();
            Person {
                handle: format!(
                    "{}{i}",
                    first
                        .to_lowercase()
                        .replace('ā', "a")
                        .replace('í', "i")
                        .replace('é', "e")
                        .replace('á', "a")
                ),
                name: format!("{first} {last}"),
                email: format!("{ascii}{i}@example.org"),
                zone: ZONES[rng.below(ZONES.len() as u64) as usize],
                moderator: i % 10 == 0,
            }
        })
        .collect()
}

fn decisions_for(
    threads: &[usize],
    slugs: &[String],
    thread_slugs: &[String],
    starts: &[Timestamp],
    people: &[Person],
    rng: &mut Rng,
) -> Vec<Decision> {
    let mut decisions: Vec<Decision> = Vec::with_capacity(threads.len());
    for (d, thread) in threads.iter().enumerate() {
        let date = starts[*thread] + SignedDuration::from_hours(rng.between(2, 72) as i64);
        let mut deciders: Vec<usize> = (0..rng.between(2, 5))
            .map(|_| rng.below(people.len() as u64) as usize)
            .collect();
        deciders.sort_unstable();
        deciders.dedup();
        let status = match rng.below(20) {
            0..=9 => "accepted",
            10..=13 => "proposed",
            14..=16 => "rejected",
            _ => "withdrawn",
        };
        let review_by = (date + SignedDuration::from_hours(72))
            .to_zoned_datetime(TimeZone::UTC)
            .strftime("%Y-%m-%d")
            .to_string();
        let links = text::Links {
            slugs: thread_slugs,
            prefix: "../threads/",
        };
        let mut body = String::new();
        for section in ["Context", "Options", "Decision", "Consequences"] {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(&format!("## {section}\n\n"));
            let size = rng.between(150, 600) as usize;
            body.push_str(&text::body(rng, size, &links));
        }
        decisions.push(Decision {
            slug: slugs[d].clone(),
            id: ulid(date, rng),
            title: text::title(rng),
            status,
            date,
            deciders,
            thread: thread_slugs[*thread].clone(),
            review_by,
            supersedes: Vec::new(),
            superseded_by: Vec::new(),
            body,
        });
    }
    // Supersede chains of three: in every group of five, the fourth supersedes the third and
    // the fifth the fourth; a successor is accepted, what it replaced is superseded.
    for d in 0..decisions.len() {
        if d % 5 >= 3 {
            let (before, after) = decisions.split_at_mut(d);
            let old = &mut before[d - 1];
            let new = &mut after[0];
            old.status = "superseded";
            old.superseded_by.push(new.slug.clone());
            new.status = "accepted";
            new.supersedes.push(old.slug.clone());
        }
    }
    decisions
}

fn thread(
    i: usize,
    slugs: &[String],
    start: Timestamp,
    replies_n: usize,
    decision: Option<&mut Decision>,
    people: &[Person],
    rng: &mut Rng,
) -> Thread {
    let author = rng.below(people.len() as u64) as usize;
    let links = text::Links {
        slugs: &slugs[..i],
        prefix: "../",
    };
    let size = rng.between(300, 1500) as usize;
    let body = text::body(rng, size, &links);
    let mut replies: Vec<Reply> = Vec::with_capacity(replies_n);
    let mut at = start;
    for _ in 0..replies_n {
        at += SignedDuration::from_secs(rng.between(300, 2 * 86_400) as i64);
        let reply_to = match replies.len() {
            0 => None,
            n if rng.chance(55) => Some(replies[rng.below(n as u64) as usize].id.clone()),
            _ => None,
        };
        let (author, vote) = match &decision {
            Some(decision) if rng.chance(40) => {
                let voter = *rng.pick(&decision.deciders);
                (voter, Some(*rng.pick(&["+1", "+1", "+1", "0", "-1"])))
            }
            _ => (rng.below(people.len() as u64) as usize, None),
        };
        let size = match rng.below(10) {
            0 => rng.between(1500, 4000),
            1..=3 => rng.between(60, 250),
            _ => rng.between(250, 1200),
        } as usize;
        let body = text::body(rng, size, &links);
        replies.push(Reply {
            id: ulid(at, rng),
            author,
            date: at,
            reply_to,
            vote,
            body,
        });
    }
    let status = match &decision {
        Some(decision) if decision.status == "accepted" || decision.status == "superseded" => {
            "resolved"
        }
        Some(_) => "open",
        None => *rng.pick(&["open", "open", "open", "resolved", "resolved", "closed"]),
    };
    let mut awaiting = Vec::new();
    let mut respond_by = None;
    if status == "open" && rng.chance(40) {
        for _ in 0..rng.between(1, 3) {
            let handle = people[rng.below(people.len() as u64) as usize]
                .handle
                .clone();
            if !awaiting.contains(&handle) {
                awaiting.push(handle);
            }
        }
        if rng.chance(50) {
            let deadline = at + SignedDuration::from_hours(rng.between(24, 24 * 14) as i64);
            respond_by = Some(
                deadline
                    .to_zoned_datetime(TimeZone::UTC)
                    .strftime("%Y-%m-%d")
                    .to_string(),
            );
        }
    }
    let mut tags: Vec<&'static str> = (0..rng.below(4)).map(|_| text::tag(rng)).collect();
    tags.sort_unstable();
    tags.dedup();
    Thread {
        slug: slugs[i].clone(),
        id: ulid(start, rng),
        title: text::title(rng),
        author,
        date: start,
        status,
        tags,
        awaiting,
        respond_by,
        decision: decision.map(|d| d.slug.clone()),
        body,
        replies,
    }
}

impl Corpus {
    /// The time as `YYYY-MM-DDTHH:MM:SS±HH:MM` on `person`'s own clock.
    pub fn local(&self, person: usize, at: Timestamp) -> String {
        let zone = TimeZone::get(self.people[person].zone).unwrap_or(TimeZone::UTC);
        at.to_zoned_datetime(zone)
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// `Name <email>` of a person.
    pub fn author(&self, person: usize) -> String {
        let p = &self.people[person];
        format!("{} <{}>", p.name, p.email)
    }

    /// How many replies the corpus holds.
    pub fn reply_count(&self) -> usize {
        self.threads.iter().map(|t| t.replies.len()).sum()
    }

    /// One more reply to thread `thread` (by index), after its last message, as the path of
    /// its file and its bytes: what a one-reply push adds. Deterministic from `seed`.
    pub fn new_reply(&self, thread: usize, seed: u64) -> (String, String) {
        let mut rng = Rng::new(seed);
        let thread = &self.threads[thread % self.threads.len()];
        let last = thread.replies.last().map_or(thread.date, |r| r.date);
        let at = last + SignedDuration::from_hours(1);
        let reply = Reply {
            id: ulid(at, &mut rng),
            author: rng.below(self.people.len() as u64) as usize,
            date: at,
            reply_to: thread.replies.last().map(|r| r.id.clone()),
            vote: None,
            body: text::body(
                &mut rng,
                600,
                &text::Links {
                    slugs: &[],
                    prefix: "../",
                },
            ),
        };
        (
            format!("threads/{}/{}.md", thread.slug, reply.id),
            write::reply_file(self, &reply),
        )
    }
}

impl Corpus {
    /// Three versions of a typical `thread.md` for a merge: the base; ours, which adds a tag
    /// and resolves the thread; theirs, which awaits a person and adds a paragraph to the body.
    pub fn merge_sides(&self, thread: usize) -> (String, String, String) {
        let base = self.threads[thread % self.threads.len()].clone();
        let mut ours = base.clone();
        ours.tags.push("zz-merged");
        ours.status = "resolved";
        let mut theirs = base.clone();
        theirs.awaiting.push(self.people[0].handle.clone());
        theirs
            .body
            .push_str("\nOne more paragraph, added on the other side.\n");
        (
            write::thread_file(self, &base),
            write::thread_file(self, &ours),
            write::thread_file(self, &theirs),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_spec_gives_the_same_corpus_and_the_counts_asked_for() {
        let spec = Spec::new(30, 200);
        let (a, b) = (generate(&spec), generate(&spec));
        assert_eq!(a.files(), b.files());
        assert_eq!(a.threads.len(), 30);
        assert_eq!(a.reply_count(), 200);
        assert_eq!(a.decisions.len(), 1);
        let other = generate(&Spec { seed: 2, ..spec });
        assert_ne!(a.files(), other.files());
    }

    #[test]
    fn ids_are_unique_and_time_sortable() {
        let corpus = generate(&Spec::new(50, 500));
        let mut ids = std::collections::BTreeSet::new();
        for thread in &corpus.threads {
            assert!(ids.insert(thread.id.clone()));
            for pair in thread.replies.windows(2) {
                assert!(
                    pair[0].id < pair[1].id,
                    "{} then {}",
                    pair[0].id,
                    pair[1].id
                );
            }
            for reply in &thread.replies {
                assert!(ids.insert(reply.id.clone()));
                assert!(longhand::model::Id::parse(&reply.id).is_some());
            }
        }
    }

    #[test]
    fn a_corpus_validates_clean_from_the_work_tree_and_from_its_git_history() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = generate(&Spec::new(60, 600));
        // One commit per file: authorship is checked, and every commit is its author's.
        corpus.write_git(dir.path(), usize::MAX).unwrap();
        let report = longhand::validate::run(&longhand::WorkTree::new(dir.path())).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
        assert_eq!(report.files, 1 + corpus.files().len());
        let repo = longhand::git2::Repository::open(dir.path()).unwrap();
        let tree = longhand::GitTree::new(repo, "HEAD", "").unwrap();
        let report = longhand::validate::run(&tree).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
        let commits = std::process::Command::new("git")
            .args(["rev-list", "--count", "HEAD"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let count = String::from_utf8_lossy(&commits.stdout).trim().to_owned();
        assert_eq!(count, corpus.files().len().to_string());
    }

    /// Loading reads one batch while the one before is parsed on the pool; run from inside the
    /// pool itself (a one-thread pool, where blocking would wait forever) and from outside,
    /// it gives the same report, problems planted in several batches included.
    #[test]
    fn validation_from_inside_the_pool_neither_hangs_nor_differs() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = generate(&Spec::new(1200, 12_000));
        corpus.write(dir.path()).unwrap();
        let mut planted = 0;
        for (i, thread) in corpus.threads.iter().enumerate().step_by(300) {
            let reply = &thread.replies[0];
            let path = dir
                .path()
                .join(format!("threads/{}/{}.md", thread.slug, reply.id));
            let text = std::fs::read_to_string(&path).unwrap();
            let broken = text.replacen("author:", &format!("author{i}:"), 1);
            std::fs::write(&path, broken).unwrap();
            planted += 1;
        }
        let source = longhand::WorkTree::new(dir.path());
        let outside = longhand::validate::run(&source).unwrap();
        assert!(outside.diagnostics.len() >= planted, "{outside:#?}");
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let inside = pool.install(|| longhand::validate::run(&source)).unwrap();
            assert_eq!(format!("{inside:?}"), format!("{outside:?}"), "{threads}");
        }
    }

    #[test]
    fn a_corpus_has_votes_decisions_chains_and_links() {
        let corpus = generate(&Spec::new(200, 2000));
        let replies = corpus.threads.iter().flat_map(|t| &t.replies);
        assert!(replies.clone().any(|r| r.vote == Some("-1")));
        assert!(replies.clone().any(|r| r.reply_to.is_some()));
        assert!(replies.clone().any(|r| r.body.contains("```")));
        assert!(replies.clone().any(|r| r.body.contains("/thread.md)")));
        assert!(corpus.decisions.iter().any(|d| !d.supersedes.is_empty()));
        let zones: std::collections::BTreeSet<_> = corpus.people.iter().map(|p| p.zone).collect();
        assert!(zones.len() > 5);
    }

    #[test]
    fn a_new_reply_is_valid_in_its_corpus() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = generate(&Spec::new(20, 100));
        corpus.write(dir.path()).unwrap();
        let (path, text) = corpus.new_reply(3, 9);
        std::fs::write(dir.path().join(path), text).unwrap();
        let report = longhand::validate::run(&longhand::WorkTree::new(dir.path())).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    }

    #[test]
    fn the_hugo_site_holds_every_thread_and_decision() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = generate(&Spec::new(40, 300));
        corpus.write_hugo(dir.path()).unwrap();
        let pages = std::fs::read_dir(dir.path().join("content/threads"))
            .unwrap()
            .count();
        assert_eq!(pages, 40);
        let decisions = std::fs::read_dir(dir.path().join("content/decisions"))
            .unwrap()
            .count();
        assert_eq!(decisions, corpus.decisions.len());
        assert!(dir.path().join("layouts/_default/single.html").is_file());
    }

    #[test]
    fn a_one_reply_push_passes_the_incremental_check_and_the_history_rules() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = generate(&Spec::new(30, 200));
        corpus.write_git(dir.path(), usize::MAX).unwrap();
        let repo = longhand::git2::Repository::open(dir.path()).unwrap();
        let (old, new) = one_reply_commit(&repo, &corpus.people, 5).unwrap();
        let changed = repo.find_commit(new).unwrap();
        assert_eq!(changed.parent_id(0).unwrap(), old);
        let report = longhand::history::check_tree_change(&repo, "", Some(old), new).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
        let report = longhand::history::verify(&repo, "", Some(old), new).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
        let report = longhand::history::verify(&repo, "", None, new).unwrap();
        assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    }
}
