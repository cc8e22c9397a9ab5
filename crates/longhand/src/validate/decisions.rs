//! Decision records: superseded status and its successors, mutual supersede links, loops, and
//! the fields only a decided record may hold (`decided`, `override`).

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Decision, DecisionStatus, Discussion};

pub(super) fn check(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    for decision in &discussion.decisions {
        status(decision, diagnostics);
        mutual(discussion, decision, diagnostics);
        successors_in_force(discussion, decision, diagnostics);
        if in_supersede_cycle(discussion, decision) {
            let (line, column) = decision.origin.position("supersedes");
            diagnostics.push(
                Diagnostic::new(
                    Code::SupersedeCycle,
                    &decision.origin.path,
                    format!(
                        "following `supersedes` from `{}` comes back to it",
                        decision.slug
                    ),
                )
                .at(line, column),
            );
        }
    }
}

fn names(decision: &Decision, reference: &str) -> bool {
    reference == decision.slug || reference == decision.id.as_str()
}

fn status(decision: &Decision, diagnostics: &mut Vec<Diagnostic>) {
    if decision.status == DecisionStatus::Proposed {
        let mut recorded = |key: &str, code: Code, what: &str| {
            let (line, column) = decision.origin.position(key);
            diagnostics.push(
                Diagnostic::new(
                    code,
                    &decision.origin.path,
                    format!("the decision is proposed but records `{key}`, {what}"),
                )
                .at(line, column),
            );
        };
        if decision.decided.is_some() {
            recorded(
                "decided",
                Code::DecidedWhileProposed,
                "the instant it left `proposed`",
            );
        }
        if decision.override_reason.is_some() {
            recorded(
                "override",
                Code::OverrideWhileProposed,
                "which only an accepted or rejected decision may",
            );
        }
    }
    let superseded = decision.status == DecisionStatus::Superseded;
    if superseded && decision.superseded_by.is_empty() {
        let (line, column) = decision.origin.position("status");
        diagnostics.push(
            Diagnostic::new(
                Code::SupersededWithoutSuccessor,
                &decision.origin.path,
                "the decision is superseded but `superseded-by` names no successor",
            )
            .at(line, column),
        );
    }
    if !superseded && !decision.superseded_by.is_empty() {
        let (line, column) = decision.origin.position("superseded-by");
        diagnostics.push(
            Diagnostic::new(
                Code::SuccessorWithoutSuperseded,
                &decision.origin.path,
                format!(
                    "`superseded-by` is set but the status is `{}`",
                    decision.status
                ),
            )
            .at(line, column),
        );
    }
}

/// A supersede link recorded at one end must be recorded at the other.
fn mutual(discussion: &Discussion, decision: &Decision, diagnostics: &mut Vec<Diagnostic>) {
    let sides: [(&str, &Vec<String>, &str); 2] = [
        ("supersedes", &decision.supersedes, "superseded-by"),
        ("superseded-by", &decision.superseded_by, "supersedes"),
    ];
    for (key, list, other_key) in sides {
        for reference in list {
            let Some(other) = discussion.decision(reference) else {
                continue; // unresolved: reported by references
            };
            let other_list = if other_key == "supersedes" {
                &other.supersedes
            } else {
                &other.superseded_by
            };
            if !other_list.iter().any(|r| names(decision, r)) {
                let (line, column) = decision.origin.position(key);
                diagnostics.push(
                    Diagnostic::new(
                        Code::SupersedeNotMutual,
                        &decision.origin.path,
                        format!(
                            "`{key}` names `{reference}`, but `{}`'s `{other_key}` does not name `{}`",
                            other.slug, decision.slug
                        ),
                    )
                    .at(line, column)
                    .with_help(format!(
                        "add `{}` to `{other_key}` in {}, or remove `{reference}` here",
                        decision.slug, other.origin.path
                    )),
                );
            }
        }
    }
}

fn successors_in_force(
    discussion: &Discussion,
    decision: &Decision,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for reference in &decision.superseded_by {
        let Some(successor) = discussion.decision(reference) else {
            continue;
        };
        if !matches!(
            successor.status,
            DecisionStatus::Accepted | DecisionStatus::Superseded
        ) {
            let (line, column) = decision.origin.position("superseded-by");
            diagnostics.push(
                Diagnostic::new(
                    Code::SuccessorNotAccepted,
                    &decision.origin.path,
                    format!(
                        "superseded by `{}`, which is `{}`, not accepted",
                        successor.slug, successor.status
                    ),
                )
                .at(line, column),
            );
        }
    }
}

fn in_supersede_cycle(discussion: &Discussion, start: &Decision) -> bool {
    let mut pending: Vec<&Decision> = vec![start];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(current) = pending.pop() {
        for reference in &current.supersedes {
            let Some(next) = discussion.decision(reference) else {
                continue;
            };
            if next.slug == start.slug {
                return true;
            }
            if seen.insert(next.slug.as_str()) {
                pending.push(next);
            }
        }
    }
    false
}
