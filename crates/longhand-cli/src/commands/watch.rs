//! `longhand watch`: start, stop and ask the file-system watcher that lets `list` and
//! `inbox` look only at what changed (docs/watch.md). The watcher itself is
//! the `longhand-watch` crate, in the directory `longhand::cache::watcher_dir` names; this
//! file parses the arguments, reads the `longhand.watch` setting, starts the process and
//! prints.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use longhand_watch::{self as watch, client};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};

/// Start, stop or ask the file-system watcher of this discussion (Linux).
///
/// A watcher is an opt-in background process, one per discussion root, that tells `list`
/// and `inbox` which paths changed since their last run, so that they check only those
/// instead of every file (like git's fsmonitor). It never makes them stale: without it, or
/// when it cannot vouch for something, they check everything as before. It runs until
/// stopped, or until the discussion root is removed. With `git config longhand.watch true`,
/// `list` and `inbox` start it themselves when none runs. See docs/watch.md.
#[derive(Debug, clap::Subcommand)]
pub enum WatchCommand {
    /// Start the watcher in the background and wait until it answers.
    #[command(after_help = "Exit codes: 0 started (or already running), 2 could not start.")]
    Start,
    /// Stop the watcher.
    #[command(after_help = "Exit codes: 0 stopped (or none was running), 2 could not run.")]
    Stop,
    /// Say whether a watcher runs, and what it watches.
    #[command(after_help = "Exit codes: 0 a watcher runs, 1 none runs, 2 could not run.")]
    Status,
    /// Run the watcher in the foreground (what `start` runs in the background).
    #[command(
        after_help = "Exit codes: 0 stopped (asked to, or the root went away), 2 could not run."
    )]
    Run(RunArgs),
}

/// Arguments of `watch run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Detach from the terminal's session (used by `start`).
    #[arg(long, hide = true)]
    detached: bool,
}

pub fn run(start: &Path, command: &WatchCommand) -> Result<ExitCode, CliError> {
    let root = longhand::find_root(start)?;
    let git_dir = git_dir(&root)?;
    let dir = longhand::cache::watcher_dir(&git_dir, &root);
    match command {
        WatchCommand::Start => start_watcher(&root, &dir),
        WatchCommand::Stop => {
            if client::stop(&dir) {
                let deadline = Instant::now() + Duration::from_secs(5);
                while client::status(&dir).is_some() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(20));
                }
                println!("stopped the watcher of {}", root.display());
            } else {
                println!("no watcher runs for {}", root.display());
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        WatchCommand::Status => match client::status(&dir) {
            Some(lines) => {
                println!("a watcher runs");
                for (key, value) in lines {
                    println!("{key}: {value}");
                }
                Ok(ExitCode::from(EXIT_OK))
            }
            None => {
                println!("no watcher runs for {}", root.display());
                Ok(ExitCode::from(EXIT_VIOLATIONS))
            }
        },
        WatchCommand::Run(args) => run_watcher(&root, &git_dir, args.detached),
    }
}

fn git_dir(root: &Path) -> Result<PathBuf, CliError> {
    longhand::git2::Repository::discover(root)
        .map(|repo| repo.path().to_path_buf())
        .map_err(|_| {
            CliError::usage(
                format!("{} is not in a git repository", root.display()),
                "the watcher serves the `list` cache, which lives in the git directory: run `git init` first",
            )
        })
}

fn cannot(error: watch::Error) -> CliError {
    CliError::usage(
        error.to_string(),
        "`longhand watch status` says whether one runs; `list` and `inbox` work without it",
    )
}

#[cfg(target_os = "linux")]
fn run_watcher(root: &Path, git_dir: &Path, detached: bool) -> Result<ExitCode, CliError> {
    let dir = longhand::cache::watcher_dir(git_dir, root);
    if detached {
        // A session of its own: the terminal's hang-up and signals do not reach it.
        watch::daemon::detach();
    }
    let why = watch::daemon::run(root, &dir, &mut || {
        eprintln!("longhand: watching {}", root.display());
    })
    .map_err(cannot)?;
    eprintln!("longhand: the watcher stopped: {why}");
    Ok(ExitCode::from(EXIT_OK))
}

