//! The `longhand` command: argument parsing, dispatch, and exit codes. Nothing is decided here
//! that the library could decide; each subcommand is one file under `commands/`.

mod cli_error;
mod clock;
mod commands;
mod environment;
mod hooks;
mod identity;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Asynchronous written discussion kept in git: threads, replies and decisions as Markdown files.
#[derive(Debug, Parser)]
#[command(name = "longhand", version, about, long_about = None)]
#[command(after_help = "Examples:\n  \
longhand validate\n  \
longhand list --status open\n  \
longhand show 2026-11-18-overlap-call-rotation\n  \
longhand inbox --for jonas\n  \
longhand search standups author:bo\n  \
longhand decision show weekly-overlap-call\n  \
longhand render --out _site\n\n\
Times are shown in your time zone (TZ, else the system's). LONGHAND_NOW=<RFC 3339 timestamp>\n\
fixes the current time, for reproducible output and tests.\n\n\
Exit codes: 0 success, 1 rule violations found, 2 could not run.\n\
Docs: the protocol is spec/protocol.md; docs/tour.md is a tour of reading; JSON output is\n\
described in docs/cli-json.md.")]
struct Cli {
    /// Run as if longhand was started in DIR instead of the current directory.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    directory: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Validate(commands::validate::Args),
    Init(commands::init::Args),
    /// Start, edit, resolve, close or reopen a thread.
    #[command(subcommand)]
    Thread(commands::thread::ThreadCommand),
    Reply(commands::reply::Args),
    List(commands::list::Args),
    Show(commands::show::Args),
    Inbox(commands::inbox::Args),
    Search(commands::search::Args),
    Digest(commands::digest::Args),
    /// Propose, accept, reject, withdraw, supersede, list or show decision records.
    #[command(
        subcommand,
        after_help = "Examples:\n  \
longhand decision new \"Written standups\" --thread async-standups --decider ana\n  \
longhand decision list\n  \
longhand decision show weekly-overlap-call"
    )]
    Decision(commands::decision::DecisionCommand),
    MergeDriver(commands::merge_driver::Args),
    Render(commands::render::Args),
    /// Set up git for Longhand in this repository.
    #[command(subcommand)]
    Hook(commands::hook::HookCommand),
    Completions(commands::completions::Args),
    Verify(commands::verify::Args),
    Redact(commands::redact::Args),
    Sync(commands::sync::Args),
    #[command(subcommand)]
    Watch(commands::watch::WatchCommand),
    /// Add a person to longhand.yaml, or change one's entry (name, emails, keys).
    #[command(subcommand)]
    Person(commands::person::PersonCommand),
    /// Check signed messages, or export one for OpenSSH to check.
    #[command(subcommand)]
    Signature(commands::signature::SignatureCommand),
}

/// How much of git's pack files libgit2 keeps mapped at once, and in windows of what size.
/// Its defaults (8 GiB in 1 GiB windows) map a whole pack, so reading every blob of a large
/// revision (`validate --rev`) made the pack resident on top of the model; with a bound, the
/// least recently used windows are let go and the peak stays near the model's own size.
const PACK_MAPPED_LIMIT: usize = 16 << 20;
const PACK_WINDOW_SIZE: usize = 4 << 20;

/// Bounds libgit2's pack mapping (see [`PACK_MAPPED_LIMIT`]). One of the command's two
/// `unsafe` calls (the workspace denies the rest): libgit2's process-wide settings.
#[allow(unsafe_code)]
fn bound_pack_mapping() {
    // SAFETY: these set process-wide libgit2 options; they are set here, first thing in
    // `main`, before any other thread exists or any repository is opened.
    unsafe {
        let _ = git2::opts::set_mwindow_size(PACK_WINDOW_SIZE);
        let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_LIMIT);
    }
}

/// Runs the command: parses the arguments, dispatches, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    bound_pack_mapping();
    let cli = Cli::parse();
    // Test-only: make atomic writes fail at a chosen point (docs/reliability.md).
    #[cfg(feature = "fault-injection")]
    if let Some(fault) =
        environment::fault_injection().and_then(|name| longhand::write::Fault::parse(&name))
    {
        longhand::write::inject_fault(fault);
    }
    let start = cli.directory.clone().unwrap_or_else(|| PathBuf::from("."));
    let result = match cli.command {
        Command::Validate(args) => commands::validate::run(&start, &args),
        Command::Init(args) => commands::init::run(&start, &args),
        Command::Thread(command) => commands::thread::run(&start, &command),
        Command::Reply(args) => commands::reply::run(&start, &args),
        Command::List(args) => commands::list::run(&start, &args),
        Command::Show(args) => commands::show::run(&start, &args),
        Command::Inbox(args) => commands::inbox::run(&start, &args),
        Command::Search(args) => commands::search::run(&start, &args),
        Command::Digest(args) => commands::digest::run(&start, &args),
        Command::Decision(command) => commands::decision::run(&start, &command),
        Command::MergeDriver(args) => commands::merge_driver::run(&args),
        Command::Render(args) => commands::render::run(&start, &args),
        Command::Hook(command) => commands::hook::run(&start, &command),
        Command::Completions(args) => commands::completions::run::<Cli>(&args),
        Command::Verify(args) => commands::verify::run(&start, &args),
        Command::Redact(args) => commands::redact::run(&start, &args),
        Command::Watch(command) => commands::watch::run(&start, &command),
        Command::Sync(args) => commands::sync::run(&start, &args),
        Command::Person(command) => commands::person::run(&start, &command),
        Command::Signature(command) => commands::signature::run(&start, &command),
    };
    match result {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
