//! `longhand digest` in a real repository whose story is written with the real binary at fixed
//! times: since a date (the files' dates) and since a revision (the trees), in every format,
//! for a person, in a bare repository, and the mistakes.

use std::path::Path;

use serde_json::Value;

use crate::support::{
    commit_all, ending_in_newline, git, git_init, id, keys, longhand_with, ok, workspace, write,
    Run, CONFIG,
};

const NOW: &str = "2026-11-26T09:00:00Z";

fn as_ana(d: &Path, at: &str, args: &[&str]) -> Run {
    ok(longhand_with(
        d,
        args,
        &[("LONGHAND_NOW", at), ("TZ", "America/Sao_Paulo")],
    ))
}

fn as_jonas(d: &Path, at: &str, args: &[&str]) -> Run {
    ok(longhand_with(
        d,
        args,
        &[
            ("LONGHAND_NOW", at),
            ("TZ", "Europe/Berlin"),
            ("GIT_AUTHOR_NAME", "Jonas Weber"),
            ("GIT_AUTHOR_EMAIL", "jonas@example.org"),
        ],
    ))
}

/// Jonas reads at `NOW` in Berlin.
fn digest(d: &Path, args: &[&str]) -> Run {
    let mut all = vec!["digest"];
    all.extend_from_slice(args);
    longhand_with(
        d,
        &all,
        &[
            ("LONGHAND_NOW", NOW),
            ("TZ", "Europe/Berlin"),
            ("GIT_AUTHOR_NAME", "Jonas Weber"),
            ("GIT_AUTHOR_EMAIL", "jonas@example.org"),
        ],
    )
}

/// A week of discussion; returns the repository and the commit Jonas last read.
fn story() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    write(&d.join("longhand.yaml"), CONFIG);
    commit_all(d, "start");
    as_ana(
        d,
        "2026-11-20T10:00:00Z",
        &[
            "thread",
            "new",
            "Async standups?",
            "-m",
            "Shall we write our standups?",
            "--await",
            "jonas",
        ],
    );
    as_jonas(
        d,
        "2026-11-21T09:00:00Z",
        &["reply", "async", "-m", "Yes, let us try."],
    );
    as_ana(
        d,
        "2026-11-21T10:00:00Z",
        &[
            "decision",
            "new",
            "Written standups",
            "--thread",
            "async",
            "--decider",
            "ana",
            "--decider",
            "jonas",
            "--review-by",
            "2026-11-24T08:00:00Z",
            "-m",
            "## Context\n\nWe write.\n",
        ],
    );
    let read = git(d, &["rev-parse", "HEAD"]).trim().to_owned();
    // What happened since Jonas last read.
    as_ana(
        d,
        "2026-11-23T13:00:00Z",
        &[
            "reply",
            "async",
            "--vote",
            "+1",
            "-m",
            "Here is the proposal: written standups from December.\n\nSecond paragraph.\n",
        ],
    );
    as_ana(
        d,
        "2026-11-24T09:00:00Z",
        &["decision", "accept", "written"],
    );
    as_ana(d, "2026-11-24T10:00:00Z", &["thread", "resolve", "async"]);
    as_ana(
        d,
        "2026-11-25T10:00:00Z",
        &[
            "thread",
            "new",
            "Retro <script>alert(1)</script> format",
            "-m",
            "What should our **retro** look like, @jonas?",
        ],
    );
    as_ana(
        d,
        "2026-11-25T11:00:00Z",
        &[
            "decision",
            "new",
            "Retro every Friday",
            "--thread",
            "retro",
            "--decider",
            "jonas",
            "-m",
            "## Context\n\nFridays.\n",
        ],
    );
    // A reply whose author's clock ran a week slow, committed today.
    let slug = std::fs::read_dir(d.join("threads"))
        .expect("threads")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|s| s.contains("async"))
        .expect("the thread");
    write(
        &d.join(format!("threads/{slug}/{}.md", id(7))),
        format!(
            "---\nid: {}\nauthor: Jonas Weber <jonas@example.org>\ndate: 2026-11-19T08:00:00+01:00\n---\nSent from a train with a stale clock.\n",
            id(7)
        ),
    );
    commit_all(d, "late reply");
    (dir, read)
}

