//! `longhand hook`: set up a clone or a server for Longhand, and the hooks git runs there —
//! `pre-commit` (what is staged) and `pre-receive` (every pushed ref).

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::enforce::{self, RefCheck, RefOutcome};
use longhand::git2::{Oid, Repository};
use longhand::render::terminal::sanitize;
use longhand::write;
use longhand::{find_root, Report};

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};
use crate::hooks;
use crate::output::{self, Format};

/// Set up git for Longhand, and the hooks git runs.
#[derive(Debug, clap::Subcommand)]
pub enum HookCommand {
    /// Set up this clone (the merge driver and a pre-commit hook), or with --server a bare
    /// repository people push to (a pre-receive hook).
    ///
    /// A hook already there keeps working: it is moved to <hook>.pre-longhand and runs first.
    /// Running it again only rewrites Longhand's own script (for instance after moving the
    /// longhand binary). Hooks go where git looks for them (core.hooksPath, else hooks/ in the
    /// git directory). With --server it also sets git config receive.fsckObjects, and where
    /// the repository holds only the discussion receive.denyNonFastForwards and
    /// receive.denyDeletes, to true, keeping any value already set.
    #[command(after_help = "Examples:\n  \
longhand hook install                                  # in a fresh clone\n  \
longhand -C /srv/git/team.git hook install --server    # on the server\n  \
longhand -C /srv/git/app.git hook install --server --root docs/discussions\n\n\
Exit codes: 0 installed, 2 could not install.")]
    Install(InstallArgs),
    /// The pre-receive hook: check every ref a push updates (read from standard input as git
    /// writes it: `<old> <new> <ref>` lines).
    ///
    /// For each updated ref the push's size is measured against the server's limits (git
    /// config longhand.maxPushFiles, longhand.maxPushBytes, longhand.maxThreadReplies), the
    /// old tip is compared with the new one (a force-push that drops or alters a file of the
    /// discussion is refused, LH720), the history rules check every commit the push brings,
    /// and the tree rules check the new tip against the old one. Deleting a branch that holds
    /// the discussion is refused when no other ref keeps what it brought, and deleting the
    /// default branch always (LH721). Every problem of every ref is printed (git shows it to
    /// the pusher as `remote:` lines) and the push is refused when there is any error. A ref
    /// whose tips hold no discussion at the root is not checked; removing the discussion is
    /// refused.
    #[command(
        after_help = "Exit codes: 0 accept the push, 1 refuse it (rule violations), \
2 refuse it (could not run)."
    )]
    PreReceive(CheckArgs),
    /// The pre-commit hook: validate what is staged (the index, not the work tree).
    #[command(
        after_help = "Exit codes: 0 let the commit go ahead, 1 refuse it (rule \
violations), 2 refuse it (could not run). `git commit --no-verify` skips every pre-commit hook."
    )]
    PreCommit(CheckArgs),
}

/// Arguments of `hook install`.
#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    /// Install the server hook (pre-receive) instead of the clone's (pre-commit and the
    /// merge driver).
    #[arg(long)]
    server: bool,

    /// The discussion's directory inside the repository's tree, recorded as git config
    /// `longhand.root` for the hooks (default: in a clone, where the work tree has
    /// longhand.yaml; on a server, the top of the tree).
    #[arg(long, value_name = "DIR")]
    root: Option<String>,
}

/// Arguments of the hooks themselves.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The discussion's directory inside the tree (default: git config `longhand.root`, else
    /// the top of the tree).
    #[arg(long, value_name = "DIR")]
    root: Option<String>,
}

pub fn run(start: &Path, command: &HookCommand) -> Result<ExitCode, CliError> {
    match command {
        HookCommand::Install(args) => install(start, args),
        HookCommand::PreReceive(args) => pre_receive(start, args),
        HookCommand::PreCommit(args) => pre_commit(start, args),
    }
}

