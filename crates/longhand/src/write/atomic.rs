//! Atomic file writes inside a discussion root: a temporary file beside the target, flushed to
//! disk, then renamed (or linked, for files that must not exist yet) into place. A reader sees
//! the old file or the new one, never half of one; a crash leaves at most a stray temporary.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicU8, Ordering};

use crate::{Error, Result};

/// A point at which a test makes an atomic write fail, to prove that a crash or an I/O error
/// there leaves the old file intact or the new one complete. **For tests only**: it exists
/// only with the `fault-injection` feature, which the CLI turns on for its own tests and sets
/// from `LONGHAND_FAULT_INJECT` (see `docs/reliability.md`); nothing else should.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg(feature = "fault-injection")]
pub enum Fault {
    /// No fault: writes work (the default).
    None,
    /// Half of the bytes are in the temporary file, then the process aborts.
    PartialTemp,
    /// The temporary file is complete and flushed, then the process aborts before the rename.
    BeforeRename,
    /// The file is in place, then the process aborts (before anything is committed).
    AfterRename,
    /// Writing the temporary file fails with an I/O error.
    IoError,
}

#[cfg(feature = "fault-injection")]
impl Fault {
    /// Reads a fault's name: `partial-temp`, `before-rename`, `after-rename`, `io-error`.
    pub fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "" | "none" => Fault::None,
            "partial-temp" => Fault::PartialTemp,
            "before-rename" => Fault::BeforeRename,
            "after-rename" => Fault::AfterRename,
            "io-error" => Fault::IoError,
            _ => return None,
        })
    }
}

#[cfg(feature = "fault-injection")]
static FAULT: AtomicU8 = AtomicU8::new(0);

/// Makes every later atomic write of this process fail at `fault` (tests only; see [`Fault`]).
#[cfg(feature = "fault-injection")]
pub fn inject_fault(fault: Fault) {
    FAULT.store(fault as u8, Ordering::SeqCst);
}

#[cfg(feature = "fault-injection")]
fn fault_at(point: Fault) -> bool {
    FAULT.load(Ordering::SeqCst) == point as u8
}

#[cfg(feature = "fault-injection")]
fn crash_if(point: Fault) {
    if fault_at(point) {
        std::process::abort();
    }
}

/// Without the `fault-injection` feature there are no faults: the points below are no-ops
/// the compiler removes, and nothing in the crate can abort the process.
#[cfg(not(feature = "fault-injection"))]
#[derive(Clone, Copy)]
enum Fault {
    BeforeRename,
    AfterRename,
}

#[cfg(not(feature = "fault-injection"))]
fn crash_if(_: Fault) {}

/// How a write treats an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// The file must not exist yet (a new reply never replaces anything).
    CreateNew,
    /// The file is replaced.
    Replace,
    /// The file is removed (it moved elsewhere); empty directories it leaves are removed too.
    Remove,
}

/// Writes `bytes` to `rel` (a `/`-separated path inside `root`), atomically. Refuses to write
/// through a symbolic link anywhere on the path.
pub fn write(root: &Path, rel: &str, bytes: &[u8], mode: Mode) -> Result<()> {
    let target = checked_path(root, rel)?;
    if mode == Mode::Remove {
        return remove(root, &target);
    }
    let dir = target.parent().unwrap_or(root);
    fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    match mode {
        Mode::Replace => replace_file(&target, bytes),
        Mode::CreateNew => create_new(&target, rel, bytes),
        Mode::Remove => Ok(()),
    }
}

/// Removes a file, then every directory it leaves empty, up to (not including) `root`.
fn remove(root: &Path, target: &Path) -> Result<()> {
    match fs::remove_file(target) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::write(target, e)),
    }
    let mut dir = target.parent();
    while let Some(current) = dir.filter(|d| *d != root && d.starts_with(root)) {
        if fs::remove_dir(current).is_err() {
            break; // not empty, or already gone: either way, stop here
        }
        dir = current.parent();
    }
    sync_parent(target);
    Ok(())
}

