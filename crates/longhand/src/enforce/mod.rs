//! What git hooks enforce: a push (`pre-receive`: every updated ref's new commits and new tip,
//! its size, and its old tip against the new one) and a commit about to be made
//! (`pre-commit`: the staged index).
//!
//! This module decides *what* to check — which commits a ref update brings, which tree a
//! commit would have — and hands each change to `rules`, the one place that calls the
//! history rules and the incremental tree check. It never prints and never reads the
//! environment: the CLI opens the repository (with git's quarantine variables) and prints.
//! Installing the hook scripts is the CLI's business (`longhand hook install`). The instant
//! the history rules judge at is passed in by the caller ([`check_push`]'s `now`).

mod guard;
mod limits;
mod push;
mod rules;
mod staged;

pub use limits::{
    Limits, DEFAULT_MAX_PUSH_BYTES, DEFAULT_MAX_PUSH_FILES, DEFAULT_MAX_THREAD_REPLIES,
    MAX_PUSH_BYTES_KEY, MAX_PUSH_FILES_KEY, MAX_THREAD_REPLIES_KEY,
};
pub use push::{
    check_push, check_push_with, parse_updates, RefCheck, RefOutcome, RefUpdate, UpdateLineError,
};
pub use staged::{check_index, check_index_at};

use git2::Repository;

/// The git config key naming the discussion root inside the repository's tree (`/`-separated,
/// `""` or unset for the top). `longhand hook install --root DIR` sets it.
pub const ROOT_KEY: &str = "longhand.root";

/// The discussion root the hooks check: `explicit` when given (a `--root` argument), else the
/// repository's `longhand.root` config, else the top of the tree (`""`).
pub fn root_for(repo: &Repository, explicit: Option<&str>) -> crate::Result<String> {
    if let Some(root) = explicit {
        return Ok(normalize_root(root));
    }
    let config = repo.config()?;
    match config.get_string(ROOT_KEY) {
        Ok(root) => Ok(normalize_root(&root)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(String::new()),
        Err(e) => Err(e.into()),
    }
}

/// `docs/discussions/` → `docs/discussions`; `.` and `/` → `""` (the top of the tree).
pub fn normalize_root(root: &str) -> String {
    let trimmed = root.trim().trim_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.trim_start_matches("./").to_owned()
    }
}

/// `path` (relative to the discussion root) relative to the repository's top.
pub fn repository_path(root: &str, path: &str) -> String {
    if root.is_empty() {
        path.to_owned()
    } else {
        format!("{root}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_normalized_to_slash_separated_directories() {
        assert_eq!(normalize_root("docs/discussions/"), "docs/discussions");
        assert_eq!(normalize_root("./docs"), "docs");
        assert_eq!(normalize_root("."), "");
        assert_eq!(normalize_root("/"), "");
        assert_eq!(repository_path("", "a.md"), "a.md");
        assert_eq!(repository_path("docs", "a.md"), "docs/a.md");
    }
}
