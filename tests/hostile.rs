//! Hostile input: each kind of malicious or broken file yields a diagnostic, never a panic, a
//! hang or a runaway allocation. The binary runs under a memory limit to prove the last point.

use std::os::unix::fs::symlink;
use std::path::Path;

use longhand::{validate, Code, WorkTree};

use crate::support::{id, reply_md, shell, small_discussion, thread_md, write, CONFIG};

const THREAD: &str = "threads/async-standups";

fn reply_path(n: usize) -> String {
    format!("{THREAD}/{}.md", id(n))
}

/// Writes the hostile files into a valid discussion; returns (path, expected code) pairs.
fn plant(root: &Path) -> Vec<(String, Code)> {
    small_discussion(root);
    let mut planted = Vec::new();
    let mut add = |n: usize, bytes: Vec<u8>, code: Code| {
        let path = reply_path(n);
        write(&root.join(&path), bytes);
        planted.push((path, code));
    };
    // Billion laughs: nine levels of nine aliases each.
    let mut bomb = format!("---\nid: {}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n", id(10));
    for level in 1..10u8 {
        let (prev, next) = ((b'a' + level - 1) as char, (b'a' + level) as char);
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    bomb.push_str("---\n");
    add(10, bomb.into_bytes(), Code::YamlAnchor);
    add(
        11,
        reply_md(&id(11), "author2: &who Ana\nvote: *who\n", "x").into_bytes(),
        Code::YamlAnchor,
    );
    add(
        12,
        reply_md(&id(12), "vote: !!str +1\n", "x").into_bytes(),
        Code::YamlTag,
    );
    add(
        13,
        reply_md(&id(13), "vote: \"+1\"\nvote: \"-1\"\n", "x").into_bytes(),
        Code::YamlDuplicateKey,
    );
    // 10 MB of frontmatter: refused by size before anything parses it.
    let mut huge = format!("---\nid: {}\nnote: ", id(14)).into_bytes();
    huge.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    huge.extend(b"\n---\n");
    add(14, huge, Code::FileTooLarge);
    // 100 KiB of frontmatter: under the file limit, over the frontmatter limit.
    let mut big = format!("---\nid: {}\nnote: ", id(15)).into_bytes();
    big.extend(std::iter::repeat_n(b'y', 100 * 1024));
    big.extend(b"\n---\n");
    add(15, big, Code::FrontmatterTooLarge);
    // Deep nesting, flow and block.
    let deep = format!(
        "---\nid: {}\ntags: {}a{}\n---\n",
        id(16),
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    add(16, deep.into_bytes(), Code::TooDeep);
    let mut block = format!("---\nid: {}\n", id(17));
    for depth in 0..300 {
        block.push_str(&format!("{}k{depth}:\n", " ".repeat(depth)));
    }
    block.push_str("---\n");
    add(17, block.into_bytes(), Code::TooDeep);
    add(18, b"---\nid: \xc3\x28\n---\n".to_vec(), Code::NotUtf8);
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend(reply_md(&id(19), "", "Hi\n").into_bytes());
    add(19, bom, Code::Bom);
    add(
        20,
        reply_md(&id(20), "", "Hi\n")
            .replace('\n', "\r\n")
            .into_bytes(),
        Code::Crlf,
    );
    add(21, b"---\nid: x\x00\n---\n".to_vec(), Code::NulByte);
    add(
        22,
        format!("---\nid: {}\nauthor: Ana\n", id(22)).into_bytes(),
        Code::FrontmatterUnclosed,
    );
    add(
        23,
        reply_md(&id(23), "", "[passwords](../../../../etc/passwd)\n").into_bytes(),
        Code::PathEscape,
    );
    // Links that lead outside the root, as files and as a thread directory.
    symlink("/etc/passwd", root.join(reply_path(24))).expect("symlink");
    planted.push((reply_path(24), Code::Symlink));
    symlink("../..", root.join("threads/escape")).expect("symlink");
    planted.push(("threads/escape".to_owned(), Code::Symlink));
    symlink("/etc", root.join(format!("{THREAD}/{}", id(2)))).expect("symlink");
    planted.push((format!("{THREAD}/{}", id(2)), Code::Symlink));
    write(&root.join("decisions/odd.md"), "---\nid: [[[[\n---\n");
    planted.push(("decisions/odd.md".to_owned(), Code::YamlSyntax));
    planted
}

#[test]
fn each_hostile_file_yields_its_diagnostic_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let planted = plant(dir.path());
    let report = validate::run(&WorkTree::new(dir.path())).expect("runs");
    for (path, code) in &planted {
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| &d.path == path && d.code == *code),
            "expected {} at {path}; got:\n{:#?}",
            code.code(),
            report
                .diagnostics
                .iter()
                .map(|d| (d.code.code(), &d.path, &d.message))
                .collect::<Vec<_>>()
        );
    }
    // The valid reply planted first is still loaded and checked.
    assert!(report.files >= planted.len());
}

