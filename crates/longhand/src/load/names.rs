//! Entry names the protocol refuses wherever the discussion's own entries lie (LH212,
//! spec section 2.4): names that break a checkout on some system (`..`, `.git` and its
//! aliases, a `/` or `\`, over-long names and paths), names that are not text (not UTF-8,
//! NUL), names that would drive a terminal (control characters, direction overrides), and
//! submodules.
//!
//! One check serves every reader: the loader applies it to every entry it lists, the hooks
//! to every entry a change adds or alters (`history::incremental`), and the writers
//! to the names they are given. Such an entry is reported and never read or entered.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{join, Entry, EntryKind};

/// The longest name of an entry, in bytes: what common file systems hold (ext4, APFS, NTFS
/// in UTF-16 units, which a 255-byte UTF-8 name never exceeds).
pub const MAX_NAME_BYTES: usize = 255;

/// The longest path of an entry relative to the discussion root, in bytes. The layout needs
/// about 150 (`threads/<slug of 100>/<ID>/<name>`); 1,024 leaves room for nested
/// attachments and keeps the path, with the clone's location and the root's own directory
/// in front of it, inside what Linux (4,096) and macOS (1,024 for the whole path, so the
/// attachment names deep in a tree may still be long) can open.
pub const MAX_PATH_BYTES: usize = 1024;

/// The names at the root that the layout gives a meaning: a submodule there is refused. Any
/// other submodule at the root belongs to the code repository the discussion lives in.
const LAYOUT_NAMES: &[&[u8]] = &[b"longhand.yaml", b"threads", b"decisions"];

/// Why an entry is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// The name is not UTF-8.
    NotUtf8,
    /// The name is empty.
    Empty,
    /// The name holds a NUL byte.
    Nul,
    /// The name holds `/` or `\`.
    Separator,
    /// The name is `.` or `..`.
    Dots,
    /// The name holds a control character (C0, DEL, C1) or a bidirectional control.
    Control,
    /// The name is `.git` in some case, or a name Windows or macOS read as `.git`.
    GitDir,
    /// The name is longer than [`MAX_NAME_BYTES`].
    NameTooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The path is longer than [`MAX_PATH_BYTES`].
    PathTooLong {
        /// Its length in bytes.
        bytes: usize,
    },
    /// A git submodule (a gitlink, mode `160000`).
    Submodule,
}

impl Hostile {
    /// Why, in words, for the diagnostic's message.
    pub fn reason(&self) -> String {
        match self {
            Hostile::NotUtf8 => "the name is not UTF-8".to_owned(),
            Hostile::Empty => "the name is empty".to_owned(),
            Hostile::Nul => "the name holds a NUL byte".to_owned(),
            Hostile::Separator => "the name holds a path separator (`/` or `\\`)".to_owned(),
            Hostile::Dots => "the name is `.` or `..`".to_owned(),
            Hostile::Control => {
                "the name holds a control character or a direction override".to_owned()
            }
            Hostile::GitDir => {
                "the name is `.git`, or one that Windows or macOS take for `.git`".to_owned()
            }
            Hostile::NameTooLong { bytes } => {
                format!("the name has {bytes} bytes, over {MAX_NAME_BYTES}")
            }
            Hostile::PathTooLong { bytes } => {
                format!("the path has {bytes} bytes, over {MAX_PATH_BYTES}")
            }
            Hostile::Submodule => "it is a git submodule (mode 160000)".to_owned(),
        }
    }
}

/// What is wrong with a name on its own, if anything: the checks of [`check_entry`] that do
/// not depend on where the entry lies or what it is.
pub fn check_name(name: &[u8]) -> Option<Hostile> {
    let Ok(text) = std::str::from_utf8(name) else {
        return Some(Hostile::NotUtf8);
    };
    if name.is_empty() {
        return Some(Hostile::Empty);
    }
    if name.contains(&0) {
        return Some(Hostile::Nul);
    }
    if name.contains(&b'/') || name.contains(&b'\\') {
        return Some(Hostile::Separator);
    }
    if name == b"." || name == b".." {
        return Some(Hostile::Dots);
    }
    if text.chars().any(is_control) {
        return Some(Hostile::Control);
    }
    if is_git_dir(text) {
        return Some(Hostile::GitDir);
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(Hostile::NameTooLong { bytes: name.len() });
    }
    None
}

/// What is wrong with the entry `name` of the directory `dir` (a path relative to the root,
/// `""` for the root itself), if anything: its name ([`check_name`]), its path's length, and
/// whether it is a submodule (at the root, only where the layout expects its own entries).
pub fn check_entry(dir: &str, name: &[u8], submodule: bool) -> Option<Hostile> {
    if let Some(hostile) = check_name(name) {
        return Some(hostile);
    }
    let path = if dir.is_empty() {
        name.len()
    } else {
        dir.len() + 1 + name.len()
    };
    if path > MAX_PATH_BYTES {
        return Some(Hostile::PathTooLong { bytes: path });
    }
    if submodule && (!dir.is_empty() || LAYOUT_NAMES.contains(&name)) {
        return Some(Hostile::Submodule);
    }
    None
}

