//! The writing commands, run as people run them: the real binary in real git repositories,
//! with real identities, an editor, staged work of the user's own, and git merging with the
//! registered driver.

use std::fs;
use std::path::Path;

use longhand::model::{DecisionStatus, ThreadStatus};
use longhand::{load, WorkTree};

use crate::support::{git, git_init, longhand, longhand_with, ok};

const JONAS: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Jonas Weber"),
    ("GIT_AUTHOR_EMAIL", "jonas@example.org"),
    ("TZ", "Europe/Berlin"),
];

fn validates(dir: &Path) {
    let run = longhand(dir, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("ok: 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

/// A fresh repository with a discussion started by Ana.
fn started() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    ok(longhand_with(
        dir.path(),
        &["init", "--title", "Acme: async"],
        &[("TZ", "America/Sao_Paulo")],
    ));
    dir
}

fn subjects(dir: &Path) -> Vec<String> {
    git(dir, &["log", "--format=%an|%s"])
        .lines()
        .rev()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_whole_story_from_init_to_a_resolved_thread() {
    let dir = started();
    let d = dir.path();
    validates(d);
    ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Async standups?",
            "-m",
            "Shall we write our standups?",
            "--tag",
            "process",
            "--await",
            "ana",
            "--respond-by",
            "3d",
        ],
    ));
    validates(d);
    ok(longhand_with(
        d,
        &["reply", "async", "-m", "Only after the release."],
        JONAS,
    ));
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let first_reply = loaded.discussion.threads[0].replies[0].stem.clone();
    ok(longhand(
        d,
        &[
            "reply",
            "async",
            "--to",
            &first_reply[..10],
            "-m",
            "Fair: after the release then.",
        ],
    ));
    ok(longhand(
        d,
        &[
            "decision",
            "new",
            "Written standups",
            "--thread",
            "async",
            "--decider",
            "ana",
            "--decider",
            "jonas@example.org",
            // A review period that has already ended: the decision is ready once no decider
            // objects.
            "--review-by",
            "2026-01-01",
            "-m",
            "## Context\nThe call is at 07:00 in São Paulo.",
        ],
    ));
    validates(d);
    ok(longhand_with(
        d,
        &[
            "reply",
            "async",
            "--vote",
            "-1",
            "-m",
            "Not before the release.",
        ],
        JONAS,
    ));
    ok(longhand_with(d, &["reply", "async", "--vote", "+1"], JONAS));
    ok(longhand(
        d,
        &["reply", "async", "--vote", "+1", "-m", "Agreed."],
    ));
    ok(longhand(d, &["decision", "accept", "written"]));
    ok(longhand(
        d,
        &[
            "thread",
            "resolve",
            "async",
            "-m",
            "Decided: written standups from December.",
        ],
    ));
    validates(d);

    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = &loaded.discussion.threads[0];
    assert_eq!(thread.status, ThreadStatus::Resolved);
    assert_eq!(thread.replies.len(), 6);
    let answer = thread
        .replies
        .iter()
        .find(|m| m.body.starts_with("Fair"))
        .expect("the answer");
    assert_eq!(answer.reply_to.as_deref(), Some(first_reply.as_str()));
    let jonas = thread
        .replies
        .iter()
        .find(|m| m.body.starts_with("Only"))
        .expect("Jonas");
    assert_eq!(jonas.author.to_string(), "Jonas Weber <jonas@example.org>");
    assert_eq!(
        jonas.date.offset.seconds(),
        3600,
        "written with the author's own offset"
    );
    let decision = &loaded.discussion.decisions[0];
    assert_eq!(decision.status, DecisionStatus::Accepted);
    assert_eq!(decision.thread.as_deref(), Some(thread.slug.as_str()));

    let slug = &thread.slug;
    let decision_slug = &decision.slug;
    assert_eq!(
        subjects(d),
        vec![
            "Ana Lima|longhand: start a discussion".to_owned(),
            format!("Ana Lima|thread({slug}): open \"Async standups?\""),
            format!("Jonas Weber|reply({slug}): Jonas Weber"),
            format!("Ana Lima|reply({slug}): Ana Lima"),
            format!("Ana Lima|decision({decision_slug}): propose \"Written standups\""),
            format!("Jonas Weber|reply({slug}): Jonas Weber votes -1"),
            format!("Jonas Weber|reply({slug}): Jonas Weber votes +1"),
            format!("Ana Lima|reply({slug}): Ana Lima votes +1"),
            format!("Ana Lima|decision({decision_slug}): accept"),
            format!("Ana Lima|thread({slug}): resolve"),
        ]
    );
    assert_eq!(
        git(d, &["status", "--porcelain"]),
        "",
        "nothing left uncommitted"
    );
}

