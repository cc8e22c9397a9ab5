//! Attachments of a new reply: reading a file the writer names (refusing links, directories
//! and files over the policy's limit before reading them), checking the name it will have in
//! the reply's attachment directory, and the Markdown links the reply's body gets.
//!
//! The files land in `threads/<slug>/<ID>/<name>` in the same change (and commit) as the
//! reply `<ID>.md`. Longhand does not run Git LFS: a file over the limit is refused, a Git
//! LFS pointer file is copied as it is.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::document::lfs::{looks_like_pointer, parse_pointer, LFS_POINTER_MAX_BYTES};
use crate::{Error, Result};

/// A file to attach to a new reply: the name it gets and its bytes. Read one from disk with
/// [`read_attachment`], or build one in memory with [`Attachment::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attachment {
    /// The file name inside the reply's attachment directory (no `/`).
    pub name: String,
    /// The whole content.
    pub bytes: Vec<u8>,
    /// The file as the writer named it, for messages.
    pub origin: String,
}

impl Attachment {
    /// An attachment named `name` holding `bytes` (its origin, for messages, is its name).
    /// The name and size are checked when a reply is made with it.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Attachment {
        let name = name.into();
        Attachment {
            origin: name.clone(),
            name,
            bytes: bytes.into(),
        }
    }
}

/// The longest attachment name, in bytes (what common file systems allow): the protocol's
/// limit for every name.
pub const MAX_NAME_BYTES: usize = crate::load::names::MAX_NAME_BYTES;

/// Reads the file at `path` to attach it under its own file name. Refuses a symbolic link,
/// a directory or anything else that is not a regular file, a name the attachment directory
/// cannot hold (see [`check_name`]), and a file over `limit` bytes — found from its metadata,
/// before reading — unless it is a Git LFS pointer (which is always small).
pub fn read_attachment(path: &Path, limit: u64) -> Result<Attachment> {
    let origin = path.display().to_string();
    let refuse = |reason: &str| Error::AttachmentRefused {
        path: origin.clone(),
        reason: reason.to_owned(),
    };
    let metadata = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return Err(refuse(
            "it is a symbolic link; attach the file it points to",
        ));
    }
    if kind.is_dir() {
        return Err(refuse(
            "it is a directory; attach its files one by one (--attach once per file)",
        ));
    }
    if !kind.is_file() {
        return Err(refuse("it is not a regular file"));
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| refuse("its name is not UTF-8"))?
        .to_owned();
    check_name(&name).map_err(|reason| refuse(&reason))?;
    let size = metadata.len();
    if size > limit && size >= LFS_POINTER_MAX_BYTES {
        return Err(Error::AttachmentTooLarge {
            path: origin,
            size,
            limit,
        });
    }
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(size as usize);
    // At most one byte past the larger limit, in case the file grew since its size was read.
    file.take(limit.max(LFS_POINTER_MAX_BYTES).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let attachment = Attachment {
        name,
        bytes,
        origin,
    };
    check_size(&attachment, limit)?;
    Ok(attachment)
}

/// Checks that an attachment fits `limit` or is a valid Git LFS pointer.
pub fn check_size(attachment: &Attachment, limit: u64) -> Result<()> {
    let size = attachment.bytes.len() as u64;
    if size < LFS_POINTER_MAX_BYTES && looks_like_pointer(&attachment.bytes) {
        return parse_pointer(&attachment.bytes).map(|_| ()).map_err(|e| {
            Error::AttachmentRefused {
                path: attachment.origin.clone(),
                reason: format!(
                    "it starts like a Git LFS pointer but line {} is wrong: {}",
                    e.line, e.reason
                ),
            }
        });
    }
    if size > limit {
        return Err(Error::AttachmentTooLarge {
            path: attachment.origin.clone(),
            size,
            limit,
        });
    }
    Ok(())
}

