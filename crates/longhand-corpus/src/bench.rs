//! The whole-command harness behind `longhand-corpus bench`: times the real `longhand` binary
//! on generated corpora, several runs each, with its baseline measured in the same run, and
//! reports medians, ratios and peak memory (from `wait4`'s resource usage of each child).
//!
//! Runs are interleaved — every case once, then every case again — so a burst of load from
//! elsewhere on the machine falls on baseline and target alike rather than on one of them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{generate, Spec};

/// The fixed clock every timed command sees, so runs are alike.
const NOW: &str = "2026-01-15T12:00:00Z";

/// Arguments of `longhand-corpus bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The `longhand` binary to time (default: the one next to this program).
    #[arg(long, value_name = "PATH")]
    pub longhand: Option<PathBuf>,
    /// Corpus sizes, in replies.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    pub sizes: Vec<usize>,
    /// Replies per thread: each corpus has its replies divided by this many threads.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub per_thread: u64,
    /// Runs of each case; medians are reported.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Where corpora are generated (default: a temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,
    /// Commits in each corpus's history.
    #[arg(long, default_value_t = 20)]
    pub commits: usize,
    /// Only these cases (validate, validate-rev, list, inbox, search, reply, render, check,
    /// verify, sync).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Also write the report (Markdown) here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write the growth curve (SVG) here.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// A failure of the harness.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Writing a corpus failed.
    #[error(transparent)]
    Write(#[from] crate::WriteError),
    /// A file or process could not be handled.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A timed command failed.
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// The end of its standard error.
        stderr: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let what = what.into();
    move |source| BenchError::Io { what, source }
}

/// One run of a command: wall time and peak resident memory.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Wall-clock time.
    pub wall: Duration,
    /// Peak resident set size, in bytes.
    pub max_rss: u64,
}

/// The name of the case that times `list` with the watcher running.
const WATCHED_LIST: &str = "list (watcher)";
/// The name of the case that checks a one-reply push, and of its baseline.
const PUSH_CHECK: &str = "pre-receive of a one-reply push";
const PUSH_BASELINE: &str = "git diff-tree of the push (baseline)";

/// The name of the case that times `sync` with nothing to do, and of its baseline.
const SYNC: &str = "sync, nothing to do";
const SYNC_BASELINE: &str = "git fetch of the upstream (baseline)";

/// A command to time, and how to judge its exit status.
struct Case {
    name: String,
    program: PathBuf,
    args: Vec<String>,
    dir: PathBuf,
    /// Files to feed on standard input, one run after another (the first to the untimed
    /// warm-up run, then in turn); none: nothing.
    stdin: Vec<PathBuf>,
    /// How many times it has run.
    done: std::cell::Cell<usize>,
    /// Exit codes that count as success (validate exits 1 on findings, which would be a bug
    /// in the generator, so only 0 is accepted by default).
    ok: Vec<i32>,
}

