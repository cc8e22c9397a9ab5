//! The one place where failures become messages, hints and exit codes.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use longhand::model::LookupError;
use longhand::render::terminal::sanitize;

/// Exit code: the run finished and found no error (warnings allowed).
pub const EXIT_OK: u8 = 0;
/// Exit code: the run finished and found at least one rule violation, or a merge conflict.
pub const EXIT_VIOLATIONS: u8 = 1;
/// Exit code: the run could not be done (arguments, no root, repository, I/O, bad input).
pub const EXIT_CANNOT_RUN: u8 = 2;

/// A failure to run, classified once: what happened and what to do about it.
#[derive(Debug)]
pub enum CliError {
    /// A library failure.
    Library(longhand::Error),
    /// Writing the output failed (other than a closed pipe).
    Output(io::Error),
    /// A writing command outside any git repository, with no identity to write as.
    NotInRepository,
    /// The text of a message could not be read.
    ReadText {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// The editor failed.
    Editor {
        /// The editor command.
        editor: String,
        /// What went wrong.
        detail: String,
    },
    /// The text is empty: the command was aborted.
    EmptyText,
    /// Mail could not be written to an mbox file or handed to the mail transfer agent.
    Mail {
        /// What went wrong.
        detail: String,
    },
    /// The arguments or the environment do not say what to do: what is wrong, and what to do.
    Usage {
        /// What is wrong.
        message: String,
        /// What to do about it.
        hint: String,
    },
}

impl CliError {
    /// A usage error: the user can fix it by changing the command or its environment.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl From<longhand::Error> for CliError {
    fn from(error: longhand::Error) -> CliError {
        CliError::Library(error)
    }
}

impl From<io::Error> for CliError {
    fn from(error: io::Error) -> CliError {
        CliError::Output(error)
    }
}

impl From<LookupError> for CliError {
    fn from(error: LookupError) -> CliError {
        CliError::Library(error.into())
    }
}

impl CliError {
    fn message(&self) -> String {
        match self {
            CliError::Library(e) => e.to_string(),
            CliError::Output(e) => format!("cannot write output: {e}"),
            CliError::NotInRepository => {
                "not in a git repository, and GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL are not set: no identity to write as".into()
            }
            CliError::ReadText { path, error } => format!("cannot read {}: {error}", path.display()),
            CliError::Editor { editor, detail } => format!("the editor `{editor}` failed: {detail}"),
            CliError::EmptyText => "aborted: the text is empty".into(),
            CliError::Mail { detail } => format!("mail not delivered: {detail}"),
            CliError::Usage { message, .. } => message.clone(),
        }
    }

