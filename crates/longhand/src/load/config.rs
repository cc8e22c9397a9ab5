//! `longhand.yaml` → [`Config`], with a diagnostic for every bad key.

use std::collections::BTreeMap;

use serde_yaml::Value as Yaml;

use crate::diagnostic::{Code, Diagnostic};
use crate::document::scan::Scan;
use crate::document::YamlFile;
use crate::model::{
    is_email, is_handle, parse_size, parse_span, Authorship, Config, DecisionRule, Person, Policy,
};
use crate::signature::PublicKey;
use crate::source::CONFIG_FILE;

struct Reader<'a> {
    scan: &'a Scan,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn position(&self, path: &[&str]) -> (u32, Option<u32>) {
        // The deepest key the scanner saw on this path (flow mappings hide nested keys).
        (1..=path.len())
            .rev()
            .find_map(|n| self.scan.key(&path[..n]).map(|k| (k.line, k.value_column)))
            .unwrap_or((1, None))
    }

    fn report(&mut self, code: Code, path: &[&str], message: String) {
        let (line, column) = self.position(path);
        self.diagnostics
            .push(Diagnostic::new(code, CONFIG_FILE, message).at(line, column));
    }

    fn unknown(&mut self, mapping: &serde_yaml::Mapping, path: &[&str], known: &[&str]) {
        for key in mapping.keys() {
            let name = yaml_key(key);
            if !known.contains(&name.as_str()) {
                let mut at = path.to_vec();
                at.push(&name);
                let (line, column) = match self.scan.key(&at) {
                    Some(key) => (key.line, Some(key.key_column)),
                    None => (self.position(&at).0, None),
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownField,
                        CONFIG_FILE,
                        format!("unknown field `{}`; it is kept but ignored", at.join(".")),
                    )
                    .at(line, column),
                );
            }
        }
    }

    fn text(&mut self, value: Option<&Yaml>, path: &[&str], required: bool) -> Option<String> {
        match value {
            None | Some(Yaml::Null) => {
                if required {
                    let (line, _) = self.position(&path[..path.len() - 1]);
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::MissingField,
                            CONFIG_FILE,
                            format!("the required field `{}` is missing", path.join(".")),
                        )
                        .at(line, None),
                    );
                }
                None
            }
            Some(Yaml::String(s)) => Some(s.clone()),
            Some(Yaml::Number(n)) => Some(n.to_string()),
            Some(other) => {
                let message = format!(
                    "`{}` must be a string, found {}",
                    path.join("."),
                    yaml_type(other)
                );
                self.report(Code::WrongType, path, message);
                None
            }
        }
    }

    /// A required text on one line, not blank (LH301, LH302, LH311 otherwise).
    fn one_line(&mut self, value: Option<&Yaml>, path: &[&str]) -> Option<String> {
        let text = self.text(value, path, true)?;
        if text.trim().is_empty() || text.contains(['\n', '\r']) {
            let what = if text.trim().is_empty() {
                "empty"
            } else {
                "on more than one line"
            };
            let message = format!("`{}` is {what}", path.join("."));
            self.report(Code::InvalidValue, path, message);
            return None;
        }
        Some(text)
    }

    /// A list of texts; items that are not text are reported (LH302) and dropped, each with
    /// its position in the list as written.
    fn texts(&mut self, value: Option<&Yaml>, path: &[&str]) -> Option<Vec<(usize, String)>> {
        match value {
            None | Some(Yaml::Null) => Some(Vec::new()),
            Some(Yaml::Sequence(items)) => {
                let mut out = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    match item {
                        Yaml::String(s) => out.push((index, s.clone())),
                        Yaml::Number(n) => out.push((index, n.to_string())),
                        other => {
                            let message = format!(
                                "`{}` must list strings, found {}",
                                path.join("."),
                                yaml_type(other)
                            );
                            self.report(Code::WrongType, path, message);
                        }
                    }
                }
                Some(out)
            }
            Some(other) => {
                let message = format!(
                    "`{}` must be a list, found {}",
                    path.join("."),
                    yaml_type(other)
                );
                self.report(Code::WrongType, path, message);
                None
            }
        }
    }
}

fn yaml_key(key: &Yaml) -> String {
    match key {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        _ => "?".to_owned(),
    }
}

fn yaml_type(value: &Yaml) -> &'static str {
    match value {
        Yaml::Null => "null",
        Yaml::Bool(_) => "a boolean",
        Yaml::Number(_) => "a number",
        Yaml::String(_) => "a string",
        Yaml::Sequence(_) => "a list",
        Yaml::Mapping(_) => "a mapping",
        Yaml::Tagged(_) => "a tagged value",
    }
}

