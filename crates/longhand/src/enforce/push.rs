//! A push as git's `pre-receive` hook sees it: one `<old> <new> <ref>` line per updated ref.
//! For each ref this finds the commits the push brings and the commit they build on, and
//! checks them: the limits of a push (`limits`), the old tip against the new one (`guard`:
//! no rewritten history, no deleted branch whose discussion nothing else keeps), the history
//! rules over the new commits and the tree rules on the new tip, incrementally against the
//! old one.

use std::collections::HashSet;
use std::sync::Arc;

use git2::{Oid, Repository};
use jiff::Timestamp;

use super::limits::{self, Limits, Spent};
use super::{guard, rules};
use crate::diagnostic::{Report, Severity};
use crate::history::incremental::check_tree_change_with;
use crate::source::trees::TreeStore;
use crate::source::CONFIG_FILE;
use crate::Parallelism;
use crate::{Error, Result};

/// One line of the hook's input: a ref and its old and new values (`None` for git's all-zero
/// id: a ref that is created, or deleted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The ref's value before the push; `None` when the push creates it.
    pub old: Option<Oid>,
    /// The ref's value after the push; `None` when the push deletes it.
    pub new: Option<Oid>,
    /// The ref's full name (`refs/heads/main`).
    pub name: String,
}

/// A line of the hook's input that is not `<old> <new> <ref>`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the hook's input is not `<old-id> <new-id> <ref>`: `{text}`")]
pub struct UpdateLineError {
    /// The line's number, from 1.
    pub line: usize,
    /// The line.
    pub text: String,
}

/// Reads git's `pre-receive` input. Blank lines are skipped.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, UpdateLineError> {
    let mut updates = Vec::new();
    for (index, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || UpdateLineError {
            line: index + 1,
            text: line.chars().take(200).collect(),
        };
        let mut parts = line.split_whitespace();
        let (Some(old), Some(new), Some(name), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let id = |text: &str| -> Result<Option<Oid>, UpdateLineError> {
            let oid = Oid::from_str(text).map_err(|_| bad())?;
            if text.len() < 40 {
                return Err(bad());
            }
            Ok((!oid.is_zero()).then_some(oid))
        };
        updates.push(RefUpdate {
            old: id(old)?,
            new: id(new)?,
            name: name.to_owned(),
        });
    }
    Ok(updates)
}

/// What checking one updated ref found.
#[derive(Debug)]
pub struct RefCheck {
    /// The ref's full name.
    pub name: String,
    /// The commit the new ones build on: the old value, or for a new ref the nearest commit on
    /// its first-parent line that some existing ref already reaches (`None`: all are new).
    pub base: Option<Oid>,
    /// The ref's new value (peeled to its commit); for a deletion, its old value.
    pub tip: Oid,
    /// How many commits the push brings to this ref that no existing ref reached before.
    pub commits: usize,
    /// The verdict.
    pub outcome: RefOutcome,
}

/// The verdict on one updated ref.
#[derive(Debug)]
pub enum RefOutcome {
    /// The history and tree rules ran; the report holds what they found (paths relative to
    /// the discussion root).
    Checked(Report),
    /// Neither the old nor the new tip holds a discussion at the root: nothing to check.
    NotADiscussion,
    /// The old tip held a discussion at the root and the new one does not.
    RootRemoved,
    /// The ref's new value is not a commit (a tag of a tree or a blob): nothing to check.
    NotACommit,
    /// The push deletes the ref, whose old tip holds the discussion; the report holds LH721
    /// when the deletion loses what the branch brought (empty: another ref keeps it).
    Deleted(Report),
}

impl RefCheck {
    /// True when this ref's update must be refused.
    pub fn refused(&self) -> bool {
        match &self.outcome {
            RefOutcome::Checked(report) | RefOutcome::Deleted(report) => !report.is_clean(),
            RefOutcome::RootRemoved => true,
            RefOutcome::NotADiscussion | RefOutcome::NotACommit => false,
        }
    }
}

/// Checks every updated ref of a push against the discussion at `root` (`""` for the top of
/// the tree), with the limits of the repository's git config ([`Limits::of`]). All refs are
/// checked, whatever the first one found, so one push reports every problem at once. The
/// history rules judge dates against `now` (the caller's clock: a server passes its real
/// time, so a pushed date in the future is caught).
///
/// Signatures (spec section 15) are verified in process; no child process is started.
pub fn check_push(
    repo: &Repository,
    root: &str,
    updates: &[RefUpdate],
    now: Timestamp,
) -> Result<Vec<RefCheck>> {
    let parallelism = Parallelism::default();
    check_push_with(repo, root, updates, &Limits::of(repo)?, now, &parallelism)
}

