//! The one way to write and commit: a [`Transaction`] holds the repository's write lock from
//! loading the discussion to committing the change, reads the clock once, and runs every check
//! before a byte is written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use git2::Oid;

use crate::load::{record, Place, Record as Kind};
use crate::model::{Author, Authorship, Discussion, Moment, Who};
use crate::signature::Signer;
use crate::source::WorkTree;
use crate::validate::Signable;
use crate::write::atomic::Mode;
use crate::write::commit::{configured_identity, Repo, WriteLock, DEFAULT_LOCK_WAIT};
use crate::write::ops::FileWrite;
use crate::write::ops::{Change, Context};
use crate::{find_root, load, validate, Diagnostic, Error, Result};

/// How a [`Transaction`] is opened: who writes, when, and how long it waits for another
/// writer's lock. Build it with [`Settings::new`] (or `Default`) and the setters.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    /// How long to wait for another writer's lock (`.git/longhand.lock`) before giving up
    /// with [`Error::Locked`]; 60 seconds by default.
    pub lock_wait: Duration,
    /// The instant of the change, with the writer's offset: the `date` or `decided` the
    /// files record and the commit's time. `None` reads the clock once, in UTC, when the
    /// transaction opens.
    pub now: Option<Moment>,
    /// Who writes and commits. `None` takes the identity git is configured with in the
    /// repository (`user.name`, `user.email`).
    pub author: Option<Author>,
    /// What signs each message file the change writes (spec section 15.6); `None` signs
    /// nothing (and a change to a signed file drops its stale signature). Required where
    /// `policy.authorship` is `signed`. The library starts no process of its own: a signer
    /// that runs one ([`crate::signature::SshKeygen`]) is the caller's choice.
    pub signer: Option<Arc<dyn Signer>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lock_wait: DEFAULT_LOCK_WAIT,
            now: None,
            author: None,
            signer: None,
        }
    }
}

impl Settings {
    /// The defaults: a 60-second lock wait, the clock read once, git's configured identity.
    pub fn new() -> Settings {
        Settings::default()
    }

    /// Waits up to `wait` for another writer's lock.
    pub fn lock_wait(mut self, wait: Duration) -> Settings {
        self.lock_wait = wait;
        self
    }

    /// Dates the change (files and commit) at `now`.
    pub fn now(mut self, now: Moment) -> Settings {
        self.now = Some(now);
        self
    }

    /// Writes and commits as `author`.
    pub fn author(mut self, author: Author) -> Settings {
        self.author = Some(author);
        self
    }

    /// Signs every message file the change writes with `signer`.
    pub fn signer(mut self, signer: Arc<dyn Signer>) -> Settings {
        self.signer = Some(signer);
        self
    }
}

/// How a written change is recorded in git.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// Committed on top of HEAD (and staged, so `git status` is clean for its files).
    Commit,
    /// Only staged: the user commits (for example with `git commit -S`).
    Stage,
}

/// What a finished transaction did in git.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Recorded {
    /// The files were committed as this commit.
    Committed(Oid),
    /// The files were staged, not committed.
    Staged,
    /// The discussion is not in a git work tree: the files were written, nothing else.
    NotInRepository,
}

/// The repository side of a write: the lock, the writer, the instant. Shared by
/// [`Transaction`] and [`crate::write::init`].
pub(crate) struct Writer {
    repo: Option<Repo>,
    /// Held from opening to recording; `None` outside a repository.
    lock: Option<WriteLock>,
    author: Option<Author>,
    now: Moment,
}

impl Writer {
    /// Finds the repository around `root`, takes its write lock, settles the writer (from
    /// `settings`, else git's config; `None` when neither says) and reads the clock once.
    pub(crate) fn open(root: &Path, settings: &Settings) -> Result<Writer> {
        let repo = Repo::for_root(root);
        let lock = match &repo {
            Some(repo) => Some(WriteLock::acquire(
                repo.repository().path(),
                settings.lock_wait,
            )?),
            None => None,
        };
        let author = match (&settings.author, &repo) {
            (Some(author), _) => Some(author.clone()),
            (None, Some(repo)) => configured_identity(repo.repository()).ok(),
            (None, None) => None,
        };
        let now = settings.now.clone().unwrap_or_else(utc_now);
        Ok(Writer {
            repo,
            lock,
            author,
            now,
        })
    }

