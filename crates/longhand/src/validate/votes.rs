//! Votes: only counted in a decision's thread, for one decision (`vote-on`, or the one open
//! decision), and an objection must give its reason.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Decision, Discussion, Id, Message, PartialKind, Vote};
use crate::read::tally::open_at;

pub(super) fn check(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    for thread in &discussion.threads {
        // A decision left out of the model still says which thread it is voted in.
        let named_by_partial = discussion.partial.iter().any(|p| {
            p.kind == PartialKind::Decision
                && p.thread
                    .as_deref()
                    .is_some_and(|r| r == thread.slug || r == thread.id.as_str())
        });
        let decisions: Vec<&Decision> = discussion.decisions_for(thread).collect();
        let counted = named_by_partial || !decisions.is_empty();
        let here = Here {
            slug: &thread.slug,
            id: Some(&thread.id),
            decisions,
        };
        check_replies(
            discussion,
            &here,
            Some(counted),
            &thread.replies,
            diagnostics,
        );
    }
    for headless in &discussion.headless {
        // Without thread.md the thread's id is unknown, so whether a decision names it is too.
        let decisions = discussion
            .decisions
            .iter()
            .filter(|d| {
                d.thread.as_deref().is_some_and(|r| {
                    r == headless.slug || headless.id.as_ref().is_some_and(|id| id.as_str() == r)
                })
            })
            .collect();
        let here = Here {
            slug: &headless.slug,
            id: headless.id.as_ref(),
            decisions,
        };
        check_replies(discussion, &here, None, &headless.replies, diagnostics);
    }
}

/// The thread whose replies are checked: its slug, its id when known, and the decisions
/// voted on in it.
struct Here<'a> {
    slug: &'a str,
    id: Option<&'a Id>,
    decisions: Vec<&'a Decision>,
}

impl Here<'_> {
    /// True when `reference` (a decision's `thread`) names this thread.
    fn is(&self, reference: &str) -> bool {
        reference == self.slug || self.id.is_some_and(|id| id.as_str() == reference)
    }
}

fn check_replies(
    discussion: &Discussion,
    here: &Here<'_>,
    counted: Option<bool>,
    replies: &[Message],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let slug = here.slug;
    for message in replies {
        if let Some(reference) = &message.vote_on {
            vote_on(discussion, here, message, reference, diagnostics);
        }
        let Some(vote) = message.vote else {
            continue;
        };
        let (line, column) = message.origin.position("vote");
        if counted == Some(false) {
            diagnostics.push(
                Diagnostic::new(
                    Code::VoteOutsideDecision,
                    &message.origin.path,
                    format!("a {vote} vote in thread `{slug}`, which no decision names; it is not counted"),
                )
                .at(line, column),
            );
        }
        if message.vote_on.is_none() {
            let open: Vec<&str> = here
                .decisions
                .iter()
                .filter(|d| open_at(d, message.date.instant))
                .map(|d| d.slug.as_str())
                .collect();
            if open.len() > 1 {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AmbiguousVote,
                        &message.origin.path,
                        format!(
                            "a {vote} vote cast while {} decisions of thread `{slug}` were open ({}); it counts for none of them",
                            open.len(),
                            open.join(", ")
                        ),
                    )
                    .at(line, column)
                    .with_help(format!("add `vote-on: <slug>` (one of {})", open.join(", "))),
                );
            }
        }
        if vote == Vote::Against && message.body.trim().is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::ObjectionWithoutReason,
                    &message.origin.path,
                    "a -1 vote with an empty body: an objection must say why",
                )
                .at(line, column),
            );
        }
    }
}

/// `vote-on` must name a decision (LH403) voted on in this thread (LH509).
fn vote_on(
    discussion: &Discussion,
    here: &Here<'_>,
    message: &Message,
    reference: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !super::references::resolves_to_decision(discussion, reference) {
        super::references::unresolved(
            &message.origin,
            "vote-on",
            reference,
            "decision",
            diagnostics,
        );
        return;
    }
    // A decision that could not be read may be voted on anywhere.
    let Some(decision) = discussion.decision(reference) else {
        return;
    };
    if decision.thread.as_deref().is_some_and(|r| here.is(r)) {
        return;
    }
    let (line, column) = message.origin.position("vote-on");
    let elsewhere = match decision.thread.as_deref() {
        Some(thread) => format!("is voted on in thread `{thread}`"),
        None => "names no thread".to_owned(),
    };
    diagnostics.push(
        Diagnostic::new(
            Code::VoteOnOtherThread,
            &message.origin.path,
            format!(
                "`vote-on` names decision `{}`, which {elsewhere}, not in `{}`; the vote is not counted",
                decision.slug, here.slug
            ),
        )
        .at(line, column),
    );
}