/// The repository a hook runs in. Git runs hooks with `GIT_DIR` set, and a pre-receive hook
/// with the pushed objects in a quarantine named by `GIT_OBJECT_DIRECTORY` (and a commit's
/// index in `GIT_INDEX_FILE`): opening from the environment sees them.
fn hook_repository(start: &Path) -> Result<Repository, CliError> {
    cache_large_trees();
    if crate::environment::git_hook_environment() {
        Repository::open_from_env().map_err(|e| {
            longhand::Error::NotARepository {
                path: start.to_path_buf(),
                message: e.message().to_owned(),
            }
            .into()
        })
    } else {
        super::discover(start)
    }
}

/// Lets libgit2 keep trees of any size in its object cache (by default it keeps none over
/// 4 KiB): a check looks up paths in the `threads/` tree many times, and with thousands of
/// threads that tree is hundreds of KB, read, inflated and parsed again on every lookup.
/// And skips re-hashing every object read (git itself does not: the objects of a push are
/// checked by git's `index-pack` as they arrive), which for those trees is most of the cost.
#[allow(unsafe_code)]
fn cache_large_trees() {
    // SAFETY: libgit2's global options are not synchronized; this runs before the hook opens
    // any repository, and the hook uses git from this one thread.
    let _ = unsafe {
        longhand::git2::opts::set_cache_object_limit(longhand::git2::ObjectType::Tree, 64 << 20)
    };
    longhand::git2::opts::strict_hash_verification(false);
}

fn install(start: &Path, args: &InstallArgs) -> Result<ExitCode, CliError> {
    let repo = super::discover(start)?;
    let binary = crate::hooks::this_binary()?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let root = match &args.root {
        Some(root) => Some(enforce::normalize_root(root)),
        None if !args.server => clone_root(&repo, start),
        None => None,
    };
    if let Some(root) = &root {
        hooks::set_root(&repo, root)?;
        let shown = if root.is_empty() { "." } else { root };
        writeln!(
            out,
            "discussion root: {shown} (git config {})",
            enforce::ROOT_KEY
        )?;
    }
    let hook = if args.server {
        hooks::Hook::PreReceive
    } else {
        write::register_driver(&repo)?;
        writeln!(out, "registered the merge driver: {}", write::MERGE_DRIVER)?;
        hooks::Hook::PreCommit
    };
    let dir = hooks::hooks_dir(&repo)?;
    let installed = hooks::install_hook(&dir, hook, &binary)?;
    let verb = if installed.updated {
        "updated"
    } else {
        "installed"
    };
    writeln!(
        out,
        "{verb} the {} hook: {} (runs {} hook {})",
        hook.name(),
        installed.path.display(),
        binary.display(),
        hook.name()
    )?;
    if let Some(kept) = &installed.kept {
        writeln!(
            out,
            "kept the hook that was there as {}; it runs first",
            kept.display()
        )?;
    }
    if args.server {
        let root = enforce::root_for(&repo, root.as_deref())?;
        for setting in hooks::secure_server(&repo, &root)? {
            let verb = if setting.set { "set" } else { "kept" };
            let why = if setting.set {
                ""
            } else {
                " (already set; not changed)"
            };
            writeln!(
                out,
                "{verb} git config {} = {}{why}",
                setting.key, setting.value
            )?;
        }
        if !root.is_empty() {
            writeln!(
                out,
                "note: the discussion is in {root} of a larger repository, so receive.denyNonFastForwards and receive.denyDeletes are left to you; the hook refuses a force-push or a deletion that would lose discussion files"
            )?;
        }
    }
    if args.server && !repo.is_bare() {
        writeln!(
            out,
            "note: this repository is not bare; the hook runs when someone pushes to it"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}

/// In a clone: the discussion root found from `start`, relative to the work tree, when there
/// is one.
fn clone_root(repo: &Repository, start: &Path) -> Option<String> {
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let root = find_root(start).ok()?.canonicalize().ok()?;
    longhand::source::relative_to(&root, &workdir)
}

fn pre_receive(start: &Path, args: &CheckArgs) -> Result<ExitCode, CliError> {
    let repo = hook_repository(start)?;
    let root = enforce::root_for(&repo, args.root.as_deref())?;
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).map_err(|e| {
        CliError::usage(
            format!("cannot read the pushed refs from standard input: {e}"),
            "git runs this hook with `<old> <new> <ref>` lines on standard input",
        )
    })?;
    let updates = enforce::parse_updates(&input).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "git runs this hook with `<old> <new> <ref>` lines on standard input",
        )
    })?;
    // The server judges dates at its real clock, never at LONGHAND_NOW, so a pushed date in
    // the future is caught.
    let checks = enforce::check_push(&repo, &root, &updates, jiff::Timestamp::now())?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut refused = 0;
    for check in &checks {
        print_ref(&mut out, check, &root)?;
        if check.refused() {
            refused += 1;
        }
    }
    if refused > 0 {
        writeln!(
            out,
            "longhand: push refused ({refused} of {} refs): fix the files named above in new \
commits (or rewrite the commits that broke a history rule), then push again",
            checks.len()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(if refused > 0 {
        EXIT_VIOLATIONS
    } else {
        EXIT_OK
    }))
}

