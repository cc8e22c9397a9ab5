//! `longhand digest`: what happened since a time or a git revision, and what waits for you —
//! as text, Markdown or an HTML email, or JSON.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use longhand::model::Discussion;
use longhand::read::digest::{self as reading, Since};
use longhand::render::digest::{self as rendering, Format, Options, Site};
use longhand::render::site::Pages;
use longhand::{load, GitTree};

use super::reading::{reader_reference, whose};
use crate::cli_error::{CliError, EXIT_OK};
use crate::clock::Clock;
use crate::commands::read_discussion;
use crate::output::json::{write_json, JsonDigest};

/// What happened since WHEN or REV: new threads, replies, decisions — and what waits for you.
///
/// WHEN is an RFC 3339 timestamp, a date (the start of that day in your time zone) or a span
/// back from now (90m, 24h, 7d, 2w); it is compared with the dates written in the files. Any
/// other value is a git revision: the discussion at REV is compared with the work tree (or with
/// --rev), so replies with slow clocks and status changes are seen too. Without --for, the
/// waiting section is for the person whose email is GIT_AUTHOR_EMAIL, else git's user.email.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand digest --since 7d\n  \
longhand digest --since 2026-11-24 --for jonas --format html > digest.html\n  \
longhand digest --since origin/main@{1.week.ago} --format md\n  \
longhand digest --since v1.0 --rev main --format json")]
pub struct Args {
    /// From when: a timestamp, a date, a span (7d), or a git revision.
    #[arg(long, value_name = "WHEN|REV")]
    since: String,

    /// Whose waiting items to show: a handle from longhand.yaml, or an email.
    #[arg(long = "for", value_name = "WHO")]
    who: Option<String>,

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
}

/// A discussion read from a git revision, warning about what could not be read.
fn read_revision(
    start: &Path,
    rev: &str,
    root: Option<&str>,
) -> Result<(Discussion, Option<String>), CliError> {
    let source = GitTree::discover(start, rev, root)?;
    let commit = source.commit().map(|c| format!("{c:.7}"));
    Ok((super::readable(load(&source)?), commit))
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    let clock = Clock::from_environment()?;
    let after = match &args.rev {
        Some(rev) => read_revision(start, rev, args.root.as_deref())?.0,
        None => read_discussion(start)?,
    };
    let config = after.config.as_ref();
    let reference = reader_reference(args.who.as_deref(), start).ok();
    let who = match &reference {
        Some(reference) => Some(whose(config, reference)?),
        None => {
            eprintln!("longhand: note: no --for and no git user.email: the digest has no \"waiting for you\" section");
            None
        }
    };
    let before;
    let digest = match reading::parse_since(&args.since, clock.now, &clock.zone) {
        Some(since) => reading::since_instant(&after, since, who.as_ref(), clock.now),
        None => {
            let (discussion, commit) = read_revision(start, &args.since, args.root.as_deref()).map_err(|e| match e {
                CliError::Library(longhand::Error::BadRevision { .. })
                | CliError::Library(longhand::Error::NotARepository { .. }) => CliError::usage(
                    format!("`{}` is neither a time nor a git revision", args.since),
                    "give a timestamp (2026-11-24T09:00:00Z), a date (2026-11-24), a span back from now (24h, 7d, 2w), or a revision (main~10, v1.0, origin/main@{1.week.ago})",
                ),
                other => other,
            })?;
            before = discussion;
            let since = Since::Revision {
                name: args.since.clone(),
                commit,
            };
            reading::between(&before, &after, since, who.as_ref(), clock.now)
        }
    };
    if let Some(url) = &args.site_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(CliError::usage(
                format!("--site-url `{url}` is not an http or https URL"),
                "give the address the site is published at, such as https://example.org/team/",
            ));
        }
    }
    let pages = args.site_url.as_ref().map(|_| Pages::new(&after));
    let site = args.site_url.as_deref().zip(pages.as_ref());
    let options = Options::new(config, &clock.zone)
        .site(site.map(|(base_url, pages)| Site { base_url, pages }));
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
    }
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
