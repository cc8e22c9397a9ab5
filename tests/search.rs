//! `longhand search`: words, phrases and filters over threads, replies and decisions, run as
//! people run it — the real binary in a real git repository written by the writing commands,
//! and on the bundled example — and the library's streamed search checked against the same
//! search over the loaded model.

use std::path::Path;

use longhand::jiff::tz::TimeZone;
use longhand::read::search::{search, search_discussion, search_work_tree, Query};
use longhand::{load, Parallelism, WorkTree};
use serde_json::Value;

use crate::support::{ending_in_newline, example, git, git_init, longhand, longhand_with, ok, Run};

const NOW: &str = "2026-12-05T12:00:00Z";

fn find(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    longhand_with(dir, &all, &[("LONGHAND_NOW", NOW), ("TZ", "Europe/Berlin")])
}

fn hits(dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let run = find(dir, &all);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let value: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(value["schema"], "longhand/search/v1");
    value["hits"].as_array().expect("hits").clone()
}

fn ids(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const ANA: &[(&str, &str)] = &[("TZ", "Europe/Berlin")];
const BO: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Bo Chen"),
    ("GIT_AUTHOR_EMAIL", "bo@example.org"),
    ("TZ", "Europe/Berlin"),
];

/// A repository written by the commands: two threads (one tagged and resolved), replies by
/// Ana and Bo, a decision with a rationale. Returns the reply ids in the order written.
fn written() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    ok(longhand(d, &["init", "--title", "Team"]));
    let config = std::fs::read_to_string(d.join("longhand.yaml"))
        .expect("roster")
        .replace(
            "policy:\n",
            "  bo:\n    name: Bo Chen\n    emails: [bo@example.org]\npolicy:\n",
        );
    std::fs::write(d.join("longhand.yaml"), config).expect("write");
    git(d, &["commit", "-qam", "bo joins"]);
    ok(longhand_with(
        d,
        &[
            "thread",
            "new",
            "Release train",
            "-m",
            "Ship every second Tuesday?\nThe Munich office\nprefers Thursdays.",
            "--tag",
            "process",
        ],
        ANA,
    ));
    ok(longhand_with(
        d,
        &[
            "thread",
            "new",
            "Office plants",
            "-m",
            "Who waters the ferns?",
        ],
        ANA,
    ));
    let mut replies = Vec::new();
    for (who, thread, text) in [
        (BO, "release", "Tuesdays suit the Munich team."),
        (
            ANA,
            "release",
            "Then Tuesday it is; I will draft the decision.",
        ),
        (BO, "office", "I water the ferns on Tuesdays."),
    ] {
        let run = ok(longhand_with(d, &["reply", thread, "-m", text], who));
        let path = run
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("wrote "))
            .expect("a path")
            .to_owned();
        replies.push(
            path.rsplit('/')
                .next()
                .expect("a name")
                .trim_end_matches(".md")
                .to_owned(),
        );
        // Each reply a second later than the one before: ids and dates order them.
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    ok(longhand_with(
        d,
        &[
            "decision",
            "new",
            "Ship on Tuesdays",
            "--thread",
            "release",
            "--decider",
            "ana",
            "--review-by",
            "2026-01-01",
            "-m",
            "## Decision\n\nEvery second Tuesday.",
        ],
        ANA,
    ));
    ok(longhand_with(
        d,
        &[
            "decision",
            "reject",
            "ship",
            "-m",
            "Thursdays after all: the Munich office.",
        ],
        ANA,
    ));
    ok(longhand_with(d, &["thread", "resolve", "office"], ANA));
    ok(longhand(d, &["verify"]));
    (dir, replies)
}

