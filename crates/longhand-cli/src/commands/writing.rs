//! What every writing command shares: finding the discussion, the writer's identity and clock,
//! the text of a message (`-m`, `-F` or an editor), and writing then committing a change.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use longhand::model::{Author, Authorship, Moment};
use longhand::render::terminal::sanitize;
use longhand::write::{self, Change, Context, Mode, Repo};
use longhand::{find_root, load, validate, Diagnostic, Loaded, WorkTree};

use crate::cli_error::{CliError, EXIT_OK};
use crate::environment;

/// The text of a message: given inline, from a file, or written in an editor.
#[derive(Debug, Default, clap::Args)]
pub struct TextArgs {
    /// The text (Markdown). Without -m or -F, $VISUAL or $EDITOR opens on a template.
    #[arg(
        short = 'm',
        long = "message",
        value_name = "TEXT",
        conflicts_with = "file"
    )]
    message: Option<String>,

    /// Read the text from FILE (`-` for standard input).
    #[arg(short = 'F', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
}

impl TextArgs {
    /// True when neither -m nor -F was given.
    pub fn is_absent(&self) -> bool {
        self.message.is_none() && self.file.is_none()
    }
}

/// `--no-commit`: write and stage, but leave committing to the user.
#[derive(Debug, Default, clap::Args)]
pub struct CommitArgs {
    /// Write the files and stage them, without committing.
    #[arg(long)]
    pub no_commit: bool,
}

/// An open discussion, ready to be written to.
pub struct Session {
    root: PathBuf,
    source: WorkTree,
    loaded: Loaded,
    diagnostics: Vec<Diagnostic>,
    repo: Option<Repo>,
    author: Author,
    /// The clock reading the last context was given: the commit is dated by it too, so a
    /// change's `date` or `decided` and its commit record one instant.
    now: std::cell::Cell<Option<Moment>>,
}

impl Session {
    /// Finds the discussion from `start`, loads and validates it, and settles who writes.
    pub fn open(start: &Path) -> Result<Session, CliError> {
        let root = find_root(start)?;
        let source = WorkTree::new(&root);
        let loaded = load(&source)?;
        let mut diagnostics = loaded.diagnostics.clone();
        diagnostics.extend(validate::tree(&loaded.discussion));
        let repo = Repo::for_root(&root);
        if let Some(repo) = &repo {
            if !write::driver_registered(repo.repository()) {
                eprintln!(
                    "longhand: warning: this clone has no Longhand merge driver, so git would merge thread.md and decisions line by line\n  help: run `longhand hook install` once in this clone to register it"
                );
            }
        }
        let author = match (environment::git_author(), &repo) {
            (Some(author), _) => author,
            (None, Some(repo)) => repo.configured_identity()?,
            (None, None) => return Err(CliError::NotInRepository),
        };
        Ok(Session {
            root,
            source,
            loaded,
            diagnostics,
            repo,
            author,
            now: std::cell::Cell::new(None),
        })
    }