/// Runs a command once with its output discarded; returns its wall time and peak memory.
fn run_once(case: &Case) -> Result<Sample, BenchError> {
    let command_line = format!("{} {}", case.program.display(), case.args.join(" "));
    let stdin = case.stdin.get(case.done.get() % case.stdin.len().max(1));
    case.done.set(case.done.get() + 1);
    let start = Instant::now();
    let child = Command::new(&case.program)
        .args(&case.args)
        .current_dir(&case.dir)
        .env("LONGHAND_NOW", NOW)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "Ana Lima")
        .env("GIT_AUTHOR_EMAIL", "ana.lima0@example.org")
        .env("GIT_COMMITTER_NAME", "Ana Lima")
        .env("GIT_COMMITTER_EMAIL", "ana.lima0@example.org")
        .stdin(match stdin {
            Some(path) => Stdio::from(
                std::fs::File::open(path).map_err(io(format!("cannot open {}", path.display())))?,
            ),
            None => Stdio::null(),
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(io(format!("cannot start {command_line}")))?;
    let (status, usage) =
        wait4(child.id()).map_err(io(format!("cannot wait for {command_line}")))?;
    let wall = start.elapsed();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    if !case.ok.contains(&code) {
        // Run it again with its output kept, to say why.
        let output = Command::new(&case.program)
            .args(&case.args)
            .current_dir(&case.dir)
            .env("LONGHAND_NOW", NOW)
            .stdin(match stdin {
                Some(path) => Stdio::from(
                    std::fs::File::open(path)
                        .map_err(io(format!("cannot open {}", path.display())))?,
                ),
                None => Stdio::null(),
            })
            .output()
            .map_err(io(format!("cannot start {command_line}")))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let tail: String = format!("{stdout}{stderr}")
            .chars()
            .rev()
            .take(2000)
            .collect();
        return Err(BenchError::Failed {
            command: command_line,
            status: format!("exit {code}"),
            stderr: tail.chars().rev().collect(),
        });
    }
    // ru_maxrss is in kilobytes on Linux.
    Ok(Sample {
        wall,
        max_rss: usage.ru_maxrss.max(0) as u64 * 1024,
    })
}

/// Waits for a child and returns its status and resource usage. The workspace denies
/// `unsafe`; this is its one exception, since std has no call for a child's rusage.
#[allow(unsafe_code)]
fn wait4(pid: u32) -> std::io::Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: rusage is plain old data for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals; the pid is a child of this process that
        // has not been waited for (std's `Child` is dropped without waiting).
        let result = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        if result >= 0 {
            return Ok((status, usage));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Walks `dir` (skipping `.git`) and reads every file: returns how many files and bytes.
pub fn read_tree(dir: &Path) -> Result<(u64, u64), std::io::Error> {
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    let (mut files, mut bytes) = (0, 0);
    while let Some(dir) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if entry.file_name() != ".git" {
                    pending.push(entry.path());
                }
            } else if kind.is_file() {
                bytes += std::fs::read(entry.path())?.len() as u64;
                files += 1;
            }
        }
    }
    Ok((files, bytes))
}

/// The median of some durations (the lower middle one for an even count).
pub fn median(samples: &[Sample]) -> Sample {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort_unstable();
    let max_rss = samples.iter().map(|s| s.max_rss).max().unwrap_or(0);
    Sample {
        wall: walls
            .get((walls.len().max(1) - 1) / 2)
            .copied()
            .unwrap_or_default(),
        max_rss,
    }
}

/// What one size measured: each case's median, and the corpus's size.
#[derive(Clone, Debug)]
pub struct Measured {
    /// Replies in the corpus.
    pub replies: usize,
    /// Threads in the corpus.
    pub threads: usize,
    /// Bytes of the discussion's files.
    pub bytes: u64,
    /// Files of the discussion.
    pub files: u64,
    /// `(case, median, its baseline's name)`.
    pub cases: Vec<(String, Sample, Option<String>)>,
}

impl Measured {
    fn get(&self, name: &str) -> Option<Sample> {
        self.cases.iter().find(|c| c.0 == name).map(|c| c.1)
    }
}

fn wanted(args: &Args, name: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|o| name.starts_with(o.as_str()))
}

