//! The reading commands — `list`, `show`, `inbox`, `decision list|show` — run as a reader would,
//! on the bundled example and on small discussions, with the clock (`LONGHAND_NOW`), the zone
//! (`TZ`) and colour (`NO_COLOR`) fixed. Human output is compared whole; JSON by its shape.

use std::path::Path;

use serde_json::Value;

use crate::support::{
    assert_nothing_raw, copy_tree, ending_in_newline, example, git, git_init, id, keys,
    longhand_with, workspace, write, Run, HOSTILE,
};

/// A week after the overlap-call proposal, before its review deadline (4 December).
const NOW: &str = "2026-11-26T09:00:00Z";

/// Runs `longhand` in `dir` as a reader in Berlin at `NOW`.
fn read(dir: &Path, args: &[&str]) -> Run {
    read_at(dir, args, NOW, "Europe/Berlin")
}

fn read_at(dir: &Path, args: &[&str], now: &str, zone: &str) -> Run {
    let run = longhand_with(dir, args, &[("LONGHAND_NOW", now), ("TZ", zone)]);
    assert_eq!(run.stderr, "", "longhand {args:?} wrote to stderr");
    assert_eq!(run.code, 0, "longhand {args:?}");
    run
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).expect("stdout is one JSON object")
}

/// A team of three in three zones, one open thread with a reply tree and a decision on it.
const CONFIG: &str = "longhand: 1
title: Test team
people:
  ana:
    name: Ana Lima
    emails: [ana@example.org]
    timezone: America/Sao_Paulo
  jonas:
    name: Jonas Weber
    emails: [jonas@example.org, jonas@weber.example.net]
    timezone: Europe/Berlin
  tane:
    name: Tāne Walker
    emails: [tane@example.org]
    timezone: Pacific/Auckland
";

const SLUG: &str = "2026-11-24-async-standups";

fn team(root: &Path) {
    write(&root.join("longhand.yaml"), CONFIG);
    let thread = root.join("threads").join(SLUG);
    write(
        &thread.join("thread.md"),
        format!(
            "---\nid: {}\ntitle: Async standups\nauthor: Ana Lima <ana@example.org>\n\
             date: 2026-11-24T09:30:00-03:00\nstatus: open\ntags: [process]\nawaiting: [jonas]\n\
             respond-by: 2026-11-27\ndecision: written-standups\n---\n\
             Shall we try **written** standups? @jonas, you run the Berlin one.\n",
            id(1)
        ),
    );
    let reply = |n: usize, author: &str, date: &str, extra: &str, body: &str| {
        write(
            &thread.join(format!("{}.md", id(n))),
            format!(
                "---\nid: {}\nauthor: {author}\ndate: {date}\n{extra}---\n{body}",
                id(n)
            ),
        );
    };
    reply(
        2,
        "Jonas Weber <jonas@weber.example.net>",
        "2026-11-24T15:00:00+01:00",
        "vote: \"+1\"\n",
        "Yes, let us try:\n\n- Monday\n- Wednesday\n",
    );
    reply(
        3,
        "Tāne Walker <tane@example.org>",
        "2026-11-25T10:00:00+13:00",
        &format!("reply-to: {}\n", id(2)),
        "Agreed with @jonas. Could the check-in be due by 12:00 local time?\n",
    );
    reply(
        4,
        "Ana Lima <ana@example.org>",
        "2026-11-24T13:00:00-03:00",
        "",
        "I will draft the decision.\n",
    );
    write(
        &root.join("decisions/written-standups.md"),
        format!(
            "---\nid: {}\ntitle: Written standups replace the call\nstatus: proposed\n\
             date: 2026-11-24T10:00:00-03:00\ndeciders: [ana, jonas]\nthread: {SLUG}\n---\n\
             ## Decision\n\nA written check-in, due by 12:00 local time.\n",
            id(5)
        ),
    );
}

fn team_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    team(dir.path());
    dir
}

#[test]
fn list_shows_the_examples_threads_newest_first_with_who_is_awaited() {
    let run = read(&example(), &["list"]);
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
}

