//! `longhand digest`: what happened since a time, a git revision or the reader's last read,
//! and what waits for them — as text, Markdown, an HTML page, JSON, or mail (one message on
//! standard output, an mbox file, or handed to the mail transfer agent).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use jiff::tz::TimeZone;
use jiff::Timestamp;
use longhand::mail::{mbox, LineEnding, Mailbox};
use longhand::marks::{LastRead, Marks};
use longhand::model::{Config, Discussion, Who};
use longhand::read::digest::{self as reading, Digest, Since};
use longhand::read::inbox::awaiting;
use longhand::read::listing::Listing;
use longhand::render::digest::{self as rendering, Envelope, Format, Options, Site};
use longhand::render::site::Pages;
use longhand::source::{changed_threads, SomeThreads};
use longhand::{load, GitTree, WorkTree};

use super::reading::{reader_reference, whose};
use crate::cli_error::{CliError, EXIT_OK};
use crate::clock::Clock;
use crate::commands::read_discussion;
use crate::environment::cache_enabled;
use crate::output::json::{write_json, JsonDigest};

/// What happened since WHEN, REV or your last read: new threads, replies, decisions — and
/// what waits for you.
///
/// WHEN is an RFC 3339 timestamp, a date (the start of that day in your time zone) or a span
/// back from now (90m, 24h, 7d, 2w); it is compared with the dates written in the files (a
/// decision's status change by its `decided`). `last` is what changed since you last ran
/// `digest --mark-read` in this clone: the discussion at the commit of that mark is compared
/// with the work tree, so every status change and every reply that arrived since is seen,
/// whatever its date (without a mark: the last 7 days). Any other value is a git revision,
/// compared the same way. Only --mark-read moves the mark; the marks are kept in the clone
/// (`.git/longhand/marks/`), never committed.
///
/// Without --for, the waiting section is for the person whose email is GIT_AUTHOR_EMAIL,
/// else git's user.email; it is what `longhand inbox` shows (items marked done left out).
///
/// Mail: --format email writes one RFC 5322 message (plain text and HTML) to the person's
/// email in longhand.yaml, from --from or git's user.name and user.email. --mbox FILE appends
/// one message per person of the roster (or the --for person) to an mboxrd file; --send hands
/// each to the mail transfer agent as `git send-email` does: git's sendemail.sendmailCmd when
/// set (run by `sh -c`, with `-i` and the recipient), else `sendmail -i -t`. No password is
/// read or stored: the MTA is configured outside Longhand.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand digest --since 7d\n  \
longhand digest --since last --mark-read\n  \
longhand digest --since 2026-11-24 --for jonas --format html > digest.html\n  \
longhand digest --since last --for jonas --format email > digest.eml\n  \
longhand digest --since 1d --mbox digests.mbox\n  \
longhand digest --since last --mark-read --send\n  \
longhand digest --since v1.0 --rev main --format json")]
pub struct Args {
    /// From when: a timestamp, a date, a span (7d), `last` (your last --mark-read), or a git
    /// revision.
    #[arg(long, value_name = "WHEN|REV|last")]
    since: String,

    /// Whose waiting items to show (and whom to mail): a handle from longhand.yaml, or an email.
    #[arg(long = "for", value_name = "WHO")]
    who: Option<String>,

    /// Record this digest's instant and commit as the reader's last read (of every person
    /// mailed with --mbox or --send), for --since last.
    #[arg(long)]
    mark_read: bool,

    /// Read the discussion at this git revision instead of the work tree (a bare repository
    /// needs it).
    #[arg(long, value_name = "REV")]
    rev: Option<String>,

    /// Where the discussion is inside the repository's tree, for revisions (default: the
    /// directory found upward in the work tree; in a bare repository, the top).
    #[arg(long, value_name = "DIR")]
    root: Option<String>,

