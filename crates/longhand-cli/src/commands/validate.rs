//! `longhand validate`: check a discussion, from the work tree or a git revision.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::source::repository_prefix;
use longhand::{find_root, validate, Discussion, GitTree, Parallelism, Report, Source, WorkTree};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};
use crate::output::{self, Format};

/// Check every file of a discussion against the protocol.
///
/// The discussion root is the nearest directory, from the current one upward, that holds
/// longhand.yaml. With --rev, the same root is read from the git tree of that revision,
/// which works in bare repositories too.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand validate\n  \
longhand -C examples/async-standups validate --format json\n  \
longhand validate --rev origin/main --format github\n  \
longhand -C /srv/git/team.git validate --rev main --root docs/discussions\n\n\
Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 could not run.")]
pub struct Args {
    /// Validate the tree of this git revision instead of the work tree.
    #[arg(long, value_name = "REV")]
    rev: Option<String>,

    /// With --rev: the discussion's directory inside the tree (default: where the work tree
    /// has it, or the top of the tree in a bare repository).
    #[arg(long, value_name = "DIR", requires = "rev")]
    root: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let (report, prefix) = match &args.rev {
        Some(rev) => {
            let source = GitTree::discover(start, rev, args.root.as_deref())?;
            let prefix = source.prefix().to_owned();
            (validated(&source)?, prefix)
        }
        None => {
            let root = find_root(start).map_err(|e| super::bare_hint(start, e, "validate"))?;
            let prefix = repository_prefix(&root).unwrap_or_default();
            (validated(&WorkTree::new(root))?, prefix)
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let color = output::use_color();
    output::report(&mut out, &report, args.format, &prefix, color)?;
    out.flush()?;
    Ok(ExitCode::from(if report.is_clean() {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    }))
}

/// The report of a whole validation. The model is not freed: the command exits right after
/// printing, and the operating system reclaims it at once, where freeing it piece by piece
/// would add a noticeable share to a large discussion's run.
fn validated(source: &dyn Source) -> Result<Report, CliError> {
    let (report, discussion) = validate::run_keeping_model(source, &Parallelism::default())?;
    std::mem::forget::<Discussion>(discussion);
    Ok(report)
}