#[test]
fn words_match_every_kind_case_insensitively_newest_first() {
    let (dir, replies) = written();
    let d = dir.path();
    let found = hits(d, &["munich"]);
    let kinds: Vec<&str> = found
        .iter()
        .map(|h| h["kind"].as_str().unwrap_or(""))
        .collect();
    // The rejection's rationale, Bo's reply, the opening post: newest first.
    assert_eq!(kinds, ["decision", "reply", "thread"], "{found:#?}");
    assert_eq!(found[1]["id"], replies[0]);
    assert_eq!(found[1]["thread"]["title"], "Release train");
    assert_eq!(found[1]["author"]["person"], "bo");
    assert_eq!(found[0]["decision"]["title"], "Ship on Tuesdays");
    assert_eq!(
        found[0]["line"]["text"],
        "Thursdays after all: the Munich office."
    );
    assert_eq!(found[0]["line"]["matches"][0], serde_json::json!([25, 31]));
    let dates: Vec<&str> = found
        .iter()
        .map(|h| h["date"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    // Every word must match; a word matches at the start of a word only.
    assert_eq!(ids(&hits(d, &["MUNICH", "ferns"])), Vec::<String>::new());
    assert_eq!(hits(d, &["tuesday", "ferns"]).len(), 1);
    assert_eq!(hits(d, &["unich"]).len(), 0, "not inside a word");
    assert_eq!(hits(d, &["tues"]).len(), 5, "a prefix of a word matches");

    // The human output: a header, and for each hit its place, who, when and the line.
    let run = find(d, &["munich", "in:reply"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("1 hit for `munich in:reply`\n\nRelease train ("),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("  reply {} · Bo Chen · ", replies[0])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(": Tuesdays suit the Munich team.\n"),
        "{}",
        run.stdout
    );
    let none = find(d, &["zebra"]);
    assert_eq!(
        (none.code, none.stdout.as_str()),
        (0, "No hits for `zebra`.\n")
    );
}

#[test]
fn phrases_match_as_written_even_across_a_line_break() {
    let (dir, _) = written();
    let d = dir.path();
    // One argument with a space is a phrase (the shell removed the quotes) …
    let phrase = hits(d, &["munich office"]);
    assert_eq!(ids(&phrase).len(), 2, "{phrase:#?}");
    assert!(phrase.iter().all(|h| h["kind"] != "reply"));
    // … and so is a quoted part of an argument.
    assert_eq!(ids(&hits(d, &["\"munich office\" in:thread"])).len(), 1);
    // The opening post says "The Munich office\nprefers": the phrase spans the break.
    let across = hits(d, &["office prefers"]);
    assert_eq!(across.len(), 1);
    assert_eq!(across[0]["kind"], "thread");
    // As words, in any order, Bo's reply matches too.
    assert_eq!(hits(d, &["team", "munich"]).len(), 1);
    assert!(hits(d, &["munich", "team"])[0]["kind"] == "reply");
    assert_eq!(hits(d, &["\"team munich\""]).len(), 0);
}

#[test]
fn filters_narrow_by_author_tag_status_kind_and_date() {
    let (dir, replies) = written();
    let d = dir.path();
    let by_bo = hits(d, &["author:bo"]);
    assert_eq!(ids(&by_bo), [replies[2].clone(), replies[0].clone()]);
    assert_eq!(ids(&hits(d, &["author:bo@example.org"])), ids(&by_bo));
    assert_eq!(hits(d, &["author:Bo Chen"]).len(), 2, "a name");
    let ana = hits(d, &["ferns", "author:ana"]);
    assert_eq!(ana.len(), 1);
    assert_eq!(ana[0]["kind"], "thread");
    // tag: is the thread's (a reply's thread, a decision's thread).
    let tagged = hits(d, &["tag:process"]);
    let kinds: Vec<&str> = tagged
        .iter()
        .map(|h| h["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        kinds,
        ["decision", "reply", "reply", "thread"],
        "{tagged:#?}"
    );
    // status: a thread's for threads and replies, a decision's for decisions.
    assert_eq!(
        ids(&hits(d, &["status:resolved"])).len(),
        2,
        "Office plants and its reply"
    );
    assert_eq!(hits(d, &["status:rejected"])[0]["kind"], "decision");
    assert_eq!(hits(d, &["status:rejected", "status:resolved"]).len(), 3);
    assert_eq!(hits(d, &["ferns", "in:reply"]).len(), 1);
    assert_eq!(hits(d, &["ferns", "in:thread", "in:reply"]).len(), 2);
    assert_eq!(hits(d, &["ferns", "in:decision"]).len(), 0);
    // Dates: a day starts at midnight in the reader's zone; after: includes the instant.
    let today = hits(d, &["author:bo"])[0]["date"]
        .as_str()
        .expect("date")
        .to_owned();
    assert_eq!(hits(d, &["author:bo", &format!("after:{today}")]).len(), 1);
    assert_eq!(hits(d, &["author:bo", &format!("before:{today}")]).len(), 1);
    assert_eq!(hits(d, &["author:bo", "before:2000-01-01"]).len(), 0);
    assert_eq!(hits(d, &["author:bo", "after:2000-01-01"]).len(), 2);
}

#[test]
fn a_bad_query_is_refused_with_exit_2_and_says_why() {
    let dir = example();
    for (query, says) in [
        (&["colour:red"][..], "`colour:` is not a search filter"),
        (&["tag:"], "`tag:` needs a value"),
        (
            &["before:yesterday"],
            "`yesterday` in `before:` is not a date",
        ),
        (&["status:done"], "`done` is not a status"),
        (&["in:wiki"], "`in:wiki` names nothing to search in"),
        (&["\"written standups"], "a quoted phrase is not closed"),
        (&["  "], "the search query is empty"),
    ] {
        let run = find(&dir, query);
        assert_eq!(run.code, 2, "{query:?}: {}", run.stdout);
        assert_eq!(run.stdout, "", "{query:?}");
        assert!(
            run.stderr.starts_with(&format!("longhand: error: {says}")),
            "{query:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("help: search for words"),
            "{}",
            run.stderr
        );
    }
    let run = longhand(&dir, &["search"]);
    assert_eq!(run.code, 2, "a query is required");
}

#[test]
fn the_json_of_a_search_is_as_recorded_and_documented() {
    let run = find(&example(), &["overlap", "call", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(ending_in_newline(&run.stdout));
    let value: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let doc =
        std::fs::read_to_string(crate::support::workspace().join("docs/cli-json.md")).expect("doc");
    assert!(doc.contains("`longhand/search/v1`"));
    let mut found = std::collections::BTreeSet::new();
    crate::support::keys(&value, &mut found);
    for key in found {
        assert!(doc.contains(&format!("`{key}`")), "`{key}` is documented");
    }
}

#[test]
fn the_streamed_search_gives_the_hits_of_the_loaded_model() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = longhand_corpus::generate(&longhand_corpus::Spec::new(60, 600));
    corpus.write(dir.path()).expect("write");
    let root = dir.path();
    // A reply that does not parse is left out by both.
    let thread = corpus
        .threads
        .iter()
        .find(|t| !t.replies.is_empty())
        .expect("a thread with replies");
    let reply = root.join(format!(
        "threads/{}/{}.md",
        thread.slug, thread.replies[0].id
    ));
    let text = std::fs::read_to_string(&reply).expect("read");
    std::fs::write(&reply, text.replace("date: ", "date: not-a-date ")).expect("write");
    let source = WorkTree::new(root);
    let model = load(&source).expect("loads").discussion;
    let zone = TimeZone::UTC;
    let mut compared = 0;
    for text in [
        "the",
        "release",
        "\"we could\"",
        "deploy in:reply",
        "tag:process in:reply",
        "in:decision tag:process",
        "in:thread status:closed",
        "status:open tag:process",
        "in:decision",
        "after:2025-06-01 before:2025-09-01 review",
        "status:accepted",
    ] {
        let query = Query::parse(text, &zone).expect("a query");
        let streamed = search(&source, &query, &Parallelism::Global).expect("searches");
        let sequential = search(&source, &query, &Parallelism::Sequential).expect("searches");
        assert_eq!(streamed, sequential, "{text}");
        let pooled = search_work_tree(root, &query, &Parallelism::Global).expect("searches");
        assert_eq!(streamed, pooled, "{text}");
        assert_eq!(streamed, search_discussion(&model, &query), "{text}");
        compared += streamed.len();
    }
    assert!(compared > 100, "the queries found something: {compared}");
}

#[test]
fn on_a_terminal_the_matches_are_highlighted_and_escapes_stay_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    crate::support::copy_tree(&example(), &root);
    // A reply whose matching line carries a terminal escape: shown as `\u{1b}`, never sent.
    let thread = root.join("threads/2026-11-23-holiday-coverage");
    std::fs::write(
        thread.join("01M99Z0000000000000000000A.md"),
        "---\nid: 01M99Z0000000000000000000A\nauthor: Ana Lima <ana.lima@example.org>\n\
         date: 2026-11-30T10:00:00Z\n---\nThe zebracrossing \u{1b}[2J plan.\n",
    )
    .expect("write");
    let on_terminal = |color: bool| {
        let command = format!(
            "{} -C {} search zebracrossing",
            env!("CARGO_BIN_EXE_longhand"),
            root.display()
        );
        let home = tempfile::tempdir().expect("temp home");
        let mut script = std::process::Command::new("script");
        script.args(["-qec", &command, "/dev/null"]);
        crate::support::isolate(&mut script, home.path());
        if color {
            script.env_remove("NO_COLOR");
        }
        let output = script.output().expect("util-linux script runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let shown = on_terminal(true);
    assert!(
        shown.contains("The \u{1b}[1;31mzebracrossing\u{1b}[0m \\u{1b}[2J plan."),
        "{shown:?}"
    );
    let plain = on_terminal(false);
    assert!(
        plain.contains("The zebracrossing \\u{1b}[2J plan."),
        "NO_COLOR: {plain:?}"
    );
}