/// Reads `longhand.yaml`. `None` when the protocol version is missing or unsupported, since
/// nothing else can then be trusted.
pub(crate) fn read(file: &YamlFile, diagnostics: &mut Vec<Diagnostic>) -> Option<Config> {
    let mut reader = Reader {
        scan: &file.scan,
        diagnostics,
    };
    let Yaml::Mapping(top) = &file.value else {
        return None;
    };
    reader.unknown(top, &[], &["longhand", "title", "people", "policy"]);
    // An unusable version is reported, and the rest is still checked under version 1, but
    // nothing in the file is trusted afterwards (the function returns `None`).
    let version = match top.get("longhand") {
        None | Some(Yaml::Null) => {
            reader.diagnostics.push(
                Diagnostic::new(
                    Code::MissingField,
                    CONFIG_FILE,
                    "the required field `longhand` (the protocol version) is missing",
                )
                .at(1, None)
                .with_help("add `longhand: 1` at the top of longhand.yaml"),
            );
            None
        }
        Some(Yaml::Number(n)) if n.is_f64() => {
            let message = format!("`longhand` must be the integer 1, found {n}");
            reader.report(Code::WrongType, &["longhand"], message);
            None
        }
        Some(Yaml::Number(n)) if n.as_u64() == Some(1) => Some(1),
        Some(Yaml::Number(n)) => {
            let message =
                format!("protocol version {n} is not supported; this Longhand reads version 1");
            reader.report(Code::UnsupportedVersion, &["longhand"], message);
            None
        }
        Some(other) => {
            let message = format!(
                "`longhand` must be the number 1, found {}",
                yaml_type(other)
            );
            reader.report(Code::WrongType, &["longhand"], message);
            None
        }
    };
    let title = reader
        .one_line(top.get("title"), &["title"])
        .unwrap_or_default();
    let people = read_people(&mut reader, top.get("people"));
    let policy = read_policy(&mut reader, top.get("policy"));
    // Without a roster, nothing that names people can be checked: treat the config as unknown.
    let (version, people) = (version?, people?);
    Some(Config {
        version,
        title,
        people,
        policy,
    })
}

/// The roster, or `None` when `people` is not a mapping (the roster is then unknown).
fn read_people(reader: &mut Reader<'_>, value: Option<&Yaml>) -> Option<BTreeMap<String, Person>> {
    let mut people = BTreeMap::new();
    let mapping = match value {
        None | Some(Yaml::Null) => return Some(people),
        Some(Yaml::Mapping(m)) => m,
        Some(other) => {
            let message = format!(
                "`people` must be a mapping of handles, found {}",
                yaml_type(other)
            );
            reader.report(Code::WrongType, &["people"], message);
            return None;
        }
    };
    let mut owners: BTreeMap<String, String> = BTreeMap::new();
    let mut key_owners: BTreeMap<PublicKey, String> = BTreeMap::new();
    for (key, value) in mapping {
        let handle = yaml_key(key);
        let at = ["people", handle.as_str()];
        if !key.is_string() || !is_handle(&handle) {
            let message =
                format!("`{handle}` is not a handle (lowercase letters, digits, `.`, `_`, `-`)");
            reader.report(Code::InvalidValue, &at, message);
            continue;
        }
        let fields = match value {
            Yaml::Mapping(m) => m,
            other => {
                let message = format!(
                    "person `{handle}` must be a mapping, found {}",
                    yaml_type(other)
                );
                reader.report(Code::WrongType, &at, message);
                continue;
            }
        };
        reader.unknown(
            fields,
            &at,
            &["name", "emails", "timezone", "roles", "keys"],
        );
        let name = reader
            .one_line(fields.get("name"), &["people", &handle, "name"])
            .unwrap_or_default();
        let emails_path = ["people", handle.as_str(), "emails"];
        let written = match fields.get("emails") {
            None | Some(Yaml::Null) => {
                reader.text(None, &emails_path, true);
                Vec::new()
            }
            value => reader.texts(value, &emails_path).unwrap_or_default(),
        };
        if fields
            .get("emails")
            .is_some_and(|v| v.as_sequence().is_some_and(|s| s.is_empty()))
        {
            let message = format!("person `{handle}` has no email");
            reader.report(Code::InvalidValue, &emails_path, message);
        }
        let mut emails = Vec::with_capacity(written.len());
        for (index, email) in written {
            if !is_email(&email) {
                let message = format!("`{email}` is not an email");
                reader.report(Code::InvalidValue, &emails_path, message);
                continue;
            }
            let lower = email.to_ascii_lowercase();
            match owners.get(&lower) {
                // The same email twice under one person is harmless.
                Some(owner) if *owner == handle => continue,
                Some(owner) => {
                    let message = format!("`{email}` belongs to `{owner}` already");
                    match reader.scan.item(&emails_path, index) {
                        Some(item) => reader.diagnostics.push(
                            Diagnostic::new(Code::DuplicateEmail, CONFIG_FILE, message)
                                .at(item.line, Some(item.column)),
                        ),
                        None => reader.report(Code::DuplicateEmail, &emails_path, message),
                    }
                }
                None => {
                    owners.insert(lower, handle.clone());
                }
            }
            emails.push(email);
        }
        let tz_path = ["people", handle.as_str(), "timezone"];
        let timezone = reader
            .text(fields.get("timezone"), &tz_path, false)
            .filter(|tz| {
                let known = jiff::tz::TimeZone::get(tz).is_ok();
                if !known {
                    let message = format!("`{tz}` is not an IANA time zone name");
                    reader.report(Code::InvalidTimezone, &tz_path, message);
                }
                known
            });
        let roles = reader
            .texts(fields.get("roles"), &["people", &handle, "roles"])
            .unwrap_or_default()
            .into_iter()
            .map(|(_, role)| role)
            .collect();
        let keys = read_keys(reader, fields.get("keys"), &handle, &mut key_owners);
        people.insert(
            handle.clone(),
            Person {
                handle,
                name,
                emails,
                timezone,
                roles,
                keys,
            },
        );
    }
    Some(people)
}

