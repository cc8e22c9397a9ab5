//! Decision records: proposing one, accepting, rejecting or withdrawing it, superseding it.

use std::collections::BTreeSet;

use crate::document::emit::{self as frontmatter, string, strings};
use crate::document::Value;
use crate::model::permissions::Actor;
use crate::model::Who;
use crate::model::{Decision, DecisionStatus, Moment};
use crate::read::tally::{self, State};
use crate::write::atomic::Mode;
use crate::write::ids::new_id;
use crate::write::slug::choose_slug;
use crate::{Error, Result};

use super::{body, deadline_value, moment, title, Change, Context, FileWrite};

/// A change of a proposed decision's status: accept, reject or withdraw.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StatusChange {
    /// `accepted`, `rejected` or `withdrawn`.
    pub status: DecisionStatus,
    /// A moderator's reason for accepting or rejecting against the decision rule (`override`).
    pub override_reason: Option<String>,
    /// Why (`rationale`).
    pub rationale: Option<String>,
}

impl StatusChange {
    /// A move to `status` (`accepted`, `rejected` or `withdrawn`), without reasons.
    pub fn new(status: DecisionStatus) -> StatusChange {
        StatusChange {
            status,
            override_reason: None,
            rationale: None,
        }
    }

    /// A moderator's reason for deciding against the decision rule (`override`).
    pub fn override_reason(mut self, reason: impl Into<String>) -> StatusChange {
        self.override_reason = Some(reason.into());
        self
    }

    /// Why (`rationale`).
    pub fn rationale(mut self, rationale: impl Into<String>) -> StatusChange {
        self.rationale = Some(rationale.into());
        self
    }
}

/// A new decision record.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct NewDecision {
    /// The title.
    pub title: String,
    /// The thread where it is discussed (slug, id or prefix).
    pub thread: Option<String>,
    /// People whose votes are binding (handles or emails).
    pub deciders: Vec<String>,
    /// The end of the review period as typed; the policy's review period when absent.
    pub review_by: Option<String>,
    /// The body; the MADR template when empty.
    pub body: String,
    /// The record's name (`decisions/<slug>.md`) instead of one derived from the title: a
    /// slug (spec section 3) that no decision has taken.
    pub slug: Option<String>,
}

impl NewDecision {
    /// A decision titled `title` with `body` (the MADR template when empty), not linked to a
    /// thread, without deciders, reviewed for the policy's review period.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> NewDecision {
        NewDecision {
            title: title.into(),
            body: body.into(),
            ..NewDecision::default()
        }
    }

    /// The thread where it is discussed (slug, id or prefix).
    pub fn thread(mut self, thread: impl Into<String>) -> NewDecision {
        self.thread = Some(thread.into());
        self
    }

    /// Adds a person whose vote is binding.
    pub fn decider(mut self, who: impl Into<String>) -> NewDecision {
        self.deciders.push(who.into());
        self
    }

    /// The end of the review period, as typed.
    pub fn review_by(mut self, when: impl Into<String>) -> NewDecision {
        self.review_by = Some(when.into());
        self
    }

    /// Names the record `slug` instead of deriving it from the title.
    pub fn slug(mut self, slug: impl Into<String>) -> NewDecision {
        self.slug = Some(slug.into());
        self
    }
}

/// The body a new decision starts from.
pub const DECISION_TEMPLATE: &str =
    "## Context\n\n\n## Options\n\n\n## Decision\n\n\n## Consequences\n\n";