/// The LH212 diagnostic for `entry` of `dir`, when it is hostile.
pub fn entry_diagnostic(dir: &str, entry: &Entry) -> Option<Diagnostic> {
    let submodule = entry.kind == EntryKind::Submodule;
    let hostile = check_entry(dir, entry.name_bytes(), submodule)?;
    Some(diagnostic(dir, entry.name_bytes(), &hostile))
}

/// The LH212 diagnostic for the entry `name` of `dir`. Its path is the entry's, with bytes
/// that are not UTF-8 replaced; the message shows the name escaped (and shortened).
pub fn diagnostic(dir: &str, name: &[u8], hostile: &Hostile) -> Diagnostic {
    let path = join(dir, &String::from_utf8_lossy(name));
    let shown: String = name.escape_ascii().to_string();
    let shown = match shown.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &shown[..at]),
        None => shown,
    };
    Diagnostic::new(
        Code::HostileName,
        path,
        format!(
            "entry `{shown}` is refused: {}; it is not read",
            hostile.reason()
        ),
    )
}

/// Control characters (C0, DEL, C1) and the bidirectional controls that reorder what a
/// terminal or a listing shows.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `.git` in any case; with trailing dots or spaces, or followed by `:` (an NTFS stream),
/// which Windows reads as `.git`; with code points macOS ignores in names (HFS+); and its
/// Windows short name `git~1`.
fn is_git_dir(name: &str) -> bool {
    // Most names (ids, `thread.md`, slugs) are rejected without building anything.
    let first = name.chars().find(|c| !is_hfs_ignorable(*c));
    if !matches!(first, Some('.' | 'g' | 'G')) {
        return false;
    }
    let folded: String = name
        .chars()
        .filter(|c| !is_hfs_ignorable(*c))
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = folded.trim_end_matches(['.', ' ']);
    trimmed == ".git" || folded.starts_with(".git:") || folded == "git~1"
}

/// Code points HFS+ ignores when it compares names (git's `is_hfs_dotgit` list).
fn is_hfs_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{200C}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{206A}'..='\u{206F}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused_with_their_reason() {
        let cases: &[(&[u8], Hostile)] = &[
            (b"caf\xe9", Hostile::NotUtf8),
            (b"", Hostile::Empty),
            (b"a\0b", Hostile::Nul),
            (b"a/b", Hostile::Separator),
            (b"a\\b", Hostile::Separator),
            (b".", Hostile::Dots),
            (b"..", Hostile::Dots),
            (b"evil\x1b]52;c;aGk=\x07", Hostile::Control),
            ("tab\there".as_bytes(), Hostile::Control),
            ("csi\u{9b}31m".as_bytes(), Hostile::Control),
            ("gpj.\u{202E}exe".as_bytes(), Hostile::Control),
            (b".git", Hostile::GitDir),
            (b".GIT", Hostile::GitDir),
            (b".Git", Hostile::GitDir),
            (b".git.", Hostile::GitDir),
            (b".git . ", Hostile::GitDir),
            (b".git::$INDEX_ALLOCATION", Hostile::GitDir),
            (b"GIT~1", Hostile::GitDir),
            (".g\u{200C}it".as_bytes(), Hostile::GitDir),
            (&[b'a'; 256], Hostile::NameTooLong { bytes: 256 }),
        ];
        for (name, want) in cases {
            assert_eq!(check_name(name).as_ref(), Some(want), "{name:?}");
        }
    }

    #[test]
    fn ordinary_names_pass() {
        for name in [
            "thread.md",
            "01JD8Q1Z4A2B3C4D5E6F7G8H9J.md",
            ".gitkeep",
            ".github",
            ".gitattributes",
            "git",
            "git~2",
            "é",
            "a b",
            "日本語.png",
        ] {
            assert_eq!(check_name(name.as_bytes()), None, "{name}");
        }
        assert_eq!(check_name(&[b'a'; 255]), None);
    }

    #[test]
    fn paths_are_limited_and_submodules_refused_outside_the_code_at_the_root() {
        let dir = format!(
            "threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J/{}",
            vec!["d".repeat(200); 4].join("/")
        );
        let dir = dir.as_str();
        let fits = "a".repeat(MAX_PATH_BYTES - dir.len() - 1);
        assert_eq!(check_entry(dir, fits.as_bytes(), false), None);
        let over = format!("{fits}a");
        assert_eq!(
            check_entry(dir, over.as_bytes(), false),
            Some(Hostile::PathTooLong {
                bytes: MAX_PATH_BYTES + 1
            })
        );
        assert_eq!(
            check_entry("threads/t", b"01JD8Q1Z4A2B3C4D5E6F7G8H9J.md", true),
            Some(Hostile::Submodule)
        );
        assert_eq!(check_entry("", b"threads", true), Some(Hostile::Submodule));
        assert_eq!(check_entry("", b"vendor-lib", true), None);
    }
}
