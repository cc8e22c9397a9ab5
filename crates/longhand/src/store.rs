//! The stores under `<gitdir>/longhand/`: the one place that knows their paths, their
//! checksum, how a file there is written (atomically) and how old ones are let go (the newest
//! few kept). Everything there but `marks/` is a cache: deleting it is always safe, and a file
//! that is missing, cut off or corrupt is rebuilt rather than trusted. `marks/` holds what a
//! reader said (inbox items done, the digest last read): deleting it loses only that — the
//! items come back — and a damaged file is read as empty, never trusted.
//!
//! | Store | Path | Owner |
//! |---|---|---|
//! | [`Store::List`] | `list/<root hash>` | the `list`/`inbox` cache (`crate::cache`) |
//! | [`Store::Watch`] | `watch/<root hash>/` | the file-system watcher (the `longhand-watch` crate) |
//! | [`Store::Ids`] | `ids/<tree id>`, `ids/shards/<checksum>` | the id index (`crate::history`) |
//! | [`Store::Trees`] | `trees/<tree id>` | large git trees (`crate::source::trees`) |
//! | [`Store::Marks`] | `marks/<root hash>` | a reader's own marks (`crate::marks`) |
//!
//! This module depends on `std` only and is used by the modules above; it imports none of
//! them.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// One store under `<gitdir>/longhand/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// The `list`/`inbox` cache: one file per discussion root.
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    List,
    /// The watcher's directory: one per discussion root (socket, lock, log, cookies).
    #[cfg_attr(not(feature = "cache"), allow(dead_code))]
    Watch,
    /// The id index of the push checks: manifests, and their shards in `shards/`.
    Ids,
    /// Large git trees kept between push checks.
    Trees,
    /// A reader's marks: inbox items done, the digest last read (not a cache).
    Marks,
}

impl Store {
    /// The store's directory name under `<gitdir>/longhand/`.
    fn name(self) -> &'static str {
        match self {
            Store::List => "list",
            Store::Watch => "watch",
            Store::Ids => "ids",
            Store::Trees => "trees",
            Store::Marks => "marks",
        }
    }
}

/// The directory of `store` in the git directory `git_dir`.
pub(crate) fn dir(git_dir: &Path, store: Store) -> PathBuf {
    git_dir.join("longhand").join(store.name())
}

/// The entry of the discussion at `root` in a per-root store ([`Store::List`],
/// [`Store::Watch`], [`Store::Marks`]): named by the [`fnv1a`] hash of the root's path in 16 hex digits, so
/// that it is stable across runs.
pub(crate) fn of_root(git_dir: &Path, store: Store, root: &Path) -> PathBuf {
    let hash = fnv1a(root.as_os_str().as_encoded_bytes());
    dir(git_dir, store).join(format!("{hash:016x}"))
}

/// The FNV basis and prime (64 bits).
const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0100_0000_01b3;

/// The 64-bit FNV-1a hash of `bytes`, byte by byte: stable across runs, versions and
/// platforms, unlike `std`'s hasher. Names per-root entries, shards keys among the id
/// index's shards, and makes the site's file names unique.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(BASIS, |hash, b| (hash ^ u64::from(*b)).wrapping_mul(PRIME))
}

/// The checksum of a stored file's bytes: FNV-1a over little-endian 8-byte words, then the
/// remaining bytes one by one, xor the length. Fast; it guards against truncation and
/// corruption, not against someone who can write the git directory. Stored files and the
/// id index's shard names depend on its values: they must never change.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    let mut hash = BASIS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
    }
    for byte in chunks.remainder() {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(PRIME);
    }
    hash ^ bytes.len() as u64
}

/// The names of temporary files: [`write`]'s, and `.<name>.<pid>.tmp` of older versions.
fn is_temporary(name: &str) -> bool {
    name.starts_with(".tmp-") || (name.starts_with('.') && name.ends_with(".tmp"))
}

/// How old a temporary file must be before [`keep_newest`] removes it (one left by a killed
/// writer; a live writer renames its own within moments).
const STALE: Duration = Duration::from_secs(60);

