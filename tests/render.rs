//! `longhand render`: the real binary renders real discussions (the bundled example, a git
//! revision of a bare repository, attachments); the site is checked structurally — every page
//! parses, has its landmarks and a sensible heading order, every relative link and fragment
//! resolves inside the site — the feeds are valid Atom, and two renders are byte for byte equal.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// Every file of a directory tree, by `/`-separated relative path.
pub fn site_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).expect("read_dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            if entry.file_type().expect("type").is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, fs::read(&path).expect("read"));
            }
        }
    }
    files
}

/// Renders `root` (a work tree) into `out` with the real binary.
pub fn render(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let out = out.to_string_lossy().into_owned();
    let mut args = vec!["render", "--out", out.as_str()];
    args.extend_from_slice(extra);
    ok(longhand(root, &args))
}

fn parse_options<'a>() -> roxmltree::ParsingOptions<'a> {
    roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(value) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 path")
}

/// Resolves `href` (relative to the page at `page`) to a site path.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in href.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                assert!(parts.pop().is_some(), "{href} from {page} leaves the site");
            }
            other => parts.push(other),
        }
    }
    percent_decode(&parts.join("/"))
}

/// Checks every page of a site: it parses as XML, has one `main`, a site header, navigation
/// and footer, exactly one `h1`, headings that never skip a level going down, unique ids, and
/// relative links and fragments that resolve to files and ids of the site.
pub fn check_site(files: &BTreeMap<String, Vec<u8>>) {
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let text = std::str::from_utf8(bytes).expect("pages are UTF-8");
        assert!(text.starts_with("<!DOCTYPE html>\n"), "{path}");
        let document = roxmltree::Document::parse_with_options(text, parse_options())
            .unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
        let count = |name: &str| {
            document
                .descendants()
                .filter(|n| n.has_tag_name(name))
                .count()
        };
        assert_eq!(count("main"), 1, "{path}: one main");
        assert_eq!(count("h1"), 1, "{path}: one h1");
        assert!(
            count("nav") >= 1 && count("footer") == 1,
            "{path}: nav and footer"
        );
        assert!(
            document
                .descendants()
                .any(|n| n.has_tag_name("header") && n.attribute("class") == Some("site")),
            "{path}: the site header"
        );
        // One script: the site's own search, from a file, nothing inline.
        let scripts: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("script"))
            .collect();
        assert_eq!(scripts.len(), 1, "{path}: one script");
        let src = scripts[0].attribute("src").unwrap_or_default();
        assert!(
            src.trim_start_matches("../") == "search.js" && scripts[0].text().is_none(),
            "{path}: only search.js, nothing inline"
        );
        assert!(
            text.contains(
                "content=\"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'\""
            ),
            "{path}: the policy"
        );
        let mut level = 1;
        for node in document.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            if let Some(n) = name.strip_prefix('h').and_then(|d| d.parse::<usize>().ok()) {
                assert!(n <= level + 1, "{path}: <{name}> after <h{level}>");
                level = n;
            }
        }
        let page_ids = ids.entry(path.as_str()).or_default();
        for node in document.descendants() {
            if let Some(id) = node.attribute("id") {
                assert!(page_ids.insert(id.to_owned()), "{path}: duplicate id {id}");
            }
            for attribute in ["href", "src"] {
                if let Some(target) = node.attribute(attribute) {
                    links.push((path.clone(), target.to_owned()));
                }
            }
        }
    }
    for (page, target) in links {
        if target.starts_with("http://")
            || target.starts_with("https://")
            || target.starts_with("mailto:")
        {
            continue;
        }
        let (file, fragment) = match target.split_once('#') {
            Some((file, fragment)) => (file, Some(fragment)),
            None => (target.as_str(), None),
        };
        let resolved = if file.is_empty() {
            page.clone()
        } else {
            resolve(&page, file)
        };
        assert!(
            files.contains_key(&resolved),
            "{page} links to {target}, which is not in the site"
        );
        if let (Some(fragment), Some(page_ids)) = (fragment, ids.get(resolved.as_str())) {
            assert!(
                page_ids.contains(fragment),
                "{page} links to {target}, whose fragment names no id"
            );
        }
    }
}

