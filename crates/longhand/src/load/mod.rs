//! Source → model + diagnostics. Walks the layout, parses every file, reads typed fields.
//!
//! Loading never stops at the first bad file: every problem becomes a diagnostic and the run
//! goes on. Only a failure to read the source at all is an `Err`. Cross-file rules (references,
//! supersede chains, votes) are not checked here; that is `validate`.

mod config;
mod fields;
pub mod names;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic};
use crate::document::lfs::{looks_like_pointer, parse_pointer, LFS_POINTER_MAX_BYTES};
use crate::document::{self, Document, MAX_FILE_BYTES};
use crate::model::keys::{DECISION_KEYS, REPLY_KEYS, THREAD_KEYS};
use crate::model::{
    is_tag, Decision, DecisionStatus, Discussion, Headless, Id, Message, Moment, Partial,
    PartialKind, Redaction, Thread, ThreadStatus, Vote, DEFAULT_ATTACHMENT_LIMIT,
};
use crate::source::{join, Contents, Entry, EntryKind, Source, CONFIG_FILE};
use crate::{Error, Result};
use fields::{is_reference, Fields};

/// The most replies a thread may have before LH605 warns.
pub const MAX_REPLIES_PER_THREAD: usize = 10_000;

/// How deep directories inside an attachment directory are checked.
pub const MAX_ATTACHMENT_DEPTH: usize = 16;

/// What loading produced: the model, and every problem found on the way.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// The model of everything that could be read.
    pub discussion: Discussion,
    /// Problems found in single files (grammar, fields, layout).
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

/// Loads the discussion a source holds.
pub fn load(source: &dyn Source) -> Result<Loaded> {
    let mut loader = Loader {
        source,
        loaded: Loaded::default(),
    };
    loader.config()?;
    loader.root()?;
    loader.threads()?;
    loader.decisions()?;
    Ok(loader.loaded)
}

struct Loader<'a> {
    source: &'a dyn Source,
    loaded: Loaded,
}

