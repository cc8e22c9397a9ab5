//! The server guards its history (spec section 14), end to end against a bare repository with
//! `longhand hook install --server`, over `file://` and `git daemon`: force-pushes that drop
//! or alter discussion files are refused (LH720), deleting a branch whose discussion no other
//! ref keeps is refused (LH721), pushes over the configured limits are refused (LH722), and a
//! warning is reported by the push that brings its file, not by every later push.

use crate::hooks::{
    assert_names, remote_lines, reply_path, Setup, Transport, ANA, JONAS, SOFIA_ID, TRANSPORTS,
};
use crate::support::{git, git_run_with, id, longhand, ok, reply_md, write};

/// The administrator lets git accept force-pushes and deletions, so that the hook alone
/// judges them (the hook must hold whatever git's configuration says).
fn hook_alone(setup: &Setup) {
    git(
        &setup.bare(),
        &["config", "receive.denyNonFastForwards", "false"],
    );
    git(&setup.bare(), &["config", "receive.denyDeletes", "false"]);
}

/// Sofia's reply to jonas's, pushed to main.
fn sofia_replies(setup: &Setup, n: usize) {
    setup.write(
        &reply_path(n),
        &reply_md(&id(n), &format!("reply-to: {}\n", id(2)), "Agreed.\n").replace(
            "Jonas Weber <jonas@example.org>",
            "Sofia Rossi <sofia@example.org>",
        ),
    );
    setup.commit(SOFIA_ID, "sofia replies");
}

/// Pushes with `args`, insists that the server refused and that its refs did not move.
fn refused(setup: &Setup, args: &[&str]) -> String {
    let before = setup.server_refs();
    let run = setup.push(args);
    assert_ne!(run.code, 0, "the push was accepted:\n{}", run.stderr);
    assert_eq!(setup.server_refs(), before, "the server's refs moved");
    run.stderr
}

#[test]
fn force_push_to_early_commit_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        sofia_replies(&setup, 3);
        ok(setup.push(&["origin", "HEAD:main"]));
        // Reset main to the first commit and force it onto the server: every reply would go.
        // The administrator lets git accept force-pushes: the hook refuses it on its own.
        git(&setup.clone, &["reset", "-q", "--hard", "HEAD~2"]);
        hook_alone(&setup);
        let stderr = refused(&setup, &["--force", "origin", "HEAD:main"]);
        assert!(stderr.contains("pre-receive hook declined"), "{stderr}");
        assert_names(&stderr, &reply_path(2), "LH720");
        assert_names(&stderr, &reply_path(3), "LH720");
        let remote = remote_lines(&stderr).join("\n");
        assert!(remote.contains("drops this file's version"), "{remote}");
    }
}

#[test]
fn force_push_that_alters_a_reply_is_refused() {
    let setup = Setup::new(Transport::File);
    hook_alone(&setup);
    // Jonas rewrites his own reply's text in the commit that added it, and forces it.
    setup.write(&reply_path(2), &reply_md(&id(2), "", "No, never.\n"));
    git_run_with(
        &setup.clone,
        &["commit", "-qa", "--amend", "--no-edit"],
        &[("GIT_AUTHOR_NAME", JONAS.0), ("GIT_AUTHOR_EMAIL", JONAS.1)],
    );
    let stderr = refused(&setup, &["--force", "origin", "HEAD:main"]);
    assert_names(&stderr, &reply_path(2), "LH720");
    assert!(
        remote_lines(&stderr)
            .join("\n")
            .contains("alters this file's version"),
        "{stderr}"
    );
}

