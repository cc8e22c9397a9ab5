//! One commit against its parent: which files of the discussion it touched, and the history
//! rules (LH701–LH713) over each touched file's old and new version.
//!
//! Who may do what is decided with the `longhand.yaml` of the parent (the rules in force
//! before the commit), so nobody grants themselves a role in the commit that uses it; a
//! commit without a parent, or whose parent has no discussion, uses its own.

use std::collections::{BTreeMap, HashMap};

use git2::{Commit, Oid, Repository, Tree};

use crate::diagnostic::{Code, Diagnostic};
use crate::document::MAX_FILE_BYTES;
use crate::load::{config_of, record, Place, Record};
use crate::model::{Authorship, Config, Decision, Message, Thread};
use crate::read::Who;
use crate::source::trees::TreeStore;
use crate::source::CONFIG_FILE;
use crate::Result;

use super::permissions::Actor;
use super::{blob_at, is_file_mode, signature, subtree, Side};

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
}

/// One version of a touched file.
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
    author: String,
    described: String,
    signed: Option<bool>,
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

    fn signed(&mut self) -> bool {
        let (repo, id) = (self.repo, self.commit.id());
        *self
            .signed
            .get_or_insert_with(|| signature::is_signed(repo, id))
    }

    fn diagnostic(&self, code: Code, path: &str, what: String) -> Diagnostic {
        Diagnostic::new(code, path, format!("{}: {what}", self.described))
    }
}

/// Checks one commit against its first parent and records what it touched in `state`.
pub(crate) fn check_commit(
    repo: &Repository,
    trees: &TreeStore,
    prefix: &str,
    commit: &Commit<'_>,
    state: &mut State,
    out: &mut Vec<Diagnostic>,
) -> Result<()> {
    let new_tree = subtree(repo, commit.tree()?, prefix)?;
    let parents: Vec<Commit<'_>> = commit.parents().collect();
    let mut parent_trees = Vec::with_capacity(parents.len());
    for parent in &parents {
        parent_trees.push(subtree(repo, parent.tree()?, prefix)?);
    }
    let old_tree = parent_trees.first().and_then(|t| t.as_ref());
    if old_tree.map(Tree::id) == new_tree.as_ref().map(Tree::id) {
        return Ok(());
    }
    let mut touched = touched(repo, trees, old_tree, new_tree.as_ref(), state)?;
    if parents.len() > 1 {
        // A merge is answerable only for what differs from every parent: the rest came from
        // commits that are checked on their own. A file the first parent lacks is compared
        // with the version another parent has.
        touched.retain(|t| {
            let new = t.new.as_ref().map(|v| v.oid);
            parent_trees[1..]
                .iter()
                .all(|tree| tree.as_ref().and_then(|tree| blob_at(tree, &t.path)) != new)
        });
        for file in touched.iter_mut().filter(|t| t.old.is_none()) {
            let other = parent_trees[1..]
                .iter()
                .find_map(|tree| tree.as_ref().and_then(|tree| blob_at(tree, &file.path)));
            if let Some(oid) = other {
                state.files += 1;
                let record = read_blob(repo, oid)?.and_then(|bytes| record(&file.path, &bytes));
                file.old = Some(Version { oid, record });
            }
        }
    }
    if touched.is_empty() {
        return Ok(());
    }
    let config_tree = old_tree.or(new_tree.as_ref());
    let config_oid = config_tree.and_then(|t| blob_at(t, CONFIG_FILE));
    if let Some(oid) = config_oid {
        if let std::collections::hash_map::Entry::Vacant(slot) = state.configs.entry(oid) {
            slot.insert(read_blob(repo, oid)?.and_then(|b| config_of(&b)));
        }
    }
    let config = config_oid
        .and_then(|oid| state.configs.get(&oid))
        .and_then(Option::as_ref);
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
    let mut ctx = Context {
        repo,
        commit,
        config,
        who: Who::of_email(config, &email),
        author: format!("{name} <{email}>"),
        described: format!("commit {short} (\"{subject}\")"),
        signed: None,
    };
    let moves = moves(&touched, |slug| {
        let tree = new_tree.as_ref()?;
        let oid = blob_at(tree, &format!("threads/{slug}/thread.md"))?;
        let bytes = read_blob(repo, oid).ok()??;
        match record("threads/x/thread.md", &bytes)? {
            Record::Thread(thread) => Some(thread.id.as_str().to_owned()),
            _ => None,
        }
    });
    for file in &touched {
        check_file(&mut ctx, file, &moves, state, out);
    }
    remember(&touched, &moves, state);
    Ok(())
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
        if place == Place::Other || place == Place::Config {
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
        let mut version = |oid: Option<Oid>| -> Result<Option<Version>> {
            let Some(oid) = oid else { return Ok(None) };
            state.files += 1;
            let record = read_blob(repo, oid)?.and_then(|bytes| record(&path, &bytes));
            Ok(Some(Version { oid, record }))
        };
        let old = version(old_oid)?;
        let new = version(new_oid)?;
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

fn check_file(
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

/// LH706, LH707: the commit that adds a message is its author's.
fn added(ctx: &mut Context<'_>, file: &Touched, new: Option<&Record>, out: &mut Vec<Diagnostic>) {
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
                    "adds a {what} by {author} but the commit's author is {}",
                    ctx.author
                ),
            )
            .with_help(format!(
                "amend the commit with --author \"{author}\", or set the {what}'s author to yours"
            )),
        );
    }
    if policy == Authorship::Signed && !ctx.signed() {
        out.push(ctx.diagnostic(
            Code::CommitUnsigned,
            &file.path,
            "adds a message, and policy.authorship is `signed`, but `git verify-commit` finds no good signature".to_owned(),
        ));
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
            ("reply-to", new.reply_to != old.reply_to),
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
    ctx: &Context<'_>,
    path: &str,
    old: &Decision,
    new: Option<&Decision>,
    deleted: bool,
    out: &mut Vec<Diagnostic>,
) {
    let may_move = ctx.actor().may_move_decision_status(&old.deciders);
    let may_edit = ctx
        .actor()
        .may_edit_decision(&old.deciders, old.author.as_ref());
    let status_changed = new.is_some_and(|n| n.status != old.status);
    if status_changed && !may_move {
        out.push(ctx.diagnostic(
            Code::DecisionStatusForbidden,
            path,
            format!(
                "changes the decision's status, and {} is neither one of its deciders ({}) nor a moderator",
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
    if status_changed && !old.status.can_become(new.status) {
        out.push(ctx.diagnostic(
            Code::TransitionForbidden,
            path,
            format!(
                "moves the decision from `{}` to `{}`, which section 7.2 does not allow",
                old.status, new.status
            ),
        ));
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