    /// The repository, when there is one.
    pub(crate) fn repository(&self) -> Option<&git2::Repository> {
        self.repo.as_ref().map(Repo::repository)
    }

    /// The writer, when known.
    pub(crate) fn author(&self) -> Option<&Author> {
        self.author.as_ref()
    }

    /// Refuses with [`Error::Uncommitted`] when a file the change rewrites differs from HEAD.
    pub(crate) fn ensure_unchanged(&self, paths: &[String]) -> Result<()> {
        match &self.repo {
            Some(repo) => repo.ensure_unchanged(paths),
            None => Ok(()),
        }
    }

    /// Commits or stages `paths` with `message`, under the lock taken at opening.
    pub(crate) fn record(&self, paths: &[String], message: &str, how: Record) -> Result<Recorded> {
        let (Some(repo), Some(lock)) = (&self.repo, &self.lock) else {
            return Ok(Recorded::NotInRepository);
        };
        match how {
            Record::Stage => {
                repo.stage(paths, lock)?;
                Ok(Recorded::Staged)
            }
            Record::Commit => {
                let author = self.author.as_ref().ok_or_else(no_identity)?;
                let oid = repo.commit(paths, message, author, &self.now, lock)?;
                Ok(Recorded::Committed(oid))
            }
        }
    }
}

/// The current instant, in whole seconds (as files and commits record it), in UTC.
fn utc_now() -> Moment {
    let now = jiff::Timestamp::now();
    Moment {
        instant: jiff::Timestamp::from_second(now.as_second()).unwrap_or(now),
        offset: jiff::tz::Offset::UTC,
    }
}

fn no_identity() -> Error {
    Error::NoIdentity {
        message: "not in a git repository, and no author given".into(),
    }
}

/// One write to a discussion, from loading it to committing the change — the only way the
/// library commits.
///
/// [`Transaction::open`] finds the discussion root, takes the repository's write lock
/// (`.git/longhand.lock`, waiting up to [`Settings::lock_wait`]), then loads and validates the
/// discussion, settles who writes and reads the clock once. The lock is held until the
/// transaction is finished or dropped, so no other longhand writer changes the discussion
/// between the checks and the commit. Keep a transaction short: do slow work (asking a person
/// for text) before opening it, as a lock older than two minutes is taken for one left by a
/// dead process. Git commands and editors do not take this lock: a file edited behind the
/// transaction's back is caught by the check against HEAD below. An operation of [`crate::write::ops`] turns
/// [`Transaction::context`] and a request into a [`Change`]; [`Transaction::commit`] (or
/// [`Transaction::stage`], or [`Transaction::write`] to report between writing and recording)
/// then:
///
/// 1. signs every thread header, reply and decision it writes with [`Settings::signer`]
///    (spec section 15.6), or drops the stale signature of one it changes when there is no
///    signer; where `policy.authorship` is `signed` it refuses ([`Error::SigningRequired`])
///    without a signer, with a key not listed under the writer, or a file the writer may not
///    sign;
/// 2. refuses to rewrite a file that differs from HEAD ([`Error::Uncommitted`]), so the
///    user's own edits are never swept into the commit;
/// 3. refuses a file over the protocol's size limits ([`Error::OverLimit`]);
/// 4. writes every file atomically, then commits exactly those files on top of HEAD, as the
///    writer, at the transaction's instant — the same instant the files' `date` or `decided`
///    record.
///
/// The history and permission checks (who may edit a thread, move a decision, redact) are
/// applied by the operations themselves, against the discussion loaded under the lock.
///
/// Outside a git work tree the files are written and nothing is committed
/// ([`Recorded::NotInRepository`]).
///
/// Later ways of recording a change go through this type too: committing a tree onto a branch
/// without touching a work tree ("branch mode") would be another [`Record`], and signing a
/// step between building the commit and updating the ref, both under the same lock.
///
/// # Example
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use longhand::model::{Author, Vote};
/// use longhand::write::{init, ops, Record, Recorded, Settings, Transaction};
/// let dir = tempfile::tempdir()?;
/// longhand::git2::Repository::init(dir.path())?;
/// let ana = Settings::new().author(Author::parse("Ana <ana@example.org>").ok_or("author")?);
/// init(dir.path(), "Team", None, ana.clone(), Some(Record::Commit))?;
/// let tx = Transaction::open(dir.path(), ana.clone())?;
/// let thread = ops::new_thread(&tx.context(), &ops::NewThread::new("Standups?", "Shall we?"))?;
/// tx.commit(&thread)?;
/// let tx = Transaction::open(dir.path(), ana)?;
/// let slug = tx.discussion().threads[0].slug.clone();
/// let reply = ops::NewReply::new("Works for me.").vote(Vote::For);
/// let change = ops::reply(&tx.context(), &slug, &reply)?;
/// assert!(matches!(tx.commit(&change)?, Recorded::Committed(_)));
/// # Ok(())
/// # }
/// ```
pub struct Transaction {
    root: PathBuf,
    source: WorkTree,
    discussion: Discussion,
    diagnostics: Vec<Diagnostic>,
    author: Author,
    /// Which transaction this is, so that it writes only the changes its context computed.
    origin: u64,
    signer: Option<Arc<dyn Signer>>,
    /// Last: the lock is released after everything else is dropped.
    writer: Writer,
}