/// Writes a file of a store, made of `parts` in order: a temporary file beside `target`,
/// renamed into place. Not flushed to disk: a store's file lost in a crash is rebuilt, and a
/// reader never sees half of one. The directory must exist.
pub(crate) fn write(target: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = target.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = File::create(&temp)
        .and_then(|mut file| parts.iter().try_for_each(|part| file.write_all(part)))
        .and_then(|()| fs::rename(&temp, target));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Keeps the `keep` most recently modified files of `dir` whose names pass `named`, and
/// removes the older ones and temporary files older than a minute (best effort).
pub(crate) fn keep_newest(dir: &Path, keep: usize, named: impl Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let mut files: Vec<(SystemTime, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temporary(&name) {
            if now.duration_since(modified).is_ok_and(|age| age > STALE) {
                let _ = fs::remove_file(entry.path());
            }
        } else if named(&name) {
            files.push((modified, entry.path()));
        }
    }
    files.sort();
    let excess = files.len().saturating_sub(keep);
    for (_, path) in files.into_iter().take(excess) {
        let _ = fs::remove_file(path);
    }
}

/// Whether `name` is `digits` lowercase or uppercase hex digits long, as the stores name
/// their files (a hash, a checksum or a git object id).
pub(crate) fn is_hex_name(name: &str, digits: usize) -> bool {
    name.len() == digits && name.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-wise FNV-1a as `cache/file.rs` (the root's hash), `history/ids.rs` (the
    /// shard of a key) and `render/site/context.rs` (file names) each wrote it before this
    /// module: the single one must give the same values.
    #[test]
    fn fnv1a_gives_the_values_of_the_old_copies() {
        fn old_root_hash(bytes: &[u8]) -> u64 {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in bytes {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
            hash
        }
        // Known FNV-1a 64 values (the reference test vectors).
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        for input in [
            &b""[..],
            b"/home/ana/team",
            b"01JD8Q1Z4A2B3C4D5E6F7G8H9J",
            b"Caf\xc3\xa9 & co",
            &[0xff; 37],
        ] {
            assert_eq!(fnv1a(input), old_root_hash(input));
        }
        // The root's hash names `list/` and `watch/` entries of existing git directories.
        let git_dir = Path::new("/repo/.git");
        assert_eq!(
            of_root(git_dir, Store::List, Path::new("/home/ana/team")),
            git_dir
                .join("longhand/list")
                .join(format!("{:016x}", old_root_hash(b"/home/ana/team")))
        );
        assert_eq!(
            of_root(git_dir, Store::Watch, Path::new("/x")),
            git_dir.join("longhand/watch").join("07d64e07b49caeb2"),
            "the value the old copy gave"
        );
    }

    /// The word-wise checksum of cache files, tree files and shard names: fixed values, as the
    /// old copy in `cache/file.rs` gave them (files written before must still be read).
    #[test]
    fn checksum_gives_the_values_of_the_old_copy() {
        fn old_checksum(bytes: &[u8]) -> u64 {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            let mut chunks = bytes.chunks_exact(8);
            for chunk in &mut chunks {
                let mut word = [0; 8];
                word.copy_from_slice(chunk);
                hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(0x0100_0000_01b3);
            }
            for byte in chunks.remainder() {
                hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
            }
            hash ^ bytes.len() as u64
        }
        let all: Vec<u8> = (0..=255u8).collect();
        // Computed apart from this code (the same definition, in Python).
        for (bytes, value) in [
            (&b""[..], 0xcbf2_9ce4_8422_2325),
            (b"longhand", 0xb40f_1f66_3aa5_a003),
            (b"longhand-ids-shard 4\n", 0x38f0_aa00_c3bf_0d7b),
            (&all, 0x0e87_008c_c580_a125),
        ] {
            assert_eq!(checksum(bytes), value);
            assert_eq!(old_checksum(bytes), value);
        }
        for length in 0..40 {
            let bytes = &all[100..100 + length];
            assert_eq!(checksum(bytes), old_checksum(bytes));
        }
    }

    #[test]
    fn writes_replace_and_keep_the_newest() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, name) in ["aa", "bb", "cc"].iter().enumerate() {
            write(&dir.path().join(name), &[b"x", &[i as u8]]).expect("writes");
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + i as u64);
            File::options()
                .write(true)
                .open(dir.path().join(name))
                .and_then(|f| f.set_modified(when))
                .expect("sets the time");
        }
        write(&dir.path().join("aa"), &[b"new"]).expect("replaces");
        assert_eq!(fs::read(dir.path().join("aa")).expect("reads"), b"new");
        let stale = dir.path().join(".tmp-1-1");
        File::create(&stale)
            .and_then(|f| f.set_modified(SystemTime::UNIX_EPOCH))
            .expect("a stale temporary");
        File::create(dir.path().join("zz-not-a-store-file")).expect("another file");
        keep_newest(dir.path(), 2, |name| is_hex_name(name, 2));
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .expect("lists")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["aa", "cc", "zz-not-a-store-file"]);
    }
}