impl Loader<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.loaded.diagnostics.push(diagnostic);
    }

    /// Reads a file under the size limit; `None` (reported) when it is too large.
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        self.loaded.files += 1;
        match self.source.read(path, MAX_FILE_BYTES)? {
            Contents::Bytes(bytes) => Ok(Some(bytes)),
            Contents::TooLarge { size } => {
                self.report(Diagnostic::new(
                    Code::FileTooLarge,
                    path,
                    format!("the file has {size} bytes, over the limit of {MAX_FILE_BYTES}; it is not read"),
                ));
                Ok(None)
            }
        }
    }

    fn symlink(&mut self, path: &str) {
        self.report(Diagnostic::new(
            Code::Symlink,
            path,
            format!("`{path}` is a symbolic link; links are never followed"),
        ));
    }

    fn unexpected(&mut self, path: &str, what: &str) {
        self.report(Diagnostic::new(
            Code::UnexpectedPath,
            path,
            format!("`{path}` is {what} the layout does not define; it is ignored"),
        ));
    }

    fn markdown(&mut self, path: &str) -> Result<Option<Document>> {
        let Some(bytes) = self.read(path)? else {
            return Ok(None);
        };
        let parsed = document::parse_markdown(path, &bytes);
        self.loaded.diagnostics.extend(parsed.diagnostics);
        Ok(parsed.value)
    }

    fn config(&mut self) -> Result<()> {
        match self.source.kind(CONFIG_FILE)? {
            Some(EntryKind::File) => {}
            Some(EntryKind::Symlink) => {
                self.symlink(CONFIG_FILE);
                return Ok(());
            }
            Some(_) => {
                return Err(Error::RootNotAFile {
                    path: CONFIG_FILE.to_owned(),
                })
            }
            None => {
                return Err(Error::MissingConfig {
                    source_name: self.source.describe(),
                })
            }
        }
        let Some(bytes) = self.read(CONFIG_FILE)? else {
            return Ok(());
        };
        let parsed = document::parse_yaml_file(CONFIG_FILE, &bytes);
        self.loaded.diagnostics.extend(parsed.diagnostics);
        if let Some(file) = parsed.value {
            self.loaded.discussion.config = config::read(&file, &mut self.loaded.diagnostics);
        }
        Ok(())
    }

    /// Reports a hostile entry (LH212) of `dir`: true when `entry` is one, and is then
    /// neither classified nor entered.
    fn hostile(&mut self, dir: &str, entry: &Entry) -> bool {
        match names::entry_diagnostic(dir, entry) {
            Some(diagnostic) => {
                self.report(diagnostic);
                true
            }
            None => false,
        }
    }

    /// Checks the names of the root's own entries (the rest of the root is not read).
    fn root(&mut self) -> Result<()> {
        for entry in self.source.list("")? {
            self.hostile("", &entry);
        }
        Ok(())
    }

    /// Checks the names of everything below `dir`, a directory the layout does not enter
    /// (its own diagnostic is reported elsewhere): a hostile entry is hostile wherever it
    /// lies. Hidden and hostile directories are not entered, and the path limit bounds the
    /// depth.
    fn names_below(&mut self, dir: &str) -> Result<()> {
        let mut pending = vec![dir.to_owned()];
        while let Some(dir) = pending.pop() {
            for entry in self.source.list(&dir)? {
                if !self.hostile(&dir, &entry)
                    && entry.kind == EntryKind::Dir
                    && !entry.name.starts_with('.')
                {
                    pending.push(join(&dir, &entry.name));
                }
            }
        }
        Ok(())
    }

    /// The entries of a top-level directory, or nothing when it is absent or not a directory.
    fn top_dir(&mut self, dir: &str) -> Result<Vec<crate::source::Entry>> {
        match self.source.kind(dir)? {
            Some(EntryKind::Dir) => self.source.list(dir),
            Some(EntryKind::Symlink) => {
                self.symlink(dir);
                Ok(Vec::new())
            }
            // Reported with the root's entries (LH212).
            Some(EntryKind::Submodule) => Ok(Vec::new()),
            Some(_) => {
                self.unexpected(dir, "a file where a directory belongs, which");
                Ok(Vec::new())
            }
            None => Ok(Vec::new()),
        }
    }

    /// Threads are loaded in batches: the source is listed and read in order (it need not be
    /// thread-safe), and each batch's files are parsed on the other cores while the next
    /// batch is read; the results are added to the model in directory order, so the model is
    /// the same whatever the thread count. At most two batches are in flight, each holding a
    /// bounded number of bytes, so memory stays close to the model's own.
    fn threads(&mut self) -> Result<()> {
        let entries = self.top_dir("threads")?;
        // Most entries are thread directories: room for them all at once, not by doubling.
        self.loaded.discussion.threads.reserve(entries.len());
        rayon::in_place_scope(|scope| {
            let mut in_flight: Option<mpsc::Receiver<Vec<ParsedThread>>> = None;
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            for entry in entries {
                if self.hostile("threads", &entry) || entry.name.starts_with('.') {
                    continue;
                }
                let path = join("threads", &entry.name);
                match entry.kind {
                    EntryKind::Dir => {
                        let gathered = self.thread(&entry.name, &path)?;
                        batch_bytes += gathered.bytes();
                        batch.push(gathered);
                        if batch_bytes >= BATCH_BYTES {
                            if let Some(parsed) = in_flight.take() {
                                self.add_threads(wait_for(&parsed));
                            }
                            let (send, receive) = mpsc::channel();
                            let full = std::mem::take(&mut batch);
                            scope.spawn(move |_| {
                                // The receiver outlives the task unless reading failed.
                                let _ = send.send(parse_threads(full));
                            });
                            in_flight = Some(receive);
                            batch_bytes = 0;
                        }
                    }
                    EntryKind::Symlink => self.symlink(&path),
                    _ => self.unexpected(
                        &path,
                        "a file directly under threads/ (or a name that is not UTF-8), which",
                    ),
                }
            }
            if let Some(parsed) = in_flight.take() {
                self.add_threads(wait_for(&parsed));
            }
            self.add_threads(parse_threads(batch));
            Ok(())
        })
    }

    /// Adds parsed threads to the model, in the order given.
    fn add_threads(&mut self, parsed: Vec<ParsedThread>) {
        for thread in parsed {
            self.loaded.diagnostics.extend(thread.diagnostics);
            self.loaded.discussion.partial.extend(thread.partial);
            match thread.result {
                Ok(thread) => self.loaded.discussion.threads.push(thread),
                Err(headless) => self.loaded.discussion.headless.push(headless),
            }
        }
    }

    /// Lists a thread directory, reports its layout, and reads its files (not parsing them).
    fn thread(&mut self, slug: &str, dir: &str) -> Result<Gathered> {
        if !crate::model::is_slug(slug) {
            self.report(Diagnostic::new(
                Code::InvalidSlug,
                dir,
                format!("thread directory `{slug}` is not a slug"),
            ));
        }
        self.loaded
            .discussion
            .reserved
            .threads
            .insert(slug.to_owned());
        let mut header = None;
        let mut header_present = false;
        let mut reply_files = Vec::new();
        let mut attachment_dirs = Vec::new();
        let mut stems = BTreeSet::new();
        let mut odd_dirs = Vec::new();
        for entry in self.source.list(dir)? {
            let stem = entry.name.strip_suffix(".md");
            let reply_id = stem.filter(|s| Id::parse(s).is_some());
            if self.hostile(dir, &entry) {
                // A submodule at a file position keeps its name reserved, as a link does.
                if entry.kind == EntryKind::Submodule {
                    header_present |= stem == Some("thread");
                    if let Some(id) = reply_id {
                        stems.insert(id.to_owned());
                    }
                }
                continue;
            }
            if entry.name.starts_with('.') {
                continue;
            }
            let path = join(dir, &entry.name);
            match (entry.kind, stem) {
                (EntryKind::File, Some("thread")) => {
                    header_present = true;
                    header = self.read(&path)?;
                }
                (EntryKind::Symlink, _) => {
                    // A link never counts as content, but it keeps its name reserved.
                    header_present |= stem == Some("thread");
                    if let Some(id) = reply_id {
                        stems.insert(id.to_owned());
                    }
                    self.symlink(&path);
                }
                (EntryKind::File, Some(_)) => match reply_id {
                    Some(id) => {
                        stems.insert(id.to_owned());
                        reply_files.push((id.to_owned(), path));
                    }
                    None => self.report(Diagnostic::new(
                        Code::InvalidReplyName,
                        &path,
                        format!("`{}` is not named `<id>.md`", entry.name),
                    )),
                },
                (EntryKind::Dir, _) if Id::parse(&entry.name).is_some() => {
                    attachment_dirs.push((entry.name.clone(), path))
                }
                (EntryKind::Dir, _) => {
                    self.unexpected(&path, "a directory not named after a reply id, which");
                    odd_dirs.push(path);
                }
                _ => self.unexpected(&path, "a file in a thread directory"),
            }
        }
        for path in odd_dirs {
            self.names_below(&path)?;
        }
        let mut attachments = BTreeMap::new();
        for (name, path) in attachment_dirs {
            if stems.contains(&name) {
                let files = self.attachments(&path)?;
                attachments.insert(name, files);
            } else {
                self.report(Diagnostic::new(
                    Code::OrphanAttachments,
                    &path,
                    format!("attachment directory `{name}` is named after no reply of this thread"),
                ));
                self.names_below(&path)?;
            }
        }
        if !header_present {
            self.report(Diagnostic::new(
                Code::ThreadFileMissing,
                dir,
                format!("thread `{slug}` has no thread.md"),
            ));
        }
        if stems.len() > MAX_REPLIES_PER_THREAD {
            let message = format!(
                "the thread has {} replies, over {MAX_REPLIES_PER_THREAD}",
                stems.len()
            );
            let diagnostic = if header_present {
                Diagnostic::new(Code::TooManyReplies, join(dir, "thread.md"), message).at(1, None)
            } else {
                Diagnostic::new(Code::TooManyReplies, dir, message)
            };
            self.report(diagnostic);
        }
        self.loaded
            .discussion
            .reserved
            .replies
            .insert(slug.to_owned(), stems);
        let mut replies = Vec::with_capacity(reply_files.len());
        for (stem, path) in reply_files {
            if let Some(bytes) = self.read(&path)? {
                replies.push((stem, path, bytes));
            }
        }
        Ok(Gathered {
            slug: slug.to_owned(),
            header_path: join(dir, "thread.md"),
            header,
            replies,
            attachments,
        })
    }

    /// Looks inside an attachment directory for links, which are refused, and other odd
    /// entries; hidden names are skipped. Directories nested deeper than
    /// [`MAX_ATTACHMENT_DEPTH`] are reported and not entered, so a hostile tree cannot make
    /// the walk (or the paths it builds) grow without bound. Returns the regular files found,
    /// in byte order.
    fn attachments(&mut self, dir: &str) -> Result<Vec<String>> {
        let mut files = Vec::new();
        let mut pending = vec![(dir.to_owned(), 1)];
        while let Some((dir, depth)) = pending.pop() {
            for entry in self.source.list(&dir)? {
                if self.hostile(&dir, &entry) || entry.name.starts_with('.') {
                    continue;
                }
                let path = join(&dir, &entry.name);
                match entry.kind {
                    EntryKind::Dir if depth < MAX_ATTACHMENT_DEPTH => {
                        pending.push((path, depth + 1))
                    }
                    EntryKind::Dir => {
                        self.unexpected(
                            &path,
                            "an attachment directory nested deeper than 16 levels, which",
                        );
                        self.names_below(&path)?;
                    }
                    EntryKind::Symlink => self.symlink(&path),
                    EntryKind::File => {
                        self.attachment(&path)?;
                        files.push(path)
                    }
                    EntryKind::Other | EntryKind::Submodule => {
                        self.unexpected(&path, "neither a file nor a directory, which")
                    }
                }
            }
        }
        files.sort();
        Ok(files)
    }

    /// Checks one attachment file: a Git LFS pointer must be well formed (LH209); any other
    /// file must fit the policy's `attachment-limit` (LH208), unless git stores it through Git
    /// LFS. Its size comes from metadata, so a huge file is never read.
    fn attachment(&mut self, path: &str) -> Result<()> {
        let limit = self
            .loaded
            .discussion
            .config
            .as_ref()
            .map_or(DEFAULT_ATTACHMENT_LIMIT, |c| c.policy.attachment_limit);
        let size = self.source.size(path)?;
        if size < LFS_POINTER_MAX_BYTES {
            if let Contents::Bytes(bytes) = self.source.read(path, LFS_POINTER_MAX_BYTES)? {
                if looks_like_pointer(&bytes) {
                    if let Err(error) = parse_pointer(&bytes) {
                        self.report(
                            Diagnostic::new(
                                Code::LfsPointerMalformed,
                                path,
                                format!(
                                    "`{path}` starts like a Git LFS pointer but is not one: {}",
                                    error.reason
                                ),
                            )
                            .at(error.line, None),
                        );
                    }
                    return Ok(());
                }
            }
        }
        if size > limit && !self.source.stored_by_lfs(path)? {
            let pattern = match path.rsplit('/').next().and_then(|n| n.rsplit_once('.')) {
                Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => {
                    format!("threads/**/*.{ext}")
                }
                _ => path.to_owned(),
            };
            self.report(
                Diagnostic::new(
                    Code::AttachmentTooLarge,
                    path,
                    format!(
                        "the attachment has {size} bytes, over the attachment limit of {limit} bytes"
                    ),
                )
                .with_help(format!(
                    "store it with Git LFS: `git lfs track \"{pattern}\"`, then `git add --renormalize threads`; or raise `policy.attachment-limit` in longhand.yaml"
                )),
            );
        }
        Ok(())
    }
}

