//! Replays every merge vector of `spec/conformance/merge/` with git's `text` driver, git's
//! `union` driver and Longhand's `merge::three_way`, and prints a Markdown table of what each
//! result is: clean and correct, a conflict needing a human, or silently corrupted.
//!
//! ```text
//! cargo run -q -p longhand --example merge_compare               # print the table
//! cargo run -q -p longhand --example merge_compare -- --update   # rewrite it in docs/merge.md
//! ```
//!
//! `docs/merge.md` explains the method; a test checks that the table there is this output.
//! git's drivers are run for real: `git merge-file -p [--union] ours base theirs`.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use longhand::document::{self, Scalar, Value};
use longhand::merge;
use longhand::Severity;

/// Where the generated table starts in `docs/merge.md`.
pub const BEGIN: &str = "<!-- merge_compare: begin -->\n";
/// Where the generated table ends in `docs/merge.md`.
pub const END: &str = "<!-- merge_compare: end -->\n";

/// The keys the protocol merges as sets (spec section 12.2).
const SET_KEYS: [&str; 5] = [
    "tags",
    "awaiting",
    "deciders",
    "supersedes",
    "superseded-by",
];

fn main() -> ExitCode {
    let update = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--update") => true,
        Some(other) => {
            eprintln!("merge_compare: unknown argument `{other}` (only `--update`)");
            return ExitCode::from(2);
        }
    };
    match run(update) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("merge_compare: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(update: bool) -> Result<(), Box<dyn Error>> {
    let table = table(&workspace().join("spec/conformance/merge"))?;
    if !update {
        print!("{table}");
        return Ok(());
    }
    let path = workspace().join("docs/merge.md");
    let doc = fs::read_to_string(&path)?;
    let (Some(start), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
        return Err(format!(
            "{} has no `{}` … `{}` block",
            path.display(),
            BEGIN.trim(),
            END.trim()
        )
        .into());
    };
    let updated = format!("{}{BEGIN}{table}{}", &doc[..start], &doc[end..]);
    fs::write(&path, updated)?;
    Ok(())
}

/// The workspace's root directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What one driver made of one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Clean, and nothing lost, duplicated or invalid.
    Clean,
    /// The driver reported a conflict: a person has to resolve it.
    Conflict,
    /// The driver reported a clean merge, but the result is wrong; the reasons, short.
    Corrupted(Vec<String>),
}

impl Outcome {
    fn cell(&self) -> String {
        match self {
            Outcome::Clean => "clean".to_owned(),
            Outcome::Conflict => "conflict".to_owned(),
            Outcome::Corrupted(reasons) => format!("**corrupted**: {}", reasons.join("; ")),
        }
    }
}

/// The three drivers, in the table's column order.
pub const DRIVERS: [&str; 3] = ["git `text`", "git `union`", "Longhand"];

/// One scenario's outcome under each driver, in the order of [`DRIVERS`].
pub fn compare(base: &[u8], ours: &[u8], theirs: &[u8]) -> Result<[Outcome; 3], Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let (b, o, t) = (
        dir.path().join("base.md"),
        dir.path().join("ours.md"),
        dir.path().join("theirs.md"),
    );
    fs::write(&b, base)?;
    fs::write(&o, ours)?;
    fs::write(&t, theirs)?;
    let git = |union: bool| -> Result<Outcome, Box<dyn Error>> {
        let mut command = Command::new("git");
        command.args(["merge-file", "-p"]);
        if union {
            command.arg("--union");
        }
        let output = command.arg(&o).arg(&b).arg(&t).output()?;
        match output.status.code() {
            Some(0) => Ok(classify(base, ours, theirs, &output.stdout)),
            Some(n) if n > 0 && n < 128 => Ok(Outcome::Conflict),
            _ => Err(format!(
                "git merge-file failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into()),
        }
    };
    let merged = merge::three_way(base, ours, theirs, 7)?;
    let longhand = if merged.is_clean() {
        classify(base, ours, theirs, &merged.text)
    } else {
        Outcome::Conflict
    };
    Ok([git(false)?, git(true)?, longhand])
}

/// The Markdown table for every scenario under `root` (a directory of merge vectors).
pub fn table(root: &Path) -> Result<String, Box<dyn Error>> {
    let mut names: Vec<String> = fs::read_dir(root)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    names.sort();

    let mut out = String::new();
    writeln!(out, "| Scenario | {} |", DRIVERS.join(" | "))?;
    writeln!(out, "|---|---|---|---|")?;
    let mut totals = [[0usize; 3]; 3];
    for name in &names {
        let dir = root.join(name);
        let read = |f: &str| fs::read(dir.join(f)).map_err(|e| format!("{name}/{f}: {e}"));
        let outcomes = compare(&read("base.md")?, &read("ours.md")?, &read("theirs.md")?)?;
        let cells: Vec<String> = outcomes.iter().map(Outcome::cell).collect();
        writeln!(out, "| `{name}` | {} |", cells.join(" | "))?;
        for (column, outcome) in outcomes.iter().enumerate() {
            let row = match outcome {
                Outcome::Conflict => 0,
                Outcome::Corrupted(_) => 1,
                Outcome::Clean => 2,
            };
            totals[row][column] += 1;
        }
    }
    let labels = [
        "Conflicts needing a human",
        "Silently corrupted",
        "Clean and correct",
    ];
    for (label, counts) in labels.iter().zip(totals) {
        let counts: Vec<String> = counts.iter().map(|n| format!("**{n}**")).collect();
        writeln!(out, "| **{label}** | {} |", counts.join(" | "))?;
    }
    Ok(out)
}

/// Judges a result its driver called clean: does it parse as well as its inputs, and does it
/// keep every side's additions without duplicating lines?
pub fn classify(base: &[u8], ours: &[u8], theirs: &[u8], result: &[u8]) -> Outcome {
    let mut reasons = Vec::new();
    let parse = |bytes: &[u8]| document::parse_markdown("file.md", bytes);
    let errors = |parsed: &document::Parsed<document::Document>| -> BTreeSet<String> {
        parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .map(|d| format!("{} {}", d.code.code(), d.code.name()))
            .collect()
    };
    let sides = [parse(base), parse(ours), parse(theirs)];
    let merged = parse(result);
    let before: BTreeSet<String> = sides.iter().flat_map(errors).collect();
    for new in errors(&merged).difference(&before) {
        reasons.push(format!("invalid ({new})"));
    }

    let documents: Option<Vec<&document::Document>> = sides
        .iter()
        .chain([&merged])
        .map(|p| p.value.as_ref().filter(|_| errors(p).is_empty()))
        .collect();
    match documents.as_deref() {
        // Every version reads cleanly: compare frontmatter by fields, bodies by lines.
        Some([b, o, t, r]) => {
            reasons.extend(lost_fields(b, o, t, r));
            reasons.extend(lost_lines(&b.body, &o.body, &t.body, &r.body));
        }
        // Some version does not read: only lines can be compared.
        _ if reasons.is_empty() => {
            reasons.extend(lost_lines(
                &text(base),
                &text(ours),
                &text(theirs),
                &text(result),
            ));
        }
        _ => {}
    }
    reasons.extend(duplicated_lines(
        &text(base),
        &text(ours),
        &text(theirs),
        &text(result),
    ));
    if reasons.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Corrupted(reasons)
    }
}