#[test]
fn the_commit_holds_only_the_written_files_and_no_commit_only_stages() {
    let dir = started();
    let d = dir.path();
    fs::write(d.join("notes.txt"), "my own work\n").expect("write");
    git(d, &["add", "notes.txt"]);
    let run = ok(longhand(
        d,
        &["thread", "new", "Retro", "-m", "How did it go?"],
    ));
    assert!(run.stdout.contains("committed "), "{}", run.stdout);
    let files = git(d, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(
        files.trim(),
        "threads/2026-11-24-retro/thread.md".replace("2026-11-24", &today(d))
    );
    assert_eq!(
        git(d, &["status", "--porcelain"]),
        "A  notes.txt\n",
        "the user's staged file stays staged"
    );

    let before = git(d, &["rev-parse", "HEAD"]);
    let run = ok(longhand(
        d,
        &["reply", "retro", "--no-commit", "-m", "Good."],
    ));
    assert!(
        run.stdout.contains("staged, not committed"),
        "{}",
        run.stdout
    );
    assert_eq!(git(d, &["rev-parse", "HEAD"]), before);
    let status = git(d, &["status", "--porcelain"]);
    assert!(
        status.lines().any(|l| l.starts_with("A  threads/")),
        "{status}"
    );
}

fn today(dir: &Path) -> String {
    let loaded = load(&WorkTree::new(dir)).expect("loads");
    loaded.discussion.threads[0].slug[..10].to_owned()
}

#[test]
fn without_text_the_editor_opens_and_an_empty_text_aborts() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Tooling", "-m", "Which bot?"],
    ));
    let editor = "printf 'Written in the editor.\\n' >";
    let run = ok(longhand_with(
        d,
        &["reply", "tooling"],
        &[("EDITOR", editor), ("VISUAL", "")],
    ));
    let path = run
        .stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("wrote "))
        .expect("a path");
    let text = fs::read_to_string(d.join(path)).expect("read");
    assert!(text.ends_with("---\nWritten in the editor.\n"), "{text}");

    let head = git(d, &["rev-parse", "HEAD"]);
    let run = longhand_with(
        d,
        &["reply", "tooling"],
        &[("EDITOR", "true"), ("VISUAL", "")],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("aborted: the text is empty"),
        "{}",
        run.stderr
    );
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head, "nothing committed");
    assert_eq!(git(d, &["status", "--porcelain"]), "", "nothing written");
}

#[test]
fn init_in_a_sub_directory_registers_the_driver_and_runs_twice_harmlessly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    fs::create_dir_all(d.join("src")).expect("mkdir");
    fs::write(d.join("src/main.rs"), "fn main() {}\n").expect("write");
    ok(longhand(d, &["-C", "docs/talk", "init"]));
    assert_eq!(
        git(d, &["config", "merge.longhand.driver"]).trim(),
        "longhand merge-driver %O %A %B %P --marker-size %L"
    );
    let attributes = fs::read_to_string(d.join("docs/talk/.gitattributes")).expect("read");
    assert!(
        attributes.contains("threads/*/thread.md merge=longhand\n"),
        "{attributes}"
    );
    let config = fs::read_to_string(d.join("docs/talk/longhand.yaml")).expect("read");
    assert!(config.contains("title: talk\n"), "{config}");
    assert!(config.contains("emails: [ana@example.org]"), "{config}");
    let commits = git(d, &["rev-list", "--count", "HEAD"]);
    let again = ok(longhand(
        d,
        &["-C", "docs/talk", "init", "--title", "Other"],
    ));
    assert!(
        again.stdout.contains("kept longhand.yaml"),
        "{}",
        again.stdout
    );
    assert_eq!(
        fs::read_to_string(d.join("docs/talk/longhand.yaml")).expect("read"),
        config
    );
    assert_eq!(
        git(d, &["rev-list", "--count", "HEAD"]),
        commits,
        "no new commit"
    );
    assert_eq!(
        git(d, &["status", "--porcelain"]),
        "?? src/\n",
        "the code is untouched"
    );
    ok(longhand(
        &d.join("docs/talk"),
        &[
            "thread",
            "new",
            "Code review rota",
            "-m",
            "Who reviews what?",
        ],
    ));
    validates(&d.join("docs/talk"));
}