/// What parsing one thread produced besides the thread itself.
#[derive(Default)]
struct ParsedParts {
    diagnostics: Vec<Diagnostic>,
    partial: Vec<Partial>,
}

/// The thread, or what could be read of its id and date when a required field is bad.
fn thread_header(
    out: &mut ParsedParts,
    slug: &str,
    path: &str,
    document: Document,
) -> Result<Thread, (Option<Id>, Option<Moment>)> {
    let diagnostics = &mut out.diagnostics;
    let mut f = Fields::new(path, &document, THREAD_KEYS, diagnostics);
    let id = f.id("id", true);
    let title = f.title("title");
    let author = f.author("author", true);
    let date = f.moment("date", true);
    let status = f.keyword(
        "status",
        true,
        Code::InvalidStatus,
        "open, resolved, closed",
        ThreadStatus::parse,
    );
    let tags = f.checked_list("tags", "a tag (lowercase letters, digits, dashes)", is_tag);
    let awaiting = f.checked_list("awaiting", "a handle or an email", is_person_reference);
    let respond_by = f.deadline("respond-by");
    let decision = f.reference("decision");
    let merged_into = f.reference("merged-into");
    let (extra, origin) = f.finish();
    let (Some(id), Some(title), Some(author), Some(date), Some(status)) =
        (id.clone(), title, author, date.clone(), status)
    else {
        out.partial.push(Partial {
            kind: PartialKind::Thread,
            slug: slug.to_owned(),
            id: id.clone(),
            reply_to: None,
            thread: None,
            origin,
        });
        return Err((id, date));
    };
    Ok(Thread {
        slug: slug.to_owned(),
        id,
        title,
        author,
        date,
        status,
        tags,
        awaiting,
        respond_by,
        decision,
        merged_into,
        body_line: document.body_line,
        body: document.body,
        extra,
        origin,
        replies: Vec::new(),
    })
}

