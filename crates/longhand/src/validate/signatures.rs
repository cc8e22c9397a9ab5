//! Signatures (spec section 15.3): a file's `signature` must be well-formed (LH801), verify
//! over its canonical bytes (LH802), be made with a key of the roster (LH803), by someone
//! allowed to have written what the file now says (LH804); a signed reply names its parent
//! (LH805), which binds it to its thread. An unsigned file is not an error.

use crate::diagnostic::{Code, Diagnostic};
use crate::model::permissions::Actor;
use crate::model::{Config, Decision, DecisionStatus, Discussion, Message, Thread, Who};
use crate::signature::{PublicKey, Signed, Verdict};

/// A signed record, as the rules judge who may have signed it.
#[derive(Clone, Copy, Debug)]
pub enum Signable<'a> {
    /// A thread header.
    Thread(&'a Thread),
    /// A reply.
    Reply(&'a Message),
    /// A decision record.
    Decision(&'a Decision),
}

impl Signable<'_> {
    fn signature(&self) -> Option<&Signed> {
        match self {
            Signable::Thread(t) => t.signature.as_ref(),
            Signable::Reply(m) => m.signature.as_ref(),
            Signable::Decision(d) => d.signature.as_ref(),
        }
    }

    fn path(&self) -> &str {
        match self {
            Signable::Thread(t) => &t.origin.path,
            Signable::Reply(m) => &m.origin.path,
            Signable::Decision(d) => &d.origin.path,
        }
    }
}

/// Whether `who` may have signed the record as it now reads (spec section 15.3): a reply's
/// `author` (a redacted reply's `redacted-by`); a thread header's `author` or a moderator; a
/// proposed decision's `author`, a decider or a moderator; a decided one's `decided-by` or a
/// moderator, and a superseded one's also its author and deciders (who may move it there).
pub fn may_sign(config: Option<&Config>, record: Signable<'_>, who: &Who) -> bool {
    let actor = Actor::new(config, who);
    match record {
        Signable::Reply(message) => match &message.redaction {
            Some(redaction) => Who::of_reference(config, &redaction.by).as_ref() == Some(who),
            None => actor.is(&message.author.email),
        },
        Signable::Thread(thread) => actor.may_edit_thread(&thread.author),
        Signable::Decision(decision) => {
            let decided_by = decision
                .decided_by
                .as_deref()
                .and_then(|r| Who::of_reference(config, r))
                .is_some_and(|w| w == *who);
            let editor = actor.may_edit_decision(&decision.deciders, decision.author.as_ref());
            match decision.status {
                DecisionStatus::Proposed => editor,
                DecisionStatus::Superseded => editor || decided_by,
                _ => decided_by || actor.is_moderator(),
            }
        }
    }
}

/// Checks the signature of one file (`path` relative to the discussion root) as the tree rules
/// do: who signed it, with which key, or the rule it breaks and why (LH801–LH804, or LH104
/// and the like when the file is not a record; `None` for an unsigned file).
pub fn check_file(
    config: Option<&Config>,
    path: &str,
    bytes: &[u8],
) -> Option<Result<(Who, PublicKey), (Code, String)>> {
    let Some(record) = crate::load::record(path, bytes) else {
        return Some(Err((
            Code::SignatureMalformed,
            format!("{path} is not a thread header, reply or decision that can be read"),
        )));
    };
    let signable = match &record {
        crate::load::Record::Thread(t) => Signable::Thread(t),
        crate::load::Record::Reply(m) => Signable::Reply(m),
        crate::load::Record::Decision(d) => Signable::Decision(d),
    };
    let signed = signable.signature()?;
    Some(signer(config, signed).and_then(|(who, key)| {
        if may_sign(config, signable, &who) {
            Ok((who, key))
        } else {
            Err((
                Code::SignatureWrongSigner,
                format!("signed by `{who}`, who may not have written it as it reads"),
            ))
        }
    }))
}

/// What a signature says about who signed, against a roster: the signer's handle, or the
/// diagnostic that stops there.
pub(crate) fn signer(
    config: Option<&Config>,
    signed: &Signed,
) -> Result<(Who, PublicKey), (Code, String)> {
    match signed.verify() {
        Verdict::Malformed(why) => Err((Code::SignatureMalformed, why)),
        Verdict::Tampered(key) => Err((
            Code::SignatureTampered,
            format!(
                "the signature by {} does not match the file: it changed after it was signed",
                key.fingerprint()
            ),
        )),
        Verdict::Valid(key) => match config.and_then(|c| c.key_owner(&key)) {
            Some(person) => Ok((Who::Person(person.handle.clone()), key)),
            None => Err((
                Code::SignatureUnknownKey,
                format!(
                    "signed with the key {} ({}), which no person of longhand.yaml lists",
                    key.fingerprint(),
                    key.algorithm()
                ),
            )),
        },
    }
}

fn judge(config: Option<&Config>, record: Signable<'_>, out: &mut Vec<Diagnostic>) {
    let Some(signed) = record.signature() else {
        return;
    };
    let problem = match signer(config, signed) {
        Err((Code::SignatureUnknownKey, _)) if config.is_none() => None,
        Err(problem) => Some(problem),
        Ok((who, _)) if may_sign(config, record, &who) => None,
        Ok((who, _)) => {
            let why = match record {
                Signable::Reply(m) if m.redaction.is_some() => "who did not redact it",
                Signable::Reply(_) => "who is not its author",
                Signable::Thread(_) => "who is neither its author nor a moderator",
                Signable::Decision(d) if d.status == DecisionStatus::Proposed => {
                    "who is neither its author, one of its deciders nor a moderator"
                }
                Signable::Decision(_) => "who neither decided it nor is a moderator",
            };
            Some((
                Code::SignatureWrongSigner,
                format!("signed by `{who}`, {why}"),
            ))
        }
    };
    let malformed = matches!(&problem, Some((Code::SignatureMalformed, _)));
    if let Some((code, message)) = problem {
        out.push(Diagnostic::new(code, record.path(), message).at(signed.line, Some(1)));
    }
    if let Signable::Reply(reply) = record {
        if reply.reply_to.is_none() && !malformed {
            out.push(
                Diagnostic::new(
                    Code::SignatureUnbound,
                    record.path(),
                    "this signed reply has no `reply-to`, so its signature does not bind it to its thread".to_owned(),
                )
                .at(signed.line, Some(1)),
            );
        }
    }
}

/// Every signature of the discussion; verification runs on the threads `parallelism` names,
/// the result in model order.
pub(super) fn check(
    discussion: &Discussion,
    parallelism: &crate::Parallelism,
    out: &mut Vec<Diagnostic>,
) {
    let config = discussion.config.as_ref();
    let found: Vec<Vec<Diagnostic>> = parallelism.map_ref(&discussion.threads, |thread| {
        let mut out = Vec::new();
        judge(config, Signable::Thread(thread), &mut out);
        for reply in &thread.replies {
            judge(config, Signable::Reply(reply), &mut out);
        }
        out
    });
    out.extend(found.into_iter().flatten());
    for decision in &discussion.decisions {
        judge(config, Signable::Decision(decision), out);
    }
}