/// Proposes a new decision: `decisions/<date>-<title words>.md`, status `proposed`.
pub fn new_decision(ctx: &Context<'_>, request: &NewDecision) -> Result<Change> {
    let title = title(&request.title)?;
    let thread = request
        .thread
        .as_deref()
        .map(|t| ctx.discussion.find_thread(t).map(|t| t.slug.clone()))
        .transpose()?;
    let deciders = ctx.people(&request.deciders)?;
    let review_by = match &request.review_by {
        Some(text) => ctx.deadline(text)?,
        None => {
            let period = ctx
                .discussion
                .config
                .as_ref()
                .map_or(72 * 3600, |c| c.policy.review_period_seconds);
            ctx.deadline(&format!("{}m", period / 60))?
        }
    };
    let text = if request.body.trim().is_empty() {
        DECISION_TEMPLATE.to_owned()
    } else {
        body(&request.body)
    };
    let slug = choose_slug(
        request.slug.as_deref(),
        &title,
        &ctx.now,
        &ctx.discussion.reserved.decisions,
        "a slug no decision has taken (`longhand decision list` shows them)",
    )?;
    let mut fields = vec![
        ("id", string(new_id(ctx.now.instant).to_string())),
        ("title", string(title.clone())),
        ("status", string("proposed")),
        ("date", moment(&ctx.now)),
        ("author", string(ctx.author.to_string())),
        ("deciders", strings(&deciders)),
    ];
    if let Some(thread) = thread {
        fields.push(("thread", string(thread)));
    }
    fields.push(("review-by", deadline_value(&review_by)));
    Ok(Change {
        origin: ctx.origin,
        writes: vec![FileWrite {
            path: format!("decisions/{slug}.md"),
            bytes: frontmatter::document(&fields, &text).into_bytes(),
            mode: Mode::CreateNew,
        }],
        message: format!("decision({slug}): propose \"{title}\""),
    })
}

fn decision_status_write(
    ctx: &Context<'_>,
    decision: &Decision,
    status: DecisionStatus,
    extra: &[(&str, Value)],
) -> Result<FileWrite> {
    if !decision.status.can_become(status) {
        return Err(Error::Transition {
            kind: "decision",
            slug: decision.slug.clone(),
            from: decision.status.to_string(),
            to: status.to_string(),
        });
    }
    let path = decision.origin.path.clone();
    let not_clean = || Error::NotClean {
        path: path.clone(),
        count: 1,
    };
    let mut text = frontmatter::set_field(
        &ctx.text_of(&path)?,
        "status",
        Some(&string(status.as_str())),
    )
    .ok_or_else(not_clean)?;
    for (key, value) in extra {
        text = frontmatter::set_field(&text, key, Some(value)).ok_or_else(not_clean)?;
    }
    Ok(FileWrite {
        path,
        bytes: text.into_bytes(),
        mode: Mode::Replace,
    })
}

/// Accepts, rejects or withdraws a proposed decision (slug, id or prefix).
pub fn set_decision_status(
    ctx: &Context<'_>,
    decision: &str,
    status: DecisionStatus,
) -> Result<Change> {
    let change = StatusChange {
        status,
        override_reason: None,
        rationale: None,
    };
    change_decision_status(ctx, decision, &change)
}