/// [`check_push`] with the given limits, validating trees on the threads `parallelism`
/// names (and the same child process, under `policy.authorship: signed` only).
pub fn check_push_with(
    repo: &Repository,
    root: &str,
    updates: &[RefUpdate],
    limits: &Limits,
    now: Timestamp,
    parallelism: &Parallelism,
) -> Result<Vec<RefCheck>> {
    let existing = existing_tips(repo)?;
    let trees = rules::hook_trees(repo);
    // The refs as the push leaves them, for judging its deletions (only read when it has one).
    let after = if updates.iter().any(|u| u.new.is_none()) {
        let after: Vec<(String, Option<Oid>)> =
            updates.iter().map(|u| (u.name.clone(), u.new)).collect();
        guard::refs_after(repo, &after)?
    } else {
        Default::default()
    };
    let mut spent = Spent::default();
    let mut checks = Vec::new();
    for update in updates {
        let old = match update.old {
            Some(old) => repo
                .find_object(old, None)
                .ok()
                .and_then(|o| o.peel_to_commit().ok())
                .map(|c| c.id()),
            None => None,
        };
        let Some(new) = update.new else {
            // A deletion: judged only when the old tip holds the discussion.
            if let Some(old) = old.filter(|old| has_discussion(repo, *old, root).unwrap_or(false)) {
                let found = guard::deleted(repo, root, &update.name, old, &after)?;
                checks.push(RefCheck {
                    name: update.name.clone(),
                    base: Some(old),
                    tip: old,
                    commits: 0,
                    outcome: RefOutcome::Deleted(Report::new(found, 0)),
                });
            }
            continue;
        };
        let object = repo.find_object(new, None)?;
        let Ok(tip) = object.peel_to_commit().map(|c| c.id()) else {
            checks.push(RefCheck {
                name: update.name.clone(),
                base: update.old,
                tip: new,
                commits: 0,
                outcome: RefOutcome::NotACommit,
            });
            continue;
        };
        let (base, commits) = match old {
            Some(old) => (Some(old), count_new(repo, tip, &[old])?),
            None => new_ref_base(repo, tip, &existing)?,
        };
        let change = Change {
            name: &update.name,
            base,
            tip,
        };
        let budget = (limits, &mut spent);
        let outcome = check_change(repo, &trees, root, budget, &change, now, parallelism)?;
        checks.push(RefCheck {
            name: update.name.clone(),
            base,
            tip,
            commits,
            outcome,
        });
    }
    trees.persist();
    Ok(checks)
}

/// One ref's update: its name, the commit the new ones build on and the new tip.
struct Change<'a> {
    name: &'a str,
    base: Option<Oid>,
    tip: Oid,
}

/// The limits, the old tip against the new one, the history rules over `base..tip` and the
/// tree rules on `tip` against `base`. A change over a limit is checked no further.
fn check_change(
    repo: &Repository,
    trees: &Arc<TreeStore>,
    root: &str,
    (limits, spent): (&Limits, &mut Spent),
    change: &Change<'_>,
    now: Timestamp,
    parallelism: &Parallelism,
) -> Result<RefOutcome> {
    let Change { name, base, tip } = *change;
    let tip_has = has_discussion(repo, tip, root)?;
    let base_has = match base {
        Some(base) => has_discussion(repo, base, root)?,
        None => false,
    };
    if !tip_has {
        return Ok(if base_has {
            RefOutcome::RootRemoved
        } else {
            RefOutcome::NotADiscussion
        });
    }
    let over = limits::check(
        repo,
        trees,
        root,
        limits,
        spent,
        base.filter(|_| base_has),
        tip,
    )?;
    if !over.is_empty() {
        return Ok(RefOutcome::Checked(Report::new(over, 0)));
    }
    let mut diagnostics = match base {
        Some(old) if base_has => guard::rewritten(repo, root, name, old, tip)?,
        _ => Vec::new(),
    };
    let judging = crate::history::Judging::strict(now);
    let history = crate::history::verify_with(repo, trees, root, base, tip, &judging)?;
    let unchanged = match base {
        Some(base) if base_has => {
            let before = repo.find_commit(base)?.tree()?;
            let after = repo.find_commit(tip)?.tree()?;
            subtree_id(&before, root) == subtree_id(&after, root)
        }
        _ => false,
    };
    let tree = match base {
        // The discussion's tree is the one the server already had: nothing new to validate.
        _ if unchanged => Report::new(Vec::new(), 0),
        Some(base) if base_has => {
            let mut tree = check_tree_change_with(repo, trees, root, Some(base), tip, parallelism)?;
            keep_warnings_of_touched(repo, trees, root, base, tip, &mut tree)?;
            tree
        }
        _ => check_tree_change_with(repo, trees, root, None, tip, parallelism)?,
    };
    diagnostics.extend(history.diagnostics);
    diagnostics.extend(tree.diagnostics);
    Ok(RefOutcome::Checked(Report::new(diagnostics, tree.files)))
}

