//! The frontmatter keys of each kind of file, in the protocol's order (spec section 6): what
//! loading accepts as known, and the order in which writing and merging emit them.

/// The keys of `thread.md`, in the protocol's order (section 6.1).
pub const THREAD_KEYS: &[&str] = &[
    "id",
    "title",
    "author",
    "date",
    "status",
    "tags",
    "awaiting",
    "respond-by",
    "decision",
    "merged-into",
    "signature",
];
/// The keys of a reply, in the protocol's order (section 6.2).
pub const REPLY_KEYS: &[&str] = &[
    "id",
    "author",
    "date",
    "reply-to",
    "vote",
    "vote-on",
    "edited",
    "redacted",
    "redacted-by",
    "redaction-reason",
    "signature",
];
/// The keys of a decision record, in the protocol's order (section 6.3).
pub const DECISION_KEYS: &[&str] = &[
    "id",
    "title",
    "status",
    "date",
    "deciders",
    "author",
    "thread",
    "review-by",
    "supersedes",
    "superseded-by",
    "decided",
    "decided-by",
    "override",
    "rationale",
    "signature",
];
