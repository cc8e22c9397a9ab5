//! History vectors (`spec/conformance/history/*.yaml`): each scenario is a script of commits
//! with chosen authors, built here with the real git CLI in a temporary repository, then
//! checked with `longhand::history::verify` over the whole history; the diagnostics must be
//! exactly the expected `(code, step, path)` triples. A scenario with a `push` is checked as a
//! server's hook checks that push instead (spec section 14). Every history rule has a failing
//! vector, and valid scenarios must verify clean.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use longhand::git2::Repository;
use longhand::Code;
use serde::Deserialize;

use crate::support::{git, git_run_with, workspace, write};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    /// `longhand.yaml`, committed first (step 0) by Ana Lima, who must be in it.
    config: String,
    steps: Vec<Step>,
    /// Instead of verifying the whole history: a push of one ref as a server's hook sees it.
    #[serde(default)]
    push: Option<Push>,
    #[serde(default)]
    expect: Vec<Expected>,
    /// Judge as an audit of the whole history (`verify` without a base: commits dated before
    /// the second revision keep the rules of their time); default: every commit by the
    /// current rules, as a hook judges what lands.
    #[serde(default)]
    audit: bool,
}

/// A push (spec section 14): the server's refs before it, and the one ref it updates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Push {
    /// The ref the push updates (default `refs/heads/main`, HEAD's branch).
    #[serde(default = "main_ref", rename = "ref")]
    name: String,
    /// The step whose commit the ref has on the server before the push.
    old: usize,
    /// The step whose commit the push sets it to; absent: the push deletes it.
    #[serde(default)]
    new: Option<usize>,
    /// Other refs of the server (name → step), as they are before and after the push.
    #[serde(default)]
    refs: std::collections::BTreeMap<String, usize>,
    /// The server's git config (`longhand.maxPushFiles`, …).
    #[serde(default)]
    config: std::collections::BTreeMap<String, String>,
}

fn main_ref() -> String {
    "refs/heads/main".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// `Name <email>`: the commit's author (and committer).
    author: String,
    message: String,
    #[serde(default)]
    write: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    delete: Vec<String>,
    /// Sign the commit with an SSH key git trusts.
    #[serde(default)]
    sign: bool,
    /// The commit's author and committer date (RFC 3339); default: now.
    #[serde(default)]
    date: Option<String>,
    /// Before writing, check out this step's commit (0: the set-up commit), detached.
    #[serde(default)]
    checkout: Option<usize>,
    /// Before writing, empty the work tree and the index (for a root commit of its own).
    #[serde(default)]
    empty: bool,
    /// Make the commit with exactly these parents (steps' commits; `[]`: a root commit), as
    /// `git commit-tree` does, instead of on top of HEAD.
    #[serde(default)]
    parents: Option<Vec<usize>>,
    /// Build on this step's commit (0: the configuration commit) instead of the previous one.
    #[serde(default)]
    from: Option<usize>,
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
#[serde(deny_unknown_fields)]
struct Expected {
    code: String,
    /// 1-based index into `steps`.
    step: usize,
    path: String,
}

fn vectors() -> Vec<(String, PathBuf)> {
    let dir = workspace().join("spec/conformance/history");
    let mut out: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .expect("spec/conformance/history")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_stem().expect("stem").to_string_lossy().into_owned();
            (name, p)
        })
        .collect();
    out.sort();
    out
}