    /// Link threads and decisions to their pages in the site `longhand render` wrote,
    /// published at URL (http or https).
    #[arg(long, value_name = "URL")]
    site_url: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DigestFormat::Text)]
    format: DigestFormat,

    /// The sender of mail: `Name <address>` or an address (default: git's user.name and
    /// user.email).
    #[arg(long, value_name = "ADDRESS")]
    from: Option<String>,

    /// Append one mail per person of the roster (or the --for person) to FILE, in mboxrd
    /// format; of the roster, only those with something new or waiting.
    #[arg(long, value_name = "FILE")]
    mbox: Option<std::path::PathBuf>,

    /// Hand one mail per person of the roster (or the --for person) to the mail transfer
    /// agent: git's sendemail.sendmailCmd, else `sendmail -i -t`; of the roster, only those
    /// with something new or waiting.
    #[arg(long)]
    send: bool,
}

/// How `longhand digest` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DigestFormat {
    /// Plain text, starting with a `Subject:` line.
    Text,
    /// Markdown.
    #[value(alias = "markdown")]
    Md,
    /// A self-contained HTML document for an email (inline styles, no scripts).
    Html,
    /// One JSON object (`longhand/digest/v1`, docs/cli-json.md).
    Json,
    /// One RFC 5322 message (multipart/alternative: text and HTML), for the --for person.
    Email,
}

/// A discussion read from a git revision (only the threads in `keep`, when given), warning
/// about what could not be read.
fn read_revision(
    start: &Path,
    rev: &str,
    root: Option<&str>,
    keep: Option<&BTreeSet<String>>,
) -> Result<(Discussion, Option<String>), CliError> {
    let source = GitTree::discover(start, rev, root)?;
    let commit = source.commit().map(|c| format!("{c:.7}"));
    let loaded = match keep {
        Some(keep) => load(&SomeThreads::new(&source, keep))?,
        None => load(&source)?,
    };
    Ok((super::readable(loaded), commit))
}

/// How far back `--since last` looks without a mark.
const FIRST_WINDOW: &str = "7d";

/// Where a digest counts from, resolved for one reader.
enum From {
    Instant(Timestamp),
    LastRead(LastRead),
    Revision(String),
}

/// The commit `HEAD` of the repository around `start` is at, in full.
fn head_commit(start: &Path) -> Option<String> {
    let repo = git2::Repository::discover(start).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}

struct Run<'a> {
    start: &'a Path,
    args: &'a Args,
    clock: &'a Clock,
    after: &'a Discussion,
    listing: &'a Listing,
    marks: &'a Marks,
    /// The threads `after` was narrowed to, when it was (the earlier side is read alike).
    keep: Option<&'a BTreeSet<String>>,
}

/// Where the digest of `who` counts from: `--since` as a time or a revision, or for `last`
/// their mark in this clone (without one, the last [`FIRST_WINDOW`], said on standard error).
fn from_of(args: &Args, clock: &Clock, marks: &Marks, who: Option<&Who>) -> From {
    if args.since == "last" {
        let mark = who.and_then(|who| marks.last_read(who));
        return match mark {
            Some(mark) => From::LastRead(mark.clone()),
            None => {
                if let Some(who) = who {
                    eprintln!(
                        "longhand: note: {} has not marked a digest read in this clone (--mark-read): showing the last {FIRST_WINDOW}",
                        who.as_str()
                    );
                }
                let since =
                    reading::parse_since(FIRST_WINDOW, clock.now, &clock.zone).unwrap_or(clock.now);
                From::Instant(since)
            }
        };
    }
    match reading::parse_since(&args.since, clock.now, &clock.zone) {
        Some(since) => From::Instant(since),
        None => From::Revision(args.since.clone()),
    }
}

