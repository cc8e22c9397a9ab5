//! `longhand merge-driver`: what git runs to merge `longhand.yaml`, `thread.md` and decision
//! records (registered by `longhand init`). The merge itself is `longhand::merge::three_way`.

use std::path::PathBuf;
use std::process::ExitCode;

use longhand::render::terminal::sanitize;
use longhand::{merge, write};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};

/// Merge three versions of a discussion file, as a git merge driver.
///
/// Git runs it as `longhand merge-driver %O %A %B %P --marker-size %L`. The result is written
/// into OURS; the exit code is 0 for a clean merge and 1 when conflict markers remain (which
/// `longhand validate` reports as LH601).
#[derive(Debug, clap::Args)]
#[command(after_help = "Example (`longhand init` does this for you):\n  \
git config merge.longhand.driver 'longhand merge-driver %O %A %B %P --marker-size %L'\n  \
echo 'threads/*/thread.md merge=longhand' >> .gitattributes")]
pub struct Args {
    /// The common ancestor's version (%O).
    base: PathBuf,
    /// Our version (%A); the result is written here.
    ours: PathBuf,
    /// Their version (%B).
    theirs: PathBuf,
    /// The path in the repository (%P), for messages.
    path: Option<String>,
    /// Length of conflict markers (%L), given as a fifth argument.
    #[arg(value_name = "MARKER_SIZE")]
    marker: Option<u16>,
    /// Length of conflict markers (%L).
    #[arg(long, value_name = "N", conflicts_with = "marker")]
    marker_size: Option<u16>,
}

pub fn run(args: &Args) -> Result<ExitCode, CliError> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| {
            CliError::Library(longhand::Error::Io {
                path: path.clone(),
                source: e,
            })
        })
    };
    let (base, ours, theirs) = (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    let marker_size = args.marker_size.or(args.marker).unwrap_or(7);
    let merged = merge::three_way(&base, &ours, &theirs, marker_size)?;
    write::replace_file(&args.ours, &merged.text)?;
    if merged.is_clean() {
        Ok(ExitCode::from(EXIT_OK))
    } else {
        let path = sanitize(args.path.as_deref().unwrap_or("the file"));
        eprintln!(
            "longhand: {} conflict(s) in {path}; resolve them and run `longhand validate`",
            merged.conflict_count()
        );
        for conflict in &merged.conflicts {
            eprintln!("  {}", sanitize(&conflict.to_string()));
        }
        Ok(ExitCode::from(EXIT_VIOLATIONS))
    }
}
