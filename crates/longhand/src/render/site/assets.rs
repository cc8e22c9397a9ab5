//! A reply's attachments (spec section 8.4): copied from the source into `files/<thread>/<ID>/`
//! and shown under the reply — images inline, video and audio with the browser's controls,
//! anything else as a download link.
//!
//! Only the files the loader listed inside `<ID>/` directories are copied (never a link, never
//! a path outside the root), and they are read through the `Source`, so `--rev` works. An
//! attachment is untrusted like a body: a file a browser would run as a page or a script (HTML,
//! XML, JavaScript, or any extension not known to be passive) is published with `.txt` added
//! to its name, so opening it shows text instead of running it. An SVG is published only when
//! it is plainly a drawing ([`is_plain_svg`]); otherwise a placeholder drawing takes its place.
//! A Git LFS pointer is not copied (its content is not in the tree): the page says so.

use std::fmt::Write as _;

use super::context::Context;
use super::output::{Kind, Staging};
use crate::document::lfs::{looks_like_pointer, LFS_POINTER_MAX_BYTES};
use crate::model::{Message, Thread};
use crate::render::html::escape_into;
use crate::source::{Contents, Source};
use crate::Result;

/// What an attachment is shown as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    Image,
    Video,
    Audio,
    File,
}

const IMAGES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "svg",
];
const VIDEOS: &[&str] = &["mp4", "webm", "ogv", "mov", "m4v"];
const AUDIOS: &[&str] = &["mp3", "ogg", "oga", "opus", "wav", "m4a", "flac", "aac"];
/// Files no browser runs: published under their own names.
const PASSIVE: &[&str] = &[
    "pdf", "txt", "md", "csv", "tsv", "json", "log", "zip", "gz", "tgz", "tar", "xz", "zst", "7z",
    "odt", "ods", "odp", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "rtf", "epub", "patch",
    "diff", "vtt", "srt",
];

fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn media(name: &str) -> Media {
    let ext = extension(name);
    if IMAGES.contains(&ext.as_str()) {
        Media::Image
    } else if VIDEOS.contains(&ext.as_str()) {
        Media::Video
    } else if AUDIOS.contains(&ext.as_str()) {
        Media::Audio
    } else {
        Media::File
    }
}

/// The name a file of an attachment directory is published under:
/// its own when a browser would not run it, otherwise with `.txt` added.
pub fn published_name(name: &str) -> String {
    let ext = extension(name);
    let passive = media(name) != Media::File || PASSIVE.contains(&ext.as_str());
    if passive {
        name.to_owned()
    } else {
        format!("{name}.txt")
    }
}

/// Where the attachment at `path` (root-relative, inside `thread`'s directory) is published,
/// from the site's root, before percent-encoding: `files/<thread file>/<ID>/…/<published name>`.
/// `None` for a path that is not inside the thread's directory or has an empty or hidden part.
pub fn published_path(thread_file: &str, thread: &Thread, path: &str) -> Option<String> {
    let rest = path.strip_prefix(&format!("threads/{}/", thread.slug))?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty() || s.starts_with('.')) {
        return None;
    }
    let mut target = format!("files/{thread_file}");
    for (i, segment) in segments.iter().enumerate() {
        target.push('/');
        if i + 1 == segments.len() {
            target.push_str(&published_name(segment));
        } else {
            target.push_str(segment);
        }
    }
    Some(target)
}

/// What [`copy`] did with an attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It is in the site.
    Copied,
    /// It is a Git LFS pointer: the content is not in the tree, so nothing was copied.
    LfsPointer,
    /// Nothing to copy (a path outside its thread's directory, or no longer there).
    Skipped,
}

/// Copies the attachment at `path` (root-relative) into the site.
pub fn copy(
    context: &Context,
    source: &dyn Source,
    site: &mut Staging,
    thread: &Thread,
    path: &str,
) -> Result<Outcome> {
    let Some(target) = published_path(&context.thread_file(thread), thread, path) else {
        return Ok(Outcome::Skipped);
    };
    if let Contents::Bytes(bytes) = source.read(path, u64::MAX)? {
        if bytes.len() < LFS_POINTER_MAX_BYTES as usize && looks_like_pointer(&bytes) {
            return Ok(Outcome::LfsPointer);
        }
        let svg = extension(&target) == "svg";
        if svg && !is_plain_svg(&bytes) {
            site.write(&target, PLACEHOLDER_SVG.as_bytes(), Kind::Attachment)?;
        } else {
            site.write(&target, &bytes, Kind::Attachment)?;
        }
        return Ok(Outcome::Copied);
    }
    Ok(Outcome::Skipped)
}

/// What replaces an SVG that could run a script when opened.
const PLACEHOLDER_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"60\" \
viewBox=\"0 0 480 60\"><rect width=\"480\" height=\"60\" fill=\"#eee\"/><text x=\"16\" y=\"36\" \
font-family=\"sans-serif\" font-size=\"16\">This SVG was not published: it could run scripts.</text></svg>\n";

