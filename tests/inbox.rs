//! `longhand inbox` and the digest's "waiting" section: answered after being asked, votes
//! owed, due soon, personal done marks, `digest --since last`, and digests by mail — with
//! real git (a bare server with the hooks installed and clones of it) and the real binary.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{copy_tree, example, git, git_init, longhand_with, ok, write, Run, CONFIG};

/// Runs `longhand` in `dir` as `who` (ana or jonas of `CONFIG`) at `now`, in UTC.
fn as_person(dir: &Path, who: &str, now: &str, args: &[&str]) -> Run {
    let (name, email) = match who {
        "jonas" => ("Jonas Weber", "jonas@example.org"),
        _ => ("Ana Lima", "ana@example.org"),
    };
    longhand_with(
        dir,
        args,
        &[
            ("LONGHAND_NOW", now),
            ("TZ", "UTC"),
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
        ],
    )
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

/// A bare server with the hooks, and clones of it for Ana (who founded it) and Jonas.
struct Team {
    dir: tempfile::TempDir,
}

impl Team {
    fn new() -> Team {
        let dir = tempfile::tempdir().expect("tempdir");
        let server = dir.path().join("server.git");
        fs::create_dir_all(&server).expect("mkdir");
        git(&server, &["init", "-q", "--bare", "-b", "main"]);
        ok(longhand_with(
            &server,
            &["hook", "install", "--server"],
            &[],
        ));
        let ana = dir.path().join("ana");
        git_init(&ana);
        write(&ana.join("longhand.yaml"), CONFIG);
        git(&ana, &["add", "-A"]);
        git(&ana, &["commit", "-q", "-m", "start"]);
        git(
            &ana,
            &["remote", "add", "origin", &server.display().to_string()],
        );
        git(&ana, &["push", "-q", "-u", "origin", "HEAD:main"]);
        git(
            dir.path(),
            &["clone", "-q", &server.display().to_string(), "jonas"],
        );
        Team { dir }
    }

    fn clone(&self, who: &str) -> PathBuf {
        self.dir.path().join(who)
    }

    /// Pushes `who`'s commits, then brings every clone up to date.
    fn sync(&self, who: &str) {
        git(&self.clone(who), &["push", "-q", "origin", "HEAD:main"]);
        for clone in ["ana", "jonas"] {
            git(
                &self.clone(clone),
                &["pull", "-q", "--no-rebase", "origin", "main"],
            );
        }
    }
}

fn thread_slug(run: &Run) -> String {
    let value = json(run);
    value["items"][0]["slug"]
        .as_str()
        .expect("a slug")
        .to_owned()
}

#[test]
fn an_awaited_person_who_answers_leaves_their_inbox_and_the_thread_is_no_longer_overdue() {
    let team = Team::new();
    let ana = team.clone("ana");
    let jonas = team.clone("jonas");
    ok(as_person(
        &ana,
        "ana",
        "2026-11-24T09:00:00Z",
        &[
            "thread",
            "new",
            "Standups",
            "-m",
            "Written standups?",
            "--await",
            "jonas",
            "--respond-by",
            "2026-11-25T09:00:00Z",
        ],
    ));
    team.sync("ana");
    // Before the deadline, within 24 hours of it: due soon.
    let inbox = json(&as_person(
        &jonas,
        "jonas",
        "2026-11-24T12:00:00Z",
        &["inbox", "--format", "json"],
    ));
    assert_eq!(inbox["items"][0]["due"], "soon", "{inbox}");
    assert_eq!(inbox["items"][0]["awaited"], true);
    let slug = thread_slug(&as_person(
        &jonas,
        "jonas",
        "2026-11-24T12:00:00Z",
        &["inbox", "--format", "json"],
    ));
    let human = ok(as_person(
        &jonas,
        "jonas",
        "2026-11-24T12:00:00Z",
        &["inbox"],
    ));
    assert!(human.stdout.contains("· due soon"), "{}", human.stdout);
    // After it: overdue, in his inbox and in the list.
    let late = "2026-11-26T09:00:00Z";
    let human = ok(as_person(&jonas, "jonas", late, &["inbox"]));
    assert!(human.stdout.contains("· overdue"), "{}", human.stdout);
    assert!(ok(as_person(&ana, "ana", late, &["list"]))
        .stdout
        .contains("overdue"));
    // Jonas answers (late): no header edit, yet he has answered.
    ok(as_person(
        &jonas,
        "jonas",
        "2026-11-26T10:00:00Z",
        &["reply", &slug, "-m", "Yes, let's."],
    ));
    team.sync("jonas");
    let after = "2026-11-26T11:00:00Z";
    for clone in [&ana, &jonas] {
        let run = ok(as_person(
            clone,
            "jonas",
            after,
            &["inbox", "--for", "jonas"],
        ));
        assert_eq!(run.stdout, "Nothing waits for Jonas Weber (jonas).\n");
        let list = ok(as_person(clone, "ana", after, &["list"]));
        assert!(!list.stdout.contains("overdue"), "{}", list.stdout);
        assert!(list.stdout.contains("jonas (replied)"), "{}", list.stdout);
    }
    // Asked again by a mention: back in his inbox, and the thread is overdue again.
    ok(as_person(
        &ana,
        "ana",
        "2026-11-26T12:00:00Z",
        &["reply", &slug, "-m", "@jonas, which day?"],
    ));
    team.sync("ana");
    let again = ok(as_person(
        &jonas,
        "jonas",
        "2026-11-26T13:00:00Z",
        &["inbox"],
    ));
    assert!(
        again.stdout.contains("awaiting your answer"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("overdue"), "{}", again.stdout);
}

#[test]
fn a_decider_owes_a_vote_until_they_cast_one_and_inbox_and_digest_say_the_same() {
    let team = Team::new();
    let ana = team.clone("ana");
    let jonas = team.clone("jonas");
    ok(as_person(
        &ana,
        "ana",
        "2026-11-24T09:00:00Z",
        &["thread", "new", "Retro", "-m", "Fridays?"],
    ));
    let slug = fs::read_dir(ana.join("threads"))
        .expect("threads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|n| !n.starts_with('.'))
        .expect("a thread");
    ok(as_person(
        &ana,
        "ana",
        "2026-11-24T10:00:00Z",
        &[
            "decision",
            "new",
            "Retro on Fridays",
            "--thread",
            &slug,
            "--decider",
            "ana",
            "--decider",
            "jonas",
            "-m",
            "Fridays.",
        ],
    ));
    team.sync("ana");
    let now = "2026-11-25T09:00:00Z";
    let inbox = json(&as_person(
        &jonas,
        "jonas",
        now,
        &["inbox", "--format", "json"],
    ));
    let votes = inbox["votes"].as_array().expect("votes");
    assert_eq!(votes.len(), 1, "{inbox}");
    assert!(votes[0]["item"]
        .as_str()
        .expect("id")
        .starts_with("decision/"));
    let digest = json(&as_person(
        &jonas,
        "jonas",
        now,
        &["digest", "--since", "7d", "--format", "json"],
    ));
    assert_eq!(digest["waiting"]["votes"], inbox["votes"]);
    assert_eq!(digest["waiting"]["items"], inbox["items"]);
    ok(as_person(
        &jonas,
        "jonas",
        "2026-11-25T10:00:00Z",
        &["reply", &slug, "--vote", "+1", "-m", "Yes."],
    ));
    team.sync("jonas");
    let inbox = json(&as_person(
        &jonas,
        "jonas",
        "2026-11-25T11:00:00Z",
        &["inbox", "--format", "json"],
    ));
    assert_eq!(inbox["votes"], Value::Array(Vec::new()), "{inbox}");
}

#[test]
fn an_item_marked_done_stays_hidden_until_something_new_happens_in_it() {
    let team = Team::new();
    let ana = team.clone("ana");
    let jonas = team.clone("jonas");
    ok(as_person(
        &ana,
        "ana",
        "2026-11-24T09:00:00Z",
        &[
            "thread", "new", "Standups", "-m", "Written?", "--await", "jonas",
        ],
    ));
    team.sync("ana");
    let now = "2026-11-24T12:00:00Z";
    let slug = thread_slug(&as_person(
        &jonas,
        "jonas",
        now,
        &["inbox", "--format", "json"],
    ));
    let wrong = as_person(&jonas, "jonas", now, &["inbox", "done", "nothing-like-it"]);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    let done = ok(as_person(
        &jonas,
        "jonas",
        now,
        &["inbox", "done", "standups"],
    ));
    assert!(
        done.stdout.contains(&format!("Marked thread/{slug} done")),
        "{}",
        done.stdout
    );
    let hidden = ok(as_person(&jonas, "jonas", now, &["inbox"]));
    assert!(
        hidden
            .stdout
            .starts_with("Nothing waits for Jonas Weber (jonas). (1 item marked done is hidden"),
        "{}",
        hidden.stdout
    );
    let all = ok(as_person(&jonas, "jonas", now, &["inbox", "--all"]));
    assert!(
        all.stdout.contains(&format!("thread/{slug}")),
        "{}",
        all.stdout
    );
    // The digest agrees, and the mark is in the clone, not in the repository.
    let digest = json(&as_person(
        &jonas,
        "jonas",
        now,
        &["digest", "--since", "7d", "--format", "json"],
    ));
    assert_eq!(digest["waiting"]["items"], Value::Array(Vec::new()));
    assert!(git(&jonas, &["status", "--porcelain"]).trim().is_empty());
    assert!(jonas.join(".git/longhand/marks").is_dir());
    let json_done = json(&as_person(
        &jonas,
        "jonas",
        now,
        &["inbox", "--format", "json"],
    ));
    assert_eq!(json_done["done"][0], format!("thread/{slug}"));
    // Ana's own inbox in her clone knows nothing of Jonas's mark.
    let theirs = json(&as_person(
        &ana,
        "ana",
        now,
        &["inbox", "--for", "jonas", "--format", "json"],
    ));
    assert_eq!(theirs["items"].as_array().map(Vec::len), Some(1));
    // Something new: a message by Ana. The item comes back.
    ok(as_person(
        &ana,
        "ana",
        "2026-11-24T13:00:00Z",
        &["reply", &slug, "-m", "Any thoughts?"],
    ));
    team.sync("ana");
    let back = ok(as_person(
        &jonas,
        "jonas",
        "2026-11-24T14:00:00Z",
        &["inbox"],
    ));
    assert!(
        back.stdout.contains(&format!("thread/{slug}")),
        "{}",
        back.stdout
    );
}

#[test]
fn digest_since_last_counts_from_the_mark_and_sees_status_changes_of_old_things() {
    let team = Team::new();
    let ana = team.clone("ana");
    let jonas = team.clone("jonas");
    // An old thread, a month before.
    ok(as_person(
        &ana,
        "ana",
        "2026-10-01T09:00:00Z",
        &["thread", "new", "Old question", "-m", "Still open?"],
    ));
    team.sync("ana");
    let slug = fs::read_dir(ana.join("threads"))
        .expect("threads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|n| !n.starts_with('.'))
        .expect("a thread");
    // No mark yet: the last 7 days, said on standard error; plain digests do not mark.
    let first = ok(as_person(
        &jonas,
        "jonas",
        "2026-11-20T09:00:00Z",
        &["digest", "--since", "last"],
    ));
    assert!(
        first.stderr.contains("has not marked a digest read"),
        "{}",
        first.stderr
    );
    ok(as_person(
        &jonas,
        "jonas",
        "2026-11-20T09:00:00Z",
        &["digest", "--since", "last", "--mark-read"],
    ));
    // Ana resolves the month-old thread; nothing in the files dates the change.
    ok(as_person(
        &ana,
        "ana",
        "2026-11-21T09:00:00Z",
        &["thread", "resolve", &slug],
    ));
    team.sync("ana");
    let since_date = json(&as_person(
        &jonas,
        "jonas",
        "2026-11-22T09:00:00Z",
        &[
            "digest",
            "--since",
            "2026-11-20T09:00:00Z",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        since_date["thread_changes"],
        Value::Array(Vec::new()),
        "dates cannot see it"
    );
    let last = json(&as_person(
        &jonas,
        "jonas",
        "2026-11-22T09:00:00Z",
        &["digest", "--since", "last", "--format", "json"],
    ));
    assert_eq!(last["since"]["revision"], "last");
    assert_eq!(last["since"]["instant"], "2026-11-20T09:00:00Z");
    assert_eq!(last["thread_changes"][0]["slug"], slug.as_str(), "{last}");
    assert_eq!(last["thread_changes"][0]["from"], "open");
    let text = ok(as_person(
        &jonas,
        "jonas",
        "2026-11-22T09:00:00Z",
        &["digest", "--since", "last"],
    ));
    assert!(
        text.stdout
            .contains("since your last read (Fri 20 Nov 09:00)"),
        "{}",
        text.stdout
    );
    // Marking moves the window: nothing new after it.
    ok(as_person(
        &jonas,
        "jonas",
        "2026-11-22T09:00:00Z",
        &["digest", "--since", "last", "--mark-read"],
    ));
    let quiet = json(&as_person(
        &jonas,
        "jonas",
        "2026-11-23T09:00:00Z",
        &["digest", "--since", "last", "--format", "json"],
    ));
    assert_eq!(quiet["thread_changes"], Value::Array(Vec::new()), "{quiet}");
}

/// A Python program that parses a mail (RFC 5322 + MIME) from the file in argv[1] with the
/// standard library's parser and prints what a test checks, as JSON.
const PARSE: &str = r#"
import email, email.policy, json, sys
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
plain = m.get_body(('plain',))
html = m.get_body(('html',))
lines = raw.replace(b'\r\n', b'\n').split(b'\n')
print(json.dumps({
  'from': str(m['From']), 'to': str(m['To']), 'to_name': m['To'].addresses[0].display_name,
  'to_address': m['To'].addresses[0].addr_spec, 'subject': str(m['Subject']),
  'date': str(m['Date']), 'date_ok': m['Date'].datetime is not None,
  'message_id': str(m['Message-ID']), 'mime': str(m['MIME-Version']),
  'type': m.get_content_type(), 'parts': [p.get_content_type() for p in m.iter_parts()],
  'plain': plain.get_content(), 'html': html.get_content(),
  'longest_line': max(len(l) for l in lines), 'ascii': all(b < 128 for b in raw),
  'defects': [str(d) for p in m.walk() for d in p.defects],
}))
"#;

fn parse_mail(dir: &Path, file: &Path) -> Value {
    let script = dir.join("parse.py");
    fs::write(&script, PARSE).expect("script");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(file)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The example as a git repository, for mail.
fn example_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    copy_tree(&example(), &repo);
    git_init(&repo);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "example"]);
    dir
}

#[test]
fn a_digest_mail_is_one_multipart_message_a_mail_parser_reads() {
    let dir = example_repo();
    let repo = dir.path().join("repo");
    let run = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "2026-11-23",
            "--for",
            "tane",
            "--format",
            "email",
            "--from",
            "Digest Bot <bot@example.org>",
        ],
        &[("LONGHAND_NOW", "2026-12-04T12:00:00Z"), ("TZ", "UTC")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = dir.path().join("digest.eml");
    fs::write(&file, &run.stdout).expect("written");
    let mail = parse_mail(dir.path(), &file);
    assert_eq!(mail["defects"], Value::Array(Vec::new()), "{mail}");
    assert_eq!(mail["from"], "Digest Bot <bot@example.org>");
    assert_eq!(mail["to_name"], "Tāne Walker", "RFC 2047 decoded");
    assert_eq!(mail["to_address"], "tane.walker@example.org");
    assert_eq!(mail["mime"], "1.0");
    assert_eq!(mail["type"], "multipart/alternative");
    assert_eq!(
        mail["parts"],
        serde_json::json!(["text/plain", "text/html"])
    );
    assert_eq!(mail["date_ok"], true);
    // In Tāne's zone (Pacific/Auckland, from longhand.yaml).
    assert_eq!(mail["date"], "Sat, 05 Dec 2026 01:00:00 +1300");
    let id = mail["message_id"].as_str().expect("an id");
    assert!(
        id.starts_with("<longhand.") && id.ends_with("@example.org>"),
        "{id}"
    );
    let subject = mail["subject"].as_str().expect("a subject");
    assert!(
        subject.starts_with("[Async standups at Example Co] Nothing waits for you; "),
        "{subject}"
    );
    assert!(
        mail["plain"]
            .as_str()
            .expect("text")
            .starts_with("For Tāne Walker · "),
        "{mail}"
    );
    assert!(mail["html"].as_str().expect("html").contains("<h1 "));
    assert_eq!(mail["ascii"], true);
    assert!(mail["longest_line"].as_u64().expect("n") <= 78, "{mail}");
    // Ana has something waiting, with a deadline: the subject says what and by when, and
    // never a commit hash, even for a digest since a revision.
    let run = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "HEAD",
            "--for",
            "ana",
            "--format",
            "email",
            "--from",
            "bot@example.org",
        ],
        &[("LONGHAND_NOW", "2026-12-04T12:00:00Z"), ("TZ", "UTC")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    fs::write(&file, &run.stdout).expect("written");
    let mail = parse_mail(dir.path(), &file);
    let subject = mail["subject"].as_str().expect("a subject");
    assert!(
        subject.contains("2 waiting for you, next by Sat 5 Dec"),
        "{subject}"
    );
    let head = git(&repo, &["rev-parse", "--short", "HEAD"]);
    assert!(!subject.contains(head.trim()), "{subject}");
    // Deterministic: the same instant gives the same bytes.
    let again = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "HEAD",
            "--for",
            "ana",
            "--format",
            "email",
            "--from",
            "bot@example.org",
        ],
        &[("LONGHAND_NOW", "2026-12-04T12:00:00Z"), ("TZ", "UTC")],
    );
    assert_eq!(again.stdout, run.stdout);
}

#[cfg(unix)]
#[test]
fn send_hands_each_mail_to_sendmail_as_git_send_email_does_and_mbox_appends_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = example_repo();
    let repo = dir.path().join("repo");
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).expect("bin");
    let log = dir.path().join("log");
    fs::create_dir_all(&log).expect("log");
    // A stand-in MTA: records its arguments and the message it is handed.
    let stand_in = format!(
        "#!/bin/sh\nn=$(ls '{log}' | wc -l)\nprintf '%s\\n' \"$@\" > '{log}'/args.$n\ncat > '{log}'/mail.$n\n",
        log = log.display()
    );
    write(&bin.join("sendmail"), &stand_in);
    fs::set_permissions(bin.join("sendmail"), fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [
        ("LONGHAND_NOW", "2026-12-04T12:00:00Z"),
        ("TZ", "UTC"),
        ("PATH", path.as_str()),
    ];
    let run = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "30d",
            "--send",
            "--from",
            "bot@example.org",
        ],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("sent 6 mails"), "{}", run.stderr);
    let args = fs::read_to_string(log.join("args.0")).expect("args");
    assert_eq!(args, "-i\n-t\n", "sendmail -i -t");
    let mut recipients = Vec::new();
    for n in 0..6 {
        let mail = parse_mail(dir.path(), &log.join(format!("mail.{}", 2 * n)));
        assert_eq!(mail["defects"], Value::Array(Vec::new()), "{mail}");
        assert_eq!(
            mail["parts"],
            serde_json::json!(["text/plain", "text/html"])
        );
        recipients.push(mail["to_address"].as_str().expect("to").to_owned());
    }
    recipients.sort();
    assert_eq!(recipients.len(), 6);
    assert!(recipients.contains(&"tane.walker@example.org".to_owned()));
    // git's sendemail.sendmailCmd, run by sh -c with -i and the recipient, wins.
    for f in fs::read_dir(&log).expect("log") {
        fs::remove_file(f.expect("entry").path()).expect("rm");
    }
    let custom = dir.path().join("custom-mta");
    write(&custom, stand_in.replace("args.", "custom-args."));
    fs::set_permissions(&custom, fs::Permissions::from_mode(0o755)).expect("chmod");
    git(
        &repo,
        &[
            "config",
            "sendemail.sendmailCmd",
            &format!("{} --queue", custom.display()),
        ],
    );
    let run = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "7d",
            "--for",
            "jonas",
            "--send",
            "--from",
            "bot@example.org",
        ],
        &env,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let args = fs::read_to_string(log.join("custom-args.0")).expect("args");
    assert_eq!(args, "--queue\n-i\njonas.weber@example.org\n");
    let mail = parse_mail(dir.path(), &log.join("mail.0"));
    assert_eq!(mail["to_address"], "jonas.weber@example.org");
    assert!(mail["plain"]
        .as_str()
        .expect("text")
        .starts_with("For Jonas Weber · "));
    // --mbox appends one message per person, mboxrd, twice over two runs.
    let mbox = dir.path().join("digests.mbox");
    for _ in 0..2 {
        let run = longhand_with(
            &repo,
            &[
                "digest",
                "--since",
                "30d",
                "--mbox",
                &mbox.display().to_string(),
                "--from",
                "bot@example.org",
            ],
            &env,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    // Over the last week half the team has nothing new and nothing waiting: no mail for them.
    let quiet = longhand_with(
        &repo,
        &[
            "digest",
            "--since",
            "7d",
            "--mbox",
            &mbox.display().to_string(),
            "--from",
            "bot@example.org",
        ],
        &env,
    );
    assert!(
        quiet
            .stderr
            .contains("appended 3 mails (3 people had nothing new and nothing waiting)"),
        "{}",
        quiet.stderr
    );
    let text = fs::read_to_string(&mbox).expect("mbox");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("From ")).count(),
        15,
        "quoted From lines are not message starts"
    );
    let script = dir.path().join("mbox.py");
    fs::write(&script, "import mailbox, sys\nfor m in mailbox.mbox(sys.argv[1]):\n    print(m['To'], m.get_content_type(), len(m.get_payload()))\n").expect("script");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&mbox)
        .output()
        .expect("python3");
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 15, "{listed}");
    assert!(
        listed
            .lines()
            .all(|l| l.ends_with("multipart/alternative 2")),
        "{listed}"
    );
}

