//! A discussion as a static web site: an index of threads (with pages per status), a page per
//! thread, a decision log and a page per decision, tag and people pages, Atom feeds, the
//! replies' attachments, one stylesheet, and search (a prebuilt index and a small script).
//!
//! Every page links relatively, so the site works from `file://` and from any static host; it
//! loads nothing from elsewhere, and its only scripts are the site's own two search files
//! (`script-src 'self'`, nothing inline). Every body goes through
//! [`render::html`](crate::render::html) and every one-line field through its `escape`, so no
//! payload in a message, title, tag or name can run. The output is a pure function of the model,
//! the [`Options`] and the source's attachment bytes: the same revision renders to the same
//! bytes, and nothing reads the clock ([`Options::now`] defaults to the data's latest date).
//!
//! - [`thread_page`], [`write_site`]: the entry points for embedders.
//! - `context`: what every page needs (names of files, who is who, lookups by reference).
//! - `layout` (the page shell and the stylesheet), `index`, `thread`, `decisions`, `tags`,
//!   `people`, `feeds`, `assets` (attachments), `svg` (SVG attachments rewritten to a safe
//!   subset), `search` (the search index and script), `output` (the output directory).
//!
//! ```
//! use longhand::render::site::{thread_page, write_site, Options};
//! use longhand::{load, WorkTree};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let root = tempfile::tempdir()?;
//! std::fs::write(root.path().join("longhand.yaml"), "longhand: 1\ntitle: Team\n")?;
//! let dir = root.path().join("threads/2026-11-24-hello");
//! std::fs::create_dir_all(&dir)?;
//! std::fs::write(
//!     dir.join("thread.md"),
//!     "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: Hello\nauthor: Ana Lima <ana@example.org>\n\
//!      date: 2026-11-24T09:30:00-03:00\nstatus: open\n---\nHi all!\n",
//! )?;
//! let source = WorkTree::new(root.path());
//! let discussion = load(&source)?.discussion;
//! let thread = discussion.thread("2026-11-24-hello").ok_or("no thread")?;
//! let html = thread_page(&discussion, thread, &Options::default());
//! assert!(html.starts_with("<!DOCTYPE html>"));
//!
//! let out = tempfile::tempdir()?;
//! let summary = write_site(&source, &out.path().join("site"), &Options::default())?;
//! assert!(summary.pages > discussion.threads.len());
//! assert!(out.path().join("site/index.html").is_file());
//! # Ok(())
//! # }
//! ```

mod assets;
mod context;
mod decisions;
mod feeds;
mod index;
mod layout;
mod output;
mod people;
mod search;
mod svg;
mod tags;
mod thread;

use std::path::Path;

use jiff::Timestamp;

use crate::model::{Discussion, Thread};
use crate::source::Source;
use crate::{Parallelism, Result};

pub use svg::clean as clean_svg;

/// How a site is rendered. Build it with [`Options::new`] (or `Default`) and the setters.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Options {
    /// The URL the site will be published at (`https://example.org/team/`). Feeds use it for
    /// absolute links and ids; pages never need it. Without it, feeds link relatively.
    pub base_url: Option<String>,
    /// The instant the site describes ("overdue", the state of a review). `None` takes the
    /// latest date in the discussion, so that rendering the same data twice gives the same
    /// bytes whatever the clock says.
    pub now: Option<Timestamp>,
    /// Which threads make the thread pages and feeds (rayon's global pool by default). The
    /// bytes are the same whatever the choice.
    pub parallelism: Parallelism,
}

impl Options {
    /// The defaults: relative links in feeds, the discussion's latest date as "now", rayon's
    /// global pool.
    pub fn new() -> Options {
        Options::default()
    }

    /// Feeds link absolutely, under `url`.
    pub fn base_url(mut self, url: Option<String>) -> Options {
        self.base_url = url;
        self
    }

    /// The site describes the discussion at `now`.
    pub fn now(mut self, now: Option<Timestamp>) -> Options {
        self.now = now;
        self
    }

    /// Makes pages on the threads `parallelism` names.
    pub fn parallelism(mut self, parallelism: Parallelism) -> Options {
        self.parallelism = parallelism;
        self
    }
}