#[test]
fn mistakes_exit_2_with_what_to_do_and_write_nothing() {
    let dir = started();
    let d = dir.path();
    ok(longhand(d, &["thread", "new", "Planning", "-m", "Q1?"]));
    ok(longhand(d, &["thread", "new", "Planning", "-m", "Again?"]));
    let head = git(d, &["rev-parse", "HEAD"]);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["thread", "new", "X", "-m", "y", "--await", "zed"],
            "`zed` is neither a handle",
            "use a handle",
        ),
        (
            &["thread", "new", "X", "-m", "y", "--respond-by", "soon"],
            "`soon` is not a deadline",
            "span from now",
        ),
        (
            &["thread", "new", "X", "-m", "y", "--tag", "Big Tag"],
            "not a valid tag",
            "--help",
        ),
        (
            &["reply", "plan", "-m", "x"],
            "matches 2 threads",
            "type more",
        ),
        (
            &["reply", "nothing", "-m", "x"],
            "no thread has the slug or id",
            "longhand list",
        ),
        (
            &["reply", "planning-2", "--vote", "-1", "-m", ""],
            "a -1 vote needs a reason",
            "objection must say why",
        ),
        (
            &["thread", "reopen", "planning-2"],
            "is open; it cannot become open",
            "open → resolved",
        ),
        (
            &["reply", "planning-2", "--vote", "+2"],
            "is not a vote",
            "",
        ),
    ];
    for (args, message, hint) in cases {
        let run = longhand(d, args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(hint), "{args:?}: {}", run.stderr);
    }
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(d, &["status", "--porcelain"]), "");
}

#[test]
fn without_a_git_identity_writing_stops_with_a_hint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    let run = longhand_with(
        d,
        &["init"],
        &[("GIT_AUTHOR_NAME", ""), ("GIT_AUTHOR_EMAIL", "")],
    );
    assert_eq!(
        run.code, 0,
        "init works, it just lists nobody: {}",
        run.stderr
    );
    let run = longhand_with(
        d,
        &["thread", "new", "X", "-m", "y"],
        &[("GIT_AUTHOR_NAME", ""), ("GIT_AUTHOR_EMAIL", "")],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no git identity"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git config user.name"),
        "{}",
        run.stderr
    );
}

#[test]
fn completions_exist_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef longhand"),
        ("fish", "complete -c longhand"),
    ] {
        let run = ok(longhand(dir.path(), &["completions", shell]));
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        assert!(run.stdout.contains("validate"), "{shell}");
    }
}

#[test]
fn every_command_has_help_with_an_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let commands: &[&[&str]] = &[
        &["validate"],
        &["init"],
        &["thread", "new"],
        &["thread", "edit"],
        &["thread", "resolve"],
        &["thread", "close"],
        &["thread", "reopen"],
        &["thread", "merge"],
        &["hook", "install"],
        &["reply"],
        &["decision", "new"],
        &["decision", "accept"],
        &["decision", "reject"],
        &["decision", "withdraw"],
        &["decision", "supersede"],
        &["merge-driver"],
        &["completions"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let run = ok(longhand(dir.path(), &args));
        assert!(
            run.stdout.contains("Example"),
            "{command:?} --help has no example:\n{}",
            run.stdout
        );
    }
}

#[test]
fn the_merge_driver_writes_ours_and_exits_1_on_a_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let write = |name: &str, text: &str| fs::write(d.join(name), text).expect("write");
    write("base", "---\ntitle: A\nstatus: open\n---\nbody\n");
    write("ours", "---\ntitle: B\nstatus: open\n---\nbody\n");
    write("theirs", "---\ntitle: A\nstatus: open\n---\nbody, edited\n");
    ok(longhand(
        d,
        &["merge-driver", "base", "ours", "theirs", "thread.md", "7"],
    ));
    assert_eq!(
        fs::read_to_string(d.join("ours")).expect("read"),
        "---\ntitle: B\nstatus: open\n---\nbody, edited\n"
    );
    write("ours", "---\ntitle: B\nstatus: open\n---\nbody\n");
    write("theirs", "---\ntitle: C\nstatus: open\n---\nbody\n");
    let run = longhand(
        d,
        &[
            "merge-driver",
            "base",
            "ours",
            "theirs",
            "thread.md",
            "--marker-size",
            "9",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("1 conflict(s) in thread.md"),
        "{}",
        run.stderr
    );
    let merged = fs::read_to_string(d.join("ours")).expect("read");
    assert!(
        merged.contains("<<<<<<<<< ours\ntitle: B\n=========\ntitle: C\n>>>>>>>>> theirs\n"),
        "{merged}"
    );
}

