//! Plain data: a [`Discussion`] of [`Thread`]s with their [`Message`]s, [`Decision`]s, and the
//! [`Config`] from `longhand.yaml`. Structs and enums, no I/O, no git.
//!
//! A model is built by `load` from a source. Entities whose required fields could not be
//! read are left out of it, but their names stay reserved (see [`Reserved`]), so that
//! references to them are not reported as dangling on top of the real problem.
//!
//! Also here, because reading and writing both need them: who someone is ([`Who`]), who
//! may change what (`permissions`, crate-private), and the frontmatter keys in the
//! protocol's order (`keys`, crate-private).

pub(crate) mod keys;
mod lexical;
mod lookup;
mod order;
pub(crate) mod permissions;
mod who;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use lexical::{
    is_email, is_handle, is_slug, is_tag, parse_size, parse_span, Author, Deadline, Id, Moment,
};
pub use lookup::LookupError;
pub(crate) use order::loop_members;
pub use order::thread_order;
pub use who::Who;

use crate::document::Field;

/// Everything in one discussion root.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Discussion {
    /// `longhand.yaml`, or `None` when it could not be read.
    pub config: Option<Config>,
    /// Threads whose `thread.md` could be read, by slug.
    pub threads: Vec<Thread>,
    /// Decisions that could be read, by slug.
    pub decisions: Vec<Decision>,
    /// Threads whose `thread.md` is missing or unreadable, with the replies that could be read.
    pub headless: Vec<Headless>,
    /// What could be read of files left out of the model because a required field is
    /// missing or invalid, so that rules between files still see their ids and links.
    pub partial: Vec<Partial>,
    /// Names taken by files, readable or not.
    pub reserved: Reserved,
}

impl Discussion {
    /// The thread a reference names: the one with this id, else the one with this slug.
    pub fn thread(&self, reference: &str) -> Option<&Thread> {
        let threads = &self.threads;
        threads
            .iter()
            .find(|t| t.id.as_str() == reference)
            .or_else(|| threads.iter().find(|t| t.slug == reference))
    }

    /// The decision a reference names: the one with this id, else the one with this slug.
    pub fn decision(&self, reference: &str) -> Option<&Decision> {
        let decisions = &self.decisions;
        decisions
            .iter()
            .find(|d| d.id.as_str() == reference)
            .or_else(|| decisions.iter().find(|d| d.slug == reference))
    }

    /// The decisions whose `thread` names `thread`, by slug or id.
    pub fn decisions_for<'a>(&'a self, thread: &'a Thread) -> impl Iterator<Item = &'a Decision> {
        self.decisions.iter().filter(move |d| {
            d.thread
                .as_deref()
                .is_some_and(|r| r == thread.slug || r == thread.id.as_str())
        })
    }
}

/// A thread directory whose `thread.md` is missing or could not be read. Its replies are kept so
/// that the rules about replies still run.
#[derive(Clone, Debug, PartialEq)]
pub struct Headless {
    /// The directory name.
    pub slug: String,
    /// The thread's id, if thread.md could be read that far.
    pub id: Option<Id>,
    /// The thread's date, if thread.md could be read that far.
    pub date: Option<Moment>,
    /// Replies that could be read, in file-name order.
    pub replies: Vec<Message>,
}

/// What kind of file a [`Partial`] record comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartialKind {
    /// A `thread.md`.
    Thread,
    /// A reply.
    Reply,
    /// A decision record.
    Decision,
}

/// A file that parsed, but whose required fields do not all hold valid values: it is not in
/// the model, and this keeps what its valid fields say.
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    /// What kind of file it is.
    pub kind: PartialKind,
    /// The thread's slug (for a thread or reply) or the decision's slug.
    pub slug: String,
    /// Its id, when valid.
    pub id: Option<Id>,
    /// A reply's `reply-to`, when valid.
    pub reply_to: Option<String>,
    /// A decision's `thread`, when valid.
    pub thread: Option<String>,
    /// Where it was read from.
    pub origin: Origin,
}

