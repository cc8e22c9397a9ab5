//! How large a push may be (spec section 14): files changed, bytes added, replies in one
//! thread, each limited by a git config key of the server (LH722). The measure compares
//! trees and reads object headers only — never a blob's contents — and stops as soon as a
//! limit is passed, so a push of a million files costs what the limit allows, not the push.

use std::collections::{BTreeMap, HashSet};

use git2::{Oid, Repository};

use crate::diagnostic::{Code, Diagnostic};
use crate::history::{changed_entries_up_to, is_file_mode, prefix_of, subtree};
use crate::load::{Place, MAX_REPLIES_PER_THREAD};
use crate::source::trees::TreeStore;
use crate::Result;

/// The git config key limiting the files of the discussion one push changes.
pub const MAX_PUSH_FILES_KEY: &str = "longhand.maxPushFiles";
/// The git config key limiting the bytes one push adds to the discussion.
pub const MAX_PUSH_BYTES_KEY: &str = "longhand.maxPushBytes";
/// The git config key limiting the replies of a thread a push adds replies to.
pub const MAX_THREAD_REPLIES_KEY: &str = "longhand.maxThreadReplies";

/// The default of `longhand.maxPushFiles`.
pub const DEFAULT_MAX_PUSH_FILES: u64 = 10_000;
/// The default of `longhand.maxPushBytes` (100 MiB).
pub const DEFAULT_MAX_PUSH_BYTES: u64 = 100 * 1024 * 1024;
/// The default of `longhand.maxThreadReplies`: the most replies a thread may have (§4.7).
pub const DEFAULT_MAX_THREAD_REPLIES: u64 = MAX_REPLIES_PER_THREAD as u64;

/// The limits a server puts on one push. `0` means no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most files of the discussion (added, changed or deleted) one push may change.
    pub files: u64,
    /// The most bytes one push may add (the sizes of the files it adds or changes).
    pub bytes: u64,
    /// The most replies a thread may have after a push that adds replies to it.
    pub thread_replies: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            files: DEFAULT_MAX_PUSH_FILES,
            bytes: DEFAULT_MAX_PUSH_BYTES,
            thread_replies: DEFAULT_MAX_THREAD_REPLIES,
        }
    }
}

impl Limits {
    /// The limits in `repo`'s git config (`longhand.maxPushFiles`, `longhand.maxPushBytes`,
    /// `longhand.maxThreadReplies`; git's `k`, `m` and `g` suffixes are understood), the
    /// defaults for the keys that are not set. A value that is not a whole number is an
    /// error; a negative one means no limit, as `0` does.
    pub fn of(repo: &Repository) -> Result<Limits> {
        let config = repo.config()?;
        let read = |key: &str, default: u64| -> Result<u64> {
            match config.get_i64(key) {
                Ok(value) => Ok(u64::try_from(value).unwrap_or(0)),
                Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(default),
                Err(e) => Err(e.into()),
            }
        };
        Ok(Limits {
            files: read(MAX_PUSH_FILES_KEY, DEFAULT_MAX_PUSH_FILES)?,
            bytes: read(MAX_PUSH_BYTES_KEY, DEFAULT_MAX_PUSH_BYTES)?,
            thread_replies: read(MAX_THREAD_REPLIES_KEY, DEFAULT_MAX_THREAD_REPLIES)?,
        })
    }
}

/// What one ref's change spends of the push's limits, added to what the push's other refs
/// spent before it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spent {
    files: u64,
    bytes: u64,
    /// The changes (base, tip) already counted: two refs pushed to the same commit count once.
    counted: HashSet<(Option<Oid>, Oid)>,
}

