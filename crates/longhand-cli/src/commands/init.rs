//! `longhand init`: make the current directory (or -C DIR) a discussion root.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::write::{self, Record, Recorded, Settings, INIT_MESSAGE};

use super::writing::CommitArgs;
use crate::cli_error::{CliError, EXIT_OK};
use crate::{environment, hooks, identity};

/// Create longhand.yaml, threads/ and decisions/, and register the merge driver.
///
/// Works at the top of a repository or in any sub-directory of a code repository. It also
/// git-ignores the site `longhand render` writes by default (`_site/`). Running it again is
/// harmless: an existing longhand.yaml is never overwritten, and the .gitattributes and
/// .gitignore lines and the driver's git config are only added when missing. With --hooks it
/// also installs the pre-commit hook, as `longhand hook install` does (in each clone: a clone
/// does not copy hooks or git config).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand init --title \"Acme engineering\" --hooks\n  \
longhand -C docs/discussions init")]
pub struct Args {
    /// The discussion space's name (default: the directory's name).
    #[arg(long, value_name = "T")]
    title: Option<String>,
    /// Also install this clone's pre-commit hook (`longhand hook install`).
    #[arg(long)]
    hooks: bool,
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
    if args.hooks {
        install_pre_commit(&dir, &mut out)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Installs the pre-commit hook of the repository holding `dir`, checking the discussion at
/// `dir`, as `longhand hook install` does in a clone.
fn install_pre_commit(dir: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let repo = super::discover(dir)?;
    let binary = crate::hooks::this_binary()?;
    if let Some(root) = repo
        .workdir()
        .and_then(|w| w.canonicalize().ok())
        .and_then(|w| longhand::source::relative_to(dir, &w))
    {
        hooks::set_root(&repo, &root)?;
    }
    let installed =
        hooks::install_hook(&hooks::hooks_dir(&repo)?, hooks::Hook::PreCommit, &binary)?;
    writeln!(
        out,
        "installed the pre-commit hook: {}",
        installed.path.display()
    )?;
    if let Some(kept) = &installed.kept {
        writeln!(
            out,
            "kept the hook that was there as {}; it runs first",
            kept.display()
        )?;
    }
    Ok(())
}
