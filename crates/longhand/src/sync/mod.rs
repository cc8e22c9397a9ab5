//! `sync`: one step that fetches the discussion's branch, merges it with Longhand's merge
//! driver, and pushes, retrying when the push loses a race; it stops, changing nothing, when a
//! person is needed (a true conflict, a push the server refuses).
//!
//! Fetching, merging and pushing run the `git` command, not libgit2: the user's remotes,
//! credentials (SSH agents, credential helpers), transports and hooks work as they do for
//! `git pull` and `git push`, and git runs the merge driver registered for the shared files.
//! libgit2 reads the repository, and rewrites this clone's unpublished commits when a new
//! thread's slug is taken on the other side (`rename.rs`). Nothing here prints: what happens
//! is reported through [`Event`]s and the [`Outcome`].

mod git;
mod rename;

use std::path::{Path, PathBuf};

use git2::{Oid, Repository};

use crate::{Error, Result};

use git::Git;

/// How to sync.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// Push to and fetch from this remote's branch of the current branch's name, instead of
    /// the branch's upstream.
    pub remote: Option<String>,
    /// How many times to fetch, merge and push before giving up when pushes keep losing races.
    pub attempts: u32,
    /// The merge driver's command line for this run (git's `%O %A %B %P` placeholders), such
    /// as the running binary's absolute path; `None` uses the one in git's config.
    pub driver: Option<String>,
    /// The git program to run.
    pub git: PathBuf,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            remote: None,
            attempts: 5,
            driver: None,
            git: PathBuf::from("git"),
        }
    }
}

impl Options {
    /// The defaults: the upstream, 5 attempts, the configured driver, `git` from `PATH`.
    pub fn new() -> Options {
        Options::default()
    }

    /// Syncs with `remote`'s branch of the same name instead of the upstream.
    pub fn remote(mut self, remote: impl Into<String>) -> Options {
        self.remote = Some(remote.into());
        self
    }

    /// The merge driver's command line for this run.
    pub fn driver(mut self, command: impl Into<String>) -> Options {
        self.driver = Some(command.into());
        self
    }

    /// How many attempts before giving up (at least one).
    pub fn attempts(mut self, attempts: u32) -> Options {
        self.attempts = attempts.max(1);
        self
    }
}

/// Where a sync fetches from and pushes to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// The local branch (short name).
    pub branch: String,
    /// The remote's name (or URL, when the upstream names one).
    pub remote: String,
    /// The branch on the remote, as a full ref (`refs/heads/main`).
    pub remote_ref: String,
}

impl Target {
    /// The remote branch as people write it: `origin/main`.
    pub fn shown(&self) -> String {
        let short = self
            .remote_ref
            .strip_prefix("refs/heads/")
            .unwrap_or(&self.remote_ref);
        format!("{}/{short}", self.remote)
    }
}

/// What a sync did, step by step, as it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The merge driver was not configured in this clone; it is now.
    RegisteredDriver,
    /// The remote branch was fetched: its tip, or `None` when it does not exist yet.
    Fetched {
        /// The remote branch's tip.
        tip: Option<Oid>,
    },
    /// A thread opened in this clone and not yet pushed had the slug of another thread on
    /// the remote: its directory was renamed in this clone's unpublished commits.
    Renamed {
        /// The slug it had.
        from: String,
        /// The slug it has now.
        to: String,
    },
    /// The remote's commits were merged into the branch by a merge commit.
    Merged {
        /// The merge commit.
        commit: Oid,
        /// The remote tip it merged.
        theirs: Oid,
    },
    /// The branch had nothing the remote lacks: it moved forward to the remote's tip.
    FastForwarded {
        /// The new tip.
        to: Oid,
    },
    /// The branch was pushed.
    Pushed {
        /// The tip pushed.
        tip: Oid,
    },
    /// Someone pushed first: the local branch is back where it was, and the next attempt
    /// fetches and merges again.
    LostRace {
        /// The attempt that lost (from 1).
        attempt: u32,
        /// How many attempts are allowed.
        attempts: u32,
    },
}

/// How a sync ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The branch and the remote branch hold the same commit.
    Synced {
        /// That commit.
        tip: Oid,
        /// False when there was nothing to do: both already held it.
        changed: bool,
    },
    /// Merging found a true conflict. The merge was aborted: HEAD, the index and the work
    /// tree are as they were before the sync.
    Conflict {
        /// The remote tip that conflicts.
        theirs: Oid,
        /// The conflicting files, relative to the top of the work tree.
        files: Vec<String>,
    },
    /// The server refused the push (its `pre-receive` hook, for instance). HEAD, the index and
    /// the work tree are as they were before the sync; the local commits are kept.
    Refused {
        /// What the server said (git's `remote:` lines, and its reason).
        message: String,
    },
}

