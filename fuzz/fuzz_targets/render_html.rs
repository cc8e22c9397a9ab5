//! Markdown bodies rendered as HTML with sanitising (`render::html`): never panic, and the
//! output is safe — every tag is one the renderer writes, no attribute is an event handler,
//! and every link or image destination, once a browser has decoded its entities, passes
//! `safe_url` (no `javascript:`, `data:` or other scheme).
#![no_main]

use libfuzzer_sys::fuzz_target;
use longhand::render::html;

const TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "input",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "span",
    "strong",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Decodes the character references a browser decodes in an attribute value.
fn decode(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').unwrap_or(0);
        let entity = &rest[1..end.max(1)];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) if end > 0 => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn check(out: &str) {
    let mut rest = out;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let close = rest.find('>').expect("every tag is closed");
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        let tag = tag.trim_start_matches('/').trim_end_matches('/');
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            TAGS.contains(&name.as_str()),
            "unexpected tag <{tag}> in {out}"
        );
        // Attributes: name="value", values without a raw quote (escaping guarantees it).
        let mut attrs = &tag[name.len()..];
        while let Some(eq) = attrs.find("=\"") {
            let attr = attrs[..eq].trim().to_ascii_lowercase();
            let after = &attrs[eq + 2..];
            let end = after.find('"').expect("quoted value");
            let value = decode(&after[..end]);
            attrs = &after[end + 1..];
            assert!(!attr.starts_with("on"), "event handler {attr} in {out}");
            if attr == "href" || attr == "src" {
                assert!(
                    html::safe_url(&value).as_deref() == Some(value.as_str()),
                    "unsafe {attr}={value:?} in {out}"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(&html::markdown_to_html(text, &html::keep_links));
    let options = html::Options {
        heading_offset: 2,
        id_prefix: "m1-",
        links: &|url: &str| Some(format!("../{url}")),
    };
    check(&html::render(text, &options));
});