/// True when `bytes` carry a signature that verifies over them.
fn still_signed(bytes: &[u8]) -> bool {
    if memchr::memmem::find(bytes, b"\nsignature:").is_none() {
        return false;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    crate::signature::find(text)
        .is_some_and(|s| matches!(s.verify(), crate::signature::Verdict::Valid(_)))
}

/// Numbers the transactions of this process (a change names the one it came from).
static TRANSACTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Transaction {
    /// Opens the discussion around `start` for one write: finds its root, takes the write
    /// lock, loads and validates it, settles the writer and reads the clock.
    ///
    /// Fails with [`Error::Locked`] when another writer holds the lock longer than
    /// [`Settings::lock_wait`], and with [`Error::NoIdentity`] when no author is given and
    /// git has none configured (or there is no repository).
    pub fn open(start: &Path, settings: Settings) -> Result<Transaction> {
        let root = find_root(start)?;
        let writer = Writer::open(&root, &settings)?;
        let author = match (&writer.author, writer.repository()) {
            (Some(author), _) => author.clone(),
            // Git's own words on why there is no identity.
            (None, Some(repo)) => configured_identity(repo)?,
            (None, None) => return Err(no_identity()),
        };
        let source = WorkTree::new(&root);
        let loaded = load(&source)?;
        let mut diagnostics = loaded.diagnostics;
        // Signatures are not verified here: what the change rewrites it signs anew.
        diagnostics.extend(validate::tree_but_signatures(&loaded.discussion));
        Ok(Transaction {
            root,
            source,
            discussion: loaded.discussion,
            diagnostics,
            author,
            origin: TRANSACTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            signer: settings.signer.clone(),
            writer,
        })
    }

    /// The discussion root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The discussion as loaded under the lock.
    pub fn discussion(&self) -> &Discussion {
        &self.discussion
    }

    /// Every diagnostic of the discussion as loaded (files with errors are never rewritten).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The git repository the discussion is in, when it is in one.
    pub fn repository(&self) -> Option<&git2::Repository> {
        self.writer.repository()
    }

    /// Who writes.
    pub fn author(&self) -> &Author {
        &self.author
    }

    /// The instant of the change: the files' `date` or `decided`, and the commit's time.
    pub fn now(&self) -> &Moment {
        &self.writer.now
    }

    /// What the writing operations read: the discussion, its diagnostics, its files, the
    /// writer and the instant.
    pub fn context(&self) -> Context<'_> {
        Context {
            discussion: &self.discussion,
            diagnostics: &self.diagnostics,
            source: &self.source,
            author: self.author.clone(),
            now: self.writer.now.clone(),
            origin: self.origin,
        }
    }

    /// Refuses with [`Error::SigningRequired`], where `policy.authorship` is `signed`, a
    /// writer that cannot sign: no signer, or a key the roster does not list under the
    /// writer. Ask it before anything slow (an editor) so no work is lost;
    /// [`Transaction::write`] asks it again.
    pub fn may_record(&self, how: Record) -> Result<()> {
        let _ = how;
        let config = self.discussion.config.as_ref();
        let signed = config.is_some_and(|c| c.policy.authorship == Authorship::Signed);
        if !signed {
            return Ok(());
        }
        let Some(signer) = &self.signer else {
            return Err(Error::SigningRequired {
                reason: "no signing key is set up: run `git config gpg.format ssh` and `git config user.signingkey ~/.ssh/id_ed25519.pub` (docs/signing.md)".to_owned(),
            });
        };
        self.signer_is_writer(signer.as_ref()).map(|_| ())
    }

    /// The writer as the roster knows the signer's key: refused unless the key is listed,
    /// under the person the writer's email denotes.
    fn signer_is_writer(&self, signer: &dyn Signer) -> Result<Who> {
        let config = self.discussion.config.as_ref();
        let key = signer.public_key();
        let owner = config.and_then(|c| c.key_owner(key));
        let writer = Who::of_email(config, &self.author.email);
        match owner {
            None => Err(Error::SigningRequired {
                reason: format!(
                    "the signing key {} is not listed in longhand.yaml; ask a moderator to run `longhand person set {} --key <your .pub file>`",
                    key.fingerprint(),
                    writer.handle().unwrap_or("<your handle>")
                ),
            }),
            Some(person) if Who::Person(person.handle.clone()) != writer => {
                Err(Error::SigningRequired {
                    reason: format!(
                        "the signing key {} is `{}`'s in longhand.yaml, but you write as {}",
                        key.fingerprint(),
                        person.handle,
                        self.author
                    ),
                })
            }
            Some(person) => Ok(Who::Person(person.handle.clone())),
        }
    }

    /// Whether `write` adds, byte for byte, a reply that exists under the same name in
    /// another thread: a thread merge moving it (spec section 13.3).
    fn is_move(&self, write: &FileWrite) -> bool {
        let Place::Reply { slug, stem } = Place::of(&write.path) else {
            return false;
        };
        if write.mode != Mode::CreateNew {
            return false;
        }
        self.discussion
            .threads
            .iter()
            .filter(|t| t.slug != slug)
            .flat_map(|t| &t.replies)
            .filter(|r| r.stem == stem)
            .any(|r| {
                matches!(
                    crate::source::Source::read(&self.source, &r.origin.path, crate::document::MAX_FILE_BYTES),
                    Ok(crate::source::Contents::Bytes(bytes)) if bytes == write.bytes
                )
            })
    }

    /// Makes a reply about to be signed name its parent (spec section 15.6, LH805): a reply
    /// without `reply-to` gets `reply-to: <the thread's id>` after its `date`, which means the
    /// same (the opening post) and binds its signature to its thread.
    fn bind_to_thread(&self, change: &Change, write: &mut FileWrite) {
        let Place::Reply { slug, .. } = Place::of(&write.path) else {
            return;
        };
        let Some(Kind::Reply(reply)) = record(&write.path, &write.bytes) else {
            return;
        };
        if reply.reply_to.is_some() {
            return;
        }
        let header = format!("threads/{slug}/thread.md");
        let written = change
            .writes
            .iter()
            .filter(|w| w.path == header && w.mode != Mode::Remove)
            .find_map(|w| match record(&w.path, &w.bytes) {
                Some(Kind::Thread(t)) => Some(t.id.to_string()),
                _ => None,
            });
        let id = written.or_else(|| {
            self.discussion
                .threads
                .iter()
                .find(|t| t.slug == slug)
                .map(|t| t.id.to_string())
        });
        if let Some(id) = id {
            write.bytes = crate::signature::with_reply_to(&write.bytes, &id);
        }
    }

    /// The change's files as they will be written: each thread header, reply and decision
    /// signed (or, with no signer, stripped of a signature it can no longer carry).
    fn signed_writes(&self, change: &Change) -> Result<Vec<FileWrite>> {
        let config = self.discussion.config.as_ref();
        let mut out = Vec::with_capacity(change.writes.len());
        for write in &change.writes {
            let mut write = write.clone();
            let is_message = matches!(
                Place::of(&write.path),
                Place::Thread { .. } | Place::Reply { .. } | Place::Decision { .. }
            );
            // A file whose signature still verifies over what is written (a reply a thread
            // merge moves, byte for byte) is its signer's as it is; so is an unsigned reply
            // moved verbatim (spec section 13.3: a move keeps its bytes).
            if !is_message
                || write.mode == Mode::Remove
                || still_signed(&write.bytes)
                || self.is_move(&write)
            {
                out.push(write);
                continue;
            }
            match &self.signer {
                None => {
                    if memchr::memmem::find(&write.bytes, b"signature:").is_some() {
                        write.bytes = crate::signature::unsigned(&write.bytes);
                    }
                }
                Some(signer) => {
                    let who = self.signer_is_writer(signer.as_ref())?;
                    self.bind_to_thread(change, &mut write);
                    if let Some(parsed) = record(&write.path, &write.bytes) {
                        let signable = match &parsed {
                            Kind::Thread(t) => Signable::Thread(t),
                            Kind::Reply(m) => Signable::Reply(m),
                            Kind::Decision(d) => Signable::Decision(d),
                        };
                        if !crate::validate::may_sign(config, signable, &who) {
                            return Err(Error::SigningRequired {
                                reason: format!(
                                    "`{who}` may not sign {} as it would read (spec section 15.3)",
                                    write.path
                                ),
                            });
                        }
                    }
                    write.bytes = crate::signature::sign_file(&write.bytes, signer.as_ref())
                        .map_err(|source| Error::Signing {
                            path: write.path.clone(),
                            source,
                        })?;
                }
            }
            out.push(write);
        }
        Ok(out)
    }

    /// Checks `change` and writes its files atomically, without recording them in git yet:
    /// [`Written::finish`] does. Nothing is written when a check fails.
    pub fn write(self, change: &Change, how: Record) -> Result<Written> {
        if change.origin != self.origin {
            return Err(Error::ForeignChange);
        }
        self.may_record(how)?;
        let rewrites: Vec<String> = change
            .writes
            .iter()
            .filter(|w| w.mode != Mode::CreateNew)
            .map(|w| w.path.clone())
            .collect();
        self.writer.ensure_unchanged(&rewrites)?;
        // Signing runs before any byte is written: a signer that fails writes nothing.
        let signed = Change {
            writes: self.signed_writes(change)?,
            message: change.message.clone(),
            origin: change.origin,
        };
        super::apply(&self.root, &signed)?;
        Ok(Written {
            paths: change.paths(),
            message: change.message.clone(),
            how,
            writer: self.writer,
        })
    }

    /// Checks, writes and commits `change`.
    pub fn commit(self, change: &Change) -> Result<Recorded> {
        self.write(change, Record::Commit)?.finish()
    }

    /// Checks, writes and stages `change`, leaving the commit to the user.
    pub fn stage(self, change: &Change) -> Result<Recorded> {
        self.write(change, Record::Stage)?.finish()
    }
}

