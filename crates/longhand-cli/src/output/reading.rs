//! What the reading commands (`list`, `show`, `inbox`, `decision`) share in print: the format
//! switch, and how people, times, votes and decision states read on a terminal. Their JSON
//! documents are built in `output::json` (documented in docs/cli-json.md).
//!
//! Every string from the discussion's files that no grammar checked (titles, names, directory
//! names) goes through `clean`, as bodies go through the terminal renderer: files are untrusted.

use std::io::{self, Write};
use std::process::ExitCode;

use jiff::Timestamp;
use longhand::model::Who;
use longhand::model::{
    Author, Config, Deadline, Decision, DecisionRule, DecisionStatus, Moment, ThreadStatus, Vote,
};
use longhand::read::summary::Summary;
use longhand::read::tally::{Ballot, Review, State};
use longhand::render::terminal;
use serde::Serialize;

use super::Paint;
use crate::cli_error::{CliError, EXIT_OK};
use crate::clock::Clock;

/// Bodies are wrapped to this many columns.
pub const WIDTH: usize = 80;

/// How a reading command prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReadFormat {
    /// For people: wrapped text, times in the reader's zone.
    Human,
    /// One JSON object, described in docs/cli-json.md.
    Json,
}

/// Prints a reading command's result on standard output: `human` writes the text, `machine`
/// builds the JSON object. A reading command that gets this far exits 0.
pub fn print<T: Serialize>(
    format: ReadFormat,
    human: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    machine: impl FnOnce() -> T,
) -> Result<ExitCode, CliError> {
    // Buffered: standard output is line-buffered, and a listing of 10,000 threads is 30,000
    // lines (a system call each).
    let mut out = io::BufWriter::with_capacity(64 << 10, io::stdout().lock());
    match format {
        ReadFormat::Human => human(&mut out)?,
        ReadFormat::Json => super::json::write_json(&mut out, &machine())?,
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Tells the reader, on standard error, that files with errors were left out.
pub fn warn_unreadable(errors: usize) {
    let noun = if errors == 1 { "error" } else { "errors" };
    eprintln!(
        "longhand: warning: {errors} {noun} in the discussion's files; what could not be read is left out"
    );
    eprintln!("  help: `longhand validate` shows each problem");
}

/// A one-line field from a file, safe to print.
pub fn clean(text: &str) -> String {
    terminal::sanitize(text)
}

/// Everything a human printer needs: the roster, the reader's clock and zone, and colour.
pub struct View<'a> {
    /// The roster, for names.
    pub config: Option<&'a Config>,
    /// When and where the reader is.
    pub clock: &'a Clock,
    paint: Paint,
}

impl<'a> View<'a> {
    /// A view for a reader; `color` only on a terminal (see `output::use_color`).
    pub fn new(config: Option<&'a Config>, clock: &'a Clock, color: bool) -> View<'a> {
        View {
            config,
            clock,
            paint: Paint(color),
        }
    }

    /// A moment in the reader's zone, with the author's clock when it differs.
    pub fn moment(&self, moment: &Moment) -> String {
        terminal::moment(moment, &self.clock.zone, self.clock.now)
    }

    /// An instant in the reader's zone.
    pub fn instant(&self, instant: Timestamp) -> String {
        terminal::instant(instant, &self.clock.zone, self.clock.now)
    }

    /// A deadline in the reader's zone (a day deadline as its day).
    pub fn deadline(&self, deadline: &Deadline) -> String {
        terminal::deadline(deadline, &self.clock.zone, self.clock.now)
    }

    /// A person as `Ana Lima (ana)`, or an email of no one as itself.
    pub fn who(&self, who: &Who) -> String {
        match who {
            Who::Person(handle) => match self.config.and_then(|c| c.people.get(handle)) {
                Some(person) if !person.name.is_empty() => {
                    format!("{} ({handle})", clean(&person.name))
                }
                _ => handle.clone(),
            },
            Who::Email(email) => clean(email),
        }
    }

    /// An author as the roster knows them: the roster's name for a person's email, with the
    /// typed name beside it when it differs (`Mal Lory (as "Ana Lima")`), else the typed name
    /// and the email (`longhand::read::shown_name`).
    pub fn author(&self, author: &Author) -> String {
        clean(&longhand::read::shown_name(author, self.config))
    }

    /// Bold text.
    pub fn bold(&self, text: &str) -> String {
        self.paint.bold(text)
    }

    /// Dim text, for secondary details.
    pub fn dim(&self, text: &str) -> String {
        self.paint.wrap("2", text)
    }

    /// Bold red text, for what a search matched (as `git grep` shows it).
    pub fn highlight(&self, text: &str) -> String {
        self.paint.wrap("1;31", text)
    }

    /// Red text, for what is late or blocked.
    pub fn alert(&self, text: &str) -> String {
        self.paint.wrap("1;31", text)
    }

    /// A thread status, coloured, padded to `width`.
    pub fn thread_status(&self, status: ThreadStatus, width: usize) -> String {
        let text = format!("{:width$}", status.as_str());
        match status {
            ThreadStatus::Open => self.paint.wrap("32", &text),
            ThreadStatus::Resolved => self.paint.wrap("36", &text),
            ThreadStatus::Closed => self.dim(&text),
            _ => text,
        }
    }

    /// A decision status, coloured, padded to `width`.
    pub fn decision_status(&self, status: DecisionStatus, width: usize) -> String {
        let text = format!("{:width$}", status.as_str());
        match status {
            DecisionStatus::Proposed => self.paint.wrap("33", &text),
            DecisionStatus::Accepted => self.paint.wrap("32", &text),
            DecisionStatus::Rejected => self.paint.wrap("31", &text),
            DecisionStatus::Withdrawn | DecisionStatus::Superseded => self.dim(&text),
            _ => text,
        }
    }

    /// A vote, coloured.
    pub fn vote(&self, vote: Vote) -> String {
        let text = vote.as_str();
        match vote {
            Vote::For => self.paint.wrap("32", text),
            Vote::Abstain => self.paint.wrap("33", text),
            Vote::Against => self.paint.wrap("31", text),
            _ => text.to_owned(),
        }
    }

    /// Who is awaited and by when, and whether that has passed: `awaiting sofia, jonas
    /// (replied) · respond by Thu 3 Dec 21:00 · overdue`. `None` when nothing is asked.
    pub fn awaiting(&self, summary: &Summary) -> Option<String> {
        let mut parts = Vec::new();
        if !summary.awaiting.is_empty() {
            let names: Vec<String> = summary
                .awaiting
                .iter()
                .map(|a| {
                    if a.replied {
                        format!("{} (replied)", clean(&a.reference))
                    } else {
                        clean(&a.reference)
                    }
                })
                .collect();
            parts.push(format!("awaiting {}", names.join(", ")));
        }
        if let Some(deadline) = &summary.thread.respond_by {
            parts.push(format!("respond by {}", self.deadline(deadline)));
        }
        if summary.overdue {
            parts.push(self.alert("overdue"));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The review deadline as the record states it: its `review-by`, or the derived instant.
    pub fn review_deadline(&self, decision: &Decision, review: &Review) -> String {
        match &decision.review_by {
            Some(deadline) => self.deadline(deadline),
            None => self.instant(review.deadline),
        }
    }

    /// Where a proposed decision stands, in words; `None` for other statuses.
    pub fn state(&self, decision: &Decision, review: &Review) -> Option<String> {
        let state = review.state.as_ref()?;
        Some(match state {
            State::Pending { until: Some(_) } => self.paint.wrap(
                "33",
                &format!("open until {}", self.review_deadline(decision, review)),
            ),
            State::Pending { until: None } => {
                let silent = review.tally.silent();
                let text = if silent.is_empty() {
                    "open: waiting for a +1 from a decider".to_owned()
                } else {
                    let names: Vec<String> = silent.iter().map(|w| self.who(w)).collect();
                    format!("open: waiting for votes from {}", names.join(", "))
                };
                self.paint.wrap("33", &text)
            }
            State::Ready => self.paint.wrap("1;32", "ready to accept"),
            State::Blocked { by } if by.is_empty() => {
                self.alert("blocked: the deciders' +1 votes do not outnumber their -1 votes")
            }
            State::Blocked { by } => {
                let names: Vec<String> = by.iter().map(|w| self.who(w)).collect();
                let text = match names.as_slice() {
                    [one] => format!("blocked by a -1 from {one}"),
                    _ => format!("blocked by -1 votes from {}", names.join(", ")),
                };
                self.alert(&text)
            }
            _ => return None,
        })
    }

    /// How a decided record left `proposed`, one line: `accepted Mon 9 Nov 13:30 by Priya
    /// Raman (priya)` (a superseded record was accepted), then `· accepted by override:
    /// <reason>` when a moderator overrode the rule. `None` for a decision that records
    /// neither `decided` nor `override`.
    pub fn decided(&self, decision: &Decision) -> Option<String> {
        if decision.decided.is_none() && decision.override_reason.is_none() {
            return None;
        }
        let verb = match decision.status {
            DecisionStatus::Superseded => DecisionStatus::Accepted,
            other => other,
        };
        let mut parts = vec![verb.as_str().to_owned()];
        if let Some(decided) = &decision.decided {
            parts.push(self.moment(decided));
        }
        if let Some(by) = &decision.decided_by {
            let who =
                Who::of_reference(self.config, by).map_or_else(|| clean(by), |w| self.who(&w));
            parts.push(format!("by {who}"));
        }
        let mut text = parts.join(" ");
        if let Some(reason) = &decision.override_reason {
            text.push_str(" · ");
            text.push_str(&self.alert(&format!("{verb} by override: {}", clean(reason))));
        }
        Some(text)
    }

    /// The short form for lists: `accepted Mon 9 Nov 13:30`, `by override` when a moderator
    /// overrode the rule. `None` when the record states neither.
    pub fn decided_short(&self, decision: &Decision) -> Option<String> {
        let decided = decision.decided.as_ref()?;
        let verb = match decision.status {
            DecisionStatus::Superseded => DecisionStatus::Accepted,
            other => other,
        };
        let mut text = format!("{verb} {}", self.instant(decided.instant));
        if decision.override_reason.is_some() {
            text.push_str(&self.alert(" by override"));
        }
        Some(text)
    }

    /// Ballots as rows: the voter's name, the vote and its date.
    fn listed<'b>(&self, ballots: &'b [Ballot<'b>]) -> Vec<(String, Option<(Vote, &'b Moment)>)> {
        ballots
            .iter()
            .map(|b| (self.who(&b.voter), Some((b.vote, &b.message.date))))
            .collect()
    }

    /// The binding and advisory votes of a decision, then its state.
    pub fn print_review(
        &self,
        out: &mut dyn Write,
        decision: &Decision,
        review: &Review,
    ) -> io::Result<()> {
        let binding: Vec<(String, Option<(Vote, &Moment)>)> = review
            .tally
            .deciders
            .iter()
            .map(|d| {
                let ballot = d.ballot.as_ref().map(|b| (b.vote, &b.message.date));
                (self.who(&d.decider), ballot)
            })
            .collect();
        let advisory: Vec<(String, Option<(Vote, &Moment)>)> = review
            .tally
            .advisory
            .iter()
            .map(|b| (self.who(&b.voter), Some((b.vote, &b.message.date))))
            .collect();
        let before = self.listed(&review.tally.before);
        let after = self.listed(&review.tally.after);
        let width = binding
            .iter()
            .chain(&advisory)
            .chain(&before)
            .chain(&after)
            .map(|(name, _)| name.chars().count())
            .max()
            .unwrap_or(0);
        let rows = |out: &mut dyn Write, rows: &[(String, Option<(Vote, &Moment)>)]| {
            for (name, ballot) in rows {
                let pad = " ".repeat(width - name.chars().count());
                match ballot {
                    Some((vote, date)) => writeln!(
                        out,
                        "  {name}{pad}  {:<w$}  {}",
                        self.vote(*vote),
                        self.dim(&self.moment(date)),
                        // Padding counts the colour codes too, so pad the plain width.
                        w = 2 + self.vote(*vote).len() - vote.as_str().len()
                    )?,
                    None => writeln!(out, "  {name}{pad}  {}", self.dim("no vote"))?,
                }
            }
            Ok::<(), io::Error>(())
        };
        if binding.is_empty() {
            writeln!(out, "{}", self.bold("Binding votes: no deciders"))?;
        } else {
            writeln!(out, "{}", self.bold("Binding votes (deciders)"))?;
            rows(out, &binding)?;
        }
        if advisory.is_empty() {
            writeln!(out, "{}", self.bold("Advisory votes: none"))?;
        } else {
            writeln!(out, "{}", self.bold("Advisory votes"))?;
            rows(out, &advisory)?;
        }
        if !before.is_empty() {
            writeln!(
                out,
                "{}",
                self.bold("Votes before the proposal (history, not counted)")
            )?;
            rows(out, &before)?;
        }
        if !after.is_empty() {
            writeln!(
                out,
                "{}",
                self.bold("Votes after the decision (not counted)")
            )?;
            rows(out, &after)?;
        }
        if let Some(state) = self.state(decision, review) {
            writeln!(out)?;
            writeln!(out, "{state}")?;
        }
        Ok(())
    }
}

/// A decision rule as `longhand.yaml` writes it.
pub fn rule_name(rule: DecisionRule) -> &'static str {
    rule.as_str()
}