/// Drops the warnings about files the change from `base` to `tip` did not touch: a warning
/// (a reply dated before its parent, LH405) is reported once, by the push that brings the
/// file, not again by every later push to its thread. Errors are all kept, and so is every
/// warning when the change touches `longhand.yaml` (the tree rules then check it all).
fn keep_warnings_of_touched(
    repo: &Repository,
    trees: &TreeStore,
    root: &str,
    base: Oid,
    tip: Oid,
    report: &mut Report,
) -> Result<()> {
    if report.warnings() == 0 {
        return Ok(());
    }
    let prefix = crate::history::prefix_of(root);
    let tree_of = |oid: Oid| -> Result<Option<git2::Tree<'_>>> {
        crate::history::subtree(repo, repo.find_commit(oid)?.tree()?, &prefix)
    };
    let (before, after) = (tree_of(base)?, tree_of(tip)?);
    let (touched, _) =
        crate::history::changed_entries(repo, trees, before.as_ref(), after.as_ref())?;
    if touched.iter().any(|path| path == CONFIG_FILE) {
        // A new roster or policy can change a warning anywhere: all are reported.
        return Ok(());
    }
    let diagnostics = std::mem::take(&mut report.diagnostics);
    let kept = diagnostics
        .into_iter()
        .filter(|d| {
            d.severity() == Severity::Error
                || touched
                    .binary_search_by(|t| t.as_str().cmp(&d.path))
                    .is_ok()
        })
        .collect();
    *report = Report::new(kept, report.files);
    Ok(())
}

/// True when commit `commit` has `longhand.yaml` (a file) at `root`.
pub(crate) fn has_discussion(repo: &Repository, commit: Oid, root: &str) -> Result<bool> {
    let tree = repo.find_commit(commit)?.tree()?;
    tree_has_discussion(&tree, root)
}

/// True when `tree` has `longhand.yaml` (a file) at `root`.
pub(crate) fn tree_has_discussion(tree: &git2::Tree<'_>, root: &str) -> Result<bool> {
    let path = super::repository_path(root, CONFIG_FILE);
    match tree.get_path(std::path::Path::new(&path)) {
        Ok(entry) => Ok(entry.kind() == Some(git2::ObjectType::Blob)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
        Err(e) => Err(Error::Git(e)),
    }
}

/// The id of the tree at `root` inside `tree` (`None` when there is no directory there).
pub(crate) fn subtree_id(tree: &git2::Tree<'_>, root: &str) -> Option<Oid> {
    if root.is_empty() {
        return Some(tree.id());
    }
    tree.get_path(std::path::Path::new(root))
        .ok()
        .filter(|entry| entry.kind() == Some(git2::ObjectType::Tree))
        .map(|entry| entry.id())
}

/// The commits every ref reaches before the push (refs that do not peel to a commit are left
/// out).
fn existing_tips(repo: &Repository) -> Result<Vec<Oid>> {
    let mut tips = Vec::new();
    for reference in repo.references()? {
        let Ok(reference) = reference else { continue };
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id());
        }
    }
    tips.sort();
    tips.dedup();
    Ok(tips)
}

/// The commits reachable from `tip` and from none of `hidden` (`git rev-list tip --not …`).
fn new_commits(repo: &Repository, tip: Oid, hidden: &[Oid]) -> Result<HashSet<Oid>> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    for oid in hidden {
        walk.hide(*oid)?;
    }
    let mut commits = HashSet::new();
    for oid in walk {
        commits.insert(oid?);
    }
    Ok(commits)
}

fn count_new(repo: &Repository, tip: Oid, hidden: &[Oid]) -> Result<usize> {
    Ok(new_commits(repo, tip, hidden)?.len())
}

/// For a ref the push creates: the commits no existing ref reaches (`git rev-list tip --not
/// --all`), and the base of the range to check — the first commit on the tip's first-parent
/// line that is not new (`None` when the whole line is new).
fn new_ref_base(repo: &Repository, tip: Oid, existing: &[Oid]) -> Result<(Option<Oid>, usize)> {
    let new = new_commits(repo, tip, existing)?;
    let mut current = tip;
    loop {
        if !new.contains(&current) {
            return Ok((Some(current), new.len()));
        }
        match repo.find_commit(current)?.parent_id(0) {
            Ok(parent) => current = parent,
            Err(_) => return Ok((None, new.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_lines_are_read_with_zero_ids_as_none() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let input = format!("{zero} {a} refs/heads/new\n\n{a} {zero} refs/heads/gone\n");
        let updates = parse_updates(&input).expect("parses");
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].old, None);
        assert_eq!(updates[0].new, Some(Oid::from_str(&a).expect("oid")));
        assert_eq!(updates[0].name, "refs/heads/new");
        assert_eq!(updates[1].new, None);
    }

    #[test]
    fn a_malformed_update_line_names_its_number() {
        let a = "a".repeat(40);
        for bad in [
            format!("{a} {a}"),
            format!("{a} abc refs/heads/x"),
            format!("{a} {a} refs/heads/x extra"),
            format!("{a} abcd refs/heads/x"),
        ] {
            let input = format!("{a} {a} refs/heads/ok\n{bad}\n");
            let error = parse_updates(&input).expect_err("refused");
            assert_eq!(error.line, 2, "{bad}");
        }
    }
}