/// Checks a name for the attachment directory: not empty, at most [`MAX_NAME_BYTES`] bytes,
/// not hidden (readers skip names starting with `.`, so `..` is refused too), free of
/// `/`, `\`, control characters and bidirectional overrides, and nothing else the protocol
/// refuses in a name (LH212: `git~1`, for one). The reason when it is not.
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        return Err("its name is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!("its name is longer than {MAX_NAME_BYTES} bytes"));
    }
    if name.starts_with('.') {
        return Err("its name starts with `.`, and readers skip hidden files".into());
    }
    let bad = |c: char| {
        c == '/'
            || c == '\\'
            || c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if name.chars().any(bad) {
        return Err("its name holds `/`, `\\`, a control character or a direction override".into());
    }
    if let Some(hostile) = crate::load::names::check_name(name.as_bytes()) {
        return Err(hostile.reason().replacen("the name", "its name", 1));
    }
    Ok(())
}

/// Whether readers show the file as an image (by extension, case-insensitively).
pub fn is_image(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "avif")
    )
}

/// The Markdown list that links a reply's body to its attachments, one item per file in the
/// given order: `- ![name](<ID>/name)` for images, `- [name](<ID>/name)` for other files. The
/// name is escaped in the text and percent-encoded in the destination.
pub fn links(id: &str, attachments: &[Attachment]) -> String {
    let mut out = String::new();
    for attachment in attachments {
        let bang = if is_image(&attachment.name) { "!" } else { "" };
        out.push_str(&format!(
            "- {bang}[{}]({id}/{})\n",
            escape_text(&attachment.name),
            encode_destination(&attachment.name)
        ));
    }
    out
}

/// Backslash-escapes the ASCII punctuation that Markdown could read as syntax.
fn escape_text(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_punctuation() && !matches!(c, '.' | '-' | ',' | '/' | ':' | '@' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes every byte but unreserved characters (RFC 3986: letters, digits, `-._~`).
fn encode_destination(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_hide_or_escape_are_refused() {
        assert!(check_name("demo.mp4").is_ok());
        assert!(check_name("Screen Shot (2).png").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(".env").is_err());
        assert!(check_name("..").is_err());
        assert!(check_name("a\\b").is_err());
        assert!(check_name("a\u{1b}[31m").is_err());
        assert!(check_name("gpj.\u{202E}exe").is_err());
        assert!(check_name(&"x".repeat(256)).is_err());
    }

    #[test]
    fn links_show_images_inline_and_encode_odd_names() {
        let a = |name: &str| Attachment {
            name: name.into(),
            bytes: vec![],
            origin: name.into(),
        };
        let id = "01JD8Q1Z4A2B3C4D5E6F7G8H9J";
        assert_eq!(
            links(id, &[a("demo.mp4"), a("Screen Shot [1].PNG")]),
            format!(
                "- [demo.mp4]({id}/demo.mp4)\n- ![Screen Shot \\[1\\].PNG]({id}/Screen%20Shot%20%5B1%5D.PNG)\n"
            )
        );
    }

    #[test]
    fn links_directories_and_large_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().expect("tempdir");
        let big = dir.path().join("big.bin");
        fs::File::create(&big)
            .and_then(|f| f.set_len(50_000_000))
            .expect("sparse file");
        assert!(matches!(
            read_attachment(&big, 1_000_000),
            Err(Error::AttachmentTooLarge {
                size: 50_000_000,
                ..
            })
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&big, dir.path().join("link.bin")).expect("symlink");
            assert!(matches!(
                read_attachment(&dir.path().join("link.bin"), u64::MAX),
                Err(Error::AttachmentRefused { .. })
            ));
        }
        assert!(matches!(
            read_attachment(dir.path(), u64::MAX),
            Err(Error::AttachmentRefused { .. })
        ));
        let pointer = dir.path().join("clip.mp4");
        fs::write(
            &pointer,
            format!(
                "{}\noid sha256:{}\nsize 99999999\n",
                crate::document::lfs::LFS_VERSION_LINE,
                "a".repeat(64)
            ),
        )
        .expect("write");
        let read = read_attachment(&pointer, 10).expect("a pointer is accepted over the limit");
        assert_eq!(read.name, "clip.mp4");
        fs::write(
            &pointer,
            format!("{}\nsize 1\n", crate::document::lfs::LFS_VERSION_LINE),
        )
        .expect("write");
        assert!(matches!(
            read_attachment(&pointer, 10),
            Err(Error::AttachmentRefused { .. })
        ));
    }
}