    /// The context the library's operations read.
    pub fn context(&self) -> Result<Context<'_>, CliError> {
        Ok(Context {
            discussion: &self.loaded.discussion,
            diagnostics: &self.diagnostics,
            source: &self.source,
            author: self.author.clone(),
            now: self.read_clock()?,
        })
    }

    /// Reads the clock once for a context, and remembers the reading for the commit.
    fn read_clock(&self) -> Result<Moment, CliError> {
        let now = environment::local_now()?;
        self.now.set(Some(now.clone()));
        Ok(now)
    }

    /// Refuses to go on when the change would be committed where `policy.authorship` is
    /// `signed` (longhand's commits are not signed); commands that open an editor ask this
    /// before it opens, so no text written there is lost.
    pub fn may_commit(&self, commit: &CommitArgs) -> Result<(), CliError> {
        let signed = self
            .loaded
            .discussion
            .config
            .as_ref()
            .is_some_and(|c| c.policy.authorship == Authorship::Signed);
        if signed && self.repo.is_some() && !commit.no_commit {
            return Err(longhand::Error::SigningRequired.into());
        }
        Ok(())
    }

    /// Where `git` keeps its files, for the editor's temporary file.
    fn scratch_dir(&self) -> PathBuf {
        self.repo
            .as_ref()
            .map(|r| r.repository().path().to_path_buf())
            .unwrap_or_else(std::env::temp_dir)
    }

    /// The text from `-m`, `-F`, or an editor opened on `template` (with `about` explained
    /// below the scissors line). An empty text is `CliError::EmptyText`.
    pub fn text(&self, args: &TextArgs, template: &str, about: &str) -> Result<String, CliError> {
        if let Some(message) = &args.message {
            return Ok(message.clone());
        }
        if let Some(file) = &args.file {
            if file.as_os_str() == "-" {
                let mut text = String::new();
                io::stdin().read_to_string(&mut text)?;
                return Ok(text);
            }
            return std::fs::read_to_string(file).map_err(|e| CliError::ReadText {
                path: file.clone(),
                error: e,
            });
        }
        edit(&self.scratch_dir(), template, about)
    }

    /// Writes the change, then commits it (or only stages it), and says what happened.
    ///
    /// Where `policy.authorship` is `signed`, longhand's own (unsigned) commits would be
    /// refused by a server enforcing the policy: it then commits nothing and writes nothing
    /// unless asked only to stage (`--no-commit`), so the user commits with `git commit -S`.
    pub fn finish(&self, change: &Change, commit: &CommitArgs) -> Result<ExitCode, CliError> {
        self.may_commit(commit)?;
        if let Some(repo) = &self.repo {
            let rewrites: Vec<String> = change
                .writes
                .iter()
                .filter(|w| w.mode != Mode::CreateNew)
                .map(|w| w.path.clone())
                .collect();
            repo.ensure_unchanged(&rewrites)?;
        }
        write::apply(&self.root, change)?;
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for path in change.paths() {
            writeln!(out, "wrote {}", sanitize(&path))?;
        }
        match &self.repo {
            Some(repo) if !commit.no_commit => {
                let now = match self.now.take() {
                    Some(now) => now,
                    None => environment::local_now()?,
                };
                let oid = repo.commit(&change.paths(), &change.message, &self.author, &now)?;
                writeln!(out, "committed {:.7} {}", oid, sanitize(&change.message))?;
            }
            Some(repo) => {
                repo.stage(&change.paths())?;
                writeln!(out, "staged, not committed: {}", sanitize(&change.message))?;
            }
            None => writeln!(out, "not in a git repository: nothing committed")?,
        }
        Ok(ExitCode::from(EXIT_OK))
    }
}

/// The line below which the editor's text is instructions, not content.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// Opens $VISUAL or $EDITOR (else `vi`) on a file holding `template`, as `git commit` does, and
/// returns what is above the scissors line.
fn edit(dir: &Path, template: &str, about: &str) -> Result<String, CliError> {
    let editor = crate::environment::editor();
    let path = dir.join(format!("LONGHAND_EDITMSG-{}.md", std::process::id()));
    let mut content = String::from(template);
    if !content.ends_with('\n') {
        content.push('\n');
    }
    content.push_str(&format!(
        "{SCISSORS}\n# Do not modify or remove the line above.\n# Everything below it is ignored. An empty text aborts.\n# {about}\n"
    ));
    std::fs::write(&path, &content).map_err(|e| CliError::ReadText {
        path: path.clone(),
        error: e,
    })?;
    // Like git: the editor string is run by the shell, so `code --wait` works.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&path)
        .status();
    let text = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => {
            return Err(CliError::Editor {
                editor,
                detail: format!("it exited with {status}"),
            })
        }
        Err(e) => {
            return Err(CliError::Editor {
                editor,
                detail: e.to_string(),
            })
        }
    }
    let text = text.map_err(|e| CliError::ReadText { path, error: e })?;
    let kept = text.split(SCISSORS).next().unwrap_or_default();
    if kept.trim().is_empty() || kept.trim() == template.trim() {
        return Err(CliError::EmptyText);
    }
    Ok(kept.to_owned())
}