fn message(
    out: &mut ParsedParts,
    slug: &str,
    path: &str,
    stem: &str,
    mut document: Document,
) -> Option<Message> {
    let body = std::mem::take(&mut document.body);
    let diagnostics = &mut out.diagnostics;
    let mut f = Fields::new(path, &document, REPLY_KEYS, diagnostics);
    let id = f.id("id", true);
    let author = f.author("author", true);
    let date = f.moment("date", true);
    let reply_to = f.id("reply-to", false).map(|id| id.as_str().to_owned());
    let vote = f.keyword("vote", false, Code::InvalidVote, "+1, 0, -1", Vote::parse);
    let vote_on = f.reference("vote-on");
    let edited = f.moment("edited", false);
    let redaction = redaction(&mut f);
    let (extra, origin) = f.finish();
    if let Some(id) = &id {
        if id.as_str() != stem {
            let (line, column) = origin.position("id");
            out.diagnostics.push(
                Diagnostic::new(
                    Code::IdMismatch,
                    path,
                    format!("the id `{id}` differs from the file name `{stem}.md`"),
                )
                .at(line, column),
            );
        }
    }
    let (Some(id), Some(author), Some(date)) = (id.clone(), author, date) else {
        out.partial.push(Partial {
            kind: PartialKind::Reply,
            slug: slug.to_owned(),
            id,
            reply_to,
            thread: None,
            origin,
        });
        return None;
    };
    Some(Message {
        id,
        stem: stem.to_owned(),
        author,
        date,
        reply_to,
        vote,
        vote_on,
        edited,
        redaction,
        body,
        body_line: document.body_line,
        extra,
        origin,
        attachments: Vec::new(),
    })
}

