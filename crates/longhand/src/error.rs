//! Failures *to run*: no discussion root, unreadable repository, I/O.
//!
//! Problems in the data are never errors; they are [`crate::Diagnostic`]s.

use std::path::PathBuf;

/// Why Longhand could not do what was asked. Each variant says what to do in its message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `longhand.yaml` in the start directory or any parent.
    #[error("no discussion root (longhand.yaml) in {} or any parent directory", start.display())]
    NoRoot {
        /// Where the search started.
        start: PathBuf,
    },
    /// The git tree at the revision has no `longhand.yaml` where the root should be.
    #[error("no longhand.yaml at `{}` in revision {rev}", if prefix.is_empty() { "." } else { prefix.as_str() })]
    NoRootInRevision {
        /// The revision as given.
        rev: String,
        /// The directory inside the tree where it was expected.
        prefix: String,
    },
    /// The source has no `longhand.yaml` at its root.
    #[error("no longhand.yaml in {source_name}")]
    MissingConfig {
        /// The source's description.
        source_name: String,
    },
    /// `longhand.yaml` is a symbolic link or not a file.
    #[error("{path} is not a regular file (symbolic links are never followed)")]
    RootNotAFile {
        /// The path, relative to the discussion root.
        path: String,
    },
    /// Reading the file system failed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path that could not be read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing a file failed (disk full, permissions, an I/O error). Writes are atomic: the
    /// file is as it was.
    #[error("cannot write {}: {source}; the file is unchanged and nothing was committed", path.display())]
    CannotWrite {
        /// The path that could not be written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No git repository where one is needed.
    #[error("not in a git repository ({}): {message}", path.display())]
    NotARepository {
        /// Where the search started.
        path: PathBuf,
        /// What git said.
        message: String,
    },
    /// A revision does not name a commit or tree.
    #[error("revision `{rev}` does not name a commit: {}", source.message())]
    BadRevision {
        /// The revision as given.
        rev: String,
        /// What git said.
        #[source]
        source: git2::Error,
    },
    /// Any other git failure.
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// A change was given to a transaction other than the one whose context computed it: it
    /// was checked against another state of the discussion, so it is not written.
    #[error("this change was computed in another transaction; nothing was written")]
    ForeignChange,
    /// A file that must be new already exists.
    #[error("{path} already exists; nothing was written")]
    Exists {
        /// The path, relative to the discussion root.
        path: String,
    },
    /// A file a command would write breaks a size limit of the protocol (section 4.7), so it
    /// could not be read back; nothing was written.
    #[error("{path}: {what}; nothing was written")]
    OverLimit {
        /// The path, relative to the discussion root.
        path: String,
        /// Which limit, and by how much.
        what: String,
    },
    /// A write was refused for safety.
    #[error("refusing to write {path}: {reason}")]
    Refused {
        /// The path, relative to the discussion root.
        path: String,
        /// Why.
        reason: String,
    },
    /// A typed reference names no thread or decision, or several.
    #[error("{0}")]
    Lookup(#[from] crate::model::LookupError),
    /// A search query that cannot be run: an unknown filter, a bad date or status, an
    /// unclosed quote, or nothing to look for.
    #[error("{0}")]
    BadQuery(#[from] crate::read::search::QueryError),
    /// `--to` names no message of the thread.
    #[error(
        "`{query}` names no single message of thread `{thread}` (none, or several, start with it)"
    )]
    UnknownMessage {
        /// The thread's slug.
        thread: String,
        /// What was typed.
        query: String,
    },
    /// A person is neither a handle of `longhand.yaml` nor an email.
    #[error("`{who}` is neither a handle in longhand.yaml's people nor an email")]
    UnknownPerson {
        /// What was typed.
        who: String,
    },
    /// A deadline could not be read.
    #[error("`{text}` is not a deadline")]
    BadDeadline {
        /// What was typed.
        text: String,
    },
    /// A value breaks its field's format.
    #[error("`{value}` is not a valid {field}: {expected}")]
    BadValue {
        /// The field.
        field: &'static str,
        /// What was given.
        value: String,
        /// What the field takes.
        expected: &'static str,
    },
    /// The text of a message is empty.
    #[error("the text is empty; nothing was written")]
    EmptyText,
    /// A `-1` vote without a reason.
    #[error("a -1 vote needs a reason: say why in the text")]
    ObjectionWithoutReason,
    /// A status change the protocol does not allow.
    #[error("{kind} `{slug}` is {from}; it cannot become {to}")]
    Transition {
        /// `"thread"` or `"decision"`.
        kind: &'static str,
        /// The record's slug.
        slug: String,
        /// The current status.
        from: String,
        /// The requested status.
        to: String,
    },
    /// A file to rewrite holds changes of the user's that are not committed: committing the
    /// rewrite would sweep them in.
    #[error("{path} has changes of your own that are not committed; nothing was written")]
    Uncommitted {
        /// The path, relative to the discussion root.
        path: String,
    },
    /// An edit that would change nothing.
    #[error("nothing to change in {path}")]
    NothingToChange {
        /// The path, relative to the discussion root.
        path: String,
    },
    /// A file to edit has errors, so rewriting it could lose data.
    #[error("{path} has {count} error(s); it is not rewritten until they are fixed")]
    NotClean {
        /// The path, relative to the discussion root.
        path: String,
        /// How many errors it has.
        count: usize,
    },
    /// No git identity to write and commit as.
    #[error("no git identity: {message}")]
    NoIdentity {
        /// What git said.
        message: String,
    },
    /// A moderator's action asked for by someone who is not a moderator.
    #[error("{who} is not a moderator in longhand.yaml; only moderators may {action}")]
    NotModerator {
        /// Who asked (`Name <email>`).
        who: String,
        /// What they asked for.
        action: &'static str,
    },
    /// A change the history rules (spec section 13) would refuse from this writer, so a
    /// server enforcing them would refuse the commit: refused before anything is written.
    #[error("{who} may not {action}: only {allowed} may ({code})")]
    NotPermitted {
        /// Who asked (`Name <email>`).
        who: String,
        /// What they asked for, such as "resolve thread `standups`".
        action: String,
        /// Who may, such as "the thread's author (Ana Lima <ana@example.org>) or a moderator".
        allowed: String,
        /// The history rule that would refuse the commit, such as `LH708`.
        code: &'static str,
    },
    /// A decision's status change that its decision rule does not allow at this instant
    /// (spec section 7.2): refused before anything is written.
    #[error("decision `{slug}` cannot be {action} now: {reason}; nothing was written")]
    NotReady {
        /// The decision's slug.
        slug: String,
        /// What was asked, such as "accepted".
        action: &'static str,
        /// Why not: who blocks and their objection, or when the review period ends.
        reason: String,
    },
    /// A vote without `--on` in a thread where several decisions are open.
    #[error("thread `{thread}` has {} open decisions ({}); a vote must say which it is for", open.len(), open.join(", "))]
    AmbiguousVote {
        /// The thread's slug.
        thread: String,
        /// The slugs of its open decisions.
        open: Vec<String>,
    },
    /// `policy.authorship` is `signed` and the writer cannot sign what it writes (no signer
    /// configured, a key not listed under the writer, or a file the writer may not sign):
    /// nothing was written. `reason` says what to set.
    #[error("policy.authorship is `signed` in longhand.yaml, and longhand cannot sign this: {reason}; nothing was written")]
    SigningRequired {
        /// What is missing, and what to set.
        reason: String,
    },
    /// Signing a file failed (the signing program failed or gave no usable signature);
    /// nothing was written.
    #[error("could not sign {path}: {source}; nothing was written")]
    Signing {
        /// The file, relative to the discussion root.
        path: String,
        /// What went wrong.
        source: crate::signature::SignError,
    },
    /// A reply query matches no reply, or several.
    #[error("`{query}` names no single reply (none, or several, start with it)")]
    UnknownReply {
        /// What was typed.
        query: String,
    },
    /// Another writer held the repository's write lock for longer than this one would wait.
    #[error("another longhand command is writing in this repository ({} is held{}); after waiting {waited} s the files are written but not committed", lock.display(), holder.map(|p| format!(" by process {p}")).unwrap_or_default())]
    Locked {
        /// The lock file.
        lock: PathBuf,
        /// The process that holds it, when known.
        holder: Option<u32>,
        /// How long this one waited, in seconds.
        waited: u64,
    },
    /// A lock file of git's own (`index.lock`, `refs/heads/<branch>.lock`) stayed in place
    /// while this writer retried: a git command is running, or one was killed holding it.
    #[error("git's lock is taken ({message}); the files are written and staged, not committed")]
    GitLocked {
        /// What git said, naming the lock file.
        message: String,
    },
    /// Other writers kept moving HEAD while this one tried to commit.
    #[error(
        "HEAD kept moving while committing ({attempts} attempts); the files are written and staged"
    )]
    Busy {
        /// How many times it tried.
        attempts: u32,
    },
    /// A file given to attach cannot be attached as it is.
    #[error("cannot attach {path}: {reason}; nothing was written")]
    AttachmentRefused {
        /// The file as given.
        path: String,
        /// Why.
        reason: String,
    },
    /// A file given to attach is larger than `policy.attachment-limit`.
    #[error("cannot attach {path}: it has {size} bytes, over the attachment limit of {limit} bytes; nothing was written")]
    AttachmentTooLarge {
        /// The file as given.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The policy's limit in bytes.
        limit: u64,
    },
    /// `sync` has no remote branch to sync with: a detached HEAD, no upstream, no such remote.
    #[error("cannot sync {branch}: {reason}")]
    NoUpstream {
        /// The branch (`HEAD` when none is checked out).
        branch: String,
        /// Why there is nothing to sync with.
        reason: String,
    },
    /// `sync` found uncommitted changes under the discussion root (or a merge in progress).
    #[error("the discussion in {root} has uncommitted changes ({detail}); sync sends commits only, and changed nothing")]
    Dirty {
        /// The discussion root, relative to the work tree.
        root: String,
        /// What is uncommitted.
        detail: String,
    },
    /// A `git` command that `sync` runs failed (the network, credentials, a missing remote).
    #[error("{command} failed ({message}); nothing was changed")]
    GitCommand {
        /// The command, as a person would type it.
        command: String,
        /// What git said.
        message: String,
    },
    /// Every push of a `sync` lost a race with someone else's push.
    #[error("others kept pushing first ({attempts} attempts); your branch is as it was")]
    SyncGaveUp {
        /// How many times it fetched, merged and pushed.
        attempts: u32,
    },
    /// `render`'s output directory holds files that are not a site it wrote.
    #[error("{} is not empty and is not a site longhand rendered; nothing was written", path.display())]
    OutputNotASite {
        /// The output directory.
        path: PathBuf,
    },
}

impl Error {
    /// [`Error::BadRevision`]: `rev` names no commit (or tree), as git's `error` says.
    pub fn bad_revision(rev: impl Into<String>, error: git2::Error) -> Error {
        Error::BadRevision {
            rev: rev.into(),
            source: error,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::CannotWrite {
            path: path.into(),
            source,
        }
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
