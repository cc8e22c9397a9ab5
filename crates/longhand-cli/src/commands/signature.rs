//! `longhand signature`: check a file's signature, or hand it to OpenSSH to check.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use longhand::find_root;

use crate::cli_error::{CliError, EXIT_OK, EXIT_VIOLATIONS};
use longhand::render::terminal::sanitize;

/// Check signed messages (docs/signing.md).
#[derive(Debug, clap::Subcommand)]
pub enum SignatureCommand {
    /// Write a file's canonical bytes, its signature and an allowed-signers file to DIR, for
    /// OpenSSH to check on its own.
    ///
    /// DIR/data holds the canonical bytes (no BOM, LF line endings, the `signature:` line
    /// left out), DIR/data.sig the signature as `ssh-keygen -Y sign` writes it, and
    /// DIR/allowed_signers each email of the key's owner in longhand.yaml with the key.
    #[command(after_help = "Examples:\n  \
longhand signature export threads/standups/01JD8Q20….md /tmp/check\n  \
ssh-keygen -Y verify -f /tmp/check/allowed_signers -I bo@example.org -n longhand \\\n    \
-s /tmp/check/data.sig < /tmp/check/data\n\n\
Exit codes: 0 written, 2 could not (unsigned, malformed, a key no one lists).")]
    Export {
        /// The signed file (a thread header, reply or decision).
        file: PathBuf,
        /// Where to write data, data.sig and allowed_signers (created if missing).
        dir: PathBuf,
    },
    /// Check a file's signature against longhand.yaml: who signed it, and whether they may
    /// have written it as it reads.
    #[command(
        after_help = "Exit codes: 0 a good signature by someone allowed, 1 unsigned or \
a bad signature, 2 could not run."
    )]
    Verify {
        /// The file (a thread header, reply or decision).
        file: PathBuf,
    },
}

pub fn run(start: &Path, command: &SignatureCommand) -> Result<ExitCode, CliError> {
    match command {
        SignatureCommand::Export { file, dir } => export(start, file, dir),
        SignatureCommand::Verify { file } => verify(start, file),
    }
}

/// The roster, the file's bytes and its path relative to the discussion root.
fn open(start: &Path, file: &Path) -> Result<(longhand::Config, Vec<u8>, String), CliError> {
    let root = find_root(start)?;
    let config_bytes = std::fs::read(root.join("longhand.yaml")).map_err(|e| fs_error(&root, e))?;
    let config = longhand::load::config_of(&config_bytes).ok_or_else(|| {
        CliError::usage(
            "longhand.yaml cannot be read",
            "run `longhand validate` and fix longhand.yaml first",
        )
    })?;
    let path = if file.is_absolute() {
        file.to_path_buf()
    } else {
        start.join(file)
    };
    let bytes = std::fs::read(&path).map_err(|e| CliError::ReadText {
        path: path.clone(),
        error: e,
    })?;
    let canonical_root = root.canonicalize().map_err(|e| fs_error(&root, e))?;
    let relative = path
        .canonicalize()
        .map_err(|e| fs_error(&path, e))?
        .strip_prefix(&canonical_root)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default();
    Ok((config, bytes, relative))
}

fn fs_error(path: &Path, error: std::io::Error) -> CliError {
    CliError::usage(
        format!("{}: {error}", path.display()),
        "check the path and its permissions",
    )
}

fn export(start: &Path, file: &Path, dir: &Path) -> Result<ExitCode, CliError> {
    let (config, bytes, _) = open(start, file)?;
    let export = longhand::signature::export(&bytes, &config).map_err(|e| {
        CliError::usage(
            format!("{}: {e}", file.display()),
            "export a file that `longhand signature verify` accepts",
        )
    })?;
    std::fs::create_dir_all(dir).map_err(|e| fs_error(dir, e))?;
    for (name, content) in [
        ("data", &export.data[..]),
        ("data.sig", export.armored.as_bytes()),
        ("allowed_signers", export.allowed_signers.as_bytes()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(|e| fs_error(&path, e))?;
    }
    let email = config
        .people
        .get(&export.handle)
        .and_then(|p| p.emails.first().cloned())
        .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "wrote {0}/data, {0}/data.sig and {0}/allowed_signers (signed by {1})\ncheck with: ssh-keygen -Y verify -f {0}/allowed_signers -I {2} -n longhand -s {0}/data.sig < {0}/data",
        sanitize(&dir.display().to_string()),
        sanitize(&export.handle),
        sanitize(&email)
    )?;
    Ok(ExitCode::from(EXIT_OK))
}

fn verify(start: &Path, file: &Path) -> Result<ExitCode, CliError> {
    let (config, bytes, relative) = open(start, file)?;
    let mut out = std::io::stdout().lock();
    let name = sanitize(&file.display().to_string());
    match longhand::validate::check_signature(Some(&config), &relative, &bytes) {
        None => {
            writeln!(out, "{name}: not signed")?;
            Ok(ExitCode::from(EXIT_VIOLATIONS))
        }
        Some(Ok((who, key))) => {
            writeln!(
                out,
                "{name}: good signature by {} ({} {})",
                sanitize(who.as_str()),
                key.algorithm(),
                key.fingerprint()
            )?;
            Ok(ExitCode::from(EXIT_OK))
        }
        Some(Err((code, message))) => {
            writeln!(out, "{name}: {code} {}", sanitize(&message))?;
            Ok(ExitCode::from(EXIT_VIOLATIONS))
        }
    }
}
