//! A reply's attachments (spec section 8.4): copied from the source into `files/<thread>/<ID>/`
//! and shown under the reply — images inline, video and audio with the browser's controls,
//! anything else as a download link.
//!
//! Only the files the loader listed inside `<ID>/` directories are copied (never a link, never
//! a path outside the root), and they are read through the `Source`, so `--rev` works. An
//! attachment is untrusted like a body: a file a browser would run as a page or a script (HTML,
//! XML, JavaScript, or any extension not known to be passive) is published with `.txt` added
//! to its name, so opening it shows text instead of running it. An SVG is published rewritten
//! by [`super::svg::clean`] to a subset that only draws; one that is not a well-formed SVG
//! document is replaced by a placeholder drawing.
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
        if extension(&target) == "svg" {
            let clean = super::svg::clean(&bytes);
            let published = clean.as_deref().unwrap_or(PLACEHOLDER_SVG);
            site.write(&target, published.as_bytes(), Kind::Attachment)?;
        } else {
            site.write(&target, &bytes, Kind::Attachment)?;
        }
        return Ok(Outcome::Copied);
    }
    Ok(Outcome::Skipped)
}

/// What replaces an SVG that is not a well-formed SVG document.
const PLACEHOLDER_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"60\" \
viewBox=\"0 0 480 60\"><rect width=\"480\" height=\"60\" fill=\"#eee\"/><text x=\"16\" y=\"36\" \
font-family=\"sans-serif\" font-size=\"16\">This SVG was not published: it is not a well-formed SVG.</text></svg>\n";

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
}
