//! `init`: a new discussion root, with the merge driver registered for its shared files.

use std::fs;
use std::path::Path;

use crate::document::emit::scalar;
use crate::model::Author;
use crate::source::CONFIG_FILE;
use crate::write::atomic::{self, Mode};
use crate::write::transaction::{Record, Recorded, Settings, Writer};
use crate::{Error, Result};

/// The command line git runs to merge `longhand.yaml`, `thread.md` and decision records.
pub const MERGE_DRIVER: &str = "longhand merge-driver %O %A %B %P --marker-size %L";

/// The `.gitattributes` lines that route the shared files to the merge driver.
const ATTRIBUTES: &[&str] = &[
    "longhand.yaml merge=longhand",
    "threads/*/thread.md merge=longhand",
    "decisions/*.md merge=longhand",
];

/// What `init` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InitReport {
    /// Files created or changed, relative to the discussion root.
    pub written: Vec<String>,
    /// True when `longhand.yaml` was already there (it is never overwritten).
    pub config_existed: bool,
    /// True when the merge driver was registered in the repository's config.
    pub driver_registered: bool,
    /// How the written files were recorded in git: `None` when nothing was written, no
    /// recording was asked for, or no one is known to commit as.
    pub recorded: Option<Recorded>,
}

/// Makes `dir` a discussion root: `longhand.yaml` (unless one exists), `threads/` and
/// `decisions/`, the `.gitattributes` lines for the merge driver, a `.gitignore` line for
/// the site `render` writes by default (`/_site/`), and — inside a git work
/// tree — the driver's entry in the repository's own config. Running it again changes nothing.
/// The founder — `settings.author`, else the identity git is configured with — is listed in
/// `people` as a moderator, with `zone` (an IANA name) when it is valid.
///
/// Like a [`crate::write::Transaction`], it holds the repository's write lock throughout,
/// refuses to rewrite a `.gitattributes` that differs from HEAD, and then, as `record` asks,
/// commits (as `longhand: start a discussion`, at the settings' instant) or stages the files
/// it wrote.
pub fn init(
    dir: &Path,
    title: &str,
    zone: Option<&str>,
    settings: Settings,
    record: Option<Record>,
) -> Result<InitReport> {
    let writer = Writer::open(dir, &settings)?;
    // init may rewrite .gitattributes and .gitignore; never commit the user's own changes to
    // them.
    writer.ensure_unchanged(&[".gitattributes".to_owned(), ".gitignore".to_owned()])?;
    let founder = writer.author().map(|author| (author, zone));
    let mut report = write_files(dir, title, founder)?;
    if let Some(repo) = writer.repository() {
        register_driver(repo)?;
        report.driver_registered = true;
    }
    if let (Some(how), Some(_), false) = (record, founder, report.written.is_empty()) {
        report.recorded = Some(writer.record(&report.written, INIT_MESSAGE, how)?);
    }
    Ok(report)
}

/// The `.gitignore` lines: the folder `longhand render` writes when run at the root without
/// `--out`.
const IGNORED: &[&str] = &["/_site/"];

/// The message of the commit `init` makes.
pub const INIT_MESSAGE: &str = "longhand: start a discussion";

/// Adds each of `lines` that `name` (in `dir`) lacks, under `comment`: true when it wrote.
fn add_lines(dir: &Path, name: &str, comment: &str, lines: &[&str]) -> Result<bool> {
    let path = dir.join(name);
    let existing = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let missing: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| !existing.lines().any(|l| l.trim() == *line))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(comment);
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    atomic::write(dir, name, text.as_bytes(), Mode::Replace)?;
    Ok(true)
}

fn write_files(
    dir: &Path,
    title: &str,
    founder: Option<(&Author, Option<&str>)>,
) -> Result<InitReport> {
    let mut report = InitReport::default();
    let config = dir.join(CONFIG_FILE);
    if fs::symlink_metadata(&config).is_ok() {
        report.config_existed = true;
    } else {
        let text = config_text(title, founder);
        atomic::write(dir, CONFIG_FILE, text.as_bytes(), Mode::CreateNew)?;
        report.written.push(CONFIG_FILE.to_owned());
    }
    for keep in ["threads/.gitkeep", "decisions/.gitkeep"] {
        let parent = dir.join(keep.split('/').next().unwrap_or_default());
        if !parent.is_dir() {
            atomic::write(dir, keep, b"", Mode::CreateNew)?;
            report.written.push(keep.to_owned());
        }
    }
    let files = [
        (
            ".gitattributes",
            "# Longhand: merge shared discussion files field by field\n",
            ATTRIBUTES,
        ),
        (
            ".gitignore",
            "# Longhand: the site `longhand render` writes by default\n",
            IGNORED,
        ),
    ];
    for (name, comment, lines) in files {
        if add_lines(dir, name, comment, lines)? {
            report.written.push(name.to_owned());
        }
    }
    Ok(report)
}

