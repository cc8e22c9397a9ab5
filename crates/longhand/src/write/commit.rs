//! Committing written files with git2, as the user, without sweeping in anything else.
//!
//! The commit's tree is HEAD's tree plus exactly the written files — built in an in-memory
//! index, never from the user's index — so whatever else the user had staged stays staged and
//! out of the commit. The same code can later build commits onto any ref, not only HEAD.

use std::fs;
use std::path::{Path, PathBuf};
use std::thread::sleep;
use std::time::Duration;

use git2::{ErrorCode, IndexEntry, IndexTime, Oid, Repository, Signature};

use crate::model::{Author, Moment};
use crate::{Error, Result};

/// How many times a commit is retried when another writer moves HEAD meanwhile.
const ATTEMPTS: u32 = 50;

/// How long a writer waits for another one's lock before giving up, unless told otherwise
/// ([`crate::write::Settings::lock_wait`]).
pub(crate) const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(60);

/// An empty lock (no process id yet) older than this was left by a writer killed between
/// creating it and writing its id; it is taken over.
const EMPTY_LOCK: Duration = Duration::from_secs(2);

/// A lock older than this was left by a process that died; it is taken over.
const STALE_LOCK: Duration = Duration::from_secs(120);

/// An exclusive lock on writing in one repository, held by one longhand process at a time
/// (`.git/longhand.lock`) from loading the discussion to committing, so that concurrent
/// writers never lose each other's index entries nor check against a discussion another
/// writer is changing. Released when dropped. Committing and staging take a `&WriteLock` as
/// proof that it is held.
pub(crate) struct WriteLock {
    path: PathBuf,
}

impl WriteLock {
    /// Takes the lock of the repository at `git_dir`, waiting up to `wait` for another
    /// writer to release it ([`Error::Locked`] after that).
    pub(crate) fn acquire(git_dir: &Path, wait: Duration) -> Result<WriteLock> {
        let path = git_dir.join("longhand.lock");
        let started = std::time::Instant::now();
        let mut attempt = 0u64;
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    use std::io::Write;
                    let _ = writeln!(file, "{}", std::process::id());
                    return Ok(WriteLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if take_over_if_dead(&path) {
                        continue;
                    }
                    let age = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|age| age > STALE_LOCK) {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() >= wait {
                        return Err(Error::Locked {
                            holder: lock_owner(&path),
                            lock: path,
                            waited: wait.as_secs(),
                        });
                    }
                    attempt += 1;
                    sleep(Duration::from_millis(3 + 5 * (attempt % 8)));
                }
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
}

/// The process id written in a lock file, when it can be read.
fn lock_owner(path: &Path) -> Option<u32> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Removes the lock at `path` when the process that holds it is gone (it was killed), so a
/// crash never blocks the next writer. The lock is first renamed to a name of this process's
/// own — only one process can rename a given file — and put back if it turns out to belong to
/// a live process after all. Only where `/proc` tells which processes run.
fn take_over_if_dead(path: &Path) -> bool {
    if !Path::new("/proc/self").exists() {
        return false;
    }
    let Some(owner) = lock_owner(path) else {
        // A writer writes its process id right after creating the lock; a lock still empty
        // after a moment belongs to a writer killed in between.
        let age = fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok());
        return age.is_some_and(|age| age > EMPTY_LOCK) && fs::remove_file(path).is_ok();
    };
    if super::atomic::process_alive(owner) {
        return false;
    }
    let aside = path.with_extension(format!("lock.stale.{}", std::process::id()));
    if fs::rename(path, &aside).is_err() {
        return false; // another writer took it over first
    }
    if lock_owner(&aside).is_some_and(|now| now != owner) {
        // A live writer's lock replaced the dead one meanwhile: put it back.
        let _ = fs::hard_link(&aside, path);
    }
    let _ = fs::remove_file(&aside);
    true
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Where a discussion root sits in a git work tree. Crate-private: committing goes through
/// [`crate::write::Transaction`], which runs the checks first.
pub(crate) struct Repo {
    repo: Repository,
    workdir: PathBuf,
    prefix: String,
}

impl Repo {
    /// Opens the repository whose work tree holds `root`. `None` when `root` is not in a work
    /// tree (writing still works; committing does not).
    pub(crate) fn for_root(root: &Path) -> Option<Repo> {
        let repo = Repository::discover(root).ok()?;
        let workdir = fs::canonicalize(repo.workdir()?).ok()?;
        let prefix = crate::source::repository_prefix(root)?;
        Some(Repo {
            repo,
            workdir,
            prefix,
        })
    }

    /// The git repository.
    pub(crate) fn repository(&self) -> &Repository {
        &self.repo
    }

    fn repo_path(&self, rel: &str) -> String {
        if self.prefix.is_empty() {
            rel.to_owned()
        } else {
            format!("{}/{rel}", self.prefix)
        }
    }

