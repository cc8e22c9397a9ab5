//! `docs/errors.md` is true: every example in it is run in a fresh discussion and prints
//! exactly the error line (with `…` for any text), the help line and the exit code the page
//! shows; the library-only errors print the message shown; and every error variant of the
//! library and the command line has a section.

use std::collections::BTreeSet;
use std::fs;

use crate::support::{git_init, longhand, ok, shell_with_longhand, workspace};

/// One documented error: its key (the variant), the script (if it runs from the command
/// line), the expected error line, help line and exit code.
struct Example {
    key: String,
    heading: String,
    script: Option<String>,
    error: String,
    help: Option<String>,
    exit: i32,
}

fn examples() -> Vec<Example> {
    let text = fs::read_to_string(workspace().join("docs/errors.md")).expect("docs/errors.md");
    let mut examples = Vec::new();
    let mut heading = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("### ") {
            heading = h.to_owned();
            continue;
        }
        if line != "```console" && line != "```text" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let script: Vec<&str> = block.iter().filter_map(|l| l.strip_prefix("$ ")).collect();
        let key = heading
            .split('`')
            .nth(1)
            .unwrap_or_else(|| panic!("heading `{heading}` names no variant in backticks"))
            .to_owned();
        let error = block
            .iter()
            .find(|l| l.starts_with("longhand: error: ") || l.starts_with("error: "))
            .unwrap_or_else(|| panic!("{heading}: no error line"))
            .to_string();
        let help = block
            .iter()
            .find_map(|l| l.strip_prefix("  help: "))
            .map(str::to_owned);
        let exit = block
            .iter()
            .find_map(|l| l.strip_prefix("[exit ").and_then(|l| l.strip_suffix(']')))
            .unwrap_or_else(|| panic!("{heading}: no [exit N] line"))
            .parse()
            .expect("exit code");
        examples.push(Example {
            key,
            heading: heading.clone(),
            script: (!script.is_empty()).then(|| script.join("\n")),
            error,
            help,
            exit,
        });
    }
    examples
}

/// Whether `text` matches `pattern`, where `…` stands for any text.
fn matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text.ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// A fresh repository with a discussion and the thread `standups`, as the page says.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    git_init(&repo);
    ok(longhand(&repo, &["init", "--title", "Acme"]));
    ok(longhand(
        &repo,
        &["thread", "new", "Standups", "-m", "Written standups?"],
    ));
    dir
}

/// The message the library gives for the errors the command line does not reach.
fn library_message(key: &str) -> String {
    match key {
        "MissingConfig" => match longhand::load(&longhand::MemoryTree::new()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("an empty tree loads"),
        },
        "Exists" => {
            use longhand::write::{Settings, Transaction};
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join("longhand.yaml"), "longhand: 1\ntitle: T\n")
                .expect("config");
            let author = longhand::model::Author::parse("Ana <ana@example.org>").expect("author");
            let open = || {
                let now = longhand::model::Moment::parse("2026-11-24T09:30:00Z").expect("instant");
                let settings = Settings::new().author(author.clone()).now(now);
                Transaction::open(dir.path(), settings).expect("open")
            };
            // A new thread's file, created behind the transaction's back before it writes.
            let tx = open();
            let new = longhand::write::ops::NewThread::new("T", "Body.");
            let change = longhand::write::ops::new_thread(&tx.context(), &new).expect("a change");
            let path = dir.path().join(&change.writes[0].path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
            std::fs::write(&path, "someone else's\n").expect("written meanwhile");
            match tx.commit(&change) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("a second CreateNew succeeded"),
            }
        }
        "ForeignChange" => {
            use longhand::write::{ops, Settings, Transaction};
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join("longhand.yaml"), "longhand: 1\ntitle: T\n")
                .expect("config");
            let author = longhand::model::Author::parse("Ana <ana@example.org>").expect("author");
            let open = || {
                Transaction::open(dir.path(), Settings::new().author(author.clone())).expect("open")
            };
            let kept = {
                let tx = open();
                ops::new_thread(&tx.context(), &ops::NewThread::new("T", "Body.")).expect("change")
            };
            match open().commit(&kept) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("a change from another transaction was written"),
            }
        }
        "Busy" => longhand::Error::Busy { attempts: 50 }.to_string(),
        "SyncGaveUp" => longhand::Error::SyncGaveUp { attempts: 5 }.to_string(),
        "Signing" => {
            use longhand::signature::{KeySigner, Signer, SshKeygen};
            use longhand::write::{ops, Settings, Transaction};
            let dir = tempfile::tempdir().expect("tempdir");
            let key = KeySigner::ed25519_from_seed([1; 32])
                .public_key()
                .to_openssh();
            std::fs::write(
                dir.path().join("longhand.yaml"),
                format!("longhand: 1\ntitle: T\npeople:\n  ana:\n    name: Ana\n    emails: [ana@example.org]\n    keys: [{key}]\npolicy:\n  authorship: signed\n"),
            )
            .expect("config");
            // A key file git names, gone by the time `ssh-keygen` is asked to sign with it.
            let file = dir.path().join("gone.pub");
            std::fs::write(&file, format!("{key}\n")).expect("key file");
            let signer = SshKeygen::with_file("ssh-keygen".into(), &file).expect("a signer");
            std::fs::remove_file(&file).expect("removed");
            let author = longhand::model::Author::parse("Ana <ana@example.org>").expect("author");
            let settings = Settings::new()
                .author(author)
                .signer(std::sync::Arc::new(signer));
            let tx = Transaction::open(dir.path(), settings).expect("open");
            let change =
                ops::new_thread(&tx.context(), &ops::NewThread::new("T", "Body.")).expect("change");
            match tx.commit(&change) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("signed with a key file that is gone"),
            }
        }
        other => panic!("no library reproduction for `{other}`"),
    }
}