/// A change written to the work tree, not yet recorded in git; the lock is still held.
/// Dropped without [`Written::finish`], the files stay written and uncommitted.
pub struct Written {
    paths: Vec<String>,
    message: String,
    how: Record,
    writer: Writer,
}

impl Written {
    /// The paths written, relative to the discussion root.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }

    /// Commits or stages the written files, as the transaction was asked, and releases the
    /// lock.
    pub fn finish(self) -> Result<Recorded> {
        self.writer.record(&self.paths, &self.message, self.how)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Instant;

    use super::*;
    use crate::source::CONFIG_FILE as CONFIG_NAME_FOR_TESTS;
    use crate::write::init;
    use crate::write::ops::{self, NewThread, ThreadEdit};

    fn ana() -> Author {
        Author::parse("Ana Lima <ana@example.org>").unwrap_or_else(|| unreachable!())
    }

    fn at(text: &str) -> Moment {
        Moment::parse(text).unwrap_or_else(|| unreachable!())
    }

    fn settings() -> Settings {
        Settings::new()
            .author(ana())
            .now(at("2026-11-24T09:30:00-03:00"))
    }

    /// A git repository holding a committed discussion with one thread.
    fn started() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        git2::Repository::init(dir.path()).expect("git init");
        init(dir.path(), "Team", None, settings(), Some(Record::Commit)).expect("init");
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let change = ops::new_thread(&tx.context(), &NewThread::new("Standups", "Shall we?"))
            .expect("thread");
        tx.commit(&change).expect("commit");
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let slug = tx.discussion().threads[0].slug.clone();
        (dir, slug)
    }

