//! Roster changes (`longhand person add` and `person set`): a person's entry in
//! `longhand.yaml` added, or some of its fields replaced, editing only the lines of that entry
//! (comments and layout elsewhere are kept). Who may change the roster is spec section 13.2's
//! LH714: a moderator, a newcomer adding themselves, or anyone in a roster with no moderator.

use super::{Change, Context, FileWrite};
use crate::document::emit::scalar;
use crate::model::{is_email, is_handle, Config, Who};
use crate::signature::PublicKey;
use crate::source::CONFIG_FILE;
use crate::write::atomic::Mode;
use crate::{Error, Result};

/// A new person of the roster. Build it with [`NewPerson::new`] and the setters.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct NewPerson {
    /// The handle, the key under `people`.
    pub handle: String,
    /// The display name.
    pub name: String,
    /// Emails, at least one.
    pub emails: Vec<String>,
    /// IANA time zone name.
    pub timezone: Option<String>,
    /// SSH public keys, each one line of a `.pub` file.
    pub keys: Vec<String>,
}

impl NewPerson {
    /// A person with a handle, a name and their emails.
    pub fn new(handle: &str, name: &str, emails: Vec<String>) -> NewPerson {
        NewPerson {
            handle: handle.to_owned(),
            name: name.to_owned(),
            emails,
            ..NewPerson::default()
        }
    }

    /// Sets the time zone.
    pub fn timezone(mut self, zone: &str) -> NewPerson {
        self.timezone = Some(zone.to_owned());
        self
    }

    /// Adds a key.
    pub fn key(mut self, key: &str) -> NewPerson {
        self.keys.push(key.to_owned());
        self
    }
}

/// What `person set` changes; `None` (or nothing to add or remove) keeps a field.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PersonEdit {
    /// A new display name.
    pub name: Option<String>,
    /// A new list of emails.
    pub emails: Option<Vec<String>>,
    /// A new time zone.
    pub timezone: Option<String>,
    /// Keys to add (one line of a `.pub` file each).
    pub add_keys: Vec<String>,
    /// Keys to remove (compared by key, not comment).
    pub remove_keys: Vec<String>,
}

impl PersonEdit {
    /// An edit that changes nothing yet.
    pub fn new() -> PersonEdit {
        PersonEdit::default()
    }

    /// Replaces the name.
    pub fn name(mut self, name: &str) -> PersonEdit {
        self.name = Some(name.to_owned());
        self
    }

    /// Replaces the emails.
    pub fn emails(mut self, emails: Vec<String>) -> PersonEdit {
        self.emails = Some(emails);
        self
    }

    /// Replaces the time zone.
    pub fn timezone(mut self, zone: &str) -> PersonEdit {
        self.timezone = Some(zone.to_owned());
        self
    }

    /// Adds a key.
    pub fn add_key(mut self, key: &str) -> PersonEdit {
        self.add_keys.push(key.to_owned());
        self
    }

    /// Removes a key.
    pub fn remove_key(mut self, key: &str) -> PersonEdit {
        self.remove_keys.push(key.to_owned());
        self
    }
}

fn bad(field: &'static str, value: &str, expected: &'static str) -> Error {
    Error::BadValue {
        field,
        value: value.to_owned(),
        expected,
    }
}

fn has_moderator(config: &Config) -> bool {
    config
        .people
        .values()
        .any(|p| p.roles.iter().any(|r| r == "moderator"))
}

/// LH714 up front: the writer may change the roster this way.
fn may_change_roster(ctx: &Context<'_>, config: &Config, adding_self: bool) -> Result<()> {
    let who = Who::of_email(Some(config), &ctx.author.email);
    let actor = crate::model::permissions::Actor::new(Some(config), &who);
    if actor.is_moderator() || !has_moderator(config) || adding_self {
        return Ok(());
    }
    Err(Error::NotPermitted {
        who: ctx.author.to_string(),
        action: "change longhand.yaml".to_owned(),
        allowed: "a moderator (or a newcomer adding themselves, with their own email)".to_owned(),
        code: "LH714",
    })
}

