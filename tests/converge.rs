//! Convergence with real git: a bare repository as the server and six clones that post
//! replies, vote, edit tags, `awaiting` and decision fields at the same time, each syncing
//! with `git pull` (merging through the registered driver) and `git push`, retrying until
//! the push is taken. Two true conflicts are designed in — two people retitle the thread,
//! two others accept and reject the decision — and resolved as a person would; every other
//! merge must go through without a human.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use longhand::model::DecisionStatus;
use longhand::{load, WorkTree};

use crate::support::{git, git_init, git_run, git_run_with, longhand, longhand_with, ok, Run};

/// The six people who work at once: handle and name (emails are `handle@example.org`).
const PEOPLE: [(&str, &str); 6] = [
    ("bea", "Bea Costa"),
    ("caio", "Caio Reis"),
    ("dara", "Dara Okafor"),
    ("eli", "Eli Novak"),
    ("fen", "Fen Zhou"),
    ("gus", "Gus Berg"),
];

const AGREED_TITLE: &str = "Converge, as agreed";
const REVIEW_BY: &str = "2026-12-20T17:00:00Z";

/// A meeting point for a fixed number of threads that gives up (and fails the test) when a
/// partner never arrives, instead of hanging.
struct Rendezvous {
    arrived: Mutex<usize>,
    all_here: Condvar,
    parties: usize,
}

impl Rendezvous {
    fn new(parties: usize) -> Self {
        Rendezvous {
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            parties,
        }
    }

    fn wait(&self) {
        let mut arrived = self.arrived.lock().expect("lock");
        *arrived += 1;
        if *arrived >= self.parties {
            self.all_here.notify_all();
            return;
        }
        let (_guard, waited) = self
            .all_here
            .wait_timeout_while(arrived, Duration::from_secs(60), |n| *n < self.parties)
            .expect("lock");
        assert!(!waited.timed_out(), "a partner never arrived");
    }
}

/// One step of a person's script.
enum Op {
    /// `longhand reply`, optionally voting, optionally answering the person's first reply.
    Reply {
        vote: Option<&'static str>,
        to_own_first: bool,
    },
    /// `longhand thread edit converge ARGS…`.
    Edit(Vec<String>),
    /// Add oneself to the decision's `deciders`, by hand in an editor, and commit.
    AddDecider,
    /// Move the decision's `review-by`, by hand, and commit.
    MoveReview,
    /// Any other `longhand` command.
    Cli(Vec<&'static str>),
}

/// A merge that stopped with conflicts, as the worker that resolved it saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Stop {
    /// The files git left unmerged.
    files: Vec<String>,
    /// The keys between conflict markers.
    keys: Vec<String>,
    /// Whether `longhand validate` reported LH601 in each of the files before resolving.
    reported: bool,
    /// The value taken: theirs' lines of every block.
    taken: Vec<String>,
}

#[derive(Debug, Default)]
struct Outcome {
    replies: Vec<String>,
    stops: Vec<Stop>,
    merges: usize,
    rejected_pushes: usize,
}

struct Worker {
    dir: PathBuf,
    handle: &'static str,
    name: &'static str,
    email: String,
    outcome: Outcome,
}

impl Worker {
    fn env(&self) -> [(&str, &str); 4] {
        [
            ("GIT_AUTHOR_NAME", self.name),
            ("GIT_AUTHOR_EMAIL", &self.email),
            ("GIT_COMMITTER_NAME", self.name),
            ("GIT_COMMITTER_EMAIL", &self.email),
        ]
    }

    fn longhand(&self, args: &[&str]) -> Run {
        ok(longhand_with(&self.dir, args, &self.env()))
    }

    fn git(&self, args: &[&str]) -> Run {
        let run = git_run_with(&self.dir, args, &self.env());
        assert_eq!(
            run.code, 0,
            "{}: git {args:?}: {}{}",
            self.handle, run.stdout, run.stderr
        );
        run
    }

    /// One round: make this round's changes locally, wait until everyone has made theirs (so
    /// that no one has seen anyone else's), then sync.
    fn round(&mut self, ops: &[Op], everyone: &Rendezvous) {
        for op in ops {
            self.run(op);
        }
        everyone.wait();
        let before = self.outcome.stops.len();
        self.sync();
        // Whoever had to resolve the title sets the agreed one, through the CLI.
        if self.outcome.stops[before..]
            .iter()
            .any(|s| s.keys == ["title"])
        {
            self.longhand(&["thread", "edit", "converge", "--title", AGREED_TITLE]);
            self.sync();
        }
    }

