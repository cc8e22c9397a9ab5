//! Two people who open a thread with the same title on the same day derive the same slug.
//! Before merging, a sync finds each thread directory that this clone's unpublished commits
//! add and the remote's commits add too (a different thread under the same name) and moves
//! this clone's one to the next free `<slug>-N`, by rewriting only the commits the remote does
//! not hold: published history is never rewritten, and the server never sees the first name.
//! Decision records those commits add that name the thread by its old slug (`thread:`) are
//! rewritten to the new one, and so are the slugs in their commit messages (`reply(<slug>)`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use git2::{Oid, Repository, Tree};

use crate::Result;

/// The rewritten tip, and each renamed slug as `(from, to)`.
pub(super) type Renamed = (Oid, Vec<(String, String)>);

/// A git tree's file mode.
const TREE_MODE: i32 = 0o040000;

/// When the unpublished commits up to `ours` add a thread directory that `theirs` adds too,
/// rewrites those commits with the directory renamed: the new tip and each `(from, to)` slug.
/// `None` when no name is taken twice, or when a commit to rewrite is signed (rewriting would
/// drop its signature; the merge then stops on the conflict, for a person to resolve).
pub(super) fn taken_slugs(
    repo: &Repository,
    prefix: &str,
    ours: Oid,
    theirs: Oid,
) -> Result<Option<Renamed>> {
    let mut path: Vec<&str> = prefix.split('/').filter(|s| !s.is_empty()).collect();
    let base = repo.merge_base(ours, theirs).ok();
    let threads = |commit: Option<Oid>| -> Result<BTreeMap<String, Oid>> {
        let Some(commit) = commit else {
            return Ok(BTreeMap::new());
        };
        let tree = repo.find_commit(commit)?.tree()?;
        let mut at = path.clone();
        at.push("threads");
        Ok(subtree(repo, &tree, &at)
            .map(|t| {
                t.iter()
                    .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                    .filter_map(|e| Some((e.name().ok()?.to_owned(), e.id())))
                    .collect()
            })
            .unwrap_or_default())
    };
    let (ours_threads, theirs_threads, base_threads) =
        (threads(Some(ours))?, threads(Some(theirs))?, threads(base)?);
    let taken: BTreeSet<&String> = ours_threads.keys().chain(theirs_threads.keys()).collect();
    let mut renames = Vec::new();
    for (name, oid) in &ours_threads {
        let twice = theirs_threads.get(name).is_some_and(|t| t != oid);
        if twice && !base_threads.contains_key(name) {
            let to = (2..)
                .map(|n| format!("{name}-{n}"))
                .find(|candidate| {
                    !taken.contains(candidate) && !renames.iter().any(|(_, t)| t == candidate)
                })
                .unwrap_or_else(|| format!("{name}-x"));
            renames.push((name.clone(), to));
        }
    }
    if renames.is_empty() {
        return Ok(None);
    }
    let mut walk = repo.revwalk()?;
    walk.push(ours)?;
    walk.hide(theirs)?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    let local: Vec<Oid> = walk.collect::<std::result::Result<_, _>>()?;
    if local
        .iter()
        .any(|oid| repo.extract_signature(oid, None).is_ok())
    {
        return Ok(None);
    }
    let base_decisions: BTreeMap<String, Oid> = match base {
        Some(base) => {
            let tree = repo.find_commit(base)?.tree()?;
            let mut at = path.clone();
            at.push("decisions");
            subtree(repo, &tree, &at)
                .map(|t| {
                    t.iter()
                        .filter_map(|e| Some((e.name().ok()?.to_owned(), e.id())))
                        .collect()
                })
                .unwrap_or_default()
        }
        None => BTreeMap::new(),
    };
    let mut rewritten: HashMap<Oid, Oid> = HashMap::new();
    let mut tip = ours;
    for oid in local {
        let commit = repo.find_commit(oid)?;
        let tree = commit.tree()?;
        let mut at = path.clone();
        at.push("threads");
        let new_tree = edit(repo, Some(&tree), &at, &mut |threads| {
            rename_entries(repo, threads, &renames)
        })?;
        let new_tree = match new_tree {
            Some(new_tree) => repo.find_tree(new_tree)?,
            None => tree,
        };
        path.push("decisions");
        let edited = edit(repo, Some(&new_tree), &path, &mut |decisions| {
            retarget_decisions(repo, decisions, &base_decisions, &renames)
        })?;
        path.pop();
        let new_tree = match edited {
            Some(edited) => repo.find_tree(edited)?,
            None => new_tree,
        };
        let parents: Vec<git2::Commit<'_>> = commit
            .parent_ids()
            .map(|p| repo.find_commit(*rewritten.get(&p).unwrap_or(&p)))
            .collect::<std::result::Result<_, _>>()?;
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let mut message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        for (from, to) in &renames {
            message = message.replace(&format!("({from})"), &format!("({to})"));
        }
        let new = repo.commit(
            None,
            &commit.author(),
            &commit.committer(),
            &message,
            &new_tree,
            &parents,
        )?;
        rewritten.insert(oid, new);
        tip = new;
    }
    Ok(Some((tip, renames)))
}