/// The entries of `threads/` a digest from `froms` can show, read from the work tree at
/// `root`: those active since an instant (their latest message, from the cache's listing),
/// and those that differ from a revision's (git's diff and status). `None` when one of them
/// cannot be told: then every thread is read.
fn threads_to_read(root: &Path, listing: &Listing, froms: &[From]) -> Option<BTreeSet<String>> {
    let mut keep = BTreeSet::new();
    let active_since = |since: Timestamp, keep: &mut BTreeSet<String>| {
        keep.extend(
            listing
                .threads
                .iter()
                .filter(|e| e.last_activity.instant >= since)
                .map(|e| e.thread.slug.clone()),
        );
    };
    for from in froms {
        match from {
            From::Instant(since) => active_since(*since, &mut keep),
            From::LastRead(mark) => {
                // What was committed since the mark, and what is dated since it: edits of
                // the work tree not yet committed (rare: every command commits) show once
                // committed, which spares a look at every file.
                active_since(mark.at, &mut keep);
                if let Some(commit) = &mark.commit {
                    if let Ok(Some(changed)) = changed_threads(root, commit, false) {
                        keep.extend(changed);
                    }
                }
            }
            From::Revision(rev) => keep.extend(changed_threads(root, rev, true).ok()??),
        }
    }
    Some(keep)
}