fn short(oid: Oid) -> String {
    oid.to_string().chars().take(10).collect()
}

fn print_ref(out: &mut dyn Write, check: &RefCheck, root: &str) -> io::Result<()> {
    let range = match check.base {
        Some(base) => format!("{}..{}", short(base), short(check.tip)),
        None => short(check.tip),
    };
    let commits = match check.commits {
        1 => "1 new commit".to_owned(),
        n => format!("{n} new commits"),
    };
    // A ref name and the root come from the pusher and the server's config: printed safe.
    let shown_root = sanitize(if root.is_empty() { "." } else { root });
    let name = sanitize(&check.name);
    match &check.outcome {
        RefOutcome::Checked(report) => {
            writeln!(out, "longhand: {name} {range}: {commits}")?;
            print_report(out, report, root)
        }
        RefOutcome::NotADiscussion => writeln!(
            out,
            "longhand: {name} {range}: no longhand.yaml at {shown_root}; not checked"
        ),
        RefOutcome::Deleted(report) => {
            writeln!(
                out,
                "longhand: {} {}: deleted",
                check.name,
                short(check.tip)
            )?;
            print_report(out, report, root)
        }
        RefOutcome::NotACommit => {
            writeln!(out, "longhand: {name}: not a commit; not checked")
        }
        RefOutcome::RootRemoved => writeln!(
            out,
            "longhand: {name} {range}: refused: the push removes the discussion \
({shown_root}/longhand.yaml)\n  = help: a discussion is never deleted; restore longhand.yaml \
(if the discussion moved, set `git config {} DIR` on the server first)",
            enforce::ROOT_KEY
        ),
    }
}

/// Prints a report with paths relative to the repository (so they match what the pusher
/// sees in their clone).
fn print_report(out: &mut dyn Write, report: &Report, root: &str) -> io::Result<()> {
    let mut shown = report.clone();
    for diagnostic in &mut shown.diagnostics {
        diagnostic.path = enforce::repository_path(root, &diagnostic.path);
    }
    output::report(out, &shown, Format::Human, "", false)
}

fn pre_commit(start: &Path, args: &CheckArgs) -> Result<ExitCode, CliError> {
    let repo = hook_repository(start)?;
    let root = enforce::root_for(&repo, args.root.as_deref())?;
    let report = enforce::check_index_at(&repo, &root)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let Some(report) = report else {
        return Ok(ExitCode::from(EXIT_OK));
    };
    if report.diagnostics.is_empty() {
        return Ok(ExitCode::from(EXIT_OK));
    }
    writeln!(out, "longhand: checking what is staged")?;
    print_report(&mut out, &report, &root)?;
    if !report.is_clean() {
        writeln!(
            out,
            "longhand: commit refused: fix the files named above and stage them (git add), \
then commit again"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::from(if report.is_clean() {
        EXIT_OK
    } else {
        EXIT_VIOLATIONS
    }))
}