#[test]
fn inbox_and_digest_agree_for_everyone_on_the_example_at_several_instants() {
    let dir = example_repo();
    let repo = dir.path().join("repo");
    let people = [
        "ana",
        "sofia",
        "jonas",
        "priya",
        "rahul",
        "tane",
        "people-ops@example.org",
    ];
    let mut seen = 0;
    for now in [
        "2026-11-20T00:00:00Z",
        "2026-11-26T09:00:00Z",
        "2026-12-03T18:00:00Z",
        "2026-12-11T12:00:00Z",
        "2027-01-01T00:00:00Z",
    ] {
        let env = [("LONGHAND_NOW", now), ("TZ", "Asia/Kolkata")];
        for who in people {
            let inbox = json(&longhand_with(
                &repo,
                &["inbox", "--for", who, "--format", "json"],
                &env,
            ));
            let digest = json(&longhand_with(
                &repo,
                &["digest", "--since", "1d", "--for", who, "--format", "json"],
                &env,
            ));
            let waiting = &digest["waiting"];
            assert_eq!(waiting["items"], inbox["items"], "{who} at {now}");
            assert_eq!(waiting["votes"], inbox["votes"], "{who} at {now}");
            assert_eq!(waiting["person"], inbox["person"]);
            seen += inbox["items"].as_array().map_or(0, Vec::len)
                + inbox["votes"].as_array().map_or(0, Vec::len);
            // And the text digest's count is the inbox's.
            let n = inbox["items"].as_array().map_or(0, Vec::len)
                + inbox["votes"].as_array().map_or(0, Vec::len);
            let text = ok(longhand_with(
                &repo,
                &["digest", "--since", "1d", "--for", who],
                &env,
            ));
            if n > 0 {
                assert!(
                    text.stdout
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .ends_with(&format!(", {n} waiting for you")),
                    "{who} at {now}: {}",
                    text.stdout
                );
            } else {
                assert!(!text.stdout.contains("waiting for you"), "{who} at {now}");
            }
        }
    }
    assert!(seen > 10, "the example has things waiting: {seen}");
    // With a done mark, both leave the item out.
    let env = [("LONGHAND_NOW", "2026-11-26T09:00:00Z"), ("TZ", "UTC")];
    ok(longhand_with(
        &repo,
        &[
            "inbox",
            "--for",
            "ana",
            "done",
            "decision/weekly-overlap-call",
        ],
        &env,
    ));
    let inbox = json(&longhand_with(
        &repo,
        &["inbox", "--for", "ana", "--format", "json"],
        &env,
    ));
    let digest = json(&longhand_with(
        &repo,
        &[
            "digest", "--since", "1d", "--for", "ana", "--format", "json",
        ],
        &env,
    ));
    assert_eq!(inbox["votes"], Value::Array(Vec::new()));
    assert_eq!(digest["waiting"]["votes"], inbox["votes"]);
}