    /// Fails with [`Error::Uncommitted`] when one of `paths` (relative to the discussion root)
    /// differs from HEAD in the index or the work tree: rewriting and committing it would
    /// commit the user's own changes too.
    pub(crate) fn ensure_unchanged(&self, paths: &[String]) -> Result<()> {
        let changed = git2::Status::INDEX_NEW
            | git2::Status::INDEX_MODIFIED
            | git2::Status::INDEX_DELETED
            | git2::Status::INDEX_RENAMED
            | git2::Status::INDEX_TYPECHANGE
            | git2::Status::WT_MODIFIED
            | git2::Status::WT_DELETED
            | git2::Status::WT_TYPECHANGE
            | git2::Status::WT_RENAMED
            | git2::Status::CONFLICTED;
        for path in paths {
            match self.repo.status_file(Path::new(&self.repo_path(path))) {
                Ok(status) if status.intersects(changed) => {
                    return Err(Error::Uncommitted { path: path.clone() })
                }
                Ok(_) => {}
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Adds the files at `paths` (relative to the discussion root) to the user's index, under
    /// the write lock.
    pub(crate) fn stage(&self, paths: &[String], _lock: &WriteLock) -> Result<()> {
        retry_on_lock(|| {
            let mut index = self.repo.index()?;
            // Another writer may have changed the index since this handle last read it.
            index.read(true)?;
            for path in paths {
                let repo_path = self.repo_path(path);
                if self.workdir.join(&repo_path).exists() {
                    index.add_path(Path::new(&repo_path))?;
                } else {
                    index.remove_path(Path::new(&repo_path))?;
                }
            }
            index.write()
        })
    }

    /// Commits the files at `paths` as they are in the work tree, on top of HEAD, authored and
    /// committed by `author` at `when`, under the write lock, then stages them so that
    /// `git status` is clean for them. Nothing else the user staged is part of the commit.
    pub(crate) fn commit(
        &self,
        paths: &[String],
        message: &str,
        author: &Author,
        when: &Moment,
        lock: &WriteLock,
    ) -> Result<Oid> {
        let time = git2::Time::new(when.instant.as_second(), when.offset.seconds() / 60);
        let signature = Signature::new(&author.name, &author.email, &time)?;
        // Each path is committed as it is in the work tree: its content, or its absence.
        let mut blobs = Vec::with_capacity(paths.len());
        let mut removed = Vec::new();
        for path in paths {
            let full = self.workdir.join(self.repo_path(path));
            match fs::read(&full) {
                Ok(bytes) => {
                    blobs.push((self.repo_path(path), self.repo.blob(&bytes)?, bytes.len()))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    removed.push(self.repo_path(path))
                }
                Err(e) => return Err(Error::io(&full, e)),
            }
        }
        // Staged first: a writer killed between its commit and its staging would leave the
        // index without the new files, which `git status` shows (and the user's next commit
        // would record) as deletions. Killed after staging, the files are merely staged.
        self.stage(paths, lock)?;
        let mut git_lock = None;
        for attempt in 0..ATTEMPTS {
            let parent = match self.repo.head() {
                Ok(head) => Some(head.peel_to_commit()?),
                Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            let mut index = git2::Index::new()?;
            if let Some(parent) = &parent {
                index.read_tree(&parent.tree()?)?;
            }
            for (path, id, size) in &blobs {
                index.add(&entry(path, *id, *size))?;
            }
            for path in &removed {
                index.remove_path(Path::new(path))?;
            }
            let tree = self.repo.find_tree(index.write_tree_to(&self.repo)?)?;
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            match self.repo.commit(
                Some("HEAD"),
                &signature,
                &signature,
                message,
                &tree,
                &parents,
            ) {
                Ok(oid) => return Ok(oid),
                // Another writer moved HEAD between our read and our update: build again.
                Err(e) if e.code() == ErrorCode::Modified => {
                    git_lock = None;
                    sleep(Duration::from_millis(5 + 7 * u64::from(attempt % 10)));
                }
                // A git command holds the branch's lock, or one died holding it.
                Err(e) if e.code() == ErrorCode::Locked => {
                    git_lock = Some(e.message().to_owned());
                    sleep(Duration::from_millis(5 + 7 * u64::from(attempt % 10)));
                }
                Err(e) => return Err(e.into()),
            }
        }
        match git_lock {
            Some(message) => Err(Error::GitLocked { message }),
            None => Err(Error::Busy { attempts: ATTEMPTS }),
        }
    }
}

/// The identity git is configured with in `repo` (`user.name`, `user.email`), as a
/// transaction commits by default; [`Error::NoIdentity`] when git has none usable.
pub fn configured_identity(repo: &Repository) -> Result<Author> {
    let signature = repo.signature().map_err(|e| Error::NoIdentity {
        message: e.message().to_owned(),
    })?;
    let (Ok(name), Ok(email)) = (signature.name(), signature.email()) else {
        return Err(Error::NoIdentity {
            message: "user.name or user.email is not valid UTF-8".into(),
        });
    };
    Author::parse(&format!("{name} <{email}>")).ok_or_else(|| Error::NoIdentity {
        message: format!("`{name} <{email}>` is not a usable `Name <email>`"),
    })
}

fn entry(path: &str, id: Oid, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: size as u32,
        id,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Runs `action`, retrying for a while when another process holds the index lock.
fn retry_on_lock(mut action: impl FnMut() -> Result<(), git2::Error>) -> Result<()> {
    let mut last = None;
    for attempt in 0..ATTEMPTS {
        match action() {
            Ok(()) => return Ok(()),
            Err(e) if e.code() == ErrorCode::Locked || e.message().contains(".lock") => {
                last = Some(e);
                sleep(Duration::from_millis(5 + 7 * u64::from(attempt % 10)));
            }
            Err(e) => return Err(e.into()),
        }
    }
    match last {
        Some(e) => Err(Error::GitLocked {
            message: e.message().to_owned(),
        }),
        None => Ok(()),
    }
}