impl Loader<'_> {
    fn decisions(&mut self) -> Result<()> {
        for entry in self.top_dir("decisions")? {
            if self.hostile("decisions", &entry) {
                // A submodule at a file position keeps its name reserved, as a link does.
                if let (EntryKind::Submodule, Some(slug)) =
                    (entry.kind, entry.name.strip_suffix(".md"))
                {
                    let reserved = &mut self.loaded.discussion.reserved.decisions;
                    reserved.insert(slug.to_owned());
                }
                continue;
            }
            if entry.name.starts_with('.') {
                continue;
            }
            let path = join("decisions", &entry.name);
            let stem = entry.name.strip_suffix(".md");
            match (entry.kind, stem) {
                (EntryKind::File, Some(slug)) => {
                    self.check_decision_slug(slug, &path);
                    if let Some(document) = self.markdown(&path)? {
                        if let Some(decision) = self.decision(slug, &path, document) {
                            self.loaded.discussion.decisions.push(decision);
                        }
                    }
                }
                (EntryKind::Symlink, stem) => {
                    if let Some(slug) = stem {
                        self.loaded
                            .discussion
                            .reserved
                            .decisions
                            .insert(slug.to_owned());
                    }
                    self.symlink(&path);
                }
                (EntryKind::Dir, _) => {
                    self.unexpected(&path, "a directory under decisions/, which");
                    self.names_below(&path)?;
                }
                _ => self.unexpected(
                    &path,
                    "a file under decisions/ that is not a .md record, which",
                ),
            }
        }
        Ok(())
    }

    fn check_decision_slug(&mut self, slug: &str, path: &str) {
        self.loaded
            .discussion
            .reserved
            .decisions
            .insert(slug.to_owned());
        if !crate::model::is_slug(slug) {
            self.report(Diagnostic::new(
                Code::InvalidSlug,
                path,
                format!("decision file name `{slug}` is not a slug"),
            ));
        }
    }

    fn decision(&mut self, slug: &str, path: &str, document: Document) -> Option<Decision> {
        let diagnostics = &mut self.loaded.diagnostics;
        let mut f = Fields::new(path, &document, DECISION_KEYS, diagnostics);
        let id = f.id("id", true);
        let title = f.title("title");
        let status = f.keyword(
            "status",
            true,
            Code::InvalidStatus,
            "proposed, accepted, rejected, withdrawn, superseded",
            DecisionStatus::parse,
        );
        let date = f.moment("date", true);
        let deciders = match f.require("deciders") {
            Some(field) => {
                let deciders =
                    f.checked_list("deciders", "a handle or an email", is_person_reference);
                if deciders.is_empty() && field.value == crate::document::Value::List(Vec::new()) {
                    f.warn_no_deciders(field);
                }
                deciders
            }
            None => Vec::new(),
        };
        let author = f.author("author", false);
        let thread = f.reference("thread");
        let review_by = f.deadline("review-by");
        let supersedes = f.checked_list("supersedes", "a decision slug or id", is_reference);
        let superseded_by = f.checked_list("superseded-by", "a decision slug or id", is_reference);
        let decided = f.moment("decided", false);
        let decided_by = f.text("decided-by", false).and_then(|(text, field)| {
            f.check(
                field,
                "decided-by",
                text,
                "a handle or an email",
                is_person_reference,
            )
        });
        let override_reason = f.one_line("override");
        let rationale = f.text("rationale", false).map(|(text, _)| text);
        let (extra, origin) = f.finish();
        let (Some(id), Some(title), Some(status), Some(date)) = (id.clone(), title, status, date)
        else {
            self.loaded.discussion.partial.push(Partial {
                kind: PartialKind::Decision,
                slug: slug.to_owned(),
                id,
                reply_to: None,
                thread,
                origin,
            });
            return None;
        };
        Some(Decision {
            slug: slug.to_owned(),
            id,
            title,
            status,
            date,
            deciders,
            author,
            thread,
            review_by,
            supersedes,
            superseded_by,
            decided,
            decided_by,
            override_reason,
            rationale,
            body_line: document.body_line,
            body: document.body,
            extra,
            origin,
        })
    }
}

