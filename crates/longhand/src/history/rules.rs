//! One commit against its parent: which files of the discussion it touched, and the history
//! rules (LH701–LH713) over each touched file's old and new version.
//!
//! Who may do what is decided with the `longhand.yaml` of the parent (the rules in force
//! before the commit), so nobody grants themselves a role in the commit that uses it; a
//! commit without a parent, or whose parent has no discussion, uses the roster in force in
//! the range (or, for a repository's first, its own). In a range with a base (a push), the
//! base's roster also bounds every commit's roles and policy. A file passed through an
//! unreadable version is judged against its last readable version.

use std::collections::{BTreeMap, HashMap};

use git2::{Commit, Oid, Repository, Tree};

use crate::diagnostic::{Code, Diagnostic};
use crate::document::MAX_FILE_BYTES;
use crate::load::{config_of, record, Place, Record};
use crate::model::{Authorship, Config, Decision, Message, Thread, Who};
use crate::source::trees::TreeStore;
use crate::source::CONFIG_FILE;
use crate::Result;

use super::{blob_at, is_file_mode, subtree, Side};
use crate::model::permissions::Actor;

/// What the walk remembers between commits.
#[derive(Default)]
pub(crate) struct State {
    /// Every id seen so far → the path of the file that had it first (or moved it last).
    ids: HashMap<String, String>,
    /// Slugs of deleted threads → the deleted thread's id.
    deleted_threads: HashMap<String, Option<String>>,
    /// Slugs of deleted decisions → the deleted decision's id.
    deleted_decisions: HashMap<String, Option<String>>,
    /// Deleted files → the blob they had: adding it back, byte for byte, is a restore.
    deleted_files: HashMap<String, Oid>,
    /// `longhand.yaml` blobs already read.
    configs: HashMap<Oid, Option<Config>>,
    /// How many blobs were read.
    pub(crate) files: usize,
    /// The `longhand.yaml` that stands for the roster of a commit whose first parent has
    /// none (second revision): the base's in a range with a base, else the first the walk
    /// met. So an orphan history cannot bring a roster of its own.
    range_config: Option<Oid>,
    /// Slugs of the decisions the range added (in a range with a base): their review began
    /// when they arrived, not at the `date` they claim.
    arrived_decisions: std::collections::HashSet<String>,
    /// Commits that left a file unreadable (commit, path) → the file's last readable version
    /// before (`None`: none, it was added unreadable).
    readable: HashMap<(Oid, String), Option<Version>>,
    /// The `longhand.yaml` of the range's base (a push's old tip): the roster in force on the
    /// server, whose roles and policy bound every commit of the range (second revision).
    base_config: Option<Oid>,
}

impl State {
    /// Takes the roster of `base` (the commit a range builds on) for the commits of the range
    /// whose parent has none.
    pub(crate) fn set_range_roster(
        &mut self,
        repo: &Repository,
        prefix: &str,
        base: Oid,
    ) -> Result<()> {
        let tree = subtree(repo, repo.find_commit(base)?.tree()?, prefix)?;
        self.range_config = tree.and_then(|t| blob_at(&t, CONFIG_FILE));
        self.base_config = self.range_config;
        Ok(())
    }

    /// The roster at the range's base, read once.
    fn base_roster(&mut self, repo: &Repository) -> Result<Option<Config>> {
        let Some(oid) = self.base_config else {
            return Ok(None);
        };
        self.read_config(repo, oid)
    }

    fn read_config(&mut self, repo: &Repository, oid: Oid) -> Result<Option<Config>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.configs.entry(oid) {
            slot.insert(read_blob(repo, oid)?.and_then(|b| config_of(&b)));
        }
        Ok(self.configs.get(&oid).cloned().flatten())
    }

    /// The roster in force for a commit: its first parent's `longhand.yaml`; when the parent
    /// has none, `fallback` (second revision) or else the commit's own.
    fn roster_for(
        &mut self,
        repo: &Repository,
        parent: Option<&Tree<'_>>,
        new: Option<&Tree<'_>>,
        fallback: Option<Oid>,
    ) -> Result<Option<Config>> {
        let oid = parent
            .and_then(|t| blob_at(t, CONFIG_FILE))
            .or(fallback)
            .or_else(|| new.and_then(|t| blob_at(t, CONFIG_FILE)));
        let Some(oid) = oid else { return Ok(None) };
        self.read_config(repo, oid)
    }
}

/// One version of a touched file.
#[derive(Clone)]
struct Version {
    oid: Oid,
    record: Option<Record>,
}

/// A file the commit touched: its version before and after (absent when added or deleted).
struct Touched {
    path: String,
    place: Place,
    old: Option<Version>,
    new: Option<Version>,
}

/// The commit being checked, as the rules need it.
struct Context<'a> {
    repo: &'a Repository,
    commit: &'a Commit<'a>,
    config: Option<&'a Config>,
    who: Who,
    /// The commit author's email, as written.
    email: String,
    author: String,
    described: String,
    /// Whether the second revision of the rules applies (spec 13.7).
    strict: bool,
    /// Whether the third revision applies (LH707 means signed actions, spec 15.5).
    signs_required: bool,
    /// The instant the commit is judged at (spec 13.1).
    instant: jiff::Timestamp,
    /// The latest instant any commit is judged at: the checking clock plus the skew.
    latest: jiff::Timestamp,
    /// When what the range adds arrives, and the decisions it added (see `Check::arrived`).
    arrived: Option<(jiff::Timestamp, &'a std::collections::HashSet<String>)>,
    /// The discussion root as a tree path.
    prefix: &'a str,
    /// The discussion at the commit, loaded when a rule needs the votes (LH715).
    discussion: Option<Option<crate::model::Discussion>>,
    /// Whether the roster in force (the parent's, or the base's) names a moderator.
    moderated: bool,
}

impl Context<'_> {
    /// The commit's author, as the shared permission checks see them.
    fn actor(&self) -> Actor<'_> {
        Actor::new(self.config, &self.who)
    }

    fn is_moderator(&self) -> bool {
        self.actor().is_moderator()
    }

    fn is(&self, email: &str) -> bool {
        self.actor().is(email)
    }

    fn authorship(&self) -> Authorship {
        self.config
            .map(|c| c.policy.authorship)
            .unwrap_or(Authorship::CommitAuthor)
    }

    /// The state of `decision` at the commit's instant, as if still proposed (spec 5.2),
    /// from the votes of the commit's tree; `None` when the tree cannot be read. A vote in
    /// the tree was cast before the commit, whatever the commit's date says: the instant is
    /// never earlier than the latest `date` of a vote in the decision's thread (still never
    /// later than the clock plus the skew), so a back-dated commit cannot leave a standing
    /// `-1` out (spec 13.2).
    fn state_at(&mut self, decision: &Decision) -> Option<crate::read::tally::State> {
        let (repo, commit, prefix) = (self.repo, self.commit.id(), self.prefix);
        let discussion = self.discussion.get_or_insert_with(|| {
            // The same object database: in a pre-receive hook it holds the pushed objects.
            let repo = repo.odb().and_then(Repository::from_odb).ok()?;
            let source = crate::source::GitTree::new(repo, &commit.to_string(), prefix).ok()?;
            crate::load::load(&source)
                .ok()
                .map(|loaded| loaded.discussion)
        });
        let discussion = discussion.as_ref()?;
        // A decision this range added began its review when it arrived: a back-dated `date`
        // shortens no review period and makes no earlier vote ambiguous.
        // And no earlier than the commit that added it claims (a first-parent walk), so a
        // `date` back-dated alone gains nothing either.
        let (repo, commit) = (self.repo, self.commit);
        let thread = decision.thread.clone();
        let mut began: HashMap<String, Option<jiff::Timestamp>> = HashMap::new();
        let arrived = self.arrived.as_ref();
        let mut arrived_late = |d: &Decision| -> Option<Decision> {
            if d.slug != decision.slug && (d.thread.is_none() || d.thread != thread) {
                return None;
            }
            let added = *began
                .entry(d.slug.clone())
                .or_insert_with(|| added_at(repo, prefix, commit, &d.slug));
            let arrival = arrived
                .filter(|(_, slugs)| slugs.contains(&d.slug))
                .map(|(at, _)| *at);
            let start = [added, arrival].into_iter().flatten().max()?;
            (d.date.instant < start).then(|| {
                let mut d = d.clone();
                d.date.instant = start;
                d
            })
        };
        let later: Vec<(usize, Decision)> = discussion
            .decisions
            .iter()
            .enumerate()
            .filter_map(|(i, d)| arrived_late(d).map(|d| (i, d)))
            .collect();
        let adjusted;
        let discussion = if later.is_empty() {
            discussion
        } else {
            let mut copy = discussion.clone();
            for (i, d) in later {
                copy.decisions[i] = d;
            }
            adjusted = copy;
            &adjusted
        };
        let later = arrived_late(decision);
        let decision = later.as_ref().unwrap_or(decision);
        let voted = decision
            .thread
            .as_deref()
            .and_then(|reference| discussion.thread(reference))
            .into_iter()
            .flat_map(|thread| &thread.replies)
            .filter(|reply| reply.vote.is_some())
            .map(|reply| reply.date.instant)
            .max();
        let at = voted.map_or(self.instant, |voted| {
            voted.max(self.instant).min(self.latest.max(self.instant))
        });
        Some(crate::read::tally::state_at(discussion, decision, at))
    }

    fn diagnostic(&self, code: Code, path: &str, what: String) -> Diagnostic {
        Diagnostic::new(code, path, format!("{}: {what}", self.described))
    }
}