    fn hint(&self) -> Option<String> {
        use longhand::Error::*;
        let text = match self {
            CliError::Library(error) => match error {
                NoRoot { .. } => "run longhand inside a discussion (a directory holding longhand.yaml), or pass -C <DIR>; `longhand init` makes one",
                NoRootInRevision { .. } => "check that the revision contains the discussion; in a bare repository it must be at the top of the tree",
                MissingConfig { .. } => "a discussion root holds longhand.yaml: run `longhand init` there, or point -C at the discussion",
                RootNotAFile { .. } => "make longhand.yaml a regular file",
                BadRevision { .. } => "check the revision with `git rev-parse <REV>`",
                NotARepository { .. } => "--rev reads git history: run inside a clone or a bare repository, or pass -C <DIR>",
                Io { .. } => "check that the path exists and is readable",
                CannotWrite { .. } => "check free disk space and the permissions of the directory, then run the command again",
                Lookup(LookupError::NotFound { kind: "thread", .. }) => "`longhand list` shows every thread with its slug",
                Lookup(LookupError::NotFound { .. }) => "`longhand decision list` shows every decision with its slug",
                Lookup(LookupError::Ambiguous { .. }) => "type more of the slug or id",
                Lookup(LookupError::Unreadable { .. }) => "run `longhand validate` and fix its file first",
                BadQuery(_) => "search for words, \"quoted phrases\" and filters author:, tag:, status:, in:thread|reply|decision, before:, after:; `longhand search --help` explains them",
                UnknownMessage { .. } => "`longhand show <THREAD>` shows the ids of its messages",
                UnknownPerson { .. } => "use a handle from longhand.yaml's people, or an email",
                BadDeadline { .. } => "write a date (2026-12-01), a timestamp (2026-12-01T17:00:00+01:00) or a span from now (90m, 72h, 3d, 2w)",
                BadValue { .. } => "see `--help` for the accepted values",
                EmptyText => "write some text with -m, -F or the editor",
                ObjectionWithoutReason => "add the reason with -m \"…\"; an objection must say why",
                Transition { .. } => "threads go open → resolved | closed → open; decisions go proposed → accepted | rejected | withdrawn, accepted → superseded",
                NotClean { .. } => "run `longhand validate` and fix the file first",
                Uncommitted { .. } => "commit or stash your own changes to that file first (`git stash`), then run the command again",
                NothingToChange { .. } => "the file already says that; `longhand show` shows what it says",
                NoIdentity { .. } => "set it with `git config user.name \"Your Name\"` and `git config user.email you@example.org`",
                Busy { .. } => "commit the written files with `git add` and `git commit`, or run the command again",
                GitLocked { .. } => "a git command is running, or one was killed while it held the lock: when none is running, remove the `.lock` file git names, then `git commit` the staged files or run the command again",
                Locked { .. } => "commit the written files with `git add` and `git commit` once the other command has finished (or remove them and run the command again); LONGHAND_LOCK_WAIT sets how many seconds to wait",
                Exists { .. } => "run the command again; a new id is drawn each time",
                ForeignChange => "compute the change from the context of the transaction that writes it",
                OverLimit { .. } => "shorten the text or break its long lines; put large material in an attachment and link to it",
                Refused { .. } => "links are never followed; write inside the discussion root",
                AttachmentRefused { .. } => "attach regular files (not links or directories) whose names do not start with `.`; see docs/attachments.md",
                AttachmentTooLarge { .. } => "store large files with Git LFS (`git lfs track \"threads/**/*.mp4\"`, then copy the file into the reply's folder and `git add` it), or raise `policy.attachment-limit` in longhand.yaml",
                NotModerator { .. } => "ask a moderator (a person with `roles: [moderator]` in longhand.yaml) to do it",
                NotPermitted { .. } => "ask them to do it, or say what you want in a reply instead",
                NotReady { .. } => "`longhand decision show <DECISION>` shows the votes and where it stands; wait for the review period, answer the objection in the thread, or ask a moderator (--override \"<reason>\")",
                AmbiguousVote { .. } => "add --on <DECISION> naming the decision the vote is for",
                SigningRequired { .. } => "see docs/signing.md: generate a key, `git config gpg.format ssh`, `git config user.signingkey <key>`, and have a moderator list it (`longhand person set <you> --key <file.pub>`)",
                Signing { .. } => "check that `ssh-keygen -Y sign -n longhand -f <user.signingkey>` works here (an agent-held key needs ssh-agent running; a key with a passphrase needs the agent)",
                UnknownReply { .. } => "`longhand show <THREAD>` shows the ids of its messages; type more of the id",
                OutputNotASite { .. } => "choose a new or empty directory with --out; a directory longhand rendered before is replaced",
                NoUpstream { .. } => "set one with `git push -u <remote> <branch>` (or `git branch --set-upstream-to <remote>/<branch>`), or name a remote: `longhand sync --remote origin`",
                Dirty { .. } => "commit your changes (`git add` and `git commit`, or let a longhand command write them), or put them aside with `git stash`, then `longhand sync` again",
                GitCommand { .. } => "check the remote and the network with `git fetch` or `git push`, then `longhand sync` again",
                SyncGaveUp { .. } => "run `longhand sync` again in a moment",
                Git(_) => "git could not do it: check the repository with `git status` and `git fsck`, then run the command again",
                _ => return None,
            },
            CliError::NotInRepository => "run `git init` first, or set GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL",
            CliError::Editor { .. } => "set $VISUAL or $EDITOR to an editor that waits for the file to close, or pass -m",
            CliError::EmptyText => "nothing was written; write the text in the editor, or pass it with -m or -F",
            CliError::Usage { hint, .. } => hint,
            CliError::Mail { .. } => "check git's sendemail.sendmailCmd (or that `sendmail` is installed and configured), and that the --mbox file can be written; nothing is retried",
            CliError::ReadText { .. } => "check the path; `-F -` reads the text from standard input",
            CliError::Output(_) => "check that standard output can be written (a full disk, a closed file)",
        };
        Some(text.to_owned())
    }

    /// Prints the error and its hint to stderr and returns the exit code.
    pub fn report(&self) -> ExitCode {
        if let CliError::Output(e) = self {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return ExitCode::from(EXIT_OK);
            }
        }
        // Messages can quote names and values from the repository: never echo control bytes.
        eprintln!("longhand: error: {}", sanitize(&self.message()));
        if let Some(hint) = self.hint() {
            eprintln!("  help: {}", sanitize(&hint.to_string()));
        }
        ExitCode::from(EXIT_CANNOT_RUN)
    }
}
