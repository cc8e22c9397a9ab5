//! `longhand render`: the discussion as a static web site with Atom feeds.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use longhand::render::site::{write_site_with_progress, Options, Progress, Summary};
use longhand::{find_root, GitTree, WorkTree};

use crate::cli_error::{CliError, EXIT_OK};
use crate::clock::fixed_now;
use crate::output;

/// Render the discussion as a static web site with Atom feeds.
///
/// The site has an index of threads (with pages per status and per tag), a page per thread,
/// a decision log, people pages, feeds, and a search box (a prebuilt index, search-index.js,
/// and a small script, search.js: the site's only scripts). It loads nothing from elsewhere;
/// every link is relative, so it works, search included, from file:// and from any static
/// host. Message bodies
/// are untrusted: raw HTML is shown as text and only http, https, mailto and relative links
/// are kept. The same revision always renders to the same bytes (LONGHAND_NOW fixes the
/// instant the site describes; otherwise it is the data's latest date).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand render\n  \
longhand -C examples/async-standups render --out /tmp/standups-site\n  \
longhand render --rev main --base-url https://example.org/discussions/\n  \
longhand -C /srv/git/team.git render --rev main --out /var/www/team\n\n\
DIR is replaced as a whole when it is empty or holds a site longhand rendered; any other\n\
directory is refused. Details: docs/render.md.")]
pub struct Args {
    /// Where to write the site (relative to -C's directory).
    #[arg(long, value_name = "DIR", default_value = "_site")]
    out: PathBuf,

    /// Render the tree of this git revision instead of the work tree (works in bare
    /// repositories).
    #[arg(long, value_name = "REV")]
    rev: Option<String>,

    /// With --rev: the discussion's directory inside the tree (default: where the work tree
    /// has it, or the top of the tree in a bare repository).
    #[arg(long, value_name = "DIR", requires = "rev")]
    root: Option<String>,

    /// The URL the site is published at, for absolute links and ids in the Atom feeds.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    if let Some(url) = &args.base_url {
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            return Err(CliError::usage(
                format!("--base-url `{url}` is not an http or https URL"),
                "write the address the site is published at, such as https://example.org/team/",
            ));
        }
    }
    let options = Options::new()
        .base_url(args.base_url.clone())
        .now(fixed_now()?);
    let out = start.join(&args.out);
    let mut bar = Bar::new();
    let summary = match &args.rev {
        Some(rev) => {
            let source = GitTree::discover(start, rev, args.root.as_deref())?;
            write_site_with_progress(&source, &out, &options, &mut |p| bar.show(p))?
        }
        None => {
            let root = find_root(start).map_err(|e| super::bare_hint(start, e, "render"))?;
            write_site_with_progress(&WorkTree::new(root), &out, &options, &mut |p| bar.show(p))?
        }
    };
    bar.clear();
    if summary.errors > 0 {
        output::reading::warn_unreadable(summary.errors);
    }
    report(&summary, &out)?;
    Ok(ExitCode::from(EXIT_OK))
}

fn report(summary: &Summary, out: &Path) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    writeln!(
        stdout,
        "Wrote {} pages, {} feeds and {} attachments to {}",
        summary.pages,
        summary.feeds,
        summary.attachments,
        out.display()
    )?;
    writeln!(stdout, "Open {}", out.join("index.html").display())?;
    stdout.flush()?;
    Ok(())
}

/// A progress bar on standard error: only on a terminal, and only once a render has taken
/// longer than a moment, so quick renders and scripts see nothing.
struct Bar {
    started: Instant,
    delay: Duration,
    terminal: bool,
    shown: bool,
    last: usize,
}

impl Bar {
    const DELAY: Duration = Duration::from_millis(500);
    const WIDTH: usize = 30;

    fn new() -> Bar {
        // `LONGHAND_PROGRESS_DELAY_MS` changes the moment (tests show the bar on a small site).
        let delay = crate::environment::progress_delay().unwrap_or(Self::DELAY);
        Bar {
            started: Instant::now(),
            delay,
            terminal: io::stderr().is_terminal(),
            shown: false,
            last: usize::MAX,
        }
    }

    fn show(&mut self, progress: Progress) {
        if !self.terminal || self.started.elapsed() < self.delay || progress.total == 0 {
            return;
        }
        let filled = (progress.done.min(progress.total) * Self::WIDTH) / progress.total;
        let percent = progress.done.min(progress.total) * 100 / progress.total;
        if percent == self.last {
            return;
        }
        self.last = percent;
        self.shown = true;
        let mut stderr = io::stderr().lock();
        // A broken stderr must not stop the render.
        let _ = write!(
            stderr,
            "\rRendering [{}{}] {percent:>3}% ({}/{})",
            "#".repeat(filled),
            " ".repeat(Self::WIDTH - filled),
            progress.done.min(progress.total),
            progress.total
        );
        let _ = stderr.flush();
    }

    fn clear(&mut self) {
        if self.shown {
            let mut stderr = io::stderr().lock();
            let _ = write!(stderr, "\r{}\r", " ".repeat(Self::WIDTH + 40));
            let _ = stderr.flush();
        }
    }
}