#[test]
fn force_push_that_keeps_every_file_is_accepted() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // Reword the last commit's message: the same files, another history.
        let run = git_run_with(
            &setup.clone,
            &["commit", "-q", "--amend", "-m", "reply, reworded"],
            &[("GIT_AUTHOR_NAME", JONAS.0), ("GIT_AUTHOR_EMAIL", JONAS.1)],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        // The hook lets it through; install's receive.denyNonFastForwards still refuses it.
        let stderr = refused(&setup, &["--force", "origin", "HEAD:main"]);
        assert!(
            stderr.contains("non-fast-forward") && !stderr.contains("[LH720]"),
            "{transport:?}: {stderr}"
        );
        hook_alone(&setup);
        ok(setup.push(&["--force", "origin", "HEAD:main"]));
        let head = git(&setup.clone, &["rev-parse", "HEAD"]);
        assert_eq!(git(&setup.bare(), &["rev-parse", "main"]), head);
        // A rebuilt history that keeps the reply and then adds one is accepted too.
        git(&setup.clone, &["reset", "-q", "--hard", "HEAD~1"]);
        setup.write(&reply_path(2), &reply_md(&id(2), "", "Yes, let us try.\n"));
        setup.commit(JONAS, "reply again");
        sofia_replies(&setup, 3);
        ok(setup.push(&["--force", "origin", "HEAD:main"]));
    }
}

#[test]
fn deleting_the_discussion_branch_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        hook_alone(&setup);
        // Even when another branch reaches the same commit, the default branch stays.
        ok(setup.push(&["origin", "HEAD:refs/heads/copy"]));
        let stderr = refused(&setup, &["origin", "--delete", "main"]);
        assert_names(&stderr, "longhand.yaml", "LH721");
        assert!(
            remote_lines(&stderr).join("\n").contains("default branch"),
            "{stderr}"
        );
        // A topic branch whose reply no other ref has is kept too.
        git(&setup.clone, &["checkout", "-q", "-b", "topic"]);
        sofia_replies(&setup, 3);
        ok(setup.push(&["origin", "HEAD:refs/heads/topic"]));
        let stderr = refused(&setup, &["origin", "--delete", "topic"]);
        assert_names(&stderr, &reply_path(3), "LH721");
    }
}

#[test]
fn deleting_a_merged_topic_branch_is_accepted() {
    for transport in TRANSPORTS {
        deleting_a_merged_topic_branch_is_accepted_over(transport);
    }
}

fn deleting_a_merged_topic_branch_is_accepted_over(transport: Transport) {
    let setup = Setup::new(transport);
    git(&setup.clone, &["checkout", "-q", "-b", "topic"]);
    sofia_replies(&setup, 3);
    ok(setup.push(&["origin", "HEAD:refs/heads/topic"]));
    ok(setup.push(&["origin", "HEAD:main"]));
    // The hook lets it through; install's receive.denyDeletes still refuses it.
    let stderr = refused(&setup, &["origin", "--delete", "topic"]);
    assert!(stderr.contains("deletion prohibited"), "{stderr}");
    hook_alone(&setup);
    let run = ok(setup.push(&["origin", "--delete", "topic"]));
    assert!(!setup.server_refs().contains("refs/heads/topic"));
    assert!(
        remote_lines(&run.stderr)
            .iter()
            .any(|l| l.starts_with("longhand: refs/heads/topic ") && l.ends_with(": deleted")),
        "{}",
        run.stderr
    );
    // A branch that never changed the discussion (code only) may go unmerged.
    git(&setup.clone, &["checkout", "-q", "-b", "code"]);
    write(
        &setup.clone.join("src/main.c"),
        "int main(void) { return 0; }\n",
    );
    setup.commit(ANA, "code");
    ok(setup.push(&["origin", "HEAD:refs/heads/code"]));
    ok(setup.push(&["origin", "--delete", "code"]));
}

#[test]
fn force_push_of_a_branch_that_never_held_the_discussion_is_not_checked() {
    let setup = Setup::with_root(Transport::File, Some("docs/talk"));
    // In a code repository install leaves force-pushes to the host.
    let unset = crate::support::git_run(
        &setup.bare(),
        &["config", "--get", "receive.denyNonFastForwards"],
    );
    assert_ne!(unset.code, 0, "{}", unset.stdout);
    git(&setup.clone, &["checkout", "-q", "--orphan", "pages"]);
    git(&setup.clone, &["rm", "-rqf", "."]);
    write(&setup.clone.join("index.html"), "<p>one</p>\n");
    setup.commit(ANA, "pages");
    ok(setup.push(&["origin", "HEAD:refs/heads/pages"]));
    write(&setup.clone.join("index.html"), "<p>two</p>\n");
    git(&setup.clone, &["add", "-A"]);
    git(
        &setup.clone,
        &["commit", "-q", "--amend", "-m", "pages again"],
    );
    ok(setup.push(&["--force", "origin", "HEAD:refs/heads/pages"]));
}

