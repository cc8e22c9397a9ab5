//! Helpers shared by the library's unit tests (compiled only for tests).

use std::path::{Path, PathBuf};

/// A git index entry for a regular file at `path` holding the blob `id` of `len` bytes.
pub(crate) fn blob_entry(path: &str, id: git2::Oid, len: usize) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: len as u32,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Every readable text file of the conformance vectors and the bundled example, with its path.
pub(crate) fn vector_texts() -> Vec<(PathBuf, String)> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut pending = vec![top.join("spec/conformance"), top.join("examples")];
    let mut texts = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("lists") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                texts.push((path, text));
            }
        }
    }
    texts
}