/// How many bytes of files a batch of threads holds before it is parsed: enough to keep every
/// core busy, small enough that the raw bytes never add much to the model's own memory.
const BATCH_BYTES: usize = 4 << 20;

/// A thread directory as read from the source: its files' bytes, not yet parsed.
struct Gathered {
    slug: String,
    header_path: String,
    /// `thread.md`'s bytes, when it is there and under the size limit.
    header: Option<Vec<u8>>,
    /// `(stem, path, bytes)` of every reply file, in directory order.
    replies: Vec<(String, String, Vec<u8>)>,
    /// The files of each reply's attachment directory, by the reply's stem.
    attachments: BTreeMap<String, Vec<String>>,
}

impl Gathered {
    fn bytes(&self) -> usize {
        self.header.as_ref().map_or(0, Vec::len)
            + self.replies.iter().map(|r| r.2.len()).sum::<usize>()
    }
}

/// Waits for a batch being parsed. Outside the pool this blocks; on one of the pool's threads
/// (a caller that is itself parallel work) it runs pending work meanwhile, since blocking
/// could leave the batch's own task waiting behind it.
fn wait_for(parsed: &mpsc::Receiver<Vec<ParsedThread>>) -> Vec<ParsedThread> {
    if rayon::current_thread_index().is_none() {
        return parsed.recv().unwrap_or_default();
    }
    loop {
        match parsed.try_recv() {
            Ok(threads) => return threads,
            Err(mpsc::TryRecvError::Disconnected) => return Vec::new(),
            Err(mpsc::TryRecvError::Empty) => {
                if rayon::yield_now() != Some(rayon::Yield::Executed) {
                    std::thread::yield_now();
                }
            }
        }
    }
}