#[test]
fn ten_replies_at_once_all_land_and_nothing_is_lost() {
    let dir = started();
    let d = dir.path().to_path_buf();
    ok(longhand(
        &d,
        &["thread", "new", "Busy", "-m", "Everyone answer at once."],
    ));
    let handles: Vec<_> = (0..10)
        .map(|n| {
            let d = d.clone();
            std::thread::spawn(move || {
                longhand(&d, &["reply", "busy", "-m", &format!("Reply {n}.")])
            })
        })
        .collect();
    for handle in handles {
        ok(handle.join().expect("the thread finishes"));
    }
    let loaded = load(&WorkTree::new(&d)).expect("loads");
    let mut bodies: Vec<String> = loaded.discussion.threads[0]
        .replies
        .iter()
        .map(|m| m.body.clone())
        .collect();
    bodies.sort();
    let mut expected: Vec<String> = (0..10).map(|n| format!("Reply {n}.\n")).collect();
    expected.sort();
    assert_eq!(bodies, expected);
    assert_eq!(
        git(&d, &["rev-list", "--count", "HEAD"]).trim(),
        "12",
        "init, thread, 10 replies"
    );
    assert_eq!(git(&d, &["status", "--porcelain"]), "");
    git(&d, &["fsck", "--no-dangling"]);
    validates(&d);
}

#[test]
fn strings_that_look_like_numbers_round_trip() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &[
            "thread", "new", "0b101", "-m", "Binary?", "--tag", "0b101", "--tag", "12345",
        ],
    ));
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let thread = &loaded.discussion.threads[0];
    assert_eq!(thread.title, "0b101");
    assert_eq!(thread.tags, ["0b101", "12345"]);
    let run = ok(longhand(d, &["list", "--tag", "0b101"]));
    assert!(run.stdout.contains("0b101"), "{}", run.stdout);
}

#[test]
fn init_quotes_a_numeric_handle() {
    let dir = tempfile::tempdir().expect("tempdir");
    git_init(dir.path());
    ok(longhand_with(
        dir.path(),
        &["init"],
        &[("GIT_AUTHOR_EMAIL", "12345@example.org")],
    ));
    validates(dir.path());
}