/// LH722 for the change from `base` to `tip` of the discussion at `root`, when it (with what
/// `spent` holds of the push's other refs) passes a limit; `spent` grows by the change.
/// Trees are read through `trees`, the check's store, so that the rest of the check finds
/// them read.
pub(crate) fn check(
    repo: &Repository,
    trees: &TreeStore,
    root: &str,
    limits: &Limits,
    spent: &mut Spent,
    base: Option<Oid>,
    tip: Oid,
) -> Result<Vec<Diagnostic>> {
    if !spent.counted.insert((base, tip)) {
        return Ok(Vec::new());
    }
    let prefix = prefix_of(root);
    let tree_of = |oid: Oid| -> Result<Option<git2::Tree<'_>>> {
        subtree(repo, repo.find_commit(oid)?.tree()?, &prefix)
    };
    let old = match base {
        Some(base) => tree_of(base)?,
        None => None,
    };
    let new = tree_of(tip)?;
    let left = |limit: u64, used: u64| match limit {
        0 => usize::MAX,
        limit => usize::try_from(limit.saturating_sub(used)).unwrap_or(usize::MAX),
    };
    let (changed, met) = changed_entries_up_to(
        repo,
        trees,
        old.as_ref(),
        new.as_ref(),
        left(limits.files, spent.files),
    )?;
    let mut found = Vec::new();
    let commit = super::guard::described(repo, tip);
    let too_large = |path: &str, message: String| {
        Diagnostic::new(Code::PushTooLarge, path, format!("{commit}: {message}"))
    };
    spent.files += changed.len() as u64;
    if limits.files > 0 && spent.files > limits.files {
        let path = changed.last().cloned().unwrap_or_default();
        found.push(too_large(
            &path,
            format!(
                "the push changes more than {} files of the discussion (counted up to here); \
the server's limit is git config {MAX_PUSH_FILES_KEY} = {}",
                limits.files, limits.files
            ),
        ));
        return Ok(found);
    }
    // The sizes of the files added or changed, from the object headers.
    let odb = repo.odb()?;
    let mut threads: BTreeMap<String, Oid> = BTreeMap::new();
    for (path, _, after) in &met {
        let Some((oid, mode)) = after else { continue };
        if !is_file_mode(*mode) {
            if *mode & 0o170000 == 0o040000 {
                if let ["threads", slug] = path.split('/').collect::<Vec<_>>().as_slice() {
                    threads.insert((*slug).to_owned(), *oid);
                }
            }
            continue;
        }
        let (size, _) = odb.read_header(*oid)?;
        spent.bytes += size as u64;
        if limits.bytes > 0 && spent.bytes > limits.bytes {
            found.push(too_large(
                path,
                format!(
                    "the push adds more than {} bytes to the discussion (counted up to this \
file); the server's limit is git config {MAX_PUSH_BYTES_KEY} = {}",
                    limits.bytes, limits.bytes
                ),
            ));
            return Ok(found);
        }
    }
    if limits.thread_replies == 0 {
        return Ok(found);
    }
    // Replies of the threads the push adds replies to: names in the thread's tree.
    let mut adds_to: BTreeMap<&str, ()> = BTreeMap::new();
    for (path, before, after) in &met {
        if before.is_none() && after.is_some() {
            if let Place::Reply { slug, .. } = Place::of(path) {
                if let Some((slug, _)) = threads.get_key_value(slug.as_str()) {
                    adds_to.insert(slug.as_str(), ());
                }
            }
        }
    }
    for slug in adds_to.keys() {
        let Some(dir) = threads.get(*slug) else {
            continue;
        };
        let tree = trees.tree(repo, *dir)?;
        let mut replies: u64 = 0;
        for entry in tree.entries() {
            let name = String::from_utf8_lossy(entry.name);
            if !entry.is_tree() && name != "thread.md" && name.ends_with(".md") {
                replies += 1;
            }
        }
        if replies > limits.thread_replies {
            found.push(too_large(
                &format!("threads/{slug}/thread.md"),
                format!(
                    "the push brings the thread to {replies} replies; the server's limit is git \
config {MAX_THREAD_REPLIES_KEY} = {}",
                    limits.thread_replies
                ),
            ));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_from_git_config_with_suffixes_and_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        assert_eq!(Limits::of(&repo).expect("defaults"), Limits::default());
        let mut config = repo.config().expect("config");
        config.set_str(MAX_PUSH_FILES_KEY, "2k").expect("set");
        config.set_str(MAX_PUSH_BYTES_KEY, "0").expect("set");
        config.set_i64(MAX_THREAD_REPLIES_KEY, -1).expect("set");
        let limits = Limits::of(&repo).expect("read");
        assert_eq!(limits.files, 2048);
        assert_eq!(limits.bytes, 0, "0: no limit");
        assert_eq!(limits.thread_replies, 0, "negative: no limit");
        config.set_str(MAX_PUSH_FILES_KEY, "many").expect("set");
        assert!(Limits::of(&repo).is_err(), "not a number");
    }
}