#[test]
fn a_tree_entry_named_dot_git_is_refused_by_git_fsck_which_install_turns_on() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // A tree git's own commands would never write, made by hand: an entry named `.git`.
        let blob = git(&setup.clone, &["hash-object", "-w", "longhand.yaml"]);
        let blob = blob.trim();
        let mut bytes = b"100644 .git\0".to_vec();
        for pair in blob.as_bytes().chunks(2) {
            let hex = std::str::from_utf8(pair).expect("hex");
            bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
        }
        let raw = setup.dir.path().join("tree.raw");
        std::fs::write(&raw, bytes).expect("write");
        let raw = raw.to_string_lossy().into_owned();
        let tree = git(
            &setup.clone,
            &["hash-object", "-w", "-t", "tree", "--literally", &raw],
        );
        let commit = git(
            &setup.clone,
            &["commit-tree", tree.trim(), "-p", "HEAD", "-m", "hostile"],
        );
        let target = format!("{}:refs/heads/main", commit.trim());
        let before = setup.server_refs();
        let run = setup.push(&["origin", &target]);
        assert_ne!(
            run.code, 0,
            "{transport:?}: the push was accepted: {}",
            run.stderr
        );
        assert!(run.stderr.contains("fsck"), "{transport:?}: {}", run.stderr);
        assert_eq!(setup.server_refs(), before);
    }
}

#[test]
fn hook_install_server_sets_fsck_and_deny_non_fast_forwards_keeping_admin_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config =
        |bare: &std::path::Path, key: &str| git(bare, &["config", "--get", key]).trim().to_owned();
    // A repository that holds only the discussion: all three set.
    let only = dir.path().join("only.git");
    std::fs::create_dir_all(&only).expect("mkdir");
    git(&only, &["init", "-q", "--bare", "-b", "main"]);
    let run = ok(longhand(&only, &["hook", "install", "--server"]));
    for key in [
        "receive.fsckObjects",
        "receive.denyNonFastForwards",
        "receive.denyDeletes",
    ] {
        assert_eq!(config(&only, key), "true", "{key}");
        assert!(
            run.stdout.contains(&format!("set git config {key} = true")),
            "{}",
            run.stdout
        );
    }
    // The administrator's values are kept, and the output says so.
    let kept = dir.path().join("kept.git");
    std::fs::create_dir_all(&kept).expect("mkdir");
    git(&kept, &["init", "-q", "--bare", "-b", "main"]);
    git(&kept, &["config", "receive.denyDeletes", "false"]);
    git(&kept, &["config", "receive.fsckObjects", "false"]);
    let run = ok(longhand(&kept, &["hook", "install", "--server"]));
    assert_eq!(config(&kept, "receive.denyDeletes"), "false");
    assert_eq!(config(&kept, "receive.fsckObjects"), "false");
    assert_eq!(config(&kept, "receive.denyNonFastForwards"), "true");
    assert!(
        run.stdout
            .contains("kept git config receive.denyDeletes = false (already set; not changed)"),
        "{}",
        run.stdout
    );
    // Installing again changes nothing and says every value is kept.
    let again = ok(longhand(&kept, &["hook", "install", "--server"]));
    assert!(!again.stdout.contains("set git config"), "{}", again.stdout);
    // A code repository with the discussion in a directory: only fsck.
    let code = dir.path().join("code.git");
    std::fs::create_dir_all(&code).expect("mkdir");
    git(&code, &["init", "-q", "--bare", "-b", "main"]);
    let run = ok(longhand(
        &code,
        &["hook", "install", "--server", "--root", "docs/talk"],
    ));
    assert_eq!(config(&code, "receive.fsckObjects"), "true");
    let unset = crate::support::git_run(&code, &["config", "--get", "receive.denyDeletes"]);
    assert_ne!(
        unset.code, 0,
        "receive.denyDeletes was set in a code repository"
    );
    assert!(run.stdout.contains("are left to you"), "{}", run.stdout);
}

