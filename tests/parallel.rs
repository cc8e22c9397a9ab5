//! Loading and validation run on every core (rayon); what the commands print must not depend
//! on how many: the same bytes with one thread as with several, on a generated corpus large
//! enough to span several parse batches, with problems planted in it.

use std::process::Command;

use longhand_corpus::{generate, Spec};

fn run(dir: &std::path::Path, threads: &str, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_longhand"))
        .args(args)
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads)
        .env("LONGHAND_NOW", "2026-01-15T12:00:00Z")
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .output()
        .expect("longhand starts");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn output_is_the_same_with_one_thread_and_with_several() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generate(&Spec::new(450, 4500));
    corpus.write(dir.path()).unwrap();
    // Problems in the first and the last threads, in different files and rules.
    let first = &corpus.threads[0];
    let last = &corpus.threads[corpus.threads.len() - 1];
    let reply = dir
        .path()
        .join(format!("threads/{}/{}.md", last.slug, last.replies[0].id));
    let text = std::fs::read_to_string(&reply).unwrap();
    std::fs::write(&reply, text.replace("date: ", "date: not-a-date ")).unwrap();
    let header = dir.path().join(format!("threads/{}/thread.md", first.slug));
    let text = std::fs::read_to_string(&header).unwrap();
    std::fs::write(
        &header,
        format!("{text}\nSee [nothing](../no-such-thread/thread.md).\n"),
    )
    .unwrap();

    for args in [
        &["validate", "--format", "json"][..],
        &["list", "--format", "json"][..],
        &[
            "inbox",
            "--for",
            &corpus.people[1].handle,
            "--format",
            "json",
        ][..],
    ] {
        let one = run(dir.path(), "1", args);
        let several = run(dir.path(), "4", args);
        assert_eq!(one, several, "{args:?}");
        if args[0] == "validate" {
            assert_eq!(one.0, 1, "{}", one.1);
            assert!(
                one.1.contains("LH") && one.1.contains("no-such-thread"),
                "{}",
                one.1
            );
        } else {
            assert_eq!(one.0, 0);
        }
    }
}

/// Every file under `dir`, with its bytes, in path order.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let name = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                out.push((name, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_rendered_site_is_the_same_with_one_thread_and_with_several() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = generate(&Spec::new(600, 2000));
    corpus.write(&dir.path().join("repo")).unwrap();
    let repo = dir.path().join("repo");
    for (threads, out) in [("1", "one"), ("4", "several")] {
        let out = dir.path().join(out).display().to_string();
        let (code, _) = run(&repo, threads, &["render", "--out", &out]);
        assert_eq!(code, 0);
    }
    let one = files(&dir.path().join("one"));
    let several = files(&dir.path().join("several"));
    assert!(one.len() > 1200, "{} files", one.len());
    assert!(one == several, "the sites differ");
}