#[test]
fn a_file_with_your_own_uncommitted_changes_is_not_rewritten() {
    let dir = started();
    let d = dir.path();
    ok(longhand(d, &["thread", "new", "Drafts", "-m", "Body."]));
    let path = d.join(format!("threads/{}-drafts/thread.md", today(d)));
    let mut text = fs::read_to_string(&path).expect("read");
    text.push_str("DRAFT LINE NOT MEANT TO COMMIT\n");
    fs::write(&path, &text).expect("write");
    let head = git(d, &["rev-parse", "HEAD"]);
    let run = longhand(d, &["thread", "edit", "drafts", "--add-tag", "x"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("has changes of your own"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git stash"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        text,
        "the draft is untouched"
    );
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
}

#[test]
fn awaiting_compares_people_and_an_edit_that_changes_nothing_is_refused() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Await",
            "-m",
            "b",
            "--await",
            "ana@example.org",
        ],
    ));
    let run = longhand(d, &["thread", "edit", "await", "--await", "ana"]);
    assert_eq!(run.code, 2, "ana is ana@example.org: {}", run.stdout);
    assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    ok(longhand(
        d,
        &["thread", "edit", "await", "--unawait", "ana"],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    assert!(loaded.discussion.threads[0].awaiting.is_empty());
    let run = longhand(
        d,
        &["thread", "edit", "await", "--remove-tag", "never-there"],
    );
    assert_eq!(run.code, 2);
    assert_eq!(git(d, &["status", "--porcelain"]), "");
}

#[test]
fn init_inside_a_discussion_is_refused() {
    let dir = started();
    let run = longhand(&dir.path().join("threads"), &["init"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("is inside the discussion at"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("threads/longhand.yaml").exists());
    validates(dir.path());
}

#[test]
fn bad_arguments_are_caught_before_the_editor_opens() {
    let dir = started();
    let d = dir.path();
    let marker = d.join(".git/editor-ran");
    let editor = format!("touch {} && printf 'text\\n' >", marker.display());
    let env = [("EDITOR", editor.as_str()), ("VISUAL", "")];
    for args in [
        &["thread", "new", "T", "--await", "nobody"][..],
        &["decision", "new", "D", "--decider", "nobody"][..],
        &["reply", "nothing-here"][..],
    ] {
        let run = longhand_with(d, args, &env);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            !marker.exists(),
            "{args:?} opened the editor before checking its arguments"
        );
    }
}

#[test]
fn a_superseded_decision_can_gain_a_second_successor() {
    let dir = started();
    let d = dir.path();
    for title in ["Old way", "New way", "Newer way"] {
        ok(longhand(
            d,
            &[
                "decision",
                "new",
                title,
                "--decider",
                "ana",
                "--review-by",
                "2026-01-01",
                "-m",
                "## Context\nx",
            ],
        ));
        ok(longhand(
            d,
            &[
                "decision",
                "accept",
                &title.to_lowercase().replace(' ', "-"),
            ],
        ));
    }
    ok(longhand(
        d,
        &["decision", "supersede", "old-way", "--by", "new-way"],
    ));
    ok(longhand(
        d,
        &["decision", "supersede", "old-way", "--by", "newer-way"],
    ));
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let old = loaded.discussion.find_decision("old-way").expect("old");
    assert_eq!(old.status, DecisionStatus::Superseded);
    assert_eq!(old.superseded_by.len(), 2);
    let run = longhand(d, &["decision", "supersede", "old-way", "--by", "new-way"]);
    assert_eq!(run.code, 2, "already recorded");
}

#[test]
fn the_exact_words_of_a_dated_slug_win_over_longer_ones() {
    let dir = started();
    let d = dir.path();
    ok(longhand(d, &["thread", "new", "Retro", "-m", "a"]));
    ok(longhand(d, &["thread", "new", "Retro notes", "-m", "b"]));
    ok(longhand(d, &["reply", "retro", "-m", "to the first"]));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let retro = loaded.discussion.find_thread("retro").expect("found");
    assert_eq!(retro.title, "Retro");
    assert_eq!(retro.replies.len(), 1);
}

#[test]
fn a_fresh_clone_is_told_to_register_the_merge_driver() {
    let dir = started();
    let d = dir.path();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let clone = elsewhere.path().join("clone");
    git(
        elsewhere.path(),
        &["clone", "-q", &d.display().to_string(), "clone"],
    );
    let run = ok(longhand(
        &clone,
        &["thread", "new", "Cloned", "-m", "Hello."],
    ));
    assert!(
        run.stderr
            .contains("this clone has no Longhand merge driver"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("run `longhand hook install` once in this clone"),
        "{}",
        run.stderr
    );
    let run = ok(longhand(&clone, &["hook", "install"]));
    assert!(
        run.stdout.contains("registered the merge driver"),
        "{}",
        run.stdout
    );
    assert_eq!(
        git(&clone, &["status", "--porcelain"]),
        "",
        "only the config changes"
    );
    let run = ok(longhand(
        &clone,
        &["reply", "cloned", "-m", "Registered now."],
    ));
    assert_eq!(run.stderr, "");
}

#[test]
fn a_duplicate_thread_folds_into_another_and_both_validate() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Async standups", "-m", "Written standups?"],
    ));
    ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Standups again",
            "-m",
            "Same question, again.",
        ],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let dup = loaded
        .discussion
        .find_thread("standups-again")
        .expect("dup")
        .clone();
    ok(longhand_with(
        d,
        &["reply", "standups-again", "-m", "Yes please."],
        JONAS,
    ));
    let answer_to_opening_post = format!("--to={}", dup.id);
    ok(longhand(
        d,
        &[
            "reply",
            "standups-again",
            &answer_to_opening_post,
            "-m",
            "Explicitly to the post.",
        ],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let replies = loaded
        .discussion
        .find_thread("standups-again")
        .expect("dup")
        .replies
        .clone();
    let first = &replies[0];
    ok(longhand(
        d,
        &[
            "reply",
            "standups-again",
            "--to",
            &first.stem,
            "-m",
            "Nested.",
        ],
    ));
    let attachment = d.join(format!("threads/{}/{}/notes.txt", dup.slug, first.stem));
    fs::create_dir_all(attachment.parent().expect("dir")).expect("mkdir");
    fs::write(&attachment, "attached\n").expect("write");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "attachment"]);
    validates(d);
    let before: Vec<(String, Vec<u8>)> = load(&WorkTree::new(d))
        .expect("loads")
        .discussion
        .find_thread("standups-again")
        .expect("dup")
        .replies
        .iter()
        .map(|m| {
            (
                m.stem.clone(),
                fs::read(d.join(&m.origin.path)).expect("read"),
            )
        })
        .collect();

    let run = ok(longhand(d, &["thread", "merge", "standups-again", "async"]));
    assert!(run.stdout.contains("merge into"), "{}", run.stdout);
    validates(d);
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let into = loaded
        .discussion
        .find_thread("async-standups")
        .expect("into");
    let from = loaded
        .discussion
        .find_thread("standups-again")
        .expect("from");
    assert_eq!(from.status, ThreadStatus::Closed);
    assert_eq!(from.merged_into.as_deref(), Some(into.slug.as_str()));
    assert!(from.replies.is_empty());
    assert_eq!(into.replies.len(), 3);
    for (stem, bytes) in &before {
        let moved = d.join(format!("threads/{}/{stem}.md", into.slug));
        assert_eq!(
            &fs::read(moved).expect("moved"),
            bytes,
            "{stem} moved byte for byte"
        );
    }
    let moved_attachment = d.join(format!("threads/{}/{}/notes.txt", into.slug, first.stem));
    assert_eq!(
        fs::read_to_string(moved_attachment).expect("moved"),
        "attached\n"
    );
    assert!(!d
        .join(format!("threads/{}/{}", dup.slug, first.stem))
        .exists());
    assert_eq!(
        git(d, &["status", "--porcelain"]),
        "",
        "the move is committed"
    );
    let run = longhand(d, &["thread", "merge", "standups-again", "async"]);
    assert_eq!(run.code, 2, "merging twice is refused");
}