/// The tree at `path` under `tree`, if there is one.
fn subtree<'r>(repo: &'r Repository, tree: &Tree<'r>, path: &[&str]) -> Option<Tree<'r>> {
    let mut current = tree.clone();
    for name in path {
        let next = current
            .get_name(name)?
            .to_object(repo)
            .ok()?
            .into_tree()
            .ok()?;
        current = next;
    }
    Some(current)
}

/// Rebuilds `tree` with the tree at `path` replaced by what `change` makes of it: the new
/// tree's id, or `None` when nothing changed.
fn edit(
    repo: &Repository,
    tree: Option<&Tree<'_>>,
    path: &[&str],
    change: &mut dyn FnMut(Option<&Tree<'_>>) -> Result<Option<Oid>>,
) -> Result<Option<Oid>> {
    let Some((first, rest)) = path.split_first() else {
        return change(tree);
    };
    let child = tree
        .and_then(|t| t.get_name(first))
        .and_then(|e| e.to_object(repo).ok())
        .and_then(|o| o.into_tree().ok());
    let Some(child) = child else {
        return Ok(None);
    };
    let Some(new_child) = edit(repo, Some(&child), rest, change)? else {
        return Ok(None);
    };
    let mut builder = repo.treebuilder(tree)?;
    builder.insert(first, new_child, TREE_MODE)?;
    Ok(Some(builder.write()?))
}

/// `threads/` with each renamed directory under its new name.
fn rename_entries(
    repo: &Repository,
    threads: Option<&Tree<'_>>,
    renames: &[(String, String)],
) -> Result<Option<Oid>> {
    let Some(threads) = threads else {
        return Ok(None);
    };
    let mut builder = repo.treebuilder(Some(threads))?;
    let mut changed = false;
    for (from, to) in renames {
        if let Some(entry) = threads.get_name(from) {
            builder.remove(from)?;
            builder.insert(to, entry.id(), entry.filemode())?;
            changed = true;
        }
    }
    Ok(if changed {
        Some(builder.write()?)
    } else {
        None
    })
}

/// `decisions/` with the `thread:` field of each record the unpublished commits added or
/// changed pointing at the renamed thread's new slug.
fn retarget_decisions(
    repo: &Repository,
    decisions: Option<&Tree<'_>>,
    base: &BTreeMap<String, Oid>,
    renames: &[(String, String)],
) -> Result<Option<Oid>> {
    let Some(decisions) = decisions else {
        return Ok(None);
    };
    let mut builder = repo.treebuilder(Some(decisions))?;
    let mut changed = false;
    for entry in decisions.iter() {
        let Ok(name) = entry.name() else { continue };
        if entry.kind() != Some(git2::ObjectType::Blob) || base.get(name) == Some(&entry.id()) {
            continue;
        }
        let blob = repo.find_blob(entry.id())?;
        let Ok(text) = std::str::from_utf8(blob.content()) else {
            continue;
        };
        if let Some(new) = retarget(text, renames) {
            let oid = repo.blob(new.as_bytes())?;
            builder.insert(name, oid, entry.filemode())?;
            changed = true;
        }
    }
    Ok(if changed {
        Some(builder.write()?)
    } else {
        None
    })
}

/// The record's text with a frontmatter `thread:` naming a renamed slug changed to the new
/// one, or `None` when it names none.
fn retarget(text: &str, renames: &[(String, String)]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut fences = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" {
            fences += 1;
        }
        if fences == 1 {
            if let Some(value) = bare.strip_prefix("thread:") {
                let value = value.trim().trim_matches(['"', '\'']);
                if let Some((_, to)) = renames.iter().find(|(from, _)| from == value) {
                    out.push_str(&format!("thread: {to}\n"));
                    changed = true;
                    continue;
                }
            }
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_frontmatter_thread_field_naming_the_old_slug_is_retargeted() {
        let renames = [(
            "2026-12-08-weekly".to_owned(),
            "2026-12-08-weekly-2".to_owned(),
        )];
        let text = "---\nid: X\nthread: \"2026-12-08-weekly\"\n---\nthread: 2026-12-08-weekly\n";
        assert_eq!(
            retarget(text, &renames).as_deref(),
            Some("---\nid: X\nthread: 2026-12-08-weekly-2\n---\nthread: 2026-12-08-weekly\n")
        );
        assert_eq!(retarget("---\nthread: other\n---\n", &renames), None);
    }
}