#[test]
fn a_digest_read_through_the_cache_and_only_the_threads_that_changed_is_the_whole_digest() {
    let dir = example_repo();
    let repo = dir.path().join("repo");
    let env = [
        ("LONGHAND_NOW", "2026-11-26T09:00:00Z"),
        ("TZ", "Europe/Berlin"),
    ];
    // Jonas marks the digest read at the example's commit.
    ok(longhand_with(
        &repo,
        &["digest", "--since", "last", "--for", "jonas", "--mark-read"],
        &env,
    ));
    let base = git(&repo, &["rev-parse", "HEAD"]);
    // Committed since: a reply to an old thread (backdated) and a thread resolved; in the
    // work tree, not committed: a new thread and a reopened one.
    let later = [
        ("LONGHAND_NOW", "2026-11-27T09:00:00Z"),
        ("TZ", "Europe/Berlin"),
        ("GIT_AUTHOR_EMAIL", "ana.lima@example.org"),
        ("GIT_COMMITTER_EMAIL", "ana.lima@example.org"),
    ];
    ok(longhand_with(
        &repo,
        &["reply", "2026-10-14-standup-tooling", "-m", "Late thought."],
        &later,
    ));
    ok(longhand_with(
        &repo,
        &["thread", "resolve", "2026-11-23-holiday-coverage"],
        &later,
    ));
    ok(longhand_with(
        &repo,
        &["thread", "new", "Fresh", "-m", "New here.", "--no-commit"],
        &later,
    ));
    ok(longhand_with(
        &repo,
        &[
            "thread",
            "reopen",
            "2026-11-02-standup-cadence-retro",
            "--no-commit",
        ],
        &later,
    ));
    let now = [
        ("LONGHAND_NOW", "2026-11-28T09:00:00Z"),
        ("TZ", "Europe/Berlin"),
    ];
    let whole = [
        ("LONGHAND_NOW", "2026-11-28T09:00:00Z"),
        ("TZ", "Europe/Berlin"),
        ("LONGHAND_NO_CACHE", "1"),
    ];
    for since in ["1d", "2026-11-01", base.trim(), "HEAD", "HEAD~1"] {
        for who in ["jonas", "ana", "tane"] {
            let args = ["digest", "--since", since, "--for", who, "--format", "json"];
            let narrowed = ok(longhand_with(&repo, &args, &now));
            let read_whole = ok(longhand_with(&repo, &args, &whole));
            assert_eq!(
                narrowed.stdout, read_whole.stdout,
                "--since {since} --for {who}"
            );
        }
    }
    // `--since last` reads what was committed since the mark (and what is dated since):
    // once the work tree's edits are committed, it is the whole digest too.
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "fresh, reopened"]);
    for who in ["jonas", "ana"] {
        let args = [
            "digest", "--since", "last", "--for", who, "--format", "json",
        ];
        let narrowed = ok(longhand_with(&repo, &args, &now));
        let read_whole = ok(longhand_with(&repo, &args, &whole));
        assert_eq!(
            narrowed.stdout, read_whole.stdout,
            "--since last --for {who}"
        );
    }
    let last = json(&longhand_with(
        &repo,
        &[
            "digest", "--since", "last", "--for", "jonas", "--format", "json",
        ],
        &now,
    ));
    let changes: Vec<&str> = last["thread_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["slug"].as_str().expect("slug"))
        .collect();
    assert_eq!(
        changes,
        [
            "2026-11-02-standup-cadence-retro",
            "2026-11-23-holiday-coverage"
        ],
        "{last}"
    );
    assert_eq!(last["new_threads"].as_array().map(Vec::len), Some(1));
}