const ATOM: &str = "http://www.w3.org/2005/Atom";
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// Checks an Atom feed against RFC 4287's required elements; returns its entries' ids.
pub fn check_feed(path: &str, bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes).expect("feeds are UTF-8");
    let document =
        roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path} does not parse: {e}"));
    let feed = document.root_element();
    assert_eq!(feed.tag_name().namespace(), Some(ATOM), "{path}");
    assert_eq!(feed.tag_name().name(), "feed", "{path}");
    let children = |node: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        node.children()
            .filter(|c| c.has_tag_name((ATOM, name)))
            .map(|c| c.text().unwrap_or("").to_owned())
            .collect()
    };
    let one = |node: roxmltree::Node<'_, '_>, name: &str, what: &str| -> String {
        let found = children(node, name);
        assert_eq!(found.len(), 1, "{path}: {what} has one <{name}>");
        assert!(
            !found[0].trim().is_empty(),
            "{path}: {what}'s <{name}> is empty"
        );
        found[0].clone()
    };
    let timestamp = |text: &str| {
        text.parse::<jiff::Timestamp>()
            .unwrap_or_else(|e| panic!("{path}: `{text}` is not RFC 3339: {e}"))
    };
    let is_iri = |id: &str| id.contains(':') && !id.contains(' ');
    assert!(is_iri(&one(feed, "id", "the feed")), "{path}");
    one(feed, "title", "the feed");
    let updated = timestamp(&one(feed, "updated", "the feed"));
    let has_author = |node: roxmltree::Node<'_, '_>| {
        node.children()
            .filter(|c| c.has_tag_name((ATOM, "author")))
            .any(|a| {
                a.children().any(|n| {
                    n.has_tag_name((ATOM, "name")) && n.text().is_some_and(|t| !t.is_empty())
                })
            })
    };
    assert!(has_author(feed), "{path}: the feed has an author");
    let links = |node: roxmltree::Node<'_, '_>| -> Vec<(String, String)> {
        node.children()
            .filter(|c| c.has_tag_name((ATOM, "link")))
            .map(|l| {
                (
                    l.attribute("rel").unwrap_or("alternate").to_owned(),
                    l.attribute("href").expect("a link has an href").to_owned(),
                )
            })
            .collect()
    };
    assert!(
        links(feed).iter().any(|(rel, _)| rel == "self"),
        "{path}: rel=self"
    );
    let mut ids = Vec::new();
    for entry in feed.children().filter(|c| c.has_tag_name((ATOM, "entry"))) {
        let id = one(entry, "id", "an entry");
        assert!(is_iri(&id), "{path}: entry id {id}");
        one(entry, "title", "an entry");
        let entry_updated = timestamp(&one(entry, "updated", "an entry"));
        assert!(entry_updated <= updated, "{path}: the feed is updated last");
        assert!(has_author(entry), "{path}: entry {id} has an author");
        assert!(
            links(entry).iter().any(|(rel, _)| rel == "alternate"),
            "{path}: entry {id} links to its page"
        );
        let content: Vec<_> = entry
            .children()
            .filter(|c| c.has_tag_name((ATOM, "content")))
            .collect();
        assert_eq!(content.len(), 1, "{path}: entry {id} has content");
        assert_eq!(content[0].attribute("type"), Some("xhtml"), "{path}");
        let divs: Vec<_> = content[0].children().filter(|c| c.is_element()).collect();
        assert_eq!(divs.len(), 1, "{path}: xhtml content is one div");
        assert!(
            divs[0].has_tag_name((XHTML, "div")),
            "{path}: in the XHTML namespace"
        );
        assert!(
            divs[0]
                .descendants()
                .all(|n| !n.has_tag_name((XHTML, "script"))),
            "{path}"
        );
        ids.push(id);
    }
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{path}: entry ids are unique");
    ids
}

fn example_copy(dir: &Path) -> PathBuf {
    let root = dir.join("repo");
    copy_tree(&example(), &root);
    root
}