#[test]
fn list_filters_by_status_and_tag_and_marks_overdue_threads() {
    let after = "2026-12-04T00:00:00Z";
    let run = read_at(
        &example(),
        &["list", "--status", "open", "--tag", "meetings"],
        after,
        "Asia/Kolkata",
    );
    let expected = "\
open      Rotate the weekly overlap call across time zones
          2026-11-18-overlap-call-rotation · 9 replies · last Fri 20 Nov 11:30
          awaiting sofia, jonas (replied) · respond by Fri 4 Dec 01:30 (Thu 17:00 their time) · overdue
";
    assert_eq!(run.stdout, expected);
    let none = read(
        &example(),
        &["list", "--status", "closed", "--tag", "meetings"],
    );
    assert_eq!(none.stdout, "no threads\n");
}

#[test]
fn list_json_follows_the_documented_shape() {
    let value = json(&read(&example(), &["list", "--format", "json"]));
    assert_eq!(value["schema"], "longhand/list/v1");
    assert_eq!(value["now"], NOW);
    let threads = value["threads"].as_array().expect("threads");
    assert_eq!(threads.len(), 8);
    let overlap = &threads[1];
    assert_eq!(overlap["slug"], "2026-11-18-overlap-call-rotation");
    assert_eq!(overlap["id"], "01M7Q8FY9R91DSXV1337QEV3DM");
    assert_eq!(overlap["status"], "open");
    assert_eq!(
        overlap["tags"],
        serde_json::json!(["meetings", "time-zones"])
    );
    assert_eq!(
        overlap["author"],
        serde_json::json!({"name": "Ana Lima", "email": "ana.lima@example.org", "person": "ana"})
    );
    assert_eq!(overlap["date"], "2026-11-18T09:00:51-03:00");
    assert_eq!(overlap["replies"], 9);
    assert_eq!(overlap["last_activity"], "2026-11-20T11:30:35+05:30");
    assert_eq!(
        overlap["awaiting"],
        serde_json::json!([
            {"reference": "sofia", "person": "sofia", "replied": false},
            {"reference": "jonas", "person": "jonas", "replied": true},
        ])
    );
    assert_eq!(overlap["respond_by"], "2026-12-03T17:00:00-03:00");
    assert_eq!(overlap["respond_by_instant"], "2026-12-03T20:00:00Z");
    assert_eq!(overlap["overdue"], false);
    assert_eq!(overlap["decision"], "weekly-overlap-call");
    let closed = &threads[3];
    assert_eq!(closed["respond_by"], Value::Null);
    assert_eq!(closed["decision"], Value::Null);
}

#[test]
fn decision_show_tallies_the_overlap_call_votes_under_lazy_consensus() {
    let run = read(&example(), &["decision", "show", "weekly-overlap-call"]);
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
    // Jonas's -1 was replaced by his later 0; Rahul is no decider, so his +1 is advisory.
}

#[test]
fn the_overlap_call_is_ready_after_its_review_deadline_and_blocked_by_a_deciders_objection() {
    // 4 December ends anywhere on Earth at 5 December 11:59:59Z.
    let last = |run: Run| run.stdout.lines().last().unwrap_or_default().to_owned();
    let on_the_day = read_at(
        &example(),
        &["decision", "show", "weekly"],
        "2026-12-05T11:59:59Z",
        "UTC",
    );
    assert_eq!(last(on_the_day), "open until Fri 4 Dec");
    let after = read_at(
        &example(),
        &["decision", "show", "weekly"],
        "2026-12-05T12:00:00Z",
        "UTC",
    );
    assert_eq!(last(after), "ready to accept");

    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&example(), dir.path());
    let objection = id(7);
    write(
        &dir.path().join(format!(
            "threads/2026-11-18-overlap-call-rotation/{objection}.md"
        )),
        format!(
            "---\nid: {objection}\nauthor: Ana Lima <ana.lima@example.org>\n\
             date: 2026-11-21T09:00:00-03:00\nvote: \"-1\"\n---\nSlot A is 04:30 for me.\n"
        ),
    );
    let blocked = read_at(
        dir.path(),
        &["decision", "show", "weekly"],
        "2026-12-06T00:00:00Z",
        "UTC",
    );
    assert!(
        blocked
            .stdout
            .contains("\n  Ana Lima (ana)       -1  Sat 21 Nov 12:00 (09:00 their time)\n"),
        "{}",
        blocked.stdout
    );
    assert_eq!(last(blocked), "blocked by a -1 from Ana Lima (ana)");
}