/// Names taken by files, whether or not the files could be read.
#[derive(Clone, Debug, Default)]
pub struct Reserved {
    /// Every thread directory's slug.
    pub threads: BTreeSet<String>,
    /// Every decision file's slug.
    pub decisions: BTreeSet<String>,
    /// For each thread slug, the file stem of every reply file in it.
    pub replies: BTreeMap<String, BTreeSet<String>>,
}

/// Where an entity was read from, and the line of each of its known keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file, relative to the discussion root.
    pub path: String,
    /// Known keys → (line, value column), in file order, each key once. A short list of
    /// names from the protocol's key tables rather than a map of owned strings: there is one
    /// per file, so its size counts in every large load.
    pub keys: Vec<(&'static str, (u32, Option<u32>))>,
}

impl Origin {
    /// The line and column of `key`'s value, or line 1 when the key is absent.
    pub fn position(&self, key: &str) -> (u32, Option<u32>) {
        self.keys
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map_or((1, None), |(_, position)| *position)
    }
}

/// The contents of `longhand.yaml`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The protocol version (always 1 in a model).
    pub version: u32,
    /// The discussion space's name.
    pub title: String,
    /// The roster, by handle.
    pub people: BTreeMap<String, Person>,
    /// Policies.
    pub policy: Policy,
}

impl Config {
    /// A configuration named `title`, at protocol version 1, with no people and the default
    /// [`Policy`]; set the other fields by assignment.
    pub fn new(title: impl Into<String>) -> Config {
        Config {
            version: 1,
            title: title.into(),
            people: BTreeMap::new(),
            policy: Policy::default(),
        }
    }

    /// The person whose `keys` list `key` (a key belongs to at most one person).
    pub fn key_owner(&self, key: &crate::signature::PublicKey) -> Option<&Person> {
        self.people.values().find(|p| p.keys.contains(key))
    }

    /// The person a reference (a handle or an email) names.
    pub fn person(&self, reference: &str) -> Option<&Person> {
        self.people.get(reference).or_else(|| {
            self.people
                .values()
                .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(reference)))
        })
    }
}

/// One person of the roster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Person {
    /// The handle used in `awaiting` and `deciders`.
    pub handle: String,
    /// Full name.
    pub name: String,
    /// Emails, the first being the main one.
    pub emails: Vec<String>,
    /// IANA time zone name.
    pub timezone: Option<String>,
    /// Roles such as `moderator`.
    pub roles: Vec<String>,
    /// SSH public keys the person signs with (`keys:`, spec section 15.1).
    pub keys: Vec<crate::signature::PublicKey>,
}

impl Person {
    /// A person with a handle and a full name, and no emails, time zone or roles; set those
    /// by assignment.
    pub fn new(handle: impl Into<String>, name: impl Into<String>) -> Person {
        Person {
            handle: handle.into(),
            name: name.into(),
            emails: Vec::new(),
            timezone: None,
            roles: Vec::new(),
            keys: Vec::new(),
        }
    }
}

/// How decisions are made and authorship is checked. Build one from [`Policy::default`] and set
/// the fields that differ by assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy {
    /// When a proposed decision is ready to accept.
    pub decision_rule: DecisionRule,
    /// Default review period in seconds (72 hours unless configured).
    pub review_period_seconds: i64,
    /// How the author of a commit must relate to the files it adds.
    pub authorship: Authorship,
    /// The largest attachment file, in bytes, stored in git itself (10 MiB unless configured);
    /// larger files belong in Git LFS, whose pointer files are accepted whatever they declare.
    pub attachment_limit: u64,
}

/// The default of `policy.attachment-limit`: 10 MiB.
pub const DEFAULT_ATTACHMENT_LIMIT: u64 = 10 * 1024 * 1024;

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            decision_rule: DecisionRule::LazyConsensus,
            review_period_seconds: 72 * 3600,
            authorship: Authorship::CommitAuthor,
            attachment_limit: DEFAULT_ATTACHMENT_LIMIT,
        }
    }
}

macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            /// Every value, in the order the protocol lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Parses the keyword as written in a file.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }

            /// The keyword as written in a file.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(
    /// The rule that decides when a proposed decision is ready to accept
    /// (`policy.decision-rule`).
    DecisionRule {
        /// Ready once the review period passes with no binding -1.
        LazyConsensus = "lazy-consensus",
        /// Ready when every decider voted +1.
        Unanimous = "unanimous",
        /// Ready when more than half of the deciders voted +1 and no more than that voted -1.
        Majority = "majority",
    }
);

keyword_enum!(
    /// How commits must relate to the files they add (`policy.authorship`, enforced by the
    /// history rules).
    Authorship {
        /// The commit's author email is one of the file author's.
        CommitAuthor = "commit-author",
        /// Every action carries a valid signature by a roster key of the person who takes it
        /// (spec section 15).
        Signed = "signed",
        /// Not checked.
        Off = "off",
    }
);

keyword_enum!(
    /// A thread's status.
    ThreadStatus {
        /// Under discussion.
        Open = "open",
        /// Settled, often by a decision.
        Resolved = "resolved",
        /// Ended without resolution.
        Closed = "closed",
    }
);

keyword_enum!(
    /// A decision record's status.
    DecisionStatus {
        /// Under review.
        Proposed = "proposed",
        /// In force.
        Accepted = "accepted",
        /// Turned down.
        Rejected = "rejected",
        /// Taken back by its proposers.
        Withdrawn = "withdrawn",
        /// Replaced by a later decision.
        Superseded = "superseded",
    }
);

impl ThreadStatus {
    /// Whether the protocol allows moving from `self` to `to`.
    pub fn can_become(self, to: ThreadStatus) -> bool {
        use ThreadStatus::*;
        matches!(
            (self, to),
            (Open, Resolved) | (Open, Closed) | (Resolved, Open) | (Closed, Open)
        )
    }
}

impl DecisionStatus {
    /// Whether the protocol allows moving from `self` to `to`.
    pub fn can_become(self, to: DecisionStatus) -> bool {
        use DecisionStatus::*;
        matches!(
            (self, to),
            (Proposed, Accepted)
                | (Proposed, Rejected)
                | (Proposed, Withdrawn)
                | (Accepted, Superseded)
        )
    }
}

/// A vote carried by a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Vote {
    /// `+1`: in favour.
    For,
    /// `0`: no objection, no support.
    Abstain,
    /// `-1`: an objection; the body says why.
    Against,
}

impl Vote {
    /// Reads `"+1"`, `"0"`, `"-1"`, or the numbers YAML makes of them.
    pub fn parse(text: &str) -> Option<Vote> {
        match text {
            "+1" | "1" => Some(Vote::For),
            "0" | "-0" | "+0" => Some(Vote::Abstain),
            "-1" => Some(Vote::Against),
            _ => None,
        }
    }

    /// The vote as a writer quotes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::For => "+1",
            Vote::Abstain => "0",
            Vote::Against => "-1",
        }
    }
}

impl fmt::Display for Vote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A thread: its header and opening post (`thread.md`) and its replies.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Thread {
    /// The directory name.
    pub slug: String,
    /// The thread's id.
    pub id: Id,
    /// The title.
    pub title: String,
    /// Who opened it.
    pub author: Author,
    /// When it was opened.
    pub date: Moment,
    /// Open, resolved or closed.
    pub status: ThreadStatus,
    /// Tags.
    pub tags: Vec<String>,
    /// People whose answer is requested (handles or emails).
    pub awaiting: Vec<String>,
    /// When answers are wanted by.
    pub respond_by: Option<Deadline>,
    /// The decision that resolved it (a slug or id, as written).
    pub decision: Option<String>,
    /// The thread this one was folded into (a slug or id, as written); it is then closed and
    /// its replies live there.
    pub merged_into: Option<String>,
    /// The opening post.
    pub body: String,
    /// 1-based line where the body starts in thread.md.
    pub body_line: u32,
    /// Keys the protocol does not define, kept as written.
    pub extra: Vec<Field>,
    /// The file's signature, as loaded (spec section 15); `None` when unsigned.
    pub signature: Option<crate::signature::Signed>,
    /// Where it was read from.
    pub origin: Origin,
    /// Replies that could be read, in file-name order (use [`thread_order`] for reading order).
    pub replies: Vec<Message>,
}

