//! `longhand decision`: propose, accept, reject, withdraw and supersede decision records, and
//! read them with their votes and where each proposal stands.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::Discussion;
use longhand::read::tally::{review, Review};
use longhand::render::terminal::render;
use longhand::Decision;

use longhand::model::DecisionStatus;
use longhand::write::ops::{self, NewDecision, StatusChange, DECISION_TEMPLATE};

use super::writing::{CommitArgs, Session, TextArgs};
use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::commands::read_discussion;
use crate::output::json::{JsonDecisionShow, JsonDecisions};
use crate::output::reading::{clean, print, rule_name, ReadFormat, View, WIDTH};
use crate::output::use_color;

/// Propose, accept, reject, withdraw, supersede, list or show decision records.
///
/// A decision's author, its deciders or a moderator may accept, reject or withdraw it; only
/// its deciders or a moderator supersede it (as the history rules require); anyone else is
/// refused with exit 2. `accept` succeeds only when the decision is ready under the decision
/// rule, `reject` only when it is blocked or by its author; a moderator may do either against
/// the rule with `--override "<reason>"`, which the record keeps. Every status change records
/// `decided` (now) and `decided-by` (you), and `-m` records a `rationale`.
#[derive(Debug, clap::Subcommand)]
pub enum DecisionCommand {
    /// Propose a decision (status proposed), with the MADR sections as its body.
    #[command(after_help = "Example:\n  \
longhand decision new \"Written standups\" --thread async-standups --decider ana --decider bo --review-by 3d")]
    New(NewArgs),
    /// Accept a proposed decision that is ready (no binding -1 stands, and the review period
    /// has ended or the votes suffice, as the decision rule says).
    #[command(after_help = "Examples:\n  \
longhand decision accept written-standups -m \"Two trial weeks went well.\"\n  \
longhand decision accept written-standups --override \"The quarter ends Friday; Bo's concern is tracked in #12\"   (moderators only)")]
    Accept(StatusArgs),
    /// Reject a proposed decision that is blocked (or that you proposed).
    #[command(after_help = "Examples:\n  \
longhand decision reject 2026-11-25-written -m \"Bo's objection stands.\"\n  \
longhand decision reject 2026-11-25-written --override \"Out of scope for this team\"   (moderators only)")]
    Reject(StatusArgs),
    /// Withdraw a proposed decision (its author, a decider or a moderator).
    #[command(
        after_help = "Example:\n  longhand decision withdraw 01M88YX -m \"Replaced by a narrower proposal.\""
    )]
    Withdraw(WithdrawArgs),
    /// Mark an accepted decision superseded by another accepted one (both files record it).
    #[command(
        after_help = "Example:\n  longhand decision supersede daily-standups --by standups-mwf"
    )]
    Supersede(SupersedeArgs),
    /// List the decisions, newest first, with where each proposal stands.
    List(ListArgs),
    /// Show a decision: the record, the binding and advisory votes, and where it stands.
    Show(ShowArgs),
}

/// List the decisions, newest first, with where each proposal stands.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand decision list\n  \
longhand decision list --format json")]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
}

/// Show a decision: the record, the binding and advisory votes, and where it stands.
///
/// Votes are the replies carrying `vote` in the decision's thread; each voter's latest vote
/// counts, and it is binding when the voter is one of the deciders. A proposal under lazy
/// consensus is open until its review deadline, then ready to accept unless a decider's
/// latest vote is -1.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand decision show weekly-overlap-call\n  \
longhand decision show weekly --format json   (an unambiguous prefix of a slug or an id)")]
pub struct ShowArgs {
    /// The decision: a slug, an id, or an unambiguous prefix of either.
    #[arg(value_name = "DECISION")]
    decision: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReadFormat::Human)]
    format: ReadFormat,
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
    /// The record's name (`decisions/<SLUG>.md`), instead of the date and up to 40 characters
    /// of the title: lowercase letters and digits in words joined by dashes, not taken.
    #[arg(long, value_name = "SLUG")]
    slug: Option<String>,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    commit: CommitArgs,
}

/// What every status change takes: the decision, why, and how to commit.
#[derive(Debug, clap::Args)]
pub struct StatusChangeArgs {
    /// The decision: a slug, an id, or an unambiguous prefix.
    decision: String,
    /// Why (recorded as `rationale`).
    #[arg(
        short = 'm',
        long = "message",
        value_name = "TEXT",
        allow_hyphen_values = true
    )]
    rationale: Option<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    change: StatusChangeArgs,
    /// Moderators only: accept or reject against the decision rule, recording REASON (one
    /// line) as `override`.
    #[arg(long = "override", value_name = "REASON", allow_hyphen_values = true)]
    override_reason: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    change: StatusChangeArgs,
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
    match command {
        DecisionCommand::New(args) => new(start, args),
        DecisionCommand::Accept(args) => status(start, args, DecisionStatus::Accepted),
        DecisionCommand::Reject(args) => status(start, args, DecisionStatus::Rejected),
        DecisionCommand::Withdraw(args) => {
            status_change(start, &args.change, DecisionStatus::Withdrawn, None)
        }
        DecisionCommand::Supersede(args) => supersede(start, args),
        DecisionCommand::List(args) => list(start, args),
        DecisionCommand::Show(args) => show(start, args),
    }
}