/// The committer date of the commit that added `decisions/<slug>.md` on `commit`'s
/// first-parent line (the earliest commit there holding it whose first parent does not):
/// when the proposal reached that line, as far as its commits say.
fn added_at(
    repo: &Repository,
    prefix: &str,
    commit: &Commit<'_>,
    slug: &str,
) -> Option<jiff::Timestamp> {
    let path = format!("decisions/{slug}.md");
    let holds = |c: &Commit<'_>| -> bool {
        c.tree()
            .ok()
            .and_then(|tree| subtree(repo, tree, prefix).ok().flatten())
            .is_some_and(|tree| blob_at(&tree, &path).is_some())
    };
    let mut current = commit.clone();
    if !holds(&current) {
        return None;
    }
    loop {
        match current.parent(0) {
            Ok(parent) if holds(&parent) => current = parent,
            _ => return jiff::Timestamp::from_second(current.committer().when().seconds()).ok(),
        }
    }
}

/// How one commit is judged.
pub(crate) struct Check<'a> {
    /// The discussion root as a tree path.
    pub prefix: &'a str,
    /// Whether the second revision of the rules applies (spec 13.7).
    pub strict: bool,
    /// Whether the third revision applies: signed actions (LH707, spec 15.5).
    pub signed: bool,
    /// The instant the commit is judged at (spec 13.1).
    pub instant: jiff::Timestamp,
    /// The latest instant any commit is judged at: the checking clock plus the skew.
    pub latest: jiff::Timestamp,
    /// When what the range adds arrives: the checking clock, for a range with a base (a
    /// push); `None` for a whole history.
    pub arrived: Option<jiff::Timestamp>,
}

/// Checks one commit against its parents and records what it touched in `state`.
pub(crate) fn check_commit(
    repo: &Repository,
    trees: &TreeStore,
    check: &Check<'_>,
    commit: &Commit<'_>,
    state: &mut State,
    out: &mut Vec<Diagnostic>,
) -> Result<()> {
    let prefix = check.prefix;
    let new_tree = subtree(repo, commit.tree()?, prefix)?;
    let parents: Vec<Commit<'_>> = commit.parents().collect();
    let mut parent_trees = Vec::with_capacity(parents.len());
    for parent in &parents {
        parent_trees.push(subtree(repo, parent.tree()?, prefix)?);
    }
    let new_id = new_tree.as_ref().map(Tree::id);
    let old_tree = parent_trees.first().and_then(|t| t.as_ref());
    let same_as_first = old_tree.map(Tree::id) == new_id;
    let strict_merge = check.strict && parents.len() > 1;
    if same_as_first
        && (!strict_merge
            || parent_trees
                .iter()
                .all(|t| t.as_ref().map(Tree::id) == new_id))
    {
        return Ok(());
    }
    // The roster that stands in for a missing parent roster is the one known before this
    // commit; the first roster the walk meets becomes it for the commits after.
    let fallback = if check.strict {
        state.range_config
    } else {
        None
    };
    if state.range_config.is_none() {
        state.range_config = new_tree.as_ref().and_then(|t| blob_at(t, CONFIG_FILE));
    }
    let mut touched = if same_as_first {
        Vec::new()
    } else {
        touched(repo, trees, old_tree, new_tree.as_ref(), state)?
    };
    if check.arrived.is_some() {
        for file in touched
            .iter()
            .filter(|t| t.old.is_none() && t.new.is_some())
        {
            if let Place::Decision { slug } = &file.place {
                state.arrived_decisions.insert(slug.clone());
            }
        }
    }
    let base = if strict_merge {
        merge_base_tree(repo, prefix, &parents)?
    } else {
        None
    };
    // What the commit is answerable for: a linear commit for everything it changed; a merge
    // for what it changed itself (section 13.1), old rules or new.
    let mut judged = if parents.len() < 2 {
        None
    } else if check.strict {
        Some(merge_changes(
            repo,
            trees,
            &parent_trees,
            base.as_ref(),
            new_tree.as_ref(),
            state,
        )?)
    } else {
        Some(legacy_merge_changes(repo, &parent_trees, &touched, state)?)
    };
    if check.strict {
        let files = match judged.as_mut() {
            Some(files) => files,
            None => &mut touched,
        };
        read_through_unreadable(repo, prefix, &parents, files, state)?;
    }
    let judged_files: &[Touched] = judged.as_deref().unwrap_or(&touched);
    let roster = if check.strict {
        roster_changes(
            repo,
            &parent_trees,
            base.as_ref(),
            new_tree.as_ref(),
            fallback,
        )?
    } else {
        Vec::new()
    };
    if check.strict {
        remember_unreadable(repo, prefix, commit, &touched, state)?;
    }
    if judged_files.is_empty() && roster.is_empty() {
        remember(&touched, &BTreeMap::new(), state);
        return Ok(());
    }
    let config = state.roster_for(repo, old_tree, new_tree.as_ref(), fallback)?;
    let base_config = if check.strict {
        state.base_roster(repo)?
    } else {
        None
    };
    let moderated = [config.as_ref(), base_config.as_ref()]
        .into_iter()
        .flatten()
        .any(has_moderator);
    let config = match (config, &base_config) {
        (Some(config), Some(base)) => Some(in_force(config, base)),
        (config, _) => config,
    };
    let signature = commit.author();
    let email = String::from_utf8_lossy(signature.email_bytes()).into_owned();
    let name = String::from_utf8_lossy(signature.name_bytes()).into_owned();
    let subject = commit
        .summary_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let short = commit
        .as_object()
        .short_id()
        .ok()
        .and_then(|b| b.as_str().map(str::to_owned).ok())
        .unwrap_or_else(|| format!("{:.7}", commit.id()));
    let config = config.as_ref();
    let mut ctx = Context {
        repo,
        commit,
        config,
        who: Who::of_email(config, &email),
        email: email.clone(),
        author: format!("{name} <{email}>"),
        described: format!("commit {short} (\"{subject}\")"),
        strict: check.strict,
        signs_required: check.signed,
        instant: check.instant,
        latest: check.latest,
        arrived: check.arrived.map(|at| (at, &state.arrived_decisions)),
        prefix,
        discussion: None,
        moderated,
    };
    for (old, new) in &roster {
        roster_changed(&ctx, old.as_deref(), new.as_deref(), out);
    }
    let moves = moves(judged_files, |slug| {
        let tree = new_tree.as_ref()?;
        let oid = blob_at(tree, &format!("threads/{slug}/thread.md"))?;
        let bytes = read_blob(repo, oid).ok()??;
        match record("threads/x/thread.md", &bytes)? {
            Record::Thread(thread) => Some(thread.id.as_str().to_owned()),
            _ => None,
        }
    });
    for file in judged_files {
        check_file(&mut ctx, file, &moves, state, out);
        if let Some(reply) = attachment_owner(&file.path) {
            let author = [new_tree.as_ref(), old_tree].into_iter().find_map(|tree| {
                let oid = blob_at(tree?, &reply)?;
                match record(&reply, &read_blob(repo, oid).ok()??)? {
                    Record::Reply(message) => Some(message.author.clone()),
                    _ => None,
                }
            });
            if let Some(author) = author {
                attachment_changed(&ctx, file, &author, out);
            }
        }
    }
    let remembered = if judged.is_some() {
        BTreeMap::new()
    } else {
        moves
    };
    remember(&touched, &remembered, state);
    Ok(())
}