#[test]
fn decision_list_shows_every_record_newest_first_with_the_state_of_proposals() {
    let run = read(&example(), &["decision", "list"]);
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
}

#[test]
fn decision_json_gives_the_tally_and_the_state() {
    let value = json(&read(
        &example(),
        &[
            "decision",
            "show",
            "weekly-overlap-call",
            "--format",
            "json",
        ],
    ));
    assert_eq!(value["schema"], "longhand/decision/v1");
    assert_eq!(value["now"], NOW);
    let decision = &value["decision"];
    assert_eq!(decision["slug"], "weekly-overlap-call");
    assert_eq!(decision["status"], "proposed");
    assert_eq!(decision["rule"], "lazy-consensus");
    assert_eq!(decision["review_by"], "2026-12-04");
    assert_eq!(decision["review_deadline"], "2026-12-05T11:59:59Z");
    assert_eq!(
        decision["state"],
        serde_json::json!({"kind": "pending", "until": "2026-12-05T11:59:59Z", "blocked_by": []})
    );
    let votes: Vec<(String, Value)> = decision["binding"]
        .as_array()
        .expect("binding")
        .iter()
        .map(|b| {
            (
                b["decider"].as_str().unwrap_or("").to_owned(),
                b["vote"].clone(),
            )
        })
        .collect();
    assert_eq!(
        votes,
        vec![
            ("ana".to_owned(), Value::Null),
            ("priya".to_owned(), "+1".into()),
            ("jonas".to_owned(), "0".into()),
            ("tane".to_owned(), "+1".into()),
        ]
    );
    assert_eq!(
        decision["binding"][2]["message"], "01M7SVDM8RD54JD30NNJCQ0TAY",
        "Jonas's latest vote"
    );
    assert_eq!(
        decision["advisory"],
        serde_json::json!([{"voter": "rahul", "vote": "+1",
            "message": "01M7VKG0689G7DB7BF3K1A1WV0", "date": "2026-11-20T10:00:05+05:30"}])
    );
    assert!(decision["body"]
        .as_str()
        .is_some_and(|b| b.contains("## Consequences")));

    let list = json(&read(&example(), &["decision", "list", "--format", "json"]));
    assert_eq!(list["schema"], "longhand/decisions/v1");
    let decisions = list["decisions"].as_array().expect("decisions");
    assert_eq!(decisions.len(), 5);
    assert_eq!(decisions[0]["slug"], "weekly-overlap-call");
    assert_eq!(decisions[1]["state"], Value::Null, "accepted: no state");
    assert_eq!(
        decisions[4]["superseded_by"],
        serde_json::json!(["standup-cadence-mwf"])
    );
    assert!(decisions[0].get("body").is_none());
}

#[test]
fn show_prints_the_reply_tree_in_derived_order_in_the_readers_zone() {
    let dir = team_dir();
    let run = read(dir.path(), &["show", "2026-11-24"]);
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
}