/// Accepts, rejects or withdraws a proposed decision (slug, id or prefix), refusing up front
/// what the history rules refuse (spec section 7.2): only its author, its deciders or a
/// moderator change its status; it is accepted only when ready at this instant
/// ([`tally::state_at`]) and rejected only when blocked or by its author, unless a moderator
/// overrides (`override_reason`). The file records `decided` (the context's instant),
/// `decided-by` (the writer's handle, or email), and `override` and `rationale` when given.
pub fn change_decision_status(
    ctx: &Context<'_>,
    decision: &str,
    change: &StatusChange,
) -> Result<Change> {
    let decision = ctx.discussion.find_decision(decision)?;
    let status = change.status;
    let verb = match status {
        DecisionStatus::Accepted => "accept",
        DecisionStatus::Rejected => "reject",
        DecisionStatus::Withdrawn => "withdraw",
        _ => {
            return Err(Error::BadValue {
                field: "status",
                value: status.to_string(),
                expected: "accepted, rejected or withdrawn (use supersede for superseded)",
            })
        }
    };
    let config = ctx.discussion.config.as_ref();
    let who = Who::of_email(config, &ctx.author.email);
    let actor = Actor::new(config, &who);
    if !actor.may_change_decision_status(&decision.deciders, decision.author.as_ref()) {
        let deciders = if decision.deciders.is_empty() {
            "its deciders (it names none)".to_owned()
        } else {
            format!("one of its deciders ({})", decision.deciders.join(", "))
        };
        let author = decision
            .author
            .as_ref()
            .map(|a| format!(", its author ({a})"))
            .unwrap_or_default();
        return Err(Error::NotPermitted {
            who: ctx.author.to_string(),
            action: format!("{verb} decision `{}`", decision.slug),
            allowed: format!("{deciders}{author} or a moderator"),
            code: "LH710",
        });
    }
    let override_reason = change
        .override_reason
        .as_deref()
        .map(|reason| -> Result<String> {
            if status == DecisionStatus::Withdrawn {
                return Err(Error::BadValue {
                    field: "override",
                    value: reason.to_owned(),
                    expected: "no override: a withdrawal needs none",
                });
            }
            if !actor.may_override() {
                return Err(Error::NotModerator {
                    who: ctx.author.to_string(),
                    action: "accept or reject a decision against its decision rule (--override)",
                });
            }
            title(reason).map_err(|_| Error::BadValue {
                field: "override",
                value: reason.to_owned(),
                expected: "a reason on one line",
            })
        })
        .transpose()?;
    if !decision.status.can_become(status) {
        return Err(Error::Transition {
            kind: "decision",
            slug: decision.slug.clone(),
            from: decision.status.to_string(),
            to: status.to_string(),
        });
    }
    if override_reason.is_none() {
        ready_for(ctx, decision, status, &actor)?;
    }
    let mut extra = vec![
        ("decided", moment(&ctx.now)),
        (
            "decided-by",
            string(match &who {
                Who::Person(handle) => handle.clone(),
                Who::Email(_) => ctx.author.email.clone(),
            }),
        ),
    ];
    if let Some(reason) = override_reason {
        extra.push(("override", string(reason)));
    }
    if let Some(rationale) = change.rationale.as_deref() {
        let rationale = rationale.trim();
        if rationale.is_empty() {
            return Err(Error::EmptyText);
        }
        extra.push(("rationale", string(rationale)));
    }
    let write = decision_status_write(ctx, decision, status, &extra)?;
    Ok(Change {
        origin: ctx.origin,
        writes: vec![write],
        message: format!("decision({}): {verb}", decision.slug),
    })
}

/// Refuses, with [`Error::NotReady`], an acceptance of a decision that is not ready at the
/// context's instant, and a rejection of one that is not blocked by anyone but its author.
fn ready_for(
    ctx: &Context<'_>,
    decision: &Decision,
    status: DecisionStatus,
    actor: &Actor<'_>,
) -> Result<()> {
    let review = tally::review_at(ctx.discussion, decision, ctx.now.instant);
    let state = review
        .state
        .clone()
        .unwrap_or(State::Pending { until: None });
    let at = |instant: jiff::Timestamp| {
        Moment {
            instant,
            offset: ctx.now.offset,
        }
        .to_string()
    };
    let why = || match &state {
        State::Ready => "it is ready to accept".to_owned(),
        State::Pending { until: Some(until) } => {
            format!("its review period ends {}", at(*until))
        }
        State::Pending { until: None } => {
            let silent = review.tally.silent();
            if silent.is_empty() {
                "no decider has voted +1 yet".to_owned()
            } else {
                let names: Vec<&str> = silent.iter().map(Who::as_str).collect();
                format!("it waits for the votes of {}", names.join(", "))
            }
        }
        State::Blocked { .. } => {
            let objections: Vec<String> = review
                .tally
                .objections()
                .iter()
                .map(|b| {
                    let reason = b.message.body.lines().find(|l| !l.trim().is_empty());
                    match reason {
                        Some(line) => format!(
                            "{} objects (-1, {}): \"{}\"",
                            b.voter,
                            b.message.id,
                            line.trim()
                        ),
                        None => format!("{} objects (-1, {})", b.voter, b.message.id),
                    }
                })
                .collect();
            if objections.is_empty() {
                "the deciders' +1 votes do not outnumber their -1 votes".to_owned()
            } else {
                format!("it is blocked: {}", objections.join("; "))
            }
        }
    };
    let refused = |action: &'static str, reason: String| {
        Err(Error::NotReady {
            slug: decision.slug.clone(),
            action,
            reason,
        })
    };
    match status {
        DecisionStatus::Accepted if state != State::Ready => refused("accepted", why()),
        DecisionStatus::Rejected
            if !matches!(state, State::Blocked { .. })
                && !actor.is_author_of(decision.author.as_ref()) =>
        {
            refused(
                "rejected",
                format!(
                    "{}, and only a blocked decision is rejected by anyone but its author",
                    why()
                ),
            )
        }
        _ => Ok(()),
    }
}