/// Parses gathered threads on every core, keeping their order.
fn parse_threads(batch: Vec<Gathered>) -> Vec<ParsedThread> {
    batch.into_par_iter().map(parse_thread).collect()
}

/// What parsing one gathered thread produced.
struct ParsedThread {
    diagnostics: Vec<Diagnostic>,
    partial: Vec<Partial>,
    result: Result<Thread, Headless>,
}

/// Parses a gathered thread: its replies, then its header. A pure function of the bytes, so
/// threads can be parsed on any core in any order.
fn parse_thread(mut gathered: Gathered) -> ParsedThread {
    let mut out = ParsedParts::default();
    let slug = &gathered.slug;
    let mut replies = Vec::with_capacity(gathered.replies.len());
    for (stem, path, bytes) in &gathered.replies {
        let parsed = document::parse_markdown(path, bytes);
        out.diagnostics.extend(parsed.diagnostics);
        if let Some(document) = parsed.value {
            if let Some(mut message) = message(&mut out, slug, path, stem, document) {
                message.attachments = gathered.attachments.remove(stem).unwrap_or_default();
                replies.push(message);
            }
        }
    }
    let header = gathered.header.and_then(|bytes| {
        let parsed = document::parse_markdown(&gathered.header_path, &bytes);
        out.diagnostics.extend(parsed.diagnostics);
        parsed.value
    });
    let thread = match header {
        Some(document) => thread_header(&mut out, slug, &gathered.header_path, document),
        None => Err((None, None)),
    };
    let result = match thread {
        Err((id, date)) => Err(Headless {
            slug: slug.clone(),
            id,
            date,
            replies,
        }),
        Ok(mut thread) => {
            thread.replies = replies;
            Ok(thread)
        }
    };
    ParsedThread {
        diagnostics: out.diagnostics,
        partial: out.partial,
        result,
    }
}

/// The redaction fields of a reply (spec §13.4): all three or none. When one is present, the
/// others are required (LH301); the record is kept only when all three are valid.
fn redaction(f: &mut Fields<'_>) -> Option<Redaction> {
    const KEYS: [&str; 3] = ["redacted", "redacted-by", "redaction-reason"];
    if !KEYS.iter().any(|key| f.has(key)) {
        return None;
    }
    let date = f.moment("redacted", true);
    let by = f.text("redacted-by", true).and_then(|(text, field)| {
        f.check(
            field,
            "redacted-by",
            text,
            "a handle or an email",
            is_person_reference,
        )
    });
    let reason = f.title("redaction-reason");
    Some(Redaction {
        date: date?,
        by: by?,
        reason: reason?,
    })
}

