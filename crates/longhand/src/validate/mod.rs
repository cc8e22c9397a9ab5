//! Tree rules: what must hold across the files of one discussion (references, supersede chains,
//! votes, links). One file per family of rules; each is a plain function over the model.
//!
//! Validation never returns `Err` for bad data and never stops early: it appends diagnostics.
//! [`run`] is the whole pipeline for a source: load, check, and attach source lines.

mod confusable;
mod decisions;
mod links;
mod references;
mod signatures;
mod votes;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Report};
use crate::document::{decode, MAX_FILE_BYTES};
use crate::load::load_with;
use crate::model::Discussion;
use crate::source::{Contents, Source};
use crate::{Parallelism, Result};

pub use confusable::skeleton;
pub(crate) use links::link_targets;
pub(crate) use signatures::signer;
pub use signatures::{check_file as check_signature, may_sign, Signable};

/// Checks every tree rule that needs only the model (everything but links).
pub fn tree(discussion: &Discussion) -> Vec<Diagnostic> {
    tree_with(discussion, &Parallelism::Sequential)
}

/// [`tree`], verifying signatures on the threads `parallelism` names.
fn tree_with(discussion: &Discussion, parallelism: &Parallelism) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    signatures::check(discussion, parallelism, &mut diagnostics);
    diagnostics.extend(tree_but_signatures(discussion));
    diagnostics
}

/// Every tree rule that needs only the model but the signatures (LH801–LH804): what a write
/// transaction checks before it rewrites a file. Verifying every signature costs tens of
/// microseconds a message, and a writer re-signs (or drops the signature of) what it
/// rewrites, vouching for it anew.
pub(crate) fn tree_but_signatures(discussion: &Discussion) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    references::check(discussion, &mut diagnostics);
    confusable::check(discussion, &mut diagnostics);
    decisions::check(discussion, &mut diagnostics);
    votes::check(discussion, &mut diagnostics);
    diagnostics
}

/// Loads the discussion a source holds and checks every rule: the whole of `longhand validate`.
/// Parallel work runs on rayon's global pool ([`Parallelism::Global`]; see [`run_with`]).
pub fn run(source: &dyn Source) -> Result<Report> {
    run_with(source, &Parallelism::default())
}

/// [`run`], with the parallel work (parsing, the tree rules, finding links) on the threads
/// `parallelism` names. The source is read on the calling thread only, and the report is the
/// same whatever the parallelism. Every thread started for the run has finished its part
/// when this returns.
pub fn run_with(source: &dyn Source, parallelism: &Parallelism) -> Result<Report> {
    let (report, discussion) = run_keeping_model(source, parallelism)?;
    drop(discussion);
    Ok(report)
}

/// [`run_with`], also giving back the model it loaded: for a caller that goes on with it
/// (renders or queries what it validated) without loading it again, or that leaves a large
/// model to the operating system when it is about to exit (freeing a million allocations
/// is a noticeable share of a run).
pub fn run_keeping_model(
    source: &dyn Source,
    parallelism: &Parallelism,
) -> Result<(Report, Discussion)> {
    let loaded = load_with(source, parallelism)?;
    let mut diagnostics = loaded.diagnostics;
    // The tree rules need only the model, so they run on another core while the links are
    // checked against the source here (a source need not be thread-safe); the diagnostics
    // are put together in the same order as one after the other.
    // The scope's end waits for the spawned task (running it here when this thread is one of
    // the pool's), so nothing blocks inside it.
    let discussion = &loaded.discussion;
    let tree_found = std::sync::Mutex::new(Vec::new());
    let links_found = parallelism.in_place_scope(|scope| {
        let tree_found = &tree_found;
        let task = move || {
            if let Ok(mut found) = tree_found.lock() {
                *found = tree_with(discussion, parallelism);
            }
        };
        match scope {
            Some(scope) => scope.spawn(move |_| task()),
            None => task(),
        }
        links::links_with(discussion, source, parallelism)
    });
    diagnostics.extend(tree_found.into_inner().unwrap_or_default());
    diagnostics.extend(links_found?);
    attach_source_lines(source, &mut diagnostics)?;
    Ok((Report::new(diagnostics, loaded.files), loaded.discussion))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WorkTree;

    #[test]
    fn every_parallelism_gives_the_same_report() {
        let example =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/async-standups");
        let source = WorkTree::new(&example);
        let expected = format!("{:?}", run(&source).expect("validates"));
        for parallelism in [
            Parallelism::Sequential,
            Parallelism::threads(2).expect("a pool"),
        ] {
            let report = run_with(&source, &parallelism).expect("validates");
            assert_eq!(format!("{report:?}"), expected, "{parallelism:?}");
        }
    }
}