fn new(start: &Path, args: &NewArgs) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let mut request = NewDecision::new(args.title.clone(), "");
    request.thread = args.thread.clone();
    request.deciders = args.deciders.clone();
    request.review_by = args.review_by.clone();
    request.slug = args.slug.clone();
    // Check every argument before the editor opens, so no text written there is lost.
    ops::new_decision(&session.context(), &request)?;
    session.may_commit(&args.commit)?;
    let (session, text) = session.text(
        &args.text,
        DECISION_TEMPLATE,
        &format!("Fill in the sections of \"{}\" above.", args.title),
    )?;
    request.body = text;
    let change = ops::new_decision(&session.context(), &request)?;
    session.finish(&change, &args.commit)
}

fn status(start: &Path, args: &StatusArgs, to: DecisionStatus) -> Result<ExitCode, CliError> {
    status_change(start, &args.change, to, args.override_reason.clone())
}

fn status_change(
    start: &Path,
    args: &StatusChangeArgs,
    to: DecisionStatus,
    override_reason: Option<String>,
) -> Result<ExitCode, CliError> {
    let mut change = StatusChange::new(to);
    change.override_reason = override_reason;
    change.rationale = args.rationale.clone();
    change_status(start, &args.decision, &change, &args.commit)
}

fn change_status(
    start: &Path,
    decision: &str,
    change: &StatusChange,
    commit: &CommitArgs,
) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let change = ops::change_decision_status(&session.context(), decision, change)?;
    session.finish(&change, commit)
}

fn supersede(start: &Path, args: &SupersedeArgs) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let change = ops::supersede(&session.context(), &args.decision, &args.by)?;
    session.finish(&change, &args.commit)
}

fn list(start: &Path, args: &ListArgs) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let discussion = read_discussion(start)?;
    let mut decisions: Vec<&Decision> = discussion.decisions.iter().collect();
    decisions.sort_by(|a, b| {
        b.date
            .instant
            .cmp(&a.date.instant)
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let reviews: Vec<(&Decision, Review)> = decisions
        .into_iter()
        .map(|d| (d, review(&discussion, d, clock.now)))
        .collect();
    let config = discussion.config.as_ref();
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| list_human(out, &view, &reviews),
        || JsonDecisions::new(clock.now, &reviews, config),
    )
}

fn list_human(out: &mut dyn Write, view: &View, reviews: &[(&Decision, Review)]) -> io::Result<()> {
    if reviews.is_empty() {
        return writeln!(out, "no decisions");
    }
    for (index, (decision, review)) in reviews.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} {}",
            view.decision_status(decision.status, 11),
            view.bold(&clean(&decision.title))
        )?;
        let mut facts = vec![clean(&decision.slug), view.instant(decision.date.instant)];
        facts.extend(view.state(decision, review));
        facts.extend(view.decided_short(decision));
        writeln!(out, "            {}", facts.join(" · "))?;
    }
    Ok(())
}

fn show(start: &Path, args: &ShowArgs) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let discussion = read_discussion(start)?;
    let decision = discussion.find_decision(&args.decision)?;
    let review = review(&discussion, decision, clock.now);
    let config = discussion.config.as_ref();
    let view = View::new(config, &clock, use_color());
    print(
        args.format,
        |out| show_human(out, &view, &discussion, decision, &review),
        || JsonDecisionShow::new(clock.now, decision, &review, config),
    )
}

fn show_human(
    out: &mut dyn Write,
    view: &View,
    discussion: &Discussion,
    decision: &Decision,
    review: &Review,
) -> io::Result<()> {
    writeln!(out, "{}", view.bold(&clean(&decision.title)))?;
    let mut facts = vec![
        clean(&decision.slug),
        view.decision_status(decision.status, 0),
        view.moment(&decision.date),
    ];
    if let Some(author) = &decision.author {
        facts.push(format!("by {}", view.author(author)));
    }
    writeln!(out, "{}", facts.join(" · "))?;
    let mut rules = Vec::new();
    if let Some(reference) = &decision.thread {
        let slug = discussion
            .thread(reference)
            .map_or(reference.as_str(), |t| t.slug.as_str());
        rules.push(format!("thread {}", clean(slug)));
    }
    rules.push(rule_name(review.rule).to_owned());
    rules.push(format!(
        "review by {}",
        view.review_deadline(decision, review)
    ));
    writeln!(out, "{}", rules.join(" · "))?;
    if let Some(decided) = view.decided(decision) {
        writeln!(out, "{decided}")?;
    }
    if let Some(rationale) = &decision.rationale {
        writeln!(out, "rationale:")?;
        write!(out, "{}", render(rationale, 2, WIDTH))?;
    }
    if !decision.supersedes.is_empty() {
        writeln!(out, "supersedes {}", clean(&decision.supersedes.join(", ")))?;
    }
    if !decision.superseded_by.is_empty() {
        writeln!(
            out,
            "superseded by {}",
            clean(&decision.superseded_by.join(", "))
        )?;
    }
    let body = render(&decision.body, 2, WIDTH);
    if !body.is_empty() {
        writeln!(out)?;
        write!(out, "{body}")?;
    }
    writeln!(out)?;
    view.print_review(out, decision, review)
}