/// The reply file a writing command reported writing.
fn written_reply(run: &crate::support::Run) -> String {
    run.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("wrote "))
        .find(|p| p.ends_with(".md") && !p.ends_with("thread.md"))
        .expect("a reply written")
        .to_owned()
}

#[test]
fn reply_edit_by_its_author_sets_edited_and_commits_what_verify_accepts() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Tooling", "-m", "Which bot?"],
    ));
    let run = ok(longhand_with(
        d,
        &["reply", "tooling", "-m", "Renovate, on Tuesdays."],
        JONAS,
    ));
    let path = written_reply(&run);
    let stem = Path::new(&path)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a stem")
        .to_owned();
    let before = fs::read_to_string(d.join(&path)).expect("read");

    let run = ok(longhand_with(
        d,
        &[
            "reply",
            "edit",
            &stem[..12],
            "-m",
            "Renovate, on Wednesdays.",
        ],
        JONAS,
    ));
    assert!(
        run.stdout.contains(&format!("edits {stem}")),
        "{}",
        run.stdout
    );
    let after = fs::read_to_string(d.join(&path)).expect("read");
    assert!(
        after.ends_with("---\nRenovate, on Wednesdays.\n"),
        "{after}"
    );
    assert!(after.contains("\nedited: "), "{after}");
    // Everything else of the record is kept, line for line.
    for line in before.lines().take_while(|l| !l.starts_with("Renovate")) {
        assert!(after.contains(line), "{line} lost: {after}");
    }
    assert_eq!(git(d, &["status", "--porcelain"]), "");
    let slug = load(&WorkTree::new(d)).expect("loads").discussion.threads[0]
        .slug
        .clone();
    assert_eq!(
        git(d, &["log", "-1", "--format=%an|%s"]).trim(),
        format!("Jonas Weber|reply({slug}): Jonas Weber edits {stem}")
    );
    validates(d);
    ok(longhand(d, &["verify"]));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let reply = &loaded.discussion.threads[0].replies[0];
    assert!(reply.edited.is_some());
    assert_eq!(
        reply.body,
        "Renovate, on Wednesdays.
"
    );

    // The same text again changes nothing, and says so.
    let head = git(d, &["rev-parse", "HEAD"]);
    let run = longhand_with(
        d,
        &["reply", "edit", &stem, "-m", "Renovate, on Wednesdays."],
        JONAS,
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
}