    /// Makes one change and commits it, without syncing.
    fn run(&mut self, op: &Op) {
        match op {
            Op::Reply { vote, to_own_first } => {
                let text = format!(
                    "{} writes, reply {}.",
                    self.name,
                    self.outcome.replies.len()
                );
                let mut args = vec!["reply", "converge", "-m", &text];
                if let Some(vote) = vote {
                    args.extend(["--vote", vote]);
                }
                let first = self.outcome.replies.first().cloned();
                if *to_own_first {
                    args.extend(["--to", first.as_deref().expect("a first reply")]);
                }
                let run = self.longhand(&args);
                let written: Vec<String> = run
                    .stdout
                    .lines()
                    .filter_map(|line| line.strip_prefix("wrote threads/"))
                    .filter_map(|path| path.rsplit_once('/'))
                    .filter_map(|(_, file)| file.strip_suffix(".md"))
                    .map(str::to_owned)
                    .collect();
                assert_eq!(written.len(), 1, "one reply written: {}", run.stdout);
                self.outcome.replies.extend(written);
            }
            Op::Edit(args) => {
                let mut all = vec!["thread", "edit", "converge"];
                all.extend(args.iter().map(String::as_str));
                self.longhand(&all);
            }
            Op::AddDecider => {
                let handle = self.handle;
                self.edit_decision("deciders", |value| {
                    let inner = value.trim_start_matches('[').trim_end_matches(']');
                    format!("[{inner}, {handle}]")
                });
                self.git(&["commit", "-q", "-am", &format!("decision: add {handle}")]);
            }
            Op::MoveReview => {
                self.edit_decision("review-by", |_| REVIEW_BY.to_owned());
                self.git(&["commit", "-q", "-am", "decision: a longer review"]);
            }
            Op::Cli(args) => {
                self.longhand(args);
            }
        }
    }

    /// What a person does in an editor: rewrite one line of the decision's frontmatter.
    fn edit_decision(&self, key: &str, change: impl Fn(&str) -> String) {
        let path = decision_path(&self.dir);
        let text = fs::read_to_string(&path).expect("read the decision");
        let prefix = format!("{key}: ");
        let mut found = false;
        let edited: String = text
            .split_inclusive('\n')
            .map(|line| match line.strip_prefix(&prefix) {
                Some(value) if !found => {
                    found = true;
                    format!("{prefix}{}\n", change(value.trim_end()))
                }
                _ => line.to_owned(),
            })
            .collect();
        assert!(found, "{key} in {text}");
        fs::write(&path, edited).expect("write the decision");
    }

    /// Pull (merging through the driver) and push until the push is taken.
    fn sync(&mut self) {
        for _ in 0..500 {
            let before = git(&self.dir, &["rev-parse", "HEAD"]);
            let pull = git_run_with(&self.dir, &["pull", "-q", "--no-edit"], &self.env());
            if pull.code != 0 {
                self.resolve(&pull);
            } else if git(&self.dir, &["rev-parse", "HEAD"]) != before
                && git_run(&self.dir, &["rev-parse", "-q", "--verify", "HEAD^2"]).code == 0
                && git(&self.dir, &["log", "-1", "--format=%ae"]).trim() == self.email
            {
                self.outcome.merges += 1;
            }
            let push = git_run(&self.dir, &["push", "-q"]);
            if push.code == 0 {
                return;
            }
            self.outcome.rejected_pushes += 1;
        }
        panic!("{}: the push was never taken", self.handle);
    }

