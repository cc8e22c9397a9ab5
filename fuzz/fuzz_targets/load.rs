//! A whole discussion from an in-memory tree: the input is framed as `path NUL contents NUL`
//! records (`MemoryTree::from_framed`). Loading and validating must never panic or return
//! `Err` for bad data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use longhand::source::{MemoryTree, Source};
use longhand::validate;

const CONFIG: &str =
    "longhand: 1\nname: Fuzz\npeople:\n  ana:\n    name: Ana Lima\n    email: ana@example.org\n";

fuzz_target!(|data: &[u8]| {
    let mut tree = MemoryTree::from_framed(data);
    if !tree.paths().any(|p| p == "longhand.yaml") {
        tree.insert_file("longhand.yaml", CONFIG);
    }
    if matches!(
        tree.kind("longhand.yaml"),
        Ok(Some(longhand::source::EntryKind::File))
    ) {
        let report = validate::run(&tree).expect("validation of in-memory data never fails");
        // Same bytes on every run.
        let again = validate::run(&tree).expect("validation of in-memory data never fails");
        assert_eq!(report.diagnostics, again.diagnostics);
    }
});