/// A value as compared: a vote read as the number 1 is the vote `"+1"`.
fn normal(key: &str, value: Option<&Value>) -> Option<Value> {
    let value = value?.clone();
    match (key, &value) {
        ("vote", Value::Scalar(Scalar::Number(n))) if !n.starts_with('-') => {
            Some(Value::Scalar(Scalar::String(format!("+{n}"))))
        }
        _ => Some(value),
    }
}

/// Frontmatter edits of either side that the result does not carry.
fn lost_fields(
    b: &document::Document,
    o: &document::Document,
    t: &document::Document,
    r: &document::Document,
) -> Vec<String> {
    let keys: BTreeSet<&str> = [b, o, t, r]
        .iter()
        .flat_map(|d| d.fields.iter().map(|f| f.key.as_str()))
        .collect();
    let mut reasons = Vec::new();
    for key in keys {
        let [vb, vo, vt, vr] = [b, o, t, r].map(|d| normal(key, d.field(key).map(|f| &f.value)));
        let lists = [&vb, &vo, &vt, &vr]
            .iter()
            .all(|v| matches!(v, None | Some(Value::List(_))));
        if SET_KEYS.contains(&key) && lists {
            let set = |v: &Option<Value>| -> BTreeSet<String> {
                match v {
                    Some(Value::List(items)) => items
                        .iter()
                        .map(|s| longhand::document::emit::value(&Value::Scalar(s.clone())))
                        .collect(),
                    _ => BTreeSet::new(),
                }
            };
            let (sb, so, st, sr) = (set(&vb), set(&vo), set(&vt), set(&vr));
            for side in [&so, &st] {
                for item in side.difference(&sb) {
                    if !sr.contains(item) {
                        reasons.push(format!("lost `{key}` item `{item}`"));
                    }
                }
                for item in sb.difference(side) {
                    if sr.contains(item) {
                        reasons.push(format!("lost removal of `{key}` item `{item}`"));
                    }
                }
            }
            continue;
        }
        let wanted = if vo == vt || vt == vb {
            Some(&vo)
        } else if vo == vb {
            Some(&vt)
        } else {
            None
        };
        match wanted {
            Some(wanted) if *wanted == vr => {}
            Some(_) => reasons.push(format!("lost `{key}` edit")),
            None => reasons.push(format!("lost one side's `{key}`")),
        }
    }
    reasons.sort();
    reasons.dedup();
    reasons
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How often each non-blank line occurs (CR LF read as LF).
fn count(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if !line.trim().is_empty() {
            *counts.entry(line.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

fn times(counts: &BTreeMap<String, usize>, line: &str) -> usize {
    counts.get(line).copied().unwrap_or(0)
}

/// Lines a side added (it holds them more often than base) that the result lacks.
fn lost_lines(b: &str, o: &str, t: &str, r: &str) -> Vec<String> {
    let (cb, co, ct, cr) = (count(b), count(o), count(t), count(r));
    let lost = co
        .keys()
        .chain(ct.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|l| times(&co, l) > times(&cb, l) || times(&ct, l) > times(&cb, l))
        .filter(|l| times(&cr, l) == 0)
        .count();
    match lost {
        0 => Vec::new(),
        n => vec![format!("{n} added line(s) lost")],
    }
}

/// Lines the result holds at least twice, and more often than any version does.
fn duplicated_lines(b: &str, o: &str, t: &str, r: &str) -> Vec<String> {
    let (cb, co, ct, cr) = (count(b), count(o), count(t), count(r));
    let duplicated = cr
        .iter()
        .filter(|(l, n)| **n >= 2 && **n > times(&cb, l).max(times(&co, l)).max(times(&ct, l)))
        .count();
    match duplicated {
        0 => Vec::new(),
        n => vec![format!("{n} line(s) duplicated")],
    }
}