#[test]
fn push_of_too_many_files_is_refused_with_the_limit() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        git(&setup.bare(), &["config", "longhand.maxPushFiles", "20"]);
        for n in 0..30 {
            write(
                &setup
                    .clone
                    .join(format!("threads/async-standups/{}/f{n}.txt", id(2))),
                format!("file {n}\n"),
            );
        }
        setup.commit(JONAS, "thirty attachments");
        let stderr = setup.push_refused();
        assert_names(&stderr, "threads/async-standups", "LH722");
        let remote = remote_lines(&stderr).join("\n");
        assert!(remote.contains("more than 20 files"), "{remote}");
        assert!(remote.contains("longhand.maxPushFiles = 20"), "{remote}");
        // Raised by the administrator, the same push lands.
        git(&setup.bare(), &["config", "longhand.maxPushFiles", "1k"]);
        ok(setup.push(&["origin", "HEAD:main"]));
    }
}

#[test]
fn push_of_too_many_bytes_is_refused_with_the_limit() {
    let setup = Setup::new(Transport::File);
    git(&setup.bare(), &["config", "longhand.maxPushBytes", "4096"]);
    write(
        &setup
            .clone
            .join(format!("threads/async-standups/{}/big.txt", id(2))),
        "x".repeat(5000),
    );
    setup.commit(JONAS, "a large attachment");
    let stderr = setup.push_refused();
    assert_names(&stderr, "big.txt", "LH722");
    let remote = remote_lines(&stderr).join("\n");
    assert!(remote.contains("longhand.maxPushBytes = 4096"), "{remote}");
}

#[test]
fn push_of_200000_reply_chain_is_refused() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // The same shape as the 200,000-reply chain, under a limit a test can reach.
        git(
            &setup.bare(),
            &["config", "longhand.maxThreadReplies", "40"],
        );
        for n in 3..60 {
            setup.write(
                &reply_path(n),
                &reply_md(&id(n), &format!("reply-to: {}\n", id(n - 1)), "And on.\n"),
            );
        }
        setup.commit(JONAS, "a long chain");
        let stderr = setup.push_refused();
        assert_names(&stderr, "threads/async-standups/thread.md", "LH722");
        let remote = remote_lines(&stderr).join("\n");
        assert!(remote.contains("to 58 replies"), "{remote}");
        assert!(
            remote.contains("longhand.maxThreadReplies = 40"),
            "{remote}"
        );
    }
}

#[test]
fn lh405_is_reported_once_when_the_reply_lands() {
    for transport in TRANSPORTS {
        let setup = Setup::new(transport);
        // Sofia's clock is behind: her reply is dated before the reply it answers.
        setup.write(
            &reply_path(3),
            &reply_md(&id(3), &format!("reply-to: {}\n", id(2)), "Agreed.\n")
                .replace(
                    "Jonas Weber <jonas@example.org>",
                    "Sofia Rossi <sofia@example.org>",
                )
                .replace("2026-11-24T15:00:00+01:00", "2026-11-24T10:00:00Z"),
        );
        setup.commit(SOFIA_ID, "sofia replies");
        let run = ok(setup.push(&["origin", "HEAD:main"]));
        let lh405 = |stderr: &str| {
            remote_lines(stderr)
                .iter()
                .filter(|l| l.contains("[LH405]"))
                .count()
        };
        assert_eq!(lh405(&run.stderr), 1, "{transport:?}: {}", run.stderr);
        // A later reply to the same thread does not repeat it.
        setup.write(&reply_path(4), &reply_md(&id(4), "", "Later.\n"));
        setup.commit(JONAS, "another reply");
        let run = ok(setup.push(&["origin", "HEAD:main"]));
        assert_eq!(lh405(&run.stderr), 0, "{transport:?}: {}", run.stderr);
        // `validate` still shows it.
        let all = longhand(&setup.clone, &["validate"]);
        assert!(all.stdout.contains("LH405"), "{}", all.stdout);
    }
}