    #[test]
    fn the_lock_is_held_from_open_to_commit() {
        let (dir, slug) = started();
        let first = Transaction::open(dir.path(), settings()).expect("open");
        let second =
            Transaction::open(dir.path(), settings().lock_wait(Duration::from_millis(200)));
        assert!(
            matches!(second, Err(Error::Locked { .. })),
            "a second transaction opened while the first held the lock"
        );
        let edit = ThreadEdit::new().add_tag("process");
        let change = ops::edit_thread(&first.context(), &slug, &edit).expect("edit");
        // A writer waiting meanwhile gets the lock once the first has committed.
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let started = Instant::now();
                let tx = Transaction::open(dir.path(), settings()).expect("waits, then opens");
                (started.elapsed(), tx.discussion().threads[0].tags.clone())
            });
            std::thread::sleep(Duration::from_millis(300));
            assert!(matches!(first.commit(&change), Ok(Recorded::Committed(_))));
            let (waited, tags) = waiter.join().expect("waiter");
            assert!(waited >= Duration::from_millis(250), "{waited:?}");
            // It loaded the discussion after the first transaction's commit.
            assert_eq!(tags, ["process"]);
        });
    }

    #[test]
    fn signed_authorship_signs_every_file_and_refuses_without_a_key() {
        let (dir, slug) = started();
        let config = dir.path().join(CONFIG_NAME_FOR_TESTS);
        let text = fs::read_to_string(&config).expect("config");
        let signer = crate::signature::KeySigner::ed25519_from_seed([1; 32]);
        let key = crate::signature::Signer::public_key(&signer).to_openssh();
        let signed = text
            .replace("authorship: commit-author", "authorship: signed")
            .replace(
                "    emails: [ana@example.org]\n",
                &format!("    emails: [ana@example.org]\n    keys: [{key}]\n"),
            );
        assert!(signed.contains("keys:"), "{signed}");
        assert_ne!(text, signed);
        fs::write(&config, signed).expect("write config");
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let edit = ThreadEdit::new().add_tag("process");
        let change = ops::edit_thread(&tx.context(), &slug, &edit).expect("edit");
        let path = dir.path().join("threads").join(&slug).join("thread.md");
        let before = fs::read_to_string(&path).expect("thread");
        assert!(matches!(
            tx.commit(&change),
            Err(Error::SigningRequired { .. })
        ));
        assert_eq!(
            before,
            fs::read_to_string(&path).expect("thread"),
            "nothing is written when signing is impossible"
        );
        // A key listed under someone else is refused too.
        let stranger = crate::signature::KeySigner::ed25519_from_seed([9; 32]);
        let tx =
            Transaction::open(dir.path(), settings().signer(Arc::new(stranger))).expect("open");
        let change = ops::edit_thread(&tx.context(), &slug, &edit).expect("edit");
        assert!(matches!(
            tx.commit(&change),
            Err(Error::SigningRequired { .. })
        ));
        let tx = Transaction::open(dir.path(), settings().signer(Arc::new(signer))).expect("open");
        let change = ops::edit_thread(&tx.context(), &slug, &edit).expect("edit");
        assert!(matches!(tx.commit(&change), Ok(Recorded::Committed(_))));
        let bytes = fs::read(&path).expect("thread");
        assert!(crate::signature::is_signed(&bytes));
        let report = crate::validate::run(&WorkTree::new(dir.path())).expect("validates");
        assert!(report.diagnostics.is_empty(), "{report:?}");
    }

    #[test]
    fn a_file_edited_behind_the_transactions_back_is_not_rewritten() {
        let (dir, slug) = started();
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let edit = ThreadEdit::new().add_tag("process");
        let change = ops::edit_thread(&tx.context(), &slug, &edit).expect("edit");
        let path = dir.path().join("threads").join(&slug).join("thread.md");
        let mut text = fs::read_to_string(&path).expect("thread");
        text.push_str("\nMy own edit.\n");
        fs::write(&path, &text).expect("edit behind its back");
        match tx.commit(&change) {
            Err(Error::Uncommitted { path }) => assert!(path.ends_with("thread.md"), "{path}"),
            other => panic!("expected Uncommitted, got {other:?}"),
        }
        assert_eq!(fs::read_to_string(&path).expect("thread"), text);
    }

    /// An embedder keeps a change checked in one transaction and writes it in a later one,
    /// after another writer changed the same file: it would undo that writer's commit, with
    /// checks made against a state that is gone. It is refused, and the file keeps the later
    /// writer's text.
    #[test]
    fn a_change_from_another_transaction_is_not_written() {
        let (dir, slug) = started();
        let stale = {
            let tx = Transaction::open(dir.path(), settings()).expect("open");
            ops::edit_thread(&tx.context(), &slug, &ThreadEdit::new().title("Old title"))
                .expect("edit")
        };
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let later = ops::edit_thread(&tx.context(), &slug, &ThreadEdit::new().add_tag("process"))
            .expect("edit");
        tx.commit(&later).expect("the later writer commits");
        let path = dir.path().join("threads").join(&slug).join("thread.md");
        let text = fs::read_to_string(&path).expect("thread");
        assert!(text.contains("process"), "{text}");

        let tx = Transaction::open(dir.path(), settings()).expect("open");
        match tx.commit(&stale) {
            Err(Error::ForeignChange) => {}
            other => panic!("expected ForeignChange, got {other:?}"),
        }
        assert_eq!(fs::read_to_string(&path).expect("thread"), text);
        // The change is refused in its own transaction's place too: a copy kept after commit.
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        let own = ops::edit_thread(&tx.context(), &slug, &ThreadEdit::new().add_tag("later"))
            .expect("edit");
        let kept = own.clone();
        tx.commit(&own).expect("commits");
        let tx = Transaction::open(dir.path(), settings()).expect("open");
        assert!(matches!(tx.commit(&kept), Err(Error::ForeignChange)));
    }

    #[test]
    fn the_commit_is_dated_at_the_files_instant() {
        let (dir, _) = started();
        let repo = git2::Repository::open(dir.path()).expect("open");
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        let tx = Transaction::open(dir.path(), Settings::new().author(ana())).expect("open");
        let date = &tx.discussion().threads[0].date;
        assert_eq!(head.time().seconds(), date.instant.as_second());
        assert_eq!(head.time().offset_minutes() * 60, date.offset.seconds());
        assert_eq!(head.author().email().map_err(|_| ()), Ok("ana@example.org"));

        // Read from the clock, the instant is one reading too, in whole seconds.
        let change =
            ops::new_thread(&tx.context(), &NewThread::new("Retro", "When?")).expect("thread");
        let now = tx.now().clone();
        let Recorded::Committed(oid) = tx.commit(&change).expect("commit") else {
            panic!("not committed")
        };
        let commit = repo.find_commit(oid).expect("commit");
        assert_eq!(commit.time().seconds(), now.instant.as_second());
        let tx = Transaction::open(dir.path(), Settings::new().author(ana())).expect("open");
        let retro = tx
            .discussion()
            .threads
            .iter()
            .find(|t| t.title == "Retro")
            .expect("retro");
        assert_eq!(retro.date, now);
    }
}