#[test]
fn show_follows_the_readers_time_zone() {
    let dir = team_dir();
    let run = read_at(dir.path(), &["show", SLUG], NOW, ":America/Sao_Paulo");
    assert!(
        run.stdout
            .contains("\nAna Lima · Tue 24 Nov 09:30 · 01JD8Q1Z4A2B3C4D5E000001\n  Shall we try"),
        "the author's own zone: no second time\n{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("\n  Jonas Weber · Tue 24 Nov 11:00 (15:00 their time) · 01JD8Q1Z4A2B3C4D5E000002 · votes +1\n"));
}

#[test]
fn show_json_lists_the_messages_in_derived_order_with_their_depth() {
    let dir = team_dir();
    let value = json(&read(dir.path(), &["show", &id(1), "--format", "json"]));
    assert_eq!(value["schema"], "longhand/show/v1");
    assert_eq!(value["thread"]["slug"], SLUG);
    assert_eq!(
        value["thread"]["body"],
        "Shall we try **written** standups? @jonas, you run the Berlin one.\n"
    );
    let order: Vec<(String, u64)> = value["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap_or("").to_owned(),
                m["depth"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(order, vec![(id(2), 1), (id(3), 2), (id(4), 1)]);
    let jonas = &value["messages"][0];
    assert_eq!(jonas["vote"], "+1");
    assert_eq!(jonas["reply_to"], Value::Null);
    assert_eq!(
        jonas["author"]["person"], "jonas",
        "found by his second email"
    );
    assert_eq!(value["messages"][1]["reply_to"], id(2));
    assert_eq!(value["decisions"][0]["slug"], "written-standups");
    assert_eq!(
        value["decisions"][0]["review_deadline"],
        "2026-11-27T13:00:00Z"
    );
}

#[test]
fn a_thread_that_names_nothing_or_too_much_is_a_usage_error_with_a_hint() {
    let missing = longhand_with(&example(), &["show", "nope"], &[("LONGHAND_NOW", NOW)]);
    assert_eq!(missing.code, 2);
    assert_eq!(missing.stdout, "");
    assert_eq!(
        missing.stderr,
        "longhand: error: no thread has the slug or id `nope` (or starts with it)\n  \
         help: `longhand list` shows every thread with its slug\n"
    );
    let ambiguous = longhand_with(&example(), &["show", "2026-11"], &[]);
    assert_eq!(ambiguous.code, 2);
    assert!(ambiguous.stderr.starts_with(
        "longhand: error: `2026-11` matches 3 threads: 2026-11-02-standup-cadence-retro, "
    ));
    assert!(ambiguous
        .stderr
        .ends_with("  help: type more of the slug or id\n"));
    let decision = longhand_with(&example(), &["decision", "show", "standup"], &[]);
    assert_eq!(decision.code, 2);
    assert!(decision.stderr.contains("matches 3 decisions"));
}

#[test]
fn a_body_cannot_send_control_sequences_to_the_terminal() {
    // Each control character is shown as its escape, so the reader sees it is there.
    let dir = team_dir();
    let evil = id(9);
    write(
        &dir.path().join(format!("threads/{SLUG}/{evil}.md")),
        format!(
            "---\nid: {evil}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-25T09:00:00-03:00\n---\n\
             Clear \u{1b}[2J\u{1b}]0;pwned\u{7} screen \u{9b}31m red \u{8}\u{8}back\n\n```\n\u{1b}[1mcode\n```\n"
        ),
    );
    let run = read(dir.path(), &["show", SLUG]);
    assert!(
        !run.stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{:?}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains(
            "\n    Clear \\u{1b}[2J\\u{1b}]0;pwned\\u{7} screen \\u{9b}31m red \\u{8}\\u{8}back\n\n        \\u{1b}[1mcode\n"
        ));

    // A directory name with a control character is hostile (LH212): it is not read, so
    // neither its name nor its title reaches the terminal.
    write(
        &dir.path().join("threads/evil\u{1b}[31m/thread.md"),
        format!(
            "---\nid: {}\ntitle: \"Title \\e[5m blinks\"\nauthor: Ana Lima <ana@example.org>\n\
             date: 2026-11-25T09:00:00-03:00\nstatus: open\n---\n",
            id(10)
        ),
    );
    let list = longhand_with(
        dir.path(),
        &["list"],
        &[("LONGHAND_NOW", NOW), ("TZ", "UTC")],
    );
    assert!(
        !list.stdout.contains("evil") && !list.stdout.contains("blinks"),
        "{:?}",
        list.stdout
    );
    assert!(!list.stdout.contains('\u{1b}') && !list.stderr.contains('\u{1b}'));
}

#[test]
fn inbox_lists_what_awaits_a_person_and_why() {
    let dir = team_dir();
    let run = read(dir.path(), &["inbox", "--for", "jonas"]);
    let expected = "\
Inbox of Jonas Weber (jonas): 1 thread

Async standups
  thread/2026-11-24-async-standups · last Tue 24 Nov 22:00
  respond by Fri 27 Nov
  awaiting your answer (you last wrote Tue 24 Nov 15:00)
  mentioned by Tāne Walker · Tue 24 Nov 22:00 (Wed 10:00 their time)
";
    assert_eq!(
        run.stdout, expected,
        "Ana's mention came before Jonas's reply"
    );
    let by_email = read(dir.path(), &["inbox", "--for", "JONAS@example.org"]);
    assert_eq!(by_email.stdout, expected);
    let tane = read(dir.path(), &["inbox", "--for", "tane"]);
    assert_eq!(tane.stdout, "Nothing waits for Tāne Walker (tane).\n");
}

#[test]
fn inbox_json_says_why_each_thread_is_there() {
    let dir = team_dir();
    let value = json(&read_at(
        dir.path(),
        &["inbox", "--for", "jonas", "--format", "json"],
        "2026-11-28T12:00:00Z",
        "UTC",
    ));
    assert_eq!(value["schema"], "longhand/inbox/v1");
    assert_eq!(
        value["person"],
        serde_json::json!({"handle": "jonas", "name": "Jonas Weber",
            "emails": ["jonas@example.org", "jonas@weber.example.net"]})
    );
    let item = &value["items"][0];
    assert_eq!(item["slug"], SLUG);
    assert_eq!(item["awaited"], true);
    assert_eq!(item["overdue"], true, "27 November has ended everywhere");
    assert_eq!(item["respond_by"], "2026-11-27");
    assert_eq!(item["respond_by_instant"], "2026-11-28T11:59:59Z");
    assert_eq!(item["own_latest"], "2026-11-24T15:00:00+01:00");
    assert_eq!(
        item["mentions"],
        serde_json::json!([{
            "by": {"name": "Tāne Walker", "email": "tane@example.org", "person": "tane"},
            "message": id(3),
            "date": "2026-11-25T10:00:00+13:00",
        }])
    );
}

#[test]
fn inbox_without_for_is_the_person_of_gits_user_email() {
    let dir = team_dir();
    git_init(dir.path());
    // Without GIT_AUTHOR_EMAIL (which would come first), git's user.email decides.
    let no_author = [
        ("LONGHAND_NOW", NOW),
        ("GIT_AUTHOR_NAME", ""),
        ("GIT_AUTHOR_EMAIL", ""),
    ];
    let none = longhand_with(dir.path(), &["inbox"], &no_author);
    assert_eq!(none.code, 2, "{}", none.stdout);
    assert_eq!(
        none.stderr,
        "longhand: error: whose inbox? git's user.email is not set here\n  \
         help: pass --for with your handle or email, or set `git config user.email`\n"
    );
    git(
        dir.path(),
        &["config", "user.email", "jonas@weber.example.net"],
    );
    let run = longhand_with(dir.path(), &["inbox"], &no_author);
    assert!(
        run.stdout
            .starts_with("Inbox of Jonas Weber (jonas): 1 thread\n"),
        "{}",
        run.stdout
    );
    let env = [
        ("LONGHAND_NOW", NOW),
        ("GIT_AUTHOR_EMAIL", "ana@example.org"),
    ];
    let run = longhand_with(dir.path(), &["inbox"], &env);
    assert!(run.stdout.contains("Ana Lima (ana)"), "{}", run.stdout);
}

#[test]
fn inbox_for_an_unknown_handle_is_a_usage_error() {
    let run = longhand_with(&example(), &["inbox", "--for", "maria"], &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with(
        "longhand: error: `maria` is neither a handle in longhand.yaml nor an email\n"
    ));
}

#[test]
fn longhand_now_must_be_a_timestamp() {
    let run = longhand_with(&example(), &["list"], &[("LONGHAND_NOW", "tomorrow")]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with(
        "longhand: error: LONGHAND_NOW is `tomorrow`, which is not an RFC 3339 timestamp\n"
    ));
}

#[test]
fn files_that_cannot_be_read_are_left_out_with_a_warning() {
    let dir = team_dir();
    write(
        &dir.path().join("threads/broken/thread.md"),
        "no frontmatter\n",
    );
    let run = longhand_with(
        dir.path(),
        &["list"],
        &[("LONGHAND_NOW", NOW), ("TZ", "UTC")],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("open      Async standups\n"));
    assert_eq!(
        run.stderr,
        "longhand: warning: 1 error in the discussion's files; what could not be read is left out\n  \
         help: `longhand validate` shows each problem\n"
    );
}

#[test]
fn every_reading_command_shows_an_example_in_its_help() {
    for command in [
        &["list", "--help"][..],
        &["show", "--help"],
        &["inbox", "--help"],
        &["decision", "list", "--help"],
        &["decision", "show", "--help"],
    ] {
        let run = longhand_with(&example(), command, &[]);
        assert_eq!(run.code, 0, "{command:?}");
        let name = command[..command.len() - 1].join(" ");
        assert!(
            run.stdout
                .contains(&format!("Examples:\n  longhand {name}")),
            "{command:?}:\n{}",
            run.stdout
        );
        assert!(run.stdout.contains("--format <FORMAT>"), "{command:?}");
    }
    let group = longhand_with(&example(), &["decision", "--help"], &[]);
    assert!(
        group.stdout.contains("Examples:\n  longhand decision new "),
        "{}",
        group.stdout
    );
    assert!(group
        .stdout
        .contains("\n  longhand decision list\n  longhand decision show "));
}

#[test]
fn every_json_schema_and_field_is_documented_in_docs_cli_json() {
    let doc = std::fs::read_to_string(workspace().join("docs/cli-json.md")).expect("the doc");
    let dir = team_dir();
    for (args, schema) in [
        (&["list"][..], "longhand/list/v1"),
        (&["show", SLUG], "longhand/show/v1"),
        (&["inbox", "--for", "jonas"], "longhand/inbox/v1"),
        (&["decision", "list"], "longhand/decisions/v1"),
        (
            &["decision", "show", "written-standups"],
            "longhand/decision/v1",
        ),
    ] {
        let args: Vec<&str> = args.iter().copied().chain(["--format", "json"]).collect();
        let value = json(&read(dir.path(), &args));
        assert_eq!(value["schema"], schema);
        assert!(
            doc.contains(&format!("`{schema}`")),
            "{schema} is documented"
        );
        let mut found = std::collections::BTreeSet::new();
        keys(&value, &mut found);
        for key in found {
            assert!(
                doc.contains(&format!("`{key}`")),
                "{schema}: `{key}` is documented"
            );
        }
    }
}

#[test]
fn show_of_a_200000_reply_chain_is_linear_indenting_at_most_twelve_levels() {
    // The shape of the 200,000-reply chain, shorter: each reply answers the one before.
    // Indenting two spaces per level made the output grow with the square of the chain.
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(&root.join("longhand.yaml"), crate::support::CONFIG);
    write(
        &root.join("threads/chain/thread.md"),
        crate::support::thread_md(&id(0), ""),
    );
    let replies = 300;
    for n in 1..=replies {
        let reply_to = if n == 1 {
            String::new()
        } else {
            format!("reply-to: {}\n", id(n - 1))
        };
        write(
            &root.join(format!("threads/chain/{}.md", id(n))),
            crate::support::reply_md(&id(n), &reply_to, &format!("Reply {n}.\n")),
        );
    }
    let run = read(root, &["show", "chain"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let widest = run
        .stdout
        .lines()
        .map(|l| l.len() - l.trim_start().len())
        .max()
        .unwrap_or(0);
    assert_eq!(widest, 2 * 12 + 2, "the deepest indentation");
    assert!(run.stdout.contains("Reply 300."), "{}", run.stdout);
    assert!(run.stdout.contains(" · level 300"), "{}", run.stdout);
    assert!(!run.stdout.contains(" · level 12\n"), "{}", run.stdout);
    // Linear: a bounded number of bytes per reply.
    assert!(
        run.stdout.len() < replies * 200,
        "{} bytes",
        run.stdout.len()
    );
}

#[test]
fn path_with_osc52_is_escaped_in_every_format() {
    let dir = team_dir();
    let root = dir.path();
    // A reply file named with the sequences (LH212, listed but never read), and a thread
    // whose title and body carry them.
    write(
        &root.join(format!("threads/{SLUG}/{HOSTILE}.md")),
        format!(
            "---\nid: {}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-25T09:00:00-03:00\n---\nHi.\n",
            id(30)
        ),
    );
    write(
        &root.join("threads/evil/thread.md"),
        format!(
            "---\nid: {}\ntitle: \"Title \\e]52;c;aGVsbG8=\\a \\u202e\"\nauthor: Ana Lima <ana@example.org>\n\
             date: 2026-11-25T09:00:00-03:00\nstatus: open\n---\nBody \u{9b}2J.\n",
            id(31)
        ),
    );
    let shown = "\\u{1b}]52;c;aGVsbG8=\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}gpj";
    let env = [("LONGHAND_NOW", NOW), ("TZ", "UTC")];

    let human = longhand_with(root, &["validate"], &env);
    assert_eq!(human.code, 1, "{}", human.stdout);
    assert_nothing_raw("validate", &human.stdout);
    assert!(
        human
            .stdout
            .contains(&format!(" --> threads/{SLUG}/{shown}.md\n")),
        "{}",
        human.stdout
    );

    let github = longhand_with(root, &["validate", "--format", "github"], &env);
    assert_eq!(github.code, 1);
    assert_nothing_raw("validate --format github", &github.stdout);
    assert!(
        github.stdout.contains(&format!(
            "::error file=threads/{SLUG}/{shown}.md,title=LH212"
        )),
        "{}",
        github.stdout
    );

    let machine = longhand_with(root, &["validate", "--format", "json"], &env);
    assert_eq!(machine.code, 1);
    assert_nothing_raw("validate --format json", &machine.stdout);
    assert!(
        machine
            .stdout
            .contains("\\u001b]52;c;aGVsbG8=\\u0007\\u001b[2J\\u009b31m\\u202egpj"),
        "{}",
        machine.stdout
    );
    // Escaped, not changed: a program reads the real path back.
    let report = json(&machine);
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["path"].as_str())
        .collect();
    assert!(
        paths.contains(&format!("threads/{SLUG}/{HOSTILE}.md").as_str()),
        "{paths:?}"
    );

    for args in [
        &["list"][..],
        &["list", "--format", "json"],
        &["show", "evil"],
        &["show", "evil", "--format", "json"],
        &["inbox", "--for", "jonas"],
        &["inbox", "--for", "jonas", "--format", "json"],
        &["digest", "--since", "2026-11-20", "--for", "jonas"],
        &[
            "digest",
            "--since",
            "2026-11-20",
            "--for",
            "jonas",
            "--format",
            "json",
        ],
    ] {
        let run = longhand_with(root, args, &env);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_nothing_raw(&format!("{args:?}"), &run.stdout);
        assert_nothing_raw(&format!("{args:?} (stderr)"), &run.stderr);
    }
    // The title's sequences are shown as escapes, in a thread whose name is plain.
    let list = longhand_with(root, &["list"], &env);
    assert!(
        list.stdout
            .contains("Title \\u{1b}]52;c;aGVsbG8=\\u{7} \\u{202e}"),
        "{}",
        list.stdout
    );
}

/// The review's reproduction: a reply under Tāne's email typed as "Ana Lima". The tally, the
/// site and the JSON said Tāne; `show` said Ana.
#[test]
fn show_displays_roster_name_for_impersonated_author() {
    let dir = team_dir();
    write(
        &dir.path().join(format!("threads/{SLUG}/{}.md", id(40))),
        format!(
            "---\nid: {}\nauthor: Ana Lima <tane@example.org>\ndate: 2026-11-25T09:00:00-03:00\n---\n\
             As the author of this thread, I withdraw it. @jonas\n",
            id(40)
        ),
    );
    let show = read(dir.path(), &["show", SLUG]);
    assert!(
        show.stdout
            .contains("\n  Tāne Walker (as \"Ana Lima\") · Wed 25 Nov 13:00"),
        "{}",
        show.stdout
    );
    // A name typed as the roster has it is shown once.
    assert!(
        show.stdout.contains("\nAna Lima · Tue 24 Nov 13:30"),
        "{}",
        show.stdout
    );
    let inbox = read(dir.path(), &["inbox", "--for", "jonas"]);
    assert!(
        inbox
            .stdout
            .contains("mentioned by Tāne Walker (as \"Ana Lima\") · "),
        "{}",
        inbox.stdout
    );
    let digest = read(
        dir.path(),
        &["digest", "--since", "2026-11-25", "--for", "jonas"],
    );
    assert!(
        digest
            .stdout
            .contains("Tāne Walker (as \"Ana Lima\"), Wed 25 Nov 13:00"),
        "{}",
        digest.stdout
    );
    assert!(!digest.stdout.contains("• Ana Lima,"), "{}", digest.stdout);
}

/// The review's other reproduction: emails with a Cyrillic letter or a zero-width space were
/// accepted as unknown people and displayed under the typed name. They are LH316 errors,
/// and shown with the email that is really there.
#[test]
fn look_alike_email_is_lh316_and_shown_with_its_email() {
    let dir = team_dir();
    for (n, email) in [
        (41, "ana@ex\u{430}mple.org"),
        (42, "a\u{200b}na@example.org"),
    ] {
        write(
            &dir.path().join(format!("threads/{SLUG}/{}.md", id(n))),
            format!(
                "---\nid: {}\nauthor: Ana Lima <{email}>\ndate: 2026-11-25T09:0{}:00-03:00\n---\nMe again.\n",
                id(n),
                n - 40
            ),
        );
    }
    let validate = longhand_with(dir.path(), &["validate", "--format", "json"], &[]);
    assert_eq!(validate.code, 1);
    let report = json(&validate);
    let codes: Vec<(&str, &str)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(codes, [("LH316", "error"), ("LH316", "error")], "{report}");
    let show = longhand_with(
        dir.path(),
        &["show", SLUG],
        &[("LONGHAND_NOW", NOW), ("TZ", "Europe/Berlin")],
    );
    assert!(
        show.stdout
            .contains("\n  Ana Lima <ana@ex\u{430}mple.org> · "),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout
            .contains("\n  Ana Lima <a\u{200b}na@example.org> · "),
        "{}",
        show.stdout
    );
}

/// Every reading command's JSON, whole: the shapes docs/cli-json.md documents, kept byte for
/// byte by these snapshots (the tests above check what the fields mean).
#[test]
fn every_reading_commands_json_is_as_recorded() {
    let team = team_dir();
    let cases: [(&str, &Path, &[&str]); 7] = [
        ("list", &example(), &["list"]),
        (
            "show",
            &example(),
            &["show", "2026-11-18-overlap-call-rotation"],
        ),
        ("show_reply_tree", team.path(), &["show", SLUG]),
        ("inbox", team.path(), &["inbox", "--for", "jonas"]),
        (
            "inbox_of_an_email",
            team.path(),
            &["inbox", "--for", "someone@example.org"],
        ),
        ("decision_list", &example(), &["decision", "list"]),
        (
            "decision_show",
            &example(),
            &["decision", "show", "weekly-overlap-call"],
        ),
    ];
    for (name, dir, args) in cases {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let run = read(dir, &args);
        insta::assert_snapshot!(format!("json_{name}"), ending_in_newline(&run.stdout));
    }
}