    /// A merge stopped: record where and on what, take theirs' side of every block (the
    /// version already on the server), and commit the merge.
    fn resolve(&mut self, pull: &Run) {
        let unmerged = git(&self.dir, &["diff", "--name-only", "--diff-filter=U"]);
        let files: Vec<String> = unmerged.lines().map(str::to_owned).collect();
        assert!(
            !files.is_empty(),
            "{}: git pull failed without a conflict: {}{}",
            self.handle,
            pull.stdout,
            pull.stderr
        );
        let validate = longhand(&self.dir, &["validate"]);
        let reported = validate.code == 1
            && validate.stdout.contains("error[LH601]")
            && files
                .iter()
                .all(|file| validate.stdout.contains(file.as_str()));
        let mut keys = Vec::new();
        let mut taken = Vec::new();
        for file in &files {
            let path = self.dir.join(file);
            let text = fs::read_to_string(&path).expect("read the conflicted file");
            let (resolved, blocks) = take_theirs(&text);
            for (ours, theirs) in blocks {
                for line in ours.iter().chain(&theirs) {
                    let key = line.split(':').next().unwrap_or_default().to_owned();
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                taken.extend(theirs);
            }
            fs::write(&path, resolved).expect("write the resolution");
            self.git(&["add", file]);
        }
        self.git(&["commit", "-q", "--no-edit"]);
        self.outcome.stops.push(Stop {
            files,
            keys,
            reported,
            taken,
        });
    }
}

/// One conflict block: ours' lines and theirs' lines.
type Block = (Vec<String>, Vec<String>);

/// Replaces every conflict block by theirs' lines; returns the text and the blocks.
fn take_theirs(text: &str) -> (String, Vec<Block>) {
    let mut out = String::new();
    let mut blocks = Vec::new();
    let mut side: Option<(Vec<String>, Vec<String>, bool)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        match &mut side {
            None if bare.starts_with("<<<<<<< ") => side = Some((Vec::new(), Vec::new(), false)),
            None => out.push_str(line),
            Some((_, _, in_theirs)) if bare == "=======" => *in_theirs = true,
            Some(_) if bare.starts_with(">>>>>>> ") => {
                let (ours, theirs, _) = side.take().expect("in a block");
                for kept in &theirs {
                    out.push_str(kept);
                    out.push('\n');
                }
                blocks.push((ours, theirs));
            }
            Some((ours, theirs, in_theirs)) => {
                if *in_theirs {
                    theirs.push(bare.to_owned());
                } else {
                    ours.push(bare.to_owned());
                }
            }
        }
    }
    assert!(side.is_none(), "an unterminated conflict block: {text}");
    (out, blocks)
}