fn is_person_reference(text: &str) -> bool {
    crate::model::is_handle(text) || crate::model::is_email(text)
}

/// One file of the layout, parsed on its own: what history rules compare between two
/// versions of a file. Cross-file rules do not apply; per-file diagnostics are dropped.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A `threads/<slug>/thread.md`.
    Thread(Box<Thread>),
    /// A reply `threads/<slug>/<ID>.md`.
    Reply(Box<Message>),
    /// A decision `decisions/<slug>.md`.
    Decision(Box<Decision>),
}

/// What a root-relative path names in the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// `longhand.yaml`.
    Config,
    /// `threads/<slug>/thread.md`.
    Thread {
        /// The thread's slug.
        slug: String,
    },
    /// `threads/<slug>/<ID>.md`.
    Reply {
        /// The thread's slug.
        slug: String,
        /// The file stem, an id.
        stem: String,
    },
    /// `decisions/<slug>.md`.
    Decision {
        /// The decision's slug.
        slug: String,
    },
    /// Anything else: attachments, files the layout does not define.
    Other,
}

impl Place {
    /// Classifies a root-relative, `/`-separated path.
    pub fn of(path: &str) -> Place {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [CONFIG_FILE] => Place::Config,
            ["threads", slug, "thread.md"] if !slug.starts_with('.') => Place::Thread {
                slug: (*slug).to_owned(),
            },
            ["threads", slug, name] if !slug.starts_with('.') => match name.strip_suffix(".md") {
                Some(stem) if Id::parse(stem).is_some() => Place::Reply {
                    slug: (*slug).to_owned(),
                    stem: stem.to_owned(),
                },
                _ => Place::Other,
            },
            ["decisions", name] => match name.strip_suffix(".md") {
                Some(slug) if !slug.starts_with('.') => Place::Decision {
                    slug: slug.to_owned(),
                },
                _ => Place::Other,
            },
            _ => Place::Other,
        }
    }
}

/// Parses one file of the layout on its own, or `None` when it is not a thread header, reply
/// or decision, or when a required field could not be read.
pub fn record(path: &str, bytes: &[u8]) -> Option<Record> {
    struct Nothing;
    impl Source for Nothing {
        fn describe(&self) -> String {
            String::new()
        }
        fn kind(&self, _: &str) -> Result<Option<EntryKind>> {
            Ok(None)
        }
        fn list(&self, _: &str) -> Result<Vec<crate::source::Entry>> {
            Ok(Vec::new())
        }
        fn read(&self, _: &str, _: u64) -> Result<Contents> {
            Ok(Contents::Bytes(Vec::new()))
        }
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    let place = Place::of(path);
    let document = document::parse_markdown(path, bytes).value?;
    let mut loader = Loader {
        source: &Nothing,
        loaded: Loaded::default(),
    };
    let mut out = ParsedParts::default();
    match place {
        Place::Thread { slug } => thread_header(&mut out, &slug, path, document)
            .ok()
            .map(|t| Record::Thread(Box::new(t))),
        Place::Reply { slug, stem } => {
            message(&mut out, &slug, path, &stem, document).map(|m| Record::Reply(Box::new(m)))
        }
        Place::Decision { slug } => loader
            .decision(&slug, path, document)
            .map(|d| Record::Decision(Box::new(d))),
        Place::Config | Place::Other => None,
    }
}

/// Reads `longhand.yaml` from its bytes, or `None` when it cannot be read.
pub fn config_of(bytes: &[u8]) -> Option<crate::model::Config> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return None;
    }
    let parsed = document::parse_yaml_file(CONFIG_FILE, bytes);
    config::read(&parsed.value?, &mut Vec::new())
}