impl Run<'_> {
    /// The digest for `who` from `from`; `before` keeps the earlier discussion alive.
    fn digest<'d>(
        &self,
        from: &From,
        before: &'d mut Option<Discussion>,
        who: Option<&Who>,
    ) -> Result<Digest<'d>, CliError>
    where
        Self: 'd,
    {
        let after: &'d Discussion = self.after;
        let listing: &'d Listing = self.listing;
        let now = self.clock.now;
        let digest = match from {
            From::Instant(since) => reading::since_instant(after, *since, now),
            From::LastRead(mark) => {
                let at_commit = mark.commit.as_deref().and_then(|commit| {
                    read_revision(self.start, commit, self.args.root.as_deref(), self.keep).ok()
                });
                match at_commit {
                    Some((discussion, short)) => {
                        let since = Since::LastRead {
                            at: mark.at,
                            commit: short,
                        };
                        *before = Some(discussion);
                        match before {
                            Some(before) => reading::between(before, after, since, now),
                            None => reading::since_instant(after, mark.at, now),
                        }
                    }
                    None => {
                        let mut digest = reading::since_instant(after, mark.at, now);
                        digest.since = Since::LastRead {
                            at: mark.at,
                            commit: None,
                        };
                        digest
                    }
                }
            }
            From::Revision(rev) => {
                let (discussion, commit) = read_revision(self.start, rev, self.args.root.as_deref(), self.keep).map_err(|e| match e {
                    CliError::Library(longhand::Error::BadRevision { .. })
                    | CliError::Library(longhand::Error::NotARepository { .. }) => CliError::usage(
                        format!("`{rev}` is neither a time nor a git revision"),
                        "give a timestamp (2026-11-24T09:00:00Z), a date (2026-11-24), a span back from now (24h, 7d, 2w), `last`, or a revision (main~10, v1.0, origin/main@{1.week.ago})",
                    ),
                    other => other,
                })?;
                *before = Some(discussion);
                let since = Since::Revision {
                    name: rev.clone(),
                    commit,
                };
                match before {
                    Some(before) => reading::between(before, after, since, now),
                    None => reading::since_instant(after, now, now),
                }
            }
        };
        Ok(match who {
            Some(who) => {
                let done = self.marks.done(who);
                digest.with_awaiting(awaiting(listing, who, now, &done))
            }
            None => digest,
        })
    }
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    if let Some(url) = &args.site_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(CliError::usage(
                format!("--site-url `{url}` is not an http or https URL"),
                "give the address the site is published at, such as https://example.org/team/",
            ));
        }
    }
    let mailing = args.mbox.is_some() || args.send;
    if mailing && args.format != DigestFormat::Text && args.format != DigestFormat::Email {
        return Err(CliError::usage(
            "--mbox and --send write mail: --format does not apply",
            "leave out --format, or write one mail to standard output with --format email",
        ));
    }
    let root = longhand::find_root(start).ok();
    let marks = root.as_deref().map(Marks::load).unwrap_or_default();
    // From the work tree, through the list cache (what awaits the reader) and only the
    // threads that can be in the digest; otherwise the whole discussion.
    let narrow = match (&root, &args.rev, &args.site_url) {
        (Some(root), None, None) if cache_enabled() => Some(root.clone()),
        _ => None,
    };
    let cached: Option<Listing> = match &narrow {
        Some(root) => Some(longhand::cache::listing_watched(root, true)?.0),
        None => None,
    };
    let full: Option<Discussion> = match (&cached, &args.rev) {
        (Some(_), _) => None,
        (None, Some(rev)) => Some(read_revision(start, rev, args.root.as_deref(), None)?.0),
        (None, None) => Some(read_discussion(start)?),
    };
    let config = match (&cached, &full) {
        (Some(listing), _) => listing.config.as_ref(),
        (None, Some(discussion)) => discussion.config.as_ref(),
        (None, None) => None,
    };
    let readers: Vec<Option<Who>> = if mailing {
        match &args.who {
            Some(reference) => vec![Some(whose(config, reference)?)],
            None => config
                .map(|c| {
                    c.people
                        .keys()
                        .map(|h| Some(Who::Person(h.clone())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    } else {
        let reference = reader_reference(args.who.as_deref(), start).ok();
        vec![match &reference {
            Some(reference) => Some(whose(config, reference)?),
            None if args.format == DigestFormat::Email => {
                return Err(CliError::usage(
                    "whom is the mail for? no --for and no git user.email",
                    "pass --for with a handle from longhand.yaml",
                ))
            }
            None => {
                eprintln!("longhand: note: no --for and no git user.email: the digest has no \"waiting for you\" section");
                None
            }
        }]
    };
    let froms: Vec<From> = readers
        .iter()
        .map(|who| from_of(args, &clock, &marks, who.as_ref()))
        .collect();
    let keep = match (&narrow, &cached) {
        (Some(root), Some(listing)) => threads_to_read(root, listing, &froms),
        _ => None,
    };
    let (after, listing) = match (full, cached, &narrow) {
        (Some(discussion), _, _) => {
            let listing = Listing::of_discussion(&discussion, 0);
            (discussion, listing)
        }
        (None, Some(listing), Some(root)) => {
            let tree = WorkTree::new(root);
            let loaded = match &keep {
                Some(keep) => load(&SomeThreads::new(&tree, keep))?,
                None => load(&tree)?,
            };
            if listing.errors > 0 {
                crate::output::reading::warn_unreadable(listing.errors);
            }
            (loaded.discussion, listing)
        }
        _ => (read_discussion(start)?, Listing::default()),
    };
    let config = after.config.as_ref();
    let run = Run {
        start,
        args,
        clock: &clock,
        after: &after,
        listing: &listing,
        marks: &marks,
        keep: keep.as_ref(),
    };
    let pages = args.site_url.as_ref().map(|_| Pages::new(&after));
    let site = || {
        args.site_url
            .as_deref()
            .zip(pages.as_ref())
            .map(|(base_url, pages)| Site { base_url, pages })
    };
    if mailing {
        let people: Vec<(Who, From)> = readers
            .into_iter()
            .zip(froms)
            .filter_map(|(who, from)| who.map(|who| (who, from)))
            .collect();
        return mail_everyone(&run, root.as_deref(), &site, people);
    }
    let (who, from) = match (readers.into_iter().next(), froms.into_iter().next()) {
        (Some(who), Some(from)) => (who, from),
        _ => return Err(CliError::usage("whose digest?", "pass --for with a handle")),
    };
    let mut before = None;
    let digest = run.digest(&from, &mut before, who.as_ref())?;
    let options = Options::new(config, &clock.zone).site(site());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        DigestFormat::Text => {
            out.write_all(rendering::render(&digest, &options, Format::Text).as_bytes())?
        }
        DigestFormat::Md => {
            out.write_all(rendering::render(&digest, &options, Format::Markdown).as_bytes())?
        }
        DigestFormat::Html => {
            out.write_all(rendering::render(&digest, &options, Format::Html).as_bytes())?
        }
        DigestFormat::Json => {
            let subject = rendering::subject(&digest, &options);
            write_json(&mut out, &JsonDigest::new(&digest, &after, subject))?;
        }
        DigestFormat::Email => {
            let who = who.as_ref().ok_or_else(|| {
                CliError::usage("whom is the mail for?", "pass --for with a handle")
            })?;
            let to = recipient(config, who).ok_or_else(|| no_email(who))?;
            let zone = reader_zone(config, who, &clock.zone);
            let options = Options::new(config, &zone).site(site());
            let sender = sender(start, args.from.as_deref())?;
            let message = rendering::email(&digest, &options, &Envelope::new(&sender, &to));
            out.write_all(message.write(LineEnding::Crlf).as_bytes())?;
        }
    }
    out.flush()?;
    if args.mark_read {
        if let (Some(who), Some(root)) = (&who, &root) {
            let mut marks = marks.clone();
            marks.set_last_read(who, LastRead::new(clock.now, head_commit(start)));
            marks.save(root)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// The person's first email in the roster (or the email itself), with their name.
fn recipient(config: Option<&Config>, who: &Who) -> Option<Mailbox> {
    match who {
        Who::Person(handle) => {
            let person = config?.people.get(handle)?;
            let email = person.emails.first()?;
            Some(Mailbox::new(Some(&person.name), email))
        }
        Who::Email(email) => Some(Mailbox::new(None, email)),
    }
}

fn no_email(who: &Who) -> CliError {
    CliError::usage(
        format!("`{}` has no email in longhand.yaml", who.as_str()),
        "add one under `emails` for that person, or pass --for with an email",
    )
}

/// The person's time zone from the roster when it names one, else the reader's.
fn reader_zone(config: Option<&Config>, who: &Who, fallback: &TimeZone) -> TimeZone {
    who.handle()
        .and_then(|h| config?.people.get(h)?.timezone.as_deref())
        .and_then(|name| jiff::tz::db().get(name).ok())
        .unwrap_or_else(|| fallback.clone())
}

/// The sender: `--from`, else the writer's identity (GIT_AUTHOR_*, else git's user.name and
/// user.email).
fn sender(start: &Path, from: Option<&str>) -> Result<Mailbox, CliError> {
    if let Some(from) = from {
        let from = from.trim();
        return Ok(match from.rsplit_once('<') {
            Some((name, rest)) => Mailbox::new(
                Some(name.trim().trim_matches('"')),
                rest.trim_end_matches('>'),
            ),
            None => Mailbox::new(None, from),
        });
    }
    let author = crate::identity::writer(start).map_err(|_| {
        CliError::usage(
            "who sends the mail? git's user.email is not set here",
            "pass --from \"Name <address>\", or set `git config user.email`",
        )
    })?;
    Ok(Mailbox::new(Some(&author.name), &author.email))
}

/// `--mbox` and `--send`: one mail per person (the --for person, or everyone of the roster
/// with an email).
fn mail_everyone<'s>(
    run: &Run,
    root: Option<&Path>,
    site: &dyn Fn() -> Option<Site<'s>>,
    people: Vec<(Who, From)>,
) -> Result<ExitCode, CliError> {
    let args = run.args;
    let config = run.after.config.as_ref();
    let sender = sender(run.start, args.from.as_deref())?;
    let sendmail_cmd = if args.send {
        Some(sendmail_command(run.start))
    } else {
        None
    };
    let mut mbox_text = String::new();
    let mut marks = run.marks.clone();
    let head = head_commit(run.start);
    let mut sent = 0;
    let mut quiet = 0;
    for (who, from) in &people {
        let Some(to) = recipient(config, who) else {
            eprintln!(
                "longhand: note: {} has no email in longhand.yaml: no mail",
                who.as_str()
            );
            continue;
        };
        let mut before = None;
        let digest = run.digest(from, &mut before, Some(who))?;
        if args.mark_read {
            marks.set_last_read(who, LastRead::new(run.clock.now, head.clone()));
        }
        // Mailing the whole roster, nobody gets a mail that says nothing.
        let nothing = digest.is_quiet() && digest.awaiting.as_ref().is_none_or(|a| a.is_empty());
        if nothing && args.who.is_none() {
            quiet += 1;
            continue;
        }
        let zone = reader_zone(config, who, &run.clock.zone);
        let options = Options::new(config, &zone).site(site());
        let message = rendering::email(&digest, &options, &Envelope::new(&sender, &to));
        let text = message.write(LineEnding::Lf);
        if args.mbox.is_some() {
            mbox_text.push_str(&mbox::entry(&text, &sender.address, run.clock.now));
        }
        if let Some(command) = &sendmail_cmd {
            send(command, &text, &to.address)?;
        }
        sent += 1;
    }
    if let Some(path) = &args.mbox {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| CliError::Mail {
                detail: format!("cannot open {}: {e}", path.display()),
            })?;
        file.write_all(mbox_text.as_bytes())
            .map_err(|e| CliError::Mail {
                detail: format!("cannot write {}: {e}", path.display()),
            })?;
    }
    if args.mark_read {
        if let Some(root) = root {
            marks.save(root)?;
        }
    }
    let verb = match (args.mbox.is_some(), args.send) {
        (true, true) => "appended and sent",
        (true, false) => "appended",
        _ => "sent",
    };
    let skipped = match quiet {
        0 => String::new(),
        1 => " (1 person had nothing new and nothing waiting)".to_owned(),
        n => format!(" ({n} people had nothing new and nothing waiting)"),
    };
    eprintln!(
        "longhand: {verb} {sent} {}{skipped}",
        if sent == 1 { "mail" } else { "mails" }
    );
    Ok(ExitCode::from(EXIT_OK))
}

/// How mail is handed over, as `git send-email` does it.
enum Sendmail {
    /// git's `sendemail.sendmailCmd`, run by `sh -c` with `-i` and the recipient.
    Configured(String),
    /// `sendmail -i -t`: the recipients from the message's headers.
    Default,
}

fn sendmail_command(start: &Path) -> Sendmail {
    let configured = git2::Repository::discover(start)
        .and_then(|repo| repo.config())
        .or_else(|_| git2::Config::open_default())
        .and_then(|mut config| config.snapshot())
        .and_then(|config| config.get_string("sendemail.sendmailCmd"))
        .ok()
        .filter(|c| !c.trim().is_empty());
    match configured {
        Some(command) => Sendmail::Configured(command),
        None => Sendmail::Default,
    }
}

fn send(sendmail: &Sendmail, message: &str, recipient: &str) -> Result<(), CliError> {
    let mut command = match sendmail {
        Sendmail::Configured(line) => {
            let mut command = Command::new("sh");
            command
                .arg("-c")
                .arg(format!("{line} \"$@\""))
                .arg(line)
                .arg("-i")
                .arg(recipient);
            command
        }
        Sendmail::Default => {
            let mut command = Command::new(default_sendmail());
            command.arg("-i").arg("-t");
            command
        }
    };
    let mut child = command
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| CliError::Mail {
            detail: format!("cannot start the mail transfer agent: {e}"),
        })?;
    // A program that exits without reading closes the pipe: its exit status says more than
    // the broken pipe, so it is waited for first.
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(message.as_bytes()),
        None => Ok(()),
    };
    let status = child.wait().map_err(|e| CliError::Mail {
        detail: format!("the mail transfer agent failed: {e}"),
    })?;
    if !status.success() {
        return Err(CliError::Mail {
            detail: format!("the mail transfer agent exited with {status} for {recipient}"),
        });
    }
    written.map_err(|e| CliError::Mail {
        detail: format!("cannot hand the mail over: {e}"),
    })
}

/// `sendmail` on the PATH, else where git send-email looks: /usr/sbin, /usr/lib.
fn default_sendmail() -> std::path::PathBuf {
    let on_path = crate::environment::path_dirs()
        .into_iter()
        .map(|dir| dir.join("sendmail"))
        .find(|p| p.is_file());
    on_path
        .or_else(|| {
            ["/usr/sbin/sendmail", "/usr/lib/sendmail"]
                .iter()
                .map(std::path::PathBuf::from)
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| "sendmail".into())
}