#[test]
fn the_example_renders_as_a_complete_linked_site() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    let out = dir.path().join("site");
    let run = render(&root, &out, &[]);
    assert!(run.stdout.contains("Wrote "), "{}", run.stdout);
    let files = site_files(&out);
    for path in [
        "index.html",
        "status/open.html",
        "status/resolved.html",
        "status/closed.html",
        "decisions/index.html",
        "decisions/weekly-overlap-call.html",
        "threads/2026-11-18-overlap-call-rotation.html",
        "threads/2026-11-18-overlap-call-rotation.xml",
        "tags/index.html",
        "tags/standups.html",
        "people/index.html",
        "people/ana.html",
        "feed.xml",
        "style.css",
        ".longhand-site",
    ] {
        assert!(files.contains_key(path), "{path} is missing");
    }
    check_site(&files);
    let threads = fs::read_dir(root.join("threads")).expect("threads").count();
    let mut feeds = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".xml")) {
        let ids = check_feed(path, bytes);
        assert!(!ids.is_empty(), "{path} has entries");
        feeds += 1;
    }
    assert_eq!(feeds, threads + 1, "a feed per thread and the site's");

    // What the pages say comes from the model: statuses, awaited people, votes, local times.
    let text = |path: &str| String::from_utf8(files[path].clone()).expect("UTF-8");
    let index = text("index.html");
    assert!(
        index.contains("awaiting <a class=\"person\" href=\"people/sofia.html\">Sofia Costa</a>"),
        "{index}"
    );
    let thread = text("threads/2026-11-18-overlap-call-rotation.html");
    assert!(thread.contains("Votes on <a href=\"../decisions/weekly-overlap-call.html\">"));
    assert!(thread.contains("their time (UTC−03:00)"));
    assert!(thread.contains("<span class=\"vote vote-for\""));
    let log = text("decisions/index.html");
    assert!(log.contains("<ol class=\"timeline\">"));
    assert!(log.contains("<span class=\"badge status-superseded\">superseded</span>"));
    // No page reaches outside the site: no scheme-relative or absolute URLs of our own.
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let page = String::from_utf8_lossy(bytes);
        assert!(
            !page.contains("href=\"/") && !page.contains("src=\"/"),
            "{path}"
        );
        assert_eq!(page.matches("<script").count(), 1, "{path}: search.js only");
    }
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    render(&root, &dir.path().join("a"), &[]);
    // A different clock must not change anything: the site describes the data's latest date.
    ok(longhand_with(
        &root,
        &["render", "--out", &dir.path().join("b").to_string_lossy()],
        &[("TZ", "Asia/Tokyo")],
    ));
    let (a, b) = (
        site_files(&dir.path().join("a")),
        site_files(&dir.path().join("b")),
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between two renders");
    }
    // And rendering into the same directory again replaces it with the same bytes.
    render(&root, &dir.path().join("a"), &[]);
    assert_eq!(site_files(&dir.path().join("a")), a);
}

#[test]
fn a_revision_of_a_bare_repository_renders_like_its_work_tree() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    git_init(&root);
    commit_all(&root, "the example");
    let bare = dir.path().join("server.git");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &root.to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    // A later change in the work tree is not in the revision.
    write(
        &root.join("threads/2026-10-05-async-standups/thread.md"),
        "broken",
    );

    let from_rev = dir.path().join("from-rev");
    ok(longhand(
        &bare,
        &[
            "render",
            "--rev",
            "main",
            "--out",
            &from_rev.to_string_lossy(),
        ],
    ));
    let run = longhand(
        &bare,
        &["render", "--out", &dir.path().join("x").to_string_lossy()],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("render a revision: --rev main"),
        "{}",
        run.stderr
    );
    git(&root, &["checkout", "-q", "--", "."]);
    let from_tree = dir.path().join("from-tree");
    render(&root, &from_tree, &[]);
    let (a, b) = (site_files(&from_rev), site_files(&from_tree));
    assert_eq!(a.len(), b.len());
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{path} differs between the revision and the work tree"
        );
    }
    assert!(
        a.keys().any(|p| p.starts_with("files/")),
        "attachments come from git too"
    );
}

