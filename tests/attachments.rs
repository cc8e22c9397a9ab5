//! Attachments, as people use them: `longhand reply --attach` in a real repository (one
//! commit with the reply and its files), what it refuses, and validation of sizes, Git LFS
//! pointers and the `filter=lfs` attribute, from a work tree and from a revision.

use std::fs;
use std::path::Path;

use crate::support::{commit_all, git, git_init, longhand, ok, small_discussion, write, CONFIG};

const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

fn pointer(size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize {size}\n")
}

/// A committed discussion with one thread, whose policy sets `limit` when given.
fn repo(limit: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git_init(d);
    small_discussion(d);
    if let Some(limit) = limit {
        write(
            &d.join("longhand.yaml"),
            format!("{CONFIG}policy:\n  attachment-limit: {limit}\n"),
        );
    }
    commit_all(d, "start");
    dir
}

fn status(d: &Path) -> String {
    git(d, &["status", "--porcelain", "--untracked-files=all"])
}

#[test]
fn reply_attach_commits_the_files_with_the_reply_and_links_them() {
    let dir = repo(None);
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let video = outside.path().join("demo run.mp4");
    let image = outside.path().join("screen.png");
    fs::write(&video, b"\x00\x00\x00\x18ftypmp42 not really a video").expect("write");
    fs::write(&image, b"\x89PNG\r\n\x1a\n not really an image").expect("write");
    let run = ok(longhand(
        d,
        &[
            "reply",
            "async-standups",
            "--attach",
            video.to_str().expect("utf-8"),
            "--attach",
            image.to_str().expect("utf-8"),
            "-m",
            "The demo, as promised.",
        ],
    ));
    assert!(run.stdout.contains("with 2 attachments"), "{}", run.stdout);
    // One commit holds the reply and both files; nothing is left over.
    let files = git(d, &["show", "--name-only", "--format=", "HEAD"]);
    let files: Vec<&str> = files.lines().collect();
    assert_eq!(files.len(), 3, "{files:?}");
    let reply = files
        .iter()
        .find(|f| f.ends_with(".md"))
        .expect("the reply is in the commit");
    let id = reply
        .trim_start_matches("threads/async-standups/")
        .trim_end_matches(".md");
    assert!(files.contains(&format!("threads/async-standups/{id}/demo run.mp4").as_str()));
    assert!(files.contains(&format!("threads/async-standups/{id}/screen.png").as_str()));
    assert_eq!(status(d), "");
    assert_eq!(
        fs::read(d.join(format!("threads/async-standups/{id}/demo run.mp4"))).expect("copied"),
        fs::read(&video).expect("original")
    );
    let text = fs::read_to_string(d.join(reply)).expect("reply");
    assert!(
        text.ends_with(&format!(
            "The demo, as promised.\n\n- [demo run.mp4]({id}/demo%20run.mp4)\n- ![screen.png]({id}/screen.png)\n"
        )),
        "{text}"
    );
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("ok: 0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn reply_attach_refuses_links_directories_hidden_names_and_large_files() {
    let dir = repo(Some("1KiB"));
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let o = outside.path();
    fs::write(o.join("big.bin"), vec![b'x'; 5000]).expect("write");
    fs::write(o.join(".env"), "SECRET=1\n").expect("write");
    fs::write(o.join("ok.txt"), "fine\n").expect("write");
    std::os::unix::fs::symlink("/etc/passwd", o.join("passwd")).expect("symlink");
    fs::create_dir(o.join("folder")).expect("mkdir");
    let cases: &[(&str, &str)] = &[
        ("big.bin", "Git LFS"),
        (".env", "starts with `.`"),
        ("passwd", "symbolic link"),
        ("folder", "directory"),
    ];
    for (name, expected) in cases {
        let path = o.join(name);
        let run = longhand(
            d,
            &[
                "reply",
                "async-standups",
                "--attach",
                o.join("ok.txt").to_str().expect("utf-8"),
                "--attach",
                path.to_str().expect("utf-8"),
                "-m",
                "Files.",
            ],
        );
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert_eq!(status(d), "", "{name}: nothing is written");
    }
    // The same name twice is refused too.
    let ok_txt = o.join("ok.txt");
    let ok_txt = ok_txt.to_str().expect("utf-8");
    let run = longhand(
        d,
        &[
            "reply",
            "async-standups",
            "--attach",
            ok_txt,
            "--attach",
            ok_txt,
            "-m",
            "x",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("also named"), "{}", run.stderr);
    assert_eq!(status(d), "");
}

#[test]
fn a_git_lfs_pointer_is_attached_whatever_size_it_declares() {
    let dir = repo(Some("100B"));
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tempdir");
    let clip = outside.path().join("clip.mp4");
    fs::write(&clip, pointer(5_000_000_000)).expect("write");
    ok(longhand(
        d,
        &[
            "reply",
            "async-standups",
            "--attach",
            clip.to_str().expect("utf-8"),
            "-m",
            "",
        ],
    ));
    assert_eq!(status(d), "");
    let run = longhand(d, &["validate", "--rev", "HEAD"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn sizes_are_checked_from_both_sources_and_lfs_tracked_work_tree_files_pass() {
    let dir = repo(Some("1KiB"));
    let d = dir.path();
    let reply = crate::support::id(2);
    let folder = d.join(format!("threads/async-standups/{reply}"));
    // A sparse file: its size is large, and validation must not need to read it.
    fs::create_dir_all(&folder).expect("mkdir");
    fs::File::create(folder.join("recording.mp4"))
        .and_then(|f| f.set_len(3000))
        .expect("sized file");
    write(&folder.join("notes.txt"), "small\n");
    let run = longhand(d, &["validate", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("\"LH208\""), "{}", run.stdout);
    assert!(run.stdout.contains("git lfs track"), "{}", run.stdout);
    assert_eq!(run.stdout.matches("\"LH208\"").count(), 1, "{}", run.stdout);
    // Git LFS tracks it: in the work tree the content is what LFS checked out, so it passes.
    write(
        &d.join(".gitattributes"),
        "*.mp4 filter=lfs diff=lfs merge=lfs -text\n",
    );
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // Committed without Git LFS running (no filter is configured here), the revision holds
    // the whole file, and that is what a server checking the push would see.
    commit_all(d, "raw recording");
    let run = longhand(d, &["validate", "--rev", "HEAD"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("LH208"), "{}", run.stdout);
    // Replaced by a pointer, the revision is clean; a broken pointer is LH209.
    write(&folder.join("recording.mp4"), pointer(3000));
    commit_all(d, "pointer");
    let run = longhand(d, &["validate", "--rev", "HEAD"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    write(
        &folder.join("recording.mp4"),
        "version https://git-lfs.github.com/spec/v1\nsize 3000\n",
    );
    commit_all(d, "broken pointer");
    let run = longhand(d, &["validate", "--rev", "HEAD"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("LH209"), "{}", run.stdout);
}

#[test]
fn a_huge_sparse_attachment_is_measured_never_read() {
    let dir = repo(None);
    let d = dir.path();
    let folder = d.join(format!("threads/async-standups/{}", crate::support::id(2)));
    fs::create_dir_all(&folder).expect("mkdir");
    let huge = folder.join("recording.mp4");
    // 64 GiB that take no disk: reading it into memory would abort the process.
    fs::File::create(&huge)
        .and_then(|f| f.set_len(64 << 30))
        .expect("sparse file");
    let run = longhand(d, &["validate"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("has 68719476736 bytes"),
        "{}",
        run.stdout
    );
    let run = longhand(
        d,
        &[
            "reply",
            "async-standups",
            "--attach",
            huge.to_str().expect("utf-8"),
            "-m",
            "x",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("over the attachment limit"),
        "{}",
        run.stderr
    );
    fs::remove_file(&huge).expect("cleanup");
    assert_eq!(status(d), "");
}