#[test]
fn a_symlinked_config_is_refused_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = dir.path().join("outside.yaml");
    write(&outside, CONFIG);
    let root = dir.path().join("root");
    write(
        &root.join(format!("{THREAD}/thread.md")),
        thread_md(&id(1), ""),
    );
    symlink(&outside, root.join("longhand.yaml")).expect("symlink");
    let report = validate::run(&WorkTree::new(&root)).expect("runs");
    let codes: Vec<Code> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::Symlink]);
    assert_eq!(report.diagnostics[0].path, "longhand.yaml");
}

#[test]
fn the_binary_survives_every_hostile_file_within_a_memory_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    plant(dir.path());
    // 512 MiB of address space and 60 s: far above what a sane run needs, far below a bomb.
    let run = shell(
        dir.path(),
        "ulimit -v 524288; timeout 60 \"$LONGHAND\" validate --format json",
    );
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
    assert!(json["summary"]["errors"].as_u64() >= Some(15));
}

#[test]
fn a_link_that_cannot_be_a_path_is_missing_not_a_failure_to_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    let long = "a".repeat(300);
    write(
        &dir.path().join(reply_path(30)),
        crate::support::reply_md(&id(30), "", &format!("[x](a%00b) and [y]({long})\n")),
    );
    let run = crate::support::longhand(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(run.code, 0, "warnings only: {}{}", run.stdout, run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["LH408", "LH408"]);
}

#[test]
fn deeply_nested_attachment_directories_are_cut_off_at_sixteen_levels() {
    let dir = tempfile::tempdir().expect("tempdir");
    small_discussion(dir.path());
    let mut deep = dir.path().join(format!("{THREAD}/{}", id(2)));
    for level in 0..40 {
        deep.push(format!("level-{level:02}"));
    }
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(deep.join("clip.txt"), "x").expect("write");
    std::fs::create_dir_all(dir.path().join(format!("{THREAD}/{}/.git", id(2)))).expect("mkdir");
    symlink(
        "/etc",
        dir.path().join(format!("{THREAD}/{}/.hidden-link", id(2))),
    )
    .expect("symlink");
    let report = validate::run(&WorkTree::new(dir.path())).expect("runs");
    let found: Vec<(Code, usize)> = report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.path.matches('/').count()))
        .collect();
    // threads/<slug>/<id>/ + 16 levels: the 16th nested directory is reported, not entered.
    assert_eq!(
        found,
        vec![(Code::UnexpectedPath, 3 + 15)],
        "hidden entries are ignored"
    );
}

#[test]
fn names_that_are_not_utf8_read_the_same_from_disk_and_from_git() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    crate::support::git_init(dir.path());
    small_discussion(dir.path());
    let thread = dir
        .path()
        .join("threads")
        .join(OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir_all(&thread).expect("mkdir");
    std::fs::write(thread.join("thread.md"), thread_md(&id(40), "")).expect("write");
    std::fs::write(
        dir.path()
            .join("decisions")
            .join(OsStr::from_bytes(b"x\xff.md")),
        "x",
    )
    .unwrap_or_else(|_| {
        std::fs::create_dir_all(dir.path().join("decisions")).expect("mkdir");
        std::fs::write(
            dir.path()
                .join("decisions")
                .join(OsStr::from_bytes(b"x\xff.md")),
            "x",
        )
        .expect("write");
    });
    crate::support::commit_all(dir.path(), "odd names");
    let disk = crate::support::longhand(dir.path(), &["validate", "--format", "json"]);
    let git = crate::support::longhand(
        dir.path(),
        &["validate", "--rev", "HEAD", "--format", "json"],
    );
    // Not UTF-8 is a hostile name (LH212, an error), wherever it lies.
    assert_eq!(disk.code, 1, "{}", disk.stdout);
    assert_eq!(disk.stdout, git.stdout, "both sources agree");
    assert_eq!(
        disk.stdout.matches("\"LH212\"").count(),
        2,
        "{}",
        disk.stdout
    );
}
