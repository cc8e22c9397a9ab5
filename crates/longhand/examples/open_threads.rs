//! Prints the open threads of a discussion at a git revision, without checking anything out.
//!
//! ```text
//! cargo run -p longhand --example open_threads -- [REPO] [REV] [DIR]
//! cargo run -p longhand --example open_threads -- . HEAD examples/async-standups
//! ```
//!
//! REPO defaults to `.`, REV to `HEAD`, DIR (the discussion root inside the tree) to the top.

use std::process::ExitCode;

use longhand::model::ThreadStatus;
use longhand::{load, GitTree};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repo = args.first().map_or(".", String::as_str);
    let rev = args.get(1).map_or("HEAD", String::as_str);
    let dir = args.get(2).map_or("", String::as_str);
    match run(repo, rev, dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("open_threads: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(repo: &str, rev: &str, dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let source = GitTree::new(git2::Repository::open(repo)?, rev, dir)?;
    let loaded = load(&source)?;
    let mut open: Vec<_> = loaded
        .discussion
        .threads
        .iter()
        .filter(|t| t.status == ThreadStatus::Open)
        .collect();
    open.sort_by_key(|t| t.respond_by.as_ref().map(|d| d.instant()));
    for thread in open {
        let last = thread
            .replies
            .iter()
            .map(|m| m.date.instant)
            .max()
            .unwrap_or(thread.date.instant);
        let deadline = thread
            .respond_by
            .as_ref()
            .map_or("no deadline".to_owned(), |d| format!("respond by {d}"));
        println!("{}  {}", thread.slug, thread.title);
        println!(
            "    {} replies, last {last}, awaiting [{}], {deadline}",
            thread.replies.len(),
            thread.awaiting.join(", ")
        );
    }
    Ok(())
}
