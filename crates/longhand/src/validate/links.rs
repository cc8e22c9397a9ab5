//! Relative links in bodies: they must stay inside the discussion root and name something.

use std::collections::HashMap;

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use crate::diagnostic::{Code, Diagnostic};
use crate::document::markdown_options;
use crate::model::Discussion;
use crate::source::{resolve_relative, Source};
use crate::{Parallelism, Result};

/// Checks the relative links of every body against the source, finding them on the threads
/// `parallelism` names (the source is asked on the calling thread only).
pub(crate) fn links_with(
    discussion: &Discussion,
    source: &dyn Source,
    parallelism: &Parallelism,
) -> Result<Vec<Diagnostic>> {
    // Kept fallible for sources that may one day fail as a whole.
    let mut diagnostics = Vec::new();
    let threads = discussion.threads.iter().flat_map(|thread| {
        std::iter::once((&thread.origin.path, &thread.body, thread.body_line)).chain(
            thread
                .replies
                .iter()
                .map(|m| (&m.origin.path, &m.body, m.body_line)),
        )
    });
    let headless = discussion
        .headless
        .iter()
        .flat_map(|headless| headless.replies.iter())
        .map(|m| (&m.origin.path, &m.body, m.body_line));
    let decisions = discussion
        .decisions
        .iter()
        .map(|d| (&d.origin.path, &d.body, d.body_line));
    let mut bodies = threads.chain(headless).chain(decisions);
    // Finding links parses Markdown, which is pure and done on every core; looking their
    // targets up asks the source, in body order. Bodies go in chunks, so neither the list of
    // bodies nor what is found in them is ever held whole for a large discussion.
    let mut chunk: Vec<(&String, &String, u32)> = Vec::with_capacity(LINK_CHUNK);
    // Many bodies link to the same few files: each target is asked about once.
    let mut exists: HashMap<String, bool> = HashMap::new();
    loop {
        chunk.clear();
        chunk.extend(bodies.by_ref().take(LINK_CHUNK));
        if chunk.is_empty() {
            break;
        }
        let found: Vec<Vec<(String, usize)>> =
            parallelism.map_ref(&chunk, |(_, body, _)| checked_links(body));
        for (&(path, body, body_line), links) in chunk.iter().zip(found) {
            let mut target_exists = |resolved: &str| match exists.get(resolved) {
                Some(known) => *known,
                None => {
                    // A target that cannot even be a path (a NUL, a name too long) is missing.
                    let found = matches!(source.kind(resolved), Ok(Some(_)));
                    exists.insert(resolved.to_owned(), found);
                    found
                }
            };
            check_body_links(
                path,
                body,
                body_line,
                links,
                &mut target_exists,
                &mut diagnostics,
            );
        }
    }
    Ok(diagnostics)
}

/// How many bodies have their links found at once.
const LINK_CHUNK: usize = 4096;

/// Checks the links found in one body (in text order) and reports the bad ones;
/// `target_exists` says whether a resolved root-relative path names anything.
fn check_body_links(
    path: &str,
    body: &str,
    body_line: u32,
    links: Vec<(String, usize)>,
    target_exists: &mut dyn FnMut(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Links come in text order, so lines are counted once through the body, not per link.
    let (mut counted_to, mut line, mut line_start) = (0, body_line, 0);
    for (destination, offset) in links {
        for (i, _) in body[counted_to..offset].match_indices('\n') {
            line += 1;
            line_start = counted_to + i + 1;
        }
        counted_to = offset;
        let column = Some(body[line_start..offset].chars().count() as u32 + 1);
        if is_local_file(&destination) {
            diagnostics.push(
                Diagnostic::new(
                    Code::LocalFileLink,
                    path,
                    format!("the link `{destination}` names a file on the writer's machine, which no reader has"),
                )
                .at(line, column),
            );
            continue;
        }
        let target = percent_decode(destination.split(['#', '?']).next().unwrap_or_default());
        if target.is_empty() {
            continue;
        }
        match resolve_relative(path, &target) {
            None => diagnostics.push(
                Diagnostic::new(
                    Code::PathEscape,
                    path,
                    format!("the link `{destination}` leads outside the discussion root"),
                )
                .at(line, column),
            ),
            Some(resolved) => {
                if !target_exists(&resolved) {
                    if is_attachment_path(&resolved) {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::AttachmentMissing,
                                path,
                                format!("the link `{destination}` names the attachment `{resolved}`, which does not exist"),
                            )
                            .at(line, column),
                        );
                        continue;
                    }
                    diagnostics.push(
                        Diagnostic::new(
                            Code::BrokenLink,
                            path,
                            format!(
                                "the link `{destination}` names `{resolved}`, which does not exist"
                            ),
                        )
                        .at(line, column),
                    );
                }
            }
        }
    }
}