#[test]
fn base_url_makes_feed_links_absolute() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    let out = dir.path().join("site");
    render(&root, &out, &["--base-url", "https://example.org/team"]);
    let feed = fs::read_to_string(out.join("feed.xml")).expect("feed");
    check_feed("feed.xml", feed.as_bytes());
    assert!(
        feed.contains("<id>https://example.org/team/feed.xml</id>"),
        "{feed}"
    );
    assert!(
        feed.contains("href=\"https://example.org/team/threads/"),
        "{feed}"
    );
    // Pages never need it.
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(!index.contains("example.org/team"));

    let run = longhand(&root, &["render", "--base-url", "javascript:alert(1)"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn progress_is_quiet_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    // Even with no delay at all, a pipe gets no bar.
    let out = dir.path().join("site").to_string_lossy().into_owned();
    let run = ok(longhand_with(
        &root,
        &["render", "--out", &out],
        &[("LONGHAND_PROGRESS_DELAY_MS", "0")],
    ));
    assert_eq!(run.stderr, "", "no progress bar into a pipe");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), the bar is drawn, reaches
/// 100%, and is wiped before the summary; with the default delay a quick render shows none.
#[test]
fn progress_bar_is_drawn_on_a_terminal() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    let on_terminal = |delay: &str, out: &str| {
        let command = format!(
            "{} -C {} render --out {}",
            env!("CARGO_BIN_EXE_longhand"),
            root.display(),
            dir.path().join(out).display()
        );
        let home = tempfile::tempdir().expect("temp home");
        let mut script = Command::new("script");
        script.args(["-qec", &command, "/dev/null"]);
        isolate(&mut script, home.path());
        let output = script
            .env("LONGHAND_PROGRESS_DELAY_MS", delay)
            .output()
            .expect("util-linux script runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let shown = on_terminal("0", "site-a");
    assert!(shown.contains("\rRendering ["), "{shown:?}");
    assert!(shown.contains("100% ("), "{shown:?}");
    let wiped = shown.rfind("\r ").expect("the bar is wiped");
    assert!(
        shown[wiped..].contains("Open "),
        "the summary follows the bar: {shown:?}"
    );
    let quick = on_terminal("600000", "site-b");
    assert!(!quick.contains("Rendering ["), "{quick:?}");
}

#[test]
fn a_directory_that_is_not_a_site_is_never_replaced() {
    let dir = tempfile::tempdir().expect("temp");
    let root = example_copy(dir.path());
    let out = dir.path().join("precious");
    write(&out.join("thesis.tex"), "years of work");
    let run = longhand(&root, &["render", "--out", &out.to_string_lossy()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a site longhand rendered"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(out.join("thesis.tex")).expect("kept"),
        "years of work"
    );
    assert_eq!(
        fs::read_dir(dir.path()).expect("dir").count(),
        2,
        "no staging directory is left behind"
    );
}

#[test]
fn attachments_are_copied_and_shown_by_kind_and_nothing_else_is() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().join("repo");
    small_discussion(&root);
    let reply = id(2);
    let attachments = root.join(format!("threads/async-standups/{reply}"));
    write(&attachments.join("screen shot.png"), b"\x89PNG\r\n\x1a\n");
    write(&attachments.join("demo.mp4"), b"not really a video");
    write(&attachments.join("voice.ogg"), b"not really audio");
    write(&attachments.join("notes.pdf"), b"%PDF-1.4");
    write(
        &attachments.join("evil.html"),
        "<script>window.__pwned=1</script>",
    );
    write(
        &attachments.join("drawing.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    );
    write(
        &attachments.join("big.mp4"),
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 123456789\n",
            "a".repeat(64)
        ),
    );
    write(&root.join("secret.txt"), "outside");
    std::os::unix::fs::symlink(root.join("secret.txt"), attachments.join("link.txt"))
        .expect("symlink");
    write(
        &root.join(format!("threads/async-standups/{reply}.md")),
        reply_md(
            &reply,
            "",
            &format!(
                "See ![the shot]({reply}/screen%20shot.png) and [the demo]({reply}/demo.mp4).\n"
            ),
        ),
    );
    let out = dir.path().join("site");
    render(&root, &out, &[]);
    let files = site_files(&out);
    check_site(&files);
    let base = format!("files/async-standups/{reply}");
    for name in [
        "screen shot.png",
        "demo.mp4",
        "voice.ogg",
        "notes.pdf",
        "evil.html.txt",
        "drawing.svg",
    ] {
        assert!(
            files.contains_key(&format!("{base}/{name}")),
            "{name} is copied"
        );
    }
    assert!(
        !files.contains_key(&format!("{base}/big.mp4")),
        "a Git LFS pointer is not published as if it were the video"
    );
    assert!(
        !files.contains_key(&format!("{base}/evil.html")),
        "active files are renamed"
    );
    assert!(
        !files
            .keys()
            .any(|p| p.contains("link.txt") || p.contains("secret")),
        "{files:?}",
        files = files.keys()
    );
    assert!(
        !String::from_utf8_lossy(&files[&format!("{base}/drawing.svg")]).contains("onload"),
        "a scripted SVG is published without its script"
    );
    let page = String::from_utf8(files["threads/async-standups.html"].clone()).expect("UTF-8");
    let href = format!("../files/async-standups/{reply}");
    assert!(
        page.contains("Attachment: big.mp4 (stored in Git LFS, not published with this site)"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<a href=\"{href}/screen%20shot.png\">screen shot.png</a> (shown above)"
        )),
        "an image the body shows is not shown twice: {page}"
    );
    assert!(
        page.contains(&format!(
            "<img src=\"{href}/screen%20shot.png\" alt=\"the shot\""
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("<a href=\"{href}/demo.mp4\">the demo</a>")),
        "{page}"
    );
    assert!(page.contains(&format!(
        "<video controls=\"controls\" preload=\"metadata\" src=\"{href}/demo.mp4\">"
    )));
    assert!(page.contains(&format!(
        "<audio controls=\"controls\" preload=\"metadata\" src=\"{href}/voice.ogg\">"
    )));
    assert!(page.contains(&format!(
        "<a href=\"{href}/notes.pdf\" download=\"\">notes.pdf</a>"
    )));
}

fn page(body: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'\" />\
         <script src=\"search.js\" defer=\"defer\"></script></head><body><header class=\"site\"><nav></nav>\
         </header><main>{body}</main><footer></footer></body></html>"
    )
    .into_bytes()
}

#[test]
#[should_panic(expected = "not in the site")]
fn the_site_check_catches_a_broken_link() {
    let files = BTreeMap::from([(
        "index.html".to_owned(),
        page("<h1>x</h1><a href=\"threads/gone.html\">x</a>"),
    )]);
    check_site(&files);
}

#[test]
#[should_panic(expected = "<h3> after <h1>")]
fn the_site_check_catches_a_skipped_heading_level() {
    let files = BTreeMap::from([("index.html".to_owned(), page("<h1>x</h1><h3>y</h3>"))]);
    check_site(&files);
}

#[test]
#[should_panic(expected = "fragment names no id")]
fn the_site_check_catches_a_dangling_fragment() {
    let files = BTreeMap::from([
        (
            "index.html".to_owned(),
            page("<h1 id=\"a\">x</h1><a href=\"#b\">x</a>"),
        ),
        ("search.js".to_owned(), Vec::new()),
    ]);
    check_site(&files);
}

#[test]
fn the_tour_shows_what_render_prints() {
    let readme = fs::read_to_string(workspace().join("docs/tour.md")).expect("docs/tour.md");
    let command = "longhand -C examples/async-standups render --out /tmp/standups-site";
    let start = readme
        .find(&format!("$ {command}\n"))
        .expect("docs/tour.md shows render")
        + command.len()
        + 3;
    let expected: String = readme[start..]
        .lines()
        .take_while(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().expect("temp");
    let out = dir.path().join("standups-site");
    let run = ok(longhand(
        &workspace(),
        &[
            "-C",
            "examples/async-standups",
            "render",
            "--out",
            &out.to_string_lossy(),
        ],
    ));
    assert_eq!(
        run.stdout
            .replace(&*out.to_string_lossy(), "/tmp/standups-site"),
        expected
    );
}

/// The three SVGs of the security review (issue 23) passed a check that looked only for the
/// text `<script` and `&#`, and were published unchanged. Pushed to a bare repository and
/// rendered from its revision, each is now published rewritten: the drawing without the
/// script or the frame.
#[test]
fn svg_with_namespaced_script_is_not_published_runnable() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().join("repo");
    small_discussion(&root);
    let reply = id(2);
    let attachments = root.join(format!("threads/async-standups/{reply}"));
    let svg = "http://www.w3.org/2000/svg";
    let xhtml = "http://www.w3.org/1999/xhtml";
    let payloads = [
        (
            "svg-script.svg",
            format!("<x:script xmlns:x=\"{svg}\">alert(document.domain)</x:script>"),
        ),
        (
            "xhtml-script.svg",
            format!("<h:script xmlns:h=\"{xhtml}\">alert(document.domain)</h:script>"),
        ),
        (
            "iframe.svg",
            format!(
                "<h:iframe xmlns:h=\"{xhtml}\" srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"/>"
            ),
        ),
    ];
    for (name, payload) in &payloads {
        write(
            &attachments.join(name),
            format!("<svg xmlns=\"{svg}\"><rect width=\"9\" height=\"9\"/>{payload}</svg>"),
        );
    }
    git_init(&root);
    commit_all(&root, "attachments");
    let bare = dir.path().join("server.git");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            &root.to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    let out = dir.path().join("site");
    ok(longhand(
        &bare,
        &["render", "--rev", "main", "--out", &out.to_string_lossy()],
    ));
    let files = site_files(&out);
    for (name, _) in &payloads {
        let published =
            String::from_utf8(files[&format!("files/async-standups/{reply}/{name}")].clone())
                .expect("UTF-8");
        assert_eq!(
            published,
            format!("<svg xmlns=\"{svg}\"><rect width=\"9\" height=\"9\"/></svg>\n"),
            "{name}"
        );
    }
}

/// Who is shown is who it is, on the site too: a reply under Jonas's email typed as "Ana
/// Lima" shows Jonas with the typed name beside it, in the page, in "in reply to" and in the
/// feed; an email of no one shows the email beside the typed name.
#[test]
fn site_displays_roster_name_for_impersonated_author() {
    let dir = tempfile::tempdir().expect("temp");
    let root = dir.path().join("repo");
    small_discussion(&root);
    let thread = root.join("threads/async-standups");
    write(
        &thread.join(format!("{}.md", id(3))),
        reply_md(&id(3), "", "I am Ana.\n").replace("Jonas Weber <", "Ana Lima <"),
    );
    write(
        &thread.join(format!("{}.md", id(4))),
        reply_md(&id(4), &format!("reply-to: {}\n", id(3)), "Me too.\n").replace(
            "Jonas Weber <jonas@example.org>",
            "Ana Lima <zoe@example.org>",
        ),
    );
    let out = dir.path().join("site");
    render(&root, &out, &[]);
    let files = site_files(&out);
    let page = String::from_utf8(files["threads/async-standups.html"].clone()).expect("UTF-8");
    assert!(
        page.contains("Jonas Weber</a> <span class=\"typed\">(as &quot;Ana Lima&quot;)</span>"),
        "{page}"
    );
    assert!(
        page.contains("Ana Lima</a> <span class=\"typed\">&lt;zoe@example.org&gt;</span>"),
        "{page}"
    );
    assert!(
        page.contains("in reply to <a href=\"#m-")
            && page.contains("\">Jonas Weber (as &quot;Ana Lima&quot;)</a>"),
        "{page}"
    );
    let feed = String::from_utf8(files["feed.xml"].clone()).expect("UTF-8");
    assert!(
        feed.contains("Jonas Weber (as &quot;Ana Lima&quot;) replied: "),
        "{feed}"
    );
}
