//! `docs/workflow.md`, "a day in the life", is a script: every `sh` block runs here, in
//! order, as one shell session in an empty folder — a bare server with the hooks installed,
//! Ana's and Bo's clones — with the real `longhand` on the PATH. Its crontab line runs too,
//! against a stand-in `sendmail` that keeps what it is given.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{isolate, workspace};

/// The blocks of `docs/workflow.md` as one bash script. A lazy-consensus decision is ready
/// only once its review period has ended, and a server judges a commit by its own clock, so
/// the page's first part runs four days in the past — each block ten minutes after the one
/// before (`LONGHAND_NOW`), as a day's work would — and the block after the marker comment
/// `four days later`, and what follows it, now. `<id>`, which a reader copies from `show`, is
/// Bo's reply's id.
fn script(doc: &str, earlier: jiff::Timestamp) -> String {
    let mut script = String::from("set -euo pipefail\n");
    let mut clock = Some(earlier);
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("<!--") && line.contains("four days later") {
            clock = None;
            script.push_str("unset LONGHAND_NOW\n");
        }
        if line != "```sh" {
            continue;
        }
        if let Some(at) = clock.as_mut() {
            *at += jiff::SignedDuration::from_mins(10);
            script.push_str(&format!("export LONGHAND_NOW={at}\n"));
        }
        for line in lines.by_ref().take_while(|l| *l != "```") {
            let line = line.replace(
                "<id>",
                "\"$(ls threads/january-release-train | grep -v thread.md | sort | head -1 | cut -c1-8)\"",
            );
            script.push_str(&line);
            script.push('\n');
        }
    }
    script
}

/// The command of the page's crontab line (what follows the five schedule fields).
fn crontab_command(doc: &str) -> String {
    let block = doc
        .split("```crontab\n")
        .nth(1)
        .expect("docs/workflow.md has a crontab block");
    let line = block.lines().next().expect("a crontab line");
    line.split_whitespace()
        .skip(5)
        .collect::<Vec<_>>()
        .join(" ")
}

fn run_bash(dir: &Path, home: &Path, script: &str) -> (i32, String, String) {
    let binary = Path::new(env!("CARGO_BIN_EXE_longhand"));
    let bin_dir = binary.parent().expect("the binary's directory");
    let path = format!(
        "{}:{}:{}",
        home.join("bin").display(),
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    isolate(&mut command, home);
    let output = command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        // The page's people set their own names in their clones.
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env_remove("GIT_AUTHOR_DATE")
        .env_remove("GIT_COMMITTER_DATE")
        .env("GIT_COMMITTER_NAME", "Server")
        .env("GIT_COMMITTER_EMAIL", "server@example.org")
        .output()
        .expect("bash runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_command_of_the_day_in_the_life_runs() {
    let doc = fs::read_to_string(workspace().join("docs/workflow.md")).expect("docs/workflow.md");
    let dir = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("home");
    let earlier = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(4 * 24);

    let (code, stdout, stderr) = run_bash(dir.path(), home.path(), &script(&doc, earlier));
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");

    // What the page says happens, happened.
    assert!(
        stdout.contains("due soon"),
        "Bo's inbox marks the ask: {stdout}"
    );
    assert!(
        stdout.contains("Nothing waits for Bo Chen (bo)."),
        "answering empties it: {stdout}"
    );
    assert!(
        stdout.contains("Your vote on \"Cut the January release on the 14th\""),
        "the vote Bo owes is in his inbox: {stdout}"
    );
    let (server, ana, bo) = (
        dir.path().join("team.git"),
        dir.path().join("ana"),
        dir.path().join("bo"),
    );
    let decision = git(&server, &["show", "main:decisions/january-cut.md"]);
    assert!(decision.contains("status: accepted"), "{decision}");
    assert!(decision.contains("rationale: "), "{decision}");
    // After the last sync in each clone, both clones and the server hold the same commit.
    let tip = git(&server, &["rev-parse", "main"]);
    assert_eq!(git(&ana, &["rev-parse", "HEAD"]), tip);
    assert_eq!(git(&bo, &["rev-parse", "HEAD"]), tip);
    let edited = git(
        &bo,
        &[
            "grep",
            "-l",
            "edited: ",
            "--",
            "threads/january-release-train",
        ],
    );
    assert_eq!(edited.lines().count(), 1, "Bo's reply was edited: {edited}");
    let mbox = fs::read_to_string(home.path().join("digests.mbox")).expect("the mbox");
    assert!(mbox.starts_with("From "), "{mbox}");
    assert!(mbox.contains("\nTo: "), "{mbox}");

    // The crontab line, with a stand-in for the mail transfer agent.
    let bin = home.path().join("bin");
    fs::create_dir_all(&bin).expect("bin");
    let sendmail = bin.join("sendmail");
    fs::write(
        &sendmail,
        format!(
            "#!/bin/sh\ncat >> '{}'\n",
            home.path().join("sent").display()
        ),
    )
    .expect("stand-in");
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&sendmail, fs::Permissions::from_mode(0o755)).expect("chmod");
    let command = crontab_command(&doc).replace("/srv/longhand/team", &ana.display().to_string());
    let (code, stdout, stderr) = run_bash(dir.path(), home.path(), &command);
    assert_eq!(code, 0, "{command}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let sent = fs::read_to_string(home.path().join("sent")).expect("mail was handed over");
    assert!(sent.contains("Subject: "), "{sent}");
    assert!(sent.contains("bo@example.org"), "{sent}");
}
