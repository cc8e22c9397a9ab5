//! The `git` commands a sync runs (fetch, merge, reset, push), and how their failures are
//! read. Each runs in the work tree with the caller's environment, so the user's remotes,
//! credentials and hooks apply; the locale is fixed to C so that git's own messages can be
//! recognised (a server's `remote:` lines pass through as the server wrote them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use git2::Oid;

use super::Target;
use crate::{Error, Result};

/// The `git` program, run in one work tree.
pub(super) struct Git {
    program: PathBuf,
    workdir: PathBuf,
}

/// A fetch under way.
pub(super) struct Fetching {
    child: Child,
    what: String,
}

/// Why a push did not go through.
pub(super) enum PushFailure {
    /// Someone else pushed first (not a fast-forward, or the ref moved while pushing).
    LostRace,
    /// The server refused it: what it said.
    Refused(String),
    /// Git could not push at all (network, authentication, a missing remote).
    Failed(Error),
}

impl Git {
    pub(super) fn new(program: &Path, workdir: &Path) -> Git {
        Git {
            program: program.to_path_buf(),
            workdir: workdir.to_path_buf(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.program);
        command
            .current_dir(&self.workdir)
            .args(args)
            .env("LC_ALL", "C")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null());
        command
    }

    fn output(&self, what: &str, command: &mut Command) -> Result<Output> {
        command.output().map_err(|e| Error::GitCommand {
            command: what.to_owned(),
            message: format!("cannot run {}: {e}", self.program.display()),
        })
    }

    fn run(&self, what: &str, args: &[&str]) -> Result<Output> {
        let output = self.output(what, &mut self.command(args))?;
        if output.status.success() {
            Ok(output)
        } else {
            Err(failed(what, &output))
        }
    }

    /// Fetches the target's remote branch: its tip, or `None` when the remote has no such
    /// branch yet. Git also updates the remote-tracking branch when the remote's refspec maps
    /// it.
    pub(super) fn fetch(&self, target: &Target) -> Result<Option<Oid>> {
        let fetching = self.start_fetch(target)?;
        self.finish_fetch(fetching)
    }

