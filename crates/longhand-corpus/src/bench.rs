//! The whole-command harness behind `longhand-corpus bench`: times the real `longhand` binary
//! on generated corpora, several runs each, with baselines in the same run, and reports
//! medians, ratios and peak memory.

use std::path::{Path, PathBuf};

/// Arguments of `longhand-corpus bench`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the harness.
pub fn run(_args: &Args) -> Result<(), std::io::Error> {
    Ok(())
}

/// Walks `dir` (skipping `.git`) and reads every file: returns how many files and bytes.
pub fn read_tree(dir: &Path) -> Result<(u64, u64), std::io::Error> {
    let mut pending: Vec<PathBuf> = vec![dir.to_owned()];
    let (mut files, mut bytes) = (0, 0);
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if entry.file_name() != ".git" {
                    pending.push(entry.path());
                }
            } else if kind.is_file() {
                bytes += std::fs::read(entry.path())?.len() as u64;
                files += 1;
            }
        }
    }
    Ok((files, bytes))
}