fn check_keys(config: &Config, handle: &str, keys: &[String]) -> Result<Vec<PublicKey>> {
    let mut out = Vec::new();
    for key in keys {
        let parsed = PublicKey::parse(key).map_err(|_| {
            bad(
                "key",
                key,
                "an OpenSSH public key line (ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa)",
            )
        })?;
        if let Some(owner) = config.key_owner(&parsed) {
            if owner.handle != handle {
                return Err(bad(
                    "key",
                    &parsed.fingerprint(),
                    "a key no other person lists",
                ));
            }
        }
        out.push(parsed);
    }
    Ok(out)
}

fn check_emails(config: &Config, handle: &str, emails: &[String]) -> Result<()> {
    if emails.is_empty() {
        return Err(bad("email", "", "at least one email"));
    }
    for email in emails {
        if !is_email(email) {
            return Err(bad("email", email, "an email such as ana@example.org"));
        }
        if let Some(owner) = config.person(email) {
            if owner.handle != handle {
                return Err(bad("email", email, "an email no other person lists"));
            }
        }
    }
    Ok(())
}

fn check_timezone(zone: &str) -> Result<()> {
    if jiff::tz::TimeZone::get(zone).is_err() {
        return Err(bad(
            "timezone",
            zone,
            "an IANA time zone name such as Europe/Berlin",
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.contains(['\n', '\r']) {
        return Err(bad("name", name, "a name on one line"));
    }
    Ok(())
}

/// The key line as written: the algorithm, the key data and a plain comment (a comment YAML
/// could misread is left out).
fn key_line(key: &str) -> String {
    let mut parts = key.split_whitespace();
    let (Some(algorithm), Some(data)) = (parts.next(), parts.next()) else {
        return key.trim().to_owned();
    };
    let comment: Vec<&str> = parts.collect();
    let comment = comment.join(" ");
    let plain = !comment.is_empty()
        && comment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@._-+ ".contains(c));
    if plain {
        format!("{algorithm} {data} {comment}")
    } else {
        format!("{algorithm} {data}")
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim_start();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

/// Lines `[start, end)` of the `people` block mapping (after its `people:` line), or
/// `None` when there is none; an error when `people` is written in flow style.
fn people_block(lines: &[String]) -> Result<Option<(usize, usize)>> {
    let Some(at) = lines.iter().position(|l| l.starts_with("people:")) else {
        return Ok(None);
    };
    let rest = lines[at]["people:".len()..].trim();
    if !(rest.is_empty() || rest.starts_with('#')) {
        return Err(bad(
            "people",
            rest,
            "a block mapping (one handle per line); edit longhand.yaml by hand",
        ));
    }
    let end = (at + 1..lines.len())
        .find(|&i| is_content(&lines[i]) && indent_of(&lines[i]) == 0)
        .unwrap_or(lines.len());
    Ok(Some((at + 1, end)))
}

fn entry_lines(indent: usize, field: usize, person: &NewPerson) -> Vec<String> {
    let pad = " ".repeat(indent);
    let fpad = " ".repeat(indent + field);
    let mut out = vec![format!("{pad}{}:", person.handle)];
    out.push(format!("{fpad}name: {}", scalar(&person.name)));
    out.extend(field_lines(indent + field, "emails", &person.emails));
    if let Some(zone) = &person.timezone {
        out.push(format!("{fpad}timezone: {}", scalar(zone)));
    }
    if !person.keys.is_empty() {
        out.extend(field_lines(indent + field, "keys", &person.keys));
    }
    out
}

/// A list field: emails on one line, keys one per line.
fn field_lines(indent: usize, key: &str, items: &[String]) -> Vec<String> {
    let pad = " ".repeat(indent);
    if key == "keys" {
        let mut out = vec![format!("{pad}keys:")];
        out.extend(
            items
                .iter()
                .map(|k| format!("{pad}  - {}", scalar(&key_line(k)))),
        );
        return out;
    }
    let items: Vec<String> = items.iter().map(|i| scalar(i)).collect();
    vec![format!("{pad}{key}: [{}]", items.join(", "))]
}

fn finish(ctx: &Context<'_>, lines: Vec<String>, message: String) -> Result<Change> {
    let mut text = lines.join("\n");
    text.push('\n');
    if crate::load::config_of(text.as_bytes()).is_none() {
        return Err(bad(
            "longhand.yaml",
            "",
            "a roster that still reads; edit longhand.yaml by hand",
        ));
    }
    Ok(Change {
        writes: vec![FileWrite {
            path: CONFIG_FILE.to_owned(),
            bytes: text.into_bytes(),
            mode: Mode::Replace,
        }],
        message,
        origin: ctx.origin,
    })
}

fn roster<'a>(ctx: &'a Context<'_>) -> Result<(&'a Config, Vec<String>)> {
    let config = ctx.discussion.config.as_ref().ok_or(Error::NotClean {
        path: CONFIG_FILE.to_owned(),
        count: 1,
    })?;
    let text = ctx.text_of(CONFIG_FILE)?;
    Ok((config, text.lines().map(str::to_owned).collect()))
}

/// Adds a person to `longhand.yaml` (spec section 5.1). Refused up front when LH714 would
/// refuse it: only a moderator adds someone else; a newcomer may add themselves, with their
/// own email only.
pub fn add_person(ctx: &Context<'_>, person: &NewPerson) -> Result<Change> {
    let (config, mut lines) = roster(ctx)?;
    if !is_handle(&person.handle) {
        return Err(bad(
            "handle",
            &person.handle,
            "a handle (lowercase letters, digits, `.`, `_`, `-`)",
        ));
    }
    if config.people.contains_key(&person.handle) {
        return Err(bad("handle", &person.handle, "a handle no one has yet"));
    }
    check_name(&person.name)?;
    check_emails(config, &person.handle, &person.emails)?;
    if let Some(zone) = &person.timezone {
        check_timezone(zone)?;
    }
    check_keys(config, &person.handle, &person.keys)?;
    let adding_self = person
        .emails
        .iter()
        .all(|e| e.eq_ignore_ascii_case(&ctx.author.email));
    may_change_roster(ctx, config, adding_self)?;
    match people_block(&lines)? {
        None => {
            lines.push("people:".to_owned());
            lines.extend(entry_lines(2, 2, person));
        }
        Some((start, end)) => {
            let first = (start..end).find(|&i| is_content(&lines[i]));
            let indent = first.map_or(2, |i| indent_of(&lines[i]));
            let field = first
                .and_then(|i| (i + 1..end).find(|&j| is_content(&lines[j])))
                .map(|j| indent_of(&lines[j]).saturating_sub(indent))
                .filter(|f| *f > 0)
                .unwrap_or(2);
            // After the block's last content line, so trailing comments stay where they are.
            let last = (start..end)
                .rev()
                .find(|&i| is_content(&lines[i]))
                .map_or(start, |i| i + 1);
            let entry = entry_lines(indent, field, person);
            lines.splice(last..last, entry);
        }
    }
    finish(
        ctx,
        lines,
        format!("roster: add {} ({})", person.handle, person.name),
    )
}

/// Changes a person's entry: the fields `edit` names are rewritten, the others kept as
/// written. Only a moderator changes an existing entry (or anyone in a roster with no
/// moderator), LH714.
pub fn set_person(ctx: &Context<'_>, handle: &str, edit: &PersonEdit) -> Result<Change> {
    let (config, mut lines) = roster(ctx)?;
    let Some(current) = config.people.get(handle) else {
        return Err(Error::UnknownPerson {
            who: handle.to_owned(),
        });
    };
    may_change_roster(ctx, config, false)?;
    if let Some(name) = &edit.name {
        check_name(name)?;
    }
    if let Some(emails) = &edit.emails {
        check_emails(config, handle, emails)?;
    }
    if let Some(zone) = &edit.timezone {
        check_timezone(zone)?;
    }
    let added = check_keys(config, handle, &edit.add_keys)?;
    let mut removed = Vec::new();
    for key in &edit.remove_keys {
        let parsed =
            PublicKey::parse(key).map_err(|_| bad("key", key, "an OpenSSH public key line"))?;
        if !current.keys.contains(&parsed) {
            return Err(bad("key", &parsed.fingerprint(), "a key this person lists"));
        }
        removed.push(parsed);
    }
    let Some((start, end)) = people_block(&lines)? else {
        return Err(Error::UnknownPerson {
            who: handle.to_owned(),
        });
    };
    let Some(head) = (start..end).find(|&i| {
        is_content(&lines[i])
            && lines[i]
                .trim_start()
                .strip_prefix(handle)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
    }) else {
        return Err(bad("people", handle, "an entry written as a block mapping"));
    };
    let indent = indent_of(&lines[head]);
    let entry_end = (head + 1..end)
        .find(|&i| is_content(&lines[i]) && indent_of(&lines[i]) <= indent)
        .unwrap_or(end);
    let field_indent = (head + 1..entry_end)
        .find(|&i| is_content(&lines[i]))
        .map_or(indent + 2, |i| indent_of(&lines[i]));
    let mut keys: Vec<String> = current
        .keys
        .iter()
        .filter(|k| !removed.contains(k))
        .map(PublicKey::to_openssh)
        .collect();
    // Keep the comments of keys already listed, as written.
    let written_keys: Vec<String> = lines[head..entry_end]
        .iter()
        .filter_map(|l| l.trim_start().strip_prefix("- "))
        .map(|l| l.trim().trim_matches('"').to_owned())
        .collect();
    for key in keys.iter_mut() {
        if let Some(written) = written_keys
            .iter()
            .find(|w| PublicKey::parse(w).is_ok_and(|p| p.to_openssh() == *key))
        {
            *key = written.clone();
        }
    }
    keys.extend(
        edit.add_keys
            .iter()
            .zip(&added)
            .filter(|(_, parsed)| !current.keys.contains(parsed))
            .map(|(line, _)| line.clone()),
    );
    let mut replacements: Vec<(&str, Vec<String>)> = Vec::new();
    if let Some(name) = &edit.name {
        replacements.push((
            "name",
            vec![format!(
                "{}name: {}",
                " ".repeat(field_indent),
                scalar(name)
            )],
        ));
    }
    if let Some(emails) = &edit.emails {
        replacements.push(("emails", field_lines(field_indent, "emails", emails)));
    }
    if let Some(zone) = &edit.timezone {
        replacements.push((
            "timezone",
            vec![format!(
                "{}timezone: {}",
                " ".repeat(field_indent),
                scalar(zone)
            )],
        ));
    }
    if !edit.add_keys.is_empty() || !edit.remove_keys.is_empty() {
        let new = if keys.is_empty() {
            Vec::new()
        } else {
            field_lines(field_indent, "keys", &keys)
        };
        replacements.push(("keys", new));
    }
    if replacements.is_empty() {
        return Err(Error::NothingToChange {
            path: CONFIG_FILE.to_owned(),
        });
    }
    let mut entry: Vec<String> = lines[head..entry_end].to_vec();
    for (key, new) in replacements {
        let at = entry.iter().position(|l| {
            indent_of(l) == field_indent && l.trim_start().starts_with(&format!("{key}:"))
        });
        match at {
            Some(at) => {
                let stop = (at + 1..entry.len())
                    .find(|&i| {
                        is_content(&entry[i])
                            && indent_of(&entry[i]) <= field_indent
                            && !entry[i].trim_start().starts_with("- ")
                    })
                    .unwrap_or(entry.len());
                // A block list's items may sit at the key's own indentation.
                entry.splice(at..stop, new);
            }
            None => {
                let last = (0..entry.len())
                    .rev()
                    .find(|&i| is_content(&entry[i]))
                    .map_or(entry.len(), |i| i + 1);
                entry.splice(last..last, new);
            }
        }
    }
    lines.splice(head..entry_end, entry);
    let change = finish(ctx, lines, format!("roster: change {handle}"))?;
    if change.writes[0].bytes == ctx.text_of(CONFIG_FILE)?.into_bytes() {
        return Err(Error::NothingToChange {
            path: CONFIG_FILE.to_owned(),
        });
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;
    use crate::signature::{KeySigner, Signer as _};
    use crate::write::{Settings, Transaction};

    const ROSTER: &str = "longhand: 1\ntitle: T\n# the team\npeople:\n  ana:   # the moderator\n    name: Ana\n    emails: [ana@example.org]\n    roles: [moderator]\n  bo:\n    name: Bo\n    emails:\n      - bo@example.org\n# kept where it is\npolicy:\n  authorship: commit-author\n";

    fn as_(dir: &std::path::Path, who: &str) -> Transaction {
        let author = Author::parse(who).unwrap_or_else(|| unreachable!());
        Transaction::open(dir, Settings::new().author(author)).expect("open")
    }

    fn roster(dir: &std::path::Path) -> String {
        std::fs::read_to_string(dir.join(CONFIG_FILE)).expect("roster")
    }

    #[test]
    fn set_and_add_rewrite_only_their_entry_and_follow_lh714() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), ROSTER).expect("roster");
        let key = KeySigner::ed25519_from_seed([2; 32])
            .public_key()
            .to_openssh();
        let ana = "Ana <ana@example.org>";
        let tx = as_(dir.path(), ana);
        let edit = PersonEdit::new()
            .timezone("Europe/Berlin")
            .add_key(&format!("{key} bo@laptop"));
        let change = set_person(&tx.context(), "bo", &edit).expect("a change");
        tx.commit(&change).expect("written");
        let text = roster(dir.path());
        assert!(text.contains("  ana:   # the moderator\n"), "{text}");
        assert!(
            text.contains("# the team\n") && text.contains("# kept where it is\n"),
            "{text}"
        );
        assert!(
            text.contains("      - bo@example.org\n    timezone: Europe/Berlin\n    keys:\n"),
            "{text}"
        );
        let config = crate::load::config_of(text.as_bytes()).expect("reads");
        assert_eq!(config.people["bo"].keys.len(), 1);
        // Bo may not change the roster; a newcomer may add themselves, not someone else.
        let tx = as_(dir.path(), "Bo <bo@example.org>");
        let edit = PersonEdit::new().name("Bo Chen");
        assert!(matches!(
            set_person(&tx.context(), "bo", &edit),
            Err(Error::NotPermitted { .. })
        ));
        let dana = NewPerson::new("dana", "Dana", vec!["dana@example.org".into()]);
        assert!(matches!(
            add_person(&tx.context(), &dana),
            Err(Error::NotPermitted { .. })
        ));
        drop(tx);
        let tx = as_(dir.path(), "Dana <dana@example.org>");
        let change = add_person(&tx.context(), &dana).expect("a newcomer adds themselves");
        tx.commit(&change).expect("written");
        let text = roster(dir.path());
        assert!(
            text.contains("  dana:\n    name: Dana\n    emails: [dana@example.org]\n# kept"),
            "{text}"
        );
        // The key is removed again: the `keys` lines go.
        let tx = as_(dir.path(), ana);
        let edit = PersonEdit::new().remove_key(&key);
        let change = set_person(&tx.context(), "bo", &edit).expect("a change");
        tx.commit(&change).expect("written");
        let text = roster(dir.path());
        assert!(!text.contains("keys:"), "{text}");
        assert!(crate::load::config_of(text.as_bytes()).is_some());
    }
}