#[test]
fn reply_edit_of_someone_elses_reply_is_refused_before_the_editor_opens() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Tooling", "-m", "Which bot?"],
    ));
    let run = ok(longhand_with(
        d,
        &["reply", "tooling", "-m", "Renovate."],
        JONAS,
    ));
    let path = written_reply(&run);
    let stem = path
        .rsplit('/')
        .next()
        .expect("name")
        .trim_end_matches(".md");
    let head = git(d, &["rev-parse", "HEAD"]);
    let marker = d.join(".git/editor-ran");
    let editor = format!("touch {} && printf 'text\\n' >", marker.display());
    // Ana is a moderator, and still may not rewrite Jonas's words.
    let run = longhand_with(
        d,
        &["reply", "edit", stem],
        &[("EDITOR", editor.as_str()), ("VISUAL", "")],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("may not edit reply"), "{}", run.stderr);
    assert!(run.stderr.contains("LH702"), "{}", run.stderr);
    assert!(run.stderr.contains("longhand redact"), "{}", run.stderr);
    assert!(!marker.exists(), "the editor opened before the refusal");
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(d, &["status", "--porcelain"]), "");

    // An unknown id is an error too.
    let run = longhand_with(d, &["reply", "edit", "ZZZZ", "-m", "x"], JONAS);
    assert_eq!(run.code, 2);
}

#[test]
fn reply_edit_opens_the_editor_on_the_current_text() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Tooling", "-m", "Which bot?"],
    ));
    let run = ok(longhand(
        d,
        &["reply", "tooling", "-m", "Renovate, weekly."],
    ));
    let path = written_reply(&run);
    let stem = path
        .rsplit('/')
        .next()
        .expect("name")
        .trim_end_matches(".md");
    // The editor sees the current text and rewrites one word of it.
    let seen = d.join(".git/seen");
    let script = d.join(".git/editor.sh");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\ncp \"$1\" {}\nsed -i 's/weekly/daily/' \"$1\"\n",
            seen.display()
        ),
    )
    .expect("write the editor");
    let editor = format!("sh {}", script.display());
    ok(longhand_with(
        d,
        &["reply", "edit", stem],
        &[("EDITOR", editor.as_str()), ("VISUAL", "")],
    ));
    let shown = fs::read_to_string(&seen).expect("the editor ran");
    assert!(shown.starts_with("Renovate, weekly.\n"), "{shown}");
    let after = fs::read_to_string(d.join(&path)).expect("read");
    assert!(after.ends_with("---\nRenovate, daily.\n"), "{after}");
    assert!(after.contains("\nedited: "), "{after}");
    ok(longhand(d, &["verify"]));

    // Leaving the text as it was changes nothing.
    let head = git(d, &["rev-parse", "HEAD"]);
    let run = longhand_with(
        d,
        &["reply", "edit", stem],
        &[("EDITOR", "true"), ("VISUAL", "")],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nothing to change"), "{}", run.stderr);
    assert_eq!(git(d, &["rev-parse", "HEAD"]), head);
}

#[test]
fn thread_link_sets_and_clears_the_decision_of_a_thread() {
    let dir = started();
    let d = dir.path();
    ok(longhand(
        d,
        &["thread", "new", "Standups", "-m", "Written?"],
    ));
    ok(longhand(
        d,
        &[
            "decision",
            "new",
            "Written standups",
            "--thread",
            "standups",
            "--decider",
            "ana",
            "-m",
            "Context.",
        ],
    ));
    let loaded = load(&WorkTree::new(d)).expect("loads");
    let decision = loaded.discussion.decisions[0].slug.clone();
    let thread_path = loaded.discussion.threads[0].origin.path.clone();

    ok(longhand(
        d,
        &["thread", "link", "standups", &decision[..14]],
    ));
    let text = fs::read_to_string(d.join(&thread_path)).expect("read");
    assert!(
        text.contains(&format!("\ndecision: {decision}\n")),
        "{text}"
    );
    validates(d);
    ok(longhand(d, &["verify"]));

    // A decision that does not exist is refused, and so is someone who is not the author.
    let run = longhand(d, &["thread", "link", "standups", "no-such-decision"]);
    assert_eq!(run.code, 2);
    let run = longhand_with(d, &["thread", "link", "standups", "--unlink"], JONAS);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("LH708"), "{}", run.stderr);

    ok(longhand(d, &["thread", "link", "standups", "--unlink"]));
    let text = fs::read_to_string(d.join(&thread_path)).expect("read");
    assert!(!text.contains("decision:"), "{text}");
    let run = longhand(d, &["thread", "link", "standups", "--unlink"]);
    assert_eq!(run.code, 2, "nothing to unlink");
    validates(d);
    ok(longhand(d, &["verify"]));
}

