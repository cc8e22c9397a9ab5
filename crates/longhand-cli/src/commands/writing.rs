//! What every writing command shares: finding the discussion, the writer's identity and clock,
//! the text of a message (`-m`, `-F` or an editor), and writing then committing a change.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use longhand::find_root;
use longhand::render::terminal::sanitize;
use longhand::write::{self, Change, Context, Record, Recorded, Settings, Transaction};

use crate::cli_error::{CliError, EXIT_OK};
use crate::{environment, identity};

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

/// An open discussion, ready to be written to: a library [`Transaction`], which holds the
/// repository's write lock until the change is committed (or the session is dropped).
pub struct Session {
    /// Where the command started, to open the discussion again after an editor.
    start: PathBuf,
    transaction: Transaction,
}

impl Session {
    /// Finds the discussion from `start`, takes the write lock, loads and validates it, and
    /// settles who writes and when; warns when the clone has no merge driver.
    pub fn open(start: &Path) -> Result<Session, CliError> {
        let session = Session::open_quietly(start)?;
        if let Some(repo) = session.transaction.repository() {
            if !write::driver_registered(repo) {
                eprintln!(
                    "longhand: warning: this clone has no Longhand merge driver, so git would merge thread.md and decisions line by line\n  help: run `longhand hook install` once in this clone to register it"
                );
            }
        }
        Ok(session)
    }

    fn open_quietly(start: &Path) -> Result<Session, CliError> {
        let root = find_root(start)?;
        let mut settings = Settings::new().now(environment::local_now()?);
        if let Some(wait) = environment::lock_wait() {
            settings = settings.lock_wait(wait);
        }
        let mut settings = settings.author(identity::writer(&root)?);
        if let Some(signer) = signer_for(&root)? {
            settings = settings.signer(signer);
        }
        Ok(Session {
            start: start.to_path_buf(),
            transaction: Transaction::open(&root, settings)?,
        })
    }

    /// The context the library's operations read.
    pub fn context(&self) -> Context<'_> {
        self.transaction.context()
    }

    /// Refuses to go on where `policy.authorship` is `signed` and the change cannot be
    /// signed (no key set up, or a key not listed under the writer); commands that open an
    /// editor ask this before it opens, so no text written there is lost.
    pub fn may_commit(&self, commit: &CommitArgs) -> Result<(), CliError> {
        Ok(self.transaction.may_record(record(commit))?)
    }

    /// Where `git` keeps its files, for the editor's temporary file.
    fn scratch_dir(&self) -> PathBuf {
        self.transaction
            .repository()
            .map(|r| r.path().to_path_buf())
            .unwrap_or_else(std::env::temp_dir)
    }

    /// The text from `-m`, `-F`, or an editor opened on `template` (with `about` explained
    /// below the scissors line). An empty text is `CliError::EmptyText`.
    ///
    /// The write lock is not held while a person writes in the editor: the session is closed
    /// before it opens and opened again after it closes, so the change is checked against the
    /// discussion as it is then, and dated then.
    pub fn text(
        self,
        args: &TextArgs,
        template: &str,
        about: &str,
    ) -> Result<(Session, String), CliError> {
        if let Some(message) = &args.message {
            return Ok((self, message.clone()));
        }
        if let Some(file) = &args.file {
            if file.as_os_str() == "-" {
                let mut text = String::new();
                io::stdin().read_to_string(&mut text)?;
                return Ok((self, text));
            }
            let text = std::fs::read_to_string(file).map_err(|e| CliError::ReadText {
                path: file.clone(),
                error: e,
            })?;
            return Ok((self, text));
        }
        let dir = self.scratch_dir();
        let start = self.start.clone();
        drop(self);
        let text = edit(&dir, template, about, true)?;
        Ok((Session::open_quietly(&start)?, text))
    }

    /// Like [`Session::text`], for amending a text: the editor opens on `current`, and
    /// leaving it unchanged is not an empty text (the library says there is nothing to
    /// change).
    pub fn amended_text(
        self,
        args: &TextArgs,
        current: &str,
        about: &str,
    ) -> Result<(Session, String), CliError> {
        if !args.is_absent() {
            return self.text(args, current, about);
        }
        let dir = self.scratch_dir();
        let start = self.start.clone();
        drop(self);
        let text = edit(&dir, current, about, false)?;
        Ok((Session::open_quietly(&start)?, text))
    }

    /// Writes the change, then commits it (or only stages it), and says what happened. Where
    /// `policy.authorship` is `signed`, every message file is signed first (docs/signing.md).
    pub fn finish(self, change: &Change, commit: &CommitArgs) -> Result<ExitCode, CliError> {
        let written = self.transaction.write(change, record(commit))?;
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for path in written.paths() {
            writeln!(out, "wrote {}", sanitize(path))?;
        }
        match written.finish()? {
            Recorded::Committed(oid) => {
                writeln!(out, "committed {:.7} {}", oid, sanitize(&change.message))?
            }
            Recorded::Staged => {
                writeln!(out, "staged, not committed: {}", sanitize(&change.message))?
            }
            _ => writeln!(out, "not in a git repository: nothing committed")?,
        }
        Ok(ExitCode::from(EXIT_OK))
    }
}

/// The signer of a discussion whose `policy.authorship` is `signed`: `ssh-keygen` with the
/// key git signs commits with (`gpg.format ssh`, `user.signingkey`, `gpg.ssh.program`).
/// `None` under any other policy: nothing is signed. Without a usable key, the refusal says
/// what to set, before anything is written.
fn signer_for(
    root: &Path,
) -> Result<Option<std::sync::Arc<dyn longhand::signature::Signer>>, CliError> {
    let signed = std::fs::read(root.join("longhand.yaml"))
        .ok()
        .and_then(|bytes| longhand::load::config_of(&bytes))
        .is_some_and(|c| c.policy.authorship == longhand::model::Authorship::Signed);
    if !signed {
        return Ok(None);
    }
    let config = git2::Repository::discover(root)
        .and_then(|repo| repo.config())
        .or_else(|_| git2::Config::open_default())
        .map_err(longhand::Error::from)?;
    match longhand::signature::SshKeygen::from_git_config(&config) {
        Ok(signer) => Ok(Some(std::sync::Arc::new(signer))),
        Err(e) => Err(longhand::Error::SigningRequired {
            reason: e.to_string(),
        }
        .into()),
    }
}

/// How `--no-commit` records a change.
fn record(commit: &CommitArgs) -> Record {
    if commit.no_commit {
        Record::Stage
    } else {
        Record::Commit
    }
}

/// The line below which the editor's text is instructions, not content.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// Opens $VISUAL or $EDITOR (else `vi`) on a file holding `template`, as `git commit` does, and
/// returns what is above the scissors line. An empty text aborts, and so does the template
/// left as it was when `unchanged_aborts`.
fn edit(
    dir: &Path,
    template: &str,
    about: &str,
    unchanged_aborts: bool,
) -> Result<String, CliError> {
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
    if kept.trim().is_empty() || (unchanged_aborts && kept.trim() == template.trim()) {
        return Err(CliError::EmptyText);
    }
    Ok(kept.to_owned())
}
