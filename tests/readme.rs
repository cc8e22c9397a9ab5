//! The README's and the tour's (`docs/tour.md`) console blocks are real output: these tests
//! rerun them and compare.

use std::fs;

use crate::support::{copy_tree, example, longhand, longhand_with, workspace};

fn readme() -> String {
    fs::read_to_string(workspace().join("README.md")).expect("README.md")
}

fn tour() -> String {
    fs::read_to_string(workspace().join("docs/tour.md")).expect("docs/tour.md")
}

/// The lines printed after `$ <command>` in the README, up to the next prompt or fence.
fn printed_after(readme: &str, command: &str) -> String {
    let start = readme
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("README shows `$ {command}`"))
        + command.len()
        + 3;
    readme[start..]
        .lines()
        .take_while(|l| !l.starts_with("$ ") && !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn the_first_command_prints_what_the_readme_says() {
    let expected = printed_after(
        &readme(),
        "cargo run -q -p longhand-cli -- -C examples/async-standups validate",
    );
    let run = longhand(&workspace(), &["-C", "examples/async-standups", "validate"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, expected);
}

#[test]
fn the_tour_shows_real_diagnostics_for_the_edited_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&example(), dir.path());
    let edit = |path: &str, from: &str, to: &str| {
        let file = dir.path().join(path);
        let text = fs::read_to_string(&file).expect("read");
        assert!(text.contains(from), "{path} contains {from}");
        fs::write(&file, text.replacen(from, to, 1)).expect("write");
    };
    edit(
        "decisions/weekly-overlap-call.md",
        "status: proposed\n",
        "status: proposed\nowner: priya\n",
    );
    edit(
        "decisions/weekly-overlap-call.md",
        "deciders: [ana, priya, jonas, tane]",
        "deciders: [ana, priya, jonas, tane, maria]",
    );
    edit(
        "threads/2026-11-18-overlap-call-rotation/01M7QYRJ0G69ZM94RAN850N83B.md",
        "vote: \"+1\"",
        "vote: \"+2\"",
    );
    let readme = readme();
    let human = longhand(dir.path(), &["validate"]);
    assert_eq!(human.code, 1);
    assert_eq!(human.stdout, printed_after(&readme, "longhand validate"));
    let github = longhand(dir.path(), &["validate", "--format", "github"]);
    let shown = printed_after(&readme, "longhand validate --format github");
    assert!(!shown.is_empty());
    for line in shown.lines() {
        assert!(
            github.stdout.lines().any(|l| l == line),
            "README line not printed: {line}"
        );
    }
}

/// Checks `actual` against a README block where a line `…` stands for any number of lines:
/// the first part starts the output, the last ends it, and the others appear in order.
fn assert_matches_with_elisions(actual: &str, shown: &str) {
    let parts: Vec<&str> = shown.split("…\n").collect();
    let mut rest = actual;
    for (index, part) in parts.iter().enumerate() {
        let found = if index == 0 {
            rest.starts_with(part).then_some(0)
        } else if index == parts.len() - 1 {
            rest.ends_with(part).then(|| rest.len() - part.len())
        } else {
            rest.find(part)
        };
        let Some(at) = found else {
            panic!("README part not printed in order:\n{part}\n--- output ---\n{actual}");
        };
        rest = &rest[at + part.len()..];
    }
}

#[test]
fn the_reading_tour_shows_real_output_for_a_reader_in_berlin() {
    let readme = tour();
    let commands = [
        "longhand list --status open",
        "longhand inbox --for ana",
        "longhand show 2026-11-18-overlap-call-rotation",
        "longhand decision show weekly-overlap-call",
        "longhand search overlap author:tane",
    ];
    for command in commands {
        let shown = printed_after(&readme, command);
        assert!(shown.contains('\n'), "README shows output for {command}");
        let args: Vec<&str> = command.split(' ').skip(1).collect();
        let env = [
            ("TZ", "Europe/Berlin"),
            ("LONGHAND_NOW", "2026-11-26T09:00:00Z"),
        ];
        let run = longhand_with(&example(), &args, &env);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        if shown.contains("…\n") {
            assert_matches_with_elisions(&run.stdout, &shown);
        } else {
            assert_eq!(run.stdout, shown, "{command}");
        }
    }
}
