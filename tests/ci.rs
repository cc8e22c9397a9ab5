//! What CI users copy is true: `.pre-commit-hooks.yaml` and the GitHub Actions workflow in
//! `docs/ci.md` parse, name the binary the root package installs, and their `longhand`
//! commands run with the real binary in a real clone and pass.

use std::fs;
use std::path::Path;

use serde_yaml::Value;

use crate::support::{commit_all, copy_tree, example, git, git_init, longhand, workspace, Run};

/// The program the pre-commit framework installs from the root package.
const PRE_COMMIT_BINARY: &str = "longhand-pre-commit";

fn string<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// A clone of the bundled example with `origin/main` one commit behind `HEAD`, as a pull
/// request's checkout has it.
fn pull_request_clone(dir: &Path) -> std::path::PathBuf {
    let origin = dir.join("origin");
    git_init(&origin);
    copy_tree(&example(), &origin);
    commit_all(&origin, "the discussion");
    git(
        dir,
        &["clone", "-q", &origin.display().to_string(), "clone"],
    );
    let clone = dir.join("clone");
    let thread = clone.join("threads/2026-11-23-holiday-coverage");
    let reply = fs::read_dir(&thread)
        .expect("thread")
        .map(|e| e.expect("entry").path())
        .find(|p| p.file_name().is_some_and(|n| n != "thread.md"))
        .expect("a reply");
    let text = fs::read_to_string(&reply).expect("read");
    let id = "01M9ZZZZZZZZZZZZZZZZZZZZZZ";
    let author = text
        .lines()
        .find(|l| l.starts_with("author: "))
        .expect("author")
        .to_owned();
    let parent = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .expect("id")
        .to_owned();
    fs::write(
        thread.join(format!("{id}.md")),
        format!("---\nid: {id}\n{author}\ndate: 2026-11-25T10:00:00+00:00\nreply-to: {parent}\n---\nSounds good.\n"),
    )
    .expect("write");
    let email = author
        .split('<')
        .nth(1)
        .and_then(|r| r.strip_suffix('>'))
        .expect("email")
        .to_owned();
    let name = author
        .trim_start_matches("author: ")
        .split(" <")
        .next()
        .expect("name")
        .to_owned();
    git(&clone, &["add", "-A"]);
    let run = crate::support::git_run_with(
        &clone,
        &["commit", "-q", "-m", "a reply"],
        &[
            ("GIT_AUTHOR_NAME", name.as_str()),
            ("GIT_AUTHOR_EMAIL", email.as_str()),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    clone
}

/// Runs a documented command line (`longhand …` or `longhand-pre-commit …`) with the real
/// binary: both names run the same command.
fn run_documented(dir: &Path, line: &str) -> Run {
    // GitHub fills in the pull request's target branch (and a push's previous tip, and the
    // default branch); in the test clone they are `main` and `origin/main`.
    let line = line
        .replace("${{ github.base_ref }}", "main")
        .replace("${{ github.event.repository.default_branch }}", "main")
        .replace("${{ github.event.before }}", "origin/main");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        words[0] == "longhand" || words[0] == PRE_COMMIT_BINARY,
        "not a longhand command: {line}"
    );
    longhand(dir, &words[1..])
}

#[test]
fn the_pre_commit_hooks_run_real_commands_that_pass_on_the_example() {
    let text = fs::read_to_string(workspace().join(".pre-commit-hooks.yaml")).expect("read");
    let hooks: Vec<Value> = serde_yaml::from_str(&text).expect(".pre-commit-hooks.yaml parses");
    let ids: Vec<&str> = hooks.iter().filter_map(|h| string(h, "id")).collect();
    assert!(ids.contains(&"longhand-validate"), "{ids:?}");
    let manifest = fs::read_to_string(workspace().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(&format!("[[bin]]\nname = \"{PRE_COMMIT_BINARY}\"")),
        "the root package must build {PRE_COMMIT_BINARY}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = pull_request_clone(dir.path());
    for hook in &hooks {
        let id = string(hook, "id").expect("every hook has an id");
        assert_eq!(string(hook, "language"), Some("rust"), "{id}");
        assert!(string(hook, "name").is_some(), "{id}");
        assert_eq!(
            hook.get("pass_filenames").and_then(Value::as_bool),
            Some(false),
            "{id}: longhand checks the whole discussion, not file names"
        );
        let entry = string(hook, "entry").expect("every hook has an entry");
        assert!(
            entry.starts_with(&format!("{PRE_COMMIT_BINARY} ")),
            "{id}: {entry}"
        );
        let run = run_documented(&clone, entry);
        assert_eq!(run.code, 0, "{id}: {entry}\n{}{}", run.stdout, run.stderr);
        // A broken reply makes the same hook fail: the hook checks something.
        let broken =
            clone.join("threads/2026-11-23-holiday-coverage/01M9ZZZZZZZZZZZZZZZZZZZZZZ.md");
        let good = fs::read_to_string(&broken).expect("read");
        fs::write(&broken, good.replace("date: 2026", "date: x2026")).expect("write");
        let run = run_documented(&clone, entry);
        assert_eq!(run.code, 1, "{id}: {entry}\n{}{}", run.stdout, run.stderr);
        fs::write(&broken, good).expect("restore");
    }
}

/// The workflow block of docs/ci.md: the YAML fence after the `ci-workflow` marker.
fn documented_workflow() -> Value {
    let text = fs::read_to_string(workspace().join("docs/ci.md")).expect("docs/ci.md");
    let after = text
        .split("<!-- ci-workflow")
        .nth(1)
        .expect("docs/ci.md marks its workflow with <!-- ci-workflow … -->");
    let block = after
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("\n```").next())
        .expect("a yaml block follows the marker");
    serde_yaml::from_str(block).expect("the workflow parses")
}

#[test]
fn the_documented_github_workflow_parses_and_its_longhand_steps_pass() {
    let workflow = documented_workflow();
    let jobs = workflow
        .get("jobs")
        .and_then(Value::as_mapping)
        .expect("jobs");
    let mut commands = Vec::new();
    let mut installs = false;
    for (_, job) in jobs {
        let steps = job
            .get("steps")
            .and_then(Value::as_sequence)
            .expect("steps");
        for step in steps {
            let Some(run) = string(step, "run") else {
                continue;
            };
            for line in run.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if line.starts_with("cargo install") {
                    installs = line.contains("longhand-cli");
                } else if line.starts_with("longhand ") {
                    commands.push(line.to_owned());
                }
            }
        }
    }
    assert!(installs, "the workflow installs longhand-cli");
    // Direct pushes are checked with the history rules too, not only pull requests.
    let on_push = jobs.iter().any(|(_, job)| {
        job.get("steps")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .any(|step| {
                string(step, "if").is_some_and(|c| c.contains("github.event_name == 'push'"))
                    && string(step, "run").is_some_and(|r| r.starts_with("longhand verify"))
            })
    });
    assert!(on_push, "the workflow runs `longhand verify` on pushes");
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("longhand validate --format github")),
        "{commands:?}"
    );
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("longhand verify --format github")),
        "{commands:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let clone = pull_request_clone(dir.path());
    for command in &commands {
        let run = run_documented(&clone, command);
        assert_eq!(run.code, 0, "{command}\n{}{}", run.stdout, run.stderr);
        if command.contains("--format github") {
            assert!(!run.stdout.contains("::error"), "{command}: {}", run.stdout);
        }
    }
    // Annotations appear when there is something to say.
    let reply = clone.join("threads/2026-11-23-holiday-coverage/01M9ZZZZZZZZZZZZZZZZZZZZZZ.md");
    let text = fs::read_to_string(&reply).expect("read");
    fs::write(&reply, text.replace("date: 2026", "date: x2026")).expect("write");
    let validate = commands
        .iter()
        .find(|c| c.starts_with("longhand validate"))
        .expect("validate");
    let run = run_documented(&clone, validate);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(
            "::error file=threads/2026-11-23-holiday-coverage/01M9ZZZZZZZZZZZZZZZZZZZZZZ.md"
        ),
        "{}",
        run.stdout
    );
}