#[cfg(not(target_os = "linux"))]
fn run_watcher(_: &Path, _: &Path, _: bool) -> Result<ExitCode, CliError> {
    Err(cannot(watch::Error::Unsupported))
}

fn start_watcher(root: &Path, dir: &Path) -> Result<ExitCode, CliError> {
    if !cfg!(target_os = "linux") {
        return Err(cannot(watch::Error::Unsupported));
    }
    if client::status(dir).is_some() {
        println!("a watcher already runs for {}", root.display());
        return Ok(ExitCode::from(EXIT_OK));
    }
    let mut child = spawn(root, dir)?;
    let log = dir.join("log");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(lines) = client::status(dir) {
            let pid = lines
                .iter()
                .find(|(k, _)| k == "pid")
                .map_or("?", |(_, v)| v.as_str());
            println!("started the watcher of {} (pid {pid})", root.display());
            return Ok(ExitCode::from(EXIT_OK));
        }
        if let Ok(Some(_)) = child.try_wait() {
            let said = fs::read_to_string(&log).unwrap_or_default();
            return Err(CliError::usage(
                format!(
                    "the watcher did not start: {}",
                    said.trim().trim_start_matches("longhand: error: ")
                ),
                "`longhand watch run` runs it in the foreground and shows what goes wrong",
            ));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(CliError::usage(
                "the watcher did not answer within a minute",
                "`longhand watch run` runs it in the foreground and shows what goes wrong",
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts `watch run --detached` in the background, its standard error going to the log in
/// the watcher's directory; does not wait for it to answer.
fn spawn(root: &Path, dir: &Path) -> std::io::Result<std::process::Child> {
    fs::create_dir_all(dir)?;
    let stderr = fs::File::create(dir.join("log"))?;
    Command::new(std::env::current_exe()?)
        .arg("-C")
        .arg(root)
        .args(["watch", "run", "--detached"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
}

/// The git configuration key that, set to true, has `list` and `inbox` start a watcher when
/// none answers (as git's `core.fsmonitor` does for git's own daemon).
const SETTING: &str = "longhand.watch";

/// Whether git's configuration for the repository holding `root` (the repository's own, the
/// user's or the system's) sets [`SETTING`] to true. Unset, unreadable, not a boolean, or no
/// repository: no.
fn wanted(root: &Path) -> bool {
    longhand::git2::Repository::discover(root)
        .ok()
        .and_then(|repo| repo.config().ok())
        .and_then(|config| config.get_bool(SETTING).ok())
        .unwrap_or(false)
}

/// After a `list` or `inbox` that no watcher answered: when `longhand.watch` is true in git's
/// configuration (and the cache is in use, on Linux), starts one in the background for the
/// next runs, without waiting for it. Best effort and silent, like git's fsmonitor: a
/// watcher that cannot start says why in its log (docs/watch.md), and the next run tries
/// again — except where its socket's path is too long, which no retry would change. With
/// `LONGHAND_CACHE_DEBUG` set, says `longhand: watcher: started`.
pub(crate) fn start_if_wanted(root: &Path, watched: longhand::cache::Watched) {
    if watched != longhand::cache::Watched::Absent
        || !cfg!(target_os = "linux")
        || !crate::environment::cache_enabled()
        || !wanted(root)
    {
        return;
    }
    let Ok(git_dir) = git_dir(root) else { return };
    let dir = longhand::cache::watcher_dir(&git_dir, root);
    // A watcher that could never start is not started again on every run.
    if !watch::socket_fits(&dir) {
        return;
    }
    let started = spawn(root, &dir).is_ok();
    if started && crate::environment::cache_debug() {
        eprintln!("longhand: watcher: started");
    }
}
