//! `longhand thread new|edit|link|resolve|close|merge|reopen`.

use std::path::Path;
use std::process::ExitCode;

use longhand::model::ThreadStatus;
use longhand::write::ops::{self, NewThread, ThreadEdit};

use super::writing::{CommitArgs, Session, TextArgs};
use crate::cli_error::CliError;

/// Start, edit, resolve, close or reopen a thread.
///
/// Only the thread's author or a moderator may edit, resolve, close, reopen or merge it
/// (as the history rules require); anyone else is refused with exit 2.
#[derive(Debug, clap::Subcommand)]
pub enum ThreadCommand {
    /// Open a new thread.
    #[command(after_help = "Examples:\n  \
longhand thread new \"Async standups?\" -m \"Shall we try written standups?\" --tag process\n  \
longhand thread new \"Q1 planning\" --await ana --await bo@example.org --respond-by 3d\n  \
longhand thread new \"Weekly sync, week 50\" --slug weekly-2026-w50 -m \"Agenda below.\"")]
    New(NewArgs),
    /// Change a thread's title, tags, awaited people or deadline.
    #[command(after_help = "Example:\n  \
longhand thread edit async-standups --add-tag meetings --unawait ana --respond-by 2026-12-01")]
    Edit(EditArgs),
    /// Set the decision that resolved a thread (its `decision` field), or clear it with
    /// --unlink.
    #[command(after_help = "Examples:\n  \
longhand thread link async-standups written-standups\n  \
longhand thread link async-standups --unlink")]
    Link(LinkArgs),
    /// Mark a thread resolved, optionally posting TEXT as a reply.
    #[command(after_help = "Example:\n  \
longhand thread resolve async-standups -m \"Decided: written standups.\"\n\n\
If someone else closed the thread meanwhile (git reports a conflict on `status` in\n\
thread.md when you pull), keeping either side's status is refused by a server: it is\n\
judged as `closed -> resolved` (or the reverse) from the other side, which section 7\n\
forbids, exactly as the same change after a rebase is (LH709). Resolve the conflict\n\
with `status: open` (reopening is allowed from both sides), commit the merge, push, then\n\
run `longhand thread resolve` (or `close`) as a new step.")]
    Resolve(StatusArgs),
    /// Close a thread without an outcome, optionally posting TEXT as a reply.
    #[command(
        after_help = "Example:\n  longhand thread close 01M86 -m \"Duplicate of q1-planning.\""
    )]
    Close(StatusArgs),
    /// Fold a duplicate thread into another: its replies move there, and it becomes a closed
    /// redirect.
    #[command(after_help = "Example:\n  longhand thread merge standups-again async-standups")]
    Merge(MergeArgs),
    /// Reopen a resolved or closed thread, optionally posting TEXT as a reply.
    #[command(after_help = "Example:\n  longhand thread reopen async-standups -m \"New facts.\"")]
    Reopen(StatusArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The title.
    title: String,
    #[command(flatten)]
    text: TextArgs,
    /// A tag (repeatable).
    #[arg(long = "tag", value_name = "T")]
    tags: Vec<String>,
    /// Someone whose answer is requested: a handle or an email (repeatable).
    #[arg(long = "await", value_name = "WHO")]
    awaiting: Vec<String>,
    /// When answers are wanted by: RFC 3339, a date, or a span such as 3d.
    #[arg(long, value_name = "WHEN")]
    respond_by: Option<String>,
    /// The thread's name (its directory), instead of the date and up to 40 characters of the
    /// title: lowercase letters and digits in words joined by dashes, not taken by a thread.
    #[arg(long, value_name = "SLUG")]
    slug: Option<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs {
    /// The thread: a slug, an id, or an unambiguous prefix.
    thread: String,
    /// A new title.
    #[arg(long, value_name = "T")]
    title: Option<String>,
    /// Add a tag (repeatable).
    #[arg(long = "add-tag", value_name = "T")]
    add_tags: Vec<String>,
    /// Remove a tag (repeatable).
    #[arg(long = "remove-tag", value_name = "T")]
    remove_tags: Vec<String>,
    /// Ask someone for an answer (repeatable).
    #[arg(long = "await", value_name = "WHO")]
    await_people: Vec<String>,
    /// Stop waiting for someone (repeatable).
    #[arg(long = "unawait", value_name = "WHO")]
    unawait_people: Vec<String>,
    /// A new deadline: RFC 3339, a date, or a span such as 3d.
    #[arg(long, value_name = "WHEN")]
    respond_by: Option<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

/// Set the decision that resolved a thread (its `decision` field), or clear it with --unlink.
///
/// The decision must exist; it is written as its slug. Only the thread's author or a
/// moderator may, as for any change to a thread's header.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// The thread: a slug, an id, or an unambiguous prefix.
    thread: String,
    /// The decision: a slug, an id, or an unambiguous prefix.
    #[arg(
        value_name = "DECISION",
        required_unless_present = "unlink",
        conflicts_with = "unlink"
    )]
    decision: Option<String>,
    /// Remove the thread's `decision` instead.
    #[arg(long)]
    unlink: bool,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The duplicate thread: a slug, an id, or an unambiguous prefix.
    from: String,
    /// The thread it is folded into.
    into: String,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The thread: a slug, an id, or an unambiguous prefix.
    thread: String,
    /// A reply to post with the change.
    #[arg(short = 'm', long = "message", value_name = "TEXT")]
    message: Option<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

pub fn run(start: &Path, command: &ThreadCommand) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    match command {
        ThreadCommand::New(args) => {
            let mut request = NewThread::new(args.title.clone(), "…");
            request.tags = args.tags.clone();
            request.awaiting = args.awaiting.clone();
            request.respond_by = args.respond_by.clone();
            request.slug = args.slug.clone();
            // Check every argument before the editor opens, so no text written there is lost.
            ops::new_thread(&session.context(), &request)?;
            session.may_commit(&args.commit)?;
            let (session, text) = session.text(
                &args.text,
                "",
                &format!("Write the opening post of \"{}\" above.", args.title),
            )?;
            request.body = text;
            let change = ops::new_thread(&session.context(), &request)?;
            session.finish(&change, &args.commit)
        }
        ThreadCommand::Edit(args) => {
            let mut edit = ThreadEdit::new();
            edit.title = args.title.clone();
            edit.add_tags = args.add_tags.clone();
            edit.remove_tags = args.remove_tags.clone();
            edit.await_people = args.await_people.clone();
            edit.unawait_people = args.unawait_people.clone();
            edit.respond_by = args.respond_by.clone();
            let change = ops::edit_thread(&session.context(), &args.thread, &edit)?;
            session.finish(&change, &args.commit)
        }
        ThreadCommand::Link(args) => {
            let change =
                ops::link_decision(&session.context(), &args.thread, args.decision.as_deref())?;
            session.finish(&change, &args.commit)
        }
        ThreadCommand::Merge(args) => {
            let change = ops::merge_threads(&session.context(), &args.from, &args.into)?;
            session.finish(&change, &args.commit)
        }
        ThreadCommand::Resolve(args) => status(session, args, ThreadStatus::Resolved),
        ThreadCommand::Close(args) => status(session, args, ThreadStatus::Closed),
        ThreadCommand::Reopen(args) => status(session, args, ThreadStatus::Open),
    }
}

fn status(session: Session, args: &StatusArgs, to: ThreadStatus) -> Result<ExitCode, CliError> {
    let change = ops::set_thread_status(
        &session.context(),
        &args.thread,
        to,
        args.message.as_deref(),
    )?;
    session.finish(&change, &args.commit)
}