/// `text` with each id the story's writing commands made (random in part) replaced by
/// `<id N>`, numbered in order of first appearance, so equal ids stay equal.
fn numbered_ids(text: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::new();
    for (index, part) in text.split('"').enumerate() {
        if index > 0 {
            out.push('"');
        }
        let is_id = part.len() == 26
            && part.starts_with("01")
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        if is_id {
            let n = match seen.iter().position(|s| *s == part) {
                Some(n) => n,
                None => {
                    seen.push(part);
                    seen.len() - 1
                }
            };
            out.push_str(&format!("<id {}>", n + 1));
        } else {
            out.push_str(part);
        }
    }
    out
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("one JSON object")
}

#[test]
fn since_a_revision_the_trees_show_backdated_replies_and_status_changes() {
    let (dir, read) = story();
    let d = dir.path();
    let run = digest(d, &["--since", &read]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &run.stdout;
    // A hash given in full is shown short; the commit's hash differs from run to run.
    let short = &read[..7];
    assert!(text.contains(&format!(" since {short}, ")), "{text}");
    assert!(!text.contains(&read), "{text}");
    insta::assert_snapshot!(ending_in_newline(&text.replace(short, "<revision>")));
    assert_eq!(
        digest(d, &["--since", &read]).stdout,
        *text,
        "deterministic"
    );
    // The same window by date misses the reply with the stale clock and the threads' status
    // changes, and lists decisions proposed in it or decided in it (by `decided`), with their
    // status now.
    let by_date = digest(d, &["--since", "2026-11-22"]);
    assert_eq!(by_date.code, 0, "{}", by_date.stderr);
    assert!(
        by_date.stdout.contains("since Sun 22 Nov 00:00"),
        "{}",
        by_date.stdout
    );
    assert!(
        by_date.stdout.contains("\nNew replies (1 in 1 thread)\n"),
        "{}",
        by_date.stdout
    );
    assert!(
        !by_date.stdout.contains("stale clock"),
        "{}",
        by_date.stdout
    );
    assert!(
        !by_date.stdout.contains("Threads resolved"),
        "{}",
        by_date.stdout
    );
    assert!(
        by_date
            .stdout
            .contains("\nDecisions (2)\n\n  • proposed: Retro every Friday\n"),
        "{}",
        by_date.stdout
    );
    assert!(
        by_date.stdout.contains(
            "  • accepted: Written standups\n    2026-11-21-written-standups · was proposed\n"
        ),
        "the acceptance of an older proposal, by its `decided`: {}",
        by_date.stdout
    );
    // A span back from now means the same as the date it lands on.
    let span = digest(d, &["--since", "4d"]);
    let four_days = digest(d, &["--since", "2026-11-22T09:00:00Z"]);
    assert_eq!(span.stdout, four_days.stdout);
}

#[test]
fn times_follow_the_reader_zone_and_for_names_whose_section_it_is() {
    let (dir, read) = story();
    let d = dir.path();
    let tokyo = longhand_with(
        d,
        &["digest", "--since", &read, "--for", "ana"],
        &[("LONGHAND_NOW", NOW), ("TZ", "Asia/Tokyo")],
    );
    assert_eq!(tokyo.code, 0, "{}", tokyo.stderr);
    assert!(
        tokyo
            .stdout
            .contains("Ana Lima, Mon 23 Nov 22:00 (10:00 their time) · votes +1"),
        "{}",
        tokyo.stdout
    );
    assert!(
        tokyo.stdout.contains("until Thu 26 Nov 18:00 (Asia/Tokyo)"),
        "{}",
        tokyo.stdout
    );
    assert!(
        !tokyo.stdout.contains("Waiting for"),
        "nothing waits for Ana:\n{}",
        tokyo.stdout
    );
    assert!(tokyo.stdout.starts_with(
        "Subject: [Test team] 1 new thread, 2 replies, 2 decisions, 1 thread status change since"
    ));
}

#[test]
fn markdown_html_and_json_carry_the_same_digest_safely() {
    let (dir, read) = story();
    let d = dir.path();
    let md = digest(d, &["--since", &read, "--format", "md"]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        md.stdout.starts_with("# \\[Test team\\] 1 new thread"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains("\n## New replies (2 in 1 thread)\n"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("**Retro \\<script\\>alert(1)\\</script\\> format**"),
        "{}",
        md.stdout
    );
    insta::assert_snapshot!(
        "markdown",
        ending_in_newline(&md.stdout.replace(&read[..7], "<revision>"))
    );
    let html = digest(d, &["--since", &read, "--format", "html"]);
    assert_eq!(html.code, 0, "{}", html.stderr);
    let page = &html.stdout;
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n"),
        "{page}"
    );
    assert!(
        page.contains("Retro &lt;script&gt;alert(1)&lt;/script&gt; format"),
        "{page}"
    );
    for banned in [
        "<script",
        "<style",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "javascript:",
        "onerror",
        "onload",
    ] {
        assert!(
            !page.to_ascii_lowercase().contains(banned),
            "{banned} in\n{page}"
        );
    }
    assert!(page.trim_end().ends_with("</html>"));
    insta::assert_snapshot!(
        "html",
        ending_in_newline(&page.replace(&read[..7], "<revision>"))
    );
    let whole = digest(d, &["--since", &read, "--format", "json"]);
    let shown = whole
        .stdout
        .replace(&read, "<commit>")
        .replace(&read[..7], "<commit>");
    insta::assert_snapshot!("json", ending_in_newline(&numbered_ids(&shown)));
    let value = json(&whole);
    assert_eq!(value["schema"], "longhand/digest/v1");
    assert_eq!(value["since"]["revision"], read.as_str());
    assert_eq!(
        value["replies"][0]["messages"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(value["decisions"][1]["event"], "changed");
    assert_eq!(value["decisions"][1]["from"], "proposed");
    assert_eq!(value["thread_changes"][0]["status"], "resolved");
    assert_eq!(value["waiting"]["person"]["handle"], "jonas");
    assert_eq!(
        value["waiting"]["votes"][0]["slug"],
        "2026-11-25-retro-every-friday"
    );
    let by_date = json(&digest(d, &["--since", "2026-11-22", "--format", "json"]));
    assert_eq!(by_date["since"]["instant"], "2026-11-21T23:00:00Z");
    // Every field is documented.
    let doc = std::fs::read_to_string(workspace().join("docs/cli-json.md")).expect("doc");
    assert!(doc.contains("`longhand/digest/v1`"));
    let mut found = std::collections::BTreeSet::new();
    keys(&value, &mut found);
    for key in found {
        assert!(doc.contains(&format!("`{key}`")), "`{key}` is documented");
    }
}

#[test]
fn a_bare_repository_compares_two_revisions_and_mistakes_exit_2() {
    let (dir, read) = story();
    let bare = tempfile::tempdir().expect("tempdir");
    git(
        bare.path(),
        &["clone", "-q", "--bare", &dir.path().to_string_lossy(), "."],
    );
    let run = digest(
        bare.path(),
        &["--since", &read, "--rev", "main", "--for", "jonas"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, digest(dir.path(), &["--since", &read]).stdout);
    let wrong = digest(dir.path(), &["--since", "last-tuesday"]);
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stderr
            .contains("is neither a time nor a git revision"),
        "{}",
        wrong.stderr
    );
    assert!(
        wrong.stderr.contains("help: give a timestamp"),
        "{}",
        wrong.stderr
    );
    let nobody = digest(dir.path(), &["--since", "7d", "--for", "nobody"]);
    assert_eq!(nobody.code, 2, "{}", nobody.stderr);
}

/// Payloads that, if any reached the page as markup, would mark the page when it loads.
const PAYLOADS: &[&str] = &[
    "<script>document.body.dataset.pwned=1</script>",
    "<img src=x onerror=\"document.body.dataset.pwned=1\">",
    "<svg onload=\"document.body.dataset.pwned=1\"></svg>",
    "<iframe srcdoc=\"<script>parent.document.body.dataset.pwned=1</script>\"></iframe>",
    "<body onload=\"document.body.dataset.pwned=1\">",
    "<details open ontoggle=\"document.body.dataset.pwned=1\">",
    "[click](javascript:document.body.dataset.pwned=1)",
    "![x](javascript:document.body.dataset.pwned=1)",
    "<a href=\"javascript:document.body.dataset.pwned=1\">a</a>",
    "\"><script>document.body.dataset.pwned=1</script>",
    "'><img src=x onerror=document.body.dataset.pwned=1>",
    "<style>@import 'javascript:document.body.dataset.pwned=1'</style>",
    "<math><mtext><img src=x onerror=document.body.dataset.pwned=1></mtext></math>",
    "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;",
    "<object data=\"javascript:document.body.dataset.pwned=1\"></object>",
];

#[test]
fn the_html_digest_runs_nothing_from_the_messages_in_chromium() {
    let Some(chromium) = crate::browser::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    let hostile_name = PAYLOADS[1].replace('"', "'");
    write(
        &d.join("longhand.yaml"),
        format!(
            "longhand: 1\ntitle: \"{}\"\npeople:\n  jonas:\n    name: \"{hostile_name}\"\n    emails: [jonas@example.org]\n",
            PAYLOADS[2].replace('"', "'")
        ),
    );
    for (n, payload) in PAYLOADS.iter().enumerate() {
        let slug = format!("t{n}");
        let title = payload.replace('"', "'");
        write(
            &d.join(format!("threads/{slug}/thread.md")),
            format!(
                "---\nid: {}\ntitle: \"{title}\"\nauthor: Jonas Weber <jonas@example.org>\ndate: 2026-11-25T10:00:00Z\nstatus: open\nawaiting: [jonas]\n---\n{payload}\n",
                id(100 + n)
            ),
        );
        write(
            &d.join(format!("threads/{slug}/{}.md", id(200 + n))),
            format!(
                "---\nid: {}\nauthor: \"{title} <x{n}@example.org>\"\ndate: 2026-11-25T11:00:00Z\n---\n{payload}\n\nMore: {payload}\n",
                id(200 + n)
            ),
        );
    }
    commit_all(d, "hostile");
    let run = digest(
        d,
        &[
            "--since",
            "2026-11-20",
            "--for",
            "jonas",
            "--format",
            "html",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = d.join("digest.html");
    std::fs::write(&page, &run.stdout).expect("write the page");
    let dom = crate::browser::dump_dom(&chromium, &page);
    assert!(dom.contains("</body>"), "Chromium loaded the page:\n{dom}");
    assert!(!dom.contains("data-pwned"), "a payload ran:\n{dom}");
    for element in [
        "<script", "<img", "<svg", "<iframe", "<a ", "<object", "<style", "<math", "<details",
    ] {
        assert!(!dom.contains(element), "{element} reached the DOM:\n{dom}");
    }
    assert!(
        dom.contains("&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"),
        "payloads are shown as text"
    );
}

#[test]
fn a_discussion_in_a_sub_directory_of_a_bare_repository_is_found_with_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    crate::support::small_discussion(&d.join("team"));
    commit_all(d, "start");
    write(
        &d.join(format!("team/threads/async-standups/{}.md", id(9))),
        crate::support::reply_md(&id(9), "", "A second thought.\n"),
    );
    commit_all(d, "reply");
    let bare = tempfile::tempdir().expect("tempdir");
    git(
        bare.path(),
        &["clone", "-q", "--bare", &d.to_string_lossy(), "."],
    );
    let run = digest(
        bare.path(),
        &[
            "--since", "main~1", "--rev", "main", "--root", "team", "--for", "ana",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("\nNew replies (1 in 1 thread)\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("> A second thought."), "{}", run.stdout);
    // From the clone, the root is found in the work tree.
    let clone = digest(&d.join("team"), &["--since", "main~1", "--for", "ana"]);
    assert_eq!(clone.stdout, run.stdout);
}

#[test]
fn with_site_url_every_thread_and_decision_links_to_its_rendered_page() {
    let (dir, read) = story();
    let d = dir.path();
    let base = "https://example.org/team/";
    let html = digest(
        d,
        &["--since", &read, "--site-url", base, "--format", "html"],
    );
    assert_eq!(html.code, 0, "{}", html.stderr);
    let text = digest(d, &["--since", &read, "--site-url", base]);
    let md = digest(d, &["--since", &read, "--site-url", base, "--format", "md"]);
    let site = tempfile::tempdir().expect("tempdir");
    let out = site.path().join("site");
    ok(longhand_with(
        d,
        &["render", "--out", out.to_str().expect("utf-8")],
        &[("LONGHAND_NOW", NOW)],
    ));
    let mut linked = 0;
    for piece in html.stdout.split("href=\"").skip(1) {
        let url = piece.split('"').next().expect("a closing quote");
        let page = url.strip_prefix(base).expect("under the base URL");
        assert!(
            out.join(page).is_file(),
            "{page} is a page of the rendered site"
        );
        assert!(
            text.stdout.contains(&format!("<{url}>")),
            "{url} in the text"
        );
        assert!(
            md.stdout.contains(&format!("](<{url}>)")),
            "{url} in the Markdown"
        );
        linked += 1;
    }
    // Waiting (2), new thread, reply group, decisions (2), thread change.
    assert_eq!(linked, 7, "{}", html.stdout);
    let bad = digest(d, &["--since", &read, "--site-url", "javascript:alert(1)"]);
    assert_eq!(bad.code, 2);
}