#[test]
fn every_example_in_the_error_table_prints_what_it_shows() {
    let examples = examples();
    assert!(examples.len() >= 40, "only {} examples", examples.len());
    let mut failures = Vec::new();
    for example in &examples {
        let Some(script) = &example.script else {
            let message = format!("longhand: error: {}", library_message(&example.key));
            if !matches(&example.error, &message) {
                failures.push(format!(
                    "{}:\n  shown: {}\n  library: {message}",
                    example.heading, example.error
                ));
            }
            continue;
        };
        let dir = fixture();
        let run = shell_with_longhand(&dir.path().join("repo"), script);
        let lines: Vec<&str> = run.stderr.lines().collect();
        let error_at = lines
            .iter()
            .position(|l| l.starts_with(&example.error[..7]));
        let ok_error = error_at.is_some_and(|at| matches(&example.error, lines[at]));
        let ok_help = match &example.help {
            Some(help) => error_at
                .and_then(|at| lines.get(at + 1))
                .is_some_and(|l| l.strip_prefix("  help: ") == Some(help.as_str())),
            None => true,
        };
        if !ok_error || !ok_help || run.code != example.exit {
            failures.push(format!(
                "{}:\n  $ {script}\n  shown: {}\n         help: {:?}\n         exit {}\n  got (exit {}):\n{}",
                example.heading, example.error, example.help, example.exit, run.code, run.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples in docs/errors.md are wrong:\n\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n\n")
    );
}

/// The variant names of the first `pub enum` in a source file.
fn variants(path: &str) -> BTreeSet<String> {
    let text = fs::read_to_string(workspace().join(path)).expect("source");
    let body = text
        .split("pub enum ")
        .nth(1)
        .and_then(|rest| rest.split("\n}\n").next())
        .expect("an enum");
    body.lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .filter_map(|l| {
            let name: String = l
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            name.chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                .then_some(name)
        })
        .collect()
}

#[test]
fn every_error_variant_has_a_section_in_the_error_table() {
    let documented: BTreeSet<String> = examples().into_iter().map(|e| e.key).collect();
    let mut missing = Vec::new();
    for (file, skip) in [
        ("crates/longhand/src/error.rs", &[][..]),
        // `Library` wraps the library's errors, each documented on its own.
        ("crates/longhand-cli/src/cli_error.rs", &["Library"][..]),
    ] {
        let found = variants(file);
        assert!(found.len() >= 7, "{file}: only {found:?}");
        for variant in found {
            if !skip.contains(&variant.as_str()) && !documented.contains(&variant) {
                missing.push(format!("{variant} ({file})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/errors.md has no section for: {missing:?}"
    );
}