/// A person's `keys` (spec section 15.1): each an OpenSSH one-line public key of a supported
/// type (LH317 otherwise, dropped), listed under one person only (LH318 at the later person's
/// item, dropped there).
fn read_keys(
    reader: &mut Reader<'_>,
    value: Option<&Yaml>,
    handle: &str,
    owners: &mut BTreeMap<PublicKey, String>,
) -> Vec<PublicKey> {
    let path = ["people", handle, "keys"];
    let mut keys = Vec::new();
    for (index, text) in reader.texts(value, &path).unwrap_or_default() {
        let report = |reader: &mut Reader<'_>, code: Code, message: String| match reader
            .scan
            .item(&path, index)
        {
            Some(item) => reader
                .diagnostics
                .push(Diagnostic::new(code, CONFIG_FILE, message).at(item.line, Some(item.column))),
            None => reader.report(code, &path, message),
        };
        let key = match PublicKey::parse(&text) {
            Ok(key) => key,
            Err(e) => {
                report(
                    reader,
                    Code::InvalidKey,
                    format!("a key of `{handle}`: {e}"),
                );
                continue;
            }
        };
        match owners.get(&key) {
            Some(owner) if owner == handle => continue,
            Some(owner) => {
                let message = format!("the key {} belongs to `{owner}` already", key.fingerprint());
                report(reader, Code::DuplicateKey, message);
            }
            None => {
                owners.insert(key.clone(), handle.to_owned());
                keys.push(key);
            }
        }
    }
    keys
}

/// The keywords a policy key allows, as a diagnostic lists them: `a, b, c`.
fn keywords<'a>(all: impl Iterator<Item = &'a str>) -> String {
    all.collect::<Vec<_>>().join(", ")
}

fn read_policy(reader: &mut Reader<'_>, value: Option<&Yaml>) -> Policy {
    let mut policy = Policy::default();
    let mapping = match value {
        None | Some(Yaml::Null) => return policy,
        Some(Yaml::Mapping(m)) => m,
        Some(other) => {
            let message = format!("`policy` must be a mapping, found {}", yaml_type(other));
            reader.report(Code::WrongType, &["policy"], message);
            return policy;
        }
    };
    reader.unknown(
        mapping,
        &["policy"],
        &[
            "decision-rule",
            "review-period",
            "authorship",
            "attachment-limit",
        ],
    );
    let path = ["policy", "decision-rule"];
    if let Some(text) = reader.text(mapping.get("decision-rule"), &path, false) {
        match DecisionRule::parse(&text) {
            Some(rule) => policy.decision_rule = rule,
            None => reader.report(
                Code::InvalidValue,
                &path,
                format!(
                    "`decision-rule` is `{text}`; allowed: {}",
                    keywords(DecisionRule::ALL.iter().map(|r| r.as_str()))
                ),
            ),
        }
    }
    let path = ["policy", "review-period"];
    if let Some(text) = reader.text(mapping.get("review-period"), &path, false) {
        match parse_span(&text) {
            Some(seconds) => policy.review_period_seconds = seconds,
            None => reader.report(
                Code::InvalidValue,
                &path,
                format!("`review-period` is `{text}`, not a span such as `72h` or `3d`"),
            ),
        }
    }
    let path = ["policy", "authorship"];
    if let Some(text) = reader.text(mapping.get("authorship"), &path, false) {
        match Authorship::parse(&text) {
            Some(authorship) => policy.authorship = authorship,
            None => reader.report(
                Code::InvalidValue,
                &path,
                format!(
                    "`authorship` is `{text}`; allowed: {}",
                    keywords(Authorship::ALL.iter().map(|a| a.as_str()))
                ),
            ),
        }
    }
    let path = ["policy", "attachment-limit"];
    if let Some(text) = reader.text(mapping.get("attachment-limit"), &path, false) {
        match parse_size(&text) {
            Some(bytes) => policy.attachment_limit = bytes,
            None => reader.report(
                Code::InvalidValue,
                &path,
                format!(
                    "`attachment-limit` is `{text}`, not a size such as `10MiB`, `500KB` or `1048576`"
                ),
            ),
        }
    }
    policy
}