/// What [`write_site`] wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// HTML pages.
    pub pages: usize,
    /// Atom feeds.
    pub feeds: usize,
    /// Attachment files copied.
    pub attachments: usize,
    /// Bytes written, all files together.
    pub bytes: u64,
    /// Error diagnostics from loading: files that could not be read and are left out
    /// (`longhand validate` names them).
    pub errors: usize,
}

/// How far a render has come, for a progress bar: `done` of `total` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Steps done.
    pub done: usize,
    /// All steps.
    pub total: usize,
}

/// The HTML page of one thread, as [`write_site`] writes it to `threads/<slug>.html`: the
/// opening post, the reply tree, authors with their local times, the tallies of the decisions
/// discussed there, and links resolved to the site's other pages.
pub fn thread_page(discussion: &Discussion, thread: &Thread, options: &Options) -> String {
    let context = context::Context::new(discussion, options);
    thread::page(&context, thread)
}

/// Renders the discussion in `source` as a site in the directory `out`.
///
/// The site is built in a new directory beside `out` and then put in its place, so a reader
/// never sees half a site. An existing `out` is replaced only when it is empty or was written
/// by this function (it holds a `.longhand-site` marker file); anything else is refused with
/// [`Error::OutputNotASite`](crate::Error::OutputNotASite). Files that could not be read
/// are left out, as the reading commands do; `load` reports them.
pub fn write_site(source: &dyn Source, out: &Path, options: &Options) -> Result<Summary> {
    write_site_with_progress(source, out, options, &mut |_| {})
}

/// [`write_site`], calling `progress` after each step (a page, a feed, an attachment).
pub fn write_site_with_progress(
    source: &dyn Source,
    out: &Path,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary> {
    let loaded = crate::load_with(source, &options.parallelism)?;
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity() == crate::Severity::Error)
        .count();
    let discussion = loaded.discussion;
    let mut context = context::Context::new(&discussion, options);
    let mut site = output::Staging::new(out)?;
    let result = build(
        &mut context,
        source,
        &mut site,
        progress,
        &options.parallelism,
    );
    match result {
        Ok(()) => site.finish().map(|summary| Summary { errors, ..summary }),
        Err(error) => {
            site.abandon();
            Err(error)
        }
    }
}

/// How many threads' pages are made in parallel before they are written.
const THREAD_CHUNK: usize = 256;

/// Writes every file of the site into `site`.
fn build(
    context: &mut context::Context,
    source: &dyn Source,
    site: &mut output::Staging,
    progress: &mut dyn FnMut(Progress),
    parallelism: &Parallelism,
) -> Result<()> {
    let discussion = context.discussion;
    let attachments: usize = discussion
        .threads
        .iter()
        .flat_map(|t| &t.replies)
        .map(|m| m.attachments.len())
        .sum();
    let total = 2 * discussion.threads.len()
        + discussion.decisions.len()
        + context.tags.len()
        + context.people.len()
        + attachments
        + 8;
    let mut done = 0;
    let mut step = |progress: &mut dyn FnMut(Progress), n: usize| {
        done += n;
        progress(Progress { done, total });
    };

    // Attachments first: the pages say which ones are Git LFS pointers, which are not copied.
    for thread in &discussion.threads {
        for message in &thread.replies {
            for path in &message.attachments {
                if assets::copy(context, source, site, thread, path)? == assets::Outcome::LfsPointer
                {
                    context.lfs.insert(path.clone());
                }
                step(progress, 1);
            }
        }
    }
    let context = &*context;
    site.write(
        "style.css",
        layout::STYLESHEET.as_bytes(),
        output::Kind::Other,
    )?;
    site.write("search.js", search::SCRIPT.as_bytes(), output::Kind::Other)?;
    site.write(
        search::INDEX_FILE,
        search::index(context).as_bytes(),
        output::Kind::Other,
    )?;
    for (path, page) in index::pages(context) {
        site.write(&path, page.as_bytes(), output::Kind::Page)?;
    }
    step(progress, 4);
    // Thread pages and feeds are made on every core, a chunk at a time (so memory holds one
    // chunk's pages, not the site's), and written in order: the same bytes on any core count.
    for chunk in discussion.threads.chunks(THREAD_CHUNK) {
        let pages: Vec<(String, String, String)> = parallelism.map_ref(chunk, |thread| {
            (
                context.thread_file(thread),
                thread::page(context, thread),
                feeds::thread_feed(context, thread),
            )
        });
        for (file, page, feed) in pages {
            site.write(
                &format!("threads/{file}.html"),
                page.as_bytes(),
                output::Kind::Page,
            )?;
            site.write(
                &format!("threads/{file}.xml"),
                feed.as_bytes(),
                output::Kind::Feed,
            )?;
            step(progress, 2);
        }
    }
    site.write(
        "decisions/index.html",
        decisions::log(context).as_bytes(),
        output::Kind::Page,
    )?;
    for decision in &discussion.decisions {
        site.write(
            &format!("decisions/{}.html", context.decision_file(decision)),
            decisions::page(context, decision).as_bytes(),
            output::Kind::Page,
        )?;
        step(progress, 1);
    }
    site.write(
        "tags/index.html",
        tags::index(context).as_bytes(),
        output::Kind::Page,
    )?;
    for tag in context.tags.keys() {
        site.write(
            &format!(
                "tags/{}.html",
                context::file_name(tag, crate::model::is_tag(tag))
            ),
            tags::page(context, tag).as_bytes(),
            output::Kind::Page,
        )?;
        step(progress, 1);
    }
    site.write(
        "people/index.html",
        people::index(context).as_bytes(),
        output::Kind::Page,
    )?;
    for who in context.people.keys() {
        site.write(
            &format!("people/{}.html", context.person_file(who)),
            people::page(context, who).as_bytes(),
            output::Kind::Page,
        )?;
        step(progress, 1);
    }
    site.write(
        "feed.xml",
        feeds::site_feed(context).as_bytes(),
        output::Kind::Feed,
    )?;
    step(progress, 4);
    Ok(())
}

