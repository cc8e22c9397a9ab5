//! `policy.authorship: signed`: whether a commit carries a good signature, as
//! `git verify-commit` says. The git CLI runs it because only it knows the user's GPG, SSH
//! (`gpg.ssh.allowedSignersFile`) and X.509 set-up; libgit2 does not verify signatures.

use std::process::{Command, Stdio};

use git2::{Oid, Repository};

/// True when `git verify-commit` accepts the commit's signature: the library's one child
/// process, started only for a commit that carries a signature (documented on
/// `history::verify` and `enforce::check_push`, the public ways here). A commit without a
/// signature, a bad one, or a git that cannot run all count as not signed.
pub(crate) fn is_signed(repo: &Repository, commit: Oid) -> bool {
    if repo
        .find_commit(commit)
        .map(|c| c.header_field_bytes("gpgsig").is_err())
        .unwrap_or(true)
    {
        return false;
    }
    Command::new("git")
        .arg("--git-dir")
        .arg(repo.path())
        .arg("verify-commit")
        .arg(commit.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}
