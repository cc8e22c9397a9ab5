//! `longhand render` in a real browser: an XSS corpus written into a real discussion (bodies,
//! titles, tags, names, slugs, decision fields, the roster, attachment names, SVG attachments
//! that run scripts when opened) is rendered, and every page, feed and published SVG is loaded
//! in headless Chromium with the pages' Content-Security-Policy
//! removed, so escaping alone is what is tested. A payload that ran sets the document's title to
//! `PWNED` or adds an element with the id `pwned`; the DOM Chromium dumps shows either. A control
//! page with live payloads proves the harness sees them.
//!
//! The same test saves screenshots of the bundled example (index, a thread, the decision log,
//! at desktop and phone widths) under `target/screenshots/`.
//!
//! Chromium (Debian's `chromium`) is required when `CI` is set; elsewhere the test prints a
//! notice and passes without it.

use std::fs;
use std::path::Path;

use crate::browser::{browser, chromium, chromiums_own, dump_dom, visit};
use crate::render::{check_feed, check_site, render, site_files};
use crate::support::*;

const MARK: &str = "document.title='PWNED'";

/// What in a dumped DOM shows that a payload ran: the title, or an element with id `pwned`.
/// Text and attribute values are escaped in the dump, so `<` only starts a real tag and
/// `id="pwned"` (with its quotes) only appears as a real attribute.
fn ran(dom: &str) -> Option<String> {
    if dom.contains("<title>PWNED</title>") {
        return Some("the title became PWNED".to_owned());
    }
    let mut from = 0;
    while let Some(at) = dom[from..].find("id=\"pwned\"") {
        let at = from + at;
        let before = &dom[..at];
        if before.rfind('<') > before.rfind('>') {
            let start = before.rfind('<').unwrap_or(0);
            return Some(format!(
                "an element with id pwned: {}",
                &dom[start..(at + 11).min(dom.len())]
            ));
        }
        from = at + 1;
    }
    None
}