    /// Starts fetching the target's remote branch.
    fn start_fetch(&self, target: &Target) -> Result<Fetching> {
        let what = format!("git fetch {} {}", target.remote, target.remote_ref);
        let args = [
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-recurse-submodules",
            target.remote.as_str(),
            target.remote_ref.as_str(),
        ];
        let child = self
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Error::GitCommand {
                command: what.clone(),
                message: format!("cannot run {}: {e}", self.program.display()),
            })?;
        Ok(Fetching { child, what })
    }

    /// Waits for a fetch [`Git::start_fetch`] started: the remote branch's tip, or `None`.
    fn finish_fetch(&self, fetching: Fetching) -> Result<Option<Oid>> {
        let Fetching { child, what } = fetching;
        let output = child.wait_with_output().map_err(|e| Error::GitCommand {
            command: what.clone(),
            message: e.to_string(),
        })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            if stderr.contains("couldn't find remote ref") {
                return Ok(None);
            }
            return Err(failed(&what, &output));
        }
        let repo = git2::Repository::open(&self.workdir)?;
        let mut tip = None;
        repo.fetchhead_foreach(|_, _, oid, _| {
            tip = Some(*oid);
            false
        })
        .or_else(|e| {
            // Stopping the walk early is reported as a user error by libgit2.
            if tip.is_some() {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        Ok(tip)
    }

    /// The paths under `prefix` (the top of the work tree when empty) that differ from HEAD:
    /// staged, unstaged or untracked (ignored files aside), as `git status` finds them — so
    /// git's own accelerations (`core.fsmonitor`, `core.untrackedCache`) apply.
    pub(super) fn uncommitted(&self, prefix: &str) -> Result<Vec<String>> {
        let pathspec = if prefix.is_empty() {
            ".".to_owned()
        } else {
            format!("{prefix}/")
        };
        let args = [
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--ignore-submodules=all",
            "--",
            pathspec.as_str(),
        ];
        // A read-only look: git must not take the index lock to refresh it.
        let mut command = self.command(&args);
        command.env("GIT_OPTIONAL_LOCKS", "0");
        let output = self.output("git status", &mut command)?;
        if !output.status.success() {
            return Err(failed("git status", &output));
        }
        let mut paths = Vec::new();
        let mut entries = output.stdout.split(|b| *b == 0);
        while let Some(entry) = entries.next() {
            if entry.len() < 4 {
                continue;
            }
            // A rename or copy is followed by the path it came from.
            if matches!(entry[0], b'R' | b'C') {
                entries.next();
            }
            paths.push(String::from_utf8_lossy(&entry[3..]).into_owned());
        }
        Ok(paths)
    }

    /// Moves the branch forward to `to` (which descends from HEAD), updating the work tree.
    pub(super) fn fast_forward(&self, to: Oid) -> Result<()> {
        let to = to.to_string();
        self.run(
            "git merge --ff-only",
            &["merge", "--quiet", "--ff-only", "--no-stat", &to],
        )?;
        Ok(())
    }

    /// Merges `theirs` into HEAD with a merge commit, by the user's identity; with `driver`,
    /// Longhand's merge driver is that command line for this merge. The merge commit, or the
    /// error (the index then holds the conflicts, if that is why).
    pub(super) fn merge(&self, theirs: Oid, target: &Target, driver: Option<&str>) -> Result<Oid> {
        let message = format!("sync: merge {}", target.shown());
        let theirs = theirs.to_string();
        let mut args = Vec::new();
        let config;
        if let Some(driver) = driver {
            config = format!("merge.longhand.driver={driver}");
            args.extend(["-c", config.as_str()]);
        }
        args.extend([
            "merge",
            "--quiet",
            "--no-ff",
            "--no-edit",
            "--no-stat",
            "-m",
            message.as_str(),
            theirs.as_str(),
        ]);
        self.run("git merge", &args)?;
        let repo = git2::Repository::open(&self.workdir)?;
        let head = repo.head()?.peel_to_commit()?.id();
        Ok(head)
    }

    /// Gives up a merge that stopped on conflicts (nothing to do when none is in progress).
    pub(super) fn abort_merge(&self) {
        let _ = self.command(&["merge", "--abort"]).output();
    }

    /// Moves the branch to `tip`, updating the index and work tree where they differ, and
    /// keeping changes elsewhere (`git reset --keep`).
    pub(super) fn reset_keep(&self, tip: Oid) -> Result<()> {
        let tip = tip.to_string();
        self.run("git reset --keep", &["reset", "--quiet", "--keep", &tip])?;
        Ok(())
    }

    /// Pushes HEAD to the target's remote branch, never forcing.
    pub(super) fn push(&self, target: &Target) -> std::result::Result<(), PushFailure> {
        let refspec = format!("HEAD:{}", target.remote_ref);
        let what = format!("git push {} {refspec}", target.remote);
        let args = [
            "push",
            "--porcelain",
            "--no-recurse-submodules",
            target.remote.as_str(),
            refspec.as_str(),
        ];
        let output = self
            .output(&what, &mut self.command(&args))
            .map_err(PushFailure::Failed)?;
        if output.status.success() {
            return Ok(());
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Porcelain lines: `!<TAB>HEAD:refs/heads/main<TAB>[rejected] (fetch first)`.
        let status = stdout
            .lines()
            .find(|l| l.starts_with('!'))
            .unwrap_or_default();
        let race = [
            "non-fast-forward",
            "fetch first",
            "stale info",
            "failed to update ref",
            "failed to lock",
            "incorrect old value",
        ];
        if race.iter().any(|r| status.contains(r)) {
            return Err(PushFailure::LostRace);
        }
        if status.contains("[remote rejected]") || status.contains("[rejected]") {
            let mut message: Vec<&str> = stderr
                .lines()
                .filter(|l| l.starts_with("remote:"))
                .collect();
            let reason = status.rsplit('\t').next().unwrap_or(status);
            message.push(reason);
            return Err(PushFailure::Refused(message.join("\n")));
        }
        Err(PushFailure::Failed(failed(&what, &output)))
    }
}

/// A git command's failure, with what it said.
fn failed(what: &str, output: &Output) -> Error {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let text = if stderr.trim().is_empty() {
        stdout.trim()
    } else {
        stderr.trim()
    };
    let message = match output.status.code() {
        Some(code) => format!(
            "exit {code}: {}",
            text.lines().collect::<Vec<_>>().join("; ")
        ),
        None => format!("killed: {text}"),
    };
    Error::GitCommand {
        command: what.to_owned(),
        message,
    }
}
