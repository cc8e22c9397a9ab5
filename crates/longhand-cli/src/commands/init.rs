//! `longhand init`: make the current directory (or -C DIR) a discussion root.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::write::{self, Record, Recorded, Settings, INIT_MESSAGE};

use super::writing::CommitArgs;
use crate::cli_error::{CliError, EXIT_OK};
use crate::{environment, identity};

/// Create longhand.yaml, threads/ and decisions/, and register the merge driver.
///
/// Works at the top of a repository or in any sub-directory of a code repository. Running it
/// again is harmless: an existing longhand.yaml is never overwritten, and the .gitattributes
/// lines and the driver's git config are only added when missing.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand init --title \"Acme engineering\"\n  \
longhand -C docs/discussions init")]
pub struct Args {
    /// The discussion space's name (default: the directory's name).
    #[arg(long, value_name = "T")]
    title: Option<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    // Like `git init DIR`, a directory that does not exist yet is created.
    std::fs::create_dir_all(start).map_err(|e| longhand::Error::Io {
        path: start.to_path_buf(),
        source: e,
    })?;
    let dir = std::fs::canonicalize(start).map_err(|e| longhand::Error::Io {
        path: start.to_path_buf(),
        source: e,
    })?;
    if let Some(enclosing) = dir.parent().and_then(|p| longhand::find_root(p).ok()) {
        return Err(CliError::usage(
            format!(
                "{} is inside the discussion at {}; a discussion cannot hold another",
                dir.display(),
                enclosing.display()
            ),
            "run `longhand init` outside it, or write to that discussion",
        ));
    }
    let title = args.title.clone().unwrap_or_else(|| {
        dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Discussions".to_owned())
    });
    let mut settings = Settings::new().now(environment::local_now()?);
    if let Some(wait) = environment::lock_wait() {
        settings = settings.lock_wait(wait);
    }
    if let Some(founder) = identity::founder(&dir) {
        settings = settings.author(founder);
    }
    let record = if args.commit.no_commit {
        Record::Stage
    } else {
        Record::Commit
    };
    let zone = environment::zone_name();
    let report = write::init(&dir, &title, zone.as_deref(), settings, Some(record))?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if report.config_existed {
        writeln!(out, "kept longhand.yaml (it exists already)")?;
    }
    for path in &report.written {
        writeln!(out, "wrote {path}")?;
    }
    if report.driver_registered {
        writeln!(
            out,
            "registered the merge driver in the repository's git config"
        )?;
    } else {
        writeln!(
            out,
            "not in a git repository: the merge driver is not registered"
        )?;
    }
    match report.recorded {
        Some(Recorded::Staged) => writeln!(out, "staged, not committed")?,
        Some(Recorded::Committed(oid)) => writeln!(out, "committed {oid:.7} {INIT_MESSAGE}")?,
        _ => {}
    }
    Ok(ExitCode::from(EXIT_OK))
}