/// Marks the accepted decision `old` as superseded by the accepted (or itself superseded)
/// decision `new`, recording the link at both ends. A decision already superseded gains
/// another successor.
pub fn supersede(ctx: &Context<'_>, old: &str, new: &str) -> Result<Change> {
    let old = ctx.discussion.find_decision(old)?;
    let new = ctx.discussion.find_decision(new)?;
    if old.slug == new.slug {
        return Err(Error::BadValue {
            field: "successor",
            value: new.slug.clone(),
            expected: "another decision",
        });
    }
    if !matches!(
        new.status,
        DecisionStatus::Accepted | DecisionStatus::Superseded
    ) {
        return Err(Error::Transition {
            kind: "decision",
            slug: new.slug.clone(),
            from: new.status.to_string(),
            to: "a successor (accept it first)".into(),
        });
    }
    // `old` moves to superseded (a status change), unless it is superseded already (then it
    // only gains a successor); `new` gains a predecessor (another change).
    let old_moves = old.status != DecisionStatus::Superseded;
    ctx.may_change_decision(old, "mark as superseded", old_moves)?;
    ctx.may_change_decision(new, "record a predecessor in", false)?;
    let mut successors = old.superseded_by.clone();
    successors.push(new.slug.clone());
    let mut predecessors = new.supersedes.clone();
    predecessors.push(old.slug.clone());
    if old.superseded_by.contains(&new.slug) || new.supersedes.contains(&old.slug) {
        return Err(Error::NothingToChange {
            path: old.origin.path.clone(),
        });
    }
    // `new` supersedes `old`: refused when `old` already (indirectly) supersedes `new`, which
    // would close a loop (LH505).
    let mut seen = BTreeSet::new();
    let mut pending = vec![old];
    while let Some(decision) = pending.pop() {
        if !seen.insert(decision.slug.as_str()) {
            continue;
        }
        for reference in &decision.supersedes {
            if let Some(predecessor) = ctx.discussion.decision(reference) {
                if predecessor.slug == new.slug {
                    return Err(Error::BadValue {
                        field: "successor",
                        value: new.slug.clone(),
                        expected: "a decision that the superseded one does not itself (indirectly) supersede; that would be a loop",
                    });
                }
                pending.push(predecessor);
            }
        }
    }
    // A decision already superseded can gain another successor: its status stays.
    let old_write = if old.status == DecisionStatus::Superseded {
        field_replaced(
            ctx,
            &old.origin.path,
            "superseded-by",
            &strings(&successors),
        )?
    } else {
        decision_status_write(
            ctx,
            old,
            DecisionStatus::Superseded,
            &[("superseded-by", strings(&successors))],
        )?
    };
    let new_write = field_replaced(ctx, &new.origin.path, "supersedes", &strings(&predecessors))?;
    Ok(Change {
        origin: ctx.origin,
        writes: vec![old_write, new_write],
        message: format!("decision({}): superseded by {}", old.slug, new.slug),
    })
}

/// The file at `path` with only the line(s) of `key` set to `value`; a file that does not
/// parse cleanly is never rewritten ([`Error::NotClean`]).
fn field_replaced(ctx: &Context, path: &str, key: &str, value: &Value) -> Result<FileWrite> {
    let text = frontmatter::set_field(&ctx.text_of(path)?, key, Some(value)).ok_or_else(|| {
        Error::NotClean {
            path: path.to_owned(),
            count: 1,
        }
    })?;
    Ok(FileWrite {
        path: path.to_owned(),
        bytes: text.into_bytes(),
        mode: Mode::Replace,
    })
}