/// True when `longhand` has a subcommand (so the harness works before and after it lands).
fn has_subcommand(longhand: &Path, name: &str) -> bool {
    Command::new(longhand)
        .args([name, "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn hugo_available() -> bool {
    Command::new("hugo")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs the harness: for every size, generate, then time every case `runs` times.
pub fn run(args: &Args) -> Result<(), BenchError> {
    let longhand = match &args.longhand {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(io("cannot find this program"))?
            .with_file_name("longhand"),
    };
    // Commands run in the corpus's directory, so a relative path must be made absolute.
    let longhand = std::fs::canonicalize(&longhand)
        .map_err(io(format!("cannot find {}", longhand.display())))?;
    let this = std::env::current_exe().map_err(io("cannot find this program"))?;
    let temporary;
    let work = match &args.work {
        Some(dir) => dir.clone(),
        None => {
            temporary = TempDir::new()?;
            temporary.0.clone()
        }
    };
    std::fs::create_dir_all(&work).map_err(io(format!("cannot make {}", work.display())))?;
    let work =
        std::fs::canonicalize(&work).map_err(io(format!("cannot find {}", work.display())))?;
    let mut all = Vec::new();
    for &replies in &args.sizes {
        let measured = measure_size(args, &longhand, &this, &work, replies)?;
        print_size(&measured);
        all.push(measured);
    }
    let report = report(&all, args.runs);
    println!("\n{report}");
    if let Some(path) = &args.report {
        std::fs::write(path, &report).map_err(io(format!("cannot write {}", path.display())))?;
    }
    if let Some(path) = &args.svg {
        std::fs::write(path, svg(&all)).map_err(io(format!("cannot write {}", path.display())))?;
    }
    Ok(())
}

fn measure_size(
    args: &Args,
    longhand: &Path,
    this: &Path,
    work: &Path,
    replies: usize,
) -> Result<Measured, BenchError> {
    let threads = (replies / usize::try_from(args.per_thread).unwrap_or(10)).max(1);
    let base = work.join(format!("r{replies}"));
    let repo = base.join("repo");
    let hugo_dir = base.join("hugo");
    if base.exists() {
        std::fs::remove_dir_all(&base).map_err(io(format!("cannot clear {}", base.display())))?;
    }
    eprintln!(
        "== {replies} replies, {threads} threads: generating in {}",
        base.display()
    );
    // The corpus is generated by a child process: a child's peak memory starts from its
    // parent's at fork, so this process must stay small for the children's figures to mean
    // anything. The people and the threads' slugs come from a tiny corpus of the same seed
    // (the roster is drawn first) and from the directory itself.
    let (replies_arg, threads_arg, commits_arg) = (
        replies.to_string(),
        threads.to_string(),
        args.commits.to_string(),
    );
    let hugo_arg = hugo_dir.to_string_lossy().into_owned();
    let repo_arg = repo.to_string_lossy().into_owned();
    let mut generate_args = vec![
        "generate",
        &repo_arg,
        "--threads",
        &threads_arg,
        "--replies",
        &replies_arg,
        "--commits",
        &commits_arg,
    ];
    if wanted(args, "render") {
        generate_args.extend(["--hugo", &hugo_arg]);
    }
    run_once(&Case {
        name: "generate".into(),
        program: this.to_owned(),
        args: generate_args.iter().map(|s| (*s).to_owned()).collect(),
        dir: work.to_owned(),
        stdin: Vec::new(),
        done: std::cell::Cell::new(0),
        ok: vec![0],
    })?;
    let people = generate(&Spec {
        replies: 0,
        threads: 1,
        ..Spec::new(threads, replies)
    })
    .people;
    let mut slugs: Vec<String> = std::fs::read_dir(repo.join("threads"))
        .map_err(io("cannot list the corpus's threads"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    slugs.sort_unstable();
    let (files, bytes) = read_tree(&repo).map_err(io("cannot read the corpus"))?;
    let mut cases = Vec::new();
    let case = |name: &str, program: &Path, list: &[&str], dir: &Path, ok: &[i32]| Case {
        name: name.to_owned(),
        program: program.to_owned(),
        args: list.iter().map(|s| (*s).to_owned()).collect(),
        dir: dir.to_owned(),
        stdin: Vec::new(),
        done: std::cell::Cell::new(0),
        ok: ok.to_vec(),
    };
    let repo_str = repo.to_string_lossy().into_owned();
    let mut baselines: Vec<(String, Option<String>)> = Vec::new();
    if wanted(args, "validate") {
        cases.push(case(
            "read-tree (baseline)",
            this,
            &["read-tree", &repo_str],
            &repo,
            &[0],
        ));
        cases.push(case("validate", longhand, &["validate"], &repo, &[0]));
        baselines.push(("validate".into(), Some("read-tree (baseline)".into())));
    }
    if wanted(args, "validate-rev") {
        cases.push(case(
            "validate --rev HEAD",
            longhand,
            &["validate", "--rev", "HEAD"],
            &repo,
            &[0],
        ));
        baselines.push((
            "validate --rev HEAD".into(),
            Some("read-tree (baseline)".into()),
        ));
    }
    if wanted(args, "list") {
        cases.push(case("list", longhand, &["list"], &repo, &[0]));
    }
    // `list` with the file-system watcher running (Linux): timed in rounds of its own, with
    // the watcher started before them and stopped after, so the other cases run without it.
    let watched = cfg!(target_os = "linux") && has_subcommand(longhand, "watch");
    let watcher = |command: &str| case(command, longhand, &["watch", command], &repo, &[0]);
    if wanted(args, "list") && watched {
        cases.push(case(WATCHED_LIST, longhand, &["list"], &repo, &[0]));
    }
    if wanted(args, "inbox") {
        let who = people[1].handle.clone();
        cases.push(case(
            "inbox",
            longhand,
            &["inbox", "--for", &who],
            &repo,
            &[0],
        ));
    }
    if wanted(args, "search") && has_subcommand(longhand, "search") {
        // `longhand search` against `git grep -i` of the same words in the same repository
        // (the work tree's tracked files, on every core): a word in about half the files, two
        // words that must both occur in a file (`--all-match`), and a word in none (what a
        // rare word costs: every file read, none parsed).
        for words in [&["latency"][..], &["flaky", "timeout"], &["zqxjv"]] {
            let mut grep = vec!["grep", "-i"];
            if words.len() > 1 {
                grep.push("--all-match");
            }
            for word in words {
                grep.extend(["-e", word]);
            }
            let baseline = format!("git grep -i {} (baseline)", words.join(" "));
            let target = format!("search {}", words.join(" "));
            cases.push(case(&baseline, Path::new("git"), &grep, &repo, &[0, 1]));
            let mut search = vec!["search"];
            search.extend_from_slice(words);
            cases.push(case(&target, longhand, &search, &repo, &[0]));
            baselines.push((target, Some(baseline)));
        }
    }
    if wanted(args, "render") && has_subcommand(longhand, "render") && hugo_available() {
        let site = base.join("site").to_string_lossy().into_owned();
        let hugo_out = base.join("hugo-public").to_string_lossy().into_owned();
        cases.push(case(
            "hugo (baseline)",
            Path::new("hugo"),
            &["--quiet", "-d", &hugo_out],
            &hugo_dir,
            &[0],
        ));
        cases.push(case(
            "render",
            longhand,
            &["render", "--out", &site],
            &repo,
            &[0],
        ));
        baselines.push(("render".into(), Some("hugo (baseline)".into())));
    }
    if wanted(args, "check") {
        // A series of pushes of one reply each, checked by the pre-receive hook: each run
        // checks the next commit of a chain, whose old tip the previous run checked as its
        // new tip, as on a server where people push one after another. (Checking the same
        // push again would find its new tree already kept by the previous check.)
        let repository = longhand::git2::Repository::open(&repo)
            .map_err(|e| io(format!("cannot open {}", repo.display()))(std::io::Error::other(e)))?;
        let mut tip = repository
            .head()
            .and_then(|h| h.peel_to_commit())
            .map_err(|e| io("no HEAD commit")(std::io::Error::other(e)))?
            .id();
        let mut updates = Vec::new();
        let mut pushed = Vec::new();
        for round in 0..=args.runs.max(1) {
            let (old, new) =
                crate::one_reply_commit_on(&repository, tip, &people, 7 + round as u64)
                    .map_err(|e| io("cannot make the pushed commit")(std::io::Error::other(e)))?;
            let file = base.join(format!("push-{round}.txt"));
            std::fs::write(&file, format!("{old} {new} refs/heads/main\n"))
                .map_err(io("cannot write the push"))?;
            updates.push(file);
            // For git's own comparison of the same push: one commit, against its parent.
            let file = base.join(format!("pushed-{round}.txt"));
            std::fs::write(&file, format!("{new}\n")).map_err(io("cannot write the push"))?;
            pushed.push(file);
            tip = new;
        }
        // The baseline: git itself listing the paths the same push changes, which any check
        // of a push must at least find out (`git diff-tree -r <new>`, against its parent).
        let mut diff_tree = case(
            PUSH_BASELINE,
            Path::new("git"),
            &["diff-tree", "-r", "--name-only", "--stdin"],
            &repo,
            &[0],
        );
        diff_tree.stdin = pushed;
        cases.push(diff_tree);
        let mut hook = case(PUSH_CHECK, longhand, &["hook", "pre-receive"], &repo, &[0]);
        hook.stdin = updates;
        cases.push(hook);
        baselines.push((PUSH_CHECK.into(), Some(PUSH_BASELINE.into())));
    }
    if wanted(args, "sync") && has_subcommand(longhand, "sync") {
        // `sync` with nothing to do, against a bare clone of the corpus on the same disk as
        // its upstream, and the `git fetch` it runs as the baseline. (The writing case's
        // warm-up leaves the corpus one commit ahead: the warm-up sync pushes it.)
        let server = base.join("server.git");
        let server_str = server.to_string_lossy().into_owned();
        let branch = longhand::git2::Repository::open(&repo)
            .and_then(|r| r.head().map(|h| h.shorthand().unwrap_or("main").to_owned()))
            .map_err(|e| io("no branch to sync")(std::io::Error::other(e)))?;
        let (remote_key, merge_key, merge_ref) = (
            format!("branch.{branch}.remote"),
            format!("branch.{branch}.merge"),
            format!("refs/heads/{branch}"),
        );
        let setup: [&[&str]; 4] = [
            &["clone", "-q", "--bare", &repo_str, &server_str],
            &["remote", "add", "bench", &server_str],
            &["config", &remote_key, "bench"],
            &["config", &merge_key, &merge_ref],
        ];
        for (i, git_args) in setup.iter().enumerate() {
            let dir = if i == 0 { work } else { repo.as_path() };
            run_once(&case("set up sync", Path::new("git"), git_args, dir, &[0]))?;
        }
        cases.push(case(
            SYNC_BASELINE,
            Path::new("git"),
            &[
                "fetch",
                "--quiet",
                "--no-tags",
                "--no-recurse-submodules",
                "bench",
                &merge_ref,
            ],
            &repo,
            &[0],
        ));
        // For reference: the look at the work tree sync makes while the fetch runs.
        cases.push(case(
            "git status of the discussion (reference)",
            Path::new("git"),
            &[
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                ".",
            ],
            &repo,
            &[0],
        ));
        cases.push(case(SYNC, longhand, &["sync"], &repo, &[0]));
        baselines.push((SYNC.into(), Some(SYNC_BASELINE.into())));
    }
    if wanted(args, "verify") {
        let range = format!("verify of all {} commits", args.commits);
        cases.push(case(&range, longhand, &["verify", "HEAD"], &repo, &[0]));
    }
    if wanted(args, "reply") {
        let slug = slugs[slugs.len() / 2].clone();
        cases.push(case(
            "reply (writes and commits)",
            longhand,
            &["reply", &slug, "-m", "A reply from the benchmark harness."],
            &repo,
            &[0],
        ));
    }
    // One untimed run of each warms the page cache (and any cache the command keeps); the
    // writing case first, so that the reading cases' warm-up sees the tree they are timed on.
    let writes =
        |case: &Case| case.args.first().is_some_and(|a| a == "reply") || case.name == WATCHED_LIST;
    for case in cases.iter().filter(|c| writes(c) && c.name != WATCHED_LIST) {
        run_once(case)?;
    }
    for case in cases.iter().filter(|c| !writes(c)) {
        run_once(case)?;
    }
    // The reading cases are interleaved, so that a burst of load from elsewhere falls on a
    // target and its baseline alike. A writing case (`reply`) runs its rounds after them:
    // interleaved, every reply would change the tree under the next `list`, and each timed
    // `list` would measure the cache's update of one thread instead of a warm run.
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); cases.len()];
    for _ in 0..args.runs.max(1) {
        for (i, case) in cases.iter().enumerate() {
            if !writes(case) {
                samples[i].push(run_once(case)?);
            }
        }
    }
    for (i, case) in cases.iter().enumerate() {
        if case.name == WATCHED_LIST {
            run_once(&watcher("start"))?;
            // The first run gives the cache the new watcher's token; the next is warm.
            let timed = (|| {
                run_once(case)?;
                run_once(case)?;
                (0..args.runs.max(1))
                    .map(|_| run_once(case))
                    .collect::<Result<Vec<_>, _>>()
            })();
            run_once(&watcher("stop"))?;
            samples[i].extend(timed?);
        }
    }
    for (i, case) in cases.iter().enumerate() {
        if writes(case) && case.name != WATCHED_LIST {
            for _ in 0..args.runs.max(1) {
                samples[i].push(run_once(case)?);
            }
        }
    }
    let measured = Measured {
        replies,
        threads,
        bytes,
        files,
        cases: cases
            .iter()
            .zip(&samples)
            .map(|(case, samples)| {
                let baseline = baselines
                    .iter()
                    .find(|b| b.0 == case.name)
                    .and_then(|b| b.1.clone());
                (case.name.clone(), median(samples), baseline)
            })
            .collect(),
    };
    if args.work.is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
    Ok(measured)
}

fn millis(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn print_size(measured: &Measured) {
    eprintln!(
        "   {} files, {} MiB: {}",
        measured.files,
        mib(measured.bytes),
        measured
            .cases
            .iter()
            .map(|(name, s, _)| format!("{name} {} ms", millis(s.wall)))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The Markdown report: one table per size (median, ratio to the baseline, peak memory and its
/// ratio to the corpus's bytes), then the growth table.
pub fn report(all: &[Measured], runs: usize) -> String {
    let mut out = String::new();
    for m in all {
        let _ = writeln!(
            out,
            "### {} replies, {} threads ({} files, {} MiB)\n\nMedian of {runs} runs.\n\n\
             | case | median ms | × baseline | peak RSS MiB | RSS ÷ corpus bytes |\n\
             | --- | ---: | ---: | ---: | ---: |",
            m.replies,
            m.threads,
            m.files,
            mib(m.bytes)
        );
        for (name, sample, baseline) in &m.cases {
            let ratio = baseline
                .as_deref()
                .and_then(|b| m.get(b))
                .map(|b| format!("{:.2}", sample.wall.as_secs_f64() / b.wall.as_secs_f64()))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {name} | {} | {ratio} | {} | {:.2} |",
                millis(sample.wall),
                mib(sample.max_rss),
                sample.max_rss as f64 / m.bytes.max(1) as f64
            );
        }
        out.push('\n');
    }
    if all.len() > 1 {
        let names: Vec<&String> = all[0].cases.iter().map(|c| &c.0).collect();
        let _ = writeln!(
            out,
            "### Growth (median ms; µs per reply in brackets)\n\n| replies | {} |\n| ---: |{}",
            names
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(" | "),
            " ---: |".repeat(names.len())
        );
        for m in all {
            let cells: Vec<String> = names
                .iter()
                .map(|n| match m.get(n) {
                    Some(s) => format!(
                        "{} ({:.1})",
                        millis(s.wall),
                        s.wall.as_secs_f64() * 1e6 / m.replies.max(1) as f64
                    ),
                    None => String::new(),
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", m.replies, cells.join(" | "));
        }
    }
    out
}

/// A log-log plot of median time against replies, one line per case, as a small SVG.
pub fn svg(all: &[Measured]) -> String {
    let (width, height, margin) = (640.0, 420.0, 60.0);
    let names: Vec<String> = all.first().map_or(Vec::new(), |m| {
        m.cases.iter().map(|c| c.0.clone()).collect()
    });
    let points: Vec<(f64, f64)> = all
        .iter()
        .flat_map(|m| {
            m.cases
                .iter()
                .map(move |c| (m.replies as f64, c.1.wall.as_secs_f64() * 1000.0))
        })
        .filter(|p| p.1 > 0.0)
        .collect();
    let lo_x = points
        .iter()
        .map(|p| p.0)
        .fold(f64::MAX, f64::min)
        .log10()
        .floor();
    let hi_x = points
        .iter()
        .map(|p| p.0)
        .fold(f64::MIN, f64::max)
        .log10()
        .ceil()
        .max(lo_x + 1.0);
    let lo_y = points
        .iter()
        .map(|p| p.1)
        .fold(f64::MAX, f64::min)
        .log10()
        .floor();
    let hi_y = points
        .iter()
        .map(|p| p.1)
        .fold(f64::MIN, f64::max)
        .log10()
        .ceil()
        .max(lo_y + 1.0);
    let x = |v: f64| margin + (v.log10() - lo_x) / (hi_x - lo_x) * (width - 2.0 * margin);
    let y = |v: f64| height - margin - (v.log10() - lo_y) / (hi_y - lo_y) * (height - 2.0 * margin);
    let colours = [
        "#1b6ac9", "#c92a2a", "#2b8a3e", "#e67700", "#862e9c", "#495057", "#0b7285", "#5c940d",
    ];
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">Median time (ms) against replies, log-log; a slope of 1 is linear</text>\n",
        width / 2.0
    );
    for decade in lo_x as i32..=hi_x as i32 {
        let v = 10f64.powi(decade);
        let _ = writeln!(
            out,
            "<line x1=\"{0:.1}\" y1=\"{1}\" x2=\"{0:.1}\" y2=\"{2}\" stroke=\"#ddd\"/><text x=\"{0:.1}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
            x(v), margin, height - margin, height - margin + 15.0, v
        );
    }
    for decade in lo_y as i32..=hi_y as i32 {
        let v = 10f64.powi(decade);
        let _ = writeln!(
            out,
            "<line x1=\"{0}\" y1=\"{1:.1}\" x2=\"{2}\" y2=\"{1:.1}\" stroke=\"#ddd\"/><text x=\"{3}\" y=\"{1:.1}\" text-anchor=\"end\">{4}</text>",
            margin, y(v), width - margin, margin - 5.0, v
        );
    }
    for (i, name) in names.iter().enumerate() {
        let colour = colours[i % colours.len()];
        let line: Vec<String> = all
            .iter()
            .filter_map(|m| {
                m.get(name)
                    .map(|s| (m.replies as f64, s.wall.as_secs_f64() * 1000.0))
            })
            .filter(|p| p.1 > 0.0)
            .map(|(a, b)| format!("{:.1},{:.1}", x(a), y(b)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n\
             <text x=\"{}\" y=\"{}\" fill=\"{colour}\">{}</text>",
            line.join(" "),
            margin + 10.0,
            margin + 14.0 * i as f64,
            name.replace('&', "&amp;").replace('<', "&lt;")
        );
    }
    out.push_str("</svg>\n");
    out
}

/// A temporary directory removed on drop (the harness does not depend on `tempfile`).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, BenchError> {
        let path = std::env::temp_dir().join(format!("longhand-bench-{}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(io("cannot make a temporary directory"))?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_run_and_memory_the_largest() {
        let sample = |ms, rss| Sample {
            wall: Duration::from_millis(ms),
            max_rss: rss,
        };
        let m = median(&[sample(30, 1), sample(10, 5), sample(20, 2)]);
        assert_eq!(m.wall, Duration::from_millis(20));
        assert_eq!(m.max_rss, 5);
        let m = median(&[sample(30, 1), sample(10, 5), sample(20, 2), sample(40, 2)]);
        assert_eq!(m.wall, Duration::from_millis(20));
    }

    #[test]
    fn read_tree_counts_every_file_but_git_s() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("a/b/x"), "12345").unwrap();
        std::fs::write(dir.path().join("y"), "1").unwrap();
        std::fs::write(dir.path().join(".git/z"), "skipped").unwrap();
        assert_eq!(read_tree(dir.path()).unwrap(), (2, 6));
    }
}
