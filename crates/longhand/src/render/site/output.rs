//! The output directory: the site is written into a staging directory beside it and swapped in
//! at the end, so a reader (or a web server) never sees half a site, and a directory that is not
//! a site Longhand wrote is never replaced.
//!
//! This is the one part of `render` that touches the file system, and it writes only inside
//! the staging directory and renames only the output directory itself.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::Summary;
use crate::{Error, Result};

/// The file that marks a directory as a site `render` wrote, so that the next render may
/// replace it.
pub const MARKER_FILE: &str = ".longhand-site";

const MARKER_TEXT: &str =
    "This directory is a site written by `longhand render`; it is replaced by the next render.\n";

/// What a written file counts as in the [`Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An HTML page.
    Page,
    /// An Atom feed.
    Feed,
    /// A copied attachment.
    Attachment,
    /// Anything else (the stylesheet).
    Other,
}

/// A site being written.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    made: HashSet<PathBuf>,
    summary: Summary,
}

impl Staging {
    /// Checks that `out` may be replaced and creates an empty staging directory beside it.
    pub fn new(out: &Path) -> Result<Staging> {
        check_replaceable(out)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".to_owned());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let dir = parent.join(format!(".{name}.longhand-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            made: HashSet::new(),
            summary: Summary::default(),
        })
    }

    /// Writes a file at `path` (relative, `/`-separated, made of names the site chose) once.
    pub fn write(&mut self, path: &str, bytes: &[u8], kind: Kind) -> Result<()> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            if !self.made.contains(parent) {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                self.made.insert(parent.to_path_buf());
            }
        }
        fs::write(&target, bytes).map_err(|e| Error::io(&target, e))?;
        self.summary.bytes += bytes.len() as u64;
        match kind {
            Kind::Page => self.summary.pages += 1,
            Kind::Feed => self.summary.feeds += 1,
            Kind::Attachment => self.summary.attachments += 1,
            Kind::Other => {}
        }
        Ok(())
    }

    /// Puts the staged site in place of the output directory.
    pub fn finish(mut self) -> Result<Summary> {
        let marker = self.dir.join(MARKER_FILE);
        fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;
        // Checked again: the directory may have changed while the site was built.
        if let Err(error) = check_replaceable(&self.out) {
            self.abandon();
            return Err(error);
        }
        let old = self.dir.with_extension("old");
        let had_old = match fs::rename(&self.out, &old) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(&self.out, e)),
        };
        fs::rename(&self.dir, &self.out).map_err(|e| Error::io(&self.out, e))?;
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(std::mem::take(&mut self.summary))
    }

    /// Removes the staging directory after a failure.
    pub fn abandon(self) {
        // Best effort: the failure being reported matters more than a leftover directory.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// `out` may be replaced when it does not exist, is an empty directory, or holds the marker.
fn check_replaceable(out: &Path) -> Result<()> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(out, e)),
    };
    let refused = || Error::OutputNotASite {
        path: out.to_path_buf(),
    };
    if !metadata.is_dir() {
        return Err(refused());
    }
    if fs::symlink_metadata(out.join(MARKER_FILE)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    let mut entries = fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    match entries.next() {
        None => Ok(()),
        Some(_) => Err(refused()),
    }
}
