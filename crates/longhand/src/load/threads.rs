//! The threads of a discussion: each thread directory is listed and read on the calling thread,
//! in order (a source need not be thread-safe), and its files are parsed in batches on the
//! threads of the loader's [`Parallelism`], then added to the model in directory order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc;

use super::records::{message, thread_header, ParsedParts};
use super::{Loader, MAX_ATTACHMENT_DEPTH, MAX_REPLIES_PER_THREAD};
use crate::diagnostic::{Code, Diagnostic};
use crate::document::lfs::{looks_like_pointer, parse_pointer, LFS_POINTER_MAX_BYTES};
use crate::document::{self};
use crate::model::{Headless, Id, Partial, Thread, DEFAULT_ATTACHMENT_LIMIT};
use crate::source::{join, Contents, EntryKind};
use crate::{Parallelism, Result};

impl Loader<'_> {
    /// Threads are loaded in batches: the source is listed and read in order (it need not be
    /// thread-safe), and each batch's files are parsed on the other cores while the next
    /// batch is read; the results are added to the model in directory order, so the model is
    /// the same whatever the thread count. At most two batches are in flight, each holding a
    /// bounded number of bytes, so memory stays close to the model's own.
    pub(super) fn threads(&mut self) -> Result<()> {
        let entries = self.top_dir("threads")?;
        // Most entries are thread directories: room for them all at once, not by doubling.
        self.loaded.discussion.threads.reserve(entries.len());
        let parallelism = self.parallelism;
        parallelism.in_place_scope(|scope| {
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
                            let full = std::mem::take(&mut batch);
                            batch_bytes = 0;
                            let Some(scope) = scope else {
                                self.add_threads(parse_threads(parallelism, full));
                                continue;
                            };
                            let (send, receive) = mpsc::channel();
                            scope.spawn(move |_| {
                                // The receiver outlives the task unless reading failed.
                                let _ = send.send(parse_threads(parallelism, full));
                            });
                            in_flight = Some(receive);
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
            self.add_threads(parse_threads(parallelism, batch));
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

/// Parses gathered threads on the threads of `parallelism`, keeping their order.
fn parse_threads(parallelism: &Parallelism, batch: Vec<Gathered>) -> Vec<ParsedThread> {
    parallelism.map(batch, parse_thread)
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