/// True when the repository's config defines the merge driver. A clone does not copy the
/// config of the repository it was cloned from, so a fresh clone has no driver until
/// `init` runs in it.
pub fn driver_registered(repo: &git2::Repository) -> bool {
    repo.config()
        .and_then(|c| c.get_string("merge.longhand.driver"))
        .is_ok_and(|driver| !driver.trim().is_empty())
}

/// Sets the merge driver in the repository's own config (never the user's global config).
pub fn register_driver(repo: &git2::Repository) -> Result<()> {
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(
        "merge.longhand.name",
        "Longhand: field-by-field merge of discussion files",
    )?;
    config.set_str("merge.longhand.driver", MERGE_DRIVER)?;
    Ok(())
}

fn config_text(title: &str, founder: Option<(&Author, Option<&str>)>) -> String {
    let mut text = format!("longhand: 1\ntitle: {}\n", scalar(title.trim()));
    match founder {
        Some((author, zone)) => {
            let handle = handle_for(&author.email);
            text.push_str(&format!(
                "people:\n  {}:\n    name: {}\n    emails: [{}]\n",
                scalar(&handle),
                scalar(&author.name),
                scalar(&author.email)
            ));
            if let Some(zone) = zone.filter(|z| jiff::tz::TimeZone::get(z).is_ok()) {
                text.push_str(&format!("    timezone: {}\n", scalar(zone)));
            }
            text.push_str("    roles: [moderator]\n");
        }
        None => text.push_str("people: {}\n"),
    }
    text.push_str(
        "policy:\n  decision-rule: lazy-consensus\n  review-period: 72h\n  authorship: commit-author\n",
    );
    text
}

/// A handle from an email's local part: `Ana.Lima+x@example.org` → `ana.lima-x`.
fn handle_for(email: &str) -> String {
    let local = email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut handle: String = local
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    handle = handle
        .trim_start_matches(['.', '_', '-'])
        .chars()
        .take(64)
        .collect();
    if handle.is_empty() {
        "me".to_owned()
    } else {
        handle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numeric_handle_is_quoted_so_it_stays_a_string() {
        let dir = tempfile::tempdir().expect("tempdir");
        let founder = Author::parse("Num Ber <12345@example.org>").expect("author");
        init(dir.path(), "T", None, Settings::new().author(founder), None).expect("init");
        let report = crate::validate::run(&crate::WorkTree::new(dir.path())).expect("validates");
        assert_eq!(report.diagnostics, vec![]);
        let loaded = crate::load(&crate::WorkTree::new(dir.path())).expect("loads");
        let people = &loaded.discussion.config.expect("config").people;
        assert!(people.contains_key("12345"), "{people:?}");
    }

    #[test]
    fn handles_come_from_the_email_local_part() {
        assert_eq!(handle_for("Ana.Lima+x@example.org"), "ana.lima-x");
        assert_eq!(handle_for("@example.org"), "me");
        assert!(crate::model::is_handle(&handle_for("__x__@y")));
    }

    #[test]
    fn init_is_idempotent_and_never_overwrites_the_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let founder = Author::parse("Ana Lima <ana@example.org>").expect("author");
        let settings = Settings::new().author(founder);
        let first = init(
            dir.path(),
            "Team: async",
            Some("Europe/Berlin"),
            settings.clone(),
            None,
        )
        .expect("init");
        assert!(!first.config_existed);
        let written = fs::read_to_string(dir.path().join(CONFIG_FILE)).expect("read");
        assert!(written.contains("title: \"Team: async\"\n"), "{written}");
        assert!(
            written.contains("    timezone: Europe/Berlin\n"),
            "{written}"
        );
        assert_eq!(
            first.written,
            [
                "longhand.yaml",
                "threads/.gitkeep",
                "decisions/.gitkeep",
                ".gitattributes",
                ".gitignore"
            ]
        );
        let report = crate::validate::run(&crate::WorkTree::new(dir.path())).expect("validates");
        assert_eq!(report.diagnostics, vec![]);
        fs::write(dir.path().join(CONFIG_FILE), "longhand: 1\ntitle: Mine\n").expect("write");
        let second = init(dir.path(), "Other", None, settings, None).expect("init again");
        assert!(second.config_existed);
        assert!(second.written.is_empty());
        let config = fs::read_to_string(dir.path().join(CONFIG_FILE)).expect("read");
        assert_eq!(config, "longhand: 1\ntitle: Mine\n");
    }
}
