//! Installing the git hook scripts that run `longhand hook <name>`: in a clone `pre-commit`,
//! on a server `pre-receive`. A hook already there keeps working: it is moved aside to
//! `<name>.pre-longhand` and the installed script runs it first (with the same arguments and,
//! for `pre-receive`, the same standard input), then Longhand. Installing again only rewrites
//! Longhand's own script. A server also gets git's own guards (`receive.fsckObjects`, and in a
//! repository that holds only the discussion `receive.denyNonFastForwards` and
//! `receive.denyDeletes`), unless its administrator already chose a value.
//!
//! Hook plumbing of the command, not of the library: embedders that only read, validate or
//! write never need it. On Unix the scripts are created executable (mode 0755); elsewhere
//! (Windows) git runs hooks through its bundled `sh`, and file modes do not apply.

use std::fs;
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use longhand::git2::{self, Repository};
use longhand::{Error, Result};

/// The running `longhand` binary, by its full path, which the hooks it installs run.
pub fn this_binary() -> std::result::Result<PathBuf, crate::cli_error::CliError> {
    std::env::current_exe()
        .and_then(|path| path.canonicalize())
        .map_err(|e| {
            crate::cli_error::CliError::usage(
                format!("cannot tell where the longhand binary is: {e}"),
                "run longhand by its full path",
            )
        })
}

/// An I/O error at `path`, as the library reports one.
fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The line that marks a hook script as Longhand's own.
pub const HOOK_MARKER: &str = "# longhand-hook: installed by `longhand hook install`";

/// The suffix a hook that was already there is renamed with.
pub const PREVIOUS_SUFFIX: &str = ".pre-longhand";

/// The hooks Longhand installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// A clone's `pre-commit`: validates what is staged.
    PreCommit,
    /// A server's `pre-receive`: checks every pushed ref.
    PreReceive,
}

impl Hook {
    /// The hook's file name in the hooks directory.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PreReceive => "pre-receive",
        }
    }

    fn reinstall(self) -> &'static str {
        match self {
            Hook::PreCommit => "longhand hook install",
            Hook::PreReceive => "longhand hook install --server",
        }
    }
}

/// What installing one hook did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    /// The script's path.
    pub path: PathBuf,
    /// Where a hook that was already there (not Longhand's) was moved to; it still runs.
    pub kept: Option<PathBuf>,
    /// True when Longhand's script was already there and was rewritten.
    pub updated: bool,
}

/// The directory git runs `repo`'s hooks from: `core.hooksPath` when set (a relative path is
/// relative to the work tree's top, or to the git directory in a bare repository; `~/` is
/// expanded by git's rules), else `hooks/` in the git directory.
pub fn hooks_dir(repo: &Repository) -> Result<PathBuf> {
    let config = repo.config()?;
    match config.get_path("core.hooksPath") {
        Ok(path) if path.is_absolute() => Ok(path),
        Ok(path) => Ok(repo.workdir().unwrap_or_else(|| repo.path()).join(path)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(repo.path().join("hooks")),
        Err(e) => Err(e.into()),
    }
}

/// Records the discussion root the hooks check (`""` for the top of the tree) as git config
/// `longhand.root` in the repository's own config.
pub fn set_root(repo: &Repository, root: &str) -> Result<()> {
    let mut config = repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(longhand::enforce::ROOT_KEY, root)?;
    Ok(())
}

/// A git config setting of the server: what `hook install --server` found or made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The key (`receive.fsckObjects`).
    pub key: &'static str,
    /// Its value now.
    pub value: String,
    /// True when this install set it; false when a value was already there and was kept.
    pub set: bool,
}

/// The git config keys a server sets to `true`: `receive.fsckObjects` always (git checks
/// every pushed object, so malformed trees never land), and where the repository holds only
/// the discussion (`root` is the top of the tree) `receive.denyNonFastForwards` and
/// `receive.denyDeletes`, so git itself refuses force-pushes and deletions before the hook
/// runs. (In a code repository those stay the host's business: the hook refuses what would
/// lose discussion files, LH720 and LH721.)
pub fn server_settings(root: &str) -> Vec<&'static str> {
    let mut keys = vec!["receive.fsckObjects"];
    if root.is_empty() {
        keys.extend(["receive.denyNonFastForwards", "receive.denyDeletes"]);
    }
    keys
}

/// Sets each of [`server_settings`] to `true` in the repository's own config, unless git
/// already has a value for it (at any level: the administrator's choice is kept).
pub fn secure_server(repo: &Repository, root: &str) -> Result<Vec<Setting>> {
    let mut done = Vec::new();
    for key in server_settings(root) {
        let existing = match repo.config()?.get_string(key) {
            Ok(value) => Some(value),
            Err(e) if e.code() == git2::ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        match existing {
            Some(value) => done.push(Setting {
                key,
                value,
                set: false,
            }),
            None => {
                let mut local = repo.config()?.open_level(git2::ConfigLevel::Local)?;
                local.set_bool(key, true)?;
                done.push(Setting {
                    key,
                    value: "true".to_owned(),
                    set: true,
                });
            }
        }
    }
    Ok(done)
}

/// Installs `hook` in `dir` as a script that runs `binary hook <name>`, keeping a hook that
/// is already there. Refuses (and changes nothing) when a hook must be kept but
/// `<name>.pre-longhand` is taken.
pub fn install_hook(dir: &Path, hook: Hook, binary: &Path) -> Result<Installed> {
    fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let path = dir.join(hook.name());
    let kept_path = dir.join(format!("{}{PREVIOUS_SUFFIX}", hook.name()));
    let mut installed = Installed {
        path: path.clone(),
        kept: None,
        updated: false,
    };
    match fs::symlink_metadata(&path) {
        Ok(_) if is_ours(&path) => installed.updated = true,
        Ok(_) => {
            if fs::symlink_metadata(&kept_path).is_ok() {
                return Err(Error::Refused {
                    path: path.display().to_string(),
                    reason: format!(
                        "a hook is there and {} is taken too, so it cannot be kept",
                        kept_path.display()
                    ),
                });
            }
            fs::rename(&path, &kept_path).map_err(|e| io_error(&path, e))?;
            installed.kept = Some(kept_path.clone());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(&path, e)),
    }
    if installed.kept.is_none() && fs::symlink_metadata(&kept_path).is_ok() {
        installed.kept = Some(kept_path);
    }
    write_executable(&path, script(hook, binary).as_bytes())?;
    Ok(installed)
}

/// True when the file at `path` is a script Longhand installed.
pub fn is_ours(path: &Path) -> bool {
    let Ok(metadata) = fs::symlink_metadata(path) else {
        return false;
    };
    if !metadata.is_file() || metadata.len() > 64 * 1024 {
        return false;
    }
    fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l.starts_with(HOOK_MARKER)))
}