/// Whether an SVG is a plain drawing: UTF-8 with no script, event handler, `javascript:` or
/// `data:` URL, foreign object, embedded document, entity or character reference (which could
/// hide any of these). Whitespace and controls are ignored while looking, as a URL parser
/// ignores them. Anything in doubt is refused, which only costs the inline picture.
pub fn is_plain_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    let squeezed: String = lower.chars().filter(|c| *c > ' ').collect();
    const BANNED: &[&str] = &[
        "<script",
        "javascript:",
        "vbscript:",
        "data:",
        "<foreignobject",
        "<iframe",
        "<embed",
        "<object",
        "<!entity",
        "<!doctype",
        "&#",
        "<handler",
        "<listener",
        "<?xml-stylesheet",
    ];
    if BANNED.iter().any(|b| squeezed.contains(b)) {
        return false;
    }
    // An event-handler attribute: `on` + letters + `=`, after a space, a quote or a slash.
    let bytes = lower.as_bytes();
    for (i, window) in bytes.windows(2).enumerate() {
        let boundary = i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'/'
            );
        if window == b"on" && boundary {
            let rest = &bytes[i + 2..];
            let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            let after = rest[letters..].iter().find(|b| !b.is_ascii_whitespace());
            if letters > 0 && after == Some(&b'=') {
                return false;
            }
        }
    }
    true
}

/// The attachments of `message`, as a list under its body (`body`, as rendered): images, video
/// and audio inline, unless the body already shows them, in which case only their link.
pub fn list(out: &mut String, context: &Context, to_root: &str, message: &Message, body: &str) {
    if message.attachments.is_empty() {
        return;
    }
    out.push_str("<ul class=\"attachments\" aria-label=\"Attachments\">\n");
    for path in &message.attachments {
        let name = path.rsplit('/').next().unwrap_or(path);
        if context.lfs.contains(path) {
            out.push_str("<li><span class=\"file\">Attachment: ");
            escape_into(out, name);
            out.push_str(" (stored in Git LFS, not published with this site)</span></li>\n");
            continue;
        }
        let Some(href) = context.attachment_href(path) else {
            continue;
        };
        let mut link = String::new();
        let _ = write!(link, "<a href=\"{to_root}");
        escape_into(&mut link, href);
        link.push_str("\">");
        escape_into(&mut link, name);
        link.push_str("</a>");
        let mut src = String::from(to_root);
        escape_into(&mut src, href);
        out.push_str("<li>");
        let inline = body.contains(&format!("src=\"{src}\""));
        match media(name) {
            Media::Image | Media::Video | Media::Audio if inline => {
                let _ = write!(
                    out,
                    "<span class=\"file\">Attachment: {link} (shown above)</span>"
                );
            }
            Media::Image => {
                out.push_str("<figure><img src=\"");
                out.push_str(&src);
                out.push_str("\" alt=\"");
                escape_into(out, name);
                let _ = write!(
                    out,
                    "\" loading=\"lazy\" /><figcaption>{link}</figcaption></figure>"
                );
            }
            Media::Video => {
                let _ = write!(
                    out,
                    "<figure><video controls=\"controls\" preload=\"metadata\" src=\"{src}\">\
                     {link}</video><figcaption>{link}</figcaption></figure>"
                );
            }
            Media::Audio => {
                let _ = write!(
                    out,
                    "<figure><audio controls=\"controls\" preload=\"metadata\" src=\"{src}\">\
                     {link}</audio><figcaption>{link}</figcaption></figure>"
                );
            }
            Media::File => {
                let _ = write!(
                    out,
                    "<span class=\"file\">Attachment: <a href=\"{src}\" download=\"\">"
                );
                escape_into(out, name);
                out.push_str("</a></span>");
            }
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_files_are_published_as_text() {
        assert_eq!(published_name("demo.mp4"), "demo.mp4");
        assert_eq!(published_name("Shot.PNG"), "Shot.PNG");
        assert_eq!(published_name("notes.pdf"), "notes.pdf");
        assert_eq!(published_name("evil.html"), "evil.html.txt");
        assert_eq!(published_name("logo.svg"), "logo.svg");
        assert_eq!(published_name("run.js"), "run.js.txt");
        assert_eq!(published_name("README"), "README.txt");
        assert_eq!(published_name("x.HtM"), "x.HtM.txt");
    }

    #[test]
    fn only_plain_svgs_are_published() {
        let plain = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"><polygon points=\"0,0 1,1\"/>\
                     <text>one</text></svg>";
        assert!(is_plain_svg(plain.as_bytes()));
        for bad in [
            "<svg onload=\"alert(1)\"/>",
            "<svg><g/ONCLICK = \"x\"></g></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<svg><SCRIPT >alert(1)</script></svg>",
            "<svg><a href=\"java\tscript:alert(1)\">x</a></svg>",
            "<svg><a href=\"&#106;avascript:alert(1)\">x</a></svg>",
            "<svg><animate attributeName=\"href\" values=\"javascript:alert(1)\"/></svg>",
            "<svg><foreignObject><body/></foreignObject></svg>",
            "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
            "<svg><image href=\"data:image/svg+xml,...\"/></svg>",
        ] {
            assert!(!is_plain_svg(bad.as_bytes()), "{bad}");
        }
        assert!(!is_plain_svg(b"\xff<svg/>"));
    }
}