impl Thread {
    /// A thread with its required header fields; the rest is empty: no tags, no one awaited,
    /// no deadline, decision or merge, an empty body (`body_line` 0: not read from a file),
    /// no extra keys, a default [`Origin`] and no replies. Set those by assignment.
    pub fn new(
        slug: impl Into<String>,
        id: Id,
        title: impl Into<String>,
        author: Author,
        date: Moment,
        status: ThreadStatus,
    ) -> Thread {
        Thread {
            slug: slug.into(),
            id,
            title: title.into(),
            author,
            date,
            status,
            tags: Vec::new(),
            awaiting: Vec::new(),
            respond_by: None,
            decision: None,
            merged_into: None,
            body: String::new(),
            body_line: 0,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
            replies: Vec::new(),
        }
    }
}

/// One reply in a thread.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Message {
    /// The id written in the file.
    pub id: Id,
    /// The file stem, which is the reply's identity for `reply-to`.
    pub stem: String,
    /// Who wrote it.
    pub author: Author,
    /// When, with the author's offset.
    pub date: Moment,
    /// The message it answers; `None` answers the opening post.
    pub reply_to: Option<String>,
    /// A vote, if the reply carries one.
    pub vote: Option<Vote>,
    /// The decision the vote is for (`vote-on`: a slug or id, as written), spec §8.3.
    pub vote_on: Option<String>,
    /// When the author last amended it.
    pub edited: Option<Moment>,
    /// The record of a moderator's redaction, when the body was redacted (spec §13.4).
    pub redaction: Option<Redaction>,
    /// The Markdown body.
    pub body: String,
    /// 1-based line where the body starts.
    pub body_line: u32,
    /// Keys the protocol does not define, kept as written.
    pub extra: Vec<Field>,
    /// The file's signature, as loaded (spec section 15); `None` when unsigned.
    pub signature: Option<crate::signature::Signed>,
    /// Where it was read from.
    pub origin: Origin,
    /// The regular files the loader found in the reply's attachment directory `<ID>/` (spec
    /// section 8.4), as root-relative paths in byte order; links and hidden names are left out.
    pub attachments: Vec<String>,
}

impl Message {
    /// A reply with its required fields, answering the opening post; the rest is empty: no
    /// vote, edit or redaction, an empty body (`body_line` 0: not read from a file), no extra
    /// keys, a default [`Origin`] and no attachments. Set those by assignment.
    pub fn new(id: Id, stem: impl Into<String>, author: Author, date: Moment) -> Message {
        Message {
            id,
            stem: stem.into(),
            author,
            date,
            reply_to: None,
            vote: None,
            vote_on: None,
            edited: None,
            redaction: None,
            body: String::new(),
            body_line: 0,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
            attachments: Vec::new(),
        }
    }
}

/// A moderator's redaction of a reply: the body was replaced by a notice, the record kept.
/// Written as the three flat fields `redacted`, `redacted-by` and `redaction-reason`.
#[derive(Clone, Debug, PartialEq)]
pub struct Redaction {
    /// When it was redacted (`redacted`).
    pub date: Moment,
    /// Who redacted it (`redacted-by`): a handle or an email.
    pub by: String,
    /// Why (`redaction-reason`), one line.
    pub reason: String,
}