/// How far back along first parents [`readable_before`] walks, outside what the walk already
/// remembered, before it gives up and counts the file as added.
const READABLE_LOOKBACK: usize = 10_000;

/// A file whose version in a parent cannot be read (section 4.1 stops, or a required field is
/// invalid) while its version in the commit can is judged against its last readable version
/// before it (second revision, section 13.1): along the first parents of the parent that has
/// the unreadable version, the nearest commit where the file is readable — or, when the file
/// is absent there first, as an addition. So passing a file through an unreadable version in
/// an earlier commit does not escape the rules (accepting a decision, un-redacting a reply,
/// adding a message in someone else's name). A file that ends with the bytes it last had
/// readable is no change. Each such file of `files` is rewritten in place.
fn read_through_unreadable(
    repo: &Repository,
    prefix: &str,
    parents: &[Commit<'_>],
    files: &mut Vec<Touched>,
    state: &mut State,
) -> Result<()> {
    let mut unchanged = Vec::new();
    for (index, file) in files.iter_mut().enumerate() {
        let (Some(old), Some(new)) = (&file.old, &file.new) else {
            continue;
        };
        if old.record.is_some() || new.record.is_none() {
            continue;
        }
        // The parent that holds the unreadable version (the first, for a linear commit).
        let mut holder = None;
        for parent in parents {
            let tree = subtree(repo, parent.tree()?, prefix)?;
            if tree.and_then(|t| blob_at(&t, &file.path)) == Some(old.oid) {
                holder = Some(parent);
                break;
            }
        }
        let Some(holder) = holder else { continue };
        match readable_before(repo, prefix, holder, &file.path, state)? {
            Some(version) if version.oid == new.oid => unchanged.push(index),
            Some(version) => file.old = Some(version),
            None => file.old = None,
        }
    }
    for index in unchanged.into_iter().rev() {
        files.remove(index);
    }
    Ok(())
}

/// Remembers, for each file `commit` leaves unreadable (compared with its first parent), the
/// last readable version before it, so that [`readable_before`] never walks the same
/// commits twice: a push of many commits passing a file through unreadable versions is
/// judged in linear time.
fn remember_unreadable(
    repo: &Repository,
    prefix: &str,
    commit: &Commit<'_>,
    touched: &[Touched],
    state: &mut State,
) -> Result<()> {
    for file in touched {
        let Some(new) = &file.new else { continue };
        if new.record.is_some() {
            continue;
        }
        let before = match &file.old {
            None => None,
            Some(old) if old.record.is_some() => Some(old.clone()),
            Some(_) => match commit.parent(0) {
                Ok(parent) => readable_before(repo, prefix, &parent, &file.path, state)?,
                Err(_) => None,
            },
        };
        state
            .readable
            .insert((commit.id(), file.path.clone()), before);
    }
    Ok(())
}

/// The nearest version of `path` that can be read before `from`'s (which cannot be read),
/// along first parents; `None` when the file is absent there first (it was added unreadable),
/// or nothing readable is found within [`READABLE_LOOKBACK`] commits (counted as added too:
/// judged at least as an addition, never not at all).
fn readable_before(
    repo: &Repository,
    prefix: &str,
    from: &Commit<'_>,
    path: &str,
    state: &mut State,
) -> Result<Option<Version>> {
    let mut commit = from.clone();
    for _ in 0..READABLE_LOOKBACK {
        if let Some(known) = state.readable.get(&(commit.id(), path.to_owned())) {
            return Ok(known.clone());
        }
        let Ok(parent) = commit.parent(0) else {
            // The root commit had the unreadable version: it was added so.
            return Ok(None);
        };
        let tree = subtree(repo, parent.tree()?, prefix)?;
        let Some(oid) = tree.and_then(|t| blob_at(&t, path)) else {
            return Ok(None);
        };
        state.files += 1;
        if let Some(found) = read_blob(repo, oid)?.and_then(|bytes| record(path, &bytes)) {
            return Ok(Some(Version {
                oid,
                record: Some(found),
            }));
        }
        commit = parent;
    }
    Ok(None)
}

/// Whether `config` gives someone the role `moderator`.
fn has_moderator(config: &Config) -> bool {
    config
        .people
        .values()
        .any(|p| p.roles.iter().any(|r| r == "moderator"))
}

/// The roster a commit of a push is judged by (second revision, section 13.1): its parent's,
/// keeping for each person only the roles the roster at the push's base (the one in force on
/// the server) also gives the person of that handle, and the stricter `authorship` of the
/// two. So a commit made on an older commit cannot use a role or a policy taken away since
/// (a demoted moderator committing on a commit from before the demotion, then merging it).
fn in_force(mut config: Config, base: &Config) -> Config {
    for person in config.people.values_mut() {
        let kept = base.people.get(&person.handle).map(|p| p.roles.as_slice());
        person
            .roles
            .retain(|role| kept.is_some_and(|kept| kept.contains(role)));
    }
    let strictness = |a: Authorship| match a {
        Authorship::Off => 0,
        Authorship::CommitAuthor => 1,
        Authorship::Signed => 2,
    };
    if strictness(base.policy.authorship) > strictness(config.policy.authorship) {
        config.policy.authorship = base.policy.authorship;
    }
    config
}

/// The discussion's tree at the merge base of `parents` (`None`: unrelated histories, or no
/// discussion there), against which a merge's sides are told apart.
fn merge_base_tree<'r>(
    repo: &'r Repository,
    prefix: &str,
    parents: &[Commit<'_>],
) -> Result<Option<Tree<'r>>> {
    let ids: Vec<Oid> = parents.iter().map(Commit::id).collect();
    let base = if ids.len() == 2 {
        repo.merge_base(ids[0], ids[1])
    } else {
        repo.merge_base_octopus(&ids)
    };
    match base {
        Ok(base) => subtree(repo, repo.find_commit(base)?.tree()?, prefix),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What a merge changed itself (section 13.1, second revision): for every file of the layout
/// that differs between the merge and one of its parents, with `b` its version at the merge
/// base, `p` its versions in the parents and `r` its version in the merge —
///
/// - the sides that changed it are the parents whose version differs from `b`; when they all
///   have `r`, the change is theirs (their commits are judged on their own);
/// - when two parents and the base merge cleanly with the protocol's merge (section 12)
///   into exactly `r`, the merge only combined the sides;
/// - otherwise `r` is the merge's own change, judged as a linear commit from each parent's
///   version that differs from `r`.
fn merge_changes(
    repo: &Repository,
    trees: &TreeStore,
    parent_trees: &[Option<Tree<'_>>],
    base: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    state: &mut State,
) -> Result<Vec<Touched>> {
    let mut paths = std::collections::BTreeSet::new();
    for parent in parent_trees {
        let (changed, _) = super::changed_entries(repo, trees, parent.as_ref(), new)?;
        paths.extend(changed);
    }
    let mut out = Vec::new();
    for path in paths {
        let place = Place::of(&path);
        if place == Place::Config || (place == Place::Other && attachment_owner(&path).is_none()) {
            continue;
        }
        let at = |tree: Option<&Tree<'_>>| tree.and_then(|t| blob_at(t, &path));
        let r = at(new);
        let b = at(base);
        let sides: Vec<Option<Oid>> = parent_trees.iter().map(|t| at(t.as_ref())).collect();
        if merged_by_sides(repo, b, &sides, r)? {
            continue;
        }
        let mut olds: Vec<Option<Oid>> = sides.iter().copied().filter(|p| *p != r).collect();
        olds.sort();
        olds.dedup();
        for old in olds {
            let old = read_version(repo, state, &path, old)?;
            let new = read_version(repo, state, &path, r)?;
            out.push(Touched {
                path: path.clone(),
                place: place.clone(),
                old,
                new,
            });
        }
    }
    Ok(out)
}

/// Whether a merge's version `r` of a file is only what its sides brought: every side that
/// changed the file (from the base's `b`) has `r`, or two sides merge cleanly into `r` with
/// the protocol's merge (git's rules for a file absent on a side: one-sided changes win).
fn merged_by_sides(
    repo: &Repository,
    b: Option<Oid>,
    sides: &[Option<Oid>],
    r: Option<Oid>,
) -> Result<bool> {
    let changed: Vec<Option<Oid>> = sides.iter().copied().filter(|p| *p != b).collect();
    if changed.is_empty() {
        return Ok(r == b);
    }
    if changed.iter().all(|p| *p == r) {
        return Ok(true);
    }
    let [ours, theirs] = sides else {
        return Ok(false);
    };
    let (Some(b), Some(ours), Some(theirs), Some(r)) = (b, *ours, *theirs, r) else {
        return Ok(false);
    };
    let read = |oid: Oid| read_blob(repo, oid);
    let (Some(base), Some(ours), Some(theirs), Some(result)) =
        (read(b)?, read(ours)?, read(theirs)?, read(r)?)
    else {
        return Ok(false);
    };
    let merged = crate::merge::three_way(&base, &ours, &theirs, 7)?;
    Ok(merged.is_clean() && merged.text == result)
}

/// A change to `longhand.yaml`: its bytes before and after (`None`: absent or unreadable).
type RosterChange = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The changes a commit makes to `longhand.yaml` that it answers for (second revision), as
/// (old bytes, new bytes) pairs: against its parent's roster (or `fallback` when the parent
/// has none; with neither, the file is the repository's first roster, accepted as it is);
/// for a merge, what it changed itself, told apart as for the other files.
fn roster_changes(
    repo: &Repository,
    parent_trees: &[Option<Tree<'_>>],
    base: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    fallback: Option<Oid>,
) -> Result<Vec<RosterChange>> {
    let at = |tree: Option<&Tree<'_>>| tree.and_then(|t| blob_at(t, CONFIG_FILE));
    let r = at(new);
    let sides: Vec<Option<Oid>> = parent_trees.iter().map(|t| at(t.as_ref())).collect();
    let olds: Vec<Option<Oid>> = if sides.len() < 2 {
        match sides.first().copied().flatten().or(fallback) {
            None => return Ok(Vec::new()),
            Some(old) if Some(old) == r => return Ok(Vec::new()),
            Some(old) => vec![Some(old)],
        }
    } else {
        if merged_by_sides(repo, at(base), &sides, r)? {
            return Ok(Vec::new());
        }
        let mut olds: Vec<Option<Oid>> = sides.iter().copied().filter(|p| *p != r).collect();
        olds.sort();
        olds.dedup();
        olds
    };
    let read = |oid: Option<Oid>| -> Result<Option<Vec<u8>>> {
        Ok(match oid {
            Some(oid) => read_blob(repo, oid)?,
            None => None,
        })
    };
    let mut out = Vec::new();
    for old in olds {
        out.push((read(old)?, read(r)?));
    }
    Ok(out)
}

/// LH714: only moderators change `longhand.yaml`; anyone may add an entry for themselves (with
/// their own email, the commit author's, and no roles). In a roster that names no moderator,
/// its people may change it.
fn roster_changed(
    ctx: &Context<'_>,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
    out: &mut Vec<Diagnostic>,
) {
    if ctx.is_moderator() {
        return;
    }
    let no_moderator = ctx.config.is_some() && !ctx.moderated;
    if no_moderator && ctx.who.handle().is_some() {
        return;
    }
    if let (Some(old), Some(new)) = (old, new) {
        if adds_only_self(old, new, &ctx.email) {
            return;
        }
    }
    let verb = if new.is_none() { "deletes" } else { "changes" };
    out.push(
        ctx.diagnostic(
            Code::RosterChangeForbidden,
            CONFIG_FILE,
            format!(
                "{verb} longhand.yaml, and {} is not a moderator; only moderators change the roster and policy",
                ctx.author
            ),
        )
        .with_help(
            "ask a moderator to make this change; you may only add an entry for yourself, with your own email and no roles",
        ),
    );
}

/// Whether `new` is `old` plus one entry under `people` whose only emails are `email` and
/// which has no roles: a newcomer adding themselves. Compared as YAML data, so comments and
/// layout may change, nothing else.
fn adds_only_self(old: &[u8], new: &[u8], email: &str) -> bool {
    use serde_yaml::Value;
    let (Ok(old), Ok(mut new)) = (
        serde_yaml::from_slice::<Value>(old),
        serde_yaml::from_slice::<Value>(new),
    ) else {
        return false;
    };
    let empty = serde_yaml::Mapping::new();
    let old_people = old
        .get("people")
        .and_then(Value::as_mapping)
        .unwrap_or(&empty);
    let Some(new_people) = new.get_mut("people").and_then(Value::as_mapping_mut) else {
        return false;
    };
    let added: Vec<Value> = new_people
        .keys()
        .filter(|k| !old_people.contains_key(*k))
        .cloned()
        .collect();
    let [handle] = added.as_slice() else {
        return false;
    };
    let Some(entry) = new_people.remove(handle) else {
        return false;
    };
    let roles_empty = match entry.get("roles") {
        None | Some(Value::Null) => true,
        Some(Value::Sequence(roles)) => roles.is_empty(),
        Some(_) => false,
    };
    let own_emails = match entry.get("emails") {
        Some(Value::Sequence(emails)) => {
            !emails.is_empty()
                && emails.iter().all(|e| {
                    e.as_str()
                        .is_some_and(|e| e.trim().eq_ignore_ascii_case(email.trim()))
                })
        }
        _ => false,
    };
    if !roles_empty || !own_emails {
        return false;
    }
    if new_people.is_empty() && old.get("people").is_none() {
        if let Some(map) = new.as_mapping_mut() {
            map.remove("people");
        }
    }
    new == old
}

/// The first revision's rule for merges (kept for commits dated before section 13.7 applies):
/// a merge is answerable only for a file whose version differs from its version in every
/// parent; a file the first parent lacks is compared with the version another parent has.
fn legacy_merge_changes(
    repo: &Repository,
    parent_trees: &[Option<Tree<'_>>],
    touched: &[Touched],
    state: &mut State,
) -> Result<Vec<Touched>> {
    let mut out = Vec::new();
    for file in touched {
        let new = file.new.as_ref().map(|v| v.oid);
        let answerable = parent_trees[1..]
            .iter()
            .all(|tree| tree.as_ref().and_then(|tree| blob_at(tree, &file.path)) != new);
        if !answerable {
            continue;
        }
        let mut old = file.old.clone();
        if old.is_none() {
            let other = parent_trees[1..]
                .iter()
                .find_map(|tree| tree.as_ref().and_then(|tree| blob_at(tree, &file.path)));
            old = read_version(repo, state, &file.path, other)?;
        }
        out.push(Touched {
            path: file.path.clone(),
            place: file.place.clone(),
            old,
            new: file.new.clone(),
        });
    }
    Ok(out)
}

/// One version of the file at `path` (`None` for an absent side), read and parsed on its own.
fn read_version(
    repo: &Repository,
    state: &mut State,
    path: &str,
    oid: Option<Oid>,
) -> Result<Option<Version>> {
    let Some(oid) = oid else { return Ok(None) };
    if attachment_owner(path).is_some() {
        // An attachment is judged by who changed it, never by its content.
        return Ok(Some(Version { oid, record: None }));
    }
    state.files += 1;
    let record = read_blob(repo, oid)?.and_then(|bytes| record(path, &bytes));
    Ok(Some(Version { oid, record }))
}

/// Reads a blob under the size limit.
fn read_blob(repo: &Repository, oid: Oid) -> Result<Option<Vec<u8>>> {
    let (size, _) = repo.odb()?.read_header(oid)?;
    if size as u64 > MAX_FILE_BYTES {
        return Ok(None);
    }
    Ok(Some(repo.find_blob(oid)?.content().to_vec()))
}

/// The files of the layout that differ between the two trees, with both versions parsed.
/// The comparison names each changed path with both sides (id and mode); a path whose name
/// is not UTF-8 cannot be a file of the layout and is left out.
fn touched(
    repo: &Repository,
    trees: &TreeStore,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    state: &mut State,
) -> Result<Vec<Touched>> {
    let (changed, met) = super::changed_entries(repo, trees, old, new)?;
    let sides: HashMap<&str, (Option<Side>, Option<Side>)> = met
        .iter()
        .map(|(path, before, after)| (path.as_str(), (*before, *after)))
        .collect();
    let mut out = Vec::new();
    for path in changed {
        let Some((before, after)) = sides.get(path.as_str()) else {
            continue;
        };
        let place = Place::of(&path);
        if place == Place::Config || (place == Place::Other && attachment_owner(&path).is_none()) {
            continue;
        }
        let file = |side: &Option<Side>| {
            side.filter(|(_, mode)| is_file_mode(*mode))
                .map(|(oid, _)| oid)
        };
        let old_oid = file(before);
        let new_oid = file(after);
        if old_oid == new_oid {
            continue;
        }
        let old = read_version(repo, state, &path, old_oid)?;
        let new = read_version(repo, state, &path, new_oid)?;
        out.push(Touched {
            path,
            place,
            old,
            new,
        });
    }
    Ok(out)
}

/// Replies that a thread merge moved: deleted from one thread and added, byte for byte
/// under the same name, to another in the same commit, whose header the same commit names
/// in `merged-into` (by slug, or by the id `target_id` reads). Deleted path → added path.
fn moves(
    touched: &[Touched],
    target_id: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    let mut added: HashMap<(&str, Oid), Vec<&Touched>> = HashMap::new();
    let mut merged_into: HashMap<&str, &str> = HashMap::new();
    for file in touched {
        match (&file.place, &file.old, &file.new) {
            (Place::Reply { stem, .. }, None, Some(new)) => {
                added.entry((stem, new.oid)).or_default().push(file);
            }
            (Place::Thread { slug }, _, Some(new)) => {
                if let Some(Record::Thread(thread)) = &new.record {
                    if let Some(into) = &thread.merged_into {
                        merged_into.insert(slug, into);
                    }
                }
            }
            _ => {}
        }
    }
    let mut moves = BTreeMap::new();
    for file in touched {
        let (Place::Reply { stem, slug }, Some(old), None) = (&file.place, &file.old, &file.new)
        else {
            continue;
        };
        let Some(into) = merged_into.get(slug.as_str()) else {
            continue;
        };
        let target = added.get(&(stem.as_str(), old.oid)).and_then(|files| {
            files.iter().find(|f| match &f.place {
                Place::Reply { slug: to, .. } => {
                    to != slug && (to == into || target_id(to).is_some_and(|id| id == *into))
                }
                _ => false,
            })
        });
        if let Some(target) = target {
            moves.insert(file.path.clone(), target.path.clone());
        }
    }
    moves
}

/// The signature of a record's version, if it carries one.
fn signature_of(record: &Record) -> Option<&crate::signature::Signed> {
    match record {
        Record::Reply(m) => m.signature.as_ref(),
        Record::Thread(t) => t.signature.as_ref(),
        Record::Decision(d) => d.signature.as_ref(),
    }
}

/// Judges one touched file with the person who acted in it (spec section 15.4): the signer of
/// its new version when that carries a good signature by a key of the roster in force, else
/// the commit's author. Under `authorship: signed`, a message added or changed without such
/// a signature is LH707; a deletion, a restore, a move and an attachment are the commit
/// author's.
fn check_file(
    ctx: &mut Context<'_>,
    file: &Touched,
    moves: &BTreeMap<String, String>,
    state: &State,
    out: &mut Vec<Diagnostic>,
) {
    let new = file.new.as_ref().and_then(|v| v.record.as_ref());
    let signed = new.and_then(signature_of).map(|signed| {
        if let Some(Record::Reply(reply)) = new {
            if reply.reply_to.is_none() {
                // Not bound to its thread (LH805): it vouches for no one here.
                return Err((
                    Code::SignatureUnbound,
                    "a signed reply without `reply-to`, LH805".to_owned(),
                ));
            }
        }
        crate::validate::signer(ctx.config, signed).map(|(who, key)| {
            let name = match &who {
                Who::Person(handle) => handle.clone(),
                Who::Email(email) => email.clone(),
            };
            (who, format!("{name} (signed with {})", key.fingerprint()))
        })
    });
    let restored = file
        .new
        .as_ref()
        .is_some_and(|v| file.old.is_none() && state.deleted_files.get(&file.path) == Some(&v.oid));
    let moved_here = moves.values().any(|to| *to == file.path);
    let is_action =
        file.new.is_some() && attachment_owner(&file.path).is_none() && !restored && !moved_here;
    if is_action && ctx.authorship() == Authorship::Signed && ctx.signs_required {
        let why = match &signed {
            None => "carries no signature".to_owned(),
            Some(Ok(_)) => String::new(),
            Some(Err((_, why))) => format!("carries no good signature ({why})"),
        };
        if !why.is_empty() {
            let verb = if file.old.is_none() {
                "adds"
            } else {
                "changes"
            };
            out.push(
                ctx.diagnostic(
                    Code::UnsignedAction,
                    &file.path,
                    format!(
                        "{verb} this file, which {why}, and policy.authorship is `signed`"
                    ),
                )
                .with_help("write it with `longhand` set up to sign (docs/signing.md), with your key listed in longhand.yaml"),
            );
        }
    }
    match signed {
        Some(Ok((who, described))) if is_action => {
            let saved_who = std::mem::replace(&mut ctx.who, who);
            let saved_author = std::mem::replace(&mut ctx.author, described);
            judge_file(ctx, file, moves, state, out);
            ctx.who = saved_who;
            ctx.author = saved_author;
        }
        _ => judge_file(ctx, file, moves, state, out),
    }
}

fn judge_file(
    ctx: &mut Context<'_>,
    file: &Touched,
    moves: &BTreeMap<String, String>,
    state: &State,
    out: &mut Vec<Diagnostic>,
) {
    let old = file.old.as_ref().and_then(|v| v.record.as_ref());
    let new = file.new.as_ref().and_then(|v| v.record.as_ref());
    let moved_here = moves.values().any(|to| *to == file.path);
    let path = file.path.as_str();
    match (&file.place, &file.old, &file.new) {
        (Place::Reply { .. }, Some(_), None) if !moves.contains_key(path) => {
            out.push(ctx.diagnostic(
                Code::ReplyDeleted,
                path,
                "deletes this reply; replies are append-only".to_owned(),
            ));
        }
        (Place::Reply { .. }, Some(_), None) => {}
        (_, None, Some(version)) => {
            // A file put back exactly as it was deleted is a restore, not a new message.
            let restored = state.deleted_files.get(path) == Some(&version.oid);
            if !moved_here && !restored {
                added(ctx, file, new, out);
            }
            reused(ctx, file, new, moves, state, out);
        }
        (Place::Reply { .. }, Some(_), Some(_)) => {
            if let (Some(Record::Reply(old)), new) = (old, new) {
                let new = match new {
                    Some(Record::Reply(new)) => Some(new.as_ref()),
                    _ => None,
                };
                reply_changed(ctx, path, old, new, out);
            }
        }
        (Place::Thread { .. }, Some(_), new_version) => {
            if let Some(Record::Thread(old)) = old {
                let new = match new {
                    Some(Record::Thread(new)) => Some(new.as_ref()),
                    _ => None,
                };
                thread_changed(ctx, path, old, new, new_version.is_none(), out);
            }
        }
        (Place::Decision { .. }, Some(_), new_version) => {
            if let Some(Record::Decision(old)) = old {
                let new = match new {
                    Some(Record::Decision(new)) => Some(new.as_ref()),
                    _ => None,
                };
                decision_changed(ctx, path, old, new, new_version.is_none(), out);
            }
        }
        _ => {}
    }
}

/// The reply an attachment belongs to: `threads/<slug>/<ID>/…` → `threads/<slug>/<ID>.md`.
fn attachment_owner(path: &str) -> Option<String> {
    let mut parts = path.splitn(4, '/');
    let (Some("threads"), Some(slug), Some(id), Some(_)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    crate::model::Id::parse(id)?;
    Some(format!("threads/{slug}/{id}.md"))
}

/// LH702 (second revision): a reply's attachments are part of it — added, replaced or
/// deleted only by the reply's author (or a moderator, who may remove what should not be
/// there, as with a redaction).
fn attachment_changed(
    ctx: &Context<'_>,
    file: &Touched,
    author: &crate::model::Author,
    out: &mut Vec<Diagnostic>,
) {
    if !ctx.strict || ctx.actor().may_edit_reply(author) || ctx.is_moderator() {
        return;
    }
    let verb = match (&file.old, &file.new) {
        (None, Some(_)) => "adds",
        (Some(_), None) => "deletes",
        _ => "replaces",
    };
    out.push(
        ctx.diagnostic(
            Code::ReplyChangedByOther,
            &file.path,
            format!(
                "{verb} an attachment of a reply by {author}, written by someone else"
            ),
        )
        .with_help("restore the attachment as it was; a reply's files are changed only by its author (or removed by a moderator)"),
    );
}

/// LH706, LH707: the commit that adds a message is its author's.
fn added(ctx: &mut Context<'_>, file: &Touched, new: Option<&Record>, out: &mut Vec<Diagnostic>) {
    if let Some(Record::Decision(decision)) = new {
        if ctx.strict
            && decision.status != crate::model::DecisionStatus::Proposed
            && !ctx.is_moderator()
        {
            out.push(
                ctx.diagnostic(
                    Code::DecisionNotReady,
                    &file.path,
                    format!(
                        "adds a decision that is already `{}`; a decision is proposed first, and only a moderator adds one decided elsewhere",
                        decision.status
                    ),
                )
                .with_help("add it with `status: proposed` (`longhand decision new`), or ask a moderator to record a decision taken elsewhere"),
            );
        }
    }
    let author = match new {
        Some(Record::Reply(m)) => Some(&m.author),
        Some(Record::Thread(t)) => Some(&t.author),
        Some(Record::Decision(d)) => d.author.as_ref(),
        None => None,
    };
    let Some(author) = author else { return };
    let policy = ctx.authorship();
    if policy == Authorship::Off {
        return;
    }
    if !ctx.is(&author.email) {
        let what = match new {
            Some(Record::Reply(_)) => "reply",
            Some(Record::Thread(_)) => "thread",
            _ => "decision",
        };
        out.push(
            ctx.diagnostic(
                Code::AuthorshipMismatch,
                &file.path,
                format!(
                    "adds a {what} by {author} but it was written by {}",
                    ctx.author
                ),
            )
            .with_help(format!(
                "amend the commit with --author \"{author}\", or set the {what}'s author to yours"
            )),
        );
    }
}

/// LH712, LH713: a new file takes no id or slug used before.
fn reused(
    ctx: &Context<'_>,
    file: &Touched,
    new: Option<&Record>,
    moves: &BTreeMap<String, String>,
    state: &State,
    out: &mut Vec<Diagnostic>,
) {
    let id = match (new, &file.place) {
        (Some(record), _) => Some(id_of(record).to_owned()),
        (None, Place::Reply { stem, .. }) => Some(stem.clone()),
        _ => None,
    };
    if let Some(id) = &id {
        if let Some(before) = state.ids.get(id) {
            let moved = moves.get(before).is_some_and(|to| *to == file.path);
            if *before != file.path && !moved {
                out.push(ctx.diagnostic(
                    Code::IdReused,
                    &file.path,
                    format!("gives this file the id `{id}`, which `{before}` used before"),
                ));
            }
        }
    }
    let deleted = match &file.place {
        Place::Thread { slug } => state
            .deleted_threads
            .get(slug)
            .map(|id| (slug, id, "thread")),
        Place::Decision { slug } => state
            .deleted_decisions
            .get(slug)
            .map(|id| (slug, id, "decision")),
        _ => None,
    };
    if let Some((slug, old_id, kind)) = deleted {
        // Restoring the deleted record itself (same id) is not a reuse.
        if old_id.is_none() || *old_id != id {
            out.push(ctx.diagnostic(
                Code::SlugReused,
                &file.path,
                format!("creates a {kind} with the slug `{slug}` of a {kind} that was deleted"),
            ));
        }
    }
}

fn id_of(record: &Record) -> &str {
    match record {
        Record::Reply(m) => m.stem.as_str(),
        Record::Thread(t) => t.id.as_str(),
        Record::Decision(d) => d.id.as_str(),
    }
}

/// Whether a reply's new `reply-to` answers the same message as its old one: the same value,
/// or an absent `reply-to` made explicit as the thread's own id (spec section 15.3, LH805: a
/// signed reply names its parent; both mean the opening post).
fn same_parent(ctx: &Context<'_>, path: &str, old: &Message, new: &Message) -> bool {
    match (&old.reply_to, &new.reply_to) {
        (old, new) if old == new => true,
        (None, Some(id)) => thread_id_at(ctx, path).is_some_and(|thread| thread == *id),
        _ => false,
    }
}

/// The `id` of the thread header beside the reply at `path` (relative to the discussion
/// root), in the commit being judged.
fn thread_id_at(ctx: &Context<'_>, path: &str) -> Option<String> {
    let (dir, _) = path.rsplit_once('/')?;
    let header = format!("{dir}/thread.md");
    let full = if ctx.prefix.is_empty() {
        header.clone()
    } else {
        format!("{}/{header}", ctx.prefix.trim_end_matches('/'))
    };
    let tree = ctx.commit.tree().ok()?;
    let oid = super::blob_at(&tree, &full)?;
    let bytes = read_blob(ctx.repo, oid).ok()??;
    match record(&header, &bytes)? {
        Record::Thread(thread) => Some(thread.id.to_string()),
        _ => None,
    }
}

/// LH702–LH705 for a reply that changed; `new` is `None` when it no longer parses.
fn reply_changed(
    ctx: &Context<'_>,
    path: &str,
    old: &Message,
    new: Option<&Message>,
    out: &mut Vec<Diagnostic>,
) {
    let is_author = ctx.actor().may_edit_reply(&old.author);
    let Some(new) = new else {
        if !is_author {
            out.push(ctx.diagnostic(
                Code::ReplyChangedByOther,
                path,
                format!(
                    "changes this reply by {}, written by someone else",
                    old.author
                ),
            ));
        }
        return;
    };
    record_changed(
        ctx,
        path,
        "reply",
        &[
            ("id", new.id != old.id),
            ("author", new.author != old.author),
            ("date", new.date != old.date),
            ("reply-to", !same_parent(ctx, path, old, new)),
        ],
        out,
    );
    if new.redaction != old.redaction {
        if !ctx.is_moderator() {
            out.push(ctx.diagnostic(
                Code::RedactionForbidden,
                path,
                format!(
                    "redacts this reply (or changes its redaction), and {} is not a moderator",
                    ctx.author
                ),
            ));
        } else if let Some(redaction) = &new.redaction {
            // `vote-on` says which decision the vote counts for: moving it moves the vote.
            if ctx.strict && (new.vote != old.vote || new.vote_on != old.vote_on) {
                out.push(
                    ctx.diagnostic(
                        Code::RedactionForbidden,
                        path,
                        "changes the reply's `vote` or `vote-on` in a redaction; a redaction keeps the record, vote included".to_owned(),
                    )
                    .with_help("keep `vote` and `vote-on` as they were: a redaction hides the text, not the vote"),
                );
            }
            if Who::of_reference(ctx.config, &redaction.by).as_ref() != Some(&ctx.who) {
                out.push(
                    ctx.diagnostic(
                        Code::RedactionForbidden,
                        path,
                        format!(
                            "records the redaction as by `{}`, but the commit's author is {}",
                            redaction.by, ctx.author
                        ),
                    )
                    .with_help(
                        "set `redacted-by` to your own handle, or amend the commit's author",
                    ),
                );
            }
        }
        return;
    }
    if ctx.strict && old.redaction.is_some() && !ctx.is_moderator() {
        out.push(
            ctx.diagnostic(
                Code::RedactionForbidden,
                path,
                format!(
                    "changes a redacted reply, and {} is not a moderator; a redaction is final",
                    ctx.author
                ),
            )
            .with_help("only a moderator may change a reply once it is redacted"),
        );
        return;
    }
    if !is_author {
        out.push(ctx.diagnostic(
            Code::ReplyChangedByOther,
            path,
            format!(
                "changes this reply by {}, written by someone else",
                old.author
            ),
        ));
    } else if new.edited.is_none() || new.edited == old.edited {
        out.push(ctx.diagnostic(
            Code::EditWithoutEdited,
            path,
            "amends the reply without updating `edited`".to_owned(),
        ));
    }
}

/// LH704 when any of a message's record fields (`(name, changed)`) changed: a message's id,
/// author, date and place in the thread are fixed once it is written.
fn record_changed(
    ctx: &Context<'_>,
    path: &str,
    what: &str,
    fields: &[(&str, bool)],
    out: &mut Vec<Diagnostic>,
) {
    let changed: Vec<&str> = fields
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    if !changed.is_empty() {
        out.push(ctx.diagnostic(
            Code::RecordChanged,
            path,
            format!("changes the {what}'s {}", changed.join(", ")),
        ));
    }
}

/// LH704, LH708, LH709 for a thread header that changed or was deleted.
fn thread_changed(
    ctx: &Context<'_>,
    path: &str,
    old: &Thread,
    new: Option<&Thread>,
    deleted: bool,
    out: &mut Vec<Diagnostic>,
) {
    if !ctx.actor().may_edit_thread(&old.author) {
        let verb = if deleted { "deletes" } else { "changes" };
        out.push(ctx.diagnostic(
            Code::ThreadEditForbidden,
            path,
            format!(
                "{verb} thread.md of a thread opened by {}; {} is neither its author nor a moderator",
                old.author, ctx.author
            ),
        ));
    }
    let Some(new) = new else { return };
    record_changed(
        ctx,
        path,
        "thread",
        &[
            ("id", new.id != old.id),
            ("author", new.author != old.author),
            ("date", new.date != old.date),
        ],
        out,
    );
    if new.status != old.status && !old.status.can_become(new.status) {
        out.push(ctx.diagnostic(
            Code::TransitionForbidden,
            path,
            format!(
                "moves the thread from `{}` to `{}`, which section 7.1 does not allow",
                old.status, new.status
            ),
        ));
    }
}

/// LH704, LH709–LH711 for a decision that changed or was deleted.
fn decision_changed(
    ctx: &mut Context<'_>,
    path: &str,
    old: &Decision,
    new: Option<&Decision>,
    deleted: bool,
    out: &mut Vec<Diagnostic>,
) {
    let may_move = ctx
        .actor()
        .may_change_decision_status(&old.deciders, old.author.as_ref());
    let may_edit = ctx
        .actor()
        .may_edit_decision(&old.deciders, old.author.as_ref());
    let status_changed = new.is_some_and(|n| n.status != old.status);
    if status_changed && !may_move {
        out.push(ctx.diagnostic(
            Code::DecisionStatusForbidden,
            path,
            format!(
                "changes the decision's status, and {} is neither its author, one of its deciders ({}) nor a moderator",
                ctx.author,
                if old.deciders.is_empty() { "none".to_owned() } else { old.deciders.join(", ") }
            ),
        ));
    } else if !status_changed && !may_edit {
        let verb = if deleted { "deletes" } else { "changes" };
        out.push(ctx.diagnostic(
            Code::DecisionEditForbidden,
            path,
            format!(
                "{verb} the decision, and {} is not one of its deciders, its author or a moderator",
                ctx.author
            ),
        ));
    }
    let Some(new) = new else { return };
    if new.id != old.id {
        out.push(ctx.diagnostic(
            Code::RecordChanged,
            path,
            "changes the decision's id".to_owned(),
        ));
    }
    let allowed = old.status.can_become(new.status);
    if status_changed && !allowed {
        out.push(ctx.diagnostic(
            Code::TransitionForbidden,
            path,
            format!(
                "moves the decision from `{}` to `{}`, which section 7.2 does not allow",
                old.status, new.status
            ),
        ));
    }
    if ctx.strict && (allowed || !status_changed) {
        decision_record(ctx, path, old, new, out);
    }
}

/// LH711 (second revision): what a decision is judged by — its `date`, `deciders`,
/// `review-by` and `thread` — is not changed while it is proposed (the votes were cast
/// against them), and once it has left `proposed` its record is frozen but for its
/// supersession links (`status: superseded`, `superseded-by`, `supersedes`). A moderator may
/// still correct it.
fn frozen_terms(
    ctx: &Context<'_>,
    path: &str,
    old: &Decision,
    new: &Decision,
    out: &mut Vec<Diagnostic>,
) {
    use crate::model::DecisionStatus;
    let extra = |d: &Decision| -> Vec<(String, String)> {
        d.extra
            .iter()
            .map(|f| (f.key.clone(), format!("{:?}", f.value)))
            .collect()
    };
    let changed: Vec<&str> = if old.status == DecisionStatus::Proposed {
        [
            ("date", old.date != new.date),
            ("deciders", old.deciders != new.deciders),
            ("review-by", old.review_by != new.review_by),
            ("thread", old.thread != new.thread),
        ]
        .iter()
        .filter(|(_, c)| *c)
        .map(|(n, _)| *n)
        .collect()
    } else {
        [
            ("title", old.title != new.title),
            ("date", old.date != new.date),
            ("deciders", old.deciders != new.deciders),
            ("author", old.author != new.author),
            ("review-by", old.review_by != new.review_by),
            ("thread", old.thread != new.thread),
            ("the text", old.body != new.body),
            ("other fields", extra(old) != extra(new)),
        ]
        .iter()
        .filter(|(_, c)| *c)
        .map(|(n, _)| *n)
        .collect()
    };
    if changed.is_empty() {
        return;
    }
    let (what, help) = if old.status == DecisionStatus::Proposed {
        (
            "of a proposed decision, which its votes were cast against",
            "ask a moderator, or withdraw this decision and propose a new one",
        )
    } else {
        (
            "of a decision that has left `proposed`; its record is frozen",
            "propose a new decision that supersedes it, or ask a moderator to correct it",
        )
    };
    out.push(
        ctx.diagnostic(
            Code::DecisionEditForbidden,
            path,
            format!(
                "changes {} {what}, and {} is not a moderator",
                changed.join(", "),
                ctx.author
            ),
        )
        .with_help(help),
    );
}

/// LH715–LH717 (second revision): a decision leaves `proposed` only when its rule allows it
/// at the commit's instant (or by a moderator's recorded override), records when and by whom,
/// and its decision fields are frozen from then on.
fn decision_record(
    ctx: &mut Context<'_>,
    path: &str,
    old: &Decision,
    new: &Decision,
    out: &mut Vec<Diagnostic>,
) {
    use crate::model::DecisionStatus;
    let leaves = old.status == DecisionStatus::Proposed && new.status != DecisionStatus::Proposed;
    if !ctx.is_moderator() {
        frozen_terms(ctx, path, old, new, out);
    }
    if old.status != DecisionStatus::Proposed {
        let frozen = [
            ("decided", old.decided != new.decided),
            ("decided-by", old.decided_by != new.decided_by),
            ("override", old.override_reason != new.override_reason),
            ("rationale", old.rationale != new.rationale),
        ];
        let changed: Vec<&str> = frozen.iter().filter(|(_, c)| *c).map(|(n, _)| *n).collect();
        if !changed.is_empty() {
            out.push(
                ctx.diagnostic(
                    Code::DecidedNotRecorded,
                    path,
                    format!(
                        "changes {} of a decision that is already `{}`; the record of a decision is frozen",
                        changed.join(", "),
                        old.status
                    ),
                )
                .with_help("restore the fields as they were; a new decision can supersede this one"),
            );
        }
        return;
    }
    if new.override_reason.is_some() && !ctx.actor().may_override() {
        out.push(
            ctx.diagnostic(
                Code::OverrideForbidden,
                path,
                format!(
                    "records an override, and {} is not a moderator; only a moderator may decide against the rule",
                    ctx.author
                ),
            )
            .with_help("remove `override`, and wait until the decision is ready (or blocked); or ask a moderator"),
        );
    } else if new.override_reason.is_some() && !leaves {
        out.push(
            ctx.diagnostic(
                Code::OverrideForbidden,
                path,
                "records an override on a decision that stays `proposed`".to_owned(),
            )
            .with_help("an override goes with the status change it justifies"),
        );
    }
    if !leaves {
        return;
    }
    let decided_ok = new
        .decided
        .as_ref()
        .is_some_and(|d| d.instant <= ctx.instant);
    let by_ok = new
        .decided_by
        .as_deref()
        .is_some_and(|by| Who::of_reference(ctx.config, by).as_ref() == Some(&ctx.who));
    if !decided_ok || !by_ok {
        out.push(
            ctx.diagnostic(
                Code::DecidedNotRecorded,
                path,
                format!(
                    "moves the decision to `{}` without recording `decided` (not later than the commit) and `decided-by` naming the commit's author, {}",
                    new.status, ctx.author
                ),
            )
            .with_help("use `longhand decision accept|reject|withdraw`, which records both, or add `decided: <now>` and `decided-by: <your handle>`"),
        );
    }
    let overridden = new.override_reason.is_some() && ctx.actor().may_override();
    if overridden
        || !matches!(
            new.status,
            DecisionStatus::Accepted | DecisionStatus::Rejected
        )
    {
        return;
    }
    let Some(state) = ctx.state_at(old) else {
        out.push(
            ctx.diagnostic(
                Code::DecisionNotReady,
                path,
                format!("moves the decision to `{}`, and the commit's discussion cannot be read to tell whether it is ready", new.status),
            )
            .with_help("make the discussion readable (`longhand validate --rev <commit>`), or ask a moderator to decide with `--override \"<reason>\"`"),
        );
        return;
    };
    use crate::read::tally::State;
    let refused = match (new.status, &state) {
        (DecisionStatus::Accepted, State::Ready) => None,
        (DecisionStatus::Accepted, State::Blocked { by }) => Some(format!(
            "accepts the decision while {} object{}",
            by.iter().map(Who::as_str).collect::<Vec<_>>().join(", "),
            if by.len() == 1 { "s" } else { "" }
        )),
        (DecisionStatus::Accepted, State::Pending { until: Some(until) }) => Some(format!(
            "accepts the decision before its review period ends ({until})"
        )),
        (DecisionStatus::Accepted, State::Pending { until: None }) => {
            Some("accepts the decision before every decider has voted".to_owned())
        }
        (DecisionStatus::Rejected, State::Blocked { .. }) => None,
        (DecisionStatus::Rejected, _) if ctx.actor().is_author_of(old.author.as_ref()) => None,
        (DecisionStatus::Rejected, _) => {
            Some("rejects the decision while nothing blocks it".to_owned())
        }
        _ => None,
    };
    if let Some(what) = refused {
        out.push(
            ctx.diagnostic(Code::DecisionNotReady, path, format!("{what}, under its decision rule at the commit's instant"))
                .with_help("wait until the decision is ready (or blocked), or ask a moderator to decide with `--override \"<reason>\"`"),
        );
    }
}

/// Records the ids and deleted slugs of what the commit touched.
fn remember(touched: &[Touched], moves: &BTreeMap<String, String>, state: &mut State) {
    for file in touched {
        match (&file.old, &file.new) {
            (Some(old), None) => {
                state.deleted_files.insert(file.path.clone(), old.oid);
            }
            (_, Some(_)) => {
                state.deleted_files.remove(&file.path);
            }
            _ => {}
        }
        for version in [&file.old, &file.new].into_iter().flatten() {
            let id = match (&version.record, &file.place) {
                (Some(record), _) => Some(id_of(record).to_owned()),
                (None, Place::Reply { stem, .. }) => Some(stem.clone()),
                _ => None,
            };
            if let Some(id) = id {
                state.ids.entry(id).or_insert_with(|| file.path.clone());
            }
        }
        if file.new.is_none() {
            let id = file
                .old
                .as_ref()
                .and_then(|v| v.record.as_ref())
                .map(|r| id_of(r).to_owned());
            match &file.place {
                Place::Thread { slug } => {
                    state.deleted_threads.insert(slug.clone(), id);
                }
                Place::Decision { slug } => {
                    state.deleted_decisions.insert(slug.clone(), id);
                }
                _ => {}
            }
        }
    }
    for (from, to) in moves {
        if let Some(id) = to
            .rsplit('/')
            .next()
            .and_then(|name| name.strip_suffix(".md"))
        {
            if state.ids.get(id) == Some(from) {
                state.ids.insert(id.to_owned(), to.clone());
            }
        }
    }
}