/// Syncs the branch checked out in the clone holding `start` with its upstream (or the
/// remote in `options`): fetch, merge with Longhand's driver, push, and retry a push that
/// lost a race. `progress` hears each step.
///
/// Refuses to start (an `Err`, changing nothing) on a detached HEAD, a branch without an
/// upstream, a merge or rebase in progress, or — when there is anything to merge or push —
/// uncommitted changes under the discussion root. With nothing to do it never reads the
/// work tree. A conflict or a refused push
/// is an [`Outcome`], after which HEAD, the index and the work tree are what they were.
pub fn sync(start: &Path, options: &Options, progress: &mut dyn FnMut(&Event)) -> Result<Outcome> {
    let repo = Repository::discover(start).map_err(|e| Error::NotARepository {
        path: start.to_path_buf(),
        message: e.message().to_owned(),
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::NotARepository {
            path: start.to_path_buf(),
            message: "a bare repository has no branch checked out to sync".to_owned(),
        })?
        .to_path_buf();
    let prefix = discussion_prefix(start, &workdir)?;
    let target = target(&repo, options.remote.as_deref())?;
    if repo.state() != git2::RepositoryState::Clean {
        return Err(Error::Dirty {
            root: shown_root(&prefix),
            detail: format!("a git operation is in progress ({:?})", repo.state()),
        });
    }
    let git = Git::new(&options.git, &workdir);
    let start_tip = head_oid(&repo)?;
    // With nothing to fetch and nothing to push, the answer needs no look at the work tree:
    // the sync changes nothing, and costs about what the fetch does whatever the size of the
    // discussion. Anything else first refuses uncommitted changes in the discussion.
    let fetched = git.fetch(&target)?;
    if fetched == Some(start_tip) {
        progress(&Event::Fetched { tip: fetched });
        return Ok(Outcome::Synced {
            tip: start_tip,
            changed: false,
        });
    }
    check_clean(&prefix, git.uncommitted(&prefix)?)?;
    let mut first_fetch = Some(fetched);
    if !crate::write::driver_registered(&repo) {
        crate::write::register_driver(&repo)?;
        progress(&Event::RegisteredDriver);
    }
    for attempt in 1..=options.attempts.max(1) {
        let theirs = match first_fetch.take() {
            Some(tip) => tip,
            None => git.fetch(&target)?,
        };
        progress(&Event::Fetched { tip: theirs });
        let ours = head_oid(&repo)?;
        let tip = match theirs {
            Some(theirs) if theirs == ours => {
                return Ok(Outcome::Synced {
                    tip: ours,
                    changed: attempt > 1,
                })
            }
            Some(theirs) if repo.graph_descendant_of(theirs, ours)? => {
                git.fast_forward(theirs)?;
                progress(&Event::FastForwarded { to: theirs });
                return Ok(Outcome::Synced {
                    tip: theirs,
                    changed: true,
                });
            }
            Some(theirs) if !repo.graph_descendant_of(ours, theirs)? => {
                let renamed = rename::taken_slugs(&repo, &prefix, ours, theirs)?;
                if let Some((tip, renames)) = renamed {
                    if let Err(e) = git.reset_keep(tip) {
                        restore(&git, &repo, start_tip)?;
                        return Err(e);
                    }
                    for (from, to) in renames {
                        progress(&Event::Renamed { from, to });
                    }
                }
                match git.merge(theirs, &target, options.driver.as_deref()) {
                    Ok(commit) => {
                        progress(&Event::Merged { commit, theirs });
                        commit
                    }
                    Err(failure) => {
                        let files = conflicted(&repo);
                        git.abort_merge();
                        restore(&git, &repo, start_tip)?;
                        if files.is_empty() {
                            return Err(failure);
                        }
                        return Ok(Outcome::Conflict { theirs, files });
                    }
                }
            }
            // The remote branch is behind ours, or does not exist yet: push.
            _ => ours,
        };
        match git.push(&target) {
            Ok(()) => {
                progress(&Event::Pushed { tip });
                return Ok(Outcome::Synced { tip, changed: true });
            }
            Err(git::PushFailure::LostRace) => {
                restore(&git, &repo, start_tip)?;
                progress(&Event::LostRace {
                    attempt,
                    attempts: options.attempts.max(1),
                });
            }
            Err(git::PushFailure::Refused(message)) => {
                restore(&git, &repo, start_tip)?;
                return Ok(Outcome::Refused { message });
            }
            Err(git::PushFailure::Failed(e)) => {
                restore(&git, &repo, start_tip)?;
                return Err(e);
            }
        }
    }
    Err(Error::SyncGaveUp {
        attempts: options.attempts.max(1),
    })
}

/// Puts HEAD (and with it the index and the work tree) back at `tip` when a sync moved it.
fn restore(git: &Git, repo: &Repository, tip: Oid) -> Result<()> {
    if head_oid(repo)? != tip {
        git.reset_keep(tip)?;
    }
    Ok(())
}

fn head_oid(repo: &Repository) -> Result<Oid> {
    Ok(repo.head()?.peel_to_commit()?.id())
}

/// The discussion root found from `start`, relative to the top of the work tree (`""` at
/// the top).
fn discussion_prefix(start: &Path, workdir: &Path) -> Result<String> {
    let root = crate::find_root(start)?;
    let canonical = |p: &Path| p.canonicalize().map_err(|e| Error::io(p, e));
    let (root, workdir) = (canonical(&root)?, canonical(workdir)?);
    crate::source::relative_to(&root, &workdir).ok_or_else(|| Error::NotARepository {
        path: root.clone(),
        message: "the discussion is not inside this repository's work tree".to_owned(),
    })
}

/// The remote branch to sync with: `remote`'s branch of the same name, else the upstream.
fn target(repo: &Repository, remote: Option<&str>) -> Result<Target> {
    let head = repo.head().ok();
    let branch = match head.as_ref().filter(|h| h.is_branch()) {
        Some(head) => head.shorthand().unwrap_or_default().to_owned(),
        None => {
            return Err(Error::NoUpstream {
                branch: "HEAD".to_owned(),
                reason: "HEAD is not on a branch (detached, or no commit yet)".to_owned(),
            })
        }
    };
    if let Some(remote) = remote {
        if repo.find_remote(remote).is_err() {
            return Err(Error::NoUpstream {
                branch,
                reason: format!("there is no remote named `{remote}`"),
            });
        }
        return Ok(Target {
            remote_ref: format!("refs/heads/{branch}"),
            remote: remote.to_owned(),
            branch,
        });
    }
    let config = repo.config()?;
    let get = |key: String| config.get_string(&key).ok().filter(|v| !v.is_empty());
    match (
        get(format!("branch.{branch}.remote")),
        get(format!("branch.{branch}.merge")),
    ) {
        (Some(remote), Some(remote_ref)) => Ok(Target {
            branch,
            remote,
            remote_ref,
        }),
        _ => Err(Error::NoUpstream {
            branch,
            reason: "it has no upstream branch".to_owned(),
        }),
    }
}

/// The discussion root as shown in messages: `.` for the top of the work tree.
fn shown_root(prefix: &str) -> String {
    if prefix.is_empty() { "." } else { prefix }.to_owned()
}

/// Refuses uncommitted changes (staged, unstaged or untracked, ignored files aside) under the
/// discussion root: `paths` are what `git status` found there.
fn check_clean(prefix: &str, paths: Vec<String>) -> Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<&str> = paths.iter().take(3).map(String::as_str).collect();
    if paths.len() > 3 {
        shown.push("…");
    }
    Err(Error::Dirty {
        root: shown_root(prefix),
        detail: format!(
            "{} uncommitted: {}",
            match paths.len() {
                1 => "1 file".to_owned(),
                n => format!("{n} files"),
            },
            shown.join(", ")
        ),
    })
}

/// The files the index holds in conflict, relative to the top of the work tree.
fn conflicted(repo: &Repository) -> Vec<String> {
    let Ok(mut index) = repo.index() else {
        return Vec::new();
    };
    if index.read(true).is_err() {
        return Vec::new();
    }
    let Ok(conflicts) = index.conflicts() else {
        return Vec::new();
    };
    let mut files: Vec<String> = conflicts
        .filter_map(|c| c.ok())
        .filter_map(|c| c.our.or(c.their).or(c.ancestor))
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .collect();
    files.sort();
    files.dedup();
    files
}
