//! Diagnostics: problems found *in the data*, as plain values in a list.
//!
//! Every rule of the protocol has a stable [`Code`] (`LH402`), a kebab-case name, a severity and
//! a one-line help. A diagnostic never aborts a run; failures *to run* are [`crate::Error`]s.

use std::cmp::Ordering;
use std::fmt;

/// How bad a diagnostic is. Errors make `validate` fail; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The repository breaks the protocol.
    Error,
    /// Suspicious but allowed; tools keep working.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`, as printed and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $name:literal, $severity:ident, $summary:literal, $help:literal; )*) => {
        /// A validation rule. The code and name are stable: they never change meaning.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every rule, in code order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code, such as `"LH402"`.
            pub fn code(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The stable kebab-case name, such as `"reply-to-unresolved"`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity every diagnostic of this rule carries.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One sentence saying what the rule checks.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// The default one-line help: what to do about it.
            pub fn help(self) -> &'static str {
                match self { $(Code::$variant => $help,)* }
            }

            /// Looks a rule up by its code (`LH402`) or its name (`reply-to-unresolved`).
            pub fn parse(text: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.code() == text || c.name() == text)
            }
        }
    };
}

codes! {
    NotUtf8 = "LH101", "not-utf8", Error,
        "The file is not valid UTF-8.",
        "save the file as UTF-8";
    NulByte = "LH103", "nul-byte", Error,
        "The file contains a NUL byte.",
        "remove the NUL byte; discussion files are text";
    FrontmatterMissing = "LH104", "frontmatter-missing", Error,
        "The file does not start with a `---` line.",
        "start the file with a line `---`, the frontmatter, and a closing `---`";
    FrontmatterUnclosed = "LH105", "frontmatter-unclosed", Error,
        "The frontmatter has no closing `---` line.",
        "end the frontmatter with a line that is exactly `---`";
    YamlSyntax = "LH106", "yaml-syntax", Error,
        "The YAML does not parse.",
        "fix the YAML syntax; quote values that contain `: ` or start with a special character";
    YamlNotMapping = "LH107", "yaml-not-mapping", Error,
        "The YAML is empty or not a mapping with string keys.",
        "write one `key: value` per line";
    YamlAnchor = "LH108", "yaml-anchor", Error,
        "YAML anchors and aliases are not allowed.",
        "write the value out in full instead of using `&anchor` or `*alias`";
    YamlTag = "LH109", "yaml-tag", Error,
        "YAML tags are not allowed.",
        "remove the `!tag`; quote the value if it must start with `!`";
    YamlMergeKey = "LH110", "yaml-merge-key", Error,
        "YAML merge keys are not allowed.",
        "write the merged keys out in full instead of `<<`";
    YamlDuplicateKey = "LH111", "yaml-duplicate-key", Error,
        "A key appears twice.",
        "keep one of the two entries";
    NestedValue = "LH112", "nested-value", Error,
        "A frontmatter value is a mapping or a list that contains non-scalars.",
        "frontmatter values are scalars or lists of scalars; flatten the value";
    Bom = "LH116", "bom", Warning,
        "The file starts with a UTF-8 byte order mark.",
        "save the file as UTF-8 without BOM";
    Crlf = "LH117", "crlf", Warning,
        "The file uses CRLF line endings.",
        "store LF line endings (for example `* text eol=lf` in .gitattributes)";
    UnexpectedPath = "LH201", "unexpected-path", Warning,
        "A file or directory the layout does not define.",
        "move or remove it; threads/ holds <slug>/ directories and decisions/ holds <slug>.md files";
    InvalidSlug = "LH202", "invalid-slug", Error,
        "A thread directory or decision file name is not a slug.",
        "rename it to lowercase letters, digits and single dashes, such as `2026-11-24-async-standups`";
    ThreadFileMissing = "LH203", "thread-file-missing", Error,
        "A thread directory has no thread.md.",
        "add thread.md with the thread's header and opening post, or remove the directory";
    InvalidReplyName = "LH204", "invalid-reply-name", Error,
        "A Markdown file in a thread directory is not named after an id.",
        "name a reply `<id>.md` where <id> is the ULID in its `id` field";
    OrphanAttachments = "LH205", "orphan-attachments", Warning,
        "An attachment directory is named after no reply of the thread.",
        "name the directory after the id of the reply it belongs to";
    Symlink = "LH206", "symlink", Error,
        "A symbolic link where the layout expects a file or directory.",
        "replace the link with the real file; links are never followed";
    PathEscape = "LH207", "path-escape", Error,
        "A relative link leads outside the discussion root.",
        "link only to files inside the discussion root";
    AttachmentTooLarge = "LH208", "attachment-too-large", Error,
        "An attachment is larger than the policy's `attachment-limit` (10 MiB by default).",
        "store it with Git LFS (`git lfs track \"threads/**/<ID>/*.mp4\"`), or raise `policy.attachment-limit` in longhand.yaml";
    LfsPointerMalformed = "LH209", "lfs-pointer-malformed", Error,
        "An attachment starts like a Git LFS pointer but is not a valid one.",
        "let `git lfs` write the pointer (`git lfs track`, then `git add`), or replace the file with the real content";
    AttachmentMissing = "LH210", "attachment-missing", Error,
        "A link names a file in an attachment directory that does not exist.",
        "add the file to the reply's attachment directory (`longhand reply --attach FILE` does both), or fix the link";
    LocalFileLink = "LH211", "local-file-link", Error,
        "A link or image uses a `file:` URL or a drive path, naming a file on someone's machine.",
        "attach the file (`longhand reply --attach FILE`) and link to it relatively, such as `<ID>/name.png`";
    HostileName = "LH212", "hostile-name", Error,
        "An entry that breaks a checkout or a terminal: a name that is `.`, `..`, `.git` (or an alias), holds `/`, `\\`, NUL or a control character, is not UTF-8, is over 255 bytes or makes a path over 1,024 bytes; or a submodule.",
        "remove the entry (`git rm --cached`), or rename it to a plain name of at most 255 bytes";
    MissingField = "LH301", "missing-field", Error,
        "A required field is absent.",
        "add the field";
    WrongType = "LH302", "wrong-type", Error,
        "A value has the wrong type.",
        "give the field a value of the type the protocol defines";
    InvalidId = "LH303", "invalid-id", Error,
        "An id is not a ULID.",
        "use a ULID: 26 characters of Crockford base32 in upper case, such as `01JD8Q1Z4A2B3C4D5E6F7G8H9J`";
    IdMismatch = "LH304", "id-mismatch", Error,
        "A reply's id differs from its file name.",
        "rename the file to `<id>.md` or correct the id";
    InvalidAuthor = "LH305", "invalid-author", Error,
        "An author is not `Name <email>`.",
        "write the author as `Name <email>`, such as `Ana Lima <ana@example.org>`";
    InvalidTimestamp = "LH306", "invalid-timestamp", Error,
        "A timestamp is not RFC 3339 with an offset.",
        "write a timestamp such as `2026-11-24T09:30:00-03:00`";
    InvalidStatus = "LH307", "invalid-status", Error,
        "A status is not one of the allowed values.",
        "use a status the protocol defines for this kind of file";
    InvalidVote = "LH308", "invalid-vote", Error,
        "A vote is not +1, 0 or -1.",
        "write the vote as `\"+1\"`, `\"0\"` or `\"-1\"`";
    UnknownField = "LH309", "unknown-field", Warning,
        "A key the protocol does not define; it is kept.",
        "check the spelling; unknown keys are kept but ignored";
    InvalidDeadline = "LH310", "invalid-deadline", Error,
        "A deadline is not a timestamp or a date.",
        "write a date such as `2026-12-01` or a timestamp such as `2026-12-01T17:00:00+01:00`";
    InvalidValue = "LH311", "invalid-value", Error,
        "A value breaks its field's format.",
        "correct the value to the format the protocol defines for the field";
    UnknownPerson = "LH312", "unknown-person", Error,
        "A handle names nobody in longhand.yaml.",
        "add the person to `people` in longhand.yaml, or use an email";
    UnsupportedVersion = "LH313", "unsupported-version", Error,
        "The protocol version is not 1.",
        "set `longhand: 1`, or use a newer Longhand";
    InvalidTimezone = "LH314", "invalid-timezone", Error,
        "A time zone is not an IANA time zone name.",
        "use a name such as `Europe/Berlin` or `America/Sao_Paulo`";
    DuplicateEmail = "LH315", "duplicate-email", Error,
        "One email belongs to two people.",
        "keep each email under one person";
    ConfusableEmail = "LH316", "confusable-email", Error,
        "An author's email looks like a roster member's email but is not it.",
        "write under your own email, as longhand.yaml lists it; a look-alike impersonates someone";
    InvalidKey = "LH317", "invalid-key", Error,
        "A person's `keys` lists something that is not a supported OpenSSH public key.",
        "list each key as one line of its `.pub` file (`ssh-ed25519 AAAA… comment`); ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa are supported";
    DuplicateKey = "LH318", "duplicate-key", Error,
        "One SSH public key is listed under two people.",
        "keep each key under one person; a key names who signed";
    DuplicateId = "LH401", "duplicate-id", Error,
        "Two files use the same id.",
        "give one of them a new ULID";
    ReplyToUnresolved = "LH402", "reply-to-unresolved", Error,
        "`reply-to` names no message of this thread.",
        "point reply-to at a reply of this thread, or remove it to answer the opening post";
    ReferenceUnresolved = "LH403", "reference-unresolved", Error,
        "A reference names no thread or decision.",
        "use the slug or id of an existing thread or decision";
    ReplyCycle = "LH404", "reply-cycle", Error,
        "A chain of `reply-to` loops back on itself.",
        "make one reply of the loop answer a message outside it";
    ReplyBeforeParent = "LH405", "reply-before-parent", Warning,
        "A reply is dated before the message it answers.",
        "check the author's clock; the order shown follows the dates";
    BrokenLink = "LH408", "broken-link", Warning,
        "A relative link names a path that does not exist.",
        "fix the link or add the file it names";
    SupersededWithoutSuccessor = "LH501", "superseded-without-successor", Error,
        "A superseded decision names no successor.",
        "list the decision that replaces it in `superseded-by`";
    SuccessorWithoutSuperseded = "LH502", "successor-without-superseded", Error,
        "`superseded-by` is set but the status is not superseded.",
        "set `status: superseded`, or remove `superseded-by`";
    SupersedeNotMutual = "LH503", "supersede-not-mutual", Error,
        "A supersede link is not recorded at both ends.",
        "record the link in `supersedes` of the successor and `superseded-by` of the predecessor";
    SuccessorNotAccepted = "LH504", "successor-not-accepted", Warning,
        "A decision is superseded by a record that is not accepted.",
        "accept the successor, or keep this decision in force";
    SupersedeCycle = "LH505", "supersede-cycle", Error,
        "A chain of `supersedes` loops back on itself.",
        "a decision cannot (indirectly) supersede itself; break the loop";
    VoteOutsideDecision = "LH507", "vote-outside-decision", Warning,
        "A vote in a thread that no decision names; it is not counted.",
        "vote in the thread named by the decision's `thread` field";
    ObjectionWithoutReason = "LH508", "objection-without-reason", Error,
        "A -1 vote without a reason.",
        "say in the reply's body why you object";
    VoteOnOtherThread = "LH509", "vote-on-other-thread", Error,
        "`vote-on` names a decision that is not voted on in this reply's thread; the vote is not counted.",
        "vote in the thread the decision's `thread` names, or name a decision of this thread";
    AmbiguousVote = "LH510", "ambiguous-vote", Warning,
        "A vote without `vote-on` cast while several decisions of its thread were open; it counts for none.",
        "add `vote-on: <slug>` naming the decision the vote is for";
    NoDeciders = "LH511", "no-deciders", Warning,
        "A decision has no deciders, so no vote is binding.",
        "list the handles whose votes decide in `deciders`";
    DecidedWhileProposed = "LH512", "decided-while-proposed", Error,
        "A proposed decision records `decided`, the instant it left `proposed`.",
        "remove `decided` (and `decided-by`), or set the status the decision was moved to";
    OverrideWhileProposed = "LH513", "override-while-proposed", Error,
        "A proposed decision records `override`, which only an accepted or rejected one may.",
        "remove `override`; a moderator writes it with `longhand decision accept|reject <d> --override \"<reason>\"`";
    ConflictMarker = "LH601", "conflict-marker", Error,
        "Leftover git conflict markers.",
        "resolve the conflict and remove the markers";
    FileTooLarge = "LH602", "file-too-large", Error,
        "The file is larger than 1 MiB; it is not read.",
        "split the text, or put large material in an attachment";
    FrontmatterTooLarge = "LH603", "frontmatter-too-large", Error,
        "The frontmatter or longhand.yaml is larger than 64 KiB; it is not parsed.",
        "shorten the YAML; move long text into the body";
    TooDeep = "LH604", "too-deep", Error,
        "YAML nesting is deeper than 16 levels.",
        "flatten the value";
    TooManyReplies = "LH605", "too-many-replies", Warning,
        "A thread has more than 10,000 replies.",
        "split the discussion into several threads";
    LineTooLong = "LH606", "line-too-long", Error,
        "A line is longer than 4 KiB in YAML or 64 KiB in a body; the file is not parsed.",
        "break the line; put long YAML values in the body and large material in an attachment";
    // History rules (spec section 13): checked per commit by `history::verify`.
    ReplyDeleted = "LH701", "reply-deleted", Error,
        "A commit deletes (or renames) a reply; replies are append-only.",
        "restore the reply as it was (`git checkout <parent> -- <file>`, then commit), or drop the commit; a moderator hides a reply with `longhand redact`";
    ReplyChangedByOther = "LH702", "reply-changed-by-other", Error,
        "A commit changes a reply whose author is someone else.",
        "restore the reply and add a new reply instead; only a moderator may redact it (`longhand redact`)";
    EditWithoutEdited = "LH703", "edit-without-edited", Error,
        "A reply's author amends it without updating `edited`.",
        "set `edited` to the time of the amendment in the same commit (amend it)";
    RecordChanged = "LH704", "record-changed", Error,
        "A commit changes a message's `id`, `author`, `date` or `reply-to`.",
        "restore the original value; write a new message instead of re-dating or re-attributing one";
    RedactionForbidden = "LH705", "redaction-forbidden", Error,
        "A redaction made by someone who is not a moderator, or not recorded as theirs.",
        "only a moderator redacts, with `longhand redact MSG --reason R`; restore the reply";
    AuthorshipMismatch = "LH706", "authorship-mismatch", Error,
        "The commit that adds a message is not authored by the message's author.",
        "amend the commit with --author set to the message's author, or correct the message's author";
    ThreadEditForbidden = "LH708", "thread-edit-forbidden", Error,
        "A commit changes or deletes thread.md and its author is neither the thread's author nor a moderator.",
        "restore thread.md; ask the thread's author or a moderator to make the change";
    TransitionForbidden = "LH709", "transition-forbidden", Error,
        "A commit changes a status along a transition the protocol does not allow.",
        "restore the previous status; see the allowed transitions in spec section 7";
    DecisionStatusForbidden = "LH710", "decision-status-forbidden", Error,
        "A decision's status is changed by someone who is neither its author, one of its deciders nor a moderator.",
        "restore the status; the decision's author, one of its deciders or a moderator changes it";
    DecisionEditForbidden = "LH711", "decision-edit-forbidden", Error,
        "A commit changes or deletes a decision and its author is not a decider, the record's author or a moderator.",
        "restore the decision; propose the change in its thread instead";
    IdReused = "LH712", "id-reused", Error,
        "A file takes an id that another file used before.",
        "give the new file a new ULID; ids are never reused, even after a file is deleted";
    SlugReused = "LH713", "slug-reused", Error,
        "A new thread or decision takes the slug of one that was deleted.",
        "choose another slug for the new record; slugs are never reused";
    RosterChangeForbidden = "LH714", "roster-change-forbidden", Error,
        "longhand.yaml changed by someone who is not a moderator, beyond adding an entry for themselves.",
        "ask a moderator to make the change; anyone may only add themselves, with their own email and no roles";
    DecisionNotReady = "LH715", "decision-not-ready", Error,
        "A decision accepted while not ready, or rejected while not blocked, without a moderator's override.",
        "wait until the decision is ready (or blocked), or ask a moderator to decide with an override";
    OverrideForbidden = "LH716", "override-forbidden", Error,
        "`override` written by someone who is not a moderator, or without a status change.",
        "only a moderator overrides a decision rule, in the commit that changes the status";
    DecidedNotRecorded = "LH717", "decided-not-recorded", Error,
        "A decision left `proposed` without `decided` and `decided-by`, or its record changed after.",
        "record `decided` and `decided-by` with the status change; never change them afterwards";
    // LH707 (commit-unsigned, `git verify-commit`) is retired: see spec section 15.5.
    UnsignedAction = "LH718", "unsigned-action", Error,
        "`policy.authorship` is `signed` and a message was added or changed without a good signature by a key of the roster in force.",
        "write it with `longhand` under `gpg.format ssh` and `user.signingkey` (docs/signing.md), with your key in longhand.yaml; a signed commit no longer counts";
    // Push rules (spec section 14): checked per updated ref by `enforce::check_push`.
    HistoryRewritten = "LH720", "history-rewritten", Error,
        "A push rewrites the discussion's history: a file the old tip brought is dropped or altered.",
        "history on the server is never rewritten: put your commits on top of the server's branch (`git pull --rebase`) and push without --force; to undo something, commit a correction (a moderator redacts a reply)";
    BranchDeleted = "LH721", "branch-deleted", Error,
        "A push deletes a branch that holds the discussion, and what it brought is reachable from no other ref.",
        "merge the branch first (its commits then stay reachable), or leave it; the default branch is never deleted";
    PushTooLarge = "LH722", "push-too-large", Error,
        "A push is larger than the server's limits (files changed, bytes added, replies in one thread).",
        "split the push into smaller ones, or ask the server's administrator to raise the limit (the git config key is named in the message)";
    // Signatures (spec section 15): tree rules over a file's `signature` field.
    SignatureMalformed = "LH801", "signature-malformed", Error,
        "A `signature` field is not a Longhand signature: not the last field, not base64 of an SSHSIG blob, not namespace `longhand` or hash `sha512`, or an unsupported key.",
        "sign the file again (`longhand` signs what it writes under `authorship: signed`), or remove the field";
    SignatureTampered = "LH802", "signature-tampered", Error,
        "The file changed after it was signed: its signature does not verify over its canonical bytes.",
        "restore the file as it was signed, have someone allowed to write it sign it again, or (unless `authorship` is `signed`) remove the `signature` line";
    SignatureUnknownKey = "LH803", "signature-unknown-key", Warning,
        "A file is signed with a key no person of longhand.yaml lists: the signature vouches for no one, and the file counts as unsigned.",
        "add the key to its owner's `keys` (`longhand person set <handle> --key <file.pub>`), or sign with a listed key";
    SignatureWrongSigner = "LH804", "signature-wrong-signer", Error,
        "A file is signed by someone other than its author (or the moderator, decider or author allowed to have written it).",
        "a message is signed by the person it names: write it under your own name, or have its author sign it";
    SignatureUnbound = "LH805", "signature-unbound", Error,
        "A signed reply has no `reply-to`: its signature does not bind it to its thread, so it could be copied into another thread and still verify.",
        "sign it again with a `reply-to` naming the message it answers (the thread's own id for the opening post); `longhand` writes it when it signs";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem in the data: a rule, where it was found, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostic {
    /// The rule that was broken.
    pub code: Code,
    /// The file or directory, relative to the discussion root, `/`-separated.
    pub path: String,
    /// 1-based line in the file, where one exists.
    pub line: Option<u32>,
    /// 1-based column (in characters) on that line, where one exists.
    pub column: Option<u32>,
    /// What is wrong, in a sentence that names the offending value.
    pub message: String,
    /// What to do about it, in one line.
    pub help: String,
    /// The text of the offending line, for printers that show the source.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the rule's default help and no location inside the file.
    pub fn new(code: Code, path: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            help: code.help().to_owned(),
            source_line: None,
        }
    }

    /// Sets the line (and optionally the column).
    pub fn at(mut self, line: u32, column: Option<u32>) -> Diagnostic {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// Replaces the default help.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = help.into();
        self
    }

    /// The rule's severity.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The order diagnostics are reported in: path, line (none first), column, code, message.
    pub fn report_order(&self, other: &Diagnostic) -> Ordering {
        (
            self.path.as_bytes(),
            self.line,
            self.column,
            self.code,
            &self.message,
        )
            .cmp(&(
                other.path.as_bytes(),
                other.line,
                other.column,
                other.code,
                &other.message,
            ))
    }
}

/// The outcome of validating a discussion: every diagnostic, in report order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// All diagnostics, sorted with [`Diagnostic::report_order`].
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

impl Report {
    /// Builds a report, sorting the diagnostics into report order.
    pub fn new(mut diagnostics: Vec<Diagnostic>, files: usize) -> Report {
        diagnostics.sort_by(Diagnostic::report_order);
        diagnostics.dedup();
        Report { diagnostics, files }
    }

    /// How many diagnostics are errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// How many diagnostics are warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    /// True when there is no error (warnings allowed).
    pub fn is_clean(&self) -> bool {
        self.errors() == 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == severity)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes: Vec<_> = Code::ALL.iter().map(|c| c.code()).collect();
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "codes are listed in order"
        );
        codes.dedup();
        names.sort();
        names.dedup();
        assert_eq!(codes.len(), Code::ALL.len());
        assert_eq!(names.len(), Code::ALL.len());
        for code in Code::ALL {
            assert!(code.code().starts_with("LH") && code.code().len() == 5);
            assert_eq!(Code::parse(code.code()), Some(*code));
            assert_eq!(Code::parse(code.name()), Some(*code));
        }
    }
}