/// The root-relative paths the relative links of `body` (the body of the file at `path`)
/// name, as [`links_with`] resolves them: the files whose deletion would break a link of it.
pub(crate) fn link_targets(path: &str, body: &str) -> Vec<String> {
    checked_links(body)
        .into_iter()
        .filter(|(destination, _)| !is_local_file(destination))
        .filter_map(|(destination, _)| {
            let target = percent_decode(destination.split(['#', '?']).next().unwrap_or_default());
            if target.is_empty() {
                return None;
            }
            resolve_relative(path, &target)
        })
        .collect()
}

/// True for a path inside an attachment directory: `threads/<slug>/<ID>/<name>…`.
fn is_attachment_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.len() >= 4
        && parts[0] == "threads"
        && crate::model::Id::parse(parts[2]).is_some()
        && parts[3..].iter().all(|p| !p.is_empty())
}

/// True for a `file:` URL or a Windows drive path (`C:\…`, `C:/…`): names of files on one
/// machine, never of a file in the discussion.
fn is_local_file(destination: &str) -> bool {
    let bytes = destination.as_bytes();
    let file_scheme = bytes.len() >= 5 && bytes[..5].eq_ignore_ascii_case(b"file:");
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'\\' | b'/');
    file_scheme || drive
}

/// The destinations of a body that are checked: relative ones and local-file ones.
fn checked_links(body: &str) -> Vec<(String, usize)> {
    links_where(body, |d| is_relative(d) || is_local_file(d))
}

/// The relative link and image destinations of a body, with their byte offsets.
#[cfg(test)]
fn relative_links(body: &str) -> Vec<(String, usize)> {
    links_where(body, is_relative)
}

/// The link and image destinations of a body that `keep` accepts, with their byte offsets.
fn links_where(body: &str, keep: impl Fn(&str) -> bool) -> Vec<(String, usize)> {
    if !may_hold_links(body) {
        return Vec::new();
    }
    parsed_links(body, keep)
}

/// False when `body` certainly holds no link or image with a destination: every one has
/// `](` (inline) or uses a definition, which has `]:`. Most bodies are so spared the
/// Markdown parser.
fn may_hold_links(body: &str) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(body.as_bytes(), needle).is_some();
    has(b"](") || has(b"]:")
}

/// The link and image destinations the Markdown parser finds in `body` that `keep`
/// accepts, with their byte offsets (autolinks and email links left out).
fn parsed_links(body: &str, keep: impl Fn(&str) -> bool) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let (link_type, destination) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (link_type, dest_url),
            _ => continue,
        };
        if matches!(link_type, LinkType::Autolink | LinkType::Email) {
            continue;
        }
        if keep(&destination) {
            found.push((destination.into_string(), range.start));
        }
    }
    found
}

fn is_relative(destination: &str) -> bool {
    if destination.is_empty() || destination.starts_with(['/', '#']) {
        return false;
    }
    // A scheme is a letter, then letters, digits, `+`, `-`, `.`, then `:` (RFC 3986).
    let has_scheme = destination.find(':').is_some_and(|colon| {
        let scheme = &destination.as_bytes()[..colon];
        scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
    });
    !has_scheme
}

fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_destinations_count() {
        let body = "[a](../x/thread.md) [b](https://e.org) [c](#top) [d](/abs) ![e](X/clip.png) <https://auto.org> [f](mailto:a@b.c)\n";
        let found: Vec<String> = relative_links(body).into_iter().map(|(d, _)| d).collect();
        assert_eq!(found, vec!["../x/thread.md", "X/clip.png"]);
    }

    #[test]
    fn link_lines_and_columns_are_counted_once_through_the_body() {
        use crate::model::Discussion;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("longhand.yaml"), "longhand: 1\ntitle: T\n").expect("write");
        let body = "intro\n\nsee [a](nope.md) and [b](nope2.md)\n\n  ![c](%00bad)\n";
        let thread = crate::document::parse_markdown(
            "threads/t/thread.md",
            format!("---\nid: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: T\nauthor: A <a@b.c>\ndate: 2026-11-24T09:30:00Z\nstatus: open\n---\n{body}").as_bytes(),
        );
        assert!(thread.diagnostics.is_empty());
        let source = crate::WorkTree::new(dir.path());
        let mut discussion = Discussion::default();
        let loaded = crate::load(&source).expect("loads");
        discussion.config = loaded.discussion.config;
        let document = thread.value.expect("parses");
        discussion.threads.push(crate::model::Thread {
            slug: "t".into(),
            id: crate::model::Id::parse("01JD8Q1Z4A2B3C4D5E6F7G8H9J").expect("id"),
            title: "T".into(),
            author: crate::model::Author::parse("A <a@b.c>").expect("author"),
            date: crate::model::Moment::parse("2026-11-24T09:30:00Z").expect("date"),
            status: crate::model::ThreadStatus::Open,
            tags: vec![],
            awaiting: vec![],
            respond_by: None,
            decision: None,
            merged_into: None,
            body: document.body,
            body_line: document.body_line,
            extra: vec![],
            signature: None,
            origin: crate::model::Origin {
                path: "threads/t/thread.md".into(),
                ..Default::default()
            },
            replies: vec![],
        });
        let found: Vec<(Code, Option<u32>, Option<u32>)> =
            links_with(&discussion, &source, &Parallelism::default())
                .expect("checks")
                .iter()
                .map(|d| (d.code, d.line, d.column))
                .collect();
        assert_eq!(
            found,
            vec![
                (Code::BrokenLink, Some(10), Some(5)),
                (Code::BrokenLink, Some(10), Some(22)),
                (Code::BrokenLink, Some(12), Some(3)),
            ]
        );
    }

    #[test]
    fn local_files_and_attachment_paths_are_recognised() {
        assert!(is_local_file("file:///etc/passwd"));
        assert!(is_local_file("FILE:C:/x.png"));
        assert!(is_local_file("C:\\Users\\ana\\shot.png"));
        assert!(is_local_file("c:/x.png"));
        assert!(!is_local_file("https://e.org/file:x"));
        assert!(!is_local_file("x/file:y"));
        assert!(is_attachment_path(
            "threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J/demo.mp4"
        ));
        assert!(!is_attachment_path("threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J"));
        assert!(!is_attachment_path("threads/t/notes/demo.mp4"));
        assert!(!is_attachment_path(
            "decisions/01JD8Q1Z4A2B3C4D5E6F7G8H9J/x"
        ));
    }

    /// The pre-check never hides a link the parser would find: on every body of the
    /// conformance vectors and the example, and on generated Markdown.
    #[test]
    fn the_pre_check_skips_only_bodies_without_links() {
        let (mut bodies, mut with_links) = (0, 0);
        for (path, text) in crate::test_support::vector_texts() {
            bodies += 1;
            let all = parsed_links(&text, |_| true);
            with_links += usize::from(!all.is_empty());
            assert!(
                may_hold_links(&text) || all.is_empty(),
                "{}",
                path.display()
            );
        }
        assert!(bodies > 100 && with_links > 5, "{with_links} of {bodies}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn no_link_is_missed_by_the_pre_check(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "[", "]", "(", ")", ":", " ", "\n", "\n\n", "<", ">", "\\", "`", "```\n",
                "!", "a", "../x.md", "https://e.org", "#top", "\"t\"", "[^1]", "&#93;",
                "&#58;", "&#40;", "    ", "> ", "- ", "|", "*", "%20",
            ]), 0..40)
        ) {
            let body = parts.concat();
            let all = parsed_links(&body, |_| true);
            proptest::prop_assert!(may_hold_links(&body) || all.is_empty(), "{:?}", body);
        }
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