/// The script for `hook`, running `binary` by its absolute path.
pub fn script(hook: Hook, binary: &Path) -> String {
    let name = hook.name();
    let binary = shell_quote(&binary.display().to_string());
    let reinstall = hook.reinstall();
    let mut text = format!(
        "#!/bin/sh\n\
{HOOK_MARKER}; `{reinstall}` rewrites it.\n\
# A hook that was here before is kept as {name}{PREVIOUS_SUFFIX} and runs first.\n\
longhand={binary}\n\
if [ ! -x \"$longhand\" ]; then\n\
\techo \"longhand: $longhand is not there any more (was Longhand moved or uninstalled?); install it again, then run: {reinstall}\" >&2\n\
\texit 2\n\
fi\n\
previous=\"$(dirname \"$0\")/{name}{PREVIOUS_SUFFIX}\"\n\
status=0\n"
    );
    match hook {
        Hook::PreReceive => text.push_str(
            "input=$(mktemp) || exit 2\n\
trap 'rm -f \"$input\"' EXIT\n\
cat >\"$input\"\n\
if [ -x \"$previous\" ]; then\n\
\t\"$previous\" \"$@\" <\"$input\" || status=$?\n\
fi\n\
\"$longhand\" hook pre-receive <\"$input\" || { code=$?; [ \"$status\" -ne 0 ] || status=$code; }\n",
        ),
        Hook::PreCommit => text.push_str(
            "if [ -x \"$previous\" ]; then\n\
\t\"$previous\" \"$@\" || status=$?\n\
fi\n\
\"$longhand\" hook pre-commit || { code=$?; [ \"$status\" -ne 0 ] || status=$code; }\n",
        ),
    }
    text.push_str("exit \"$status\"\n");
    text
}

/// `text` as one POSIX shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Writes an executable file atomically: a temporary file made executable from the start,
/// flushed, then renamed into place, so git never sees half a script or a script it would skip.
fn write_executable(target: &Path, bytes: &[u8]) -> Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.longhand.tmp", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Windows has no execute bits: git for Windows runs a hook by its name alone.
        #[cfg(unix)]
        options.mode(0o755);
        let mut file = options.open(&temp).map_err(|e| io_error(&temp, e))?;
        file.write_all(bytes).map_err(|e| io_error(&temp, e))?;
        file.sync_all().map_err(|e| io_error(&temp, e))?;
        fs::rename(&temp, target).map_err(|e| io_error(target, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hook_already_there_is_kept_and_a_second_install_changes_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let hooks = dir.path().join("hooks");
        fs::create_dir_all(&hooks).expect("mkdir");
        fs::write(hooks.join("pre-receive"), "#!/bin/sh\nexit 0\n").expect("write");
        let binary = Path::new("/opt/it's here/longhand");
        let first = install_hook(&hooks, Hook::PreReceive, binary).expect("install");
        assert_eq!(first.kept, Some(hooks.join("pre-receive.pre-longhand")));
        assert!(!first.updated);
        let kept = fs::read_to_string(hooks.join("pre-receive.pre-longhand")).expect("kept");
        assert_eq!(kept, "#!/bin/sh\nexit 0\n");
        let text = fs::read_to_string(hooks.join("pre-receive")).expect("script");
        assert!(
            text.contains("longhand='/opt/it'\\''s here/longhand'\n"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(hooks.join("pre-receive"))
                .expect("meta")
                .permissions();
            assert_eq!(mode.mode() & 0o111, 0o111);
        }
        let second = install_hook(&hooks, Hook::PreReceive, binary).expect("again");
        assert!(second.updated);
        assert_eq!(second.kept, first.kept);
        assert_eq!(
            fs::read_to_string(hooks.join("pre-receive.pre-longhand")).expect("kept"),
            kept
        );
        let mut names: Vec<_> = fs::read_dir(&hooks)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["pre-receive", "pre-receive.pre-longhand"]);
    }

    #[test]
    fn a_kept_hook_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("pre-commit"), "mine\n").expect("write");
        fs::write(dir.path().join("pre-commit.pre-longhand"), "older\n").expect("write");
        let error = install_hook(dir.path(), Hook::PreCommit, Path::new("/bin/longhand"))
            .expect_err("refused");
        assert!(matches!(error, Error::Refused { .. }), "{error}");
        assert_eq!(
            fs::read_to_string(dir.path().join("pre-commit")).expect("read"),
            "mine\n"
        );
    }
}
