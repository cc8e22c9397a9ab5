//! Relative links in bodies: they must stay inside the discussion root and name something.

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use crate::diagnostic::{Code, Diagnostic};
use crate::document::markdown_options;
use crate::model::Discussion;
use crate::source::{resolve_relative, Source};
use crate::Result;

/// Checks the relative links of every body against the source.
pub fn links(discussion: &Discussion, source: &dyn Source) -> Result<Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut bodies: Vec<(&str, &str, u32)> = Vec::new();
    for thread in &discussion.threads {
        bodies.push((&thread.origin.path, &thread.body, thread.body_line));
        for message in &thread.replies {
            bodies.push((&message.origin.path, &message.body, message.body_line));
        }
    }
    for headless in &discussion.headless {
        for message in &headless.replies {
            bodies.push((&message.origin.path, &message.body, message.body_line));
        }
    }
    for decision in &discussion.decisions {
        bodies.push((&decision.origin.path, &decision.body, decision.body_line));
    }
    for (path, body, body_line) in bodies {
        for (destination, offset) in relative_links(body) {
            let before = &body[..offset];
            let line = body_line + before.matches('\n').count() as u32;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = Some(before[line_start..].chars().count() as u32 + 1);
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
                    if source.kind(&resolved)?.is_none() {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::BrokenLink,
                                path,
                                format!("the link `{destination}` names `{resolved}`, which does not exist"),
                            )
                            .at(line, column),
                        );
                    }
                }
            }
        }
    }
    Ok(diagnostics)
}

/// The relative link and image destinations of a body, with their byte offsets.
fn relative_links(body: &str) -> Vec<(String, usize)> {
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
        if is_relative(&destination) {
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
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
