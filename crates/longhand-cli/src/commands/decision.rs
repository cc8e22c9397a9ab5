//! `longhand decision`: the decision records, their votes and where each proposal stands.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use longhand::model::Discussion;
use longhand::read::tally::{review, Review};
use longhand::render::terminal::render;
use longhand::Decision;
use serde::Serialize;

use crate::cli_error::CliError;
use crate::clock::Clock;
use crate::commands::read_discussion;
use crate::output::reading::{clean, print, rule_name, JsonDecision, ReadFormat, View, WIDTH};
use crate::output::use_color;

/// Read the decision records: their votes, and whether a proposal is ready to accept.
#[derive(Debug, clap::Subcommand)]
pub enum DecisionCommand {
    List(ListArgs),
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

pub fn run(start: &Path, command: &DecisionCommand) -> Result<ExitCode, CliError> {
    match command {
        DecisionCommand::List(args) => list(start, args),
        DecisionCommand::Show(args) => show(start, args),
    }
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
        || JsonDecisions {
            schema: "longhand/decisions/v1",
            now: clock.now.to_string(),
            decisions: reviews
                .iter()
                .map(|(d, r)| JsonDecision::new(d, r, config))
                .collect(),
        },
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
        || JsonShow {
            schema: "longhand/decision/v1",
            now: clock.now.to_string(),
            decision: JsonDecisionWithBody {
                decision: JsonDecision::new(decision, &review, config),
                body: &decision.body,
            },
        },
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
    if !decision.supersedes.is_empty() {
        writeln!(out, "supersedes {}", decision.supersedes.join(", "))?;
    }
    if !decision.superseded_by.is_empty() {
        writeln!(out, "superseded by {}", decision.superseded_by.join(", "))?;
    }
    let body = render(&decision.body, 2, WIDTH);
    if !body.is_empty() {
        writeln!(out)?;
        write!(out, "{body}")?;
    }
    writeln!(out)?;
    view.print_review(out, decision, review)
}

#[derive(Serialize)]
struct JsonDecisions<'a> {
    schema: &'static str,
    now: String,
    decisions: Vec<JsonDecision<'a>>,
}

#[derive(Serialize)]
struct JsonShow<'a> {
    schema: &'static str,
    now: String,
    decision: JsonDecisionWithBody<'a>,
}

#[derive(Serialize)]
struct JsonDecisionWithBody<'a> {
    #[serde(flatten)]
    decision: JsonDecision<'a>,
    body: &'a str,
}
