//! Votes: only counted in a decision's thread, and an objection must give its reason.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Discussion, Message, PartialKind, Vote};

pub(super) fn check(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    for thread in &discussion.threads {
        // A decision left out of the model still says which thread it is voted in.
        let named_by_partial = discussion.partial.iter().any(|p| {
            p.kind == PartialKind::Decision
                && p.thread
                    .as_deref()
                    .is_some_and(|r| r == thread.slug || r == thread.id.as_str())
        });
        let counted = named_by_partial || discussion.decisions_for(thread).next().is_some();
        check_replies(&thread.slug, Some(counted), &thread.replies, diagnostics);
    }
    for headless in &discussion.headless {
        // Without thread.md the thread's id is unknown, so whether a decision names it is too.
        check_replies(&headless.slug, None, &headless.replies, diagnostics);
    }
}

fn check_replies(
    slug: &str,
    counted: Option<bool>,
    replies: &[Message],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for message in replies {
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