/// Replaces the file at `target` (any path, such as the temporary files git hands a merge
/// driver) atomically: a reader sees the old content or the new, never a mix.
pub fn replace_file(target: &Path, bytes: &[u8]) -> Result<()> {
    sweep_stale_temps(target);
    let temp = temp_beside(target);
    let result = write_temp(&temp, target, bytes).and_then(|()| {
        crash_if(Fault::BeforeRename);
        fs::rename(&temp, target).map_err(|e| Error::write(target, e))
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_parent(target);
    crash_if(Fault::AfterRename);
    Ok(())
}

/// Creates `target` with `bytes`, atomically, failing if it exists: the content is written to
/// a temporary file, then hard-linked into place (which never replaces a file).
fn create_new(target: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    sweep_stale_temps(target);
    let temp = temp_beside(target);
    let result = write_temp(&temp, target, bytes).and_then(|()| {
        crash_if(Fault::BeforeRename);
        match fs::hard_link(&temp, target) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::Exists {
                path: rel.to_owned(),
            }),
            Err(e) => Err(Error::write(target, e)),
        }
    });
    let _ = fs::remove_file(&temp);
    result?;
    sync_parent(target);
    crash_if(Fault::AfterRename);
    Ok(())
}

/// Removes the temporary files that writers left in `target`'s directory when they died
/// (their process is gone): `.<name>.<pid>.<random>.tmp`. Only on systems with `/proc`;
/// elsewhere they stay, hidden, and readers ignore them.
fn sweep_stale_temps(target: &Path) {
    let Some(dir) = target.parent() else {
        return;
    };
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(stem) = file_name
            .to_str()
            .filter(|n| n.starts_with('.'))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        let mut parts = stem.rsplit('.');
        let (Some(random), Some(pid)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if random.parse::<u64>().is_ok() && pid != std::process::id() && !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` still runs (Linux: `/proc/<pid>` exists). Only asked where `/proc`
/// exists.
pub(crate) fn process_alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// A new temporary file name in `target`'s directory (renames stay on one file system).
fn temp_beside(target: &Path) -> PathBuf {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        unique_suffix()
    ))
}

/// Makes a rename durable by flushing the directory that holds it.
fn sync_parent(target: &Path) {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

/// Writes and flushes the temporary file `temp` for `target`; errors name the target.
fn write_temp(temp: &Path, target: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(|e| Error::write(target, e))?;
    #[cfg(feature = "fault-injection")]
    if fault_at(Fault::IoError) {
        return Err(Error::write(
            target,
            std::io::Error::other("injected I/O error (LONGHAND_FAULT_INJECT=io-error)"),
        ));
    }
    #[cfg(feature = "fault-injection")]
    if fault_at(Fault::PartialTemp) {
        let _ = file.write_all(&bytes[..bytes.len() / 2]);
        let _ = file.sync_all();
        std::process::abort();
    }
    file.write_all(bytes).map_err(|e| Error::write(target, e))?;
    file.sync_all().map_err(|e| Error::write(target, e))
}

fn unique_suffix() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::{BuildHasher, RandomState};
        return RandomState::new().hash_one(std::time::SystemTime::now());
    }
    u64::from_le_bytes(bytes)
}

/// `root/rel`, after checking that `rel` stays inside `root` and crosses no symbolic link.
pub fn checked_path(root: &Path, rel: &str) -> Result<PathBuf> {
    let refuse = |reason: &str| Error::Refused {
        path: rel.to_owned(),
        reason: reason.to_owned(),
    };
    let mut path = root.to_path_buf();
    for segment in rel.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." || segment.contains('\\') {
            return Err(refuse(
                "the path leaves the discussion root or is not normal",
            ));
        }
        path.push(segment);
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(refuse("it is, or goes through, a symbolic link"));
            }
            _ => {}
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_create_replace_and_refuse_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "threads/t/a.md", b"one", Mode::CreateNew).expect("creates");
        assert_eq!(fs::read(root.join("threads/t/a.md")).expect("read"), b"one");
        let again = write(root, "threads/t/a.md", b"two", Mode::CreateNew);
        assert!(matches!(again, Err(Error::Exists { .. })));
        assert_eq!(fs::read(root.join("threads/t/a.md")).expect("read"), b"one");
        write(root, "threads/t/a.md", b"two", Mode::Replace).expect("replaces");
        assert_eq!(fs::read(root.join("threads/t/a.md")).expect("read"), b"two");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", root.join("threads/link")).expect("symlink");
            let through = write(root, "threads/link/x.md", b"x", Mode::Replace);
            assert!(matches!(through, Err(Error::Refused { .. })));
        }
        assert!(matches!(
            write(root, "../x.md", b"x", Mode::Replace),
            Err(Error::Refused { .. })
        ));
        let leftovers: Vec<_> = fs::read_dir(root.join("threads/t"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            leftovers,
            vec![std::ffi::OsString::from("a.md")],
            "no temporary files left"
        );
    }
}