#[test]
fn thread_new_takes_a_chosen_slug_and_refuses_a_taken_or_malformed_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    ok(longhand(d, &["init", "--title", "T"]));
    let made = ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Weekly sync, week 50",
            "--slug",
            "weekly-w50",
            "-m",
            "Agenda.",
        ],
    ));
    assert!(
        made.stdout.contains("wrote threads/weekly-w50/thread.md"),
        "{}",
        made.stdout
    );
    let head = git(d, &["rev-parse", "HEAD"]);
    for (slug, says) in [
        ("weekly-w50", "a slug no thread has taken"),
        ("Weekly W50", "lowercase letters and digits"),
        ("weekly--w50", "lowercase letters and digits"),
    ] {
        let run = longhand(d, &["thread", "new", "Again", "--slug", slug, "-m", "x"]);
        assert_eq!(run.code, 2, "{slug}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(says), "{slug}: {}", run.stderr);
    }
    assert_eq!(
        git(d, &["rev-parse", "HEAD"]),
        head,
        "a refused slug wrote nothing"
    );
    // A derived slug keeps at most 40 characters of the title, cut after a word.
    let long = ok(longhand(
        d,
        &[
            "thread",
            "new",
            "Quarterly planning for the platform team: budgets, hiring and on-call",
            "-m",
            "Let us plan.",
        ],
    ));
    assert!(
        long.stdout
            .contains("-quarterly-planning-for-the-platform-team/thread.md"),
        "{}",
        long.stdout
    );
}

#[test]
fn decision_new_takes_a_chosen_slug_and_refuses_a_taken_or_malformed_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    ok(longhand(d, &["init", "--title", "T"]));
    let made = ok(longhand(
        d,
        &[
            "decision",
            "new",
            "Cut the release on the 14th",
            "--decider",
            "ana",
            "--slug",
            "january-cut",
            "-m",
            "## Decision\nThe 14th.",
        ],
    ));
    assert!(
        made.stdout.contains("wrote decisions/january-cut.md"),
        "{}",
        made.stdout
    );
    ok(longhand(d, &["decision", "show", "january-cut"]));
    let head = git(d, &["rev-parse", "HEAD"]);
    for (slug, says) in [
        ("january-cut", "a slug no decision has taken"),
        ("January", "lowercase letters and digits"),
    ] {
        let run = longhand(d, &["decision", "new", "Again", "--slug", slug, "-m", "x"]);
        assert_eq!(run.code, 2, "{slug}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(says), "{slug}: {}", run.stderr);
    }
    assert_eq!(
        git(d, &["rev-parse", "HEAD"]),
        head,
        "a refused slug wrote nothing"
    );
    validates(d);
}

#[test]
fn init_ignores_the_default_site_and_installs_the_pre_commit_hook_with_hooks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    let run = ok(longhand(d, &["init", "--title", "T", "--hooks"]));
    assert!(
        run.stdout.contains("installed the pre-commit hook"),
        "{}",
        run.stdout
    );
    let hook = fs::read_to_string(d.join(".git/hooks/pre-commit")).expect("the hook");
    assert!(hook.contains("hook pre-commit"), "{hook}");
    assert_eq!(
        fs::read_to_string(d.join(".gitignore")).expect("ignore"),
        "# Longhand: the site `longhand render` writes by default\n/_site/\n"
    );
    // The site render writes by default leaves the work tree clean.
    ok(longhand(d, &["render"]));
    assert!(d.join("_site/index.html").exists());
    assert_eq!(git(d, &["status", "--porcelain"]), "");
    // The hook runs: a broken thread cannot be committed.
    fs::create_dir_all(d.join("threads/bad")).expect("mkdir");
    fs::write(d.join("threads/bad/thread.md"), "not a thread\n").expect("write");
    git(d, &["add", "-A"]);
    let refused = crate::support::git_run(d, &["commit", "-q", "-m", "broken"]);
    assert_ne!(refused.code, 0, "{}{}", refused.stdout, refused.stderr);
    // Without --hooks, no hook is installed.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let other = elsewhere.path();
    git_init(other);
    ok(longhand(other, &["init", "--title", "T"]));
    assert!(!other.join(".git/hooks/pre-commit").exists());
}