/// Where a rendered site puts the pages of threads and decisions, for tools that link into
/// it (the digest): paths from the site's root, percent-encoded, as [`write_site`] writes them.
pub struct Pages<'a> {
    context: context::Context<'a>,
}

impl<'a> Pages<'a> {
    /// The page paths of `discussion`'s site.
    pub fn new(discussion: &'a Discussion) -> Pages<'a> {
        Pages {
            context: context::Context::new(discussion, &Options::default()),
        }
    }

    /// A thread's page, such as `threads/2026-11-24-async-standups.html`.
    pub fn thread(&self, thread: &Thread) -> String {
        self.context.thread_href(thread)
    }

    /// A decision's page, such as `decisions/2026-11-25-written-standups.html`.
    pub fn decision(&self, decision: &crate::model::Decision) -> String {
        self.context.decision_href(decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WorkTree;

    #[test]
    fn thread_page_is_the_page_write_site_writes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/async-standups");
        let source = WorkTree::new(&root);
        let discussion = crate::load(&source).expect("loads").discussion;
        let out = tempfile::tempdir().expect("temp");
        let site = out.path().join("site");
        let options = Options::default();
        let summary = write_site(&source, &site, &options).expect("renders");
        assert_eq!(summary.errors, 0);
        for thread in &discussion.threads {
            let written =
                std::fs::read_to_string(site.join(format!("threads/{}.html", thread.slug)))
                    .expect("the page");
            assert_eq!(
                thread_page(&discussion, thread, &options),
                written,
                "{}",
                thread.slug
            );
        }
    }

    /// Every file of the site under `dir`, by path relative to it.
    fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut found = std::collections::BTreeMap::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(next) = todo.pop() {
            for entry in std::fs::read_dir(&next).expect("reads") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let name = path.strip_prefix(dir).expect("under").display().to_string();
                    found.insert(name, std::fs::read(&path).expect("file"));
                }
            }
        }
        found
    }

    #[test]
    fn the_site_is_the_same_bytes_on_one_thread_and_on_a_pool() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/async-standups");
        let source = WorkTree::new(&root);
        let out = tempfile::tempdir().expect("temp");
        let alone = out.path().join("alone");
        let pooled = out.path().join("pooled");
        let sequential = Options::new().parallelism(Parallelism::Sequential);
        write_site(&source, &alone, &sequential).expect("renders");
        let pool = Parallelism::threads(3).expect("a pool");
        write_site(&source, &pooled, &Options::new().parallelism(pool)).expect("renders");
        let (alone, pooled) = (files(&alone), files(&pooled));
        assert!(alone.keys().any(|name| name.starts_with("threads/")));
        assert_eq!(alone, pooled);
    }
}
