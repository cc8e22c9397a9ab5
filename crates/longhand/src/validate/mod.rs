//! Tree rules: what must hold across the files of one discussion (references, supersede chains,
//! votes, links). One file per family of rules; each is a plain function over the model.
//!
//! Validation never returns `Err` for bad data and never stops early: it appends diagnostics.
//! [`run`] is the whole pipeline for a source: load, check, and attach source lines.

mod confusable;
mod decisions;
mod links;
mod references;
mod votes;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Report};
use crate::document::{decode, MAX_FILE_BYTES};
use crate::load::load;
use crate::model::Discussion;
use crate::source::{Contents, Source};
use crate::Result;

pub use confusable::skeleton;
pub(crate) use links::link_targets;
pub use links::links;

/// Checks every tree rule that needs only the model (everything but links).
pub fn tree(discussion: &Discussion) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    references::check(discussion, &mut diagnostics);
    confusable::check(discussion, &mut diagnostics);
    decisions::check(discussion, &mut diagnostics);
    votes::check(discussion, &mut diagnostics);
    diagnostics
}

/// Loads the discussion a source holds and checks every rule: the whole of `longhand validate`.
pub fn run(source: &dyn Source) -> Result<Report> {
    let loaded = load(source)?;
    let mut diagnostics = loaded.diagnostics;
    // The tree rules need only the model, so they run on another core while the links are
    // checked against the source here (a source need not be thread-safe); the diagnostics
    // are put together in the same order as one after the other.
    // The scope's end waits for the spawned task (running it here when this thread is one of
    // the pool's), so nothing blocks inside it.
    let discussion = &loaded.discussion;
    let tree_found = std::sync::Mutex::new(Vec::new());
    let links_found = rayon::in_place_scope(|scope| {
        let tree_found = &tree_found;
        scope.spawn(move |_| {
            if let Ok(mut found) = tree_found.lock() {
                *found = tree(discussion);
            }
        });
        links(discussion, source)
    });
    diagnostics.extend(tree_found.into_inner().unwrap_or_default());
    diagnostics.extend(links_found?);
    // The model is no longer needed: it is freed on the pool (a large discussion is a million
    // allocations) while the report is finished and printed.
    let files = loaded.files;
    let discussion = loaded.discussion;
    rayon::spawn(move || drop(discussion));
    attach_source_lines(source, &mut diagnostics)?;
    Ok(Report::new(diagnostics, files))
}

/// Fills [`Diagnostic::source_line`] for diagnostics with a line, reading each file once more.
/// Only files with such diagnostics are read, so a clean run reads nothing twice.
pub fn attach_source_lines(source: &dyn Source, diagnostics: &mut [Diagnostic]) -> Result<()> {
    let mut by_path: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        if diagnostic.line.is_some() && diagnostic.source_line.is_none() {
            by_path
                .entry(diagnostic.path.clone())
                .or_default()
                .push(index);
        }
    }
    for (path, indexes) in by_path {
        let Ok(Contents::Bytes(bytes)) = source.read(&path, MAX_FILE_BYTES) else {
            continue;
        };
        let text = match decode(&path, &bytes, &mut Vec::new()) {
            Some(text) => text,
            None => String::from_utf8_lossy(&bytes).replace('\0', " "),
        };
        let lines: Vec<&str> = text.split('\n').collect();
        for index in indexes {
            let diagnostic = &mut diagnostics[index];
            if let Some(line) = diagnostic
                .line
                .and_then(|l| lines.get(l.saturating_sub(1) as usize))
            {
                diagnostic.source_line = Some((*line).to_owned());
            }
        }
    }
    Ok(())
}
