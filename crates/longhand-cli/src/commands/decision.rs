//! `longhand decision new|accept|reject|withdraw|supersede`.

use std::path::Path;
use std::process::ExitCode;

use longhand::model::DecisionStatus;
use longhand::write::ops::{self, NewDecision, DECISION_TEMPLATE};

use super::writing::{CommitArgs, Session, TextArgs};
use crate::cli_error::CliError;

/// Propose, accept, reject, withdraw or supersede decision records.
#[derive(Debug, clap::Subcommand)]
pub enum DecisionCommand {
    /// Propose a decision (status proposed), with the MADR sections as its body.
    #[command(after_help = "Example:\n  \
longhand decision new \"Written standups\" --thread async-standups --decider ana --decider bo --review-by 3d")]
    New(NewArgs),
    /// Accept a proposed decision.
    #[command(after_help = "Example:\n  longhand decision accept written-standups")]
    Accept(StatusArgs),
    /// Reject a proposed decision.
    #[command(after_help = "Example:\n  longhand decision reject 2026-11-25-written")]
    Reject(StatusArgs),
    /// Withdraw a proposed decision.
    #[command(after_help = "Example:\n  longhand decision withdraw 01M88YX")]
    Withdraw(StatusArgs),
    /// Mark an accepted decision superseded by another accepted one (both files record it).
    #[command(
        after_help = "Example:\n  longhand decision supersede daily-standups --by standups-mwf"
    )]
    Supersede(SupersedeArgs),
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The title.
    title: String,
    /// The thread where it is discussed and voted on (slug, id or prefix).
    #[arg(long, value_name = "THREAD")]
    thread: Option<String>,
    /// Someone whose vote is binding: a handle or an email (repeatable).
    #[arg(long = "decider", value_name = "WHO")]
    deciders: Vec<String>,
    /// End of the review period: RFC 3339, a date, or a span such as 3d (default: the policy's).
    #[arg(long, value_name = "WHEN")]
    review_by: Option<String>,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The decision: a slug, an id, or an unambiguous prefix.
    decision: String,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct SupersedeArgs {
    /// The accepted decision that is replaced.
    decision: String,
    /// The accepted decision that replaces it.
    #[arg(long = "by", value_name = "M")]
    by: String,
    #[command(flatten)]
    commit: CommitArgs,
}

pub fn run(start: &Path, command: &DecisionCommand) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let ctx = session.context();
    match command {
        DecisionCommand::New(args) => {
            let body = session.text(
                &args.text,
                DECISION_TEMPLATE,
                &format!("Fill in the sections of \"{}\" above.", args.title),
            )?;
            let request = NewDecision {
                title: args.title.clone(),
                thread: args.thread.clone(),
                deciders: args.deciders.clone(),
                review_by: args.review_by.clone(),
                body,
            };
            session.finish(&ops::new_decision(&ctx, &request)?, &args.commit)
        }
        DecisionCommand::Accept(args) => status(&session, args, DecisionStatus::Accepted),
        DecisionCommand::Reject(args) => status(&session, args, DecisionStatus::Rejected),
        DecisionCommand::Withdraw(args) => status(&session, args, DecisionStatus::Withdrawn),
        DecisionCommand::Supersede(args) => {
            let change = ops::supersede(&ctx, &args.decision, &args.by)?;
            session.finish(&change, &args.commit)
        }
    }
}

fn status(session: &Session, args: &StatusArgs, to: DecisionStatus) -> Result<ExitCode, CliError> {
    let change = ops::set_decision_status(&session.context(), &args.decision, to)?;
    session.finish(&change, &args.commit)
}