/// A decision record.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Decision {
    /// The file stem.
    pub slug: String,
    /// The decision's id.
    pub id: Id,
    /// The title.
    pub title: String,
    /// Its status.
    pub status: DecisionStatus,
    /// When it was proposed.
    pub date: Moment,
    /// People whose votes are binding (handles or emails).
    pub deciders: Vec<String>,
    /// Who wrote it, if recorded.
    pub author: Option<Author>,
    /// The thread where it is discussed (a slug or id, as written).
    pub thread: Option<String>,
    /// The end of the review period.
    pub review_by: Option<Deadline>,
    /// Decisions it replaces (slugs or ids, as written).
    pub supersedes: Vec<String>,
    /// Decisions that replace it (slugs or ids, as written).
    pub superseded_by: Vec<String>,
    /// When it left `proposed` (`decided`); its tally is frozen at that instant (spec §8.3).
    pub decided: Option<Moment>,
    /// Who changed its status (`decided-by`): a handle or an email.
    pub decided_by: Option<String>,
    /// Why a moderator accepted or rejected it against the decision rule (`override`), one line.
    pub override_reason: Option<String>,
    /// Why it was accepted, rejected or withdrawn (`rationale`).
    pub rationale: Option<String>,
    /// The Markdown body (Context, Options, Decision, Consequences).
    pub body: String,
    /// 1-based line where the body starts.
    pub body_line: u32,
    /// Keys the protocol does not define, kept as written.
    pub extra: Vec<Field>,
    /// The file's signature, as loaded (spec section 15); `None` when unsigned.
    pub signature: Option<crate::signature::Signed>,
    /// Where it was read from.
    pub origin: Origin,
}

impl Decision {
    /// A decision record with its required fields; the rest is empty: no deciders, author,
    /// thread, review deadline, supersession, decision record, override or rationale, an empty
    /// body (`body_line` 0: not read from a file), no extra keys and a default [`Origin`]. Set
    /// those by assignment.
    pub fn new(
        slug: impl Into<String>,
        id: Id,
        title: impl Into<String>,
        status: DecisionStatus,
        date: Moment,
    ) -> Decision {
        Decision {
            slug: slug.into(),
            id,
            title: title.into(),
            status,
            date,
            deciders: Vec::new(),
            author: None,
            thread: None,
            review_by: None,
            supersedes: Vec::new(),
            superseded_by: Vec::new(),
            decided: None,
            decided_by: None,
            override_reason: None,
            rationale: None,
            body: String::new(),
            body_line: 0,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_set_the_required_fields_and_leave_the_rest_empty() {
        let id = Id::parse("01JD7Z8Q0000000000000000AB").unwrap();
        let author = Author::parse("Ana Lima <ana@example.org>").unwrap();
        let date = Moment::parse("2026-11-24T09:00:00Z").unwrap();

        let thread = Thread::new(
            "t",
            id.clone(),
            "T",
            author.clone(),
            date.clone(),
            ThreadStatus::Open,
        );
        assert_eq!((thread.slug.as_str(), thread.title.as_str()), ("t", "T"));
        assert_eq!(thread.status, ThreadStatus::Open);
        assert!(thread.tags.is_empty() && thread.replies.is_empty() && thread.body.is_empty());

        let message = Message::new(id.clone(), "m", author, date.clone());
        assert_eq!(message.stem, "m");
        assert!(
            message.reply_to.is_none() && message.vote.is_none() && message.attachments.is_empty()
        );

        let decision = Decision::new("d", id, "D", DecisionStatus::Proposed, date);
        assert_eq!(
            (decision.slug.as_str(), decision.status),
            ("d", DecisionStatus::Proposed)
        );
        assert!(decision.deciders.is_empty() && decision.author.is_none());

        let person = Person::new("ana", "Ana Lima");
        assert_eq!(
            (person.handle.as_str(), person.name.as_str()),
            ("ana", "Ana Lima")
        );
        assert!(person.emails.is_empty() && person.roles.is_empty());

        let config = Config::new("Team");
        assert_eq!((config.version, config.title.as_str()), (1, "Team"));
        assert!(config.people.is_empty());
        assert_eq!(config.policy, Policy::default());
    }
}