/// A YAML double-quoted string.
fn yq(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Payloads for Markdown bodies: raw HTML, event handlers, dangerous URLs however spelt,
/// Markdown constructs whose text or attributes could break out.
fn body_payloads() -> Vec<String> {
    let m = MARK;
    vec![
        format!("<script>{m}</script>"),
        format!("<img src=x onerror=\"{m}\">"),
        "<img src=x id=pwned>".to_owned(),
        format!("<svg onload=\"{m}\"></svg>"),
        format!("<svg><script>{m}</script></svg>"),
        format!("<iframe src=\"javascript:parent.{m}\"></iframe>"),
        format!("<iframe srcdoc=\"<script>parent.{m}</script>\"></iframe>"),
        format!("<object data=\"javascript:{m}\"></object>"),
        format!("<embed src=\"javascript:{m}\">"),
        format!("<body onload=\"{m}\">"),
        format!("<details open ontoggle=\"{m}\">x</details>"),
        "<div id=pwned>injected</div>".to_owned(),
        format!("<a href=\"javascript:{m}\" id=pwned>x</a>"),
        format!("<math><mtext><table><mglyph><style><img src=x onerror=\"{m}\">"),
        format!("<input autofocus onfocus=\"{m}\">"),
        format!("<video><source onerror=\"{m}\"></video>"),
        format!("<audio src=x onerror=\"{m}\">"),
        format!("<meta http-equiv=\"refresh\" content=\"0;url=javascript:{m}\">"),
        "<base href=\"javascript:/\">".to_owned(),
        format!("<form><button formaction=\"javascript:{m}\" id=pwned>x</button></form>"),
        "<style>*{color:red}</style><p id=pwned>styled</p>".to_owned(),
        format!("Inline <img src=x onerror={m}> in a paragraph."),
        format!("<!--><img src=x onerror=\"{m}\">-->"),
        format!("<![CDATA[<script>{m}</script>]]>"),
        format!("<noscript><p title=\"</noscript><img src=x onerror={m}>\"></noscript>"),
        format!("<svg><a xlink:href=\"javascript:{m}\"><text>x</text></a></svg>"),
        format!("<img src=\"x\"\n onerror=\"{m}\">"),
        format!("[click](<javascript:{m}>)"),
        format!("[click](<JaVaScRiPt:{m}>)"),
        format!("[click](&#106;avascript:{m})"),
        format!("[click](&#x6A;&#x61;vascript:{m})"),
        format!("[click](<java\tscript:{m}>)"),
        format!("[click](<\u{1}javascript:{m}>)"),
        "[click](data:text/html;base64,PHNjcmlwdD5kb2N1bWVudC50aXRsZT0nUFdORUQnPC9zY3JpcHQ+)"
            .to_owned(),
        "[click](vbscript:msgbox)".to_owned(),
        format!("![x](<javascript:{m}>)"),
        format!("![x\" onerror=\"{m}](https://example.org/x.png)"),
        format!("[x](https://example.org \"t\\\" onmouseover=\\\"{m}\")"),
        format!("[ref]\n\n[ref]: <javascript:{m}>"),
        format!("<javascript:{m}>"),
        format!("```html\" onclick=\"{m}\n<script>{m}</script>\n```"),
        format!("`<script>{m}</script>`"),
        format!("Note[^<img src=x onerror={m}>].\n\n[^<img src=x onerror={m}>]: <b id=pwned>x</b>"),
        format!("| a |\n|---|\n| <img src=x onerror=\"{m}\"> |"),
        format!("# <script>{m}</script>"),
        format!("[<img src=x onerror=\"{m}\">](https://example.org)"),
        format!("&lt;script&gt;{m}&lt;/script&gt;"),
        format!("<a href=\"&#x6A;avascript:{m}\" id=pwned>x</a>"),
        format!("> <img src=x onerror=\"{m}\">\n> quoted"),
        format!("- [x] <img src=x onerror=\"{m}\">"),
    ]
}

const SVG: &str = "http://www.w3.org/2000/svg";
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// SVG attachments that run a script when opened, as a browser reads them: namespaced
/// scripts, event handlers (some fire without a click), `javascript:` links and animations
/// setting them, foreign content, external references, CDATA and entities.
fn svg_payloads() -> Vec<String> {
    let m = MARK;
    let open = format!("<svg xmlns=\"{SVG}\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"");
    vec![
        format!("{open}><x:script xmlns:x=\"{SVG}\">{m}</x:script></svg>"),
        format!("{open}><h:script xmlns:h=\"{XHTML}\">{m}</h:script></svg>"),
        format!(
            "{open}><h:iframe xmlns:h=\"{XHTML}\" srcdoc=\"&lt;script&gt;parent.{m}&lt;/script&gt;\"/></svg>"
        ),
        format!("{open} onload=\"{m}\"><rect width=\"9\"/></svg>"),
        format!("{open}><script><![CDATA[{m}]]></script></svg>"),
        format!("{open}><script type=\"text/ecmascript\">{m}</script></svg>"),
        format!("{open}><animate onbegin=\"{m}\" attributeName=\"x\" dur=\"1s\"/></svg>"),
        format!("{open}><image href=\"nowhere.png\" onerror=\"{m}\"/></svg>"),
        format!("{open} onload=\"&#100;ocument.title=&#39;PWNED&#39;\"/>"),
        format!("<!DOCTYPE svg [<!ENTITY s \"<script>{m}</script>\">]>{open}>&s;</svg>"),
        format!(
            "{open}><foreignObject width=\"9\" height=\"9\"><body xmlns=\"{XHTML}\">\
             <img src=\"x\" onerror=\"{m}\"/></body></foreignObject></svg>"
        ),
        format!("{open}><a xlink:href=\"javascript:{m}\" id=\"pwned-link\"><text>x</text></a></svg>"),
        format!(
            "{open}><a href=\"#x\"><set attributeName=\"href\" to=\"javascript:{m}\"/><text>x</text></a></svg>"
        ),
        format!(
            "{open}><a><animate attributeName=\"href\" values=\"javascript:{m}\"/><text>x</text></a></svg>"
        ),
        format!("{open}><use href=\"http://127.0.0.1:9/x.svg#a\"/></svg>"),
        format!(
            "{open}><use href=\"data:image/svg+xml,&lt;svg id='a' xmlns='{SVG}'&gt;&lt;script&gt;{m}&lt;/script&gt;&lt;/svg&gt;#a\"/></svg>"
        ),
        format!("{open}><SCRIPT>{m}</SCRIPT><Script>{m}</Script></svg>"),
        format!("{open}><set attributeName=\"onload\" to=\"{m}\"/></svg>"),
    ]
}

/// A discussion full of payloads, in every field that reaches a page.
fn hostile_discussion(root: &Path) -> usize {
    let m = MARK;
    let script = format!("<script>{m}</script>");
    let img = format!("<img src=x onerror=\"{m}\" id=pwned>");
    write(
        &root.join("longhand.yaml"),
        format!(
            "longhand: 1\ntitle: {}\npeople:\n  ana:\n    name: {}\n    emails: [ana@example.org]\n    \
             timezone: {}\n    roles: [{}]\n  mallory:\n    name: {}\n    emails: [mallory@example.org]\n",
            yq(&format!("{script} Team")),
            yq(&format!("Ana {img}")),
            yq(&script),
            yq(&img),
            yq(&format!("\" onmouseover=\"{m}\" x=\"")),
        ),
    );
    let slug = format!("x-{}", img.replace('/', ""));
    let mut payloads = 0;
    let threads = [
        ("2026-11-20-bodies", script.clone()),
        (slug.as_str(), format!("\"><img src=x onerror=\"{m}\">")),
        ("2026-11-21-title", format!("</title><script>{m}</script>")),
    ];
    for (n, (slug, title)) in threads.iter().enumerate() {
        let dir = root.join("threads").join(slug);
        let thread_id = id(100 + n);
        write(
            &dir.join("thread.md"),
            format!(
                "---\nid: {thread_id}\ntitle: {}\nauthor: {}\ndate: 2026-11-2{n}T09:30:00-03:00\n\
                 status: open\ntags: [safe-tag, {}, {}]\nawaiting: [mallory, {}]\nrespond-by: {}\n\
                 decision: {}\n---\n{}\n",
                yq(title),
                yq(&format!(
                    "Mallory \" onmouseover=\"{m} <mallory@example.org>"
                )),
                yq(&script),
                yq(&format!("\" onmouseover=\"{m}")),
                yq(&img),
                yq(&script),
                yq(&img),
                body_payloads().join("\n\n"),
            ),
        );
        payloads += 3;
        for (k, payload) in body_payloads().iter().enumerate() {
            let reply = id(1000 * (n + 1) + k);
            let name = if k % 2 == 0 {
                format!("'-{m}-' \" onmouseover=\"{m}")
            } else {
                "Jonas Weber".to_owned()
            };
            let vote = if k % 3 == 0 { "vote: \"-1\"\n" } else { "" };
            write(
                &dir.join(format!("{reply}.md")),
                format!(
                    "---\nid: {reply}\nauthor: {}\ndate: 2026-11-24T15:{:02}:00+01:00\n{vote}---\n{payload}\n",
                    yq(&format!("{name} <jonas@example.org>")),
                    k % 60
                ),
            );
            if k == 0 {
                let attachments = dir.join(&reply);
                write(
                    &attachments.join(format!("{}.png", img.replace('/', ""))),
                    b"\x89PNG",
                );
                write(
                    &attachments.join(format!("{}.html", script.replace('/', ""))),
                    &script,
                );
                write(
                    &attachments.join("clip.svg"),
                    format!("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"{m}\"/>"),
                );
                if n == 0 {
                    for (i, svg) in svg_payloads().iter().enumerate() {
                        write(&attachments.join(format!("payload-{i:02}.svg")), svg);
                    }
                    payloads += svg_payloads().len();
                }
            }
        }
        payloads += body_payloads().len();
    }
    write(
        &root.join(format!("decisions/{}.md", "2026-11-22-decision")),
        format!(
            "---\nid: {}\ntitle: {}\nstatus: proposed\ndate: 2026-11-22T10:00:00Z\ndeciders: [ana, mallory, {}]\n\
             thread: 2026-11-20-bodies\nsupersedes: [{}]\n---\n## Context\n\n{}\n",
            id(900),
            yq(&img),
            yq(&script),
            yq(&img),
            body_payloads().join("\n\n"),
        ),
    );
    write(
        &root.join(format!("decisions/{}.md", img.replace('/', ""))),
        format!(
            "---\nid: {}\ntitle: {}\nstatus: accepted\ndate: 2026-11-23T10:00:00Z\ndeciders: [ana]\n\
             thread: {}\n---\nBody.\n",
            id(901),
            yq(&script),
            yq(&script),
        ),
    );
    payloads + 12
}

#[test]
fn no_payload_runs_in_a_browser_and_the_example_is_screenshotted() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");

    // The harness sees a payload that runs.
    let control = dir.path().join("control.html");
    write(
        &control,
        format!(
            "<!DOCTYPE html><title>ok</title><img src=x onerror=\"{MARK}\"><b id=\"pwned\"></b>"
        ),
    );
    let dom = dump_dom(&chromium, &control);
    assert!(ran(&dom).is_some(), "the control payload is seen: {dom}");
    // In an SVG document too, for the namespaced script of the first payload, unrewritten.
    let control_svg = dir.path().join("control.svg");
    write(&control_svg, &svg_payloads()[0]);
    let dom = dump_dom(&chromium, &control_svg);
    assert!(
        ran(&dom).is_some(),
        "the control SVG payload is seen: {dom}"
    );
    assert!(ran("<p>&lt;b id=\"pwned\"&gt;</p><title>x</title>").is_none());

    let root = dir.path().join("hostile");
    let payloads = hostile_discussion(&root);
    assert!(payloads >= 40, "{payloads} payloads");
    let out = dir.path().join("site");
    render(&root, &out, &[]);
    let files = site_files(&out);
    let pages: Vec<&String> = files
        .keys()
        .filter(|p| p.ends_with(".html") || p.ends_with(".xml") || p.ends_with(".svg"))
        .collect();
    assert!(pages.len() >= 20, "{pages:?}");
    // Escaping alone is tested: the policy that would stop scripts anyway is taken out.
    for path in &pages {
        let file = out.join(path);
        let text = fs::read_to_string(&file).expect("page");
        let stripped: String = text
            .lines()
            .filter(|line| !line.contains("Content-Security-Policy"))
            .map(|line| format!("{line}\n"))
            .collect();
        fs::write(&file, stripped).expect("write");
    }
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .chunks(pages.len().div_ceil(2))
            .map(|chunk| {
                let chromium = &chromium;
                let out = &out;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|path| {
                            let dom = dump_dom(chromium, &out.join(path));
                            ran(&dom).map(|what| format!("{path}: {what}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a browser thread"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "payloads ran:\n{}",
        failures.join("\n")
    );
    // And structurally: every page is well-formed, holds no script element, links inside the
    // site; every feed is valid Atom whose XHTML holds no script element.
    check_site(&files);
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".xml")) {
        check_feed(path, bytes);
    }
    let svgs: Vec<_> = files.iter().filter(|(p, _)| p.ends_with(".svg")).collect();
    assert!(svgs.len() > svg_payloads().len(), "{}", svgs.len());
    for (path, bytes) in svgs {
        check_svg(path, bytes);
    }

    screenshots(&chromium, dir.path());
}

/// A published SVG is well-formed, every element is in the SVG namespace and none is a script,
/// foreign content or an animation, no attribute is an event handler, and every `href` stays
/// inside the file or is a web link.
fn check_svg(path: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let document = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
    for node in document.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert_eq!(node.tag_name().namespace(), Some(SVG), "{path}: {name}");
        assert!(
            ![
                "script",
                "foreignObject",
                "iframe",
                "set",
                "animate",
                "handler",
                "style"
            ]
            .contains(&name),
            "{path}: {name}"
        );
        for attribute in node.attributes() {
            let lower = attribute.name().to_ascii_lowercase();
            assert!(!lower.starts_with("on"), "{path}: {lower} on {name}");
            if lower == "href" {
                let value = attribute.value();
                assert!(
                    value.starts_with('#') || value.starts_with("https://"),
                    "{path}: href {value}"
                );
            }
        }
    }
}

/// Screenshots of the bundled example at desktop and phone widths, in light and dark.
fn screenshots(chromium: &Path, dir: &Path) {
    let site = dir.join("example-site");
    render(&example(), &site, &[]);
    let target = workspace().join("target/screenshots");
    fs::create_dir_all(&target).expect("mkdir");
    for (name, page) in [
        ("index", "index.html"),
        ("thread", "threads/2026-11-18-overlap-call-rotation.html"),
        ("decisions", "decisions/index.html"),
    ] {
        for (width, size) in [("desktop", "1280,900"), ("phone", "390,844")] {
            for (scheme, flag) in [("light", None), ("dark", Some("--force-dark-mode"))] {
                if scheme == "dark" && width == "phone" {
                    continue;
                }
                let png = target.join(format!("{name}-{width}-{scheme}.png"));
                let _ = fs::remove_file(&png);
                let mut args = vec![
                    format!("--screenshot={}", png.display()),
                    format!("--window-size={size}"),
                ];
                args.extend(flag.map(str::to_owned));
                args.push(format!("file://{}", site.join(page).display()));
                browser(chromium, &args);
                let bytes = fs::read(&png).expect("a screenshot");
                assert!(bytes.starts_with(b"\x89PNG"), "{}", png.display());
            }
        }
    }
}

/// The site's search in a real browser, from `file://`, with the pages' own
/// Content-Security-Policy: a query (given in the address as `?q=`, which the page runs as if
/// typed into the box) finds what `longhand search` finds, without any request to the
/// network and without any CSP violation or script error; on the hostile discussion, results
/// built from payloads are text, never markup. A control page proves the console and the net
/// log would show a violation and a request.
#[test]
fn the_sites_search_works_from_file_urls_within_its_policy() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");

    let control = dir.path().join("control.html");
    write(
        &control,
        "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\">\
         <script>document.title='inline'</script><img src=\"http://tracker.invalid/pixel.png\">",
    );
    let seen = visit(&chromium, &format!("file://{}", control.display()));
    assert!(
        seen.console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "the control's violation is logged: {:?}",
        seen.console
    );
    assert!(
        seen.requests.iter().any(|u| u.contains("tracker.invalid")),
        "the control's request is logged: {:?}",
        seen.requests
    );

    let root = dir.path().join("repo");
    copy_tree(&example(), &root);
    let out = dir.path().join("site");
    render(&root, &out, &[]);
    let query = "\"overlap call\" in:decision";
    let cli = longhand(&root, &["search", query, "--format", "json"]);
    let cli: serde_json::Value = serde_json::from_str(&cli.stdout).expect("JSON");
    let titles: Vec<&str> = cli["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["decision"]["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(titles.len(), 2, "{cli}");

    // From a page one level down, so links must go back to the site's root.
    let page = out.join("threads/2026-11-18-overlap-call-rotation.html");
    let url = format!(
        "file://{}?q=%22overlap%20call%22%20in%3Adecision",
        page.display()
    );
    let seen = visit(&chromium, &url);
    let dom = &seen.dom;
    assert!(
        dom.contains("<div id=\"lh-search\" class=\"search\" role=\"search\">"),
        "the box is shown: {dom}"
    );
    assert!(
        dom.contains("<p class=\"lh-count\">2 results for \"overlap call\" in:decision</p>"),
        "{dom}"
    );
    let results = &dom[dom.find("id=\"lh-results\"").expect("results")..];
    let mut at = 0;
    for title in &titles {
        let found = results[at..]
            .find(&format!(">{title}</a>"))
            .unwrap_or_else(|| panic!("{title} in order: {results}"));
        at += found + 1;
    }
    assert!(results.contains(&format!(
        "href=\"file://{}/decisions/weekly-overlap-call.html\"",
        out.display()
    )));
    assert!(results.contains("<mark>overlap call</mark>"), "{results}");
    assert_eq!(seen.console, Vec::<String>::new(), "no violation, no error");
    let network: Vec<&String> = seen.requests.iter().filter(|u| !chromiums_own(u)).collect();
    assert!(network.is_empty(), "requests: {network:?}");

    // Payloads found by a search are shown as text.
    let hostile = dir.path().join("hostile");
    hostile_discussion(&hostile);
    let out = dir.path().join("hostile-site");
    render(&hostile, &out, &[]);
    let seen = visit(
        &chromium,
        &format!("file://{}?q=pwned", out.join("index.html").display()),
    );
    assert!(seen.dom.contains(" results for pwned"), "{}", seen.dom);
    assert_eq!(ran(&seen.dom), None, "a payload ran from the results");
    assert!(
        !seen
            .console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "{:?}",
        seen.console
    );
}
