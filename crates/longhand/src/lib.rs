//! Longhand: asynchronous written discussion kept in git.
//!
//! Threads, replies and decision records are Markdown files with YAML frontmatter in any git
//! repository; there is no server. This crate reads a discussion from a work tree or from the
//! tree of any git revision (bare repositories included), builds a plain-data model of it, and
//! validates it against the protocol in `spec/protocol.md`.
//!
//! The data flows one way: **source → document → model → validate → report**.
//!
//! - [`source`]: where bytes come from ([`WorkTree`], [`GitTree`], [`MemoryTree`]), behind one [`Source`] trait.
//! - [`document`]: one file's bytes → frontmatter fields and body (the file grammar).
//! - [`model`]: plain data — [`Discussion`], [`Thread`], [`Message`], [`Decision`], [`Config`].
//! - [`load()`]: source → model + diagnostics; never stops at the first bad file.
//! - [`validate`]: the rules across files; [`validate::run`] is the whole pipeline.
//! - [`history`]: the rules between commits ([`history::verify`] over a range, bare
//!   repositories included) and the incremental check of a pushed tree
//!   ([`history::check_tree_change`]).
//! - [`read`]: what readers derive — vote tallies and decision states, thread summaries, a
//!   person's inbox — as pure functions of the model and the current instant.
//! - [`render`]: bodies and times for people ([`render::terminal`]).
//! - [`write`](mod@write): new and edited files as a [`write::Change`], written and committed through one
//!   [`write::Transaction`] (the write lock from load to commit, one clock reading, the checks).
//! - [`merge`]: three-way merges of the files people edit in place, as git's merge driver
//!   runs them ([`merge::three_way`]): frontmatter field by field, bodies by lines.
//! - [`enforce`]: what the git hooks check — every ref of a push
//!   ([`enforce::check_push`]), a staged tree — with the server's limits.
//! - [`diagnostic`]: every rule ([`Code`]); a [`Diagnostic`] is a problem *in the data*, a
//!   [`Report`] a sorted list of them; [`Error`] is a failure *to run*.
//! - `cache` (feature `cache`): the `list`/`inbox` cache under the git directory.
//! - [`Parallelism`]: which threads loading and validation may use (rayon's global pool by
//!   default; [`load_with`] and [`validate::run_with`] take another).
//!
//! Types from other crates appear in the API and are re-exported so callers use the same
//! versions: times are [jiff]'s ([`jiff::Timestamp`], [`jiff::tz::TimeZone`]), repositories
//! [git2]'s ([`git2::Repository`]), thread pools [rayon]'s ([`rayon::ThreadPool`]).
//!
//! # Features
//!
//! Both are on by default; an embedder who only reads and validates turns them off
//! (`default-features = false`) and compiles neither.
//!
//! - `cache`: `cache`, the `list`/`inbox` cache kept under the git directory, which asks a
//!   running file-system watcher (the `longhand-watch` crate) what changed.
//! - `site`: `render::site`, the static site generator (and the digest's links to it).
//!
//! # Example
//!
//! ```
//! use longhand::{validate, WorkTree};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("longhand.yaml"), "longhand: 1\ntitle: Team\n")?;
//! let thread = dir.path().join("threads/2026-11-24-hello");
//! std::fs::create_dir_all(&thread)?;
//! std::fs::write(
//!     thread.join("thread.md"),
//!     "---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: Hello\nauthor: Ana Lima <ana@example.org>\n\
//!      date: 2026-11-24T09:30:00-03:00\nstatus: open\nreply-to: nobody\n---\nHi all!\n",
//! )?;
//!
//! let report = validate::run(&WorkTree::new(dir.path()))?;
//! assert_eq!(report.errors(), 0);
//! assert_eq!(report.warnings(), 1);
//! let warning = &report.diagnostics[0];
//! assert_eq!(warning.code.code(), "LH309"); // unknown-field: `reply-to` is for replies
//! assert_eq!(warning.line, Some(7));
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

#[cfg(feature = "cache")]
pub mod cache;
pub mod diagnostic;
pub mod document;
pub mod enforce;
mod error;
pub mod history;
pub mod load;
pub mod mail;
pub mod marks;
pub mod merge;
pub mod model;
mod parallel;
pub mod read;
pub mod render;
pub mod signature;
pub mod source;
mod store;
pub mod sync;
pub mod validate;
pub mod write;

#[cfg(test)]
mod test_support;

/// The git2 this crate is built with, for embedders that open repositories for [`GitTree`].
pub use git2;
/// The time library of the API (instants, zones, spans), re-exported so callers use the same version.
pub use jiff;
/// The thread pools of [`Parallelism::Pool`], re-exported so callers build them with the same version.
pub use rayon;

pub use diagnostic::{Code, Diagnostic, Report, Severity};
pub use error::{Error, Result};
pub use load::{load, load_with, Loaded};
pub use model::{Config, Decision, Discussion, Message, Thread};
pub use parallel::Parallelism;
pub use source::{find_root, GitTree, MemoryTree, Source, WorkTree};

/// The reading types can move to another thread: a source, what loading produced, a
/// validation report and a write transaction are `Send` (an embedder may load on a worker and report on the main
/// thread). [`GitTree`] is `Send` but not `Sync` (git2's `Repository` is not `Sync`): one
/// thread reads it at a time. Checked at compile time.
const _: fn() = || {
    fn assert_send<T: Send>() {}
    assert_send::<GitTree>();
    assert_send::<WorkTree>();
    assert_send::<MemoryTree>();
    assert_send::<Loaded>();
    assert_send::<Discussion>();
    assert_send::<Report>();
    assert_send::<Diagnostic>();
    assert_send::<Error>();
    assert_send::<write::Transaction>();
};