fn decision_path(dir: &Path) -> PathBuf {
    let decisions = fs::read_dir(dir.join("decisions"))
        .expect("decisions/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect::<Vec<_>>();
    assert_eq!(decisions.len(), 1, "{decisions:?}");
    decisions.into_iter().next().expect("one decision")
}

/// Each person's script, round by round. Everyone votes, tags, awaits someone and adds
/// themselves to the deciders in the same rounds; in round 4 Bea and Caio retitle the
/// thread while Dara accepts the decision and Eli rejects it (the designed conflicts), Fen
/// removes the opener's tag and moves the review date, and Gus stops awaiting Ana.
fn script(index: usize) -> Vec<Vec<Op>> {
    let (handle, _) = PEOPLE[index];
    let next = PEOPLE[(index + 1) % PEOPLE.len()].0;
    let edit = |args: &[&str]| Op::Edit(args.iter().map(|a| (*a).to_owned()).collect());
    let designed = match index {
        0 => vec![Op::Cli(vec![
            "thread",
            "edit",
            "converge",
            "--title",
            "Converge on plan A",
        ])],
        1 => vec![Op::Cli(vec![
            "thread",
            "edit",
            "converge",
            "--title",
            "Converge on plan B",
        ])],
        // Both are moderators and the review period is open: each overrides the rule.
        2 => vec![Op::Cli(vec![
            "decision",
            "accept",
            "plan",
            "--override",
            "Dara: we go ahead",
        ])],
        3 => vec![Op::Cli(vec![
            "decision",
            "reject",
            "plan",
            "--override",
            "Eli: we stop here",
        ])],
        4 => vec![edit(&["--remove-tag", "process"]), Op::MoveReview],
        _ => vec![edit(&["--unawait", "ana"])],
    };
    vec![
        vec![Op::Reply {
            vote: Some(if index.is_multiple_of(2) { "+1" } else { "0" }),
            to_own_first: false,
        }],
        vec![edit(&[
            "--add-tag",
            &format!("t-{handle}"),
            "--add-tag",
            &format!("keep-{handle}"),
            "--await",
            next,
        ])],
        vec![Op::AddDecider],
        designed,
        vec![Op::Reply {
            vote: None,
            to_own_first: true,
        }],
        vec![edit(&["--remove-tag", &format!("t-{handle}")])],
        vec![Op::Reply {
            vote: Some("+1"),
            to_own_first: false,
        }],
    ]
}

/// The merge commits in `dir`'s history where both sides changed the same header (a
/// `thread.md` or a decision record): the merges the driver had to make.
fn header_merges(dir: &Path) -> usize {
    let headers = ["threads/*/thread.md", "decisions/*.md"];
    let changed = |from: &str, to: &str| -> BTreeSet<String> {
        let mut args = vec!["diff", "--name-only", from, to, "--"];
        args.extend(headers);
        git(dir, &args).lines().map(str::to_owned).collect()
    };
    git(dir, &["rev-list", "--merges", "HEAD"])
        .lines()
        .filter(|merge| {
            let (ours, theirs) = (format!("{merge}^1"), format!("{merge}^2"));
            let base = git(dir, &["merge-base", &ours, &theirs]);
            let base = base.trim();
            !changed(base, &ours).is_disjoint(&changed(base, &theirs))
        })
        .count()
}

#[test]
fn six_clones_converge_through_pull_and_push_and_only_designed_conflicts_stop() {
    let top = tempfile::tempdir().expect("tempdir");
    let top = top.path();

    // Ana starts the discussion, with everyone in longhand.yaml, and publishes it.
    let seed = top.join("seed");
    git_init(&seed);
    ok(longhand(&seed, &["init", "--title", "Converge"]));
    let mut config = fs::read_to_string(seed.join("longhand.yaml")).expect("read");
    let people: String = PEOPLE
        .iter()
        .map(|(handle, name)| {
            // Everyone is a moderator: each of them edits the thread's header and moves
            // the decision's status, which the history rules allow only to moderators
            // (besides the thread's author and the decision's deciders).
            format!("  {handle}:\n    name: {name}\n    emails: [{handle}@example.org]\n    roles: [moderator]\n")
        })
        .collect();
    config = config.replacen("policy:\n", &format!("{people}policy:\n"), 1);
    fs::write(seed.join("longhand.yaml"), config).expect("write");
    git(&seed, &["commit", "-q", "-am", "longhand: the team"]);
    ok(longhand(
        &seed,
        &[
            "thread",
            "new",
            "Converge",
            "-m",
            "Let us converge.",
            "--tag",
            "process",
            "--await",
            "ana",
        ],
    ));
    ok(longhand(
        &seed,
        &[
            "decision",
            "new",
            "Plan",
            "--thread",
            "converge",
            "--decider",
            "ana",
            "-m",
            "## Context\n\nWe need a plan.\n",
        ],
    ));
    let server = top.join("server.git");
    git(
        top,
        &[
            "clone",
            "-q",
            "--bare",
            "seed",
            server.to_str().expect("utf-8"),
        ],
    );

    // Six clones, each with its own identity and the merge driver registered.
    let rounds: Arc<Vec<Rendezvous>> = Arc::new(
        (0..script(0).len())
            .map(|_| Rendezvous::new(PEOPLE.len()))
            .collect(),
    );
    let mut handles = Vec::new();
    for (index, (handle, name)) in PEOPLE.iter().enumerate() {
        let dir = top.join(format!("c{index}"));
        git(top, &["clone", "-q", "server.git", &format!("c{index}")]);
        let email = format!("{handle}@example.org");
        git(&dir, &["config", "user.name", name]);
        git(&dir, &["config", "user.email", &email]);
        git(&dir, &["config", "pull.rebase", "false"]);
        let init = ok(longhand(&dir, &["init"]));
        assert!(
            init.stdout.contains("kept longhand.yaml"),
            "{}",
            init.stdout
        );
        assert_eq!(git(&dir, &["status", "--porcelain"]), "");
        let script = script(index);
        let rounds = rounds.clone();
        let mut worker = Worker {
            dir,
            handle,
            name,
            email,
            outcome: Outcome::default(),
        };
        handles.push(std::thread::spawn(move || {
            for (ops, everyone) in script.iter().zip(rounds.iter()) {
                worker.round(ops, everyone);
            }
            worker
        }));
    }
    let workers: Vec<Worker> = handles
        .into_iter()
        .map(|handle| handle.join().expect("a worker finished"))
        .collect();

    // Everyone pulls until quiet.
    for worker in &workers {
        let pull = git_run(&worker.dir, &["pull", "-q", "--no-edit"]);
        assert_eq!(
            pull.code, 0,
            "{}: {}{}",
            worker.handle, pull.stdout, pull.stderr
        );
    }
    let server_tree = git(&server, &["rev-parse", "main^{tree}"]);
    for worker in &workers {
        assert_eq!(
            git(&worker.dir, &["rev-parse", "HEAD^{tree}"]),
            server_tree,
            "{} has the server's tree",
            worker.handle
        );
        assert_eq!(git(&worker.dir, &["status", "--porcelain"]), "");
        let validate = longhand(&worker.dir, &["validate"]);
        assert_eq!(validate.code, 0, "{}: {}", worker.handle, validate.stdout);
        git(&worker.dir, &["fsck", "--no-dangling"]);
    }
    git(&server, &["fsck", "--no-dangling"]);

    // Only the two designed merges stopped, each on its one field, each reported as LH601.
    let mut stops: Vec<(&str, Stop)> = workers
        .iter()
        .flat_map(|w| w.outcome.stops.iter().map(move |s| (w.handle, s.clone())))
        .collect();
    stops.sort_by(|a, b| a.1.keys.cmp(&b.1.keys));
    assert_eq!(stops.len(), 2, "exactly the designed conflicts: {stops:#?}");
    let (status_by, status_stop) = &stops[0];
    let (title_by, title_stop) = &stops[1];
    // The status, and with it what each side recorded of its decision (`decided` may agree
    // to the second).
    assert_eq!(status_stop.keys[0], "status", "{stops:#?}");
    assert!(
        status_stop
            .keys
            .iter()
            .all(|k| ["status", "decided", "decided-by", "override"].contains(&k.as_str())),
        "{stops:#?}"
    );
    assert!(status_stop.files[0].starts_with("decisions/"), "{stops:#?}");
    assert!(["dara", "eli"].contains(status_by), "{stops:#?}");
    assert_eq!(title_stop.keys, ["title"], "{stops:#?}");
    assert!(title_stop.files[0].ends_with("/thread.md"), "{stops:#?}");
    assert!(["bea", "caio"].contains(title_by), "{stops:#?}");
    for (_, stop) in &stops {
        assert_eq!(stop.files.len(), 1, "{stops:#?}");
        assert!(stop.reported, "validate reports LH601: {stops:#?}");
    }

    // Every reply posted is there exactly once, and nothing else is.
    let posted: Vec<String> = workers
        .iter()
        .flat_map(|w| w.outcome.replies.iter().cloned())
        .collect();
    let unique: BTreeSet<String> = posted.iter().cloned().collect();
    assert_eq!(unique.len(), posted.len(), "ids are unique");
    assert_eq!(posted.len(), 3 * PEOPLE.len());
    let dir = &workers[0].dir;
    let loaded = load(&WorkTree::new(dir)).expect("loads");
    let thread = &loaded.discussion.threads[0];
    let present: Vec<String> = thread.replies.iter().map(|m| m.id.to_string()).collect();
    let present_set: BTreeSet<String> = present.iter().cloned().collect();
    assert_eq!(present.len(), present_set.len());
    assert_eq!(present_set, unique);
    let files: BTreeSet<String> = fs::read_dir(dir.join("threads").join(&thread.slug))
        .expect("the thread's directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "thread.md")
        .filter_map(|name| name.strip_suffix(".md").map(str::to_owned))
        .collect();
    assert_eq!(files, unique);

    // Every field change landed: sets from everyone, removals kept, the agreed title.
    assert_eq!(thread.title, AGREED_TITLE);
    let tags: BTreeSet<&str> = thread.tags.iter().map(String::as_str).collect();
    let keep: Vec<String> = PEOPLE.iter().map(|(h, _)| format!("keep-{h}")).collect();
    assert_eq!(tags, keep.iter().map(String::as_str).collect());
    let awaiting: BTreeSet<&str> = thread.awaiting.iter().map(String::as_str).collect();
    assert_eq!(awaiting, PEOPLE.iter().map(|(h, _)| *h).collect());
    let decision = &loaded.discussion.decisions[0];
    let deciders: BTreeSet<&str> = decision.deciders.iter().map(String::as_str).collect();
    let mut everyone: BTreeSet<&str> = PEOPLE.iter().map(|(h, _)| *h).collect();
    everyone.insert("ana");
    assert_eq!(deciders, everyone);
    let text = fs::read_to_string(decision_path(dir)).expect("read");
    assert!(
        text.contains(&format!("review-by: {REVIEW_BY}\n")),
        "{text}"
    );
    // The status is the one that reached the server first, which the resolver kept.
    let kept = &status_stop.taken;
    match decision.status {
        DecisionStatus::Accepted => {
            assert!(kept.contains(&"status: accepted".to_owned()), "{kept:?}");
            assert_eq!(decision.decided_by.as_deref(), Some("dara"));
        }
        DecisionStatus::Rejected => {
            assert!(kept.contains(&"status: rejected".to_owned()), "{kept:?}");
            assert_eq!(decision.decided_by.as_deref(), Some("eli"));
        }
        other => panic!("the decision is {other}"),
    }

    // In rounds 2, 3 and 6 five people each changed a header someone else had just changed,
    // and in round 4 at least four: at least 19 merges went through the driver (or stopped).
    let through_driver = header_merges(dir);
    assert!(through_driver >= 19, "{through_driver} header merges");
    let merges: usize = workers.iter().map(|w| w.outcome.merges).sum();
    let rejected: usize = workers.iter().map(|w| w.outcome.rejected_pushes).sum();
    eprintln!(
        "converged: {merges} merges ({through_driver} of a header on both sides), \
         2 designed conflicts, {rejected} pushes retried"
    );
}