fn load(path: &Path) -> Scenario {
    let text = fs::read_to_string(path).expect("read vector");
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn split_author(author: &str) -> (String, String) {
    let open = author.find(" <").expect("Name <email>");
    (
        author[..open].to_owned(),
        author[open + 2..author.len() - 1].to_owned(),
    )
}

/// An SSH signing key and an allowed-signers file for it, made once per repository.
fn signing_key(dir: &Path) -> Option<PathBuf> {
    let keys = dir.join(".git/test-keys");
    fs::create_dir_all(&keys).ok()?;
    let key = keys.join("id");
    if !key.exists() {
        let status = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
            .arg(&key)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    Some(key)
}

/// Builds the scenario's repository in `dir` and returns each step's commit id (index 0 is
/// the configuration commit), or `None` when a signing step cannot run here.
fn build(dir: &Path, scenario: &Scenario) -> Option<Vec<String>> {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut commits: Vec<String> = Vec::new();
    let setup = Step {
        author: "Ana Lima <ana@example.org>".into(),
        message: "longhand: set up".into(),
        write: [("longhand.yaml".to_owned(), scenario.config.clone())].into(),
        delete: Vec::new(),
        sign: false,
        date: None,
        checkout: None,
        empty: false,
        parents: None,
        from: None,
    };
    for step in std::iter::once(&setup).chain(&scenario.steps) {
        if let Some(from) = step.from {
            git(dir, &["reset", "-q", "--hard", &commits[from]]);
        }
        if let Some(at) = step.checkout {
            git(
                dir,
                &["checkout", "-q", "-f", "--detach", commits[at].as_str()],
            );
        }
        if step.empty {
            git(dir, &["rm", "-rqf", "--ignore-unmatch", "."]);
        }
        for (path, text) in &step.write {
            write(&dir.join(path), text);
        }
        for path in &step.delete {
            let full = dir.join(path);
            if full.is_dir() {
                fs::remove_dir_all(&full).expect("remove dir");
            } else {
                fs::remove_file(&full).expect("remove file");
            }
        }
        git(dir, &["add", "-A"]);
        let (name, email) = split_author(&step.author);
        let mut env = vec![
            ("GIT_AUTHOR_NAME", name.as_str()),
            ("GIT_AUTHOR_EMAIL", email.as_str()),
            ("GIT_COMMITTER_NAME", name.as_str()),
            ("GIT_COMMITTER_EMAIL", email.as_str()),
        ];
        if let Some(date) = &step.date {
            env.push(("GIT_AUTHOR_DATE", date.as_str()));
            env.push(("GIT_COMMITTER_DATE", date.as_str()));
        }
        if let Some(parents) = &step.parents {
            let tree = git(dir, &["write-tree"]).trim().to_owned();
            let mut args = vec![
                "commit-tree".to_owned(),
                tree,
                "-m".into(),
                step.message.clone(),
            ];
            for parent in parents {
                args.push("-p".into());
                args.push(commits[*parent].clone());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = git_run_with(dir, &args, &env);
            assert_eq!(run.code, 0, "git commit-tree failed: {}", run.stderr);
            let id = run.stdout.trim().to_owned();
            git(dir, &["update-ref", "HEAD", &id]);
            commits.push(id);
            continue;
        }
        let mut args: Vec<String> = Vec::new();
        if step.sign {
            let key = signing_key(dir)?;
            let public = fs::read_to_string(key.with_extension("pub")).ok()?;
            // Every signer so far is allowed: the file lists each email with the key.
            let allowed = dir.join(".git/test-keys/allowed");
            let mut list = fs::read_to_string(&allowed).unwrap_or_default();
            list.push_str(&format!("{email} {public}"));
            fs::write(&allowed, list).ok()?;
            git(dir, &["config", "gpg.format", "ssh"]);
            git(
                dir,
                &[
                    "config",
                    "gpg.ssh.allowedSignersFile",
                    &allowed.to_string_lossy(),
                ],
            );
            args.extend(["-c".into(), format!("user.signingkey={}", key.display())]);
        }
        args.extend(["commit", "-q", "--allow-empty", "-m"].map(String::from));
        args.push(step.message.clone());
        if step.sign {
            args.push("-S".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = git_run_with(dir, &args, &env);
        assert_eq!(run.code, 0, "git commit failed: {}", run.stderr);
        commits.push(git(dir, &["rev-parse", "HEAD"]).trim().to_owned());
    }
    Some(commits)
}

/// Runs one scenario: the `(code, step, path)` triples `verify` reports.
fn run(scenario: &Scenario) -> Option<(Vec<Expected>, Vec<String>)> {
    let temp = tempfile::tempdir().expect("tempdir");
    let commits = build(temp.path(), scenario)?;
    let repo = Repository::open(temp.path()).expect("open");
    let diagnostics = match &scenario.push {
        None => {
            let tip = repo.head().expect("HEAD").target().expect("a commit");
            let now = longhand::jiff::Timestamp::now();
            let judging = if scenario.audit {
                longhand::history::Judging::for_range(None, now)
            } else {
                longhand::history::Judging::strict(now)
            };
            longhand::history::verify_judging(&repo, "", None, tip, &judging)
                .expect("verify runs")
                .diagnostics
        }
        Some(push) => pushed(temp.path(), &repo, push, &commits),
    };
    let mut got = Vec::new();
    let mut messages = Vec::new();
    for d in &diagnostics {
        let step = commits
            .iter()
            .position(|c| {
                d.message
                    .strip_prefix("commit ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .is_some_and(|short| c.starts_with(short))
            })
            .unwrap_or(usize::MAX);
        got.push(Expected {
            code: d.code.code().to_owned(),
            step,
            path: d.path.clone(),
        });
        messages.push(format!(
            "{} {}: {} (help: {})",
            d.code, d.path, d.message, d.help
        ));
    }
    got.sort();
    Some((got, messages))
}

/// Runs the push check (`enforce::check_push`) on the scenario's repository, its refs set to
/// the server's before the push (the steps' other commits are in the object database and on
/// no ref, as a push's are), and returns every diagnostic of the pushed ref.
fn pushed(
    dir: &Path,
    repo: &Repository,
    push: &Push,
    commits: &[String],
) -> Vec<longhand::Diagnostic> {
    use longhand::enforce::{check_push, RefOutcome, RefUpdate};
    use longhand::git2::Oid;
    for (key, value) in &push.config {
        git(dir, &["config", key, value]);
    }
    let oid = |step: usize| Oid::from_str(&commits[step]).expect("oid");
    git(dir, &["update-ref", &push.name, &commits[push.old]]);
    for (name, step) in &push.refs {
        git(dir, &["update-ref", name, &commits[*step]]);
    }
    let update = RefUpdate {
        old: Some(oid(push.old)),
        new: push.new.map(oid),
        name: push.name.clone(),
    };
    let checks =
        check_push(repo, "", &[update], jiff::Timestamp::now()).expect("the push check runs");
    let mut found = Vec::new();
    for check in checks {
        match check.outcome {
            RefOutcome::Checked(report) | RefOutcome::Deleted(report) => {
                found.extend(report.diagnostics)
            }
            other => panic!("the push was not checked: {other:?}"),
        }
    }
    found
}

#[test]
fn every_history_vector_gives_exactly_its_diagnostics() {
    let mut failures = Vec::new();
    let vectors = vectors();
    assert!(!vectors.is_empty());
    for (name, path) in &vectors {
        let scenario = load(path);
        assert!(!scenario.description.is_empty(), "{name}: no description");
        let Some((got, messages)) = run(&scenario) else {
            eprintln!("{name}: skipped, ssh-keygen cannot make a signing key here");
            continue;
        };
        let mut want = scenario.expect.clone();
        want.sort();
        if got != want {
            failures.push(format!(
                "{name}:\n  expected: {want:?}\n  got: {got:?}\n  messages:\n    {}",
                messages.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_history_rule_has_a_failing_vector_and_valid_vectors_exist() {
    let vectors: Vec<Scenario> = vectors().iter().map(|(_, p)| load(p)).collect();
    let covered: BTreeSet<String> = vectors
        .iter()
        .flat_map(|v| v.expect.iter().map(|e| e.code.clone()))
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.code())
        .filter(|c| c.starts_with("LH7") && !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "history rules without a vector: {missing:?}"
    );
    assert!(vectors.iter().filter(|v| v.expect.is_empty()).count() >= 3);
}
