//! Source → model + diagnostics. Walks the layout, parses every file, reads typed fields.
//!
//! Loading never stops at the first bad file: every problem becomes a diagnostic and the run
//! goes on. Only a failure to read the source at all is an `Err`. Cross-file rules (references,
//! supersede chains, votes) are not checked here; that is `validate`.
//!
//! By job: this file walks the root (the roster, the top-level layout, names); `threads`
//! reads thread directories and parses them in batches on the caller's [`Parallelism`];
//! `decisions` reads the decision records; `records` holds the per-file parsers, which are
//! pure functions of a path and bytes, shared by the walk and the single-file API
//! ([`record`], [`config_of`]); `fields` and `config` read typed values; [`names`] judges
//! entry names.

mod config;
mod decisions;
mod fields;
pub mod names;
mod records;
mod threads;

use crate::diagnostic::{Code, Diagnostic};
use crate::document::{self, Document, MAX_FILE_BYTES};
use crate::model::Discussion;
use crate::source::{join, Contents, Entry, EntryKind, Source, CONFIG_FILE};
use crate::{Error, Parallelism, Result};

pub use records::{config_of, record, Place, Record};

/// The most replies a thread may have before LH605 warns.
pub const MAX_REPLIES_PER_THREAD: usize = 10_000;

/// How deep directories inside an attachment directory are checked.
pub const MAX_ATTACHMENT_DEPTH: usize = 16;

/// What loading produced: the model, and every problem found on the way.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Loaded {
    /// The model of everything that could be read.
    pub discussion: Discussion,
    /// Problems found in single files (grammar, fields, layout).
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

/// Loads the discussion a source holds, parsing on rayon's global pool
/// ([`Parallelism::Global`]; see [`load_with`]).
pub fn load(source: &dyn Source) -> Result<Loaded> {
    load_with(source, &Parallelism::default())
}

/// [`load`], parsing files on the threads `parallelism` names. The source is read on the
/// calling thread only; the model is the same whatever the parallelism.
pub fn load_with(source: &dyn Source, parallelism: &Parallelism) -> Result<Loaded> {
    let mut loader = Loader {
        source,
        parallelism,
        loaded: Loaded::default(),
    };
    loader.config()?;
    loader.root()?;
    loader.threads()?;
    loader.decisions()?;
    Ok(loader.loaded)
}

struct Loader<'a> {
    source: &'a dyn Source,
    parallelism: &'a Parallelism,
    loaded: Loaded,
}

impl Loader<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.loaded.diagnostics.push(diagnostic);
    }

    /// Reads a file under the size limit; `None` (reported) when it is too large.
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        self.loaded.files += 1;
        match self.source.read(path, MAX_FILE_BYTES)? {
            Contents::Bytes(bytes) => Ok(Some(bytes)),
            Contents::TooLarge { size } => {
                self.report(Diagnostic::new(
                    Code::FileTooLarge,
                    path,
                    format!("the file has {size} bytes, over the limit of {MAX_FILE_BYTES}; it is not read"),
                ));
                Ok(None)
            }
        }
    }

    fn symlink(&mut self, path: &str) {
        self.report(Diagnostic::new(
            Code::Symlink,
            path,
            format!("`{path}` is a symbolic link; links are never followed"),
        ));
    }

    fn unexpected(&mut self, path: &str, what: &str) {
        self.report(Diagnostic::new(
            Code::UnexpectedPath,
            path,
            format!("`{path}` is {what} the layout does not define; it is ignored"),
        ));
    }

    fn markdown(&mut self, path: &str) -> Result<Option<Document>> {
        let Some(bytes) = self.read(path)? else {
            return Ok(None);
        };
        let parsed = document::parse_markdown(path, &bytes);
        self.loaded.diagnostics.extend(parsed.diagnostics);
        Ok(parsed.value)
    }

    fn config(&mut self) -> Result<()> {
        match self.source.kind(CONFIG_FILE)? {
            Some(EntryKind::File) => {}
            Some(EntryKind::Symlink) => {
                self.symlink(CONFIG_FILE);
                return Ok(());
            }
            Some(_) => {
                return Err(Error::RootNotAFile {
                    path: CONFIG_FILE.to_owned(),
                })
            }
            None => {
                return Err(Error::MissingConfig {
                    source_name: self.source.describe(),
                })
            }
        }
        let Some(bytes) = self.read(CONFIG_FILE)? else {
            return Ok(());
        };
        let parsed = document::parse_yaml_file(CONFIG_FILE, &bytes);
        self.loaded.diagnostics.extend(parsed.diagnostics);
        if let Some(file) = parsed.value {
            self.loaded.discussion.config = config::read(&file, &mut self.loaded.diagnostics);
        }
        Ok(())
    }

    /// Reports a hostile entry (LH212) of `dir`: true when `entry` is one, and is then
    /// neither classified nor entered.
    fn hostile(&mut self, dir: &str, entry: &Entry) -> bool {
        match names::entry_diagnostic(dir, entry) {
            Some(diagnostic) => {
                self.report(diagnostic);
                true
            }
            None => false,
        }
    }

    /// Checks the names of the root's own entries (the rest of the root is not read).
    fn root(&mut self) -> Result<()> {
        for entry in self.source.list("")? {
            self.hostile("", &entry);
        }
        Ok(())
    }

    /// Checks the names of everything below `dir`, a directory the layout does not enter
    /// (its own diagnostic is reported elsewhere): a hostile entry is hostile wherever it
    /// lies. Hidden and hostile directories are not entered, and the path limit bounds the
    /// depth.
    fn names_below(&mut self, dir: &str) -> Result<()> {
        let mut pending = vec![dir.to_owned()];
        while let Some(dir) = pending.pop() {
            for entry in self.source.list(&dir)? {
                if !self.hostile(&dir, &entry)
                    && entry.kind == EntryKind::Dir
                    && !entry.name.starts_with('.')
                {
                    pending.push(join(&dir, &entry.name));
                }
            }
        }
        Ok(())
    }

    /// The entries of a top-level directory, or nothing when it is absent or not a directory.
    fn top_dir(&mut self, dir: &str) -> Result<Vec<crate::source::Entry>> {
        match self.source.kind(dir)? {
            Some(EntryKind::Dir) => self.source.list(dir),
            Some(EntryKind::Symlink) => {
                self.symlink(dir);
                Ok(Vec::new())
            }
            // Reported with the root's entries (LH212).
            Some(EntryKind::Submodule) => Ok(Vec::new()),
            Some(_) => {
                self.unexpected(dir, "a file where a directory belongs, which");
                Ok(Vec::new())
            }
            None => Ok(Vec::new()),
        }
    }
}
